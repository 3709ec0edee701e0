"""One artificial neuron: weights, the weighted sum, and the bias.

A neuron multiplies each input by a weight, adds the products and a bias, and passes the
result ``z`` through an activation. With the simplest activation, a step, the neuron
"fires" when ``z > 0``, that is when ``w . a > -b``: the bias moves the threshold.
"""

# --8<-- [start:imports]
import numpy as np

from scratchml._checks import check_neuron

# --8<-- [end:imports]


# --8<-- [start:weighted_sum]
def weighted_sum(a, w, b) -> np.ndarray:
    """The neuron's pre-activation ``z = w . a + b``.

    Parameters
    ----------
    a : array_like, shape (n,) or (batch, n)
        Inputs (activations of the previous layer), one row per example.
    w : array_like, shape (n,)
        One weight per input.
    b : float
        The bias.

    Returns
    -------
    numpy.ndarray, shape () or (batch,)
        One weighted sum per example.
    """
    a, w, b = check_neuron("weighted_sum", a, w, b)
    return a @ w + b  # (batch,) or ()


# --8<-- [end:weighted_sum]


# --8<-- [start:fires]
def fires(a, w, b) -> np.ndarray:
    """Step activation: True where ``w . a + b > 0``, i.e. where ``w . a > -b``.

    Parameters
    ----------
    a : array_like, shape (n,) or (batch, n)
        Inputs, one row per example.
    w : array_like, shape (n,)
        One weight per input.
    b : float
        The bias: a larger bias makes the neuron fire more easily.

    Returns
    -------
    numpy.ndarray of bool, shape () or (batch,)
        Whether the neuron fires, per example.
    """
    a, w, b = check_neuron("fires", a, w, b)
    return weighted_sum(a, w, b) > 0  # same shape as the weighted sum


# --8<-- [end:fires]
