"""Input checks shared by every module: clear errors instead of broadcasting tracebacks.

Every public function validates its arguments with these helpers, so that a wrong shape
or a NaN is reported where it enters, naming the function, the argument, what was
expected and what was received.
"""

import json
import math
import numbers
import os

import numpy as np


class ArgumentTypeError(TypeError, ValueError):
    """An argument of the wrong type: both a ``TypeError`` and a ``ValueError``.

    So ``except ValueError`` catches every bad argument (as numpy's ``AxisError`` is
    both).
    """


def _shown(value) -> str:
    """``repr`` of a received value, cut to 60 characters, with its type if unclear."""
    text = repr(value)
    text = text if len(text) <= 60 else text[:57] + "..."
    if isinstance(value, int | float | np.integer | np.floating) and not isinstance(
        value, bool
    ):
        return text
    return f"{text} ({type(value).__name__})"


def as_array(where: str, name: str, x) -> np.ndarray:
    """``np.asarray(x)``, but ragged nested lists and None give a clear error."""
    if x is None:
        raise ArgumentTypeError(
            f"{where}: {name} must be an array of numbers, got None"
        )
    if isinstance(x, str | bytes):
        raise ArgumentTypeError(
            f"{where}: {name} must be an array of numbers, got {_shown(x)}"
        )
    try:
        return np.asarray(x)
    except (ValueError, TypeError):
        raise ValueError(
            f"{where}: {name} must be a rectangular array of numbers, got a ragged "
            f"{type(x).__name__} (rows of different lengths)"
        ) from None


def as_numeric_array(where: str, name: str, x) -> np.ndarray:
    """``as_array``, then require numbers (integers or floats, not strings or complex)
    and at least one of them. Cheap: no pass over the entries."""
    arr = x if type(x) is np.ndarray else as_array(where, name, x)
    if arr.dtype.kind not in "biuf":
        raise ArgumentTypeError(
            f"{where}: {name} must hold numbers, got dtype {arr.dtype}"
        )
    if arr.size == 0:
        raise ValueError(f"{where}: {name} is empty (shape {arr.shape})")
    return arr


def as_float_array(where: str, name: str, x, finite: bool = True) -> np.ndarray:
    """Return ``x`` as a floating-point array, rejecting NaN, infinity and empty input.

    ``finite=False`` skips the (full-array) NaN/infinity check, for inputs that a later
    checked layer reads anyway.
    """
    arr = x if type(x) is np.ndarray else as_array(where, name, x)
    if arr.dtype.kind not in "fiub":
        raise ArgumentTypeError(
            f"{where}: {name} must hold numbers, got dtype {arr.dtype}"
        )
    if arr.dtype.kind != "f":
        arr = arr.astype(np.float64)
    if arr.size == 0:
        raise ValueError(f"{where}: {name} is empty (shape {arr.shape})")
    if finite and not np.all(np.isfinite(arr)):
        bad = "NaN" if np.isnan(arr).any() else "infinity"
        raise ValueError(f"{where}: {name} contains {bad}")
    return arr


def check_last_dim(where: str, name: str, x: np.ndarray, expected: int) -> None:
    """Require ``x.shape[-1] == expected``."""
    if x.ndim == 0 or x.shape[-1] != expected:
        raise ValueError(
            f"{where}: {name} has shape {x.shape} but its last dimension must be "
            f"{expected}"
        )


def check_ndim(where: str, name: str, x: np.ndarray, ndims: tuple[int, ...]) -> None:
    """Require ``x.ndim`` to be one of ``ndims``."""
    if x.ndim not in ndims:
        want = " or ".join(str(n) for n in ndims)
        raise ValueError(
            f"{where}: {name} has shape {x.shape} but must have {want} dimensions"
        )


def check_same_shape(
    where: str, a_name: str, a: np.ndarray, b_name: str, b: np.ndarray
) -> None:
    """Require two arrays to have the same shape."""
    if type(a) is not np.ndarray:
        _not_array(where, a_name, a)
    if a.shape != b.shape:
        raise ValueError(
            f"{where}: {a_name} has shape {a.shape} but {b_name} has shape {b.shape}; "
            "they must match"
        )


def check_int(where: str, name: str, value, minimum: int = 1) -> int:
    """Require a Python or numpy integer ``>= minimum``.

    Bools and floats (even ``3.0``) are rejected: a count is an integer, and a float
    count is usually a division that went wrong.
    """
    want = "a positive integer" if minimum == 1 else f"an integer >= {minimum}"
    if isinstance(value, bool) or not isinstance(value, int | np.integer):
        raise ArgumentTypeError(f"{where}: {name} must be {want}, got {_shown(value)}")
    if value < minimum:
        raise ValueError(f"{where}: {name} must be {want}, got {value!r}")
    return int(value)


def check_positive_int(where: str, name: str, value) -> int:
    """Require a positive integer (bools and floats are rejected)."""
    return check_int(where, name, value, 1)


