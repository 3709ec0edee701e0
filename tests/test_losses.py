"""Losses: mean squared error and softmax cross-entropy, their gradients and errors."""

import math
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from scratchml import (
    cross_entropy,
    cross_entropy_grad,
    cross_entropy_with_grad,
    mse_loss,
    mse_loss_grad,
    mse_loss_with_grad,
    numerical_gradient,
    relative_error,
)

# A grid of two-decimal numbers: distinct values differ by at least 0.01, so no test
# depends on what happens to differences of 1e-300 (they underflow when squared).
values = st.integers(-1000, 1000).map(lambda k: k / 100)


@st.composite
def pred_and_target(draw):
    shape = draw(st.tuples(st.integers(1, 5), st.integers(1, 4)))
    pred = draw(arrays(np.float64, shape, elements=values))
    target = draw(arrays(np.float64, shape, elements=values))
    return pred, target


@st.composite
def logits_and_labels(draw):
    shape = draw(st.sampled_from([(1, 2), (4, 3), (3, 5), (2, 3, 4)]))
    logits = draw(arrays(np.float64, shape, elements=values))
    labels = draw(arrays(np.int64, shape[:-1], elements=st.integers(0, shape[-1] - 1)))
    return logits, labels


# ---------------------------------------------------------------- mean squared error


def test_mse_is_the_mean_over_all_elements():
    pred = np.array([[1.0, 2.0], [3.0, 4.0]])
    target = np.array([[1.0, 0.0], [0.0, 4.0]])
    assert mse_loss(pred, target) == pytest.approx((0 + 4 + 9 + 0) / 4)


def test_mse_grad_matches_finite_differences():
    rng = np.random.default_rng(0)
    pred, target = rng.standard_normal((5, 3)), rng.standard_normal((5, 3))
    numeric = numerical_gradient(lambda: float(mse_loss(pred, target)), pred)
    assert relative_error(mse_loss_grad(pred, target), numeric) < 1e-6


@settings(max_examples=50, deadline=None)
@given(pred_and_target())
def test_mse_is_non_negative_and_zero_only_at_the_target(pt):
    pred, target = pt
    loss = mse_loss(pred, target)
    assert loss >= 0
    assert mse_loss(target, target) == 0
    assert (loss == 0) == bool(np.all(pred == target))


@settings(max_examples=50, deadline=None)
@given(pred_and_target())
def test_a_small_step_against_the_mse_gradient_lowers_it(pt):
    pred, target = pt
    if np.all(pred == target):
        return
    g = mse_loss_grad(pred, target)
    assert mse_loss(pred - 1e-3 * g / np.abs(g).max(), target) < mse_loss(pred, target)


def test_mse_with_grad_equals_the_two_functions():
    rng = np.random.default_rng(1)
    pred, target = rng.standard_normal((4, 2)), rng.standard_normal((4, 2))
    loss, grad = mse_loss_with_grad(pred, target)
    assert loss == mse_loss(pred, target)
    np.testing.assert_array_equal(grad, mse_loss_grad(pred, target))


def test_mse_rejects_shapes_that_would_broadcast():
    with pytest.raises(
        ValueError,
        match=r"mse_loss: pred has shape \(4, 1\) but target has shape \(4,\)",
    ):
        mse_loss(np.zeros((4, 1)), np.zeros(4))
    with pytest.raises(
        ValueError, match=r"mse_loss_grad: pred has shape \(2, 3\) but target"
    ):
        mse_loss_grad(np.zeros((2, 3)), np.zeros((3, 2)))


def test_mse_rejects_nan_and_empty():
    with pytest.raises(ValueError, match="mse_loss: target contains NaN"):
        mse_loss(np.zeros(2), np.array([0.0, np.nan]))
    with pytest.raises(ValueError, match=r"mse_loss: pred is empty \(shape \(0, 2\)\)"):
        mse_loss(np.zeros((0, 2)), np.zeros((0, 2)))


# ---------------------------------------------------------------- cross-entropy


def test_cross_entropy_matches_the_definition():
    logits = np.array([[2.0, 1.0, 0.1], [0.5, 2.5, -1.0]])
    labels = np.array([0, 2])
    p = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    expected = -(np.log(p[0, 0]) + np.log(p[1, 2])) / 2
    assert cross_entropy(logits, labels) == pytest.approx(expected, rel=1e-12)


