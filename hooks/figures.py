"""MkDocs hook: draw the book's figures with matplotlib at build time.

Every function named ``fig_<name>`` in ``docs/figures/<chapter>.py`` returns a matplotlib
figure; this hook renders it to SVG and adds it to the site as ``figures/<name>.svg``, so a
page shows it with ``![alt text](../figures/<name>.svg)``. Nothing is written to ``docs/``
(``mkdocs serve`` would otherwise rebuild in a loop) and nothing drawn is committed.
"""

from __future__ import annotations

import importlib.util
import io
import sys
from pathlib import Path

from mkdocs.structure.files import File

FIGURES = Path(__file__).resolve().parent.parent / "docs" / "figures"


def figure_functions() -> dict[str, object]:
    """``{name: function}`` for every ``fig_<name>`` in ``docs/figures/*.py``."""
    sys.path.insert(0, str(FIGURES))
    try:
        found = {}
        for path in sorted(FIGURES.glob("[!_]*.py")):
            spec = importlib.util.spec_from_file_location(f"figures_{path.stem}", path)
            module = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(module)
            for attr, fn in vars(module).items():
                if attr.startswith("fig_") and callable(fn):
                    name = attr.removeprefix("fig_")
                    if name in found:
                        raise ValueError(f"figure {name!r} is defined twice ({path.name})")
                    found[name] = fn
        return found
    finally:
        sys.path.remove(str(FIGURES))


def render_svg(fn) -> bytes:
    """Draw one figure and return it as reproducible SVG bytes."""
    import matplotlib

    matplotlib.use("Agg")  # no screen; set here, not in the environment (labs draw inline)
    import matplotlib.pyplot as plt

    matplotlib.rcParams["svg.hashsalt"] = "scratchml"  # stable element ids
    fig = fn()
    buffer = io.BytesIO()
    fig.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None})
    plt.close(fig)
    return buffer.getvalue()


def on_files(files, config):
    for name, fn in figure_functions().items():
        files.append(File.generated(config, f"figures/{name}.svg", content=render_svg(fn)))
    return files