def check_float(
    where: str, name: str, value, low=None, high=None, low_open=False, high_open=False
) -> float:
    """Require a finite real number in the given range; return it as a Python float.

    Strings (even ``"0.1"``), None, bools, NaN and infinity are rejected. A Python float
    keeps float32 arrays float32 (a float64 numpy scalar would not).
    """
    parts = [f"{'>' if low_open else '>='} {low}"] if low is not None else []
    parts += [f"{'<' if high_open else '<='} {high}"] if high is not None else []
    if low is not None and high is not None:
        parts = [
            f"in {'(' if low_open else '['}{low}, {high}{')' if high_open else ']'}"
        ]
    want = " and ".join(parts)
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ArgumentTypeError(
            f"{where}: {name} must be a finite number {want}".rstrip()
            + f", got {_shown(value)}"
        )
    v = float(value)
    if not math.isfinite(v):
        raise ValueError(
            f"{where}: {name} must be {want or 'finite'}, got {v!r} (not finite)"
        )
    ok = (low is None or (v > low if low_open else v >= low)) and (
        high is None or (v < high if high_open else v <= high)
    )
    if not ok:
        raise ValueError(f"{where}: {name} must be {want}, got {v!r}")
    return v


def check_positive(where: str, name: str, value) -> float:
    """A finite number ``> 0`` (learning rates, eps, temperatures...)."""
    return check_float(where, name, value, low=0, low_open=True)


def check_non_negative(where: str, name: str, value) -> float:
    """A finite number ``>= 0`` (noise, weight decay, momentum...)."""
    return check_float(where, name, value, low=0)


def check_betas(where: str, name: str, value) -> tuple[float, float]:
    """A pair ``(b1, b2)``, each in ``[0, 1)``."""
    if (
        isinstance(value, str | bytes)
        or not hasattr(value, "__len__")
        or len(value) != 2
    ):
        raise ArgumentTypeError(
            f"{where}: {name} must be a pair (b1, b2) of numbers in [0, 1), got "
            f"{_shown(value)}"
        )
    return tuple(
        check_float(where, f"{name}[{i}]", b, low=0, high=1, high_open=True)
        for i, b in enumerate(value)
    )


def check_rng(where: str, name: str, rng) -> np.random.Generator:
    """``np.random.default_rng(rng)`` for None, a seed ``>= 0`` or a Generator."""
    if rng is None or isinstance(rng, np.random.Generator):
        return np.random.default_rng(rng)
    if isinstance(rng, bool) or not isinstance(rng, int | np.integer):
        raise ArgumentTypeError(
            f"{where}: {name} must be None, an integer seed >= 0 or a "
            "numpy.random.Generator, "
            f"got {_shown(rng)}"
        )
    if rng < 0:
        raise ValueError(f"{where}: {name} must be an integer seed >= 0, got {rng!r}")
    return np.random.default_rng(rng)


def check_float_dtype(where: str, name: str, dtype, half: bool = False) -> np.dtype:
    """Require float32 or float64 (no int or complex model; float16 only with ``half``,
    for storage); return the dtype."""
    allowed = ("float16", "float32", "float64") if half else ("float32", "float64")
    try:
        dt = np.dtype(dtype)
    except TypeError:
        dt = None
    if dt is None or dt.name not in allowed or (dtype is None):
        raise ArgumentTypeError(
            f"{where}: {name} must be {' or '.join(allowed)}, got {_shown(dtype)}"
        )
    return dt


def check_axis(where: str, name: str, axis, ndim: int) -> int:
    """Require an integer axis in ``[-ndim, ndim)``; return it as a non-negative int."""
    if isinstance(axis, bool) or not isinstance(axis, int | np.integer):
        raise ArgumentTypeError(
            f"{where}: {name} must be an integer, got {_shown(axis)}"
        )
    if not -ndim <= axis < ndim:
        raise ValueError(
            f"{where}: {name}={axis} is out of range for an array of {ndim} dimensions"
        )
    return int(axis) % ndim


def check_callable(where: str, name: str, value) -> None:
    """Require a callable."""
    if not callable(value):
        raise ArgumentTypeError(
            f"{where}: {name} must be callable, got {_shown(value)}"
        )


def check_bool(where: str, name: str, value) -> bool:
    """Require True or False (a string such as ``"no"`` would count as true)."""
    if not isinstance(value, bool | np.bool_):
        raise ArgumentTypeError(
            f"{where}: {name} must be True or False, got {_shown(value)}"
        )
    return bool(value)


def check_choice(where: str, name: str, value, choices) -> None:
    """Require one of ``choices`` (strings such as ``"relu"``)."""
    if not isinstance(value, str) or value not in choices:
        raise ValueError(
            f"{where}: {name} must be one of {sorted(choices)}, got {value!r:.60}"
        )


