"""MkDocs hook: the exercises page lists every exercise of the book, from the pages.

``docs/exercises.md`` holds the line ``<!-- exercise table -->``; this hook replaces it
by one table per part: each chapter's exercises in page order, with their kind (the
word in brackets of the box's title, ``!!! question "Exercise (implement): ..."``) and,
for an implementation exercise, the checker its solution calls
(``check("name", ...)`` from ``scratchml.exercises``). So the page for teachers is
never out of date.
"""

from __future__ import annotations

import re
from pathlib import Path

MARKER = "<!-- exercise table -->"
QUESTION = re.compile(r'^(?P<indent>[ ]*)!!! question "(?P<title>[^"]*)"', re.M)
KIND = re.compile(r"^Exercise(?: \((?P<kind>[\w, -]+)\))?(?::\s*(?P<what>.*))?$")
CHECKER = re.compile(r'check\(\s*"(\w+)"')
PARTS = [
    ("part1", "Part I — Neural networks"),
    ("part2", "Part II — The transformer"),
    ("part3", "Part III — Training the transformer"),
    ("part4", "Part IV — From the tiny GPT to GPT-2"),
]


def exercises(page: Path) -> list[tuple[str, str, list[str]]]:
    """(kind, title, checkers) of each exercise on a page, in order."""
    text = page.read_text(encoding="utf-8")
    found = []
    starts = list(QUESTION.finditer(text))
    for i, m in enumerate(starts):
        end = starts[i + 1].start() if i + 1 < len(starts) else len(text)
        body = text[m.end() : end].split("\n## ", 1)[0]
        parts = KIND.match(m["title"])
        kind = (parts["kind"] if parts else None) or "exercise"
        what = (parts["what"] if parts else m["title"]) or ""
        found.append((kind, what, sorted(set(CHECKER.findall(body)))))
    return found


def _title(page: Path) -> str:
    first = page.read_text(encoding="utf-8").split("\n", 1)[0]
    return first.lstrip("# ").strip()


def table(docs: Path, here: str = "exercises.md") -> str:
    out = []
    for folder, heading in PARTS:
        out += [f"## {heading}", "", "| chapter | kind | exercise | checker |"]
        out += ["|---|---|---|---|"]
        for page in sorted((docs / folder).glob("*.md"), key=_nav_order(docs)):
            if page.name == "index.md":
                continue
            link = f"[{_title(page)}]({page.relative_to(docs).as_posix()})"
            for kind, what, checkers in exercises(page):
                names = ", ".join(f'`check("{c}", ...)`' for c in checkers) or "—"
                out.append(f"| {link} | {kind} | {what or '—'} | {names} |")
                link = ""
        out.append("")
    return "\n".join(out)


def _nav_order(docs: Path):
    config = (docs.parent / "mkdocs.yml").read_text(encoding="utf-8")
    order = {
        name: i for i, name in enumerate(re.findall(r"(part\d/[\w-]+\.md)", config))
    }
    return lambda page: order.get(page.relative_to(docs).as_posix(), 10**6)


def on_page_markdown(markdown, page, config, files):
    if MARKER not in markdown:
        return markdown
    return markdown.replace(MARKER, table(Path(config["docs_dir"])))
