"""One look for every figure: sizes, colors and fonts shared by docs/figures/*.py."""

import matplotlib.pyplot as plt

BLUE, ORANGE, GREEN, RED, GREY = "#3f51b5", "#ff7043", "#2e7d32", "#c62828", "#757575"


def new_figure(width: float = 6.4, height: float = 3.2, ncols: int = 1, nrows: int = 1):
    """A figure with the book's defaults; returns ``(fig, axes)``."""
    plt.rcParams.update(
        {
            "font.size": 12,  # legible when a phone shrinks the figure to its column
            "axes.spines.top": False,
            "axes.spines.right": False,
            "axes.grid": True,
            "grid.alpha": 0.3,
            "figure.facecolor": "white",
        }
    )
    return plt.subplots(nrows, ncols, figsize=(width, height), layout="constrained")


def show_char(c: str) -> str:
    """A character as a tick label: the space becomes a visible open box."""
    return "\u2423" if c == " " else c
