"""Figures for part1/layers.md."""

import matplotlib.patches as patches
import numpy as np
from _style import BLUE, GREEN, GREY, ORANGE, RED, new_figure

from scratchml import MLP, make_regression_1d, relu


def fig_layers_network():
    """A 4 -> 3 -> 2 network: each input feeds each hidden unit, each hidden unit each
    output."""
    fig, ax = new_figure(6.4, 3.6)
    ax.set_axis_off()
    ax.set_xlim(-0.4, 8.6)
    ax.set_ylim(-1.5, 4.6)
    ax.set_aspect("equal")
    columns = [  # (x position, number of units, color, label)
        (1.0, 4, BLUE, "input $x$\n$(B, 4)$"),
        (4.0, 3, GREEN, "hidden $h = \\mathrm{relu}(x W_1 + b_1)$\n$(B, 3)$"),
        (7.0, 2, ORANGE, "output $y = h W_2 + b_2$\n$(B, 2)$"),
    ]
    centers = []
    for x, n, _, _ in columns:
        ys = 1.5 + (np.arange(n) - (n - 1) / 2) * 1.0  # centered on y = 1.5
        centers.append([(x, y) for y in ys[::-1]])
    for left, right in zip(centers[:-1], centers[1:], strict=True):
        for x0, y0 in left:
            for j, (x1, y1) in enumerate(right):
                first = j == 0 and right is centers[1]  # the weights of hidden unit 1
                ax.plot(
                    [x0 + 0.3, x1 - 0.3],
                    [y0, y1],
                    color=RED if first else GREY,
                    lw=1.6 if first else 0.8,
                    alpha=1.0 if first else 0.6,
                    zorder=1,
                )
    for (x, _, color, label), units in zip(columns, centers, strict=True):
        for ux, uy in units:
            ax.add_patch(patches.Circle((ux, uy), 0.3, color=color, zorder=2))
        ax.text(x, -0.75, label, ha="center", va="center", fontsize=10.5)
    ax.text(2.5, 4.3, "$W_1$: $(4, 3)$, $b_1$: $(3,)$", ha="center", fontsize=11.5)
    ax.text(5.5, 4.3, "$W_2$: $(3, 2)$, $b_2$: $(2,)$", ha="center", fontsize=11.5)
    ax.text(
        2.5,
        3.75,
        "red: the first column of $W_1$, one neuron's weights",
        ha="center",
        color=RED,
        fontsize=10.5,
    )
    return fig


def hand_built_line() -> MLP:
    """``MLP([1, 2, 1])`` with weights set by hand so that it computes ``y = 2x -
    1``."""
    model = MLP([1, 2, 1], dtype=np.float64)
    first, last = model.layers[0], model.layers[2]
    first.params["W"][...] = [[1.0, -1.0]]  # h = (relu(x), relu(-x))
    first.params["b"][...] = 0.0
    last.params["W"][...] = [[2.0], [-2.0]]  # 2 relu(x) - 2 relu(-x) = 2x
    last.params["b"][...] = -1.0
    return model


def fig_layers_output_relu():
    """The same network with a linear output and with a ReLU after its output layer."""
    X, y = make_regression_1d(n=60, noise=0.15, rng=0)  # (60, 1) each
    model = hand_built_line()
    grid = np.linspace(-1, 1, 201)[:, None]  # (201, 1)
    fig, ax = new_figure(6.0, 3.0)
    ax.plot(
        X[:, 0],
        y[:, 0],
        "o",
        color=GREY,
        ms=3,
        alpha=0.7,
        label="data, $y = 2x - 1$ + noise",
    )
    ax.plot(grid[:, 0], model(grid)[:, 0], color=BLUE, lw=2, label="linear output")
    ax.plot(
        grid[:, 0],
        relu(model(grid))[:, 0],
        color=ORANGE,
        lw=2,
        ls="--",
        label="ReLU on the output",
    )
    ax.axhline(0, color="black", lw=0.6)
    ax.set_xlabel("input $x$")
    ax.set_ylabel("prediction")
    ax.legend(loc="upper left", frameon=False)
    return fig
