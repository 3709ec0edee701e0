"""The exercise checkers accept correct answers, in more than one form, and reject the
typical wrong ones with a message naming the first input where they fail.
"""

import numpy as np
import pytest

from scratchml import exercises
from scratchml.exercises import EXERCISES, check


def _sig(z):
    return 1 / (1 + np.exp(-z))


# ---- Tanh
class Tanh:
    def __init__(self):
        self.params, self.grads = {}, {}

    def forward(self, z):
        self.y = np.tanh(z)
        return self.y

    def backward(self, dy):
        return dy * (1 - self.y**2)


class TanhSignError(Tanh):
    def backward(self, dy):
        return dy * (1 + self.y**2)


class TanhForgetsDy(Tanh):
    def backward(self, dy):
        return 1 - self.y**2


class TanhWithParams(Tanh):
    def __init__(self):
        self.params, self.grads = {"w": np.zeros(1)}, {"w": np.zeros(1)}


# ---- three layers
def mlp3_backward(x, y, W1, W2, W3):
    h1 = _sig(x @ W1)
    h2 = _sig(h1 @ W2)
    out = h2 @ W3
    d_out = 2 * (out - y) / out.size
    dW3 = h2.T @ d_out
    d_h2 = d_out @ W3.T * h2 * (1 - h2)
    dW2 = h1.T @ d_h2
    d_h1 = d_h2 @ W2.T * h1 * (1 - h1)  # the sum over the paths through layer 2
    return x.T @ d_h1, dW2, dW3


def mlp3_no_batch_mean(x, y, W1, W2, W3):
    n = (x @ W1 @ W2 @ W3).size
    return tuple(g * n for g in mlp3_backward(x, y, W1, W2, W3))


def mlp3_one_path(x, y, W1, W2, W3):
    """Keeps only the first neuron's path back from layer 2 (no sum over paths)."""
    dW1, dW2, dW3 = mlp3_backward(x, y, W1, W2[:, :1] @ np.ones((1, W2.shape[1])), W3)
    return dW1, mlp3_backward(x, y, W1, W2, W3)[1], dW3


# ---- momentum
def momentum_torch(w, g, v, lr, beta):
    v = beta * v + g
    return w - lr * v, v


def momentum_classic(w, g, v, lr, beta):
    v = beta * v - lr * g  # the velocity in units of w: the same path of w
    return w + v, v


def momentum_forgets_v(w, g, v, lr, beta):
    return w - lr * g, v


def momentum_dampened(w, g, v, lr, beta):
    v = beta * v + (1 - beta) * g
    return w - lr * v, v


# ---- masks and sampling
def mask_tril(n):
    return np.tril(np.ones((n, n), dtype=bool))


def mask_loops(n):
    return np.array([[j <= i for j in range(n)] for i in range(n)])


def mask_off_by_one(n):
    return np.tril(np.ones((n, n), dtype=bool), k=-1)


def mask_transposed(n):
    return np.triu(np.ones((n, n), dtype=bool))


def mask_additive(n):
    return np.where(mask_tril(n), 0.0, -np.inf)


def top_k(probs, k):
    kth = np.sort(probs, axis=-1)[..., -k][..., None]
    kept = np.where(probs >= kth, probs, 0.0)
    return kept / kept.sum(axis=-1, keepdims=True)


def top_k_argsort(probs, k):
    out = np.zeros_like(probs)
    idx = np.argsort(probs, axis=-1)[..., -k:]
    np.put_along_axis(out, idx, np.take_along_axis(probs, idx, axis=-1), axis=-1)
    return out / out.sum(axis=-1, keepdims=True)


def top_k_unnormalized(probs, k):
    kth = np.sort(probs, axis=-1)[..., -k][..., None]
    return np.where(probs >= kth, probs, 0.0)


def top_k_one_too_many(probs, k):
    return top_k(probs, min(k + 1, probs.shape[-1]))


# ---- layer norm
def layer_norm_backward(x, gamma, dy, eps):
    mu = x.mean(axis=-1, keepdims=True)
    var = x.var(axis=-1, keepdims=True)
    xhat = (x - mu) / np.sqrt(var + eps)
    axes = tuple(range(x.ndim - 1))
    dgamma, dbeta = (dy * xhat).sum(axis=axes), dy.sum(axis=axes)
    dxhat = dy * gamma
    dx = (
        dxhat
        - dxhat.mean(-1, keepdims=True)
        - xhat * (dxhat * xhat).mean(-1, keepdims=True)
    )
    return dx / np.sqrt(var + eps), dgamma, dbeta  # fmt: skip


