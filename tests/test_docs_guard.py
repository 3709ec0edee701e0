"""Guard: no code block in the book is silently left untested.

pytest collects a fence only when its info string is exactly ``python`` (see
conftest.py). Anything that looks like Python but is spelt differently (``py``,
``pycon``, a ``~~~`` fence, a fence with attributes such as ``title="..."``) would be
shown on the site and never run. This test fails on every such fence unless it is

- a *listing*: ``title="scratchml/..."`` and nothing inside but ``--8<--`` include lines
  (the package's own tests cover that code; tests/test_copy_paste.py pastes it from the
  built page). A listing must stand alone: once expanded it holds only imports and whole
  definitions, and its module's ``imports`` section comes first on the page (in it or in
  an earlier listing of that module). Lines cut out of a function body are an *excerpt*,
  titled ``excerpt of <name>() in scratchml/<module>.py``, and methods shown without
  their class are titled ``excerpt of class <Name> in scratchml/<module>.py`` (pasted
  alone, a method would define a stray function, not change the class); the copy-paste
  test skips excerpts, by that title, or
- explicitly marked with ``<!-- display-only -->`` on the line before it.

It also rejects shell fences (pytest-codeblocks would execute them: show commands as
``console``), ``cont`` markers (a page already is one session; ``cont`` silently
attaches to whatever fence came before, even a ``text`` one), and expected outputs that
do not follow a ``python`` block.
"""

import ast
import re
import textwrap
from dataclasses import dataclass
from pathlib import Path

import pytest
from _helpers import load_module

ROOT = Path(__file__).resolve().parents[1]
PAGES = sorted(p for p in (ROOT / "docs").rglob("*.md") if "vendor" not in p.parts)
PYTHONISH = {"python", "py", "python3", "pycon", "ipython", "pyodide"}
SHELLS = {"sh", "bash", "zsh", "shell"}
DISPLAY_ONLY = "<!-- display-only -->"
FENCE = re.compile(r"^(?P<indent>\s*)(?P<fence>`{3,}|~{3,})(?P<info>.*)$")
LISTING = re.compile(r'^python title="(?P<module>scratchml/\w+\.py)"$')
EXCERPT = re.compile(
    r'^python title="excerpt of (\w+(\.\w+)*\(\)|class \w+|classes \w+ and \w+) '
    r'in (?P<module>scratchml/\w+\.py)"$'
)
STANDALONE = (ast.Import, ast.ImportFrom, ast.FunctionDef, ast.ClassDef, ast.Assign)
SECTION = re.compile(r'--8<-- "(?P<module>[^":]+):(?P<section>[^"]+)"')


@dataclass
class Fence:
    lineno: int
    fence: str
    info: str
    body: list[str]
    before: str  # the closest non-blank line above the fence

    @property
    def lang(self) -> str:
        return self.info.strip().split(" ")[0].lstrip("{.").rstrip("}").lower()


def fences(text: str) -> list[Fence]:
    """Every fenced block of a page, with its info string and the line just above it."""
    lines = text.split("\n")
    found, i, last_text = [], 0, ""
    while i < len(lines):
        m = FENCE.match(lines[i])
        if m is None:
            if lines[i].strip():
                last_text = lines[i].strip()
            i += 1
            continue
        mark, body, j = m["fence"], [], i + 1
        while j < len(lines) and not lines[j].strip().startswith(mark):
            body.append(lines[j])
            j += 1
        found.append(Fence(i + 1, mark, m["info"].strip(), body, last_text))
        last_text, i = mark, j + 1
    return found


def problems(text: str, name: str) -> list[str]:
    """Everything wrong with the fences of one page's ``text`` (``name`` is for
    messages)."""
    out = []
    previous: Fence | None = None
    imported: set[str] = set()  # modules whose imports section the page has shown
    for f in fences(text):
        where = f"{name}:{f.lineno}"
        exact = f.fence.startswith("`") and f.info == "python"
        marked = f.before == DISPLAY_ONLY
        only_includes = all("--8<--" in line for line in f.body if line.strip())
        listing = bool(LISTING.match(f.info) or EXCERPT.match(f.info)) and only_includes
        if listing and LISTING.match(f.info):
            out += listing_problems(f, where, imported)
        if f.lang in PYTHONISH and not exact and not (marked or listing):
            out.append(
                f"{where}: fence {f.fence}{f.info!r} is shown but never run; make it "
                f"exactly ```python, or put {DISPLAY_ONLY} on the line above it"
            )
        if exact and marked:
            out.append(
                f"{where}: marked display-only but ```python runs; use ```python "
                "title=..."
            )
        if f.lang in SHELLS:
            out.append(
                f"{where}: ```{f.lang} blocks are executed by pytest-codeblocks; use "
                "console"
            )
        if "pytest-codeblocks:expected-output" in f.before:
            if f.lang != "text":
                out.append(f"{where}: an expected output must be a ```text fence")
            if previous is None or not (
                previous.fence.startswith("`") and previous.info == "python"
            ):
                out.append(f"{where}: an expected output must follow a ```python block")
        previous = f
    for n, line in enumerate(text.split("\n"), start=1):
        if "pytest-codeblocks:cont" in line:
            out.append(
                f"{name}:{n}: 'cont' is not used in this book: the blocks of a "
                "page already run as one session"
            )
        if "pytest.mark.skip" in line and "reason=" not in line:
            out.append(f"{name}:{n}: a skipped block must give reason='...'")
    # Cross-check with the collector pytest actually uses: it must see the same python
    # blocks.
    parsed = load_module("conftest.py").parse_page(text)
    collected = [b.lineno for b in parsed if b.syntax == "python"]
    ours = [
        f.lineno for f in fences(text) if f.fence.startswith("`") and f.info == "python"
    ]
    if collected != ours:
        out.append(
            f"{name}: pytest collects python blocks at {collected}, the guard sees "
            f"{ours}"
        )
    return out


