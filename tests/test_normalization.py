"""Layer norm: per-position mean 0, variance 1, a learned scale and shift, gradients."""

import numpy as np
import pytest

from scratchml import LayerNorm, check_gradients

rng = np.random.default_rng(0)


def test_normalizes_each_position():
    ln = LayerNorm(6, dtype=np.float64)
    x = rng.standard_normal((2, 4, 6)) * 5 + 3
    y = ln(x)
    np.testing.assert_allclose(y.mean(axis=-1), 0.0, atol=1e-12)
    # eps shrinks it a little
    np.testing.assert_allclose(y.var(axis=-1), 1.0, rtol=1e-5)
    expected = (x - x.mean(-1, keepdims=True)) / np.sqrt(
        x.var(-1, keepdims=True) + 1e-5
    )
    np.testing.assert_allclose(y, expected, rtol=1e-12)


def test_gamma_scales_and_beta_shifts():
    ln = LayerNorm(3, dtype=np.float64)
    x = rng.standard_normal((4, 3))
    plain = ln(x)
    ln.params["gamma"][:] = [2.0, 1.0, 0.5]
    ln.params["beta"][:] = [1.0, 0.0, -1.0]
    np.testing.assert_allclose(
        ln(x), plain * [2.0, 1.0, 0.5] + [1.0, 0.0, -1.0], rtol=1e-12
    )


def test_statistics_are_per_position_not_per_batch():
    ln = LayerNorm(4, dtype=np.float64)
    x = rng.standard_normal((3, 4))
    y = ln(x)
    # the other rows play no part
    np.testing.assert_allclose(ln(x[1:2]), y[1:2], rtol=1e-12)


def test_constant_vector_is_finite():
    y = LayerNorm(4)(np.full((1, 4), 7.0, dtype=np.float32))
    np.testing.assert_array_equal(y, 0.0)


def test_gradient_check_with_random_gamma_and_beta():
    ln = LayerNorm(8)
    ln.params["gamma"] = rng.standard_normal(8)
    ln.params["beta"] = rng.standard_normal(8)
    errors = check_gradients(ln, rng.standard_normal((2, 5, 8)))
    assert set(errors) == {"gamma", "beta", "x"}
    assert max(errors.values()) < 1e-6, errors


def test_keeps_float32():
    ln = LayerNorm(8)
    x = rng.standard_normal((2, 5, 8)).astype(np.float32)
    y = ln(x)
    dx = ln.backward(np.ones_like(y))
    assert (
        y.dtype
        == dx.dtype
        == ln.grads["gamma"].dtype
        == ln.grads["beta"].dtype
        == np.float32
    )


def test_errors():
    with pytest.raises(ValueError, match="LayerNorm: eps must be > 0"):
        LayerNorm(4, eps=0)
    ln = LayerNorm(4)
    with pytest.raises(RuntimeError, match="LayerNorm.backward called before forward"):
        ln.backward(np.zeros((2, 4)))
    with pytest.raises(
        ValueError, match=r"LayerNorm.forward: x has shape \(2, 5\) but its last"
    ):
        ln(np.zeros((2, 5)))
    ln(np.zeros((2, 4)))
    with pytest.raises(
        ValueError, match=r"LayerNorm.backward: dy has shape \(2, 3\) but the output"
    ):
        ln.backward(np.zeros((2, 3)))
