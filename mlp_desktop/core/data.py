"""Reading a user's spreadsheet and choosing the roles of its columns.

``read_table`` turns an Excel workbook (``.xlsx``/``.xlsm``) or a text table (``.csv``/``.tsv``/
``.txt``) into a :class:`Table`: cleaned header names, one value per cell (a ``float`` for a number,
a ``str`` for text, missing as ``NaN``/``None``) and the spreadsheet row number of every data row.
``prepare_dataset`` then checks the chosen input and target columns and returns a :class:`Dataset`
for preprocessing and training.

Every problem a user can cause raises :class:`~mlp_desktop.core.errors.DataError` with one plain
sentence naming the file, the sheet, the row and the column, counted the way Excel shows them:
the header is row 1, so the first data row is row 2.
"""

from __future__ import annotations

import codecs
import copy
import csv
import datetime
import io
import math
import numbers
import os
import re
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

import numpy as np
import pandas as pd

from .clean_csv import is_number_dtype, parse_clean_text
from .errors import DataError

__all__ = [
    "LARGEST_TRAINABLE_VALUE",
    "MISSING_TOKENS",
    "SUPPORTED_EXTENSIONS",
    "TASKS",
    "ColumnInfo",
    "Dataset",
    "Roles",
    "Table",
    "column_info",
    "default_roles",
    "list_sheets",
    "prepare_dataset",
    "read_table",
    "table_from_frame",
]

SUPPORTED_EXTENSIONS: dict[str, str] = {
    ".xlsx": "excel",
    ".xlsm": "excel",
    ".csv": "text",
    ".tsv": "text",
    ".txt": "text",
}
"""File extension -> reader kind."""

_UNSUPPORTED_HINTS: dict[str, str] = {
    ".xls": "it is the old Excel 97-2003 format; open it in Excel and save it as .xlsx",
    ".ods": "it is an OpenDocument spreadsheet; save it as .xlsx or .csv",
    ".numbers": "it is a Numbers spreadsheet; export it as .xlsx or .csv",
}

MISSING_TOKENS: frozenset[str] = frozenset(
    ["", "NAN", "-NAN", "+NAN", "INF", "-INF", "+INF", "INFINITY", "-INFINITY", "+INFINITY",
     "NA", "N/A", "#N/A", "#DIV/0!", "#VALUE!", "#REF!", "#NUM!", "#NAME?", "#NULL!",
     "#SPILL!", "#CALC!", "#GETTING_DATA"]
)
"""Cell texts (compared in upper case, after stripping) that mean "no value"."""

MOSTLY_NUMERIC = 0.8
"""A column whose non-missing cells are at least this fraction numbers is a number column; its
text cells are typing errors, not categories."""

LARGEST_TRAINABLE_VALUE = 1e150
"""Numbers beyond this magnitude would overflow training (squares and products reach inf)."""

TASKS = ("auto", "regression", "classification")

KIND_NUMERIC, KIND_CATEGORICAL, KIND_EMPTY = "numeric", "categorical", "empty"

_CELLS_SHOWN = 5
_TEXT_SHOWN = 40
_COLUMNS_SHOWN = 30
_DELIMITERS = (",", ";", "\t", "|")
_DELIMITER_NAMES = {",": "comma", ";": "semicolon", "\t": "tab", "|": "vertical bar"}
_PREFERRED_DELIMITER = {".tsv": "\t"}
_SNIFF_CHARS = 64 * 1024
_SNIFF_ROWS = 50
_HEAD_BYTES = 4 * _SNIFF_CHARS + 4
"""Bytes read to decide a file's kind, and enough UTF-8 for sniffing as on the whole text."""
_PARSE_CACHE_LIMIT = 200_000

_ZIP_SIGNATURE = b"PK\x03\x04"
_OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls, and password-protected .xlsx

_GROUP_SEPARATORS = {".": ", \u00a0\u202f", ",": ". \u00a0\u202f"}
"""Thousands separators allowed with each decimal mark (normal, no-break and thin spaces too)."""

_NUMBER_PATTERNS = {
    mark: re.compile(
        rf"[+-]?(?:(?:\d{{1,3}}(?:[{separators}]\d{{3}})+|\d+)(?:{re.escape(mark)}\d*)?"
        rf"|{re.escape(mark)}\d+)(?:[eE][+-]?\d+)?",
        re.ASCII,
    )
    for mark, separators in _GROUP_SEPARATORS.items()
}
_COMMA_DECIMAL_LOOK = re.compile(r"[+-]?[\d. \u00a0\u202f]*\d,\d+(?:[eE][+-]?\d+)?", re.ASCII)
_DOT_DECIMAL_LOOK = re.compile(r"[+-]?(?:\d{1,3}(?:,\d{3})+|\d*)\.\d+(?:[eE][+-]?\d+)?", re.ASCII)
_DOT_THOUSANDS_LOOK = re.compile(r"[+-]?\d{1,3}(?:\.\d{3})+", re.ASCII)
_PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?", re.ASCII)
_MARKUP_START = re.compile(r"\s*<(?:!doctype|html|\?xml|table)\b", re.IGNORECASE)
_WHITESPACE_RUN = re.compile(r"\s+")

