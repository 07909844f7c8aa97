"""Roles and datasets: which columns feed the network and which it predicts, checked.

``prepare_dataset`` checks the chosen input and target columns of a :class:`~.table.Table` and
returns a :class:`Dataset` for preprocessing and training; ``prepare_inputs`` does the same for the
rows a model is asked to predict. Every problem raises :class:`~mlp_desktop.core.errors.DataError`
naming the file, the sheet, the cells (as Excel names them) and the column.
"""

from __future__ import annotations


import math
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Iterable, Mapping

import numpy as np

from ..arrays import distinct_values
from ..errors import DataError
from ..lazy import pd
from ..settings import SETTINGS
from .build import bad_cells_sentence, cell_summary, quoted
from .columns import label, label_array, label_series, sorted_labels, type_column
from .table import KIND_CATEGORICAL, KIND_EMPTY, KIND_NUMERIC, ColumnInfo, Table
from .values import looks_like_comma_decimal

__all__ = [
    "LARGEST_TRAINABLE_VALUE", "TASKS", "MAX_AUTO_CLASSES", "Dataset", "Roles", "column_info", "default_roles",
    "prepare_dataset", "prepare_inputs", "SKIP_INCOMPLETE_ADVICE", "missing_columns",
]

LARGEST_TRAINABLE_VALUE = 1e150
"""Numbers beyond this magnitude would overflow training (squares and products reach inf)."""

TASKS = ("auto", "regression", "classification")

MAX_AUTO_CLASSES = 20
"""A numeric target of at most this many whole values (each seen in 10+ rows on average) is
classification for task "auto": digit labels 0-9 are classes, not amounts."""
ROWS_PER_AUTO_CLASS = 10
MIN_ROWS_PER_CLASS = 2
"""Fewer rows per class than this on average: a classifier cannot learn the classes (a warning)."""

_COLUMNS_SHOWN = 30

SKIP_INCOMPLETE_ADVICE = f'tick "{SETTINGS["drop_missing"].label}"'
"""What the missing-values message asks a user of the window to do: the box is called the same in the
Data panel and in the Predict a file dialog. The command line swaps in its option."""


@dataclass
class Roles:
    """Which columns feed the network, which it predicts, and which it leaves out."""

    inputs: list[str]
    targets: list[str]
    ignored: list[str]


@dataclass(eq=False)
class Dataset:
    """The checked data preprocessing and training consume.

    ``columns`` holds only the used rows of the input + target columns: numeric columns as
    ``float64`` arrays, categorical inputs and classification targets as ``object`` arrays of ``str``.
    ``frame`` is the same as a pandas frame (label columns of pandas' ``str`` dtype, a ``RangeIndex``),
    made when first asked for: the window's first frame works from ``columns`` alone, without pandas.
    A dataset is not changed once made (:meth:`take` makes another). ``row_numbers[i]`` is the
    spreadsheet row of row ``i``.

    ``notes`` say what was decided for the user (the task chosen for a numeric target and how to
    change it); ``warnings`` say what will likely go wrong (a target that does not vary, more
    classes than the rows can teach). Both are lists of plain sentences.
    """

    table: Table
    inputs: list[str]
    targets: list[str]
    task: str
    detected_task: str
    input_kinds: dict[str, str]
    categories: dict[str, list[str]]
    classes: list
    columns: dict[str, np.ndarray]
    row_numbers: np.ndarray
    n_dropped: int
    notes: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def n_rows(self) -> int:
        return len(self.row_numbers)

    @property
    def class_labels(self) -> np.ndarray | None:
        """The classification target's labels (a stratified split keeps their shares), ``None`` for
        regression."""
        return self.columns[self.targets[0]] if self.task == "classification" else None

    @cached_property
    def frame(self) -> pd.DataFrame:
        """:attr:`columns` as a pandas frame (sharing the number arrays), made when first asked for."""
        return pd.DataFrame({name: pd.Series(values, dtype=str) if values.dtype == object else values
                             for name, values in self.columns.items()},
                            index=pd.RangeIndex(self.n_rows), copy=False)

    def take(self, rows: np.ndarray) -> Dataset:
        """The same dataset with only ``rows`` (positions), as cross-validation fits on a fold's rows."""
        rows = np.asarray(rows)
        return replace(self, columns={name: values[rows] for name, values in self.columns.items()},
                       row_numbers=np.asarray(self.row_numbers)[rows])


