"""Figures for part3/training-loop.md."""

import numpy as np
from _style import BLUE, GREY, ORANGE, new_figure

from scratchml import (
    GPT,
    CharTokenizer,
    load_shipped,
    scheduled_lr,
    train,
    train_val_split,
)

TEXT = (  # the page's text: the opening of A Tale of Two Cities (Dickens, 1859)
    "It was the best of times, it was the worst of times, it was the age of wisdom, "
    "it was the age of foolishness, it was the epoch of belief, it was the epoch of "
    "incredulity, it was the season of Light, it was the season of Darkness, it was "
    "the "
    "spring of hope, it was the winter of despair, we had everything before us, we had "
    "nothing before us, we were all going direct to Heaven, we were all going direct "
    "the other way--in short, the period was so far like the present period, that some "
    "of its noisiest authorities insisted on its being received, for good or for evil, "
    "in the superlative degree of comparison only."
)


def fig_part3_training_schedule():
    """The learning rate of the shipped checkpoint's run: warmup, then a cosine
    decay."""
    # the options of the recorded command
    args = load_shipped()[2]["extra"]["arguments"]
    steps, lr, min_lr, warmup = (
        args["steps"],
        args["lr"],
        args["min_lr"],
        args["warmup"],
    )
    s = np.arange(1, steps + 1)
    cosine = [scheduled_lr(int(t), lr, steps, warmup, min_lr) for t in s]
    constant = [scheduled_lr(int(t), lr, steps, warmup) for t in s]
    fig, (left, right) = new_figure(7.6, 3.0, ncols=2)
    for ax in (left, right):
        ax.plot(s, constant, color=GREY, linestyle="--", label="warmup, then constant")
        ax.plot(s, cosine, color=BLUE, label="warmup, then cosine decay")
        ax.set_xlabel("step")
    left.set_ylabel("learning rate")
    left.set_title(f"{steps} steps: lr {lr:g}, min_lr {min_lr:g}")
    left.legend(frameon=False, loc="lower center")
    right.set_xlim(0, 3 * warmup)
    right.set_title(f"the first {3 * warmup} steps: a {warmup}-step linear warmup")
    return fig


def _page_run():
    """The run of the page: same text, model, options and seed."""
    tok = CharTokenizer.from_text(TEXT)
    train_ids, val_ids = train_val_split(tok.encode(TEXT), val_fraction=0.1)
    model = GPT(tok.vocab_size, 32, 4, 2, context_length=16, rng=0, dtype=np.float64)
    history = train(
        model,
        train_ids,
        val_ids,
        steps=60,
        batch_size=16,
        lr=5e-3,
        warmup_steps=10,
        min_lr=5e-4,
        eval_every=20,
        eval_batches=4,
        rng=0,
        log=lambda line: None,
        progress=False,
    )
    freq = np.bincount(train_ids, minlength=tok.vocab_size) / len(train_ids)  # (V,)
    unigram = float(-np.sum(freq[freq > 0] * np.log(freq[freq > 0])))
    return history, tok.vocab_size, unigram


def fig_part3_training_loss():
    """The page's run: training loss per step, validation loss, ln V and the unigram
    level."""
    history, V, unigram = _page_run()
    fig, ax = new_figure(6.4, 3.2)
    ax.plot(
        history["step"],
        history["loss"],
        color=BLUE,
        linewidth=1,
        label="training batch",
    )
    ax.plot(
        history["eval_step"],
        history["val_loss"],
        "o-",
        color=ORANGE,
        label="validation (fixed)",
    )
    ax.axhline(np.log(V), color=GREY, linestyle="--", linewidth=1)
    ax.text(
        60, np.log(V) + 0.03, f"ln V = ln {V}: a uniform guess", ha="right", color=GREY
    )
    ax.axhline(unigram, color=GREY, linestyle=":", linewidth=1)
    ax.text(60, unigram + 0.03, "letter frequencies alone", ha="right", color=GREY)
    ax.set_xlabel("step")
    ax.set_ylabel("cross-entropy")
    ax.legend(frameon=False, loc="lower left")
    return fig
