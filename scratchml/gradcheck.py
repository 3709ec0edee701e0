"""Finite-difference gradient checks: the proof behind every backward pass.

The derivative of a function ``f`` at ``x`` is approximated by the central
difference ``(f(x + eps) - f(x - eps)) / (2 eps)``, whose error shrinks like
``eps**2``. Comparing it with what ``backward`` returns catches almost every mistake
in a hand-written gradient.
"""

# --8<-- [start:imports]
import numpy as np

from scratchml._checks import (
    check_gradcheck,
    check_nudged,
    check_numerical_gradient,
    check_relative_error,
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
    eps = check_numerical_gradient(f, x, eps)  # f() included: finite, or an error now
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
    return check_nudged(grad)  # finite, or f() blew up near x


# --8<-- [end:numerical_gradient]


# --8<-- [start:relative_error]
def relative_error(a: np.ndarray, b: np.ndarray, floor: float = 1e-8) -> float:
    """``max|a - b| / max(max|a|, max|b|, floor)``: 0 if equal, 1e-6 for six digits.

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
        The smallest scale divided by (``>= 0``). With ``floor = 0`` the error is
        purely relative, and two all-zero gradients give 0.

    Returns
    -------
    float
        The relative error, ``>= 0``.
    """
    a, b, floor = check_relative_error(a, b, floor)  # NaN: an error, never NaN out
    scale = max(np.abs(a).max(initial=0.0), np.abs(b).max(initial=0.0), floor)
    # scale is 0 only for floor = 0 and two all-zero arrays: equal, so 0 (not 0 / 0)
    return float(np.abs(a - b).max(initial=0.0) / scale) if scale else 0.0


# --8<-- [end:relative_error]


# --8<-- [start:check_gradients]
def check_gradients(
    layer: Layer, x, loss=None, eps: float = 1e-6, rng=0
) -> dict[str, float]:
    """Compare ``layer.backward`` with finite differences, for the input and params.

    The layer is cast to float64 (in place). Unless a ``loss`` is given, the scalar
    being differentiated is ``sum(forward(x) * R)`` for a fixed random ``R``, whose
    gradient with respect to the output is exactly ``R``: every output entry gets its
    own weight.

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
    x = check_gradcheck(layer, x, loss, eps, rng)  # floats, or integer token ids
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
