"""scratchml: neural networks and the transformer from first principles, in numpy.

Every public name below is taught on a page of the book; the module it lives in is named
after the concept (``scratchml/attention.py`` holds attention, and so on).
"""

from scratchml.gradcheck import check_gradients, numerical_gradient, relative_error
from scratchml.layers import Dense, Layer
from scratchml.neuron import fires, weighted_sum
from scratchml.softmax import log_softmax, softmax, softmax_backward

__version__ = "0.1.0"

__all__ = [
    "Dense",
    "Layer",
    "check_gradients",
    "fires",
    "log_softmax",
    "numerical_gradient",
    "relative_error",
    "softmax",
    "softmax_backward",
    "weighted_sum",
]
