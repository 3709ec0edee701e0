"""Activation functions: the nonlinearity that makes stacked layers more than a matrix.

Without an activation, ``Dense`` after ``Dense`` is still a single linear map.
Applying a nonlinear function to every entry of ``z = x @ W + b`` between the layers
lets the network bend its decision boundaries.

- ``sigmoid(z) = 1 / (1 + exp(-z))`` squashes any number into ``(0, 1)``; its derivative
  ``s * (1 - s)`` is at most 0.25, so gradients shrink through every sigmoid layer.
- ``relu(z) = max(0, z)`` passes positive values unchanged and zeroes the rest; its
  derivative is 1 for ``z > 0`` and 0 otherwise (we take 0 at exactly ``z = 0``).

Each function works elementwise on arrays of any shape and keeps the float dtype of its
input (float32 stays float32).
"""

# --8<-- [start:imports]
import numpy as np

from scratchml._checks import as_float_array, check_activation_input
from scratchml.layers import Layer

# --8<-- [end:imports]


# --8<-- [start:relu]
def relu(z) -> np.ndarray:
    """Rectified linear unit, ``max(0, z)`` elementwise.

    Parameters
    ----------
    z : array_like
        Pre-activations, any shape.

    Returns
    -------
    numpy.ndarray
        Same shape and float dtype as ``z``; every entry ``>= 0``.
    """
    z = as_float_array("relu", "z", z)
    return np.maximum(z, 0)  # same shape as z


# --8<-- [end:relu]


# --8<-- [start:relu_grad]
def relu_grad(z) -> np.ndarray:
    """Derivative of ``relu`` at ``z``: 1 where ``z > 0``, else 0.

    Parameters
    ----------
    z : array_like
        The pre-activations ``relu`` was applied to (not its output).

    Returns
    -------
    numpy.ndarray
        Same shape and float dtype as ``z``, entries 0 or 1.
    """
    z = as_float_array("relu_grad", "z", z)
    return (z > 0).astype(z.dtype)  # same shape as z


# --8<-- [end:relu_grad]


# --8<-- [start:sigmoid]
def sigmoid(z) -> np.ndarray:
    """Logistic sigmoid, ``1 / (1 + exp(-z))`` elementwise, without overflow.

    ``exp(-z)`` overflows for ``z = -1000``. Both branches below only ever compute
    ``e = exp(-|z|)``, which lies in ``(0, 1]``:

    - for ``z >= 0``: ``1 / (1 + e)``;
    - for ``z < 0``: ``e / (1 + e)`` (the same fraction, multiplied by
      ``exp(z)/exp(z)``).

    Parameters
    ----------
    z : array_like
        Pre-activations, any shape.

    Returns
    -------
    numpy.ndarray
        Same shape and float dtype as ``z``, every entry in ``[0, 1]`` (strictly inside
        for moderate ``z``; it rounds to exactly 0 or 1 far out in the tails).
    """
    z = as_float_array("sigmoid", "z", z)
    e = np.exp(-np.abs(z))  # in (0, 1]: never overflows
    return np.where(z >= 0, 1 / (1 + e), e / (1 + e))  # same shape as z


# --8<-- [end:sigmoid]


# --8<-- [start:sigmoid_grad]
def sigmoid_grad(z) -> np.ndarray:
    """Derivative of ``sigmoid`` at ``z``: ``s * (1 - s)`` with ``s = sigmoid(z)``.

    It peaks at 0.25 for ``z = 0`` and vanishes in both tails.

    Parameters
    ----------
    z : array_like
        The pre-activations ``sigmoid`` was applied to.

    Returns
    -------
    numpy.ndarray
        Same shape and float dtype as ``z``, entries in ``[0, 0.25]``.
    """
    z = as_float_array("sigmoid_grad", "z", z)
    s = sigmoid(z)  # same shape as z
    return s * (1 - s)


# --8<-- [end:sigmoid_grad]


# --8<-- [start:relu_layer]
class ReLU(Layer):
    """``relu`` as a layer: no parameters, caches its output for ``backward``.

    ``backward`` multiplies the incoming gradient by the derivative, 1 where the input
    was positive and 0 elsewhere: the chain rule through an elementwise function is an
    elementwise product. The input was positive exactly where the output is, so the
    output is all ``backward`` needs.
    """

    def __init__(self) -> None:
        super().__init__()
        self._out = None

    def forward(self, z: np.ndarray) -> np.ndarray:
        z = check_activation_input("ReLU.forward", z, nan_by="relu")
        self._out = np.maximum(z, 0)  # relu(z), same shape as z
        return self._out

    def backward(self, dy: np.ndarray) -> np.ndarray:
        return dy * (self._out > 0)  # same shape: gradient flows only where z > 0


