"""Attention: the textbook formula, causal masking, heads, gradients and clear
errors."""

import math

import numpy as np
import pytest

from scratchml import (
    MultiHeadAttention,
    SelfAttention,
    attention_backward,
    causal_mask,
    check_gradients,
    multi_head_attention,
    numerical_gradient,
    relative_error,
    scaled_dot_product_attention,
)

rng = np.random.default_rng(0)


def reference_attention(q, k, v, mask=None):
    """The formula, one query and one key at a time (2-D inputs)."""
    T_q, T_k = q.shape[0], k.shape[0]
    weights = np.zeros((T_q, T_k))
    for i in range(T_q):
        scores = [
            sum(q[i, c] * k[j, c] for c in range(q.shape[1])) / math.sqrt(q.shape[1])
            if mask is None or mask[i, j]
            else -math.inf
            for j in range(T_k)
        ]
        top = max(scores)
        e = [math.exp(s - top) for s in scores]  # exp(-inf) = 0
        weights[i] = [x / sum(e) for x in e]
    out = np.array([sum(weights[i, j] * v[j] for j in range(T_k)) for i in range(T_q)])
    return out, weights


def test_causal_mask_is_the_lower_triangle():
    m = causal_mask(4)
    assert m.dtype == bool
    expected = [[1, 0, 0, 0], [1, 1, 0, 0], [1, 1, 1, 0], [1, 1, 1, 1]]
    np.testing.assert_array_equal(m, np.array(expected, dtype=bool))
    for i in range(4):
        for j in range(4):
            assert m[i, j] == (
                j <= i
            )  # query i sees key j only if j is not in its future


