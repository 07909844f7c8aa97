"""From a user's columns to the network's numbers and back.

* Text input columns become one 0/1 column per category (``color=red``); the categories are kept,
  and an unseen category at prediction time is a clear error.
* Input scaling (``INPUT_SCALERS``): ``none``, ``minmax`` to [0, 1] (optionally with user-given
  bounds per column, as the health-score tutorial divides age by 101) or ``standard``
  (zero mean, unit variance). Fitted on training rows only. A constant column scales to 0.
* Regression targets are scaled to suit the output activation (``TARGET_RANGES``): standardised
  for ``identity``, into [0, 1] for ``sigmoid``/``relu``, into [-1, 1] for ``tanh``; predictions
  are turned back into the user's units.
* Classification targets become one 0/1 column per class (softmax or sigmoid outputs); with one
  sigmoid output neuron and two classes, a single column that is 1 for the second class.
* ``split_rows`` holds out a seeded validation fraction, stratified by class for classification;
  ``split_rows_three`` also holds out a test fraction (train / validation / test, as MATLAB's
  70/15/15), stratified the same way.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping, Sequence

import numpy as np

from .errors import DataError
from .lazy import pd
from .memory import BLOCK_BYTES, columns_per_block

# name -> fit(values (n_rows, n_columns)) -> (offset, scale): scaled = (values - offset) / scale
def _fit_none(values):
    return np.zeros(values.shape[1]), np.ones(values.shape[1])


def _fit_minmax(values):
    low, high = values.min(axis=0), values.max(axis=0)
    return low, _nonzero(high - low)


STD_BLOCK_ROWS = 2048


def _fit_standard(values):
    """Each column's mean and standard deviation (``numpy.std``'s, ddof 0), in blocks of rows.

    ``values.std(axis=0)`` makes a temporary as big as the table (125 MB for 20,000 x 784) and
    took 0.18 s of opening it; summing squared deviations a block at a time keeps the temporary
    in cache and agrees to rounding (same two passes: the mean, then the deviations from it)."""
    values = np.asarray(values, dtype=np.float64)
    mean = values.mean(axis=0)
    if values.nbytes <= BLOCK_BYTES:  # a small block (a slab of columns): one temporary is cheaper
        deviation = values - mean
        np.multiply(deviation, deviation, out=deviation)
        return mean, _nonzero(np.sqrt(deviation.sum(axis=0) / max(len(values), 1)))
    squares = np.zeros_like(mean)
    block = np.empty((min(STD_BLOCK_ROWS, len(values)), values.shape[1]))
    for first in range(0, len(values), STD_BLOCK_ROWS):
        part = values[first:first + STD_BLOCK_ROWS]
        deviation = block[:len(part)]
        np.subtract(part, mean, out=deviation)
        np.multiply(deviation, deviation, out=deviation)
        squares += deviation.sum(axis=0)
    return mean, _nonzero(np.sqrt(squares / max(len(values), 1)))


def _nonzero(scale: np.ndarray) -> np.ndarray:
    # A constant column has no spread: dividing by 1 maps it to 0 instead of NaN.
    return np.where(scale > 0, scale, 1.0)


INPUT_SCALERS = {"none": _fit_none, "minmax": _fit_minmax, "standard": _fit_standard}

TARGET_RANGES: dict[str, tuple[float, float] | str] = {
    "identity": "standard",
    "sigmoid": (0.0, 1.0),
    "relu": (0.0, 1.0),
    "leaky_relu": (0.0, 1.0),
    "tanh": (-1.0, 1.0),
}
"""How regression targets are scaled for each output activation."""


def split_rows(n_rows: int, fraction: float, seed: int | None, labels: Sequence | None = None
               ) -> tuple[np.ndarray, np.ndarray]:
    """Row indices ``(train, validation)``; ``fraction`` of the rows, at random, are held out.

    With ``labels`` the split is stratified: each class gives about ``fraction`` of its rows.
    Both index arrays are sorted, so training rows keep their order.
    """
    rows = np.arange(n_rows)
    if fraction <= 0:
        return rows, rows[:0]
    rng = np.random.default_rng(seed)
    if labels is None:
        groups = [rows]
    else:
        labels = np.asarray(labels)
        groups = [rows[labels == value] for value in pd.unique(labels)]
    held_out = []
    for group in groups:
        group = rng.permutation(group)
        held_out.append(group[: int(round(fraction * len(group)))])
    validation = np.sort(np.concatenate(held_out))
    if validation.size == 0:
        validation = np.sort(rng.permutation(rows)[:1])
    train = np.setdiff1d(rows, validation)
    if train.size == 0:
        raise DataError(
            f"There are too few rows ({n_rows}) to hold {fraction:.0%} out for validation; "
            "use more data or a smaller validation fraction."
        )
    return train, validation


def split_rows_three(n_rows: int, validation_fraction: float, test_fraction: float, seed: int | None,
                     labels: Sequence | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Row indices ``(train, validation, test)``; both fractions are shares of all ``n_rows``.

    With ``test_fraction == 0`` the training and validation rows are exactly those of
    :func:`split_rows` with the same arguments (so adding this call changes no existing split).
    Otherwise the test rows are drawn first, then the validation rows from the rest; with
    ``labels`` both are stratified (each class gives about its share). All arrays are sorted.
    """
    if test_fraction <= 0:
        train, validation = split_rows(n_rows, validation_fraction, seed, labels)
        return train, validation, train[:0]
    if validation_fraction < 0 or validation_fraction + test_fraction >= 1:
        raise DataError(
            f"The validation ({validation_fraction:.0%}) and test ({test_fraction:.0%}) fractions together "
            "must leave rows to train on; make them smaller."
        )
    rng = np.random.default_rng(seed)
    labels = None if labels is None else np.asarray(labels)
    rest, test = hold_out_rows(rng, np.arange(n_rows), test_fraction, labels)
    validation = rest[:0]
    if validation_fraction > 0:
        rest, validation = hold_out_rows(rng, rest, validation_fraction / (1.0 - test_fraction),
                                         None if labels is None else labels[rest])
    if rest.size == 0:
        raise DataError(
            f"There are too few rows ({n_rows}) to hold {validation_fraction:.0%} out for validation and "
            f"{test_fraction:.0%} for testing; use more data or smaller fractions."
        )
    return rest, validation, test


