"""Scaffold a chapter: a page with the book's anatomy, its nav entry, its index row.

    make new-chapter PART=1 SLUG=weight-decay TITLE="Weight decay" AFTER=training-loop

writes ``docs/part<PART>/<SLUG>.md`` (every section of the anatomy, each holding a
``TODO(new-chapter)`` mark that tests/test_anatomy.py rejects until you replace it),
adds the page to ``nav:`` in mkdocs.yml after ``part<PART>/<AFTER>.md`` and a row to the
part's index table after that chapter's row. It copies nothing from another chapter. It
then prints what is left to do by hand (CONTRIBUTING.md, "What a new chapter needs").
"""

import argparse
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MARK = "TODO(new-chapter)"

PAGE = """# {title}

!!! abstract "In this chapter"
    - {mark}: what the reader learns first;
    - {mark}: what they learn next.

## The idea

{mark}: the idea in plain words; a figure where a picture beats a paragraph
(`![what it shows](../figures/<name>.svg)`, drawn by `fig_<name>` in docs/figures/).

## The math

{mark}: the formulas in KaTeX, \\(z = x W + b\\), and a table of every array's shape.

| array | shape |
|---|---|
| {mark} | `(batch, features)` |

## The code

{mark}: include the package's code by section, in a fence titled with its file, the
module's `imports` section first (CONTRIBUTING.md, "Including package code on a page").

## Try it

```python
import numpy as np

rng = np.random.default_rng(0)
print(rng.standard_normal(3).round(3))
```

<!--pytest-codeblocks:expected-output-->
```text
[ 0.126 -0.132  0.64 ]
```

## Check yourself

!!! question "Exercise (predict): {mark}"
    {mark}: a number or shape to guess before running, then verify.

??? success "Solution"
    {mark}: why, with a tested `python` block.

!!! question "Exercise (compute): {mark}"
    {mark}: something to work out by hand or in a few lines.

??? success "Solution"
    {mark}: the working, with a tested `python` block.

!!! question "Exercise (implement): {mark}"
    {mark}: a function or a layer's backward to write, checked by
    `check("<name>", your_function)` (a checker in `scratchml/exercises.py`).

??? success "Solution"
    {mark}: the solution, which calls the checker and prints its verdict.

## Pitfalls

- {mark}: a mistake readers make, and how to see it.

## Where this goes next

{mark}: link the page that follows this one in the nav: [next]({next_link}).
"""


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--part", required=True)
    parser.add_argument("--slug", required=True)
    parser.add_argument("--title", required=True)
    parser.add_argument("--after", required=True, help="the chapter before it (slug)")
    a = parser.parse_args(argv)
    if not re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", a.slug or ""):
        parser.error(f"SLUG must be lowercase words joined by '-', got {a.slug!r}")
    part = f"part{a.part}"
    page = ROOT / "docs" / part / f"{a.slug}.md"
    after = f"{part}/{a.after}.md"
    config = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    nav_line = re.search(rf"^(\s*)- .*: {re.escape(after)}\s*$", config, re.M)
    if page.exists():
        parser.error(f"{page.relative_to(ROOT)} exists already")
    if nav_line is None:
        parser.error(f"{after} is not a titled entry of nav: in mkdocs.yml")
    entries = re.findall(r"^\s*- (?:.*: )?(\S+\.(?:md|ipynb))\s*$", config, re.M)
    following = entries[entries.index(after) + 1]
    next_link = (
        Path(following).name if following.startswith(part) else f"../{following}"
    )
    page.write_text(
        PAGE.format(title=a.title, mark=MARK, next_link=next_link), encoding="utf-8"
    )
    special = any(c in a.title for c in ':#"') or a.title[:1] in "!&*[]{}|>'%@`,?-"
    title = f'"{a.title}"' if special else a.title  # quoted only if YAML needs it
    line = f"{nav_line[1]}- {title}: {part}/{a.slug}.md\n"
    end = nav_line.end() + 1
    (ROOT / "mkdocs.yml").write_text(config[:end] + line + config[end:], "utf-8")
    index = ROOT / "docs" / part / "index.md"
    text = index.read_text(encoding="utf-8")
    row = re.search(rf"^\|.*\]\({re.escape(a.after)}\.md\).*\|\s*$", text, re.M)
    if row is not None:
        new_row = f"| [{a.title}]({a.slug}.md) | {MARK}: what you learn | `{MARK}` |\n"
        text = text[: row.end() + 1] + new_row + text[row.end() + 1 :]
        index.write_text(text, encoding="utf-8")
    print(f"wrote {page.relative_to(ROOT)}; nav and {index.relative_to(ROOT)} updated")
    print(
        f"Left to do (CONTRIBUTING.md, 'What a new chapter needs'): replace every "
        f"{MARK}; in docs/{after}, link this page from 'Where this goes next'; "
        "notation.md; for any new public name its API entry, probes and\n"
        "  tests/test_<module>.py; then\n"
        f"  make update-outputs PAGE=docs/{part}/{a.slug}.md\n"
        f"  make check-page PAGE=docs/{part}/{a.slug}.md"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
