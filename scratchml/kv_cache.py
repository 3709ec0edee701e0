"""The KV cache: keep the keys and values of the positions already seen.

When a language model generates, each step appends one token and asks for the next.
Without a cache every step recomputes the whole sequence, although the keys and values
of the earlier positions have not changed: causal attention makes position ``j`` depend
on tokens ``0..j`` only. A cache stores them, so a step computes the query, key and
value of the *new* token alone and lets its query look at every stored key.

One ``KVCache`` serves one attention layer; a model keeps one per layer. It is
preallocated for ``max_len`` positions (a model's context length) and filled from the
left: ``length`` positions are stored. Per sequence and per position it holds one key
and one value of ``n_heads * d_head = d_model`` numbers, so a model with ``n_layers``
layers stores ``2 * n_layers * d_model`` numbers per token.
"""

# --8<-- [start:imports]
import numpy as np

from scratchml._checks import check_kv_append, check_kv_cache

# --8<-- [end:imports]


# --8<-- [start:kv_cache]
class KVCache:
    """The keys and values one attention layer has computed so far.

    Parameters
    ----------
    batch : int
        Number of sequences generated side by side.
    n_heads : int
        Attention heads of the layer.
    max_len : int
        Positions the cache can hold (the model's context length).
    d_head : int
        Size of each head's keys and values.
    dtype : numpy dtype, default float32

    Attributes
    ----------
    keys, values : numpy.ndarray, shape (batch, n_heads, max_len, d_head)
        Preallocated storage; positions ``0..length-1`` are filled.
    length : int
        Number of positions stored, the position of the next token.

    Raises
    ------
    ValueError
        If a size is not a positive integer, or ``dtype`` is not a float type (a
        ``TypeError`` too, for a value of the wrong type).
    """

    def __init__(
        self, batch: int, n_heads: int, max_len: int, d_head: int, dtype=np.float32
    ):
        dtype = check_kv_cache(batch, n_heads, max_len, d_head, dtype)  # float16 too
        shape = (batch, n_heads, max_len, d_head)
        self.keys = np.zeros(
            shape, dtype=dtype
        )  # (B, H, max_len, d_head), filled later
        self.values = np.zeros(shape, dtype=dtype)  # (B, H, max_len, d_head)
        self.length = 0

    @property
    def max_len(self) -> int:
        """Positions the cache can hold."""
        return self.keys.shape[2]

    # --8<-- [start:kv_cache_append]
    def append(self, k, v) -> tuple[np.ndarray, np.ndarray]:
        """Store the keys and values of the next ``n`` positions; return all stored.

        Parameters
        ----------
        k, v : array_like, shape (batch, n_heads, n, d_head)
            Keys and values of positions ``length .. length + n - 1``.

        Returns
        -------
        keys, values : numpy.ndarray, shape (batch, n_heads, length + n, d_head)
            Views of the filled part of the cache (no copy), the new positions included.

        Raises
        ------
        ValueError
            If ``k`` or ``v`` does not fit the cache or its free room, or holds a value
            larger than the cache's dtype can store (65,504 for float16).
        """
        k, v = check_kv_append(self, k, v)  # (B, H, n, d_head): they fit, with room
        start, end = self.length, self.length + k.shape[-2]
        self.keys[:, :, start:end] = k  # (B, H, n, d_head) written in place
        self.values[:, :, start:end] = v  # (B, H, n, d_head)
        self.length = end
        return self.keys[:, :, :end], self.values[:, :, :end]  # (B, H, end, d_head)

    # --8<-- [end:kv_cache_append]

    def reset(self) -> None:
        """Forget every stored position (the storage is kept and overwritten later)."""
        self.length = 0

    @property
    def nbytes(self) -> int:
        """Bytes of the preallocated storage, keys and values."""
        return self.keys.nbytes + self.values.nbytes

    @property
    def bytes_per_token(self) -> int:
        """Bytes one more position takes: a key and a value per head and sequence."""
        return self.nbytes // self.max_len


# --8<-- [end:kv_cache]
