"""Figures for part4/bpe.md."""

from _style import BLUE, ORANGE, new_figure

from scratchml import BPETokenizer, load_text

SIZES = (0, 64, 128, 256, 512, 768, 1024, 1536, 2048)  # merges learned


def fig_part4_bpe_tokens():
    """How many tokens the default text takes as BPE learns more merges."""
    text = load_text()
    # the longest run holds every shorter one
    full = BPETokenizer.train(text, 257 + SIZES[-1])
    per_char = []
    for m in SIZES:
        # the first m merges
        tok = BPETokenizer(full.tokens[: 256 + m], full.merges[:m])
        per_char.append(len(tok.encode(text)) / len(text))
    fig, ax = new_figure(6.4, 3.4)
    ax.plot(SIZES, per_char, "o-", color=BLUE)
    ax.axhline(1.0, color=ORANGE, linestyle="--", linewidth=1)
    ax.text(
        SIZES[-1],
        1.02,
        "one token per character",
        ha="right",
        va="bottom",
        color=ORANGE,
    )
    ax.set_xlabel("merges learned (vocabulary = 257 + merges)")
    ax.set_ylabel("tokens per character")
    ax.set_ylim(0, 1.15)
    for m, y in zip(SIZES, per_char, strict=True):
        if m in (0, 256, 2048):
            ax.annotate(f"{y:.2f}", (m, y), textcoords="offset points", xytext=(4, 6))
    return fig
