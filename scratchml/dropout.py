"""Dropout: during training, zero a random fraction ``p`` of the activations.

Each forward pass in training draws a fresh mask: every entry is kept with probability
``1 - p`` and, when kept, divided by ``1 - p``, so the expected value of every output
equals its input. A network trained this way cannot lean on any single activation.
At evaluation time dropout does nothing: ``layer.training = False`` makes it the
identity, so generating text is deterministic.
"""

# --8<-- [start:imports]
import numpy as np

from scratchml._checks import as_float_array, check_dropout
from scratchml.layers import Layer

# --8<-- [end:imports]


# --8<-- [start:dropout]
class Dropout(Layer):
    """In training, zero entries with probability ``p``, scale the rest by 1/(1-p).

    Parameters
    ----------
    p : float, default 0.0
        Probability of dropping an entry, ``0 <= p < 1``. With ``p = 0`` the layer is
        the identity.
    rng : int or numpy.random.Generator, optional
        Seed or generator of the masks: the same seed drops the same entries.

    Attributes
    ----------
    training : bool, default True
        Dropout acts only while True; set it to False for evaluation (``GPT2.eval()``
        does that for every dropout layer of a model).

    Raises
    ------
    ValueError
        If ``p`` is not a number in ``[0, 1)`` or ``rng`` is not a seed or a Generator
        (a ``TypeError`` too, for a value of the wrong type).
    """

    def __init__(self, p: float = 0.0, rng=None) -> None:
        super().__init__()
        self.p, self.rng = check_dropout(p, rng)
        self.training = True
        self._mask = None

    def _draw_mask(self, shape: tuple, dtype) -> np.ndarray:
        """A fresh mask: 0 with probability ``p``, else ``1/(1-p)``."""
        keep = self.rng.random(shape) >= self.p  # (..., d) bool
        return keep.astype(dtype) / (1.0 - self.p)  # Python float: dtype kept

    # --8<-- [start:dropout_forward]
    def forward(self, x) -> np.ndarray:
        x = as_float_array("Dropout.forward", "x", x)
        if not self.training or self.p == 0:
            self._mask = None  # the identity: nothing to remember
            return x
        mask = self._draw_mask(x.shape, x.dtype)  # same shape as x
        self._mask = mask
        return x * mask

    # --8<-- [end:dropout_forward]

    # --8<-- [start:dropout_backward]
    def backward(self, dy: np.ndarray) -> np.ndarray:
        mask = self._mask  # from forward: None if nothing was dropped
        return dy if mask is None else dy * mask  # dropped entries pass no gradient

    # --8<-- [end:dropout_backward]


# --8<-- [end:dropout]