def ln_no_mean_terms(x, gamma, dy, eps):
    _, dgamma, dbeta = layer_norm_backward(x, gamma, dy, eps)
    var = x.var(axis=-1, keepdims=True)
    return dy * gamma / np.sqrt(var + eps), dgamma, dbeta


def ln_dgamma_per_row(x, gamma, dy, eps):
    dx, _, dbeta = layer_norm_backward(x, gamma, dy, eps)
    xhat = (x - x.mean(-1, keepdims=True)) / np.sqrt(x.var(-1, keepdims=True) + eps)
    return dx, (dy * xhat)[0].reshape(-1, x.shape[-1])[0], dbeta


# ---- Adam
def adam(w, g, m, v, t, lr, b1, b2, eps):
    m = b1 * m + (1 - b1) * g
    v = b2 * v + (1 - b2) * g * g
    m_hat, v_hat = m / (1 - b1**t), v / (1 - b2**t)
    return w - lr * m_hat / (np.sqrt(v_hat) + eps), m, v


def adam_no_correction(w, g, m, v, t, lr, b1, b2, eps):
    m = b1 * m + (1 - b1) * g
    v = b2 * v + (1 - b2) * g * g
    return w - lr * m / (np.sqrt(v) + eps), m, v


def adam_eps_inside(w, g, m, v, t, lr, b1, b2, eps):
    m = b1 * m + (1 - b1) * g
    v = b2 * v + (1 - b2) * g * g
    m_hat, v_hat = m / (1 - b1**t), v / (1 - b2**t)
    return w - lr * m_hat / np.sqrt(v_hat + eps), m, v


# ---- BPE
def merge(ids, pair, new_id):
    out, i = [], 0
    while i < len(ids):
        if i + 1 < len(ids) and (ids[i], ids[i + 1]) == pair:
            out.append(new_id)
            i += 2
        else:
            out.append(ids[i])
            i += 1
    return out


def merge_overlapping(ids, pair, new_id):
    """Replaces every position where the pair starts, even inside another match."""
    out = [new_id if (a, b) == pair else a for a, b in zip(ids, ids[1:], strict=False)]
    return (
        out + ids[-1:] if ids and (len(ids) < 2 or (ids[-2], ids[-1]) != pair) else out
    )


def merge_first_only(ids, pair, new_id):
    for i in range(len(ids) - 1):
        if (ids[i], ids[i + 1]) == pair:
            return ids[:i] + [new_id] + ids[i + 2 :]
    return ids


def encode(ids, merges):
    ranks = {p: i for i, p in enumerate(merges)}
    while len(ids) > 1:
        pair = min(zip(ids, ids[1:], strict=False), key=lambda p: ranks.get(p, 1e9))
        if pair not in ranks:
            return ids
        ids = merge(ids, pair, 256 + ranks[pair])
    return ids


def encode_in_list_order(ids, merges):
    """Each merge in turn, in rank order: the same ids as lowest rank first, since a
    merge only ever uses tokens made by earlier merges."""
    for i, pair in enumerate(merges):
        ids = merge(ids, pair, 256 + i)
    return ids


def encode_leftmost(ids, merges):
    """Merges the leftmost pair that has a merge, whatever its rank."""
    ranks = {p: i for i, p in enumerate(merges)}
    while True:
        pairs = [p for p in zip(ids, ids[1:], strict=False) if p in ranks]
        if not pairs:
            return ids
        ids = merge(ids, pairs[0], 256 + ranks[pairs[0]])


def encode_highest_rank(ids, merges):
    ranks = {p: i for i, p in enumerate(merges)}
    while len(ids) > 1:
        present = [p for p in zip(ids, ids[1:], strict=False) if p in ranks]
        if not present:
            return ids
        pair = max(present, key=ranks.get)
        ids = merge(ids, pair, 256 + ranks[pair])
    return ids


# ---- KV cache and c_attn
def append(K, V, k, v):
    return np.concatenate([K, k], axis=2), np.concatenate([V, v], axis=2)


