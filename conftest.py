"""Run the book's code blocks as tests, exactly as the site shows them.

Every page under ``docs/`` becomes a pytest file, and every ```` ```python ```` fence on
it a test item. Two things differ from plain pytest-codeblocks, on purpose:

1. ``--8<--`` snippet lines are expanded first, by pymdownx's own snippet preprocessor
   with the settings read from ``mkdocs.yml``, so the test runs the text the reader
   sees.
2. A page is one Python session: its blocks run in order in one namespace, as they would
   for a reader who pastes them one by one into a fresh interpreter (promise 2 of the
   book). Selecting a single block with ``-k`` first replays the blocks above it.

The fences are parsed by pytest-codeblocks' own parser, so its markers keep their
meaning: ``<!--pytest-codeblocks:expected-output-->`` before a ```` ```text ```` fence
holds the exact output of the block above it, ``<!--pytest.mark.skip-->`` skips a block.
"""

from __future__ import annotations

import contextlib
import difflib
import io
import json
import os
import re
import sys
import traceback
from pathlib import Path

import pytest
from pytest_codeblocks.main import extract_from_buffer

from hooks import listings as _listings

os.environ.setdefault("MPLBACKEND", "Agg")  # pages and figures draw without a screen

ROOT = Path(__file__).resolve().parent
DOCS = ROOT / "docs"


def snippet_processor():
    """pymdownx.snippets configured as in mkdocs.yml, with paths made absolute."""
    return _listings.snippet_processor(str(ROOT / "mkdocs.yml"))


def expand_snippets(code: str) -> str:
    """Replace every ``--8<--`` line in ``code`` by the text the page shows for it.

    That is the included code with its docstrings cut to their summary, exactly as
    ``hooks/listings.py`` expands it on the site.
    """
    return _listings.expand(code, snippet_processor())


def parse_page(text: str) -> list:
    """The fenced blocks of a page, parsed by pytest-codeblocks.

    Its parser drops blank lines inside an indented fence (an exercise solution inside
    an admonition, say); padding blank lines with spaces before parsing, and removing
    the padding after, keeps them.
    """
    padded = re.sub(r"^$", " " * 64, text, flags=re.M)
    blocks = extract_from_buffer(io.StringIO(padded))
    for block in blocks:
        block.code = re.sub(r"^[ ]+$", "", block.code, flags=re.M)
        if block.expected_output is not None:
            block.expected_output = re.sub(
                r"^[ ]+$", "", block.expected_output, flags=re.M
            )
    return blocks


class PageSession:
    """The namespace one page's blocks share, and how far it has been run."""

    def __init__(self, path: Path, blocks: list) -> None:
        self.path = path
        self.blocks = blocks
        self.namespace: dict = {}
        self.done = 0  # blocks [0, done) have run
        self.failed_at: int | None = None

    def run_through(self, index: int) -> str:
        """Run blocks through ``index``; return what block ``index`` printed."""
        if self.failed_at is not None and self.failed_at < index:
            pytest.fail(
                f"{block_name(self.path, self.blocks[index])}: an earlier block, "
                f"{block_name(self.path, self.blocks[self.failed_at])}, failed, so "
                "this one cannot run",
                pytrace=False,
            )
        if self.done == 0:
            self.namespace = {"__name__": "__main__"}
        output = ""
        while self.done <= index:
            block = self.blocks[self.done]
            buffer = io.StringIO()
            try:
                code = compile(
                    expand_snippets(block.code), f"{self.path}:{block.lineno}", "exec"
                )
                with contextlib.redirect_stdout(buffer), _page_cwd():
                    exec(code, self.namespace)
            except Exception:
                self.failed_at = self.done
                raise
            finally:
                self.done += 1
            output = buffer.getvalue()
        return output


@contextlib.contextmanager
def _page_cwd():
    """Run page code from a scratch folder so it cannot litter the repository."""
    old = os.getcwd()
    tmp = ROOT / ".pytest_cache" / "page-cwd"
    tmp.mkdir(parents=True, exist_ok=True)
    os.chdir(tmp)
    try:
        yield
    finally:
        os.chdir(old)
        if "matplotlib.pyplot" in sys.modules:  # a page drew: close its figures
            sys.modules["matplotlib.pyplot"].close("all")


