"""Figures for part2/tiny-gpt.md."""

import numpy as np
from _style import BLUE, ORANGE, new_figure

from scratchml import GPT, CharTokenizer, softmax


def fig_part2_tiny_gpt_next_token():
    """The untrained model's next-token distribution after "to be or", against
    uniform."""
    tok = CharTokenizer.from_text("to be, or not to be, that is the question")
    V = tok.vocab_size
    model = GPT(
        vocab_size=V, d_model=16, n_heads=4, n_layers=2, context_length=16, rng=0
    )
    ids = np.stack([tok.encode("to be or"), tok.encode("not to b")])  # (B, T)
    probs = softmax(model(ids)[0, -1])  # (V,): after "to be or"
    fig, ax = new_figure(6.4, 2.8)
    labels = ["space" if ch == " " else ch for ch in tok.chars]
    ax.bar(range(V), probs, color=BLUE, label="untrained model")
    ax.axhline(1 / V, color=ORANGE, linestyle="--", label=f"uniform, 1/{V}")
    ax.set_xticks(range(V), labels)
    ax.set_xlabel('next character after "to be or"')
    ax.set_ylabel("probability")
    ax.set_ylim(0, 0.11)
    ax.legend(loc="upper left", frameon=False, ncols=2)
    return fig
