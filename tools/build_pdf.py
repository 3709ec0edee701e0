"""The book to take away: every page as one PDF, the labs' notebooks as one zip.

Both are made from a built site, offline. ``hooks/offline.py`` calls :func:`build_pdf`
and :func:`build_labs_zip` at the end of ``mkdocs build``; run alone, this script makes
them from a site built already::

    .venv/bin/python tools/build_pdf.py site     # site/scratchml.pdf, site/...zip

The PDF. The content column of every page in the nav's order (the home page, the four
parts with their chapters and labs, the exercises, the notation, the API reference) is
put into one HTML file, ``_book.html`` at the site's root for the time it is printed:
one chapter after another, each on a new page, with a cover and a list of contents.
Links between pages become links inside the PDF (every id is prefixed with its page's
name), links to anything else point at the book online, collapsed solutions are open.
Headless Chromium (Playwright, as ``tests/test_browser.py`` drives it) renders the math
with the site's vendored KaTeX, waits for the fonts and the figures, and prints it once
with ``docs/stylesheets/print.css``: an A4 book with page numbers and an outline of the
headings. The build fails if an image is missing, KaTeX reports an error, or anything
(math, code, a table, a figure) runs past the right margin. It costs about 50 s of CPU
(Chromium's printing most of it): 504 A4 pages, 7.3 MB.

The zip. The labs as a reader downloads them from their pages (``docs/labs/*.ipynb``,
without outputs), with a README saying how to run them.
"""

from __future__ import annotations

import argparse
import html
import io
import logging
import os
import posixpath
import re
import sys
import time
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]
PDF_NAME = "scratchml.pdf"
ZIP_NAME = "scratchml-labs.zip"
BOOK_HTML = "_book.html"
DEBIAN_CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run"]
TIMEOUT_MS = 300_000
MARGIN_MM = {"top": 18, "bottom": 18, "left": 16, "right": 16}
# the width of A4's text, in CSS pixels (96 per inch): the page is laid out at it
TEXT_MM = 210 - MARGIN_MM["left"] - MARGIN_MM["right"]
TEXT_WIDTH = {"width": round(TEXT_MM / 25.4 * 96), "height": 1100}


@dataclass
class Entry:
    """One page of the nav: its title there, its built file, the part it is in."""

    title: str
    path: str  # e.g. part1/neuron/index.html
    section: str | None = None
    headings: list[tuple[str, str]] = field(default_factory=list)  # h2: text, id


def find_chromium() -> tuple[bool, str | None]:
    """Whether a Chromium can be launched, and its path (None: Playwright's own).

    ``SCRATCHML_CHROMIUM`` decides when set, as for the browser test: a path, or
    ``playwright`` for the Chromium of ``python -m playwright install chromium``.
    Unset: Debian's ``/usr/bin/chromium`` if it exists, else Playwright's own.
    """
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        return False, None
    chosen = os.environ.get("SCRATCHML_CHROMIUM", "").strip()
    if chosen and chosen.lower() != "playwright":
        return Path(chosen).is_file(), chosen
    if not chosen and Path(DEBIAN_CHROMIUM).is_file():
        return True, DEBIAN_CHROMIUM
    with sync_playwright() as p:
        return Path(p.chromium.executable_path).exists(), None


def slug(path: str) -> str:
    """A page's id in the book: ``part1/neuron/index.html`` -> ``part1-neuron``."""
    name = posixpath.dirname(path).strip("/").replace("/", "-")
    return name or "home"


ARTICLE = re.compile(
    r'<article class="md-content__inner md-typeset">(.*)</article>', re.S
)
EDIT_BUTTON = re.compile(r'<a href="[^"]*" title="Edit this page".*?</a>', re.S)
DROPPED = re.compile(r"<script\b.*?</script>|<link\b[^>]*>|<style\b.*?</style>", re.S)
ID = re.compile(r'(\sid=")([^"]+)(")')
URL_ATTR = re.compile(r'(\s(?:href|src)=")([^"]*)(")')
DETAILS = re.compile(r"<details\b(?![^>]*\sopen)")
H2 = re.compile(r'<h2 id="([^"]+)"[^>]*>(.*?)</h2>', re.S)
TAG = re.compile(r"<[^>]+>")


