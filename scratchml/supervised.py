"""Supervised training (Part I): fit a network to labelled examples ``(X, y)``.

``fit`` is the training loop in its plainest form: forward, loss, backward, update,
repeated over shuffled minibatches of a fixed set of examples, epoch after epoch. (The
language model of Parts III and IV trains on a stream of text instead, with a schedule
and
a validation loss: that loop is ``train`` in ``lm_training.py``.)

One pass over the whole training set is an *epoch*. Within an epoch the examples are
shuffled and cut into minibatches; each minibatch gives one gradient estimate and one
optimizer step. The order of the four steps matters: ``backward`` must run through
*every* layer before the optimizer changes any weight, because each layer's input
gradient is computed with the weights that produced the forward pass.
"""

# --8<-- [start:imports]
import numpy as np

from scratchml._checks import (
    ArgumentTypeError,
    as_array,
    as_float_array,
    as_labels,
    check_bool,
    check_choice,
    check_layer,
    check_positive_int,
    check_rng,
    held_out_size,
)
from scratchml.layers import Layer
from scratchml.losses import cross_entropy_with_grad, mse_loss_with_grad
from scratchml.optim import Adam

# --8<-- [end:imports]

LOSSES = {"cross_entropy": cross_entropy_with_grad, "mse": mse_loss_with_grad}


def _check_xy(where: str, X, y) -> tuple[np.ndarray, np.ndarray]:
    X = as_float_array(where, "X", X)
    y = as_array(where, "y", y)
    if X.ndim < 1 or y.ndim < 1 or len(X) != len(y):
        raise ValueError(
            f"{where}: X has shape {X.shape} and y has shape {y.shape}; "
            "they must have the same number of rows"
        )
    return X, y


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
    X, y = _check_xy("iterate_minibatches", X, y)
    batch_size = check_positive_int("iterate_minibatches", "batch_size", batch_size)
    order = check_rng("iterate_minibatches", "rng", rng).permutation(len(X))  # (n,)
    X, y = X[order], y[order]  # shuffled copies: batches below are cheap slices
    for start in range(0, len(X), batch_size):
        yield (
            X[start : start + batch_size],
            y[start : start + batch_size],
        )  # (batch, ...)


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
    X, y = _check_xy("train_test_split", X, y)
    n_test = held_out_size(
        "train_test_split",
        "test_fraction",
        test_fraction,
        len(X),
        "rows",
        "train or test set",
    )
    order = check_rng("train_test_split", "rng", rng).permutation(len(X))  # (n,)
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
    pred = as_array("accuracy", "logits_or_labels", logits_or_labels)
    y = as_array("accuracy", "y", y)
    if y.dtype.kind not in "iu":
        raise ArgumentTypeError(
            f"accuracy: y must be integer class labels, got dtype {y.dtype}"
        )
    if y.ndim != 1:
        raise ValueError(f"accuracy: y has shape {y.shape} but must be 1-D labels (n,)")
    if pred.ndim == y.ndim + 1:
        pred = as_float_array("accuracy", "logits_or_labels", pred)  # scores: no NaN
        as_labels("accuracy", "y", y, y.shape, pred.shape[-1])  # labels in 0..C-1
        pred = pred.argmax(axis=-1)  # (n,): index of the largest score
    if pred.shape != y.shape or y.size == 0:
        raise ValueError(
            f"accuracy: logits_or_labels has shape {np.shape(logits_or_labels)} and y "
            "has "
            f"shape {y.shape}; expected scores (n, C) or labels (n,) with n = len(y) > "
            "0"
        )
    if pred.dtype.kind not in "iu":
        raise ArgumentTypeError(
            f"accuracy: logits_or_labels of shape {pred.shape} are labels, which must "
            "be "
            f"integers, got dtype {pred.dtype} (or pass scores of shape "
            f"{y.shape + (-1,)})"
        )
    return float(np.mean(pred == y))  # scalar: the fraction of matches


# --8<-- [end:accuracy]


def _prepare(where: str, model: Layer, loss: str, X, y, names=("X", "y")):
    """Validate a data set once, up front, and cast ``X`` to the model's dtype."""
    X, y = _check_xy(where, X, y)
    dtype = next(layer.params[key].dtype for _, layer, key in model.named_params())
    X = X.astype(dtype, copy=False)  # a float64 input would make every step float64
    try:
        out_shape = model.forward(X[:1]).shape  # (1, n_out): what one row becomes
    except ValueError as err:
        raise ValueError(
            f"{where}: {names[0]} has shape {X.shape}, which the model rejects ({err})"
        ) from None
    if loss == "cross_entropy":
        return X, as_labels(
            where, names[1], y, (len(X),) + out_shape[1:-1], out_shape[-1]
        )
    y = as_float_array(where, names[1], y).astype(dtype, copy=False)
    if y.shape[1:] != out_shape[1:]:
        raise ValueError(
            f"{where}: {names[1]} has shape {y.shape} but the model outputs rows of "
            "shape "
            f"{out_shape[1:]} (for mse the target must match the output)"
        )
    return X, y


def _evaluate(model: Layer, loss: str, X_val, y_val, history: dict) -> str:
    """Append the validation loss (and accuracy) to ``history``; return a log line."""
    out = model.forward(X_val)  # (n_val, n_out)
    history.setdefault("val_loss", []).append(float(LOSSES[loss](out, y_val)[0]))
    line = f"  val_loss {history['val_loss'][-1]:.4f}"
    if loss == "cross_entropy":
        history.setdefault("val_accuracy", []).append(accuracy(out, y_val))
        line += f"  val_accuracy {history['val_accuracy'][-1]:.4f}"
    return line


# --8<-- [start:fit]
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
        shaped
        like the output ``(n, n_out)`` for ``"mse"``.
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
    """
    check_layer("fit", "model", model)
    if optimizer is not None and not callable(getattr(optimizer, "step", None)):
        raise ArgumentTypeError(
            f"fit: optimizer must have a step() method, got {optimizer!r:.60}"
        )
    batch_size = check_positive_int("fit", "batch_size", batch_size)
    check_choice("fit", "loss", loss, LOSSES)
    check_bool("fit", "verbose", verbose)
    if (X_val is None) != (y_val is None):
        raise ValueError("fit: give both X_val and y_val, or neither")
    epochs = check_positive_int("fit", "epochs", epochs)
    X, y = _prepare("fit", model, loss, X, y)
    if X_val is not None:
        X_val, y_val = _prepare("fit", model, loss, X_val, y_val, ("X_val", "y_val"))
    loss_fn = LOSSES[loss]  # returns (loss value, gradient with respect to the output)
    optimizer = Adam(model) if optimizer is None else optimizer
    rng = check_rng("fit", "rng", rng)  # one stream: a new shuffle every epoch
    history: dict[str, list[float]] = {"loss": []}
    for epoch in range(epochs):
        total = 0.0
        # --8<-- [start:fit_loop]
        for xb, yb in iterate_minibatches(X, y, batch_size, rng):
            out = model.forward(xb)  # (batch, n_out)
            value, dout = loss_fn(out, yb)  # dout: same shape as out
            model.backward(
                dout
            )  # every layer's grads, computed with the current weights
            optimizer.step()  # only now do the weights change
            total += float(value) * len(xb)
        # --8<-- [end:fit_loop]
        history["loss"].append(total / len(X))
        line = f"epoch {epoch + 1:3d}  loss {history['loss'][-1]:.4f}"
        if X_val is not None:
            line += _evaluate(model, loss, X_val, y_val, history)
        if verbose:
            print(line)
    return history


# --8<-- [end:fit]