def append_in_front(K, V, k, v):
    return np.concatenate([k, K], axis=2), np.concatenate([v, V], axis=2)


def append_overwrites(K, V, k, v):
    return k, v


def split(W, b):
    d = W.shape[0]
    W_q, W_k, W_v = np.split(W, 3, axis=1)
    return W_q, W_k, W_v, b[:d], b[d : 2 * d], b[2 * d :]


def split_rows(W, b):
    W_q, W_k, W_v = np.split(W.T, 3, axis=0)
    return W_q, W_k, W_v, *np.split(b, 3)


def split_kq_swapped(W, b):
    W_q, W_k, W_v, b_q, b_k, b_v = split(W, b)
    return W_k, W_q, W_v, b_k, b_q, b_v


CASES = {
    "tanh_layer": ([Tanh], [TanhSignError, TanhForgetsDy, TanhWithParams]),
    "mlp3_backward": ([mlp3_backward], [mlp3_no_batch_mean, mlp3_one_path]),
    "momentum_step": (
        [momentum_torch, momentum_classic],
        [momentum_forgets_v, momentum_dampened],
    ),
    "causal_mask": (
        [mask_tril, mask_loops],
        [mask_off_by_one, mask_transposed, mask_additive],
    ),
    "top_k_filter": (
        [top_k, top_k_argsort],
        [top_k_unnormalized, top_k_one_too_many],
    ),
    "layer_norm_backward": (
        [layer_norm_backward],
        [ln_no_mean_terms, ln_dgamma_per_row],
    ),
    "adam_step": ([adam], [adam_no_correction, adam_eps_inside]),
    "bpe_merge": ([merge], [merge_overlapping, merge_first_only]),
    "bpe_encode": (
        [encode, encode_in_list_order],
        [encode_highest_rank, encode_leftmost],
    ),
    "kv_cache_append": ([append], [append_in_front, append_overwrites]),
    "split_c_attn": ([split], [split_rows, split_kq_swapped]),
}


# ---- Parts I-II: the neuron to masking ----
def fires_batch(a, w, b):
    return a @ w + b > 0


def fires_loop(a, w, b):
    """One example at a time, as 0 and 1: the same answer in another form."""
    rows = np.atleast_2d(a)
    out = np.array(
        [int(sum(wi * ai for wi, ai in zip(w, r, strict=True)) + b > 0) for r in rows]
    )
    return out if a.ndim == 2 else out[0]


def fires_no_bias(a, w, b):
    return a @ w > 0


def fires_at_zero(a, w, b):
    return a @ w + b >= 0


def fires_wrong_axis(a, w, b):
    return (a * w).sum(axis=0) + b > 0


def dense_backward(x, W, dy):
    return x.T @ dy, dy.sum(axis=0), dy @ W.T


def dense_backward_einsum(x, W, dy):
    return (
        np.einsum("ni,no->io", x, dy),
        np.einsum("no->o", dy),
        np.einsum("no,io->ni", dy, W),
    )


def dense_db_mean(x, W, dy):
    return x.T @ dy, dy.mean(axis=0), dy @ W.T


def dense_db_per_row(x, W, dy):
    return x.T @ dy, dy, dy @ W.T


def dense_dw_transposed(x, W, dy):
    return dy.T @ x, dy.sum(axis=0), dy @ W.T


def mse_with_grad(pred, target):
    diff = pred - target
    return np.mean(diff**2), 2 * diff / diff.size


def mse_with_grad_loops(pred, target):
    flat_p, flat_t = pred.ravel().tolist(), target.ravel().tolist()
    n = len(flat_p)
    loss = sum((p - t) ** 2 for p, t in zip(flat_p, flat_t, strict=True)) / n
    grad = [2 * (p - t) / n for p, t in zip(flat_p, flat_t, strict=True)]
    return loss, np.reshape(grad, pred.shape)


def mse_no_mean_in_grad(pred, target):
    diff = pred - target
    return np.mean(diff**2), 2 * diff


def mse_grad_sign(pred, target):
    diff = pred - target
    return np.mean(diff**2), 2 * (target - pred) / diff.size


def mse_mean_over_rows(pred, target):
    diff = pred - target
    return np.mean(diff**2), 2 * diff / len(diff)


def should_stop(val_losses, patience):
    if not val_losses:
        return False
    best = val_losses.index(min(val_losses))
    return len(val_losses) - 1 - best >= patience


