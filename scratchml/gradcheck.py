"""Finite-difference gradient checks: the proof behind every backward pass.

The derivative of a function ``f`` at ``x`` is approximated by the central difference
``(f(x + eps) - f(x - eps)) / (2 eps)``, whose error shrinks like ``eps**2``. Comparing
it
with what ``backward`` returns catches almost every mistake in a hand-written gradient.
"""

# --8<-- [start:imports]
import numpy as np

from scratchml._checks import (
    ArgumentTypeError,
    NonFiniteError,
    as_float_array,
    as_numeric_array,
    check_callable,
    check_float,
    check_layer,
    check_non_negative,
    check_positive,
    check_rng,
    check_same_shape,
)
from scratchml.layers import Layer

# --8<-- [end:imports]


# --8<-- [start:numerical_gradient]
def numerical_gradient(f, x: np.ndarray, eps: float = 1e-6) -> np.ndarray:
    """Central-difference gradient of the scalar function ``f`` at ``x``.

    ``x`` is perturbed in place, one entry at a time, and restored afterwards, so ``f``
    may read ``x`` through a reference (for example a layer's ``params``).

    Parameters
    ----------
    f : callable
        Takes no argument and returns a float; it must read ``x``.
    x : numpy.ndarray
        Float64 array to differentiate with respect to.
    eps : float
        Step size.

    Returns
    -------
    numpy.ndarray
        Same shape as ``x``.

    Raises
    ------
    ValueError
        If ``x`` is not a non-empty float64 array, ``eps`` is not a positive number, or
        ``f()`` does not return a finite number (a ``TypeError`` too, for the wrong
        type).
    """
    check_callable("numerical_gradient", "f", f)
    if type(x) is not np.ndarray or x.dtype != np.float64:
        got = f"dtype {x.dtype}" if isinstance(x, np.ndarray) else type(x).__name__
        raise ArgumentTypeError(
            "numerical_gradient: x must be a float64 numpy array for accuracy, got "
            f"{got}"
        )
    if x.size == 0:
        raise ValueError(f"numerical_gradient: x is empty (shape {x.shape})")
    eps = check_positive("numerical_gradient", "eps", eps)
    check_float("numerical_gradient", "f()", f())  # a finite number, or an error now
    grad = np.zeros_like(x)
    flat, gflat = x.reshape(-1), grad.reshape(-1)  # views onto x and grad
    for i in range(flat.size):
        old = flat[i]
        flat[i] = old + eps
        f_plus = f()
        flat[i] = old - eps
        f_minus = f()
        flat[i] = old
        gflat[i] = (f_plus - f_minus) / (2 * eps)
    if not np.isfinite(grad).all():
        raise NonFiniteError(
            "numerical_gradient: f() became NaN or infinite as x was nudged"
        )
    return grad


# --8<-- [end:numerical_gradient]


# --8<-- [start:relative_error]
def relative_error(a: np.ndarray, b: np.ndarray, floor: float = 1e-8) -> float:
    """``max|a - b| / max(max|a|, max|b|, floor)``: 0 when equal, 1e-6 is 'six digits agree'.

    The ``floor`` matters only when both gradients are tiny: a central difference with
    ``eps = 1e-6`` on a loss of order 1 carries rounding noise of about 1e-10, so two
    gradients that are both below ``floor`` are compared on an absolute scale instead of
    reporting noise divided by (almost) zero as a large relative error.

    Parameters
    ----------
    a : array_like
        One gradient, e.g. the one ``backward`` computed.
    b : array_like
        The other, of the same shape, e.g. from ``numerical_gradient``.
    floor : float
        The smallest scale divided by (``>= 0``).

    Returns
    -------
    float
        The relative error, ``>= 0``.
    """
    a = as_float_array(
        "relative_error", "a", a
    )  # NaN or inf: an error, never a NaN result
    b = as_float_array("relative_error", "b", b)
    check_same_shape("relative_error", "a", a, "b", b)
    floor = check_non_negative("relative_error", "floor", floor)
    scale = max(np.abs(a).max(initial=0.0), np.abs(b).max(initial=0.0), floor)
    return float(np.abs(a - b).max(initial=0.0) / scale)


# --8<-- [end:relative_error]


# --8<-- [start:check_gradients]
def check_gradients(
    layer: Layer, x, loss=None, eps: float = 1e-6, rng=0
) -> dict[str, float]:
    """Compare ``layer.backward`` with finite differences, for the input and every parameter.

    The layer is cast to float64 (in place). Unless a ``loss`` is given, the scalar
    being
    differentiated is ``sum(forward(x) * R)`` for a fixed random ``R``, whose gradient
    with respect to the output is exactly ``R``: every output entry gets its own weight.

    Parameters
    ----------
    layer : Layer
        Anything following the layer protocol, composite models included.
    x : array_like
        An input. Integer inputs (token ids) are not differentiated.
    loss : tuple of callables ``(value(y), grad(y))``, optional
        A loss on the output and its gradient, e.g. ``(lambda y: mse_loss(y, t),
        lambda y: mse_loss_grad(y, t))``.
    eps : float
        The step of the central differences (see ``numerical_gradient``).
    rng : int or numpy.random.Generator
        Seed of the random weights ``R`` used when no ``loss`` is given.

    Returns
    -------
    dict[str, float]
        Relative error per parameter name, plus ``"x"`` for the input when it is float.
    """
    check_layer("check_gradients", "layer", layer)
    if loss is not None and (not isinstance(loss, tuple | list) or len(loss) != 2):
        raise ArgumentTypeError(
            "check_gradients: loss must be a pair (value(y), grad(y)) of callables, "
            f"got {loss!r:.60}"
        )
    for fn in loss or ():
        check_callable("check_gradients", "loss", fn)
    check_positive("check_gradients", "eps", eps)
    check_rng("check_gradients", "rng", rng)
    x = as_numeric_array("check_gradients", "x", x)  # floats, or integer token ids
    layer.astype(np.float64)
    x = np.array(x, dtype=np.float64 if x.dtype.kind == "f" else None)
    if loss is None:
        r = np.random.default_rng(rng).standard_normal(np.shape(layer.forward(x)))
        loss = (lambda y: float(np.sum(y * r)), lambda y: r)
    value, grad = loss

    def f() -> float:
        return value(layer.forward(x))

    dx = layer.backward(grad(layer.forward(x)))  # analytic gradients, filled into grads
    errors = {}
    for name, owner, key in layer.named_params():
        analytic = owner.grads[key].copy()
        errors[name] = relative_error(
            analytic, numerical_gradient(f, owner.params[key], eps)
        )
    if x.dtype.kind == "f":
        errors["x"] = relative_error(dx, numerical_gradient(f, x, eps))
    return errors


# --8<-- [end:check_gradients]