def page_body(site: Path, entry: Entry, pages: dict[str, str], site_url: str) -> str:
    """The content column of one built page, its ids and links made book-wide."""
    text = (site / entry.path).read_text(encoding="utf-8")
    match = ARTICLE.search(text)
    if match is None:
        raise ValueError(f"{entry.path}: no content column (article) in the page")
    body = DROPPED.sub("", EDIT_BUTTON.sub("", match.group(1), count=1))
    here, name = posixpath.dirname(entry.path), slug(entry.path)
    body = ID.sub(lambda m: f"{m.group(1)}{name}--{m.group(2)}{m.group(3)}", body)

    def url(m: re.Match) -> str:
        return (
            m.group(1) + html.escape(link(html.unescape(m.group(2))), True) + m.group(3)
        )

    def link(target: str) -> str:
        parts = urlsplit(target)
        if parts.scheme or target.startswith("//"):
            return target  # another host, mailto:, data:
        if not parts.path:
            return f"#{name}--{parts.fragment}" if parts.fragment else f"#{name}"
        resolved = posixpath.normpath(posixpath.join(here, parts.path))
        if target.endswith("/") or not posixpath.splitext(resolved)[1]:
            resolved = posixpath.join(resolved, "index.html")
        resolved = resolved.removeprefix("./")
        if resolved in pages:  # a page of the book: a link inside the PDF
            inside = pages[resolved]
            return f"#{inside}--{parts.fragment}" if parts.fragment else f"#{inside}"
        if (site / resolved).is_file() and posixpath.splitext(resolved)[1] in {
            ".svg",
            ".png",
            ".jpg",
            ".jpeg",
            ".gif",
        }:
            return resolved  # an image: the book's HTML sits at the site's root
        online = site_url.rstrip("/") + "/" + resolved.removesuffix("index.html")
        return online + (f"#{parts.fragment}" if parts.fragment else "")

    body = URL_ATTR.sub(url, body)
    body = DETAILS.sub("<details open", body)
    entry.headings = [
        (html.unescape(TAG.sub("", t)).replace("\u00b6", "").strip(), i)
        for i, t in H2.findall(body)
    ]
    return f'<section class="book-page" id="{name}">\n{body}\n</section>'


def book_html(site: Path, entries: list[Entry], site_name: str, site_url: str) -> str:
    """One HTML document holding every page of ``entries`` in order."""
    pages = {e.path: slug(e.path) for e in entries}
    contents, section = [], None
    for e in entries:
        if e.section != section and e.section:
            contents.append(f'<li class="book-part">{html.escape(e.section)}</li>')
        section = e.section
        contents.append(
            f'<li><a href="#{slug(e.path)}">{html.escape(e.title)}</a></li>'
        )
    stylesheets = [
        "assets/stylesheets/" + p.name
        for p in sorted((site / "assets" / "stylesheets").glob("*.min.css"))
        if p.name.startswith(("main.", "palette."))
    ]
    stylesheets += [
        "assets/vendor/katex/katex.min.css",
        "assets/notebook.css",
        "stylesheets/extra.css",
        "stylesheets/print.css",
    ]
    links = "\n".join(
        f'<link rel="stylesheet" href="{s}">'
        for s in stylesheets
        if (site / s).is_file()
    )
    bodies = "\n".join(page_body(site, e, pages, site_url) for e in entries)
    return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{html.escape(site_name)}</title>
{links}
</head>
<body class="book" dir="ltr" data-md-color-scheme="default"
      data-md-color-primary="indigo" data-md-color-accent="deep-orange">
