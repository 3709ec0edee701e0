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
    as_array,
    as_float_array,
    check_bool,
    check_float_dtype,
    check_int,
    check_last_dim,
    check_ndim,
    check_positive_int,
    check_rng,
    check_shape,
)
from scratchml.kv_cache import KVCache
from scratchml.layers import Layer
from scratchml.softmax import softmax, softmax_backward

# --8<-- [end:imports]


# --8<-- [start:causal_mask]
def causal_mask(n: int) -> np.ndarray:
    """Boolean ``(n, n)`` matrix, True where query ``i`` may attend to key ``j``: ``j <= i``.

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


def _check_attention_inputs(q, k, v, mask):
    where = "scaled_dot_product_attention"
    q, k, v = (
        as_float_array(where, name, a) for name, a in (("q", q), ("k", k), ("v", v))
    )
    for name, a in (("q", q), ("k", k), ("v", v)):
        if a.ndim < 2:
            raise ValueError(
                f"{where}: {name} has shape {a.shape} but must be (..., T, d)"
            )
    if q.shape[-1] != k.shape[-1]:
        raise ValueError(
            f"{where}: q has shape {q.shape} but k has shape {k.shape}; "
            "the last dimensions must match"
        )
    if k.shape[:-1] != v.shape[:-1]:
        raise ValueError(
            f"{where}: k has shape {k.shape} but v has shape {v.shape}; all but the "
            "last "
            "dimensions must match (one value per key)"
        )
    if q.shape[:-2] != k.shape[:-2]:
        raise ValueError(
            f"{where}: q has shape {q.shape} but k has shape {k.shape}; "
            "the leading (batch) dimensions must match"
        )
    if mask is not None:
        mask = as_array(where, "mask", mask)
        if mask.dtype != bool:
            raise TypeError(
                f"{where}: mask must be boolean (True = may attend), got dtype "
                f"{mask.dtype}"
            )
        scores_shape = q.shape[:-1] + (k.shape[-2],)
        try:
            ok = np.broadcast_shapes(mask.shape, scores_shape) == scores_shape
        except ValueError:
            ok = False
        if not ok:
            raise ValueError(
                f"{where}: mask has shape {mask.shape} but the scores have shape "
                f"{scores_shape}; the mask must broadcast to it"
            )
        if not mask.any(axis=-1).all():
            raise ValueError(
                f"{where}: mask hides every key from some query (a row of mask is all "
                "False)"
            )
    return q, k, v, mask


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
    q, k, v, mask = _check_attention_inputs(q, k, v, mask)
    scores = q @ k.swapaxes(-1, -2)  # (..., T_q, T_k): every query against every key
    scores /= math.sqrt(
        q.shape[-1]
    )  # in place, as are the other updates of arrays we own
    if mask is not None:
        np.copyto(scores, -np.inf, where=~mask)  # hidden positions: -inf, so weight 0
    weights = softmax(scores, axis=-1)  # (..., T_q, T_k): each row sums to 1
    return weights @ v, weights  # (..., T_q, d_v), (..., T_q, T_k)


# --8<-- [end:scaled_dot_product_attention]


# --8<-- [start:attention_backward]
def attention_backward(
    d_out, q, k, v, weights
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Gradients of ``scaled_dot_product_attention`` with respect to ``q``, ``k`` and ``v``.

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
    where = "attention_backward"
    q, k, v, weights = (
        as_float_array(where, n, a, False)
        for n, a in zip("qkvw", (q, k, v, weights), strict=True)
    )
    if (
        q.ndim < 2
        or k.shape[:-1] != v.shape[:-1]
        or weights.shape != q.shape[:-1] + k.shape[-2:-1]
    ):
        raise ValueError(
            f"{where}: q {q.shape}, k {k.shape}, v {v.shape} and weights "
            f"{weights.shape} do "
            "not fit together: weights must be (..., T_q, T_k) for q (..., T_q, d), k "
            "(..., T_k, d)"
        )
    check_shape(where, "d_out", d_out, weights.shape[:-1] + v.shape[-1:], "the output")
    dv = weights.swapaxes(-1, -2) @ d_out  # (..., T_k, d_v)
    d_weights = d_out @ v.swapaxes(-1, -2)  # (..., T_q, T_k)
    d_scores = softmax_backward(weights, d_weights)  # (..., T_q, T_k)
    d_scores /= math.sqrt(
        q.shape[-1]
    )  # the forward pass divided the scores by sqrt(d_k)
    dq = d_scores @ k  # (..., T_q, d_k)
    dk = d_scores.swapaxes(-1, -2) @ q  # (..., T_k, d_k)
    return dq, dk, dv


# --8<-- [end:attention_backward]


def _check_mha_inputs(x, matrices, n_heads, causal) -> np.ndarray:
    """The arguments of ``multi_head_attention``: ``x`` as a float array, every shape."""
    where = "multi_head_attention"
    d_model = np.shape(matrices[0])[0] if np.ndim(matrices[0]) == 2 else -1
    for name, W in zip(("W_q", "W_k", "W_v", "W_o"), matrices, strict=True):
        check_shape(
            where, name, W, (d_model, d_model), "a square matrix as wide as W_q"
        )
    x = as_float_array(where, "x", x)
    check_ndim(where, "x", x, (3,))
    check_last_dim(where, "x", x, d_model)
    check_positive_int(where, "n_heads", n_heads)
    if d_model % n_heads:
        raise ValueError(
            f"{where}: d_model ({d_model}) must be divisible by n_heads ({n_heads})"
        )
    check_bool(where, "causal", causal)
    return x


# --8<-- [start:multi_head_attention_plain]
def multi_head_attention(x, W_q, W_k, W_v, W_o, n_heads: int, causal: bool = True):
    """Multi-head attention, step by step: the plain algorithm (no fused projections).

    Three projections of the whole input; a reshape and a transpose that give each head
    its own block of columns; attention in every head, one head at a time; the heads'
    outputs concatenated and mixed by ``W_o``. ``MultiHeadAttention.forward`` computes
    the same thing with one fused product for the three projections;
    ``tests/test_attention.py`` proves the two equal.

    Parameters
    ----------
    x : array_like
        Input, ``(B, T, d_model)``.
    W_q, W_k, W_v, W_o : numpy.ndarray
        Each ``(d_model, d_model)``; head ``h`` owns columns ``h*d_head:(h+1)*d_head``
        of
        ``W_q``, ``W_k`` and ``W_v``.
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
    x = _check_mha_inputs(
        x, (W_q, W_k, W_v, W_o), n_heads, causal
    )  # clear errors, first
    B, T, d_model = x.shape
    d_head = d_model // n_heads
    q, k, v = (
        x @ W_q,
        x @ W_k,
        x @ W_v,
    )  # each (B, T, d_model): the whole input, projected
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


