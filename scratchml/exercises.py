"""Checkers for the book's implementation exercises: run them on your own code.

Each chapter's "Check yourself" ends with something to implement. Write it your way,
then hand it to its checker::

    from scratchml.exercises import check
    check("tanh_layer", MyTanh)

The checker runs your code on seeded random inputs and on edge cases, compares it with
the package (values, shapes and, for backward passes, finite differences), and prints a
short verdict: what passed, or the first input where your code differs, with what was
expected and what it gave. It returns True when everything passed. ``EXERCISES`` lists
every checker with its chapter and what your code must look like.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass

import numpy as np

from scratchml.attention import causal_mask, scaled_dot_product_attention
from scratchml.embedding import Embedding, Unembedding
from scratchml.gradcheck import numerical_gradient
from scratchml.normalization import LayerNorm
from scratchml.positional import positional_encoding
from scratchml.softmax import softmax


@dataclass(frozen=True)
class Exercise:
    """One implementation exercise: where it is set and what it asks for."""

    chapter: str
    asks: str


EXERCISES = {
    "tanh_layer": Exercise(
        "part1/activations.md",
        "a class Tanh() with forward(z) -> tanh(z) and backward(dy) -> dz, following "
        "the layer protocol (params and grads are empty dicts)",
    ),
    "mlp3_backward": Exercise(
        "part1/backpropagation.md",
        "mlp3_backward(x, y, W1, W2, W3) -> (dW1, dW2, dW3) for h1 = sigmoid(x @ W1), "
        "h2 = sigmoid(h1 @ W2), out = h2 @ W3 and loss = mean((out - y) ** 2)",
    ),
    "momentum_step": Exercise(
        "part1/gradient-descent.md",
        "momentum_step(w, g, v, lr, beta) -> (w, v): v <- beta * v + g, w <- w - lr * "
        "v "
        "(any equivalent form: only the path of w is compared)",
    ),
    "causal_mask": Exercise(
        "part2/masking.md",
        "causal_mask(n) -> boolean (n, n) array, True where query i may see key j",
    ),
    "top_k_filter": Exercise(
        "part2/temperature.md",
        "top_k_filter(probs, k) -> probs with all but the k largest entries of each "
        "row "
        "set to 0, renormalized to sum to 1",
    ),
    "layer_norm_backward": Exercise(
        "part3/layer-norm.md",
        "layer_norm_backward(x, gamma, dy, eps) -> (dx, dgamma, dbeta) for "
        "y = gamma * (x - mean) / sqrt(var + eps) + beta over the last axis",
    ),
    "adam_step": Exercise(
        "part3/optimizer.md",
        "adam_step(w, g, m, v, t, lr, beta1, beta2, eps) -> (w, m, v), with the bias "
        "correction (t counts steps from 1)",
    ),
    "bpe_merge": Exercise(
        "part4/bpe.md",
        "merge(ids, pair, new_id) -> list: every occurrence of pair, left to right, "
        "replaced by new_id",
    ),
    "bpe_encode": Exercise(
        "part4/bpe.md",
        "encode(ids, merges) -> list: merges[i] = (a, b) makes token 256 + i; "
        "repeatedly "
        "merge the present pair with the lowest rank",
    ),
    "kv_cache_append": Exercise(
        "part4/kv-cache.md",
        "append(K, V, k, v) -> (K, V): the cached keys and values (B, H, T, d) with "
        "the "
        "new ones (B, H, n, d) added after them",
    ),
    "split_c_attn": Exercise(
        "part4/loading-weights.md",
        "split_c_attn(W, b) -> (W_q, W_k, W_v, b_q, b_k, b_v) from Hugging Face's "
        "c_attn "
        "weight (d, 3d) and bias (3d,)",
    ),
}


class MismatchError(Exception):
    """The first input on which a reader's code differs from the expected answer."""


def _compare(case: str, got, expected, atol: float = 1e-8, name: str = "result"):
    """Raise ``MismatchError`` unless ``got`` has ``expected``'s shape and values."""
    try:
        got_arr = np.asarray(got, dtype=float)
    except (TypeError, ValueError):
        raise MismatchError(
            f"{case}: {name} is not an array of numbers: {got!r:.60}"
        ) from None
    boolean = np.asarray(expected).dtype == bool
    expected = np.asarray(expected, dtype=float)
    if got_arr.shape != expected.shape:
        raise MismatchError(
            f"{case}: {name} has shape {got_arr.shape}, expected {expected.shape}"
        )
    close = np.isclose(got_arr, expected, atol=atol, rtol=1e-6)
    if not close.all():
        where = tuple(int(i) for i in np.argwhere(~close)[0])
        shown = bool if boolean else (lambda x: f"{x:.6g}")
        raise MismatchError(
            f"{case}: {name}{list(where)} is {shown(got_arr[where])}, "
            f"expected {shown(expected[where])}"
        )


def _call(case: str, fn, *args):
    try:
        return fn(*args)
    except Exception as err:  # the reader's code may raise anything
        raise MismatchError(f"{case}: raised {type(err).__name__}: {err}") from None


def _check_tanh_layer(Tanh) -> list[str]:
    rng = np.random.default_rng(0)
    for shape in [(3,), (4, 5), (2, 3, 4)]:
        layer = _call("Tanh()", Tanh)
        z = rng.normal(size=shape) * 2
        case = f"z of shape {shape}"
        _compare(case, _call(case, layer.forward, z), np.tanh(z), name="forward(z)")
        dy = rng.normal(size=shape)
        dz = _call(case, layer.backward, dy)
        _compare(case, dz, dy * (1 - np.tanh(z) ** 2), name="backward(dy)")
        fd = numerical_gradient(lambda z=z, dy=dy: float(np.sum(np.tanh(z) * dy)), z)
        _compare(case + " (finite differences)", dz, fd, atol=1e-6, name="backward")
    for attr in ("params", "grads"):
        if getattr(_call("Tanh()", Tanh), attr, None) != {}:
            raise MismatchError(
                f"Tanh().{attr} must be an empty dict (nothing to learn)"
            )
    return ["forward on 3 shapes", "backward against the formula and by finite "
            "differences", "empty params and grads"]  # fmt: skip


def _sigmoid(z):
    return 1 / (1 + np.exp(-z))


def _mlp3_loss(x, y, W1, W2, W3) -> float:
    out = _sigmoid(_sigmoid(x @ W1) @ W2) @ W3
    return float(np.mean((out - y) ** 2))


def _check_mlp3_backward(fn) -> list[str]:
    rng = np.random.default_rng(1)
    for batch, sizes in [(1, (2, 3, 2, 1)), (4, (3, 4, 3, 2)), (5, (2, 2, 2, 2))]:
        Ws = [rng.normal(size=(a, b)) for a, b in zip(sizes, sizes[1:], strict=False)]
        x = rng.normal(size=(batch, sizes[0]))
        y = rng.normal(size=(batch, sizes[-1]))
        case = f"batch {batch}, layer sizes {sizes}"
        got = _call(case, fn, x, y, *Ws)
        if not isinstance(got, tuple | list) or len(got) != 3:
            raise MismatchError(
                f"{case}: return (dW1, dW2, dW3), got {type(got).__name__}"
            )
        for i, (g, W) in enumerate(zip(got, Ws, strict=True)):
            # numerical_gradient nudges W in place: the loss reads it through Ws
            fd = numerical_gradient(lambda a=(x, y, *Ws): _mlp3_loss(*a), W)
            _compare(case, g, fd, 1e-6, name=f"dW{i + 1}")
    return ["dW1, dW2, dW3 by finite differences on 3 networks, batches of 1, 4 and 5"]


