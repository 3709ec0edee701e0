"""Bad input, systematically: every public callable rejects it with a clear error.

One table drives the test. Each probe is ``(name, kind, fn, args, kwargs, exc,
pattern)``: calling ``fn(*args, **kwargs)`` must raise ``exc`` whose message matches
``pattern``. Most patterns are built by ``expect(name, arg, given)``: the message starts
with the callable's name and mentions the argument and what was given (the book's "clear
errors" promise, CONTRIBUTING.md, "What a new public name needs"). The
``BAD_INPUT_PROBES`` lists of the other test files are collected into the table too, and
``test_every_public_name_has_a_probe`` fails when a public name (or a public method of
an exported class) has none.
"""

import importlib
import inspect
import math
import os
import re
import sys
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

import scratchml as sm
from scratchml import (
    GELU,
    GPT,
    GPT2,
    SGD,
    Adam,
    BPETokenizer,
    CharTokenizer,
    Dense,
    Dropout,
    Embedding,
    FeedForward,
    GPT2Block,
    KVCache,
    Layer,
    LayerNorm,
    MultiHeadAttention,
    PositionalEmbedding,
    ReLU,
    SelfAttention,
    Sequential,
    Sigmoid,
    TiedUnembedding,
    TransformerBlock,
    Unembedding,
)

TESTS = Path(__file__).resolve().parent

# ------------------------------------------------------------------ how a probe is
# written


def expect(name: str, arg: str, given: str = "") -> str:
    """The message starts with ``name: `` and mentions ``arg`` and ``given``
    (regexes)."""
    arg_re = rf"(?<![\w]){re.escape(arg)}(?!\w)"
    given_re = f"(?=.*{given})" if given else ""
    return rf"(?s)^{re.escape(name)}: (?=.*{arg_re}){given_re}"


PROBES: list[tuple] = []


def probe(
    name, kind, fn, args=(), kwargs=None, exc=ValueError, match=None, arg=None, given=""
):
    """Add one probe; ``match`` defaults to ``expect(name, arg, given)``. An exception
    class given in place of ``kwargs`` is the exception (``probe(name, kind, fn, args,
    TypeError)``)."""
    if isinstance(kwargs, type):
        exc, kwargs = kwargs, None
    if match is None:
        match = expect(name, arg, given)
    PROBES.append((name, kind, fn, tuple(args), dict(kwargs or {}), exc, match))


def method(factory, name: str):
    """``method(factory, "step")(*args)`` is ``factory().step(*args)``, a new object
    each call."""

    def call(*args, **kwargs):
        return getattr(factory(), name)(*args, **kwargs)

    return call


def after_forward(make, x):
    """A factory of layers that have run ``forward(x)`` (ready for ``backward``)."""

    def build():
        layer = make()
        layer.forward(x)
        return layer

    return build


class Bad(list):
    """The bad values of one kind of argument: ``(value, exception, how the message
    shows it)``."""

    def __init__(self, kind: str, items) -> None:
        super().__init__(items)
        self.kind = kind

    def but(self, *skip) -> "Bad":
        """Without the values in ``skip`` (None where None is allowed, 0 where 0 is)."""
        return Bad(self.kind, [b for b in self if not any(b[0] is s for s in skip)])


POSITIVE_FLOAT = Bad(
    "positive float",
    [
        ("0.1", TypeError, r"got '0\.1'"),
        (None, TypeError, r"got None"),
        (math.nan, ValueError, r"got nan"),
        (math.inf, ValueError, r"got inf"),
        (-1.0, ValueError, r"got -1"),
        (0.0, ValueError, r"got 0"),
    ],
)
ZERO = POSITIVE_FLOAT[-1][0]
NON_NEGATIVE_FLOAT = Bad("non-negative float", POSITIVE_FLOAT.but(ZERO))
FINITE_FLOAT = Bad("finite float", POSITIVE_FLOAT[:4])
UNIT_INTERVAL = Bad(
    "number in [0, 1)",
    [  # momentum, betas, dropout
        ("0.5", TypeError, r"got '0\.5'"),
        (None, TypeError, r"got None"),
        (math.nan, ValueError, r"got nan"),
        (-0.1, ValueError, r"got -0\.1"),
        (1.0, ValueError, r"got 1"),
    ],
)
OPEN_FRACTION = Bad(
    "fraction in (0, 1)",
    [  # held-out fractions
        ("0.2", TypeError, r"got '0\.2'"),
        (None, TypeError, r"got None"),
        (math.nan, ValueError, r"got nan"),
        (0.0, ValueError, r"got 0"),
        (1.0, ValueError, r"got 1"),
    ],
)
POSITIVE_INT = Bad(
    "positive int",
    [
        ("3", TypeError, r"got '3'"),
        (None, TypeError, r"got None"),
        (2.5, TypeError, r"got 2\.5"),
        (True, TypeError, r"got True"),
        (0, ValueError, r"got 0"),
        (-1, ValueError, r"got -1"),
    ],
)
NON_NEGATIVE_INT = Bad("non-negative int", POSITIVE_INT.but(POSITIVE_INT[4][0]))
RNG = Bad(
    "rng",
    [
        ("seed", TypeError, r"got 'seed'"),
        (1.5, TypeError, r"got 1\.5"),
        (-1, ValueError, r"got -1"),
        ([1, 2], TypeError, r"got \[1, 2\]"),
    ],
)
DTYPE = Bad(
    "dtype",
    [
        (int, TypeError, r"got <class 'int'>"),
        (np.complex128, TypeError, r"complex"),
        ("banana", TypeError, r"got 'banana'"),
        ("int32", TypeError, r"got 'int32'"),
    ],
)
FLAG = Bad(
    "bool flag", [("yes", TypeError, r"got 'yes'"), (None, TypeError, r"got None")]
)


def numbers(name, fn, arg, values, *args, **kwargs):
    """One probe per bad value of ``values``, passed as keyword ``arg``."""
    for value, exc, given in values:
        probe(
            name,
            values.kind,
            fn,
            args,
            {**kwargs, arg: value},
            exc,
            arg=arg,
            given=given,
        )


def arrays(
    name, fn, arg, place, shape, *, dims=True, empty=True, nan=True, nan_by=None
):
    """Bad arrays for argument ``arg``: ``place(x)`` gives ``(args, kwargs)``; ``shape``
    is a valid shape (a wrong one is made from it). ``nan_by`` names the inner callable
    that finds NaN for a composite layer (scanning every entry twice per step would cost
    time)."""
    good = np.ones(shape)

    def add(kind, x, exc, given):
        a, k = place(x)
        by = nan_by if nan_by and kind in ("array: NaN", "array: inf") else name
        probe(name, kind, fn, a, k, exc, match=expect(by, arg, given))

    add("array: None", None, TypeError, "got None")
    add("array: str", "abc", TypeError, "'abc'")
    if len(shape) >= 2:
        ragged = [[1.0] * shape[-1]] * (shape[-2] - 1) + [[1.0] * (shape[-1] + 1)]
        ragged = ragged if len(shape) == 2 else [ragged] * shape[0]
        add("array: ragged", ragged, ValueError, "ragged")
    add("array: strings", np.full(shape, "a"), TypeError, "dtype <U1")
    add("array: complex", good.astype(complex), TypeError, "complex128")
    if nan:
        bad = good.copy()
        bad.flat[-1] = np.nan
        add("array: NaN", bad, ValueError, "NaN")
        bad = good.copy()
        bad.flat[-1] = np.inf
        add("array: inf", bad, ValueError, "infinity")
    if empty:
        add("array: empty", np.ones(shape[:-1] + (0,)), ValueError, r"\(.*0,?\)")
        add("array: empty", np.ones((0,) + shape[1:]), ValueError, r"\(0")
    if dims:
        wrong = shape[:-1] + (shape[-1] + 1,)
        add("array: wrong shape", np.ones(wrong), ValueError, re.escape(str(wrong)))
        add("array: 0-d", np.float64(1.0), ValueError, r"shape \(\)")


def ids_arrays(name, fn, arg, place, shape, vocab, empty=True):
    """Bad token ids for ``arg``."""
    good = np.zeros(shape, dtype=int)

    def add(kind, x, exc, given):
        a, k = place(x)
        probe(name, kind, fn, a, k, exc, arg=arg, given=given)

    add("ids: None", None, TypeError, "got None")
    add("ids: str", "abc", TypeError, "abc")
    add("ids: float", good.astype(float), TypeError, "float64")
    add("ids: out of range", good + vocab, ValueError, f"id {vocab}")
    add("ids: negative", good - 1, ValueError, "id -1")
    if empty:
        add("ids: empty", np.zeros((0,), dtype=int), ValueError, r"\(0,\)")
    if len(shape) == 2:
        add("ids: ragged", [[0] * shape[1], [0] * (shape[1] + 1)], ValueError, "ragged")


def gradients(name, make, x, out_shape, arg="dy"):
    """Bad ``dy`` for ``make().backward`` after ``forward(x)``."""
    fn = method(after_forward(make, x), "backward")
    wrong = out_shape[:-1] + (out_shape[-1] + 1,)
    probe(name, "dy: None", fn, (None,), exc=TypeError, arg=arg, given="got None")
    probe(
        name,
        "dy: list",
        fn,
        (np.ones(out_shape).tolist(),),
        exc=TypeError,
        arg=arg,
        given="list",
    )
    probe(name, "dy: str", fn, ("abc",), exc=TypeError, arg=arg, given="'abc'")
    probe(
        name,
        "dy: int",
        fn,
        (np.ones(out_shape, int),),
        exc=TypeError,
        arg=arg,
        given="int64",
    )
    probe(
        name,
        "dy: wrong shape",
        fn,
        (np.ones(wrong),),
        arg=arg,
        given=re.escape(str(wrong)),
    )
    for value, word in [(np.nan, "NaN"), (np.inf, "infinity")]:  # NaN gradients
        probe(
            name,
            f"dy: {word}",
            fn,
            (np.full(out_shape, value),),
            arg=arg,
            given=f"contains {word}",
        )
    probe(
        name,
        "backward before forward",
        method(make, "backward"),
        (np.ones(out_shape),),
        exc=RuntimeError,
        match=rf"^{re.escape(name.split('.')[0])}\.backward:? called before forward",
    )


# ------------------------------------------------------------------ small models and
# data

V = 11  # vocabulary of the tiny language models


def tiny_gpt():
    return GPT(vocab_size=V, d_model=8, n_heads=2, n_layers=1, context_length=6, rng=0)


def tiny_gpt2():
    return GPT2(vocab_size=V, d_model=8, n_heads=2, n_layers=1, context_length=6, rng=0)


def trained(make, x):
    """A model whose gradients are filled (forward and backward done)."""
    model = make()
    out = model.forward(x)
    model.backward(np.ones_like(out))
    return model