def should_stop_counter(val_losses, patience):
    best, waited = float("inf"), 0
    for loss in val_losses:
        if loss < best:
            best, waited = loss, 0
        else:
            waited += 1
    return waited >= patience


def stop_after_rises(val_losses, patience):
    """Counts consecutive rises against the previous epoch, not against the best."""
    rises = 0
    for before, after in zip(val_losses, val_losses[1:], strict=False):
        rises = rises + 1 if after > before else 0
    return rises >= patience


def stop_ties_improve(val_losses, patience):
    if not val_losses:
        return False
    best = len(val_losses) - 1 - val_losses[::-1].index(min(val_losses))
    return len(val_losses) - 1 - best >= patience


def stop_one_late(val_losses, patience):
    return should_stop(val_losses, patience + 1)


def next_token_pairs(ids, T):
    n = len(ids) - T
    return (
        np.array([ids[i : i + T] for i in range(n)]),
        np.array([ids[i + 1 : i + T + 1] for i in range(n)]),
    )


def next_token_pairs_strided(ids, T):
    windows = np.lib.stride_tricks.sliding_window_view(ids, T + 1)
    return windows[:, :-1].tolist(), windows[:, 1:].tolist()


def pairs_not_shifted(ids, T):
    inputs, _ = next_token_pairs(ids, T)
    return inputs, inputs


def pairs_one_short(ids, T):
    inputs, targets = next_token_pairs(ids, T)
    return inputs[:-1], targets[:-1]


def pairs_swapped(ids, T):
    inputs, targets = next_token_pairs(ids, T)
    return targets, inputs


class CharTok:
    def __init__(self, text):
        chars = sorted(set(text))
        self.stoi = {c: i for i, c in enumerate(chars)}
        self.itos = dict(enumerate(chars))

    def encode(self, s):
        return [self.stoi[c] for c in s]

    def decode(self, ids):
        return "".join(self.itos[int(i)] for i in ids)


class CharTokFirstSeen(CharTok):
    """Ids in order of first appearance, kept in a list: also correct."""

    def __init__(self, text):
        self.chars = list(dict.fromkeys(text))

    def encode(self, s):
        return np.array([self.chars.index(c) for c in s], dtype=np.int64)

    def decode(self, ids):
        return "".join(self.chars[i] for i in ids)


class CharTokFromOne(CharTok):
    def __init__(self, text):
        chars = sorted(set(text))
        self.stoi = {c: i + 1 for i, c in enumerate(chars)}
        self.itos = {i + 1: c for i, c in enumerate(chars)}


class CharTokDecodesToList(CharTok):
    def decode(self, ids):
        return [self.itos[int(i)] for i in ids]


class CharTokEveryPosition(CharTok):
    """Numbers every position of the text, so a repeated character's id is its last."""

    def __init__(self, text):
        self.stoi = {c: i for i, c in enumerate(text)}
        self.itos = {i: c for c, i in self.stoi.items()}


def embedding_backward(ids, dout, V):
    dW = np.zeros((V, dout.shape[-1]))
    np.add.at(dW, ids, dout)
    return dW


def embedding_backward_one_hot(ids, dout, V):
    one_hot = np.eye(V)[ids.ravel()]  # (N, V)
    return one_hot.T @ dout.reshape(-1, dout.shape[-1])


def embedding_assigns(ids, dout, V):
    dW = np.zeros((V, dout.shape[-1]))
    dW[ids] = dout
    return dW


def embedding_fancy_add(ids, dout, V):
    dW = np.zeros((V, dout.shape[-1]))
    dW[ids] += dout
    return dW


def embedding_transposed(ids, dout, V):
    return embedding_backward(ids, dout, V).T


def sinusoidal_table(n, d):
    angle = np.arange(n)[:, None] / 10000 ** (np.arange(0, d, 2) / d)  # (n, d/2)
    pe = np.zeros((n, d))
    pe[:, 0::2], pe[:, 1::2] = np.sin(angle), np.cos(angle)
    return pe


def sinusoidal_loops(n, d):
    import math

    return [
        [
            (math.sin if j % 2 == 0 else math.cos)(p / 10000 ** ((j - j % 2) / d))
            for j in range(d)
        ]
        for p in range(n)
    ]


