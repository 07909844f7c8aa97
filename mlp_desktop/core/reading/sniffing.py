"""Sniffing: what kind of file this is, its encoding, separator, decimal mark and header.

Everything here looks at the first bytes or the first rows only; reading the whole file is the job
of :mod:`.text` and :mod:`.workbook`.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import DataError
from .values import looks_like_comma_decimal

__all__ = ["SUPPORTED_EXTENSIONS", "HEAD_BYTES", "TextLayout", "file_kind", "read_head", "sniff_text"]

SUPPORTED_EXTENSIONS: dict[str, str] = {
    ".xlsx": "excel",
    ".xlsm": "excel",
    ".xlsb": "excel",
    ".xls": "excel",
    ".ods": "excel",
    ".csv": "text",
    ".tsv": "text",
    ".txt": "text",
}
"""File extension -> reader kind (``"excel"`` covers every workbook: Excel and OpenDocument)."""

_UNSUPPORTED_HINTS: dict[str, str] = {
    ".numbers": "it is a Numbers spreadsheet; export it as .xlsx or .csv",
}

_SNIFF_CHARS = 64 * 1024
_SNIFF_ROWS = 50
HEAD_BYTES = 4 * _SNIFF_CHARS + 4
"""Bytes read to decide a file's kind and sniff a text table."""

_DELIMITERS = (",", ";", "\t", "|")
DELIMITER_NAMES = {",": "comma", ";": "semicolon", "\t": "tab", "|": "vertical bar", " ": "spaces"}
_PREFERRED_DELIMITER = {".tsv": "\t"}
_ZIP_SIGNATURE = b"PK\x03\x04"
_OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls, and password-protected .xlsx
_MARKUP_START = re.compile(r"\s*<(?:!doctype|html|\?xml|table)\b", re.IGNORECASE)
_SEP_LINE = re.compile(r"\s*sep=(.)\s*$", re.IGNORECASE)
_PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?", re.ASCII)
_DOT_DECIMAL_LOOK = re.compile(r"[+-]?(?:\d{1,3}(?:,\d{3})+|\d*)\.\d+(?:[eE][+-]?\d+)?", re.ASCII)
_SYMBOLS = re.compile(r"[$€£¥₹%]|\b(?:USD|EUR|GBP|CHF)\b")
_DOT_THOUSANDS_LOOK = re.compile(r"[+-]?\d{1,3}(?:\.\d{3})+", re.ASCII)


def read_head(path: Path, limit: int = HEAD_BYTES) -> bytes:
    """The file's first ``limit`` bytes, with plain messages for files that cannot be opened."""
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


def file_kind(path: Path, head: bytes) -> str:
    """``"zip"`` (xlsx, xlsm, ods), ``"ole"`` (xls), ``"xlsb"``... or ``"text"``, trusting the bytes
    over the extension where they disagree."""
    extension = path.suffix.lower()
    kind = SUPPORTED_EXTENSIONS.get(extension)
    if kind is None:
        hint = _UNSUPPORTED_HINTS.get(extension)
        reason = f" ({hint})" if hint else ""
        raise DataError(
            f"{path.name} is not a supported file type{reason}. Supported: {', '.join(SUPPORTED_EXTENSIONS)}."
        )
    if not head:
        raise DataError(f"{path.name} is empty (0 bytes).")
    if head.startswith(_ZIP_SIGNATURE):
        return "zip"
    if head.startswith(_OLE_SIGNATURE):
        return "ole"
    if _looks_like_text(head):
        return "text"  # includes a CSV that was renamed .xlsx
    if kind == "excel":
        raise DataError(f"{path.name} is not a valid Excel workbook: the file is damaged or not a spreadsheet.")
    raise DataError(f"{path.name} does not look like a text table: it contains binary data.")


def _looks_like_text(content: bytes) -> bool:
    if content.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return True
    sample = content[:8192]
    if b"\x00" in sample:
        return False
    controls = sum(1 for byte in sample if byte < 32 and byte not in b"\t\n\r\f")
    return controls <= 0.01 * len(sample)


@dataclass
class TextLayout:
    """How a text table is laid out, from its first bytes.

    ``encodings``: the encodings to try, best first. ``skip_lines``: lines before the header
    (a ``sep=`` line, blank lines). ``delimiter``: one character, or ``" "`` for columns aligned with
    spaces. ``decimal_mark``: ``"."`` or ``","`` (``None``: decide from the text columns).
    ``width``: the most fields seen in a row of the sample. ``numbers_only``: every cell of the
    sample's rows below the header is a plain number (``12``, ``-0.5``, ``1e3``) or empty.
    """

    encodings: list[str]
    skip_lines: int
    delimiter: str
    decimal_mark: str | None
    width: int
    notes: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    numbers_only: bool = False