Cell = float | str | None


# --------------------------------------------------------------------------------------------
# Tables


@dataclass(eq=False)
class Table:
    """A file as read, before roles.

    ``frame`` has the cleaned header names; number columns are ``float64`` (missing = ``NaN``),
    other columns are ``object`` holding ``float``, ``str`` or ``None``. ``row_numbers[i]`` is the
    spreadsheet row of ``frame.iloc[i]`` (header = row 1).
    """

    frame: pd.DataFrame
    path: Path
    sheet: str | None
    sheets: list[str]
    row_numbers: np.ndarray
    _column_info: list | None = field(default=None, init=False, repr=False)

    @property
    def file_name(self) -> str:
        """The file's base name, as messages show it."""
        return self.path.name

    @property
    def location(self) -> str:
        """``data.csv`` or ``data.xlsx, sheet "Sheet1"``."""
        if self.sheet is None:
            return self.file_name
        return f'{self.file_name}, sheet "{self.sheet}"'

    def describe_cell(self, index: int, column: str) -> str:
        """Name a cell as the user sees it: ``row 4, column "age"`` (sheet first for Excel).

        ``index`` is the position of the row in ``frame``.
        """
        place = f'row {int(self.row_numbers[index])}, column "{column}"'
        return place if self.sheet is None else f'sheet "{self.sheet}", {place}'


def list_sheets(path: str | os.PathLike[str]) -> list[str]:
    """Return the sheet names of an Excel workbook, or ``[]`` for a text table."""
    path = Path(path)
    content = _read_bytes(path)
    if _file_kind(path, content) != "excel":
        return []
    workbook = _open_workbook(path, content)
    try:
        return list(workbook.sheetnames)
    finally:
        workbook.close()


def read_table(path: str | os.PathLike[str], sheet: str | None = None) -> Table:
    """Read a spreadsheet file into a :class:`Table`.

    Parameters
    ----------
    path : the ``.xlsx``/``.xlsm``/``.csv``/``.tsv``/``.txt`` file.
    sheet : the sheet to read from a workbook; ``None`` picks the first sheet with any value.
        Ignored for text tables, which have no sheets.

    The first non-blank row is the header. Fully blank rows and blank columns without a header
    are dropped; every other row keeps its spreadsheet row number.
    """
    path = Path(path)
    head = _read_bytes(path, _HEAD_BYTES)
    kind = _file_kind(path, head)
    if kind == "text":
        clean = _read_clean_text_table(path, head)
        if clean is not None:
            return clean
    content = head if len(head) < _HEAD_BYTES else _read_bytes(path)
    if kind == "excel":
        sheets, sheet_name, rows = _read_excel_rows(path, content, sheet)
        return _table_from_rows(rows, path, sheet_name, sheets, _CellReader(".").column)
    rows, delimiter = _read_text_rows(path, content)
    decimal_mark = _guess_decimal_mark(rows, delimiter)
    _check_row_lengths(rows, path.name, delimiter)
    return _table_from_rows(rows, path, None, [], _CellReader(decimal_mark).column)


def table_from_frame(frame: pd.DataFrame, name: str = "data") -> Table:
    """Wrap in-memory data as a :class:`Table` (row ``i`` is reported as spreadsheet row ``i + 2``).

    Header names are cleaned as for files; cells are converted the same way (numbers to ``float``,
    texts that are numbers to ``float``, missing markers to ``None``/``NaN``). No rows are dropped.
    """
    if not isinstance(frame, pd.DataFrame):
        raise DataError(f"Expected a table of data for {name}; got {type(frame).__name__}.")
    names = _unique_names([_header_text(value) for value in frame.columns])
    reader = _CellReader(".")
    columns = {}
    for position, column_name in enumerate(names):
        series = frame.iloc[:, position]
        if is_number_dtype(series.dtype):
            values = series.to_numpy(dtype=np.float64, na_value=np.nan).copy()
            values[~np.isfinite(values)] = np.nan
            columns[column_name] = values
        else:
            columns[column_name] = reader.column(series.tolist())
    row_numbers = np.arange(2, len(frame) + 2, dtype=np.int64)
    return Table(_frame_from_columns(columns, len(frame)), Path(name), None, [], row_numbers)


# --------------------------------------------------------------------------------------------
# Columns and roles


@dataclass
class ColumnInfo:
    """What a column holds.

    ``kind`` is ``"numeric"``, ``"categorical"`` (text values) or ``"empty"``. A numeric column may
    still hold a few text cells (``bad_cells``: frame position and text), which are typing errors
    reported when the column is used.
    """

    name: str
    kind: str
    n_missing: int
    categories: list[str] = field(default_factory=list)
    n_values: int = 0
    minimum: float | None = None
    maximum: float | None = None
    bad_cells: list[tuple[int, str]] = field(default_factory=list)


