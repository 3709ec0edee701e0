"""Read a built page the way a reader copies it; paste its Python blocks into a fresh
interpreter (promise 2 of the book). Used by tests/test_copy_paste.py (and its mutation
test) and by tools/check_page.py.

**What the copy button copies.** Material's clipboard integration takes the
``innerText`` of the block's ``<code>`` element, with annotation markers
(``.md-annotation``) hidden while it copies, and trims trailing whitespace. Line
numbers, where a block has them, live outside ``<code>`` or are drawn by CSS from an
attribute, so they are never part of the text. This module reproduces that from the
static HTML: the text inside ``<code>``, minus every element of class
``md-annotation`` or ``linenos``, with the end trimmed.

**Which blocks a reader pastes.** Every Python block of the page, top to bottom,
listings included, except an *excerpt*: a block whose title starts with ``excerpt of``
(lines cut out of a function body, which cannot run on their own; the reader sees that
title). The signatures of the API reference (mkdocstrings' ``doc-signature`` blocks,
under a heading naming the function or class) are not examples either: they show how to
call a name, with its parameters' annotations, and are not pasted.

**Which output belongs to a block.** The ``text`` block right after it, when the page
marks it with ``<!--pytest-codeblocks:expected-output-->`` (the comment stays in the
HTML). A block without one must print nothing. A bare expression statement whose value a
console would echo (not None) is reported too: print it and show the output, or assign
it.
"""

from __future__ import annotations

import difflib
import html as html_lib
import json
import os
import re
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

# The two settings every page is pasted under (tests/test_copy_paste.py), and every
# page's blocks run under in tools/check_page.py: both change the last bits of float
# products.
BLAS_CONFIGS = {
    "1-thread": {
        "OPENBLAS_NUM_THREADS": "1",
        "OMP_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
    },
    "2-threads-sandybridge": {
        "OPENBLAS_NUM_THREADS": "2",
        "OMP_NUM_THREADS": "2",
        "MKL_NUM_THREADS": "2",
        "OPENBLAS_CORETYPE": "Sandybridge",
    },
}

EXPECTED_MARK = "pytest-codeblocks:expected-output"
EXCERPT_PREFIX = "excerpt of "
HIDDEN_WHEN_COPYING = {"md-annotation", "linenos"}


@dataclass
class Block:
    lang: str
    title: str
    code: str  # what the copy button copies
    expected: str | None = None  # the output block shown under it, if any

    @property
    def excerpt(self) -> bool:
        return self.title.startswith(EXCERPT_PREFIX)


@dataclass
class _Parse(HTMLParser):
    events: list = field(default_factory=list)  # Block or ("comment", text)

    def __post_init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self._div_depth = 0  # depth inside the current highlight div (0: outside)
        self._block: Block | None = None
        self._in_title = False
        self._in_code = False
        self._hidden = 0  # depth inside an element hidden from the clipboard
        self._stack: list[str] = []

    def handle_starttag(self, tag, attrs):
        classes = set((dict(attrs).get("class") or "").split())
        if self._block is None:
            if tag == "div" and "highlight" in classes:
                lang = next((c[9:] for c in classes if c.startswith("language-")), "")
                if "doc-signature" in classes:
                    lang = "signature"  # an API reference signature: read, not pasted
                self._block, self._div_depth = Block(lang, "", ""), 1
            return
        if tag == "div":
            self._div_depth += 1
        if tag in {"br", "img", "input", "wbr"}:
            return  # void elements have no end tag
        self._stack.append(tag)
        if self._hidden or classes & HIDDEN_WHEN_COPYING:
            self._hidden += 1
        elif tag == "span" and "filename" in classes:
            self._in_title = True
        elif tag == "code":
            self._in_code = True

    def handle_endtag(self, tag):
        if self._block is None:
            return
        if tag == "div":
            self._div_depth -= 1
            if self._div_depth == 0:
                self._block.code = self._block.code.rstrip()
                self.events.append(self._block)
                self._block = None
                return
        if self._stack and self._stack[-1] == tag:
            self._stack.pop()
            if self._hidden:
                self._hidden -= 1
            elif tag == "span":
                self._in_title = False
            elif tag == "code":
                self._in_code = False

    def handle_data(self, data):
        if self._block is None or self._hidden:
            return
        if self._in_title:
            self._block.title += data
        elif self._in_code:
            self._block.code += data

    def handle_comment(self, data):
        if self._block is None:
            self.events.append(("comment", data.strip()))


