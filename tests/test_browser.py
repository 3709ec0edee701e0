"""Open every page of the built book in headless Chromium, as a reader would.

The site is served on 127.0.0.1; Chromium (Debian's ``/usr/bin/chromium``, driven by
Playwright's Python package) loads each page and the test asserts: no console error, no
failed request, no request to any host but the local server, math rendered by KaTeX, a
copy button on every code block, every image loaded; and what a reader would notice:
no raw icon shortcode (``:octicons-...:``), exactly one h1, no sideways page scroll on a
390 px phone, and no serious or critical axe-core violation (WCAG 2.1 A and AA rules) in
the light and the dark scheme. It also searches the book. A screenshot of every page is
saved under a temporary folder (its path is printed) so a person can look.

axe-core is the npm package, installed into ``.venv/node`` by ``make axe`` (``.ci/run``
calls it); ``SCRATCHML_AXE`` may point at another ``axe.min.js``. Without Chromium or
axe the tests skip with the reason; with ``SCRATCHML_REQUIRE_BROWSER=1`` (set by
``.ci/run`` and the GitHub workflow) they fail instead.
``SCRATCHML_PAGES=part1/neuron.md`` opens only the pages listed (``make check-page``
sets it, with a cached site).
"""

import functools
import http.server
import os
import tempfile
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlparse

import pytest
from _copy_paste import selected_pages

ROOT = Path(__file__).resolve().parents[1]
AXE_DEFAULT = ROOT / ".venv" / "node" / "node_modules" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
PHONE = {"width": 390, "height": 844}
SITE_PATH = "/scratchml/"  # the path of site_url in mkdocs.yml

pytestmark = pytest.mark.slow

DEBIAN_CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def find_chromium() -> str | None:
    """The Chromium to launch: a path, or None for Playwright's own browser.

    ``SCRATCHML_CHROMIUM`` decides when set: a path to an executable, or ``playwright``
    for the Chromium that ``python -m playwright install chromium`` downloads (the
    GitHub workflow's). Unset: Debian's ``/usr/bin/chromium`` if it exists, else
    Playwright's own. No other path is guessed: on Ubuntu 24.04 ``chromium-browser``
    is a stub for a snap that does not run headless in CI.
    """
    chosen = os.environ.get("SCRATCHML_CHROMIUM", "").strip()
    if chosen.lower() == "playwright":
        return None
    if chosen:
        if not Path(chosen).is_file():
            require_or_skip(f"SCRATCHML_CHROMIUM={chosen} is not a file")
        return chosen
    return DEBIAN_CHROMIUM if Path(DEBIAN_CHROMIUM).is_file() else None


# Pages are visited by this many Chromiums at once, each driven from its own thread
# (Playwright's sync API serves the thread that started it). A visit is mostly axe-core
# and rendering, on one core: on 2 cores, 2 workers took the 57 pages from 251 s to
# 180 s, and 3 or 4 workers took 180 s too.
WORKERS = int(os.environ.get("SCRATCHML_BROWSER_WORKERS", "2"))


def launch(p):
    """A headless Chromium from the Playwright instance ``p``."""
    return p.chromium.launch(executable_path=find_chromium(), args=CHROMIUM_ARGS)


def require_or_skip(reason: str):
    if os.environ.get("SCRATCHML_REQUIRE_BROWSER") == "1":
        pytest.fail(f"{reason} (SCRATCHML_REQUIRE_BROWSER=1)", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="module")
def browser():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        require_or_skip("Playwright's Python package is not installed")
    executable = find_chromium()
    with sync_playwright() as p:
        if executable is None and not Path(p.chromium.executable_path).exists():
            require_or_skip(
                "no Chromium found: install Debian's chromium, or run python -m "
                "playwright install chromium, or set SCRATCHML_CHROMIUM to a path"
            )
        b = launch(p)
        yield b
        b.close()


@pytest.fixture(scope="module")
def axe_source() -> str:
    path = Path(os.environ.get("SCRATCHML_AXE") or AXE_DEFAULT)
    if not path.exists():
        require_or_skip(
            f"axe-core not found at {path} (run make axe, or set SCRATCHML_AXE)"
        )
    return path.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def server(built_site):
    class Quiet(http.server.SimpleHTTPRequestHandler):
        """Serves the site at / and, as GitHub Pages does, at its site_url path
        (/scratchml/: the 404 page's links use it); a missing page gets 404.html."""

        def log_message(self, *args):
            pass

        def translate_path(self, path):
            if path.startswith(SITE_PATH):
                path = path[len(SITE_PATH) - 1 :]
            return super().translate_path(path)

        def send_error(self, code, message=None, explain=None):
            page = built_site / "404.html"
            if code != 404 or not page.exists():
                return super().send_error(code, message, explain)
            body = page.read_bytes()
            self.send_response(404)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    handler = functools.partial(Quiet, directory=str(built_site))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