def _check_momentum_step(fn) -> list[str]:
    rng = np.random.default_rng(2)
    for lr, beta in [(0.1, 0.9), (0.05, 0.5), (0.2, 0.0)]:
        w = rng.normal(size=(3, 2))
        w_ref, v_ref, v = w.copy(), np.zeros_like(w), np.zeros_like(w)
        for step in range(1, 6):
            g = rng.normal(size=w.shape)
            case = f"lr {lr}, beta {beta}, step {step}"
            out = _call(case, fn, w.copy(), g.copy(), np.copy(v), lr, beta)
            if not isinstance(out, tuple | list) or len(out) != 2:
                raise MismatchError(f"{case}: return (w, v), got {type(out).__name__}")
            w, v = np.asarray(out[0], dtype=float), out[1]
            v_ref = beta * v_ref + g
            w_ref = w_ref - lr * v_ref
            _compare(case, w, w_ref, name="w")
    return ["5 steps at each of 3 (lr, beta) settings, beta 0 included"]


def _check_causal_mask(fn) -> list[str]:
    for n in (1, 2, 5):
        got = _call(f"n = {n}", fn, n)
        if np.asarray(got).dtype != bool:
            raise MismatchError(
                f"n = {n}: the mask must be boolean (True = may attend), got dtype "
                f"{np.asarray(got).dtype}"
            )
        _compare(f"n = {n}", got, causal_mask(n), name="mask")
    rng = np.random.default_rng(3)
    q, k, v = (rng.normal(size=(6, 4)) for _ in range(3))
    out, _ = scaled_dot_product_attention(q, k, v, mask=np.asarray(fn(6)))
    k2, v2 = k.copy(), v.copy()
    k2[4:], v2[4:] = rng.normal(size=(2, 4)), rng.normal(size=(2, 4))
    out2, _ = scaled_dot_product_attention(q, k2, v2, mask=np.asarray(fn(6)))
    _compare("leak test: changing tokens 4 and 5", out2[:4], out[:4], name="output")
    return ["n = 1, 2, 5", "the leak test: later tokens do not change earlier outputs"]


def _check_top_k_filter(fn) -> list[str]:
    rng = np.random.default_rng(4)
    for shape, k in [((6,), 1), ((6,), 3), ((3, 8), 2), ((2, 5), 5)]:
        probs = rng.dirichlet(np.ones(shape[-1]), size=shape[:-1] or None)
        case = f"probs of shape {shape}, k = {k}"
        expected = np.where(
            probs >= np.sort(probs, axis=-1)[..., -k : -k + 1 or None], probs, 0
        )
        expected = expected / expected.sum(axis=-1, keepdims=True)
        _compare(case, _call(case, fn, probs.copy(), k), expected, name="filtered")
    return ["k = 1, 3, 2 and k = vocabulary size, on one row and on batches"]


# ---- Parts I-II: the neuron to masking ----
EXERCISES |= {
    "neuron_fires": Exercise(
        "part1/neuron.md",
        "neuron_fires(a, w, b) -> True (or 1) where w . a + b > 0, else False (or 0): "
        "one value for one example a of shape (n,), one per row for a batch (B, n)",
    ),
    "dense_backward": Exercise(
        "part1/layers.md",
        "dense_backward(x, W, dy) -> (dW, db, dx) for y = x @ W + b with x of shape "
        "(B, n_in) and W of shape (n_in, n_out)",
    ),
    "mse_with_grad": Exercise(
        "part1/loss.md",
        "mse_with_grad(pred, target) -> (loss, grad): loss = mean((pred - target) "
        "** 2) over every entry and grad = d loss / d pred, of pred's shape",
    ),
    "should_stop": Exercise(
        "part1/training-loop.md",
        "should_stop(val_losses, patience) -> bool: True when the lowest held-out loss "
        "so far is at least patience epochs old (a tie is not an improvement)",
    ),
    "next_token_pairs": Exercise(
        "part2/overview.md",
        "next_token_pairs(ids, context_length) -> (inputs, targets), both (N, T) with "
        "N = len(ids) - T: inputs[i] = ids[i : i + T], targets[i] = ids[i + 1 : i + T "
        "+ 1]",
    ),
    "char_tokenizer": Exercise(
        "part2/tokens.md",
        "a class with __init__(text), encode(str) -> list of ids in 0 .. V - 1 (V = "
        "the number of distinct characters of text) and decode(ids) -> str",
    ),
    "embedding_backward": Exercise(
        "part2/embeddings.md",
        "embedding_backward(ids, dout, vocab_size) -> dW_E of shape (vocab_size, d) "
        "for out = W_E[ids], ids of shape (T,) or (B, T), dout of shape ids.shape + "
        "(d,)",
    ),
    "sinusoidal_table": Exercise(
        "part2/positional-encoding.md",
        "sinusoidal_table(n_positions, d_model) -> (n_positions, d_model) array for "
        "an even d_model: PE[p, 2i] = sin(p / 10000^(2i/d)), PE[p, 2i+1] = cos(the "
        "same angle)",
    ),
    "unembedding_backward": Exercise(
        "part2/unembedding.md",
        "unembedding_backward(h, W_U, dlogits) -> (dh, dW_U) for logits = h @ W_U, "
        "h of shape (T, d) or (B, T, d), W_U of shape (d, V)",
    ),
    "stable_softmax": Exercise(
        "part2/softmax.md",
        "stable_softmax(z) -> the softmax over the last axis of z, for any leading "
        "axes, without overflow on large logits",
    ),
    "attention_scores": Exercise(
        "part2/attention-scores.md",
        "attention_scores(q, k) -> (n_q, n_k) scores q @ k.T / sqrt(d_k), for q of "
        "shape (n_q, d_k) and k of shape (n_k, d_k)",
    ),
}


def _tuple_of(case: str, got, names: str):
    """``got`` as a tuple of as many results as ``names`` lists, or MismatchError."""
    n = len(names.split(", "))
    if not isinstance(got, tuple | list) or len(got) != n:
        raise MismatchError(f"{case}: return ({names}), got {got!r:.40}")
    return tuple(got)


