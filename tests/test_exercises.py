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


# ---- Parts II-IV and labs ----
# Each new checker: the book's solution and another correct form pass; typical mistakes
# fail, and the verdict names the mistake.


def _softmax_rows(s):
    e = np.exp(s - s.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


# ---- one attention head
def head(x, W_q, W_k, W_v, W_o):
    q, k, v = x @ W_q, x @ W_k, x @ W_v
    T = len(x)
    M = np.where(np.tril(np.ones((T, T), dtype=bool)), 0.0, -np.inf)
    return _softmax_rows(q @ k.T / np.sqrt(q.shape[-1]) + M) @ v @ W_o


def head_loops(x, W_q, W_k, W_v, W_o):
    """Position by position: each query against the keys up to itself."""
    q, k, v = x @ W_q, x @ W_k, x @ W_v
    rows = []
    for i in range(len(x)):
        s = k[: i + 1] @ q[i] / np.sqrt(q.shape[-1])
        w = np.exp(s - s.max())
        rows.append((w / w.sum()) @ v[: i + 1])
    return np.array(rows) @ W_o


def head_no_mask(x, W_q, W_k, W_v, W_o):
    q, k, v = x @ W_q, x @ W_k, x @ W_v
    return _softmax_rows(q @ k.T / np.sqrt(q.shape[-1])) @ v @ W_o


def head_no_scale(x, W_q, W_k, W_v, W_o):
    return head(x, W_q * np.sqrt(W_q.shape[1]), W_k, W_v, W_o)


def head_hides_diagonal(x, W_q, W_k, W_v, W_o):
    q, k, v = x @ W_q, x @ W_k, x @ W_v
    T = len(x)
    M = np.where(np.tril(np.ones((T, T), dtype=bool), k=-1), 0.0, -np.inf)
    with np.errstate(invalid="ignore"):
        return _softmax_rows(q @ k.T / np.sqrt(q.shape[-1]) + M) @ v @ W_o


def head_without_w_o(x, W_q, W_k, W_v, W_o):
    return head(x, W_q, W_k, W_v, np.eye(W_v.shape[1]))


# ---- heads
def split_heads(a, n_heads):
    B, T, d = a.shape
    return a.reshape(B, T, n_heads, d // n_heads).transpose(0, 2, 1, 3)


def split_heads_stack(a, n_heads):
    return np.stack(np.split(a, n_heads, axis=-1), axis=1)


def split_heads_reshape_only(a, n_heads):
    B, T, d = a.shape
    return a.reshape(B, n_heads, T, d // n_heads)


def split_heads_interleaved(a, n_heads):
    B, T, d = a.shape
    return a.reshape(B, T, d // n_heads, n_heads).transpose(0, 3, 1, 2)


def merge_heads(a):
    B, H, T, d = a.shape
    return a.transpose(0, 2, 1, 3).reshape(B, T, H * d)


def merge_heads_concat(a):
    return np.concatenate(list(a.swapaxes(0, 1)), axis=-1)


def merge_heads_reshape_only(a):
    B, H, T, d = a.shape
    return a.reshape(B, T, H * d)


def merge_heads_interleaved(a):
    B, H, T, d = a.shape
    return a.transpose(0, 2, 3, 1).reshape(B, T, H * d)


# ---- the pre-norm block
def block(x, attn, ffn, ln1, ln2):
    x = x + attn(ln1(x))
    return x + ffn(ln2(x))


def block_one_line(x, attn, ffn, ln1, ln2):
    h = x + attn(ln1(x))
    return h + ffn(ln2(h))


def block_layer_calls(x, attn, ffn, ln1, ln2):
    """The sublayers called as layers, with forward."""
    x = x + attn.forward(ln1.forward(x))
    return x + ffn.forward(ln2.forward(x))


def block_post_norm(x, attn, ffn, ln1, ln2):
    h = ln1(x + attn(x))
    return ln2(h + ffn(h))


def block_no_residual(x, attn, ffn, ln1, ln2):
    h = attn(ln1(x))
    return h + ffn(ln2(h))


def block_parallel(x, attn, ffn, ln1, ln2):
    return x + attn(ln1(x)) + ffn(ln2(x))


# ---- greedy generation
def generate_greedy(model, ids, n_new):
    ids = list(ids)
    for _ in range(n_new):
        window = np.array(ids[-model.context_length :])
        ids.append(int(model.forward(window)[-1].argmax()))
    return np.array(ids)


def generate_greedy_batched(model, ids, n_new):
    ids = np.asarray(ids)[None]  # (1, T)
    for _ in range(n_new):
        logits = model.forward(ids[:, -model.context_length :])  # (1, T, V)
        ids = np.concatenate([ids, logits[:, -1].argmax(-1)[:, None]], axis=1)
    return ids  # (1, T + n_new): the checker takes one row


def generate_no_crop(model, ids, n_new):
    ids = list(ids)
    for _ in range(n_new):
        ids.append(int(model.forward(np.array(ids))[-1].argmax()))
    return ids


def generate_first_window(model, ids, n_new):
    ids = list(ids)
    for _ in range(n_new):
        ids.append(
            int(model.forward(np.array(ids[: model.context_length]))[-1].argmax())
        )
    return ids


def generate_new_only(model, ids, n_new):
    return generate_greedy(model, ids, n_new)[len(ids) :]


# ---- cross-entropy's gradient
def ce_grad(logits, labels):
    p = _softmax_rows(logits)
    p[..., :] -= np.eye(logits.shape[-1])[labels]
    return p / labels.size


def ce_grad_loops(logits, labels):
    rows, V = logits.reshape(-1, logits.shape[-1]), logits.shape[-1]
    out = np.array(
        [
            _softmax_rows(r) - np.eye(V)[y]
            for r, y in zip(rows, labels.ravel(), strict=True)
        ]
    )
    return (out / len(rows)).reshape(logits.shape)


def ce_grad_no_mean(logits, labels):
    return ce_grad(logits, labels) * labels.size


def ce_grad_sign(logits, labels):
    return -ce_grad(logits, labels)


def ce_grad_batch_only(logits, labels):
    return ce_grad(logits, labels) * labels.size / len(labels)


# ---- attention's backward
def attn_backward(d_out, q, k, v, weights):
    dv = weights.swapaxes(-1, -2) @ d_out
    dw = d_out @ v.swapaxes(-1, -2)
    ds = weights * (dw - (weights * dw).sum(-1, keepdims=True)) / np.sqrt(q.shape[-1])
    return ds @ k, ds.swapaxes(-1, -2) @ q, dv


def attn_backward_einsum(d_out, q, k, v, weights):
    dv = np.einsum("...ij,...id->...jd", weights, d_out)
    dw = np.einsum("...id,...jd->...ij", d_out, v)
    row = np.einsum("...ij,...ij->...i", weights, dw)[..., None]
    ds = weights * (dw - row) / np.sqrt(q.shape[-1])
    return (
        np.einsum("...ij,...jd->...id", ds, k),
        np.einsum("...ij,...id->...jd", ds, q),
        dv,
    )


def attn_backward_untransposed_dv(d_out, q, k, v, weights):
    dq, dk, _ = attn_backward(d_out, q, k, v, weights)
    return dq, dk, weights @ d_out


def attn_backward_no_minus(d_out, q, k, v, weights):
    dv = weights.swapaxes(-1, -2) @ d_out
    ds = weights * (d_out @ v.swapaxes(-1, -2)) / np.sqrt(q.shape[-1])
    return ds @ k, ds.swapaxes(-1, -2) @ q, dv


def attn_backward_no_scale(d_out, q, k, v, weights):
    dq, dk, dv = attn_backward(d_out, q, k, v, weights)
    return dq * np.sqrt(q.shape[-1]), dk * np.sqrt(q.shape[-1]), dv


# ---- batches
def get_batch(ids, batch_size, T, rng):
    starts = rng.integers(0, len(ids) - T, size=batch_size)
    x = np.stack([ids[s : s + T] for s in starts])
    y = np.stack([ids[s + 1 : s + T + 1] for s in starts])
    return x, y


def get_batch_windows(ids, batch_size, T, rng):
    windows = np.lib.stride_tricks.sliding_window_view(ids, T + 1)  # (N - T, T + 1)
    rows = windows[rng.choice(len(windows), size=batch_size)]
    return rows[:, :-1], rows[:, 1:]


def get_batch_no_shift(ids, batch_size, T, rng):
    x, _ = get_batch(ids, batch_size, T, rng)
    return x, x.copy()


def get_batch_never_last(ids, batch_size, T, rng):
    starts = rng.integers(0, len(ids) - T - 1, size=batch_size)
    return get_batch(ids, batch_size, T, _Fixed(starts))


def get_batch_float(ids, batch_size, T, rng):
    x, y = get_batch(ids, batch_size, T, rng)
    return x.astype(float), y.astype(float)


class _Fixed:
    def __init__(self, starts):
        self.starts = starts

    def integers(self, *args, size):
        return self.starts


# ---- clipping
def clip(grads, max_norm):
    total = np.sqrt(sum(np.sum(g**2) for g in grads))
    return [g * min(1.0, max_norm / total) for g in grads]


def clip_in_place(grads, max_norm):
    total = np.linalg.norm(np.concatenate([g.ravel() for g in grads]))
    if total > max_norm:
        for g in grads:
            g *= max_norm / (total + 1e-6)
    return grads


def clip_per_tensor(grads, max_norm):
    return [g * min(1.0, max_norm / np.linalg.norm(g)) for g in grads]


def clip_always(grads, max_norm):
    total = np.sqrt(sum(np.sum(g**2) for g in grads))
    return [g * max_norm / total for g in grads]


def clip_no_sqrt(grads, max_norm):
    total = sum(np.sum(g**2) for g in grads)
    return [g * min(1.0, max_norm / total) for g in grads]


# ---- GELU
class GELU:
    def __init__(self):
        self.params, self.grads = {}, {}

    def forward(self, z):
        self.z = z
        return 0.5 * z * (1 + np.tanh(np.sqrt(2 / np.pi) * (z + 0.044715 * z**3)))

    def backward(self, dy):
        z = self.z
        t = np.tanh(np.sqrt(2 / np.pi) * (z + 0.044715 * z**3))
        du = np.sqrt(2 / np.pi) * (1 + 3 * 0.044715 * z**2)
        return dy * (0.5 * (1 + t) + 0.5 * z * (1 - t**2) * du)


class GELUSigmoid(GELU):
    """0.5 (1 + tanh u) is sigmoid(2u): the same function, written another way."""

    def forward(self, z):
        self.z = z
        self.s = 1 / (1 + np.exp(-2 * np.sqrt(2 / np.pi) * (z + 0.044715 * z**3)))
        return z * self.s

    def backward(self, dy):
        du = 2 * np.sqrt(2 / np.pi) * (1 + 3 * 0.044715 * self.z**2)
        return dy * (self.s + self.z * self.s * (1 - self.s) * du)


class GELUFirstTermOnly(GELU):
    def backward(self, dy):
        return (
            dy
            * 0.5
            * (1 + np.tanh(np.sqrt(2 / np.pi) * (self.z + 0.044715 * self.z**3)))
        )


class GELUNoThree(GELU):
    def backward(self, dy):
        z = self.z
        t = np.tanh(np.sqrt(2 / np.pi) * (z + 0.044715 * z**3))
        du = np.sqrt(2 / np.pi) * (1 + 0.044715 * z**2)
        return dy * (0.5 * (1 + t) + 0.5 * z * (1 - t**2) * du)


class GELUErf(GELU):
    def forward(self, z):
        from math import erf

        self.z = z
        return 0.5 * z * (1 + np.vectorize(erf)(z / np.sqrt(2)))


# ---- bits per character
def bpc(loss, n_tokens, n_chars):
    return loss * n_tokens / (n_chars * np.log(2))


def bpc_log2(loss, n_tokens, n_chars):
    return float(np.log2(np.exp(loss))) / (n_chars / n_tokens)


def bpc_nats(loss, n_tokens, n_chars):
    return loss * n_tokens / n_chars


def bpc_per_token(loss, n_tokens, n_chars):
    return loss / np.log(2)


def bpc_inverted(loss, n_tokens, n_chars):
    return loss * n_chars / (n_tokens * np.log(2))


# (right answers, wrong answers with a phrase their verdict must contain)
LATER_CASES = {
    "attention_head": (
        [head, head_loops],
        [
            (head_no_mask, "the mask is missing"),
            (head_no_scale, "not divided by sqrt(d_head)"),
            (head_without_w_o, "W_o is missing"),
            (head_hides_diagonal, "row 0 sees nothing"),
        ],
    ),
    "split_heads": (
        [split_heads, split_heads_stack],
        [
            (split_heads_reshape_only, "a reshape alone"),
            (split_heads_interleaved, "every H-th column"),
        ],
    ),
    "merge_heads": (
        [merge_heads, merge_heads_concat],
        [
            (merge_heads_reshape_only, "a reshape alone"),
            (merge_heads_interleaved, "interleaved"),
        ],
    ),
    "pre_ln_block": (
        [block, block_one_line, block_layer_calls],
        [
            (block_post_norm, "post-norm"),
            (block_no_residual, "no residual"),
            (block_parallel, "ffn read ln2(x)"),
        ],
    ),
    "greedy_generate": (
        [generate_greedy, generate_greedy_batched],
        [
            (generate_no_crop, "feed it only the last"),
            (generate_first_window, "kept the first tokens"),
            (generate_new_only, "return the prompt"),
        ],
    ),
    "cross_entropy_grad": (
        [ce_grad, ce_grad_loops],
        [
            (ce_grad_no_mean, "not divided by N"),
            (ce_grad_sign, "sign is flipped"),
            (ce_grad_batch_only, "batch size 2 only"),
        ],
    ),
    "attention_backward": (
        [attn_backward, attn_backward_einsum],
        [
            (attn_backward_untransposed_dv, "transpose the weights"),
            (attn_backward_no_minus, "minus term"),
            (attn_backward_no_scale, "not divided by sqrt(d_k)"),
        ],
    ),
    "get_batch": (
        [get_batch, get_batch_windows],
        [
            (get_batch_no_shift, "y is x itself"),
            (get_batch_never_last, "start 8 never came up"),
            (get_batch_float, "must be integer ids"),
        ],
    ),
    "clip_grad_norm": (
        [clip, clip_in_place],
        [
            (clip_per_tensor, "clipped on its own"),
            (clip_always, "scaled up"),
            (clip_no_sqrt, "square root"),
        ],
    ),
    "gelu_layer": (
        [GELU, GELUSigmoid],
        [
            (GELUFirstTermOnly, "second term is missing"),
            (GELUNoThree, "the 3 is missing"),
            (GELUErf, "exact GELU with erf"),
        ],
    ),
    "bits_per_character": (
        [bpc, bpc_log2],
        [
            (bpc_nats, "divide by ln 2"),
            (bpc_per_token, "bits per token"),
            (bpc_inverted, "upside down"),
        ],
    ),
}
CASES.update({name: (r, [w for w, _ in ws]) for name, (r, ws) in LATER_CASES.items()})


@pytest.mark.parametrize(
    ("name", "wrong", "phrase"),
    [(n, w, p) for n, (_, ws) in LATER_CASES.items() for w, p in ws],
)
def test_a_later_checker_names_the_mistake(name, wrong, phrase, capsys):
    assert check(name, wrong) is False
    verdict = " ".join(capsys.readouterr().out.split())
    assert verdict.startswith(f"{name}: not yet. ")
    assert phrase in verdict, verdict


def test_a_later_verdict_is_the_same_every_time(capsys):
    for name, (_, wrongs) in LATER_CASES.items():
        verdicts = []
        for _ in range(2):
            check(name, wrongs[0][0])
            verdicts.append(capsys.readouterr().out)
        assert verdicts[0] == verdicts[1], name


# ---- the counts: every chapter and lab of the nav has its exercises
def _exercise_hook():
    from _helpers import load_module

    return load_module("hooks/exercises.py")


def _shortfalls() -> list[str]:
    """What each page of the nav lacks, one line per page ([] when all is there)."""
    from pathlib import Path

    hook = _exercise_hook()
    docs = Path(exercises.__file__).resolve().parents[1] / "docs"
    problems = []
    for pages in hook.nav_pages(docs).values():
        for page in pages:
            found = hook.found(page)
            name = page.relative_to(docs).as_posix()
            missing = []
            if page.suffix == ".py":  # a lab
                if len(found) < 2:
                    missing.append(f"{len(found)} exercise(s), not 2")
                if "\n# ## Pitfalls\n" not in page.read_text(encoding="utf-8"):
                    missing.append("no Pitfalls section")
            else:
                if len(found) < 3:
                    missing.append(f"{len(found)} exercise(s), not 3")
                kinds = {f.kind for f in found}
                for kind in ("predict", "compute", "implement"):
                    if kind not in kinds:
                        missing.append(f"no {kind} exercise")
            unsolved = [f.what or f.kind for f in found if not f.solved]
            if unsolved:
                missing.append(f"no solution with code after {unsolved}")
            for f in found:
                if f.kind == "implement" and not f.checkers:
                    missing.append(f"implement exercise {f.what!r} calls no checker")
                unknown = [c for c in f.checkers if c not in EXERCISES]
                if unknown:
                    missing.append(f"unknown checkers {unknown}")
            if missing:
                problems.append(f"{name}: {'; '.join(missing)}")
    for checker, ex in EXERCISES.items():
        page = docs / ex.chapter
        called = (
            [c for f in hook.found(page) for c in f.checkers] if page.is_file() else []
        )
        if checker not in called:
            problems.append(f"EXERCISES[{checker!r}] is not set on {ex.chapter}")
    return problems


def test_every_chapter_and_lab_has_its_exercises():
    """Every chapter of the nav: at least three exercises, one each of predict, compute
    and implement, each followed by a solution with code; every lab: at least two, and
    a Pitfalls section; every implement exercise calls a checker of ``EXERCISES``, and
    every checker is set on the chapter it names."""
    problems = _shortfalls()
    assert not problems, "\n".join(["pages that fall short:", *problems])


def test_the_count_sees_a_missing_kind_and_a_missing_solution(tmp_path):
    hook = _exercise_hook()
    page = tmp_path / "page.md"
    page.write_text(
        "# A page\n\n## Check yourself\n\n"
        '!!! question "Exercise (predict): a"\n    Guess.\n\n'
        '??? success "Solution"\n    ```python\n    print(1)\n    ```\n\n'
        '!!! question "Exercise (implement): b"\n    Write it.\n\n'
        '!!! question "Exercise"\n    Think.\n\n'
        '??? success "Solution"\n    ```python\n    check("tanh_layer", T)\n    ```\n\n'
        "## Pitfalls\n",
        encoding="utf-8",
    )
    got = [(f.kind, f.what, f.checkers, f.solved) for f in hook.found(page)]
    assert got == [
        ("predict", "a", [], True),
        ("implement", "b", [], False),  # the next box is another question
        ("exercise", "", ["tanh_layer"], True),
    ]
    lab = tmp_path / "lab.py"
    lab.write_text(
        "# %% [markdown]\n# # Lab: x\n#\n# ## Check yourself\n#\n"
        "# ### Exercise (compute): c\n#\n# Compute.\n#\n# ### Solution\n\n"
        "# %%\nx = 1\n\n"
        "# %% [markdown]\n# ### Exercise (predict): d\n#\n# Guess.\n#\n"
        "# ## Pitfalls\n",
        encoding="utf-8",
    )
    got = [(f.kind, f.what, f.solved) for f in hook.found(lab)]
    assert got == [("compute", "c", True), ("predict", "d", False)]


# ---- keep these last: they are parametrized over every CASES entry above them, so a
# case added below this line would be counted by the test before them but never run.
_PARAMETRIZED = set(CASES)


def test_every_case_is_above_the_parametrized_tests():
    late = sorted(set(CASES) - _PARAMETRIZED)
    assert not late, (
        f"tests/test_exercises.py: the cases of {late} are added after the tests "
        "that run them; move them into CASES, above the line 'keep these last'"
    )


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
