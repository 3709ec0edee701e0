"""Supervised training (Part I): fit a network to labelled examples ``(X, y)``.

``fit`` is the training loop in its plainest form: forward, loss, backward, update,
repeated over shuffled minibatches of a fixed set of examples, epoch after epoch. (The
language model of Parts III and IV trains on a stream of text instead, with a schedule
and a validation loss: that loop is ``train`` in ``lm_training.py``.)

One pass over the whole training set is an *epoch*. Within an epoch the examples are
shuffled and cut into minibatches; each minibatch gives one gradient estimate and one
optimizer step. The order of the four steps matters: ``backward`` must run through
*every* layer before the optimizer changes any weight, because each layer's input
gradient is computed with the weights that produced the forward pass.
"""

# --8<-- [start:imports]
import numpy as np

from scratchml._checks import (
    check_accuracy,
    check_epoch_losses,
    check_fit,
    check_minibatches,
    check_split,
)
from scratchml.layers import Layer
from scratchml.losses import cross_entropy_with_grad, mse_loss_with_grad
from scratchml.optim import Adam

# --8<-- [end:imports]


# --8<-- [start:iterate_minibatches]
def iterate_minibatches(X, y, batch_size: int, rng=None):
    """Yield ``(X_batch, y_batch)`` pairs covering every row once, in shuffled order.

    Parameters
    ----------
    X, y : array_like
        Inputs ``(n, ...)`` and targets ``(n, ...)``, one row per example.
    batch_size : int
        Rows per batch; the last batch keeps the remaining ``n % batch_size`` rows.
    rng : int or numpy.random.Generator, optional
        Pass one ``Generator`` for the whole training run: each call then draws a new
        shuffle from it (a fixed int would give the same order every epoch).

    Yields
    ------
    (numpy.ndarray, numpy.ndarray)
        ``(batch, ...)`` slices of the shuffled ``X`` and ``y``.
    """
    X, y, batch_size, rng = check_minibatches(X, y, batch_size, rng)
    order = rng.permutation(len(X))  # (n,): the rows in a new random order
    X, y = X[order], y[order]  # shuffled copies: batches below are cheap slices
    for start in range(0, len(X), batch_size):
        end = start + batch_size
        yield X[start:end], y[start:end]  # (batch, ...), (batch, ...)


# --8<-- [end:iterate_minibatches]


# --8<-- [start:train_test_split]
def train_test_split(X, y, test_fraction: float = 0.2, rng=0):
    """Shuffle the rows, then hold out ``test_fraction`` of them for testing.

    Parameters
    ----------
    X, y : array_like
        One row per example.
    test_fraction : float
        Strictly between 0 and 1; the test set gets ``round(n * test_fraction)`` rows.
    rng : int or numpy.random.Generator
        Seed of the shuffle.

    Returns
    -------
    X_train, X_test, y_train, y_test : numpy.ndarray
    """
    X, y, n_test, rng = check_split(X, y, test_fraction, rng)
    order = rng.permutation(len(X))  # (n,)
    test, train = order[:n_test], order[n_test:]  # (n_test,), (n - n_test,)
    return X[train], X[test], y[train], y[test]  # (n - n_test, ...), (n_test, ...), ...


# --8<-- [end:train_test_split]


# --8<-- [start:accuracy]
def accuracy(logits_or_labels, y) -> float:
    """Fraction of rows whose predicted class equals ``y``.

    Parameters
    ----------
    logits_or_labels : array_like
        Either scores ``(n, C)`` (the prediction is the largest score of each row) or
        predicted labels ``(n,)``.
    y : array_like of int
        True labels, ``(n,)``.

    Returns
    -------
    float
        Between 0 and 1.

    Raises
    ------
    ValueError
        If ``y`` is not a 1-D array of integer labels (a ``TypeError`` for floats), the
        shapes do not fit, a score is NaN or infinite, or a label is outside ``0..C-1``.
    """
    pred, y = check_accuracy(logits_or_labels, y)
    if pred.ndim == 2:  # scores (n, C): the prediction is the highest-scoring class
        pred = pred.argmax(axis=-1)  # (n,)
    return float(np.mean(pred == y))  # scalar: the fraction of matches


