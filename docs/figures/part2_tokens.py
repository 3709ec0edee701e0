"""Figures for part2/tokens.md."""

import matplotlib.patches as patches
import numpy as np
from _style import BLUE, GREY, ORANGE, new_figure, show_char

from scratchml import CharTokenizer

# The opening of "Alice's Adventures in Wonderland" by Lewis Carroll (1865), public
# domain.
PASSAGE = (
    "Alice was beginning to get very tired of sitting by her sister on the bank, and "
    "of "
    "having nothing to do: once or twice she had peeped into the book her sister was "
    "reading, "
    'but it had no pictures or conversations in it, "and what is the use of a book," '
    "thought "
    'Alice "without pictures or conversations?"'
)


def _cell(ax, x, y, w, h, text, color, text_color="white", fontsize=11.5):
    ax.add_patch(
        patches.FancyBboxPatch(
            (x - w / 2, y - h / 2),
            w,
            h,
            boxstyle="round,pad=0.01,rounding_size=0.06",
            facecolor=color,
            edgecolor="none",
            zorder=2,
        )
    )
    ax.text(
        x,
        y,
        text,
        ha="center",
        va="center",
        color=text_color,
        fontsize=fontsize,
        zorder=3,
    )


def fig_part2_tokens_text_to_ids():
    """Top: the passage's vocabulary with the id of each character. Bottom: a text
    encoded."""
    tok = CharTokenizer.from_text(PASSAGE)
    text = "thought Alice"
    ids = tok.encode(text)  # (len(text),)
    V = tok.vocab_size
    fig, ax = new_figure(7.2, 3.2)
    ax.set_axis_off()
    ax.set_xlim(-0.6, V - 0.4)
    ax.set_ylim(-0.2, 5.2)
    ax.text(
        -0.6, 4.95, f"the vocabulary: {V} characters, sorted", fontsize=11, color=GREY
    )
    for i, c in enumerate(tok.chars):
        _cell(ax, i, 4.25, 0.86, 0.6, show_char(c), BLUE, fontsize=10.5)
        ax.text(i, 3.7, str(i), ha="center", va="center", fontsize=8.5, color=GREY)
    step = 1.9  # horizontal spacing of the encoded characters
    x0 = (V - 1) / 2 - step * (len(text) - 1) / 2
    ax.text(-0.6, 2.95, f'encode("{text}")', fontsize=11, color=GREY)
    for j, (c, i) in enumerate(zip(text, ids.tolist(), strict=True)):
        x = x0 + step * j
        _cell(ax, x, 2.25, 1.5, 0.6, show_char(c), BLUE)
        ax.annotate(
            "",
            xy=(x, 1.05),
            xytext=(x, 1.9),
            arrowprops={"arrowstyle": "->", "color": GREY},
        )
        _cell(ax, x, 0.65, 1.5, 0.6, str(i), ORANGE)
    ax.text(-0.6, 0.0, "ids: one integer per character", fontsize=11, color=GREY)
    return fig


def fig_part2_tokens_frequencies():
    """How often each character of the vocabulary occurs in the passage, most frequent
    first."""
    tok = CharTokenizer.from_text(PASSAGE)
    counts = np.bincount(tok.encode(PASSAGE), minlength=tok.vocab_size)  # (V,)
    order = np.argsort(-counts, kind="stable")  # (V,): most frequent first
    fig, ax = new_figure(7.0, 2.8)
    ax.bar(np.arange(tok.vocab_size), counts[order], color=BLUE)
    ax.set_xticks(np.arange(tok.vocab_size), [show_char(tok.chars[i]) for i in order])
    ax.set_xlim(-0.7, tok.vocab_size - 0.3)
    ax.set_ylabel("occurrences")
    ax.set_title(
        f"characters in the passage ({len(PASSAGE)} characters, {tok.vocab_size} "
        "distinct)"
    )
    ax.grid(axis="x", visible=False)
    return fig