@dataclass
class Roles:
    """Which columns feed the network, which it predicts, and which it leaves out."""

    inputs: list[str]
    targets: list[str]
    ignored: list[str]


def column_info(table: Table) -> list[ColumnInfo]:
    """Describe every column of ``table``: its kind, missing count, categories or range.

    Worked out once per table (a table is not changed after reading); each call gets copies.
    """
    if table._column_info is None:
        table._column_info = [_describe_column(name, table.frame[name]) for name in table.frame.columns]
    return [copy.copy(info) for info in table._column_info]


def default_roles(table: Table) -> Roles:
    """Guess roles: the target is a column named ``output`` (any case), else the last usable
    column; every other non-empty column is an input; empty columns are ignored."""
    infos = column_info(table)
    usable = [info.name for info in infos if info.kind != KIND_EMPTY]
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


def _describe_column(name: str, values: pd.Series) -> ColumnInfo:
    missing = values.isna().to_numpy()
    n_missing = int(missing.sum())
    present = values.to_numpy()[~missing]
    if values.dtype == np.float64:
        is_number = np.ones(len(present), dtype=bool)
    else:
        is_number = np.fromiter((isinstance(v, float) for v in present), dtype=bool, count=len(present))
    numbers_present = present[is_number].astype(np.float64)
    n_values, n_numbers = len(present), len(numbers_present)
    minimum = float(numbers_present.min()) if n_numbers else None
    maximum = float(numbers_present.max()) if n_numbers else None
    if n_values == 0:
        return ColumnInfo(name, KIND_EMPTY, n_missing, n_values=0)
    if n_numbers >= MOSTLY_NUMERIC * n_values:
        text_positions = np.flatnonzero(~missing)[~is_number]
        bad_cells = [(int(position), str(values.iloc[position])) for position in text_positions]
        return ColumnInfo(name, KIND_NUMERIC, n_missing, [], n_values, minimum, maximum, bad_cells)
    return ColumnInfo(name, KIND_CATEGORICAL, n_missing, _sorted_labels(present), n_values)


# --------------------------------------------------------------------------------------------
# Datasets


