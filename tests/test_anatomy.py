"""Every chapter has the book's anatomy, and its neighbours in the nav point at it.

A chapter is a page ``docs/part<N>/<name>.md`` other than a part's ``index.md``. Read
from the pages themselves (Markdown outside fences), the convention is:

- one ``# Title`` on the first line, followed by a ``!!! abstract "In this chapter"``
  box of two to four bullets;
- the sections, as ``##`` headings, in this order: ``The idea``, ``The math`` (``The
  algorithm`` where the chapter teaches an algorithm rather than a formula, as the BPE
  chapter does), ``The code``, ``Try it``, ``Check yourself``, ``Pitfalls`` and, last,
  ``Where this goes next``; a chapter may add its own sections between The idea and
  Pitfalls (``The command line``, ``Real GPT-2 small``);
- ``Where this goes next`` links to the page that follows the chapter in ``nav:`` of
  mkdocs.yml (the next chapter, the part's lab, or the next part's index): insert a
  chapter and the one before it must link to it;
- the part's ``index.md`` table lists every chapter of the part, in the nav's order;
- nothing is left of the scaffold ``make new-chapter`` writes (its ``TODO(new-chapter)``
  marks).

The number of exercises is not checked here.
"""

import posixpath
import re
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
CHAPTERS = sorted(p for p in DOCS.glob("part*/*.md") if p.name != "index.md")
SECTIONS = [
    ("The idea",),
    ("The math", "The algorithm"),
    ("The code",),
    ("Try it",),
    ("Check yourself",),
    ("Pitfalls",),
    ("Where this goes next",),
]
ABSTRACT = '!!! abstract "In this chapter"'
SCAFFOLD_MARK = "TODO(new-chapter)"
LINK = re.compile(r"\]\(([^)\s#]+)(?:#[^)\s]*)?\)")
FENCE = re.compile(r"^\s*(`{3,}|~{3,})")


def prose(text: str) -> list[tuple[int, str]]:
    """The page's lines outside fenced blocks, with their 1-based numbers."""
    out, fence = [], None
    for n, line in enumerate(text.split("\n"), start=1):
        m = FENCE.match(line)
        if fence is None and m:
            fence = m[1]
        elif fence is not None and line.strip().startswith(fence):
            fence = None
        elif fence is None:
            out.append((n, line))
    return out


def nav_pages(config_text: str) -> list[str]:
    """Every page of ``nav:``, in reading order (``part1/neuron.md``, ...)."""

    def walk(entry):
        if isinstance(entry, str):
            yield entry
        elif isinstance(entry, list):
            for item in entry:
                yield from walk(item)
        elif isinstance(entry, dict):
            for value in entry.values():
                yield from walk(value)

    config = yaml.load(config_text, Loader=_Loader)
    return list(walk(config["nav"]))


class _Loader(yaml.SafeLoader):
    """mkdocs.yml has ``!!python/name:`` tags (pymdownx options): read them as text."""


_Loader.add_multi_constructor("tag:yaml.org,2002:python/", lambda *a: None)
_Loader.add_multi_constructor("!", lambda *a: None)


def links(lines: list[str], page: str) -> list[str]:
    """The pages a Markdown text links to, as docs-relative paths, in order."""
    found = []
    for line in lines:
        for target in LINK.findall(line):
            if "://" in target or target.startswith(("mailto:", "/")):
                continue
            found.append(
                posixpath.normpath(posixpath.join(posixpath.dirname(page), target))
            )
    return found


def problems(text: str, page: str, nav: list[str]) -> list[str]:
    """Everything wrong with the anatomy of chapter ``page`` (``part1/neuron.md``)."""
    out = []
    lines = prose(text)
    h1 = [(n, line) for n, line in lines if line.startswith("# ")]
    if not text.startswith("# ") or len(h1) != 1:
        out.append(
            f"{page}: the first line must be the only '# Title' ({len(h1)} found)"
        )
    body = [(n, line) for n, line in lines[1:] if line.strip()]
    if not body or body[0][1].rstrip() != ABSTRACT:
        out.append(f"{page}: the title must be followed by a {ABSTRACT} box")
    else:
        start = body[0][0]
        bullets = 0
        for n, line in lines:
            if n <= start:
                continue
            if line.strip() and not line.startswith("    "):
                break
            bullets += line.startswith("    - ")
        if not 2 <= bullets <= 4:
            out.append(f"{page}: the abstract box has {bullets} bullets, not 2 to 4")
    headings = [(n, line[3:].strip()) for n, line in lines if line.startswith("## ")]
    titles = [t for _, t in headings]
    at = 0
    for names in SECTIONS:
        found = [i for i, t in enumerate(titles) if t in names and i >= at]
        if not found:
            out.append(
                f"{page}: no '## {' or '.join(names)}' section after "
                f"'## {titles[at - 1] if at else '(the abstract)'}' (sections in "
                f"order: {', '.join(n[0] for n in SECTIONS)})"
            )
            continue
        at = found[0] + 1
    if titles and titles[-1] != "Where this goes next":
        out.append(f"{page}: '## Where this goes next' must be the last section")
    if titles and titles[0] != "The idea":
        out.append(
            f"{page}: '## The idea' must be the first section, not {titles[0]!r}"
        )
    if SCAFFOLD_MARK in text:
        n = text[: text.index(SCAFFOLD_MARK)].count("\n") + 1
        out.append(f"{page}:{n}: a {SCAFFOLD_MARK} placeholder of the scaffold is left")
    if page not in nav:
        out.append(f"{page}: not in nav: of mkdocs.yml")
        return out
    following = nav[nav.index(page) + 1] if nav.index(page) + 1 < len(nav) else None
    starts = [n for n, t in headings if t == "Where this goes next"]
    if starts and following is not None:
        section = [line for n, line in lines if n > starts[-1]]
        if following not in links(section, page):
            target = posixpath.relpath(following, posixpath.dirname(page))
            out.append(
                f"{page}: 'Where this goes next' does not link to {following}, the "
                f"page after it in nav: (write a link such as [...]({target}))"
            )
    return out


