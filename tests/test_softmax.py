"""Softmax: a probability distribution, stable for huge logits, tempered by division."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from scratchml import (
    log_softmax,
    numerical_gradient,
    relative_error,
    softmax,
    softmax_backward,
)

finite_logits = arrays(
    np.float64,
    st.integers(1, 12),
    elements=st.floats(-50, 50, allow_nan=False, allow_infinity=False),
)


def entropy(p: np.ndarray) -> float:
    p = p[p > 0]
    return float(-(p * np.log(p)).sum())


@settings(max_examples=60, deadline=None)
@given(finite_logits)
def test_is_a_distribution(x):
    p = softmax(x)
    assert np.all(p >= 0)
    assert p.sum() == pytest.approx(1.0, abs=1e-12)


@settings(max_examples=60, deadline=None)
@given(finite_logits, st.floats(-1e3, 1e3))
def test_invariant_to_adding_a_constant(x, c):
    np.testing.assert_allclose(softmax(x + c), softmax(x), rtol=1e-9, atol=1e-12)


@settings(max_examples=40, deadline=None)
@given(finite_logits, st.floats(0.05, 20.0))
def test_order_is_kept_and_temperature_divides(x, t):
    p = softmax(x, temperature=t)
    np.testing.assert_allclose(p, softmax(x / t), rtol=1e-9, atol=1e-15)
    i, j = np.argmax(x), np.argmin(x)
    assert p[i] >= p[j]


def test_matches_the_definition():
    x = np.array([1.0, 2.0, 3.0])
    expected = np.exp(x) / np.exp(x).sum()
    np.testing.assert_allclose(softmax(x), expected, rtol=1e-12)


@pytest.mark.parametrize("big", [1e4, -1e4])
def test_no_overflow_or_nan_for_huge_logits(big):
    x = np.array([big, big - 1.0, 0.0, -big])
    with np.errstate(
        over="raise", invalid="raise", divide="raise"
    ):  # underflow to 0 is fine
        p = softmax(x)
    assert np.all(np.isfinite(p))
    assert p.sum() == pytest.approx(1.0)
    if big > 0:
        np.testing.assert_allclose(p[:2], softmax(np.array([1.0, 0.0])), rtol=1e-12)


def test_rows_are_independent_along_axis():
    x = np.array([[1.0, 2.0, 3.0], [0.0, 0.0, 100.0]])
    p = softmax(x, axis=-1)
    np.testing.assert_allclose(p.sum(axis=-1), [1.0, 1.0])
    np.testing.assert_allclose(p[0], softmax(x[0]))
    np.testing.assert_allclose(softmax(x, axis=0).sum(axis=0), [1.0, 1.0, 1.0])


def test_minus_infinity_gets_probability_exactly_zero():
    p = softmax(np.array([0.0, -np.inf, 1.0]))
    assert p[1] == 0.0
    assert p.sum() == pytest.approx(1.0)


def test_entropy_grows_with_temperature():
    x = np.array([2.0, 1.0, 0.5, -1.0, -3.0])
    temps = [0.1, 0.5, 1.0, 2.0, 5.0, 50.0]
    h = [entropy(softmax(x, temperature=t)) for t in temps]
    assert all(a < b for a, b in zip(h, h[1:], strict=False))
    assert h[-1] == pytest.approx(np.log(len(x)), abs=0.01)  # high T: nearly uniform
    assert softmax(x, temperature=0.01)[0] == pytest.approx(1.0)  # low T: nearly greedy


@pytest.mark.parametrize("bad", [0, 0.0, -1.0, np.nan, np.inf])
def test_invalid_temperature_is_a_clear_error(bad):
    with pytest.raises(
        ValueError, match="softmax: temperature must be a finite number > 0"
    ):
        softmax(np.array([1.0, 2.0]), temperature=bad)


def test_nan_input_is_a_clear_error():
    with pytest.raises(ValueError, match="softmax: x contains NaN"):
        softmax(np.array([1.0, np.nan]))


def test_float32_stays_float32():
    x = np.array([1.0, 2.0, 3.0], dtype=np.float32)
    assert softmax(x).dtype == np.float32
    assert softmax(x, temperature=0.7).dtype == np.float32
    assert log_softmax(x).dtype == np.float32


@settings(max_examples=40, deadline=None)
@given(finite_logits)
def test_log_softmax_is_log_of_softmax(x):
    np.testing.assert_allclose(log_softmax(x), np.log(softmax(x)), rtol=1e-9, atol=1e-9)


def test_log_softmax_is_finite_where_softmax_underflows():
    x = np.array([0.0, -1000.0])
    assert softmax(x)[1] == 0.0
    assert log_softmax(x)[1] == pytest.approx(-1000.0)


def test_softmax_backward_matches_finite_differences():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((3, 5))
    r = rng.standard_normal((3, 5))  # the loss is sum(softmax(x) * r)
    analytic = softmax_backward(softmax(x), r)
    numeric = numerical_gradient(lambda: float((softmax(x) * r).sum()), x)
    assert relative_error(analytic, numeric) < 1e-6


@pytest.mark.parametrize(
    "x, temperature, message",
    [
        ([np.inf, 0.0], 1.0, "reaches \\+inf"),
        ([[0.0, 1.0], [-np.inf, -np.inf]], 1.0, "-inf everywhere"),
        ([1.0, np.nan], 1.0, "contains NaN"),
        ([1.0, 2.0], 1e-320, "too small"),
    ],
)
def test_softmax_rejects_inputs_that_would_give_nan(x, temperature, message):
    with np.errstate(over="ignore"), pytest.raises(ValueError, match=message):
        softmax(np.array(x), temperature=temperature)


@pytest.mark.parametrize("temperature", [True, "hot", None])
def test_softmax_rejects_temperatures_that_are_not_numbers(temperature):
    with pytest.raises(ValueError, match="temperature must be a finite number"):
        softmax([1.0, 2.0], temperature=temperature)


def test_log_softmax_rejects_nan_and_accepts_integers():
    with pytest.raises(ValueError, match="log_softmax: x contains NaN"):
        log_softmax([1.0, np.nan])
    assert np.allclose(np.exp(log_softmax([1, 2, 3])).sum(), 1.0)


def test_softmax_backward_rejects_mismatched_shapes():
    with pytest.raises(
        ValueError, match=r"p has shape \(2, 3\) but dp has shape \(3,\)"
    ):
        softmax_backward(np.full((2, 3), 1 / 3), np.ones(3))


def _row_max_error(x: np.ndarray, axis: int, t: float) -> str | None:
    """The full check's error: every row maximum of x / t computed and checked."""
    from scratchml._checks import check_row_max

    try:
        with np.errstate(over="ignore"):  # x / t overflows: that is the case tested
            z_max = (x / x.dtype.type(t)).max(axis=axis, keepdims=True)
        check_row_max("softmax", z_max, t)
    except ValueError as err:
        return str(err)
    return None


