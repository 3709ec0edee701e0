"""MkDocs hook: package listings show each docstring's summary, the API its full text.

A chapter includes the package's real code with ``--8<-- "scratchml/x.py:section"``. The
package's docstrings are written for the API reference (Parameters, Returns, Raises,
Notes), and on a page they drown the few lines of algorithm they sit on. So this hook
expands every snippet line itself, with pymdownx.snippets configured exactly as in
``mkdocs.yml``, and keeps of each docstring in the included code only its summary: the
lines before the first blank line. Nothing else changes: the code a reader copies is
the package's code, and runs the same (only ``__doc__`` is shorter). Each listing's
title bar links to the API reference, which shows the full docstrings
(hooks/api_links.py).

``conftest.py`` runs the same expansion, so the tests execute what the page shows.
"""

from __future__ import annotations

import ast
import re
import textwrap
from functools import cache
from pathlib import Path

import markdown
import yaml

ROOT = Path(__file__).resolve().parents[1]
SNIPPET_LINE = re.compile(r'^(?P<indent>[ \t]*)--8<-- "(?P<target>[^"]+)"\s*$')


@cache
def snippet_processor(config_file: str = str(ROOT / "mkdocs.yml")):
    """pymdownx.snippets configured as in ``config_file``, with absolute base paths."""
    path = Path(config_file)
    config = yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader)
    settings = {}
    for ext in config["markdown_extensions"]:
        if isinstance(ext, dict) and "pymdownx.snippets" in ext:
            settings = dict(ext["pymdownx.snippets"] or {})
    base = settings.get("base_path", ["."])
    base = [base] if isinstance(base, str) else base
    settings["base_path"] = [str(path.parent / p) for p in base]
    md = markdown.Markdown(
        extensions=["pymdownx.snippets"],
        extension_configs={"pymdownx.snippets": settings},
    )
    return md.preprocessors["snippet"]


class _Loader(yaml.SafeLoader):
    """A safe YAML loader that reads mkdocs.yml's ``!!python/name:`` tags as text."""


_Loader.add_multi_constructor(
    "tag:yaml.org,2002:python/", lambda loader, suffix, node: suffix
)


def docstring_spans(tree: ast.AST) -> list[tuple[int, int]]:
    """(first, last) line numbers of every docstring of a module, class or function."""
    spans = []
    for node in ast.walk(tree):
        kinds = ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef
        if not isinstance(node, kinds) or not node.body:
            continue
        first = node.body[0]
        if (
            isinstance(first, ast.Expr)
            and isinstance(first.value, ast.Constant)
            and isinstance(first.value.value, str)
        ):
            spans.append((first.lineno, first.end_lineno))
    return spans


def shorten_docstrings(code: str) -> str:
    """``code`` with each docstring cut to its summary (the lines before a blank line).

    Code that does not parse on its own (a cut-out excerpt) is returned unchanged.
    """
    body = textwrap.dedent(code)
    try:
        tree = ast.parse(body)
    except SyntaxError:
        return code
    lines = code.split("\n")
    for first, last in sorted(docstring_spans(tree), reverse=True):
        doc = lines[first - 1 : last]
        blank = next((i for i, line in enumerate(doc) if not line.strip()), None)
        if blank is None:
            continue  # already a summary alone
        opening = doc[0].lstrip()
        quote = '"""' if '"""' in opening[:5] else "'''"
        indent = doc[0][: len(doc[0]) - len(opening)]
        kept = doc[:blank]
        if len(kept) == 1:
            kept = [kept[0].rstrip() + quote]
        else:
            kept = [*kept, indent + quote]
        lines[first - 1 : last] = kept
    return "\n".join(lines)


def expand_line(line: str, processor=None) -> list[str]:
    """The lines a ``--8<--`` line includes, docstrings cut to their summary."""
    processor = processor or snippet_processor()
    included = "\n".join(processor.run([line]))
    return shorten_docstrings(included).split("\n")


def expand(text: str, processor=None) -> str:
    """``text`` with every ``--8<--`` line replaced by what it includes, shortened."""
    if "--8<--" not in text:
        return text
    out: list[str] = []
    for line in text.split("\n"):
        if SNIPPET_LINE.match(line):
            out.extend(expand_line(line, processor))
        else:
            out.append(line)
    return "\n".join(out)


def on_page_markdown(markdown_text, page, config, files):
    return expand(markdown_text, snippet_processor(config["config_file_path"]))
