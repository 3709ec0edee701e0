"""The book to take away: the PDF and the labs' zip that ``mkdocs build`` writes.

``hooks/offline.py`` and ``tools/build_pdf.py`` make them once, in the session's strict
build (``built_site``); these tests read them back as a reader's PDF viewer and unzip
would: every page of the nav is in the PDF, in order, each from a new sheet, under its
own bookmark and with its own title; no markup is left as text (math unrendered, an
unexpanded snippet, an admonition's ``!!!``); the links inside it land on a page of it;
every figure kept its number; the zip holds each lab as a valid notebook. The PDF needs
a Chromium: without one the PDF tests skip with the reason, and fail instead under
``SCRATCHML_REQUIRE_BROWSER=1`` (CI).
"""

from __future__ import annotations

import html
import importlib.util
import json
import os
import re
import sys
import zipfile
from pathlib import Path

import pytest
import yaml

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location("build_pdf", ROOT / "tools/build_pdf.py")
build_pdf = sys.modules["build_pdf"] = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(build_pdf)

# What a page's source looks like when it did not become what it says: math left to a
# renderer that never ran, a snippet not expanded, an admonition or a collapsed box not
# parsed, an HTML comment shown as text.
RAW_MARKUP = ["\\(", "\\)", "\\[", "\\frac", "$$", "--8<--", "!!!", "???", "<!--"]
WHITESPACE = re.compile(r"\s+")
H1 = re.compile(r"<h1[^>]*>(.*?)</h1>", re.S)
TAG = re.compile(r"<[^>]+>")


def flat(text: str) -> str:
    return WHITESPACE.sub(" ", text).strip()


def nav() -> list:
    config = yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))
    return build_pdf.nav_entries(config["nav"])


def h1_of(site: Path, entry) -> str:
    found = H1.search((site / entry.path).read_text(encoding="utf-8"))
    assert found, f"{entry.path}: no h1"
    return flat(html.unescape(TAG.sub("", found.group(1))).replace("\u00b6", ""))


@pytest.fixture(scope="module")
def pdf_path(built_site) -> Path:
    path = built_site / build_pdf.PDF_NAME
    if not path.exists():
        reason = (
            f"mkdocs build made no {build_pdf.PDF_NAME}: no Playwright or no Chromium "
            "here (hooks/offline.py; make pdf says why)"
        )
        if os.environ.get("SCRATCHML_REQUIRE_BROWSER") == "1":
            pytest.fail(f"{reason} (SCRATCHML_REQUIRE_BROWSER=1)", pytrace=False)
        pytest.skip(reason)
    return path


@pytest.fixture(scope="module")
def book(pdf_path):
    """The PDF as a viewer reads it: each sheet's text and the bookmarks."""
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(str(pdf_path))
    sheets = [flat(pdf[i].get_textpage().get_text_range()) for i in range(len(pdf))]
    outline = [
        (b.level, b.get_title(), b.get_dest().get_index()) for b in pdf.get_toc()
    ]
    pdf.close()
    return {"sheets": sheets, "outline": outline}


def test_every_page_of_the_nav_is_in_the_pdf_in_order(built_site, book):
    """Each nav entry has a bookmark (a part's own page is the part's bookmark), on a
    later sheet than the one before, and that sheet shows the page's h1."""
    outline, sheets = book["outline"], book["sheets"]
    entries, problems, last = nav(), [], 0
    tops = [(title, page) for level, title, page in outline if level <= 1]
    for entry in entries:
        found = [page for title, page in tops if title == entry.title and page >= last]
        if not found:
            problems.append(f"{entry.title} ({entry.path}): no bookmark after {last}")
            continue
        last = found[0]
        title = h1_of(built_site, entry)
        if title not in sheets[last]:
            problems.append(f"{entry.title}: sheet {last + 1} lacks its h1 {title!r}")
    assert not problems, "\n".join(problems)
    chapters = [e for e in entries if e.section and "Part" in e.section]
    assert len(chapters) >= 30, [e.title for e in chapters]


