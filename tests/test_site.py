"""The strict build succeeds and the built pages ask no other host for anything."""

import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlparse

import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]

# Attributes through which a page makes the browser fetch something.
FETCHING = {
    ("script", "src"),
    ("img", "src"),
    ("img", "srcset"),
    ("iframe", "src"),
    ("source", "src"),
    ("video", "src"),
    ("audio", "src"),
    ("embed", "src"),
    ("object", "data"),
    (
        "link",
        "href",
    ),  # stylesheets, icons, preloads (rel=canonical is a name, not a fetch)
}


class FetchCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "link" and attrs.get("rel") in {"canonical", "alternate"}:
            return
        for t, attr in FETCHING:
            if tag == t and attrs.get(attr):
                self.urls.append(attrs[attr])


def external(url: str) -> bool:
    parsed = urlparse(url.strip())
    return bool(parsed.netloc) or parsed.scheme in {"http", "https"}


def test_strict_build_produces_every_page(built_site):
    pages = sorted(built_site.rglob("index.html"))
    sources = [
        p
        for p in (ROOT / "docs").rglob("*")
        if p.suffix in {".md", ".ipynb"} and "vendor" not in p.parts
    ]
    assert len(pages) >= len(sources) > 0


def test_no_page_fetches_from_another_host(built_site):
    offenders = []
    for page in built_site.rglob("*.html"):
        collector = FetchCollector()
        collector.feed(page.read_text(encoding="utf-8"))
        offenders += [
            f"{page.relative_to(built_site)}: {u}"
            for u in collector.urls
            if external(u)
        ]
    assert not offenders, "\n".join(offenders)


def test_no_stylesheet_or_script_fetches_from_another_host(built_site):
    """CSS url(...) and @import, JS fetch/import of absolute URLs, in every shipped asset."""
    pattern = re.compile(r"""(?:url\(\s*["']?|@import\s+["'])(https?:)?//""")
    offenders = [
        str(p.relative_to(built_site))
        for p in built_site.rglob("*.css")
        if pattern.search(p.read_text(encoding="utf-8", errors="replace"))
    ]
    assert not offenders, offenders


def test_figures_are_drawn_and_reproducible(built_site):
    figures = sorted((built_site / "figures").glob("*.svg"))
    assert figures, "no figure was drawn"
    for svg in figures:
        text = svg.read_text(encoding="utf-8")
        assert "<svg" in text and "<dc:date>" not in text, svg.name


def test_math_is_marked_for_katex(built_site):
    html = (built_site / "part1" / "neuron" / "index.html").read_text(encoding="utf-8")
    assert 'class="arithmatex"' in html
    assert "assets/vendor/katex/katex.min.js" in html


# Absolute URLs in code: inline <script> bodies, import(...)/from "...", url(...),
# @import.
CODE_URL = re.compile(
    r"""(?:import\s*\(\s*|from\s+(?=["'])|url\(\s*|@import\s+(?:url\(\s*)?)["']?((?:https?:)?//[^"')\s]+)"""
)
SCRIPT_BODY = re.compile(r"<script\b[^>]*>(.*?)</script>", re.S | re.I)
OWN_HOST = "scratchml.github.io"


def foreign_code_urls(site: Path) -> list[str]:
    """Every absolute URL to another host that code in a built HTML, JS or CSS file loads."""
    found = []
    for path in sorted(site.rglob("*")):
        if path.suffix not in {".html", ".js", ".css", ".mjs"}:
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        code = "\n".join(SCRIPT_BODY.findall(text)) if path.suffix == ".html" else text
        if path.suffix == ".html":
            code += "\n".join(re.findall(r"<style\b[^>]*>(.*?)</style>", text, re.S))
        for url in CODE_URL.findall(code):
            if urlparse(url if "//" != url[:2] else "https:" + url).netloc != OWN_HOST:
                found.append(f"{path.relative_to(site)}: {url}")
    return found


def test_no_code_loads_from_another_host(built_site):
    offenders = foreign_code_urls(built_site)
    assert not offenders, "code loads from another host:\n" + "\n".join(offenders)


def test_the_scanner_sees_a_planted_import(built_site, tmp_path):
    page = tmp_path / "labs" / "digits" / "index.html"
    page.parent.mkdir(parents=True)
    text = (built_site / "labs" / "digits" / "index.html").read_text(encoding="utf-8")
    page.write_text(
        text.replace(
            "</body>", '<script>import("https://cdn.example.org/x.mjs")</script></body>'
        ),
        encoding="utf-8",
    )
    assert foreign_code_urls(tmp_path) == [
        "labs/digits/index.html: https://cdn.example.org/x.mjs"
    ]


# --- internal links and anchors -------------------------------------------------------


class LinkCollector(HTMLParser):
    """The ``<a href>`` and ``<img src>`` targets of a page, and the ids it defines."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for key in ("id", "name"):
            if attrs.get(key):
                self.ids.add(attrs[key])
        target = (
            attrs.get("href")
            if tag == "a"
            else attrs.get("src")
            if tag == "img"
            else None
        )
        if target:
            self.links.append(target)


def broken_links(site: Path) -> list[str]:
    """Every internal link or image of the built site whose file or ``#anchor`` is missing.

    404.html is skipped: it is served at any depth, so its links are written from the
    root.
    """
    pages: dict[Path, LinkCollector] = {}
    for page in sorted(site.rglob("*.html")):
        collector = LinkCollector()
        collector.feed(page.read_text(encoding="utf-8"))
        pages[page.resolve()] = collector
    broken = []
    for page, collector in pages.items():
        if page.name == "404.html":
            continue
        for link in collector.links:
            parsed = urlparse(link)
            if (
                parsed.scheme
                or parsed.netloc
                or link.startswith(("mailto:", "javascript:"))
            ):
                continue
            path, fragment = unquote(parsed.path), unquote(parsed.fragment)
            target = (page.parent / path).resolve() if path else page
            if target.is_dir():
                target = target / "index.html"
            where = f"{page.relative_to(site.resolve())}: {link}"
            if not target.exists():
                broken.append(f"{where} (no such file)")
            elif fragment and target.suffix == ".html":
                ids = pages[target].ids if target in pages else set()
                if fragment not in ids:
                    broken.append(f"{where} (no such anchor)")
    return broken


def test_every_internal_link_and_anchor_resolves(built_site):
    broken = broken_links(built_site)
    assert not broken, "broken links in the built site:\n" + "\n".join(broken)


def test_the_link_checker_sees_a_broken_link_and_anchor(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "index.html").write_text(
        '<h2 id="here">x</h2><a href="#here">ok</a><a href="../b/">ok</a>'
        '<a href="#gone">bad anchor</a><a href="../c/">bad page</a>'
        '<a href="../b/#nope">bad anchor elsewhere</a><img src="../x.svg">'
        '<a href="https://example.org/">external</a>',
        encoding="utf-8",
    )
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "index.html").write_text('<p id="top"></p>', encoding="utf-8")
    assert broken_links(tmp_path) == [
        "a/index.html: #gone (no such anchor)",
        "a/index.html: ../c/ (no such file)",
        "a/index.html: ../b/#nope (no such anchor)",
        "a/index.html: ../x.svg (no such file)",
    ]
