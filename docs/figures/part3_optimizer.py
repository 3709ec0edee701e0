"""Figures for part3/optimizer.md."""

import numpy as np
from _style import BLUE, GREEN, GREY, ORANGE, RED, new_figure
from _toys import Quadratic

from scratchml import SGD, Adam

CURVATURE = np.array([1.0, 100.0])  # a hundred times steeper along w2 than along w1
START = [-4.0, 1.0]
STEPS = 100


RUNS = [
    ("SGD, lr = 0.019", lambda m: SGD(m, lr=0.019), BLUE),
    ("momentum 0.9, lr = 0.01", lambda m: SGD(m, lr=0.01, momentum=0.9), GREEN),
    ("Adam, lr = 0.1", lambda m: Adam(m, lr=0.1), ORANGE),
]


def _run(make_optimizer):
    """Positions ``(STEPS + 1, 2)`` and losses ``(STEPS + 1,)`` of one optimizer."""
    model = Quadratic(CURVATURE, START)
    optimizer = make_optimizer(model)
    points, losses = [], []
    for _ in range(STEPS):
        points.append(model.params["w"].copy())
        losses.append(model.loss())  # fills model.grads
        optimizer.step()
    points.append(model.params["w"].copy())
    losses.append(model.loss())
    return np.array(points), np.array(losses)


def fig_part3_optimizer_valley():
    """SGD, momentum and Adam on a badly scaled valley: paths and loss curves."""
    fig, (left, right) = new_figure(7.8, 3.4, ncols=2)
    w1, w2 = np.meshgrid(np.linspace(-4.5, 1.0, 276), np.linspace(-1.3, 1.3, 131))
    loss = 0.5 * (CURVATURE[0] * w1**2 + CURVATURE[1] * w2**2)  # (131, 276)
    left.contour(
        w1, w2, loss, levels=[0.1, 0.5, 2, 8, 20, 50], colors=GREY, linewidths=0.6
    )
    for label, make, color in RUNS:
        points, losses = _run(make)
        left.plot(
            points[:, 0], points[:, 1], ".-", color=color, markersize=2.5, linewidth=1
        )
        right.semilogy(losses, color=color, label=label)
    left.plot(*START, "s", color=RED, markersize=5)
    left.annotate("start", START, xytext=(5, 5), textcoords="offset points", color=RED)
    left.plot(0, 0, "*", color="black", markersize=9)
    left.set_xlabel("$w_1$ (shallow)")
    left.set_ylabel("$w_2$ (steep)")
    left.set_title(f"{STEPS} steps on $L = (w_1^2 + 100\\,w_2^2)/2$", fontsize=11.5)
    right.set_xlabel("step")
    right.set_ylabel("loss")
    right.set_ylim(1e-4, 1e3)
    right.legend(fontsize=9, frameon=False, loc="upper right")
    right.set_title("loss, log scale", fontsize=11.5)
    return fig
