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
import io
import re
import zipfile
from pathlib import Path

import numpy as np

from .. import lazy
from ..errors import DataError
from ..lazy import infer_dtype
from .archive import check_zip_file, open_member, read_member
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
        _refuse_a_lie(path, error)
        text = str(error).lower()
        if kind == "ole" or "password" in text or "encrypt" in text:
            raise DataError(
                f"{path.name} is a damaged or password-protected workbook; open it in Excel, remove any "
                f"password and save it as .xlsx."
            ) from None
        raise DataError(f"{path.name} {_DAMAGED}.") from None


def _refuse_a_lie(path: Path, error: Exception) -> None:
    """calamine stops inflating a part that holds more than its declared size (a hidden zip bomb):
    say so, as :mod:`.archive` does for the parts read here."""
    if "larger than its declared" in str(error):
        raise DataError(f"{path.name} is damaged or unsafe: a part of it holds more than the size it declares; "
                        f"it was not opened.") from None


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
        parts = _SheetParts.open(path, name) if path.suffix.lower() != ".ods" else None
        blocks = iter(parts) if parts is not None else _whole_sheet(workbook, name)
        found = _gather(blocks)
        del blocks, parts  # calamine's copy of the sheet goes before the table is built
    except DataError:
        raise
    except MemoryError:
        raise
    except Exception as error:
        _refuse_a_lie(path, error)
        raise DataError(f'Sheet "{name}" in {path.name} could not be read: the file is damaged ({error}).') from None
    if found is None:
        return None
    header, header_row, columns = found
    n_rows = columns.n_rows
    first_column = columns.first + 1
    width = len(columns.arrays)
    header = ([None] * columns.shift + list(header) + [None] * width)[:width]
    row_numbers = np.arange(header_row + 1, header_row + 1 + n_rows, dtype=np.int64)
    raw = RawTable(path=path, sheet=name, sheets=sheets, header=[_header_cell(c) for c in header],
                   columns=columns.finish(), row_numbers=row_numbers,
                   positions=list(range(first_column, first_column + width)),
                   decimal_mark=".", from_text=False, header_row=header_row)
    return raw


def _whole_sheet(workbook, name: str):
    """The sheet as one block: ``(first row, first column, rows, last row)`` (0-based; calamine's rows
    start at the sheet's first row and its first used column)."""
    sheet = workbook.get_sheet_by_name(name)
    if sheet.start is None:
        return
    yield 0, int(sheet.start[1]), sheet.iter_rows(), int(sheet.end[0]) + 1 if sheet.end is not None else 0


def _gather(blocks) -> tuple[list, int, "_Columns"] | None:
    """The header (the first row that is not blank), its 1-based row, and the columns below it,
    from blocks of rows ``(first row, first column, rows, last row hint)``."""
    header, header_row, columns, next_row, header_block = None, 0, None, 0, False
    # Millions of new row lists would start the cyclic garbage collector again and again, each
    # time walking every live object: a third of the time, for nothing (rows hold no cycles).
    collecting = gc.isenabled()
    gc.disable()
    try:
        for first_row, first_column, rows, last_row in blocks:
            rows = iter(rows)
            if header is None:
                number = first_row
                for row in rows:
                    number += 1
                    if not _is_blank_row(row):
                        header, header_row = list(row), number
                        break
                if header is None:
                    continue
                header_block = True
                columns = _Columns(first_column, len(header), max(last_row - header_row, 0))
                next_row = header_row
            elif first_row > next_row:
                columns.add_blank(first_row - next_row)  # rows with no value between two parts
            next_row = max(next_row, first_row)
            width = len(header) if header_block else None  # rows of one block share their width
            header_block = False
            chunk: list[list] = []
            for row in rows:
                if width is None:
                    width = len(row)
                elif len(row) != width:
                    row = (list(row) + [""] * width)[:width]
                chunk.append(row)
                if len(chunk) == _CHUNK_ROWS:
                    columns.add(chunk, first_column)
                    next_row += len(chunk)
                    chunk = []
            if chunk:
                columns.add(chunk, first_column)
                next_row += len(chunk)
    finally:
        if collecting:
            gc.enable()
    return None if header is None else (header, header_row, columns)


def _header_cell(cell):
    return None if isinstance(cell, str) and not cell.strip() else cell


_NUMBER_KINDS = ("floating", "integer", "mixed-integer-float", "empty")


