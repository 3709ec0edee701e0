"""Layer normalization: give every vector mean 0 and variance 1, then a learned scale and shift.

For each position separately, ``LayerNorm`` subtracts the mean of the vector's
``d_model`` entries and divides by their standard deviation, then multiplies by
``gamma`` and adds ``beta`` (one number per feature, learned). Deep stacks of blocks
train much more steadily when every block reads inputs of a predictable size.
"""

# --8<-- [start:imports]
import numpy as np

from scratchml._checks import (
    as_float_array,
    check_float_dtype,
    check_last_dim,
    check_positive,
    check_positive_int,
    check_shape,
)
from scratchml.layers import Layer

# --8<-- [end:imports]


# --8<-- [start:layer_norm]
class LayerNorm(Layer):
    """``y = gamma * (x - mean) / sqrt(var + eps) + beta`` over the last axis.

    Parameters
    ----------
    d_model : int
        Size of the last axis, normalized as a whole.
    eps : float, default 1e-5
        Added to the variance so a constant vector does not divide by zero.
    dtype : numpy dtype, default float32

    Notes
    -----
    Parameters ``gamma`` (starts at 1) and ``beta`` (starts at 0), shape ``(d_model,)``.
    The mean and variance are per position, never across the batch.
    """

    def __init__(self, d_model: int, eps: float = 1e-5, dtype=np.float32) -> None:
        super().__init__()
        self.d_model = check_positive_int("LayerNorm", "d_model", d_model)
        self.eps = check_positive(
            "LayerNorm", "eps", eps
        )  # a Python float: float32 stays
        dtype = check_float_dtype("LayerNorm", "dtype", dtype)
        self.params["gamma"] = np.ones(d_model, dtype=dtype)
        self.params["beta"] = np.zeros(d_model, dtype=dtype)
        self._cache = None

    # --8<-- [start:layer_norm_forward]
    def forward(self, x) -> np.ndarray:
        x = as_float_array("LayerNorm.forward", "x", x)
        check_last_dim("LayerNorm.forward", "x", x, self.d_model)
        xhat = x - x.mean(
            axis=-1, keepdims=True
        )  # (..., d_model): mean 0 (a new array)
        var = (xhat * xhat).mean(axis=-1, keepdims=True)  # (..., 1)
        rstd = 1.0 / np.sqrt(var + self.eps)  # (..., 1): 1 / standard deviation
        xhat *= rstd  # (..., d_model): mean 0, variance 1 (in place: arrays we own)
        self._cache = (xhat, rstd)
        y = xhat * self.params["gamma"]  # (..., d_model)
        y += self.params["beta"]
        return y

    # --8<-- [end:layer_norm_forward]

    # --8<-- [start:layer_norm_backward]
    def backward(self, dy: np.ndarray) -> np.ndarray:
        xhat, rstd = self._cached("_cache")
        check_shape("LayerNorm.backward", "dy", dy, xhat.shape, "the output")
        dy2, xhat2 = (
            dy.reshape(-1, self.d_model),
            xhat.reshape(-1, self.d_model),
        )  # (N, d)
        self.grads["gamma"] = (dy2 * xhat2).sum(axis=0)  # (d_model,)
        self.grads["beta"] = dy2.sum(axis=0)  # (d_model,)
        dxhat = dy * self.params["gamma"]  # (..., d_model)
        # x moves xhat directly, and through the mean and the variance it was normalized
        # by:
        # dx = rstd * (dxhat - mean(dxhat) - xhat * mean(dxhat * xhat)), built in place.
        mean_dxhat = dxhat.mean(axis=-1, keepdims=True)  # (..., 1)
        mean_dxhat_xhat = (dxhat * xhat).mean(axis=-1, keepdims=True)  # (..., 1)
        dx = dxhat  # (..., d_model): reuse the array
        dx -= mean_dxhat
        dx -= xhat * mean_dxhat_xhat
        dx *= rstd
        return dx

    # --8<-- [end:layer_norm_backward]


# --8<-- [end:layer_norm]
