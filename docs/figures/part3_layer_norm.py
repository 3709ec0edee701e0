"""Figures for part3/layer-norm.md."""

from _style import BLUE, GREEN, GREY, ORANGE, new_figure

# (x, y) of each node of the forward graph, and its label
NODES = {
    "x": ((0.7, 2.0), "$x$"),
    "mu": ((2.3, 3.4), r"$\mu = \mathrm{mean}(x)$"),
    "xc": ((4.0, 2.0), r"$x - \mu$"),
    "s": ((5.6, 0.6), r"$s = \sqrt{\sigma^2 + \epsilon}$"),
    "xhat": ((7.3, 2.0), r"$\hat{x} = (x - \mu)/s$"),
    "gb": ((8.9, 3.4), r"$\gamma,\ \beta$"),
    "y": ((9.6, 2.0), r"$y = \gamma \odot \hat{x} + \beta$"),
}
VAR_MEAN = r"$\mathrm{mean}(d\hat{x} \odot \hat{x})$"
EDGES = [
    ("x", "xc", BLUE),
    ("x", "mu", ORANGE),
    ("mu", "xc", ORANGE),
    ("xc", "xhat", BLUE),
    ("xc", "s", GREEN),
    ("s", "xhat", GREEN),
    ("xhat", "y", GREY),
    ("gb", "y", GREY),
]


def fig_part3_layer_norm_graph():
    """The forward graph of layer norm, with the three routes from x to x-hat
    colored."""
    fig, ax = new_figure(7.6, 3.6)
    ax.set_axis_off()
    ax.set_xlim(-0.2, 11.0)
    ax.set_ylim(-2.3, 4.0)
    boxes = {}
    for key, ((x, y), label) in NODES.items():
        boxes[key] = ax.text(
            x,
            y,
            label,
            ha="center",
            va="center",
            fontsize=12.5,
            bbox={
                "boxstyle": "round,pad=0.35",
                "facecolor": "white",
                "edgecolor": GREY,
            },
            zorder=3,
        )
    for a, b, color in EDGES:
        ax.annotate(
            "",
            xy=NODES[b][0],
            xytext=NODES[a][0],
            arrowprops={
                "arrowstyle": "-|>",
                "color": color,
                "linewidth": 2.0,
                "patchA": boxes[a],
                "patchB": boxes[b],
                "shrinkA": 2,
                "shrinkB": 2,
            },
            zorder=2,
        )
    ax.set_title(
        "layer norm of one position ($d$ numbers): the forward graph", fontsize=11.5
    )
    ax.text(
        5.6,
        -0.05,
        r"$\sigma^2 = \mathrm{mean}((x-\mu)^2)$",
        ha="center",
        fontsize=9,
        color=GREY,
    )
    terms = [
        (BLUE, r"directly:  $\frac{1}{s}\, d\hat{x}$"),
        (ORANGE, r"through the mean:  $-\frac{1}{s}\, \mathrm{mean}(d\hat{x})$"),
        (GREEN, r"through the variance:  $-\frac{1}{s}\, \hat{x} \odot$" + VAR_MEAN),
    ]
    ax.text(0.0, -0.9, "$dx$ is the sum of three routes:", fontsize=11.5, va="center")
    for i, (color, text) in enumerate(terms):
        ax.text(0.3, -1.45 - 0.55 * i, text, color=color, fontsize=11.5, va="center")
    return fig
