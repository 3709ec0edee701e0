"""Write a lab notebook from a plain Python file with ``# %%`` cell markers.

Labs are edited as ``docs/labs/<name>.py`` (readable diffs, ruff-checked like the package)
and turned into ``docs/labs/<name>.ipynb`` (no outputs: mkdocs-jupyter executes it at build
time). ``# %% [markdown]`` starts a Markdown cell whose lines are ``# ``-commented.

Usage: python tools/make_notebook.py docs/labs/digits.py
"""

import sys
from pathlib import Path

import nbformat


def cells_from_script(text: str) -> list:
    cells, kind, lines = [], None, []

    def flush():
        body = "\n".join(lines).strip("\n")
        if kind == "markdown":
            body = "\n".join(line.removeprefix("# ").removeprefix("#") for line in body.split("\n"))
            cells.append(nbformat.v4.new_markdown_cell(body))
        elif kind == "code" and body:
            cells.append(nbformat.v4.new_code_cell(body))

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