def _check_neuron_fires(fn) -> list[str]:
    rng = np.random.default_rng(10)
    cases = []
    for shape in [(3,), (6, 3), (1, 4)]:
        w, b = rng.normal(size=shape[-1]), float(rng.normal())
        cases.append((rng.normal(size=shape), w, b))
    cases = [(f"a of shape {a.shape}, b = {b:.3g}", a, w, b) for a, w, b in cases]
    w = np.array([1.0, -1.0])
    zero_input = "a = [[0, 0], [0, 0]], b = 0.5 (the bias alone decides)"
    zero_z = "a = [[1, 1], [2, 0]], w = [1, -1], b = 0 (z = 0 on row 0)"
    cases += [
        (zero_input, np.zeros((2, 2)), w, 0.5),
        (zero_z, np.array([[1.0, 1.0], [2.0, 0.0]]), w, 0.0),
    ]
    for case, a, w, b in cases:
        got = _call(case, fn, a.copy(), w.copy(), b)
        _compare(case, got, a @ w + b > 0, name="output")
    return [
        "one example and batches of 1 and 6",
        "zero inputs, where only the bias counts",
        "z = 0 exactly does not fire",
    ]


def _check_dense_backward(fn) -> list[str]:
    rng = np.random.default_rng(11)
    for n, n_in, n_out in [(1, 3, 2), (4, 3, 5), (6, 4, 4)]:
        x, W = rng.normal(size=(n, n_in)), rng.normal(size=(n_in, n_out))
        b, dy = rng.normal(size=n_out), rng.normal(size=(n, n_out))
        case = f"batch {n}, Dense({n_in}, {n_out})"
        got = _call(case, fn, x.copy(), W.copy(), dy.copy())
        dW, db, dx = _tuple_of(case, got, "dW, db, dx")

        def loss(x=x, W=W, b=b, dy=dy) -> float:  # its gradient in y is dy
            return float(np.sum((x @ W + b) * dy))

        for name, g, p in [("dW", dW, W), ("db", db, b), ("dx", dx, x)]:
            _compare(case, g, numerical_gradient(loss, p), 1e-6, name=name)
    return ["dW, db and dx by finite differences, batches of 1, 4 and 6"]


def _check_mse_with_grad(fn) -> list[str]:
    rng = np.random.default_rng(12)
    for shape in [(1,), (5,), (3, 2), (4, 1)]:
        pred, target = rng.normal(size=shape), rng.normal(size=shape)
        case = f"pred and target of shape {shape}"
        got = _call(case, fn, pred.copy(), target.copy())
        loss, grad = _tuple_of(case, got, "loss, grad")
        diff = (pred - target).ravel()
        _compare(case, loss, diff @ diff / diff.size, name="loss")

        def f(pred=pred, target=target) -> float:
            return float(np.mean((pred - target) ** 2))

        _compare(case, grad, numerical_gradient(f, pred), 1e-6, name="grad")
    return ["loss and grad (by finite differences) on 4 shapes, 2-D included"]


def _stops(losses: list[float], patience: int) -> bool:
    """Reference rule: epochs since the first lowest loss >= patience."""
    return bool(losses) and len(losses) - 1 - int(np.argmin(losses)) >= patience


def _check_should_stop(fn) -> list[str]:
    cases = [
        ([], 3),
        ([2.0], 1),
        ([3.0, 2.0, 1.0], 1),
        ([1.0, 2.0], 1),
        ([1.0, 2.0], 2),
        ([1.0, 3.0, 2.0], 2),  # the last epoch fell, but not below the best
        ([2.0, 1.0, 1.0], 1),  # a tie is not an improvement
        ([5.0, 4.0, 6.0, 3.0, 4.0, 5.0], 3),
        ([5.0, 4.0, 6.0, 3.0, 4.0, 5.0, 6.0], 3),
    ]
    rng = np.random.default_rng(13)
    for _ in range(20):
        losses = rng.integers(1, 6, size=int(rng.integers(1, 10))) / 4
        cases.append(([float(v) for v in losses], int(rng.integers(1, 4))))
    for losses, patience in cases:
        case = f"should_stop({losses}, patience={patience})"
        got = _call(case, fn, list(losses), patience)
        if bool(got) != _stops(losses, patience):
            raise MismatchError(
                f"{case} gave {got!r}, expected {_stops(losses, patience)}"
            )
    return [f"{len(cases)} loss histories, ties and a late fall included"]


def _check_next_token_pairs(fn) -> list[str]:
    rng = np.random.default_rng(14)
    for n, T in [(5, 1), (10, 3), (4, 3)]:
        ids = rng.integers(0, 50, size=n)
        case = f"ids = {ids.tolist()}, context_length {T}"
        got = _call(case, fn, ids.copy(), T)
        inputs, targets = _tuple_of(case, got, "inputs, targets")
        windows = np.array([ids[i : i + T + 1] for i in range(n - T)])  # (N, T + 1)
        _compare(case, inputs, windows[:, :-1], name="inputs")
        _compare(case, targets, windows[:, 1:], name="targets")
    return ["3 id sequences: a context of 1, of 3, and one window exactly"]


def _check_char_tokenizer(Tokenizer) -> list[str]:
    rng = np.random.default_rng(15)
    alphabet = list("abcde fgh,.!")
    random_text = "".join(rng.choice(alphabet, size=60))
    for text in ["hello world", random_text, "aaa", "naïve café, déjà vu"]:
        case = f"Tokenizer({text!r:.30})"
        tok = _call(case, Tokenizer, text)
        ids = _call(case, tok.encode, text)
        V = len(set(text))
        try:
            ids = [int(i) for i in ids]
        except (TypeError, ValueError):
            raise MismatchError(f"{case}: encode gave {ids!r:.40}, not ids") from None
        if len(ids) != len(text):
            raise MismatchError(
                f"{case}: encode gave {len(ids)} ids for {len(text)} characters"
            )
        bad = [i for i in ids if not 0 <= i < V]
        if bad:
            raise MismatchError(
                f"{case}: encode gave id {bad[0]}; with {V} distinct characters the "
                f"ids must be 0 to {V - 1}, one row each of the embedding table"
            )
        if (
            len({(c, i) for c, i in zip(text, ids, strict=True)}) != V
            or len(set(ids)) != V
        ):
            raise MismatchError(
                f"{case}: each character needs its own id, always the same"
            )
        for part in [text, text[1:4], ""]:
            back = _call(case, tok.decode, _call(case, tok.encode, part))
            if not isinstance(back, str):
                raise MismatchError(
                    f"{case}: decode must return a str, got {type(back).__name__}"
                )
            if back != part:
                raise MismatchError(
                    f"{case}: decode(encode({part!r:.20})) gave {back!r:.30}, expected "
                    f"{part!r:.20}"
                )
        back = _call(case, tok.decode, np.array(ids[1:4]))
        if back != text[1:4]:
            raise MismatchError(
                f"{case}: decode(np.array({ids[1:4]})) gave {back!r:.30}, expected "
                f"{text[1:4]!r}: a model hands decode numpy ids"
            )
    return [
        "4 texts, accents included: ids 0 to V - 1, one per character",
        "decode(encode(s)) == s, the empty string included",
        "numpy ids",
    ]


