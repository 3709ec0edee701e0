"""Mutation check: breaking a function that a page shows makes that page's test fail.

The repository's package, pages and test configuration are copied to a temporary folder,
one operator in ``weighted_sum`` is flipped, and pytest runs the neuron chapter against
the mutated copy. The chapter must fail; the unmutated copy must pass (so the failure is
the mutation's doing, not the copy's).
"""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
PAGE = "docs/part1/neuron.md"


def run_page(tmp_path: Path, mutate: bool) -> subprocess.CompletedProcess:
    copy = tmp_path / ("mutant" if mutate else "clean")
    shutil.copytree(ROOT / "scratchml", copy / "scratchml")
    shutil.copytree(ROOT / "hooks", copy / "hooks")  # conftest expands snippets with it
    (copy / "docs" / "part1").mkdir(parents=True)
    shutil.copy(ROOT / PAGE, copy / PAGE)
    for name in ["conftest.py", "mkdocs.yml", "pyproject.toml"]:
        shutil.copy(ROOT / name, copy / name)
    if mutate:
        source = copy / "scratchml" / "neuron.py"
        text = source.read_text()
        assert text.count("return a @ w + b") == 1
        source.write_text(text.replace("return a @ w + b", "return a @ w - b"))
    env = {**os.environ, "PYTHONPATH": str(copy)}
    return subprocess.run(
        [sys.executable, "-m", "pytest", PAGE, "-q", "-p", "no:cacheprovider"],
        cwd=copy,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_breaking_shown_code_fails_the_page(tmp_path):
    clean = run_page(tmp_path, mutate=False)
    assert clean.returncode == 0, clean.stdout[-3000:]
    mutant = run_page(tmp_path, mutate=True)
    assert mutant.returncode == 1, mutant.stdout[-3000:]
    assert "the printed output differs from the page" in mutant.stdout
