"""Tidy what an 88-column reformat leaves behind in comments and docstrings (a dev aid).

Two repairs, both safe to run again and again:

1. A trailing comment on a closing bracket (``)  # (batch, d)``), left there when a
   formatter split a statement because of its comment, moves to its own line above the
   line that opened the bracket; ``ruff format`` then joins the statement again.
2. A paragraph of a comment block or a docstring with a stray short line in its middle
   (one long line wrapped alone) is reflowed to 88 columns as a whole. Lists, numpy
   section headers, parameter lines, tables and code are left as they are.

Usage: python tools/tidy_comments.py FILE.py [...]   then ruff format the files.
"""

from __future__ import annotations

import ast
import io
import re
import sys
import textwrap
import tokenize
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from hooks.listings import docstring_spans  # noqa: E402

WIDTH = 88
SPECIAL = re.compile(
    r"^(\s*)([-*+] |\d+[.)] |>>>|\.\.\.|\||[A-Z][A-Za-z ]+$|-{3,}|={3,}|\w[\w, *]* : |"
    r"--8<--|noqa|type:|fmt:)"
)


def hoist_trailing_comments(text: str) -> str:
    lines = text.split("\n")
    opened: list[int] = []
    moves = []  # (opening line, closing line, comment)
    tokens = list(tokenize.generate_tokens(io.StringIO(text).readline))
    for i, tok in enumerate(tokens):
        if tok.type == tokenize.OP and tok.string in "([{":
            opened.append(tok.start[0])
        elif tok.type == tokenize.OP and tok.string in ")]}":
            start = opened.pop() if opened else tok.start[0]
            row = tok.start[0]
            if start == row or lines[row - 1][: tok.start[1]].strip():
                continue  # the bracket does not begin its line
            rest = tokens[i + 1 : i + 3]
            rest = [t for t in rest if not (t.type == tokenize.OP and t.string == ",")]
            if rest and rest[0].type == tokenize.COMMENT and rest[0].start[0] == row:
                moves.append((start, row, rest[0]))
    for start, row, comment in sorted(moves, key=lambda m: -m[1]):
        line = lines[row - 1]
        lines[row - 1] = line[: comment.start[1]].rstrip()
        indent = re.match(r"\s*", lines[start - 1]).group(0)
        lines.insert(start - 1, indent + comment.string)
    return "\n".join(lines)


def _reflow(block: list[str], prefix: str) -> list[str]:
    """Reflow one paragraph if a line in its middle is stray (short)."""
    if len(block) < 3:
        return block
    bodies = [line[len(prefix) :] for line in block]
    stray = any(len(b) < 0.55 * (WIDTH - len(prefix)) for b in bodies[:-1])
    if not stray:
        return block
    return textwrap.wrap(
        " ".join(b.strip() for b in bodies),
        width=WIDTH,
        initial_indent=prefix,
        subsequent_indent=prefix,
        break_long_words=False,
        break_on_hyphens=False,
    )


def _paragraphs(lines: list[str], rows: list[int], prefix_of) -> list[str]:
    """Reflow the paragraphs found among ``lines[rows]`` (consecutive, one prefix)."""
    out = list(lines)
    groups: list[list[int]] = []
    for r in rows:
        p = prefix_of(lines[r])
        body = lines[r][len(p) :] if p is not None else ""
        if p is None or not body.strip() or SPECIAL.match(body):
            groups.append([])
            continue
        if groups and groups[-1] and r == groups[-1][-1] + 1:
            if prefix_of(lines[groups[-1][-1]]) == p:
                groups[-1].append(r)
                continue
        groups.append([r])
    for group in sorted((g for g in groups if g), key=lambda g: -g[0]):
        prefix = prefix_of(lines[group[0]])
        new = _reflow([lines[r] for r in group], prefix)
        out[group[0] : group[-1] + 1] = new
    return out


def reflow_paragraphs(text: str) -> str:
    lines = text.split("\n")
    comment_rows = []
    for tok in tokenize.generate_tokens(io.StringIO(text).readline):
        if (
            tok.type == tokenize.COMMENT
            and not lines[tok.start[0] - 1][: tok.start[1]].strip()
        ):
            comment_rows.append(tok.start[0] - 1)

    def comment_prefix(line: str):
        m = re.match(r"(\s*# )", line)
        return m.group(1) if m else None

    lines = _paragraphs(lines, comment_rows, comment_prefix)
    text = "\n".join(lines)
    tree = ast.parse(text)
    lines = text.split("\n")
    for first, last in sorted(docstring_spans(tree), reverse=True):
        rows = list(range(first, last - 1))  # inner lines: not the opening or closing

        def doc_prefix(line: str):
            if '"""' in line or "'''" in line:
                return None
            return re.match(r"\s*", line).group(0)

        lines = _paragraphs(lines, rows, doc_prefix)
    return "\n".join(lines)


def tidy(text: str) -> str:
    return reflow_paragraphs(hoist_trailing_comments(text))


if __name__ == "__main__":
    changed = 0
    for name in sys.argv[1:]:
        path = Path(name)
        old = path.read_text(encoding="utf-8")
        new = tidy(old)
        if new != old:
            path.write_text(new, encoding="utf-8")
            changed += 1
    print(f"{changed} file(s) tidied")
