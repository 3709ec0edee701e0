"""MkDocs hook: the exercises page lists every exercise of the book, from the pages.

``docs/exercises.md`` holds the line ``<!-- exercise table -->``; this hook replaces it
by one table per part: each chapter's exercises and then its lab's, in the order of the
nav, with their kind (the word in brackets of the title: ``!!! question "Exercise
(implement): ..."`` on a chapter page, a ``# ### Exercise (predict): ...`` heading in a
lab's ``docs/labs/<name>.py``, its solution after a ``# **Solution.**`` line) and the
checker its solution calls (``check("name", ...)`` from ``scratchml.exercises``). So
the page for teachers is never out of date. ``tests/test_exercises.py`` counts the
same records.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

MARKER = "<!-- exercise table -->"
QUESTION = re.compile(r'^(?P<indent>[ ]*)!!! question "(?P<title>[^"]*)"', re.M)
SOLUTION = re.compile(r'^[ ]*\?\?\?\+? success "Solution"', re.M)
LAB_QUESTION = re.compile(r"^# ### (?P<title>Exercise\b.*)$", re.M)
LAB_SOLUTION = re.compile(r"^# (?:### Solution|\*\*Solution\.\*\*)\s*$", re.M)
LAB_SECTION = re.compile(r"^# ## ", re.M)
KIND = re.compile(r"^Exercise(?: \((?P<kind>[\w, -]+)\))?(?::\s*(?P<what>.*))?$")
CHECKER = re.compile(r'check\(\s*"(\w+)"')
PARTS = [
    ("part1", "Part I — Neural networks"),
    ("part2", "Part II — The transformer"),
    ("part3", "Part III — Training the transformer"),
    ("part4", "Part IV — From the tiny GPT to GPT-2"),
]


@dataclass(frozen=True)
class Found:
    """One exercise as a page states it."""

    kind: str  # "predict", "compute", "implement", or "exercise" if untold
    what: str  # the rest of the title
    checkers: list[str]  # the checker names its solution calls
    solved: bool  # a solution follows it, with code


def exercises(page: Path) -> list[tuple[str, str, list[str]]]:
    """(kind, title, checkers) of each exercise on a page, in order."""
    return [(f.kind, f.what, f.checkers) for f in found(page)]


def found(page: Path) -> list[Found]:
    """Every exercise of a chapter page (``.md``) or a lab (``docs/labs/<name>.py``)."""
    text = page.read_text(encoding="utf-8")
    lab = page.suffix == ".py"
    starts = list((LAB_QUESTION if lab else QUESTION).finditer(text))
    out = []
    for i, m in enumerate(starts):
        end = starts[i + 1].start() if i + 1 < len(starts) else len(text)
        body = text[m.end() : end]
        body = (LAB_SECTION.split(body)[0]) if lab else body.split("\n## ", 1)[0]
        parts = KIND.match(m["title"].strip())
        solution = (LAB_SOLUTION if lab else SOLUTION).search(body)
        code = solution and ("\n# %%\n" if lab else "```python\n") in (
            body[solution.end() :] + "\n"
        )
        out.append(
            Found(
                kind=(parts["kind"] if parts else None) or "exercise",
                what=((parts["what"] if parts else m["title"]) or "").strip(),
                checkers=sorted(set(CHECKER.findall(body))),
                solved=bool(code),
            )
        )
    return out


def _title(page: Path) -> str:
    text = page.read_text(encoding="utf-8")
    if page.suffix == ".py":  # a lab: its first Markdown heading, "# # Lab: ..."
        return re.search(r"^# # (.+)$", text, re.M)[1].strip()
    return text.split("\n", 1)[0].lstrip("# ").strip()


def nav_pages(docs: Path) -> dict[str, list[Path]]:
    """Each part's chapters and labs in the order of the nav; a lab belongs to the part
    of the chapter before it. Labs are read from their ``.py`` source."""
    config = (docs.parent / "mkdocs.yml").read_text(encoding="utf-8")
    parts: dict[str, list[Path]] = {folder: [] for folder, _ in PARTS}
    current = None
    for entry in re.findall(r"((?:part\d|labs)/[\w-]+\.(?:md|ipynb))", config):
        folder, name = entry.split("/")
        if folder in parts:
            current = folder
            if name != "index.md":
                parts[folder].append(docs / entry)
        elif current is not None:  # a lab
            parts[current].append(docs / "labs" / (Path(name).stem + ".py"))
    return parts


def table(docs: Path, here: str = "exercises.md") -> str:
    out = []
    pages = nav_pages(docs)
    for folder, heading in PARTS:
        out += [f"## {heading}", "", "| chapter or lab | kind | exercise | checker |"]
        out += ["|---|---|---|---|"]
        for page in pages[folder]:
            target = page.with_suffix(".ipynb") if page.suffix == ".py" else page
            link = f"[{_title(page)}]({target.relative_to(docs).as_posix()})"
            for ex in found(page):
                names = ", ".join(f'`check("{c}", ...)`' for c in ex.checkers) or "—"
                out.append(f"| {link} | {ex.kind} | {ex.what or '—'} | {names} |")
                link = ""
        out.append("")
    return "\n".join(out)


def on_page_markdown(markdown, page, config, files):
    if MARKER not in markdown:
        return markdown
    return markdown.replace(MARKER, table(Path(config["docs_dir"])))
