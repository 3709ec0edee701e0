"""Open every page of the built book in headless Chromium, as a reader would.

The site is served on 127.0.0.1; Chromium (Debian's ``/usr/bin/chromium``, driven by
Playwright's Python package) loads each page and the test asserts: no console error, no
failed request, no request to any host but the local server, math rendered by KaTeX, a
copy button on every code block, every image loaded. It also searches the book. A
screenshot of every page is saved under a temporary folder (its path is printed) so a
person can look.

Without Chromium the tests skip with the reason; with ``SCRATCHML_REQUIRE_BROWSER=1``
(set by ``.ci/run`` and the GitHub workflow) they fail instead.
"""

import functools
import http.server
import os
import shutil
import tempfile
import threading
from pathlib import Path
from urllib.parse import urlparse

import pytest

pytestmark = pytest.mark.slow

CHROMIUM_CANDIDATES = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"]
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
    env = os.environ.get("SCRATCHML_CHROMIUM")
    for path in [env, *CHROMIUM_CANDIDATES, shutil.which("chromium")]:
        if path and Path(path).exists():
            return path
    return None


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
    if executable is None:
        require_or_skip("no Chromium found (install Debian's chromium, or set SCRATCHML_CHROMIUM)")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture(scope="module")
def server(built_site):
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

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
    return ["/" + str(p.parent.relative_to(site)).replace(".", "").strip("/") for p in pages]


def visit(browser, url: str, screenshot: Path) -> dict:
    """Load ``url``; return what went wrong and what the page holds."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    report = {"console": [], "failed": [], "foreign": [], "bad_status": []}
    page.on(
        "console",
        lambda m: report["console"].append(m.text) if m.type == "error" else None,
    )
    page.on("pageerror", lambda e: report["console"].append(str(e)))
    page.on("requestfailed", lambda r: report["failed"].append(f"{r.url} ({r.failure})"))
    page.on(
        "response",
        lambda r: report["bad_status"].append(f"{r.url} {r.status}") if r.status >= 400 else None,
    )

    def guard(route):
        host = urlparse(route.request.url).hostname
        if route.request.url.startswith(("data:", "blob:")) or host in {"127.0.0.1", "localhost"}:
            route.continue_()
        else:
            report["foreign"].append(route.request.url)
            route.abort()

    context.route("**/*", guard)
    page.goto(url, wait_until="networkidle")
    page.wait_for_timeout(150)  # let KaTeX finish
    report.update(
        page.evaluate(
            """() => {
            const content = document.querySelector('.md-content') || document.body;
            const clone = content.cloneNode(true);
            clone.querySelectorAll('pre, code, .katex, style, script').forEach(e => e.remove());
            const text = clone.innerText;
            const blocks = [...content.querySelectorAll('pre > code')];
            return {
              arithmatex: content.querySelectorAll('.arithmatex').length,
              katex: content.querySelectorAll('.arithmatex .katex').length,
              katexErrors: content.querySelectorAll('.katex-error').length,
              rawMath: ['$$', '\\\\(', '\\\\)', '\\\\[', '\\\\]'].filter(d => text.includes(d)),
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
    context.close()
    return report


def test_every_page_renders_cleanly(browser, server, built_site, shots):
    urls = page_urls(built_site)
    assert urls
    problems = []
    for path in urls:
        name = (path.strip("/") or "home").replace("/", "_") + ".png"
        r = visit(browser, server + path + ("/" if path != "/" else ""), shots / name)
        for key in ["console", "failed", "foreign", "bad_status", "rawMath", "withoutCopy"]:
            if r[key]:
                problems.append(f"{path}: {key}: {r[key]}")
        if r["brokenImages"]:
            problems.append(f"{path}: images that did not load: {r['brokenImages']}")
        if r["katexErrors"] or r["katex"] < r["arithmatex"]:
            problems.append(
                f"{path}: {r['arithmatex']} math spans, {r['katex']} rendered by KaTeX, "
                f"{r['katexErrors']} KaTeX errors"
            )
    assert not problems, "\n".join(problems)
    assert len(list(shots.glob("*.png"))) == len(urls)


def test_search_finds_a_word_of_the_book(browser, server):
    context = browser.new_context()
    page = context.new_page()
    page.goto(server + "/", wait_until="networkidle")
    page.keyboard.press("s")  # the theme's shortcut opens the search box, as a reader would
    page.keyboard.type("bias", delay=30)
    page.wait_for_selector(".md-search-result__item", timeout=10_000)
    titles = page.locator(".md-search-result__item").all_inner_texts()
    context.close()
    assert any("neuron" in t.lower() for t in titles), titles
