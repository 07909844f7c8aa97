"""From what a reader found (:class:`RawTable`) to a :class:`~.table.Table`: blank rows and
columns dropped, header names cleaned, each column typed, and the header checked (no header? a
header over two rows?)."""

from __future__ import annotations

import datetime
import math
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..errors import DataError
from . import values as V
from ..lazy import pd
from .columns import label, type_column
from .table import KIND_NUMERIC, ColumnInfo, Table, column_letter

__all__ = ["RawTable", "build_table", "unique_names", "header_text", "frame_from_columns", "quoted",
           "cell_summary"]

_CELLS_SHOWN = 5
_TEXT_SHOWN = 40
_WHITESPACE_RUN = re.compile(r"\s+")
_DIGIT = re.compile(r"\d")


@dataclass
class RawTable:
    """A reader's findings: the header row's cells and the body's columns (``float64`` arrays or
    ``object`` arrays of raw cells), with the spreadsheet row of each body row and the 1-based
    position of each column. ``formulas`` maps a column position to ``[(row, formula)]`` for the
    cells holding a formula saved without its result."""

    path: Path
    sheet: str | None
    sheets: list[str]
    header: list
    columns: list[np.ndarray]
    row_numbers: np.ndarray
    positions: list[int]
    decimal_mark: str = "."
    from_text: bool = True
    notes: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    formulas: dict[int, list[tuple[int, str]]] = field(default_factory=dict)
    delimiter: str | None = None
    header_row: int = 1


def quoted(text: str) -> str:
    """A cell's text for a one-line message: quoted, line breaks shown as \\n, long texts cut."""
    shown = str(text).replace("\r", "\\r").replace("\n", "\\n").replace("\t", "\\t")
    if len(shown) > _TEXT_SHOWN:
        shown = shown[: _TEXT_SHOWN - 1] + "…"
    return f'"{shown}"'


def cell_summary(cells: list[str], total: int | None = None) -> str:
    total = len(cells) if total is None else total
    listed = ", ".join(cells[:_CELLS_SHOWN])
    more = total - min(len(cells), _CELLS_SHOWN)
    return f"{listed} (and {more:,} more)" if more > 0 else listed


def header_text(value: object) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, (float, int)):
        return label(float(value))
    if isinstance(value, datetime.datetime):
        if value.time() == datetime.time(0) and value.tzinfo is None:
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, (datetime.date, datetime.time)):
        return value.isoformat()
    return _WHITESPACE_RUN.sub(" ", str(value)).strip()


def unique_names(headers: list[str], positions: list[int] | None = None) -> list[str]:
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
            number = 2
            while f"{base} ({number})" in taken:
                number += 1
            name = f"{base} ({number})"
            taken.add(name)
        names.append(name)
    return names


def frame_from_columns(columns: dict[str, np.ndarray], n_rows: int) -> pd.DataFrame:
    # Explicit object Series: pandas 3 would otherwise turn all-text columns into its str dtype
    # (number columns go in as they are: a Series each cost 30 ms for 785 columns).
    # copy=False: no second copy of the numbers into one block (a 200,000 x 50 table: 80 MB, 0.1 s).
    return pd.DataFrame(
        {name: pd.Series(values, dtype=values.dtype, copy=False) if values.dtype == object else values
         for name, values in columns.items()},
        index=pd.RangeIndex(n_rows), copy=False,
    )


def blank_mask(column: np.ndarray, factorized: tuple[np.ndarray, np.ndarray] | None = None) -> np.ndarray:
    """True where a cell is empty: ``None``, NaN, or text of spaces only (``factorized``:
    ``pandas.factorize(column)``, when the caller has it)."""
    if column.dtype == np.float64:
        return np.isnan(column)
    codes, distinct = factorized if factorized is not None else pd.factorize(column, use_na_sentinel=True)
    blank = np.fromiter((isinstance(cell, str) and not cell.strip() for cell in distinct), bool, len(distinct))
    return np.append(blank, True)[codes]  # code -1 (None, NaN) picks the appended True


