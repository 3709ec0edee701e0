"""Embeddings: one learned vector per token, and the way back to one score per token.

The embedding matrix ``W_E`` has one row per vocabulary entry. Embedding a token is
reading its row: ``W_E[id]``. That is the same as multiplying a one-hot row vector by
``W_E``, which tells us the gradient: every row of ``W_E`` receives the sum of the
output gradients of the positions that hold its token.

The unembedding ``W_U`` goes the other way: a vector of size ``d_model`` becomes one
logit (an unnormalized score) per vocabulary entry, ``logits = x @ W_U``.
"""

# --8<-- [start:imports]
import numpy as np

from scratchml._checks import (
    as_token_ids,
    check_embedding,
    check_unembedding,
    check_vectors,
)
from scratchml.layers import Layer

# --8<-- [end:imports]


# --8<-- [start:embedding]
class Embedding(Layer):
    """Token ids -> vectors: ``y = W_E[ids]``.

    Parameters
    ----------
    vocab_size : int
        Number of distinct tokens (rows of ``W_E``).
    d_model : int
        Size of each token vector (columns of ``W_E``).
    rng : int or numpy.random.Generator, optional
        Source of the initial weights, drawn from a normal distribution with standard
        deviation 0.02 (as in GPT-2).
    dtype : numpy dtype, default float32

    Notes
    -----
    ``forward`` takes integer ids of any shape, usually ``(B, T)`` or ``(T,)``, and
    returns ``ids.shape + (d_model,)``. ``backward`` returns ``None``: integer ids have
    no gradient.
    """

    def __init__(
        self, vocab_size: int, d_model: int, rng=None, dtype=np.float32
    ) -> None:
        super().__init__()
        V, d, rng, dtype = check_embedding(vocab_size, d_model, rng, dtype)
        self.vocab_size, self.d_model = V, d
        self.params["W_E"] = (0.02 * rng.standard_normal((V, d))).astype(dtype)
        self._ids = None

    # --8<-- [start:embedding_forward]
    def forward(self, ids) -> np.ndarray:
        ids = as_token_ids("Embedding.forward", "ids", ids, self.vocab_size)
        self._ids = ids  # (B, T), kept for backward
        return self.params["W_E"][ids]  # (B, T, d_model): one row of W_E per token

    # --8<-- [end:embedding_forward]

    # --8<-- [start:embedding_backward]
    def backward(self, dy: np.ndarray) -> None:
        ids = self._ids  # (B, T), from forward
        # W_E[ids] equals one_hot(ids) @ W_E, so the gradient is one_hot(ids).T @ dy:
        # row v receives the sum of dy over the positions that hold token v.
        tokens = np.arange(self.vocab_size)[:, None]  # (V, 1)
        one_hot_T = tokens == ids.reshape(1, -1)  # (V, N) bool: one_hot(ids).T
        dy2 = dy.reshape(-1, self.d_model)  # (N, d_model): every position is a row
        self.grads["W_E"] = one_hot_T.astype(dy.dtype) @ dy2  # (V, d_model)
        return None

    # --8<-- [end:embedding_backward]


# --8<-- [end:embedding]


# --8<-- [start:unembedding]
class Unembedding(Layer):
    """Vectors -> one logit per vocabulary entry: ``logits = x @ W_U`` (no bias).

    Parameters
    ----------
    d_model : int
        Size of the incoming vectors (rows of ``W_U``).
    vocab_size : int
        Number of logits produced (columns of ``W_U``).
    rng : int or numpy.random.Generator, optional
        Initial weights are normal with standard deviation 0.02, so the logits of an
        untrained model are close to 0 and its prediction close to uniform.
    dtype : numpy dtype, default float32

    Notes
    -----
    There is no bias, as in GPT-2's unembedding: every logit is the dot product of the
    final vector with one column of ``W_U``.
    """

    def __init__(
        self, d_model: int, vocab_size: int, rng=None, dtype=np.float32
    ) -> None:
        super().__init__()
        d, V, rng, dtype = check_unembedding(d_model, vocab_size, rng, dtype)
        self.d_model, self.vocab_size = d, V
        self.params["W_U"] = (0.02 * rng.standard_normal((d, V))).astype(dtype)
        self._x = None

    # --8<-- [start:unembedding_forward]
    def forward(self, x: np.ndarray) -> np.ndarray:
        x = check_vectors("Unembedding.forward", x, self.d_model)
        self._x = x  # (B, T, d_model), kept for backward
        x2 = x.reshape(-1, self.d_model)  # (N, d_model): one 2-D matmul is fastest
        return (x2 @ self.params["W_U"]).reshape(x.shape[:-1] + (-1,))  # (B, T, V)

    # --8<-- [end:unembedding_forward]

    # --8<-- [start:unembedding_backward]
    def backward(self, dy: np.ndarray) -> np.ndarray:
        x = self._x  # (B, T, d_model), from forward
        x2 = x.reshape(-1, self.d_model)  # (N, d_model)
        dy2 = dy.reshape(-1, self.vocab_size)  # (N, V)
        self.grads["W_U"] = x2.T @ dy2  # (d_model, V)
        return (dy2 @ self.params["W_U"].T).reshape(x.shape)  # (B, T, d_model)

    # --8<-- [end:unembedding_backward]


# --8<-- [end:unembedding]
