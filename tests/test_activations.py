"""Activations: sigmoid, ReLU and GELU, their derivatives, and their stability at
extremes."""

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import array_shapes, arrays

from scratchml import (
    GELU,
    gelu_grad,
    numerical_gradient,
    relu,
    relu_grad,
    sigmoid,
    sigmoid_grad,
)

any_floats = arrays(
    np.float64,
    array_shapes(min_dims=1, max_dims=3, max_side=6),
    elements=st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False),
)
moderate = arrays(
    np.float64,
    array_shapes(min_dims=1, max_dims=2, max_side=8),
    elements=st.floats(-30, 30, allow_nan=False, allow_infinity=False),
)
away_from_zero = arrays(
    np.float64,
    st.integers(1, 10),
    elements=st.one_of(st.floats(-20, -0.01), st.floats(0.01, 20)),
)


def pointwise_derivative(f, z: np.ndarray, eps: float = 1e-6) -> np.ndarray:
    """Central differences of an elementwise function, entry by entry."""
    z = z.copy()
    return numerical_gradient(lambda: float(f(z).sum()), z, eps)


@settings(max_examples=60, deadline=None)
@given(any_floats)
def test_sigmoid_is_in_closed_unit_interval(z):
    s = sigmoid(z)
    assert s.shape == z.shape
    assert np.all((s >= 0) & (s <= 1))


@settings(max_examples=60, deadline=None)
@given(moderate)
def test_sigmoid_is_strictly_inside_for_moderate_inputs(z):
    s = sigmoid(z)
    assert np.all((s > 0) & (s < 1))
    np.testing.assert_allclose(s, 1 / (1 + np.exp(-z)), rtol=1e-12)


@settings(max_examples=60, deadline=None)
@given(any_floats)
def test_relu_is_non_negative_and_keeps_positives(z):
    r = relu(z)
    assert np.all(r >= 0)
    np.testing.assert_array_equal(r[z > 0], z[z > 0])
    assert np.all(r[z <= 0] == 0)


@settings(max_examples=40, deadline=None)
@given(away_from_zero)
def test_relu_grad_matches_finite_differences(z):
    np.testing.assert_allclose(relu_grad(z), pointwise_derivative(relu, z), atol=1e-8)


@settings(max_examples=40, deadline=None)
@given(moderate)
def test_sigmoid_grad_matches_finite_differences(z):
    np.testing.assert_allclose(
        sigmoid_grad(z), pointwise_derivative(sigmoid, z), atol=1e-8
    )


@settings(max_examples=60, deadline=None)
@given(any_floats)
def test_sigmoid_grad_is_s_times_one_minus_s_at_most_a_quarter(z):
    s, d = sigmoid(z), sigmoid_grad(z)
    np.testing.assert_allclose(d, s * (1 - s), rtol=1e-12, atol=0)
    assert np.all((d >= 0) & (d <= 0.25))


def test_known_values():
    z = np.array([-2.0, 0.0, 3.0])
    np.testing.assert_array_equal(relu(z), [0.0, 0.0, 3.0])
    # 0 at the kink, by choice
    np.testing.assert_array_equal(relu_grad(z), [0.0, 0.0, 1.0])
    assert sigmoid(np.array([0.0]))[0] == 0.5
    assert sigmoid_grad(np.array([0.0]))[0] == 0.25


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_sigmoid_is_stable_at_extremes(dtype):
    z = np.array([-1000.0, -100.0, 0.0, 100.0, 1000.0], dtype=dtype)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # an overflow in exp would be a RuntimeWarning
        s = sigmoid(z)
        d = sigmoid_grad(z)
    assert np.all(np.isfinite(s)) and np.all(np.isfinite(d))
    assert s[0] == 0 and s[-1] == 1 and s[2] == 0.5
    assert d[0] == 0 and d[-1] == 0


@pytest.mark.parametrize("f", [relu, relu_grad, sigmoid, sigmoid_grad])
def test_float32_stays_float32(f):
    z = np.linspace(-3, 3, 12, dtype=np.float32).reshape(3, 4)
    out = f(z)
    assert out.dtype == np.float32 and out.shape == (3, 4)


@pytest.mark.parametrize("f", [relu, relu_grad, sigmoid, sigmoid_grad])
def test_integer_input_becomes_float(f):
    assert f([-1, 0, 2]).dtype.kind == "f"


@pytest.mark.parametrize("f", [relu, relu_grad, sigmoid, sigmoid_grad])
def test_bad_input_is_named(f):
    name = f.__name__
    with pytest.raises(ValueError, match=rf"{name}: z contains NaN"):
        f(np.array([0.0, np.nan]))
    with pytest.raises(ValueError, match=rf"{name}: z is empty \(shape \(0,\)\)"):
        f(np.array([]))
    with pytest.raises(TypeError, match=rf"{name}: z must hold numbers"):
        f(np.array(["a"]))


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
def test_gelu_grad_is_finite_and_at_its_limits_for_large_inputs(dtype):
    # GELU'(z) -> 1 as z -> +inf and -> 0 as z -> -inf; z**3 (and z**2) overflow long
    # before the float's largest value, which once gave the NaN 0 * inf.
    big = np.finfo(dtype).max
    z = np.array([1e4, -1e4, 3e4, -3e4, big, -big], dtype=dtype)
    limits = np.array([1, 0, 1, 0, 1, 0], dtype=dtype)
    layer = GELU()
    with np.errstate(over="ignore"):  # gelu's own z**3 overflows (to a tanh of +-1)
        layer.forward(z)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # an overflow inside would be a RuntimeWarning
        d = gelu_grad(z)
        dx = layer.backward(np.full_like(z, 2.0))
    assert d.dtype == dtype and dx.dtype == dtype
    np.testing.assert_array_equal(d, limits)
    np.testing.assert_array_equal(dx, 2 * limits)
