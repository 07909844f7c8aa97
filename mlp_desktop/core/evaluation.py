"""Evaluation reports and decision grids for a trained model (plain data, no Qt).

``evaluation_report`` gives the numbers behind the evaluation view (metrics, confusion matrix,
per-class precision and recall, or actual/predicted/residual arrays); ``decision_grid`` evaluates
the network over a plane of two numeric inputs, for the decision-surface view.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np

from . import metrics
from .errors import DataError
from .lazy import pd

CATEGORICAL = "categorical"


def row_shares(matrix) -> np.ndarray:
    """Each cell of a confusion matrix (rows actual, columns predicted) as a share of its row: of the
    rows that really are a class, the share predicted as each class. Every row sums to 1 (a class
    absent from the rows: 0s), so a large class does not outweigh a small one; the diagonal is the
    recall."""
    matrix = np.asarray(matrix, dtype=np.float64)
    actual = matrix.sum(axis=1, keepdims=True)
    return np.divide(matrix, actual, out=np.zeros_like(matrix), where=actual > 0)


def precision_recall(matrix) -> tuple[np.ndarray, np.ndarray]:
    """Per-class precision and recall of a confusion matrix (rows actual, columns predicted).

    A class never predicted has precision 0; a class absent from the rows has recall 0 (never NaN).
    """
    matrix = np.asarray(matrix, dtype=np.float64)
    correct = np.diag(matrix)
    predicted = matrix.sum(axis=0)
    precision = np.divide(correct, predicted, out=np.zeros_like(correct), where=predicted > 0)
    return precision, np.diag(row_shares(matrix)).copy()


def _actual_labels(model, frame: pd.DataFrame) -> np.ndarray:
    target = model.preprocessor.targets[0]
    if target not in frame.columns:
        raise DataError(f"The rows to evaluate have no target column '{target}'.")
    return frame[target].astype(str).to_numpy()


def class_report(model, frame: pd.DataFrame) -> dict:
    """Accuracy, confusion matrix and per-class precision/recall of a classifier on ``frame``.

    Returns ``{"task", "n_samples", "classes", "accuracy", "confusion_matrix" (n_classes, n_classes)
    int array, rows actual and columns predicted, "confusion_shares" (the same, each row as shares of
    its total: :func:`row_shares`), "precision", "recall" (n_classes,)}``. The class order is the
    model's; a label the model never saw is appended (it can never be right).
    """
    pre = model.preprocessor
    classes = [str(c) for c in pre.classes]
    n = len(frame)
    if n == 0:
        empty = np.zeros(len(classes))
        return {"task": "classification", "n_samples": 0, "classes": classes, "accuracy": float("nan"),
                "confusion_matrix": np.zeros((len(classes), len(classes)), dtype=np.int64),
                "confusion_shares": np.zeros((len(classes), len(classes))),
                "precision": empty, "recall": empty.copy()}
    actual = _actual_labels(model, frame)
    predicted = pre.labels(model.raw_outputs(frame)).astype(str)
    classes += sorted(set(actual.tolist()) - set(classes))
    matrix = metrics.confusion_matrix(actual, predicted, classes)
    precision, recall = precision_recall(matrix)
    return {"task": "classification", "n_samples": n, "classes": classes,
            "accuracy": metrics.accuracy(actual, predicted), "confusion_matrix": matrix,
            "confusion_shares": row_shares(matrix), "precision": precision, "recall": recall}


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


@dataclass
class DecisionPlane:
    """What a decision grid feeds the network: two inputs on axes, every other input held at one value.

    It depends on the data, the axes and the held values, never on the weights, so it is built
    once and evaluated again for each new set of weights (:func:`evaluate_plane`, NumPy only).

    ``xs``, ``ys``: ``(resolution,)`` axis values in user units; ``x_scaled``, ``y_scaled``: the same
    as network inputs; ``base``: ``(n_encoded_inputs,)`` the network input row of the held values,
    zero at ``x_index`` and ``y_index`` (the axes' positions in it); ``held``: ``{column: value}``
    for every other input; ``from_fixed``: the columns whose value came from ``fixed`` (the rest
    are means, or most frequent values for text).
    """

    x_column: str
    y_column: str
    xs: np.ndarray
    ys: np.ndarray
    x_scaled: np.ndarray
    y_scaled: np.ndarray
    base: np.ndarray
    x_index: int
    y_index: int
    held: dict = field(default_factory=dict)
    from_fixed: set = field(default_factory=set)

    @property
    def resolution(self) -> int:
        return len(self.xs)


def numeric_inputs(model) -> list[str]:
    """The model's input columns that hold numbers (candidates for a decision grid's axes)."""
    pre = model.preprocessor
    return [c for c in pre.inputs if pre.input_kinds.get(c) != CATEGORICAL]


def suggested_axes(model, frame: pd.DataFrame, max_rows: int | None = None) -> list[str]:
    """The two numeric inputs (in input order) that tell the target apart best in ``frame``.

    Classification: the largest ratio of between-class to within-class spread (the one-way
    ANOVA F ratio); regression: the largest absolute correlation with the (first) target. With
    Iris that is the petal columns, where all three classes show; the first two inputs (the
    sepals) hold the petals at their means, where only two classes appear. Vectorised over
    columns (784 pixel columns: a few milliseconds, where a loop took 0.6 s); with ``max_rows``,
    only that many rows, evenly spread over ``frame``, are scored.
    """
    columns = numeric_inputs(model)
    pre = model.preprocessor
    target = pre.targets[0] if pre.targets else None
    if len(columns) <= 2 or target not in frame:
        return columns[:2]
    if max_rows is not None and len(frame) > max_rows:
        frame = frame.iloc[np.linspace(0, len(frame) - 1, max_rows).astype(int)]
    scores = np.concatenate([
        _separations(_numeric_matrix(frame, columns[i:i + _CHUNK]), frame[target], pre.task)
        for i in range(0, len(columns), _CHUNK)])
    best = sorted(range(len(columns)), key=lambda i: (-scores[i], i))[:2]
    return [columns[i] for i in sorted(best)]


_CHUNK = 128  # columns scored at a time: 20,000 rows x 784 columns at once would take ~0.5 GB


def _numeric_matrix(frame: pd.DataFrame, columns: list[str]) -> np.ndarray:
    """``(n_rows, len(columns))`` floats; cells that are not numbers are NaN."""
    part = frame[columns]
    if all(pd.api.types.is_numeric_dtype(dtype) for dtype in part.dtypes):
        try:
            return part.to_numpy(dtype=float, na_value=np.nan)
        except (TypeError, ValueError):
            pass
    return np.column_stack([pd.to_numeric(part[c], errors="coerce").to_numpy(dtype=float) for c in columns]) \
        if columns else np.empty((len(frame), 0))


def _separations(x: np.ndarray, target: pd.Series, task: str) -> np.ndarray:
    """How well each column of ``x: (n_rows, n_columns)`` tells the target apart (see
    :func:`suggested_axes`); rows where a column is not a number are left out of that column."""
    finite = np.isfinite(x)
    values = np.where(finite, x, 0.0)
    counts = finite.sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        if task == "classification":
            labels = target.astype(str).to_numpy()
            mean = values.sum(axis=0) / np.maximum(counts, 1)
            within, between = np.zeros(x.shape[1]), np.zeros(x.shape[1])
            for label in np.unique(labels):
                rows = labels == label
                in_group, group = finite[rows], values[rows]
                n = in_group.sum(axis=0)
                group_mean = group.sum(axis=0) / np.maximum(n, 1)
                within += (((group - group_mean) * in_group) ** 2).sum(axis=0)
                between += n * (group_mean - mean) ** 2
            scores = np.where(within > 0, between / np.where(within > 0, within, 1.0),
                              np.where(between > 0, np.inf, 0.0))
            scores[counts < 2] = 0.0
            return scores
        y = pd.to_numeric(target, errors="coerce").to_numpy(dtype=float)
        usable = finite & np.isfinite(y)[:, None]
        n = usable.sum(axis=0)
        ys = np.where(usable, y[:, None], 0.0)
        xs = np.where(usable, values, 0.0)
        dx = (xs - xs.sum(axis=0) / np.maximum(n, 1)) * usable
        dy = (ys - ys.sum(axis=0) / np.maximum(n, 1)) * usable
        vx, vy = (dx * dx).sum(axis=0), (dy * dy).sum(axis=0)
        scores = np.abs((dx * dy).sum(axis=0) / np.sqrt(vx * vy))
        scores[(n < 3) | (vx == 0) | (vy == 0) | ~np.isfinite(scores)] = 0.0
        return scores


def _axis(values: pd.Series, column: str, resolution: int) -> np.ndarray:
    numbers = pd.to_numeric(values, errors="coerce").to_numpy(dtype=float)
    numbers = numbers[np.isfinite(numbers)]
    if numbers.size == 0:
        raise DataError(f"Column '{column}' has no numbers to span a decision plot.")
    low, high = float(numbers.min()), float(numbers.max())
    margin = 0.05 * (high - low) if high > low else 0.5
    return np.linspace(low - margin, high + margin, resolution)


def _given(fixed: dict, column: str) -> bool:
    value = fixed.get(column)
    return value is not None and not (isinstance(value, str) and value == "")


def held_values(model, frame: pd.DataFrame, columns: list[str], fixed: dict | None = None) -> dict:
    """The value each of ``columns`` is held at: ``fixed[column]`` if given, else its mean
    (numbers) or most frequent value (text) in ``frame``; the scaler's offset (the training
    mean with standard scaling) or the first category when ``frame`` has none.

    The means of many number columns are taken at once (784 pixel columns: ~3 ms, not ~40 ms).
    """
    fixed = fixed or {}
    pre = model.preprocessor
    held = {c: fixed[c] for c in columns if _given(fixed, c)}
    numeric = [c for c in columns if c not in held and pre.input_kinds.get(c) != CATEGORICAL]
    present = [c for c in numeric if c in frame.columns]
    means = {}
    if present and len(frame):
        with warnings.catch_warnings():  # a column without numbers: its mean is NaN, handled below
            warnings.simplefilter("ignore", RuntimeWarning)
            means = dict(zip(present, np.nanmean(_numeric_matrix(frame, present), axis=0)))
    for column in columns:
        if column in held:
            continue
        if column in numeric:
            mean = means.get(column, np.nan)
            if not np.isfinite(mean):
                # No rows to average: the scaler's offset is the training mean for standard scaling.
                mean = pre.input_offset[pre.encoded_inputs.index(column)]
            held[column] = float(mean)
            continue
        values = frame[column] if column in frame.columns else pd.Series(dtype=object)
        counts = values.dropna().astype(str).value_counts()
        held[column] = counts.index[0] if len(counts) else pre.categories[column][0]
    return held


def decision_plane(model, frame: pd.DataFrame, x_column: str, y_column: str, resolution: int = 80,
                   fixed: dict | None = None) -> DecisionPlane:
    """The plane a decision grid evaluates: ``x_column`` and ``y_column`` over their range in
    ``frame`` plus 5% each side, every other input held as :func:`held_values` says.

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
    others = [c for c in pre.inputs if c not in (x_column, y_column)]
    held = held_values(model, frame, others, fixed)
    row = pd.DataFrame({c: [xs[0] if c == x_column else ys[0] if c == y_column else held[c]] for c in pre.inputs})
    with np.errstate(over="ignore", invalid="ignore"):
        base = pre.transform_inputs(row)[0]
    names = pre.encoded_inputs
    x_index, y_index = names.index(x_column), names.index(y_column)
    base[[x_index, y_index]] = 0.0
    offset, scale = np.asarray(pre.input_offset, dtype=float), np.asarray(pre.input_scale, dtype=float)
    return DecisionPlane(x_column, y_column, xs, ys, (xs - offset[x_index]) / scale[x_index],
                         (ys - offset[y_index]) / scale[y_index], base, x_index, y_index, held,
                         {c for c in others if _given(fixed, c)})


