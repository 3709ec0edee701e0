"""Figures for part3/batching.md."""

import matplotlib.patches as patches
import numpy as np
from _style import BLUE, GREY, ORANGE, RED, new_figure

from scratchml import CharTokenizer, train_val_split

LIGHT_BLUE, LIGHT_ORANGE, LIGHT_GREY = "#c5cae9", "#ffccbc", "#eeeeee"
TEXT = "it was the best of times,"
START, T = 7, 8  # the window drawn: TEXT[7 : 7 + T + 1] = "the best "


def _cell(ax, x, y, char, face, edge=GREY, color="black"):
    """One character in a unit box whose lower-left corner is (x, y)."""
    ax.add_patch(
        patches.Rectangle((x, y), 1, 1, facecolor=face, edgecolor=edge, lw=0.8)
    )
    shown = "\u2423" if char == " " else char  # an open box marks the space
    ax.text(
        x + 0.5,
        y + 0.45,
        shown,
        ha="center",
        va="center",
        family="monospace",
        color=color,
    )


def _bare(ax):
    ax.set_axis_off()
    ax.set_aspect("equal")


def fig_part3_batching_windows():
    """A window of T + 1 characters becomes x and y, and one window holds T examples."""
    tok = CharTokenizer.from_text(TEXT)
    ids = tok.encode(TEXT)  # (25,)
    window = ids[START : START + T + 1]  # (T + 1,)
    x, y = window[:-1], window[1:]  # (T,) each: y is x shifted by one
    fig, (top, bottom) = new_figure(7.4, 5.6, nrows=2)
    top.get_subplotspec().get_gridspec().set_height_ratios([5.8, 8.6])  # rows of cells

    _bare(top)
    n = len(ids)
    top.set_xlim(-2.6, n + 0.2)
    top.set_ylim(-0.9, 4.9)
    for i, c in enumerate(TEXT):
        inside = START <= i <= START + T
        _cell(top, i, 3.4, c, LIGHT_GREY if not inside else "white", edge=GREY)
        top.text(
            i + 0.5, 4.75, str(i), ha="center", va="center", fontsize=7, color=GREY
        )
    top.add_patch(
        patches.Rectangle(
            (START, 3.4), T + 1, 1, fill=False, edgecolor=RED, lw=2, zorder=3
        )
    )
    top.text(-0.3, 3.9, "text", ha="right", va="center")
    top.text(
        START + (T + 1) / 2,
        2.95,
        f"a window of T + 1 = {T + 1} characters",
        ha="center",
    )
    top.text(-0.3, 1.5, "x (input)", ha="right", va="center", color=BLUE)
    top.text(-0.3, -0.2, "y (target)", ha="right", va="center", color=ORANGE)
    for t in range(T):
        _cell(top, START + t, 1.0, tok.chars[x[t]], LIGHT_BLUE, edge=BLUE)
        _cell(top, START + t + 1, -0.7, tok.chars[y[t]], LIGHT_ORANGE, edge=ORANGE)
        top.annotate(
            "",
            xy=(START + t + 1.35, 0.35),
            xytext=(START + t + 0.65, 0.95),
            arrowprops={"arrowstyle": "->", "color": GREY, "lw": 0.8},
        )
    top.text(START + T + 1.6, 0.5, "y[t] = x[t + 1]:\nthe next character", va="center")
    top.set_title(
        "y is x shifted by one: every position has the next character as its target"
    )

    _bare(bottom)
    bottom.set_xlim(-2.6, T + 6.6)
    bottom.set_ylim(-0.3, T + 0.3)
    for t in range(T):
        row = T - 1 - t
        for j in range(T):
            if j <= t:
                _cell(bottom, j, row, tok.chars[x[j]], LIGHT_BLUE, edge=BLUE)
            else:
                _cell(
                    bottom,
                    j,
                    row,
                    tok.chars[x[j]],
                    "white",
                    edge=LIGHT_GREY,
                    color=LIGHT_GREY,
                )
        bottom.annotate(
            "",
            xy=(T + 1.4, row + 0.5),
            xytext=(T + 0.2, row + 0.5),
            arrowprops={"arrowstyle": "->", "color": GREY, "lw": 0.8},
        )
        _cell(bottom, T + 1.5, row, tok.chars[y[t]], LIGHT_ORANGE, edge=ORANGE)
        bottom.text(-0.3, row + 0.5, f"t = {t}", ha="right", va="center", fontsize=10.5)
    bottom.text(
        T / 2, T + 0.05, "what position t sees (causal mask)", ha="center", va="bottom"
    )
    bottom.text(T + 2.0, T + 0.05, "target", ha="center", va="bottom")
    bottom.text(
        T + 3.0,
        T / 2,
        f"one window,\n{T} examples:\nevery prefix\nand the character\nthat follows it",
        va="center",
    )
    return fig