def _check_x(where: str, x, d_model: int) -> np.ndarray:
    x = as_float_array(where, "x", x)
    check_ndim(where, "x", x, (2, 3))
    check_last_dim(where, "x", x, d_model)
    return x


def _check_cache(where: str, layer, cache, x: np.ndarray, n_heads: int) -> None:
    """Require a causal layer and a ``KVCache`` shaped for it, with room for ``x``'s tokens."""
    if not layer.causal:
        raise ValueError(
            f"{where}: a KV cache needs causal attention (this layer has causal=False)"
        )
    batch = x.shape[0] if x.ndim == 3 else 1
    want = (batch, n_heads, layer.d_head)
    if not isinstance(cache, KVCache):
        raise TypeError(f"{where}: cache must be a KVCache, got {type(cache).__name__}")
    got = (cache.keys.shape[0], cache.keys.shape[1], cache.keys.shape[3])
    if got != want:
        raise ValueError(
            f"{where}: cache has (batch, n_heads, d_head) = {got} but x needs {want}"
        )
    if cache.length + x.shape[-2] > cache.max_len:
        raise ValueError(
            f"{where}: cache holds {cache.length} of {cache.max_len} positions, no "
            "room for "
            f"the {x.shape[-2]} new ones in x"
        )


# --8<-- [start:cached_mask]
def cached_causal_mask(start: int, n: int) -> np.ndarray:
    """Boolean ``(n, start + n)`` mask for ``n`` new queries at positions ``start..start+n-1``.

    New token ``i`` sits at position ``start + i`` and may see keys ``0..start + i``:
    every
    cached key and the new ones up to itself. Rows ``start..start+n-1`` of
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
    start = check_int("cached_causal_mask", "start", start, minimum=0)
    n = check_positive_int("cached_causal_mask", "n", n)
    keys = np.arange(start + n)  # (start + n,): positions of all keys
    queries = np.arange(start, start + n)  # (n,): positions of the new tokens
    return keys[None, :] <= queries[:, None]  # (n, start + n)


# --8<-- [end:cached_mask]


# --8<-- [start:self_attention]
class SelfAttention(Layer):
    """One attention head over a sequence: queries, keys and values all come from ``x``.

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
        self.d_model = check_positive_int("SelfAttention", "d_model", d_model)
        d_head = d_model if d_head is None else d_head
        self.d_head = check_positive_int("SelfAttention", "d_head", d_head)
        self.causal = check_bool("SelfAttention", "causal", causal)
        rng = check_rng("SelfAttention", "rng", rng)
        dtype = check_float_dtype("SelfAttention", "dtype", dtype)
        for name in ("W_q", "W_k", "W_v"):
            self.params[name] = _init(rng, self.d_model, self.d_head, dtype)
        self.params["W_o"] = _init(rng, self.d_head, self.d_model, dtype)
        self.last_weights = None
        self._cache = None

    # --8<-- [start:self_attention_forward]
    def forward(self, x) -> np.ndarray:
        x = _check_x("SelfAttention.forward", x, self.d_model)  # (B, T, d_model)
        p = self.params
        q, k, v = x @ p["W_q"], x @ p["W_k"], x @ p["W_v"]  # each (B, T, d_head)
        mask = causal_mask(x.shape[-2]) if self.causal else None  # (T, T)
        h, weights = scaled_dot_product_attention(
            q, k, v, mask
        )  # (B, T, d_head), (B, T, T)
        self.last_weights = weights
        self._cache = (x, q, k, v, weights, h)
        return h @ p["W_o"]  # (B, T, d_model)

    # --8<-- [end:self_attention_forward]

    # --8<-- [start:self_attention_backward]
    def backward(self, dy: np.ndarray) -> np.ndarray:
        x, q, k, v, weights, h = self._cached("_cache")
        check_shape("SelfAttention.backward", "dy", dy, x.shape, "the output")
        p = self.params
        self.grads["W_o"] = _rows(h).T @ _rows(dy)  # (d_head, d_model)
        dq, dk, dv = attention_backward(
            dy @ p["W_o"].T, q, k, v, weights
        )  # each (B, T, d_head)
        for name, d in (("W_q", dq), ("W_k", dk), ("W_v", dv)):
            self.grads[name] = _rows(x).T @ _rows(d)  # (d_model, d_head)
        return dq @ p["W_q"].T + dk @ p["W_k"].T + dv @ p["W_v"].T  # (B, T, d_model)

    # --8<-- [end:self_attention_backward]

    # --8<-- [start:self_attention_forward_cached]
    def forward_cached(self, x, cache: KVCache) -> np.ndarray:
        """The output for new positions only, reading the earlier keys and values from ``cache``.

        ``x`` holds the ``n`` new positions, ``(B, n, d_model)`` or ``(n, d_model)``, at
        positions ``cache.length .. cache.length + n - 1``; their keys and values are
        added
        to ``cache`` (a ``KVCache`` with one head). Inference only: nothing is kept for
        ``backward``.
        """
        where = "SelfAttention.forward_cached"
        x = _check_x(where, x, self.d_model)  # (B, n, d_model)
        _check_cache(where, self, cache, x, n_heads=1)
        p, start = self.params, cache.length
        x3 = x.reshape((-1,) + x.shape[-2:])  # (B, n, d_model), also for a 2-D x
        q, k, v = x3 @ p["W_q"], x3 @ p["W_k"], x3 @ p["W_v"]  # each (B, n, d_head)
        keys, values = cache.append(
            k[:, None], v[:, None]
        )  # each (B, 1, start + n, d_head)
        mask = cached_causal_mask(start, x.shape[-2])  # (n, start + n)
        h, _ = scaled_dot_product_attention(
            q, keys[:, 0], values[:, 0], mask
        )  # (B, n, d_head)
        return (h @ p["W_o"]).reshape(x.shape)  # (B, n, d_model)

    # --8<-- [end:self_attention_forward_cached]


