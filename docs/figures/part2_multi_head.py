"""Figures for part2/multi-head-attention.md."""

import numpy as np
from _style import new_figure

from scratchml import MultiHeadAttention


def _banana_heads():
    """The page's hand-built layer on "banana": head 0 previous position, head 1 same
    letter."""
    text, letters = "banana", "abn"
    T = len(text)
    x = np.zeros((1, T, 12), dtype=np.float32)  # (B, T, d_model)
    for t, ch in enumerate(text):
        x[0, t, t] = 1.0  # features 0-5: position, one-hot
        x[0, t, 6 + letters.index(ch)] = 1.0  # features 6-8: letter, one-hot
    mha = MultiHeadAttention(d_model=12, n_heads=2)
    W_q, W_k, W_v, W_o = (mha.params[name] for name in ("W_q", "W_k", "W_v", "W_o"))
    for W in (W_q, W_k, W_v, W_o):
        W[...] = 0.0
    for t in range(T):
        W_k[t, t] = 1.0
        W_v[t, 6 + t] = 1.0
        if t > 0:
            W_q[t, t - 1] = 20.0
    for c in range(3):
        W_q[6 + c, 6 + c] = 20.0
        W_k[6 + c, 6 + c] = 1.0
        W_v[6 + c, c] = 1.0
    W_o[...] = np.eye(12)
    mha(x)
    return text, mha.last_weights[0]  # (H, T, T)


def fig_part2_multi_head_heads():
    """The attention weights of the two hand-built heads, side by side."""
    text, weights = _banana_heads()
    T = len(text)
    labels = [f"{ch}\n{t}" for t, ch in enumerate(text)]
    titles = ["head 0: the previous position", "head 1: the same letter"]
    fig, axes = new_figure(7.2, 3.5, ncols=2)
    for h, ax in enumerate(axes):
        image = ax.imshow(weights[h], cmap="Blues", vmin=0, vmax=1)
        for i in range(T):
            for j in range(i + 1):
                w = weights[h, i, j]
                color = "white" if w > 0.6 else "black"
                ax.text(
                    j, i, f"{w:.2f}", ha="center", va="center", fontsize=9, color=color
                )
        ax.set_xticks(range(T), labels)
        ax.set_yticks(range(T), [label.replace("\n", " ") for label in labels])
        ax.set_xlabel("position looked at (key)")
        ax.set_title(titles[h])
        ax.grid(False)
    axes[0].set_ylabel("position that looks (query)")
    fig.colorbar(image, ax=axes, shrink=0.8, label="attention weight")
    return fig