@dataclass(eq=False)
class Dataset:
    """The checked data preprocessing and training consume.

    ``frame`` holds only the used rows and the input + target columns: numeric columns as
    ``float64``, categorical inputs and classification targets as ``str``. ``row_numbers[i]`` is
    the spreadsheet row of ``frame.iloc[i]``.
    """

    table: Table
    inputs: list[str]
    targets: list[str]
    task: str
    detected_task: str
    input_kinds: dict[str, str]
    categories: dict[str, list[str]]
    classes: list
    frame: pd.DataFrame
    row_numbers: np.ndarray
    n_dropped: int


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
    task : ``"auto"`` (text target -> classification, numeric -> regression), ``"regression"``
        or ``"classification"`` (numeric target values become class labels).
    drop_missing : drop rows with a missing value in a chosen column instead of raising.
    min_classes : classification needs this many classes (training: 2; scoring a file: 1).
    """
    task_name = str(task).strip().lower()
    if task_name not in TASKS:
        raise DataError(f'Unknown task {_quoted(str(task))}; choose {", ".join(TASKS[:-1])} or {TASKS[-1]}.')
    where = table.location
    if len(table.frame) == 0:
        raise DataError(f"{where} has no data rows below the header.")
    infos = {info.name: info for info in column_info(table)}
    inputs, targets = _resolve_roles(table, infos, inputs, targets)

    for name in inputs + targets:
        _check_number_column_has_no_text(table, infos[name])
    detected_task = (
        "classification" if any(infos[name].kind == KIND_CATEGORICAL for name in targets) else "regression"
    )
    task_name = detected_task if task_name == "auto" else task_name
    _check_task(table, infos, targets, task_name)

    used = table.frame[inputs + targets]
    keep, n_dropped = _rows_to_keep(table, used, drop_missing)
    used = used.loc[keep].reset_index(drop=True)
    row_numbers = np.asarray(table.row_numbers, dtype=np.int64)[keep]

    numeric_checked = [name for name in inputs if infos[name].kind == KIND_NUMERIC]
    if task_name == "regression":
        numeric_checked += targets
    _check_magnitudes(table, used, row_numbers, numeric_checked)

    columns: dict[str, pd.Series] = {}
    input_kinds: dict[str, str] = {}
    categories: dict[str, list[str]] = {}
    for name in inputs:
        input_kinds[name] = infos[name].kind
        if infos[name].kind == KIND_NUMERIC:
            columns[name] = used[name].astype(np.float64)
        else:
            columns[name] = _label_series(used[name])
            categories[name] = _sorted_labels(used[name].to_numpy())
    classes: list = []
    for name in targets:
        if task_name == "classification":
            columns[name] = _label_series(used[name])
            classes = _sorted_labels(used[name].to_numpy())
            if len(classes) < min_classes:
                found = f" ({_quoted(classes[0])})" if classes else ""
                raise DataError(
                    f'Target column "{name}" in {where} has only {len(classes)} class{found}; '
                    f"classification needs at least two different values."
                )
        else:
            columns[name] = used[name].astype(np.float64)
    frame = pd.DataFrame(columns, index=pd.RangeIndex(len(used)))
    return Dataset(table, inputs, targets, task_name, detected_task, input_kinds, categories, classes,
                   frame, row_numbers, n_dropped)


def prepare_inputs(
    table: Table, inputs: list[str], input_kinds: dict[str, str], drop_missing: bool = False
) -> tuple[pd.DataFrame, np.ndarray]:
    """Check a file's rows for prediction: the model's input columns, as the model expects them.

    Returns ``(frame, kept)``: the input columns of the usable rows (numbers as ``float64``,
    categorical inputs as ``str``) and the positions in ``table.frame`` of those rows. Missing
    columns, text in number columns, missing cells (unless ``drop_missing``) and overflowing
    values raise :class:`DataError` naming the cells.
    """
    infos = {info.name: info for info in column_info(table)}
    absent = [name for name in inputs if name not in infos]
    if absent:
        raise DataError(
            f"{table.location} lacks the model's input column{'s' if len(absent) > 1 else ''} "
            f"{_name_summary(absent)}; available columns: {_name_summary(list(infos))}."
        )
    if len(table.frame) == 0:
        raise DataError(f"{table.location} has no data rows below the header.")
    numeric = [name for name in inputs if input_kinds.get(name) != KIND_CATEGORICAL]
    for name in numeric:
        if infos[name].kind == KIND_CATEGORICAL:
            example = _text_example(table, name)
            raise DataError(f'Column "{name}" in {table.location} must hold numbers, but holds text such as {example}.')
        _check_number_column_has_no_text(table, infos[name])
    used = table.frame[inputs]
    keep, _ = _rows_to_keep(table, used, drop_missing)
    kept = np.flatnonzero(keep)
    used = used.iloc[kept].reset_index(drop=True)
    _check_magnitudes(table, used, np.asarray(table.row_numbers)[kept], numeric)
    frame = pd.DataFrame(
        {name: used[name].astype(np.float64) if name in numeric else _label_series(used[name]) for name in inputs},
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
        raise DataError(f"Choose at least one input column in {where}{reason}.")
    both = [name for name in inputs if name in targets]
    if both:
        raise DataError(
            f'Column "{both[0]}" in {where} is chosen both as an input and as a target; give it one role.'
        )
    for role, names in (("an input", inputs), ("a target", targets)):
        for name in names:
            if infos[name].kind == KIND_EMPTY:
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


def _check_number_column_has_no_text(table: Table, info: ColumnInfo) -> None:
    if info.kind != KIND_NUMERIC or not info.bad_cells:
        return
    cells = [f"row {int(table.row_numbers[index])} has {_quoted(text)}" for index, text in info.bad_cells]
    hint = ""
    if any(_COMMA_DECIMAL_LOOK.fullmatch(text.strip()) for _, text in info.bad_cells):
        hint = " Decimal commas (12,5) are only read in files separated by semicolons; write 12.5 instead."
    raise DataError(
        f'Column "{info.name}" in {table.location} holds numbers, but {_cell_summary(cells)}. '
        f"Correct these cells, or leave the column out.{hint}"
    )


def _text_example(table: Table, name: str) -> str:
    """The first cell of a column that holds text rather than a number, quoted."""
    for value in table.frame[name]:
        if isinstance(value, str):
            return _quoted(value)
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


def _rows_to_keep(table: Table, used: pd.DataFrame, drop_missing: bool) -> tuple[np.ndarray, int]:
    missing = used.isna().to_numpy()
    incomplete = missing.any(axis=1)
    n_incomplete = int(incomplete.sum())
    if n_incomplete and not drop_missing:
        columns = list(used.columns)
        cells = [
            f'row {int(table.row_numbers[row])} column "{columns[column]}"'
            for row, column in np.argwhere(missing)[: _CELLS_SHOWN + 1]
        ]
        n_cells = int(missing.sum())
        listed = ", ".join(cells[:_CELLS_SHOWN])
        more = f" (and {n_cells - _CELLS_SHOWN} more)" if n_cells > _CELLS_SHOWN else ""
        raise DataError(
            f"Missing values in {table.location}: {listed}{more}. "
            f'Fill them in, or choose "drop incomplete rows".'
        )
    if n_incomplete == len(used):
        raise DataError(
            f"Every row of {table.location} has a missing value in the chosen columns; "
            f"no complete row is left."
        )
    return ~incomplete, n_incomplete


def _check_magnitudes(table: Table, used: pd.DataFrame, row_numbers: np.ndarray, names: list[str]) -> None:
    if not names:
        return
    # Column by column: a wide table's columns need not be gathered into one array to pass.
    if all((np.abs(used[name].to_numpy(dtype=np.float64)) <= LARGEST_TRAINABLE_VALUE).all() for name in names):
        return
    values = used[names].to_numpy(dtype=np.float64)
    too_large = ~(np.abs(values) <= LARGEST_TRAINABLE_VALUE)
    cells = []
    for row, column in np.argwhere(too_large):
        value = values[row, column]
        shown = f"{value:g}" if math.isfinite(value) else "a number too large to store"
        cells.append(f'row {int(row_numbers[row])} column "{names[column]}" holds {shown}')
    raise DataError(
        f"Numbers too large in {table.location}: {_cell_summary(cells)}. Values beyond "
        f"±{LARGEST_TRAINABLE_VALUE:g} would overflow training; rescale the column (other units)."
    )


def _quoted(text: str) -> str:
    """A cell's text for a one-line message: quoted, line breaks shown as \\n, long texts cut."""
    shown = text.replace("\r", "\\r").replace("\n", "\\n").replace("\t", "\\t")
    if len(shown) > _TEXT_SHOWN:
        shown = shown[: _TEXT_SHOWN - 1] + "…"
    return f'"{shown}"'