# --8<-- [end:relu_layer]


# --8<-- [start:sigmoid_layer]
class Sigmoid(Layer):
    """``sigmoid`` as a layer: no parameters, caches its output ``s`` for backward.

    The derivative ``s * (1 - s)`` only needs the output, so that is what is kept.
    """

    def __init__(self) -> None:
        super().__init__()
        self._s = None

    def forward(self, z: np.ndarray) -> np.ndarray:
        z = as_float_array("Sigmoid.forward", "z", z, finite=False)  # sigmoid(): NaN
        self._s = sigmoid(z)  # same shape as z
        return self._s

    def backward(self, dy: np.ndarray) -> np.ndarray:
        s = self._s  # sigmoid(z), from forward
        return dy * s * (1 - s)  # same shape as s


# --8<-- [end:sigmoid_layer]


# --8<-- [start:gelu]
GELU_C = 0.7978845608028654  # sqrt(2 / pi) as a Python float: float32 stays float32


def gelu(z) -> np.ndarray:
    """Gaussian error linear unit, in the tanh form GPT-2 uses, elementwise.

    ``gelu(z) = 0.5 * z * (1 + tanh(c * (z + 0.044715 * z**3)))`` with
    ``c = sqrt(2 / pi)``: a smooth ReLU that lets a little negative signal through
    (its minimum is about -0.17, near ``z = -0.75``).

    Parameters
    ----------
    z : array_like
        Pre-activations, any shape.

    Returns
    -------
    numpy.ndarray
        Same shape and float dtype as ``z``.
    """
    z = as_float_array("gelu", "z", z)
    t = np.tanh(GELU_C * (z + 0.044715 * z * z * z))  # same shape; z**3 is slower
    return 0.5 * z * (1 + t)


# --8<-- [end:gelu]


# --8<-- [start:gelu_grad]
def gelu_grad(z) -> np.ndarray:
    """Derivative of ``gelu`` at ``z``.

    With ``u = c * (z + 0.044715 z**3)`` and ``t = tanh(u)``, the product rule gives
    ``0.5 * (1 + t) + 0.5 * z * (1 - t**2) * c * (1 + 3 * 0.044715 z**2)``.

    Beyond ``|z| = 10``, ``u`` exceeds 43 and ``t`` is exactly ``+-1`` in every float
    dtype, so the derivative is exactly 1 (or 0 for negative ``z``). ``z`` is clipped
    to ``[-10, 10]`` first: the value is the same, but ``z**3`` cannot overflow to
    infinity, which would make ``(1 - t**2) * du`` the NaN ``0 * inf``.

    Parameters
    ----------
    z : array_like
        The pre-activations ``gelu`` was applied to.

    Returns
    -------
    numpy.ndarray
        Same shape and float dtype as ``z``.
    """
    z = as_float_array("gelu_grad", "z", z)
    z = np.clip(z, -10, 10)  # the same derivative (tanh is +-1 beyond), no overflow
    t = np.tanh(GELU_C * (z + 0.044715 * z * z * z))  # same shape as z
    du = GELU_C * (1 + 3 * 0.044715 * z * z)  # du/dz
    return 0.5 * (1 + t) + 0.5 * z * (1 - t * t) * du


# --8<-- [end:gelu_grad]


# --8<-- [start:gelu_layer]
class GELU(Layer):
    """``gelu`` as a layer: no parameters, caches its input for ``backward``.

    Unlike ReLU, the derivative is not a function of the output alone, so the input
    ``z`` is what is kept.
    """

    def __init__(self) -> None:
        super().__init__()
        self._z = None

    def forward(self, z: np.ndarray) -> np.ndarray:
        z = as_float_array("GELU.forward", "z", z)
        self._z = z  # same shape as z, kept for backward
        return gelu(z)

    def backward(self, dy: np.ndarray) -> np.ndarray:
        return dy * gelu_grad(self._z)  # same shape as z


# --8<-- [end:gelu_layer]
