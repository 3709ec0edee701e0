"""Figures for Part IV: GPT-2's block, GELU, the KV cache, top-p, the file's names."""

import numpy as np
from _style import BLUE, GREEN, GREY, ORANGE, RED, new_figure
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

from scratchml import gelu, gelu_grad, load_shipped, relu, relu_grad, softmax
from scratchml.gpt2 import hf_names


def _box(ax, x, y, w, h, text, color, size=11, weight="normal"):
    """A rounded box centred at (x, y) with a label."""
    ax.add_patch(
        FancyBboxPatch(
            (x - w / 2, y - h / 2),
            w,
            h,
            boxstyle="round,pad=0.02,rounding_size=0.08",
            facecolor=color,
            edgecolor="black",
            linewidth=1,
            alpha=0.9,
        )
    )
    ax.text(x, y, text, ha="center", va="center", fontsize=size, weight=weight)


def _arrow(ax, x0, y0, x1, y1, color="black"):
    ax.add_patch(
        FancyArrowPatch(
            (x0, y0), (x1, y1), arrowstyle="-|>", mutation_scale=12, color=color
        )
    )


def fig_part4_gpt2_block():
    """GPT-2 from ids to logits: pre-LN blocks with biases, ln_f, a tied unembedding."""
    fig, ax = new_figure(6.4, 7.0)
    ax.set_xlim(0, 10)
    ax.set_ylim(0, 14)
    ax.axis("off")
    ax.grid(False)
    blue, orange, green = "#c5cae9", "#ffccbc", "#c8e6c9"
    s = 2.2  # x of the residual stream
    _box(ax, 5, 0.7, 4.6, 0.8, "token ids  (B, T)", "white")
    _box(ax, 5, 1.9, 7.6, 0.9, "x = wte[ids] + wpe[0..T-1]   (B, T, d)", green)
    _arrow(ax, 5, 1.1, 5, 1.45)
    ax.add_patch(
        FancyBboxPatch(
            (0.5, 2.75),
            9.0,
            7.2,
            boxstyle="round,pad=0.05,rounding_size=0.2",
            facecolor="none",
            edgecolor=GREY,
            linestyle="--",
        )
    )
    ax.text(
        9.4, 3.0, "one block, repeated L times", ha="right", fontsize=10, color=GREY
    )
    ax.plot([s, s], [2.35, 10.3], color=RED, linewidth=2)  # the residual stream
    ax.text(s - 0.75, 4.2, "residual stream", rotation=90, color=RED, fontsize=10)
    for y0, label, color in (
        (3.7, "attention (causal),\nq, k, v, out with biases", blue),
        (6.9, "MLP: d -> 4d, GELU,\n4d -> d, with biases", orange),
    ):
        ax.plot([s, 6.2], [y0, y0], color="black", linewidth=1)  # branch off
        _box(ax, 6.2, y0 + 0.6, 3.2, 0.7, "layer norm", "white")
        _arrow(ax, 6.2, y0, 6.2, y0 + 0.25)
        _box(ax, 6.2, y0 + 1.8, 4.8, 1.0, label, color)
        _arrow(ax, 6.2, y0 + 0.95, 6.2, y0 + 1.3)
        ax.plot([6.2, 6.2], [y0 + 2.3, y0 + 2.7], color="black", linewidth=1)
        _arrow(ax, 6.2, y0 + 2.7, s + 0.3, y0 + 2.7)  # added back
        _box(ax, s, y0 + 2.7, 0.55, 0.55, "+", "white", size=13, weight="bold")
    _arrow(ax, s, 10.3, 4.0, 10.75)
    _box(ax, 5, 11.0, 3.8, 0.7, "ln_f: a last layer norm", "white")
    _arrow(ax, 5, 11.35, 5, 11.75)
    _box(ax, 5, 12.2, 7.6, 0.9, "logits = x @ wte.T   (B, T, V)", green)
    ax.annotate(
        "",
        xy=(9.0, 11.75),
        xytext=(9.0, 2.35),
        arrowprops=dict(arrowstyle="<->", color=GREEN, linewidth=1.5),
    )
    ax.text(9.2, 7.0, "tied: one wte", rotation=90, color=GREEN, fontsize=10)
    ax.text(5, 13.3, "GPT-2: pre-LN blocks", ha="center", fontsize=12, weight="bold")
    return fig


def fig_part4_gelu():
    """GELU against ReLU, and their derivatives."""
    z = np.linspace(-4, 4, 401)
    fig, (left, right) = new_figure(6.4, 3.0, ncols=2)
    left.plot(z, relu(z), color=GREY, linestyle="--", label="ReLU")
    left.plot(z, gelu(z), color=BLUE, label="GELU")
    left.set_title("the function")
    left.set_xlabel("z")
    left.legend(loc="upper left")
    right.plot(z, relu_grad(z), color=GREY, linestyle="--", label="ReLU'")
    right.plot(z, gelu_grad(z), color=ORANGE, label="GELU'")
    right.axhline(1.0, color="black", linewidth=0.6)
    right.set_title("its slope")
    right.set_xlabel("z")
    right.legend(loc="upper left")
    fine = np.linspace(-1.5, 0.0, 150_001)  # the minimum to 1e-5, not the plot's grid
    low = fine[np.argmin(gelu(fine))]
    left.annotate(
        f"min {gelu(np.array(low)):.2f}\nat z = {low:.2f}",
        (low, float(gelu(np.array(low)))),
        xytext=(-3.9, 1.6),
        fontsize=10,
        arrowprops=dict(arrowstyle="->", color=BLUE),
    )
    return fig