_FEW_CELLS = 65_536
"""Up to this many cells, a chunk is typed without pandas while pandas is not loaded yet (the start-up
sample): a look at each cell's type costs about 30 ns, importing pandas for ``infer_dtype`` 0.2 s."""


def _as_numbers(cells: np.ndarray) -> np.ndarray | None:
    """``float64`` when every cell is a number or empty (calamine's ``""``), else ``None``."""
    numbers = None
    if not lazy.pandas_loaded() and len(cells) <= _FEW_CELLS:
        numbers = _plain_number_cells(cells)
    if numbers is None:
        numbers = _number_cells(cells)
    if numbers is None:
        return None
    try:
        return numbers.astype(np.float64)
    except (OverflowError, TypeError, ValueError):  # a Python int beyond float range: typed later
        return None


def _number_cells(cells: np.ndarray) -> np.ndarray | None:
    """The cells, empty ones as NaN, when ``infer_dtype`` calls them numbers, else ``None``.
    ``infer_dtype`` looks at the cells in C: no Python call per cell on the common path."""
    kind = infer_dtype(cells, skipna=False)
    if kind in _NUMBER_KINDS:
        return cells
    if kind not in ("mixed", "string"):
        return None
    empty = cells == ""
    if not empty.any():
        return None
    cells = _empty_as_nan(cells, empty)
    return cells if infer_dtype(cells, skipna=True) in _NUMBER_KINDS else None


def _plain_number_cells(cells: np.ndarray) -> np.ndarray | None:
    """:func:`_number_cells` without pandas, for the cases it decides exactly from the cells' Python
    types (``test_the_pandas_free_number_check_agrees_with_infer_dtype``); ``None``: pandas decides."""
    types = set(map(type, cells))
    if types <= {float} or types == {int}:
        return cells
    if types == {float, int}:  # infer_dtype: "integer-na" once a NaN is among whole numbers, not numbers
        return None if any(cell != cell for cell in cells) else cells
    if types <= {float, str} and all(cell == "" for cell in cells if type(cell) is str):
        return _empty_as_nan(cells, cells == "")
    return None


def _empty_as_nan(cells: np.ndarray, empty: np.ndarray) -> np.ndarray:
    cells = cells.copy()
    cells[empty] = np.nan
    return cells


class _Columns:
    """The sheet's columns, filled a chunk of rows at a time: ``float64`` while every cell is a number
    or empty (written in place into arrays sized from the sheet's dimensions), ``object`` from the
    first other cell on (empty cells as ``None``). ``first``: the 0-based sheet column of
    ``arrays[0]``; a chunk reaching further left or right adds empty columns (a sheet read in parts)."""

    def __init__(self, first: int, width: int, n_expected: int):
        self.first, self.shift = first, 0
        self.arrays: list[np.ndarray] = [np.empty(n_expected) for _ in range(width)]
        self.n_rows = 0

    def _blank_column(self) -> np.ndarray:
        column = np.empty(len(self.arrays[0]) if self.arrays else self.n_rows)
        column[: self.n_rows] = np.nan
        return column

    def _cover(self, first: int, width: int) -> None:
        if first < self.first:
            self.arrays[:0] = [self._blank_column() for _ in range(self.first - first)]
            self.shift += self.first - first
            self.first = first
        while first + width > self.first + len(self.arrays):
            self.arrays.append(self._blank_column())

    def _make_room(self, stop: int) -> None:
        for j, array in enumerate(self.arrays):
            if len(array) < stop:  # the dimensions were wrong: grow
                grown = np.empty(max(stop, 2 * len(array)), dtype=array.dtype)
                grown[: len(array)] = array
                self.arrays[j] = grown

    def add_blank(self, n: int) -> None:
        start, stop = self.n_rows, self.n_rows + n
        self._make_room(stop)
        for array in self.arrays:
            array[start:stop] = np.nan if array.dtype == np.float64 else None
        self.n_rows = stop

    def add(self, chunk: list[list], first: int | None = None) -> None:
        first = self.first if first is None else first
        width = len(chunk[0])
        self._cover(first, width)
        start, stop = self.n_rows, self.n_rows + len(chunk)
        self._make_room(stop)
        block = np.empty((len(chunk), width), dtype=object)
        block[:] = chunk
        offset = first - self.first
        for j in range(len(self.arrays)):
            array = self.arrays[j]
            if not offset <= j < offset + width:  # a column this chunk does not reach
                array[start:stop] = np.nan if array.dtype == np.float64 else None
                continue
            cells = block[:, j - offset]
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