<div class="md-content"><article class="md-content__inner md-typeset">
<section class="book-cover">
<h1>{html.escape(site_name)}</h1>
<p class="book-subtitle">Neural networks and the transformer from first principles,
in numpy</p>
<p>The whole book, as <a href="{html.escape(site_url)}">{html.escape(site_url)}</a>
shows it, printed on {time.strftime("%Y-%m-%d", time.gmtime())}. Every code block in it
is run by the book's tests with its printed output compared. The labs' notebooks are in
<a href="{html.escape(site_url)}{ZIP_NAME}">{ZIP_NAME}</a>.</p>
<h2>Contents</h2>
<ul class="book-contents">
{chr(10).join(contents)}
</ul>
</section>
{bodies}
</article></div>
<script src="assets/vendor/katex/katex.min.js"></script>
<script src="assets/vendor/katex/contrib/auto-render.min.js"></script>
<script>
// the delimiters and skipped classes of docs/javascripts/katex.js
renderMathInElement(document.body, {{
  delimiters: [
    {{ left: "$$", right: "$$", display: true }},
    {{ left: "$", right: "$", display: false }},
    {{ left: "\\\\(", right: "\\\\)", display: false }},
    {{ left: "\\\\[", right: "\\\\]", display: true }},
  ],
  ignoredClasses: ["highlight", "jp-OutputArea"],
  throwOnError: false,
}});
window.bookMathDone = true;
</script>
</body>
</html>
"""


def add_outline(pdf: Path, entries: list[Entry]) -> int:
    """Bookmarks: parts, their pages, each page's sections; how many were added.

    Chromium writes a named destination for every id but makes an outline only of a
    tagged PDF (twice the size, and slower to print): pypdf appends one to the file.
    """
    import pypdf

    # Chromium's trailer undercounts its objects; pypdf says so, and it does no harm.
    logging.getLogger("pypdf").setLevel(logging.ERROR)
    writer = pypdf.PdfWriter(io.BytesIO(pdf.read_bytes()), incremental=True)
    dests = writer._root_object["/Dests"].get_object()
    numbers = {p.indirect_reference.idnum: i for i, p in enumerate(writer.pages)}

    def page_of(name: str) -> int:
        target = dests["/" + name].get_object()
        target = target["/D"] if isinstance(target, dict) else target
        return numbers[target[0].idnum]

    added, parts = 0, {}
    for e in entries:
        parent = None
        if e.section:
            if e.section not in parts:
                parts[e.section] = writer.add_outline_item(
                    title=e.section, page_number=page_of(slug(e.path))
                )
                added += 1
            parent = parts[e.section]
        if e.section == e.title and parent is not None:
            item = parent  # the part's own page (part1/index.md) is the part
        else:
            item = writer.add_outline_item(
                title=e.title, page_number=page_of(slug(e.path)), parent=parent
            )
            added += 1
        for title, ident in e.headings:
            writer.add_outline_item(
                title=title, page_number=page_of(ident), parent=item
            )
            added += 1
    writer.page_mode = "/UseOutlines"
    writer.write(str(pdf))
    return added


READY = """async () => {
    await document.fonts.ready;
    const images = [...document.images];
    await Promise.all(images.map(i => i.complete ? null : new Promise(
        done => { i.onload = done; i.onerror = done; })));
    // laid out as printed (print media, the A4 text width): what runs past the margin
    const right = document.querySelector('article').getBoundingClientRect().right;
    const wide = [...document.querySelectorAll(
            '.katex-display, pre, table, img, figure, .jp-OutputArea-output')]
        .filter(e => e.getBoundingClientRect().right > right + 2)
        .map(e => `${e.closest('.book-page')?.id}: ${e.tagName.toLowerCase()} ` +
                  `${Math.round(e.getBoundingClientRect().right - right)} px too wide`);
    return {
        images: images.length,
        broken: images.filter(i => i.naturalWidth === 0).map(i => i.src),
        katexErrors: document.querySelectorAll('.katex-error').length,
        wide: wide,
    };
}"""

FOOTER = (
    '<div style="font-size: 8px; width: 100%; text-align: center; color: #555;">'
    '<span class="pageNumber"></span> / <span class="totalPages"></span></div>'
)


def build_pdf(
    site: Path, entries: list[Entry], site_name: str, site_url: str, out: Path
) -> dict:
    """Print every page of ``entries`` into ``out``; what was measured."""
    from playwright.sync_api import sync_playwright

    usable, executable = find_chromium()
    if not usable:
        raise RuntimeError("no Chromium to print the book's PDF with")
    start = time.monotonic()
    source = site / BOOK_HTML
    source.write_text(book_html(site, entries, site_name, site_url), encoding="utf-8")
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
            try:
                page = browser.new_page(viewport=TEXT_WIDTH)
                page.emulate_media(media="print")
                page.set_default_timeout(TIMEOUT_MS)
                page.route(
                    "**/*",
                    lambda r: (
                        r.continue_()
                        if r.request.url.startswith(("file:", "data:", "blob:"))
                        else r.abort()
                    ),
                )
                page.goto(source.as_uri(), wait_until="load")
                page.wait_for_function("() => window.bookMathDone === true")
                ready = page.evaluate(READY)
                if ready["broken"] or ready["katexErrors"] or ready["wide"]:
                    raise RuntimeError(f"the book's PDF: {ready}")
                page.pdf(
                    path=str(out),
                    format="A4",
                    print_background=True,
                    outline=True,
                    display_header_footer=True,
                    header_template="<div></div>",
                    footer_template=FOOTER,
                    margin={side: f"{mm}mm" for side, mm in MARGIN_MM.items()},
                )
            finally:
                browser.close()
    finally:
        source.unlink(missing_ok=True)
    ready["outline"] = add_outline(out, entries)
    ready["seconds"] = round(time.monotonic() - start, 1)
    ready["bytes"] = out.stat().st_size
    return ready


ZIP_README = """The labs of {name}, the book at {url}

