"""What reading a file gives: a :class:`Table` and the :class:`ColumnInfo` of each column."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from ..lazy import pd

__all__ = ["KIND_NUMERIC", "KIND_CATEGORICAL", "KIND_EMPTY", "ColumnInfo", "Table", "column_letter"]

KIND_NUMERIC, KIND_CATEGORICAL, KIND_EMPTY = "numeric", "categorical", "empty"


def column_letter(position: int) -> str:
    """Excel's name of a 1-based column number: 1 -> ``A``, 27 -> ``AA``."""
    letters = ""
    while position > 0:
        position, remainder = divmod(position - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters or "A"


@dataclass
class ColumnInfo:
    """What a column holds.

    ``kind`` is ``"numeric"``, ``"categorical"`` (text values) or ``"empty"``. A numeric column may
    still hold a few text cells (``bad_cells``: frame position and text), which are typing errors
    reported when the column is used.

    ``read_as`` says in a word or two how the cells were read (``"numbers"``, ``"text"``,
    ``"currency amounts"``, ``"percentages"``, ``"dates"``, ``"times of day"``, ``"numbers stored as
    text"``, ``"thousands-separated numbers"``, ``"empty"``); ``note`` is one plain sentence for the
    user whenever the cells were converted or something needs checking (``""`` otherwise).
    ``unsaved_formulas`` lists ``(cell, formula)`` for cells holding a formula saved without its
    result (a workbook written by a script); those cells read as missing.
    """

    name: str
    kind: str
    n_missing: int
    categories: list[str] = field(default_factory=list)
    n_values: int = 0
    minimum: float | None = None
    maximum: float | None = None
    bad_cells: list[tuple[int, str]] = field(default_factory=list)
    read_as: str = ""
    note: str = ""
    unsaved_formulas: list[tuple[str, str]] = field(default_factory=list)

    def copy(self) -> "ColumnInfo":
        """A shallow copy (the lists are shared)."""
        duplicate = object.__new__(ColumnInfo)
        duplicate.__dict__.update(self.__dict__)
        return duplicate


@dataclass(eq=False)
class Table:
    """A file as read, before roles.

    ``columns`` maps the cleaned header names to the column arrays: number columns are ``float64``
    (missing = ``NaN``), other columns are ``object`` holding ``float``, ``str`` or ``None``.
    ``frame`` is the same as a pandas frame, made when first asked for (it shares the arrays; the
    window's first frame is built from ``columns`` alone, without importing pandas). A table is not
    changed after reading, so the two never disagree. ``row_numbers[i]`` is the spreadsheet row of
    row ``i`` (header = row 1).

    ``notes`` are plain sentences about how the file was read (the sheet used, hidden sheets
    skipped, a ``sep=`` line, spaces as separators, converted columns); ``warnings`` are sentences the
    user should check (no header?, a header over two rows, formulas without results). Both are lists
    of ``str`` for the GUI and the command line to show. ``column_positions[j]`` is the 1-based
    column of column ``j`` in the file (``None``: position ``j + 1``).
    """

    columns: dict[str, np.ndarray]
    path: Path
    sheet: str | None
    sheets: list[str]
    row_numbers: np.ndarray
    notes: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    column_positions: list[int] | None = None
    _column_info: list | None = field(default=None, init=False, repr=False)
    _frame: pd.DataFrame | None = field(default=None, init=False, repr=False)

    @property
    def frame(self) -> pd.DataFrame:
        """:attr:`columns` as a pandas frame (``RangeIndex``), made when first asked for."""
        if self._frame is None:
            from .build import frame_from_columns

            self._frame = frame_from_columns(self.columns, self.n_rows)
        return self._frame

    @property
    def n_rows(self) -> int:
        return len(self.row_numbers)

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

        ``index`` is the position of the row in the table.
        """
        place = f'row {int(self.row_numbers[index])}, column "{column}"'
        return place if self.sheet is None else f'sheet "{self.sheet}", {place}'

    def cell_name(self, index: int, column: str) -> str:
        """The cell as Excel names it: ``C14`` (``index``: the row's position in the table)."""
        position = list(self.columns).index(column)
        if self.column_positions is not None and position < len(self.column_positions):
            position = self.column_positions[position] - 1
        return f"{column_letter(position + 1)}{int(self.row_numbers[index])}"

    def copy_infos(self) -> list | None:
        # (copy.copy of 785 infos took 28 ms: it goes through pickling's protocol)
        return None if self._column_info is None else [info.copy() for info in self._column_info]
