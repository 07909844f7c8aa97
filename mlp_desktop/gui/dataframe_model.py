"""A read-only Qt table model over a pandas DataFrame, for previewing a spreadsheet.

The model keeps one NumPy array per column (views of the frame's own data, no copy for number
columns) and formats a cell only when the view asks for it, so a 100,000-row file loads without
any per-row or per-cell Python work. Row headers show the spreadsheet row numbers.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor, QFont

from ..core.lazy import pd
from .plots import style as plot_style

Index = QModelIndex | QPersistentModelIndex

@dataclass(frozen=True)
class CellTints:
    """The table's colours in one theme: the target column's tint (inputs stay plain), empty and
    unreadable cells, the text on a tint (``None``: the palette's), and an ignored column's text."""

    target: QBrush
    missing: QBrush
    bad: QBrush
    text_on_tint: QBrush | None
    ignored_text: QBrush


TINTS = {
    "light": CellTints(QBrush(QColor("#e3f0fb")), QBrush(QColor("#fff6d5")), QBrush(QColor("#fbd9d6")),
                       QBrush(QColor("#1a1a1a")), QBrush(QColor("#9e9e9e"))),
    # Dark tints under the palette's light text: the light ones glared in a dark window.
    "dark": CellTints(QBrush(QColor("#1d3850")), QBrush(QColor("#4a3f1c")), QBrush(QColor("#5a2626")),
                      None, QBrush(QColor("#8a8a8a"))),
}


def tints() -> CellTints:
    """The colours of the theme in force (``plots.style`` knows which)."""
    return TINTS["dark" if plot_style.is_dark() else "light"]


_DISPLAY = int(Qt.ItemDataRole.DisplayRole)
_ALIGNMENT = int(Qt.ItemDataRole.TextAlignmentRole)
_BACKGROUND = int(Qt.ItemDataRole.BackgroundRole)
_FOREGROUND = int(Qt.ItemDataRole.ForegroundRole)
_TOOLTIP = int(Qt.ItemDataRole.ToolTipRole)
_CELL_ROLES = frozenset([_DISPLAY, _ALIGNMENT, _BACKGROUND, _FOREGROUND, _TOOLTIP])
_RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
_LEFT = int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
_CELL_FLAGS = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

ROLE_NAMES = {"input": "input", "target": "target (the value to predict)", "ignore": "ignored"}


def format_cell(value: Any) -> str:
    """The text of one cell: numbers in their shortest exact-enough form, missing as ``""``."""
    if value is None:
        return ""
    if isinstance(value, float):
        if math.isnan(value):
            return ""
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return f"{value:.10g}"
    return str(value)


def is_missing(value: Any) -> bool:
    """True for an empty cell (``None`` or ``NaN``)."""
    return value is None or (isinstance(value, float) and math.isnan(value))


class DataFrameModel(QAbstractTableModel):
    """Show a DataFrame in a ``QTableView``; cells are formatted lazily in :meth:`data`.

    Parameters
    ----------
    frame : the data; ``None`` for an empty model.
    row_numbers : ``(n_rows,)`` spreadsheet row numbers shown as row headers; ``None`` counts
        from 1.
    """

    def __init__(self, frame: pd.DataFrame | None = None, row_numbers: np.ndarray | None = None,
                 parent=None):
        super().__init__(parent)
        self._names: list[str] = []
        self._columns: list[np.ndarray] = []
        self._numeric: list[bool] = []
        self._row_numbers: np.ndarray | None = None
        self._n_rows = 0
        self._roles: dict[str, str] = {}
        self._bad_cells: dict[tuple[int, int], str] = {}
        self._bold = QFont()
        self._bold.setBold(True)
        if frame is not None:
            self.set_frame(frame, row_numbers)

    # -- content -------------------------------------------------------------------------------
    def set_frame(self, frame: pd.DataFrame | None, row_numbers: np.ndarray | None = None) -> None:
        """Show ``frame`` (``None`` clears). Costs one array view per column, nothing per row."""
        if frame is None:
            self._show([], [], 0, None)
        else:  # (iloc: 4x slower)
            self._show(list(frame.columns), [column.to_numpy() for _, column in frame.items()], len(frame),
                       row_numbers)

    def set_columns(self, columns: dict[str, np.ndarray], n_rows: int, row_numbers: np.ndarray | None = None
                    ) -> None:
        """Show column arrays (a table's ``columns``: no pandas), as :meth:`set_frame` shows a frame."""
        self._show(list(columns), list(columns.values()), n_rows, row_numbers)

    def _show(self, names: list, columns: list[np.ndarray], n_rows: int, row_numbers: np.ndarray | None) -> None:
        self.beginResetModel()
        self._names = [str(name) for name in names]
        self._columns = columns
        self._numeric = [column.dtype.kind in "fiu" for column in self._columns]
        self._n_rows = n_rows
        self._row_numbers = None if row_numbers is None else np.asarray(row_numbers)
        self._roles = {}
        self._bad_cells = {}
        self.endResetModel()

    def set_column_roles(self, roles: dict[str, str]) -> None:
        """Tint columns by role: ``{"name": "input" | "target" | "ignore"}``."""
        self._roles = dict(roles)
        self.recolour()

    def set_bad_cells(self, cells: dict[tuple[int, int], str]) -> None:
        """Highlight cells that stop training: ``{(row, column): reason}`` (frame positions)."""
        self._bad_cells = dict(cells)
        self.recolour()

    def recolour(self) -> None:
        """Have the views draw every cell's colours again (new roles or bad cells, another theme)."""
        if self._n_rows and self._names:
            self.dataChanged.emit(self.index(0, 0), self.index(self._n_rows - 1, len(self._names) - 1))
        if self._names:
            self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, len(self._names) - 1)

    def column_names(self) -> list[str]:
        return list(self._names)

    # -- QAbstractTableModel -------------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else self._n_rows

    def columnCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._names)

    def flags(self, index: Index) -> Qt.ItemFlag:
        return _CELL_FLAGS if index.isValid() else Qt.ItemFlag.NoItemFlags

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        # Called for every visible cell and role on each repaint: plain int comparisons and
        # precomputed values keep a page of a 200,000-row table quick to scroll.
        role = int(role)
        if role not in _CELL_ROLES or not index.isValid():
            return None
        row, column = index.row(), index.column()
        if role == _DISPLAY:
            return format_cell(self._columns[column][row])
        if role == _ALIGNMENT:
            return _RIGHT if self._numeric[column] else _LEFT
        if role == _BACKGROUND:
            return self._background(row, column)
        if role == _FOREGROUND:
            if self._roles.get(self._names[column]) == "ignore":
                return tints().ignored_text
            return tints().text_on_tint if self._background(row, column) is not None else None
        reason = self._bad_cells.get((row, column))  # the tooltip
        if reason is not None:
            return reason
        return "This cell is empty." if is_missing(self._columns[column][row]) else None

    def _background(self, row: int, column: int) -> QBrush | None:
        if (row, column) in self._bad_cells:
            return tints().bad
        role = self._roles.get(self._names[column], "")
        if role != "ignore" and is_missing(self._columns[column][row]):
            return tints().missing
        return tints().target if role == "target" else None

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal:
            if not 0 <= section < len(self._names):
                return None
            name = self._names[section]
            if role == Qt.ItemDataRole.DisplayRole:
                return name
            if role == Qt.ItemDataRole.ToolTipRole:
                role_name = ROLE_NAMES.get(self._roles.get(name, ""))
                return f'Column "{name}"' + (f": {role_name}" if role_name else "")
            if role == Qt.ItemDataRole.FontRole and self._roles.get(name) == "target":
                return self._bold
            if role == Qt.ItemDataRole.ForegroundRole and self._roles.get(name) == "ignore":
                return tints().ignored_text
            return None
        if not 0 <= section < self._n_rows:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            if self._row_numbers is None:
                return str(section + 1)
            return str(int(self._row_numbers[section]))
        if role == Qt.ItemDataRole.ToolTipRole:
            return "Row number in the spreadsheet"
        return None
