"""Training a language model (Parts III and IV): windows of a token stream in, a lower loss out.

(``fit`` in ``supervised.py`` trains on a fixed set of labelled examples, epoch by
epoch;
``train`` here draws random windows from a text for a number of steps.)

Every step is the loop of Part I, applied to the GPT::

    x, y   = a batch of windows of the text      (B, T) each, y is x shifted by one
    logits = model.forward(x)                    (B, T, V)
    loss   = cross-entropy of logits against y   one number
    model.backward(dloss/dlogits)                every gradient, with the current
    weights
    clip the gradients, then let Adam update the weights

Around it, ``train`` adds what a long run needs: a learning-rate schedule (a short
warmup, then an optional cosine decay), a validation loss on text the model never
trains on, measured on the same fixed batches every time so that the numbers are
comparable, samples of generated text, and a one-line progress display.
"""

# --8<-- [start:imports]
import math
import sys
import time

import numpy as np

from scratchml._checks import (
    ArgumentTypeError,
    NonFiniteError,
    as_token_ids,
    check_bool,
    check_callable,
    check_int,
    check_layer,
    check_non_negative,
    check_positive,
    check_positive_int,
    check_rng,
)
from scratchml.generate import generate
from scratchml.losses import cross_entropy, cross_entropy_with_grad
from scratchml.optim import Adam, clip_grad_norm
from scratchml.text import get_batch

# --8<-- [end:imports]


def _check_schedule(where: str, lr, steps, warmup_steps, min_lr) -> None:
    """The schedule's arguments: positive lr and steps, warmup in [0, steps], min_lr <= lr."""
    lr = check_positive(where, "lr", lr)
    steps = check_positive_int(where, "steps", steps)
    warmup_steps = check_int(where, "warmup_steps", warmup_steps, minimum=0)
    if warmup_steps > steps:
        raise ValueError(
            f"{where}: warmup_steps={warmup_steps} is more than steps={steps}"
        )
    if min_lr is not None and check_non_negative(where, "min_lr", min_lr) > lr:
        raise ValueError(f"{where}: min_lr={min_lr!r} must be <= lr={lr!r}")


def _check_data(where: str, model, train_ids, val_ids, tokenizer) -> tuple:
    """The texts as token ids the model can read, each long enough for one window of
    ``context_length + 1`` tokens, and a tokenizer (if any) of the model's vocabulary."""
    vocab_size = getattr(model, "vocab_size", np.iinfo(np.int64).max)
    T = model.context_length
    texts = []
    for name, ids in (("train_ids", train_ids), ("val_ids", val_ids)):
        ids = as_token_ids(where, name, ids, vocab_size)
        if ids.ndim != 1:
            raise ValueError(f"{where}: {name} has shape {ids.shape} but must be 1-D")
        if len(ids) < T + 1:
            raise ValueError(
                f"{where}: {name}: the text has {len(ids)} tokens but one window needs "
                f"context_length + 1 = {T + 1}; use a longer text or a shorter context"
            )
        texts.append(ids)
    if tokenizer is not None:
        if not all(callable(getattr(tokenizer, f, None)) for f in ("encode", "decode")):
            raise ArgumentTypeError(
                f"{where}: tokenizer must have encode() and decode() (a CharTokenizer "
                "or "
                f"BPETokenizer), got {tokenizer!r:.60}"
            )
        if getattr(tokenizer, "vocab_size", vocab_size) != vocab_size:
            raise ValueError(
                f"{where}: tokenizer has {tokenizer.vocab_size} tokens but the model's "
                f"vocab_size is {vocab_size}; they must be equal"
            )
    return tuple(texts)