def _check_embedding_backward(fn) -> list[str]:
    rng = np.random.default_rng(16)
    for ids, V, d in [
        (np.array([3, 1, 3, 0, 3]), 5, 2),
        (np.array([[2, 0, 2], [0, 4, 2]]), 6, 3),
        (np.array([1, 1, 1, 1]), 3, 4),
    ]:
        dout = rng.normal(size=ids.shape + (d,))
        counts = np.bincount(ids.ravel())
        repeated = ", ".join(f"{v} ({c} times)" for v, c in enumerate(counts) if c > 1)
        case = f"ids {ids.tolist()}, vocab_size {V} (repeated: {repeated})"
        got = _call(case, fn, ids.copy(), dout.copy(), V)
        emb = Embedding(V, d, dtype=np.float64)
        emb.forward(ids)
        emb.backward(dout)
        _compare(case, got, emb.grads["W_E"], name="dW_E")
    return ["ids of shape (T,) and (B, T)", "repeated ids add up their gradients"]


def _check_sinusoidal_table(fn) -> list[str]:
    for n, d in [(4, 2), (6, 8), (50, 16)]:
        case = f"sinusoidal_table({n}, {d})"
        got = _call(case, fn, n, d)
        _compare(case, got, positional_encoding(n, d, dtype=np.float64), 1e-6, "PE")
    return ["3 tables up to 50 positions and d_model 16, interleaved sine and cosine"]


def _check_unembedding_backward(fn) -> list[str]:
    rng = np.random.default_rng(17)
    for shape, V in [((1, 3), 5), ((4, 3), 7), ((2, 3, 4), 6)]:
        h, W_U = rng.normal(size=shape), rng.normal(size=(shape[-1], V))
        dlogits = rng.normal(size=shape[:-1] + (V,))
        case = f"h of shape {shape}, W_U of shape {W_U.shape}"
        got = _call(case, fn, h.copy(), W_U.copy(), dlogits.copy())
        dh, dW_U = _tuple_of(case, got, "dh, dW_U")
        layer = Unembedding(shape[-1], V, dtype=np.float64)
        layer.params["W_U"][...] = W_U
        layer.forward(h)
        _compare(case, dh, layer.backward(dlogits), name="dh")
        _compare(case, dW_U, layer.grads["W_U"], name="dW_U")
    return ["dh and dW_U for 1 and 4 positions and a batch (B, T, d)"]


def _check_stable_softmax(fn) -> list[str]:
    rng = np.random.default_rng(18)
    cases = [
        ("z of shape (5,)", rng.normal(size=5) * 3),
        ("z of shape (3, 4)", rng.normal(size=(3, 4)) * 3),
        ("z of shape (2, 3, 4)", rng.normal(size=(2, 3, 4))),
        ("large logits [1000, 1001, 999]", np.array([1000.0, 1001.0, 999.0])),
        (
            "rows [0, 1, 2] and [1000, 1001, 1002]",
            np.array([[0.0, 1, 2], [1000, 1001, 1002]]),
        ),
        ("equal logits", np.full((2, 3), -7.0)),
    ]
    for case, z in cases:
        with np.errstate(all="ignore"):  # the verdict, not numpy's warnings
            got = _call(case, fn, z.copy())
        _compare(case, got, softmax(z), name="probs")
    return ["3 shapes, each row of the last axis its own softmax",
            "logits near 1000, alone and beside small ones", "ties"]  # fmt: skip


def _check_attention_scores(fn) -> list[str]:
    rng = np.random.default_rng(19)
    for n_q, n_k, d_k in [(3, 5, 4), (1, 1, 8), (4, 4, 4)]:
        q, k = rng.normal(size=(n_q, d_k)), rng.normal(size=(n_k, d_k))
        case = f"q of shape {q.shape}, k of shape {k.shape}"
        got = _call(case, fn, q.copy(), k.copy())
        expected = np.einsum("id,jd->ij", q, k) / np.sqrt(d_k)  # (n_q, n_k)
        _compare(case, got, expected, name="scores")
    return ["3 shapes: more keys than queries, one of each, a square one"]


def _check_layer_norm_backward(fn) -> list[str]:
    rng = np.random.default_rng(5)
    for shape, eps in [((2, 5), 1e-5), ((3, 4, 6), 1e-5), ((1, 3), 0.5)]:
        x = rng.normal(size=shape) * 3 + 1
        gamma = rng.normal(size=shape[-1])
        dy = rng.normal(size=shape)
        ln = LayerNorm(shape[-1], eps=eps, dtype=np.float64)
        ln.params["gamma"][...] = gamma
        ln.forward(x)
        dx = ln.backward(dy)
        case = f"x of shape {shape}, eps {eps}"
        got = _call(case, fn, x, gamma, dy, eps)
        if not isinstance(got, tuple | list) or len(got) != 3:
            raise MismatchError(f"{case}: return (dx, dgamma, dbeta), got {got!r:.40}")
        _compare(case, got[0], dx, 1e-7, name="dx")
        _compare(case, got[1], ln.grads["gamma"], 1e-7, name="dgamma")
        _compare(case, got[2], ln.grads["beta"], 1e-7, name="dbeta")
    return ["dx, dgamma, dbeta on 2-D and 3-D inputs, and a large eps"]


def _check_adam_step(fn) -> list[str]:
    rng = np.random.default_rng(6)
    for lr, b1, b2, eps in [(1e-3, 0.9, 0.999, 1e-8), (0.1, 0.5, 0.9, 1e-3)]:
        w = rng.normal(size=(4,))
        m, v = np.zeros_like(w), np.zeros_like(w)
        w_ref, m_ref, v_ref = w.copy(), m.copy(), v.copy()
        for t in range(1, 6):
            g = rng.normal(size=w.shape)
            case = f"lr {lr}, betas ({b1}, {b2}), eps {eps}, t = {t}"
            out = _call(
                case, fn, w.copy(), g, np.copy(m), np.copy(v), t, lr, b1, b2, eps
            )
            if not isinstance(out, tuple | list) or len(out) != 3:
                raise MismatchError(
                    f"{case}: return (w, m, v), got {type(out).__name__}"
                )
            w, m, v = (np.asarray(a, dtype=float) for a in out)
            m_ref = b1 * m_ref + (1 - b1) * g
            v_ref = b2 * v_ref + (1 - b2) * g * g
            m_hat, v_hat = m_ref / (1 - b1**t), v_ref / (1 - b2**t)
            w_ref = w_ref - lr * m_hat / (np.sqrt(v_hat) + eps)
            _compare(case, w, w_ref, 1e-10, name="w")
    return [
        "5 steps at two settings, from t = 1, where the bias correction matters most"
    ]


def _check_bpe_merge(fn) -> list[str]:
    cases = [
        ([1, 2, 3, 1, 2], (1, 2), 9, [9, 3, 9]),
        ([1, 1, 1], (1, 1), 9, [9, 1]),  # overlapping: left to right
        ([1, 1, 1, 1], (1, 1), 9, [9, 9]),
        ([3, 4], (1, 2), 9, [3, 4]),  # absent: unchanged
        ([], (1, 2), 9, []),
        ([2, 1, 2, 1], (1, 2), 9, [2, 9, 1]),
    ]
    for ids, pair, new_id, expected in cases:
        case = f"merge({ids}, {pair}, {new_id})"
        got = _call(case, fn, list(ids), pair, new_id)
        if [int(i) for i in got] != expected:
            raise MismatchError(f"{case} gave {list(got)}, expected {expected}")
    return [f"{len(cases)} cases, overlapping pairs and an absent pair included"]


