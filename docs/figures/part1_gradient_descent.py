"""Figures for part1/gradient-descent.md."""

import numpy as np
from _style import BLUE, GREEN, GREY, ORANGE, RED, new_figure
from _toys import Quadratic

from scratchml import SGD, Dense, iterate_minibatches, make_regression_1d, mse_loss_grad

# the bowl is ten times steeper along w2 than along w1
CURVATURE = np.array([1.0, 10.0])
START = [-4.0, 1.0]


def _path(lr, steps, momentum=0.0):
    """Positions visited by SGD on the bowl, ``(steps + 1, 2)``."""
    bowl = Quadratic(CURVATURE, START)
    opt = SGD(bowl, lr=lr, momentum=momentum)
    points = [bowl.params["w"].copy()]
    for _ in range(steps):
        bowl.loss()
        opt.step()
        points.append(bowl.params["w"].copy())
    return np.array(points)


def fig_part1_gd_paths():
    """Contours of the elongated bowl and the descent paths of three learning rates."""
    fig, ax = new_figure(6.4, 3.4)
    w1, w2 = np.meshgrid(np.linspace(-4.5, 1.5, 241), np.linspace(-1.6, 1.6, 161))
    loss = 0.5 * (CURVATURE[0] * w1**2 + CURVATURE[1] * w2**2)  # (161, 241)
    ax.contour(
        w1, w2, loss, levels=[0.1, 0.5, 1, 2, 4, 8, 12], colors=GREY, linewidths=0.6
    )
    runs = [
        (0.01, BLUE, "lr = 0.01: slow, smooth"),
        (0.1, GREEN, "lr = 0.1: fast"),
        (0.19, ORANGE, "lr = 0.19: zigzags"),
    ]
    for lr, color, label in runs:
        p = _path(lr, 25)
        ax.plot(
            p[:, 0],
            p[:, 1],
            "o-",
            color=color,
            markersize=3,
            linewidth=1.2,
            label=label,
        )
    ax.plot(*START, "s", color=RED, markersize=6)
    ax.annotate("start", START, xytext=(6, 6), textcoords="offset points", color=RED)
    ax.plot(0, 0, "*", color="black", markersize=9)
    ax.annotate("minimum", (0, 0), xytext=(6, -12), textcoords="offset points")
    ax.set_xlabel("$w_1$ (shallow direction)")
    ax.set_ylabel("$w_2$ (steep direction)")
    ax.set_aspect("equal")
    ax.legend(loc="upper right", fontsize=9, framealpha=0.9)
    ax.set_title("25 steps of gradient descent on $L = (w_1^2 + 10\\,w_2^2)/2$")
    return fig


def fig_part1_gd_minibatch():
    """Full-batch and minibatch descent on the loss surface of one neuron fitting a
    line."""
    X, y = make_regression_1d(n=64, noise=0.5, rng=0)  # (64, 1), (64, 1)
    X, y = X.astype(np.float64), y.astype(np.float64)
    grid_w, grid_b = np.meshgrid(
        np.linspace(-0.5, 3.0, 141), np.linspace(-2.0, 1.5, 141)
    )
    pred = X[:, 0, None, None] * grid_w + grid_b  # (64, 141, 141): every (W, b) at once
    loss = np.mean((pred - y[:, 0, None, None]) ** 2, axis=0)  # (141, 141)

    fig, ax = new_figure(6.4, 3.6)
    levels = loss.min() + np.array([0.02, 0.05, 0.1, 0.2, 0.4, 0.8, 1.6, 3.2])
    ax.contour(grid_w, grid_b, loss, levels=levels, colors=GREY, linewidths=0.6)
    rng = np.random.default_rng(0)
    for batch_size, color, label in [
        (64, BLUE, "full batch (64)"),
        (4, ORANGE, "minibatch of 4"),
    ]:
        model = Dense(1, 1, dtype=np.float64)
        model.params["W"][:] = -0.2
        opt = SGD(model, lr=0.1)
        points = [(model.params["W"][0, 0], model.params["b"][0])]
        while len(points) <= 60:
            for xb, yb in iterate_minibatches(X, y, batch_size, rng):
                model.backward(mse_loss_grad(model(xb), yb))
                opt.step()
                points.append((model.params["W"][0, 0], model.params["b"][0]))
        p = np.array(points[:61])
        ax.plot(
            p[:, 0],
            p[:, 1],
            "o-",
            color=color,
            markersize=3,
            linewidth=1.1,
            label=label,
        )
    best = np.linalg.lstsq(np.hstack([X, np.ones_like(X)]), y, rcond=None)[0][:, 0]
    ax.plot(*best, "*", color="black", markersize=10, label="lowest loss")
    ax.set_xlabel("weight $W$")
    ax.set_ylabel("bias $b$")
    ax.legend(loc="upper left", fontsize=9, framealpha=0.9)
    ax.set_title(
        "60 steps each, learning rate 0.1 (a step of 4 rows costs 1/16 of one of 64)"
    )
    return fig
