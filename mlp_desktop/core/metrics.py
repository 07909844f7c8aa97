"""Plain metrics on NumPy arrays: ``y_true`` and ``y_pred`` of the same shape unless noted."""

from __future__ import annotations

import numpy as np


def _pair(y_true, y_pred) -> tuple[np.ndarray, np.ndarray]:
    y_true = np.asarray(y_true, dtype=np.float64)
    y_pred = np.asarray(y_pred, dtype=np.float64)
    if y_true.shape != y_pred.shape:
        raise ValueError(f"Shapes differ: {y_true.shape} and {y_pred.shape}.")
    return y_true, y_pred


def mse(y_true, y_pred) -> float:
    """Mean over all samples and outputs of the squared error."""
    y_true, y_pred = _pair(y_true, y_pred)
    return float(np.mean((y_pred - y_true) ** 2))


def rmse(y_true, y_pred) -> float:
    """Root of :func:`mse`, in the targets' units."""
    return float(np.sqrt(mse(y_true, y_pred)))


def mae(y_true, y_pred) -> float:
    """Mean absolute error."""
    y_true, y_pred = _pair(y_true, y_pred)
    return float(np.mean(np.abs(y_pred - y_true)))


def r2(y_true, y_pred) -> float:
    """Coefficient of determination, averaged over outputs (1 is perfect; 0 is predicting the mean).

    R² compares the errors with the targets' variation: an output whose targets are constant has none,
    so its R² is undefined and left out of the average; NaN when every output's targets are constant
    (as the data's warning says: "R² cannot be computed").
    """
    y_true, y_pred = _pair(y_true, y_pred)
    y_true = y_true.reshape(len(y_true), -1)
    y_pred = y_pred.reshape(len(y_pred), -1)
    residual = ((y_true - y_pred) ** 2).sum(axis=0)
    total = ((y_true - y_true.mean(axis=0)) ** 2).sum(axis=0)
    defined = total > 0
    return float((1.0 - residual[defined] / total[defined]).mean()) if defined.any() else float("nan")


def accuracy(labels_true, labels_pred) -> float:
    """Share of samples whose predicted label equals the true one."""
    labels_true, labels_pred = np.asarray(labels_true), np.asarray(labels_pred)
    if labels_true.shape != labels_pred.shape:
        raise ValueError(f"Shapes differ: {labels_true.shape} and {labels_pred.shape}.")
    return float(np.mean(labels_true == labels_pred)) if labels_true.size else float("nan")


def confusion_matrix(labels_true, labels_pred, classes=None) -> np.ndarray:
    """Counts ``C[i, j]`` of samples of class ``classes[i]`` predicted as ``classes[j]``.

    ``classes`` defaults to the sorted union of both label sets.
    """
    labels_true, labels_pred = np.asarray(labels_true), np.asarray(labels_pred)
    if classes is None:
        classes = np.unique(np.concatenate([labels_true, labels_pred]))
    index = {label: i for i, label in enumerate(list(classes))}
    matrix = np.zeros((len(index), len(index)), dtype=np.int64)
    for t, p in zip(labels_true.tolist(), labels_pred.tolist()):
        matrix[index[t], index[p]] += 1
    return matrix