def column_info(table: Table) -> list[ColumnInfo]:
    """Describe every column of ``table``: its kind, missing count, categories or range, and a note.

    Worked out when the table is read (a table is not changed after reading); each call gets copies.
    """
    _table_infos(table)
    return table.copy_infos()


def _table_infos(table: Table) -> list[ColumnInfo]:
    """The table's own :class:`ColumnInfo` list, for reading only (:func:`column_info` copies it)."""
    if table._column_info is None:
        table._column_info = [
            type_column(str(name), values, from_text=True)[1] for name, values in table.columns.items()
        ]
    return table._column_info


def default_roles(table: Table) -> Roles:
    """Guess roles: the target is a column named ``output`` (any case), else the last usable
    column; every other non-empty column is an input; empty columns are ignored."""
    infos = _table_infos(table)
    # A column of formulas saved without results looks empty but is not: keep it, so using it says why.
    usable = [info.name for info in infos if info.kind != KIND_EMPTY or info.unsaved_formulas]
    named_output = [info.name for info in infos if info.name.strip().lower() == "output"]
    if named_output:
        target = named_output[0]
    elif usable:
        target = usable[-1]
    elif infos:
        target = infos[-1].name
    else:
        return Roles([], [], [])
    inputs = [name for name in usable if name != target]
    ignored = [info.name for info in infos if info.name != target and info.name not in inputs]
    return Roles(inputs, [target], ignored)


def prepare_dataset(
    table: Table,
    inputs: list[str] | None = None,
    targets: list[str] | None = None,
    task: str = "auto",
    drop_missing: bool = False,
    min_classes: int = 2,
) -> Dataset:
    """Check the chosen columns of ``table`` and build a :class:`Dataset`.

    Parameters
    ----------
    inputs, targets : column names; ``None`` uses :func:`default_roles` (with ``targets`` given,
        default inputs are all other non-empty columns).
    task : ``"auto"`` (text target -> classification; a numeric target of a few whole values seen
        in many rows -> classification; other numbers -> regression), ``"regression"`` or
        ``"classification"`` (numeric target values become class labels).
    drop_missing : drop rows with a missing value in a chosen column instead of raising.
    min_classes : classification needs this many classes (training: 2; scoring a file: 1).
    """
    task_name = str(task).strip().lower()
    if task_name not in TASKS:
        raise DataError(f'Unknown task {quoted(str(task))}; choose {", ".join(TASKS[:-1])} or {TASKS[-1]}.')
    where = table.location
    if table.n_rows == 0:
        raise DataError(f"{where} has no data rows below the header.")
    infos = {info.name: info for info in _table_infos(table)}
    inputs, targets = _resolve_roles(table, infos, inputs, targets)

    for name in inputs + targets:
        _check_formulas(table, infos[name])
        _check_number_column_has_no_text(table, infos[name])
    notes: list[str] = []
    warnings: list[str] = []
    detected_task = (
        "classification" if any(infos[name].kind == KIND_CATEGORICAL for name in targets) else "regression"
    )
    if detected_task == "regression" and len(targets) == 1 and task_name == "auto":
        few = _few_whole_values(table, infos[targets[0]])
        if few is not None:
            detected_task = "classification"
            notes.append(
                f'Target "{targets[0]}" holds only {len(few)} different whole numbers ({_value_range(few)}) in '
                f"{table.n_rows:,} rows, so it is predicted as classes (classification). Choose the task "
                f'"regression" to predict it as a number instead.'
            )
    task_name = detected_task if task_name == "auto" else task_name
    _check_task(table, infos, targets, task_name)

    # The table's own column arrays (every row kept: not a copy of 125 MB; no pandas).
    series = {name: table.columns[name] for name in inputs + targets}
    keep, n_dropped = _rows_to_keep(table, series, drop_missing)
    row_numbers = np.asarray(table.row_numbers, dtype=np.int64)
    if n_dropped:
        series, row_numbers = {name: values[keep] for name, values in series.items()}, row_numbers[keep]
    numeric_checked = [name for name in inputs if infos[name].kind == KIND_NUMERIC]
    if task_name == "regression":
        numeric_checked += targets
    _check_magnitudes(table, series, row_numbers, numeric_checked)

    columns: dict[str, np.ndarray] = {}
    input_kinds: dict[str, str] = {}
    categories: dict[str, list[str]] = {}
    for name in inputs:
        input_kinds[name] = infos[name].kind
        if infos[name].kind == KIND_NUMERIC:
            columns[name] = _as_float(series[name])
        else:
            columns[name] = label_array(series[name])
            categories[name] = sorted_labels(series[name])
    classes: list = []
    for name in targets:
        if task_name == "classification":
            columns[name] = label_array(series[name])
            classes = sorted_labels(series[name])
            if len(classes) < min_classes:
                found = f" ({quoted(classes[0])})" if classes else ""
                raise DataError(
                    f'Target column "{name}" in {where} has only {len(classes)} class{found}; '
                    f"classification needs at least two different values."
                )
            if min_classes >= 2:
                _check_classes(table, name, classes, len(row_numbers), warnings)
        else:
            columns[name] = _as_float(series[name])
            values = columns[name]
            if min_classes >= 2 and len(values) > 1 and np.all(values == values[0]):
                warnings.append(
                    f'Target "{name}" in {where} has the same value ({label(float(values[0]))}) in every used row: '
                    f"the network can only learn that constant, and R² cannot be computed. Choose another target."
                )
    return Dataset(table, inputs, targets, task_name, detected_task, input_kinds, categories, classes,
                   columns, row_numbers, n_dropped, notes, warnings)


