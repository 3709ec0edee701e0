"""Griffe extension for the API reference: docstring types are shown as they are
written.

griffe (which mkdocstrings uses to read ``scratchml/``) compiles the type of every
docstring entry as a Python expression, so that names such as ``Layer`` become links. A
numpy-style type that happens to be valid Python is then printed back from the
expression, not from the docstring: ``array_like, shape (n,)`` comes out as
``(array_like, shape(n))`` (a tuple, and a call whose trailing comma is gone: the shape
``(n,)`` reads as ``(n)``), and ``{"relu", "gelu"}`` as ``(relu, gelu)``. For every
entry whose printed type differs from its docstring text, this extension puts the text
back; types that print as written (``int``, ``Layer``, ``dict[str, numpy.ndarray]``)
keep their links.
"""

from __future__ import annotations

import re
from typing import Any

import griffe

HEADER = re.compile(r"^(?P<title>[A-Z][A-Za-z ]+)\n-{3,}\n", re.M)
NAMED = {
    "parameters",
    "other parameters",
    "attributes",
}  # "name[, name] : type" entries
RESULTS = {"returns", "yields", "receives"}  # "name : type" or "type" entries


def written_types(docstring: str) -> dict[str, list[tuple[list[str], str]]]:
    """Per section (lower-case title), each top-level entry's names and type, as
    written."""
    marks = list(HEADER.finditer(docstring))
    found: dict[str, list[tuple[list[str], str]]] = {}
    for mark, following in zip(marks, [*marks[1:], None], strict=False):
        body = docstring[mark.end() : following.start() if following else None]
        entries = []
        for line in body.split("\n"):
            if not line.strip() or line[0].isspace():
                continue  # a description line, or a blank one
            names, sep, kind = line.partition(" : ")
            if not sep:
                names, kind = "", line  # a result given by its type alone
            kind = re.sub(r",\s+default(?: |: |=).+$", "", kind.strip()).removesuffix(
                ", optional"
            )
            entries.append(([n.strip() for n in names.split(",") if n.strip()], kind))
        found[mark["title"].lower()] = entries
    return found


def restore(obj: griffe.Object) -> None:
    """Put back the written type of every docstring entry of ``obj`` that griffe
    reprinted."""
    if obj.docstring is None:
        return
    written = written_types(obj.docstring.value)
    for section in obj.docstring.parsed:
        kind = section.kind.value
        entries = written.get(kind, [])
        if kind not in NAMED | RESULTS or not isinstance(section.value, list):
            continue
        for i, item in enumerate(section.value):
            if isinstance(item.annotation, str) or item.annotation is None:
                continue
            if kind in NAMED:
                text = next(
                    (
                        t
                        for names, t in entries
                        if item.name in [*names, ", ".join(names)]
                    ),
                    None,
                )
            else:
                text = entries[i][1] if i < len(entries) else None
            if text is not None and str(item.annotation) != text:
                item.annotation = text


class WrittenDocstringTypes(griffe.Extension):
    """Show docstring types as written when griffe's reprint would change them."""

    def on_package(self, *, pkg: griffe.Module, **kwargs: Any) -> None:
        stack: list[griffe.Object] = [pkg]
        while stack:
            obj = stack.pop()
            restore(obj)
            stack += [m for m in obj.members.values() if not m.is_alias]