@pytest.mark.parametrize("masked", [False, True])
def test_matches_the_textbook_formula(masked):
    q, k, v = (
        rng.standard_normal((5, 4)),
        rng.standard_normal((5, 4)),
        rng.standard_normal((5, 3)),
    )
    mask = causal_mask(5) if masked else None
    out, w = scaled_dot_product_attention(q, k, v, mask)
    ref_out, ref_w = reference_attention(q, k, v, mask)
    np.testing.assert_allclose(w, ref_w, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(out, ref_out, rtol=1e-12, atol=1e-15)


def test_different_query_and_key_lengths():
    q, k, v = (
        rng.standard_normal((2, 4)),
        rng.standard_normal((6, 4)),
        rng.standard_normal((6, 3)),
    )
    out, w = scaled_dot_product_attention(q, k, v)
    assert out.shape == (2, 3) and w.shape == (2, 6)
    np.testing.assert_allclose(out, reference_attention(q, k, v)[0], rtol=1e-12)


def test_batched_equals_one_sequence_at_a_time():
    q, k, v = (rng.standard_normal((2, 3, 5, 4)) for _ in range(3))
    out, w = scaled_dot_product_attention(q, k, v, causal_mask(5))
    assert out.shape == (2, 3, 5, 4) and w.shape == (2, 3, 5, 5)
    for b in range(2):
        for h in range(3):
            ref_out, ref_w = reference_attention(
                q[b, h], k[b, h], v[b, h], causal_mask(5)
            )
            np.testing.assert_allclose(out[b, h], ref_out, rtol=1e-12, atol=1e-15)
            np.testing.assert_allclose(w[b, h], ref_w, rtol=1e-12, atol=1e-15)


def test_masked_weights_are_exactly_zero_and_rows_sum_to_one():
    q, k, v = (rng.standard_normal((2, 6, 4)) for _ in range(3))
    _, w = scaled_dot_product_attention(q, k, v, causal_mask(6))
    assert np.all(w[:, ~causal_mask(6)] == 0.0)  # exactly 0 above the diagonal
    assert np.all(w[:, causal_mask(6)] > 0.0)
    np.testing.assert_allclose(w.sum(axis=-1), 1.0, rtol=1e-12)
    np.testing.assert_array_equal(
        w[:, 0, 0], 1.0
    )  # the first position sees only itself


def test_causal_attention_ignores_the_future_bit_for_bit():
    T, t = 7, 3
    q, k, v = (rng.standard_normal((2, T, 4)).astype(np.float32) for _ in range(3))
    out, w = scaled_dot_product_attention(q, k, v, causal_mask(T))
    q2, k2, v2 = q.copy(), k.copy(), v.copy()
    for a in (q2, k2, v2):
        a[:, t + 1 :] = (
            rng.standard_normal(a[:, t + 1 :].shape) * 100
        )  # rewrite the future
    out2, w2 = scaled_dot_product_attention(q2, k2, v2, causal_mask(T))
    assert np.array_equal(out[:, : t + 1], out2[:, : t + 1])
    assert np.array_equal(w[:, : t + 1], w2[:, : t + 1])
    assert not np.array_equal(out[:, t + 1 :], out2[:, t + 1 :])


def test_without_mask_the_future_matters():
    q, k, v = (rng.standard_normal((5, 4)) for _ in range(3))
    out, _ = scaled_dot_product_attention(q, k, v)
    v2 = v.copy()
    v2[-1] += 1.0
    assert not np.allclose(scaled_dot_product_attention(q, k, v2)[0][0], out[0])


def test_keeps_float32():
    q, k, v = (rng.standard_normal((2, 5, 4)).astype(np.float32) for _ in range(3))
    out, w = scaled_dot_product_attention(q, k, v, causal_mask(5))
    assert out.dtype == np.float32 and w.dtype == np.float32
    grads = attention_backward(np.ones_like(out), q, k, v, w)
    assert all(g.dtype == np.float32 for g in grads)


@pytest.mark.parametrize("masked", [False, True])
def test_attention_backward_matches_finite_differences(masked):
    q, k, v = (
        rng.standard_normal((2, 5, 4)),
        rng.standard_normal((2, 5, 4)),
        rng.standard_normal((2, 5, 3)),
    )
    mask = causal_mask(5) if masked else None
    r = rng.standard_normal((2, 5, 3))  # loss = sum(output * r), so d_out = r

    def loss() -> float:
        return float((scaled_dot_product_attention(q, k, v, mask)[0] * r).sum())

    _, w = scaled_dot_product_attention(q, k, v, mask)
    dq, dk, dv = attention_backward(r, q, k, v, w)
    assert relative_error(dq, numerical_gradient(loss, q)) < 1e-6
    assert relative_error(dk, numerical_gradient(loss, k)) < 1e-6
    assert relative_error(dv, numerical_gradient(loss, v)) < 1e-6


def test_shape_errors_name_the_arguments():
    f = scaled_dot_product_attention
    msg = (
        r"scaled_dot_product_attention: q has shape \(4, 8\) but k has shape \(4, 6\); "
        "the last dimensions must match"
    )
    with pytest.raises(ValueError, match=msg):
        f(np.zeros((4, 8)), np.zeros((4, 6)), np.zeros((4, 6)))
    with pytest.raises(
        ValueError, match=r"k has shape \(4, 8\) but v has shape \(3, 8\)"
    ):
        f(np.zeros((4, 8)), np.zeros((4, 8)), np.zeros((3, 8)))
    with pytest.raises(
        ValueError, match=r"q has shape \(2, 4, 8\) but k has shape \(3, 4, 8\)"
    ):
        f(np.zeros((2, 4, 8)), np.zeros((3, 4, 8)), np.zeros((3, 4, 8)))
    with pytest.raises(
        ValueError, match=r"q has shape \(8,\) but must be \(\.\.\., T, d\)"
    ):
        f(np.zeros(8), np.zeros((4, 8)), np.zeros((4, 8)))
    with pytest.raises(
        ValueError, match=r"mask has shape \(3, 3\) but the scores have shape \(4, 4\)"
    ):
        f(np.zeros((4, 8)), np.zeros((4, 8)), np.zeros((4, 8)), causal_mask(3))
    with pytest.raises(TypeError, match="mask must be boolean"):
        f(np.zeros((4, 8)), np.zeros((4, 8)), np.zeros((4, 8)), np.ones((4, 4)))
    with pytest.raises(ValueError, match="a row of mask is all False"):
        f(
            np.zeros((2, 8)),
            np.zeros((2, 8)),
            np.zeros((2, 8)),
            np.array([[True, False], [False, False]]),
        )
    with pytest.raises(ValueError, match="q contains NaN"):
        f(np.full((2, 8), np.nan), np.zeros((2, 8)), np.zeros((2, 8)))
    with pytest.raises(
        ValueError,
        match=r"attention_backward: d_out has shape \(4, 2\) but the output has shape "
        r"\(4, 8\)",
    ):
        attention_backward(
            np.zeros((4, 2)),
            np.zeros((4, 8)),
            np.zeros((4, 8)),
            np.zeros((4, 8)),
            np.zeros((4, 4)),
        )


# ---- the layers --------------------------------------------------------------------


def softmax_rows(s):
    e = np.exp(s - s.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def test_self_attention_step_by_step():
    layer = SelfAttention(6, d_head=4, rng=0, dtype=np.float64)
    x = rng.standard_normal((2, 5, 6))
    y = layer(x)
    p = layer.params
    assert {k: v.shape for k, v in p.items()} == {
        "W_q": (6, 4),
        "W_k": (6, 4),
        "W_v": (6, 4),
        "W_o": (4, 6),
    }
    for b in range(2):
        out, w = reference_attention(
            x[b] @ p["W_q"], x[b] @ p["W_k"], x[b] @ p["W_v"], causal_mask(5)
        )
        np.testing.assert_allclose(y[b], out @ p["W_o"], rtol=1e-12, atol=1e-14)
        np.testing.assert_allclose(layer.last_weights[b], w, rtol=1e-12, atol=1e-15)


def test_multi_head_equals_independent_heads_concatenated_and_mixed():
    d_model, H, T = 12, 3, 5
    d_head = d_model // H
    mha = MultiHeadAttention(d_model, H, rng=0, dtype=np.float64)
    x = rng.standard_normal((2, T, d_model))
    y = mha(x)
    assert y.shape == x.shape
    assert mha.last_weights.shape == (2, H, T, T)
    p = mha.params
    for b in range(2):
        heads = []
        for h in range(H):
            cols = slice(
                h * d_head, (h + 1) * d_head
            )  # head h's own columns of W_q, W_k, W_v
            q = x[b] @ p["W_q"][:, cols]  # the WHOLE input vector, projected
            k = x[b] @ p["W_k"][:, cols]
            v = x[b] @ p["W_v"][:, cols]
            scores = q @ k.T / np.sqrt(d_head)
            scores[~causal_mask(T)] = -np.inf
            w = softmax_rows(scores)
            np.testing.assert_allclose(
                mha.last_weights[b, h], w, rtol=1e-12, atol=1e-15
            )
            heads.append(w @ v)
        expected = np.concatenate(heads, axis=-1) @ p["W_o"]
        np.testing.assert_allclose(y[b], expected, rtol=1e-12, atol=1e-14)


def test_every_head_sees_every_input_feature():
    """The known mistake slices the input: then head 0 would ignore the last feature."""
    mha = MultiHeadAttention(8, 2, causal=False, rng=0, dtype=np.float64)
    x = rng.standard_normal((1, 4, 8))
    mha(x)
    w0 = mha.last_weights.copy()
    x2 = x.copy()
    x2[..., -1] += 1.0  # change only the last feature
    mha(x2)
    assert not np.allclose(mha.last_weights[:, 0], w0[:, 0])  # head 0 noticed


def test_one_head_equals_self_attention():
    mha = MultiHeadAttention(8, 1, rng=1, dtype=np.float64)
    single = SelfAttention(8, rng=2, dtype=np.float64)
    single.params = {k: v.copy() for k, v in mha.params.items()}
    x = rng.standard_normal((2, 5, 8))
    np.testing.assert_allclose(mha(x), single(x), rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(mha.last_weights[:, 0], single.last_weights, rtol=1e-12)
    dy = rng.standard_normal((2, 5, 8))
    np.testing.assert_allclose(
        mha.backward(dy), single.backward(dy), rtol=1e-10, atol=1e-12
    )
    for key in mha.params:
        np.testing.assert_allclose(
            mha.grads[key], single.grads[key], rtol=1e-10, atol=1e-12
        )


@pytest.mark.parametrize(
    "layer",
    [
        SelfAttention(8, rng=0),
        SelfAttention(8, d_head=3, causal=False, rng=0),
        MultiHeadAttention(8, 2, rng=0),
        MultiHeadAttention(8, 2, causal=False, rng=0),
    ],
    ids=["self-causal", "self-full-dhead3", "mha-causal", "mha-full"],
)
def test_attention_layers_gradient_check(layer):
    x = np.random.default_rng(3).standard_normal((2, 5, 8))
    errors = check_gradients(layer, x)
    assert set(errors) == {"W_q", "W_k", "W_v", "W_o", "x"}
    assert max(errors.values()) < 1e-6, errors


def test_gradient_check_unbatched_input():
    errors = check_gradients(
        MultiHeadAttention(8, 2, rng=0), rng.standard_normal((5, 8))
    )
    assert max(errors.values()) < 1e-6


@pytest.mark.parametrize(
    "make", [lambda: SelfAttention(8, rng=0), lambda: MultiHeadAttention(8, 4, rng=0)]
)
def test_layers_are_causal_bit_for_bit(make):
    layer, T, t = make(), 9, 4
    x = np.random.default_rng(5).standard_normal((3, T, 8)).astype(np.float32)
    y = layer(x)
    x2 = x.copy()
    x2[:, t + 1 :] = np.random.default_rng(6).standard_normal((3, T - t - 1, 8))
    y2 = layer(x2)
    assert y.dtype == np.float32
    assert np.array_equal(y[:, : t + 1], y2[:, : t + 1])
    assert not np.array_equal(y[:, t + 1 :], y2[:, t + 1 :])
    w = layer.last_weights
    assert np.all(w[..., ~causal_mask(T)] == 0.0)


def test_layers_keep_float32():
    for layer in (SelfAttention(8, rng=0), MultiHeadAttention(8, 2, rng=0)):
        x = rng.standard_normal((2, 5, 8)).astype(np.float32)
        y = layer(x)
        dx = layer.backward(np.ones_like(y))
        assert y.dtype == dx.dtype == layer.last_weights.dtype == np.float32
        assert all(g.dtype == np.float32 for g in layer.grads.values())


def test_layer_errors():
    with pytest.raises(
        ValueError,
        match=r"MultiHeadAttention: d_model \(10\) must be divisible by n_heads \(4\)",
    ):
        MultiHeadAttention(10, 4)
    mha = MultiHeadAttention(8, 2, rng=0)
    with pytest.raises(
        RuntimeError, match="MultiHeadAttention.backward called before forward"
    ):
        mha.backward(np.zeros((1, 3, 8)))
    with pytest.raises(
        ValueError,
        match=r"MultiHeadAttention.forward: x has shape \(1, 3, 6\) but its last "
        r"dimension must",
    ):
        mha(np.zeros((1, 3, 6)))
    with pytest.raises(
        ValueError, match=r"x has shape \(8,\) but must have 2 or 3 dimensions"
    ):
        mha(np.zeros(8))
    mha(np.zeros((1, 3, 8)))
    with pytest.raises(
        ValueError,
        match=r"MultiHeadAttention.backward: dy has shape \(1, 4, 8\) but the output "
        r"has shape",
    ):
        mha.backward(np.zeros((1, 4, 8)))
    sa = SelfAttention(8, rng=0)
    sa(np.zeros((3, 8)))
    with pytest.raises(
        ValueError, match=r"SelfAttention.backward: dy has shape \(3, 7\)"
    ):
        sa.backward(np.zeros((3, 7)))


@pytest.mark.parametrize("causal", [True, False])
def test_plain_multi_head_attention_equals_the_fused_layer(causal):
    # The plain algorithm (three products, a loop over heads) and the layer's fused
    # form.
    x = np.random.default_rng(0).standard_normal((2, 5, 12))
    mha = MultiHeadAttention(12, n_heads=3, causal=causal, rng=1, dtype=np.float64)
    p = mha.params
    y, weights = multi_head_attention(
        x, p["W_q"], p["W_k"], p["W_v"], p["W_o"], 3, causal
    )
    np.testing.assert_allclose(y, mha(x), rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(weights, mha.last_weights, rtol=1e-12, atol=1e-14)
    assert weights.shape == (2, 3, 5, 5)


def test_plain_multi_head_attention_keeps_float32_and_checks_arguments():
    mha = MultiHeadAttention(8, n_heads=2, rng=0)
    Ws = [mha.params[name] for name in ("W_q", "W_k", "W_v", "W_o")]
    x = np.ones((1, 3, 8), dtype=np.float32)
    y, _ = multi_head_attention(x, *Ws, n_heads=2)
    assert y.dtype == np.float32
    with pytest.raises(
        ValueError, match="multi_head_attention: d_model \\(8\\) must be divisible"
    ):
        multi_head_attention(x, *Ws, n_heads=3)
    with pytest.raises(
        ValueError, match="multi_head_attention: x has shape \\(1, 3, 7\\)"
    ):
        multi_head_attention(np.ones((1, 3, 7)), *Ws, n_heads=2)
    with pytest.raises(
        ValueError, match="multi_head_attention: W_o has shape \\(8, 4\\)"
    ):
        multi_head_attention(x, *Ws[:3], np.ones((8, 4)), n_heads=2)


@pytest.mark.parametrize("name", ["W_q", "W_k", "W_v", "W_o"])
@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_plain_multi_head_attention_rejects_non_finite_weights(name, bad):
    # A NaN in W_o used to pass straight through to the output (the others failed
    # later, inside scaled_dot_product_attention, under its name).
    Ws = {n: np.eye(4) for n in ("W_q", "W_k", "W_v", "W_o")}
    Ws[name][1, 2] = bad
    word = "NaN" if np.isnan(bad) else "infinity"
    with pytest.raises(
        ValueError, match=f"^multi_head_attention: {name} contains {word}"
    ):
        multi_head_attention(np.ones((1, 3, 4)), **Ws, n_heads=2)


def test_attention_backward_rejects_queries_and_keys_of_different_widths():
    # q of width 5 and k of width 4 cannot come from one forward pass; the gradients
    # used to come back with each other's widths.
    q, k, v = np.ones((2, 3, 5)), np.ones((2, 3, 4)), np.ones((2, 3, 4))
    weights = np.full((2, 3, 3), 1 / 3)
    with pytest.raises(
        ValueError,
        match=r"^attention_backward: q has shape \(2, 3, 5\) but k has shape "
        r"\(2, 3, 4\); the last dimensions must match",
    ):
        attention_backward(np.ones((2, 3, 4)), q, k, v, weights)


def test_attention_backward_checks_nested_lists_as_the_forward_does():
    q = np.random.default_rng(0).standard_normal((3, 4))
    out, w = scaled_dot_product_attention(q, q, q)
    d_out = np.ones_like(out)
    as_lists = attention_backward(d_out, q.tolist(), q.tolist(), q.tolist(), w.tolist())
    for got, want in zip(as_lists, attention_backward(d_out, q, q, q, w), strict=True):
        np.testing.assert_array_equal(got, want)
    bad = w.tolist()
    bad[1][0] = math.nan
    with pytest.raises(ValueError, match="^attention_backward: weights contains NaN"):
        attention_backward(d_out, q.tolist(), q.tolist(), q.tolist(), bad)
    with pytest.raises(ValueError, match="^attention_backward: k contains infinity"):
        attention_backward(d_out, q, (q * math.inf).tolist(), q, w)
    with pytest.raises(ValueError, match=r"^attention_backward: k .* but v has shape"):
        attention_backward(d_out, q, q, q[:2].tolist(), w)