def _cell_summary(cells: list[str]) -> str:
    listed = ", ".join(cells[:_CELLS_SHOWN])
    more = len(cells) - _CELLS_SHOWN
    return f"{listed} (and {more} more)" if more > 0 else listed


def _name_summary(names: list[str]) -> str:
    listed = ", ".join(names[:_COLUMNS_SHOWN])
    more = len(names) - _COLUMNS_SHOWN
    return f"{listed} and {more} more" if more > 0 else listed


# --------------------------------------------------------------------------------------------
# Cell values and labels


class _CellReader:
    """Turns raw cell values into ``float`` (a number), ``str`` (text) or ``None`` (missing)."""

    def __init__(self, decimal_mark: str):
        self._number = _NUMBER_PATTERNS[decimal_mark]
        self._separators = re.compile(f"[{_GROUP_SEPARATORS[decimal_mark]}]")
        self._decimal_mark = decimal_mark
        self._cache: dict[str, Cell] = {}

    def text(self, raw: str) -> Cell:
        """Read a text cell: missing marker, number (with this reader's decimal mark) or text."""
        cached = self._cache.get(raw, _NOT_CACHED)
        if cached is not _NOT_CACHED:
            return cached
        stripped = raw.strip()
        value: Cell
        if stripped.upper() in MISSING_TOKENS:
            value = None
        elif self._number.fullmatch(stripped):
            # Overflowing texts such as 1e400 become inf on purpose: the magnitude check names them.
            value = float(self._separators.sub("", stripped).replace(self._decimal_mark, "."))
        elif self._decimal_mark == "," and _PLAIN_NUMBER.fullmatch(stripped):
            # 3.25 among decimal commas: a dot before other than three digits cannot group
            # thousands, so it is a decimal point typed by someone used to it.
            value = float(stripped)
        else:
            value = stripped
        if len(self._cache) < _PARSE_CACHE_LIMIT:
            self._cache[raw] = value
        return value

    def column(self, raw_values: list) -> np.ndarray:
        """Read a whole column: ``float64`` when every cell is a number, else ``object``."""
        try:
            types = set(map(type, raw_values))
            if self._decimal_mark == "." and types <= {str}:
                # Fast path for the common all-plain-numbers text column; same result as per cell.
                if all(map(_PLAIN_NUMBER.fullmatch, raw_values)):
                    return np.array(raw_values, dtype=np.float64)
            elif types <= {float, int}:
                values = np.array(raw_values, dtype=np.float64)
                values[~np.isfinite(values)] = np.nan
                return values
        except OverflowError:  # a Python int beyond float range; the slow path names it
            pass
        return _column_array([self.value(raw) for raw in raw_values])

    def value(self, raw: object) -> Cell:
        """Read a cell from a workbook or a DataFrame, whatever its Python type."""
        if raw is None or raw is pd.NA or raw is pd.NaT:  # NaT would pass for a datetime
            return None
        for python_type, convert in _CELL_CONVERTERS:
            if isinstance(raw, python_type):
                return convert(self, raw)
        return self.text(str(raw))


_NOT_CACHED = object()


def _finite_or_missing(reader: _CellReader, raw: numbers.Real) -> Cell:
    try:
        number = float(raw)
    except OverflowError:  # a huge integer: keep it as inf so the magnitude check names the cell
        return math.inf if raw > 0 else -math.inf
    return number if math.isfinite(number) else None


def _excel_boolean(reader: _CellReader, raw: bool) -> Cell:
    return "TRUE" if raw else "FALSE"


def _datetime_text(reader: _CellReader | None, raw: datetime.datetime) -> Cell:
    if raw.time() == datetime.time(0) and raw.tzinfo is None:
        return raw.date().isoformat()
    return raw.isoformat(sep=" ")