@pytest.fixture(scope="module")
def shots() -> Path:
    folder = Path(tempfile.mkdtemp(prefix="scratchml-screenshots-"))
    print(f"\nscreenshots: {folder}")
    return folder


def page_urls(site: Path) -> list[str]:
    pages = sorted(site.rglob("index.html"))
    urls = [
        "/" + str(p.parent.relative_to(site)).replace(".", "").strip("/") for p in pages
    ]
    only = selected_pages()  # SCRATCHML_PAGES=part1/neuron.md: that page alone
    if only is None:
        return urls
    wanted = {"/" + str(Path(p).with_suffix("")).removesuffix("index") for p in only}
    return [u for u in urls if u in {w.rstrip("/") or "/" for w in wanted}]


AXE_RUN = """async (tags) => {
    const result = await axe.run(document, {
        runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']});
    return result.violations
        .filter(v => v.impact === 'serious' || v.impact === 'critical')
        .map(v => `${v.id} (${v.impact}, ${v.nodes.length}): ` +
                  v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(' | '));
}"""

SIDEWAYS = """() => {
    const root = document.documentElement;
    return root.scrollWidth > root.clientWidth + 1 ? root.scrollWidth : 0;
}"""


# What a reader meets (shell copy text, raw TeX, output blocks, lab stderr, box text
# size, figure numbers and label size; on a phone: math, tables, lab cells).
READER_CHECKS = (Path(__file__).parent / "reader_checks.js").read_text(encoding="utf-8")


# Waits for a condition, never for a fixed time: on a loaded machine a fixed wait runs
# out before the page is ready. Each condition is polled on animation frames.
READY = """() => {
    const content = document.querySelector('.md-content') || document.body;
    const math = [...content.querySelectorAll('.arithmatex')]
        .every(e => e.querySelector('.katex, .katex-error'));
    const images = [...content.querySelectorAll('img')].every(i => i.complete);
    return math && images && document.fonts.status === 'loaded';
}"""

SETTLED = """(width) => window.innerWidth === width &&
    document.getAnimations().every(a => !(a instanceof CSSTransition) ||
                                       a.playState !== 'running')"""


def settle(page, timeout: float = 30_000) -> None:
    """Wait until the page is ready (math rendered by KaTeX, images and fonts loaded)
    and still (the viewport as set, no transition running), then two more frames, so
    that what the theme's scripts do on a change of size or scheme is done. On a
    timeout the checks run anyway and report what is not ready."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    width = page.viewport_size["width"] if page.viewport_size else 0
    try:
        page.wait_for_function(READY, timeout=timeout, polling="raf")
        page.wait_for_function(SETTLED, arg=width, timeout=timeout, polling="raf")
    except PlaywrightTimeout:
        pass
    page.evaluate(
        "() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))"
    )


def light(page) -> None:
    """Back to Material's default (light) scheme."""
    page.evaluate(
        """() => { for (const e of [document.body, document.documentElement]) {
                     e.setAttribute('data-md-color-scheme', 'default'); } }"""
    )
    settle(page)


def axe(page, source: str) -> list[str]:
    """The serious and critical axe-core violations of the page as it is now."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(content=source)
    return page.evaluate(AXE_RUN, AXE_TAGS)


def dark(page) -> None:
    """Switch the page to Material's slate scheme, as its palette toggle does."""
    page.evaluate(
        """() => {
             // The theme animates color changes: measure the colors, not a transition.
             const still = document.createElement('style');
             still.textContent = '*, *::before, *::after ' +
                 '{ transition: none !important; animation: none !important; }';
             document.head.append(still);
             for (const e of [document.body, document.documentElement]) {
               e.setAttribute('data-md-color-scheme', 'slate'); } }"""
    )
    settle(page)


