"""Inputs outside the range seen in training: there the model extrapolates, and its answers are guesses.

:func:`outside_training_range` finds, for rows to predict, each number input that lies outside its
training range (:attr:`Preprocessor.input_ranges <mlp_desktop.core.preprocessing.Preprocessor.input_ranges>`);
:func:`extrapolation_warning` says it in one plain sentence (``""`` when every input is inside).
Both take one row or a whole table of rows (a batch prediction)::

    warning = extrapolation_warning(model.preprocessor.input_ranges, rows)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

import numpy as np
from .lazy import pd

__all__ = ["OutOfRange", "outside_training_range", "extrapolation_warning", "MAX_NAMED_INPUTS"]

MAX_NAMED_INPUTS = 3
"""The sentence names this many inputs and counts the others ("and 5 more inputs")."""


@dataclass(frozen=True)
class OutOfRange:
    """A number input with values outside its training range ``low`` .. ``high``: the smallest and
    largest of those values, and in how many ``rows`` they are."""

    name: str
    low: float
    high: float
    smallest: float
    largest: float
    rows: int


def _as_columns(rows: pd.DataFrame | Mapping) -> pd.DataFrame | dict[str, np.ndarray]:
    """A frame as it is; ``{input: value or 1-D array}`` as ``{input: 1-D array}`` (no pandas)."""
    if not isinstance(rows, Mapping):
        return rows
    return {name: np.atleast_1d(np.asarray(value, dtype=object if isinstance(value, str) else None))
            for name, value in rows.items()}


def _n_rows(columns: pd.DataFrame | dict[str, np.ndarray]) -> int:
    if isinstance(columns, dict):
        return len(next(iter(columns.values()))) if columns else 0
    return len(columns)


def _numbers(column) -> np.ndarray:
    """A column (array or Series) as floats: NaN where a value is missing or not a number."""
    if isinstance(column, np.ndarray):
        if column.dtype.kind in "iuf":
            return column.astype(float)
        column = pd.Series(column)
    if not pd.api.types.is_numeric_dtype(column.dtype):
        column = pd.to_numeric(column, errors="coerce")
    return column.to_numpy(dtype=float, na_value=np.nan)


def _outside(ranges: Mapping[str, tuple[float, float]], columns: pd.DataFrame | dict[str, np.ndarray]):
    """``(OutOfRange, mask (n_rows,))`` for each input of ``columns`` with values outside its range."""
    for name, (low, high) in ranges.items():
        if name not in (columns if isinstance(columns, dict) else columns.columns):
            continue
        values = _numbers(columns[name])
        mask = (values < low) | (values > high)  # NaN compares False: a missing value is not outside
        if mask.any():
            outside = values[mask]
            yield OutOfRange(name, float(low), float(high), float(outside.min()), float(outside.max()),
                             int(mask.sum())), mask


def outside_training_range(ranges: Mapping[str, tuple[float, float]], rows: pd.DataFrame | Mapping
                           ) -> list[OutOfRange]:
    """The inputs of ``rows`` (a frame, or ``{input: value}`` for one row) outside their training
    ``ranges`` (``{input: (min, max)}``), in the order of ``ranges``. Inputs without a range, values that
    are missing or not numbers, and text inputs are left out: they are not extrapolation."""
    return [item for item, _ in _outside(ranges, _as_columns(rows))]


def _number(value: float) -> str:
    """``1000.0`` -> ``"1000"``, ``4.35`` -> ``"4.35"``: six significant digits at most."""
    if float(value).is_integer() and abs(value) < 1e15:
        return str(int(value))
    return f"{value:.6g}"


def _describe(item: OutOfRange, one_row: bool) -> str:
    trained = f"trained on {_number(item.low)} to {_number(item.high)}"
    if one_row or item.smallest == item.largest:
        values = _number(item.smallest)
    elif item.largest < item.low:
        values = f"down to {_number(item.smallest)}"
    elif item.smallest > item.high:
        values = f"up to {_number(item.largest)}"
    else:
        values = f"down to {_number(item.smallest)} and up to {_number(item.largest)}"
    where = "" if one_row else f" in {item.rows} row{'s' if item.rows != 1 else ''}"
    return f"{item.name} {values}{where} ({trained})"


def extrapolation_warning(ranges: Mapping[str, tuple[float, float]], rows: pd.DataFrame | Mapping) -> str:
    """One plain sentence naming the inputs of ``rows`` outside their training ``ranges``, or ``""``.

    One row: ``"Outside the training data: age 1000 (trained on 10 to 90); the model is extrapolating,
    so this prediction may be unreliable."`` Many rows: ``"Outside the training data in 3 of 120 rows:
    age up to 1000 in 2 rows (trained on 10 to 90); ..."``.
    """
    columns = _as_columns(rows)
    outside = list(_outside(ranges, columns))
    if not outside:
        return ""
    found = [item for item, _ in outside]
    n_rows = _n_rows(columns)
    one_row = n_rows == 1
    parts = [_describe(item, one_row) for item in found[:MAX_NAMED_INPUTS]]
    if len(found) > MAX_NAMED_INPUTS:
        more = len(found) - MAX_NAMED_INPUTS
        parts.append(f"and {more} more input{'s' if more != 1 else ''}")
    if one_row:
        return (f"Outside the training data: {', '.join(parts)}; the model is extrapolating, so this prediction "
                f"may be unreliable.")
    n_outside = int(np.logical_or.reduce([mask for _, mask in outside]).sum())
    return (f"Outside the training data in {n_outside} of {n_rows} rows: {', '.join(parts)}; the model is "
            f"extrapolating there, so those predictions may be unreliable.")
