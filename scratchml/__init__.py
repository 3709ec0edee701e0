"""scratchml: neural networks and the transformer from first principles, in numpy.

Every public name below is taught on a page of the book; the module it lives in is named
after the concept (``scratchml/attention.py`` holds attention, and so on).
"""

from scratchml.activations import ReLU, Sigmoid, relu, relu_grad, sigmoid, sigmoid_grad
from scratchml.data import load_digits, make_blobs, make_moons, make_regression_1d
from scratchml.gradcheck import check_gradients, numerical_gradient, relative_error
from scratchml.layers import Dense, Layer
from scratchml.losses import (
    cross_entropy,
    cross_entropy_grad,
    cross_entropy_with_grad,
    mse_loss,
    mse_loss_grad,
    mse_loss_with_grad,
)
from scratchml.mlp import MLP
from scratchml.neuron import fires, weighted_sum
from scratchml.optim import SGD, Adam, clip_grad_norm
from scratchml.softmax import log_softmax, softmax, softmax_backward
from scratchml.training import accuracy, fit, iterate_minibatches, train_test_split

__version__ = "0.1.0"

__all__ = [
    "Adam",
    "Dense",
    "Layer",
    "MLP",
    "ReLU",
    "SGD",
    "Sigmoid",
    "accuracy",
    "check_gradients",
    "clip_grad_norm",
    "cross_entropy",
    "cross_entropy_grad",
    "cross_entropy_with_grad",
    "fires",
    "fit",
    "iterate_minibatches",
    "load_digits",
    "log_softmax",
    "make_blobs",
    "make_moons",
    "make_regression_1d",
    "mse_loss",
    "mse_loss_grad",
    "mse_loss_with_grad",
    "numerical_gradient",
    "relative_error",
    "relu",
    "relu_grad",
    "sigmoid",
    "sigmoid_grad",
    "softmax",
    "softmax_backward",
    "train_test_split",
    "weighted_sum",
]