def sinusoidal_halves(n, d):
    angle = np.arange(n)[:, None] / 10000 ** (np.arange(0, d, 2) / d)
    return np.concatenate([np.sin(angle), np.cos(angle)], axis=1)


def sinusoidal_own_frequency(n, d):
    """Gives every column its own frequency: j / d instead of 2i / d for a pair."""
    angle = np.arange(n)[:, None] / 10000 ** (np.arange(d) / d)  # (n, d)
    pe = np.sin(angle)
    pe[:, 1::2] = np.cos(angle[:, 1::2])
    return pe


def sinusoidal_cos_first(n, d):
    return sinusoidal_table(n, d)[:, [j ^ 1 for j in range(d)]]


def unembedding_backward(h, W_U, dlogits):
    h2, d2 = h.reshape(-1, h.shape[-1]), dlogits.reshape(-1, dlogits.shape[-1])
    return dlogits @ W_U.T, h2.T @ d2


def unembedding_backward_einsum(h, W_U, dlogits):
    lead = list(range(h.ndim - 1))  # every axis but the last: summed
    return np.einsum("...v,dv->...d", dlogits, W_U), np.tensordot(
        h, dlogits, (lead, lead)
    )


def unembedding_mean(h, W_U, dlogits):
    dh, dW = unembedding_backward(h, W_U, dlogits)
    return dh, dW / np.prod(h.shape[:-1])


def unembedding_transposed(h, W_U, dlogits):
    dh, dW = unembedding_backward(h, W_U, dlogits)
    return dh, dW.T


def unembedding_2d_only(h, W_U, dlogits):
    return dlogits @ W_U.T, h.T @ dlogits


def stable_softmax(z):
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def softmax_logsumexp(z):
    m = np.max(z, axis=-1, keepdims=True)
    return np.exp(z - m - np.log(np.sum(np.exp(z - m), axis=-1, keepdims=True)))


def softmax_naive(z):
    e = np.exp(z)
    return e / e.sum(axis=-1, keepdims=True)


def softmax_axis0(z):
    e = np.exp(z - z.max(axis=0, keepdims=True))
    return e / e.sum(axis=0, keepdims=True)


def softmax_global_max(z):
    e = np.exp(z - z.max())
    return e / e.sum(axis=-1, keepdims=True)


def attention_scores(q, k):
    return q @ k.T / np.sqrt(q.shape[-1])


def attention_scores_loops(q, k):
    return [[float(qi @ kj) / len(qi) ** 0.5 for kj in k] for qi in q]


def scores_unscaled(q, k):
    return q @ k.T


def scores_by_d(q, k):
    return q @ k.T / q.shape[-1]


def scores_transposed(q, k):
    return k @ q.T / np.sqrt(q.shape[-1])


CASES_PARTS_1_2 = {
    "neuron_fires": (
        [fires_batch, fires_loop],
        [fires_no_bias, fires_at_zero, fires_wrong_axis],
    ),
    "dense_backward": (
        [dense_backward, dense_backward_einsum],
        [dense_db_mean, dense_db_per_row, dense_dw_transposed],
    ),
    "mse_with_grad": (
        [mse_with_grad, mse_with_grad_loops],
        [mse_no_mean_in_grad, mse_grad_sign, mse_mean_over_rows],
    ),
    "should_stop": (
        [should_stop, should_stop_counter],
        [stop_after_rises, stop_ties_improve, stop_one_late],
    ),
    "next_token_pairs": (
        [next_token_pairs, next_token_pairs_strided],
        [pairs_not_shifted, pairs_one_short, pairs_swapped],
    ),
    "char_tokenizer": (
        [CharTok, CharTokFirstSeen],
        [CharTokFromOne, CharTokDecodesToList, CharTokEveryPosition],
    ),
    "embedding_backward": (
        [embedding_backward, embedding_backward_one_hot],
        [embedding_assigns, embedding_fancy_add, embedding_transposed],
    ),
    "sinusoidal_table": (
        [sinusoidal_table, sinusoidal_loops],
        [sinusoidal_halves, sinusoidal_own_frequency, sinusoidal_cos_first],
    ),
    "unembedding_backward": (
        [unembedding_backward, unembedding_backward_einsum],
        [unembedding_mean, unembedding_transposed, unembedding_2d_only],
    ),
    "stable_softmax": (
        [stable_softmax, softmax_logsumexp],
        [softmax_naive, softmax_axis0, softmax_global_max],
    ),
    "attention_scores": (
        [attention_scores, attention_scores_loops],
        [scores_unscaled, scores_by_d, scores_transposed],
    ),
}
CASES |= CASES_PARTS_1_2