_CELL_CONVERTERS: tuple[tuple[type | tuple[type, ...], Callable[[_CellReader, object], Cell]], ...] = (
    (str, _CellReader.text),
    ((bool, np.bool_), _excel_boolean),  # before numbers: bool is an int
    (numbers.Real, _finite_or_missing),
    (datetime.datetime, _datetime_text),  # before date: datetime is a date
    ((datetime.date, datetime.time), lambda reader, raw: raw.isoformat()),
    (datetime.timedelta, lambda reader, raw: str(raw)),
)


def _label(value: float | str) -> str:
    """The text of a class or category: ``3.0`` -> ``"3"``, ``0.5`` -> ``"0.5"``."""
    if isinstance(value, str):
        return value
    if float(value).is_integer() and abs(value) < 1e16:
        return str(int(value))
    return repr(float(value))


def _label_order(value: float | str) -> tuple:
    # Numbers first, in numeric order, then texts alphabetically (ignoring case).
    if isinstance(value, str):
        return (1, 0.0, value.casefold(), value)
    return (0, float(value), "", "")


def _sorted_labels(values: Iterable[float | str]) -> list[str]:
    labels: dict[str, None] = {}
    for value in sorted(set(values), key=_label_order):
        labels.setdefault(_label(value), None)
    return list(labels)


def _label_series(values: pd.Series) -> pd.Series:
    return pd.Series([_label(value) for value in values.tolist()], index=values.index, dtype=str)


def _header_text(value: object) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, float):
        return _label(value)
    if isinstance(value, datetime.datetime):
        return str(_datetime_text(None, value))
    return _WHITESPACE_RUN.sub(" ", str(value)).strip()


def _unique_names(headers: list[str], positions: list[int] | None = None) -> list[str]:
    """Blank headers become ``column_<position>`` (1-based, counted in the sheet); repeats become
    ``age (2)``, ``age (3)``."""
    positions = positions or list(range(1, len(headers) + 1))
    bases = [header or f"column_{position}" for position, header in zip(positions, headers)]
    first_position: dict[str, int] = {}
    for position, base in enumerate(bases):
        first_position.setdefault(base, position)
    taken = set(first_position)
    names = []
    for position, base in enumerate(bases):
        name = base
        if first_position[base] != position:
            copy = 2
            while f"{base} ({copy})" in taken:
                copy += 1
            name = f"{base} ({copy})"
            taken.add(name)
        names.append(name)
    return names


def _is_blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _column_array(values: list[Cell]) -> np.ndarray:
    if all(value is None or isinstance(value, float) for value in values):
        return np.array([np.nan if value is None else value for value in values], dtype=np.float64)
    return np.array(values, dtype=object)


def _frame_from_columns(columns: dict[str, np.ndarray], n_rows: int) -> pd.DataFrame:
    # Explicit object Series: pandas 3 would otherwise turn all-text columns into its str dtype.
    return pd.DataFrame(
        {name: pd.Series(values, dtype=values.dtype) for name, values in columns.items()},
        index=pd.RangeIndex(n_rows),
    )


def _table_from_rows(
    rows: list[list],
    path: Path,
    sheet: str | None,
    sheets: list[str],
    read_column: Callable[[list], np.ndarray],
) -> Table:
    """Build a Table from raw rows; ``rows[i]`` is spreadsheet row ``i + 1``."""
    where = path.name if sheet is None else f'{path.name}, sheet "{sheet}"'
    filled = [number for number, row in enumerate(rows, start=1) if not all(map(_is_blank, row))]
    if not filled:
        raise DataError(f"{where} is empty: there is no header row and no data.")
    header_number, body_numbers = filled[0], filled[1:]
    if not body_numbers:
        raise DataError(f"{where} has a header row but no data rows below it.")
    header = list(rows[header_number - 1])
    body = [rows[number - 1] for number in body_numbers]
    width = max(len(header), max(len(row) for row in body))
    header += [None] * (width - len(header))
    padded = [row if len(row) == width else list(row) + [None] * (width - len(row)) for row in body]
    raw_columns = [list(column) for column in zip(*padded)]
    kept, names = _named_columns(header, [all(map(_is_blank, column)) for column in raw_columns])
    columns = {name: read_column(raw_columns[j]) for name, j in zip(names, kept)}
    row_numbers = np.array(body_numbers, dtype=np.int64)
    return Table(_frame_from_columns(columns, len(body)), path, sheet, sheets, row_numbers)


def _named_columns(header: list, blank_columns: list[bool]) -> tuple[list[int], list[str]]:
    """The positions of the columns to keep and their names.

    Columns with neither a header nor any value are left out; the others keep their positions in
    the names of blank headers (``column_3``).
    """
    headers = [_header_text(value) for value in header]
    kept = [j for j in range(len(headers)) if headers[j] or not blank_columns[j]]
    return kept, _unique_names([headers[j] for j in kept], [j + 1 for j in kept])


# --------------------------------------------------------------------------------------------
# Files