Each notebook runs with the scratchml package installed, from the book's repository:

    git clone https://github.com/scratchml/scratchml && cd scratchml
    python3 -m venv .venv && .venv/bin/python -m pip install -e ".[docs]"
    .venv/bin/jupyter lab            # then open one of these notebooks

The book's pages show each lab executed, with its outputs and plots:
{pages}
"""


def build_labs_zip(labs: list[Path], site_name: str, site_url: str, out: Path) -> None:
    """The labs' notebooks (as a reader downloads them) and a README in one zip."""
    pages = "\n".join(f"    {site_url}labs/{lab.stem}/" for lab in labs)
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        readme = ZIP_README.format(name=site_name, url=site_url, pages=pages)
        z.writestr("scratchml-labs/README.txt", readme)
        for lab in labs:
            z.write(lab, f"scratchml-labs/{lab.name}")


def nav_entries(nav, section: str | None = None) -> list[Entry]:
    """The pages of mkdocs.yml's nav (a list of titles and paths), in order."""
    found = []
    for item in nav:
        if isinstance(item, str):
            item = {None: item}
        for title, value in item.items():
            if isinstance(value, list):
                found += nav_entries(value, title)
                continue
            dest = re.sub(r"\.(md|ipynb)$", "", value)
            dest = dest.removesuffix("index").rstrip("/")
            dest = f"{dest}/index.html" if dest else "index.html"
            found.append(Entry(title or section or dest, dest, section))
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("site", type=Path, help="a site built by mkdocs build")
    args = parser.parse_args()
    import yaml

    config = yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))
    site_url = config["site_url"]
    entries = nav_entries(config["nav"])
    labs = sorted((ROOT / "docs" / "labs").glob("*.ipynb"))
    build_labs_zip(labs, config["site_name"], site_url, args.site / ZIP_NAME)
    report = build_pdf(
        args.site, entries, config["site_name"], site_url, args.site / PDF_NAME
    )
    print(f"{args.site / PDF_NAME}: {report}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