def page_blocks(html: str) -> list[Block]:
    """Every code block of a built page, in order, each Python block with its output."""
    parser = _Parse()
    parser.feed(html)
    blocks: list[Block] = []
    marked = False
    for event in parser.events:
        if isinstance(event, tuple):
            marked = marked or event[1] == EXPECTED_MARK
            continue
        if marked and event.lang == "text" and blocks and blocks[-1].lang == "python":
            blocks[-1].expected = event.code
        else:
            blocks.append(event)
        marked = False
    return blocks


_LAB_CELL = re.compile(r'<div class="jp-Cell (jp-\w+Cell) jp-Notebook-cell" id=')
_LAB_CODE = re.compile(
    r'<div class="clipboard-copy-txt" id="cell-\d+">(.*?)</div>', re.S
)
_LAB_TEXT = re.compile(
    r'<div class="jp-RenderedText jp-OutputArea-output" '
    r'data-mime-type="text/plain"[^>]*>'
    r"\s*<pre>(.*?)</pre>",
    re.S,
)


def lab_blocks(html: str) -> list[Block]:
    """Every code cell of a built lab page, as its copy button copies it, with output.

    A lab's copy button copies the cell's hidden ``clipboard-copy-txt`` text; the output
    a reader sees is the cell's plain-text outputs, in order (plots and stderr progress
    lines are not compared).
    """
    cells = _LAB_CELL.split(html)[1:]  # kind, body, kind, body, ...
    blocks = []
    for kind, body in zip(cells[::2], cells[1::2], strict=True):
        code = _LAB_CODE.search(body) if kind == "jp-CodeCell" else None
        if code is None:
            continue
        outputs = [
            html_lib.unescape(re.sub(r"<[^>]+>", "", t))
            for t in _LAB_TEXT.findall(body)
        ]
        expected = "".join(outputs) or None
        blocks.append(
            Block("python", "", html_lib.unescape(code.group(1)).rstrip(), expected)
        )
    return blocks


def pasted(blocks: list[Block]) -> list[Block]:
    """The blocks a reader copies and pastes: every Python block except excerpts."""
    return [b for b in blocks if b.lang == "python" and not b.excerpt]


# Runs in the fresh interpreter: one namespace, one block after another, as a reader
# pastes. Each top-level statement runs on its own, as in an interactive console; a bare
# expression whose value is not None (a console would echo it, unasked) is reported with
# that value. A listing defines functions that the page may never call (it imports the
# package's own copy to run its examples), so a missing import would only strike when
# the reader calls one: after a listing is pasted, every global name its functions and
# classes use must already be defined (symtable lists them exactly as the compiler
# resolves them). What a plotting call returns (matplotlib objects, echoed beside a
# lab's plot) is not reported.
DRIVER = r"""
import ast, builtins, contextlib, io, json, symtable, sys, traceback


def unresolved(code, namespace):
    missing, scopes = set(), symtable.symtable(code, "<listing>", "exec").get_children()
    while scopes:
        scope = scopes.pop()
        scopes += scope.get_children()
        for symbol in scope.get_symbols():
            name = symbol.get_name()
            used = symbol.is_global() and symbol.is_referenced()
            if used and not symbol.is_assigned():
                if name not in namespace and not hasattr(builtins, name):
                    missing.add(name)
    return sorted(missing)


def drawing(value):
    # What a plotting call returns (a Line2D, a list of them, a Text): matplotlib's own
    # bookkeeping, which a console echoes beside the plot; the labs' plots are not
    # outputs.
    items = value if isinstance(value, (list, tuple)) and value else [value]
    return all(type(v).__module__.startswith("matplotlib") for v in items)


blocks = json.loads(open(sys.argv[1], encoding="utf-8").read())
namespace = {"__name__": "__main__"}
results = []
for n, block in enumerate(blocks):
    code, out, echoes, name = block["code"], io.StringIO(), [], f"<block {n + 1}>"
    try:
        with contextlib.redirect_stdout(out):
            for node in ast.parse(code, name).body:
                if isinstance(node, ast.Expr):
                    expression = compile(ast.Expression(node.value), name, "eval")
                    value = eval(expression, namespace)
                    if value is not None and not drawing(value):
                        echoes.append(f"line {node.lineno}: {ast.unparse(node)[:60]}")
                else:
                    module = ast.Module([node], type_ignores=[])
                    exec(compile(module, name, "exec"), namespace)
        missing = unresolved(code, namespace) if block["listing"] else []
        if missing:
            raise NameError(
                f"the listing uses {', '.join(missing)}, which nothing pasted so far "
                "defines: calling what it defines would raise NameError"
            )
    except BaseException:
        error = traceback.format_exc(limit=-3)
        results.append({"out": out.getvalue(), "echoes": echoes, "error": error})
        break
    results.append({"out": out.getvalue(), "echoes": echoes, "error": None})
json.dump(results, open(sys.argv[2], "w", encoding="utf-8"))
"""


