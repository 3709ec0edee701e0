"""Softmax: turning scores into a probability distribution, with a temperature.

``softmax(x)_i = exp(x_i) / sum_j exp(x_j)``. Subtracting ``max(x)`` first changes
nothing mathematically (the factor ``exp(-max)`` cancels) but keeps every exponent
``<= 0``, so ``exp`` never overflows.
"""

# --8<-- [start:imports]
import numpy as np

from scratchml._checks import (
    as_float_array,
    check_axis,
    check_positive,
    check_same_shape,
)

# --8<-- [end:imports]


def _check_temperature(where: str, temperature, dtype) -> float:
    try:
        t = check_positive(where, "temperature", temperature)
    except (
        ValueError
    ) as err:  # ArgumentTypeError (a string, None) stays a TypeError too
        raise type(err)(
            f"{where}: temperature must be a finite number > 0, got {temperature!r} "
            "(for greedy decoding use generate(..., temperature=0))"
        ) from None
    if (
        dtype.type(t) == 0
    ):  # e.g. 1e-50 in float32: dividing by it would give inf or NaN
        raise ValueError(
            f"{where}: temperature={temperature!r} rounds to 0 in {dtype}; "
            f"the smallest usable temperature is about {np.finfo(dtype).tiny:.1e}"
        )
    return t


def _check_x(where: str, x, axis) -> np.ndarray:
    """Any-dtype ``x`` becomes float; every ``x`` must be at least 1-D, non-empty, valid axis."""
    x = (
        x
        if type(x) is np.ndarray and x.dtype.kind == "f"
        else as_float_array(where, "x", x, False)
    )
    if x.ndim == 0 or x.size == 0:
        raise ValueError(
            f"{where}: x has shape {x.shape} but must be a non-empty array of scores"
        )
    check_axis(where, "axis", axis, x.ndim)
    return x


def _check_row_max(where: str, row_max: np.ndarray, temperature: float) -> None:
    """The row maxima reveal every bad input at once: NaN, +inf, or a row that is all -inf."""
    if np.isfinite(row_max).all():
        return
    if np.isnan(row_max).any():
        raise ValueError(f"{where}: x contains NaN")
    if np.isneginf(row_max).any():
        raise ValueError(
            f"{where}: a row of x is -inf everywhere, so no entry can get probability"
        )
    raise ValueError(
        f"{where}: x / temperature reaches +inf (x holds +inf, or "
        f"temperature={temperature} "
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
    x = _check_x("softmax", x, axis)
    t = _check_temperature("softmax", temperature, x.dtype)
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
    x = _check_x("log_softmax", x, axis)
    x_max = x.max(axis=axis, keepdims=True)  # one maximum per row
    _check_row_max(
        "log_softmax", x_max, temperature=1.0
    )  # NaN, +inf, all -inf: an error
    z = x - x_max
    return z - np.log(np.exp(z).sum(axis=axis, keepdims=True))


# --8<-- [end:log_softmax]


# --8<-- [start:softmax_backward]
def softmax_backward(p: np.ndarray, dp: np.ndarray, axis: int = -1) -> np.ndarray:
    """Gradient through ``p = softmax(x)``: ``dx = p * (dp - sum(dp * p))``.

    The Jacobian ``dp_i/dx_j = p_i (delta_ij - p_j)`` is never built: contracting it
    with
    ``dp`` collapses to one elementwise product and one sum.

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
    p = as_float_array("softmax_backward", "p", p, finite=False)
    check_same_shape(
        "softmax_backward",
        "p",
        p,
        "dp",
        as_float_array("softmax_backward", "dp", dp, False),
    )
    check_axis("softmax_backward", "axis", axis, p.ndim)
    dx = dp - (dp * p).sum(axis=axis, keepdims=True)  # same shape as p
    dx *= p  # in place: the same product, one temporary fewer
    return dx


# --8<-- [end:softmax_backward]