# --8<-- [end:accuracy]


# --8<-- [start:fit]
LOSSES = {"cross_entropy": cross_entropy_with_grad, "mse": mse_loss_with_grad}


def fit(
    model: Layer,
    X,
    y,
    loss: str = "cross_entropy",
    optimizer=None,
    epochs: int = 10,
    batch_size: int = 32,
    rng=0,
    X_val=None,
    y_val=None,
    verbose: bool = False,
) -> dict[str, list[float]]:
    """Train ``model`` with minibatch gradient descent and return the history.

    Parameters
    ----------
    model : Layer
        Anything following the layer protocol, e.g. an ``MLP``.
    X : array_like
        Training inputs ``(n, n_in)``, cast to the dtype of the model's parameters
        (float32 by default).
    y : array_like
        Training targets: integer labels ``(n,)`` for ``"cross_entropy"``, numbers
        shaped like the output ``(n, n_out)`` for ``"mse"``.
    loss : {"cross_entropy", "mse"}
        The loss to minimize.
    optimizer : object with ``step()``, optional
        Built on ``model``, e.g. ``SGD(model, lr=0.1)``. Default: ``Adam(model)``.
    epochs : int
        Passes over the training set.
    batch_size : int
        Rows per minibatch (the last one of an epoch may be smaller).
    rng : int or numpy.random.Generator
        Seed of the shuffling, so that a run is reproducible.
    X_val : array_like, optional
        Inputs of a held-out set, evaluated after every epoch.
    y_val : array_like, optional
        Targets of that held-out set.
    verbose : bool
        Print one line per epoch.

    Returns
    -------
    dict[str, list[float]]
        ``"loss"``: mean training loss of each epoch (averaged over its minibatches,
        weighted by their size). With a validation set also ``"val_loss"`` and, for
        cross-entropy, ``"val_accuracy"``.

    Raises
    ------
    ValueError
        For a bad argument (a ``TypeError`` for one of the wrong type), checked before
        the first step; and after the first epoch whose training or validation loss is
        NaN or infinite, naming that epoch (a float overflowed: training stops there).
    """
    X, y, X_val, y_val = check_fit(LOSSES, **locals())  # every argument, up front
    loss_fn = LOSSES[loss]  # returns (loss value, gradient with respect to the output)
    optimizer = Adam(model) if optimizer is None else optimizer
    rng = np.random.default_rng(rng)  # one stream: a new shuffle every epoch
    history = {"loss": []}
    for epoch in range(epochs):
        # The plain loop: forward, loss, backward, update, for every minibatch.
        total = 0.0
        # --8<-- [start:fit_loop]
        for xb, yb in iterate_minibatches(X, y, batch_size, rng):
            out = model.forward(xb)  # (batch, n_out)
            value, dout = loss_fn(out, yb)  # dout: same shape as out
            model.backward(dout)  # every layer's grads, computed with current weights
            optimizer.step()  # only now do the weights change
            total += float(value) * len(xb)
        # --8<-- [end:fit_loop]
        history["loss"].append(total / len(X))
        # Additions: the held-out set's loss (and accuracy), and a progress line.
        line = f"epoch {epoch + 1:3d}  loss {history['loss'][-1]:.4f}"
        if X_val is not None:
            out = model.forward(X_val)  # (n_val, n_out)
            history.setdefault("val_loss", []).append(float(loss_fn(out, y_val)[0]))
            line += f"  val_loss {history['val_loss'][-1]:.4f}"
            if loss == "cross_entropy":
                right = out.argmax(axis=-1) == y_val  # (n_val,): predicted class right?
                history.setdefault("val_accuracy", []).append(float(right.mean()))
                line += f"  val_accuracy {history['val_accuracy'][-1]:.4f}"
        check_epoch_losses("fit", epoch + 1, history)  # NaN or inf: stop here
        if verbose:
            print(line)
    return history


# --8<-- [end:fit]
