"""The gradient checker's pieces: numerical_gradient and relative_error."""

import numpy as np
import pytest

from scratchml import relative_error


@pytest.mark.parametrize("shape", [(3,), (2, 4)])
def test_relative_error_of_two_zero_gradients_is_zero_even_without_a_floor(shape):
    # floor = 0 divides by the largest entry, which is 0 here: this gave 0 / 0 = nan.
    zeros = np.zeros(shape)
    assert relative_error(zeros, zeros, floor=0) == 0.0
    assert relative_error(zeros, -zeros, floor=0.0) == 0.0  # -0.0 equals 0.0
    # Without a floor the error stays purely relative, however small the gradients.
    tiny = np.full(shape, 1e-12)
    assert relative_error(tiny, 2 * tiny, floor=0) == pytest.approx(0.5)
