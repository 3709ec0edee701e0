"""Figures for part3/attention.md."""

import numpy as np
from _style import GREY, new_figure

from scratchml import causal_mask, scaled_dot_product_attention, softmax_backward


def _example(T=6, d_k=4, seed=1):
    """Weights and score gradient of one causal head, for the loss sum(O * dO)."""
    rng = np.random.default_rng(seed)
    q, k, v = (rng.standard_normal((T, d_k)) for _ in range(3))  # each (T, d_k)
    mask = causal_mask(T)  # (T, T)
    out, weights = scaled_dot_product_attention(q, k, v, mask)  # (T, d_k), (T, T)
    d_out = rng.standard_normal(out.shape)  # (T, d_k): some gradient from above
    d_scores = softmax_backward(weights, d_out @ v.T)  # (T, T)
    return weights, d_scores + 0.0, mask  # + 0.0: no negative zeros


def _heatmap(ax, values, mask, cmap, vmin, vmax, fmt):
    T = values.shape[0]
    # hatch the hidden cells instead of coloring them
    shown = np.where(mask, values, np.nan)
    ax.imshow(shown, cmap=cmap, vmin=vmin, vmax=vmax)
    for i in range(T):
        for j in range(T):
            if not mask[i, j]:
                ax.add_patch(_hatched(j, i))
                continue
            value = values[i, j]
            strong = abs(value) > 0.6 * max(abs(vmin), abs(vmax))
            ax.text(
                j,
                i,
                "0" if value == 0 else format(value, fmt),
                ha="center",
                va="center",
                fontsize=8.5,
                color="white" if strong else "black",
            )
    ax.set_xticks(range(T))
    ax.set_yticks(range(T))
    ax.set_xlabel("key $j$ (position looked at)")
    ax.set_ylabel("query $i$ (position that looks)")
    ax.grid(False)


def _hatched(j, i):
    import matplotlib.patches as patches

    return patches.Rectangle(
        (j - 0.5, i - 0.5), 1, 1, fill=False, hatch="///", edgecolor=GREY, linewidth=0
    )


def fig_part3_attention_dscores():
    """Attention weights and the gradient on the scores: the masked triangle is
    exactly 0."""
    weights, d_scores, mask = _example()
    fig, (left, right) = new_figure(7.6, 3.6, ncols=2)
    _heatmap(left, weights, mask, "Blues", 0.0, 1.0, ".2f")
    left.set_title("weights $A$ (hatched: masked, exactly 0)", fontsize=11.5)
    limit = float(np.abs(d_scores).max())
    _heatmap(right, d_scores, mask, "RdBu_r", -limit, limit, "+.2f")
    right.set_title("gradient on the scores $dS$ (hatched: exactly 0)", fontsize=11.5)
    return fig
