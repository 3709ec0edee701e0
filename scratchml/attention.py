"""Attention: every position gathers information from the positions it may look at.

Each position emits a query ``q`` (what am I looking for?), a key ``k`` (what do I
contain?) and a value ``v`` (what do I pass on?). Position ``i`` scores every position
``j`` by ``q_i . k_j / sqrt(d_k)``, turns its row of scores into weights with a softmax,
and outputs the weighted average of the values.

In a language model, position ``i`` must not see the tokens after it (they are what it
is trained to predict), so a *causal mask* hides every future position ``j > i``: its
score is set to ``-inf`` before the softmax, which makes its weight exactly 0.
"""

# --8<-- [start:imports]
import math

import numpy as np

from scratchml._checks import (
    check_attention,
    check_attention_backward,
    check_cached_attention,
    check_cached_mask,
    check_mha,
    check_mha_args,
    check_positive_int,
    check_self_attention,
    check_sequence,
)
from scratchml.kv_cache import KVCache
from scratchml.layers import Layer
from scratchml.softmax import softmax, softmax_backward

# --8<-- [end:imports]


# --8<-- [start:causal_mask]
def causal_mask(n: int) -> np.ndarray:
    """Boolean ``(n, n)`` matrix, True where query ``i`` may see key ``j <= i``.

    The lower triangle including the diagonal: each position sees itself and the
    positions before it, never the ones after it.

    Parameters
    ----------
    n : int
        The sequence length (``>= 1``).

    Returns
    -------
    numpy.ndarray
        bool, shape ``(n, n)``.
    """
    n = check_positive_int("causal_mask", "n", n)
    return np.tril(np.ones((n, n), dtype=bool))  # (n, n)


# --8<-- [end:causal_mask]


# --8<-- [start:scaled_dot_product_attention]
def scaled_dot_product_attention(q, k, v, mask=None) -> tuple[np.ndarray, np.ndarray]:
    """``softmax(q @ k^T / sqrt(d_k)) @ v``, with hidden positions given weight 0.

    Parameters
    ----------
    q : array_like, shape (..., T_q, d_k)
        Queries, one per position that looks.
    k : array_like, shape (..., T_k, d_k)
        Keys, one per position looked at.
    v : array_like, shape (..., T_k, d_v)
        Values, one per key.
    mask : array_like of bool, optional
        Broadcastable to ``(..., T_q, T_k)``. Where False, the score is set to ``-inf``
        before the softmax, so the weight is exactly 0. ``causal_mask(T)`` hides the
        future.

    Returns
    -------
    output : numpy.ndarray, shape (..., T_q, d_v)
        For each query, the weighted average of the values.
    weights : numpy.ndarray, shape (..., T_q, T_k)
        The attention weights; each row sums to 1.
    """
    q, k, v, mask = check_attention(q, k, v, mask)
    scores = q @ k.swapaxes(-1, -2) / math.sqrt(q.shape[-1])  # (..., T_q, T_k)
    if mask is not None:
        scores = np.where(mask, scores, -np.inf)  # hidden positions: -inf, so weight 0
    weights = softmax(scores, axis=-1)  # (..., T_q, T_k): each row sums to 1
    return weights @ v, weights  # (..., T_q, d_v), (..., T_q, T_k)


# --8<-- [end:scaled_dot_product_attention]