def check_layer(where: str, name: str, model) -> None:
    """Require an object following the layer protocol (it has ``named_params``)."""
    if not callable(getattr(model, "named_params", None)):
        raise ArgumentTypeError(
            f"{where}: {name} must follow the layer protocol (have named_params()), "
            f"got {_shown(model)}"
        )


def check_finite_grad(where: str, name: str, g: np.ndarray, p: np.ndarray) -> None:
    """A parameter's gradient: a float array of the parameter's shape, finite.

    The type and shape checks are free; the finiteness check is one ``sum`` (no
    temporary
    array), and only when the sum is not finite is the array searched for NaN or
    infinity.
    """
    if type(g) is not np.ndarray or g.dtype.kind != "f":
        kind = f"dtype {g.dtype}" if isinstance(g, np.ndarray) else _shown(g)
        raise ArgumentTypeError(
            f"{where}: the gradient of {name!r} must be a float numpy array, got {kind}"
        )
    if g.shape != p.shape:
        raise ValueError(
            f"{where}: the gradient of {name!r} has shape {g.shape} but the parameter "
            f"has shape {p.shape}"
        )
    if not math.isfinite(g.sum()) and not np.isfinite(g).all():
        bad = "NaN" if np.isnan(g).any() else "infinity"
        raise NonFiniteError(f"{where}: the gradient of {name!r} contains {bad}")


class NonFiniteError(ValueError):
    """A NaN or infinity that appeared during training (a loss or a gradient)."""


def as_labels(
    where: str, name: str, labels, shape: tuple[int, ...], n_classes: int
) -> np.ndarray:
    """``labels`` as an integer array of ``shape`` with values in ``[0, n_classes)``."""
    arr = as_array(where, name, labels)
    if arr.dtype.kind not in "iu":
        raise TypeError(
            f"{where}: {name} must be integer class indices, got dtype {arr.dtype} "
            "(convert with .astype(int) if the values are whole numbers)"
        )
    if arr.shape != tuple(shape):
        raise ValueError(
            f"{where}: {name} has shape {arr.shape} but must have shape {shape}"
        )
    if arr.size == 0:
        raise ValueError(f"{where}: {name} is empty (shape {arr.shape})")
    low, high = int(arr.min()), int(arr.max())
    if low < 0 or high >= n_classes:
        bad = low if low < 0 else high
        raise ValueError(
            f"{where}: {name} contains {bad}, outside the valid range "
            f"0..{n_classes - 1}"
        )
    return arr


def as_token_ids(where: str, name: str, ids, vocab_size: int) -> np.ndarray:
    """``ids`` as an integer array, requiring every id to be in ``[0, vocab_size)``."""
    arr = ids if type(ids) is np.ndarray else as_array(where, name, ids)
    if arr.dtype.kind not in "iu":
        raise TypeError(
            f"{where}: {name} must be integer token ids, got dtype {arr.dtype}"
        )
    if arr.size == 0:
        raise ValueError(f"{where}: {name} is empty (shape {arr.shape})")
    bad = (arr < 0) | (arr >= vocab_size)
    if bad.any():
        pos = tuple(int(i) for i in np.argwhere(bad)[0])
        raise ValueError(
            f"{where}: {name} holds id {arr[pos]} at index {pos}, outside the "
            "vocabulary "
            f"[0, {vocab_size})"
        )
    return arr


def check_shape(
    where: str, name: str, x: np.ndarray, expected: tuple, what: str
) -> None:
    """Require a float array with ``x.shape == expected``; ``what`` names where
    ``expected`` comes from. Used for every ``dy`` handed to a ``backward``."""
    if type(x) is not np.ndarray or x.dtype.kind != "f":
        _not_array(where, name, x)
    if x.shape != tuple(expected):
        raise ValueError(
            f"{where}: {name} has shape {np.shape(x)} but {what} has shape "
            f"{tuple(expected)}"
        )


def _not_array(where: str, name: str, x) -> None:
    kind = f"dtype {x.dtype}" if isinstance(x, np.ndarray) else _shown(x)
    raise ArgumentTypeError(f"{where}: {name} must be a float numpy array, got {kind}")


def held_out_size(
    where: str, name: str, fraction, n: int, unit: str, parts: str
) -> int:
    """``round(n * fraction)``, the size of a held-out part, with both parts non-empty.

    ``unit`` names what is counted ("rows", "ids") and ``parts`` the two parts, for the
    message (e.g. "train or test set").
    """
    if isinstance(fraction, bool) or not isinstance(fraction, numbers.Real):
        raise ArgumentTypeError(
            f"{where}: {name} must be in (0, 1), got {_shown(fraction)}"
        )
    if not 0 < fraction < 1:
        raise ValueError(f"{where}: {name} must be in (0, 1), got {fraction!r}")
    n_held = round(n * fraction)
    if not 0 < n_held < n:
        raise ValueError(
            f"{where}: {name}={fraction} of {n} {unit} leaves an empty {parts}"
        )
    return n_held