def paste_into_fresh_python(
    blocks: list[Block], env: dict, timeout: float = 600
) -> list[dict]:
    """Run ``blocks`` in order in one new interpreter (cwd: an empty temporary dir)."""
    codes = [
        {"code": b.code, "listing": b.title.startswith("scratchml/")} for b in blocks
    ]
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp) / "cwd"
        work.mkdir()
        (Path(tmp) / "blocks.json").write_text(json.dumps(codes), encoding="utf-8")
        (Path(tmp) / "driver.py").write_text(DRIVER, encoding="utf-8")
        proc = subprocess.run(
            [
                sys.executable,
                str(Path(tmp) / "driver.py"),
                "../blocks.json",
                "../results.json",
            ],
            cwd=work,
            env=env,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        results_file = Path(tmp) / "results.json"
        if proc.returncode != 0 or not results_file.exists():
            raise RuntimeError(
                f"the interpreter crashed (exit {proc.returncode}):\n{proc.stderr}"
            )
        return json.loads(results_file.read_text(encoding="utf-8"))


def selected_pages() -> set[str] | None:
    """The pages named by ``SCRATCHML_PAGES`` (``part1/neuron.md``, ``docs/`` optional,
    separated by commas or spaces), or None when it is unset: then every page is tested.

    ``tools/check_page.py`` sets it to test one page; ``make test`` never does.
    """
    value = os.environ.get("SCRATCHML_PAGES", "").replace(",", " ").split()
    if not value:
        return None
    return {v.removeprefix("docs/").removeprefix("./docs/") for v in value}


_FENCE = re.compile(r"^\s*(`{3,})(python\b.*)$")


def source_lines(markdown: str) -> list[int]:
    """The line on the page's Markdown of each block ``pasted`` reads from its HTML.

    The pasted blocks are the page's ``python`` fences (run ones, listings, display-only
    ones) but the excerpts, in order; a ``text`` or ``console`` fence around a Python
    example (````markdown in this guide, say) is skipped whole.
    """
    lines, found, i = markdown.split("\n"), [], 0
    while i < len(lines):
        m = re.match(r"^\s*(`{3,}|~{3,})(.*)$", lines[i])
        if m is None:
            i += 1
            continue
        info = m[2].strip()
        if _FENCE.match(lines[i]) and 'title="excerpt of ' not in info:
            found.append(i + 1)
        j = i + 1
        while j < len(lines) and not lines[j].strip().startswith(m[1]):
            j += 1
        i = j + 1
    return found


def _diff(shown: str, printed: str) -> str:
    lines = difflib.unified_diff(
        shown.split("\n") if shown else [],
        printed.split("\n") if printed else [],
        "on the page",
        "printed",
        n=max(shown.count("\n"), printed.count("\n")) + 1,
        lineterm="",
    )
    return "\n".join(lines)


def problems(
    name: str, blocks: list[Block], results: list[dict], lines: list[int] | None = None
) -> list[str]:
    """What differs between the page and what the pasted blocks did.

    ``lines`` (from ``source_lines``, when it found as many blocks) gives each block's
    line on the page, so a message says where to look.
    """
    found = []
    if lines is not None and len(lines) != len(blocks):
        lines = None
    for n, (block, result) in enumerate(zip(blocks, results, strict=False), start=1):
        where = f"{name}, pasted block {n}"
        if lines is not None:
            where = f"{name}, block at line {lines[n - 1]} (pasted block {n})"
        where += f" ({block.title})" if block.title else ""
        first = block.code.strip().split("\n")[0][:70]
        if result["error"]:
            found.append(f"{where}, starting {first!r}, raised:\n{result['error']}")
            break
        shown = (block.expected or "").rstrip("\n")
        printed = result["out"].rstrip("\n")
        if printed != shown:
            hint = (
                " (the page shows no output: show it under an expected-output marker)"
                if block.expected is None
                else ""
            )
            found.append(
                f"{where}, starting {first!r}: printed output differs from the page"
                f"{hint}\n{_diff(shown, printed)}"
            )
        for echo in result["echoes"]:
            found.append(
                f"{where}, starting {first!r}: a bare expression whose value an "
                "interactive "
                f"session would echo ({echo}); print it and show the output, or assign "
                "it"
            )
    return found
