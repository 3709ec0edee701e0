"""Toy problems shared by the figure scripts."""

import numpy as np

from scratchml import Layer


class Quadratic(Layer):
    """One 2-vector parameter ``w`` and the loss ``sum(curvature * w**2) / 2``.

    Different curvatures along the two axes make the elongated bowls on which the
    gradient-descent and optimizer pages compare their steps.
    """

    def __init__(self, curvature, start):
        super().__init__()
        self.curvature = np.asarray(curvature, dtype=np.float64)  # (2,)
        self.params["w"] = np.array(start, dtype=np.float64)  # (2,)

    def loss(self) -> float:
        """The loss at the current ``w``; fills ``grads["w"]`` as a side effect."""
        w = self.params["w"]
        self.grads["w"] = self.curvature * w  # (2,): the gradient of the loss
        return float(0.5 * np.sum(self.curvature * w * w))