def dense_with_grads():
    return trained(lambda: Dense(3, 2, rng=0), np.ones((2, 3)))


def with_grad(grad):
    """A Dense layer whose weight gradient is replaced by ``grad``."""

    def build():
        layer = dense_with_grads()
        layer.grads["W"] = grad
        return layer

    return build


IDS = np.arange(40) % V  # a "text" of 40 token ids
CHARS = CharTokenizer.from_text("abcdefghijk")  # 11 characters, the tiny models' V


# ------------------------------------------------------------------ functions on arrays

for name, fn in [
    ("relu", sm.relu),
    ("relu_grad", sm.relu_grad),
    ("sigmoid", sm.sigmoid),
    ("sigmoid_grad", sm.sigmoid_grad),
    ("gelu", sm.gelu),
    ("gelu_grad", sm.gelu_grad),
]:
    arrays(name, fn, "z", lambda x: ((x,), {}), (2, 3), dims=False)

for name, fn in [("softmax", sm.softmax), ("log_softmax", sm.log_softmax)]:
    arrays(name, fn, "x", lambda x: ((x,), {}), (2, 3), dims=False, nan=False)
    probe(name, "array: 0-d", fn, (np.float64(1.0),), arg="x", given=r"shape \(\)")
    probe(name, "array: 0-d", fn, (2.0,), arg="x", given=r"shape \(\)")
    probe(name, "array: NaN", fn, ([1.0, np.nan],), arg="x", given="NaN")
    probe(name, "axis", fn, (np.ones(3),), {"axis": 1}, arg="axis", given="1")
    probe(name, "axis", fn, (np.ones((2, 3)),), {"axis": -3}, arg="axis", given="-3")
    probe(
        name,
        "axis",
        fn,
        (np.ones(3),),
        {"axis": "0"},
        TypeError,
        arg="axis",
        given="'0'",
    )
    probe(
        name,
        "axis",
        fn,
        (np.ones(3),),
        {"axis": 0.0},
        TypeError,
        arg="axis",
        given="0.0",
    )
    probe(
        name,
        "axis",
        fn,
        (np.ones(3),),
        {"axis": None},
        TypeError,
        arg="axis",
        given="None",
    )
numbers("softmax", sm.softmax, "temperature", POSITIVE_FLOAT, np.ones(3))
probe(
    "softmax",
    "temperature underflows",
    sm.softmax,
    (np.ones(3, np.float32),),
    {"temperature": 1e-50},
    arg="temperature",
    given=r"1e-50.*float32",
)

for name in ("softmax_backward",):
    fn = sm.softmax_backward
    p = sm.softmax(np.ones((2, 3)))
    arrays(name, fn, "p", lambda x, dp=p: ((x, dp), {}), (2, 3), nan=False)
    arrays(name, fn, "dp", lambda x, p=p: ((p, x), {}), (2, 3), nan=False)
    probe(name, "axis", fn, (p, p), {"axis": 2}, arg="axis", given="2")
    probe(name, "axis", fn, (p, p), {"axis": "x"}, TypeError, arg="axis", given="'x'")

for name, fn in [("mse_loss", sm.mse_loss), ("mse_loss_grad", sm.mse_loss_grad)]:
    arrays(name, fn, "pred", lambda x: ((x, np.ones((2, 3))), {}), (2, 3))
    arrays(name, fn, "target", lambda x: ((np.ones((2, 3)), x), {}), (2, 3))
name, fn = "mse_loss_with_grad", sm.mse_loss_with_grad
probe(
    name,
    "array: wrong shape",
    fn,
    (np.ones(3), np.ones((3, 1))),
    arg="target",
    given=r"\(3, 1\)",
)
probe(
    name, "array: None", fn, (None, np.ones(3)), exc=TypeError, arg="pred", given="None"
)

for name, fn in [
    ("cross_entropy", sm.cross_entropy),
    ("cross_entropy_grad", sm.cross_entropy_grad),
    ("cross_entropy_with_grad", sm.cross_entropy_with_grad),
]:
    labels = np.array([0, 2])
    arrays(name, fn, "logits", lambda x, y=labels: ((x, y), {}), (2, 3), dims=False)
    probe(name, "array: 1-D", fn, (np.ones(3), 0), arg="logits", given=r"\(3,\)")
    probe(
        name,
        "labels: float",
        fn,
        (np.ones((2, 3)), [0.0, 1.0]),
        TypeError,
        arg="labels",
        given="float64",
    )
    probe(
        name,
        "labels: out of range",
        fn,
        (np.ones((2, 3)), [0, 3]),
        arg="labels",
        given="3",
    )
    probe(
        name,
        "labels: negative",
        fn,
        (np.ones((2, 3)), [0, -1]),
        arg="labels",
        given="-1",
    )
    probe(
        name,
        "labels: wrong shape",
        fn,
        (np.ones((2, 3)), [0, 1, 2]),
        arg="labels",
        given=r"\(3,\)",
    )
    probe(
        name,
        "labels: None",
        fn,
        (np.ones((2, 3)), None),
        TypeError,
        arg="labels",
        given="None",
    )

for name, fn in [("weighted_sum", sm.weighted_sum), ("fires", sm.fires)]:
    probe(
        name,
        "array: None",
        fn,
        (None, [1.0, 2.0], 0.5),
        exc=TypeError,
        arg="a",
        given="None",
    )
    probe(
        name,
        "array: str",
        fn,
        ([1.0, 2.0], "ab", 0.5),
        exc=TypeError,
        arg="w",
        given="'ab'",
    )
    probe(
        name, "array: NaN", fn, ([1.0, 2.0], [1.0, 2.0], np.nan), arg="b", given="NaN"
    )
    probe(
        name,
        "array: wrong shape",
        fn,
        ([1.0, 2.0, 3.0], [1.0, 2.0], 0.5),
        arg="a",
        given=r"\(3,\)",
    )
    probe(
        name,
        "array: wrong shape",
        fn,
        ([1.0, 2.0], [[1.0, 2.0]], 0.5),
        arg="w",
        given=r"\(1, 2\)",
    )
    probe(
        name,
        "array: wrong shape",
        fn,
        ([1.0, 2.0], [1.0, 2.0], [0.5]),
        arg="b",
        given=r"\(1,\)",
    )
    probe(
        name,
        "array: ragged",
        fn,
        ([[1.0, 2.0], [1.0]], [1.0, 2.0], 0.5),
        arg="a",
        given="ragged",
    )

# ------------------------------------------------------------------ attention

name, fn = "causal_mask", sm.causal_mask
for value, exc, given in POSITIVE_INT:
    probe(name, "positive int", fn, (value,), exc=exc, arg="n", given=given)
name, fn = "cached_causal_mask", sm.cached_causal_mask
for value, exc, given in NON_NEGATIVE_INT:
    probe(name, "non-negative int", fn, (value, 2), exc=exc, arg="start", given=given)
for value, exc, given in POSITIVE_INT:
    probe(name, "positive int", fn, (0, value), exc=exc, arg="n", given=given)

name, fn = "scaled_dot_product_attention", sm.scaled_dot_product_attention
Q = np.ones((2, 3, 4))
for arg, i in (("q", 0), ("k", 1), ("v", 2)):
    arrays(
        name,
        fn,
        arg,
        lambda x, i=i: (tuple(x if j == i else Q for j in range(3)), {}),
        (2, 3, 4),
        dims=False,
    )
probe(name, "array: 1-D", fn, (np.ones(4), Q, Q), arg="q", given=r"\(4,\)")
probe(
    name,
    "array: wrong shape",
    fn,
    (np.ones((2, 3, 5)), Q, Q),
    arg="k",
    given=r"\(2, 3, 5\)",
)
probe(
    name,
    "array: wrong shape",
    fn,
    (Q, Q, np.ones((2, 2, 4))),
    arg="v",
    given=r"\(2, 2, 4\)",
)
probe(
    name,
    "array: wrong shape",
    fn,
    (np.ones((1, 3, 4)), Q, Q),
    arg="k",
    given=r"\(1, 3, 4\)",
)
probe(
    name,
    "mask: not bool",
    fn,
    (Q, Q, Q, np.ones((3, 3))),
    exc=TypeError,
    arg="mask",
    given="float64",
)
probe(
    name,
    "mask: wrong shape",
    fn,
    (Q, Q, Q, np.ones((2, 2), bool)),
    arg="mask",
    given=r"\(2, 2\)",
)
probe(
    name,
    "mask: all hidden",
    fn,
    (Q, Q, Q, np.zeros((3, 3), bool)),
    arg="mask",
    given="all False",
)
probe(
    name,
    "mask: None-like str",
    fn,
    (Q, Q, Q, "causal"),
    exc=TypeError,
    arg="mask",
    given="'causal'",
)

name, fn = "attention_backward", sm.attention_backward
_, W = sm.scaled_dot_product_attention(Q, Q, Q)
for (
    kind,
    d_out,
    exc,
    given,
) in [  # a gradient: a float numpy array of the output's shape
    ("dy: None", None, TypeError, "None"),
    ("dy: list", Q.tolist(), TypeError, "list"),
    ("dy: str", "abc", TypeError, "'abc'"),
    ("dy: int", Q.astype(int), TypeError, "int64"),
    ("dy: 0-d", np.float64(1.0), TypeError, r"np\.float64\(1\.0\)"),
    ("dy: wrong shape", np.ones((2, 3, 5)), ValueError, r"\(2, 3, 5\)"),
]:
    probe(name, kind, fn, (d_out, Q, Q, Q, W), exc=exc, arg="d_out", given=given)
probe(name, "array: None", fn, (Q, None, Q, Q, W), exc=TypeError, arg="q", given="None")
probe(
    name,
    "array: wrong shape",
    fn,
    (Q, Q, Q, Q, W[..., :2]),
    arg="weights",
    given=r"\(2, 3, 2\)",
)

name, fn = "multi_head_attention", sm.multi_head_attention
Wm = np.eye(4)
arrays(name, fn, "x", lambda x: ((x, Wm, Wm, Wm, Wm, 2), {}), (1, 3, 4))
for arg, i in (("W_q", 1), ("W_k", 2), ("W_v", 3), ("W_o", 4)):
    args = [Q, Wm, Wm, Wm, Wm, 2]
    args[i] = None
    probe(name, "array: None", fn, args, exc=TypeError, arg=arg, given="None")
    args[i] = np.eye(3)
    probe(name, "array: wrong shape", fn, args, arg=arg, given=r"\(3, 3\)")
for value, exc, given in POSITIVE_INT:
    probe(
        name,
        "positive int",
        fn,
        (Q, Wm, Wm, Wm, Wm, value),
        exc=exc,
        arg="n_heads",
        given=given,
    )
