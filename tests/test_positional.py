"""Positions: the sinusoidal encoding (one frequency per sin/cos pair), learned W_P."""

import math

import numpy as np
import pytest

from scratchml import PositionalEmbedding, check_gradients, positional_encoding


def formula(n_positions: int, d_model: int) -> np.ndarray:
    """The definition, entry by entry."""
    pe = np.zeros((n_positions, d_model))
    for pos in range(n_positions):
        for i in range((d_model + 1) // 2):
            angle = pos / 10000 ** (2 * i / d_model)
            pe[pos, 2 * i] = math.sin(angle)
            if 2 * i + 1 < d_model:
                pe[pos, 2 * i + 1] = math.cos(angle)
    return pe


@pytest.mark.parametrize("n, d", [(10, 8), (50, 16), (3, 2), (7, 5), (4, 1)])
def test_matches_the_formula(n, d):
    pe = positional_encoding(n, d, dtype=np.float64)
    assert pe.shape == (n, d)
    np.testing.assert_allclose(pe, formula(n, d), rtol=0, atol=1e-12)


def test_each_sin_cos_pair_shares_one_frequency():
    d = 16
    pe = positional_encoding(100, d, dtype=np.float64)
    sin, cos = pe[:, 0::2], pe[:, 1::2]  # (100, 8) each
    # sin^2 + cos^2 = 1 holds only if both use the same angle:
    np.testing.assert_allclose(sin**2 + cos**2, 1.0, atol=1e-12)
    # and the angle at position 1 is the pair's frequency, 1 / 10000^(2i/d):
    angle = np.arctan2(sin[1], cos[1])
    np.testing.assert_allclose(angle, 1 / 10000 ** (np.arange(0, d, 2) / d), rtol=1e-12)


def test_first_row_and_first_pair():
    pe = positional_encoding(5, 6, dtype=np.float64)
    np.testing.assert_array_equal(pe[0], [0, 1, 0, 1, 0, 1])  # sin(0) = 0, cos(0) = 1
    # frequency 1
    np.testing.assert_allclose(pe[:, 0], np.sin(np.arange(5)), atol=1e-15)


def test_dtype():
    assert positional_encoding(4, 8).dtype == np.float32
    assert positional_encoding(4, 8, dtype=np.float64).dtype == np.float64


@pytest.mark.parametrize("n, d", [(0, 8), (4, 0), (4, 2.5)])
def test_invalid_sizes(n, d):
    with pytest.raises(
        ValueError, match="positional_encoding: .* must be a positive integer"
    ):
        positional_encoding(n, d)


def test_positional_embedding_adds_one_row_per_position():
    pos = PositionalEmbedding(6, 4, rng=0)
    x = np.random.default_rng(0).standard_normal((2, 5, 4)).astype(np.float32)
    y = pos(x)
    assert y.dtype == np.float32
    np.testing.assert_array_equal(y, x + pos.params["W_P"][:5])
    np.testing.assert_array_equal(pos(x[0]), x[0] + pos.params["W_P"][:5])  # (T, d)


def test_positional_embedding_gradient_only_for_used_positions():
    pos = PositionalEmbedding(6, 4, rng=0, dtype=np.float64)
    pos(np.zeros((2, 3, 4)))
    dy = np.random.default_rng(0).standard_normal((2, 3, 4))
    assert pos.backward(dy) is dy  # x enters with factor 1
    np.testing.assert_allclose(pos.grads["W_P"][:3], dy.sum(axis=0))
    assert not pos.grads["W_P"][3:].any()


def test_positional_embedding_gradient_check():
    x = np.random.default_rng(0).standard_normal((2, 5, 8))
    errors = check_gradients(PositionalEmbedding(6, 8, rng=0), x)
    assert max(errors.values()) < 1e-6


def test_positional_embedding_rejects_long_inputs():
    pos = PositionalEmbedding(4, 3, rng=0)
    with pytest.raises(
        ValueError, match=r"x has shape \(1, 5, 3\) but must be .* T <= 4"
    ):
        pos(np.zeros((1, 5, 3)))
    with pytest.raises(ValueError, match=r"x has shape \(1, 2, 2\)"):
        pos(np.zeros((1, 2, 2)))