def hold_out_rows(rng: np.random.Generator, rows: np.ndarray, fraction: float, labels: Sequence | None = None
                  ) -> tuple[np.ndarray, np.ndarray]:
    """Split ``rows`` into ``(kept, held_out)``: a random ``fraction`` of them (at least one) held out.

    ``labels`` (one per entry of ``rows``) stratifies the draw: each class gives about ``fraction``
    of its rows. Both results are sorted.
    """
    rows = np.asarray(rows)
    if labels is None:
        groups = [np.arange(rows.size)]
    else:
        labels = np.asarray(labels)
        groups = [np.flatnonzero(labels == value) for value in pd.unique(labels)]
    held = [rng.permutation(group)[: int(round(fraction * len(group)))] for group in groups]
    held_positions = np.concatenate(held) if held else np.zeros(0, dtype=np.intp)
    if held_positions.size == 0 and rows.size:
        held_positions = rng.permutation(rows.size)[:1]
    mask = np.zeros(rows.size, dtype=bool)
    mask[held_positions] = True
    return np.sort(rows[~mask]), np.sort(rows[mask])


@dataclass
class Preprocessor:
    """Everything needed to turn user rows into network inputs and outputs into user values."""

    inputs: list[str]
    input_kinds: dict[str, str]
    categories: dict[str, list[str]]
    input_scaling: str
    input_offset: np.ndarray
    input_scale: np.ndarray
    targets: list[str]
    task: str
    classes: list = field(default_factory=list)
    output_activation: str = "identity"
    target_offset: np.ndarray = field(default_factory=lambda: np.zeros(0))
    target_scale: np.ndarray = field(default_factory=lambda: np.ones(0))
    input_ranges: dict[str, tuple[float, float]] = field(default_factory=dict)
    """``{number input: (min, max)}`` over the training rows (inputs without a finite value left
    out); empty for a model saved before the ranges were kept."""

    # -- shapes and names ----------------------------------------------------------------------
    @property
    def encoded_inputs(self) -> list[str]:
        """Network input names: numeric columns as they are, text columns as ``column=category``."""
        names = []
        for column in self.inputs:
            if self.input_kinds[column] == "categorical":
                names += [f"{column}={category}" for category in self.categories[column]]
            else:
                names.append(column)
        return names

    @property
    def single_sigmoid_output(self) -> bool:
        return self.task == "classification" and self.output_activation == "sigmoid" and len(self.classes) == 2

    @property
    def output_names(self) -> list[str]:
        """One name per output neuron."""
        if self.task == "regression":
            return list(self.targets)
        if self.single_sigmoid_output:
            return [f"{self.targets[0]}={self.classes[1]}"]
        return [f"{self.targets[0]}={label}" for label in self.classes]

    @property
    def rmse_unit_scale(self) -> float:
        """Factor turning an RMSE of the network's (scaled) outputs into the target's own units.

        Exact for a single regression target; 1.0 otherwise (for classes it is the RMSE of the
        probabilities, which has no other unit).
        """
        if self.task == "regression" and len(self.targets) == 1:
            return float(self.target_scale[0])
        return 1.0

    @property
    def scales_targets(self) -> bool:
        """Whether the network is trained on rescaled targets (``inverse_targets`` undoes it)."""
        return self.task == "regression" and bool(np.any(self.target_offset != 0) or np.any(self.target_scale != 1))

    @property
    def target_scaling(self) -> str:
        """How the targets are rescaled for the network, in words (``""`` when they are not)."""
        if not self.scales_targets:
            return ""
        target = TARGET_RANGES.get(self.output_activation, "standard")
        return "standardised (mean 0, std 1)" if target == "standard" else f"scaled to [{target[0]:g}, {target[1]:g}]"

    @property
    def n_inputs(self) -> int:
        return len(self.encoded_inputs)

    @property
    def n_outputs(self) -> int:
        return len(self.output_names)

    # -- inputs --------------------------------------------------------------------------------
    def encode_inputs(self, frame: pd.DataFrame) -> np.ndarray:
        """User columns -> unscaled network inputs ``(n_rows, n_inputs)``, rows in C order."""
        _require_columns(frame, self.inputs, "input")
        columns = self._number_columns(frame)
        # All plain number columns (784 pixels, say): gathered a slab of columns at a time.
        encoded = None if columns is None or not len(frame) else _gather(columns, None)
        if encoded is not None:
            return encoded
        widths = [len(self.categories[c]) if self.input_kinds[c] == "categorical" else 1 for c in self.inputs]
        encoded = np.empty((len(frame), sum(widths)))  # filled in place: 784 pixel columns are common
        start = 0
        for column, width in zip(self.inputs, widths):
            values = frame[column]
            if self.input_kinds[column] == "categorical":
                encoded[:, start:start + width] = _one_hot(values, self.categories[column], column)
            else:
                encoded[:, start] = _numbers(values, column)
            start += width
        return encoded

    def _number_columns(self, frame: pd.DataFrame | Mapping[str, np.ndarray]) -> list[np.ndarray] | None:
        """Each input column's numbers (``float64``, the frame's own where they are), when every
        input is a plain number column (NumPy integers or floats); else ``None``. ``frame`` may be
        column arrays (a dataset's ``columns``: no pandas)."""
        if not self.inputs or any(self.input_kinds[name] == "categorical" for name in self.inputs):
            return None
        if isinstance(frame, Mapping):
            if not all(name in frame and _plain_dtype(frame[name].dtype) for name in self.inputs):
                return None
            return [np.asarray(frame[name], dtype=np.float64) for name in self.inputs]
        if not frame.columns.is_unique:
            return None
        dtypes = dict(zip(frame.columns, frame.dtypes))
        if not all(name in dtypes and _plain_dtype(dtypes[name]) for name in self.inputs):
            return None
        if len(frame) <= FEW_ROWS:  # a few rows (the prediction form's one): one conversion of them all
            return list(frame[self.inputs].to_numpy(dtype=np.float64).T)
        # A table: each column as it is, not a copy of them all (one lookup per name cost 20 ms
        # for 784 inputs).
        by_name = dict(frame.items())
        return [by_name[name].to_numpy(dtype=np.float64) for name in self.inputs]

    def transform_inputs(self, frame: pd.DataFrame | Mapping[str, np.ndarray]) -> np.ndarray:
        """User columns (a frame, or column arrays) -> scaled network inputs ``(n_rows, n_inputs)``,
        rows in C order."""
        _require_columns(frame, self.inputs, "input")
        columns = self._number_columns(frame)
        if columns is None and isinstance(frame, Mapping):
            frame = pd.DataFrame(frame)  # text inputs: encoded from a frame
        scaled = None if columns is None or not len(columns[0]) else _gather(columns, None, self.input_offset,
                                                                             self.input_scale)
        return scaled if scaled is not None else (self.encode_inputs(frame) - self.input_offset) / self.input_scale

    # -- targets -------------------------------------------------------------------------------
    def transform_targets(self, frame: pd.DataFrame) -> np.ndarray:
        """Target columns -> what the network is trained to output ``(n_rows, n_outputs)``."""
        _require_columns(frame, self.targets, "target")
        if self.task == "regression":
            values = np.column_stack([_numbers(frame[c], c) for c in self.targets])
            return (values - self.target_offset) / self.target_scale
        one_hot = _one_hot(frame[self.targets[0]], [str(c) for c in self.classes], self.targets[0], what="class")
        return one_hot[:, 1:] if self.single_sigmoid_output else one_hot

    def inverse_targets(self, outputs: np.ndarray) -> np.ndarray:
        """Regression network outputs -> values in the targets' units."""
        return np.asarray(outputs) * self.target_scale + self.target_offset

    def probabilities(self, outputs: np.ndarray) -> np.ndarray:
        """Classification network outputs -> ``(n_rows, n_classes)`` class probabilities."""
        outputs = np.asarray(outputs)
        if self.single_sigmoid_output:
            return np.column_stack([1.0 - outputs[:, 0], outputs[:, 0]])
        if self.output_activation == "softmax":
            return outputs
        total = outputs.sum(axis=1, keepdims=True)  # independent sigmoids: normalise to sum to 1
        return np.divide(outputs, total, out=np.full_like(outputs, 1.0 / outputs.shape[1]), where=total > 0)

    def labels(self, outputs: np.ndarray) -> np.ndarray:
        """Classification network outputs -> the predicted class label of each row."""
        return np.asarray(self.classes, dtype=object)[self.probabilities(outputs).argmax(axis=1)]

    # -- saving --------------------------------------------------------------------------------
    def to_dict(self) -> dict:
        return {
            "inputs": self.inputs,
            "input_kinds": self.input_kinds,
            "categories": self.categories,
            "input_scaling": self.input_scaling,
            "input_offset": self.input_offset.tolist(),
            "input_scale": self.input_scale.tolist(),
            "targets": self.targets,
            "task": self.task,
            "classes": list(self.classes),
            "output_activation": self.output_activation,
            "target_offset": self.target_offset.tolist(),
            "target_scale": self.target_scale.tolist(),
            "input_ranges": {name: [low, high] for name, (low, high) in self.input_ranges.items()},
        }

    @classmethod
    def from_dict(cls, data: dict) -> "Preprocessor":
        arrays = ("input_offset", "input_scale", "target_offset", "target_scale")
        optional = ("input_ranges",)  # not in files saved before the ranges were kept
        values = {key: np.asarray(data[key], dtype=np.float64) if key in arrays else data[key]
                  for key in cls.__dataclass_fields__ if key not in optional}
        values["classes"] = list(values["classes"])
        ranges = data.get("input_ranges", {})
        if not isinstance(ranges, dict):
            raise DataError("its input ranges are not a set of named values")
        values["input_ranges"] = {name: _range_pair(pair) for name, pair in ranges.items()}
        return cls(**values)