PARTS_FROM_BYTES = 48 * 2**20
"""A worksheet whose XML is larger than this is read in parts (see :class:`_SheetParts`)."""
_PART_BYTES = 16 * 2**20
_MAX_COPIED_BYTES = 8 * 2**20
_NOT_COPIED = ("xl/worksheets/", "xl/chartsheets/", "xl/dialogsheets/", "xl/macrosheets/", "xl/drawings/",
               "xl/media/", "xl/charts/", "xl/pivot", "xl/printerSettings/", "xl/externalLinks/", "xl/embeddings/",
               "xl/activeX/", "xl/ctrlProps/", "xl/queryTables/", "xl/vbaProject", "docProps/", "customXml/")
_SHEET_DATA = re.compile(rb"<sheetData\s*>")
_ADDRESSED_ROW = re.compile(rb'\s*<row\b[^>]*\br="\d+"[^>]*>\s*(?:</row>|<c\b[^>]*\br="[A-Z]{1,3}\d+")')
_DIMENSION = re.compile(rb'<dimension\s+ref="[A-Z]{0,3}\d*:?[A-Z]{0,3}(\d*)"\s*/>')


class _SheetParts:
    """A large ``.xlsx`` worksheet read a part at a time, so calamine never holds the whole sheet.

    calamine parses a sheet into a list of cells and then a dense grid, both at once: 200,000 x 50
    numbers peak at 690 MiB (pandas with openpyxl: 580). Here the sheet's XML is inflated as a stream
    (capped at its declared size) and cut after a ``</row>`` about every 16 MiB; each part goes to
    calamine as a small stored workbook with the original's shared strings, styles and workbook
    settings, so cells, types and dates read exactly as in one piece. The cells keep their own
    ``r="B7"`` references, so each part says where it lies in the sheet. Iterating gives blocks
    ``(first row, first column, rows, last row hint)``. (Formulas saved without results are looked
    for afterwards, as for any workbook: scanning every part for them cost 5 % of the read.)

    Used only when it is safe and worth it: a sheet over :data:`PARTS_FROM_BYTES` in an ``.xlsx`` or
    ``.xlsm`` whose other small parts (shared strings and styles) stay under 8 MiB, written with the
    plain ``<sheetData>`` element. Anything else is read whole.
    """

    def __init__(self, path: Path, archive: zipfile.ZipFile, name: str, info: zipfile.ZipInfo,
                 copied: dict[str, bytes], stream, head: bytes, rest: bytes, last_row: int):
        self.path, self.archive, self.name, self.info = path, archive, name, info
        self.copied, self.stream, self.head, self.rest, self.last_row = copied, stream, head, rest, last_row

    @classmethod
    def open(cls, path: Path, name: str) -> "_SheetParts | None":
        try:
            archive = zipfile.ZipFile(path)
        except (zipfile.BadZipFile, OSError):
            return None
        try:
            part = _sheet_part(archive, name)
            names = set(archive.namelist())
            if part is None or part not in names or not part.endswith(".xml"):
                return None
            info = archive.getinfo(part)
            if info.file_size < PARTS_FROM_BYTES:
                return None
            kept = [item for item in archive.infolist()
                    if item.filename != part and not item.filename.startswith(_NOT_COPIED) and not item.is_dir()]
            if sum(item.file_size for item in kept) > _MAX_COPIED_BYTES:
                return None  # large shared strings would be parsed again for every part
            copied = {item.filename: read_member(archive, item, path.name) for item in kept}
            stream = open_member(archive, info, path.name)
            start = b""
            while len(start) < 2**20 and (b"<sheetData" not in start or b"</row>" not in start):
                data = stream.read(min(_PART_BYTES, 2**16))
                if not data:
                    break
                start += data
            found = _SHEET_DATA.search(start)
            if found is None or not _ADDRESSED_ROW.match(start, found.end()):
                # No rows, a namespace prefix (x:sheetData), or rows and cells without their r="..."
                # addresses (allowed, and then a part could not say where it lies): read whole.
                stream.close()
                return None
            head = _DIMENSION.sub(b"", start[: found.end()])
            dimension = _DIMENSION.search(start[: found.end()])
            last_row = int(dimension.group(1)) if dimension and dimension.group(1) else 0
            parts = cls(path, archive, name, info, copied, stream, head, start[found.end():], last_row)
            archive = None  # the parts own it now
            return parts
        finally:
            if archive is not None:
                archive.close()

    def __iter__(self):
        # Two cores at work: calamine parses one part in a worker thread (it lets go of the GIL while
        # it parses) while this thread inflates the next part and the caller stores the previous
        # one. One part more in memory: 324 instead of 268 MiB at the peak for 200,000 x 50.
        from concurrent.futures import ThreadPoolExecutor  # (big sheets only: not at start-up)

        pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sheet part")
        try:
            waiting = None
            for source, end, consumed in self._bodies():
                if source.find(b"<c", 0, end) < 0:
                    continue  # no cell in this part
                submitted = pool.submit(self._block, source, end), consumed
                del source
                if waiting is not None:
                    yield from self._finished(*waiting)
                waiting = submitted
            if waiting is not None:
                yield from self._finished(*waiting)
        finally:
            pool.shutdown(wait=True, cancel_futures=True)
            self.stream.close()
            self.archive.close()

    def _finished(self, future, consumed: int):
        block = future.result()
        if block is not None:
            first_row, first_column, rows = block
            last_row = self.last_row or int((first_row + len(rows)) * self.info.file_size / consumed * 1.02)
            yield first_row, first_column, rows, last_row

    def _bodies(self):
        """The rows' XML, cut after a ``</row>`` about every :data:`_PART_BYTES`: ``(source, end,
        inflated so far)``, the part being ``source[:end]`` (not copied out)."""
        pending, eof, want, consumed = self.rest, False, _PART_BYTES, len(self.head)
        while True:
            if len(pending) < want and not eof:
                data = self.stream.read(want - len(pending))
                eof = not data
                pending += data
                continue
            end = pending.find(b"</sheetData>", 0, want + 12)
            if end >= 0 or eof and len(pending) <= want:
                # (no end tag: the file is cut short, and calamine says so)
                source, stop, pending = pending, end if end >= 0 else len(pending), b""
            else:
                cut = pending.rfind(b"</row>", 0, want)
                if cut < 0:
                    cut = pending.find(b"</row>", want)
                if cut < 0:
                    want = len(pending) + _PART_BYTES  # one row longer than a part: read on
                    continue
                source, stop, pending = pending, cut + 6, pending[cut + 6:]
                want = _PART_BYTES
            consumed += stop
            yield source, stop, consumed
            del source
            if not pending and (eof or end >= 0):
                return

    def _block(self, source: bytes, end: int) -> tuple[int, int, list] | None:
        """``source[:end]``'s rows: ``(first row, first column, rows)``, or ``None`` without a value."""
        from python_calamine import CalamineWorkbook

        packed = io.BytesIO()
        with zipfile.ZipFile(packed, "w", zipfile.ZIP_STORED) as out:
            for member, data in self.copied.items():
                out.writestr(member, data)
            with out.open(self.info.filename, "w") as member:  # written piece by piece: no joined copy
                member.write(self.head)
                member.write(memoryview(source)[:end])
                member.write(b"</sheetData></worksheet>")
        packed.seek(0)
        workbook = CalamineWorkbook.from_filelike(packed)
        try:
            sheet = workbook.get_sheet_by_name(self.name)
            start = sheet.start
            if start is None:
                return None
            return int(start[0]), int(start[1]), sheet.to_python()
        finally:
            workbook.close()


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
            with open_member(archive, part, path.name) as stream:
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
                        _scan_formulas(buffer, end, found)
                    tail = buffer[end:]
    except (zipfile.BadZipFile, OSError, EOFError, KeyError):
        return {}
    return found


def _scan_formulas(buffer: bytes, end: int, found: dict[int, list[tuple[int, str]]]) -> None:
    """Add the formulas without a saved value in ``buffer[:end]`` (whole cells) to ``found``."""
    for match in _FORMULA_WITHOUT_RESULT.finditer(buffer, 0, end):
        letters, row, attributes, formula = match.groups()
        position = 0
        for letter in letters.decode():
            position = position * 26 + ord(letter) - 64
        text = formula.decode("utf-8", errors="replace") if formula else ""
        text = "=" + _unescape(text) if text else "(a shared formula)"
        found.setdefault(position, []).append((int(row), text))


def _unescape(text: str) -> str:
    return html.unescape(text)
