"""Figures for part1/training-loop.md."""

import numpy as np
from _style import BLUE, GREY, ORANGE, new_figure

from scratchml import MLP, SGD, Adam, fit, make_moons, train_test_split


def _moons():
    """The page's data: 200 noisy moon points, 150 to train on and 50 held out."""
    X, y = make_moons(n_per_class=100, noise=0.15, rng=0)  # (200, 2), (200,)
    return train_test_split(X, y, test_fraction=0.25, rng=0)


def fig_part1_training_moons():
    """Left: training loss per epoch, SGD and Adam. Right: the learned decision
    boundary."""
    X_train, X_test, y_train, y_test = _moons()
    fig, (left, right) = new_figure(7.6, 3.3, ncols=2)

    sgd_model = MLP([2, 16, 2], rng=0)
    runs = [
        (sgd_model, SGD(sgd_model, lr=0.5), BLUE, "SGD, lr = 0.5"),
        (MLP([2, 16, 2], rng=0), None, ORANGE, "Adam, lr = 0.01"),
    ]
    for model, optimizer, color, label in runs:
        optimizer = optimizer or Adam(model, lr=0.01)
        history = fit(
            model, X_train, y_train, optimizer=optimizer, epochs=60, batch_size=16
        )
        epochs = np.arange(1, len(history["loss"]) + 1)
        left.plot(epochs, history["loss"], color=color, label=label)
    left.axhline(np.log(2), color=GREY, linestyle="--", linewidth=1)
    left.text(
        60,
        np.log(2) + 0.015,
        "ln 2: a coin toss",
        ha="right",
        color=GREY,
        fontsize=10.5,
    )
    left.set_ylim(0, 0.8)
    left.set_xlabel("epoch")
    left.set_ylabel("training loss (cross-entropy)")
    left.legend(frameon=False, loc="upper right", bbox_to_anchor=(1.0, 0.84))
    left.set_title("the loss falls epoch by epoch")

    grid = np.linspace(-1.6, 2.6, 211)
    g1, g2 = np.meshgrid(grid, np.linspace(-1.9, 1.6, 176))  # (176, 211) each
    points = np.stack([g1.ravel(), g2.ravel()], axis=1).astype(np.float32)  # (37136, 2)
    logits = sgd_model(points)  # (37136, 2)
    margin = (logits[:, 1] - logits[:, 0]).reshape(g1.shape)  # > 0 where class 1 wins
    right.contourf(
        g1, g2, margin > 0, levels=[-0.5, 0.5, 1.5], colors=[BLUE, ORANGE], alpha=0.15
    )
    right.contour(g1, g2, margin, levels=[0], colors="black", linewidths=1)
    for cls, color in [(0, BLUE), (1, ORANGE)]:
        right.scatter(
            *X_train[y_train == cls].T, s=12, color=color, label=f"class {cls} (train)"
        )
        right.scatter(
            *X_test[y_test == cls].T,
            s=28,
            facecolors="none",
            edgecolors=color,
            linewidths=1.2,
        )
    right.scatter([], [], s=28, facecolors="none", edgecolors=GREY, label="held out")
    right.set_aspect("equal")
    right.set_xlabel("$x_1$")
    right.set_ylabel("$x_2$")
    right.legend(
        fontsize=8, loc="lower center", ncols=3, framealpha=0.9, handletextpad=0.1
    )
    right.set_title("the SGD network's decision boundary")
    return fig


def fig_part1_training_overfit():
    """Training and held-out loss of a large network on 40 noisy points."""
    X, y = make_moons(n_per_class=100, noise=0.3, rng=1)
    X_few, X_held, y_few, y_held = train_test_split(X, y, test_fraction=0.8, rng=0)
    model = MLP([2, 32, 32, 2], rng=0)
    history = fit(
        model,
        X_few,
        y_few,
        optimizer=Adam(model, lr=0.01),
        epochs=300,
        batch_size=40,
        X_val=X_held,
        y_val=y_held,
    )
    fig, ax = new_figure(6.4, 3.0)
    epochs = np.arange(1, 301)
    ax.plot(epochs, history["loss"], color=BLUE, label="training loss (40 points)")
    ax.plot(
        epochs, history["val_loss"], color=ORANGE, label="held-out loss (160 points)"
    )
    best = int(np.argmin(history["val_loss"])) + 1
    ax.axvline(best, color=GREY, linestyle="--", linewidth=1)
    ax.text(
        best + 4,
        0.02,
        f"held-out loss lowest\nat epoch {best}",
        color=GREY,
        fontsize=10.5,
    )
    ax.set_yscale("log")
    ax.set_xlabel("epoch")
    ax.set_ylabel("cross-entropy")
    ax.legend(frameon=False, loc="lower left")
    ax.set_title(
        "overfitting: the training loss keeps falling, the held-out loss turns up"
    )
    return fig
