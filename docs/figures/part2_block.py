"""Figures for part2/transformer-block.md."""

import matplotlib.patches as patches
import numpy as np
from _style import BLUE, GREEN, GREY, ORANGE, new_figure

from scratchml import LayerNorm


def fig_part2_block_layer_norm():
    """Histograms of one 64-entry vector before and after layer norm."""
    # (d_model,)
    x = 1.0 + 3.0 * np.random.default_rng(0).standard_normal(64, dtype=np.float32)
    y = LayerNorm(64)(x)  # (d_model,)
    fig, axes = new_figure(7.8, 2.8, ncols=2)
    for ax, values, color, title in [
        (axes[0], x, GREY, "before layer norm"),
        (axes[1], y, BLUE, "after layer norm"),
    ]:
        ax.hist(values, bins=16, color=color, alpha=0.85)
        ax.axvline(values.mean(), color=ORANGE, linewidth=2)
        ax.set_title(f"{title}: mean {values.mean():.2f}, std {values.std():.2f}")
        ax.set_xlabel("value of an entry")
    axes[0].set_ylabel("number of entries")
    return fig


def _box(ax, x, y, text, color, width=1.7, height=0.8):
    ax.add_patch(
        patches.FancyBboxPatch(
            (x - width / 2, y - height / 2),
            width,
            height,
            boxstyle="round,pad=0.04,rounding_size=0.12",
            facecolor="white",
            edgecolor=color,
            linewidth=1.6,
            zorder=3,
        )
    )
    ax.text(x, y, text, ha="center", va="center", fontsize=11.5, zorder=4)


def _arrow(ax, start, end, color=GREY, width=1.2):
    ax.annotate(
        "",
        xy=end,
        xytext=start,
        arrowprops={"arrowstyle": "-|>", "color": color, "linewidth": width},
        zorder=2,
    )


def _plus(ax, x, y):
    ax.add_patch(
        patches.Circle((x, y), 0.28, facecolor="white", edgecolor=GREY, zorder=3)
    )
    ax.text(x, y, "+", ha="center", va="center", fontsize=14, zorder=4)


def fig_part2_block_diagram():
    """The pre-norm block: two branches that read the residual stream and add back to
    it."""
    fig, ax = new_figure(8.0, 2.8)
    ax.set_axis_off()
    ax.set_xlim(-0.4, 14.2)
    ax.set_ylim(-1.2, 2.6)
    stream_y, branch_y = 0.0, 1.9

    ax.text(0.0, stream_y + 0.35, "$x$", ha="center", fontsize=12)
    ax.text(
        0.0, stream_y - 0.55, "(B, T, d_model)", ha="center", fontsize=9, color=GREY
    )
    ax.text(13.7, stream_y + 0.35, "$y$", ha="center", fontsize=12)
    ax.text(
        13.7, stream_y - 0.55, "(B, T, d_model)", ha="center", fontsize=9, color=GREY
    )

    branches = [
        (1.0, "layer norm 1", "multi-head\nattention", 6.3, ORANGE),
        (7.1, "layer norm 2", "feed-forward\n(MLP)", 12.4, GREEN),
    ]
    previous = 0.3
    for start, norm, sublayer, plus_x, color in branches:
        _arrow(ax, (previous, stream_y), (plus_x - 0.3, stream_y), BLUE, 2.5)
        ax.plot(
            [start, start], [stream_y, branch_y], color=GREY, linewidth=1.2, zorder=1
        )
        _arrow(ax, (start, branch_y), (start + 0.4, branch_y))
        _box(ax, start + 1.4, branch_y, norm, BLUE, width=2.0)
        _arrow(ax, (start + 2.4, branch_y), (start + 2.8, branch_y))
        _box(ax, start + 3.75, branch_y, sublayer, color, width=1.9, height=1.0)
        ax.plot([start + 4.7, plus_x], [branch_y, branch_y], color=GREY, linewidth=1.2)
        _arrow(ax, (plus_x, branch_y), (plus_x, stream_y + 0.3))
        _plus(ax, plus_x, stream_y)
        previous = plus_x + 0.3
    _arrow(ax, (previous, stream_y), (13.35, stream_y), BLUE, 2.5)
    ax.text(
        3.6, stream_y - 0.5, "residual stream", ha="center", color=BLUE, fontsize=11.5
    )
    ax.text(
        6.3, stream_y - 1.0, "$x' = x + \\mathrm{attn}(\\mathrm{ln}_1(x))$", ha="center"
    )
    ax.text(
        11.6,
        stream_y - 1.0,
        "$y = x' + \\mathrm{ffn}(\\mathrm{ln}_2(x'))$",
        ha="center",
    )
    return fig