# --8<-- [start:scheduled_lr]
def scheduled_lr(
    step: int, lr: float, steps: int, warmup_steps: int = 0, min_lr=None
) -> float:
    """The learning rate of step ``step`` (counted from 1): linear warmup, then cosine decay.

    - Steps ``1 .. warmup_steps`` grow the rate linearly from ``lr / warmup_steps`` to
      ``lr``: Adam's first steps are large for every weight, and a small rate keeps the
      freshly initialized model from jumping somewhere bad.
    - After the warmup the rate is ``lr`` if ``min_lr`` is None; otherwise it follows
      half a cosine from ``lr`` down to ``min_lr`` at the last step, so the final steps
      take small, careful moves.

    Parameters
    ----------
    step : int
        The step, from 1 to ``steps``.
    lr : float
        The peak learning rate, reached at the end of the warmup.
    steps : int
        The total number of steps of the run.
    warmup_steps : int
        Steps of linear warmup (0: none).
    min_lr : float or None
        The rate at the last step, or None for a constant rate after the warmup.

    Returns
    -------
    float
        The learning rate to use at ``step``.

    Raises
    ------
    ValueError
        If ``step`` is not in ``1..steps``, ``lr`` is not a positive number,
        ``warmup_steps``
        is not in ``0..steps``, or ``min_lr`` is not in ``[0, lr]`` (a ``TypeError``
        too,
        for a value of the wrong type).
    """
    _check_schedule("scheduled_lr", lr, steps, warmup_steps, min_lr)
    step = check_positive_int("scheduled_lr", "step", step)
    if step > steps:
        raise ValueError(f"scheduled_lr: step={step} is more than steps={steps}")
    if step <= warmup_steps:
        return lr * step / warmup_steps
    if min_lr is None:
        return lr
    progress = (step - warmup_steps) / max(1, steps - warmup_steps)  # in (0, 1]
    return min_lr + 0.5 * (lr - min_lr) * (1 + math.cos(math.pi * progress))


# --8<-- [end:scheduled_lr]


# --8<-- [start:evaluate_loss]
def _pause_dropout(model) -> list:
    """Switch off every layer of ``model`` that is in training mode; return them."""
    paused, stack = [], [model]
    while stack:
        layer = stack.pop()
        stack += list(getattr(layer, "children", {}).values())
        if getattr(layer, "training", False) is True:  # a Dropout layer, switched on
            layer.training = False
            paused.append(layer)
    return paused


def evaluate_loss(model, batches) -> float:
    """Mean cross-entropy of ``model`` over a list of ``(x, y)`` batches (no training).

    Dropout, if the model has any, is off while it measures and back on afterwards.

    Parameters
    ----------
    model : Layer
        A language model: ``forward(x)`` returns logits ``(B, T, V)``.
    batches : list of (x, y) pairs
        Input ids and target ids, each ``(B, T)``, as ``get_batch`` draws them.

    Returns
    -------
    float
        The mean of the batches' cross-entropies.

    Raises
    ------
    ValueError
        If ``batches`` is not a non-empty list of ``(x, y)`` pairs (a ``TypeError`` too,
        for the wrong type), or a batch does not fit the model; the message names it.
    """
    check_layer("evaluate_loss", "model", model)
    if isinstance(batches, str) or not hasattr(batches, "__len__"):
        raise ArgumentTypeError(
            "evaluate_loss: batches must be a list of (x, y) pairs, got "
            f"{batches!r:.60}"
        )
    if len(batches) == 0:
        raise ValueError(
            f"evaluate_loss: batches must not be empty, got {batches!r:.60}"
        )
    losses = []
    paused = _pause_dropout(
        model
    )  # measure the model itself, not a random thinning of it
    try:
        for i, batch in enumerate(batches):
            if not isinstance(batch, tuple | list) or len(batch) != 2:
                raise ValueError(f"evaluate_loss: batches[{i}] must be an (x, y) pair")
            try:
                losses.append(
                    cross_entropy(model.forward(batch[0]), batch[1])
                )  # one number
            except ValueError as err:  # e.g. an id or a label outside the vocabulary
                raise type(err)(f"evaluate_loss: batches[{i}]: {err}") from None
    finally:
        for layer in paused:
            layer.training = True
    return float(np.mean(losses))


# --8<-- [end:evaluate_loss]


class _Progress:
    """One progress line on stderr: rewritten in place on a terminal, periodic otherwise."""

    def __init__(
        self, steps: int, enabled: bool, stream=None, every_seconds: float = 10.0
    ):
        self.steps, self.enabled = steps, enabled
        self.stream = sys.stderr if stream is None else stream
        self.tty = enabled and hasattr(self.stream, "isatty") and self.stream.isatty()
        self.every_seconds = every_seconds
        self.last_print = time.perf_counter()
        self.width = 0

    def update(self, step: int, loss: float, tokens_per_s: float, eta_s: float) -> None:
        if not self.enabled:
            return
        eta = f"{int(eta_s) // 60}m{int(eta_s) % 60:02d}s"
        line = (
            f"step {step:>{len(str(self.steps))}}/{self.steps}  loss {loss:.4f}  "
            f"{tokens_per_s:,.0f} tok/s  ETA {eta}"
        )
        now = time.perf_counter()
        if self.tty:
            self.stream.write("\r" + line.ljust(self.width))
            self.width = len(line)
            self.stream.flush()
        elif now - self.last_print >= self.every_seconds or step == self.steps:
            self.stream.write(line + "\n")
            self.stream.flush()
            self.last_print = now

    def clear(self) -> None:
        """Erase the line on a terminal, so that a log line can be printed cleanly."""
        if self.tty and self.width:
            self.stream.write("\r" + " " * self.width + "\r")
            self.stream.flush()
            self.width = 0


