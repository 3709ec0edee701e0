"""Reference implementations for the parity tests (torch, transformers, tiktoken).

They are test-only dependencies, installed by the ``parity`` extra. Without them the
parity tests skip with the reason; with ``SCRATCHML_REQUIRE_PARITY=1`` (``.ci/run`` sets
it) they fail instead, so CI can never pass by skipping them.
"""

from __future__ import annotations

import importlib
import os

import pytest


def require(module_name: str):
    """Import ``module_name`` for a parity test, or skip (fail under
    SCRATCHML_REQUIRE_PARITY=1)."""
    try:
        return importlib.import_module(module_name)
    except ImportError as exc:
        reason = f"{module_name} is not installed ({exc}); pip install -e '.[parity]'"
        if os.environ.get("SCRATCHML_REQUIRE_PARITY") == "1":
            pytest.fail(f"SCRATCHML_REQUIRE_PARITY=1 but {reason}", pytrace=False)
        pytest.skip(reason)
