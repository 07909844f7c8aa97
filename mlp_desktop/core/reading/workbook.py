"""Reading workbooks (``.xlsx``, ``.xlsm``, ``.xlsb``, ``.xls``, ``.ods``) with python-calamine.

python-calamine is a Rust reader: 200,000 x 50 numbers in about 5 s where openpyxl (pandas'
default) takes about 90 s. It was chosen over fastexcel (built on the same Rust crate and ~2x faster
at parsing) because it hands back each cell's own Python type (a number stored as text stays text,
a date stays a date: the column typing needs to see both) and needs no pyarrow (a 100+ MB
dependency). Rows are packed into per-column arrays in chunks, so Python objects for the whole
sheet never exist at once.

Hidden sheets are skipped unless named; formulas saved without their results (files written by
scripts) are found by scanning the sheet's XML, which calamine cannot report.
"""

from __future__ import annotations

import gc
import html
import re
import zipfile
from pathlib import Path

import numpy as np
from pandas.api.types import infer_dtype

from ..errors import DataError
from .archive import check_zip_file
from .build import RawTable

__all__ = ["list_workbook_sheets", "read_workbook"]

_CHUNK_ROWS = 16_384
_SCAN_BYTES = 4 * 2**20
_FORMULA_WITHOUT_RESULT = re.compile(
    rb'<c r="([A-Z]{1,3})(\d+)"[^>]*>\s*<f([^>]*?)(?:/>|>([^<]*)</f>)\s*(?:<v\s*/>|<v>\s*</v>)?\s*</c>'
)
_DAMAGED = "could not be opened as an Excel workbook: the file is damaged or not a spreadsheet"


def _open(path: Path, kind: str):
    from python_calamine import CalamineWorkbook

    if kind == "zip":
        check_zip_file(path)
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
        if not ({"xl/workbook.xml", "xl/workbook.bin", "content.xml"} & names):
            raise DataError(f"{path.name} is a zip archive, not a workbook: open it in its own program and save "
                            f"it as .xlsx or .csv.")
    try:
        return CalamineWorkbook.from_path(str(path))
    except Exception as error:  # calamine's errors (zip, XML, password) mean the same to a user
        text = str(error).lower()
        if kind == "ole" or "password" in text or "encrypt" in text:
            raise DataError(
                f"{path.name} is a damaged or password-protected workbook; open it in Excel, remove any "
                f"password and save it as .xlsx."
            ) from None
        raise DataError(f"{path.name} {_DAMAGED}.") from None


def list_workbook_sheets(path: Path, kind: str) -> list[str]:
    workbook = _open(path, kind)
    try:
        return list(workbook.sheet_names)
    finally:
        workbook.close()


def read_workbook(path: Path, kind: str, sheet: str | None) -> RawTable:
    """Read one sheet: the one named, else the first visible worksheet with any value."""
    workbook = _open(path, kind)
    try:
        metadata = list(workbook.sheets_metadata)
        sheets = [item.name for item in metadata]
        from python_calamine import SheetTypeEnum, SheetVisibleEnum

        hidden = [item.name for item in metadata if item.visible != SheetVisibleEnum.Visible]
        charts = [item.name for item in metadata if item.typ == SheetTypeEnum.ChartSheet]
        notes = []
        if sheet is not None:
            name = _match_sheet(path, sheets, sheet)
            if name in charts:
                raise DataError(f'Sheet "{name}" in {path.name} is a chart, not a table of data.')
            raw = _read_sheet(path, workbook, name, sheets)
            if raw is None:
                raise DataError(f'Sheet "{name}" in {path.name} is empty.')
            if name in hidden:
                notes.append(f'Sheet "{name}" is hidden in {path.name}; it was read because it was chosen.')
        else:
            raw = None
            for name in sheets:
                if name in hidden or name in charts:
                    continue
                raw = _read_sheet(path, workbook, name, sheets)
                if raw is not None:
                    break
            if raw is None:
                filled = [name for name in hidden if name not in charts and _read_sheet(path, workbook, name, sheets)]
                if filled:
                    raise DataError(f"{path.name} has no data in its visible sheets; its hidden sheet "
                                    f'"{filled[0]}" has: choose it by name to read it.')
                raise DataError(f"{path.name} has no data: every sheet is empty.")
            skipped = [item for item in hidden if sheets.index(item) < sheets.index(name)]
            if len(sheets) > 1:
                notes.append(f'Read sheet "{name}" of {path.name} (the first visible sheet with data).')
            if skipped:
                notes.append(f"Skipped hidden sheet{'s' if len(skipped) > 1 else ''} "
                             f"{', '.join(f'{s!r}'.replace(chr(39), chr(34)) for s in skipped)}.")
        raw.notes = notes + raw.notes
    finally:
        workbook.close()
    if kind == "zip" and path.suffix.lower() != ".ods" and _worth_scanning(path, raw):
        raw.formulas = _formulas_without_results(path, raw.sheet)
    return raw