def test_each_page_starts_a_sheet_and_no_sheet_is_blank(built_site, book):
    sheets, entries = book["sheets"], nav()
    n = len(sheets)
    # a cover, then every page from a new sheet; at most 25 sheets a page on average
    assert len(entries) + 1 <= n <= 25 * len(entries), n
    footer = re.compile(r"\d+ / \d+")
    blank = [i + 1 for i, s in enumerate(sheets) if not footer.sub("", s).strip()]
    assert not blank, f"blank sheets: {blank}"
    assert all(f"{i + 1} / {n}" in s for i, s in enumerate(sheets)), "page numbers"


def test_no_markup_is_left_as_text(book):
    found = []
    for i, sheet in enumerate(book["sheets"]):
        for mark in RAW_MARKUP:
            at = sheet.find(mark)
            if at >= 0:
                found.append(
                    f"sheet {i + 1}: {mark!r} in ...{sheet[at - 60 : at + 40]}"
                )
    assert not found, "\n".join(found[:20])


CAPTION = re.compile(r"<figcaption>(.*?)</figcaption>", re.S)


def test_every_figure_keeps_its_number_and_caption(built_site, book):
    """Each figure's caption, with its number ("Figure 2. ..."), is on the sheets of its
    page: from the page's bookmark to the next page's."""
    starts = [page for level, _, page in book["outline"] if level <= 1]
    starts = sorted(set(starts)) + [len(book["sheets"])]
    problems, figures, at = [], 0, 0
    for entry in nav():
        page_html = (built_site / entry.path).read_text(encoding="utf-8")
        captions = [
            flat(html.unescape(TAG.sub("", c))) for c in CAPTION.findall(page_html)
        ]
        if not captions:
            continue
        first = next(p for _, t, p in book["outline"] if t == entry.title and p >= at)
        at, last = first, next(p for p in starts if p > first)
        text = " ".join(book["sheets"][first:last])
        for caption in captions:
            figures += 1
            if caption[:60] not in text:
                problems.append(f"{entry.title}: no {caption[:60]!r}")
    assert figures >= 40 and not problems, (figures, problems)


def test_links_inside_the_pdf_land_on_a_place_in_it(pdf_path):
    """A link between pages (or to a section, a figure, an API entry) is a jump inside
    the PDF, to a destination the PDF has; the rest point at the book online."""
    import pypdf

    reader = pypdf.PdfReader(str(pdf_path))
    names = set(reader.trailer["/Root"]["/Dests"].get_object().keys())
    inside, online, missing = 0, 0, []
    for number, sheet in enumerate(reader.pages):
        for annotation in sheet.get("/Annots") or []:
            link = annotation.get_object()
            action = link.get("/A")
            if action is not None and action.get("/S") == "/URI":
                online += 1
                uri = str(action["/URI"])
                assert uri.startswith(("https://", "http://", "mailto:")), uri
                continue
            target = link.get("/Dest")
            inside += 1
            if isinstance(target, str) and target not in names:
                missing.append(f"sheet {number + 1}: {target}")
    assert inside >= 300 and online >= 3, (inside, online)
    assert not missing, missing[:20]


def test_the_labs_zip_holds_every_lab_as_a_valid_notebook(built_site):
    import nbformat

    labs = sorted((ROOT / "docs" / "labs").glob("*.ipynb"))
    assert len(labs) >= 3
    with zipfile.ZipFile(built_site / build_pdf.ZIP_NAME) as z:
        names = set(z.namelist())
        assert names == {f"scratchml-labs/{p.name}" for p in labs} | {
            "scratchml-labs/README.txt"
        }
        for lab in labs:
            data = z.read(f"scratchml-labs/{lab.name}")
            assert data == lab.read_bytes(), lab.name
            notebook = nbformat.reads(data.decode("utf-8"), as_version=4)
            nbformat.validate(notebook)
            assert json.loads(data)["nbformat"] == 4
        readme = z.read("scratchml-labs/README.txt").decode("utf-8")
    assert all(f"labs/{lab.stem}/" in readme for lab in labs), readme