def _range_pair(pair) -> tuple[float, float]:
    """``[low, high]`` read from a file -> ``(low, high)``, or DataError."""
    if not (isinstance(pair, (list, tuple)) and len(pair) == 2
            and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in pair)):
        raise DataError(f"an input range {pair!r} is not two numbers")
    low, high = float(pair[0]), float(pair[1])
    if not (np.isfinite(low) and np.isfinite(high) and low <= high):
        raise DataError(f"an input range {pair!r} is not two finite numbers, low then high")
    return low, high


def fit_preprocessor(
    dataset,
    train_rows: np.ndarray | None = None,
    input_scaling: str = "standard",
    minmax_bounds: dict[str, tuple[float, float]] | None = None,
    output_activation: str = "identity",
    scale_targets: bool = True,
) -> Preprocessor:
    """Fit scaling on the training rows of a :class:`~mlp_desktop.core.data.Dataset`, and keep each
    number input's training range (:attr:`Preprocessor.input_ranges`).

    ``minmax_bounds`` maps a numeric input column to the ``(low, high)`` that should become
    ``(0, 1)``, overriding the data's own range (``minmax`` scaling only).

    Plain number columns are fitted a slab of columns at a time, straight from the table's columns:
    no copy of all the training rows is made (a 16,000 x 784 copy is 100 MB of fresh memory); their
    ranges come from the same pass (with a text input, :func:`input_ranges` takes a second one: 0.03 s
    for 784 columns).
    """
    if input_scaling not in INPUT_SCALERS:
        raise DataError(f"Unknown input scaling {input_scaling!r}; choose one of: {', '.join(INPUT_SCALERS)}.")
    if dataset.task == "classification" and output_activation not in ("softmax", "sigmoid"):
        raise DataError(
            f"Classification needs a softmax or sigmoid output layer, not {output_activation!r}."
        )
    if dataset.task == "regression" and output_activation == "softmax":
        raise DataError("A softmax output gives class probabilities; for a numeric target choose "
                        "identity, sigmoid or tanh, or treat the target as classes.")
    pre = Preprocessor(
        inputs=list(dataset.inputs),
        input_kinds=dict(dataset.input_kinds),
        categories={c: [str(v) for v in dataset.categories.get(c, [])] for c in dataset.inputs
                    if dataset.input_kinds[c] == "categorical"},
        input_scaling=input_scaling,
        input_offset=np.zeros(0),
        input_scale=np.ones(0),
        targets=list(dataset.targets),
        task=dataset.task,
        classes=list(dataset.classes),
        output_activation=output_activation,
    )
    rows = None if train_rows is None else np.asarray(train_rows)
    fit = INPUT_SCALERS[input_scaling]
    fitted = _fit_columns(fit, pre._number_columns(dataset.columns), rows)
    ranges = None
    if fitted is None:  # text columns, or a value that is not a number (the encoding says where)
        offset, scale = fit(pre.encode_inputs(dataset.frame if rows is None else dataset.frame.iloc[rows]))
    else:
        offset, scale, lows, highs = fitted
        if len(lows) == len(pre.inputs) and (rows is None or len(rows)):
            ranges = {name: (float(low), float(high)) for name, low, high in zip(pre.inputs, lows, highs)}
    numeric = np.array([name in pre.input_kinds and pre.input_kinds[name] != "categorical"
                        for name in pre.encoded_inputs])
    # One-hot columns are already 0/1: leave them as they are.
    offset, scale = np.where(numeric, offset, 0.0), np.where(numeric, scale, 1.0)
    for column, (low, high) in (minmax_bounds or {}).items():
        if input_scaling != "minmax":
            raise DataError("Bounds per column can only be given with min-max scaling.")
        if column not in pre.inputs or pre.input_kinds[column] == "categorical":
            raise DataError(f"Min-max bounds were given for {column!r}, which is not a numeric input column.")
        if not (np.isfinite(low) and np.isfinite(high) and high > low):
            raise DataError(f"The min-max bounds of {column!r} must be two numbers with low < high.")
        index = pre.encoded_inputs.index(column)
        offset[index], scale[index] = low, high - low
    pre.input_offset, pre.input_scale = offset.astype(np.float64), scale.astype(np.float64)
    if dataset.task == "regression":
        columns = {c: dataset.columns[c] if rows is None else dataset.columns[c][rows] for c in pre.targets}
        targets = np.column_stack([_numbers(values, c) for c, values in columns.items()])
        pre.target_offset, pre.target_scale = _target_scaling(targets, output_activation, scale_targets)
    pre.input_ranges = ranges if ranges is not None else input_ranges(pre, dataset.frame, rows)
    return pre