def visit(browser, url: str, screenshot: Path, axe_source: str) -> dict:
    """Load ``url``; return what went wrong and what the page holds."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    report = {"console": [], "failed": [], "foreign": [], "bad_status": []}
    page.on(
        "console",
        lambda m: report["console"].append(m.text) if m.type == "error" else None,
    )
    page.on("pageerror", lambda e: report["console"].append(str(e)))
    page.on(
        "requestfailed", lambda r: report["failed"].append(f"{r.url} ({r.failure})")
    )
    page.on(
        "response",
        lambda r: (
            report["bad_status"].append(f"{r.url} {r.status}")
            if r.status >= 400
            else None
        ),
    )

    def guard(route):
        host = urlparse(route.request.url).hostname
        if route.request.url.startswith(("data:", "blob:")) or host in {
            "127.0.0.1",
            "localhost",
        }:
            route.continue_()
        else:
            report["foreign"].append(route.request.url)
            route.abort()

    context.route("**/*", guard)
    page.goto(url, wait_until="networkidle")
    settle(page)  # KaTeX done, images and fonts loaded
    report.update(
        page.evaluate(
            """() => {
            const content = document.querySelector('.md-content') || document.body;
            const clone = content.cloneNode(true);
            clone.querySelectorAll('pre, code, .katex, style, script')
                 .forEach(e => e.remove());
            const text = clone.innerText;
            // An output block (hooks/reader.py: .no-copy) is not code to paste.
            const blocks = [...content.querySelectorAll('pre > code')]
                .filter(c => !c.closest('.no-copy'));
            const shortcodes = text.match(
                /:(octicons|material|fontawesome|simple)-[a-z0-9-]+:/g);
            return {
              shortcodes: shortcodes || [],
              h1: document.querySelectorAll('h1').length,
              arithmatex: content.querySelectorAll('.arithmatex').length,
              katex: content.querySelectorAll('.arithmatex .katex').length,
              katexErrors:
                content.querySelectorAll('.katex-error').length,
              rawMath: ['$$', '\\\\(', '\\\\)', '\\\\[', '\\\\]']
                .filter(d => text.includes(d)),
              codeBlocks: blocks.length,
              withoutCopy: blocks.filter(c => !c.parentElement.querySelector(
                  '[data-md-type="copy"], .md-clipboard'))
                                 .map(c => c.innerText.slice(0, 60)),
              brokenImages: [...content.querySelectorAll('img')]
                 .filter(i => !i.complete || i.naturalWidth === 0).map(i => i.src),
            };
        }"""
        )
    )
    page.screenshot(path=str(screenshot), full_page=True)
    report["reader_1280_light"] = page.evaluate(READER_CHECKS)
    report["axe_light"] = axe(page, axe_source)
    dark(page)
    report["reader_1280_dark"] = page.evaluate(READER_CHECKS)
    report["axe_dark"] = axe(page, axe_source)
    page.set_viewport_size(PHONE)
    settle(page)
    report["sideways_390"] = page.evaluate(SIDEWAYS)
    report["reader_390_dark"] = page.evaluate(READER_CHECKS)
    light(page)
    report["reader_390_light"] = page.evaluate(READER_CHECKS)
    context.close()
    return report


def visit_all(urls: list[str], server: str, shots: Path, axe_source: str) -> dict:
    """``visit`` every page, ``WORKERS`` at a time, each worker with its own Chromium;
    the reports by url, in the order of ``urls``."""
    from playwright.sync_api import sync_playwright

    def one(b, path: str) -> dict:
        url = server + path + ("/" if path != "/" else "")
        name = (path.strip("/") or "home").replace("/", "_") + ".png"
        return visit(b, url, shots / name, axe_source)

    def work(chunk: list[str]) -> dict:
        with sync_playwright() as p:
            b = launch(p)
            try:
                return {path: one(b, path) for path in chunk}
            finally:
                b.close()

    chunks = [c for c in (urls[i::WORKERS] for i in range(WORKERS)) if c]
    with ThreadPoolExecutor(len(chunks)) as pool:
        reports = {k: v for part in pool.map(work, chunks) for k, v in part.items()}
    return {path: reports[path] for path in urls}


def test_every_page_renders_cleanly(browser, server, built_site, shots, axe_source):
    """``browser`` is asked for so that a missing Chromium skips (or fails) the test;
    the pages are visited by ``visit_all``'s own Chromiums, in parallel."""
    urls = page_urls(built_site)
    assert urls
    problems = []
    for path, r in visit_all(urls, server, shots, axe_source).items():
        checks = [
            "console",
            "failed",
            "foreign",
            "bad_status",
            "rawMath",
            "withoutCopy",
        ]
        readers = [f"reader_{w}_{s}" for w in (1280, 390) for s in ("light", "dark")]
        for key in [*checks, *readers, "shortcodes", "axe_light", "axe_dark"]:
            if r[key]:
                problems.append(f"{path}: {key}: {r[key]}")
        if r["h1"] != 1:
            problems.append(f"{path}: {r['h1']} h1 headings, expected exactly one")
        if r["sideways_390"]:
            problems.append(
                f"{path}: at 390 px the page is {r['sideways_390']} px wide"
            )
        if r["brokenImages"]:
            problems.append(f"{path}: images that did not load: {r['brokenImages']}")
        if r["katexErrors"] or r["katex"] < r["arithmatex"]:
            problems.append(
                f"{path}: {r['arithmatex']} math spans, {r['katex']} rendered by "
                "KaTeX, "
                f"{r['katexErrors']} KaTeX errors"
            )
    assert not problems, "\n".join(problems)
    assert len(list(shots.glob("*.png"))) == len(urls)


