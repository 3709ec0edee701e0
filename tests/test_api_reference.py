"""The API reference documents every public name once, from docstrings that say enough.

docs/api/*.md hold ``::: scratchml.<module>.<name>`` lines that mkdocstrings expands
from the package's docstrings. These tests check, without building the site, that every
name of ``scratchml.__all__`` is on exactly one API page, that each entry names the real
object, and that each public docstring is numpy-style: a one-line summary, and for a
callable with parameters a ``Parameters`` section listing all of them. An entry that
combines several names (``q, k, v : numpy.ndarray``) must combine parameters with the
same default: griffe shows the first name's default for all of them. The slow test reads
the built pages.
"""

import importlib
import inspect
import json
import re
from collections import Counter
from pathlib import Path

import griffe
import pytest
from _helpers import load_module

import scratchml

ROOT = Path(__file__).resolve().parents[1]
API = ROOT / "docs" / "api"
ENTRY = re.compile(
    r"^::: (?P<path>scratchml\.(?P<module>\w+)\.(?P<name>\w+))\s*$", re.M
)
SECTION = re.compile(r"^(?P<title>[A-Z][A-Za-z ]+)\n-{3,}$", re.M)
PUBLIC = sorted(scratchml.__all__)


def api_entries() -> list[tuple[str, str, str]]:
    """Every ``::: scratchml.module.name`` line of the API pages: (page, module,
    name)."""
    return [
        (page.name, m["module"], m["name"])
        for page in sorted(API.glob("*.md"))
        for m in ENTRY.finditer(page.read_text(encoding="utf-8"))
    ]


def sections(doc: str) -> dict[str, str]:
    """A numpy-style docstring's summary and its sections' bodies, by title."""
    doc = inspect.cleandoc(doc)
    marks = list(SECTION.finditer(doc))
    found = {"summary": doc.split("\n\n", 1)[0]}
    for mark, following in zip(marks, [*marks[1:], None], strict=False):
        found[mark["title"]] = doc[
            mark.end() : following.start() if following else None
        ]
    return found


def entries(body: str) -> list[list[str]]:
    """The names of each entry of a Parameters section (``a, b : int`` -> ``["a",
    "b"]``)."""
    heads = [
        line.split(" : ", 1)[0] for line in body.split("\n") if line and line[0] != " "
    ]
    return [[n.strip().lstrip("*") for n in head.split(",")] for head in heads]


def test_every_public_name_is_on_exactly_one_api_page():
    counts = Counter(name for _, _, name in api_entries())
    assert sorted(set(PUBLIC) - set(counts)) == [], (
        "public names missing from docs/api/"
    )
    assert sorted(set(counts) - set(PUBLIC)) == [], (
        "docs/api/ documents names not in __all__"
    )
    assert {n: c for n, c in counts.items() if c > 1} == {}, (
        "names on more than one page"
    )


@pytest.mark.parametrize("page,module,name", api_entries(), ids=lambda x: str(x))
def test_each_entry_names_the_public_object(page, module, name):
    obj = getattr(importlib.import_module(f"scratchml.{module}"), name)
    assert obj is getattr(scratchml, name), f"{page}: scratchml.{module}.{name}"


def test_every_api_page_is_in_the_nav_and_opens_with_its_chapters():
    nav = (ROOT / "mkdocs.yml").read_text(encoding="utf-8").split("\nnav:\n", 1)[1]
    for page in sorted(API.glob("*.md")):
        assert f"api/{page.name}" in nav, f"{page.name} is not in the nav"
        text = page.read_text(encoding="utf-8")
        intro = text.split("\n:::", 1)[0]
        links = re.findall(r"\]\((\.\./[^)#\s]+)", intro)
        if page.name != "index.md":
            assert any(link.startswith(("../part", "../labs/")) for link in links), (
                page.name
            )
        for link in links:
            assert (page.parent / link).resolve().exists(), f"{page.name}: {link}"


@pytest.mark.parametrize("name", PUBLIC)
def test_public_docstring_is_numpy_style(name):
    obj = getattr(scratchml, name)
    doc = obj.__doc__ if not inspect.isclass(obj) else obj.__dict__.get("__doc__")
    assert doc and doc.strip(), f"{name} has no docstring of its own"
    found = sections(doc)
    summary = found["summary"]
    assert "\n" not in summary and summary.strip(), (
        f"{name}: the summary is not one line"
    )
    assert not re.search(r"^\s*(Args|Arguments|Returns?):\s*$", doc, re.M), (
        f"{name}: Google style"
    )
    params = {p: v for p, v in inspect.signature(obj).parameters.items() if p != "self"}
    if not params:
        return
    assert "Parameters" in found, (
        f"{name} takes {list(params)} but has no Parameters section"
    )
    groups = entries(found["Parameters"])
    documented = [n for group in groups for n in group]
    assert [p for p in params if p not in documented] == [], (
        f"{name}: undocumented parameters"
    )
    assert [n for n in documented if n not in params] == [], (
        f"{name}: documents unknown names"
    )
    for group in groups:
        defaults = {repr(params[n].default) for n in group}
        assert len(defaults) == 1, (
            f"{name}: {group} share one entry but not one default"
        )


