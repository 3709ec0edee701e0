"""Shared fixtures: the built site (one strict build per test session)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def built_site(tmp_path_factory) -> Path:
    """Build the book with ``mkdocs build --strict`` into a temporary folder.

    ``SCRATCHML_SITE=<folder>`` uses a site built already instead (``make check-page``
    sets it to its cached build); ``make test`` and CI never set it.
    """
    if os.environ.get("SCRATCHML_SITE"):
        return Path(os.environ["SCRATCHML_SITE"]).resolve()
    site = tmp_path_factory.mktemp("site")
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "SCRATCHML_FRESH_LABS": "1"}
    env.pop("MPLBACKEND", None)  # the labs' kernels must draw inline, not to Agg
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert result.returncode == 0, (
        f"mkdocs build --strict failed:\n{result.stderr[-6000:]}"
    )
    return site