probe(
    name,
    "n_heads does not divide",
    fn,
    (Q, Wm, Wm, Wm, Wm, 3),
    arg="n_heads",
    given=r"\(3\)",
)
numbers(name, fn, "causal", FLAG, Q, Wm, Wm, Wm, Wm, 2)
for arg, i in (("W_q", 1), ("W_k", 2), ("W_v", 3), ("W_o", 4)):  # issue 21
    for bad, word in ((np.nan, "NaN"), (np.inf, "infinity")):
        args = [Q, Wm, Wm, Wm, Wm, 2]
        args[i] = np.where(Wm == 1, bad, 0.0)  # (4, 4): the diagonal not finite
        probe(name, f"array: {word}", fn, args, arg=arg, given=word)

name, fn = "attention_backward", sm.attention_backward  # issue 21: as the forward
probe(
    name,
    "q and k widths",
    fn,
    (Q, np.ones((2, 3, 5)), Q, Q, W),
    arg="k",
    given=r"q has shape \(2, 3, 5\)",
)
W_nan = W.tolist()
W_nan[0][1][2] = math.nan
probe(
    name,
    "list: NaN",
    fn,
    (Q, Q.tolist(), Q.tolist(), Q.tolist(), W_nan),
    arg="weights",
    given="NaN",
)
probe(
    name,
    "list: infinity",
    fn,
    (Q, (Q * math.inf).tolist(), Q, Q, W),
    arg="q",
    given="infinity",
)
probe(name, "array: NaN", fn, (Q, Q, Q, Q * math.nan, W), arg="v", given="NaN")

# ------------------------------------------------------------------ layers:
# constructors

# name: (factory taking keyword overrides, {argument: kind of bad values})
CONSTRUCTORS = {
    "Dense": (
        lambda **k: Dense(**{"n_in": 3, "n_out": 2, **k}),
        dict(n_in=POSITIVE_INT, n_out=POSITIVE_INT, rng=RNG, dtype=DTYPE),
    ),
    "Embedding": (
        lambda **k: Embedding(**{"vocab_size": 5, "d_model": 3, **k}),
        dict(vocab_size=POSITIVE_INT, d_model=POSITIVE_INT, rng=RNG, dtype=DTYPE),
    ),
    "Unembedding": (
        lambda **k: Unembedding(**{"d_model": 3, "vocab_size": 5, **k}),
        dict(vocab_size=POSITIVE_INT, d_model=POSITIVE_INT, rng=RNG, dtype=DTYPE),
    ),
    "PositionalEmbedding": (
        lambda **k: PositionalEmbedding(**{"n_positions": 4, "d_model": 3, **k}),
        dict(n_positions=POSITIVE_INT, d_model=POSITIVE_INT, rng=RNG, dtype=DTYPE),
    ),
    "LayerNorm": (
        lambda **k: LayerNorm(**{"d_model": 3, **k}),
        dict(d_model=POSITIVE_INT, eps=POSITIVE_FLOAT, dtype=DTYPE),
    ),
    "Dropout": (lambda **k: Dropout(**{"p": 0.1, **k}), dict(p=UNIT_INTERVAL, rng=RNG)),
    "SelfAttention": (
        lambda **k: SelfAttention(**{"d_model": 4, **k}),
        dict(
            d_model=POSITIVE_INT,
            d_head=POSITIVE_INT.but(None),
            causal=FLAG,
            rng=RNG,
            dtype=DTYPE,
        ),
    ),
    "MultiHeadAttention": (
        lambda **k: MultiHeadAttention(**{"d_model": 4, "n_heads": 2, **k}),
        dict(
            d_model=POSITIVE_INT,
            n_heads=POSITIVE_INT,
            causal=FLAG,
            bias=FLAG,
            rng=RNG,
            dtype=DTYPE,
        ),
    ),
    "FeedForward": (
        lambda **k: FeedForward(**{"d_model": 4, **k}),
        dict(
            d_model=POSITIVE_INT, d_hidden=POSITIVE_INT.but(None), rng=RNG, dtype=DTYPE
        ),
    ),
    "TransformerBlock": (
        lambda **k: TransformerBlock(**{"d_model": 4, "n_heads": 2, **k}),
        dict(
            d_model=POSITIVE_INT,
            n_heads=POSITIVE_INT,
            d_hidden=POSITIVE_INT.but(None),
            causal=FLAG,
            bias=FLAG,
            eps=POSITIVE_FLOAT,
            rng=RNG,
            dtype=DTYPE,
        ),
    ),
    "GPT2Block": (
        lambda **k: GPT2Block(**{"d_model": 4, "n_heads": 2, **k}),
        dict(
            d_model=POSITIVE_INT,
            n_heads=POSITIVE_INT,
            d_hidden=POSITIVE_INT.but(None),
            dropout=UNIT_INTERVAL,
            eps=POSITIVE_FLOAT,
            rng=RNG,
            dtype=DTYPE,
        ),
    ),
    "MLP": (
        lambda **k: sm.MLP(**{"layer_sizes": [3, 2], **k}),
        dict(rng=RNG, dtype=DTYPE),
    ),
    "GPT": (
        lambda **k: GPT(
            **{
                **dict(vocab_size=V, d_model=8, n_heads=2, n_layers=1),
                "context_length": 6,
                **k,
            }
        ),
        dict(
            vocab_size=POSITIVE_INT,
            d_model=POSITIVE_INT,
            n_heads=POSITIVE_INT,
            n_layers=POSITIVE_INT,
            context_length=POSITIVE_INT,
            d_hidden=POSITIVE_INT.but(None),
            rng=RNG,
            dtype=DTYPE,
        ),
    ),
    "GPT2": (
        lambda **k: GPT2(
            **{
                **dict(vocab_size=V, d_model=8, n_heads=2, n_layers=1),
                "context_length": 6,
                **k,
            }
        ),
        dict(
            vocab_size=POSITIVE_INT,
            d_model=POSITIVE_INT,
            n_heads=POSITIVE_INT,
            n_layers=POSITIVE_INT,
            context_length=POSITIVE_INT,
            d_hidden=POSITIVE_INT.but(None),
            dropout=UNIT_INTERVAL,
            eps=POSITIVE_FLOAT,
            rng=RNG,
            dtype=DTYPE,
        ),
    ),
    "KVCache": (
        lambda **k: KVCache(**{**dict(batch=1, n_heads=2, max_len=4, d_head=2), **k}),
        dict(
            batch=POSITIVE_INT,
            n_heads=POSITIVE_INT,
            max_len=POSITIVE_INT,
            d_head=POSITIVE_INT,
            dtype=DTYPE,
        ),
    ),
}
for name, (make, args) in CONSTRUCTORS.items():
    for arg, values in args.items():
        numbers(name, make, arg, values)

probe(
    "Dense", "choice", Dense, (3, 2), {"init": "xavier"}, arg="init", given="'xavier'"
)
probe(
    "MLP", "choice", sm.MLP, ([3, 2],), {"init": "xavier"}, arg="init", given="'xavier'"
)
probe(
    "MLP",
    "choice",
    sm.MLP,
    ([3, 2],),
    {"activation": "tanh"},
    arg="activation",
    given="'tanh'",
)
probe("MLP", "sizes", sm.MLP, ([3],), arg="layer_sizes", given=r"\[3\]")
probe("MLP", "sizes", sm.MLP, ([3, 0],), arg="layer_sizes", given="0")
probe("MLP", "sizes", sm.MLP, (None,), exc=TypeError, arg="layer_sizes", given="None")
probe("MLP", "sizes", sm.MLP, (64,), arg="layer_sizes", given=r"\[64\]")
probe("MLP", "sizes", sm.MLP, ("34",), exc=TypeError, arg="layer_sizes", given="'34'")
probe("MLP", "sizes", sm.MLP, ([[1, 2], [3]],), exc=TypeError, arg="layer_sizes")
# Sizes beyond any array (numpy itself says "Maximum allowed dimension exceeded")
for _name, _fn in [
    ("causal_mask", sm.causal_mask),
    ("FeedForward", sm.FeedForward),
    ("LayerNorm", sm.LayerNorm),
    ("SelfAttention", sm.SelfAttention),
]:
    probe(
        _name, "size 10**30", _fn, (10**30,), match=rf"^{_name}: .* up to 2\*\*31 - 1"
    )
probe(
    "CharTokenizer",
    "chars: a 3-D array",
    sm.CharTokenizer,
    (np.ones((2, 3, 4)),),
    exc=TypeError,
    match=r"^CharTokenizer: every entry of chars must be a str, got an array of shape",
)
probe(
    "FeedForward",
    "choice",
    FeedForward,
    (4,),
    {"activation": "tanh"},
    arg="activation",
    given="'tanh'",
)
probe(
    "TransformerBlock",
    "choice",
    TransformerBlock,
    (4, 2),
    {"activation": "tanh"},
    arg="activation",
    given="'tanh'",
)
probe(
    "TransformerBlock",
    "n_heads does not divide",
    TransformerBlock,
    (4, 3),
    arg="n_heads",
    given="3",
)
probe(
    "GPT2Block", "n_heads does not divide", GPT2Block, (4, 3), arg="n_heads", given="3"
)
probe("GPT", "n_heads does not divide", GPT, (V, 8, 3, 1, 6), arg="n_heads", given="3")
probe(
    "MultiHeadAttention",
    "n_heads does not divide",
    MultiHeadAttention,
    (4, 3),
    arg="n_heads",
    given="3",
)
probe(
    "Sequential",
    "layers",
    Sequential,
    (Dense(2, 2),),
    exc=TypeError,
    arg="layers",
    given="Dense",
)
probe(
    "Sequential",
    "layers",
    Sequential,
    ([Dense(2, 2), "relu"],),
    exc=TypeError,
    arg="layers[1]",
    given="str",
)
probe(
    "Sequential",
    "layers",
    Sequential,
    (None,),
    exc=TypeError,
    arg="layers",
    given="None",
)
probe(
    "TiedUnembedding",
    "layer",
    TiedUnembedding,
    (np.ones((3, 2)),),
    exc=TypeError,
    arg="embedding",
    given="ndarray",
)

# ------------------------------------------------------------------ layers: forward,
# backward