def _encodings(head: bytes) -> tuple[list[str], str]:
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return ["utf-16"], head.decode("utf-16", errors="replace")
    try:
        text = codecs.getincrementaldecoder("utf-8-sig")().decode(head)
        return ["utf-8-sig", "cp1252", "latin-1"], text
    except UnicodeDecodeError:
        pass
    try:
        return ["cp1252", "latin-1"], head.decode("cp1252")
    except UnicodeDecodeError:
        return ["latin-1"], head.decode("latin-1")


def sniff_text(path: Path, head: bytes) -> TextLayout:
    """Sniff the layout of a text table from its first bytes (:data:`HEAD_BYTES`)."""
    encodings, text = _encodings(head)
    if "\x00" in text:
        raise DataError(f"{path.name} does not look like a text table: it contains binary data.")
    if _MARKUP_START.match(text):
        # Some web sites export "Excel" files that are really web pages.
        raise DataError(
            f"{path.name} is a web page or XML file, not a table; open it in Excel and save it as .xlsx or .csv."
        )
    if len(head) >= HEAD_BYTES and "\n" in text:
        text = text[: text.rindex("\n") + 1]  # a cut last line would skew the counts
    lines = text.splitlines(keepends=True)
    notes: list[str] = []
    warnings: list[str] = []
    skip = 0
    delimiter = None
    if lines and (found := _SEP_LINE.match(lines[0])):
        delimiter = found.group(1)
        skip = 1
        name = DELIMITER_NAMES.get(delimiter, f'"{delimiter}"')
        notes.append(f'The first line of {path.name} ("sep={delimiter}") sets the separator: {name}.')
    rest = "".join(lines[skip:])[:_SNIFF_CHARS]
    if delimiter is None:
        delimiter = _sniff_delimiter(rest, _PREFERRED_DELIMITER.get(path.suffix.lower(), ","))
    rows = _sample_rows(rest, delimiter)
    if delimiter != " " and rows and max(map(len, rows)) < 2 and skip == 0:
        if _space_aligned(rest):
            delimiter = " "
            rows = [line.split() for line in rest.splitlines()]
            notes.append(f"{path.name} has no separator character; its columns are separated by spaces.")
        elif len([row for row in rows if any(cell.strip() for cell in row)]) > 1:
            warnings.append(
                f"No separator (comma, semicolon, tab, vertical bar or aligned spaces) was found in {path.name}, "
                f"so it is read as one column."
            )
    blank_chars = set(" \t\r\n\f") | ({delimiter} if delimiter != " " else set())
    for line in lines[skip:]:
        if set(line) <= blank_chars:
            skip += 1
        else:
            break
    rows = rows[: _SNIFF_ROWS * 20]
    width = max((len(row) for row in rows), default=1)
    decimal_mark = "." if delimiter == "," else _guess_decimal_mark(rows)
    data_rows = [row for row in rows if any(cell.strip() for cell in row)][1:]  # below the header
    numbers_only = bool(data_rows) and all(
        _PLAIN_NUMBER.fullmatch(cell.strip()) or not cell.strip() for row in data_rows for cell in row)
    return TextLayout(encodings, skip, delimiter, decimal_mark, width, notes, warnings, numbers_only)


def _sample_rows(text: str, delimiter: str) -> list[list[str]]:
    if delimiter == " ":
        return [line.split() for line in text.splitlines()]
    try:
        return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error:
        return [line.split(delimiter) for line in text.splitlines()]


def _space_aligned(text: str) -> bool:
    lines = [line.split() for line in text.splitlines()[:_SNIFF_ROWS] if line.strip()]
    if len(lines) < 2 or len(lines[0]) < 2:
        return False
    return sum(len(line) == len(lines[0]) for line in lines) >= 0.9 * len(lines)


def _sniff_delimiter(sample: str, preferred: str) -> str:
    """Pick the delimiter that splits the header into most columns with the rows agreeing."""
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


def _guess_decimal_mark(rows: list[list[str]]) -> str:
    """``","`` when a file not separated by commas writes most decimals with a comma (1,5)."""
    comma_votes = dot_votes = 0
    for row in rows[1:]:
        for cell in row:
            cell = _SYMBOLS.sub("", cell).strip()
            if looks_like_comma_decimal(cell):
                comma_votes += 1
            elif _DOT_DECIMAL_LOOK.fullmatch(cell) and not _DOT_THOUSANDS_LOOK.fullmatch(cell):
                dot_votes += 1
    return "," if comma_votes > dot_votes else "."