def _reference_encode(ids: list[int], merges: list[tuple[int, int]]) -> list[int]:
    ranks = {pair: i for i, pair in enumerate(merges)}
    ids = list(ids)
    while len(ids) > 1:
        pairs = set(zip(ids, ids[1:], strict=False))
        best = min(pairs, key=lambda p: ranks.get(p, len(merges)))
        if best not in ranks:
            break
        out, i = [], 0
        while i < len(ids):
            if i + 1 < len(ids) and (ids[i], ids[i + 1]) == best:
                out.append(256 + ranks[best])
                i += 2
            else:
                out.append(ids[i])
                i += 1
        ids = out
    return ids


def _check_bpe_encode(fn) -> list[str]:
    a, b, c = 97, 98, 99
    cases = [
        ([a, b, c], [(b, c), (a, b)], [a, 256]),  # the lower rank wins
        ([a, b, c], [(a, b), (b, c)], [256, c]),
        ([a, b, a, b], [(a, b), (256, 256)], [257]),  # a merge of merges
        ([a, a, a], [(a, a)], [256, a]),
        ([c], [(a, b)], [c]),
    ]
    rng = np.random.default_rng(7)
    merges = [
        (int(rng.integers(97, 100)), int(rng.integers(97, 100))) for _ in range(3)
    ]
    merges += [(256, int(rng.integers(97, 100))), (int(rng.integers(97, 100)), 257)]
    for _ in range(20):
        ids = [int(i) for i in rng.integers(97, 100, size=int(rng.integers(1, 12)))]
        cases.append((ids, merges, _reference_encode(ids, merges)))
    for ids, merge_list, expected in cases:
        case = f"encode({ids}, merges={merge_list})"
        got = _call(case, fn, list(ids), list(merge_list))
        if [int(i) for i in got] != expected:
            raise MismatchError(f"{case} gave {list(got)}, expected {expected}")
    return [f"{len(cases)} words: competing merges, merges of merges, random words"]


def _check_kv_cache_append(fn) -> list[str]:
    rng = np.random.default_rng(8)
    K = np.zeros((2, 3, 0, 4))
    V = np.zeros((2, 3, 0, 4))
    keys, values = [], []
    for step, n in enumerate((3, 1, 1, 2)):
        k, v = rng.normal(size=(2, 3, n, 4)), rng.normal(size=(2, 3, n, 4))
        keys.append(k)
        values.append(v)
        case = f"append number {step + 1} ({n} new position{'s' * (n > 1)})"
        out = _call(case, fn, K, V, k, v)
        if not isinstance(out, tuple | list) or len(out) != 2:
            raise MismatchError(f"{case}: return (K, V), got {type(out).__name__}")
        K, V = out
        _compare(case, K, np.concatenate(keys, axis=2), name="K")
        _compare(case, V, np.concatenate(values, axis=2), name="V")
    return ["4 appends: a prompt of 3, then 1, 1 and 2 positions; order and shapes"]


def _check_split_c_attn(fn) -> list[str]:
    rng = np.random.default_rng(9)
    for d in (4, 6):
        W, b = rng.normal(size=(d, 3 * d)), rng.normal(size=3 * d)
        case = f"c_attn weight ({d}, {3 * d}) and bias ({3 * d},)"
        got = _call(case, fn, W, b)
        if not isinstance(got, tuple | list) or len(got) != 6:
            raise MismatchError(f"{case}: return (W_q, W_k, W_v, b_q, b_k, b_v)")
        names = ("W_q", "W_k", "W_v", "b_q", "b_k", "b_v")
        parts = [
            W[:, :d],
            W[:, d : 2 * d],
            W[:, 2 * d :],
            b[:d],
            b[d : 2 * d],
            b[2 * d :],
        ]
        for name, g, e in zip(names, got, parts, strict=True):
            _compare(case, g, e, name=name)
    return ["two widths: every piece in order, columns not rows"]


# ---- Parts II-IV and labs ----
# Checkers for the exercises of Part II from self-attention on, Part III and Part IV.
# A wrong answer that matches a known mistake gets that mistake named in its verdict.


EXERCISES.update(
    {
        "attention_head": Exercise(
            "part2/self-attention.md",
            "attention_head(x, W_q, W_k, W_v, W_o) -> Y for x of shape (T, d_model): "
            "Y = softmax(Q K^T / sqrt(d_head) + M) V W_o with the causal mask M, "
            "numpy only",
        ),
        "split_heads": Exercise(
            "part2/multi-head-attention.md",
            "split_heads(a, n_heads) -> (B, H, T, d_head) from a of shape "
            "(B, T, d_model): head h gets columns h * d_head to (h + 1) * d_head",
        ),
        "merge_heads": Exercise(
            "part2/multi-head-attention.md",
            "merge_heads(a) -> (B, T, H * d_head) from a of shape (B, H, T, d_head): "
            "the heads' outputs side by side, head 0 first",
        ),
        "pre_ln_block": Exercise(
            "part2/transformer-block.md",
            "block_forward(x, attn, ffn, ln1, ln2) -> y: the pre-norm residual block, "
            "h = x + attn(ln1(x)), y = h + ffn(ln2(h)); the four sublayers are "
            "functions of one array",
        ),
        "greedy_generate": Exercise(
            "part2/tiny-gpt.md",
            "generate_greedy(model, ids, n_new) -> the 1-D ids with n_new tokens "
            "appended, each the argmax of model.forward(window)[-1] (window: the last "
            "model.context_length ids)",
        ),
        "cross_entropy_grad": Exercise(
            "part3/softmax-cross-entropy.md",
            "cross_entropy_grad(logits, labels) -> dlogits, the gradient of the mean "
            "cross-entropy over every row of logits (..., V)",
        ),
        "attention_backward": Exercise(
            "part3/attention.md",
            "attention_backward(d_out, q, k, v, weights) -> (dq, dk, dv) for "
            "out = softmax(q k^T / sqrt(d_k) + mask) v, weights the softmax's output",
        ),
        "get_batch": Exercise(
            "part3/batching.md",
            "get_batch(ids, batch_size, T, rng) -> (x, y) of shape (batch_size, T): "
            "random windows of ids drawn with rng, y shifted one token along",
        ),
        "clip_grad_norm": Exercise(
            "part3/training-loop.md",
            "clip_grad_norm(grads, max_norm) -> list: the arrays of grads, all scaled "
            "by one factor so that their global norm is at most max_norm",
        ),
        "gelu_layer": Exercise(
            "part4/gpt2.md",
            "a class GELU() with forward(z) -> GPT-2's tanh-form gelu(z) and "
            "backward(dy) -> dz, following the layer protocol",
        ),
        "bits_per_character": Exercise(
            "part4/training-bpe.md",
            "bits_per_character(loss, n_tokens, n_chars) -> float: a mean loss per "
            "token in nats turned into bits per character of the text",
        ),
    }
)