# name, factory, a valid input, the output's shape, fixed width?, NaN found by
FLOAT_LAYERS = [
    ("Dense", lambda: Dense(3, 2, rng=0), (2, 3), (2, 2), True),
    ("ReLU", ReLU, (2, 3), (2, 3), False, "relu"),
    ("Sigmoid", Sigmoid, (2, 3), (2, 3), False, "sigmoid"),
    ("GELU", GELU, (2, 3), (2, 3), False),
    ("Dropout", lambda: Dropout(0.5, rng=0), (2, 3), (2, 3), False),
    ("LayerNorm", lambda: LayerNorm(3), (2, 3), (2, 3), True),
    ("Unembedding", lambda: Unembedding(3, 5, rng=0), (2, 3), (2, 5), True),
    (
        "TiedUnembedding",
        lambda: TiedUnembedding(Embedding(5, 3, rng=0)),
        (2, 3),
        (2, 5),
        True,
    ),
    (
        "PositionalEmbedding",
        lambda: PositionalEmbedding(4, 3, rng=0),
        (2, 3),
        (2, 3),
        True,
    ),
    ("SelfAttention", lambda: SelfAttention(4, rng=0), (1, 3, 4), (1, 3, 4), True),
    (
        "MultiHeadAttention",
        lambda: MultiHeadAttention(4, 2, rng=0),
        (1, 3, 4),
        (1, 3, 4),
        True,
    ),
    ("FeedForward", lambda: FeedForward(4, rng=0), (1, 3, 4), (1, 3, 4), True),
    (
        "TransformerBlock",
        lambda: TransformerBlock(4, 2, rng=0),
        (1, 3, 4),
        (1, 3, 4),
        True,
        "LayerNorm.forward",
    ),
    (
        "GPT2Block",
        lambda: GPT2Block(4, 2, rng=0),
        (1, 3, 4),
        (1, 3, 4),
        True,
        "LayerNorm.forward",
    ),
    ("MLP", lambda: sm.MLP([3, 4, 2], rng=0), (2, 3), (2, 2), True),
    (
        "Sequential",
        lambda: Sequential([Dense(3, 4, rng=0), ReLU(), Dense(4, 2, rng=0)]),
        (2, 3),
        (2, 2),
        False,
        "Dense.forward",
    ),
]
for name, make, shape, out_shape, fixed, *nan_by in FLOAT_LAYERS:
    arg = "z" if name in ("ReLU", "Sigmoid", "GELU") else "x"
    fn = method(make, "forward")
    arrays(
        f"{name}.forward",
        fn,
        arg,
        lambda x: ((x,), {}),
        shape,
        dims=fixed,
        nan_by=nan_by[0] if nan_by else None,
    )
    gradients(f"{name}.backward", make, np.ones(shape), out_shape)

ID_LAYERS = [  # name, factory, valid ids, output shape, vocabulary
    ("Embedding", lambda: Embedding(5, 3, rng=0), (2, 3), (2, 3, 3), 5),
    ("GPT", tiny_gpt, (2, 3), (2, 3, V), V),
    ("GPT2", tiny_gpt2, (2, 3), (2, 3, V), V),
]
for name, make, shape, out_shape, vocab in ID_LAYERS:
    ids_arrays(
        f"{name}.forward",
        method(make, "forward"),
        "ids",
        lambda x: ((x,), {}),
        shape,
        vocab,
    )
    arg = "dy" if name == "Embedding" else "dlogits"
    gradients(f"{name}.backward", make, np.zeros(shape, int), out_shape, arg=arg)
for name, make in (("GPT", tiny_gpt), ("GPT2", tiny_gpt2)):
    probe(
        f"{name}.forward",
        "ids: too long",
        method(make, "forward"),
        (np.zeros(7, int),),
        arg="ids",
        given=r"\(7,\)",
    )
    probe(
        f"{name}.forward",
        "ids: 3-D",
        method(make, "forward"),
        (np.zeros((1, 1, 2), int),),
        arg="ids",
        given=r"\(1, 1, 2\)",
    )
probe(
    "PositionalEmbedding.forward",
    "array: too long",
    method(lambda: PositionalEmbedding(4, 3), "forward"),
    (np.ones((5, 3)),),
    arg="x",
    given=r"\(5, 3\)",
)
probe(
    "MLP.predict",
    "array: wrong shape",
    method(lambda: sm.MLP([3, 2]), "predict"),
    (np.ones((2, 4)),),
    arg="x",
    given=r"\(2, 4\)",
)
probe(
    "MLP.predict",
    "array: None",
    method(lambda: sm.MLP([3, 2]), "predict"),
    (None,),
    exc=TypeError,
    arg="x",
    given="None",
)
probe(
    "MLP.predict",
    "single output",
    method(lambda: sm.MLP([3, 1]), "predict"),
    (np.ones((2, 3)),),
    match=r"^MLP\.predict returns class labels, but this MLP has a single output",
)

# Constructors without arguments, and the sinusoidal encoding.
for name, cls in (
    ("Layer", Layer),
    ("ReLU", ReLU),
    ("Sigmoid", Sigmoid),
    ("GELU", GELU),
):
    probe(
        name,
        "no argument",
        cls,
        (3,),
        exc=TypeError,
        match=rf"{name}\.__init__\(\) takes 1 positional argument but 2 were given",
    )
numbers(
    "positional_encoding",
    sm.positional_encoding,
    "n_positions",
    POSITIVE_INT,
    d_model=4,
)
numbers(
    "positional_encoding",
    sm.positional_encoding,
    "d_model",
    POSITIVE_INT,
    n_positions=4,
)
numbers("positional_encoding", sm.positional_encoding, "dtype", DTYPE, 4, 4)

# The layer protocol's own methods.
probe(
    "Layer.forward",
    "abstract",
    method(Layer, "forward"),
    (np.ones(2),),
    exc=NotImplementedError,
    match=r"^Layer\.forward: ",
)
probe(
    "Layer.backward",
    "abstract",
    method(Layer, "backward"),
    (np.ones(2),),
    exc=NotImplementedError,
    match=r"^Layer\.backward: ",
)
probe(
    "Layer.named_params",
    "prefix",
    lambda p: list(Dense(2, 2).named_params(p)),
    (3,),
    exc=TypeError,
    arg="prefix",
    given="3",
)
for value, exc, given in DTYPE:
    probe(
        "Layer.astype",
        "dtype",
        method(lambda: Dense(2, 2), "astype"),
        (value,),
        exc=exc,
        match=expect("Dense.astype", "dtype", given),
    )
probe(
    "Layer.num_params",
    "no argument",
    method(lambda: Dense(2, 2), "num_params"),
    (1,),
    exc=TypeError,
    match=r"num_params\(\) takes 1 positional argument but 2 were given",
)

# KV caches and the cached forward passes.
K = np.ones((1, 2, 1, 2))
probe(
    "KVCache.append",
    "array: None",
    method(lambda: KVCache(1, 2, 4, 2), "append"),
    (None, K),
    exc=TypeError,
    arg="k",
    given="None",
)
probe(
    "KVCache.append",
    "array: wrong shape",
    method(lambda: KVCache(1, 2, 4, 2), "append"),
    (np.ones((1, 2, 1, 3)), np.ones((1, 2, 1, 3))),
    arg="k",
    given=r"\(1, 2, 1, 3\)",
)
probe(
    "KVCache.append",
    "array: ragged",
    method(lambda: KVCache(1, 2, 4, 2), "append"),
    (K, [[1.0], [1.0, 2.0]]),
    arg="v",
    given="ragged",
)
for size in (1e6, -7e4):  # issue 21: a float16 cache would store inf
    for arg, kv in (("k", (np.full((1, 2, 1, 2), size), K)), ("v", (K, K * size))):
        probe(
            "KVCache.append",
            "overflows float16",
            method(lambda: KVCache(1, 2, 4, 2, dtype=np.float16), "append"),
            kv,
            arg=arg,
            given=f"{abs(size):g}".replace("+", r"\+")
            + ".*float16 holds at most 65504",
        )