# --8<-- [start:train]
def train(
    model,
    train_ids,
    val_ids,
    *,
    steps: int = 1000,
    batch_size: int = 32,
    lr: float = 3e-3,
    weight_decay: float = 0.1,
    grad_clip=1.0,
    warmup_steps: int = 0,
    min_lr=None,
    eval_every: int = 100,
    eval_batches: int = 10,
    sample_every: int = 0,
    tokenizer=None,
    sample_length: int = 200,
    temperature: float = 0.8,
    rng=0,
    log=print,
    progress: bool = True,
) -> dict:
    """Train a language model on random windows of ``train_ids`` with Adam.

    Parameters
    ----------
    model : Layer
        A language model such as ``GPT``, with a ``context_length``. It trains in the
        dtype of its parameters (float32 by default, ``model.astype(np.float64)`` for
        float64).
    train_ids : array_like of int, shape (n,)
        The encoded training text, split by ``train_val_split``.
    val_ids : array_like of int, shape (n,)
        The encoded validation text, the other part of that split.
    steps : int
        Number of updates.
    batch_size : int
        Windows per update, each ``context_length`` tokens long.
    lr : float
        Adam's peak learning rate (betas 0.9 and 0.99).
    weight_decay : float
        Adam's decoupled weight decay.
    grad_clip : float or None
        Clip the global gradient norm to this value before each update; None turns it
        off.
    warmup_steps : int
        Steps of linear warmup at the start of the schedule (see ``scheduled_lr``).
    min_lr : float or None
        After the warmup, the rate stays constant (``min_lr=None``) or follows a cosine
        decay to ``min_lr``.
    eval_every : int
        Measure the validation loss before training, every ``eval_every`` steps and
        after the last step.
    eval_batches : int
        Each validation loss is measured on the same ``eval_batches`` batches of
        ``val_ids`` (drawn once, at the start).
    sample_every : int
        With a ``tokenizer``, print a sample every ``sample_every`` steps and after the
        last step (0: never). Each sample is drawn with the same seed every time, so the
        samples show the model changing, not the dice.
    tokenizer : CharTokenizer or BPETokenizer, optional
        Turns the sampled ids into text; needed only when ``sample_every`` is not 0.
    sample_length : int
        Number of tokens in each sample (characters, with a ``CharTokenizer``).
    temperature : float
        The sampling temperature of the samples (``> 0``).
    rng : int or numpy.random.Generator
        Seed of everything random in the run: the same seed gives the same losses.
    log : callable
        Receives the validation and sample lines (``print`` by default).
    progress : bool
        Show a progress line (step, loss, tokens per second, time left) on stderr:
        rewritten in place on a terminal, otherwise a plain line every 10 seconds.

    Returns
    -------
    dict
        ``"step"`` and ``"loss"`` (every step's training loss), ``"lr"``,
        ``"eval_step"`` with ``"train_loss"`` (mean over the steps since the previous
        evaluation, NaN at step 0) and ``"val_loss"``, ``"samples"`` (``(step, text)``
        pairs),
        ``"tokens_per_s"`` (of the training steps alone) and ``"seconds"`` (wall time).

    Raises
    ------
    ValueError
        Before the first step, for any bad argument (a ``TypeError`` too, for the wrong
        type): the message names it. ``NonFiniteError`` (a ``ValueError``) if a loss or
        a
        gradient becomes NaN or infinite, naming the step.
    """
    check_layer("train", "model", model)
    if not isinstance(getattr(model, "context_length", None), int):
        raise TypeError(
            "train: model must be a language model with a context_length (a GPT), got "
            f"{type(model).__name__}"
        )
    steps = check_positive_int("train", "steps", steps)
    batch_size = check_positive_int("train", "batch_size", batch_size)
    eval_every = check_positive_int("train", "eval_every", eval_every)
    eval_batches = check_positive_int("train", "eval_batches", eval_batches)
    _check_schedule("train", lr, steps, warmup_steps, min_lr)
    check_non_negative("train", "weight_decay", weight_decay)
    if grad_clip is not None:
        check_non_negative("train", "grad_clip", grad_clip)
    sample_every = check_int("train", "sample_every", sample_every, minimum=0)
    sample_length = check_positive_int("train", "sample_length", sample_length)
    check_positive("train", "temperature", temperature)
    check_callable("train", "log", log)
    check_bool("train", "progress", progress)
    if sample_every and tokenizer is None:
        raise ValueError(
            "train: sample_every needs a tokenizer to turn samples into text"
        )
    train_ids, val_ids = _check_data("train", model, train_ids, val_ids, tokenizer)
    T = model.context_length
    rng = check_rng("train", "rng", rng)  # one stream: every draw below comes from it
    val_batches = [get_batch(val_ids, batch_size, T, rng) for _ in range(eval_batches)]
    sample_seed = int(rng.integers(2**31))  # the same dice for every sample
    optimizer = Adam(model, lr=lr, betas=(0.9, 0.99), weight_decay=weight_decay)
    history = {
        "step": [],
        "loss": [],
        "lr": [],
        "eval_step": [],
        "train_loss": [],
        "val_loss": [],
    }
    history["samples"] = []
    bar = _Progress(steps, progress)
    start = time.perf_counter()
    train_seconds = 0.0

    def evaluate(step: int) -> None:
        last = history["eval_step"][-1] if history["eval_step"] else 0
        recent = history["loss"][last:]  # the training losses since the last evaluation
        train_loss = float(np.mean(recent)) if recent else float("nan")
        history["eval_step"].append(step)
        history["train_loss"].append(train_loss)
        val_loss = evaluate_loss(model, val_batches)
        if not math.isfinite(val_loss):
            raise NonFiniteError(f"the validation loss is {val_loss}")
        history["val_loss"].append(val_loss)
        bar.clear()
        shown = f"  train {train_loss:.4f}" if recent else ""  # none before step 1
        log(f"step {step:>{len(str(steps))}}{shown}  val {val_loss:.4f}")

    def sample(step: int) -> None:
        stoi = getattr(tokenizer, "stoi", None)  # a CharTokenizer; BPE always has "\n"
        start_id = (
            stoi.get("\n", 0) if stoi is not None else int(tokenizer.encode("\n")[0])
        )
        ids = generate(model, [start_id], sample_length, temperature, rng=sample_seed)
        text = tokenizer.decode(ids[1:])
        history["samples"].append((step, text))
        bar.clear()
        log(f"--- sample at step {step} (temperature {temperature}) ---\n{text}\n---")

    evaluate(0)
    step = 0
    try:
        for step in range(1, steps + 1):
            tic = time.perf_counter()
            # --8<-- [start:train_step]
            x, y = get_batch(
                train_ids, batch_size, T, rng
            )  # (B, T) each: y is x shifted by one
            logits = model.forward(
                x
            )  # (B, T, V): a score for every possible next token
            loss, dlogits = cross_entropy_with_grad(logits, y)  # scalar, (B, T, V)
            model.backward(dlogits)  # every gradient, computed with the current weights
            if grad_clip:
                clip_grad_norm(
                    model, grad_clip
                )  # shorten a too-long step, keep its direction
            optimizer.lr = scheduled_lr(step, lr, steps, warmup_steps, min_lr)
            optimizer.step()  # only now do the weights change
            # --8<-- [end:train_step]
            if not math.isfinite(loss):
                raise NonFiniteError(f"the training loss is {float(loss)}")
            train_seconds += time.perf_counter() - tic
            history["step"].append(step)
            history["loss"].append(float(loss))
            history["lr"].append(optimizer.lr)
            tokens_per_s = step * batch_size * T / train_seconds
            bar.update(
                step, float(loss), tokens_per_s, (steps - step) * train_seconds / step
            )
            if step % eval_every == 0 or step == steps:
                evaluate(step)
            if sample_every and (step % sample_every == 0 or step == steps):
                sample(step)
    except ValueError as err:  # the inputs were checked above: this is a NaN or inf
        bar.clear()
        raise NonFiniteError(
            f"train: stopped at step {step}, something became non-finite: {err} "
            "(try a lower lr, or grad_clip)"
        ) from None
    bar.clear()
    history["tokens_per_s"] = steps * batch_size * T / train_seconds
    history["seconds"] = time.perf_counter() - start
    return history


# --8<-- [end:train]
