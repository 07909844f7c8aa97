import numpy as np
import pytest

from mlp_desktop.core.arrays import distinct_values


@pytest.mark.parametrize("values", [
    [], [3.0], [2.0, 1.0, 2.0, 3.0, 1.0], [0.0, -0.0, 5.0], np.arange(12).reshape(3, 4) % 5,
    np.array([7, 7, 7], dtype=np.int64), np.random.default_rng(0).integers(-3, 4, 200).astype(float),
])
def test_distinct_values_are_numpys_unique(values):
    got, expected = distinct_values(np.asarray(values)), np.unique(np.asarray(values))
    assert got.dtype == expected.dtype
    np.testing.assert_array_equal(got, expected)