def _as_float(column: np.ndarray) -> np.ndarray:
    return column if column.dtype == np.float64 else column.astype(np.float64)


def _few_whole_values(table: Table, info: ColumnInfo) -> list[float] | None:
    if info.kind != KIND_NUMERIC or info.bad_cells or info.read_as in ("dates", "times of day"):
        return None
    values = table.columns[info.name]
    if values.dtype != np.float64:
        values = pd.to_numeric(values, errors="coerce").astype(np.float64)
    values = values[np.isfinite(values)]
    if len(values) == 0 or not np.all(values == np.round(values)):
        return None
    distinct = distinct_values(values)
    if 2 <= len(distinct) <= MAX_AUTO_CLASSES and len(values) >= ROWS_PER_AUTO_CLASS * len(distinct):
        return distinct.tolist()
    return None


def _value_range(values: list[float]) -> str:
    shown = [label(value) for value in values]
    return ", ".join(shown) if len(shown) <= 4 else f"{shown[0]} to {shown[-1]}"


def _check_classes(table: Table, name: str, classes: list, n_rows: int, warnings: list[str]) -> None:
    n_classes = len(classes)
    if n_classes == n_rows and n_rows > 2:
        raise DataError(
            f'Target column "{name}" in {table.location} has a different value in each of its {n_rows:,} rows '
            f"({n_classes:,} classes, such as {quoted(classes[0])}): nothing can be learnt from it as classes. "
            f"Is it an identifier? Choose another target, or the task \"regression\" if it holds amounts."
        )
    if n_rows < MIN_ROWS_PER_CLASS * n_classes:
        warnings.append(
            f'Target "{name}" in {table.location} has {n_classes:,} classes in {n_rows:,} rows, fewer than '
            f"{MIN_ROWS_PER_CLASS} rows per class on average: a classifier will hardly learn them. Is it an "
            f"identifier, or amounts better predicted by regression?"
        )


