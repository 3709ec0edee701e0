"""MkDocs hook: what a reader copies and sees in code blocks, and the figures' numbers.

Shell blocks. A ``console`` block shows commands after a ``$ `` prompt and, sometimes,
what they print. Pasted into a terminal, the prompt and the output lines fail, so this
hook writes what the copy button must copy, the commands alone, into the block's
``data-copy`` attribute (Material's clipboard copies that attribute where a block has
one): each ``$ `` line without its prompt, with the continuation lines of a command that
ends in a backslash; every other line is shown output and is left out. In the labs'
Markdown cells (nbconvert) a shell block is a plain ``div.highlight`` whose first span
is Pygments' prompt (``gp``); it gets the same attribute.

Output blocks. The ``text`` block after ``<!--pytest-codeblocks:expected-output-->`` is
what the block above it prints: it gets the classes ``output`` (styled, and labelled
"Output", by ``docs/stylesheets/extra.css``) and ``no-copy`` (Material then gives it no
copy button: it is not code to paste).

Figures. Each image of ``figures/<name>.svg`` becomes a ``<figure>`` numbered per page
("Figure 1", "Figure 2", ...) with a ``<figcaption>`` taken from its alt text (up to the
first sentence end, so a long description stays the image's alt). A page refers to a
figure by number with ``[Figure](#fig-<name>)``: the link text "Figure" becomes
"Figure N".
"""

from __future__ import annotations

import html
import re

CONSOLE = re.compile(
    r'(<div class="language-console highlight")(>.*?<code>)(.*?)(</code>)', re.S
)
LAB_CONSOLE = re.compile(
    r'(<div class="highlight")(><pre><span></span>)(<span class="gp">.*?)(</pre>)', re.S
)
TAG = re.compile(r"<[^>]+>")
OUTPUT_BLOCK = re.compile(
    r'(<!--\s*pytest-codeblocks:expected-output\s*-->\s*<div class="language-text '
    r'highlight)(")'
)


def text_of(code_html: str) -> str:
    return html.unescape(TAG.sub("", code_html))


def commands(shown: str) -> str:
    """The commands of a shell transcript: ``$ `` lines and their continuations."""
    kept, continuing = [], False
    for line in shown.splitlines():
        stripped = line.lstrip()
        if stripped.startswith("$ ") or stripped == "$":
            line = stripped[2:]
        elif not continuing:
            continue  # a shown output line (or a blank one)
        kept.append(line)
        continuing = line.rstrip().endswith("\\")
    return "\n".join(kept)


def set_console_copy(content: str) -> str:
    """Give every shell block of a page a ``data-copy`` holding its commands alone."""

    def copy(m: re.Match) -> str:
        text = html.escape(commands(text_of(m.group(3))), quote=True)
        return f'{m.group(1)} data-copy="{text}"{m.group(2)}{m.group(3)}{m.group(4)}'

    return LAB_CONSOLE.sub(copy, CONSOLE.sub(copy, content))


def mark_outputs(content: str) -> str:
    return OUTPUT_BLOCK.sub(r"\1 output no-copy\2", content)


FIGURE = re.compile(
    r'<p>(<img alt="([^"]*)" src="([^"]*figures/([\w-]+)\.svg)"\s*/?>)</p>'
)
SENTENCE_END = re.compile(r"(?<=[^\d\s.][.!?])\s+(?=[A-Z(])")
FIGURE_REF = re.compile(r'(<a href="#fig-([\w-]+)">)Figure(</a>)')
LEGIBLE_PX = 9  # the smallest label, in CSS pixels, a figure is shown at
SVG_SIZE = re.compile(rb'<svg data-min-font-pt="([\d.]+)" [^>]*?width="([\d.]+)pt"')


def caption(alt: str) -> str:
    """The first sentence of an image's alt text (already HTML-escaped), or its first
    clause when the sentence is long."""
    first = SENTENCE_END.split(alt.strip(), maxsplit=1)[0]
    if len(first) > 180:
        cuts = [i for i in (first.find(": ", 30), first.find("; ", 30)) if i > 0]
        if cuts:
            first = first[: min(cuts)] + "."
    return first


def figure_fonts(files, name: str) -> tuple[float, float] | None:
    """The smallest label's size and the width of figure ``name``, in its points."""
    found = files.get_file_from_path(f"figures/{name}.svg")
    match = SVG_SIZE.search(found.content_bytes) if found is not None else None
    return (float(match.group(1)), float(match.group(2))) if match else None


def number_figures(content: str, files) -> str:
    """Each figure a numbered ``<figure>`` with a caption; ``[Figure](#fig-x)`` links
    numbered."""
    numbers: dict[str, int] = {}

    def figure(m: re.Match) -> str:
        img, alt, name = m.group(1), m.group(2), m.group(4)
        numbers[name] = n = len(numbers) + 1
        fonts, style = figure_fonts(files, name), ""
        if fonts is not None:  # the CSS width at which the smallest label is 9 px
            min_pt, width_pt = fonts
            width = int(LEGIBLE_PX * width_pt / min_pt + 0.999)
            style = (
                f' style="--legible-width: {width}px" data-min-font-pt="{min_pt:g}"'
                f' data-width-pt="{width_pt:g}"'
            )
        return (
            f'<figure class="book-figure" id="fig-{name}"{style}>{img}'
            f'<figcaption><span class="figure-number">Figure {n}.</span> '
            f"{caption(alt)}</figcaption></figure>"
        )

    content = FIGURE.sub(figure, content)

    def reference(m: re.Match) -> str:
        n = numbers.get(m.group(2))
        if n is None:
            raise ValueError(f"a link to #fig-{m.group(2)}, a figure not on this page")
        return f"{m.group(1)}Figure {n}{m.group(3)}"

    return FIGURE_REF.sub(reference, content)


def on_page_content(content, page, config, files):
    return number_figures(mark_outputs(set_console_copy(content)), files)
