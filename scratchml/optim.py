"""Optimizers: turning gradients into parameter updates.

An optimizer walks ``model.named_params()`` and changes every ``layer.params[key]``
in place, using ``layer.grads[key]`` that the last ``backward`` filled. Any object
following the layer protocol can be trained, from one ``Dense`` to the whole GPT.
Per-parameter state (momentum, Adam's moments) is keyed by the parameter's full name,
e.g. ``"0.W"``.

Every update changes the parameters in place, with numpy operations on whole arrays.
Hyperparameters are stored as Python floats: under numpy 2's promotion rules a Python
float keeps a float32 array float32, while a float64 numpy scalar would silently turn it
into float64.
"""

# --8<-- [start:imports]
import math

import numpy as np

from scratchml._checks import (
    check_adam,
    check_clip_grad_norm,
    check_grad,
    check_norm,
    check_sgd,
)
from scratchml.layers import Layer

# --8<-- [end:imports]


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
        self.lr, self.momentum = check_sgd(model, lr, momentum)
        self.model = model
        self.velocity: dict[str, np.ndarray] = {}

    # --8<-- [start:sgd_step]
    def step(self) -> None:
        """Update every parameter in place from its gradient."""
        for name, layer, key in self.model.named_params():
            g = check_grad("SGD.step", name, layer, key)  # same shape as the parameter
            if self.momentum:  # the velocity: a decaying sum of past gradients
                g = self.momentum * self.velocity.get(name, 0.0) + g  # same shape
                self.velocity[name] = g
            layer.params[key] -= self.lr * g

    # --8<-- [end:sgd_step]


# --8<-- [end:sgd]


# --8<-- [start:adam]
class Adam:
    """Adam: per-parameter step sizes from running averages of the gradient.

    For each parameter, with gradient ``g`` at step ``t``::

        m = b1 * m + (1 - b1) * g          # average gradient (direction) v = b2 * v +
        (1 - b2) * g**2       # average squared gradient (scale) m_hat = m / (1 - b1**t)
        # bias correction: m, v start at 0 v_hat = v / (1 - b2**t) p -= lr * m_hat /
        (sqrt(v_hat) + eps)

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
        self, model: Layer, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0
    ) -> None:
        lr, betas, eps, weight_decay = check_adam(model, lr, betas, eps, weight_decay)
        self.model, self.lr, self.eps, self.weight_decay = model, lr, eps, weight_decay
        self.b1, self.b2 = betas  # decay rates of the two averages
        self.t = 0  # steps taken
        self.m: dict[str, np.ndarray] = {}  # the two averages, by parameter name
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
            g = check_grad("Adam.textbook_step", name, layer, key)  # same shape as p
            if name not in self.m:  # first step: both averages start at zero
                self.m[name], self.v[name] = np.zeros_like(p), np.zeros_like(p)
            self.m[name] = self.b1 * self.m[name] + (1 - self.b1) * g  # same shape as p
            self.v[name] = self.b2 * self.v[name] + (1 - self.b2) * g**2
            m_hat = self.m[name] / (1 - self.b1**self.t)  # bias correction: m, v
            v_hat = self.v[name] / (1 - self.b2**self.t)  # started at 0
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
        # Optimisation: textbook_step's update with fewer array operations (the test
        # test_adam_step_folded_form_equals_textbook_step proves them equal).
        self.t += 1
        # lr * m_hat / (sqrt(v_hat) + eps) = step_size * m / (sqrt(v) + eps * c2), with
        # c2 = sqrt(1 - b2**t): multiply top and bottom by c2. Python floats, so float32
        # stays float32.
        c2 = math.sqrt(1 - self.b2**self.t)
        step_size = self.lr * c2 / (1 - self.b1**self.t)
        eps = self.eps * c2
        for name, layer, key in self.model.named_params():
            p = layer.params[key]
            g = check_grad("Adam.step", name, layer, key)  # same shape as p
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
    """Scale all gradients in place so that their global L2 norm is at most max_norm.

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
    max_norm, grads = check_clip_grad_norm(model, max_norm)  # grads: filled, finite
    total = math.sqrt(sum(float(np.vdot(g, g)) for g in grads))  # the global norm
    check_norm("clip_grad_norm", total)  # the squares of finite grads may overflow
    if total > max_norm:
        scale = max_norm / (total + 1e-6)  # Python float: keeps float32 grads float32
        for g in grads:
            g *= scale
    return total


# --8<-- [end:clip_grad_norm]