# --------------------------------------------------------------------------------------
# Checkers of Part I's callables (neuron, activations, layers, losses, mlp, supervised,
# gradcheck, optim, data). Each returns the validated arguments, so that a function's
# body spends one line on them.
# --------------------------------------------------------------------------------------

# (end of Part I's checkers)


# --------------------------------------------------------------------------------------
# Checkers of Parts II-III's callables (tokenizer, embedding, positional, softmax,
# normalization, text, dropout).
# --------------------------------------------------------------------------------------

# (end of Parts II-III's checkers)


# --------------------------------------------------------------------------------------
# Checkers of attention, the transformer block, the KV cache, the GPT and GPT-2 models,
# safetensors and checkpoints.
# --------------------------------------------------------------------------------------


def check_attention(q, k, v, mask):
    """The arguments of ``scaled_dot_product_attention``: float arrays that fit.

    ``q``, ``k``, ``v`` as float arrays of at least 2 dimensions whose shapes fit
    (``(..., T_q, d)``, ``(..., T_k, d)``, ``(..., T_k, d_v)``), and ``mask`` None or a
    boolean array that broadcasts to the scores and leaves every query a key.
    """
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


def check_attention_backward(d_out, q, k, v, weights):
    """The arguments of ``attention_backward``: the forward pass's arrays and a gradient
    of the output's shape; returns ``q, k, v, weights`` as float arrays."""
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
    return q, k, v, weights


def check_mha_args(x, W_q, W_k, W_v, W_o, n_heads, causal) -> np.ndarray:
    """The arguments of ``multi_head_attention``: returns ``x`` as a float array."""
    where = "multi_head_attention"
    d_model = np.shape(W_q)[0] if np.ndim(W_q) == 2 else -1
    for name, W in zip(("W_q", "W_k", "W_v", "W_o"), (W_q, W_k, W_v, W_o), strict=True):
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


def check_cached_mask(start, n) -> tuple[int, int]:
    """The arguments of ``cached_causal_mask``: ``start >= 0`` and ``n >= 1``."""
    start = check_int("cached_causal_mask", "start", start, minimum=0)
    return start, check_positive_int("cached_causal_mask", "n", n)


def check_sequence(where: str, x, d_model: int, finite: bool = True) -> np.ndarray:
    """A float array ``(B, T, d_model)`` or ``(T, d_model)``; ``finite=False`` leaves
    NaN to a later checked layer (one scan of the input per step is enough)."""
    x = as_float_array(where, "x", x, finite=finite)
    check_ndim(where, "x", x, (2, 3))
    check_last_dim(where, "x", x, d_model)
    return x


def check_vectors(where: str, x, size: int) -> np.ndarray:
    """A finite float array whose last dimension is ``size`` (any leading axes)."""
    x = as_float_array(where, "x", x)
    check_last_dim(where, "x", x, size)
    return x


def check_cached_attention(where: str, layer, x, cache, n_heads: int) -> np.ndarray:
    """``x`` as for ``forward``, a causal ``layer`` and a ``KVCache`` shaped for it with
    room for ``x``'s tokens; returns ``x`` as a float array."""
    from scratchml.kv_cache import KVCache  # here: kv_cache imports this module

    x = check_sequence(where, x, layer.d_model)
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
    return x


def check_self_attention(d_model, d_head, causal, rng, dtype) -> tuple:
    """The arguments of ``SelfAttention``: ``(d_model, d_head, causal, rng, dtype)``
    validated, ``d_head`` defaulting to ``d_model``, ``rng`` a Generator."""
    where = "SelfAttention"
    d_model = check_positive_int(where, "d_model", d_model)
    d_head = check_positive_int(where, "d_head", d_model if d_head is None else d_head)
    causal = check_bool(where, "causal", causal)
    rng = check_rng(where, "rng", rng)
    return d_model, d_head, causal, rng, check_float_dtype(where, "dtype", dtype)


def check_divisible(where: str, d_model: int, n_heads: int) -> None:
    """Require ``n_heads`` to divide ``d_model`` (both already positive integers)."""
    if d_model % n_heads:
        raise ValueError(
            f"{where}: d_model ({d_model}) must be divisible by n_heads ({n_heads})"
        )


def check_mha(d_model, n_heads, causal, rng, dtype, bias) -> tuple:
    """The arguments of ``MultiHeadAttention``: ``(causal, rng, dtype, bias)`` validated
    (and ``d_model``, ``n_heads`` positive, the second dividing the first)."""
    where = "MultiHeadAttention"
    check_positive_int(where, "d_model", d_model)
    check_positive_int(where, "n_heads", n_heads)
    check_divisible(where, d_model, n_heads)
    causal = check_bool(where, "causal", causal)
    rng = check_rng(where, "rng", rng)
    dtype = check_float_dtype(where, "dtype", dtype)
    return causal, rng, dtype, check_bool(where, "bias", bias)


