"""Helpers shared by the test files (pytest puts tests/ on sys.path)."""

import importlib.util
import sys
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


@cache
def load_module(relative_path: str):
    """Import a repository file that is not on the path, e.g. ``"conftest.py"`` (the
    root one; ``import conftest`` would find tests/conftest.py) or
    ``"tools/make_notebook.py"``."""
    path = ROOT / relative_path
    spec = importlib.util.spec_from_file_location(
        path.stem.replace("-", "_") + "_module", path
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module