def input_ranges(preprocessor, frame: pd.DataFrame | None, rows: np.ndarray | None = None
                 ) -> dict[str, tuple[float, float]]:
    """``{number input: (min, max)}`` of the finite values in ``frame`` (only its ``rows``, when given:
    the training rows); empty without a frame. Inputs without a finite value are left out.

    A slab of columns at a time, without a copy of all the rows (a copy of 16,000 x 785 cells was
    most of the 0.1 s this took when an image table opened)."""
    if frame is None or len(frame) == 0:
        return {}
    by_name = dict(frame.items())
    names = [name for name in preprocessor.inputs
             if preprocessor.input_kinds.get(name) != "categorical" and name in by_name]
    columns = [by_name[name].to_numpy(dtype=float, na_value=np.nan)
               if pd.api.types.is_numeric_dtype(by_name[name].dtype)
               else pd.to_numeric(by_name[name], errors="coerce").to_numpy(dtype=float) for name in names]
    lows, highs = column_ranges(columns, None if rows is None else np.asarray(rows))
    return {name: (float(low), float(high)) for name, low, high in zip(names, lows, highs) if np.isfinite(low)}


def transform_parts(pre: Preprocessor, dataset, row_sets: Sequence[np.ndarray]
                    ) -> list[tuple[np.ndarray, np.ndarray]]:
    """``(inputs, targets)`` for the network of each of ``row_sets`` of ``dataset.frame``: the numbers
    of ``transform_inputs`` and ``transform_targets`` of ``frame.iloc[rows]``, inputs in C order.

    Plain number columns go from the table's columns into each part's array a slab of columns at a
    time, scaled on the way: no copy of the whole table (taking rows from a 20,000 x 785 frame took
    0.6 s a part), and no fresh memory but the parts' own.
    """
    columns = pre._number_columns(dataset.frame)
    targets = dataset.frame[pre.targets]
    results = []
    for rows in row_sets:
        rows = np.asarray(rows)
        inputs = None if columns is None else _gather(columns, rows, pre.input_offset, pre.input_scale)
        if inputs is None:  # text columns, or a value that is not a number: that path says where, as before
            inputs = pre.transform_inputs(dataset.frame.iloc[rows])
        results.append((inputs, pre.transform_targets(targets.iloc[rows])))
    return results