def test_the_home_page_links_to_the_pdf_and_the_zip(built_site, pdf_path):
    home = (built_site / "index.html").read_text(encoding="utf-8")
    for name in (build_pdf.PDF_NAME, build_pdf.ZIP_NAME):
        assert f'href="{name}"' in home, name
        assert (built_site / name).stat().st_size > 10_000, name


# --- without a browser ----------------------------------------------------------------


def fake_site(tmp_path: Path) -> Path:
    page = (
        '<html><body><article class="md-content__inner md-typeset">'
        '<a href="https://example.org/edit/a.md" title="Edit this page" class="b">e</a>'
        '<h1 id="a">A</h1><h2 id="sec">Sec<a class="headerlink" href="#sec">&para;</a>'
        '</h2><script>alert(1)</script><link rel="stylesheet" href="x.css">'
        '<p><a href="../b/#part">to b</a> <a href="#sec">here</a> '
        '<a href="../../labs/x/x.ipynb">notebook</a> <a href="https://other.org/">o</a>'
        '</p><img src="../../figures/f.svg"><details class="tip"><summary>S</summary>'
        "</details></article></body></html>"
    )
    for name in ("a", "b"):
        (tmp_path / "p" / name).mkdir(parents=True)
        (tmp_path / "p" / name / "index.html").write_text(page, encoding="utf-8")
    (tmp_path / "figures").mkdir()
    (tmp_path / "figures" / "f.svg").write_text("<svg/>", encoding="utf-8")
    return tmp_path


def test_one_page_of_the_book_is_made_book_wide(tmp_path):
    site = fake_site(tmp_path)
    entries = [build_pdf.Entry(n, f"p/{n}/index.html") for n in ("a", "b")]
    pages = {e.path: build_pdf.slug(e.path) for e in entries}
    body = build_pdf.page_body(site, entries[0], pages, "https://book.org/s/")
    assert body.startswith('<section class="book-page" id="p-a">')
    assert 'id="p-a--sec"' in body and 'href="#p-a--sec"' in body
    assert 'href="#p-b--part"' in body  # another page of the book: inside the PDF
    assert 'href="https://book.org/s/labs/x/x.ipynb"' in body  # not a page: online
    assert 'href="https://other.org/"' in body and 'src="figures/f.svg"' in body
    assert (
        "<script" not in body and "<link" not in body and "Edit this page" not in body
    )
    assert "<details open" in body
    assert entries[0].headings == [("Sec", "p-a--sec")]


def test_without_the_pdf_the_home_page_says_how_to_make_it():
    _spec = importlib.util.spec_from_file_location("offline", ROOT / "hooks/offline.py")
    offline = importlib.util.module_from_spec(_spec)
    _spec.loader.exec_module(offline)

    from types import SimpleNamespace

    Page = SimpleNamespace(file=SimpleNamespace(src_uri="index.md"))

    content = '<p>Take <a href="scratchml.pdf">the PDF</a> or the zip.</p>'
    offline._state["pdf"] = False
    shown = offline.on_page_content(content, Page, {}, None)
    assert "href" not in shown and "the PDF (not in this build" in shown
    assert "make pdf" in shown
    offline._state["pdf"] = True
    assert offline.on_page_content(content, Page, {}, None) == content


def test_mkdocs_serve_prints_no_pdf(monkeypatch):
    """make serve stays fast: unless SCRATCHML_PDF=1, serve never looks for Chromium."""
    _spec = importlib.util.spec_from_file_location("offline", ROOT / "hooks/offline.py")
    offline = importlib.util.module_from_spec(_spec)
    _spec.loader.exec_module(offline)
    monkeypatch.delenv("SCRATCHML_PDF", raising=False)
    looked = []
    monkeypatch.setattr(
        offline.build_pdf, "find_chromium", lambda: looked.append(1) or (True, None)
    )
    offline.on_startup(command="serve", dirty=False)
    offline.on_config({})
    assert offline._state["pdf"] is False and not looked
    offline.on_startup(command="build", dirty=False)
    offline.on_config({})
    assert offline._state["pdf"] is True and looked
