"""Figures for part2/embeddings.md."""

import numpy as np
from _style import BLUE, GREEN, GREY, ORANGE, new_figure, show_char

from scratchml import CharTokenizer, Embedding


def _cosine_matrix(W: np.ndarray) -> np.ndarray:
    """Cosine similarity of every row of ``W`` with every other: ``(n, n)``."""
    unit = W / np.linalg.norm(W, axis=1, keepdims=True)  # (n, d): rows of length 1
    return unit @ unit.T  # (n, n)


def fig_part2_embeddings_matrix():
    """Left: a small W_E as a heatmap, one row per character. Right: cosines of its
    rows."""
    tok = CharTokenizer.from_text("the cat sat on the mat")
    emb = Embedding(tok.vocab_size, 16, rng=0)
    W_E = emb.params["W_E"]  # (V, 16)
    labels = [show_char(c) for c in tok.chars]
    fig, (left, right) = new_figure(7.6, 3.3, ncols=2)
    lim = np.abs(W_E).max()
    im = left.imshow(W_E, cmap="RdBu_r", vmin=-lim, vmax=lim, aspect="auto")
    left.set_yticks(range(tok.vocab_size), labels)
    left.set_xticks(range(0, 16, 3))
    left.set_xlabel("dimension (column of $W_E$)")
    left.set_ylabel("token (row of $W_E$)")
    left.set_title(f"$W_E$, shape {W_E.shape}")
    left.grid(False)
    fig.colorbar(im, ax=left, shrink=0.85)
    cos = _cosine_matrix(W_E)  # (V, V)
    im = right.imshow(cos, cmap="RdBu_r", vmin=-1, vmax=1)
    right.set_xticks(range(tok.vocab_size), labels)
    right.set_yticks(range(tok.vocab_size), labels)
    right.set_title("cosine similarity of the rows")
    right.grid(False)
    fig.colorbar(im, ax=right, shrink=0.85)
    return fig


def fig_part2_embeddings_orthogonal():
    """Cosine similarity of random embedding rows, for growing d_model."""
    fig, ax = new_figure(6.4, 3.0)
    bins = np.linspace(-1, 1, 81)
    for d, color in [(2, GREY), (16, ORANGE), (128, BLUE), (1024, GREEN)]:
        W = Embedding(300, d, rng=0, dtype=np.float64).params["W_E"]  # (300, d)
        cos = _cosine_matrix(W)[np.triu_indices(300, k=1)]  # every distinct pair once
        ax.hist(cos, bins=bins, density=True, histtype="step", lw=1.6, color=color)
        ax.hist(cos, bins=bins, density=True, alpha=0.15, color=color, label=f"d = {d}")
    ax.set_xlabel("cosine similarity of two random rows of $W_E$")
    ax.set_ylabel("density")
    ax.set_xlim(-1, 1)
    ax.legend(frameon=False, loc="upper left")
    ax.set_title("in many dimensions, random vectors are nearly orthogonal")
    return fig
