"""MkDocs hook: the book to take away, one PDF and a zip of the labs' notebooks.

After ``mkdocs build`` this hook writes, beside the pages, ``scratchml-labs.zip`` (the
labs as their pages offer them for download, with a README) and ``scratchml.pdf`` (every
page in the nav's order, printed by headless Chromium: ``tools/build_pdf.py`` says how).
The home page links to both.

The PDF needs Playwright (the test extra) and a Chromium; ``SCRATCHML_PDF`` decides:

- unset or ``auto``: made by ``mkdocs build`` when a Chromium is found, not by
  ``mkdocs serve`` (printing the book takes half a minute; an edit must show in
  seconds);
- ``1``: made, and the build fails without a Chromium (``make pdf``, the tests under
  ``SCRATCHML_REQUIRE_BROWSER=1``, the workflow that publishes the book);
- ``0``: not made.

Where it is not made, the home page says so and how to make it instead of linking to a
file that is not there (the zip is always made: it takes no time).
"""

from __future__ import annotations

import importlib.util
import logging
import os
import re
import sys
from pathlib import Path

from mkdocs.exceptions import PluginError

ROOT = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location(
    "scratchml_build_pdf", ROOT / "tools" / "build_pdf.py"
)
build_pdf = sys.modules[_spec.name] = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(build_pdf)

log = logging.getLogger("mkdocs.hooks.offline")
_state = {"command": "build", "pdf": False, "nav": None}
PDF_LINK = re.compile(r'<a href="scratchml\.pdf"[^>]*>(.*?)</a>', re.S)
NOT_MADE = (
    "{text} (not in this build: <code>make pdf</code> makes it; "
    "<code>make serve</code> skips it to stay fast)"
)


def on_startup(command, dirty):
    _state["command"] = command


def on_config(config):
    mode = os.environ.get("SCRATCHML_PDF", "").strip().lower() or "auto"
    if mode not in {"auto", "0", "1"}:
        raise PluginError(f"SCRATCHML_PDF must be auto, 0 or 1, got {mode!r}")
    if mode == "0" or (mode == "auto" and _state["command"] == "serve"):
        _state["pdf"] = False
        return config
    usable, _ = build_pdf.find_chromium()
    if mode == "1" and not usable:
        raise PluginError(
            "SCRATCHML_PDF=1 but no Chromium to print the book with: install the test "
            "extra's Playwright and Debian's chromium, or run python -m playwright "
            "install chromium"
        )
    if not usable:
        log.info("no Chromium found: the book's PDF is not made (make pdf says why)")
    _state["pdf"] = usable
    return config


def entries_of(items, section=None) -> list:
    found = []
    for item in items:
        if item.is_section:
            found += entries_of(item.children, item.title)
        elif item.is_page:
            found.append(build_pdf.Entry(item.title, item.file.dest_uri, section))
    return found


def on_nav(nav, config, files):
    _state["nav"] = nav  # the titles of untitled entries are known after the build
    return nav


def on_page_content(content, page, config, files):
    if page.file.src_uri != "index.md" or _state["pdf"]:
        return content
    return PDF_LINK.sub(lambda m: NOT_MADE.format(text=m.group(1)), content)


def on_post_build(config):
    site = Path(config["site_dir"])
    labs = sorted((Path(config["docs_dir"]) / "labs").glob("*.ipynb"))
    name, url = config["site_name"], config["site_url"]
    build_pdf.build_labs_zip(labs, name, url, site / build_pdf.ZIP_NAME)
    if not _state["pdf"]:
        return
    entries = entries_of(_state["nav"].items)
    report = build_pdf.build_pdf(site, entries, name, url, site / build_pdf.PDF_NAME)
    log.info(
        f"{build_pdf.PDF_NAME}: {report['bytes'] / 1e6:.1f} MB in "
        f"{report['seconds']} s ({len(entries)} pages of the nav)"
    )
