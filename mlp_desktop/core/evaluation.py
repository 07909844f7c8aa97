"""Evaluation reports and decision grids for a trained model (plain data, no Qt).

``evaluation_report`` gives the numbers behind the evaluation view (metrics, confusion matrix,
per-class precision and recall, or actual/predicted/residual arrays); ``decision_grid`` evaluates
the network over a plane of two numeric inputs, for the decision-surface view.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from . import metrics
from .errors import DataError

CATEGORICAL = "categorical"


def precision_recall(matrix) -> tuple[np.ndarray, np.ndarray]:
    """Per-class precision and recall of a confusion matrix (rows actual, columns predicted).

    A class never predicted has precision 0; a class absent from the rows has recall 0 (never NaN).
    """
    matrix = np.asarray(matrix, dtype=np.float64)
    correct = np.diag(matrix)
    predicted = matrix.sum(axis=0)
    actual = matrix.sum(axis=1)
    precision = np.divide(correct, predicted, out=np.zeros_like(correct), where=predicted > 0)
    recall = np.divide(correct, actual, out=np.zeros_like(correct), where=actual > 0)
    return precision, recall


def _actual_labels(model, frame: pd.DataFrame) -> np.ndarray:
    target = model.preprocessor.targets[0]
    if target not in frame.columns:
        raise DataError(f"The rows to evaluate have no target column '{target}'.")
    return frame[target].astype(str).to_numpy()


def class_report(model, frame: pd.DataFrame) -> dict:
    """Accuracy, confusion matrix and per-class precision/recall of a classifier on ``frame``.

    Returns ``{"task", "n_samples", "classes", "accuracy", "confusion_matrix" (n_classes, n_classes)
    int array, rows actual and columns predicted, "precision", "recall" (n_classes,)}``. The class
    order is the model's; a label the model never saw is appended (it can never be right).
    """
    pre = model.preprocessor
    classes = [str(c) for c in pre.classes]
    n = len(frame)
    if n == 0:
        empty = np.zeros(len(classes))
        return {"task": "classification", "n_samples": 0, "classes": classes, "accuracy": float("nan"),
                "confusion_matrix": np.zeros((len(classes), len(classes)), dtype=np.int64),
                "precision": empty, "recall": empty.copy()}
    actual = _actual_labels(model, frame)
    predicted = pre.labels(model.raw_outputs(frame)).astype(str)
    classes += sorted(set(actual.tolist()) - set(classes))
    matrix = metrics.confusion_matrix(actual, predicted, classes)
    precision, recall = precision_recall(matrix)
    return {"task": "classification", "n_samples": n, "classes": classes,
            "accuracy": metrics.accuracy(actual, predicted), "confusion_matrix": matrix,
            "precision": precision, "recall": recall}


def regression_report(model, frame: pd.DataFrame) -> dict:
    """RMSE, MAE, R² and the arrays for plots, for the first target, on ``frame``.

    Returns ``{"task", "n_samples", "target", "rmse", "mae", "r2", "actual", "predicted",
    "residuals"}``; the arrays are ``(n_samples,)`` in the target's units, residual = predicted - actual.
    """
    pre = model.preprocessor
    target = pre.targets[0]
    if len(frame) == 0:
        empty = np.zeros(0)
        return {"task": "regression", "n_samples": 0, "target": target, "rmse": float("nan"),
                "mae": float("nan"), "r2": float("nan"), "actual": empty, "predicted": empty.copy(),
                "residuals": empty.copy()}
    if target not in frame.columns:
        raise DataError(f"The rows to evaluate have no target column '{target}'.")
    actual = pd.to_numeric(frame[target], errors="coerce").to_numpy(dtype=float)
    predicted = pre.inverse_targets(model.raw_outputs(frame))[:, 0]
    return {"task": "regression", "n_samples": len(frame), "target": target,
            "rmse": metrics.rmse(actual, predicted), "mae": metrics.mae(actual, predicted),
            "r2": metrics.r2(actual, predicted), "actual": actual, "predicted": predicted,
            "residuals": predicted - actual}


def evaluation_report(model, frame: pd.DataFrame) -> dict:
    """:func:`class_report` or :func:`regression_report`, whichever suits the model's task."""
    if model.preprocessor.task == "classification":
        return class_report(model, frame)
    return regression_report(model, frame)


@dataclass
class DecisionGrid:
    """The network evaluated over a plane of two inputs; arrays are indexed ``[ix, iy]``.

    ``output``: regression: the predicted value (user units); two classes: the probability of
    the second class; more classes: the probability of the predicted class (same as
    ``confidence``). ``predicted_class``: class index per cell (classification only).
    ``hidden``: one ``(n_neurons, resolution, resolution)`` array of activations per hidden layer.
    """

    x_column: str
    y_column: str
    xs: np.ndarray
    ys: np.ndarray
    task: str
    output: np.ndarray
    predicted_class: np.ndarray | None = None
    confidence: np.ndarray | None = None
    classes: list = field(default_factory=list)
    hidden: list[np.ndarray] = field(default_factory=list)


def numeric_inputs(model) -> list[str]:
    """The model's input columns that hold numbers (candidates for a decision grid's axes)."""
    pre = model.preprocessor
    return [c for c in pre.inputs if pre.input_kinds.get(c) != CATEGORICAL]