class _BlankMasks:
    """``masks[j]``: :func:`blank_mask` of column ``j``, computed when first asked for."""

    def __init__(self, columns: list[np.ndarray], factorized: list):
        self.columns, self.factorized = columns, factorized
        self.masks: dict[int, np.ndarray] = {}

    def __getitem__(self, j):
        if isinstance(j, slice):
            return [self[k] for k in range(len(self.columns))[j]]
        if j not in self.masks:
            self.masks[j] = blank_mask(self.columns[j], self.factorized[j])
        return self.masks[j]

    def filled_rows(self, n_rows: int) -> np.ndarray:
        """Rows with any value. Text columns first (factorized already): one without a blank cell
        shows that every row has a value, and the number columns need not be looked at."""
        if not self.columns:
            return np.ones(n_rows, dtype=bool)
        order = sorted(range(len(self.columns)), key=lambda j: self.factorized[j] is None)
        blank = np.ones(n_rows, dtype=bool)
        for j in order:
            blank &= self[j]
            if not blank.any():
                break
        return ~blank


def build_table(raw: RawTable) -> Table:
    """Drop blank rows and columns, name and type the columns, and check the header."""
    where = raw.path.name if raw.sheet is None else f'{raw.path.name}, sheet "{raw.sheet}"'
    header_blank = all(not header_text(cell) for cell in raw.header)
    if header_blank and not raw.columns:
        raise DataError(f"{where} is empty: there is no header row and no data.")
    width = max(len(raw.header), len(raw.columns))
    header = list(raw.header) + [None] * (width - len(raw.header))
    n_rows = len(raw.row_numbers)
    # Text columns are factorized once: for the blank rows here and for their typing below.
    factorized = [None if column.dtype == np.float64 else pd.factorize(column, use_na_sentinel=True)
                  for column in raw.columns]
    blank_columns = _BlankMasks(raw.columns, factorized)
    filled_rows = blank_columns.filled_rows(n_rows)
    if header_blank:
        raise DataError(f"{where} is empty: there is no header row and no data.")
    if raw.delimiter is not None:
        _check_row_lengths(raw, blank_columns, where)
    if not filled_rows.any():
        raise DataError(f"{where} has a header row but no data rows below it.")
    keep_rows = None if filled_rows.all() else filled_rows
    headers = [header_text(cell) for cell in header]
    kept = [j for j in range(len(raw.columns)) if headers[j] or not blank_columns[j].all()]
    positions = [raw.positions[j] for j in kept]
    row_numbers = raw.row_numbers if keep_rows is None else raw.row_numbers[keep_rows]
    cells = [raw.columns[j] if keep_rows is None else raw.columns[j][keep_rows] for j in kept]
    names = unique_names([headers[j] for j in kept], positions)
    factorized = [None if factorized[j] is None else
                  (factorized[j][0] if keep_rows is None else factorized[j][0][keep_rows], factorized[j][1])
                  for j in kept]
    typed = [type_column(name, column, raw.decimal_mark, raw.from_text, found)
             for name, column, found in zip(names, cells, factorized)]

    warnings = list(raw.warnings)
    second = _second_header_row(typed, len(row_numbers))
    if second is not None:
        sub_headers = [header_text(cells[j][0]) if not isinstance(cells[j][0], float) else "" for j in range(len(kept))]
        names = unique_names(_joined_names([headers[j] for j in kept], sub_headers), positions)
        row_numbers = row_numbers[1:]
        cells = [column[1:] for column in cells]
        typed = [type_column(name, column, raw.decimal_mark, raw.from_text) for name, column in zip(names, cells)]
        example = next((name for name, sub in zip(names, sub_headers) if sub), names[0])
        first_row = int(raw.header_row)
        warnings.append(
            f"The column names of {where} span two rows ({first_row} and {first_row + 1}): each name joins "
            f'both rows, such as "{example}". If row {first_row + 1} is data, write all names in one row.'
        )
    elif len(row_numbers) and _header_looks_like_data(header, kept):
        shown = ", ".join(headers[j] for j in kept[:6]) + (", …" if len(kept) > 6 else "")
        warnings.append(
            f"No header? The first row of {where} ({shown}) looks like data, not column names; it is used "
            f"as the column names. Add a row of names above the data if it is data."
        )

    columns = {name: values for name, (values, _) in zip(names, typed)}
    table = Table(columns, raw.path, raw.sheet, raw.sheets, np.asarray(row_numbers, dtype=np.int64),
                  notes=list(raw.notes), warnings=warnings, column_positions=positions)
    infos = [info for _, info in typed]
    _add_formulas(table, raw, infos, positions)
    for info in infos:
        if info.note:
            table.notes.append(f'Column "{info.name}": {info.note}.')
        if info.kind == KIND_NUMERIC and info.bad_cells:
            table.warnings.append(bad_cells_sentence(table, info) + " Correct these cells, or leave the column out.")
    table._column_info = infos
    return table