def _match_sheet(path: Path, sheets: list[str], sheet: str) -> str:
    if sheet in sheets:
        return sheet
    loose = [name for name in sheets if name.strip().casefold() == str(sheet).strip().casefold()]
    if len(loose) == 1:
        return loose[0]
    raise DataError(f'Sheet "{sheet}" not found in {path.name}; its sheets are: {", ".join(sheets)}.')


def _is_blank_row(row: list) -> bool:
    return all(cell is None or (isinstance(cell, str) and not cell.strip()) for cell in row)


def _read_sheet(path: Path, workbook, name: str, sheets: list[str]) -> RawTable | None:
    """The sheet's header and columns, or ``None`` when it has no value at all."""
    try:
        sheet = workbook.get_sheet_by_name(name)
        start = sheet.start
        if start is None:
            return None
        rows = sheet.iter_rows()
        header, header_row = None, 0
        for number, row in enumerate(rows, start=1):
            if not _is_blank_row(row):
                header, header_row = list(row), number
                break
        if header is None:
            return None
        width = len(header)
        n_expected = max(int(sheet.end[0]) + 1 - header_row, 0) if sheet.end is not None else 0
        columns = _Columns(width, n_expected)
        chunk: list[list] = []
        # Millions of new row lists would start the cyclic garbage collector again and again, each
        # time walking every live object: a third of the time, for nothing (rows hold no cycles).
        collecting = gc.isenabled()
        gc.disable()
        try:
            for row in rows:
                if len(row) != width:
                    row = (list(row) + [""] * width)[:width]
                chunk.append(row)
                if len(chunk) == _CHUNK_ROWS:
                    columns.add(chunk)
                    chunk = []
            if chunk:
                columns.add(chunk)
        finally:
            if collecting:
                gc.enable()
        del rows, sheet  # calamine's copy of the sheet goes before the table is built
    except DataError:
        raise
    except MemoryError:
        raise
    except Exception as error:
        raise DataError(f'Sheet "{name}" in {path.name} could not be read: the file is damaged ({error}).') from None
    n_rows = columns.n_rows
    columns = columns.finish()
    first_column = int(start[1]) + 1
    row_numbers = np.arange(header_row + 1, header_row + 1 + n_rows, dtype=np.int64)
    return RawTable(path=path, sheet=name, sheets=sheets, header=[_header_cell(c) for c in header],
                    columns=columns, row_numbers=row_numbers,
                    positions=list(range(first_column, first_column + width)),
                    decimal_mark=".", from_text=False, header_row=header_row)


def _header_cell(cell):
    return None if isinstance(cell, str) and not cell.strip() else cell


_NUMBER_KINDS = ("floating", "integer", "mixed-integer-float", "empty")


def _as_numbers(cells: np.ndarray) -> np.ndarray | None:
    """``float64`` when every cell is a number or empty (calamine's ``""``), else ``None``.
    ``infer_dtype`` looks at the cells in C: no Python call per cell on the common path."""
    kind = infer_dtype(cells, skipna=False)
    if kind not in _NUMBER_KINDS:
        if kind not in ("mixed", "string"):
            return None
        empty = cells == ""
        if not empty.any():
            return None
        cells = cells.copy()
        cells[empty] = np.nan
        if infer_dtype(cells, skipna=True) not in _NUMBER_KINDS:
            return None
    try:
        return cells.astype(np.float64)
    except (OverflowError, TypeError, ValueError):  # a Python int beyond float range: typed later
        return None


class _Columns:
    """The sheet's columns, filled a chunk of rows at a time: ``float64`` while every cell is a number
    or empty (written in place into arrays sized from the sheet's dimensions), ``object`` from the
    first other cell on (empty cells as ``None``)."""

    def __init__(self, width: int, n_expected: int):
        self.arrays: list[np.ndarray] = [np.empty(n_expected) for _ in range(width)]
        self.n_rows = 0

    def add(self, chunk: list[list]) -> None:
        start, stop = self.n_rows, self.n_rows + len(chunk)
        block = np.empty((len(chunk), len(self.arrays)), dtype=object)
        block[:] = chunk
        for j in range(len(self.arrays)):
            array = self.arrays[j]
            if len(array) < stop:  # the dimensions were wrong: grow
                grown = np.empty(max(stop, 2 * len(array)), dtype=array.dtype)
                grown[: len(array)] = array
                array = self.arrays[j] = grown
            cells = block[:, j]
            if array.dtype == np.float64:
                numbers = _as_numbers(cells)
                if numbers is not None:
                    array[start:stop] = numbers
                    continue
                array = self.arrays[j] = _as_object(array, start)
            cells = cells.copy()
            cells[cells == ""] = None
            array[start:stop] = cells
        self.n_rows = stop

    def finish(self) -> list[np.ndarray]:
        return [array[: self.n_rows] if len(array) != self.n_rows else array for array in self.arrays]