def test_uniform_logits_give_log_of_the_number_of_classes():
    assert cross_entropy(np.zeros((3, 10)), np.array([0, 4, 9])) == pytest.approx(
        math.log(10)
    )


@pytest.mark.parametrize("shape", [(4, 3), (2, 3, 5)])
def test_cross_entropy_grad_matches_finite_differences(shape):
    rng = np.random.default_rng(2)
    logits = rng.standard_normal(shape)
    labels = rng.integers(0, shape[-1], size=shape[:-1])
    numeric = numerical_gradient(lambda: float(cross_entropy(logits, labels)), logits)
    assert relative_error(cross_entropy_grad(logits, labels), numeric) < 1e-6


def test_cross_entropy_grad_is_softmax_minus_onehot_over_rows():
    logits = np.array([[0.0, 0.0], [1.0, -1.0], [3.0, 3.0]])
    labels = np.array([1, 0, 0])
    p = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    expected = (p - np.eye(2)[labels]) / 3
    np.testing.assert_allclose(cross_entropy_grad(logits, labels), expected, rtol=1e-12)


def test_three_dimensional_logits_average_over_every_position():
    """(batch, time, vocab) logits with (batch, time) labels: the next-token case."""
    rng = np.random.default_rng(3)
    logits = rng.standard_normal((2, 3, 4))
    labels = rng.integers(0, 4, size=(2, 3))
    flat = cross_entropy(logits.reshape(6, 4), labels.reshape(6))
    assert cross_entropy(logits, labels) == pytest.approx(flat, rel=1e-12)
    grad = cross_entropy_grad(logits, labels)
    assert grad.shape == (2, 3, 4)
    np.testing.assert_allclose(
        grad.reshape(6, 4), cross_entropy_grad(logits.reshape(6, 4), labels.reshape(6))
    )


@settings(max_examples=50, deadline=None)
@given(logits_and_labels())
def test_cross_entropy_is_positive_and_rows_of_its_gradient_sum_to_zero(ll):
    logits, labels = ll
    assert cross_entropy(logits, labels) >= 0
    np.testing.assert_allclose(
        cross_entropy_grad(logits, labels).sum(axis=-1), 0, atol=1e-12
    )


@settings(max_examples=50, deadline=None)
@given(logits_and_labels())
def test_a_small_step_against_the_cross_entropy_gradient_lowers_it(ll):
    logits, labels = ll
    g = cross_entropy_grad(logits, labels)
    before = cross_entropy(logits, labels)
    if np.abs(g).max() < 1e-6:  # already (numerically) perfect: nothing left to lower
        return
    assert cross_entropy(logits - 1e-3 * g / np.abs(g).max(), labels) < before


@settings(max_examples=40, deadline=None)
@given(logits_and_labels())
def test_cross_entropy_with_grad_equals_the_two_functions(ll):
    logits, labels = ll
    loss, grad = cross_entropy_with_grad(logits, labels)
    assert loss == pytest.approx(cross_entropy(logits, labels), rel=1e-12, abs=1e-15)
    np.testing.assert_allclose(
        grad, cross_entropy_grad(logits, labels), rtol=1e-10, atol=1e-15
    )


def test_cross_entropy_approaches_zero_for_a_confident_right_answer():
    logits = np.array([[50.0, 0.0, 0.0]])
    assert 0 <= cross_entropy(logits, np.array([0])) < 1e-20


def test_cross_entropy_is_stable_for_huge_logits():
    logits = np.array([[1e4, -1e4, 0.0]], dtype=np.float32)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        loss = cross_entropy(logits, np.array([1]))
        grad = cross_entropy_grad(logits, np.array([1]))
    assert loss == pytest.approx(2e4) and np.all(np.isfinite(grad))


@pytest.mark.parametrize("f", [cross_entropy, mse_loss])
def test_losses_keep_float32(f):
    x = np.ones((4, 3), dtype=np.float32)
    target = (
        np.array([0, 1, 2, 0]) if f is cross_entropy else np.zeros((4, 3), np.float32)
    )
    assert f(x, target).dtype == np.float32