def test_every_exercise_has_accept_and_reject_cases():
    assert set(CASES) == set(EXERCISES)
    assert all(len(wrong) >= 2 for _, wrong in CASES.values())


@pytest.mark.parametrize(
    ("name", "right"), [(n, r) for n, (rs, _) in CASES.items() for r in rs]
)
def test_the_checker_accepts_a_correct_answer(name, right, capsys):
    assert check(name, right) is True
    assert capsys.readouterr().out.startswith(f"{name}: passed (")


@pytest.mark.parametrize(
    ("name", "wrong"), [(n, w) for n, (_, ws) in CASES.items() for w in ws]
)
def test_the_checker_rejects_a_typical_mistake(name, wrong, capsys):
    assert check(name, wrong) is False
    verdict = capsys.readouterr().out
    assert verdict.startswith(f"{name}: not yet. ")
    assert "expected" in verdict or "must" in verdict or "raised" in verdict


def test_the_off_by_one_mask_is_reported_at_its_first_wrong_entry(capsys):
    check("causal_mask", mask_off_by_one)
    assert capsys.readouterr().out == (
        "causal_mask: not yet. n = 1: mask[0, 0] is False, expected True\n"
    )


def test_competing_merges_are_reported_with_the_word(capsys):
    check("bpe_encode", encode_highest_rank)
    raw = capsys.readouterr().out
    assert max(len(line) for line in raw.splitlines()) <= 80  # wrapped
    out = " ".join(raw.split())
    assert "encode([97, 98, 99], merges=[(98, 99), (97, 98)]) gave [257, 99]" in out
    assert "expected [97, 256]" in out


def test_code_that_raises_gets_a_verdict_not_a_traceback(capsys):
    def broken(n):
        raise RuntimeError("not written yet")

    assert check("causal_mask", broken) is False
    assert "raised RuntimeError: not written yet" in capsys.readouterr().out.replace(
        "\n  ", " "
    )


BAD_INPUT_PROBES = [
    (
        "exercises.check",
        "unknown name",
        lambda: check("tanh", Tanh),
        ValueError,
        r"check: name must be one of .*got 'tanh'",
    ),
    (
        "exercises.check",
        "not callable",
        lambda: check("tanh_layer", 3),
        TypeError,
        r"check: candidate must be callable, got 3",
    ),
]


def test_bad_input_probes():
    for _, _, thunk, exc, pattern in BAD_INPUT_PROBES:
        with pytest.raises(exc, match=pattern):
            thunk()


def test_every_exercise_names_an_existing_chapter():
    from pathlib import Path

    docs = Path(exercises.__file__).resolve().parents[1] / "docs"
    for name, ex in EXERCISES.items():
        assert (docs / ex.chapter).is_file(), name


# ---- Parts I-II: the verdicts name what is wrong
def test_an_embedding_backward_that_assigns_names_the_repeated_id(capsys):
    check("embedding_backward", embedding_assigns)
    out = " ".join(capsys.readouterr().out.split())
    assert (
        "ids [3, 1, 3, 0, 3], vocab_size 5 (repeated: 3 (3 times)): dW_E[3, 0]" in out
    )


def test_a_softmax_without_the_max_fails_on_large_logits_with_nan(capsys):
    check("stable_softmax", softmax_naive)
    out = " ".join(capsys.readouterr().out.split())
    assert "large logits [1000, 1001, 999]: probs[0] is nan, expected 0.244728" in out


def test_a_tokenizer_counting_from_one_is_told_the_range(capsys):
    check("char_tokenizer", CharTokFromOne)
    out = " ".join(capsys.readouterr().out.split())
    assert "encode gave id 8; with 8 distinct characters the ids must be 0 to 7" in out


def test_firing_at_z_zero_is_reported_on_the_edge_case(capsys):
    check("neuron_fires", fires_at_zero)
    out = " ".join(capsys.readouterr().out.split())
    assert "(z = 0 on row 0): output[0] is True, expected False" in out