def _read_bytes(path: Path, limit: int = -1) -> bytes:
    """The file's bytes (at most ``limit`` of them, when given)."""
    try:
        with path.open("rb") as file:
            return file.read(limit)
    except FileNotFoundError:
        raise DataError(f"File not found: {path.name} (looked in {path.parent}).") from None
    except IsADirectoryError:
        raise DataError(f"{path.name} is a folder, not a spreadsheet file.") from None
    except PermissionError:
        raise DataError(
            f"{path.name} could not be opened (permission denied); if another program has it open, "
            f"close it and try again."
        ) from None
    except OSError as error:
        raise DataError(f"{path.name} could not be read: {error.strerror or error}.") from None


def _file_kind(path: Path, content: bytes) -> str:
    """``"excel"`` or ``"text"``, trusting the bytes over the extension where they disagree."""
    extension = path.suffix.lower()
    kind = SUPPORTED_EXTENSIONS.get(extension)
    if kind is None:
        hint = _UNSUPPORTED_HINTS.get(extension)
        reason = f" ({hint})" if hint else ""
        raise DataError(
            f"{path.name} is not a supported file type{reason}. Supported: "
            f"{', '.join(SUPPORTED_EXTENSIONS)}."
        )
    if not content:
        raise DataError(f"{path.name} is empty (0 bytes).")
    if content.startswith(_ZIP_SIGNATURE):
        return "excel"
    if content.startswith(_OLE_SIGNATURE):
        raise DataError(
            f"{path.name} is an old-format (.xls) or password-protected workbook; open it in Excel and "
            f"save it as .xlsx without a password."
        )
    if _looks_like_text(content):
        return "text"  # includes a CSV that was renamed .xlsx
    if kind == "excel":
        raise DataError(
            f"{path.name} is not a valid Excel workbook: the file is damaged or not an Excel file."
        )
    raise DataError(f"{path.name} does not look like a text table: it contains binary data.")


def _looks_like_text(content: bytes) -> bool:
    if content.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return True
    sample = content[:8192]
    if b"\x00" in sample:
        return False
    controls = sum(1 for byte in sample if byte < 32 and byte not in b"\t\n\r\f")
    return controls <= 0.01 * len(sample)


def _open_workbook(path: Path, content: bytes):
    import openpyxl

    try:
        with warnings.catch_warnings():
            # openpyxl warns about features it drops (data validation, styles); the values are intact.
            warnings.simplefilter("ignore")
            return openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as error:  # any failure of the zip/XML parsers means the same thing to a user
        raise DataError(
            f"{path.name} could not be opened as an Excel workbook: the file is damaged or not an Excel file."
        ) from error


def _read_excel_rows(path: Path, content: bytes, sheet: str | None) -> tuple[list[str], str, list[list]]:
    workbook = _open_workbook(path, content)
    try:
        sheets = list(workbook.sheetnames)
        if sheet is not None:
            sheet_name = _match_sheet(path, sheets, sheet)
            if not hasattr(workbook[sheet_name], "iter_rows"):
                raise DataError(f'Sheet "{sheet_name}" in {path.name} is a chart, not a table of data.')
            rows = _sheet_rows(path, workbook, sheet_name)
            if not any(not all(map(_is_blank, row)) for row in rows):
                raise DataError(f'Sheet "{sheet_name}" in {path.name} is empty.')
            return sheets, sheet_name, rows
        for sheet_name in sheets:
            rows = _sheet_rows(path, workbook, sheet_name)
            if any(not all(map(_is_blank, row)) for row in rows):
                return sheets, sheet_name, rows
        raise DataError(f"{path.name} has no data: every sheet is empty.")
    finally:
        workbook.close()


def _match_sheet(path: Path, sheets: list[str], sheet: str) -> str:
    if sheet in sheets:
        return sheet
    loose = [name for name in sheets if name.strip().casefold() == str(sheet).strip().casefold()]
    if len(loose) == 1:
        return loose[0]
    raise DataError(f'Sheet "{sheet}" not found in {path.name}; its sheets are: {", ".join(sheets)}.')


def _sheet_rows(path: Path, workbook, sheet_name: str) -> list[list]:
    worksheet = workbook[sheet_name]
    if not hasattr(worksheet, "iter_rows"):  # a chart sheet
        return []
    try:
        # Stored dimensions can be wrong or huge (whole formatted columns); read what is there.
        worksheet.reset_dimensions()
        return [list(row) for row in worksheet.iter_rows(values_only=True)]
    except Exception as error:
        raise DataError(
            f'Sheet "{sheet_name}" in {path.name} could not be read: the file is damaged.'
        ) from error


def _decode_text(path: Path, content: bytes) -> str:
    if content.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return content.decode("utf-16")
        except UnicodeDecodeError:
            raise DataError(f"{path.name} could not be read: its UTF-16 text is damaged.") from None
    # utf-8-sig reads plain UTF-8 and drops a byte order mark; latin-1 decodes any bytes at all.
    for encoding in ("utf-8-sig", "cp1252", "latin-1"):
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise AssertionError("latin-1 decodes every byte")  # pragma: no cover


