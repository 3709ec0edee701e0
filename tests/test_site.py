"""The strict build succeeds and the built pages ask no other host for anything."""

import html as html_lib
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
    """CSS url(...) and @import of absolute URLs, in every shipped stylesheet."""
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
    """Every absolute URL to another host that code in a built HTML, JS or CSS loads."""
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
    """Every internal link or image of the built site whose file or ``#anchor`` is gone.

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


# --- what a reader copies and reads (hooks/reader.py) ---------------------------------

CONSOLE_BLOCK = re.compile(
    r'<div class="(?:language-console highlight|highlight)"([^>]*)>'
    r'(?:<span class="filename">[^<]*</span>)?<pre>'
    r"(?:<span></span>)?(?:<code>)?(.*?)</pre>",
    re.S,
)
DATA_COPY = re.compile(r'\bdata-copy="([^"]*)"')
OUTPUT_SPAN = re.compile(r'<span class="go">(.*?)</span>', re.S)


def text_of(fragment: str) -> str:
    return html_lib.unescape(re.sub(r"<[^>]+>", "", fragment))


def console_copy_problems(site: Path) -> tuple[int, list[str]]:
    """How many shell blocks the built pages have, and each one whose copy text (its
    ``data-copy``, else its text, as Material's copy button takes it) holds a ``$``
    prompt or a line the block shows as output."""
    count, problems = 0, []
    for page in sorted(site.rglob("*.html")):
        text = page.read_text(encoding="utf-8")
        for match in CONSOLE_BLOCK.finditer(text):
            attrs, body = match.groups()
            lang = "language-console" in text[match.start() : match.start() + 40]
            if not lang and '<span class="gp">' not in body:
                continue  # a Python block (no prompt span)
            count += 1
            found = DATA_COPY.search(attrs)
            copied = html_lib.unescape(found.group(1)) if found else text_of(body)
            shown_output = {text_of(o).strip() for o in OUTPUT_SPAN.findall(body)}
            for line in copied.splitlines():
                if line.lstrip().startswith("$") or line.strip() in shown_output:
                    problems.append(f"{page.relative_to(site)}: copies {line!r}")
    return count, problems


def test_shell_blocks_copy_only_their_commands(built_site):
    count, problems = console_copy_problems(built_site)
    assert count >= 7, f"only {count} shell blocks found: the scanner misses them"
    assert not problems, "\n".join(problems)


def test_the_shell_scanner_sees_a_prompt_and_an_output_line(tmp_path):
    (tmp_path / "index.html").write_text(
        '<div class="language-console highlight"><pre><span></span><code>'
        '<span class="gp">$ </span>python -c "print(1)"\n<span class="go">1</span>\n'
        "</code></pre></div>",
        encoding="utf-8",
    )
    assert console_copy_problems(tmp_path) == (
        1,
        ["index.html: copies '$ python -c \"print(1)\"'", "index.html: copies '1'"],
    )


UNSHOWN = re.compile(
    r"<(script|style|pre|code|textarea)\b.*?</\1>"
    r'|<div class="clipboard-copy-txt".*?</div>',
    re.S | re.I,
)
MATH_SPAN = re.compile(r"\\\(.+?\\\)|\\\[.+?\\\]|\$\$.+?\$\$|\$[^$\n]+?\$", re.S)
TEX_COMMAND = re.compile(r"\\(?:[A-Za-z]{2,}|[,;!])")


def latex_left_as_text(site: Path) -> list[str]:
    """TeX commands (``\\times``, ``\\ln``) in the prose of a built page outside any
    math span KaTeX renders: markup a reader would see raw."""
    found = []
    for page in sorted(site.rglob("*.html")):
        text = UNSHOWN.sub(" ", page.read_text(encoding="utf-8"))
        text = MATH_SPAN.sub(" ", re.sub(r"<[^>]+>", " ", text))
        for m in TEX_COMMAND.finditer(text):
            around = " ".join(text[max(0, m.start() - 30) : m.end() + 20].split())
            found.append(f"{page.relative_to(site)}: {m.group(0)} in '{around}'")
    return found


def test_no_latex_is_left_as_text(built_site):
    found = latex_left_as_text(built_site)
    assert not found, "TeX shown raw:\n" + "\n".join(found[:20])


def test_the_latex_scanner_sees_markdown_eaten_delimiters(tmp_path):
    (tmp_path / "index.html").write_text(
        "<p>its (512 \\times 64) numbers; fine: \\(a \\cdot b\\) and $\\ln 2$</p>"
        "<pre><code>print('\\n')</code></pre>",
        encoding="utf-8",
    )
    assert latex_left_as_text(tmp_path) == [
        "index.html: \\times in 'its (512 \\times 64) numbers; fine:'"
    ]


def test_output_blocks_are_marked_as_outputs(built_site):
    mark = re.compile(
        r"<!--\s*pytest-codeblocks:expected-output\s*-->\s*<div class=\"([^\"]*)\""
    )
    count, unmarked = 0, []
    for page in sorted(built_site.rglob("*.html")):
        for classes in mark.findall(page.read_text(encoding="utf-8")):
            count += 1
            if not {"output", "no-copy"} <= set(classes.split()):
                unmarked.append(f"{page.relative_to(built_site)}: {classes}")
    assert count > 100, count
    assert not unmarked, "\n".join(unmarked)


FIGURE_TAG = re.compile(
    r'<figure class="book-figure" id="fig-([\w-]+)"[^>]*>\s*<img [^>]*src="[^"]*'
    r'figures/\1\.svg"[^>]*>\s*<figcaption><span class="figure-number">Figure (\d+)\.'
    r"</span> ([^<]+)</figcaption>"
)


def test_figures_are_numbered_with_captions(built_site):
    problems, total = [], 0
    for page in sorted(built_site.rglob("index.html")):
        text = page.read_text(encoding="utf-8")
        images = re.findall(r'<img [^>]*src="[^"]*figures/[\w-]+\.svg"', text)
        figures = FIGURE_TAG.findall(text)
        total += len(figures)
        where = page.parent.relative_to(built_site)
        if len(figures) != len(images):
            problems.append(f"{where}: {len(images)} figures, {len(figures)} captioned")
        numbers = [int(n) for _, n, _ in figures]
        if numbers != list(range(1, len(figures) + 1)):
            problems.append(f"{where}: figures numbered {numbers}")
        problems += [f"{where}: empty caption" for *_, c in figures if len(c) < 10]
        for ref in re.findall(r'<a href="#fig-([\w-]+)">([^<]*)</a>', text):
            if not ref[1].startswith("Figure "):
                problems.append(f"{where}: a link to figure {ref[0]} reads {ref[1]!r}")
    assert total >= 40, total
    assert not problems, "\n".join(problems)


def test_every_figure_records_its_smallest_label(built_site):
    for svg in sorted((built_site / "figures").glob("*.svg")):
        head = svg.read_text(encoding="utf-8")[:600]
        found = re.search(
            r'<svg data-min-font-pt="([\d.]+)" [^>]*width="([\d.]+)pt"', head
        )
        assert found and 4 <= float(found.group(1)) <= 30, svg.name