def suggested_axes(model, frame: pd.DataFrame) -> list[str]:
    """The two numeric inputs (in input order) that tell the target apart best in ``frame``.

    Classification: the largest ratio of between-class to within-class spread (the one-way
    ANOVA F ratio); regression: the largest absolute correlation with the (first) target. With
    Iris that is the petal columns, where all three classes show; the first two inputs (the
    sepals) hold the petals at their means, where only two classes appear.
    """
    columns = numeric_inputs(model)
    pre = model.preprocessor
    target = pre.targets[0] if pre.targets else None
    if len(columns) <= 2 or target not in frame:
        return columns[:2]
    scores = [_separation(pd.to_numeric(frame[c], errors="coerce").to_numpy(dtype=float), frame[target], pre.task)
              for c in columns]
    best = sorted(range(len(columns)), key=lambda i: (-scores[i], i))[:2]
    return [columns[i] for i in sorted(best)]


def _separation(x: np.ndarray, target: pd.Series, task: str) -> float:
    if task == "classification":
        labels = target.astype(str).to_numpy()
        usable = np.isfinite(x)
        x, labels = x[usable], labels[usable]
        if x.size < 2:
            return 0.0
        groups = [x[labels == label] for label in np.unique(labels)]
        within = sum(float(((g - g.mean()) ** 2).sum()) for g in groups)
        between = sum(len(g) * float((g.mean() - x.mean()) ** 2) for g in groups)
        return between / within if within > 0 else (math.inf if between > 0 else 0.0)
    y = pd.to_numeric(target, errors="coerce").to_numpy(dtype=float)
    usable = np.isfinite(x) & np.isfinite(y)
    x, y = x[usable], y[usable]
    if x.size < 3 or x.std() == 0 or y.std() == 0:
        return 0.0
    return abs(float(np.corrcoef(x, y)[0, 1]))


def _axis(values: pd.Series, column: str, resolution: int) -> np.ndarray:
    numbers = pd.to_numeric(values, errors="coerce").to_numpy(dtype=float)
    numbers = numbers[np.isfinite(numbers)]
    if numbers.size == 0:
        raise DataError(f"Column '{column}' has no numbers to span a decision plot.")
    low, high = float(numbers.min()), float(numbers.max())
    margin = 0.05 * (high - low) if high > low else 0.5
    return np.linspace(low - margin, high + margin, resolution)


def _held_value(model, frame: pd.DataFrame, column: str, fixed: dict):
    if column in fixed and fixed[column] is not None and not (isinstance(fixed[column], str) and fixed[column] == ""):
        return fixed[column]
    values = frame[column] if column in frame.columns else pd.Series(dtype=object)
    if model.preprocessor.input_kinds.get(column) == CATEGORICAL:
        counts = values.dropna().astype(str).value_counts()
        if len(counts):
            return counts.index[0]
        return model.preprocessor.categories[column][0]
    numbers = pd.to_numeric(values, errors="coerce")
    mean = numbers.mean()
    if pd.isna(mean):
        # No rows to average: the scaler's offset is the training mean for standard scaling.
        index = model.preprocessor.encoded_inputs.index(column)
        return float(model.preprocessor.input_offset[index])
    return float(mean)


def decision_grid(model, frame: pd.DataFrame, x_column: str, y_column: str, resolution: int = 80,
                  fixed: dict | None = None) -> DecisionGrid:
    """Evaluate ``model`` on a ``resolution x resolution`` grid of ``x_column`` and ``y_column``.

    The grid spans the columns' range in ``frame`` plus 5% each side; every other input is held at
    ``fixed[column]`` if given, else at its mean (numbers) or most frequent value (text) in
    ``frame``. One forward pass of ``resolution**2`` rows.

    Raises
    ------
    DataError
        If a column is not a numeric input of the model, or both columns are the same.
    """
    pre = model.preprocessor
    numeric = numeric_inputs(model)
    for column in (x_column, y_column):
        if column not in numeric:
            raise DataError(f"'{column}' is not a numeric input column of this model; "
                            f"choose one of: {', '.join(numeric) or 'none'}.")
    if x_column == y_column:
        raise DataError("Choose two different columns for the decision plot.")
    if resolution < 2:
        raise DataError("The decision plot needs a resolution of at least 2.")
    fixed = dict(fixed or {})
    xs = _axis(frame[x_column], x_column, resolution)
    ys = _axis(frame[y_column], y_column, resolution)
    grid_x, grid_y = np.meshgrid(xs, ys, indexing="ij")  # row ix*resolution + iy
    columns = {}
    for column in pre.inputs:
        if column == x_column:
            columns[column] = grid_x.ravel()
        elif column == y_column:
            columns[column] = grid_y.ravel()
        else:
            columns[column] = np.repeat(np.asarray([_held_value(model, frame, column, fixed)], dtype=object),
                                        resolution * resolution)
    rows = pd.DataFrame(columns)
    with np.errstate(over="ignore", invalid="ignore"):
        traces = model.net.forward_layers(pre.transform_inputs(rows))
    shape = (resolution, resolution)
    hidden = [np.ascontiguousarray(t.a.T.reshape(t.a.shape[1], *shape)) for t in traces[:-1]]
    outputs = traces[-1].a
    if pre.task == "regression":
        values = pre.inverse_targets(outputs)[:, 0].reshape(shape)
        return DecisionGrid(x_column, y_column, xs, ys, "regression", values, hidden=hidden)
    probabilities = pre.probabilities(outputs)
    predicted = probabilities.argmax(axis=1)
    confidence = probabilities[np.arange(len(predicted)), predicted].reshape(shape)
    output = probabilities[:, 1].reshape(shape) if probabilities.shape[1] == 2 else confidence
    return DecisionGrid(x_column, y_column, xs, ys, "classification", output, predicted.reshape(shape),
                        confidence, [str(c) for c in pre.classes], hidden)
