"""Input checks shared by every module: clear errors instead of broadcasting tracebacks.

Every public function validates its arguments with these helpers, so that a wrong shape
or a NaN is reported where it enters, naming the function, the argument, what was
expected and what was received.
"""

import numpy as np


def as_float_array(where: str, name: str, x) -> np.ndarray:
    """Return ``x`` as a floating-point array, rejecting NaN, infinity and empty input."""
    arr = np.asarray(x)
    if arr.dtype.kind not in "fiub":
        raise TypeError(f"{where}: {name} must hold numbers, got dtype {arr.dtype}")
    if arr.dtype.kind != "f":
        arr = arr.astype(np.float64)
    if arr.size == 0:
        raise ValueError(f"{where}: {name} is empty (shape {arr.shape})")
    if not np.all(np.isfinite(arr)):
        bad = "NaN" if np.isnan(arr).any() else "infinity"
        raise ValueError(f"{where}: {name} contains {bad}")
    return arr


def check_last_dim(where: str, name: str, x: np.ndarray, expected: int) -> None:
    """Require ``x.shape[-1] == expected``."""
    if x.ndim == 0 or x.shape[-1] != expected:
        raise ValueError(
            f"{where}: {name} has shape {x.shape} but its last dimension must be {expected}"
        )


def check_ndim(where: str, name: str, x: np.ndarray, ndims: tuple[int, ...]) -> None:
    """Require ``x.ndim`` to be one of ``ndims``."""
    if x.ndim not in ndims:
        want = " or ".join(str(n) for n in ndims)
        raise ValueError(f"{where}: {name} has shape {x.shape} but must have {want} dimensions")


def check_same_shape(where: str, a_name: str, a: np.ndarray, b_name: str, b: np.ndarray) -> None:
    """Require two arrays to have the same shape."""
    if a.shape != b.shape:
        raise ValueError(
            f"{where}: {a_name} has shape {a.shape} but {b_name} has shape {b.shape}; "
            "they must match"
        )


def check_positive_int(where: str, name: str, value) -> int:
    """Require a positive integer (bools are rejected)."""
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 1:
        raise ValueError(f"{where}: {name} must be a positive integer, got {value!r}")
    return int(value)


def as_labels(where: str, name: str, labels, shape: tuple[int, ...], n_classes: int) -> np.ndarray:
    """Return ``labels`` as an integer array of ``shape`` with values in ``[0, n_classes)``."""
    arr = np.asarray(labels)
    if arr.dtype.kind not in "iu":
        raise TypeError(
            f"{where}: {name} must be integer class indices, got dtype {arr.dtype} "
            "(convert with .astype(int) if the values are whole numbers)"
        )
    if arr.shape != tuple(shape):
        raise ValueError(f"{where}: {name} has shape {arr.shape} but must have shape {shape}")
    if arr.size == 0:
        raise ValueError(f"{where}: {name} is empty (shape {arr.shape})")
    low, high = int(arr.min()), int(arr.max())
    if low < 0 or high >= n_classes:
        bad = low if low < 0 else high
        raise ValueError(
            f"{where}: {name} contains {bad}, outside the valid range 0..{n_classes - 1}"
        )
    return arr


def as_token_ids(where: str, name: str, ids, vocab_size: int) -> np.ndarray:
    """Return ``ids`` as an integer array, requiring every id to be in ``[0, vocab_size)``."""
    arr = np.asarray(ids)
    if arr.dtype.kind not in "iu":
        raise TypeError(f"{where}: {name} must be integer token ids, got dtype {arr.dtype}")
    if arr.size == 0:
        raise ValueError(f"{where}: {name} is empty (shape {arr.shape})")
    bad = (arr < 0) | (arr >= vocab_size)
    if bad.any():
        pos = tuple(int(i) for i in np.argwhere(bad)[0])
        raise ValueError(
            f"{where}: {name} holds id {arr[pos]} at index {pos}, outside the vocabulary "
            f"[0, {vocab_size})"
        )
    return arr


def check_shape(where: str, name: str, x: np.ndarray, expected: tuple, what: str) -> None:
    """Require ``x.shape == expected``; ``what`` names where ``expected`` comes from."""
    if np.shape(x) != tuple(expected):
        raise ValueError(
            f"{where}: {name} has shape {np.shape(x)} but {what} has shape {tuple(expected)}"
        )


def held_out_size(where: str, name: str, fraction, n: int, unit: str, parts: str) -> int:
    """``round(n * fraction)``, the size of a held-out part, with both parts non-empty.

    ``unit`` names what is counted ("rows", "ids") and ``parts`` the two parts, for the
    message (e.g. "train or test set").
    """
    if not 0 < fraction < 1:
        raise ValueError(f"{where}: {name} must be in (0, 1), got {fraction!r}")
    n_held = round(n * fraction)
    if not 0 < n_held < n:
        raise ValueError(f"{where}: {name}={fraction} of {n} {unit} leaves an empty {parts}")
    return n_held