def _as_object(array: np.ndarray, filled: int) -> np.ndarray:
    out = np.empty(len(array), dtype=object)
    values = array[:filled]
    out[:filled] = values
    out[:filled][np.isnan(values)] = None
    return out


SCAN_ALWAYS_BYTES = 8 * 2**20
"""Workbooks up to this size are always scanned for formulas without results (a few ms)."""
SCAN_BLANK_SHARE = 0.02


def _worth_scanning(path: Path, raw: RawTable) -> bool:
    """Formulas saved without results read as empty cells. A small file is always scanned; a large
    one (where inflating the sheet again costs a second) only when a column has more than 2 % empty
    cells: scripts write formulas for whole columns, and a 200,000-row file with a few missing values
    is not scanned for nothing."""
    columns = raw.columns
    if not columns or not len(raw.row_numbers):
        return False
    if path.stat().st_size <= SCAN_ALWAYS_BYTES:
        return True
    limit = SCAN_BLANK_SHARE * len(raw.row_numbers)
    for column in columns:
        blanks = np.isnan(column).sum() if column.dtype == np.float64 else np.equal(column, None).sum()
        if blanks > limit:
            return True
    return False


def _sheet_part(archive: zipfile.ZipFile, sheet: str) -> str | None:
    """The zip member holding ``sheet``'s cells, from the workbook's relationships."""
    try:
        workbook = archive.read("xl/workbook.xml").decode("utf-8", errors="replace")
        rels = archive.read("xl/_rels/workbook.xml.rels").decode("utf-8", errors="replace")
    except KeyError:
        return None
    rel_id = None
    for found in re.finditer(r"<(?:\w+:)?sheet\b([^>]*)/?>", workbook):
        attributes = found.group(1)
        name = re.search(r'\bname="([^"]*)"', attributes)
        if name and html.unescape(name.group(1)) == sheet:
            rid = re.search(r'\br:id="([^"]*)"|\bid="([^"]*)"', attributes)
            rel_id = rid and (rid.group(1) or rid.group(2))
            break
    if rel_id is None:
        return None
    for found in re.finditer(r"<Relationship\b([^>]*)/?>", rels):
        attributes = found.group(1)
        if re.search(rf'\bId="{re.escape(rel_id)}"', attributes):
            target = re.search(r'\bTarget="([^"]*)"', attributes)
            if target:
                target = target.group(1)
                return target.lstrip("/") if target.startswith("/") else "xl/" + target
    return None


def _formulas_without_results(path: Path, sheet: str) -> dict[int, list[tuple[int, str]]]:
    """``{column position: [(row, formula)]}`` for the sheet's formulas that have no saved value."""
    found: dict[int, list[tuple[int, str]]] = {}
    try:
        with zipfile.ZipFile(path) as archive:
            part = _sheet_part(archive, sheet)
            if part is None or part not in archive.namelist():
                return {}
            with archive.open(part) as stream:
                tail = b""
                while True:
                    data = stream.read(_SCAN_BYTES)
                    if not data:
                        break
                    buffer = tail + data
                    end = buffer.rfind(b"</c>")
                    if end < 0:
                        tail = buffer[-65536:]
                        continue
                    end += 4
                    if b"<f" in buffer[:end]:
                        for match in _FORMULA_WITHOUT_RESULT.finditer(buffer, 0, end):
                            letters, row, attributes, formula = match.groups()
                            position = 0
                            for letter in letters.decode():
                                position = position * 26 + ord(letter) - 64
                            text = formula.decode("utf-8", errors="replace") if formula else ""
                            text = "=" + _unescape(text) if text else "(a shared formula)"
                            found.setdefault(position, []).append((int(row), text))
                    tail = buffer[end:]
    except (zipfile.BadZipFile, OSError, EOFError, KeyError):
        return {}
    return found


def _unescape(text: str) -> str:
    return html.unescape(text)