def test_a_missing_page_offers_search_and_the_parts(browser, server, axe_source):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    failed = []
    page.on(
        "response",
        lambda r: (
            failed.append(f"{r.url} {r.status}")
            if r.status >= 400 and "no-such-page" not in r.url
            else None
        ),
    )
    response = page.goto(
        server + SITE_PATH + "part2/no-such-page/", wait_until="networkidle"
    )
    links = page.eval_on_selector_all(
        ".md-content a[href]", "as => as.map(a => a.href)"
    )
    found = page.locator(".md-content label[for='__search']").count()
    light = axe(page, axe_source)
    dark(page)
    darks = axe(page, axe_source)
    page.locator(".md-content label[for='__search']").click()
    search_open = page.evaluate("() => document.getElementById('__search').checked")
    for link in links:
        if "/part" in link:
            assert page.request.get(link).status == 200, link
    context.close()
    assert response.status == 404
    assert found == 1 and search_open, "no search button on the 404 page"
    parts = {f"{SITE_PATH}part{n}/" for n in (1, 2, 3)}
    assert parts <= {urlparse(link).path for link in links}, links
    assert not failed and not light and not darks, (failed, light, darks)


def test_search_finds_a_word_of_the_book(browser, server):
    context = browser.new_context()
    page = context.new_page()
    page.goto(server + "/", wait_until="networkidle")
    page.keyboard.press(
        "s"
    )  # the theme's shortcut opens the search box, as a reader would
    page.keyboard.type("bias", delay=30)
    page.wait_for_selector(".md-search-result__item", timeout=10_000)
    titles = page.locator(".md-search-result__item").all_inner_texts()
    context.close()
    assert any("neuron" in t.lower() for t in titles), titles


UNCOPIED = "(nothing copied yet)"


def test_the_copy_button_of_a_shell_block_copies_its_commands(browser, server):
    """Press the copy button of every shell block on two pages, at 1280 and 390 px, and
    read the clipboard back: the commands, without prompt or output, as typed."""
    copied = []
    for viewport in ({"width": 1280, "height": 900}, PHONE):
        context = browser.new_context(
            viewport=viewport, permissions=["clipboard-read", "clipboard-write"]
        )
        page = context.new_page()
        for path in ("/part4/loading-weights/", "/part4/training-bpe/"):
            page.goto(server + path, wait_until="networkidle")
            blocks = page.locator(".md-content .language-console")
            assert blocks.count() >= 1, path
            for i in range(blocks.count()):
                block = blocks.nth(i)
                block.scroll_into_view_if_needed()
                block.hover()
                page.evaluate(f"() => navigator.clipboard.writeText('{UNCOPIED}')")
                block.locator('[data-md-type="copy"], .md-clipboard').first.click()
                page.wait_for_function(
                    f"async () => (await navigator.clipboard.readText()) !== "
                    f"'{UNCOPIED}'",
                    timeout=30_000,
                )
                copied.append(page.evaluate("() => navigator.clipboard.readText()"))
        context.close()
    assert len(copied) >= 6, copied
    for text in copied:
        lines = text.splitlines()
        # a command, perhaps after a variable (SCRATCHML_GPT2_DIR=gpt2 ...)
        command = (
            lines[0].split(" ", 1)[-1] if "=" in lines[0].split(" ")[0] else lines[0]
        )
        assert lines and command.startswith(("python ", "hf ", ".venv/bin/")), text
        assert not any(line.lstrip().startswith("$") for line in lines), text
    multi = [t for t in copied if "--n-layers 2" in t]
    assert multi and all(t.count("python -m scratchml") == 2 for t in multi), multi
