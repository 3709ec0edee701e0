"""MkDocs hook: the API reference's search entries without table furniture.

mkdocstrings renders a docstring's Parameters, Returns and Attributes as tables, and
Material's search indexes every cell, so each entry of the API pages would carry the
column headers (``Name Type Description Default``) and a ``required`` for every
parameter without a default: words a reader never searches for, repeated on every
function. After the search plugin has written its index, this hook removes them from the
entries of ``api/`` pages. Names, types, descriptions and defaults stay; the pages
themselves are not touched.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from mkdocs.plugins import event_priority

# "<p>Parameters:</p> Name Type Description Default" -> "<p>Parameters:</p>"
HEADER = re.compile(
    r"(<p>[A-Z][A-Za-z ]*:</p>) (?:Name )?Type Description(?: Default)?(?= |$)"
)
# the Default cell of a parameter without a default, right after its description
REQUIRED = re.compile(r"(</p>|</code>) required(?= |$)")


def clean(text: str) -> str:
    """One search entry's text without the table headers and ``required`` cells."""
    return REQUIRED.sub(r"\1", HEADER.sub(r"\1", text))


@event_priority(-100)  # after the search plugin has written its index
def on_post_build(config, **kwargs):
    index = Path(config["site_dir"]) / "search" / "search_index.json"
    if not index.exists():
        return
    data = json.loads(index.read_text(encoding="utf-8"))
    for doc in data.get("docs", []):
        if doc.get("location", "").startswith("api/") and "text" in doc:
            doc["text"] = clean(doc["text"])
    index.write_text(
        json.dumps(data, ensure_ascii=False, separators=(",", ":")), "utf-8"
    )
