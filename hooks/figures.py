"""MkDocs hook: draw the book's figures with matplotlib at build time, cached.

Every function named ``fig_<name>`` in ``docs/figures/<chapter>.py`` returns a
matplotlib figure; this hook renders it to SVG and adds it to the site as
``figures/<name>.svg``, so a page shows it with ``![alt text](../figures/<name>.svg)``.
Nothing is written to ``docs/`` (``mkdocs serve`` would otherwise rebuild in a loop) and
nothing drawn is committed.

Drawing every figure takes most of a build, so each script's SVGs are kept in
``.cache/figures/<script>-<key>/``. The key hashes what a drawing depends on: the
script, the shared helpers ``docs/figures/_*.py``, the package ``scratchml/``, this hook
and matplotlib's version. An edit to a chapter therefore redraws nothing, an edit to a
script redraws that script's figures, and an edit to the package redraws them all.
``SCRATCHML_FRESH_LABS=1`` (the tests, CI) draws everything anew.
"""

from __future__ import annotations

import ast
import hashlib
import importlib.metadata
import importlib.util
import io
import os
import shutil
import sys
from pathlib import Path

from mkdocs.structure.files import File

ROOT = Path(__file__).resolve().parent.parent
FIGURES = ROOT / "docs" / "figures"
CACHE = ROOT / ".cache" / "figures"
FRESH = os.environ.get("SCRATCHML_FRESH_LABS", "") not in {"", "0"}


def scripts() -> list[Path]:
    """The figure scripts: ``docs/figures/*.py`` but the ``_`` helpers."""
    return sorted(FIGURES.glob("[!_]*.py"))


def figure_names(script: Path) -> list[str]:
    """The ``<name>`` of every top-level ``def fig_<name>`` in a script (not run)."""
    tree = ast.parse(script.read_text(encoding="utf-8"), filename=str(script))
    return [
        node.name.removeprefix("fig_")
        for node in tree.body
        if isinstance(node, ast.FunctionDef) and node.name.startswith("fig_")
    ]


def shared_digest() -> bytes:
    """A hash of what every script depends on: helpers, package, hook, matplotlib."""
    h = hashlib.sha256()
    deps = [*sorted(FIGURES.glob("_*.py")), *sorted((ROOT / "scratchml").rglob("*.py"))]
    for path in [*deps, Path(__file__).resolve()]:
        h.update(path.relative_to(ROOT).as_posix().encode())
        h.update(path.read_bytes())
    h.update(importlib.metadata.version("matplotlib").encode())
    return h.digest()


def script_key(script: Path, shared: bytes) -> str:
    return hashlib.sha256(shared + script.read_bytes()).hexdigest()[:16]


def script_functions(script: Path) -> dict[str, object]:
    """``{name: function}`` for the ``fig_<name>`` functions of one script (runs it)."""
    sys.path.insert(0, str(FIGURES))
    try:
        spec = importlib.util.spec_from_file_location(f"figures_{script.stem}", script)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    finally:
        sys.path.remove(str(FIGURES))
    return {name: getattr(module, f"fig_{name}") for name in figure_names(script)}


def figure_functions() -> dict[str, object]:
    """``{name: function}`` for every ``fig_<name>`` in ``docs/figures/*.py``."""
    found: dict[str, object] = {}
    for script in scripts():
        found.update(script_functions(script))
    return found


def render_svg(fn) -> bytes:
    """Draw one figure and return it as reproducible SVG bytes."""
    import matplotlib

    matplotlib.use(
        "Agg"
    )  # no screen; set here, not in the environment (labs draw inline)
    import matplotlib.pyplot as plt

    matplotlib.rcParams["svg.hashsalt"] = "scratchml"  # stable element ids
    fig = fn()
    buffer = io.BytesIO()
    fig.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None})
    smallest = min_font_size(fig)
    plt.close(fig)
    svg = buffer.getvalue()
    if smallest is None:
        return svg
    # The smallest label, in the SVG's own points: hooks/reader.py keeps the figure wide
    # enough on a phone for it to stay legible, and the browser test checks it.
    return svg.replace(b"<svg ", f'<svg data-min-font-pt="{smallest:g}" '.encode(), 1)


def min_font_size(fig) -> float | None:
    """The size in points of the smallest text a figure draws (visible, not empty)."""
    from matplotlib.axes import Axes
    from matplotlib.axis import Axis
    from matplotlib.spines import Spine
    from matplotlib.text import Text

    sizes, todo = [], [fig]
    while todo:
        artist = todo.pop()
        if not artist.get_visible():
            continue
        if isinstance(artist, Text) and artist.get_text().strip():
            sizes.append(artist.get_fontsize())
        children = artist.get_children()
        if isinstance(artist, Axes) and not artist.axison:  # axis("off") draws no ticks
            children = [c for c in children if not isinstance(c, (Axis, Spine))]
        todo.extend(children)
    return min(sizes) if sizes else None


def script_svgs(script: Path, shared: bytes) -> dict[str, bytes]:
    """``{name: svg}`` for one script: from the cache when its key matches, or drawn."""
    names = figure_names(script)
    folder = CACHE / f"{script.stem}-{script_key(script, shared)}"
    if not FRESH and all((folder / f"{n}.svg").is_file() for n in names):
        return {n: (folder / f"{n}.svg").read_bytes() for n in names}
    svgs = {name: render_svg(fn) for name, fn in script_functions(script).items()}
    for old in CACHE.glob(f"{script.stem}-*"):  # one cached version per script
        shutil.rmtree(old, ignore_errors=True)
    partial = folder.with_name(folder.name + ".part")
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir(parents=True)
    for name, svg in svgs.items():
        (partial / f"{name}.svg").write_bytes(svg)
    partial.rename(folder)
    return svgs


def on_files(files, config):
    shared, owner = shared_digest(), {}
    for script in scripts():
        for name, svg in script_svgs(script, shared).items():
            if name in owner:
                raise ValueError(
                    f"figure {name!r} is defined in both {owner[name]} and "
                    f"{script.name}"
                )
            owner[name] = script.name
            files.append(File.generated(config, f"figures/{name}.svg", content=svg))
    return files