def prepare_inputs(
    table: Table, inputs: list[str], input_kinds: dict[str, str], drop_missing: bool = False
) -> tuple[pd.DataFrame, np.ndarray]:
    """Check a file's rows for prediction: the model's input columns, as the model expects them.

    Returns ``(frame, kept)``: the input columns of the usable rows (numbers as ``float64``,
    categorical inputs as ``str``) and the positions in ``table.frame`` of those rows. Missing
    columns, text in number columns, missing cells (unless ``drop_missing``) and overflowing
    values raise :class:`DataError` naming the cells.
    """
    infos = {info.name: info for info in _table_infos(table)}
    absent = [name for name in inputs if name not in infos]
    if absent:
        raise DataError(
            f"{table.location} lacks the model's input column{'s' if len(absent) > 1 else ''} "
            f"{_name_summary(absent)}; available columns: {_name_summary(list(infos))}."
        )
    if table.n_rows == 0:
        raise DataError(f"{table.location} has no data rows below the header.")
    numeric = [name for name in inputs if input_kinds.get(name) != KIND_CATEGORICAL]
    for name in inputs:
        _check_formulas(table, infos[name])
    for name in numeric:
        if infos[name].kind == KIND_CATEGORICAL:
            example = _text_example(table, name)
            raise DataError(f'Column "{name}" in {table.location} must hold numbers, but holds text such as {example}.')
        _check_number_column_has_no_text(table, infos[name], "Correct these cells: the model needs this column.")
    keep, _ = _rows_to_keep(table, {name: table.columns[name] for name in inputs}, drop_missing)
    used = table.frame[inputs]
    kept = np.flatnonzero(keep)
    used = used.iloc[kept].reset_index(drop=True)
    _check_magnitudes(table, dict(used.items()), np.asarray(table.row_numbers)[kept], numeric)
    frame = pd.DataFrame(
        {name: used[name].astype(np.float64) if name in numeric else label_series(used[name]) for name in inputs},
        index=pd.RangeIndex(len(used)),
    )
    return frame, kept


def _resolve_roles(
    table: Table, infos: dict[str, ColumnInfo], inputs: Iterable[str] | None, targets: Iterable[str] | None
) -> tuple[list[str], list[str]]:
    where = table.location
    if targets is None:
        targets = default_roles(table).targets
    targets = _name_list(targets)
    if inputs is None:
        inputs = [name for name, info in infos.items() if info.kind != KIND_EMPTY and name not in targets]
    inputs = _name_list(inputs)
    for role, names in (("Input", inputs), ("Target", targets)):
        for name in names:
            if name not in infos:
                raise DataError(
                    f'{role} column "{name}" not found in {where}; available columns: '
                    f"{_name_summary(list(infos))}."
                )
    if not targets:
        raise DataError(f"Choose a target column (the value to predict) in {where}.")
    if not inputs:
        others = [name for name, info in infos.items() if info.kind != KIND_EMPTY and name not in targets]
        reason = "" if others else "; no column other than the target has values"
        if len(infos) == 1 and table.sheet is None:
            reason += (" (the file was read as a single column: no separator such as a comma, semicolon or tab "
                       "was found)")
        raise DataError(f"Choose at least one input column in {where}{reason}.")
    both = [name for name in inputs if name in targets]
    if both:
        raise DataError(
            f'Column "{both[0]}" in {where} is chosen both as an input and as a target; give it one role.'
        )
    for role, names in (("an input", inputs), ("a target", targets)):
        for name in names:
            info = infos[name]
            if info.kind == KIND_EMPTY:
                _check_formulas(table, info)
                raise DataError(f'Column "{name}" in {where} has no values, so it cannot be {role}.')
    return inputs, targets


def _name_list(names: Iterable[str] | str) -> list[str]:
    if isinstance(names, str):
        names = [names]
    unique: list[str] = []
    for name in map(str, names):
        if name not in unique:
            unique.append(name)
    return unique


def _check_formulas(table: Table, info: ColumnInfo) -> None:
    if not info.unsaved_formulas:
        return
    cells = [f"{cell} {quoted(formula)}" for cell, formula in info.unsaved_formulas[:5]]
    n = len(info.unsaved_formulas)
    raise DataError(
        f'Column "{info.name}" in {table.location} holds formulas saved without their results: '
        f"{cell_summary(cells, n)}. Open the file in Excel or LibreOffice and save it again so the results "
        f"are stored, or leave the column out."
    )


def _check_number_column_has_no_text(
    table: Table, info: ColumnInfo, advice: str = "Correct these cells, or leave the column out."
) -> None:
    if info.kind != KIND_NUMERIC or not info.bad_cells:
        return
    hint = ""
    if any(looks_like_comma_decimal(text) for _, text in info.bad_cells):
        hint = " Decimal commas (12,5) are only read in files separated by semicolons; write 12.5 instead."
    raise DataError(f"{bad_cells_sentence(table, info)} {advice}{hint}")


def _text_example(table: Table, name: str) -> str:
    """The first cell of a column that holds text rather than a number, quoted."""
    for value in table.columns[name]:
        if isinstance(value, str):
            return quoted(value)
    return '""'


