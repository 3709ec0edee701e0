"""Cut string literals that run past 88 columns into adjacent literals (a dev aid).

Only strings inside brackets are cut (there the two pieces join implicitly), only at a
space outside any ``{...}`` of an f-string, and only when the line is too long; run
``ruff format`` afterwards. One-line docstrings and comments are left for a person.

Usage: python tools/wrap_strings.py FILE.py [...]
"""

from __future__ import annotations

import io
import re
import sys
import tokenize
from pathlib import Path

LIMIT = 88
PREFIX = re.compile(r"^([rRbBuUfF]*)('''|\"\"\"|'|\")")


def _cut_point(body: str, room: int) -> int | None:
    """The index after the last space of ``body[:room]`` outside braces, or None."""
    depth, best = 0, None
    for i, ch in enumerate(body[:room]):
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth = max(0, depth - 1)
        elif ch == " " and depth == 0 and i > 10:
            best = i + 1
    return best


def wrap_file(path: Path) -> int:
    text = path.read_text(encoding="utf-8")
    lines = text.split("\n")
    cuts = []
    depth = 0
    for tok in tokenize.generate_tokens(io.StringIO(text).readline):
        if tok.type == tokenize.OP and tok.string in "([{":
            depth += 1
        elif tok.type == tokenize.OP and tok.string in ")]}":
            depth -= 1
        elif tok.type == tokenize.STRING and depth > 0:
            (row, col), (erow, ecol) = tok.start, tok.end
            if row != erow or len(lines[row - 1]) <= LIMIT:
                continue
            m = PREFIX.match(tok.string)
            if not m or len(m.group(2)) == 3:
                continue
            prefix, quote = m.groups()
            body = tok.string[len(prefix) + 1 : -1]
            room = LIMIT - col - len(prefix) - 2
            cut = _cut_point(body, room)
            if cut is None or cut >= len(body):
                continue
            cuts.append((row, col, ecol, prefix, quote, body[:cut], body[cut:]))
    for row, col, ecol, prefix, quote, head, tail in reversed(cuts):
        line = lines[row - 1]
        p1 = (
            prefix
            if "f" not in prefix.lower() or "{" in head
            else prefix.replace("f", "").replace("F", "")
        )
        p2 = (
            prefix
            if "f" not in prefix.lower() or "{" in tail
            else prefix.replace("f", "").replace("F", "")
        )
        first = line[:col] + f"{p1}{quote}{head}{quote}"
        second = " " * col + f"{p2}{quote}{tail}{quote}" + line[ecol:]
        lines[row - 1 : row] = [first, second]
    if cuts:
        path.write_text("\n".join(lines), encoding="utf-8")
    return len(cuts)


if __name__ == "__main__":
    total = 0
    for _ in range(4):  # a long string may need several cuts
        n = sum(wrap_file(Path(p)) for p in sys.argv[1:])
        total += n
        if not n:
            break
    print(f"{total} string(s) cut")