def check_feed_forward(d_model, d_hidden, rng, dtype, activation, choices) -> tuple:
    """The arguments of ``FeedForward``: ``(d_hidden, rng, dtype)`` validated, the
    hidden width defaulting to ``4 * d_model``."""
    where = "FeedForward"
    d_model = check_positive_int(where, "d_model", d_model)
    check_choice(where, "activation", activation, choices)
    d_hidden = 4 * d_model if d_hidden is None else d_hidden
    d_hidden = check_positive_int(where, "d_hidden", d_hidden)
    return (
        d_hidden,
        check_rng(where, "rng", rng),
        check_float_dtype(where, "dtype", dtype),
    )


def check_block(
    where,
    d_model,
    n_heads,
    d_hidden,
    causal,
    bias,
    activation,
    eps,
    rng,
    dtype,
    choices,
) -> tuple:
    """The arguments of ``TransformerBlock`` (``where`` names the class, so a
    ``GPT2Block``'s errors name ``GPT2Block``); returns ``(rng, dtype)``."""
    d_model = check_positive_int(where, "d_model", d_model)
    n_heads = check_positive_int(where, "n_heads", n_heads)
    check_divisible(where, d_model, n_heads)
    if d_hidden is not None:
        check_positive_int(where, "d_hidden", d_hidden)
    check_bool(where, "causal", causal)
    check_bool(where, "bias", bias)
    check_choice(where, "activation", activation, choices)
    check_positive(where, "eps", eps)
    return check_rng(where, "rng", rng), check_float_dtype(where, "dtype", dtype)


def check_block_dy(where: str, block, dy) -> None:
    """``dy`` of a block's ``backward``: the shape of the input its ``forward`` read."""
    x = block.ln1._cached("_cache", where)[0]  # what ln1 normalized: the block's input
    check_shape(where, "dy", dy, x.shape, "the output")


def check_kv_cache(batch, n_heads, max_len, d_head, dtype) -> np.dtype:
    """The arguments of ``KVCache``: positive sizes, a float dtype (float16 allowed)."""
    sizes = dict(batch=batch, n_heads=n_heads, max_len=max_len, d_head=d_head)
    for name, value in sizes.items():
        check_positive_int("KVCache", name, value)
    return check_float_dtype("KVCache", "dtype", dtype, half=True)


def check_kv_append(cache, k, v) -> tuple[np.ndarray, np.ndarray]:
    """The arguments of ``KVCache.append``: keys and values ``(B, H, n, d_head)`` that
    fit the cache and its free room; returns them as float arrays."""
    k = as_float_array("KVCache.append", "k", k)
    v = as_float_array("KVCache.append", "v", v)
    B, H, _, d_head = cache.keys.shape
    n = k.shape[-2] if k.ndim == 4 else 0
    if k.ndim != 4 or k.shape != (B, H, n, d_head) or v.shape != k.shape:
        raise ValueError(
            f"KVCache.append: k has shape {k.shape} and v has shape {v.shape} but "
            "both "
            f"must be (batch, n_heads, n, d_head) = ({B}, {H}, n, {d_head})"
        )
    if cache.length + n > cache.max_len:
        raise ValueError(
            f"KVCache.append: the cache holds {cache.length} of {cache.max_len} "
            f"positions, no room for {n} more (the context is full)"
        )
    return k, v


def check_layers(layers) -> list:
    """The argument of ``Sequential``: an iterable of layers; returns them as a list."""
    from scratchml.layers import Layer  # here: layers imports this module

    if isinstance(layers, Layer) or not hasattr(layers, "__iter__"):
        raise ArgumentTypeError(
            f"Sequential: layers must be a list of layers, got {layers!r:.60}"
        )
    layers = list(layers)
    for i, layer in enumerate(layers):
        if not isinstance(layer, Layer):
            raise ArgumentTypeError(
                f"Sequential: layers[{i}] must be a Layer, got {type(layer).__name__}"
            )
    return layers


def check_gpt(
    where, sizes, d_hidden, rng, dtype, block, block_options, unembedding, eps
) -> tuple:
    """The arguments of ``GPT`` (``where`` names the class, ``GPT`` or ``GPT2``):
    positive sizes, ``n_heads`` dividing ``d_model``, a block class, a dict of block
    options, a callable unembedding and ``eps > 0``; returns ``(rng, dtype)``."""
    from scratchml.layers import Layer  # here: layers imports this module

    for name, value in sizes.items():
        check_positive_int(where, name, value)
    check_divisible(where, sizes["d_model"], sizes["n_heads"])
    if d_hidden is not None:
        check_positive_int(where, "d_hidden", d_hidden)
    if not (isinstance(block, type) and issubclass(block, Layer)):
        raise ArgumentTypeError(
            f"{where}: block must be a Layer class, got {_shown(block)}"
        )
    if block_options is not None and not isinstance(block_options, dict):
        raise ArgumentTypeError(
            f"{where}: block_options must be a dict or None, got "
            f"{_shown(block_options)}"
        )
    if unembedding is not None:
        check_callable(where, "unembedding", unembedding)
    check_positive(where, "eps", eps)
    dtype = check_float_dtype(where, "dtype", dtype)
    return check_rng(where, "rng", rng), dtype


