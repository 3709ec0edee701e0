"""Softmax: turning scores into a probability distribution, with a temperature.

``softmax(x)_i = exp(x_i) / sum_j exp(x_j)``. Subtracting ``max(x)`` first changes
nothing mathematically (the factor ``exp(-max)`` cancels) but keeps every exponent
``<= 0``, so ``exp`` never overflows.
"""

# --8<-- [start:imports]
import numpy as np

from scratchml._checks import as_float_array

# --8<-- [end:imports]


def _check_temperature(where: str, temperature) -> float:
    try:
        t = float(temperature)
    except (TypeError, ValueError):
        t = float("nan")
    if isinstance(temperature, bool) or not np.isfinite(t) or t <= 0:
        raise ValueError(
            f"{where}: temperature must be a finite number > 0, got {temperature!r} "
            "(for greedy decoding use generate(..., temperature=0))"
        )
    return t


def _check_row_max(where: str, row_max: np.ndarray, temperature: float) -> None:
    """The row maxima reveal every bad input at once: NaN, +inf, or a row that is all -inf."""
    if np.isfinite(row_max).all():
        return
    if np.isnan(row_max).any():
        raise ValueError(f"{where}: x contains NaN")
    if np.isneginf(row_max).any():
        raise ValueError(f"{where}: a row of x is -inf everywhere, so no entry can get probability")
    raise ValueError(
        f"{where}: x / temperature reaches +inf (x holds +inf, or temperature={temperature} "
        "is too small for these logits)"
    )


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
    x = np.asarray(x)
    if x.dtype.kind != "f":
        x = as_float_array("softmax", "x", x)
    t = _check_temperature("softmax", temperature)
    z = x / x.dtype.type(t)  # a new array (same shape, same dtype): x is left untouched
    z_max = z.max(axis=axis, keepdims=True)  # one maximum per row
    _check_row_max("softmax", z_max, t)  # NaN, +inf or an all -inf row: a clear error
    z -= z_max  # largest entry is now 0: exp cannot overflow
    np.exp(z, out=z)  # in place: no further full-size temporary
    z /= z.sum(axis=axis, keepdims=True)
    return z


# --8<-- [end:softmax]


# --8<-- [start:log_softmax]
def log_softmax(x, axis: int = -1) -> np.ndarray:
    """``log(softmax(x))`` computed without taking the log of a tiny number."""
    x = np.asarray(x)
    if x.dtype.kind != "f":
        x = as_float_array("log_softmax", "x", x)
    x_max = x.max(axis=axis, keepdims=True)  # one maximum per row
    _check_row_max("log_softmax", x_max, temperature=1.0)  # NaN, +inf, all -inf: an error
    z = x - x_max
    return z - np.log(np.exp(z).sum(axis=axis, keepdims=True))


# --8<-- [end:log_softmax]


# --8<-- [start:softmax_backward]
def softmax_backward(p: np.ndarray, dp: np.ndarray, axis: int = -1) -> np.ndarray:
    """Gradient through ``p = softmax(x)``: ``dx = p * (dp - sum(dp * p))``.

    The Jacobian ``dp_i/dx_j = p_i (delta_ij - p_j)`` is never built: contracting it with
    ``dp`` collapses to one elementwise product and one sum.
    """
    if np.shape(p) != np.shape(dp):
        raise ValueError(
            f"softmax_backward: p has shape {np.shape(p)} but dp has shape {np.shape(dp)}; "
            "they must match"
        )
    dx = dp - (dp * p).sum(axis=axis, keepdims=True)  # same shape as p
    dx *= p  # in place: the same product, one temporary fewer
    return dx


# --8<-- [end:softmax_backward]
