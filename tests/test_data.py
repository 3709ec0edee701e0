"""Data: the real UCI digits as shipped, and small seeded toy sets that never change."""

import numpy as np
import pytest

from scratchml import load_digits, make_blobs, make_moons, make_regression_1d
from scratchml.data import DIGITS_PATH


def test_digits_shape_dtype_and_range():
    X, y = load_digits()
    assert X.shape == (1797, 64) and X.dtype == np.float32
    assert y.shape == (1797,) and y.dtype == np.int64
    assert X.min() == 0 and X.max() == 16
    np.testing.assert_array_equal(X, np.round(X))  # whole pixel counts 0..16, unscaled
    assert set(np.unique(y)) == set(range(10))


def test_digits_class_counts():
    _, y = load_digits()
    counts = np.bincount(y, minlength=10)
    np.testing.assert_array_equal(
        counts, [178, 182, 177, 183, 181, 182, 181, 179, 174, 180]
    )


def test_digits_first_image_is_a_zero():
    X, y = load_digits()
    assert y[0] == 0
    image = X[0].reshape(8, 8)
    assert image[0, 2:6].tolist() == [5, 13, 9, 1]  # the top stroke of the zero
    assert image[3:5, 3:5].max() == 0  # and its empty middle


def test_digits_file_is_small_and_compact():
    assert DIGITS_PATH.stat().st_size < 100_000
    with np.load(DIGITS_PATH) as data:
        assert data["images"].dtype == np.uint8 and data["labels"].dtype == np.uint8


def test_load_digits_returns_fresh_arrays():
    X1, _ = load_digits()
    X1[0, 0] = 99
    X2, _ = load_digits()
    assert X2[0, 0] == 0


@pytest.mark.parametrize("make", [make_regression_1d, make_blobs, make_moons])
def test_toy_sets_are_deterministic_and_seeded(make):
    a, b, c = make(rng=0), make(rng=0), make(rng=1)
    np.testing.assert_array_equal(a[0], b[0])
    np.testing.assert_array_equal(a[1], b[1])
    assert not np.array_equal(a[0], c[0])
    assert a[0].dtype == np.float32


def test_regression_1d_is_a_noisy_line():
    X, y = make_regression_1d(n=200, noise=0.0, rng=0, slope=3.0, intercept=-2.0)
    assert X.shape == (200, 1) and y.shape == (200, 1) and y.dtype == np.float32
    assert -1 <= X.min() and X.max() <= 1
    np.testing.assert_allclose(y, 3 * X - 2, atol=1e-6)
    X, y = make_regression_1d(n=2000, noise=0.5, rng=0)
    residual = y - (2 * X - 1)
    assert residual.std() == pytest.approx(0.5, rel=0.1)


def test_first_toy_values_are_pinned():
    """Pages print these numbers: no drift between numpy versions or machines."""
    X, y = make_regression_1d(n=3, rng=0)
    np.testing.assert_allclose(
        X.ravel(), [0.27392337, -0.46042657, -0.91805295], rtol=1e-6
    )
    np.testing.assert_allclose(y.ravel(), [-0.44166, -1.97442, -2.79995], atol=1e-5)


def test_blobs_shapes_labels_and_centers():
    X, y = make_blobs(n_per_class=40, n_classes=4, spread=0.1, rng=0)
    assert X.shape == (160, 2) and y.shape == (160,) and y.dtype == np.int64
    np.testing.assert_array_equal(np.bincount(y), [40, 40, 40, 40])
    for k in range(4):
        angle = 2 * np.pi * k / 4
        center = X[y == k].mean(axis=0)
        np.testing.assert_allclose(
            center, [2 * np.cos(angle), 2 * np.sin(angle)], atol=0.05
        )


def test_moons_shapes_and_classes():
    X, y = make_moons(n_per_class=50, noise=0.0, rng=0)
    assert X.shape == (100, 2) and y.shape == (100,) and y.dtype == np.int64
    np.testing.assert_array_equal(np.bincount(y), [50, 50])
    # upper arc
    np.testing.assert_allclose(np.linalg.norm(X[y == 0], axis=1), 1, atol=1e-6)
    assert X[y == 0, 1].min() >= -1e-6 and X[y == 1, 1].max() <= 0.5 + 1e-6


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            lambda: make_regression_1d(n=0),
            "make_regression_1d: n must be a positive integer, got 0",
        ),
        (
            lambda: make_regression_1d(noise=-1),
            r"make_regression_1d: noise must be >= 0, got -1.0",
        ),
        (
            lambda: make_blobs(n_classes=0),
            "make_blobs: n_classes must be a positive integer, got 0",
        ),
        (
            lambda: make_moons(n_per_class=2.5),
            "make_moons: n_per_class must be a positive integer",
        ),
        (
            lambda: make_moons(noise=float("nan")),
            "make_moons: noise must be >= 0, got nan",
        ),
    ],
)
def test_bad_arguments_are_named(call, message):
    with pytest.raises(ValueError, match=message):
        call()
