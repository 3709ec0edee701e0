"""MkDocs hook: every package listing links to the API reference of its module.

A chapter shows a module's code under a title such as ``scratchml/layers.py`` (or
``excerpt of class Dense in scratchml/layers.py``). At the right end of that title bar
this hook puts a link, "API reference (full docstrings)", to the page of ``docs/api/``
that documents the module (the page with the most ``::: scratchml.<module>.<name>``
entries of it), so a reader goes from the code being taught to its documented
signatures in one click; the link's text also says that the listing shows only each
docstring's summary (hooks/listings.py). The title itself, and so what the copy button
copies, is unchanged.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

from mkdocs.utils import get_relative_url

ENTRY = re.compile(r"^::: scratchml\.(\w+)\.\w+", re.MULTILINE)
TITLE = re.compile(
    r'(<span class="filename">(?:excerpt of [^<]* in )?scratchml/(\w+)\.py</span>)'
)
_TIP = "The listing shows each docstring's summary; the API reference has them in full"
_pages: dict[str, str] = {}  # module -> the API page's URL (api/layers/)


def on_config(config):
    """Map each module to the API page that documents most of its names."""
    counts: dict[str, Counter] = {}
    for md in sorted((Path(config["docs_dir"]) / "api").glob("*.md")):
        for module in ENTRY.findall(md.read_text(encoding="utf-8")):
            counts.setdefault(module, Counter())[f"api/{md.stem}/"] += 1
    _pages.clear()
    _pages.update({m: c.most_common(1)[0][0] for m, c in counts.items()})
    return config


def on_page_content(html, page, config, files):
    if page.url.startswith("api/"):
        return html

    def link(match: re.Match) -> str:
        target = _pages.get(match.group(2))
        if target is None:
            return match.group(1)
        href = get_relative_url(target, page.url)
        # before the title: Material styles a title directly followed by its code block
        return (
            f'<a class="api-link" href="{href}" title="{_TIP}">API reference '
            f"(full docstrings)</a>{match.group(1)}"
        )

    return TITLE.sub(link, html)
