"""Layer normalization: mean 0 and variance 1 per vector, then a learned scale, shift.

For each position separately, ``LayerNorm`` subtracts the mean of the vector's
``d_model`` entries and divides by their standard deviation, then multiplies by
``gamma`` and adds ``beta`` (one number per feature, learned). Deep stacks of blocks
train much more steadily when every block reads inputs of a predictable size.
"""

# --8<-- [start:imports]
import numpy as np

from scratchml._checks import check_layer_norm, check_vectors
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
        self.d_model, self.eps, dtype = check_layer_norm(d_model, eps, dtype)
        self.params["gamma"] = np.ones(d_model, dtype=dtype)
        self.params["beta"] = np.zeros(d_model, dtype=dtype)
        self._cache = None

    # --8<-- [start:layer_norm_forward]
    def forward(self, x) -> np.ndarray:
        x = check_vectors("LayerNorm.forward", x, self.d_model)
        xc = x - x.mean(axis=-1, keepdims=True)  # (..., d_model): mean 0
        var = (xc * xc).mean(axis=-1, keepdims=True)  # (..., 1)
        rstd = 1.0 / np.sqrt(var + self.eps)  # (..., 1): 1 / standard deviation
        xhat = xc * rstd  # (..., d_model): mean 0, variance 1
        self._cache = (xhat, rstd)
        return xhat * self.params["gamma"] + self.params["beta"]  # (..., d_model)

    # --8<-- [end:layer_norm_forward]

    # --8<-- [start:layer_norm_backward]
    def backward(self, dy: np.ndarray) -> np.ndarray:
        xhat, rstd = self._cache  # from forward
        dy2 = dy.reshape(-1, self.d_model)  # (N, d_model): every position is a row
        xhat2 = xhat.reshape(-1, self.d_model)  # (N, d_model)
        self.grads["gamma"] = (dy2 * xhat2).sum(axis=0)  # (d_model,)
        self.grads["beta"] = dy2.sum(axis=0)  # (d_model,)
        dxhat = dy * self.params["gamma"]  # (..., d_model)
        # x moves xhat directly, and through the mean and the variance it was
        # normalized by: two means per position, then one expression.
        mean_dxhat = dxhat.mean(axis=-1, keepdims=True)  # (..., 1)
        mean_dxhat_xhat = (dxhat * xhat).mean(axis=-1, keepdims=True)  # (..., 1)
        return rstd * (dxhat - mean_dxhat - xhat * mean_dxhat_xhat)  # (..., d_model)

    # --8<-- [end:layer_norm_backward]


# --8<-- [end:layer_norm]
