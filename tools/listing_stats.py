"""Measure the package listings the book shows: length, width and argument checking.

A *listing* is a fenced block of a page that includes package code with ``--8<--``,
measured as the page shows it (snippets expanded, docstrings cut to their summary by
``hooks/listings.py``). For each one this prints its line count, its widest line and
its check lines: statements that validate arguments instead of computing (``raise``,
``assert``, an ``if`` whose body only raises, a call of a ``check_*``/``_check*``/
``as_*`` checker). It also counts the "helper boxes": blocks that import helpers a
listing calls but the page does not show. ``tests/test_listings.py`` holds the book
to the limits below.

Usage: python tools/listing_stats.py [PAGE.md ...]   (default: every chapter)
"""

from __future__ import annotations

import ast
import re
import sys
import textwrap
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from hooks.listings import docstring_spans, expand  # noqa: E402

MAX_LINES = 60  # a listing longer than this is split into sections with prose between
MAX_WIDTH = 88  # the text column: no code block scrolls sideways at 1280 px
# Of the included code lines, the share that checks arguments: 0.228 before issue 20,
# 0.079 with one check line per public function, 0.069 since Layer checks every
# backward's dy for its subclasses. The limit leaves room for a new chapter whose
# functions follow the one-line rule (a trial chapter of two one-line checked functions
# added 0.001); the goal is 0.05.
MAX_CHECK_SHARE = 0.075
EXEMPT = re.compile(r"<!--\s*long listing:\s*(?P<why>[^>]*\S)\s*-->")
FENCE = re.compile(
    r"^(?P<indent>[ ]*)(?P<fence>```+)(?P<info>[^\n]*)\n"
    r"(?P<body>.*?)^(?P=indent)(?P=fence)[ ]*$",
    re.M | re.S,
)
SECTION = re.compile(r'--8<-- "(?P<file>scratchml/[\w/]+\.py):(?P<section>\w+)"')
CHECKER = re.compile(r"^(_?check\w*|as_\w+)$")


@dataclass
class Listing:
    page: str
    line: int  # line of the opening fence on the page
    title: str
    lines: list[str]
    sections: list[tuple[str, str]]
    exempt: str | None = None
    check_lines: int = 0
    code_lines: int = 0
    over_checked: list[str] = field(default_factory=list)  # functions with > 1 check

    @property
    def length(self) -> int:
        return len(self.lines)

    @property
    def width(self) -> int:
        return max((len(line) for line in self.lines), default=0)


def _is_check(stmt: ast.stmt) -> bool:
    """True for a statement whose job is to validate arguments."""
    if isinstance(stmt, ast.Raise | ast.Assert):
        return True
    if isinstance(stmt, ast.If) and not stmt.orelse:
        return all(isinstance(s, ast.Raise) for s in stmt.body)
    value = getattr(stmt, "value", None)
    if isinstance(stmt, ast.Expr | ast.Assign | ast.AnnAssign) and isinstance(
        value, ast.Call
    ):
        func = value.func
        name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
        return bool(CHECKER.match(name))
    return False


def measure_code(code: str) -> tuple[int, int, list[str]]:
    """(code lines, check lines, functions with more than one check statement)."""
    body = textwrap.dedent(code)
    try:
        tree = ast.parse(body)
    except SyntaxError:
        return 0, 0, []
    skip = {i for a, b in docstring_spans(tree) for i in range(a, b + 1)}
    checks: set[int] = set()
    over = []
    for node in ast.walk(tree):
        if not hasattr(node, "body") or not isinstance(node.body, list):
            continue
        found = [s for s in node.body if isinstance(s, ast.stmt) and _is_check(s)]
        for stmt in found:
            checks.update(range(stmt.lineno, stmt.end_lineno + 1))
        if isinstance(node, ast.FunctionDef) and len(found) > 1:
            over.append(node.name)
    code_lines = [
        i
        for i, line in enumerate(body.split("\n"), 1)
        if line.strip() and not line.strip().startswith("#") and i not in skip
    ]
    return len(code_lines), len(checks & set(code_lines)), over


def page_listings(page: Path) -> list[Listing]:
    text = page.read_text(encoding="utf-8")
    found = []
    for match in FENCE.finditer(text):
        body = match["body"]
        if "--8<--" not in body:
            continue
        line = text.count("\n", 0, match.start()) + 1
        before = text[: match.start()].rstrip().rsplit("\n", 1)[-1]
        exempt = EXEMPT.search(before)
        shown = textwrap.dedent(expand(body)).rstrip("\n").split("\n")
        title = re.search(r'title="([^"]*)"', match["info"])
        listing = Listing(
            page=str(page.relative_to(ROOT)),
            line=line,
            title=title.group(1) if title else "",
            lines=shown,
            sections=[(m["file"], m["section"]) for m in SECTION.finditer(body)],
            exempt=exempt["why"] if exempt else None,
        )
        listing.code_lines, listing.check_lines, listing.over_checked = measure_code(
            "\n".join(shown)
        )
        found.append(listing)
    return found


def helper_boxes(page: Path) -> list[int]:
    """Lines of blocks that import helpers for a listing the page does not explain."""
    text = page.read_text(encoding="utf-8")
    return [
        text.count("\n", 0, m.start()) + 1
        for m in FENCE.finditer(text)
        if m["body"].lstrip().startswith("# The listing")
    ]


def section_totals(listings: list[Listing]) -> tuple[int, int]:
    """(code lines, check lines) over the distinct sections the book includes."""
    seen: dict[tuple[str, str], tuple[int, int]] = {}
    for listing in listings:
        for file, section in listing.sections:
            if (file, section) in seen:
                continue
            code = expand(f'--8<-- "{file}:{section}"')
            code_lines, check_lines, _ = measure_code(code)
            seen[(file, section)] = (code_lines, check_lines)
    return sum(c for c, _ in seen.values()), sum(k for _, k in seen.values())


def chapters() -> list[Path]:
    return sorted(
        p
        for p in (ROOT / "docs").rglob("*.md")
        if "api" not in p.relative_to(ROOT).parts
    )


def main(args: list[str]) -> int:
    pages = [Path(a).resolve() for a in args] or chapters()
    listings = [x for p in pages for x in page_listings(p)]
    for x in listings:
        flags = []
        if x.length > MAX_LINES:
            flags.append("LONG" + (f" (exempt: {x.exempt})" if x.exempt else ""))
        if x.width > MAX_WIDTH:
            flags.append("WIDE")
        if x.over_checked:
            flags.append("checks>1 in " + ", ".join(x.over_checked))
        print(
            f"{x.page}:{x.line:<5} {x.length:4d} lines  width {x.width:3d}  "
            f"checks {x.check_lines:2d}/{x.code_lines:<3d} {x.title}  {' '.join(flags)}"
        )
    boxes = {str(p.relative_to(ROOT)): helper_boxes(p) for p in pages}
    n_boxes = sum(len(v) for v in boxes.values())
    code, checks = section_totals(listings)
    share = checks / code if code else 0.0
    longest = max((x.length for x in listings), default=0)
    print(
        f"\n{len(listings)} listings; longest {longest}"
        f" lines; widest {max((x.width for x in listings), default=0)} columns; "
        f"helper boxes {n_boxes}; check lines {checks} of {code} distinct code lines "
        f"({share:.1%})"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