probe(
    "KVCache.reset",
    "no argument",
    method(lambda: KVCache(1, 2, 4, 2), "reset"),
    (0,),
    exc=TypeError,
    match=r"reset\(\) takes 1 positional argument but 2 were given",
)
for name, make in [
    ("SelfAttention.forward_cached", lambda: SelfAttention(4, rng=0)),
    ("MultiHeadAttention.forward_cached", lambda: MultiHeadAttention(4, 2, rng=0)),
    ("TransformerBlock.forward_cached", lambda: TransformerBlock(4, 2, rng=0)),
]:
    heads = 1 if name.startswith("Self") else 2
    cache = lambda heads=heads: KVCache(1, heads, 4, 4 // heads)  # noqa: E731
    nan_by = "LayerNorm.forward" if name.startswith("Transformer") else None
    arrays(
        name,
        method(make, "forward_cached"),
        "x",
        lambda x, c=cache: ((x, c()), {}),
        (1, 2, 4),
        empty=False,
        nan_by=nan_by,
    )
    probe(
        name,
        "cache: wrong type",
        method(make, "forward_cached"),
        (np.ones((1, 2, 4)), "cache"),
        exc=TypeError,
        match=expect(
            name.replace("TransformerBlock", "MultiHeadAttention"), "cache", "str"
        ),
    )
probe(
    "GPT.new_kv_cache",
    "positive int",
    method(tiny_gpt, "new_kv_cache"),
    ("2",),
    exc=TypeError,
    arg="batch",
    given="'2'",
)
ids_arrays(
    "GPT.forward_cached",
    method(tiny_gpt, "forward_cached"),
    "ids",
    lambda x: ((x, tiny_gpt().new_kv_cache(2)), {}),
    (2, 3),
    V,
)
probe(
    "GPT.forward_cached",
    "cache: one for two blocks",
    method(lambda: GPT(V, 8, 2, 2, 6, rng=0), "forward_cached"),  # two blocks
    ([1], [KVCache(1, 2, 6, 4)] * 2),
    match=r"^GPT.forward_cached: cache\[1\] is the same KVCache as cache\[0\]",
)
probe(
    "GPT.forward_cached",
    "cache: wrong type",
    method(tiny_gpt, "forward_cached"),
    ([1], None),
    exc=TypeError,
    arg="cache",
    given="NoneType",
)
for value, exc, given in FLAG:
    probe(
        "GPT2.train",
        "bool flag",
        method(tiny_gpt2, "train"),
        (value,),
        exc=exc,
        arg="mode",
        given=given,
    )
probe(
    "GPT2.eval",
    "no argument",
    method(tiny_gpt2, "eval"),
    (True,),
    exc=TypeError,
    match=r"eval\(\) takes 1 positional argument but 2 were given",
)

# ------------------------------------------------------------------ optimizers

for name, cls in (("SGD", SGD), ("Adam", Adam)):
    probe(name, "model", cls, (None,), exc=TypeError, arg="model", given="None")
    probe(
        name, "model", cls, ([Dense(2, 2)],), exc=TypeError, arg="model", given="list"
    )
    numbers(name, cls, "lr", POSITIVE_FLOAT, Dense(2, 2))
numbers("SGD", SGD, "momentum", UNIT_INTERVAL, Dense(2, 2))
numbers("Adam", Adam, "eps", POSITIVE_FLOAT, Dense(2, 2))
numbers("Adam", Adam, "weight_decay", NON_NEGATIVE_FLOAT, Dense(2, 2))
for value, exc, given in [
    (0.9, TypeError, r"got 0\.9"),
    ("ab", TypeError, r"got 'ab'"),
    (None, TypeError, r"got None"),
    ((0.9,), TypeError, r"got \(0\.9,\)"),
    ((0.9, 0.99, 0.999), TypeError, r"got \(0\.9, 0\.99, 0\.999\)"),
]:
    probe(
        "Adam",
        "betas pair",
        Adam,
        (Dense(2, 2),),
        {"betas": value},
        exc,
        arg="betas",
        given=given,
    )
for value, exc, given in UNIT_INTERVAL:
    probe(
        "Adam",
        "betas pair",
        Adam,
        (Dense(2, 2),),
        {"betas": (value, 0.99)},
        exc,
        arg="betas[0]",
        given=given,
    )
    probe(
        "Adam",
        "betas pair",
        Adam,
        (Dense(2, 2),),
        {"betas": (0.9, value)},
        exc,
        arg="betas[1]",
        given=given,
    )

STEPS = [
    ("SGD.step", lambda m: SGD(m).step),
    ("SGD.step", lambda m: SGD(m, momentum=0.9).step),
    ("Adam.step", lambda m: Adam(m).step),
    ("Adam.textbook_step", lambda m: Adam(m).textbook_step),
    ("clip_grad_norm", lambda m: lambda: sm.clip_grad_norm(m, 1.0)),
]
for name, stepper in STEPS:
    for kind, grad, exc, given in [
        ("gradient: wrong shape", np.ones(3), ValueError, r"shape \(3,\)"),
        ("gradient: wrong shape", np.ones((3, 2, 1)), ValueError, r"shape \(3, 2, 1\)"),
        # broadcasts
        (
            "gradient: wrong shape",
            np.ones((1, 2)),
            ValueError,
            r"shape \(1, 2\)",
        ),
        ("gradient: list", np.ones((3, 2)).tolist(), TypeError, "list"),
        ("gradient: None", None, RuntimeError, "no gradient"),
        ("gradient: NaN", np.full((3, 2), np.nan), ValueError, "NaN"),
        ("gradient: inf", np.full((3, 2), np.inf), ValueError, "infinity"),
        ("gradient: int", np.ones((3, 2), int), TypeError, "int64"),
    ]:

        def run(grad=grad, stepper=stepper):
            layer = dense_with_grads()
            if grad is None:
                del layer.grads["W"]
            else:
                layer.grads["W"] = grad
            stepper(layer)()

        probe(name, kind, run, exc=exc, arg="W", given=given)
numbers(
    "clip_grad_norm", sm.clip_grad_norm, "max_norm", POSITIVE_FLOAT, dense_with_grads()
)
probe(
    "clip_grad_norm",
    "model",
    sm.clip_grad_norm,
    (None, 1.0),
    exc=TypeError,
    arg="model",
    given="None",
)
probe(
    "clip_grad_norm",
    "gradient: overflow",
    lambda: sm.clip_grad_norm(with_grad(np.full((3, 2), 1e300))(), 1.0),
    arg="norm",
    given="overflow",
)

# ------------------------------------------------------------------ gradient checks

name, fn = "numerical_gradient", sm.numerical_gradient
probe(name, "callable", fn, (None, np.ones(2)), exc=TypeError, arg="f", given="None")
probe(
    name,
    "array: float32",
    fn,
    (lambda: 0.0, np.ones(2, np.float32)),
    exc=TypeError,
    arg="x",
    given="float32",
)
probe(
    name,
    "array: list",
    fn,
    (lambda: 0.0, [1.0, 2.0]),
    exc=TypeError,
    arg="x",
    given="list",
)
probe(name, "array: empty", fn, (lambda: 0.0, np.ones(0)), arg="x", given=r"\(0,\)")
numbers(name, fn, "eps", POSITIVE_FLOAT, lambda: 0.0, np.ones(2))
probe(name, "f returns NaN", fn, (lambda: math.nan, np.ones(2)), arg="f", given="nan")
probe(
    name,
    "f returns str",
    fn,
    (lambda: "x", np.ones(2)),
    exc=TypeError,
    arg="f",
    given="'x'",
)

name, fn = "relative_error", sm.relative_error
arrays(name, fn, "a", lambda x: ((x, np.ones((2, 3))), {}), (2, 3))
arrays(name, fn, "b", lambda x: ((np.ones((2, 3)), x), {}), (2, 3))
probe(
    name,
    "array: wrong shape",
    fn,
    (np.ones(3), np.ones((3, 1))),
    arg="b",
    given=r"\(3, 1\)",
)
probe(
    name, "array: wrong shape", fn, (np.ones(1), np.ones(3)), arg="b", given=r"\(3,\)"
)
numbers(name, fn, "floor", NON_NEGATIVE_FLOAT, np.ones(2), np.ones(2))

name, fn = "check_gradients", sm.check_gradients
probe(
    name, "model", fn, (None, np.ones((1, 2))), exc=TypeError, arg="layer", given="None"
)
probe(
    name,
    "loss",
    fn,
    (Dense(2, 2), np.ones((1, 2))),
    {"loss": "mse"},
    exc=TypeError,
    arg="loss",
    given="'mse'",
)
probe(
    name,
    "loss",
    fn,
    (Dense(2, 2), np.ones((1, 2))),
    {"loss": (None, None)},
    exc=TypeError,
    arg="loss",
    given="None",
)
numbers(name, fn, "eps", POSITIVE_FLOAT, Dense(2, 2), np.ones((1, 2)))
numbers(name, fn, "rng", RNG, Dense(2, 2), np.ones((1, 2)))
probe(
    name, "array: None", fn, (Dense(2, 2), None), exc=TypeError, arg="x", given="None"
)
probe(
    name,
    "array: ragged",
    fn,
    (Dense(2, 2), [[1.0, 2.0], [1.0]]),
    arg="x",
    given="ragged",
)
probe(name, "array: str", fn, (Dense(2, 2), "ab"), exc=TypeError, arg="x", given="'ab'")

# ------------------------------------------------------------------ training an MLP

Xs, ys = np.ones((6, 3)), np.array([0, 1, 0, 1, 0, 1])
for name, fn in [
    ("iterate_minibatches", lambda *a, **k: next(sm.iterate_minibatches(*a, **k))),
    ("train_test_split", sm.train_test_split),
]:
    extra = (2,) if name == "iterate_minibatches" else ()
    arrays(
        name,
        fn,
        "X",
        lambda x, e=extra: ((x, ys[:2]) + e, {}),
        (2, 3),
        dims=False,
        empty=False,
    )
    probe(name, "array: rows", fn, (Xs, ys[:4]) + extra, arg="y", given=r"\(4,\)")
    probe(
        name,
        "array: None",
        fn,
        (Xs, None) + extra,
        exc=TypeError,
        arg="y",
        given="None",
    )
    numbers(name, fn, "rng", RNG, Xs, ys, *extra)
for value, exc, given in POSITIVE_INT:
    probe(
        "iterate_minibatches",
        "positive int",
        lambda *a, **k: next(sm.iterate_minibatches(*a, **k)),
        (Xs, ys, value),
        exc=exc,
        arg="batch_size",
        given=given,
    )
numbers("train_test_split", sm.train_test_split, "test_fraction", OPEN_FRACTION, Xs, ys)
probe(
    "train_test_split",
    "fraction: empty part",
    sm.train_test_split,
    (Xs, ys),
    {"test_fraction": 0.01},
    arg="test_fraction",
    given="0.01",
)

name, fn = "accuracy", sm.accuracy
S = np.eye(3)
probe(
    name,
    "array: NaN",
    fn,
    (np.array([[np.nan, 1.0], [1.0, 0.0]]), [0, 1]),
    arg="logits_or_labels",
    given="NaN",
)
probe(name, "labels: out of range", fn, (S, [0, 1, 3]), arg="y", given="3")
probe(name, "labels: negative", fn, (S, [0, 1, -1]), arg="y", given="-1")
probe(
    name,
    "labels: float",
    fn,
    (S, [0.0, 1.0, 2.0]),
    exc=TypeError,
    arg="y",
    given="float64",
)
probe(name, "labels: 2-D", fn, (S, np.zeros((3, 1), int)), arg="y", given=r"\(3, 1\)")
probe(
    name,
    "labels: 2-D",
    fn,
    (np.zeros((3, 2), int), np.zeros((3, 2), int)),
    arg="y",
    given=r"\(3, 2\)",
)
probe(name, "two score matrices", fn, (S, S), exc=TypeError, arg="y", given="float64")
probe(name, "array: wrong shape", fn, (S, [0, 1]), arg="y", given=r"\(2,\)")
probe(
    name,
    "array: None",
    fn,
    (None, [0]),
    exc=TypeError,
    arg="logits_or_labels",
    given="None",
)
probe(
    name,
    "array: empty",
    fn,
    (np.zeros(0, int), np.zeros(0, int)),
    arg="y",
    given=r"\(0,\)",
)
probe(
    name,
    "labels: float predictions",
    fn,
    ([0.0, 1.0], [0, 1]),
    exc=TypeError,
    arg="logits_or_labels",
    given="float64",
)

name, fn = "fit", sm.fit


X_line, y_line = sm.make_regression_1d(n=50, rng=0)


def fit_line(lr=3.0, **kwargs):
    """``fit`` of a line by SGD at ``lr``, 100 epochs of one whole-set batch; at 3.0
    its float32 loss overflows in epoch 28 (training-loop.md)."""
    line = Dense(1, 1, rng=0)
    with np.errstate(over="ignore"):  # numpy's warning; fit's error is the test
        return sm.fit(line, X_line, y_line, "mse", SGD(line, lr=lr), 100, 50, **kwargs)


mlp = lambda: sm.MLP([3, 2], rng=0)  # noqa: E731
probe(name, "model", fn, (None, Xs, ys), exc=TypeError, arg="model", given="None")
arrays(name, fn, "X", lambda x: ((mlp(), x, ys[:2]), {}), (2, 3), empty=False)
probe(
    name,
    "labels: float",
    fn,
    (mlp(), Xs, ys.astype(float)),
    exc=TypeError,
    arg="y",
    given="float64",
)
probe(name, "labels: out of range", fn, (mlp(), Xs, ys + 1), arg="y", given="2")
probe(
    name, "choice", fn, (mlp(), Xs, ys), {"loss": "hinge"}, arg="loss", given="'hinge'"
)
probe(
    name,
    "optimizer",
    fn,
    (mlp(), Xs, ys),
    {"optimizer": "adam"},
    exc=TypeError,
    arg="optimizer",
    given="'adam'",
)
numbers(name, fn, "epochs", POSITIVE_INT, mlp(), Xs, ys)
numbers(name, fn, "batch_size", POSITIVE_INT, mlp(), Xs, ys)
numbers(name, fn, "rng", RNG, mlp(), Xs, ys)
numbers(name, fn, "verbose", FLAG, mlp(), Xs, ys)
probe(name, "validation set", fn, (mlp(), Xs, ys), {"X_val": Xs}, arg="y_val")
probe(
    name,
    "validation set",
    fn,
    (mlp(), Xs, ys),
    {"X_val": np.ones((2, 4)), "y_val": ys[:2]},
    arg="X_val",
    given=r"\(2, 4\)",
)
probe(
    name,
    "mse target",
    fn,
    (mlp(), Xs, np.ones((6, 3))),
    {"loss": "mse"},
    arg="y",
    given=r"\(6, 3\)",
)
# issue 21: the held-out set's errors name X_val and y_val; an infinite loss stops fit
for kind, X_val, exc, given in [  # None would mean "no held-out set"
    ("array: str", "abc", TypeError, "'abc'"),
    ("array: strings", np.full((2, 3), "a"), TypeError, "dtype <U1"),
    ("array: complex", np.ones((2, 3), complex), TypeError, "complex128"),
    ("array: NaN", np.full((2, 3), np.nan), ValueError, "NaN"),
    ("array: inf", np.full((2, 3), np.inf), ValueError, "infinity"),
    ("array: ragged", [[1.0] * 3, [1.0] * 4], ValueError, "ragged"),
]:
    probe(
        name,
        kind,
        fn,
        (mlp(), Xs, ys),
        {"X_val": X_val, "y_val": ys[:2]},
        exc,
        arg="X_val",
        given=given,
    )
probe(
    name,
    "validation set",
    fn,
    (mlp(), Xs, ys),
    {"X_val": Xs, "y_val": ys[:2]},
    arg="y_val",
    given=r"X_val has shape \(6, 3\)",
)
probe(
    name,
    "validation set",
    fn,
    (mlp(), Xs, ys),
    {"X_val": Xs, "y_val": "abc"},
    exc=TypeError,
    arg="y_val",
    given="'abc'",
)
probe(name, "loss overflows", fit_line, arg="epoch 28", given="inf")
probe(
    name,
    "validation loss overflows",
    fit_line,
    (0.1,),
    {"X_val": X_line, "y_val": y_line + 1e20},  # float32 holds it, not its square
    arg="validation loss",
    given="epoch 1 is inf",
)

# ------------------------------------------------------------------ data

for name, fn, count in [
    ("make_regression_1d", sm.make_regression_1d, "n"),
    ("make_blobs", sm.make_blobs, "n_per_class"),
    ("make_moons", sm.make_moons, "n_per_class"),
]:
    numbers(name, fn, count, POSITIVE_INT)
    numbers(name, fn, "rng", RNG)
numbers("make_regression_1d", sm.make_regression_1d, "noise", NON_NEGATIVE_FLOAT)
numbers("make_moons", sm.make_moons, "noise", NON_NEGATIVE_FLOAT)
numbers("make_blobs", sm.make_blobs, "spread", NON_NEGATIVE_FLOAT)
numbers("make_blobs", sm.make_blobs, "n_classes", POSITIVE_INT)
numbers("make_regression_1d", sm.make_regression_1d, "slope", FINITE_FLOAT)
numbers("make_regression_1d", sm.make_regression_1d, "intercept", FINITE_FLOAT)
probe(
    "load_digits",
    "no argument",
    sm.load_digits,
    (1,),
    exc=TypeError,
    match=r"load_digits\(\) takes 0 positional arguments but 1 was given",
)

# ------------------------------------------------------------------ text and tokenizers

for name, fn, extra in [
    ("train_val_split", sm.train_val_split, ()),
    ("get_batch", sm.get_batch, (2, 4)),
]:
    ids_place = lambda x, e=extra: ((x,) + e, {})  # noqa: E731
    probe(
        name, "ids: None", fn, *ids_place(None), exc=TypeError, arg="ids", given="None"
    )
    probe(
        name,
        "ids: str",
        fn,
        *ids_place("some text"),
        exc=TypeError,
        arg="ids",
        given="str",
    )
    probe(
        name,
        "ids: float",
        fn,
        *ids_place(IDS.astype(float)),
        exc=TypeError,
        arg="ids",
        given="float64",
    )
    probe(
        name,
        "ids: 2-D",
        fn,
        *ids_place(IDS.reshape(4, 10)),
        arg="ids",
        given=r"\(4, 10\)",
    )
    probe(
        name, "ids: empty", fn, *ids_place(np.zeros(0, int)), arg="ids", given=r"\(0,\)"
    )
    probe(name, "ids: ragged", fn, *ids_place([[1, 2], [3]]), arg="ids", given="ragged")
numbers("train_val_split", sm.train_val_split, "val_fraction", OPEN_FRACTION, IDS)
numbers("get_batch", sm.get_batch, "batch_size", POSITIVE_INT, IDS, context_length=4)
numbers("get_batch", sm.get_batch, "context_length", POSITIVE_INT, IDS, batch_size=2)
numbers("get_batch", sm.get_batch, "rng", RNG, IDS, 2, 4)
probe(
    "get_batch",
    "text too short",
    sm.get_batch,
    (IDS, 2, 40),
    arg="context_length",
    given="40",
)

probe("load_text", "path", sm.load_text, (3,), exc=TypeError, arg="path", given="3")
probe(
    "load_text",
    "path",
    sm.load_text,
    ("/nonexistent/x.txt",),
    arg="no such file",  # a path is named by its value
    given="'/nonexistent/x.txt'",
)
probe("load_text", "path", sm.load_text, ("/",), arg="'/'", given="directory")
probe(
    "load_tiny_shakespeare",
    "path",
    sm.load_tiny_shakespeare,
    (3,),
    exc=TypeError,
    arg="cache_dir",
    given="3",
)

name = "CharTokenizer"
probe(name, "chars", CharTokenizer, (None,), exc=TypeError, arg="chars", given="None")
probe(name, "chars", CharTokenizer, (["ab"],), arg="chars", given="'ab'")
probe(name, "chars", CharTokenizer, (["a", "a"],), arg="chars", given="'a'")
probe(name, "chars", CharTokenizer, ([],), arg="chars", given="empty")
probe(name, "chars", CharTokenizer, ([1, 2],), exc=TypeError, arg="chars", given="1")
probe(
    "CharTokenizer.from_text",
    "text",
    CharTokenizer.from_text,
    ("",),
    arg="text",
    given="''",
)
probe(
    "CharTokenizer.from_text",
    "text",
    CharTokenizer.from_text,
    (None,),
    exc=TypeError,
    arg="text",
    given="None",
)
probe(
    "CharTokenizer.encode",
    "text",
    CHARS.encode,
    (None,),
    exc=TypeError,
    arg="text",
    given="NoneType",
)
probe(
    "CharTokenizer.encode",
    "text",
    CHARS.encode,
    ([1],),
    exc=TypeError,
    arg="text",
    given="list",
)
probe(
    "CharTokenizer.encode", "text", CHARS.encode, ("xyz",), arg="character", given="'x'"
)
ids_arrays(
    "CharTokenizer.decode",
    CHARS.decode,
    "ids",
    lambda x: ((x,), {}),
    (3,),
    V,
    empty=False,
)
probe(
    "CharTokenizer.decode",
    "ids: 2-D",
    CHARS.decode,
    ([[1, 2]],),
    arg="ids",
    given=r"\(1, 2\)",
)

name = "BPETokenizer"
BYTES = [bytes([b]) for b in range(256)]
probe(
    name, "tokens", BPETokenizer, (None, []), exc=TypeError, arg="tokens", given="None"
)
probe(
    name,
    "tokens",
    BPETokenizer,
    ("abc", []),
    exc=TypeError,
    arg="tokens",
    given="'abc'",
)
probe(
    name,
    "merges",
    BPETokenizer,
    (BYTES, None),
    exc=TypeError,
    arg="merges",
    given="None",
)
probe(
    name,
    "merges",
    BPETokenizer,
    (BYTES, [(1, 2, 3)]),
    arg="merges",
    given=r"\(1, 2, 3\)",
)
probe(
    name,
    "merges",
    BPETokenizer,
    (BYTES, [("a", "b")]),
    exc=TypeError,
    arg="merges",
    given="'a'",
)
probe(name, "merges", BPETokenizer, (BYTES, [(0, 300)]), arg="merges[0]", given="300")
probe(
    name,
    "pattern",
    BPETokenizer,
    (BYTES, []),
    {"pattern": "("},
    arg="pattern",
    given=r"'\('",
)
probe(
    name,
    "pattern",
    BPETokenizer,
    (BYTES, []),
    {"pattern": None},
    exc=TypeError,
    arg="pattern",
    given="NoneType",
)
for pattern, given in [  # issue 21: a pattern whose matches would lose text
    ("", "'' matches the empty string"),
    (r"\s*", "matches the empty string"),
    (r"\w+", "skips ','"),
    (r"(\w+)|\W+", "capturing group"),
]:
    probe(
        name,
        "pattern loses text",
        BPETokenizer,
        (BYTES, []),
        {"pattern": pattern},
        arg="pattern",
        given=given,
    )
    probe(
        "BPETokenizer.train",
        "pattern loses text",
        BPETokenizer.train,
        ("ab ab, ab", 258),
        {"pattern": pattern},
        arg="pattern",
        given=given,
    )
BPE = BPETokenizer(BYTES, [])
probe(
    "BPETokenizer.encode",
    "text",
    BPE.encode,
    (None,),
    exc=TypeError,
    arg="text",
    given="NoneType",
)
ids_arrays(
    "BPETokenizer.decode",
    BPE.decode,
    "ids",
    lambda x: ((x,), {}),
    (3,),
    257,
    empty=False,
)
probe(
    "BPETokenizer.save",
    "directory",
    BPE.save,
    (None,),
    exc=TypeError,
    arg="directory",
    given="None",
)
probe(
    "BPETokenizer.save",
    "directory",
    BPE.save,
    (__file__,),
    arg="directory",
    given="not a directory",
)
probe(
    "BPETokenizer.from_pretrained",
    "directory",
    BPETokenizer.from_pretrained,
    ("/nonexistent",),
    arg="vocab.json",
    given="/nonexistent",
)
probe(
    "BPETokenizer.train",
    "text",
    BPETokenizer.train,
    (None, 300),
    exc=TypeError,
    arg="text",
    given="NoneType",
)
for value, exc, given in POSITIVE_INT:
    probe(
        "BPETokenizer.train",
        "positive int",
        BPETokenizer.train,
        ("abc", value),
        exc=exc,
        arg="vocab_size",
        given=given,
    )
probe(
    "BPETokenizer.train",
    "pattern",
    BPETokenizer.train,
    ("abc", 258),
    {"pattern": "["},
    arg="pattern",
    given=r"'\['",
)

# ------------------------------------------------------------------ generation

LOG = np.array([1.0, 2.0, 3.0])
name, fn = "sample_next_token", sm.sample_next_token
arrays(name, fn, "logits", lambda x: ((x,), {}), (2, 3), dims=False, nan=False)
probe(name, "array: 0-d", fn, (1.0,), arg="logits", given=r"\(\)")
probe(name, "array: 3-D", fn, (np.ones((1, 2, 3)),), arg="logits", given=r"\(1, 2, 3\)")
probe(name, "array: NaN", fn, ([1.0, np.nan],), arg="logits", given="NaN")
numbers(name, fn, "temperature", NON_NEGATIVE_FLOAT, LOG)
numbers(name, fn, "top_k", POSITIVE_INT.but(None), LOG)
numbers(name, fn, "rng", RNG, LOG)
for value, given in [
    ("0.9", r"'0\.9'"),
    (0, "0"),
    (1.5, r"1\.5"),
    (math.nan, "nan"),
    (True, "True"),
]:
    probe(name, "top_p", fn, (LOG,), {"top_p": value}, arg="top_p", given=given)
name, fn = "top_p_filter", sm.top_p_filter
arrays(name, fn, "probs", lambda x: ((x, 0.9), {}), (2, 3), dims=False)
for value, given in [
    ("0.9", r"'0\.9'"),
    (None, "None"),
    (0, "0"),
    (1.5, r"1\.5"),
    (math.nan, "nan"),
]:
    probe(name, "top_p", fn, (np.ones(3) / 3, value), arg="top_p", given=given)
for probs, given in [  # issue 21: each row must be a distribution
    (np.ones(3), "sum of 3"),
    ([0.25, 0.25], r"sum of 0\.5"),
    ([[0.5, 0.5], [0.0, 0.0]], r"sum of 0 \(row 1\)"),
    ([1.5, -0.5], r"got -0\.5"),
    (np.float64(1.0), r"shape \(\)"),
]:
    probe(name, "probs: not a distribution", fn, (probs, 0.9), arg="probs", given=given)

name, fn = "generate", sm.generate
probe(name, "model", fn, (None, [1], 2), exc=TypeError, arg="model", given="None")
ids_arrays(name, fn, "token_ids", lambda x: ((tiny_gpt(), x, 2), {}), (2, 3), V)
probe(
    name,
    "ids: 3-D",
    fn,
    (tiny_gpt(), np.zeros((1, 1, 2), int), 2),
    arg="token_ids",
    given=r"\(1, 1, 2\)",
)
numbers(name, fn, "n_new", NON_NEGATIVE_INT, tiny_gpt(), [1])
numbers(name, fn, "temperature", NON_NEGATIVE_FLOAT, tiny_gpt(), [1], 2)
numbers(name, fn, "top_k", POSITIVE_INT.but(None), tiny_gpt(), [1], 2)
numbers(name, fn, "rng", RNG, tiny_gpt(), [1], 2)
numbers(name, fn, "kv_cache", FLAG, tiny_gpt(), [1], 2)

# ------------------------------------------------------------------ training a language
# model

name, fn = "scheduled_lr", sm.scheduled_lr
GOOD_SCHEDULE = dict(step=1, lr=0.1, steps=10, warmup_steps=2, min_lr=0.01)
for arg, values in [
    ("step", POSITIVE_INT),
    ("lr", POSITIVE_FLOAT),
    ("steps", POSITIVE_INT),
    ("warmup_steps", NON_NEGATIVE_INT),
    ("min_lr", NON_NEGATIVE_FLOAT.but(None)),  # None means "no decay"
]:
    numbers(
        name, fn, arg, values, **{k: v for k, v in GOOD_SCHEDULE.items() if k != arg}
    )
probe(
    name,
    "schedule",
    fn,
    (),
    {**GOOD_SCHEDULE, "warmup_steps": 11},
    arg="warmup_steps",
    given="11",
)
probe(
    name,
    "schedule",
    fn,
    (),
    {**GOOD_SCHEDULE, "min_lr": 0.2},
    arg="min_lr",
    given="0.2",
)
probe(name, "schedule", fn, (), {**GOOD_SCHEDULE, "step": 11}, arg="step", given="11")

name, fn = "evaluate_loss", sm.evaluate_loss
X1, Y1 = np.zeros((1, 3), int), np.zeros((1, 3), int)
probe(name, "batches", fn, (tiny_gpt(), []), arg="batches", given=r"\[\]")
probe(
    name, "batches", fn, (tiny_gpt(), None), exc=TypeError, arg="batches", given="None"
)
probe(name, "batches", fn, (tiny_gpt(), [(X1,)]), arg="batches", given=r"\[0\]")
probe(
    name, "batches", fn, (tiny_gpt(), "xy"), exc=TypeError, arg="batches", given="'xy'"
)
probe(name, "model", fn, (None, [(X1, Y1)]), exc=TypeError, arg="model", given="None")
probe(
    name,
    "labels: out of range",
    fn,
    (tiny_gpt(), [(X1, Y1 + V)]),
    arg="batches",
    given=str(V),
)
probe(
    name,
    "ids: out of range",
    fn,
    (tiny_gpt(), [(X1 + V, Y1)]),
    arg="batches",
    given=str(V),
)

name, fn = "train", sm.train
TRAIN = dict(
    steps=2,
    batch_size=2,
    eval_every=1,
    eval_batches=1,
    log=lambda s: None,
    progress=False,
)
for arg, values in [
    ("steps", POSITIVE_INT),
    ("batch_size", POSITIVE_INT),
    ("lr", POSITIVE_FLOAT),
    ("weight_decay", NON_NEGATIVE_FLOAT),
    ("grad_clip", NON_NEGATIVE_FLOAT.but(None)),
    ("warmup_steps", NON_NEGATIVE_INT),
    ("min_lr", NON_NEGATIVE_FLOAT.but(None)),
    ("eval_every", POSITIVE_INT),
    ("eval_batches", POSITIVE_INT),
    ("sample_every", NON_NEGATIVE_INT),
    ("sample_length", POSITIVE_INT),
    ("temperature", POSITIVE_FLOAT),
    ("rng", RNG),
    ("progress", FLAG),
]:
    numbers(
        name,
        fn,
        arg,
        values,
        tiny_gpt(),
        IDS,
        IDS,
        **{k: v for k, v in TRAIN.items() if k != arg},
    )
probe(name, "model", fn, (None, IDS, IDS), TRAIN, TypeError, arg="model", given="None")
probe(
    name,
    "model",
    fn,
    (sm.MLP([3, 2]), IDS, IDS),
    TRAIN,
    TypeError,
    arg="model",
    given="MLP",
)
probe(
    name,
    "ids: float",
    fn,
    (tiny_gpt(), IDS.astype(float), IDS),
    TRAIN,
    TypeError,
    arg="train_ids",
    given="float64",
)
probe(
    name,
    "ids: out of range",
    fn,
    (tiny_gpt(), IDS, IDS + V),
    TRAIN,
    arg="val_ids",
    given=f"id {V}",
)
probe(
    name,
    "text too short",
    fn,
    (tiny_gpt(), IDS, IDS[:6]),
    TRAIN,
    arg="val_ids",
    given="6",
)
probe(
    name,
    "schedule",
    fn,
    (tiny_gpt(), IDS, IDS),
    {**TRAIN, "warmup_steps": 3},
    arg="warmup_steps",
    given="3",
)
probe(
    name,
    "schedule",
    fn,
    (tiny_gpt(), IDS, IDS),
    {**TRAIN, "lr": 0.1, "min_lr": 0.2},
    arg="min_lr",
    given="0.2",
)
probe(
    name,
    "log",
    fn,
    (tiny_gpt(), IDS, IDS),
    {**TRAIN, "log": "print"},
    TypeError,
    arg="log",
    given="'print'",
)
probe(
    name,
    "tokenizer",
    fn,
    (tiny_gpt(), IDS, IDS),
    {**TRAIN, "sample_every": 1},
    arg="tokenizer",
)
probe(
    name,
    "tokenizer",
    fn,
    (tiny_gpt(), IDS, IDS),
    {**TRAIN, "sample_every": 1, "tokenizer": "abc"},
    TypeError,
    arg="tokenizer",
    given="'abc'",
)
probe(
    name,
    "tokenizer",
    fn,
    (tiny_gpt(), IDS, IDS),
    {**TRAIN, "sample_every": 1, "tokenizer": CharTokenizer("abc")},
    arg="tokenizer",
    given="3",
)

# ------------------------------------------------------------------ checkpoints and
# GPT-2 files


def tmp_file(name: str) -> str:
    """A path in the temporary directory, not created: every probe fails before
    writing."""
    import tempfile

    return os.path.join(tempfile.gettempdir(), f"scratchml-bad-input-{name}")


name, fn = "save_checkpoint", sm.save_checkpoint
probe(
    name, "path", fn, (None, tiny_gpt(), CHARS), exc=TypeError, arg="path", given="None"
)
probe(
    name,
    "path",
    fn,
    (os.path.dirname(__file__), tiny_gpt(), CHARS),
    arg="path",
    given="directory",
)
probe(
    name,
    "path",
    fn,
    ("/nonexistent/dir/x.npz", tiny_gpt(), CHARS),
    arg="path",
    given="does not exist",
)
probe(
    name,
    "model",
    fn,
    (tmp_file("x.npz"), None, CHARS),
    exc=TypeError,
    arg="model",
    given="None",
)
probe(
    name,
    "model",
    fn,
    (tmp_file("x.npz"), sm.MLP([2, 2]), CHARS),
    exc=TypeError,
    arg="model",
    given="MLP",
)
probe(
    name,
    "tokenizer",
    fn,
    (tmp_file("x.npz"), tiny_gpt(), None),
    exc=TypeError,
    arg="tokenizer",
    given="None",
)
probe(
    name,
    "tokenizer",
    fn,
    (tmp_file("x.npz"), tiny_gpt(), CharTokenizer("abc")),
    arg="tokenizer",
    given="3 tokens",
)
probe(
    name,
    "extra",
    fn,
    (tmp_file("x.npz"), tiny_gpt(), CHARS),
    {"extra": [1, 2]},
    exc=TypeError,
    arg="extra",
    given=r"\[1, 2\]",
)
probe(
    name,
    "extra",
    fn,
    (tmp_file("x.npz"), tiny_gpt(), CHARS),
    {"extra": {"a": np.ones(2)}},
    arg="extra",
    given="ndarray",
)
probe(
    "load_checkpoint",
    "path",
    sm.load_checkpoint,
    (3,),
    exc=TypeError,
    arg="path",
    given="3",
)
probe(
    "load_checkpoint",
    "path",
    sm.load_checkpoint,
    ("/nonexistent.npz",),
    arg="/nonexistent.npz",
    given="no such file",
)
probe(
    "load_checkpoint",
    "path",
    sm.load_checkpoint,
    (__file__,),
    arg=repr(__file__),
    given="zip",
)
probe(
    "load_shipped",
    "no argument",
    sm.load_shipped,
    (1,),
    exc=TypeError,
    match=r"load_shipped\(\) takes 0 positional arguments but 1 was given",
)

name, fn = "gpt2_num_params", sm.gpt2_num_params
for arg in ("vocab_size", "d_model", "n_layers", "context_length"):
    good = dict(vocab_size=V, d_model=8, n_layers=1, context_length=6)
    numbers(name, fn, arg, POSITIVE_INT, **{k: v for k, v in good.items() if k != arg})
numbers(name, fn, "d_hidden", POSITIVE_INT.but(None), V, 8, 1, 6)
probe(
    "save_gpt2",
    "directory",
    sm.save_gpt2,
    (tiny_gpt2(), __file__),
    arg="directory",
    given="not a directory",
)
probe(
    "save_gpt2",
    "model",
    sm.save_gpt2,
    (tiny_gpt(), tmp_file("g")),
    exc=TypeError,
    arg="model",
    given="GPT",
)
probe(
    "save_gpt2",
    "directory",
    sm.save_gpt2,
    (tiny_gpt2(), os.path.join(__file__, "gpt2")),
    arg="directory",
    given="which is a file",
)
ONE = {"a": np.ones(2, np.float32)}
probe(
    "save_safetensors",
    "path",
    sm.save_safetensors,
    (None, ONE),
    exc=TypeError,
    arg="path",
    given="None",
)
probe(
    "save_safetensors",
    "path",
    sm.save_safetensors,
    ("/nonexistent/dir/x.safetensors", ONE),
    arg="path",
    given="'/nonexistent/dir/x.safetensors' is in a folder that does not exist",
)
probe(
    "save_safetensors",
    "path",
    sm.save_safetensors,
    (os.path.join(__file__, "x.safetensors"), ONE),
    arg="path",
    given="which is a file",
)
probe(
    "save_safetensors",
    "tensors",
    sm.save_safetensors,
    (tmp_file("m.safetensors"), {"__metadata__": np.ones(2, np.float32)}),
    arg="tensors",
    given="'__metadata__'",
)
probe(
    "save_safetensors",
    "metadata",
    sm.save_safetensors,
    (tmp_file("m.safetensors"), ONE, ["pt"]),
    exc=TypeError,
    arg="metadata",
    given=r"\['pt'\]",
)
probe(
    "load_safetensors",
    "path",
    sm.load_safetensors,
    (3,),
    exc=TypeError,
    arg="path",
    given="3",
)

# ------------------------------------------------------------------ the command line

# Each: argv, what stderr must contain. The training ones must fail before any step.
CLI = [
    (["train", "--seed", "-1"], r"argument --seed: .*got '-1'"),
    (["train", "--seed", "1.5"], r"argument --seed: .*got '1\.5'"),
    (
        ["train", "--out", "no/such/dir/x.npz"],
        r"argument --out: 'no/such/dir/x\.npz'.*does not exist",
    ),
    (["train", "--out", "."], r"argument --out: '\.' is a directory"),
    (["train", "--out", ""], r"argument --out: .*''"),
    (["train", "--lr", "nan"], r"argument --lr: .*got 'nan'"),
    (["train", "--lr", "inf"], r"argument --lr: .*got 'inf'"),
    (["train", "--min-lr", "-1"], r"argument --min-lr: .*got '-1'"),
    (["train", "--warmup", "-1"], r"argument --warmup: .*got '-1'"),
    (["train", "--warmup", "1.5"], r"argument --warmup: .*got '1\.5'"),
    (["train", "--val-fraction", "1"], r"argument --val-fraction: .*got '1'"),
    (
        ["train", "--steps", "5", "--warmup", "6"],
        r"argument --warmup: 6 is more than --steps 5",
    ),
    (["train", "--vocab-size", "300"], r"--vocab-size .*need --tokenizer bpe"),
    (
        ["train", "--tokenizer-dir", "/nonexistent", "--tokenizer", "bpe"],
        r"argument --tokenizer-dir: no file '/nonexistent/vocab\.json'",
    ),
    (["generate", "--top-k", "0"], r"argument --top-k: .*got '0'"),
    (["generate", "--top-p", "0"], r"argument --top-p: .*got '0'"),
    (["generate", "--seed", "-1"], r"argument --seed: .*got '-1'"),
    (["generate", "--gpt2", "/nonexistent"], r"--gpt2 /nonexistent: no such directory"),
]


def unwritable_dir(tmp_path) -> str | None:
    """A directory this process cannot create files in (root ignores permissions)."""
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        (locked / "probe").touch()
    except OSError:
        return str(locked)
    (locked / "probe").unlink()
    return (
        "/proc" if sys.platform.startswith("linux") and os.path.isdir("/proc") else None
    )


# ------------------------------------------------------------------ the other test
# files' probes

COLLECTED = []
for path in sorted(TESTS.glob("test_*.py")):
    if path.name == Path(__file__).name or "BAD_INPUT_PROBES =" not in path.read_text(
        "utf-8"
    ):
        continue
    module = importlib.import_module(path.stem)
    for qualname, label, thunk, exc, pattern in module.BAD_INPUT_PROBES:
        COLLECTED.append(path.stem)
        PROBES.append(
            (qualname, f"from {path.stem}: {label}", thunk, (), {}, exc, pattern)
        )


# ------------------------------------------------------------------ the tests

IDS_OF = Counter()


def _id(p) -> str:
    base = f"{p[0]}-{p[1]}"
    IDS_OF[base] += 1
    return base if IDS_OF[base] == 1 else f"{base}-{IDS_OF[base]}"


@pytest.mark.parametrize(
    "name, kind, fn, args, kwargs, exc, pattern", PROBES, ids=[_id(p) for p in PROBES]
)
def test_bad_input_is_rejected_clearly(name, kind, fn, args, kwargs, exc, pattern):
    with pytest.raises(exc) as info:
        fn(*args, **kwargs)
    message = str(info.value)
    assert re.search(pattern, message), (
        f"message {message!r} does not match {pattern!r}"
    )
    assert "Traceback" not in message and "\n" not in message.strip()


def public_names() -> set[str]:
    """Every name in ``__all__``, every public method of the exported classes, and the
    public functions of the submodules used by name (``scratchml.exercises.check``)."""
    from scratchml import exercises

    names = {
        f"exercises.{n}"
        for n, f in vars(exercises).items()
        if inspect.isfunction(f)
        and not n.startswith("_")
        and f.__module__ == exercises.__name__
    }
    for name in sm.__all__:
        obj = getattr(sm, name)
        names.add(name)
        if inspect.isclass(obj):
            for attr, value in vars(obj).items():
                if attr.startswith("_") or isinstance(value, property):
                    continue
                if callable(value) or isinstance(value, classmethod | staticmethod):
                    names.add(f"{name}.{attr}")
    return names


def test_every_public_name_has_a_probe():
    probed = {p[0] for p in PROBES}
    missing = sorted(public_names() - probed)
    assert not missing, f"public names without a bad-input probe: {missing}"
    unknown = sorted(probed - public_names())
    assert not unknown, f"probes of names that are not public: {unknown}"


def test_the_other_files_probes_are_collected():
    assert {"test_bpe", "test_gpt2", "test_kv_cache", "test_top_p"} <= set(COLLECTED)


def test_probe_count(capsys):
    kinds = Counter(
        p[1].split(":")[0] if p[1].startswith("from ") else p[1] for p in PROBES
    )
    with capsys.disabled():
        print(
            f"\n{len(PROBES)} bad-input probes over {len({p[0] for p in PROBES})} "
            "callables"
        )
    assert len(PROBES) > 1000 and len(kinds) > 40


@pytest.mark.parametrize("argv, message", CLI, ids=[" ".join(a) for a, _ in CLI])
def test_command_line_rejects_bad_arguments_before_any_work(
    argv, message, capsys, tmp_path, monkeypatch
):
    from scratchml.__main__ import main

    monkeypatch.chdir(tmp_path)
    try:
        code = main(argv)
    except SystemExit as exit:
        code = exit.code
    out, err = capsys.readouterr()
    assert code == 2, (out, err)
    assert out == "", out  # nothing printed: not a single training step ran
    assert re.search(message, err), err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert list(tmp_path.iterdir()) == []


def test_command_line_train_into_an_unwritable_place(capsys, tmp_path, monkeypatch):
    from scratchml.__main__ import main

    place = unwritable_dir(tmp_path)
    if place is None:
        pytest.skip("no unwritable directory on this machine")
    target = os.path.join(place, "x.npz")
    try:
        code = main(["train", "--out", target, "--steps", "1"])
    except SystemExit as exit:
        code = exit.code
    out, err = capsys.readouterr()
    assert code == 2 and out == "", (out, err)
    assert re.search(rf"argument --out: '{re.escape(target)}'.*not writable", err), err
    assert not os.path.exists(target) and not os.path.exists(target + ".part")


def test_command_line_text_shorter_than_the_context(capsys, tmp_path):
    from scratchml.__main__ import main

    (tmp_path / "short.txt").write_text("abcdefghij" * 3, encoding="utf-8")
    out = tmp_path / "x.npz"
    code = main(
        [
            "train",
            "--text",
            str(tmp_path / "short.txt"),
            "--context",
            "16",
            "--out",
            str(out),
        ]
    )
    _, err = capsys.readouterr()
    assert code == 2
    assert (
        "the text has 30 tokens" in err and "27 and 3" in err and "--context" in err
    ), err
    assert not out.exists()


def test_a_value_in_a_message_is_shown_on_one_line():
    """A message quotes what it received on one line: a 2-D array by its shape and
    dtype, a long 1-D array cut short (a trial chapter's probe of a 2-D array gave a
    three-line message)."""
    from scratchml._checks import _shown

    assert _shown(np.ones((2, 2))) == "an array of shape (2, 2) and dtype float64"
    long = _shown(np.arange(100.0))
    assert "\n" not in long and long.endswith("... (ndarray)") and len(long) < 80
    with pytest.raises(TypeError) as info:
        sm.Dense(2, 3).forward([[object(), 1.0], [2.0, 3.0]])
    assert "\n" not in str(info.value), info.value
