"""Figures for part2/overview.md."""

import matplotlib.patches as patches
from _style import BLUE, GREEN, GREY, ORANGE, RED, new_figure

from scratchml import GPT, CharTokenizer

TEXT = "the cat sat on the mat"
PROMPT = "the cat sat"


def _shapes() -> dict[str, tuple]:
    """Run the overview's tiny GPT step by step and return the shape after each step."""
    tok = CharTokenizer.from_text(TEXT)
    model = GPT(
        tok.vocab_size, d_model=16, n_heads=2, n_layers=2, context_length=16, rng=0
    )
    ids = tok.encode(PROMPT)  # (T,)
    tokens = model.tok_emb(ids)  # (T, d_model)
    x = model.pos_emb(tokens)  # (T, d_model)
    x = model.blocks(x)  # (T, d_model)
    last = model.ln_f(x)[-1]  # (d_model,)
    logits = model.unembed(last[None])[0]  # (V,)
    return {
        "ids": ids.shape,
        "tokens": tokens.shape,
        "x": x.shape,
        "last": last.shape,
        "logits": logits.shape,
        "W_E": model.tok_emb.params["W_E"].shape,
        "W_P": model.pos_emb.params["W_P"].shape,
        "W_U": model.unembed.params["W_U"].shape,
    }


def _box(ax, x, y, w, h, text, color):
    ax.add_patch(
        patches.FancyBboxPatch(
            (x - w / 2, y - h / 2),
            w,
            h,
            boxstyle="round,pad=0.02,rounding_size=0.12",
            facecolor=color,
            edgecolor="none",
            alpha=0.9,
            zorder=2,
        )
    )
    ax.text(x, y, text, ha="center", va="center", color="white", fontsize=11, zorder=3)


def _arrow(ax, y0, y1, x=3.0):
    ax.annotate(
        "",
        xy=(x, y1),
        xytext=(x, y0),
        arrowprops={"arrowstyle": "->", "color": GREY, "lw": 1.2},
    )


def fig_part2_overview_pipeline():
    """The decoder-only pipeline as boxes and arrows, with the shape of each array."""
    s = _shapes()
    T, d = s["tokens"]
    V = s["logits"][0]
    fig, ax = new_figure(6.6, 7.4)
    ax.set_axis_off()
    ax.set_xlim(0, 10)
    ax.set_ylim(-0.4, 11.5)
    steps = [  # (y, box text, color, shape text, note)
        (10.6, f'text  "{PROMPT}"', GREY, f"{T} characters", ""),
        (9.3, "tokenizer: one id per character", BLUE, f"ids: {s['ids']}", "tokens.md"),
        (8.0, "token embedding  $W_E$[ids]", BLUE, f"({T}, {d})", f"$W_E$: {s['W_E']}"),
        (
            6.7,
            "+ position embedding  $W_P$[:T]",
            BLUE,
            f"({T}, {d})",
            f"$W_P$: {s['W_P']}",
        ),
        (5.4, "attention: read earlier positions", ORANGE, f"({T}, {d})", ""),
        (4.3, "MLP: compute at each position", ORANGE, f"({T}, {d})", ""),
        (3.0, "final layer norm, keep the last row", GREEN, f"({d},)", ""),
        (1.7, "unembedding  $x\\,W_U$: logits", GREEN, f"({V},)", f"$W_U$: {s['W_U']}"),
        (0.4, "softmax: probabilities", RED, f"({V},), sums to 1", ""),
    ]
    for (y, text, color, shape, note), nxt in zip(
        steps, steps[1:] + [None], strict=True
    ):
        _box(ax, 3.0, y, 5.4, 0.8, text, color)
        ax.text(6.0, y, shape, ha="left", va="center", fontsize=11)
        if note and not note.endswith(".md"):
            ax.text(8.1, y, note, ha="left", va="center", fontsize=10, color=GREY)
        if nxt is not None:
            _arrow(ax, y - 0.42, nxt[0] + 0.42)
    # the repeated block: a bracket around attention and MLP
    ax.add_patch(
        patches.FancyBboxPatch(
            (0.1, 3.75),
            5.8,
            2.2,
            boxstyle="round,pad=0.02,rounding_size=0.15",
            fill=False,
            edgecolor=ORANGE,
            linestyle="--",
            lw=1.2,
            zorder=1,
        )
    )
    ax.text(
        6.0,
        4.85,
        "one transformer block,\nrepeated n_layers times",
        fontsize=10,
        color=ORANGE,
        va="center",
    )
    ax.text(6.0, 11.35, "shape of the array", fontsize=10.5, fontweight="bold")
    ax.text(8.1, 11.35, "parameters", fontsize=10.5, fontweight="bold", color=GREY)
    return fig
