"""Figures for part2/attention-scores.md."""

import numpy as np
from _style import BLUE, GREY, ORANGE, new_figure

from scratchml import softmax

TOKENS = ["the", "cat", "sat", "on", "the", "mat"]
# The page's hand-made keys and queries; features: noun, verb, determiner, preposition.
# (6, 4)
K = np.array(
    [
        [0.0, 0.0, 1.0, 0.0],
        [1.0, 0.0, 0.0, 0.0],
        [0.0, 1.0, 0.0, 0.0],
        [0.0, 0.0, 0.0, 1.0],
        [0.0, 0.0, 1.0, 0.0],
        [1.0, 0.0, 0.0, 0.0],
    ]
)
# (6, 4)
Q = np.array(
    [
        [4.0, 0.0, 0.0, 0.0],
        [0.0, 4.0, 1.0, 0.0],
        [4.0, 0.0, 0.0, 1.0],
        [3.0, 1.0, 0.0, 0.0],
        [4.0, 0.0, 0.0, 0.0],
        [0.0, 0.0, 2.0, 2.0],
    ]
)


def heatmap(ax, matrix, labels, title, cmap, vmax):
    """A (T, T) matrix as a grid with token labels, every cell annotated."""
    ax.imshow(matrix, cmap=cmap, vmin=0, vmax=vmax)
    ticks = np.arange(len(labels))
    ax.set_xticks(ticks, labels)
    ax.set_yticks(ticks, labels)
    ax.xaxis.tick_top()
    ax.xaxis.set_label_position("top")
    ax.set_xlabel("key position $j$ (looked at)")
    ax.set_ylabel("query position $i$ (looking)")
    ax.grid(False)
    for i in range(matrix.shape[0]):
        for j in range(matrix.shape[1]):
            v = matrix[i, j]
            color = "white" if v > 0.6 * vmax else "black"
            ax.text(j, i, f"{v:.2f}", ha="center", va="center", fontsize=9, color=color)
    ax.set_title(title, pad=4, y=-0.14)


def fig_part2_attention_scores_heatmaps():
    """Scaled scores and attention weights for the page's sentence."""
    scores = Q @ K.T / np.sqrt(Q.shape[-1])  # (6, 6)
    weights = softmax(scores, axis=-1)  # (6, 6)
    fig, (left, right) = new_figure(8.0, 4.0, ncols=2)
    heatmap(
        left, scores, TOKENS, r"scores $q_i \cdot k_j / \sqrt{d_k}$", "Oranges", 2.5
    )
    heatmap(right, weights, TOKENS, "weights: softmax of each row", "Blues", 0.7)
    return fig


def fig_part2_attention_scores_scaling():
    """Left: spread of q.k against d_k. Right: one query's weights, unscaled and
    scaled."""
    rng = np.random.default_rng(0)
    sizes = [4, 8, 16, 32, 64, 128, 256]
    raw_std, scaled_std = [], []
    for d in sizes:
        q = rng.standard_normal((4000, d))  # (4000, d)
        k = rng.standard_normal((4000, d))  # (4000, d)
        dots = (q * k).sum(axis=-1)  # (4000,)
        raw_std.append(dots.std())
        scaled_std.append((dots / np.sqrt(d)).std())
    fig, (left, right) = new_figure(7.6, 3.0, ncols=2)
    left.plot(sizes, raw_std, "o-", color=ORANGE, label="unscaled $q \\cdot k$")
    left.plot(sizes, scaled_std, "o-", color=BLUE, label="divided by $\\sqrt{d_k}$")
    left.plot(sizes, np.sqrt(sizes), ls=":", color=GREY, label="$\\sqrt{d_k}$")
    left.set_xscale("log", base=2)
    left.set_xticks(sizes, [str(d) for d in sizes])
    left.set_ylim(0, 17)
    left.set_xlabel("$d_k$")
    left.set_ylabel("standard deviation of the score")
    left.legend(loc="upper left", frameon=False)
    left.set_title("random scores spread like $\\sqrt{d_k}$")

    d = 64
    q = rng.standard_normal(d)  # (64,)
    k = rng.standard_normal((8, d))  # (8, 64)
    raw = k @ q  # (8,)
    x = np.arange(8)
    right.bar(x - 0.2, softmax(raw), width=0.4, color=ORANGE, label="unscaled")
    right.bar(x + 0.2, softmax(raw / np.sqrt(d)), width=0.4, color=BLUE, label="scaled")
    right.set_xticks(x, [f"k{j}" for j in x])
    right.set_xlabel("key")
    right.set_ylabel("attention weight")
    right.set_ylim(0, 1.05)
    right.legend(loc="upper right", frameon=False)
    right.set_title("one query, 8 keys, $d_k = 64$")
    return fig
