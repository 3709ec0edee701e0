"""Training a language model (Parts III and IV): windows of a token stream in.

(``fit`` in ``supervised.py`` trains on a fixed set of labelled examples, epoch by
epoch; ``train`` here draws random windows from a text for a number of steps.)

Every step is the loop of Part I, applied to the GPT::

    x, y   = a batch of windows of the text      (B, T) each, y is x shifted by one
    logits = model.forward(x)                    (B, T, V)
    loss   = cross-entropy of logits against y   one number
    model.backward(dloss/dlogits)                every gradient, current weights
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
    NonFiniteError,
    check_evaluate_loss,
    check_finite_loss,
    check_scheduled_lr,
    check_train,
    prefix_errors,
)
from scratchml.generate import generate
from scratchml.losses import cross_entropy, cross_entropy_with_grad
from scratchml.optim import Adam, clip_grad_norm
from scratchml.text import get_batch

# --8<-- [end:imports]


# --8<-- [start:scheduled_lr]
def scheduled_lr(
    step: int, lr: float, steps: int, warmup_steps: int = 0, min_lr=None
) -> float:
    """The learning rate of step ``step`` (from 1): linear warmup, then cosine decay.

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
        ``warmup_steps`` is not in ``0..steps``, or ``min_lr`` is not in ``[0, lr]`` (a
        ``TypeError`` too, for a value of the wrong type).
    """
    step = check_scheduled_lr(step, lr, steps, warmup_steps, min_lr)
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
    """The mean cross-entropy of ``model`` on a list of ``(x, y)`` batches.

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
    batches = check_evaluate_loss(model, batches)
    losses = []
    paused = _pause_dropout(model)  # measure the model itself, not a random thinning
    try:
        for i, (x, y) in enumerate(batches):
            with prefix_errors(f"evaluate_loss: batches[{i}]"):  # name a bad batch
                losses.append(cross_entropy(model.forward(x), y))  # one number
    finally:
        for layer in paused:
            layer.training = True
    return float(np.mean(losses))


# --8<-- [end:evaluate_loss]


# --8<-- [start:progress]
class _Progress:
    """One progress line on stderr: rewritten in place on a terminal, else periodic."""

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


