"""Each lab notebook is generated from its ``docs/labs/<name>.py`` and must not drift
from it."""

from pathlib import Path

import nbformat
import pytest
from _helpers import load_module

ROOT = Path(__file__).resolve().parents[1]
LABS = sorted((ROOT / "docs" / "labs").glob("*.py"))


@pytest.mark.parametrize("script", LABS, ids=lambda p: p.name)
def test_notebook_matches_its_script(script):
    notebook = script.with_suffix(".ipynb")
    assert notebook.exists(), (
        f"run: python tools/make_notebook.py {script.relative_to(ROOT)}"
    )
    cells = load_module("tools/make_notebook.py").cells_from_script(
        script.read_text(encoding="utf-8")
    )
    stored = nbformat.read(notebook, as_version=4).cells

    def shown(cs):
        return [(c.cell_type, c.source, c.metadata.get("alt")) for c in cs]

    assert shown(stored) == shown(cells), (
        f"{notebook.name} is stale: python tools/make_notebook.py "
        f"{script.relative_to(ROOT)}"
    )
    assert all(not c.get("outputs") for c in stored), "commit notebooks without outputs"


def test_every_notebook_has_a_script():
    for notebook in (ROOT / "docs" / "labs").glob("*.ipynb"):
        assert notebook.with_suffix(".py").exists(), notebook.name
