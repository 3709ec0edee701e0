"""Data sets for the book: real handwritten digits, and tiny seeded toy sets.

``load_digits`` returns the 1797 8x8 images of the test partition of the UCI
*Optical Recognition of Handwritten Digits* data set:

- Authors: E. Alpaydin and C. Kaynak (1998), Bogazici University.
- Source: UCI Machine Learning Repository,
  https://archive.ics.uci.edu/dataset/80 (DOI https://doi.org/10.24432/C50P49).
- Licence: Creative Commons Attribution 4.0 International (CC BY 4.0).

Each image is the count of "on" pixels in 4x4 blocks of a 32x32 bitmap, so every pixel
is an integer from 0 to 16. The file ``scratchml/_data/digits.npz`` (``images`` uint8
``(1797, 64)``, ``labels`` uint8 ``(1797,)``) was written once with
``numpy.savez_compressed`` from the copy scikit-learn ships
(``sklearn/datasets/data/digits.csv.gz``, identical to
``sklearn.datasets.load_digits``).

The toy sets (``make_regression_1d``, ``make_blobs``, ``make_moons``) are small, drawn
from a seeded generator, and return float32 inputs: the same seed gives the same data on
every machine. What a model then computes from them can still differ in the last bits
between BLAS libraries and thread counts, which is why the pages print rounded values.
"""

# --8<-- [start:imports]
from pathlib import Path

import numpy as np

from scratchml._checks import check_blobs, check_moons, check_regression_1d

# --8<-- [end:imports]

DIGITS_PATH = Path(__file__).with_name("_data") / "digits.npz"


# --8<-- [start:load_digits]
def load_digits() -> tuple[np.ndarray, np.ndarray]:
    """The 1797 handwritten digits (UCI, Alpaydin & Kaynak 1998, CC BY 4.0).

    Returns
    -------
    X : numpy.ndarray, float32, shape (1797, 64)
        One flattened 8x8 image per row, raw pixel values 0..16 (not scaled: divide by
        16 to get values in [0, 1] before training). ``X[i].reshape(8, 8)`` is the
        image.
    y : numpy.ndarray, int64, shape (1797,)
        The digit shown, 0..9 (about 180 images of each).
    """
    with np.load(DIGITS_PATH) as data:
        X = data["images"].astype(np.float32)  # (1797, 64), values 0..16
        y = data["labels"].astype(np.int64)  # (1797,), values 0..9
    return X, y


# --8<-- [end:load_digits]


# --8<-- [start:make_regression_1d]
def make_regression_1d(
    n: int = 50, noise: float = 0.1, rng=0, slope: float = 2.0, intercept: float = -1.0
) -> tuple[np.ndarray, np.ndarray]:
    """Noisy points on a line, ``y = slope * x + intercept + noise * N(0, 1)``.

    Parameters
    ----------
    n : int
        Number of points; ``x`` is drawn uniformly from ``[-1, 1]``.
    noise : float
        Standard deviation of the Gaussian noise added to ``y``.
    rng : int or numpy.random.Generator
        Seed.
    slope : float
        Slope of the true line a single neuron should recover.
    intercept : float
        Intercept of that line (its value at ``x = 0``).

    Returns
    -------
    X : numpy.ndarray, float32, shape (n, 1)
    y : numpy.ndarray, float32, shape (n, 1)
        Column vectors, shaped like the output of ``Dense(1, 1)`` so that
        ``mse_loss(model(X), y)`` compares matching shapes.
    """
    rng = check_regression_1d(n, noise, rng, slope, intercept)  # a Generator
    x = rng.uniform(-1, 1, size=(n, 1))  # (n, 1)
    y = slope * x + intercept + noise * rng.standard_normal((n, 1))  # (n, 1)
    return x.astype(np.float32), y.astype(np.float32)


# --8<-- [end:make_regression_1d]


# --8<-- [start:make_blobs]
def make_blobs(
    n_per_class: int = 50, n_classes: int = 3, spread: float = 0.5, rng=0
) -> tuple[np.ndarray, np.ndarray]:
    """Gaussian clouds in the plane, one per class, centered on a circle of radius 2.

    Parameters
    ----------
    n_per_class : int
        Points per class.
    n_classes : int
        Number of clouds; center ``k`` is at angle ``2 pi k / n_classes``, radius 2.
    spread : float
        Standard deviation of each cloud.
    rng : int or numpy.random.Generator
        Seed.

    Returns
    -------
    X : numpy.ndarray, float32, shape (n_per_class * n_classes, 2)
    y : numpy.ndarray, int64, shape (n_per_class * n_classes,)
        Class ``k`` fills rows ``k * n_per_class`` to ``(k + 1) * n_per_class - 1``.
    """
    rng = check_blobs(n_per_class, n_classes, spread, rng)  # a Generator
    angles = 2 * np.pi * np.arange(n_classes) / n_classes  # (n_classes,)
    centers = 2 * np.stack([np.cos(angles), np.sin(angles)], axis=1)  # (n_classes, 2)
    y = np.repeat(np.arange(n_classes), n_per_class)  # (n,)
    X = centers[y] + spread * rng.standard_normal((len(y), 2))  # (n, 2)
    return X.astype(np.float32), y.astype(np.int64)


# --8<-- [end:make_blobs]


# --8<-- [start:make_moons]
def make_moons(
    n_per_class: int = 100, noise: float = 0.1, rng=0
) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaving half circles: no straight line separates the classes.

    Class 0 is the upper arc ``(cos t, sin t)``, class 1 the lower arc
    ``(1 - cos t, 0.5 - sin t)``, for ``t`` evenly spaced in ``[0, pi]``, plus Gaussian
    noise. A single neuron fails here; one hidden layer succeeds.

    Parameters
    ----------
    n_per_class : int
        Number of points on each arc.
    noise : float
        Standard deviation of the Gaussian noise added to both coordinates.
    rng : int or numpy.random.Generator
        Seed.

    Returns
    -------
    X : numpy.ndarray, float32, shape (2 * n_per_class, 2)
    y : numpy.ndarray, int64, shape (2 * n_per_class,)
    """
    n_per_class, noise, rng = check_moons(n_per_class, noise, rng)
    t = np.linspace(0, np.pi, n_per_class)  # (n_per_class,)
    upper = np.stack([np.cos(t), np.sin(t)], axis=1)  # (n_per_class, 2)
    lower = np.stack([1 - np.cos(t), 0.5 - np.sin(t)], axis=1)  # (n_per_class, 2)
    X = np.concatenate([upper, lower])  # (2 * n_per_class, 2)
    X = X + noise * rng.standard_normal(X.shape)
    y = np.repeat([0, 1], n_per_class)  # (2 * n_per_class,)
    return X.astype(np.float32), y.astype(np.int64)


# --8<-- [end:make_moons]
