"""Figures for part1/neuron.md."""

import numpy as np
from _style import BLUE, GREEN, GREY, ORANGE, new_figure

from scratchml import fires, weighted_sum


def fig_neuron_diagram():
    """Inputs, weights, the sum with its bias, and the activation, as boxes and
    arrows."""
    fig, ax = new_figure(6.4, 2.6)
    ax.set_axis_off()
    ax.set_xlim(0, 10)
    ax.set_ylim(0, 4)
    inputs = [
        (1.0, 3.3, "$a_1$", "$w_1$"),
        (1.0, 2.0, "$a_2$", "$w_2$"),
        (1.0, 0.7, "$a_3$", "$w_3$"),
    ]
    for x, y, label, weight in inputs:
        ax.add_patch(_circle(x, y, 0.35, BLUE))
        ax.text(x, y, label, ha="center", va="center", color="white", fontsize=12)
        ax.annotate(
            "",
            xy=(4.55, 2.0),
            xytext=(x + 0.38, y),
            arrowprops={"arrowstyle": "->", "color": GREY},
        )
        ax.text(
            (x + 4.5) / 2,
            (y + 2.0) / 2 + 0.18,
            weight,
            ha="center",
            color=GREY,
            fontsize=12.5,
        )
    ax.add_patch(_circle(5.0, 2.0, 0.5, ORANGE))
    ax.text(5.0, 2.0, r"$\Sigma$", ha="center", va="center", color="white", fontsize=15)
    ax.text(5.0, 0.95, "$z = w \\cdot a + b$", ha="center", fontsize=12.5)
    ax.text(5.0, 3.2, "bias $b$", ha="center", color=GREY, fontsize=12.5)
    ax.annotate(
        "",
        xy=(5.0, 2.52),
        xytext=(5.0, 3.05),
        arrowprops={"arrowstyle": "->", "color": GREY},
    )
    ax.annotate(
        "",
        xy=(7.1, 2.0),
        xytext=(5.52, 2.0),
        arrowprops={"arrowstyle": "->", "color": GREY},
    )
    ax.add_patch(_circle(7.6, 2.0, 0.5, GREEN))
    ax.text(7.6, 2.0, r"$\sigma$", ha="center", va="center", color="white", fontsize=15)
    ax.annotate(
        "",
        xy=(9.6, 2.0),
        xytext=(8.12, 2.0),
        arrowprops={"arrowstyle": "->", "color": GREY},
    )
    ax.text(9.0, 2.25, "output", ha="center", color=GREY, fontsize=11.5)
    return fig


def _circle(x, y, r, color):
    import matplotlib.patches as patches

    return patches.Circle((x, y), r, color=color, zorder=2)


def fig_neuron_bias():
    """Left: a one-input step neuron for three biases. Right: where a two-input neuron
    fires."""
    fig, (left, right) = new_figure(7.2, 3.0, ncols=2)
    a = np.linspace(-3, 3, 601)[:, None]  # (601, 1): one input per row
    for b, color in [(-1.0, BLUE), (0.0, GREY), (1.0, ORANGE)]:
        left.plot(
            a[:, 0],
            fires(a, [1.0], b).astype(float),
            color=color,
            label=f"b = {b:+.0f}",
        )
    left.set_xlabel("input $a$ (weight $w = 1$)")
    left.set_ylabel("fires?")
    left.set_yticks([0, 1], ["no", "yes"])
    left.legend(loc="upper left", frameon=False)
    left.set_title("the bias moves the threshold to $a = -b$")

    grid = np.linspace(-2, 2, 201)
    a1, a2 = np.meshgrid(grid, grid)  # (201, 201) each
    points = np.stack([a1.ravel(), a2.ravel()], axis=1)  # (40401, 2)
    for b, color in [(-1.0, BLUE), (1.0, ORANGE)]:
        z = weighted_sum(points, [1.0, 1.0], b).reshape(a1.shape)  # (201, 201)
        right.contourf(a1, a2, z > 0, levels=[0.5, 1.5], colors=[color], alpha=0.25)
        right.contour(a1, a2, z, levels=[0], colors=[color])
        right.text(-1.9 if b > 0 else 0.7, 1.6, f"b = {b:+.0f}", color=color)
    right.set_xlabel("$a_1$")
    right.set_ylabel("$a_2$")
    right.set_aspect("equal")
    right.set_title("$w = (1, 1)$: fires in the shaded half")
    return fig