class MarkdownPage(pytest.File):
    def collect(self):
        text = self.path.read_text(encoding="utf-8")
        blocks = [b for b in parse_page(text) if b.syntax == "python"]
        session = PageSession(self.path, blocks)
        for index, block in enumerate(blocks):
            item = CodeBlockItem.from_parent(self, name=f"line {block.lineno}")
            item.page, item.index, item.block = session, index, block
            for mark in block.marks:
                item.add_marker(eval(mark, {"sys": sys, "pytest": pytest}))
            yield item


class CodeBlockItem(pytest.Item):
    page: PageSession
    index: int

    def runtest(self) -> None:
        try:
            output = self.page.run_through(self.index)
        except BaseException as error:
            _record(self, None, error)
            raise
        _record(self, output, None)
        expected = self.block.expected_output
        if expected is not None and output != expected:
            raise OutputMismatchError(expected, output)

    def repr_failure(self, excinfo):
        where = block_name(self.path, self.block)
        if isinstance(excinfo.value, OutputMismatchError):
            want, got = excinfo.value.args
            page = self.path.relative_to(ROOT)
            return (
                f"{where}: the printed output differs from the page\n"
                + output_diff(want, got, f"{page} (on the page)", "printed")
                + f"\nTo write the printed output into the page: make update-outputs "
                f"PAGE={page}"
            )
        if excinfo.errisinstance(pytest.fail.Exception):
            return str(excinfo.value)
        error = excinfo.value
        tb = error.__traceback__  # from the page's own code down, not pytest's frames
        while tb is not None and not tb.tb_frame.f_code.co_filename.startswith(
            f"{self.path}:"
        ):
            tb = tb.tb_next
        text = traceback.format_exception(type(error), error, tb or error.__traceback__)
        return f"{where}:\n{''.join(text)}"

    def reportinfo(self):
        return (
            self.path,
            self.block.lineno - 1,
            f"docs code block at line {self.block.lineno}",
        )


class OutputMismatchError(AssertionError):
    pass


def block_name(path: Path, block) -> str:
    """``docs/x.md, block at line 12 (`first line`)``: how a failure names its block."""
    first = next((line for line in block.code.split("\n") if line.strip()), "")
    first = first.strip()
    first = first if len(first) <= 60 else first[:57] + "..."
    return f"{path.relative_to(ROOT)}, block at line {block.lineno} (`{first}`)"


def output_diff(want: str, got: str, want_name: str, got_name: str) -> str:
    """A unified diff from the page's output to the printed one, every line shown."""
    lines = difflib.unified_diff(
        want.splitlines(),
        got.splitlines(),
        f"{want_name}",
        f"{got_name}",
        n=max(len(want.splitlines()), len(got.splitlines()), 1),
        lineterm="",
    )
    text = "\n".join(lines)
    if not text and want != got:  # same lines, different line ends
        text = f"(the same lines; the page ends {want[-1:]!r}, the print {got[-1:]!r})"
    return text


# --- recording what each block prints (tools/check_page.py --update) -----------------


def pytest_addoption(parser):
    parser.addoption(
        "--record-outputs",
        metavar="PATH",
        default=None,
        help="write what every docs code block printed to PATH (JSON), for "
        "tools/check_page.py --update, which rewrites a page's expected outputs",
    )


_RECORDED: list[dict] = []


def _record(item: CodeBlockItem, output: str | None, error) -> None:
    if item.config.getoption("--record-outputs", None) is None:
        return
    _RECORDED.append(
        {
            "page": str(item.path.relative_to(ROOT)),
            "lineno": item.block.lineno,
            "expected": item.block.expected_output,
            "output": output,
            "error": None if error is None else f"{type(error).__name__}: {error}",
        }
    )


def pytest_sessionfinish(session, exitstatus):
    path = session.config.getoption("--record-outputs", None)
    if path is not None:
        Path(path).write_text(json.dumps(_RECORDED, indent=1), encoding="utf-8")


def pytest_collect_file(file_path: Path, parent):
    if file_path.suffix == ".md" and DOCS in file_path.parents:
        return MarkdownPage.from_parent(parent, path=file_path)
    return None