# --8<-- [end:self_attention]


# --8<-- [start:multi_head_attention]
class MultiHeadAttention(Layer):
    """``n_heads`` attention heads side by side, their outputs concatenated and mixed.

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
        at
        0) to the four projections, as GPT-2 does.

    Raises
    ------
    ValueError
        If a size is not a positive integer or ``n_heads`` does not divide ``d_model``;
        also a ``TypeError`` if ``causal`` or ``bias`` is not True or False, or ``rng``
        or
        ``dtype`` is of the wrong kind.

    Notes
    -----
    Parameters ``W_q``, ``W_k``, ``W_v``, ``W_o``, each ``(d_model, d_model)``, no
    biases
    unless ``bias=True``.
    Head ``h`` owns columns ``h*d_head : (h+1)*d_head`` of ``W_q``, ``W_k`` and ``W_v``:
    every head projects the *whole* input vector with its own matrices. One matrix
    product, ``x @ [W_q | W_k | W_v]``, computes the queries, keys and values of every
    head at once; reshapes then separate them (views, no copies). The head outputs are
    concatenated back to ``d_model`` and mixed by ``W_o``. After ``forward``,
    ``last_weights`` holds the attention weights, ``(B, n_heads, T, T)``.
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
        self.d_model = check_positive_int("MultiHeadAttention", "d_model", d_model)
        self.n_heads = check_positive_int("MultiHeadAttention", "n_heads", n_heads)
        if d_model % n_heads:
            raise ValueError(
                f"MultiHeadAttention: d_model ({d_model}) must be divisible by n_heads "
                f"({n_heads})"
            )
        self.d_head = d_model // n_heads
        self.causal = check_bool("MultiHeadAttention", "causal", causal)
        rng = check_rng("MultiHeadAttention", "rng", rng)
        dtype = check_float_dtype("MultiHeadAttention", "dtype", dtype)
        for name in ("W_q", "W_k", "W_v", "W_o"):
            self.params[name] = _init(rng, d_model, d_model, dtype)
        self.bias = check_bool("MultiHeadAttention", "bias", bias)
        for name in ("b_q", "b_k", "b_v", "b_o") if self.bias else ():
            self.params[name] = np.zeros(d_model, dtype=dtype)
        self.last_weights = None
        self._cache = None

    # --8<-- [start:mha_split_heads]
    def _split_heads(self, a2: np.ndarray, shape: tuple) -> np.ndarray:
        """``(N, n * d_model)`` rows -> ``(n, B, H, T, d_head)``: head h gets its column block.

        Column block ``h*d_head : (h+1)*d_head`` of each ``d_model`` columns is head
        ``h``.
        Only views: nothing is copied.
        """
        a = a2.reshape(
            shape[:-1] + (-1, self.n_heads, self.d_head)
        )  # (B, T, n, H, d_head)
        return np.moveaxis(a, -3, 0).swapaxes(-3, -2)  # (n, B, H, T, d_head)

    def _merge_heads(self, a: np.ndarray) -> np.ndarray:
        """``(B, H, T, d_head)`` -> ``(N, d_model)`` rows: the heads side by side again."""
        return a.swapaxes(-3, -2).reshape(-1, self.d_model)  # (N, d_model), a copy

    # --8<-- [end:mha_split_heads]

    # --8<-- [start:mha_forward]
    def forward(self, x) -> np.ndarray:
        x = _check_x("MultiHeadAttention.forward", x, self.d_model)  # (B, T, d_model)
        p = self.params
        x2 = x.reshape(-1, self.d_model)  # (N, d_model), N = B*T: positions as rows
        # One product projects x for q, k and v of every head: [W_q | W_k | W_v].
        W_qkv = np.concatenate(
            [p["W_q"], p["W_k"], p["W_v"]], axis=1
        )  # (d_model, 3 d_model)
        qkv = x2 @ W_qkv  # (N, 3 d_model)
        if self.bias:
            qkv += np.concatenate(
                [p["b_q"], p["b_k"], p["b_v"]]
            )  # (3 d_model,) per row
        q, k, v = self._split_heads(qkv, x.shape)  # each (B, H, T, d_head)
        mask = (
            causal_mask(x.shape[-2]) if self.causal else None
        )  # (T, T), shared by all
        h, weights = scaled_dot_product_attention(
            q, k, v, mask
        )  # (B, H, T, d_head), (B, H, T, T)
        concat = self._merge_heads(h)  # (N, d_model): head outputs side by side
        self.last_weights = weights
        self._cache = (x2, W_qkv, q, k, v, weights, concat)
        out = concat @ p["W_o"]  # (N, d_model)
        if self.bias:
            out += p["b_o"]
        return out.reshape(x.shape)  # (B, T, d_model)

    # --8<-- [end:mha_forward]

    # --8<-- [start:mha_backward]
    def backward(self, dy: np.ndarray) -> np.ndarray:
        x2, W_qkv, q, k, v, weights, concat = self._cached("_cache")
        shape = q.shape[:-3] + (q.shape[-2], self.d_model)  # (B, T, d_model)
        check_shape("MultiHeadAttention.backward", "dy", dy, shape, "the output")
        dy2 = dy.reshape(-1, self.d_model)  # (N, d_model)
        self.grads["W_o"] = concat.T @ dy2  # (d_model, d_model)
        dh = self._split_heads(dy2 @ self.params["W_o"].T, shape)[
            0
        ]  # (B, H, T, d_head)
        dq, dk, dv = attention_backward(dh, q, k, v, weights)  # each (B, H, T, d_head)
        d_qkv = np.empty(
            (x2.shape[0], 3 * self.d_model), dtype=dq.dtype
        )  # (N, 3 d_model)
        for view, d in zip(self._split_heads(d_qkv, shape), (dq, dk, dv), strict=True):
            view[...] = (
                d  # (B, H, T, d_head): back into the layout q, k, v were read from
            )
        dW_qkv = x2.T @ d_qkv  # (d_model, 3 d_model)
        self.grads["W_q"], self.grads["W_k"], self.grads["W_v"] = np.split(
            dW_qkv, 3, axis=1
        )
        if (
            self.bias
        ):  # a bias added to every row collects the sum of the rows' gradients
            self.grads["b_q"], self.grads["b_k"], self.grads["b_v"] = np.split(
                d_qkv.sum(0), 3
            )
            self.grads["b_o"] = dy2.sum(axis=0)  # (d_model,)
        return (d_qkv @ W_qkv.T).reshape(shape)  # (B, T, d_model): x fed q, k and v

    # --8<-- [end:mha_backward]

    # --8<-- [start:mha_forward_cached]
    def _project_qkv(self, x3: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``(B, n, d_model)`` -> queries, keys, values of every head, each ``(B, H, n, d_head)``.

        Three products with the stored matrices: unlike ``forward``, no ``[W_q | W_k | W_v]``
        is concatenated, so a generation step reads each weight once and copies none.
        Biases
        ``b_q``, ``b_k``, ``b_v`` are added when the layer has them (GPT-2 does).
        """
        p, x2 = self.params, x3.reshape(-1, self.d_model)  # (N, d_model)
        out = []
        for name in ("q", "k", "v"):
            a = x2 @ p["W_" + name]  # (N, d_model)
            if "b_" + name in p:
                a += p["b_" + name]  # (d_model,) added to every row
            out.append(self._split_heads(a, x3.shape)[0])  # (B, H, n, d_head)
        return tuple(out)

    def forward_cached(self, x, cache: KVCache) -> np.ndarray:
        """The output for new positions only, reading the earlier keys and values from ``cache``.

        ``x`` holds the ``n`` new positions, ``(B, n, d_model)`` or ``(n, d_model)``, at
        positions ``cache.length .. cache.length + n - 1``; their keys and values are
        added
        to ``cache``. Inference only: nothing is kept for ``backward``.
        """
        where = "MultiHeadAttention.forward_cached"
        x = _check_x(where, x, self.d_model)  # (B, n, d_model)
        _check_cache(where, self, cache, x, n_heads=self.n_heads)
        start, x3 = cache.length, x.reshape((-1,) + x.shape[-2:])  # x3: (B, n, d_model)
        q, k, v = self._project_qkv(
            x3
        )  # each (B, H, n, d_head): the new positions only
        keys, values = cache.append(
            k, v
        )  # each (B, H, start + n, d_head): all positions
        mask = cached_causal_mask(
            start, x.shape[-2]
        )  # (n, start + n), shared by all heads
        h, _ = scaled_dot_product_attention(q, keys, values, mask)  # (B, H, n, d_head)
        out = self._merge_heads(h) @ self.params["W_o"]  # (N, d_model)
        if "b_o" in self.params:
            out += self.params["b_o"]
        return out.reshape(x.shape)  # (B, n, d_model)

    # --8<-- [end:mha_forward_cached]


# --8<-- [end:multi_head_attention]
