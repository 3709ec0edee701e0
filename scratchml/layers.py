"""The layer protocol and the dense (fully connected) layer.

Every trainable piece of scratchml, from one dense layer to the whole GPT, follows one
protocol:

- ``params``: a dict of arrays, the numbers training changes;
- ``grads``: a dict with the same keys and shapes, filled by ``backward``;
- ``forward(x) -> y`` computes the output and caches what ``backward`` needs;
- ``backward(dy) -> dx`` takes the gradient of the loss with respect to ``y`` and
  returns the gradient with respect to ``x``. It fills ``grads`` and never touches
  ``params``.

A layer made of other layers lists them in ``children``; ``named_params`` walks the
whole tree, so one optimizer and one gradient checker serve every model.
"""

# --8<-- [start:imports]
from collections.abc import Iterator

import numpy as np

from scratchml._checks import (
    check_astype,
    check_dense,
    check_features,
    check_str,
    checked_backward,
    checked_forward,
)

# --8<-- [end:imports]


# --8<-- [start:layer]
class Layer:
    """Base class for everything with a forward and a backward pass.

    Attributes
    ----------
    params : dict[str, numpy.ndarray]
        Trainable arrays of this layer (not of its children).
    grads : dict[str, numpy.ndarray]
        Gradients of the loss with respect to ``params``, same keys and shapes.
    children : dict[str, Layer]
        Sub-layers, by name. Empty for a leaf layer.
    """

    def __init__(self) -> None:
        self.params: dict[str, np.ndarray] = {}
        self.grads: dict[str, np.ndarray] = {}
        self.children: dict[str, Layer] = {}

    def __init_subclass__(cls, **kwargs) -> None:
        """Give every subclass's ``forward`` and ``backward`` the protocol's check."""
        super().__init_subclass__(**kwargs)
        if "forward" in vars(cls):  # keeps the shape of its output, for backward
            cls.forward = checked_forward(cls.forward)
        if "backward" in vars(cls):  # refuses a dy of another shape, or NaN
            cls.backward = checked_backward(cls.backward)

    def forward(self, x: np.ndarray) -> np.ndarray:
        name = type(self).__name__
        raise NotImplementedError(f"{name}.forward: a subclass must define it")

    def backward(self, dy: np.ndarray) -> np.ndarray:
        name = type(self).__name__
        raise NotImplementedError(f"{name}.backward: a subclass must define it")

    def __call__(self, x: np.ndarray) -> np.ndarray:
        return self.forward(x)

    def named_params(self, prefix: str = "") -> Iterator[tuple[str, "Layer", str]]:
        """Yield ``(full_name, layer, key)`` for every parameter in the tree."""
        prefix = check_str("Layer.named_params", "prefix", prefix)
        for key in self.params:
            yield prefix + key, self, key
        for name, child in self.children.items():
            yield from child.named_params(f"{prefix}{name}.")

    def astype(self, dtype) -> "Layer":
        """Cast every parameter in the tree to ``dtype`` (in place); return ``self``."""
        dtype = check_astype(self, dtype)
        for _, layer, key in self.named_params():
            layer.params[key] = layer.params[key].astype(dtype)
            layer.grads.pop(key, None)
        return self

    def num_params(self) -> int:
        """Total number of trainable numbers in the tree."""
        return sum(layer.params[key].size for _, layer, key in self.named_params())


# --8<-- [end:layer]


# --8<-- [start:dense]
class Dense(Layer):
    """A fully connected layer: ``y = x @ W + b``.

    Parameters
    ----------
    n_in, n_out : int
        Number of input and output features.
    rng : numpy.random.Generator, optional
        Source of the initial weights, standard normal numbers scaled as ``init`` says.
    dtype : numpy dtype, default float32
    init : {"lecun", "he"}, default "lecun"
        ``"lecun"`` scales by ``1/sqrt(n_in)``: for inputs of variance 1, each output
        starts with variance about 1. ``"he"`` scales by ``sqrt(2/n_in)``, which keeps
        the variance instead through a ReLU, which zeroes about half of its inputs.

    Notes
    -----
    ``x`` may have any number of leading axes: ``(batch, n_in)`` or
    ``(batch, time, n_in)``; the same ``W`` applies to every row.
    """

    def __init__(
        self, n_in: int, n_out: int, rng=None, dtype=np.float32, init: str = "lecun"
    ) -> None:
        super().__init__()
        n_in, n_out, rng, dtype = check_dense(n_in, n_out, rng, dtype, init)
        self.n_in, self.n_out = n_in, n_out
        scale = 1.0 / np.sqrt(n_in) if init == "lecun" else np.sqrt(2.0 / n_in)
        self.params["W"] = (rng.standard_normal((n_in, n_out)) * scale).astype(dtype)
        self.params["b"] = np.zeros(n_out, dtype=dtype)
        self._x = None

    def forward(self, x: np.ndarray) -> np.ndarray:
        x = check_features("Dense.forward", x, self.n_in)
        self._x = x  # (..., n_in), kept for backward
        return x @ self.params["W"] + self.params["b"]  # (..., n_out)

    # --8<-- [start:dense_backward]
    def backward(self, dy: np.ndarray) -> np.ndarray:
        x = self._x  # (..., n_in), from forward
        x2 = x.reshape(-1, self.n_in)  # (N, n_in): all leading axes are rows
        dy2 = dy.reshape(-1, self.n_out)  # (N, n_out)
        self.grads["W"] = x2.T @ dy2  # (n_in, n_out)
        self.grads["b"] = dy2.sum(axis=0)  # (n_out,)
        return dy @ self.params["W"].T  # (..., n_in), uses W as it was in forward

    # --8<-- [end:dense_backward]


# --8<-- [end:dense]
