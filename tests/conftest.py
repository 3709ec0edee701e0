"""Shared fixtures: the built site (one strict build per test session).

The build takes about two minutes, mostly on one core. So that the other core is not
idle meanwhile, the tests that need the site run last, and the build starts as soon as
the tests are collected, in a subprocess beside the tests that do not need it.
"""

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BUILD: dict = {}  # the background build: its process, folder and output files


def _start_build() -> None:
    site = Path(tempfile.mkdtemp(prefix="scratchml-site-"))
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "SCRATCHML_FRESH_LABS": "1"}
    env.pop("MPLBACKEND", None)  # the labs' kernels must draw inline, not to Agg
    log = tempfile.TemporaryFile(mode="w+")  # stderr: mkdocs' warnings, read at the end
    process = subprocess.Popen(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=log,
        text=True,
    )
    BUILD.update(process=process, site=site, log=log)


@pytest.hookimpl(trylast=True)  # after -k and -m have deselected what will not run
def pytest_collection_modifyitems(session, config, items):
    """Move the tests that use ``built_site`` to the end (in their order) and start the
    build now, unless ``SCRATCHML_SITE`` names a site built already."""
    needs = [i for i in items if "built_site" in getattr(i, "fixturenames", ())]
    if not needs or os.environ.get("SCRATCHML_SITE") or config.option.collectonly:
        return
    ids = {id(i) for i in needs}
    items[:] = [i for i in items if id(i) not in ids] + needs
    _start_build()


def pytest_unconfigure(config):
    """Stop a build that is still running (an interrupted session) and remove it."""
    if BUILD:
        BUILD["process"].kill()
        BUILD["process"].wait()
        shutil.rmtree(BUILD["site"], ignore_errors=True)
        BUILD.clear()


@pytest.fixture(scope="session")
def built_site() -> Path:
    """The book built with ``mkdocs build --strict`` into a temporary folder.

    ``SCRATCHML_SITE=<folder>`` uses a site built already instead (``make check-page``
    sets it to its cached build); ``make test`` and CI never set it.
    """
    if os.environ.get("SCRATCHML_SITE"):
        return Path(os.environ["SCRATCHML_SITE"]).resolve()
    if not BUILD:  # collected without the hook's help (e.g. by a plugin): start it now
        _start_build()
    try:
        returncode = BUILD["process"].wait(timeout=900)
    except subprocess.TimeoutExpired:
        BUILD["process"].kill()
        raise
    BUILD["log"].seek(0)
    stderr = BUILD["log"].read()
    assert returncode == 0, f"mkdocs build --strict failed:\n{stderr[-6000:]}"
    return BUILD["site"]
