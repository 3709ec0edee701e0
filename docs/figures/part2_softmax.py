"""Figures for part2/softmax.md."""

import numpy as np
from _style import BLUE, GREEN, GREY, ORANGE, new_figure

from scratchml import softmax


def fig_part2_softmax_bars():
    """Left: logits and their probabilities. Right: probabilities as one logit grows."""
    fig, (left, right) = new_figure(7.4, 3.0, ncols=2)
    z = np.array([2.0, 1.0, 0.1, -1.0])  # (4,)
    p = softmax(z)  # (4,)
    x = np.arange(len(z))
    left.bar(x - 0.2, z, width=0.4, color=GREY, label="logit $z_i$")
    left.bar(x + 0.2, p, width=0.4, color=BLUE, label="softmax $p_i$")
    for xi, pi in zip(x, p, strict=True):
        left.text(
            xi + 0.2, pi + 0.06, f"{pi:.2f}", ha="center", color=BLUE, fontsize=10.5
        )
    left.axhline(0, color="black", lw=0.6)
    left.set_xticks(x, [f"token {i}" for i in x])
    left.set_title("positive, sums to 1, same order")
    left.legend(loc="upper right", frameon=False)

    first = np.linspace(-4, 6, 201)  # the first token's logit
    # (201, 3)
    logits = np.stack([first, np.ones_like(first), np.zeros_like(first)], axis=1)
    probs = softmax(logits)  # (201, 3): one distribution per row
    right.plot(first, probs[:, 0], color=BLUE, label="token 0 (logit on the x-axis)")
    right.plot(first, probs[:, 1], color=ORANGE, label="token 1 (logit 1)")
    right.plot(first, probs[:, 2], color=GREEN, label="token 2 (logit 0)")
    right.set_xlabel("logit of token 0")
    right.set_ylabel("probability")
    right.set_ylim(0, 1.3)
    right.set_yticks([0, 0.25, 0.5, 0.75, 1.0])
    right.set_title("raising one logit takes from all others")
    right.legend(loc="upper left", frameon=False, fontsize=9)
    return fig
