"""Figures for part2/masking.md."""

import numpy as np
from _style import new_figure
from matplotlib.colors import ListedColormap

from scratchml import causal_mask, scaled_dot_product_attention

TOKENS = ["the", "cat", "sat", "on", "the", "mat"]
HIDDEN = "#d9d9d9"  # light grey for the cells the mask hides


def _grid(ax, title):
    ticks = np.arange(len(TOKENS))
    ax.set_xticks(ticks, TOKENS)
    ax.set_yticks(ticks, TOKENS)
    ax.xaxis.tick_top()
    ax.grid(False)
    ax.set_title(title, y=-0.13)


def fig_part2_masking_triangle():
    """The causal mask, the scores with -inf above the diagonal, and the weights."""
    T, d = len(TOKENS), 4
    rng = np.random.default_rng(0)  # the page's queries, keys and values
    q, k, v = (rng.standard_normal((T, d)) for _ in range(3))  # each (6, 4)
    mask = causal_mask(T)  # (6, 6)
    scores = q @ k.T / np.sqrt(d)  # (6, 6)
    _, weights = scaled_dot_product_attention(q, k, v, mask=mask)  # (6, 6)

    fig, (left, middle, right) = new_figure(10.5, 3.9, ncols=3)
    left.imshow(mask, cmap=ListedColormap([HIDDEN, "#7986cb"]), vmin=0, vmax=1)
    for i in range(T):
        for j in range(T):
            left.text(
                j,
                i,
                "see" if mask[i, j] else "hide",
                ha="center",
                va="center",
                fontsize=9,
            )
    _grid(left, "mask: row $i$ sees column $j$ if $j \\leq i$")
    left.set_ylabel("query (looking)")

    # (6, 6): NaN cells are drawn as the background
    shown = np.where(mask, scores, np.nan)
    middle.set_facecolor(HIDDEN)
    middle.imshow(shown, cmap="Oranges", vmin=-1.5, vmax=1.5)
    for i in range(T):
        for j in range(T):
            text = f"{scores[i, j]:.2f}" if mask[i, j] else "$-\\infty$"
            middle.text(j, i, text, ha="center", va="center", fontsize=9)
    _grid(middle, "scores, $-\\infty$ above the diagonal")

    right.imshow(np.where(mask, weights, np.nan), cmap="Blues", vmin=0, vmax=1)
    right.set_facecolor(HIDDEN)
    for i in range(T):
        for j in range(T):
            w = weights[i, j]
            text = f"{w:.2f}" if mask[i, j] else "0"
            color = "white" if w > 0.6 else "black"
            right.text(j, i, text, ha="center", va="center", fontsize=9, color=color)
    _grid(right, "weights: exactly 0 above the diagonal")
    for ax in (middle, right):
        ax.set_xlim(-0.5, T - 0.5)
        ax.set_ylim(T - 0.5, -0.5)
    return fig
