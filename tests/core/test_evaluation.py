"""Evaluation reports and decision grids against hand-made examples."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from mlp_desktop.core.errors import DataError
from mlp_desktop.core.evaluation import (
    class_report, decision_grid, evaluation_report, numeric_inputs, precision_recall, row_shares,
)
from mlp_desktop.core.metrics import confusion_matrix
from mlp_desktop.core.session import trained_sample_session


def trained(name: str, hidden=(6,), epochs: int = 60):
    session = trained_sample_session(name, hidden, epochs)
    return session.model(), session.dataset.frame, session


@pytest.fixture(scope="module")
def iris():
    return trained("iris")


@pytest.fixture(scope="module")
def health():
    return trained("health_score", hidden=(3,))


def test_precision_recall_hand_example():
    # actual a: 3 rows (2 right, 1 as b); actual b: 1 row (as a); c never occurs nor is predicted.
    matrix = np.array([[2, 1, 0], [1, 0, 0], [0, 0, 0]])
    precision, recall = precision_recall(matrix)
    np.testing.assert_allclose(precision, [2 / 3, 0.0, 0.0])
    np.testing.assert_allclose(recall, [2 / 3, 0.0, 0.0])
    assert not np.isnan(precision).any() and not np.isnan(recall).any()


def test_row_shares_weigh_every_actual_class_alike():
    """A class of 90 rows and one of 10, each right 80% of the time: the same shade on the diagonal."""
    matrix = np.array([[72, 18, 0], [2, 8, 0], [0, 0, 0]])
    shares = row_shares(matrix)
    np.testing.assert_allclose(shares, [[0.8, 0.2, 0.0], [0.2, 0.8, 0.0], [0.0, 0.0, 0.0]])  # no NaN for c
    np.testing.assert_allclose(np.diag(shares), precision_recall(matrix)[1])  # the diagonal is the recall


def test_always_class_zero_confusion_matrix(iris):
    model, frame, _ = iris
    net = model.net.copy()
    # Output weights zero and a large bias on the first class: every row is predicted as class 0.
    net.weights = [*net.weights[:-1], np.zeros_like(net.weights[-1])]
    net.biases = [*net.biases[:-1], np.array([10.0, 0.0, 0.0])]
    model = dataclasses.replace(model, net=net)
    report = class_report(model, frame)
    counts = frame["species"].astype(str).value_counts()
    classes = report["classes"]
    expected = np.zeros((3, 3), dtype=int)
    expected[:, 0] = [counts[c] for c in classes]
    np.testing.assert_array_equal(report["confusion_matrix"], expected)
    assert report["accuracy"] == pytest.approx(counts[classes[0]] / len(frame))
    np.testing.assert_allclose(report["precision"], [counts[classes[0]] / len(frame), 0, 0])
    np.testing.assert_allclose(report["recall"], [1, 0, 0])


def test_class_report_matches_metrics_on_predictions(iris):
    model, frame, session = iris
    rows = frame.iloc[session.val_rows]
    report = evaluation_report(model, rows)
    predicted = model.predict(rows)["predicted_species"].astype(str)
    expected = confusion_matrix(rows["species"].astype(str), predicted, report["classes"])
    np.testing.assert_array_equal(report["confusion_matrix"], expected)
    assert report["classes"] == [str(c) for c in model.preprocessor.classes]
    assert report["n_samples"] == len(rows)
    assert report["accuracy"] == pytest.approx(model.evaluate(rows)["accuracy"])


def test_regression_report(health):
    model, frame, _ = health
    report = evaluation_report(model, frame)
    metrics = model.evaluate(frame)
    for key in ("rmse", "mae", "r2"):
        assert report[key] == pytest.approx(metrics[key])
    assert report["n_samples"] == len(frame)
    np.testing.assert_allclose(report["actual"], frame["output"].to_numpy(float))
    np.testing.assert_allclose(report["predicted"], model.predict(frame)["predicted_output"])
    np.testing.assert_allclose(report["residuals"], report["predicted"] - report["actual"])


def test_empty_frame_reports(iris, health):
    assert evaluation_report(iris[0], iris[1].iloc[:0])["n_samples"] == 0
    assert evaluation_report(health[0], health[1].iloc[:0])["n_samples"] == 0


def test_decision_grid_shapes_and_range(iris):
    model, frame, _ = iris
    grid = decision_grid(model, frame, "petal_length", "petal_width", resolution=20)
    assert grid.xs.shape == grid.ys.shape == (20,)
    assert grid.output.shape == grid.predicted_class.shape == grid.confidence.shape == (20, 20)
    assert [h.shape for h in grid.hidden] == [(6, 20, 20)]
    low, high = frame["petal_length"].min(), frame["petal_length"].max()
    assert grid.xs[0] == pytest.approx(low - 0.05 * (high - low))
    assert grid.xs[-1] == pytest.approx(high + 0.05 * (high - low))
    assert ((grid.confidence >= 1 / 3 - 1e-9) & (grid.confidence <= 1)).all()
    # Indexing is [ix, iy]: a cell equals a direct prediction at (xs[ix], ys[iy]).
    row = frame.iloc[[0]].copy()
    row["sepal_length"], row["sepal_width"] = frame["sepal_length"].mean(), frame["sepal_width"].mean()
    row["petal_length"], row["petal_width"] = grid.xs[3], grid.ys[15]
    probabilities = model.predict(row).filter(like="probability_").to_numpy()[0]
    assert grid.predicted_class[3, 15] == probabilities.argmax()
    assert grid.confidence[3, 15] == pytest.approx(probabilities.max())


def test_decision_grid_fixed_values_respected(iris):
    model, frame, _ = iris
    fixed = {"sepal_length": 7.5, "sepal_width": 2.0}
    grid = decision_grid(model, frame, "petal_length", "petal_width", resolution=8, fixed=fixed)
    row = frame.iloc[[0]].copy()
    row["sepal_length"], row["sepal_width"] = 7.5, 2.0
    row["petal_length"], row["petal_width"] = grid.xs[5], grid.ys[2]
    assert grid.confidence[5, 2] == pytest.approx(model.predict(row).filter(like="probability_").to_numpy().max())
    default = decision_grid(model, frame, "petal_length", "petal_width", resolution=8)
    assert not np.allclose(default.hidden[0], grid.hidden[0])


def test_decision_grid_two_classes_and_regression(health):
    model, frame, _ = trained("two_moons", hidden=(4, 3), epochs=20)
    grid = decision_grid(model, frame, "x", "y", resolution=10)
    assert [h.shape for h in grid.hidden] == [(4, 10, 10), (3, 10, 10)]
    # Two classes: the output is the probability of the second class.
    np.testing.assert_allclose(grid.output >= 0.5, grid.predicted_class == 1)
    model, frame, _ = health
    grid = decision_grid(model, frame, "age", "diet", resolution=5, fixed={"exercise": 3})
    assert grid.task == "regression" and grid.predicted_class is None
    row = frame.iloc[[0]].copy()
    row["age"], row["diet"], row["exercise"] = grid.xs[1], grid.ys[4], 3
    assert grid.output[1, 4] == pytest.approx(model.predict(row)["predicted_output"].iloc[0])


def test_decision_grid_errors(iris):
    model, frame, _ = iris
    assert numeric_inputs(model) == list(model.inputs)
    with pytest.raises(DataError, match="different"):
        decision_grid(model, frame, "petal_length", "petal_length")
    with pytest.raises(DataError, match="not a numeric input"):
        decision_grid(model, frame, "species", "petal_length")
    with pytest.raises(DataError, match="not a numeric input"):
        decision_grid(model, frame, "petal_length", "nonexistent")


def test_suggested_axes_are_the_inputs_that_separate_the_target_best():
    from mlp_desktop.core.evaluation import suggested_axes

    iris = trained_sample_session("iris", epochs=5)
    assert suggested_axes(iris.model(with_metrics=False), iris.row_sets.train) == ["petal_length", "petal_width"]
    health = trained_sample_session("health_score", hidden_layers=(2,), epochs=5, validation_fraction=0.0)
    model = health.model(with_metrics=False)
    # |correlation| with the score: age 0.92, exercise 0.94, diet 0.96.
    assert suggested_axes(model, health.row_sets.train) == ["exercise", "diet"]


def test_decision_grid_through_the_reduced_network_matches_predictions_with_text_inputs():
    # The plane's network keeps only the two axis inputs; the held ones (numbers and a one-hot
    # text column) go into the first biases. Every cell must still be what predict() says.
    import pandas as pd

    from mlp_desktop.core import TrainConfig
    from mlp_desktop.core.data import prepare_dataset, table_from_frame
    from mlp_desktop.core.evaluation import decision_plane, evaluate_plane, held_values
    from mlp_desktop.core.model import NetworkSpec, fit_model

    rng = np.random.default_rng(3)
    frame = pd.DataFrame({"a": rng.normal(size=40), "colour": rng.choice(["red", "green", "blue"], 40),
                          "b": rng.normal(size=40), "c": rng.uniform(0, 9, 40)})
    frame["output"] = frame["a"] * 2 - frame["c"] + (frame["colour"] == "red")
    model, _ = fit_model(prepare_dataset(table_from_frame(frame)), NetworkSpec(hidden_layers=[5, 3]),
                         TrainConfig(epochs=5, seed=2))
    plane = decision_plane(model, frame, "c", "a", resolution=6, fixed={"b": 0.25})
    assert plane.held == {"colour": frame["colour"].value_counts().index[0], "b": 0.25}
    assert plane.from_fixed == {"b"}
    grid = evaluate_plane(model, plane)
    rows = pd.DataFrame([{"a": y, "c": x, "b": 0.25, "colour": plane.held["colour"]}
                         for x in plane.xs for y in plane.ys])
    np.testing.assert_allclose(grid.output.ravel(), model.predict(rows)["predicted_output"], rtol=1e-10, atol=1e-12)
    assert [h.shape for h in grid.hidden] == [(5, 6, 6), (3, 6, 6)]
    # Held values: means of number columns, the most frequent text; the scaler's offset without rows.
    held = held_values(model, frame, ["b", "colour"])
    assert held["b"] == pytest.approx(frame["b"].mean())
    assert held_values(model, frame.iloc[:0], ["b"])["b"] == pytest.approx(
        model.preprocessor.input_offset[model.preprocessor.encoded_inputs.index("b")])


def test_suggested_axes_scores_each_column_without_its_blank_cells():
    import pandas as pd

    from mlp_desktop.core.evaluation import _separations

    rng = np.random.default_rng(0)
    labels = pd.Series(rng.choice(["x", "y", "z"], 50))
    columns = rng.normal(size=(50, 4))
    columns[:, 1] += (labels == "y") * 3.0
    columns[rng.random((50, 4)) < 0.2] = np.nan
    target = pd.Series(rng.normal(size=50))
    target[3] = np.nan

    def anova(x, lab):  # the one-way F ratio of one column, written out
        keep = np.isfinite(x)
        x, lab = x[keep], lab[keep]
        groups = [x[lab == g] for g in np.unique(lab)]
        within = sum(((g - g.mean()) ** 2).sum() for g in groups)
        between = sum(len(g) * (g.mean() - x.mean()) ** 2 for g in groups)
        return between / within

    def correlation(x, y):
        keep = np.isfinite(x) & np.isfinite(y)
        return abs(np.corrcoef(x[keep], y[keep])[0, 1])

    np.testing.assert_allclose(_separations(columns, labels, "classification"),
                               [anova(columns[:, i], labels.to_numpy()) for i in range(4)])
    np.testing.assert_allclose(_separations(columns, target, "regression"),
                               [correlation(columns[:, i], target.to_numpy()) for i in range(4)])