def fig_part3_batching_split():
    """A contiguous split keeps validation windows apart; a shuffled one does not."""
    text = TEXT * 8
    ids = CharTokenizer.from_text(text).encode(text)  # (200,)
    N, L = len(ids), T + 1
    train_ids, val_ids = train_val_split(ids, val_fraction=0.2)
    n_train = len(train_ids)
    rng = np.random.default_rng(3)
    fig, (top, bottom) = new_figure(7.4, 3.4, nrows=2)
    for ax in (top, bottom):
        ax.set_xlim(-1, N + 1)
        ax.set_ylim(-0.6, 6.0)
        ax.set_yticks([])
        ax.grid(False)
        ax.spines["left"].set_visible(False)
    top.set_title(
        "contiguous split: validation windows come only from the end of the text"
    )
    top.add_patch(patches.Rectangle((0, 0), n_train, 0.6, color=BLUE, alpha=0.35, lw=0))
    top.add_patch(
        patches.Rectangle((n_train, 0), len(val_ids), 0.6, color=ORANGE, lw=0)
    )
    top.text(n_train / 2, 0.3, "training part", ha="center", va="center")
    top.text(n_train + len(val_ids) / 2, 0.3, "validation", ha="center", va="center")
    for k, s in enumerate(rng.integers(0, n_train - L + 1, size=8)):
        top.add_patch(patches.Rectangle((s, 1 + (k % 4)), L, 0.7, color=BLUE, lw=0))
    for k, s in enumerate(rng.integers(0, len(val_ids) - L + 1, size=3)):
        top.add_patch(
            patches.Rectangle((n_train + s, 1.2 + k * 1.3), L, 0.7, color=ORANGE, lw=0)
        )

    bottom.set_title("shuffled windows: every validation window has training neighbors")
    starts = np.arange(N - L + 1)  # every window of the text
    is_val = np.zeros(len(starts), dtype=bool)
    is_val[rng.choice(starts, size=len(starts) // 5, replace=False)] = (
        True  # 20 % validation
    )
    for s in starts:
        bottom.plot(
            [s + 0.5, s + 0.5], [0, 0.6], color=ORANGE if is_val[s] else BLUE, lw=1.2
        )
    bottom.text(N + 1, 0.3, "window starts", ha="left", va="center", fontsize=9)
    shown = [
        s
        for s in starts[10:-10]
        if is_val[s] and not is_val[s - 1] and not is_val[s + 1]
    ]
    for s in shown[::4][:4]:
        bottom.add_patch(patches.Rectangle((s, 1.0), L, 0.7, color=ORANGE, lw=0))
        bottom.add_patch(patches.Rectangle((s - 1, 2.1), L, 0.7, color=BLUE, lw=0))
        bottom.add_patch(patches.Rectangle((s + 1, 3.2), L, 0.7, color=BLUE, lw=0))
    bottom.text(
        N / 2,
        4.7,
        "a validation window (orange) and the training windows one position before "
        "and "
        f"after it:\neach shares {L - 1} of its {L} characters",
        ha="center",
        va="center",
        fontsize=9,
    )
    bottom.set_xlabel("position in the text (token index)")
    return fig
