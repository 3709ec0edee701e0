"""Positional information: attention alone does not know the order of the tokens.

Attention treats its input as a set: shuffle the tokens and each output is shuffled the
same way. To tell the model where each token sits, a vector that depends only on the
position is added to each token's embedding. Two classic choices:

- the fixed sinusoidal encoding of "Attention Is All You Need"
  (``positional_encoding``): column pair ``(2i, 2i+1)`` holds ``sin`` and ``cos`` of
  ``pos`` times one frequency, ``1 / 10000^(2i/d)``, slower and slower as ``i`` grows;
- a learned table ``W_P`` with one row per position (``PositionalEmbedding``), trained
  like the token embeddings. This is what GPT-2 does, and what ``GPT`` uses.
"""

# --8<-- [start:imports]
import numpy as np

from scratchml._checks import (
    check_positional_embedding,
    check_positional_encoding,
    check_positions,
)
from scratchml.layers import Layer

# --8<-- [end:imports]


# --8<-- [start:positional_encoding]
def positional_encoding(n_positions: int, d_model: int, dtype=np.float32) -> np.ndarray:
    """Sinusoidal positional encoding, shape ``(n_positions, d_model)``.

    ``PE[pos, 2i] = sin(pos / 10000^(2i/d))`` and ``PE[pos, 2i+1] = cos(pos /
    10000^(2i/d))``: the sine and the cosine of one pair share one frequency.

    Parameters
    ----------
    n_positions : int
        Number of positions (rows).
    d_model : int
        Size of each position vector. If odd, the last column is a sine without its
        cosine partner.
    dtype : numpy dtype, default float32
        Computed in float64, returned in this dtype.
    """
    n_positions, d_model, dtype = check_positional_encoding(n_positions, d_model, dtype)
    pos = np.arange(n_positions)[:, None]  # (n_positions, 1)
    two_i = np.arange(0, d_model, 2)  # (ceil(d/2),): 0, 2, 4, ...
    # one frequency per sin/cos pair: angle[pos, i] = pos / 10000^(2i/d)
    angle = pos / 10000.0 ** (two_i / d_model)  # (n_positions, ceil(d/2))
    pe = np.empty((n_positions, d_model))  # (n_positions, d_model)
    pe[:, 0::2] = np.sin(angle)  # even columns: sine
    pe[:, 1::2] = np.cos(angle[:, : d_model // 2])  # odd columns: cosine, same angle
    return pe.astype(dtype)


# --8<-- [end:positional_encoding]


# --8<-- [start:positional_embedding]
class PositionalEmbedding(Layer):
    """Add a learned vector per position: ``y[..., t, :] = x[..., t, :] + W_P[t]``.

    Parameters
    ----------
    n_positions : int
        The longest sequence this layer accepts (the context length).
    d_model : int
        Size of each vector.
    rng : int or numpy.random.Generator, optional
        Initial ``W_P`` is normal with standard deviation 0.02.
    dtype : numpy dtype, default float32

    Notes
    -----
    ``forward`` takes token vectors ``(B, T, d_model)`` or ``(T, d_model)`` with
    ``T <= n_positions``. Only the first ``T`` rows of ``W_P`` are used, so only they
    receive a gradient; ``backward`` passes ``dy`` through unchanged, since the input
    enters the sum with factor 1.
    """

    def __init__(
        self, n_positions: int, d_model: int, rng=None, dtype=np.float32
    ) -> None:
        super().__init__()
        n, d, rng, dtype = check_positional_embedding(n_positions, d_model, rng, dtype)
        self.n_positions, self.d_model = n, d
        W_P = 0.02 * rng.standard_normal((n, d))  # (n_positions, d_model)
        self.params["W_P"] = W_P.astype(dtype)

    # --8<-- [start:positional_embedding_forward]
    def forward(self, x: np.ndarray) -> np.ndarray:
        x = check_positions(x, self.n_positions, self.d_model)  # (B, T, d_model)
        T = x.shape[-2]
        return x + self.params["W_P"][:T]  # (B, T, d_model): W_P[:T] broadcasts over B

    # --8<-- [end:positional_embedding_forward]

    # --8<-- [start:positional_embedding_backward]
    def backward(self, dy: np.ndarray) -> np.ndarray:
        T = dy.shape[-2]
        dy3 = dy.reshape(-1, T, self.d_model)  # (B, T, d_model); one sequence: B = 1
        dW_P = np.zeros_like(self.params["W_P"])  # (n_positions, d_model)
        dW_P[:T] = dy3.sum(axis=0)  # (T, d_model): row t summed over the batch
        self.grads["W_P"] = dW_P
        return dy  # (B, T, d_model)

    # --8<-- [end:positional_embedding_backward]


# --8<-- [end:positional_embedding]
