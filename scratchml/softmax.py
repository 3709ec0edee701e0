"""Softmax: turning scores into a probability distribution, with a temperature.

``softmax(x)_i = exp(x_i) / sum_j exp(x_j)``. Subtracting ``max(x)`` first changes
nothing mathematically (the factor ``exp(-max)`` cancels) but keeps every exponent
``<= 0``, so ``exp`` never overflows.
"""

# --8<-- [start:imports]
import numpy as np

from scratchml._checks import check_softmax, check_softmax_backward

# --8<-- [end:imports]


# --8<-- [start:softmax]
def softmax(x, axis: int = -1, temperature: float = 1.0) -> np.ndarray:
    """Numerically stable softmax of ``x / temperature`` along ``axis``.

    Parameters
    ----------
    x : array_like
        Scores (logits). ``-inf`` entries get probability exactly 0.
    axis : int
        The axis that sums to 1.
    temperature : float
        ``> 0``. Logits are divided by it: below 1 sharpens, above 1 flattens.

    Returns
    -------
    numpy.ndarray
        Same shape and float dtype as ``x``; non-negative, sums to 1 along ``axis``.
    """
    x, t = check_softmax("softmax", x, axis, temperature)
    z = x / t  # a Python float t keeps x's dtype
    # largest entry of each row is 0: no overflow
    z = z - z.max(axis=axis, keepdims=True)
    e = np.exp(z)  # same shape as x, every entry in [0, 1]
    return e / e.sum(axis=axis, keepdims=True)  # each row sums to 1


# --8<-- [end:softmax]


# --8<-- [start:log_softmax]
def log_softmax(x, axis: int = -1) -> np.ndarray:
    """``log(softmax(x))`` computed without taking the log of a tiny number.

    Parameters
    ----------
    x : array_like
        Scores (logits).
    axis : int
        The axis along which the probabilities sum to 1.

    Returns
    -------
    numpy.ndarray
        Same shape as ``x``; every entry ``<= 0``.
    """
    x, _ = check_softmax("log_softmax", x, axis)
    z = x - x.max(axis=axis, keepdims=True)  # largest entry of each row is 0
    # log p = z - log sum e^z
    return z - np.log(np.exp(z).sum(axis=axis, keepdims=True))


# --8<-- [end:log_softmax]


# --8<-- [start:softmax_backward]
def softmax_backward(p: np.ndarray, dp: np.ndarray, axis: int = -1) -> np.ndarray:
    """Gradient through ``p = softmax(x)``: ``dx = p * (dp - sum(dp * p))``.

    The Jacobian ``dp_i/dx_j = p_i (delta_ij - p_j)`` is never built: contracting it
    with ``dp`` collapses to one elementwise product and one sum.

    Parameters
    ----------
    p : array_like
        The output of ``softmax(x, axis)``.
    dp : array_like
        Gradient of the loss with respect to ``p``, same shape.
    axis : int
        The axis the softmax was taken along.

    Returns
    -------
    numpy.ndarray
        Gradient of the loss with respect to ``x``, same shape as ``p``.
    """
    p, dp = check_softmax_backward("softmax_backward", p, dp, axis)
    return p * (dp - (dp * p).sum(axis=axis, keepdims=True))  # same shape as p


# --8<-- [end:softmax_backward]