def _hinted(case, got, expected, mistakes, atol=1e-8, name="result"):
    """``_compare``, naming the mistake when ``got`` equals one of ``mistakes``."""
    if np.ndim(expected) == 0:  # one number: no index to show
        try:
            value = float(got)
        except (TypeError, ValueError):
            raise MismatchError(
                f"{case}: {name} is not a number: {got!r:.60}"
            ) from None
        if np.isclose(value, expected, atol=atol, rtol=1e-6):
            return
        hints = [h for h, wrong in mistakes.items() if _same(value, wrong, atol)]
        raise MismatchError(
            f"{case}: {name} is {value:.6g}, expected {expected:.6g}"
            + "".join(f": {h}" for h in hints[:1])
        )
    try:
        _compare(case, got, expected, atol, name)
    except MismatchError as failure:
        for hint, wrong in mistakes.items():
            if _same(got, wrong, atol):
                raise MismatchError(f"{failure}: {hint}") from None
        raise


def _same(got, wrong, atol) -> bool:
    """Whether ``got`` is ``wrong`` (NaN where it is NaN, too)."""
    try:
        got = np.asarray(got, dtype=float)
    except (TypeError, ValueError):
        return False
    wrong = np.asarray(wrong, dtype=float)
    return got.shape == wrong.shape and np.allclose(
        got, wrong, atol=atol, rtol=1e-6, equal_nan=True
    )


def _pieces(case, got, n, names):
    if not isinstance(got, tuple | list) or len(got) != n:
        raise MismatchError(f"{case}: return ({', '.join(names)}), got {got!r:.40}")
    return got


