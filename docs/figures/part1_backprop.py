"""Figures for part1/backpropagation.md."""

import matplotlib.patches as patches
import numpy as np
from _style import BLUE, GREY, ORANGE, new_figure

from scratchml import MLP, mse_loss, mse_loss_grad


def _tiny_network():
    """The page's network 2 -> 2 sigmoid -> 1, its example, forward values and
    gradients."""
    model = MLP([2, 2, 1], activation="sigmoid", dtype=np.float64)
    hidden, act, out = model.layers
    hidden.params["W"][:] = [[0.1, 0.3], [0.2, -0.4]]  # (2 inputs, 2 hidden)
    hidden.params["b"][:] = [0.0, 0.2]
    out.params["W"][:] = [[1.0], [-2.0]]  # (2 hidden, 1 output)
    out.params["b"][:] = [0.5]
    x = np.array([[1.0, 2.0]])  # (1, 2)
    t = np.array([[1.0]])  # (1, 1)
    z = hidden(x)  # (1, 2)
    a = act(z)  # (1, 2)
    y = out(a)  # (1, 1)
    dy = mse_loss_grad(y, t)  # (1, 1)
    da = out.backward(dy)  # (1, 2)
    dz = act.backward(da)  # (1, 2)
    hidden.backward(dz)
    values = {"x": x[0], "z": z[0], "a": a[0], "y": y[0, 0], "L": float(mse_loss(y, t))}
    grads = {"y": dy[0, 0], "a": da[0], "z": dz[0]}
    return model, values, grads


def _box(ax, x, y, w, h, color):
    ax.add_patch(
        patches.FancyBboxPatch(
            (x - w / 2, y - h / 2),
            w,
            h,
            boxstyle="round,pad=0.05,rounding_size=0.15",
            facecolor="white",
            edgecolor=color,
            linewidth=1.5,
            zorder=2,
        )
    )


def _arrow(ax, start, end):
    ax.annotate(
        "",
        xy=end,
        xytext=start,
        arrowprops={"arrowstyle": "->", "color": GREY},
        zorder=1,
    )


def _matrices(ax, x, w_name, w, gw, b_name, layer):
    """Write a weight matrix, its bias and their gradients as small aligned grids."""
    rows = [" ".join(f"{value:+.1f}" for value in row) for row in w]
    grows = [" ".join(f"{value:+.4f}" for value in row) for row in gw]
    b = " ".join(f"{value:+.1f}" for value in layer.params["b"])
    gb = " ".join(f"{value:+.4f}" for value in layer.grads["b"])
    mono = {"family": "monospace", "fontsize": 8.5, "ha": "center", "va": "top"}
    ax.text(x, 0.05, f"${w_name}$, ${b_name}$", ha="center", va="bottom", color=BLUE)
    ax.text(x, 0.0, "\n".join(rows) + f"\n({b})", color=BLUE, **mono)
    grad_title = f"$\\partial L/\\partial {w_name}$, $\\partial L/\\partial {b_name}$"
    ax.text(x, -1.0, grad_title, ha="center", va="top", color=ORANGE)
    ax.text(x, -1.45, "\n".join(grows) + f"\n({gb})", color=ORANGE, **mono)


def fig_part1_backprop_graph():
    """The tiny network as a graph: forward values in blue, gradients of the loss in
    orange."""
    model, v, g = _tiny_network()
    hidden, _, out = model.layers
    fig, ax = new_figure(7.6, 4.6)
    ax.set_axis_off()
    ax.set_xlim(-0.3, 11.2)
    ax.set_ylim(-3.3, 6.0)

    inputs = [(0.7, 4.2), (0.7, 1.4)]
    hiddens = [(4.6, 4.2), (4.6, 1.4)]
    output, loss = (8.0, 2.8), (10.3, 2.8)
    for i, (xi, yi) in enumerate(inputs):
        _box(ax, xi, yi, 1.1, 0.7, BLUE)
        ax.text(
            xi,
            yi,
            f"$x_{i}$ = {v['x'][i]:.1f}",
            ha="center",
            va="center",
            color=BLUE,
        )
    for j, (xj, yj) in enumerate(hiddens):
        _box(ax, xj, yj, 1.9, 1.0, BLUE)
        ax.text(
            xj,
            yj + 0.2,
            f"$z_{j}$ = {v['z'][j]:.4f}",
            ha="center",
            va="center",
            color=BLUE,
        )
        ax.text(
            xj,
            yj - 0.2,
            f"$a_{j}$ = {v['a'][j]:.4f}",
            ha="center",
            va="center",
            color=BLUE,
        )
        ax.text(
            xj,
            yj - 0.85,
            f"$\\partial L/\\partial a_{j}$ = {g['a'][j]:.4f}\n"
            f"$\\partial L/\\partial z_{j}$ = {g['z'][j]:.4f}",
            ha="center",
            va="top",
            color=ORANGE,
            fontsize=10.5,
        )
        for xi, yi in inputs:
            _arrow(ax, (xi + 0.6, yi), (xj - 1.0, yj))
        _arrow(ax, (xj + 1.0, yj), (output[0] - 0.75, output[1]))
    _matrices(ax, 2.65, "W_1", hidden.params["W"], hidden.grads["W"], "b_1", hidden)
    _matrices(ax, 6.45, "W_2", out.params["W"], out.grads["W"], "b_2", out)

    _box(ax, *output, 1.4, 0.7, BLUE)
    ax.text(*output, f"$y$ = {v['y']:.4f}", ha="center", va="center", color=BLUE)
    ax.text(
        output[0],
        output[1] - 0.6,
        f"$\\partial L/\\partial y$ = {g['y']:.4f}",
        ha="center",
        va="top",
        color=ORANGE,
        fontsize=10.5,
    )
    _arrow(ax, (output[0] + 0.75, output[1]), (loss[0] - 0.75, loss[1]))
    _box(ax, *loss, 1.4, 0.7, BLUE)
    ax.text(*loss, f"$L$ = {v['L']:.4f}", ha="center", va="center", color=BLUE)
    ax.text(loss[0], loss[1] + 0.55, "target 1", ha="center", color=GREY, fontsize=10.5)

    ax.text(0.1, 5.6, "forward values and weights", color=BLUE)
    ax.text(
        4.2,
        5.6,
        "gradients $\\partial L/\\partial(\\cdot)$, computed right to left",
        color=ORANGE,
    )
    ax.annotate(
        "",
        xy=(0.3, -2.75),
        xytext=(10.8, -2.75),
        arrowprops={"arrowstyle": "->", "color": ORANGE, "linestyle": "--"},
    )
    ax.text(
        5.5, -2.85, "backward pass", ha="center", va="top", color=ORANGE, fontsize=10.5
    )
    return fig
