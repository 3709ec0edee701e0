"""Optimizers: turning gradients into parameter updates.

An optimizer walks ``model.named_params()`` and changes every ``layer.params[key]`` in
place, using ``layer.grads[key]`` that the last ``backward`` filled. Any object
following
the layer protocol can be trained, from one ``Dense`` to the whole GPT. Per-parameter
state (momentum, Adam's moments) is keyed by the parameter's full name, e.g. ``"0.W"``.

Every update is a handful of in-place numpy operations on whole arrays. Hyperparameters
are stored as Python floats: under numpy 2's promotion rules a Python float keeps a
float32 array float32, while a float64 numpy scalar would silently turn it into float64.
"""

# --8<-- [start:imports]
import math

import numpy as np

from scratchml._checks import (
    NonFiniteError,
    check_betas,
    check_finite_grad,
    check_float,
    check_layer,
    check_non_negative,
    check_positive,
)
from scratchml.layers import Layer

# --8<-- [end:imports]


def _hyper(
    where: str, name: str, value, positive: bool = False, below_one: bool = False
):
    """Return a hyperparameter as a Python float after checking its range."""
    if below_one:
        return check_float(where, name, value, low=0, high=1, high_open=True)
    return (check_positive if positive else check_non_negative)(where, name, value)


def _grad(where: str, name: str, layer: Layer, key: str) -> np.ndarray:
    """The gradient of one parameter, or a clear error if backward has not filled it, or
    filled it with the wrong shape, NaN or infinity."""
    g = layer.grads.get(key)
    if g is None:
        raise RuntimeError(
            f"{where}: no gradient for {name!r}; call backward before step"
        )
    check_finite_grad(where, name, g, layer.params[key])
    return g


# --8<-- [start:sgd]
class SGD:
    """Stochastic gradient descent, optionally with momentum.

    Without momentum: ``p -= lr * g``. With momentum ``mu``, a velocity accumulates past
    gradients, ``v = mu * v + g``, and ``p -= lr * v`` (the PyTorch convention).

    Parameters
    ----------
    model : Layer
        Any object with ``named_params()``.
    lr : float
        Learning rate, ``> 0``.
    momentum : float
        In ``[0, 1)``; 0 is plain gradient descent.
    """

    def __init__(self, model: Layer, lr: float = 0.1, momentum: float = 0.0) -> None:
        check_layer("SGD", "model", model)
        self.model = model
        self.lr = _hyper("SGD", "lr", lr, positive=True)
        self.momentum = _hyper("SGD", "momentum", momentum, below_one=True)
        self.velocity: dict[str, np.ndarray] = {}

    # --8<-- [start:sgd_step]
    def step(self) -> None:
        """Update every parameter in place from its gradient."""
        for name, layer, key in self.model.named_params():
            g = _grad("SGD.step", name, layer, key)  # same shape as the parameter
            if self.momentum:
                if name not in self.velocity:
                    self.velocity[name] = np.zeros_like(g)
                v = self.velocity[name]  # same shape as g
                v *= self.momentum
                v += g
                g = v
            layer.params[key] -= self.lr * g

    # --8<-- [end:sgd_step]


# --8<-- [end:sgd]


