"""The block: a per-position MLP and pre-norm residual attention, with gradients."""

import numpy as np
import pytest

from scratchml import FeedForward, TransformerBlock, check_gradients

rng = np.random.default_rng(0)


def test_feed_forward_is_dense_relu_dense():
    ffn = FeedForward(4, 10, rng=0, dtype=np.float64)
    x = rng.standard_normal((2, 3, 4))
    W1, b1 = ffn.fc1.params["W"], ffn.fc1.params["b"]
    W2, b2 = ffn.fc2.params["W"], ffn.fc2.params["b"]
    expected = np.maximum(x @ W1 + b1, 0) @ W2 + b2
    np.testing.assert_allclose(ffn(x), expected, rtol=1e-12, atol=1e-14)
    assert W1.shape == (4, 10) and W2.shape == (10, 4)
    assert FeedForward(4, rng=0).fc1.params["W"].shape == (4, 16)  # default 4 * d_model


def test_feed_forward_acts_on_each_position_alone():
    ffn = FeedForward(4, rng=0, dtype=np.float64)
    x = rng.standard_normal((2, 3, 4))
    np.testing.assert_allclose(ffn(x)[1, 2], ffn(x[1, 2][None])[0], rtol=1e-12)


def test_feed_forward_gradient_check():
    ffn = FeedForward(8, 12, rng=0)
    for layer in (ffn.fc1, ffn.fc2):
        layer.params["b"] = rng.standard_normal(
            layer.params["b"].shape
        )  # nonzero biases
    errors = check_gradients(ffn, rng.standard_normal((2, 5, 8)))
    assert set(errors) == {"fc1.W", "fc1.b", "fc2.W", "fc2.b", "x"}
    assert max(errors.values()) < 1e-6, errors


def test_block_is_pre_norm_residual():
    block = TransformerBlock(8, 2, rng=0, dtype=np.float64)
    x = rng.standard_normal((2, 5, 8))
    y = block(x)
    h = x + block.attn(block.ln1(x))
    np.testing.assert_allclose(y, h + block.ffn(block.ln2(h)), rtol=1e-12, atol=1e-14)


def test_block_parameter_names():
    names = [
        name for name, _, _ in TransformerBlock(8, 2, d_hidden=16, rng=0).named_params()
    ]
    assert names == [
        "ln1.gamma", "ln1.beta",
        "attn.W_q", "attn.W_k", "attn.W_v", "attn.W_o",
        "ln2.gamma", "ln2.beta",
        "ffn.fc1.W", "ffn.fc1.b", "ffn.fc2.W", "ffn.fc2.b",
    ]  # fmt: skip


@pytest.mark.parametrize("causal", [True, False])
def test_block_gradient_check(causal):
    block = TransformerBlock(8, 2, d_hidden=12, causal=causal, rng=0)
    for ln in (block.ln1, block.ln2):  # move the norms away from their identity start
        ln.params["gamma"] = 1 + 0.3 * rng.standard_normal(8)
        ln.params["beta"] = 0.3 * rng.standard_normal(8)
    errors = check_gradients(block, rng.standard_normal((2, 5, 8)))
    assert max(errors.values()) < 1e-6, errors


def test_block_is_causal_bit_for_bit():
    block = TransformerBlock(16, 4, rng=0)
    T, t = 8, 2
    x = rng.standard_normal((2, T, 16)).astype(np.float32)
    y = block(x)
    x2 = x.copy()
    x2[:, t + 1 :] *= -3.0
    y2 = block(x2)
    assert np.array_equal(y[:, : t + 1], y2[:, : t + 1])
    assert not np.array_equal(y[:, t + 1 :], y2[:, t + 1 :])


def test_block_keeps_float32():
    block = TransformerBlock(8, 2, rng=0)
    x = rng.standard_normal((2, 5, 8)).astype(np.float32)
    y = block(x)
    dx = block.backward(np.ones_like(y))
    assert y.dtype == dx.dtype == np.float32
    assert all(
        layer.grads[key].dtype == np.float32 for _, layer, key in block.named_params()
    )


def test_errors():
    with pytest.raises(
        ValueError, match="d_model .10. must be divisible by n_heads .4."
    ):
        TransformerBlock(10, 4)
    ffn = FeedForward(4, rng=0)
    with pytest.raises(
        ValueError, match=r"FeedForward.forward: x has shape \(2, 3\) but its last"
    ):
        ffn(np.zeros((2, 3)))
    with pytest.raises(
        RuntimeError, match="FeedForward.backward called before forward"
    ):
        ffn.backward(np.zeros((2, 4)))
    ffn(np.zeros((2, 5, 4)))
    with pytest.raises(
        ValueError, match=r"FeedForward.backward: dy has shape \(2, 4\) but the output"
    ):
        ffn.backward(np.zeros((2, 4)))


@pytest.mark.parametrize(
    "d_model, n_heads, message",
    [
        (0, 1, "TransformerBlock: d_model"),
        (8, 0, "TransformerBlock: n_heads"),
        (8, 3, "divisible"),
    ],
)
def test_block_errors_name_the_block(d_model, n_heads, message):
    with pytest.raises(ValueError, match=message):
        TransformerBlock(d_model, n_heads)