# --- the build's helpers: griffe extension and search-index cleanup
# ---------------------


def test_docstring_types_are_shown_as_written():
    """griffe alone prints ``array_like, shape (n,)`` as ``(array_like, shape(n))``;
    with hooks/griffe_annotations.py the page shows the docstring's text. (If a new
    griffe prints it as written by itself, the first case fails: the extension can then
    go.)"""
    ext = griffe.load_extensions(str(ROOT / "hooks" / "griffe_annotations.py"))
    for extensions, expected in [
        (None, "(array_like, shape(n))"),
        (ext, "array_like, shape (n,)"),
    ]:
        pkg = griffe.load(
            "scratchml",
            search_paths=[str(ROOT)],
            docstring_parser="numpy",
            extensions=extensions,
        )
        func = pkg["neuron"]["weighted_sum"]
        params = next(
            s for s in func.docstring.parsed if s.kind.value == "parameters"
        ).value
        assert str(next(p for p in params if p.name == "w").annotation) == expected
        dense = pkg["layers"]["Dense"].docstring.parsed
        init = next(s for s in dense if s.kind.value == "parameters").value
        # unchanged
        assert str(next(p for p in init if p.name == "n_in").annotation) == "int"


def test_search_entries_lose_table_headers_only():
    clean = load_module("hooks/search_api.py").clean
    text = (
        "<p>Parameters:</p> Name Type Description Default <code>x</code> "
        "<code>int</code> "
        "<p>An input.</p> required <code>path</code> <code>str</code> required "
        "<p>Returns:</p> Type Description <code>int</code> <p>Name Type Description</p>"
    )
    assert clean(text) == (
        "<p>Parameters:</p> <code>x</code> <code>int</code> <p>An input.</p> "
        "<code>path</code> <code>str</code> <p>Returns:</p> <code>int</code> "
        "<p>Name Type Description</p>"
    )


# --- the built site
# ----------------------------------------------------------------------


@pytest.mark.slow
def test_built_api_pages_show_signatures_and_parameter_tables(built_site):
    for page in sorted(API.glob("*.md")):
        built = (
            built_site
            / "api"
            / ("" if page.stem == "index" else page.stem)
            / "index.html"
        )
        assert built.exists(), built
    html = (built_site / "api" / "layers" / "index.html").read_text(encoding="utf-8")
    assert 'id="scratchml.layers.Dense"' in html
    dense = html.split('id="scratchml.layers.Dense"', 1)[1]
    dense = dense.split('<div class="doc doc-object', 1)[0]  # up to the next entry
    assert "doc-signature" in dense and "n_in" in dense and "lecun" in dense
    assert "Parameters:" in dense and "<table>" in dense
    assert (built_site / "notation" / "index.html").exists()
    index = json.loads(
        (built_site / "search" / "search_index.json").read_text(encoding="utf-8")
    )
    api_docs = [d for d in index["docs"] if d["location"].startswith("api/")]
    assert len(api_docs) > len(PUBLIC), "the API pages' entries are not indexed"
    junk = [d["location"] for d in api_docs if "Type Description" in d["text"]]
    assert junk == [], f"table headers in the search index: {junk[:5]}"


def test_listings_link_to_the_api_page_of_their_module():
    hook = load_module("hooks/api_links.py")
    hook.on_config({"docs_dir": str(ROOT / "docs")})
    page = type("Page", (), {"url": "part1/backpropagation/"})()
    html = (
        '<div class="highlight"><span '
        'class="filename">scratchml/layers.py</span><pre>x</pre>'
        '<span class="filename">excerpt of class MLP in '
        "scratchml/mlp.py</span><pre>y</pre>"
        '<span class="filename">scratchml/nothing.py</span><pre>z</pre></div>'
    )
    out = hook.on_page_content(html, page, None, None)
    assert out.count('<a class="api-link" href="../../api/layers/" title=') == 2
    assert out.count("API reference (full docstrings)</a>") == 2
    # the title stays next to its code
    assert "</a><span" in out and "</span><pre>x" in out
    assert out.count("api-link") == 2  # no page documents scratchml/nothing.py: no link
    api_page = type("Page", (), {"url": "api/layers/"})()
    assert hook.on_page_content(html, api_page, None, None) == html