def fig_part4_kv_cache():
    """What each generation step computes, without and with the cache."""
    steps, prompt = 6, 3
    fig, axes = new_figure(6.4, 3.4, ncols=2)
    for ax, cached in zip(axes, (False, True), strict=True):
        grid = np.zeros((steps, prompt + steps))  # 0 empty, 1 reused, 2 computed
        for s in range(steps):
            n = prompt + s  # tokens in the sequence at this step
            if cached and s > 0:
                grid[s, : n - 1] = 1
                grid[s, n - 1] = 2
            else:
                grid[s, :n] = 2
        colors = np.array([[1, 1, 1], [0.78, 0.9, 0.79], [1.0, 0.44, 0.26]])
        ax.imshow(colors[grid.astype(int)], aspect="auto")
        ax.set_xticks(range(prompt + steps), [str(i) for i in range(prompt + steps)])
        ax.set_yticks(range(steps), [str(s + 1) for s in range(steps)])
        ax.set_xlabel("position")
        ax.set_ylabel("step")
        ax.grid(False)
        done = int((grid == 2).sum())
        ax.set_title(f"{'with' if cached else 'without'} the cache: {done} computed")
        ax.set_xticks(np.arange(-0.5, prompt + steps), minor=True)
        ax.set_yticks(np.arange(-0.5, steps), minor=True)
        ax.grid(which="minor", color="white", linewidth=1.5)
        ax.tick_params(which="minor", length=0)
    fig.text(
        0.5,
        -0.06,
        "orange: q, k, v computed at this step    green: k, v read from the cache",
        ha="center",
        fontsize=10,
    )
    return fig


def fig_part4_top_p():
    """Top-p on the shipped model: a confident next character, then a spread one."""
    model, tokenizer, _ = load_shipped()
    prompts = ("The for statement is used to iter", "The for statement is used to ")
    fig, axes = new_figure(6.4, 5.6, nrows=2)
    for ax, prompt in zip(axes, prompts, strict=True):
        ids = tokenizer.encode(prompt)[None, -model.context_length :]
        probs = softmax(model.forward(ids)[0, -1])
        order = np.argsort(probs)[::-1][:16]  # the 16 likeliest characters
        cum = np.cumsum(probs[np.argsort(probs)[::-1]])
        keep = int(np.searchsorted(cum, 0.9) + 1)  # fewest tokens reaching 0.9
        colors = [ORANGE if i < keep else GREY for i in range(len(order))]
        labels = [tokenizer.decode([int(i)]).replace(" ", "\u2423") for i in order]
        ax.bar(range(len(order)), probs[order], color=colors)
        ax.plot(range(len(order)), cum[: len(order)], "o-", color=BLUE, markersize=4)
        ax.axhline(0.9, color=BLUE, linestyle="--", linewidth=1)
        ax.text(len(order) - 0.5, 0.8, "p = 0.9", ha="right", color=BLUE)
        ax.set_xticks(range(len(order)), [repr(c)[1:-1] for c in labels])
        ax.set_ylim(0, 1.05)
        ax.set_ylabel("probability")
        kept = f"{keep} character" + ("s" if keep > 1 else "")
        ax.set_title(f"after '...{prompt[-10:]}': the nucleus keeps {kept}")
    return fig


def fig_part4_hf_names():
    """How the names of a Hugging Face GPT-2 file map onto the model's parameters."""
    rows = []
    for hf_name, (targets, how) in hf_names(1).items():
        left = hf_name.replace("h.0.", "h.{i}.")
        first, *rest = (t.replace("blocks.0.", "blocks.{i}.") for t in targets)
        right = first + "".join(" | " + r.rsplit(".", 1)[-1] for r in rest)
        rows.append((left, right, how))
    fig, ax = new_figure(6.4, 0.36 * len(rows) + 0.5)
    ax.set_title(
        "Hugging Face's names -> the model's parameters (orange: cut in three)"
    )
    ax.axis("off")
    ax.grid(False)
    ax.set_xlim(0, 10)
    ax.set_ylim(-0.6, len(rows) - 0.4)
    for i, (left, right, how) in enumerate(rows):
        y = len(rows) - 1 - i
        color = ORANGE if how == "split" else "black"
        ax.text(0, y, left, ha="left", va="center", family="monospace", fontsize=9)
        _arrow(ax, 4.55, y, 5.0, y, color=color)
        ax.text(5.1, y, right, ha="left", va="center", family="monospace", fontsize=9)
    return fig