@settings(max_examples=300, deadline=None)
@given(
    arrays(
        st.sampled_from([np.float32, np.float64]),
        st.tuples(st.integers(1, 4), st.integers(1, 5)),
        elements=st.sampled_from([0.0, -3.5, 2.0, 1e30, np.nan, np.inf, -np.inf]),
    ),
    st.sampled_from([0, 1, -1]),
    st.sampled_from([1.0, 2.5, 0.5, 1e-30]),
)
def test_check_softmax_fast_path_gives_the_full_checks_errors(x, axis, t):
    # check_softmax skips the row maxima when a cheap test proves them finite; it must
    # raise exactly when, and exactly what, the full check of every row raises
    from scratchml._checks import check_softmax

    expected = _row_max_error(x, axis, t)
    with np.errstate(over="ignore"):
        if expected is None:
            check_softmax("softmax", x, axis, t)
        else:
            with pytest.raises(ValueError) as err:
                check_softmax("softmax", x, axis, t)
            assert str(err.value) == expected


def test_plain_softmax_equals_the_former_in_place_form():
    # the listing's plain form computes the same float operations, in the same order, as
    # the in-place form it replaced: the results agree bit for bit
    def in_place(x, axis=-1):
        z = x / 1.0
        z -= z.max(axis=axis, keepdims=True)
        np.exp(z, out=z)
        z /= z.sum(axis=axis, keepdims=True)
        return z

    rng = np.random.default_rng(0)
    for dtype in (np.float32, np.float64):
        x = rng.standard_normal((3, 4, 9, 9)).astype(dtype) * 5
        x[..., np.triu(np.ones((9, 9), bool), 1)] = -np.inf  # a causal mask
        for axis in (-1, -2):  # rows, and columns, of the masked scores
            assert np.array_equal(softmax(x, axis=axis), in_place(x, axis=axis))
        p, dp = softmax(x), rng.standard_normal(x.shape).astype(dtype)
        dx = dp - (dp * p).sum(axis=-1, keepdims=True)
        dx *= p
        assert np.array_equal(softmax_backward(p, dp), dx)
