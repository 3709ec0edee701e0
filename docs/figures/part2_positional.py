"""Figures for part2/positional-encoding.md."""

import numpy as np
from _style import BLUE, GREEN, GREY, ORANGE, RED, new_figure

from scratchml import positional_encoding


def wrong_encoding(n_positions: int, d_model: int) -> np.ndarray:
    """The common mistake: column ``j`` uses frequency ``1 / 10000^(j/d)``, so sin and
    cos of one pair get *different* frequencies. Shape ``(n_positions, d_model)``."""
    pos = np.arange(n_positions)[:, None]  # (n_positions, 1)
    j = np.arange(d_model)  # (d_model,)
    # (n_positions, d_model): one frequency per column
    angle = pos / 10000.0 ** (j / d_model)
    return np.where(j % 2 == 0, np.sin(angle), np.cos(angle))  # (n_positions, d_model)


def fig_part2_positional_heatmap():
    """The sinusoidal encoding of 64 positions in 32 dimensions, as a heatmap."""
    pe = positional_encoding(64, 32)  # (64, 32)
    fig, ax = new_figure(6.4, 4.2)
    im = ax.imshow(
        pe, cmap="RdBu_r", vmin=-1, vmax=1, aspect="auto", interpolation="nearest"
    )
    ax.set_xlabel("dimension (column $2i$: sine, column $2i + 1$: cosine)")
    ax.set_ylabel("position")
    ax.set_xticks(range(0, 32, 4))
    ax.set_title("positional_encoding(64, 32): one row per position")
    ax.grid(False)
    fig.colorbar(im, ax=ax, shrink=0.9)
    return fig


def fig_part2_positional_curves():
    """A few columns of the encoding against the position: each pair shares one
    frequency."""
    d = 32
    pe = positional_encoding(64, d, dtype=np.float64)  # (64, 32)
    fine = np.linspace(0, 63, 631)
    fig, axes = new_figure(6.8, 4.2, nrows=3)
    for ax, i, color in zip(axes, [0, 2, 6], [BLUE, ORANGE, GREEN], strict=True):
        omega = 1 / 10000 ** (2 * i / d)
        ax.plot(
            fine,
            np.sin(omega * fine),
            color=color,
            lw=1.4,
            label=f"column {2 * i}: sin",
        )
        ax.plot(
            fine,
            np.cos(omega * fine),
            color=color,
            lw=1.4,
            ls="--",
            label=f"column {2 * i + 1}: cos",
        )
        ax.plot(np.arange(64), pe[:, 2 * i], "o", color=color, ms=2.5)
        ax.plot(np.arange(64), pe[:, 2 * i + 1], "s", color=color, ms=2.5, mfc="white")
        ax.set_ylim(-1.25, 1.25)
        ax.set_xlim(-0.5, 63.5)
        ax.set_yticks([-1, 0, 1])
        ax.legend(
            loc="center left", bbox_to_anchor=(1.0, 0.5), frameon=False, fontsize=10
        )
        ax.set_title(
            f"pair $i = {i}$: frequency $\\omega_{i} = {omega:.3g}$, "
            f"wavelength {2 * np.pi / omega:.0f} positions",
            fontsize=10.5,
        )
    axes[-1].set_xlabel("position")
    return fig


def fig_part2_positional_pairs():
    """Pair i = 1 of every position, as a point: on a circle only if sin and cos share a
    frequency."""
    d, n = 32, 64
    right_pe = positional_encoding(n, d, dtype=np.float64)  # (64, 32)
    wrong_pe = wrong_encoding(n, d)  # (64, 32)
    fig, axes = new_figure(7.0, 3.4, ncols=2)
    titles = [
        "one frequency per pair (correct)",
        "one frequency per column (the mistake)",
    ]
    theta = np.linspace(0, 2 * np.pi, 200)
    for ax, pe, title, color in zip(
        axes, [right_pe, wrong_pe], titles, [BLUE, RED], strict=True
    ):
        ax.plot(np.cos(theta), np.sin(theta), color=GREY, lw=0.8, ls=":")
        ax.plot(pe[:, 2], pe[:, 3], "-", color=color, lw=0.6, alpha=0.5)
        dots = ax.scatter(
            pe[:, 2], pe[:, 3], c=np.arange(n), cmap="viridis", s=14, zorder=3
        )
        for p in [0, 5, 10]:
            ax.annotate(
                f"p = {p}",
                (pe[p, 2], pe[p, 3]),
                xytext=(6, 4),
                textcoords="offset points",
                fontsize=9,
            )
        ax.set_aspect("equal")
        ax.set_xlim(-1.35, 1.35)
        ax.set_ylim(-1.35, 1.35)
        ax.set_xlabel("column 2 (sine)")
        ax.set_ylabel("column 3 (cosine)")
        ax.set_title(title, fontsize=11)
    fig.colorbar(dots, ax=axes, shrink=0.8, label="position $p$")
    return fig
