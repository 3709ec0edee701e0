"""Figures for part2/unembedding.md."""

import numpy as np
from _style import BLUE, GREY, ORANGE, new_figure, show_char

from scratchml import GPT, CharTokenizer, softmax


def fig_part2_unembedding_logits():
    """Logits of an untrained tiny GPT after "the cat sat", and the probabilities they
    give."""
    tok = CharTokenizer.from_text("the cat sat on the mat")
    model = GPT(
        tok.vocab_size, d_model=16, n_heads=2, n_layers=2, context_length=16, rng=0
    )
    logits = model(tok.encode("the cat sat"))[-1]  # (V,): the last position
    probs = softmax(logits)  # (V,)
    labels = [show_char(c) for c in tok.chars]
    xs = np.arange(tok.vocab_size)
    fig, (left, right) = new_figure(7.2, 2.9, ncols=2)
    left.bar(xs, logits, color=BLUE)
    left.axhline(0, color="black", lw=0.6)
    left.set_xticks(xs, labels)
    left.set_ylim(-1, 1)
    left.set_ylabel("logit")
    left.set_title("logits $z = x\\,W_U$: any real number")
    right.bar(xs, probs, color=ORANGE)
    right.axhline(1 / tok.vocab_size, color=GREY, ls="--", lw=1)
    right.text(-0.5, 1 / tok.vocab_size + 0.008, "uniform, 1/V", ha="left", color=GREY)
    right.set_xticks(xs, labels)
    right.set_ylim(0, 0.3)
    right.set_ylabel("probability")
    right.set_title("softmax$(z)$: positive, sums to 1")
    for ax in (left, right):
        ax.set_xlabel('next character after "the cat sat"')
        ax.grid(axis="x", visible=False)
    return fig
