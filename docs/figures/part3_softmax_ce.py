"""Figures for part3/softmax-cross-entropy.md."""

import numpy as np
from _style import BLUE, GREY, ORANGE, new_figure

from scratchml import cross_entropy_with_grad, softmax

VOCAB = [" ", "a", "e", "h", "l", "o"]
TARGET = VOCAB.index("e")


def fig_part3_softmax_ce_bars():
    """The gradient p - onehot on six logits of one position, at three stages of
    training."""
    stages = [
        ("untrained: equal logits", np.zeros(6)),
        ("confident and wrong", np.array([0.5, 0.0, 1.0, 0.0, 4.0, 0.5])),
        ("almost right", np.array([0.0, 0.0, 5.0, 0.0, 1.5, 0.0])),
    ]
    fig, axes = new_figure(7.6, 2.9, ncols=3)
    positions = np.arange(len(VOCAB))
    for ax, (title, logits) in zip(axes, stages, strict=True):
        loss, grad = cross_entropy_with_grad(logits[None, :], np.array([TARGET]))
        grad = grad[0]  # (6,): one position, so N = 1 and this is p - onehot
        p = softmax(logits)
        colors = [ORANGE if i == TARGET else BLUE for i in positions]
        ax.bar(positions, grad, color=colors, width=0.7)
        ax.axhline(0, color=GREY, linewidth=0.8)
        ax.set_xticks(positions, [repr(c)[1:-1] if c != " " else "␣" for c in VOCAB])
        ax.set_ylim(-1.05, 1.05)
        ax.set_title(
            f"{title}\n$p$(e) = {p[TARGET]:.2f}, loss = {float(loss):.2f}",
            fontsize=11.5,
        )
        ax.set_xlabel("next token")
    axes[0].set_ylabel("gradient on the logit, $p - \\mathrm{onehot}$")
    axes[0].annotate(
        "correct token:\n$p - 1$",
        (TARGET, -5 / 6),
        xytext=(2.9, -0.5),
        color=ORANGE,
        fontsize=10.5,
        arrowprops={"arrowstyle": "->", "color": ORANGE},
    )
    return fig