def _masked_softmax(s, mask):
    s = np.where(mask, s, -np.inf) if mask is not None else s
    e = np.exp(s - s.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def _check_attention_head(fn) -> list[str]:
    rng = np.random.default_rng(20)
    for T, d_model, d_head in [(1, 3, 2), (5, 6, 4), (7, 4, 3)]:
        x = rng.normal(size=(T, d_model))
        Ws = [rng.normal(size=(d_model, d_head)) for _ in range(3)]
        W_o = rng.normal(size=(d_head, d_model))
        q, k, v = (x @ W for W in Ws)
        s = q @ k.T  # (T, T)
        scaled, mask = s / np.sqrt(d_head), causal_mask(T)
        with np.errstate(invalid="ignore"):  # a row with every score -inf gives NaN
            mistakes = {
                "W_o is missing: this is H, not H W_o": _masked_softmax(scaled, mask)
                @ v,
                "the mask is missing: every position sees the future": _masked_softmax(
                    scaled, None
                )
                @ v
                @ W_o,
                "the scores are not divided by sqrt(d_head)": _masked_softmax(s, mask)
                @ v
                @ W_o,
                "the mask hides the diagonal: row 0 sees nothing": _masked_softmax(
                    scaled, np.tril(mask, k=-1)
                )
                @ v
                @ W_o,
                "the softmax ran down the columns, not the rows": _masked_softmax(
                    scaled.T, mask.T
                ).T
                @ v
                @ W_o,
            }
        case = f"x of shape {(T, d_model)}, d_head {d_head}"
        got = _call(case, fn, x, *Ws, W_o)
        expected = _masked_softmax(scaled, mask) @ v @ W_o  # (T, d_model)
        _hinted(case, got, expected, mistakes, 1e-7, name="Y")
    return ["3 sizes, a single position included, against the formula"]


def _check_split_heads(fn) -> list[str]:
    rng = np.random.default_rng(21)
    for B, T, H, d_head in [(1, 3, 2, 2), (2, 4, 3, 2), (2, 5, 4, 3)]:
        a = rng.normal(size=(B, T, H * d_head))
        case = f"a of shape {a.shape}, n_heads {H}"
        got = _call(case, fn, a.copy(), H)
        expected = a.reshape(B, T, H, d_head).transpose(0, 2, 1, 3)
        mistakes = {
            "a reshape alone mixes positions into heads: reshape to (B, T, H, d_head), "
            "then swap the axes T and H": a.reshape(B, H, T, d_head),
            "head h got every H-th column, not one block of d_head columns": a.reshape(
                B, T, d_head, H
            ).transpose(0, 3, 1, 2),
        }
        _hinted(case, got, expected, mistakes, name="heads")
    return ["3 shapes: head h holds columns h * d_head to (h + 1) * d_head"]


def _check_merge_heads(fn) -> list[str]:
    rng = np.random.default_rng(22)
    for B, H, T, d_head in [(1, 2, 3, 2), (2, 3, 4, 2), (2, 4, 5, 3)]:
        a = rng.normal(size=(B, H, T, d_head))
        case = f"a of shape {a.shape}"
        got = _call(case, fn, a.copy())
        expected = a.transpose(0, 2, 1, 3).reshape(B, T, H * d_head)
        mistakes = {
            "a reshape alone puts positions side by side: swap the axes H and T "
            "first, then reshape": a.reshape(B, T, H * d_head),
            "the heads are interleaved column by column, not side by side": a.transpose(
                0, 2, 3, 1
            ).reshape(B, T, H * d_head),
        }
        _hinted(case, got, expected, mistakes, name="merged")
    return ["3 shapes: head 0's d_head columns first, then head 1's, ..."]


class _Sublayer:
    """A function that can also be called as a layer: ``f(x)`` or ``f.forward(x)``."""

    def __init__(self, fn):
        self.forward = fn

    def __call__(self, x):
        return self.forward(x)


def _check_pre_ln_block(fn) -> list[str]:
    rng = np.random.default_rng(23)
    for B, T, d in [(1, 1, 4), (2, 3, 6), (1, 5, 8)]:
        norms = []
        for _ in range(2):
            ln = LayerNorm(d, dtype=np.float64)
            ln.params["gamma"][...] = rng.normal(size=d)
            ln.params["beta"][...] = rng.normal(size=d)
            norms.append(ln.forward)
        ln1, ln2 = norms
        A, W1, W2 = (
            rng.normal(size=s) / d**0.5 for s in [(d, d), (d, 2 * d), (2 * d, d)]
        )

        def attn(h, A=A):  # mixes the positions causally, like attention
            return (
                np.cumsum(np.tanh(h @ A), axis=-2)
                / np.arange(1, h.shape[-2] + 1)[:, None]
            )

        def ffn(h, W1=W1, W2=W2):  # position by position
            return np.maximum(h @ W1, 0) @ W2

        x = rng.normal(size=(B, T, d)) * 2 + 1
        case = f"x of shape {(B, T, d)}"
        sublayers = (_Sublayer(f) for f in (attn, ffn, ln1, ln2))
        got = _call(case, fn, x.copy(), *sublayers)
        h = x + attn(ln1(x))
        post = ln1(x + attn(x))
        mistakes = {
            "this is the post-norm block: normalize each sublayer's input, "
            "x + attn(ln1(x)), not the sum": ln2(post + ffn(post)),
            "the attention sublayer has no residual: add its output to x": attn(ln1(x))
            + ffn(ln2(attn(ln1(x)))),
            "the feed-forward sublayer has no residual: add its output to h": ffn(
                ln2(h)
            ),
            "ffn read ln2(x), not the stream after attention, ln2(h)": h + ffn(ln2(x)),
            "ln1 and ln2 are swapped": (x + attn(ln2(x))) + ffn(ln1(x + attn(ln2(x)))),
        }
        _hinted(case, got, h + ffn(ln2(h)), mistakes, 1e-10, name="y")
    return [
        "3 shapes with random sublayers and layer norms, a single position included"
    ]


class _ToyModel:
    """A stand-in language model: the logits of the last position depend on every
    token of the window and on its length, and it refuses windows over its context."""

    def __init__(self, context_length: int, vocab: int, rng):
        self.context_length = context_length
        self._E = rng.normal(size=(vocab, vocab))
        self._P = rng.normal(size=(context_length, vocab))

    def forward(self, ids):
        ids = np.asarray(ids)
        if ids.dtype.kind not in "iu":
            raise TypeError(f"the model takes integer token ids, got dtype {ids.dtype}")
        T = ids.shape[-1]
        if T > self.context_length:
            raise ValueError(
                f"the model was given {T} positions, but its context_length is "
                f"{self.context_length}: feed it only the last {self.context_length} "
                "tokens"
            )
        weights = np.arange(1, T + 1)[:, None] ** 0.5  # (T, 1)
        return np.cumsum(self._E[ids] * weights, axis=-2) + self._P[:T]  # (..., T, V)

    __call__ = forward


def _greedy(model, ids, n_new, crop, position=-1):
    ids = list(ids)
    for _ in range(n_new):
        window = crop(ids, model.context_length)
        ids.append(int(np.argmax(model.forward(np.array(window))[position])))
    return ids


def _check_greedy_generate(fn) -> list[str]:
    rng = np.random.default_rng(24)
    for prompt_len, n_new, context, vocab in [
        (2, 3, 8, 5),
        (3, 10, 4, 7),
        (6, 5, 4, 6),
    ]:
        model = _ToyModel(context, vocab, rng)
        prompt = [int(i) for i in rng.integers(0, vocab, size=prompt_len)]
        case = f"a prompt of {prompt_len}, {n_new} new tokens, context_length {context}"
        got = _call(case, fn, model, np.array(prompt), n_new)
        got = np.asarray(got).reshape(-1) if np.ndim(got) == 2 else got
        last = _greedy(model, prompt, n_new, lambda ids, c: ids[-c:])
        mistakes = {
            "the window kept the first tokens, not the last context_length": _greedy(
                model, prompt, n_new, lambda ids, c: ids[:c]
            ),
            "the next token came from the logits of position 0, not the last": _greedy(
                model, prompt, n_new, lambda ids, c: ids[-c:], position=0
            ),
            "only the new tokens came back: return the prompt followed by them": last[
                prompt_len:
            ],
        }
        _hinted(case, got, last, mistakes, name="ids")
    return ["3 runs, two of them past the model's context, prompt kept in front"]


def _check_cross_entropy_grad(fn) -> list[str]:
    rng = np.random.default_rng(25)
    for shape in [(4, 5), (2, 3, 6), (1, 3)]:
        logits = rng.normal(size=shape) * 2
        labels = rng.integers(0, shape[-1], size=shape[:-1])
        p = _masked_softmax(logits, None)
        onehot = np.eye(shape[-1])[labels]
        n = labels.size
        case = f"logits of shape {shape}"
        got = _call(case, fn, logits.copy(), labels.copy())
        mistakes = {
            "the sign is flipped: the gradient is p - onehot": (onehot - p) / n,
            f"not divided by N = {n}, the number of rows the loss averages": p - onehot,
            "the one-hot of the labels is not subtracted": p / n,
        }
        if len(shape) == 3:
            mistakes[
                f"divided by the batch size {shape[0]} only: the loss averages "
                f"over all {n} rows"
            ] = (p - onehot) / shape[0]
        _hinted(case, got, (p - onehot) / n, mistakes, 1e-10, name="dlogits")
    return ["2-D and 3-D logits, a single row included: (softmax - onehot) / N"]


def _check_attention_backward(fn) -> list[str]:
    rng = np.random.default_rng(26)
    for shape, masked in [((5, 3), True), ((2, 2, 4, 3), True), ((4, 2), False)]:
        q, k, v, d_out = (rng.normal(size=shape) for _ in range(4))
        mask = causal_mask(shape[-2]) if masked else None
        _, weights = scaled_dot_product_attention(q, k, v, mask)
        case = f"q, k, v of shape {shape}, {'causal mask' if masked else 'no mask'}"
        got = _pieces(
            case, _call(case, fn, d_out, q, k, v, weights), 3, ("dq", "dk", "dv")
        )
        kT = k.swapaxes(-1, -2)
        scale = shape[-1] ** 0.5
        dw = d_out @ v.swapaxes(-1, -2)
        ds = weights * (dw - (weights * dw).sum(axis=-1, keepdims=True)) / scale
        _hinted(
            case,
            got[2],
            weights.swapaxes(-1, -2) @ d_out,
            {
                "dv = weights @ d_out: transpose the weights, each key collects "
                "from every query that read it": weights @ d_out
            },
            name="dv",
        )
        mistakes = {
            "the softmax's backward lacks its minus term: A * (dA - sum(A * dA))": (
                weights * dw / scale
            )
            @ k,
            "the scores' gradient is not divided by sqrt(d_k)": ds * scale @ k,
        }
        _hinted(case, got[0], ds @ k, mistakes, name="dq")
        _hinted(
            case,
            got[1],
            ds.swapaxes(-1, -2) @ q,
            {
                "dk = dS @ q: transpose dS, key j collects column j": ds @ q,
                "the scores' gradient is not divided by sqrt(d_k)": (
                    ds * scale
                ).swapaxes(-1, -2)
                @ q,
            },
            name="dk",
        )

        def loss(q=q, kT=kT, scale=scale, mask=mask, v=v, d_out=d_out):
            return float(np.sum(_masked_softmax(q @ kT / scale, mask) @ v * d_out))

        _compare(
            case + " (finite differences)",
            got[0],
            numerical_gradient(loss, q),
            1e-6,
            name="dq",
        )
    return ["dq, dk, dv on 3 shapes, masked and not, and dq by finite differences"]


def _check_get_batch(fn) -> list[str]:
    N, B, T = 12, 4, 3
    ids = np.arange(100, 100 + N)  # token i is 100 + i: a window shows where it starts
    rng = np.random.default_rng(27)
    starts_seen, batches = set(), []
    for draw in range(60):
        case = f"draw {draw + 1} from ids = 100..{99 + N}, batch_size {B}, T {T}"
        x, y = _pieces(case, _call(case, fn, ids, B, T, rng), 2, ("x", "y"))
        x, y = np.asarray(x), np.asarray(y)
        if x.shape != (B, T) or y.shape != (B, T):
            raise MismatchError(
                f"{case}: x and y must have shape {(B, T)}, got {x.shape} and {y.shape}"
            )
        if x.dtype.kind not in "iu" or y.dtype.kind not in "iu":
            raise MismatchError(
                f"{case}: x and y must be integer ids, got {x.dtype} and {y.dtype}"
            )
        for row, (xb, yb) in enumerate(zip(x, y, strict=True)):
            start = int(xb[0]) - 100
            window = ids[start : start + T + 1] if 0 <= start else ids[:0]
            if len(window) < T or not np.array_equal(xb, window[:T]):
                raise MismatchError(
                    f"{case}: x[{row}] = {xb.tolist()} is not a "
                    f"window of {T} consecutive ids"
                )
            mistakes = {
                "y is x itself: the target is the token after each one": xb,
                "y is shifted by two, not one": ids[start + 2 : start + T + 2],
            }
            if len(window) == T + 1:
                _hinted(case, yb, window[1:], mistakes, name=f"y[{row}]")
            else:
                raise MismatchError(
                    f"{case}: x[{row}] starts at {start}, where no "
                    f"target follows its last token"
                )
            starts_seen.add(start)
        batches.append(x.tolist())
    if all(b == batches[0] for b in batches):
        raise MismatchError(
            "every call returned the same batch: draw the starts "
            "with the rng you are given"
        )
    missing = sorted(set(range(N - T)) - starts_seen)
    if missing:
        raise MismatchError(
            f"in 60 draws of {B} windows, start {missing[-1]} never "
            f"came up: every start from 0 to {N - T - 1} must be "
            "possible (an exclusive upper bound?)"
        )
    return [
        "60 draws: windows of consecutive ids, y one token along, every start "
        "possible, none past the end"
    ]


def _check_clip_grad_norm(fn) -> list[str]:
    rng = np.random.default_rng(28)
    for max_norm, size in [(1.0, 10.0), (5.0, 0.3), (2.0, 3.0)]:
        grads = [rng.normal(size=s) * size for s in [(3, 4), (4,), (2, 2, 2)]]
        total = np.sqrt(sum(np.sum(g * g) for g in grads))
        scale = min(1.0, max_norm / total)
        case = f"grads of global norm {total:.3g}, max_norm {max_norm}"
        got = _call(case, fn, [g.copy() for g in grads], max_norm)
        if not isinstance(got, tuple | list) or len(got) != len(grads):
            raise MismatchError(
                f"{case}: return a list of {len(grads)} arrays, got {got!r:.40}"
            )
        squared = min(1.0, max_norm / total**2)
        for i, (g_got, g) in enumerate(zip(got, grads, strict=True)):
            alone = min(1.0, max_norm / np.linalg.norm(g))
            mistakes = {
                "each array was clipped on its own: the norm is over all of them "
                "together": g * alone,
                "the norm lacks its square root": g * squared,
                "a norm below max_norm was scaled up: leave small gradients alone": g
                * max_norm
                / total,
            }
            _hinted(case, g_got, g * scale, mistakes, name=f"grads[{i}]")
    return ["3 lists of 3 arrays: far above max_norm, below it (unchanged), above it"]


def _gelu(z):
    return 0.5 * z * (1 + np.tanh(0.7978845608028654 * (z + 0.044715 * z**3)))


def _check_gelu_layer(GELU) -> list[str]:
    from math import erf

    rng = np.random.default_rng(29)
    c = 0.7978845608028654
    for shape in [(5,), (3, 4), (2, 3, 2)]:
        layer = _call("GELU()", GELU)
        z = rng.normal(size=shape) * 2
        case = f"z of shape {shape}"
        exact = 0.5 * z * (1 + np.vectorize(erf)(z / 2**0.5))
        _hinted(
            case,
            _call(case, layer.forward, z),
            _gelu(z),
            {
                "this is the exact GELU with erf; GPT-2 uses the tanh form": exact,
            },
            1e-10,
            name="forward(z)",
        )
        dy = rng.normal(size=shape)
        t = np.tanh(c * (z + 0.044715 * z**3))
        first = 0.5 * (1 + t)
        second = 0.5 * z * (1 - t**2) * c
        mistakes = {
            "only 0.5 * (1 + t): the product rule's second term is missing": dy * first,
            "du/dz must be c * (1 + 3 * 0.044715 z^2): the 3 is missing": dy
            * (first + second * (1 + 0.044715 * z**2)),
            "dy is not multiplied in": first + second * (1 + 3 * 0.044715 * z**2),
        }
        dz = _call(case, layer.backward, dy)
        _hinted(
            case,
            dz,
            dy * (first + second * (1 + 3 * 0.044715 * z**2)),
            mistakes,
            1e-10,
            name="backward(dy)",
        )
        fd = numerical_gradient(lambda z=z, dy=dy: float(np.sum(_gelu(z) * dy)), z)
        _compare(case + " (finite differences)", dz, fd, 1e-6, name="backward")
    for attr in ("params", "grads"):
        if getattr(_call("GELU()", GELU), attr, None) != {}:
            raise MismatchError(
                f"GELU().{attr} must be an empty dict (nothing to learn)"
            )
    return [
        "forward on 3 shapes",
        "backward against the formula and by finite differences",
        "empty params and grads",
    ]


def _check_bits_per_character(fn) -> list[str]:
    cases = [(2.0, 300, 900), (1.5, 1000, 1000), (4.2, 250, 1100), (0.0, 10, 30)]
    for loss, n_tokens, n_chars in cases:
        case = f"loss {loss} nats per token, {n_tokens} tokens, {n_chars} characters"
        got = _call(case, fn, loss, n_tokens, n_chars)
        bits = loss / np.log(2)
        mistakes = {
            "this is nats per character: divide by ln 2 for bits": loss
            * n_tokens
            / n_chars,
            "this is bits per token: multiply by tokens per character": bits,
            "the ratio is upside down: multiply by tokens per character, "
            "n_tokens / n_chars": bits * n_chars / n_tokens,
        }
        _hinted(case, got, bits * n_tokens / n_chars, mistakes, 1e-12, name="bpc")
    return [f"{len(cases)} cases, a character tokenizer and a loss of 0 included"]


_CHECKERS = {name: globals()[f"_check_{name}"] for name in EXERCISES}


def check(name: str, candidate) -> bool:
    """Run exercise ``name``'s checker on your ``candidate`` and print the verdict.

    Parameters
    ----------
    name : str
        A key of ``EXERCISES``, e.g. ``"tanh_layer"``.
    candidate : callable
        Your function, or your class for the layer exercises (``"tanh_layer"``,
        ``"gelu_layer"``): ``EXERCISES[name].asks`` says which.

    Returns
    -------
    bool
        True if every check passed; the printed verdict says which input failed.

    Raises
    ------
    ValueError
        If ``name`` is not an exercise.
    TypeError
        If ``candidate`` is not callable.
    """
    if name not in _CHECKERS:
        raise ValueError(
            f"check: name must be one of {', '.join(sorted(_CHECKERS))}, got {name!r}"
        )
    if not callable(candidate):
        raise TypeError(f"check: candidate must be callable, got {candidate!r:.40}")
    try:
        passed = _CHECKERS[name](candidate)
    except MismatchError as failure:
        print(_wrapped(f"{name}: not yet. {failure}"))
        return False
    print(_wrapped(f"{name}: passed ({'; '.join(passed)})."))
    return True


def _wrapped(verdict: str) -> str:
    """A verdict cut into lines of at most 80 characters, continued indented."""
    return textwrap.fill(verdict, 80, subsequent_indent="  ", break_long_words=False)