def check_ids(where: str, ids, vocab_size: int, context_length: int) -> np.ndarray:
    """Token ids as an integer array ``(B, T)`` or ``(T,)``, ``T <= context_length``."""
    ids = as_token_ids(where, "ids", ids, vocab_size)
    if ids.ndim not in (1, 2):
        raise ValueError(
            f"{where}: ids has shape {ids.shape} but must be (B, T) or (T,)"
        )
    if ids.shape[-1] > context_length:
        raise ValueError(
            f"{where}: ids has shape {ids.shape}, longer than context_length = "
            f"{context_length}; crop to the last {context_length} tokens"
        )
    return ids


def check_dlogits(where: str, model, dlogits) -> None:
    """``dlogits`` of a model's ``backward``: ``(B, T, vocab_size)``, as the logits."""
    x = model.unembed._cached("_x", where)  # (B, T, d_model): the last input
    expected = x.shape[:-1] + (model.vocab_size,)
    check_shape(where, "dlogits", dlogits, expected, "the logits")


def check_cached_call(model, ids, cache, last_only) -> np.ndarray:
    """The arguments of ``GPT.forward_cached``: ids, one ``KVCache`` per block (all of
    the same length, of the ids' batch, with room for them) and a bool; returns ids."""
    from scratchml.kv_cache import KVCache  # here: kv_cache imports this module

    where = "GPT.forward_cached"
    ids = as_token_ids(where, "ids", ids, model.vocab_size)
    if ids.ndim not in (1, 2):
        raise ValueError(
            f"{where}: ids has shape {ids.shape} but must be (B, n) or (n,)"
        )
    n_blocks = len(model.blocks)
    if not isinstance(cache, list | tuple) or len(cache) != n_blocks:
        length = f" of length {len(cache)}" if isinstance(cache, list | tuple) else ""
        raise TypeError(
            f"{where}: cache must be a list of {n_blocks} KVCache (one per block, "
            f"from new_kv_cache()), got {type(cache).__name__}{length}"
        )
    if not all(isinstance(c, KVCache) for c in cache):
        raise TypeError(
            f"{where}: cache must hold KVCache objects (from new_kv_cache())"
        )
    lengths = {c.length for c in cache}
    if len(lengths) != 1:
        raise ValueError(
            f"{where}: the caches of the blocks hold different lengths {lengths}"
        )
    batch = ids.shape[0] if ids.ndim == 2 else 1
    if cache[0].keys.shape[0] != batch:
        raise ValueError(
            f"{where}: ids has shape {ids.shape} ({batch} sequence(s)) but the "
            f"cache was made for batch = {cache[0].keys.shape[0]}"
        )
    start = cache[0].length
    if start + ids.shape[-1] > model.context_length:
        raise ValueError(
            f"{where}: the cache holds {start} positions and ids adds "
            f"{ids.shape[-1]}, more than context_length = {model.context_length}"
        )
    if not isinstance(last_only, bool | np.bool_):
        raise TypeError(f"{where}: last_only must be True or False, got {last_only!r}")
    return ids


def check_gpt2_block(dropout, rng) -> np.random.Generator:
    """``GPT2Block``'s own arguments (the rest are ``TransformerBlock``'s): a dropout
    probability in ``[0, 1)``; returns ``rng`` as a Generator, for every child."""
    rng = check_rng("GPT2Block", "rng", rng)
    check_float("GPT2Block", "dropout", dropout, low=0, high=1, high_open=True)
    return rng


def check_gpt2(dropout, rng) -> np.random.Generator:
    """``GPT2``'s own argument (``GPT`` checks the rest, naming ``GPT2``): ``dropout``
    in ``[0, 1)``; returns ``rng`` as a Generator, shared by every child."""
    check_float("GPT2", "dropout", dropout, low=0, high=1, high_open=True)
    return check_rng("GPT2", "rng", rng)


def check_gpt2_sizes(vocab_size, d_model, n_layers, context_length, d_hidden) -> None:
    """The arguments of ``gpt2_num_params``: positive integers, ``d_hidden`` or None."""
    sizes = dict(vocab_size=vocab_size, d_model=d_model, n_layers=n_layers)
    for name, n in dict(sizes, context_length=context_length).items():
        check_positive_int("gpt2_num_params", name, n)
    if d_hidden is not None:
        check_positive_int("gpt2_num_params", "d_hidden", d_hidden)


def check_embedding(where: str, embedding):
    """Require an ``Embedding`` (the matrix a tied unembedding reads)."""
    from scratchml.embedding import Embedding  # here: embedding imports this module

    if not isinstance(embedding, Embedding):
        raise TypeError(
            f"{where}: embedding must be an Embedding, got {type(embedding).__name__}"
        )
    return embedding


