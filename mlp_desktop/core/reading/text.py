"""Reading a text table (``.csv``, ``.tsv``, ``.txt``): one pass of pandas' C parser.

Number columns come back as numbers straight from the parser; every other column comes back as its
texts, which :mod:`.columns` parses with one vectorised parse (so a cell that is not a number is
found, not guessed). A file written with decimal commas is read as text throughout and parsed the
same way. Nothing is decided here about what a column holds.
"""

from __future__ import annotations

import re
import warnings
from pathlib import Path

import numpy as np

from ..errors import DataError
from ..lazy import pd
from ..memory import columns_per_block
from .build import RawTable
from .sniffing import TextLayout, sniff_text

__all__ = ["read_text"]

_EXPECTED_FIELDS = re.compile(r"Expected (\d+) fields in line (\d+), saw (\d+)")
_WIDTH_RETRIES = 8


def read_text(path: Path, head: bytes) -> RawTable:
    """Read a text table; ``head`` holds its first bytes (:data:`.sniffing.HEAD_BYTES`)."""
    layout = sniff_text(path, head)
    for encoding in layout.encodings[:-1]:
        try:
            return _read(path, layout, encoding)
        except UnicodeDecodeError:
            continue  # not this encoding after all: the next one decodes it
    return _read(path, layout, layout.encodings[-1])


def _options(layout: TextLayout, encoding: str) -> dict:
    return dict(
        sep=r"\s+" if layout.delimiter == " " else layout.delimiter,
        encoding=encoding,
        engine="c",
        keep_default_na=False,  # "NA", "null", "-"... are the column typing's to judge
        na_values=[""],
        skip_blank_lines=False,  # keeps row numbers right; blank rows are dropped later
        skiprows=layout.skip_lines,
        quotechar='"',
        index_col=False,
    )


def _read(path: Path, layout: TextLayout, encoding: str) -> RawTable:
    options = _options(layout, encoding)
    try:
        header_frame = pd.read_csv(path, header=None, nrows=1, dtype=str, **options)
    except pd.errors.EmptyDataError:
        raise DataError(f"{path.name} is empty: there is no header row and no data.") from None
    except pd.errors.ParserError as error:
        raise _parser_error(path, error) from None
    header = [None if isinstance(cell, float) else cell for cell in header_frame.iloc[0].tolist()]
    width = max(layout.width, len(header))
    as_text = layout.decimal_mark == ","
    frame = None
    if layout.numbers_only and not as_text:
        # The sample holds numbers only: the parser makes float64 columns at once (no integer
        # columns to convert); a cell that is not a number after all sends the file the usual way.
        frame = _read_body(path, options, width, False, numbers=True)
    if frame is None:
        frame = _read_body(path, options, width, as_text)
    width = frame.shape[1]
    columns: list[np.ndarray] = []
    reread: list[int] = []
    numbers = _number_columns(frame)
    for j, (_, column) in enumerate(frame.items()):
        dtype = column.dtype
        if j in numbers:
            values = numbers[j]
            if dtype == np.float64 and np.isinf(values).any():
                reread.append(j)  # "inf" is a missing marker, 1e400 a number too large: the texts tell
            columns.append(values)
        elif pd.api.types.is_string_dtype(dtype) and (
                dtype != object or pd.api.types.infer_dtype(column, skipna=True) in ("string", "empty")):
            columns.append(column.to_numpy(dtype=object, na_value=None))
        else:
            reread.append(j)  # true/false, or a column pandas typed chunk by chunk
            columns.append(None)
    del frame
    if reread:
        texts = _read_body(path, options, width, True, usecols=reread)
        for j in reread:
            columns[j] = texts[j].to_numpy(dtype=object)
    first_row = layout.skip_lines + 2
    row_numbers = np.arange(first_row, first_row + len(columns[0]) if columns else first_row, dtype=np.int64)
    return RawTable(path=path, sheet=None, sheets=[], header=header, columns=columns, row_numbers=row_numbers,
                    positions=list(range(1, width + 1)), decimal_mark=layout.decimal_mark or ".",
                    from_text=True, notes=list(layout.notes), warnings=list(layout.warnings),
                    delimiter=layout.delimiter, header_row=layout.skip_lines + 1)


def _number_columns(frame: pd.DataFrame) -> dict[int, np.ndarray]:
    """``{position: float64 numbers}`` of the parser's number columns (floats and integers), converted
    a small block of columns at a time (:mod:`..memory`): column by column, 785 integer columns took
    0.09 s; as one 125 MB block, 0.2-0.4 s in a fresh process. Each array is a column of a
    column-ordered block, so it is contiguous."""
    positions = [j for j, dtype in enumerate(frame.dtypes)
                 if dtype == np.float64 or (isinstance(dtype, np.dtype) and dtype.kind in "iu")]
    if len(positions) == frame.shape[1] and all(dtype == np.float64 for dtype in frame.dtypes):
        values = frame.to_numpy()  # one float64 block (the parser's own numbers): no copy
        if values.flags.f_contiguous:
            return {j: values[:, j] for j in positions}
    per_block = columns_per_block(len(frame))
    found = {}
    for first in range(0, len(positions), per_block):
        chosen = positions[first:first + per_block]
        block = np.asfortranarray(frame.iloc[:, chosen].to_numpy(dtype=np.float64))
        found.update((j, block[:, k]) for k, j in enumerate(chosen))
    return found


def _read_body(path: Path, options: dict, width: int, as_text: bool, usecols=None,
               numbers: bool = False) -> pd.DataFrame | None:
    """The rows below the header: every column as text (``as_text``), as float64 (``numbers``;
    ``None`` if a cell is not a number), or as the parser types them."""
    dtype = str if as_text else np.float64 if numbers else None
    for _ in range(_WIDTH_RETRIES):
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # DtypeWarning: mixed columns are re-read as text
                # header=None and one more row skipped: with header=0 pandas would hold every row to
                # the header's width. skiprows counts records, so a header over two lines is one.
                frame = pd.read_csv(path, header=None, names=list(range(width)), usecols=usecols,
                                    dtype=dtype, **{**options, "skiprows": options["skiprows"] + 1})
            return frame
        except pd.errors.EmptyDataError:
            return pd.DataFrame({j: pd.Series([], dtype=object) for j in range(width)})
        except pd.errors.ParserError as error:
            found = _EXPECTED_FIELDS.search(str(error))
            if not found or int(found.group(3)) <= width:
                raise _parser_error(path, error) from None
            width = int(found.group(3))  # a row longer than any in the sample: widen and read again
        except UnicodeDecodeError:
            raise  # a byte of another encoding past the sniffed start: read_text tries the next one
        except (OverflowError, ValueError) as error:
            if numbers:
                return None  # a cell that is not a number: the caller reads the file the usual way
            raise DataError(f"{path.name} could not be read: {error}.") from None
    raise DataError(f"{path.name} could not be read: its rows have very different numbers of values.")


def _parser_error(path: Path, error: Exception) -> DataError:
    text = str(error)
    line = re.search(r"(?:row|line) (\d+)", text)
    where = f" near line {line.group(1)}" if line else ""
    if "EOF" in text or "quot" in text.lower():
        return DataError(f"{path.name} could not be read{where}: a quote mark is not closed.")
    return DataError(f"{path.name} could not be read{where}: the file is damaged or not a table.")