def index_problems(index_text: str, part: str, nav: list[str]) -> list[str]:
    """The part's index table must list the part's chapters, in the nav's order."""
    rows = [line for _, line in prose(index_text) if line.startswith("|")]
    listed = [p for p in links(rows, f"{part}/index.md") if p.startswith(f"{part}/")]
    expected = [p for p in nav if p.startswith(f"{part}/") and p != f"{part}/index.md"]
    if listed != expected:
        return [
            f"{part}/index.md: its table lists {listed}, but nav: has the chapters "
            f"{expected}; add a row for each chapter, in the nav's order"
        ]
    return []


NAV = nav_pages((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))


def test_there_are_chapters():
    assert len(CHAPTERS) > 20


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: str(p.relative_to(DOCS)))
def test_chapter_has_the_anatomy(path):
    page = str(path.relative_to(DOCS))
    found = problems(path.read_text(encoding="utf-8"), page, NAV)
    assert not found, "\n".join(found)


@pytest.mark.parametrize("part", sorted({p.parent.name for p in CHAPTERS}))
def test_part_index_lists_its_chapters_in_nav_order(part):
    text = (DOCS / part / "index.md").read_text(encoding="utf-8")
    found = index_problems(text, part, NAV)
    assert not found, "\n".join(found)


GOOD = """# A chapter

!!! abstract "In this chapter"
    - one thing;
    - another.

## The idea

```python
# not a heading
print(1)
```

## The math

## The code

## Try it

## An extra section

## Check yourself

## Pitfalls

## Where this goes next

The [next chapter](b.md).
"""
NAV_PROBE = ["part9/index.md", "part9/a.md", "part9/b.md"]


def test_a_good_probe_passes():
    assert problems(GOOD, "part9/a.md", NAV_PROBE) == []


@pytest.mark.parametrize(
    "change, expected",
    [
        (("# A chapter\n", "Intro.\n\n# A chapter\n"), "first line"),
        (('!!! abstract "In this chapter"', "!!! note"), "abstract"),
        (("    - another.\n", ""), "1 bullets"),
        (("## The math\n", ""), "The math or The algorithm"),
        (("## Pitfalls\n", ""), "Pitfalls"),
        (("## Try it\n", ""), "Try it"),
        (("## The idea\n", "## Idea\n"), "The idea"),
        (("The [next chapter](b.md).", "The next chapter."), "does not link to"),
        (("(b.md)", "(../part9/index.md)"), "does not link to"),
        (("The [next", "## Further reading\n\nThe [next"), "must be the last"),
        (
            ("## The code\n", "## The code\n\nTODO(new-chapter): write.\n"),
            "placeholder",
        ),
    ],
)
def test_the_anatomy_check_catches(change, expected):
    old, new = change
    assert old in GOOD
    found = problems(GOOD.replace(old, new, 1), "part9/a.md", NAV_PROBE)
    assert any(expected in p for p in found), found


def test_a_page_missing_from_the_nav_is_reported():
    found = problems(GOOD, "part9/c.md", NAV_PROBE)
    assert any("not in nav" in p for p in found), found


def test_the_index_check_catches_a_missing_or_misplaced_row():
    table = "| chapter |\n|---|\n| [A](a.md) |\n| [B](b.md) |\n"
    assert index_problems(table, "part9", NAV_PROBE) == []
    swapped = "| chapter |\n|---|\n| [B](b.md) |\n| [A](a.md) |\n"
    assert index_problems(swapped, "part9", NAV_PROBE)
    assert index_problems("| [A](a.md) |\n", "part9", NAV_PROBE)


def test_nav_is_read_in_order():
    assert NAV.index("part1/neuron.md") < NAV.index("part1/activations.md")
    assert NAV.index("part2/tiny-gpt.md") + 1 == NAV.index("part3/index.md")


def test_no_scaffold_mark_is_left_anywhere():
    """``make new-chapter`` also writes a row into the part's index.md and the nav: a
    TODO(new-chapter) left there, or on any page, fails too."""
    files = [*sorted(DOCS.rglob("*.md")), ROOT / "mkdocs.yml"]
    left = [
        f"{path.relative_to(ROOT)}:{n}"
        for path in files
        for n, line in enumerate(path.read_text(encoding="utf-8").split("\n"), 1)
        if SCAFFOLD_MARK in line
    ]
    assert not left, f"a {SCAFFOLD_MARK} placeholder of the scaffold is left: {left}"
