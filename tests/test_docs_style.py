"""The book's own Python blocks follow the same style as the package (ruff lint +
format).

Each page's ``python`` blocks are linted together, as the one session they form; each
block is format-checked on its own. Package code included with ``--8<--`` is checked
where it lives, under ``scratchml/``.
"""

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from _helpers import load_module

ROOT = Path(__file__).resolve().parents[1]
PAGES = sorted(p for p in (ROOT / "docs").rglob("*.md") if "vendor" not in p.parts)
RUFF = shutil.which("ruff", path=str(Path(sys.executable).parent)) or shutil.which(
    "ruff"
)


PARSE = load_module("conftest.py").parse_page


def python_blocks(path: Path):
    return [b for b in PARSE(path.read_text(encoding="utf-8")) if b.syntax == "python"]


def _lintable(code: str) -> str:
    """A block as the session linter sees it.

    A block that imports the helpers a package listing calls (it starts with "# The
    listing") feeds the listing, which the linter does not see: mark its names as used.
    """
    if not code.startswith("# The listing"):
        return code
    names = [
        alias.asname or alias.name
        for node in ast.walk(ast.parse(code))
        if isinstance(node, ast.ImportFrom | ast.Import)
        for alias in node.names
    ]
    used = "".join(f"\n__all__ += [{n!r}]  # used by the listing" for n in names)
    return code + "\n__all__ = []" + used + "\n"


def ruff(*args: str, stdin: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [RUFF, *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )


@pytest.mark.skipif(RUFF is None, reason="ruff is not installed")
@pytest.mark.parametrize("path", PAGES, ids=lambda p: str(p.relative_to(ROOT / "docs")))
def test_page_blocks_pass_ruff(path):
    blocks = python_blocks(path)
    if not blocks:
        return
    name = str(path.relative_to(ROOT)).replace(".md", "_blocks.py")
    session = "\npass  # block boundary\n".join(_lintable(b.code) for b in blocks)
    lint = ruff(
        "check", "--stdin-filename", name, "--ignore", "E402,F811", "-", stdin=session
    )
    assert lint.returncode == 0, f"{path.name}: ruff check\n{lint.stdout}{lint.stderr}"
    unformatted = []
    for b in blocks:
        fmt = ruff("format", "--diff", "--stdin-filename", name, "-", stdin=b.code)
        if fmt.returncode != 0:
            unformatted.append(f"block at line {b.lineno}:\n{fmt.stdout}{fmt.stderr}")
    assert not unformatted, "\n".join(unformatted)
