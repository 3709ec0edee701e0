"""Run the book's code blocks as tests, exactly as the site shows them.

Every page under ``docs/`` becomes a pytest file, and every ```` ```python ```` fence on
it a
test item. Two things differ from plain pytest-codeblocks, on purpose:

1. ``--8<--`` snippet lines are expanded first, by pymdownx's own snippet preprocessor
with
   the settings read from ``mkdocs.yml``, so the test runs the text the reader sees.
2. A page is one Python session: its blocks run in order in one namespace, as they would
   for a reader who pastes them one by one into a fresh interpreter (promise 2 of the
   book). Selecting a single block with ``-k`` first replays the blocks above it.

The fences are parsed by pytest-codeblocks' own parser, so its markers keep their
meaning:
``<!--pytest-codeblocks:expected-output-->`` before a ```` ```text ```` fence holds the
exact
output of the block above it, ``<!--pytest.mark.skip-->`` skips a block.
"""

from __future__ import annotations

import contextlib
import io
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
    an
    admonition, say); padding blank lines with spaces before parsing, and removing the
    padding after, keeps them.
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
        """Run blocks up to ``index`` (inclusive); return block ``index``'s output."""
        if self.failed_at is not None and self.failed_at < index:
            pytest.fail(
                "an earlier block on this page (line "
                f"{self.blocks[self.failed_at].lineno}) "
                "failed, so this one cannot run",
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
        output = self.page.run_through(self.index)
        expected = self.block.expected_output
        if expected is not None and output != expected:
            raise OutputMismatchError(expected, output)

    def repr_failure(self, excinfo):
        if isinstance(excinfo.value, OutputMismatchError):
            want, got = excinfo.value.args
            return (
                f"{self.path.relative_to(ROOT)}, block at line {self.block.lineno}: "
                "the printed "
                f"output differs from the page.\n--- on the page\n{want}--- "
                f"printed\n{got}"
            )
        if excinfo.errisinstance(pytest.fail.Exception):
            return str(excinfo.value)
        tb = "".join(traceback.format_exception(excinfo.value))
        return (
            f"{self.path.relative_to(ROOT)}, block at line {self.block.lineno}:\n{tb}"
        )

    def reportinfo(self):
        return (
            self.path,
            self.block.lineno - 1,
            f"docs code block at line {self.block.lineno}",
        )


class OutputMismatchError(AssertionError):
    pass


def pytest_collect_file(file_path: Path, parent):
    if file_path.suffix == ".md" and DOCS in file_path.parents:
        return MarkdownPage.from_parent(parent, path=file_path)
    return None
