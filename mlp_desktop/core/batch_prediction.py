"""Predicting every row of a file, for the Predict a file dialog and ``mlp-desktop predict DATA``.

The result keeps every row of the file, in order, with the prediction columns appended. Rows that
cannot be predicted (an empty input cell, when the user chose to skip incomplete rows) stay in it with
empty prediction cells and a note in :data:`NOTE_COLUMN` saying why, so saving the result, even over
the file that was read, never loses a row.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from .data import Table, missing_columns, prepare_inputs
from .errors import Cancelled
from .lazy import pd

CHUNK_ROWS = 5_000
"""Rows predicted between two progress reports (and two checks for a cancel)."""

NOTE_COLUMN = "prediction_note"
"""The column that says why a row has no prediction (empty where it has one)."""


@dataclass(eq=False)
class FilePredictions:
    """A file's rows with the model's answers.

    ``frame`` holds every row of ``table.frame`` in order: the file's columns, then the prediction
    columns (``prediction_columns``; a column of the same name already in the file is replaced where
    it stands). ``row_numbers[i]`` is the spreadsheet row of ``frame.iloc[i]``; ``predicted[i]`` says
    whether it was predicted (if not, its prediction cells are empty and :data:`NOTE_COLUMN` says why).
    """

    table: Table
    frame: pd.DataFrame
    row_numbers: np.ndarray
    predicted: np.ndarray
    prediction_columns: list[str]

    @property
    def n_rows(self) -> int:
        return len(self.frame)

    @property
    def n_predicted(self) -> int:
        return int(self.predicted.sum())

    @property
    def n_skipped(self) -> int:
        return self.n_rows - self.n_predicted

    def summary(self) -> str:
        """What was predicted, in plain words: ``3 of 4 rows predicted; 1 incomplete row skipped ...``."""
        if not self.n_skipped:
            return f"{_rows(self.n_rows)} predicted."
        are = "are" if self.n_skipped > 1 else "is"
        return (f"{self.n_predicted:,} of {_rows(self.n_rows)} predicted; {_rows(self.n_skipped, 'incomplete ')} "
                f"skipped: {'they' if self.n_skipped > 1 else 'it'} {are} kept, with empty prediction cells "
                f"and the reason in {NOTE_COLUMN}.")

    def extrapolation(self, ranges) -> str:
        """One sentence naming the predicted rows' inputs outside the training ``ranges`` (the
        model's ``preprocessor.input_ranges``): there the model guesses. ``""`` when none is."""
        from .extrapolation import extrapolation_warning

        return extrapolation_warning(ranges, self.frame[self.predicted])

    def saved_sentence(self, name: str) -> str:
        """What a save wrote: ``Saved all 4 rows to out.csv (1 without a prediction).``"""
        missing = f" ({self.n_skipped:,} without a prediction)" if self.n_skipped else ""
        return f"Saved all {_rows(self.n_rows)} to {name}{missing}."


def _rows(n: int, kind: str = "") -> str:
    return f"{n:,} {kind}row{'s' if n != 1 else ''}"


def predict_in_chunks(model, frame: pd.DataFrame, on_progress: Callable[[int, int], None] | None = None,
                      should_stop: Callable[[], bool] | None = None, chunk_rows: int | None = None) -> pd.DataFrame:
    """``model.predict(frame)`` a chunk at a time, calling ``on_progress(done, total)`` after each.

    ``should_stop() -> True`` between two chunks raises :class:`~.errors.Cancelled`.
    """
    chunk_rows = chunk_rows or CHUNK_ROWS
    total = len(frame)
    parts = []
    for start in range(0, total, chunk_rows):
        if should_stop is not None and should_stop():
            raise Cancelled()
        parts.append(model.predict(frame.iloc[start:start + chunk_rows]))
        if on_progress is not None:
            on_progress(min(start + chunk_rows, total), total)
    return pd.concat(parts) if parts else model.predict(frame)


def predict_table(model, table: Table, skip_incomplete: bool = False,
                  on_progress: Callable[[int, int], None] | None = None,
                  should_stop: Callable[[], bool] | None = None, chunk_rows: int | None = None) -> FilePredictions:
    """Predict every row of ``table`` with ``model`` (a :class:`~.model.Model`).

    A row with an empty input cell raises :class:`~.errors.DataError` naming the cells, unless
    ``skip_incomplete``: then it is kept unpredicted. Other problems (a missing input column, text in
    a number column) raise as :func:`~.data.prepare_inputs` says. ``on_progress`` and ``should_stop``
    as in :func:`predict_in_chunks`.
    """
    pre = model.preprocessor
    inputs, kept = prepare_inputs(table, pre.inputs, pre.input_kinds, skip_incomplete)
    predictions = predict_in_chunks(model, inputs, on_progress, should_stop, chunk_rows)
    n_rows = len(table.frame)
    predicted = np.zeros(n_rows, dtype=bool)
    predicted[kept] = True
    skipped = np.flatnonzero(~predicted)

    columns: dict[str, np.ndarray] = {}
    for name in predictions.columns:
        values = predictions[name].to_numpy()
        if len(skipped):
            full = np.full(n_rows, np.nan) if values.dtype.kind == "f" else np.full(n_rows, None, dtype=object)
            full[kept] = values
            values = full
        columns[name] = values
    if len(skipped) or NOTE_COLUMN in table.frame.columns:  # (an old file's notes are not left behind)
        notes = np.full(n_rows, None, dtype=object)
        for row, names in zip(skipped, missing_columns(table, pre.inputs, skipped)):
            notes[row] = f"not predicted: no value in {', '.join(names)}"
        columns[NOTE_COLUMN] = notes
    frame = table.frame.reset_index(drop=True)  # (pandas copies on write: the table is not changed)
    for name, values in columns.items():  # a column of the same name already in the file is replaced
        frame[name] = values
    return FilePredictions(table, frame, np.asarray(table.row_numbers), predicted, list(columns))
