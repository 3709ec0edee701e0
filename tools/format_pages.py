"""Format the ``python`` blocks of the book's pages with ruff, in place.

``make format`` calls it. Each block that pytest runs (a fence whose info string is
exactly ``python``, possibly indented inside an admonition) is handed to ``ruff format``
on its own; blocks that include package code (``--8<--``) are left alone, since that
code is formatted where it lives.

Usage: python tools/format_pages.py [PAGE.md ...]   (default: every page under docs/)
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tempfile
import textwrap
import tokenize
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FENCE = re.compile(
    r"^(?P<indent>[ ]*)```python\n(?P<body>.*?)^(?P=indent)```$", re.M | re.S
)
RUFF = shutil.which("ruff", path=str(Path(sys.executable).parent)) or "ruff"


def format_block(body: str) -> str:
    """``body`` (one block's dedented code) as ruff formats it, strings past 88 columns
    cut first (tools/wrap_strings.py); unchanged on error."""
    body = _cut_strings(body)
    done = subprocess.run(
        [RUFF, "format", "--stdin-filename", "page_block.py", "-"],
        input=body,
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    return done.stdout if done.returncode == 0 else body


def _cut_strings(code: str) -> str:
    sys.path.insert(0, str(ROOT / "tools"))
    from wrap_strings import wrap_file

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "block.py"
        path.write_text(code, encoding="utf-8")
        try:
            for _ in range(4):
                if not wrap_file(path):
                    break
        except (SyntaxError, tokenize.TokenError):
            return code
        return path.read_text(encoding="utf-8")


def format_page(text: str) -> str:
    def one(match: re.Match) -> str:
        indent, body = match["indent"], match["body"]
        if "--8<--" in body:
            return match[0]
        code = textwrap.dedent(body)
        new = format_block(code)
        if new == code:
            return match[0]
        shifted = "".join(
            indent + line if line.strip() else line for line in new.splitlines(True)
        )
        return f"{indent}```python\n{shifted}{indent}```"

    return FENCE.sub(one, text)


def main(paths: list[str]) -> int:
    pages = [Path(p) for p in paths] or sorted((ROOT / "docs").rglob("*.md"))
    changed = 0
    for page in pages:
        text = page.read_text(encoding="utf-8")
        new = format_page(text)
        if new != text:
            page.write_text(new, encoding="utf-8")
            changed += 1
            print(f"formatted {page}")
    print(f"{changed} page(s) reformatted")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