# --8<-- [end:progress]


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
        pairs), ``"tokens_per_s"`` (of the training steps alone) and ``"seconds"`` (wall
        time).

    Raises
    ------
    ValueError
        Before the first step, for any bad argument (a ``TypeError`` too, for the wrong
        type): the message names it. ``NonFiniteError`` (a ``ValueError``) if a loss or
        a gradient becomes NaN or infinite, naming the step.
    """
    train_ids, val_ids, rng = check_train(**locals())  # rng: one Generator for all
    T = model.context_length
    val_batches = [get_batch(val_ids, batch_size, T, rng) for _ in range(eval_batches)]
    seed = int(rng.integers(2**31))  # the same dice for every sample
    optimizer = Adam(model, lr=lr, betas=(0.9, 0.99), weight_decay=weight_decay)
    report = _Report(model, val_batches, steps, batch_size * T, log, progress)
    report.plan(eval_every, sample_every, tokenizer, sample_length, temperature, seed)
    step = 0
    try:
        for step in range(1, steps + 1):
            tic = time.perf_counter()
            # --8<-- [start:train_step]
            x, y = get_batch(train_ids, batch_size, T, rng)  # (B, T) each, y shifted
            logits = model.forward(x)  # (B, T, V): a score for every next token
            loss, dlogits = cross_entropy_with_grad(logits, y)  # scalar, (B, T, V)
            model.backward(dlogits)  # every gradient, computed with the current weights
            # two additions: clip a too-long gradient, and this step's learning rate
            if grad_clip:
                clip_grad_norm(model, grad_clip)  # shorter, in the same direction
            optimizer.lr = scheduled_lr(step, lr, steps, warmup_steps, min_lr)
            optimizer.step()  # only now do the weights change
            # --8<-- [end:train_step]
            report.after_step(step, loss, optimizer.lr, time.perf_counter() - tic)
    except ValueError as err:  # the inputs were checked above: this is a NaN or inf
        raise report.stopped(step, err) from None
    return report.finish()


# --8<-- [end:train]


# --8<-- [start:history]
class _History:
    """``train``'s record of a run: every step's loss and rate, timing and progress."""

    def __init__(self, steps, tokens_per_step, progress):
        self.steps, self.tokens_per_step = steps, tokens_per_step
        self.history = {"step": [], "loss": [], "lr": [], "eval_step": []}
        self.history.update(train_loss=[], val_loss=[], samples=[])
        self.bar = _Progress(steps, progress)
        self.start = time.perf_counter()
        self.train_seconds = 0.0  # the time of the training steps alone

    def record(self, step: int, loss: float, lr: float, seconds: float) -> None:
        check_finite_loss("training", loss)
        self.train_seconds += seconds
        self.history["step"].append(step)
        self.history["loss"].append(float(loss))
        self.history["lr"].append(lr)
        tokens_per_s = step * self.tokens_per_step / self.train_seconds
        eta = (self.steps - step) * self.train_seconds / step
        self.bar.update(step, float(loss), tokens_per_s, eta)

    def stopped(self, step: int, err: ValueError) -> NonFiniteError:
        self.bar.clear()  # the error that ends a run where a NaN or infinity appeared
        why = f"something became non-finite: {err} (try a lower lr, or grad_clip)"
        return NonFiniteError(f"train: stopped at step {step}, {why}")

    def finish(self) -> dict:
        self.bar.clear()
        tokens = self.steps * self.tokens_per_step  # trained on, in train_seconds
        self.history["tokens_per_s"] = tokens / self.train_seconds
        self.history["seconds"] = time.perf_counter() - self.start
        return self.history


# --8<-- [end:history]


# --8<-- [start:report]
class _Report(_History):
    """``train``'s bookkeeping around the steps: validation losses and samples."""

    def __init__(self, model, val_batches, steps, tokens_per_step, log, progress):
        super().__init__(steps, tokens_per_step, progress)
        self.model, self.val_batches, self.log = model, val_batches, log

    def plan(self, eval_every, sample_every, tokenizer, length, temperature, seed):
        """When to evaluate and sample, and how; then the validation loss at step 0."""
        self.eval_every, self.sample_every = eval_every, sample_every
        self.sampling = (tokenizer, length, temperature, seed)
        self.evaluate(0)

    def after_step(self, step: int, loss: float, lr: float, seconds: float) -> None:
        """Record a step; evaluate and sample when it is their turn, and at the end."""
        self.record(step, loss, lr, seconds)
        last = step == self.steps
        if step % self.eval_every == 0 or last:
            self.evaluate(step)
        if self.sample_every and (step % self.sample_every == 0 or last):
            self.sample(step, *self.sampling)

    def evaluate(self, step: int) -> None:
        """The validation loss, and the mean training loss since the last evaluation."""
        h = self.history
        recent = h["loss"][h["eval_step"][-1] if h["eval_step"] else 0 :]
        train_loss = float(np.mean(recent)) if recent else float("nan")
        h["eval_step"].append(step)
        h["train_loss"].append(train_loss)
        val_loss = evaluate_loss(self.model, self.val_batches)
        check_finite_loss("validation", val_loss)
        h["val_loss"].append(val_loss)
        self.bar.clear()
        shown = f"  train {train_loss:.4f}" if recent else ""  # none before step 1
        self.log(f"step {step:>{len(str(self.steps))}}{shown}  val {val_loss:.4f}")

    def sample(self, step, tokenizer, length, temperature, seed) -> None:
        """A text generated from a newline, with the same seed every time."""
        stoi = getattr(tokenizer, "stoi", None)  # a CharTokenizer; BPE always has "\n"
        first = stoi.get("\n", 0) if stoi is not None else tokenizer.encode("\n")[0]
        ids = generate(self.model, [int(first)], length, temperature, rng=seed)
        text = tokenizer.decode(ids[1:])
        self.history["samples"].append((step, text))
        self.bar.clear()
        head = f"--- sample at step {step} (temperature {temperature}) ---"
        self.log(f"{head}\n{text}\n---")


# --8<-- [end:report]
