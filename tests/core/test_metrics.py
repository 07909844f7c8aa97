import numpy as np
import pytest

from mlp_desktop.core import metrics


def test_regression_metrics_on_a_worked_example():
    y = np.array([1.0, 2.0, 3.0, 4.0])
    p = np.array([1.0, 2.5, 2.0, 4.0])
    assert metrics.mse(y, p) == pytest.approx((0 + 0.25 + 1 + 0) / 4)
    assert metrics.rmse(y, p) == pytest.approx(np.sqrt(1.25 / 4))
    assert metrics.mae(y, p) == pytest.approx(1.5 / 4)
    assert metrics.r2(y, p) == pytest.approx(1 - 1.25 / 5.0)
    assert metrics.r2(y, y) == 1.0
    # constant targets have no variation to explain: R² is undefined (it was 0.0 or 1.0, printed after
    # the warning that it "cannot be computed")
    assert np.isnan(metrics.r2([2.0, 2.0], [2.0, 2.0])) and np.isnan(metrics.r2([2.0, 2.0], [1.0, 2.0]))


def test_r2_averages_outputs():
    y = np.array([[1.0, 0.0], [2.0, 1.0], [3.0, 2.0]])
    assert metrics.r2(y, y + [0.0, 0.0]) == 1.0
    assert metrics.r2(y, np.column_stack([y[:, 0], np.full(3, 1.0)])) == pytest.approx(0.5)
    constant = np.column_stack([y[:, 0], np.full(3, 4.0)])  # the second output's R² is undefined: left out
    assert metrics.r2(constant, np.column_stack([y[:, 0] + [0.5, 0, 0], np.full(3, 3.0)])) == pytest.approx(
        metrics.r2(y[:, 0], y[:, 0] + [0.5, 0, 0]))


def test_classification_metrics():
    true = ["a", "b", "b", "c", "a"]
    pred = ["a", "b", "c", "c", "b"]
    assert metrics.accuracy(true, pred) == pytest.approx(3 / 5)
    matrix = metrics.confusion_matrix(true, pred, classes=["a", "b", "c"])
    np.testing.assert_array_equal(matrix, [[1, 1, 0], [0, 1, 1], [0, 0, 1]])
    assert metrics.confusion_matrix([1, 0], [1, 1]).tolist() == [[0, 1], [0, 1]]


def test_shape_mismatch_is_an_error():
    with pytest.raises(ValueError):
        metrics.rmse([1.0, 2.0], [1.0])