def _check_task(table: Table, infos: dict[str, ColumnInfo], targets: list[str], task: str) -> None:
    where = table.location
    if task == "regression":
        for name in targets:
            if infos[name].kind == KIND_CATEGORICAL:
                example = _text_example(table, name)
                raise DataError(
                    f'Target column "{name}" in {where} holds text (such as {example}), so it can only be '
                    f"predicted by classification, not by regression."
                )
    elif len(targets) > 1:
        raise DataError(
            f"Classification predicts one column, but {len(targets)} targets are chosen in {where} "
            f"({_name_summary(targets)}); choose one."
        )


def _rows_to_keep(table: Table, used: Mapping[str, np.ndarray], drop_missing: bool) -> tuple[np.ndarray, int]:
    """``(keep, n_dropped)`` for the table's rows, from ``used``: the chosen columns' arrays."""
    # Column by column: one 2-D mask of a large table costs the window a frame (15 ms for 200k x 50).
    arrays = list(used.values())
    incomplete = np.zeros(table.n_rows, dtype=bool)
    for values in arrays:  # (no 2-D mask of the whole table: 16 MB for 20,000 x 785)
        incomplete |= _missing(values)
    n_incomplete = int(incomplete.sum())
    if n_incomplete and not drop_missing:
        missing = [_missing(values) for values in arrays]
        columns = list(used)
        first = [(row, j) for row in np.flatnonzero(incomplete)[:6] for j in range(len(columns)) if missing[j][row]][:6]
        cells = [f'row {int(table.row_numbers[row])} column "{columns[column]}"' for row, column in first]
        n_cells = int(sum(int(mask.sum()) for mask in missing))
        raise DataError(
            f"Missing values in {table.location}: {cell_summary(cells, n_cells)}. "
            f"Fill them in, or {SKIP_INCOMPLETE_ADVICE}."
        )
    if n_incomplete == table.n_rows:
        raise DataError(
            f"Every row of {table.location} has a missing value in the chosen columns; no complete row is left."
        )
    return ~incomplete, n_incomplete


def missing_columns(table: Table, names: list[str], rows: np.ndarray) -> list[list[str]]:
    """For each position in ``rows`` (of the table), the columns among ``names`` whose cell there
    is missing (blank, ``NA``, ``#N/A``, ...: what :func:`prepare_inputs` counts as missing)."""
    rows = np.asarray(rows, dtype=np.int64)
    masks = [_missing(table.columns[name][rows]) for name in names]
    return [[name for name, mask in zip(names, masks) if mask[i]] for i in range(len(rows))]


def _missing(values: np.ndarray) -> np.ndarray:
    return np.isnan(values) if values.dtype == np.float64 else pd.isna(values)


def _check_magnitudes(table: Table, columns: Mapping[str, np.ndarray | pd.Series], row_numbers: np.ndarray,
                      names: list[str]) -> None:
    if not names:
        return
    # Column by column: a wide table's columns need not be gathered into one array to pass.
    if all(_within(np.asarray(columns[name], dtype=np.float64)) for name in names):
        return
    values = np.column_stack([np.asarray(columns[name], dtype=np.float64) for name in names])
    too_large = ~(np.abs(values) <= LARGEST_TRAINABLE_VALUE)
    cells = []
    for row, column in np.argwhere(too_large):
        value = values[row, column]
        shown = f"{value:g}" if math.isfinite(value) else "a number too large to store"
        cells.append(f'row {int(row_numbers[row])} column "{names[column]}" holds {shown}')
    raise DataError(
        f"Numbers too large in {table.location}: {cell_summary(cells)}. Values beyond "
        f"±{LARGEST_TRAINABLE_VALUE:g} would overflow training; rescale the column (other units)."
    )


def _within(values: np.ndarray) -> bool:
    """Every value within ±LARGEST_TRAINABLE_VALUE (False for NaN); two passes, no temporary array."""
    return not len(values) or bool(values.max() <= LARGEST_TRAINABLE_VALUE and values.min() >= -LARGEST_TRAINABLE_VALUE)


def _name_summary(names: list[str]) -> str:
    listed = ", ".join(names[:_COLUMNS_SHOWN])
    more = len(names) - _COLUMNS_SHOWN
    return f"{listed} and {more} more" if more > 0 else listed



