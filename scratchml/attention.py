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
    as_float_array,
    check_float_dtype,
    check_last_dim,
    check_ndim,
    check_positive_int,
    check_rng,
    check_shape,
)
from scratchml.layers import Layer
from scratchml.softmax import softmax, softmax_backward

# --8<-- [end:imports]


# --8<-- [start:causal_mask]
def causal_mask(n: int) -> np.ndarray:
    """Boolean ``(n, n)`` matrix, True where query ``i`` may attend to key ``j``: ``j <= i``.

    The lower triangle including the diagonal: each position sees itself and the
    positions before it, never the ones after it.
    """
    n = check_positive_int("causal_mask", "n", n)
    return np.tril(np.ones((n, n), dtype=bool))  # (n, n)


# --8<-- [end:causal_mask]


def _check_attention_inputs(q, k, v, mask):
    where = "scaled_dot_product_attention"
    q, k, v = (as_float_array(where, name, a) for name, a in (("q", q), ("k", k), ("v", v)))
    for name, a in (("q", q), ("k", k), ("v", v)):
        if a.ndim < 2:
            raise ValueError(f"{where}: {name} has shape {a.shape} but must be (..., T, d)")
    if q.shape[-1] != k.shape[-1]:
        raise ValueError(
            f"{where}: q has shape {q.shape} but k has shape {k.shape}; "
            "the last dimensions must match"
        )
    if k.shape[:-1] != v.shape[:-1]:
        raise ValueError(
            f"{where}: k has shape {k.shape} but v has shape {v.shape}; all but the last "
            "dimensions must match (one value per key)"
        )
    if q.shape[:-2] != k.shape[:-2]:
        raise ValueError(
            f"{where}: q has shape {q.shape} but k has shape {k.shape}; "
            "the leading (batch) dimensions must match"
        )
    if mask is not None:
        mask = np.asarray(mask)
        if mask.dtype != bool:
            raise TypeError(
                f"{where}: mask must be boolean (True = may attend), got dtype {mask.dtype}"
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
                f"{where}: mask hides every key from some query (a row of mask is all False)"
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
        before the softmax, so the weight is exactly 0. ``causal_mask(T)`` hides the future.

    Returns
    -------
    output : numpy.ndarray, shape (..., T_q, d_v)
        For each query, the weighted average of the values.
    weights : numpy.ndarray, shape (..., T_q, T_k)
        The attention weights; each row sums to 1.
    """
    q, k, v, mask = _check_attention_inputs(q, k, v, mask)
    scores = q @ k.swapaxes(-1, -2)  # (..., T_q, T_k): every query against every key
    scores /= math.sqrt(q.shape[-1])  # in place, as are the other updates of arrays we own
    if mask is not None:
        np.copyto(scores, -np.inf, where=~mask)  # hidden positions: -inf, so weight 0
    weights = softmax(scores, axis=-1)  # (..., T_q, T_k): each row sums to 1
    return weights @ v, weights  # (..., T_q, d_v), (..., T_q, T_k)


# --8<-- [end:scaled_dot_product_attention]


# --8<-- [start:attention_backward]
def attention_backward(d_out, q, k, v, weights) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
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
        as_float_array(where, n, a, False) for n, a in zip("qkvw", (q, k, v, weights), strict=True)
    )
    if q.ndim < 2 or k.shape[:-1] != v.shape[:-1] or weights.shape != q.shape[:-1] + k.shape[-2:-1]:
        raise ValueError(
            f"{where}: q {q.shape}, k {k.shape}, v {v.shape} and weights {weights.shape} do "
            "not fit together: weights must be (..., T_q, T_k) for q (..., T_q, d), k (..., T_k, d)"
        )
    check_shape(where, "d_out", d_out, weights.shape[:-1] + v.shape[-1:], "the output")
    dv = weights.swapaxes(-1, -2) @ d_out  # (..., T_k, d_v)
    d_weights = d_out @ v.swapaxes(-1, -2)  # (..., T_q, T_k)
    d_scores = softmax_backward(weights, d_weights)  # (..., T_q, T_k)
    d_scores /= math.sqrt(q.shape[-1])  # the forward pass divided the scores by sqrt(d_k)
    dq = d_scores @ k  # (..., T_q, d_k)
    dk = d_scores.swapaxes(-1, -2) @ q  # (..., T_k, d_k)
    return dq, dk, dv


# --8<-- [end:attention_backward]


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

    Notes
    -----
    Parameters ``W_q``, ``W_k``, ``W_v`` of shape ``(d_model, d_head)`` and ``W_o`` of
    shape ``(d_head, d_model)``, no biases. With ``d_head = d_model`` this is exactly
    ``MultiHeadAttention`` with one head. After ``forward``, ``last_weights`` holds the
    attention weights, ``(B, T, T)``.
    """

    def __init__(self, d_model: int, d_head=None, causal: bool = True, rng=None, dtype=np.float32):
        super().__init__()
        self.d_model = check_positive_int("SelfAttention", "d_model", d_model)
        d_head = d_model if d_head is None else d_head
        self.d_head = check_positive_int("SelfAttention", "d_head", d_head)
        self.causal = bool(causal)
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
        h, weights = scaled_dot_product_attention(q, k, v, mask)  # (B, T, d_head), (B, T, T)
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
        dq, dk, dv = attention_backward(dy @ p["W_o"].T, q, k, v, weights)  # each (B, T, d_head)
        for name, d in (("W_q", dq), ("W_k", dk), ("W_v", dv)):
            self.grads[name] = _rows(x).T @ _rows(d)  # (d_model, d_head)
        return dq @ p["W_q"].T + dk @ p["W_k"].T + dv @ p["W_v"].T  # (B, T, d_model)

    # --8<-- [end:self_attention_backward]


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

    Notes
    -----
    Parameters ``W_q``, ``W_k``, ``W_v``, ``W_o``, each ``(d_model, d_model)``, no biases.
    Head ``h`` owns columns ``h*d_head : (h+1)*d_head`` of ``W_q``, ``W_k`` and ``W_v``:
    every head projects the *whole* input vector with its own matrices. One matrix
    product, ``x @ [W_q | W_k | W_v]``, computes the queries, keys and values of every
    head at once; reshapes then separate them (views, no copies). The head outputs are
    concatenated back to ``d_model`` and mixed by ``W_o``. After ``forward``,
    ``last_weights`` holds the attention weights, ``(B, n_heads, T, T)``.
    """

    def __init__(self, d_model: int, n_heads: int, causal: bool = True, rng=None, dtype=np.float32):
        super().__init__()
        self.d_model = check_positive_int("MultiHeadAttention", "d_model", d_model)
        self.n_heads = check_positive_int("MultiHeadAttention", "n_heads", n_heads)
        if d_model % n_heads:
            raise ValueError(
                f"MultiHeadAttention: d_model ({d_model}) must be divisible by n_heads ({n_heads})"
            )
        self.d_head = d_model // n_heads
        self.causal = bool(causal)
        rng = check_rng("MultiHeadAttention", "rng", rng)
        dtype = check_float_dtype("MultiHeadAttention", "dtype", dtype)
        for name in ("W_q", "W_k", "W_v", "W_o"):
            self.params[name] = _init(rng, d_model, d_model, dtype)
        self.last_weights = None
        self._cache = None

    # --8<-- [start:mha_split_heads]
    def _split_heads(self, a2: np.ndarray, shape: tuple) -> np.ndarray:
        """``(N, n * d_model)`` rows -> ``(n, B, H, T, d_head)``: head h gets its column block.

        Column block ``h*d_head : (h+1)*d_head`` of each ``d_model`` columns is head ``h``.
        Only views: nothing is copied.
        """
        a = a2.reshape(shape[:-1] + (-1, self.n_heads, self.d_head))  # (B, T, n, H, d_head)
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
        W_qkv = np.concatenate([p["W_q"], p["W_k"], p["W_v"]], axis=1)  # (d_model, 3 d_model)
        q, k, v = self._split_heads(x2 @ W_qkv, x.shape)  # each (B, H, T, d_head)
        mask = causal_mask(x.shape[-2]) if self.causal else None  # (T, T), shared by all
        h, weights = scaled_dot_product_attention(q, k, v, mask)  # (B, H, T, d_head), (B, H, T, T)
        concat = self._merge_heads(h)  # (N, d_model): head outputs side by side
        self.last_weights = weights
        self._cache = (x2, W_qkv, q, k, v, weights, concat)
        return (concat @ p["W_o"]).reshape(x.shape)  # (B, T, d_model)

    # --8<-- [end:mha_forward]

    # --8<-- [start:mha_backward]
    def backward(self, dy: np.ndarray) -> np.ndarray:
        x2, W_qkv, q, k, v, weights, concat = self._cached("_cache")
        shape = q.shape[:-3] + (q.shape[-2], self.d_model)  # (B, T, d_model)
        check_shape("MultiHeadAttention.backward", "dy", dy, shape, "the output")
        dy2 = dy.reshape(-1, self.d_model)  # (N, d_model)
        self.grads["W_o"] = concat.T @ dy2  # (d_model, d_model)
        dh = self._split_heads(dy2 @ self.params["W_o"].T, shape)[0]  # (B, H, T, d_head)
        dq, dk, dv = attention_backward(dh, q, k, v, weights)  # each (B, H, T, d_head)
        d_qkv = np.empty((x2.shape[0], 3 * self.d_model), dtype=dq.dtype)  # (N, 3 d_model)
        for view, d in zip(self._split_heads(d_qkv, shape), (dq, dk, dv), strict=True):
            view[...] = d  # (B, H, T, d_head): back into the layout q, k, v were read from
        dW_qkv = x2.T @ d_qkv  # (d_model, 3 d_model)
        self.grads["W_q"], self.grads["W_k"], self.grads["W_v"] = np.split(dW_qkv, 3, axis=1)
        return (d_qkv @ W_qkv.T).reshape(shape)  # (B, T, d_model): x fed q, k and v

    # --8<-- [end:mha_backward]


# --8<-- [end:multi_head_attention]
