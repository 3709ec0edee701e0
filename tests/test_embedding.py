"""Embedding (ids -> rows of W_E) and unembedding (vectors -> logits), gradients."""

import numpy as np
import pytest

from scratchml import Embedding, Unembedding, check_gradients


def test_embedding_reads_rows_of_the_embedding_matrix():
    emb = Embedding(7, 4, rng=0)
    ids = np.array([[3, 0, 3], [6, 1, 2]])
    y = emb(ids)
    assert y.shape == (2, 3, 4)
    for b in range(2):
        for t in range(3):
            assert np.array_equal(y[b, t], emb.params["W_E"][ids[b, t]])
    assert emb(np.array([5])).shape == (1, 4)  # a 1-D sequence works too


def test_embedding_backward_sums_gradients_of_repeated_tokens():
    emb = Embedding(5, 3, rng=0, dtype=np.float64)
    ids = np.array([[1, 4, 1], [1, 0, 4]])
    emb(ids)
    dy = np.random.default_rng(1).standard_normal((2, 3, 3))
    assert emb.backward(dy) is None  # ids are integers: no input gradient
    expected = np.zeros((5, 3))
    for b in range(2):
        for t in range(3):
            expected[ids[b, t]] += dy[b, t]
    np.testing.assert_allclose(emb.grads["W_E"], expected, rtol=1e-12)
    assert not emb.grads["W_E"][
        [2, 3]
    ].any()  # tokens that did not occur: zero gradient


def test_embedding_gradient_check():
    ids = np.array([[0, 6, 2, 2, 5], [1, 1, 3, 0, 6]])
    errors = check_gradients(Embedding(7, 8, rng=0), ids)
    assert set(errors) == {"W_E"}  # integer ids: only the parameter is checked
    assert errors["W_E"] < 1e-6


def test_embedding_keeps_float32():
    emb = Embedding(7, 4, rng=0)
    ids = np.array([[1, 2, 3]])
    y = emb(ids)
    assert y.dtype == np.float32
    emb.backward(np.ones_like(y))
    assert emb.grads["W_E"].dtype == np.float32


def test_embedding_rejects_bad_ids():
    emb = Embedding(7, 4, rng=0)
    with pytest.raises(
        ValueError, match=r"Embedding.forward: ids holds id 7 at index \(0, 2\)"
    ):
        emb(np.array([[0, 1, 7]]))
    with pytest.raises(ValueError, match="id -1"):
        emb(np.array([-1]))
    with pytest.raises(
        TypeError, match="ids must be integer token ids, got dtype float64"
    ):
        emb(np.array([1.0, 2.0]))


def test_embedding_backward_errors():
    emb = Embedding(7, 4, rng=0)
    with pytest.raises(RuntimeError, match="backward called before forward"):
        emb.backward(np.zeros((1, 4)))
    emb(np.array([[1, 2]]))
    with pytest.raises(
        ValueError, match=r"dy has shape \(1, 2, 5\) but the output has shape"
    ):
        emb.backward(np.zeros((1, 2, 5)))


def test_unembedding_is_a_matrix_product():
    un = Unembedding(4, 7, rng=0)
    x = np.random.default_rng(0).standard_normal((2, 3, 4)).astype(np.float32)
    logits = un(x)
    assert logits.shape == (2, 3, 7)
    assert logits.dtype == np.float32
    np.testing.assert_allclose(logits, x @ un.params["W_U"], rtol=1e-5, atol=1e-6)
    assert list(un.params) == ["W_U"]  # no bias


def test_unembedding_gradient_check():
    x = np.random.default_rng(0).standard_normal((2, 5, 8))
    errors = check_gradients(Unembedding(8, 7, rng=0), x)
    assert max(errors.values()) < 1e-6
    assert set(errors) == {"W_U", "x"}


def test_unembedding_shape_errors():
    un = Unembedding(4, 7, rng=0)
    with pytest.raises(
        ValueError, match=r"Unembedding.forward: x has shape \(2, 5\) but its last"
    ):
        un(np.zeros((2, 5)))
    un(np.zeros((2, 4)))
    with pytest.raises(
        ValueError, match=r"dy has shape \(2, 4\) but the output has shape \(2, 7\)"
    ):
        un.backward(np.zeros((2, 4)))