def _column_slabs(columns: list[np.ndarray], rows: np.ndarray | None):
    """``(first, slab)`` for each run of columns from ``first`` that fits a small block
    (:mod:`.memory`): their ``rows`` (all rows for ``None``) as a fresh ``(n_rows, width)`` array in
    F order (each column contiguous: reductions down a column run along memory, 2-3x faster than
    across the 16 columns of a C-ordered slab)."""
    width = columns_per_block(len(columns[0]) if rows is None else len(rows)) if columns else 1
    for first in range(0, len(columns), width):
        part = columns[first:first + width]
        yield first, np.stack([column if rows is None else column[rows] for column in part]).T


def column_ranges(columns: list[np.ndarray], rows: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """``(low, high)``: each column's smallest and largest finite value over ``rows`` (all for
    ``None``), NaN where it has none; a slab of columns at a time."""
    lows, highs = [], []
    for _, slab in _column_slabs(columns, rows):
        if not len(slab):
            lows.append(np.full(slab.shape[1], np.nan))
            highs.append(np.full(slab.shape[1], np.nan))
            continue
        low, high = slab.min(axis=0), slab.max(axis=0)
        for k in np.flatnonzero(~(np.isfinite(low) & np.isfinite(high))):  # NaN or infinity: the finite values
            finite = slab[:, k][np.isfinite(slab[:, k])]
            low[k], high[k] = (finite.min(), finite.max()) if len(finite) else (np.nan, np.nan)
        lows.append(low)
        highs.append(high)
    return (np.concatenate(lows), np.concatenate(highs)) if lows else (np.zeros(0), np.zeros(0))


def _fit_columns(fit, columns: list[np.ndarray] | None, rows: np.ndarray | None) -> tuple | None:
    """``(offset, scale, low, high)``: ``fit(values)`` of the ``rows`` of plain number ``columns``
    (each column's numbers are its own: the same as one call on all the columns) and each column's
    range, a slab at a time. ``None`` without columns or at a value that is not finite."""
    if not columns:
        return None
    parts = []
    for _, slab in _column_slabs(columns, rows):
        if not np.isfinite(slab).all():
            return None
        empty = np.full(slab.shape[1], np.nan)
        parts.append((*fit(slab), slab.min(axis=0) if len(slab) else empty, slab.max(axis=0) if len(slab) else empty))
    return tuple(np.concatenate(part) for part in zip(*parts))


def _gather(columns: list[np.ndarray], rows: np.ndarray | None, offset: np.ndarray | None = None,
            scale: np.ndarray | None = None) -> np.ndarray | None:
    """The ``rows`` (all for ``None``) of ``columns`` as a C-ordered ``(n_rows, len(columns))`` array,
    as ``(values - offset) / scale`` when those are given; ``None`` at a value that is not finite."""
    n_rows = len(columns[0]) if rows is None else len(rows)
    gathered = np.empty((n_rows, len(columns)))
    for first, slab in _column_slabs(columns, rows):
        if not np.isfinite(slab).all():
            return None
        width = slab.shape[1]
        if offset is not None:
            slab -= offset[first:first + width]
            slab /= scale[first:first + width]
        gathered[:, first:first + width] = slab
    return gathered


def _target_scaling(values: np.ndarray, output_activation: str, enabled: bool) -> tuple[np.ndarray, np.ndarray]:
    if not enabled:
        return np.zeros(values.shape[1]), np.ones(values.shape[1])
    target = TARGET_RANGES[output_activation]
    if target == "standard":
        return _fit_standard(values)
    low, high = target
    data_low, data_range = _fit_minmax(values)
    scale = data_range / (high - low)
    return data_low - low * scale, scale


FEW_ROWS = 4096
"""Up to this many rows, a frame's number columns are converted at once (a Series a column cost
more than the numbers; see ``Preprocessor._number_columns``)."""


def _require_columns(frame: pd.DataFrame | Mapping, columns: list[str], role: str) -> None:
    present = list(frame) if isinstance(frame, Mapping) else frame.columns
    missing = [c for c in columns if c not in present]
    if missing:
        names = ", ".join(f'"{c}"' for c in missing)
        available = ", ".join(str(c) for c in present) or "none"
        raise DataError(f"The {role} column{'s' if len(missing) > 1 else ''} {names} "
                        f"{'are' if len(missing) > 1 else 'is'} missing; available columns: {available}.")


def _plain_dtype(dtype) -> bool:
    """NumPy integers or floats (not text, not pandas' nullable numbers)."""
    return isinstance(dtype, np.dtype) and dtype.kind in "iuf"


def _numbers(values: pd.Series | np.ndarray, column: str) -> np.ndarray:
    if isinstance(values, np.ndarray):
        if values.dtype == np.float64 and np.isfinite(values).all():
            return values  # (no pandas: the start-up sample's targets)
        values = pd.Series(values)  # the Series' path names the first value that is not a number
    if values.dtype == np.float64:
        numbers = values.to_numpy()
    elif _plain_dtype(values.dtype):
        numbers = values.to_numpy(dtype=np.float64)  # what to_numeric gives, without its checks per column
    else:
        numbers = pd.to_numeric(values, errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
    bad = ~np.isfinite(numbers)
    if bad.any():
        position = int(np.flatnonzero(bad)[0])
        shown = values.iloc[position]
        shown = "a blank cell" if shown is None or (isinstance(shown, float) and np.isnan(shown)) else repr(shown)
        raise DataError(f'Column "{column}" needs numbers, but row {position + 1} of the given rows holds {shown}.')
    return numbers


def _one_hot(values: pd.Series, categories: list[str], column: str, what: str = "category") -> np.ndarray:
    text = values.astype(str).to_numpy()
    index = {category: i for i, category in enumerate(categories)}
    codes = np.array([index.get(v, -1) for v in text], dtype=np.intp)
    if (codes < 0).any():
        unknown = text[codes < 0][0]
        raise DataError(
            f'Column "{column}" holds the {what} "{unknown}", which the model never saw in training; '
            f"known: {', '.join(categories)}."
        )
    return np.eye(len(categories))[codes]
