"""Figures for part1/activations.md."""

import numpy as np
from _style import BLUE, GREY, ORANGE, new_figure

from scratchml import relu, relu_grad, sigmoid, sigmoid_grad


def fig_activations_collapse():
    """The same 1 -> 8 -> 1 weights, without and with a ReLU between the two layers."""
    rng = np.random.default_rng(0)  # the weights of the page's first example
    W1, b1 = rng.standard_normal((1, 8)), rng.standard_normal(8)  # (1, 8), (8,)
    W2, b2 = rng.standard_normal((8, 1)), rng.standard_normal(1)  # (8, 1), (1,)
    x = np.linspace(-3, 3, 601)[:, None]  # (601, 1)
    linear = (x @ W1 + b1) @ W2 + b2  # (601, 1)
    bent = relu(x @ W1 + b1) @ W2 + b2  # (601, 1)

    fig, (left, right) = new_figure(7.2, 2.9, ncols=2)
    left.plot(x[:, 0], linear[:, 0], color=GREY)
    left.set_title("two linear layers: still a straight line")
    right.plot(x[:, 0], bent[:, 0], color=BLUE)
    kinks = -b1 / W1[0]  # (8,): where each hidden unit switches on or off
    kinks = kinks[np.abs(kinks) < 3]
    right.plot(
        kinks, (relu(kinks[:, None] @ W1 + b1) @ W2 + b2)[:, 0], "o", color=ORANGE, ms=4
    )
    right.set_title("a ReLU in between: a bent line")
    for ax in (left, right):
        ax.set_xlabel("input $x$")
        ax.set_ylabel("output")
    return fig


def fig_activations_curves():
    """Sigmoid and ReLU (left) and their derivatives (right)."""
    z = np.linspace(-6, 6, 1201)
    fig, (left, right) = new_figure(7.2, 3.0, ncols=2)
    left.plot(z, sigmoid(z), color=BLUE, label="sigmoid")
    left.plot(z, relu(z), color=ORANGE, label="ReLU")
    left.set_ylim(-0.5, 3.0)
    left.set_title("the functions")
    left.legend(loc="upper left", frameon=False)

    right.plot(z, sigmoid_grad(z), color=BLUE, label="sigmoid$'$ (peak 0.25)")
    neg, pos = z[z < 0], z[z > 0]
    right.plot(neg, relu_grad(neg), color=ORANGE, label="ReLU$'$ (0 or 1)")
    right.plot(pos, relu_grad(pos), color=ORANGE)
    right.plot([0], [0], "o", color=ORANGE, ms=5)  # the value the code uses at z = 0
    right.plot([0], [1], "o", color=ORANGE, ms=5, mfc="white")  # excluded
    right.set_ylim(-0.1, 1.15)
    right.set_title("their derivatives")
    right.legend(loc="center left", frameon=False)
    for ax in (left, right):
        ax.set_xlabel("$z$")
    return fig
