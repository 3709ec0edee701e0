"""Figures for part1/loss.md."""

import numpy as np
from _style import BLUE, GREY, ORANGE, new_figure

from scratchml import (
    cross_entropy,
    cross_entropy_grad,
    mse_loss,
    mse_loss_grad,
    softmax,
    softmax_backward,
)


def fig_loss_curves():
    """Left: the squared error of one prediction. Right: -log p of the correct class."""
    fig, (left, right) = new_figure(7.2, 3.0, ncols=2)
    target = 1.0
    preds = np.linspace(-1.5, 3.5, 501)
    losses = [mse_loss([p], [target]) for p in preds]
    left.plot(preds, losses, color=BLUE, label="loss $(\\hat y - y)^2$")
    left.plot(
        preds,
        mse_loss_grad(preds, np.full_like(preds, target)) * preds.size,
        color=ORANGE,
        ls="--",
        label="gradient $2(\\hat y - y)$",
    )
    left.axvline(target, color=GREY, lw=0.8)
    left.text(target + 0.08, 5.2, "target $y = 1$", color=GREY)
    left.set_xlabel("prediction $\\hat y$")
    left.set_title("squared error: a parabola")
    left.legend(loc="lower right", frameon=False)

    probs = np.linspace(0.005, 1.0, 400)
    logits = np.stack([np.log(probs), np.log1p(-probs + 1e-12)], axis=1)  # (400, 2)
    # class 0 is correct, with probability p
    labels = np.zeros(len(probs), dtype=np.int64)
    per_row = [
        cross_entropy(row[None, :], label[None])
        for row, label in zip(logits, labels, strict=True)
    ]
    right.plot(probs, per_row, color=BLUE, label="cross-entropy $-\\log p$")
    right.plot(
        probs, (1 - probs) ** 2, color=GREY, ls=":", label="$(1 - p)^2$, for comparison"
    )
    right.set_ylim(0, 5.5)
    right.set_xlabel("probability $p$ given to the correct class")
    right.set_title("cross-entropy: $-\\log p$")
    right.legend(loc="upper right", frameon=False)
    return fig


def fig_loss_ce_vs_mse():
    """Gradient on the correct class's logit, for cross-entropy and for MSE on
    probabilities."""
    z = np.linspace(-8, 8, 321)  # the correct class's logit; the two others stay at 0
    logits = np.stack([z, np.zeros_like(z), np.zeros_like(z)], axis=1)  # (321, 3)
    labels = np.zeros(len(z), dtype=np.int64)  # (321,): class 0 is correct
    onehot = np.eye(3)[labels]  # (321, 3)

    # (321, 3), per example (undo the mean)
    ce = cross_entropy_grad(logits, labels) * len(z)
    p = softmax(logits)  # (321, 3)
    # (321, 3), per example
    mse = softmax_backward(p, mse_loss_grad(p, onehot) * len(z))

    fig, ax = new_figure(6.0, 3.0)
    ax.plot(z, ce[:, 0], color=BLUE, label="cross-entropy: $p - 1$")
    ax.plot(z, mse[:, 0], color=ORANGE, ls="--", label="MSE on the probabilities")
    ax.axhline(0, color="black", lw=0.6)
    ax.set_xlabel("logit of the correct class (the two others are 0)")
    ax.set_ylabel("gradient on that logit")
    ax.annotate(
        "confidently wrong:\nMSE barely reacts",
        xy=(-6, mse[40, 0]),
        xytext=(-7.5, -0.55),
        arrowprops={"arrowstyle": "->", "color": GREY},
        color=GREY,
    )
    ax.legend(loc="lower right", frameon=False)
    return fig