# --8<-- [start:adam]
class Adam:
    """Adam: per-parameter step sizes from running averages of the gradient.

    For each parameter, with gradient ``g`` at step ``t``::

        m = b1 * m + (1 - b1) * g          # average gradient (direction)
        v = b2 * v + (1 - b2) * g**2       # average squared gradient (scale)
        m_hat = m / (1 - b1**t)            # bias correction: m, v start at 0
        v_hat = v / (1 - b2**t)
        p -= lr * m_hat / (sqrt(v_hat) + eps)

    On the first step ``m_hat = g`` and ``v_hat = g**2``, so every entry moves by about
    ``lr`` against the sign of its gradient, whatever the gradient's size.

    Parameters
    ----------
    model : Layer
        Any object with ``named_params()``.
    lr : float
        Learning rate, ``> 0``.
    betas : (float, float)
        Decay rates ``b1, b2`` of the two averages, each in ``[0, 1)``.
    eps : float
        Added to the denominator to avoid dividing by zero.
    weight_decay : float
        Decoupled weight decay (AdamW): before the Adam update, ``p -= lr *
        weight_decay * p``. It is applied only to parameters with ``ndim >= 2``
        (weight matrices, embeddings), never to biases or layer-norm gains and shifts.
    """

    def __init__(
        self,
        model: Layer,
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
    ) -> None:
        check_layer("Adam", "model", model)
        check_betas("Adam", "betas", betas)
        self.model = model
        self.lr = _hyper("Adam", "lr", lr, positive=True)
        self.b1 = _hyper("Adam", "betas[0]", betas[0], below_one=True)
        self.b2 = _hyper("Adam", "betas[1]", betas[1], below_one=True)
        self.eps = _hyper("Adam", "eps", eps, positive=True)
        self.weight_decay = _hyper("Adam", "weight_decay", weight_decay)
        self.t = 0
        self.m: dict[str, np.ndarray] = {}
        self.v: dict[str, np.ndarray] = {}

    # --8<-- [start:adam_textbook_step]
    def textbook_step(self) -> None:
        """Update every parameter in place: Adam exactly as the formulas write it.

        ``step`` computes the same update with fewer array operations;
        ``tests/test_optim.py`` proves the two equal.
        """
        self.t += 1
        for name, layer, key in self.model.named_params():
            p = layer.params[key]
            g = _grad("Adam.textbook_step", name, layer, key)  # same shape as p
            if name not in self.m:  # first step: both averages start at zero
                self.m[name], self.v[name] = np.zeros_like(p), np.zeros_like(p)
            self.m[name] = self.b1 * self.m[name] + (1 - self.b1) * g  # same shape as p
            self.v[name] = self.b2 * self.v[name] + (1 - self.b2) * g**2
            m_hat = self.m[name] / (
                1 - self.b1**self.t
            )  # bias correction: m, v start at 0
            v_hat = self.v[name] / (1 - self.b2**self.t)
            if self.weight_decay and p.ndim >= 2:
                p *= 1 - self.lr * self.weight_decay  # decoupled decay, weights only
            p -= self.lr * m_hat / (np.sqrt(v_hat) + self.eps)

    # --8<-- [end:adam_textbook_step]

    # --8<-- [start:adam_step]
    def step(self) -> None:
        """Update every parameter in place from its gradient (optimized form).

        The same update as ``textbook_step``, with the two bias corrections folded into
        one step size and one epsilon, and the averages updated in place.
        """
        self.t += 1
        # lr * m_hat / (sqrt(v_hat) + eps) = step_size * m / (sqrt(v) + eps * c2), with
        # c2 = sqrt(1 - b2**t): multiply top and bottom by c2. Python floats, so float32
        # stays float32.
        c2 = math.sqrt(1 - self.b2**self.t)
        step_size = self.lr * c2 / (1 - self.b1**self.t)
        eps = self.eps * c2
        for name, layer, key in self.model.named_params():
            p = layer.params[key]
            g = _grad("Adam.step", name, layer, key)  # same shape as p
            if name not in self.m:  # first step: both averages start at zero
                self.m[name], self.v[name] = np.zeros_like(p), np.zeros_like(p)
            m, v = self.m[name], self.v[name]  # same shape as p
            m *= self.b1
            m += (1 - self.b1) * g
            v *= self.b2
            v += (1 - self.b2) * (g * g)
            if self.weight_decay and p.ndim >= 2:
                p *= 1 - self.lr * self.weight_decay  # decoupled decay, weights only
            p -= step_size * m / (np.sqrt(v) + eps)

    # --8<-- [end:adam_step]


# --8<-- [end:adam]


# --8<-- [start:clip_grad_norm]
def clip_grad_norm(model: Layer, max_norm: float) -> float:
    """Scale all gradients in place so that their global L2 norm is at most ``max_norm``.

    The global norm treats every gradient entry of the model as one long vector. Scaling
    every gradient by the same factor keeps the direction of the step and only limits
    its length, which tames the occasional exploding gradient.

    Parameters
    ----------
    model : Layer
        Its ``grads`` must be filled (call ``backward`` first).
    max_norm : float
        ``> 0``.

    Returns
    -------
    float
        The global norm *before* clipping (useful to log).
    """
    check_layer("clip_grad_norm", "model", model)
    max_norm = _hyper("clip_grad_norm", "max_norm", max_norm, positive=True)
    grads = [
        _grad("clip_grad_norm", n, layer, k) for n, layer, k in model.named_params()
    ]
    total = math.sqrt(sum(float(np.vdot(g, g)) for g in grads))  # sum of squares of all
    if not math.isfinite(total):  # every gradient is finite, but their squares overflow
        raise NonFiniteError(
            f"clip_grad_norm: the global gradient norm overflows ({total})"
        )
    if total > max_norm:
        scale = max_norm / (total + 1e-6)  # Python float: keeps float32 grads float32
        for g in grads:
            g *= scale
    return total


# --8<-- [end:clip_grad_norm]