def plane_network(net, plane: DecisionPlane):
    """``net`` reduced to the plane's two inputs: the same outputs for every point of the plane.

    The held inputs add the same amount to each first-layer neuron everywhere on the plane, so it
    goes into the first biases (``base @ W1``) and the first layer keeps the two axes' rows of
    ``W1``: a 784-input network then costs the plane ``resolution**2 x 2`` inputs, not ``x 784``.
    """
    from .network import MLP

    first_weights, first_biases = net.weights[0], net.biases[0]
    reduced = MLP([2, *net.layer_sizes[1:]], net.activations, seed=0)
    reduced.weights = [first_weights[[plane.x_index, plane.y_index]], *list(net.weights)[1:]]
    with np.errstate(over="ignore", invalid="ignore"):
        reduced.biases = [first_biases + plane.base @ first_weights, *list(net.biases)[1:]]
    return reduced


def evaluate_plane(model, plane: DecisionPlane, net=None) -> DecisionGrid:
    """The network (``net``, else the model's) over ``plane``; NumPy only, no pandas.

    One forward pass of ``resolution**2`` rows through the network reduced to the plane
    (:func:`plane_network`).
    """
    pre = model.preprocessor
    reduced = plane_network(net if net is not None else model.net, plane)
    resolution = plane.resolution
    grid_x, grid_y = np.meshgrid(plane.x_scaled, plane.y_scaled, indexing="ij")  # row ix*resolution + iy
    with np.errstate(over="ignore", invalid="ignore"):
        traces = reduced.forward_layers(np.column_stack([grid_x.ravel(), grid_y.ravel()]))
    shape = (resolution, resolution)
    hidden = [np.ascontiguousarray(t.a.T.reshape(t.a.shape[1], *shape)) for t in traces[:-1]]
    outputs = traces[-1].a
    xs, ys = plane.xs, plane.ys
    if pre.task == "regression":
        values = pre.inverse_targets(outputs)[:, 0].reshape(shape)
        return DecisionGrid(plane.x_column, plane.y_column, xs, ys, "regression", values, hidden=hidden)
    probabilities = pre.probabilities(outputs)
    predicted = probabilities.argmax(axis=1)
    confidence = probabilities[np.arange(len(predicted)), predicted].reshape(shape)
    output = probabilities[:, 1].reshape(shape) if probabilities.shape[1] == 2 else confidence
    return DecisionGrid(plane.x_column, plane.y_column, xs, ys, "classification", output, predicted.reshape(shape),
                        confidence, [str(c) for c in pre.classes], hidden)


def decision_grid(model, frame: pd.DataFrame, x_column: str, y_column: str, resolution: int = 80,
                  fixed: dict | None = None) -> DecisionGrid:
    """Evaluate ``model`` on a ``resolution x resolution`` grid of ``x_column`` and ``y_column``.

    The grid spans the columns' range in ``frame`` plus 5% each side; every other input is held at
    ``fixed[column]`` if given, else at its mean (numbers) or most frequent value (text) in
    ``frame``: :func:`decision_plane` then :func:`evaluate_plane`.

    Raises
    ------
    DataError
        If a column is not a numeric input of the model, or both columns are the same.
    """
    return evaluate_plane(model, decision_plane(model, frame, x_column, y_column, resolution, fixed))