# --8<-- [start:attention_backward]
def attention_backward(
    d_out, q, k, v, weights
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Gradients of ``scaled_dot_product_attention`` with respect to q, k and v.

    Parameters
    ----------
    d_out : numpy.ndarray, shape (..., T_q, d_v)
        Gradient of the loss with respect to the attention output.
    q, k, v : numpy.ndarray
        The inputs of the forward pass.
    weights : numpy.ndarray, shape (..., T_q, T_k)
        The weights the forward pass returned.

    Returns
    -------
    dq, dk, dv : numpy.ndarray
        Same shapes as ``q``, ``k`` and ``v``.

    Notes
    -----
    The mask needs no special treatment: a hidden position has weight exactly 0, and
    the softmax backward multiplies by the weight, so its score gets gradient 0.
    """
    q, k, v, weights = check_attention_backward(d_out, q, k, v, weights)
    dv = weights.swapaxes(-1, -2) @ d_out  # (..., T_k, d_v)
    d_weights = d_out @ v.swapaxes(-1, -2)  # (..., T_q, T_k)
    d_scores = softmax_backward(weights, d_weights)  # (..., T_q, T_k)
    d_scores = d_scores / math.sqrt(q.shape[-1])  # forward divided by sqrt(d_k)
    dq = d_scores @ k  # (..., T_q, d_k)
    dk = d_scores.swapaxes(-1, -2) @ q  # (..., T_k, d_k)
    return dq, dk, dv


# --8<-- [end:attention_backward]


# --8<-- [start:multi_head_attention_plain]
def multi_head_attention(x, W_q, W_k, W_v, W_o, n_heads: int, causal: bool = True):
    """Multi-head attention, step by step: the plain algorithm, one head at a time.

    Three projections of the whole input; a reshape and a transpose that give each head
    its own block of columns; attention in every head, one head at a time; the heads'
    outputs concatenated and mixed by ``W_o``. ``MultiHeadAttention.forward`` computes
    the same thing with every head in one call; ``tests/test_attention.py`` proves the
    two equal.

    Parameters
    ----------
    x : array_like
        Input, ``(B, T, d_model)``.
    W_q, W_k, W_v, W_o : numpy.ndarray
        Each ``(d_model, d_model)``; head ``h`` owns columns ``h*d_head:(h+1)*d_head``
        of ``W_q``, ``W_k`` and ``W_v``.
    n_heads : int
        Number of heads; must divide ``d_model``.
    causal : bool, default True
        Hide the future from every position.

    Returns
    -------
    y : numpy.ndarray
        ``(B, T, d_model)``.
    weights : numpy.ndarray
        Every head's attention weights, ``(B, n_heads, T, T)``.
    """
    x = check_mha_args(x, W_q, W_k, W_v, W_o, n_heads, causal)
    B, T, d_model = x.shape
    d_head = d_model // n_heads
    q, k, v = x @ W_q, x @ W_k, x @ W_v  # each (B, T, d_model): the whole input
    q, k, v = (a.reshape(B, T, n_heads, d_head) for a in (q, k, v))  # (B, T, H, d_head)
    q, k, v = (a.transpose(0, 2, 1, 3) for a in (q, k, v))  # (B, H, T, d_head)
    mask = causal_mask(T) if causal else None  # (T, T)
    outputs, weights = [], []
    for h in range(n_heads):
        out_h, w_h = scaled_dot_product_attention(q[:, h], k[:, h], v[:, h], mask)
        outputs.append(out_h)  # (B, T, d_head)
        weights.append(w_h)  # (B, T, T)
    concat = np.concatenate(outputs, axis=-1)  # (B, T, d_model): heads side by side
    return concat @ W_o, np.stack(weights, axis=1)  # (B, T, d_model), (B, H, T, T)


# --8<-- [end:multi_head_attention_plain]


def _init(rng, n_in: int, n_out: int, dtype) -> np.ndarray:
    """Normal weights scaled by ``1/sqrt(n_in)``, as ``Dense`` does."""
    return (rng.standard_normal((n_in, n_out)) / math.sqrt(n_in)).astype(dtype)


def _rows(a: np.ndarray) -> np.ndarray:
    """Stack every leading axis into rows: ``(B, T, n)`` -> ``(B*T, n)``."""
    return a.reshape(-1, a.shape[-1])  # (N, n)


# --8<-- [start:cached_mask]
def cached_causal_mask(start: int, n: int) -> np.ndarray:
    """Boolean ``(n, start + n)`` mask: ``n`` new queries after ``start`` cached.

    New token ``i`` sits at position ``start + i`` and may see keys ``0..start + i``:
    every cached key and the new ones up to itself. Rows ``start..start+n-1`` of
    ``causal_mask(start + n)``.

    Parameters
    ----------
    start : int
        Number of tokens already in the cache (``>= 0``).
    n : int
        Number of new tokens (``>= 1``).

    Returns
    -------
    numpy.ndarray
        bool, shape ``(n, start + n)``.
    """
    start, n = check_cached_mask(start, n)
    keys = np.arange(start + n)  # (start + n,): positions of all keys
    queries = np.arange(start, start + n)  # (n,): positions of the new tokens
    return keys[None, :] <= queries[:, None]  # (n, start + n)


# --8<-- [end:cached_mask]


# --8<-- [start:self_attention]
class SelfAttention(Layer):
    """One attention head: queries, keys and values all come from ``x``.

    Parameters
    ----------
    d_model : int
        Size of each input (and output) vector.
    d_head : int, optional
        Size of queries, keys and values. Defaults to ``d_model``.
    causal : bool, default True
        Hide the future: position ``i`` attends only to positions ``j <= i``.
    rng : int or numpy.random.Generator, optional
    dtype : numpy dtype, default float32

    Raises
    ------
    ValueError
        If a size is not a positive integer; also a ``TypeError`` if ``causal`` is not
        True or False, or ``rng`` or ``dtype`` is of the wrong kind.

    Notes
    -----
    Parameters ``W_q``, ``W_k``, ``W_v`` of shape ``(d_model, d_head)`` and ``W_o`` of
    shape ``(d_head, d_model)``, no biases. With ``d_head = d_model`` this is exactly
    ``MultiHeadAttention`` with one head. After ``forward``, ``last_weights`` holds the
    attention weights, ``(B, T, T)``.
    """

    def __init__(
        self, d_model: int, d_head=None, causal: bool = True, rng=None, dtype=np.float32
    ):
        super().__init__()
        checked = check_self_attention(d_model, d_head, causal, rng, dtype)
        self.d_model, self.d_head, self.causal, rng, dtype = checked
        for name in ("W_q", "W_k", "W_v"):
            self.params[name] = _init(rng, self.d_model, self.d_head, dtype)
        self.params["W_o"] = _init(rng, self.d_head, self.d_model, dtype)
        self.last_weights = None
        self._cache = None

    # --8<-- [start:self_attention_forward]
    def forward(self, x) -> np.ndarray:
        x = check_sequence("SelfAttention.forward", x, self.d_model)  # (B, T, d_model)
        p = self.params
        q, k, v = x @ p["W_q"], x @ p["W_k"], x @ p["W_v"]  # each (B, T, d_head)
        mask = causal_mask(x.shape[-2]) if self.causal else None  # (T, T)
        h, weights = scaled_dot_product_attention(q, k, v, mask)  # (B, T, d_head)
        self.last_weights = weights  # (B, T, T)
        self._cache = (x, q, k, v, weights, h)
        return h @ p["W_o"]  # (B, T, d_model)

    # --8<-- [end:self_attention_forward]

    # --8<-- [start:self_attention_backward]
    def backward(self, dy: np.ndarray) -> np.ndarray:
        x, q, k, v, weights, h = self._cache  # from forward
        p = self.params
        self.grads["W_o"] = _rows(h).T @ _rows(dy)  # (d_head, d_model)
        dh = dy @ p["W_o"].T  # (B, T, d_head)
        dq, dk, dv = attention_backward(dh, q, k, v, weights)  # each (B, T, d_head)
        for name, d in (("W_q", dq), ("W_k", dk), ("W_v", dv)):
            self.grads[name] = _rows(x).T @ _rows(d)  # (d_model, d_head)
        return dq @ p["W_q"].T + dk @ p["W_k"].T + dv @ p["W_v"].T  # (B, T, d_model)

    # --8<-- [end:self_attention_backward]

    # --8<-- [start:self_attention_forward_cached]
    def forward_cached(self, x, cache: KVCache) -> np.ndarray:
        """The output of new positions only; earlier keys and values come from cache.

        ``x`` holds the ``n`` new positions, ``(B, n, d_model)`` or ``(n, d_model)``, at
        positions ``cache.length .. cache.length + n - 1``; their keys and values are
        added to ``cache`` (a ``KVCache`` with one head). Inference only: nothing is
        kept for ``backward``.
        """
        where = "SelfAttention.forward_cached"
        x = check_cached_attention(where, self, x, cache, n_heads=1)  # (B, n, d_model)
        p, start = self.params, cache.length
        x3 = x.reshape((-1,) + x.shape[-2:])  # (B, n, d_model), also for a 2-D x
        q, k, v = x3 @ p["W_q"], x3 @ p["W_k"], x3 @ p["W_v"]  # each (B, n, d_head)
        keys, values = cache.append(k[:, None], v[:, None])  # (B, 1, start + n, d_head)
        mask = cached_causal_mask(start, x.shape[-2])  # (n, start + n)
        h, _ = scaled_dot_product_attention(q, keys[:, 0], values[:, 0], mask)
        return (h @ p["W_o"]).reshape(x.shape)  # (B, n, d_model)

    # --8<-- [end:self_attention_forward_cached]


# --8<-- [end:self_attention]


# --8<-- [start:multi_head_attention]
class MultiHeadAttention(Layer):
    """``n_heads`` attention heads side by side, outputs concatenated and mixed.

    Parameters
    ----------
    d_model : int
        Size of each input (and output) vector; must be divisible by ``n_heads``.
    n_heads : int
        Number of heads. Each works in ``d_head = d_model // n_heads`` dimensions.
    causal : bool, default True
        Hide the future: position ``i`` attends only to positions ``j <= i``.
    rng : int or numpy.random.Generator, optional
    dtype : numpy dtype, default float32
    bias : bool, default False
        Add biases ``b_q``, ``b_k``, ``b_v`` and ``b_o`` (each ``(d_model,)``, starting
        at 0) to the four projections, as GPT-2 does.

    Raises
    ------
    ValueError
        If a size is not a positive integer or ``n_heads`` does not divide ``d_model``;
        also a ``TypeError`` if ``causal`` or ``bias`` is not True or False, or ``rng``
        or ``dtype`` is of the wrong kind.

    Notes
    -----
    Parameters ``W_q``, ``W_k``, ``W_v``, ``W_o``, each ``(d_model, d_model)``, no
    biases unless ``bias=True``. Head ``h`` owns columns ``h*d_head : (h+1)*d_head`` of
    ``W_q``, ``W_k`` and ``W_v``: every head projects the *whole* input vector with its
    own matrices. Each projection is one product for every head at once; a reshape and
    a transpose then give each head its block of columns (a view, no copy), and the
    heads run side by side in one call of ``scaled_dot_product_attention``. The head
    outputs are concatenated back to ``d_model`` and mixed by ``W_o``. The same
    ``W_q``, ``W_k``, ``W_v`` serve training, the KV cache and GPT-2's files. After
    ``forward``, ``last_weights`` holds the attention weights, ``(B, n_heads, T, T)``.
    """

    def __init__(
        self,
        d_model: int,
        n_heads: int,
        causal: bool = True,
        rng=None,
        dtype=np.float32,
        bias: bool = False,
    ):
        super().__init__()
        self.causal, rng, dtype, self.bias = check_mha(
            d_model, n_heads, causal, rng, dtype, bias
        )
        self.d_model, self.n_heads, self.d_head = d_model, n_heads, d_model // n_heads
        for name in ("W_q", "W_k", "W_v", "W_o"):
            self.params[name] = _init(rng, d_model, d_model, dtype)
        for name in ("b_q", "b_k", "b_v", "b_o") if self.bias else ():
            self.params[name] = np.zeros(d_model, dtype=dtype)
        self.last_weights = None
        self._cache = None

    # --8<-- [start:mha_heads]
    def _project(self, x: np.ndarray, name: str) -> np.ndarray:
        """``x @ W_name``, plus ``b_name`` if the layer has biases (q, k, v or o)."""
        y = x @ self.params["W_" + name]  # (B, T, d_model)
        if "b_" + name in self.params:
            y = y + self.params["b_" + name]  # (d_model,) added at every position
        return y

    def _split_heads(self, a: np.ndarray) -> np.ndarray:
        """``(B, T, d_model)`` -> ``(B, H, T, d_head)``: head h gets its columns."""
        B, T, _ = a.shape
        a = a.reshape(B, T, self.n_heads, self.d_head)  # (B, T, H, d_head)
        return a.transpose(0, 2, 1, 3)  # (B, H, T, d_head): a view, no copy

    def _merge_heads(self, a: np.ndarray) -> np.ndarray:
        """``(B, H, T, d_head)`` -> ``(B, T, d_model)``: heads side by side again."""
        B, _, T, _ = a.shape
        return a.transpose(0, 2, 1, 3).reshape(B, T, self.d_model)  # (B, T, d_model)

    # --8<-- [end:mha_heads]

    # --8<-- [start:mha_forward]
    def forward(self, x) -> np.ndarray:
        x = check_sequence("MultiHeadAttention.forward", x, self.d_model)
        x3 = x.reshape((-1,) + x.shape[-2:])  # (B, T, d_model), also for one (T, d)
        q, k, v = (self._split_heads(self._project(x3, n)) for n in "qkv")
        mask = causal_mask(x.shape[-2]) if self.causal else None  # (T, T), all heads
        h, weights = scaled_dot_product_attention(q, k, v, mask)  # (B, H, T, d_head)
        concat = self._merge_heads(h)  # (B, T, d_model): head outputs side by side
        self.last_weights = weights  # (B, H, T, T)
        self._cache = (x, q, k, v, weights, concat)
        return self._project(concat, "o").reshape(x.shape)  # (B, T, d_model)

    # --8<-- [end:mha_forward]

    # --8<-- [start:mha_backward]
    def backward(self, dy: np.ndarray) -> np.ndarray:
        x, q, k, v, weights, concat = self._cache  # from forward
        p, g, d_model = self.params, self.grads, self.d_model
        x2, dy2 = x.reshape(-1, d_model), dy.reshape(-1, d_model)  # (N, d_model) rows
        g["W_o"] = concat.reshape(-1, d_model).T @ dy2  # (d_model, d_model)
        dh = self._split_heads((dy2 @ p["W_o"].T).reshape(concat.shape))
        dq, dk, dv = attention_backward(dh, q, k, v, weights)  # each (B, H, T, d_head)
        dx2 = np.zeros_like(x2)  # (N, d_model)
        for name, d in (("q", dq), ("k", dk), ("v", dv)):
            d2 = self._merge_heads(d).reshape(-1, d_model)  # (N, d_model)
            g["W_" + name] = x2.T @ d2  # (d_model, d_model)
            dx2 += d2 @ p["W_" + name].T  # (N, d_model): x fed q, k and v
            if "b_" + name in p:  # a bias added at every position: summed over them
                g["b_" + name] = d2.sum(axis=0)  # (d_model,)
        if "b_o" in p:
            g["b_o"] = dy2.sum(axis=0)  # (d_model,)
        return dx2.reshape(x.shape)  # (B, T, d_model)

    # --8<-- [end:mha_backward]

    # --8<-- [start:mha_forward_cached]
    def forward_cached(self, x, cache: KVCache) -> np.ndarray:
        """The output of new positions only; earlier keys and values come from cache.

        ``x`` holds the ``n`` new positions, ``(B, n, d_model)`` or ``(n, d_model)``, at
        positions ``cache.length .. cache.length + n - 1``; their keys and values are
        added to ``cache``. The projections are ``forward``'s. Inference only: nothing
        is kept for ``backward``.
        """
        where = "MultiHeadAttention.forward_cached"
        x = check_cached_attention(where, self, x, cache, self.n_heads)
        start, x3 = cache.length, x.reshape((-1,) + x.shape[-2:])  # (B, n, d_model)
        q, k, v = (self._split_heads(self._project(x3, n)) for n in "qkv")
        keys, values = cache.append(k, v)  # each (B, H, start + n, d_head): all so far
        mask = cached_causal_mask(start, x.shape[-2])  # (n, start + n), all heads
        h, _ = scaled_dot_product_attention(q, keys, values, mask)  # (B, H, n, d_head)
        return self._project(self._merge_heads(h), "o").reshape(x.shape)  # (B, n, d)

    # --8<-- [end:mha_forward_cached]


# --8<-- [end:multi_head_attention]