@pytest.mark.parametrize(
    "f", [cross_entropy_grad, mse_loss_grad, cross_entropy_with_grad]
)
def test_loss_gradients_keep_float32(f):
    x = np.ones((4, 3), dtype=np.float32)
    target = (
        np.zeros((4, 3), np.float32) if f is mse_loss_grad else np.array([0, 1, 2, 0])
    )
    out = f(x, target)
    grad = out[1] if isinstance(out, tuple) else out
    assert grad.dtype == np.float32


@pytest.mark.parametrize(
    "f", [cross_entropy, cross_entropy_grad, cross_entropy_with_grad]
)
def test_cross_entropy_rejects_bad_labels(f):
    name = f.__name__
    logits = np.zeros((3, 4))
    with pytest.raises(
        TypeError,
        match=rf"{name}: labels must be integer class indices, got dtype float64",
    ):
        f(logits, np.array([0.0, 1.0, 2.0]))
    with pytest.raises(
        ValueError, match=rf"{name}: labels contains 4, outside the valid range 0..3"
    ):
        f(logits, np.array([0, 1, 4]))
    with pytest.raises(
        ValueError, match=rf"{name}: labels contains -1, outside the valid range 0..3"
    ):
        f(logits, np.array([0, -1, 2]))
    with pytest.raises(
        ValueError,
        match=rf"{name}: labels has shape \(3, 1\) but must have shape \(3,\)",
    ):
        f(logits, np.array([[0], [1], [2]]))


def test_cross_entropy_rejects_bad_logits():
    with pytest.raises(ValueError, match="cross_entropy: logits contains NaN"):
        cross_entropy(np.array([[0.0, np.nan]]), np.array([0]))
    with pytest.raises(
        ValueError,
        match=r"cross_entropy: logits has shape \(3,\) but must have at least 2",
    ):
        cross_entropy(np.zeros(3), np.array(0))
    with pytest.raises(
        ValueError, match=r"cross_entropy: logits is empty \(shape \(0, 3\)\)"
    ):
        cross_entropy(np.zeros((0, 3)), np.zeros(0, dtype=int))


def test_cross_entropy_grad_on_non_contiguous_logits():
    """Regression: the one-hot is subtracted even when reshaping copies the logits."""
    rng = np.random.default_rng(0)
    # (2, 3, 5), not C-contiguous
    logits = rng.standard_normal((5, 3, 2)).transpose(2, 1, 0)
    labels = rng.integers(0, 5, size=(2, 3))
    expected = cross_entropy_grad(np.ascontiguousarray(logits), labels)
    assert np.allclose(cross_entropy_grad(logits, labels), expected)
    assert np.allclose(cross_entropy_grad(logits, labels).sum(axis=-1), 0.0)


def _cross_entropy_in_float64(logits, labels):
    """The loss and gradient from the definition, in float64."""
    z = logits.astype(np.float64)
    z = z - z.max(axis=-1, keepdims=True)  # (N, C): the largest is 0
    log_total = np.log(np.exp(z).sum(axis=-1))  # (N,)
    rows = np.arange(len(labels))
    loss = (log_total - z[rows, labels]).mean()
    p = np.exp(z - log_total[:, None])  # (N, C)
    p[rows, labels] -= 1
    return loss, p / len(labels)


@pytest.mark.parametrize(
    "f", [cross_entropy, cross_entropy_grad, cross_entropy_with_grad]
)
@pytest.mark.parametrize("rows, scale", [(200, 1000.0), (70_000, 1.0)])
def test_float16_logits_give_the_float64_answer(f, rows, scale):
    # float16 holds at most 65,504: 200 row losses near 1,000 add up past it (the loss
    # was inf), and 70,000 rows cannot even be counted in it (the gradient was 0).
    rng = np.random.default_rng(0)
    logits = (rng.standard_normal((rows, 5)) * scale).astype(np.float16)
    labels = rng.integers(0, 5, rows)
    want_loss, want_grad = _cross_entropy_in_float64(logits, labels)
    got = f(logits, labels)
    loss, grad = {
        cross_entropy: (got, None),
        cross_entropy_grad: (None, got),
        cross_entropy_with_grad: got,
    }[f]
    if loss is not None:
        assert np.isfinite(loss) and loss.dtype == np.float32
        assert loss == pytest.approx(want_loss, rel=1e-5)
    if grad is not None:
        assert grad.dtype == np.float32
        np.testing.assert_allclose(grad, want_grad, rtol=1e-4, atol=1e-9)
