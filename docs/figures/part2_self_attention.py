"""Figures for part2/self-attention.md."""

import matplotlib.patches as patches
import numpy as np
from _style import GREY, ORANGE, new_figure

from scratchml import SelfAttention


def _example():
    """The page's example: one sequence of 5 positions, d_model = 6, one head with
    d_head = 4."""
    # (B, T, d_model)
    x = np.random.default_rng(0).standard_normal((1, 5, 6), dtype=np.float32)
    attn = SelfAttention(d_model=6, d_head=4, rng=0)
    attn(x)
    v = x @ attn.params["W_v"]  # (B, T, d_head)
    return attn.last_weights[0], v[0]  # (T, T), (T, d_head)


def fig_part2_self_attention_mix():
    """Left: the attention weights. Right: output row 3 as a weighted mix of value
    rows 0..3."""
    weights, v = _example()
    T = weights.shape[0]
    fig, (left, right) = new_figure(7.4, 3.3, ncols=2)

    left.imshow(weights, cmap="Blues", vmin=0, vmax=1)
    for i in range(T):
        for j in range(T):
            color = "white" if weights[i, j] > 0.6 else "black"
            left.text(
                j,
                i,
                f"{weights[i, j]:.2f}",
                ha="center",
                va="center",
                fontsize=9,
                color=color,
            )
    left.set_xticks(range(T))
    left.set_yticks(range(T))
    left.set_xlabel("position looked at (key $j$)")
    left.set_ylabel("position that looks (query $i$)")
    left.set_title("attention weights $a_{ij}$")
    left.grid(False)

    t = 3
    left.add_patch(
        patches.Rectangle(
            (-0.5, t - 0.5), T, 1, fill=False, edgecolor=ORANGE, linewidth=2
        )
    )
    h = weights[t] @ v  # (d_head,): the output row of position t
    # (t + 3, d_head)
    rows = np.vstack([v[: t + 1], np.full((1, v.shape[1]), np.nan), h[None]])
    limit = np.nanmax(np.abs(rows))
    right.imshow(rows, cmap="RdBu_r", vmin=-limit, vmax=limit)
    for j in range(t + 1):
        right.text(-0.7, j, f"{weights[t, j]:.3f} $\\times$", ha="right", va="center")
        right.text(v.shape[1] - 0.3, j, f"$v_{j}$", ha="left", va="center", color=GREY)
    right.text(-0.7, t + 2, "=", ha="right", va="center", fontsize=13)
    right.text(v.shape[1] - 0.3, t + 2, f"$h_{t}$", ha="left", va="center")
    for (r, c), value in np.ndenumerate(rows):
        if not np.isnan(value):
            color = "white" if abs(value) > 0.6 * limit else "black"
            right.text(
                c, r, f"{value:.2f}", ha="center", va="center", fontsize=9, color=color
            )
    right.axhline(t + 1, color=GREY, linewidth=1)
    right.set_xticks(range(v.shape[1]))
    right.set_xlabel("value dimension")
    right.set_yticks([])
    right.set_title(
        f"output of position {t}: a mix of values", loc="left", color=ORANGE
    )
    right.grid(False)
    for spine in right.spines.values():
        spine.set_visible(False)
    return fig