def bad_cells_sentence(table: Table, info: ColumnInfo) -> str:
    """``Column "b" in data.csv holds numbers, but 2 cells are not numbers: B3 "five", B9 "?x".``"""
    cells = [f"{table.cell_name(index, info.name)} {quoted(text)}" for index, text in info.bad_cells[:_CELLS_SHOWN]]
    n = len(info.bad_cells)
    what = info.read_as if info.read_as in ("dates", "times of day") else "numbers"
    return (f'Column "{info.name}" in {table.location} holds {what}, but {n:,} cell{"s are" if n > 1 else " is"} '
            f'not {"one of them" if what != "numbers" else ("numbers" if n > 1 else "a number")}: '
            f"{cell_summary(cells, n)}.")


def _check_row_lengths(raw: RawTable, blank_columns: list[np.ndarray], where: str) -> None:
    """A text row with values beyond the header's fields: a separator inside a value, most likely."""
    named = len(raw.header)
    extra = blank_columns[named:]
    if not extra:
        return
    overflowing = ~np.logical_and.reduce(extra)
    if not overflowing.any():
        return  # only empty fields beyond the header: what Excel writes for formatted columns
    index = int(np.flatnonzero(overflowing)[0])
    n_values = named + max(k + 1 for k, mask in enumerate(extra) if not mask[index])
    separator = {",": "comma", ";": "semicolon", "\t": "tab", "|": "vertical bar", " ": "space"}.get(
        raw.delimiter, "separator")
    raise DataError(
        f"Row {int(raw.row_numbers[index])} of {where} has {n_values} values but the header (row {raw.header_row}) "
        f"names {named} columns; a value may contain the separator ({separator}), so put it in quotes, "
        f"or add the missing header."
    )


def _header_looks_like_data(header: list, kept: list[int]) -> bool:
    cells = [header[j] for j in kept if header_text(header[j])]
    if not cells:
        return False
    texts = [cell for cell in cells if isinstance(cell, str)]
    numbers = len(cells) - len(texts)
    texts = [text for text in texts if _DIGIT.search(text)]  # every number-like kind has a digit
    if texts:
        kinds = V.parse_texts(texts).kinds
        numbers += int(np.isin(kinds, (V.NUMBER, V.GROUPED, V.CURRENCY, V.PERCENT, V.DATE)).sum())
    return numbers == len(cells) and not all(isinstance(cell, bool) for cell in cells)


def _second_header_row(typed: list, n_rows: int) -> int | None:
    """Row 0 of the body is a second header row when it holds only text, and every number column
    holds text there and numbers below."""
    if n_rows < 3:
        return None
    numeric = [info for _, info in typed if info.kind == KIND_NUMERIC]
    if not numeric:
        return None
    candidates = 0
    for values, info in typed:
        first = values[0]
        if isinstance(first, float) and not math.isnan(first):
            return None  # a number in the row: data
        if info.kind == KIND_NUMERIC:
            if info.bad_cells[:1] == [] or info.bad_cells[0][0] != 0 or len(info.bad_cells) > 1:
                if first is None or (isinstance(first, float) and math.isnan(first)):
                    continue
                return None
            candidates += 1
    return 0 if candidates else None


def _joined_names(top: list[str], sub: list[str]) -> list[str]:
    names, carried = [], ""
    for above, below in zip(top, sub):
        carried = above or (carried if below else "")
        names.append(f"{carried} {below}".strip() if below else above)
    return names


def _add_formulas(table: Table, raw: RawTable, infos: list[ColumnInfo], positions: list[int]) -> None:
    if not raw.formulas:
        return
    for info, position in zip(infos, positions):
        found = raw.formulas.get(position)
        if not found:
            continue
        info.unsaved_formulas = [(f"{column_letter(position)}{row}", formula) for row, formula in found]
        n = len(found)
        cell, formula = info.unsaved_formulas[0]
        table.warnings.append(
            f'Column "{info.name}" in {table.location} holds {n:,} formula{"s" if n > 1 else ""} saved without '
            f"{'their results' if n > 1 else 'its result'} (such as {cell} {quoted(formula)}); those cells read as "
            f"missing. Open the file in Excel or LibreOffice and save it again to store the results."
        )