def _indented(module: str, section: str) -> bool:
    """Whether a section starts with an indented ``def``: a method, shown without its
    class."""
    lines = (ROOT / module).read_text(encoding="utf-8").split("\n")
    start = next(i for i, line in enumerate(lines) if f"[start:{section}]" in line)
    first = next(line for line in lines[start + 1 :] if line.strip())
    return first.startswith((" ", "\t")) and first.lstrip().startswith(("def ", "@"))


def listing_problems(f: Fence, where: str, imported: set[str]) -> list[str]:
    """A listing a reader pastes must run: whole definitions, its imports shown
    first."""
    module = LISTING.match(f.info)["module"]
    includes = [SECTION.search(line) for line in f.body if line.strip()]
    if any(m is None or m["module"] != module for m in includes):
        return [
            f"{where}: a listing titled {module} may include only {module}'s sections"
        ]
    if "imports" in [m["section"] for m in includes]:
        imported.add(module)
    elif module not in imported:
        return [
            f'{where}: pasting this listing fails: show --8<-- "{module}:imports" '
            "first "
            "(in this listing, or an earlier one of the same module)"
        ]
    methods = [m["section"] for m in includes if _indented(module, m["section"])]
    if methods:
        return [
            f"{where}: this listing shows {', '.join(methods)} without its class "
            "(pasted, it "
            'would define a stray function): title it "excerpt of class <Name> in '
            f'{module}"'
        ]
    code = load_module("conftest.py").expand_snippets(
        textwrap.dedent("\n".join(f.body))
    )
    try:
        nodes = ast.parse(code).body
    except SyntaxError:
        nodes = [None]
    if not all(isinstance(node, STANDALONE) for node in nodes):
        return [
            f"{where}: this listing cannot stand alone (not only imports and whole "
            f'definitions): title it "excerpt of <name>() in {module}", or show the '
            "whole "
            "function"
        ]
    return []


def test_pages_exist():
    assert len(PAGES) >= 2


@pytest.mark.parametrize("path", PAGES, ids=lambda p: str(p.relative_to(ROOT / "docs")))
def test_no_python_fence_is_silently_skipped(path):
    found = problems(path.read_text(encoding="utf-8"), str(path.relative_to(ROOT)))
    assert not found, "\n".join(found)


@pytest.mark.parametrize(
    "page, expected",
    [
        ('```python title="x.py"\nprint(1)\n```\n', "never run"),
        ("```py\nprint(1)\n```\n", "never run"),
        ("```pycon\n>>> 1\n```\n", "never run"),
        ("~~~python\nprint(1)\n~~~\n", "never run"),
        ('```python hl_lines="1"\nprint(1)\n```\n', "never run"),
        ("```bash\nls\n```\n", "use console"),
        (
            "```python\nx = "
            "1\n```\n\n<!--pytest-codeblocks:cont-->\n```python\nx\n```\n",
            "one session",
        ),
        (
            "```console\n$ "
            "ls\n```\n<!--pytest-codeblocks:expected-output-->\n```text\nx\n```\n",
            "follow",
        ),
        ("<!-- display-only -->\n```python\nprint(1)\n```\n", "runs"),
        ("<!--pytest.mark.skip-->\n```python\nprint(1)\n```\n", "reason"),
        (
            '```python title="scratchml/neuron.py"\n--8<-- '
            '"scratchml/neuron.py:fires"\n```\n',
            "first",
        ),
        (
            '```python title="scratchml/supervised.py"\n--8<-- '
            '"scratchml/supervised.py:imports"\n'
            '--8<-- "scratchml/supervised.py:fit_loop"\n```\n',
            "stand alone",
        ),
        (
            '```python title="scratchml/neuron.py"\n'
            '--8<-- "scratchml/activations.py:imports"\n```\n',
            "only",
        ),
        (
            '```python title="scratchml/layers.py"\n--8<-- '
            '"scratchml/layers.py:imports"\n'
            '--8<-- "scratchml/layers.py:dense_backward"\n```\n',
            "without its class",
        ),
        (
            '```python title="part of fit"\n--8<-- '
            '"scratchml/supervised.py:fit_loop"\n```\n',
            "never run",
        ),
    ],
)
def test_guard_catches(page, expected):
    """The guard itself is tested: each way of hiding a block from pytest is
    reported."""
    found = problems(page, "probe.md")
    assert any(expected in p for p in found), found


@pytest.mark.parametrize(
    "page",
    [
        '```python title="scratchml/neuron.py"\n--8<-- '
        '"scratchml/neuron.py:imports"\n\n'
        '--8<-- "scratchml/neuron.py:fires"\n```\n',
        '```python title="excerpt of fit() in scratchml/supervised.py"\n'
        '--8<-- "scratchml/supervised.py:fit_loop"\n```\n',
        '```python title="excerpt of class Dense in scratchml/layers.py"\n'
        '--8<-- "scratchml/layers.py:dense_backward"\n```\n',
        '<!-- display-only -->\n```python title="train.py"\nfor step in range(10**9): '
        "...\n```\n",
        "```python\nprint(1)\n```\n\n<!--pytest-codeblocks:expected-output-->\n```text\n1\n```\n",
        "```console\n$ make test\n```\n",
    ],
)
def test_guard_accepts(page):
    assert problems(page, "probe.md") == []
