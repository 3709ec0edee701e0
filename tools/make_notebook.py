"""Write a lab notebook from a plain Python file with ``# %%`` cell markers.

Labs are edited as ``docs/labs/<name>.py`` (readable diffs, ruff-checked like the
package) and turned into ``docs/labs/<name>.ipynb`` (no outputs: mkdocs-jupyter executes
it at build time). ``# %% [markdown]`` starts a Markdown cell whose lines are ``#
``-commented.

Every plot a code cell draws needs its alt text, written in that cell as a comment ``#
alt: <text>`` (one per plot, in the order drawn; an indented ``#   more`` line continues
it). The lines leave the cell's source and go to its metadata ``alt`` (a list);
``hooks/labs.py`` puts them on the images and fails the build on a plot without one.

Usage: python tools/make_notebook.py docs/labs/digits.py
"""

import sys
from pathlib import Path

import nbformat


def uncomment(line: str) -> str:
    """Remove one comment marker: ``# # Title`` is the Markdown ``# Title``, ``#`` a
    blank line."""
    return line[2:] if line.startswith("# ") else line.removeprefix("#")


def split_alt_text(body: str) -> tuple[str, list[str]]:
    """Take the ``# alt:`` comments (and their ``#   `` continuations) out of a code
    cell."""
    kept, alts, continuing = [], [], False
    for line in body.split("\n"):
        if line.startswith("# alt:"):
            alts.append(line.removeprefix("# alt:").strip())
            continuing = True
        elif continuing and line.startswith("#   "):
            alts[-1] += " " + line.removeprefix("#").strip()
        else:
            kept.append(line)
            continuing = False
    return "\n".join(kept).strip("\n"), alts


def cells_from_script(text: str) -> list:
    cells, kind, lines = [], None, []

    def flush():
        body = "\n".join(lines).strip("\n")
        if kind == "markdown":
            body = "\n".join(uncomment(line) for line in body.split("\n"))
            cells.append(nbformat.v4.new_markdown_cell(body))
        elif kind == "code" and body:
            source, alts = split_alt_text(body)
            cell = nbformat.v4.new_code_cell(source)
            if alts:
                cell.metadata["alt"] = alts
            cells.append(cell)

    for line in text.split("\n"):
        if line.startswith("# %%"):
            flush()
            kind, lines = ("markdown" if "[markdown]" in line else "code"), []
        elif kind is not None:
            lines.append(line)
    flush()
    return cells


def main(path: str) -> None:
    source = Path(path)
    nb = nbformat.v4.new_notebook()
    nb.cells = cells_from_script(source.read_text(encoding="utf-8"))
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nb.metadata["language_info"] = {"name": "python"}
    for i, cell in enumerate(nb.cells):
        cell["id"] = f"{source.stem}-{i}"
    nbformat.write(nb, source.with_suffix(".ipynb"))


if __name__ == "__main__":
    for arg in sys.argv[1:]:
        main(arg)