def check_tied_dy(layer, dy) -> None:
    """``dy`` of ``TiedUnembedding.backward``: ``(..., vocab_size)``, as the output."""
    expected = layer._cached("_x").shape[:-1] + (layer.vocab_size,)
    check_shape("TiedUnembedding.backward", "dy", dy, expected, "the output")


def _gpt2_config_error(path, problem: str) -> ValueError:
    return ValueError(
        f"load_gpt2: {os.fspath(path)!r} is not a GPT-2 config.json: {problem}"
    )


def check_gpt2_config(config, path) -> None:
    """A Hugging Face ``config.json`` (parsed) that this GPT-2 can run: ``model_type``
    gpt2, the tanh GELU, tied embeddings, GPT-2's attention scaling, positive sizes."""
    if not isinstance(config, dict):
        raise _gpt2_config_error(
            path, f"expected a JSON object, got {type(config).__name__}"
        )
    if config.get("model_type") != "gpt2":
        raise _gpt2_config_error(
            path, f"model_type is {config.get('model_type')!r}, not 'gpt2'"
        )
    act = config.get("activation_function", "gelu_new")
    if act not in ("gelu_new", "gelu_pytorch_tanh"):
        raise _gpt2_config_error(
            path, f"activation_function is {act!r}, not the tanh GELU 'gelu_new'"
        )
    if not config.get("tie_word_embeddings", True):
        raise _gpt2_config_error(path, "tie_word_embeddings is false; GPT-2 ties them")
    if config.get("scale_attn_by_inverse_layer_idx", False) or not config.get(
        "scale_attn_weights", True
    ):
        raise _gpt2_config_error(
            path, "the attention scaling is not GPT-2's 1/sqrt(d_head)"
        )
    keys = ("vocab_size", "n_embd", "n_head", "n_layer", "n_positions")
    missing = [k for k in keys if k not in config]
    if missing:
        raise _gpt2_config_error(path, f"missing {', '.join(missing)}")
    bad = [
        k for k in keys if isinstance(config[k], bool) or not isinstance(config[k], int)
    ]
    if bad or any(config[k] < 1 for k in keys):
        raise _gpt2_config_error(
            path, f"{', '.join(bad or keys)} must be positive integers"
        )
    if config["n_embd"] % config["n_head"]:
        raise _gpt2_config_error(
            path,
            f"n_embd ({config['n_embd']}) is not divisible by n_head "
            f"({config['n_head']})",
        )


def check_gpt2_file(directory, name: str) -> str:
    """The path of file ``name`` in a Hugging Face GPT-2 directory, which must exist."""
    path = os.path.join(directory, name)
    if not os.path.isfile(path):
        raise ValueError(
            f"load_gpt2: directory {os.fspath(directory)!r} has no {name}; a Hugging "
            "Face GPT-2 directory holds config.json, model.safetensors, vocab.json "
            "and merges.txt"
        )
    return path


def check_gpt2_directory(directory) -> tuple[dict, str, str]:
    """A Hugging Face GPT-2 directory: returns its parsed ``config.json`` (a JSON file),
    the config's path and the path of ``model.safetensors``."""
    if not isinstance(directory, str | os.PathLike):
        raise TypeError(
            f"load_gpt2: directory must be a path, got {type(directory).__name__}"
        )
    if not os.path.isdir(directory):
        raise ValueError(
            f"load_gpt2: directory {os.fspath(directory)!r} does not exist"
        )
    config_path = check_gpt2_file(directory, "config.json")
    weights_path = check_gpt2_file(directory, "model.safetensors")
    with open(config_path, encoding="utf-8") as f:
        try:
            config = json.load(f)
        except json.JSONDecodeError as err:
            raise _gpt2_config_error(config_path, f"not JSON ({err})") from None
    return config, config_path, weights_path


