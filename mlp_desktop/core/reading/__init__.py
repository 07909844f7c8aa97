"""Reading a user's spreadsheet: one reader, split by job.

* :mod:`.sniffing` — the file's kind, encoding, separator, decimal mark and header line;
* :mod:`.text` — text tables through one pass of pandas' C parser;
* :mod:`.workbook` — ``.xlsx``, ``.xlsm``, ``.xlsb``, ``.xls`` and ``.ods`` through python-calamine;
* :mod:`.archive` — zip archives checked before anything is inflated;
* :mod:`.values` — the one vectorised parse of cell texts (decimal commas, currency, percent, dates);
* :mod:`.columns` — column typing (numbers, dates, text, missing markers) with notes;
* :mod:`.build` — from a reader's rows to a :class:`Table` (header, blank rows, two-row headers);
* :mod:`.dataset` — roles, tasks and the checked :class:`Dataset`.

Every problem a user can cause raises :class:`~mlp_desktop.core.errors.DataError` with one plain
sentence naming the file, the sheet, the cells and the column, counted the way Excel shows them: the
header is row 1, so the first data row is row 2.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from ..errors import DataError
from ..lazy import pd
from .build import build_table, header_text, unique_names
from .columns import type_column
from .dataset import (
    LARGEST_TRAINABLE_VALUE,
    MAX_AUTO_CLASSES,
    SKIP_INCOMPLETE_ADVICE,
    TASKS,
    Dataset,
    Roles,
    column_info,
    default_roles,
    missing_columns,
    prepare_dataset,
    prepare_inputs,
)
from .sniffing import HEAD_BYTES, SUPPORTED_EXTENSIONS, file_kind, read_head
from .table import KIND_CATEGORICAL, KIND_EMPTY, KIND_NUMERIC, ColumnInfo, Table
from .values import MISSING_TOKENS

__all__ = [
    "KIND_CATEGORICAL", "KIND_EMPTY", "KIND_NUMERIC", "LARGEST_TRAINABLE_VALUE", "MAX_AUTO_CLASSES",
    "MISSING_TOKENS", "SKIP_INCOMPLETE_ADVICE", "SUPPORTED_EXTENSIONS", "TASKS", "ColumnInfo", "Dataset", "Roles",
    "Table", "column_info", "default_roles", "is_text_table", "list_sheets", "missing_columns", "prepare_dataset",
    "prepare_inputs", "read_table", "table_from_frame",
]


def _too_large(path: Path) -> DataError:
    return DataError(f"{path.name} is too large to read in the memory available; close other programs, or "
                     f"split the file into smaller ones.")


def read_table(path: str | os.PathLike[str], sheet: str | None = None) -> Table:
    """Read a spreadsheet file into a :class:`Table`.

    Parameters
    ----------
    path : a ``.csv``/``.tsv``/``.txt`` text table or an ``.xlsx``/``.xlsm``/``.xlsb``/``.xls``/``.ods``
        workbook (the bytes decide when they disagree with the extension).
    sheet : the sheet to read from a workbook; ``None`` picks the first visible sheet with any value.
        Ignored for text tables, which have no sheets.

    The first non-blank row is the header. Fully blank rows and blank columns without a header
    are dropped; every other row keeps its spreadsheet row number. ``Table.notes`` and
    ``Table.warnings`` say how the file was read; ``column_info(table)`` how each column was typed.
    """
    path = Path(path)
    try:
        head = read_head(path)
        kind = file_kind(path, head)
        if kind == "text":
            from .text import read_text

            raw = read_text(path, head)
        else:
            from .workbook import read_workbook

            raw = read_workbook(path, kind, sheet)
        return build_table(raw)
    except MemoryError:
        raise _too_large(path) from None


def is_text_table(path: str | os.PathLike[str]) -> bool:
    """Whether ``path`` is a text table (CSV, TSV, TXT), which has no sheets: its bytes decide, as
    :func:`read_table` does."""
    path = Path(path)
    return file_kind(path, read_head(path, HEAD_BYTES)) == "text"


def list_sheets(path: str | os.PathLike[str]) -> list[str]:
    """Return the sheet names of a workbook (hidden ones too), or ``[]`` for a text table."""
    path = Path(path)
    head = read_head(path, HEAD_BYTES)
    kind = file_kind(path, head)
    if kind == "text":
        return []
    from .workbook import list_workbook_sheets

    try:
        return list_workbook_sheets(path, kind)
    except MemoryError:
        raise _too_large(path) from None


def _is_number_dtype(dtype) -> bool:
    """Numbers, not true/false (pandas counts booleans as numeric)."""
    return pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_bool_dtype(dtype)


def table_from_frame(frame: pd.DataFrame, name: str = "data") -> Table:
    """Wrap in-memory data as a :class:`Table` (row ``i`` is reported as spreadsheet row ``i + 2``).

    Header names are cleaned as for files; cells are typed the same way (numbers to ``float``,
    texts that are numbers to ``float``, missing markers to ``None``/``NaN``). No rows are dropped.
    """
    if not isinstance(frame, pd.DataFrame):
        raise DataError(f"Expected a table of data for {name}; got {type(frame).__name__}.")
    names = unique_names([header_text(value) for value in frame.columns])
    columns: dict[str, np.ndarray] = {}
    infos: list[ColumnInfo] = []
    for position, column_name in enumerate(names):
        series = frame.iloc[:, position]
        if _is_number_dtype(series.dtype):
            try:
                cells = series.to_numpy(dtype=np.float64, na_value=np.nan).copy()
            except (TypeError, ValueError):
                cells = series.to_numpy(dtype=object)
            else:
                cells[~np.isfinite(cells)] = np.nan
        else:
            cells = series.to_numpy(dtype=object)
            cells = np.array([None if cell is pd.NA or cell is pd.NaT else cell for cell in cells], dtype=object)
        values, info = type_column(column_name, cells, from_text=True)
        columns[column_name] = values
        infos.append(info)
    row_numbers = np.arange(2, len(frame) + 2, dtype=np.int64)
    table = Table(columns, Path(name), None, [], row_numbers)
    table._column_info = infos
    for info in infos:
        if info.note:
            table.notes.append(f'Column "{info.name}": {info.note}.')
    return table