def _read_clean_text_table(path: Path, head_bytes: bytes) -> Table | None:
    """The fast path for a UTF-8 text table that needs no repair (see :mod:`.clean_csv`), or
    ``None`` to read it cell by cell. ``head_bytes`` are the file's first bytes."""
    if head_bytes.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or b"\x00" in head_bytes:
        return None
    try:
        # Enough characters for the same sniffing as on the whole text; a cut character waits.
        head = codecs.getincrementaldecoder("utf-8-sig")().decode(head_bytes)
    except UnicodeDecodeError:
        return None  # cp1252 or latin-1: the careful reader decodes it
    if _MARKUP_START.match(head):
        return None
    first_line, newline, _ = head.partition("\n")
    first_line = first_line.removesuffix("\r")
    if not newline or not first_line.strip() or '"' in first_line or "\r" in first_line:
        return None  # no single-line header to take as it is
    delimiter = _sniff_delimiter(head, _PREFERRED_DELIMITER.get(path.suffix.lower(), ","))
    header = first_line.split(delimiter)
    if not any(field.strip() for field in header):
        return None
    decimal_mark = "."
    if delimiter != ",":
        try:
            sample = csv.reader(io.StringIO(head[: head.rindex("\n")], newline=""), delimiter=delimiter)
            decimal_mark = _guess_decimal_mark(list(sample), delimiter)
        except csv.Error:
            return None
    body = parse_clean_text(path, "utf-8", delimiter, decimal_mark, len(header))
    if body is None:
        return None
    kept, names = _named_columns(header, body.blank_columns)
    frame = body.frame
    reader = _CellReader(decimal_mark)
    for j, cells in body.text_columns.items():
        if j in kept:
            values = reader.column(cells.distinct + [None])[cells.codes]  # code -1: the None
            frame[j] = pd.Series(values, dtype=values.dtype)  # object stays object (not pandas str)
    frame = frame.iloc[:, kept] if len(kept) < len(header) else frame
    frame.columns = names
    return Table(frame, path, None, [], body.row_numbers)


def _read_text_rows(path: Path, content: bytes) -> tuple[list[list[str]], str]:
    text = _decode_text(path, content)
    if "\x00" in text:
        raise DataError(f"{path.name} does not look like a text table: it contains binary data.")
    if _MARKUP_START.match(text):
        # Some web sites export "Excel" files that are really web pages.
        raise DataError(
            f"{path.name} is a web page or XML file, not a table; open it in Excel and save it "
            f"as .xlsx or .csv."
        )
    delimiter = _sniff_delimiter(text, _PREFERRED_DELIMITER.get(path.suffix.lower(), ","))
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        return list(reader), delimiter
    except csv.Error as error:
        raise DataError(
            f"{path.name} could not be read near line {reader.line_num}: a cell is too long or a "
            f"quote mark is not closed."
        ) from error


def _sniff_delimiter(text: str, preferred: str) -> str:
    """Pick the delimiter that splits the header into most columns with the rows agreeing."""
    sample = text[:_SNIFF_CHARS]
    if len(text) > _SNIFF_CHARS and "\n" in sample:
        sample = sample[: sample.rindex("\n")]  # a cut last line would skew the counts
    best, best_score = preferred, (0.0, 1, 0)
    for delimiter in _DELIMITERS:
        try:
            rows = [row for row in csv.reader(io.StringIO(sample, newline=""), delimiter=delimiter) if row]
        except csv.Error:
            continue
        rows = rows[:_SNIFF_ROWS]
        if not rows or len(rows[0]) < 2:
            continue
        agreement = sum(len(row) == len(rows[0]) for row in rows) / len(rows)
        score = (round(agreement, 2), len(rows[0]), delimiter == preferred)
        if score > best_score:
            best, best_score = delimiter, score
    return best


def _guess_decimal_mark(rows: list[list[str]], delimiter: str) -> str:
    """``","`` when a file not separated by commas writes most decimals with a comma (1,5)."""
    if delimiter == ",":
        return "."
    comma_votes = dot_votes = 0
    for row in rows[1:]:
        for cell in row:
            cell = cell.strip()
            if _COMMA_DECIMAL_LOOK.fullmatch(cell):
                comma_votes += 1
            elif _DOT_DECIMAL_LOOK.fullmatch(cell) and not _DOT_THOUSANDS_LOOK.fullmatch(cell):
                dot_votes += 1
    return "," if comma_votes > dot_votes else "."


def _check_row_lengths(rows: list[list[str]], file_name: str, delimiter: str) -> None:
    header_number = next((n for n, row in enumerate(rows, start=1) if not all(map(_is_blank, row))), None)
    if header_number is None:
        return
    width = len(rows[header_number - 1])
    for number in range(header_number + 1, len(rows) + 1):
        row = rows[number - 1]
        if len(row) > width and not all(map(_is_blank, row[width:])):
            raise DataError(
                f"Row {number} of {file_name} has {len(row)} values but the header (row {header_number}) "
                f"names {width} columns; a value may contain the separator "
                f"({_DELIMITER_NAMES[delimiter]}), so put it in quotes, or add the missing header."
            )
