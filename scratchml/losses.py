"""Loss functions: one number that says how wrong the network is, and its gradient.

Training lowers the loss by following its negative gradient, so every loss here comes
with a ``*_grad`` function: the gradient of the loss with respect to the network's
output, the ``dy`` that starts backpropagation.

- ``mse_loss``: mean squared error, for regression (predicting numbers).
- ``cross_entropy``: softmax followed by the negative log-probability of the correct
  class, for classification (predicting one of ``C`` classes). The same function scores
  next-token predictions of a language model: logits ``(batch, time, vocab)`` and
  labels ``(batch, time)``.

Losses are means, so their size does not depend on the batch size, and they are
returned as numpy scalars of the input's float dtype (float32 stays float32). Float16
logits are the exception: the cross-entropies compute in float32, as mixed-precision
training does, because float16 holds at most 65,504 and a sum of row losses (or two
logits far apart) overflows it; their loss and gradient are float32.
"""

# --8<-- [start:imports]
import numpy as np

from scratchml._checks import check_logits_labels, check_pred_target
from scratchml.softmax import log_softmax, softmax

# --8<-- [end:imports]


# --8<-- [start:mse_loss]
def mse_loss(pred, target) -> np.floating:
    """Mean squared error, ``mean((pred - target) ** 2)`` over all elements.

    Parameters
    ----------
    pred, target : array_like
        Same shape, e.g. ``(batch, n_out)``. Shapes must match exactly: ``(n,)``
        against ``(n, 1)`` would silently broadcast to ``(n, n)``, so it is an error.

    Returns
    -------
    numpy.floating
        A scalar ``>= 0``, exactly 0 only when ``pred == target``.
    """
    pred, target = check_pred_target("mse_loss", pred, target)
    diff = pred - target  # same shape as pred
    return np.mean(diff * diff)  # scalar


# --8<-- [end:mse_loss]


# --8<-- [start:mse_loss_grad]
def mse_loss_grad(pred, target) -> np.ndarray:
    """Gradient of ``mse_loss`` with respect to pred: ``2 * (pred - target) / N``.

    ``N = pred.size`` is the number of averaged elements: the mean divides every
    squared error by ``N``, so every gradient entry is divided by ``N`` too.

    Parameters
    ----------
    pred : array_like
        The predictions.
    target : array_like
        The true values, same shape as ``pred``.

    Returns
    -------
    numpy.ndarray
        Same shape and dtype as ``pred``.
    """
    pred, target = check_pred_target("mse_loss_grad", pred, target)
    return 2 * (pred - target) / pred.size  # same shape as pred


# --8<-- [end:mse_loss_grad]


# --8<-- [start:mse_loss_with_grad]
def mse_loss_with_grad(pred, target) -> tuple[np.floating, np.ndarray]:
    """``(mse_loss(pred, target), mse_loss_grad(pred, target))`` in one pass.

    A training loop needs both every step; computing ``pred - target`` once saves work.

    Parameters
    ----------
    pred : array_like
        The predictions.
    target : array_like
        The true values, same shape as ``pred``.

    Returns
    -------
    loss : numpy.floating
        The same scalar as ``mse_loss``.
    grad : numpy.ndarray
        The same array as ``mse_loss_grad``.
    """
    pred, target = check_pred_target("mse_loss_with_grad", pred, target)
    diff = pred - target  # same shape as pred
    return np.mean(diff * diff), 2 * diff / diff.size  # scalar, same shape as pred


# --8<-- [end:mse_loss_with_grad]


# --8<-- [start:cross_entropy]
def cross_entropy(logits, labels) -> np.floating:
    """Softmax cross-entropy: mean over rows of ``-log softmax(logits)[label]``.

    Parameters
    ----------
    logits : array_like
        Unnormalized scores, shape ``(..., C)``: ``(batch, C)`` for classification,
        ``(batch, time, vocab)`` for next-token prediction.
    labels : array_like of int
        The correct class of every row, shape ``logits.shape[:-1]``, values in
        ``0..C-1``. Float labels are rejected: a class is an index, not a number.

    Returns
    -------
    numpy.floating
        A scalar ``>= 0``. It is ``log(C)`` for uniform logits and approaches 0 as the
        correct class takes all the probability.
    """
    logits, labels = check_logits_labels("cross_entropy", logits, labels)
    logp = log_softmax(logits).reshape(-1, logits.shape[-1])  # (N, C): a row per label
    picked = logp[np.arange(labels.size), labels.reshape(-1)]  # (N,): log p(correct)
    return -picked.mean()  # scalar


# --8<-- [end:cross_entropy]


# --8<-- [start:cross_entropy_grad]
def cross_entropy_grad(logits, labels) -> np.ndarray:
    """Gradient of ``cross_entropy`` with respect to logits: ``(p - onehot) / N``.

    ``N`` is the number of rows (``labels.size``). The softmax and the log cancel so
    neatly that the gradient is just "predicted probability minus the truth".

    Parameters
    ----------
    logits : array_like
        Unnormalized scores, shape ``(..., C)``, as for ``cross_entropy``.
    labels : array_like of int
        The correct class of every row, shape ``logits.shape[:-1]``.

    Returns
    -------
    numpy.ndarray
        Same shape and dtype as ``logits``. Each row sums to 0.
    """
    logits, labels = check_logits_labels("cross_entropy_grad", logits, labels)
    p = softmax(logits).reshape(-1, logits.shape[-1])  # (N, C): one row per prediction
    onehot = np.zeros_like(p)  # (N, C)
    onehot[np.arange(labels.size), labels.reshape(-1)] = 1  # at each correct class
    return ((p - onehot) / labels.size).reshape(logits.shape)  # (..., C)


# --8<-- [end:cross_entropy_grad]


# --8<-- [start:cross_entropy_with_grad]
def cross_entropy_with_grad(logits, labels) -> tuple[np.floating, np.ndarray]:
    """``cross_entropy`` and ``cross_entropy_grad`` of the same arguments, at once.

    A training loop needs both every step. Both come from the same log-probabilities:
    the loss picks the correct class's entry, the gradient exponentiates them back into
    probabilities, so the softmax is computed once. Float16 logits are computed in
    float32 (a float16 sum of the row losses overflows at 65,504), so the loss and the
    gradient are float32.

    Parameters
    ----------
    logits : array_like
        Unnormalized scores, shape ``(..., C)``, as for ``cross_entropy``.
    labels : array_like of int
        The correct class of every row, shape ``logits.shape[:-1]``.

    Returns
    -------
    loss : numpy.floating
        The same scalar as ``cross_entropy``.
    grad : numpy.ndarray
        The same array as ``cross_entropy_grad``.
    """
    logits, labels = check_logits_labels("cross_entropy_with_grad", logits, labels)
    logp = log_softmax(logits).reshape(-1, logits.shape[-1])  # (N, C)
    rows = np.arange(labels.size), labels.reshape(-1)  # (row, correct class) pairs
    loss = -logp[rows].sum() / labels.size  # scalar: mean over rows
    p = np.exp(logp)  # (N, C): softmax probabilities
    p[rows] -= 1  # minus the one-hot truth
    return loss, (p / labels.size).reshape(logits.shape)  # scalar, (..., C)


# --8<-- [end:cross_entropy_with_grad]