def check_gpt2_tensors(path, names: dict, stored: dict, model) -> None:
    """The tensors of a GPT-2 file against the model built from its config: exactly the
    names ``hf_names`` lists, each of the shape of the parameter(s) it fills."""
    missing = sorted(set(names) - set(stored))
    unexpected = sorted(set(stored) - set(names))
    if missing or unexpected:
        raise ValueError(
            f"load_gpt2: {os.fspath(path)!r} does not hold GPT-2's tensors for this "
            f"config: missing {missing[:5]}, unexpected {unexpected[:5]}"
        )
    params = {name: layer.params[key] for name, layer, key in model.named_params()}
    for hf_name, (targets, _) in names.items():
        shape = stored[hf_name].shape
        for target in targets:
            want = params[target].shape
            split = shape[:-1] + (shape[-1] // len(targets),)
            if shape[-1] % len(targets) or split != want:
                raise ValueError(
                    f"load_gpt2: {hf_name} has shape {shape}, which does not fit "
                    f"{target} of shape {want} from config.json"
                )


def check_save_gpt2(model, directory) -> None:
    """The arguments of ``save_gpt2``: a ``GPT2`` and a path that is not a file."""
    from scratchml.gpt2 import GPT2  # here: gpt2 imports this module

    if not isinstance(model, GPT2):
        raise TypeError(f"save_gpt2: model must be a GPT2, got {type(model).__name__}")
    if not isinstance(directory, str | os.PathLike):
        raise TypeError(
            f"save_gpt2: directory must be a path, got {type(directory).__name__}"
        )
    if os.path.exists(directory) and not os.path.isdir(directory):
        raise ValueError(
            f"save_gpt2: directory {str(directory)!r} is a file, not a directory"
        )


def _not_safetensors(path, problem: str):
    raise ValueError(
        f"load_safetensors: {os.fspath(path)!r} is not a valid safetensors file: "
        f"{problem}"
    )


def check_header_length(path, head: bytes) -> int:
    """``N``, the header length in the first 8 bytes of a safetensors file, which must
    be there and must not claim more bytes than the file has."""
    size = os.path.getsize(path)
    if len(head) < 8:
        _not_safetensors(
            path, f"it has {size} bytes, fewer than the 8 of the header length"
        )
    n = int.from_bytes(head, "little")  # the header's length, little-endian
    if n > size - 8:
        _not_safetensors(
            path, f"the header claims {n} bytes but only {size - 8} follow"
        )
    return n


def check_header_json(path, raw: bytes) -> dict:
    """The header bytes of a safetensors file parsed as a JSON object."""
    try:
        header = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        _not_safetensors(path, f"the header is not JSON ({err})")
    if not isinstance(header, dict):
        _not_safetensors(
            path, f"the header is a JSON {type(header).__name__}, not an object"
        )
    return header


def check_safetensors_entries(path, header: dict, data_size: int, dtypes) -> None:
    """Every tensor entry of a header: a known dtype, a shape and ``data_offsets``
    inside the ``data_size`` bytes of data, spanning exactly the tensor's bytes."""
    for name, entry in header.items():
        if not isinstance(entry, dict) or not {"dtype", "shape", "data_offsets"} <= set(
            entry
        ):
            _not_safetensors(
                path,
                f"tensor {name!r} needs dtype, shape and data_offsets, got {entry!r}",
            )
        if entry["dtype"] not in dtypes:
            raise ValueError(
                f"load_safetensors: tensor {name!r} in {os.fspath(path)!r} has dtype "
                f"{entry['dtype']!r}; supported: {', '.join(dtypes)}"
            )
        shape, offsets = entry["shape"], entry["data_offsets"]
        if (
            not isinstance(shape, list)
            or not isinstance(offsets, list)
            or len(offsets) != 2
            or not all(
                isinstance(v, int) and not isinstance(v, bool) and v >= 0
                for v in [*shape, *offsets]
            )
        ):
            _not_safetensors(
                path,
                f"tensor {name!r} has shape {shape!r} and data_offsets {offsets!r}",
            )
        begin, end = offsets
        if not begin <= end <= data_size:
            _not_safetensors(
                path,
                f"tensor {name!r} has data_offsets {offsets} outside the {data_size} "
                "bytes of data",
            )
        nbytes = math.prod(shape) * np.dtype(dtypes[entry["dtype"]]).itemsize
        if end - begin != nbytes:
            _not_safetensors(
                path,
                f"tensor {name!r} of shape {shape} and dtype {entry['dtype']} needs "
                f"{nbytes} bytes but its data_offsets {offsets} span {end - begin}",
            )


def check_load_safetensors(path, writable) -> None:
    """The arguments of ``load_safetensors``: an existing file and a bool."""
    if not os.path.isfile(path):
        raise ValueError(f"load_safetensors: path {os.fspath(path)!r} is not a file")
    if not isinstance(writable, bool):
        raise TypeError(
            f"load_safetensors: writable must be True or False, got {writable!r}"
        )


def check_save_safetensors(path, tensors, dtypes) -> None:
    """The arguments of ``save_safetensors``: a file path (not a directory) and a dict
    of arrays of the ``dtypes`` safetensors names, under str names."""
    if os.path.isdir(path):
        raise ValueError(
            f"save_safetensors: path {os.fspath(path)!r} is a directory, not a file"
        )
    if not isinstance(tensors, dict):
        raise TypeError(
            f"save_safetensors: tensors must be a dict, got {type(tensors).__name__}"
        )
    known = {np.dtype(v).newbyteorder("<") for v in dtypes.values()}
    for name, value in tensors.items():
        dtype = np.asarray(value).dtype
        if not isinstance(name, str) or dtype.newbyteorder("<") not in known:
            raise TypeError(
                f"save_safetensors: tensors[{name!r}] must be an array of one of "
                f"{', '.join(dtypes)} under a str name, got dtype {dtype}"
            )


# (end of the attention and model checkers)


# --------------------------------------------------------------------------------------
# Checkers of BPE, generation, language-model training and the command line.
# --------------------------------------------------------------------------------------

# (end of the BPE, generation and training checkers)
