"""Column typing: what each column holds, decided the way a user would.

:func:`type_column` turns a column of raw cells (a ``float64`` array, or an ``object`` array of
``str``, ``float``, ``int``, ``bool``, dates, times and ``None``) into the column the table keeps and
its :class:`~.table.ColumnInfo`:

* numbers, including currency amounts, percentages (as fractions), thousands-separated numbers and
  numbers stored as text, become a ``float64`` column, with a note saying what was converted;
* dates and times become numbers (days since the first date, hours since midnight), with a note;
* a column that is mostly numbers (more than half of its values) but holds a few other cells stays
  a number column whose other cells are ``bad_cells``: using it is an error naming them;
* anything else is categorical text; missing markers (``-``, ``NA``, ``n/a``, ``NULL``, ``None``,
  ``?``, ``nan``, empty...) are missing cells everywhere.
"""

from __future__ import annotations

import datetime
import functools
import math
from typing import Iterable

import numpy as np

from . import values as V
from ..lazy import pd
from .table import KIND_CATEGORICAL, KIND_EMPTY, KIND_NUMERIC, ColumnInfo

__all__ = ["MOSTLY_NUMERIC", "type_column", "label", "sorted_labels", "label_array", "label_series"]

MOSTLY_NUMERIC = 0.5
"""A column whose values are more than this fraction numbers (or dates) is a number column; its
other cells are typing errors, never categories."""

_FLOAT, _BOOL, _STR, _NONE, _DATETIME, _TIME, _TIMEDELTA, _OTHER = range(8)


@functools.cache
def _type_codes() -> dict[type, int]:
    """Each cell type's code (a function, so that importing this module does not import pandas for
    ``pd.Timestamp``; :func:`type_column` uses pandas anyway)."""
    return {
        float: _FLOAT, int: _FLOAT, np.float64: _FLOAT, np.float32: _FLOAT, np.int64: _FLOAT, np.int32: _FLOAT,
        np.uint64: _FLOAT, np.int16: _FLOAT, np.int8: _FLOAT, np.uint8: _FLOAT, np.uint32: _FLOAT,
        bool: _BOOL, np.bool_: _BOOL, str: _STR, type(None): _NONE,
        datetime.datetime: _DATETIME, datetime.date: _DATETIME, pd.Timestamp: _DATETIME,
        datetime.time: _TIME, datetime.timedelta: _TIMEDELTA, pd.Timedelta: _TIMEDELTA,
    }


_DURATION = 8  # a kind beyond values.py's: an Excel duration, read as days
_NUMBER_LIKE = (V.NUMBER, V.GROUPED, V.CURRENCY, V.PERCENT, _DURATION)
_SHOWN = 40


def _quoted(text: str) -> str:
    shown = text.replace("\r", "\\r").replace("\n", "\\n").replace("\t", "\\t")
    if len(shown) > _SHOWN:
        shown = shown[: _SHOWN - 1] + "…"
    return f'"{shown}"'


def _float_column(values: np.ndarray, name: str) -> tuple[np.ndarray, ColumnInfo]:
    n_missing = int(np.count_nonzero(np.isnan(values)))
    n_values = len(values) - n_missing
    if n_values == 0:
        return values, ColumnInfo(name, KIND_EMPTY, n_missing, read_as="empty")
    # fmin/fmax skip NaN in one pass, without copying the present values out (4x faster).
    return values, ColumnInfo(name, KIND_NUMERIC, n_missing, [], n_values, float(np.fmin.reduce(values)),
                              float(np.fmax.reduce(values)), read_as="numbers")


def type_column(name: str, cells: np.ndarray, decimal_mark: str = ".", from_text: bool = True,
                factorized: tuple[np.ndarray, np.ndarray] | None = None) -> tuple[np.ndarray, ColumnInfo]:
    """Type one column. ``from_text``: the cells come from a text file (a text that is a number is
    just a number there; in a workbook it is a "number stored as text", which earns a note).
    ``factorized``: ``pandas.factorize(cells)`` when the caller has it already (codes, -1 for missing)."""
    if cells.dtype == np.float64:
        return _float_column(cells, name)
    cells = np.asarray(cells, dtype=object)
    if factorized is not None and pd.api.types.infer_dtype(factorized[1], skipna=False) in ("string", "empty"):
        return _text_column(name, factorized[0], factorized[1], decimal_mark, from_text)
    n = len(cells)
    if pd.api.types.infer_dtype(cells, skipna=False) == "string":
        codes = np.full(n, _STR, dtype=np.int8)  # the common text column: no look at each cell
    else:
        type_codes = _type_codes()
        codes = np.fromiter((type_codes.get(type(cell), _OTHER) for cell in cells), np.int8, n)
    kinds = np.full(n, V.MISSING, dtype=np.int8)
    numbers = np.full(n, np.nan)
    dates = np.full(n, np.datetime64("NaT"), dtype="datetime64[ns]")
    texts = np.empty(n, dtype=object)  # the text shown for non-number cells
    from_string = np.zeros(n, dtype=bool)
    marker_example = None

    floats = codes == _FLOAT
    if floats.any():
        raw = cells[floats]
        try:
            parsed = raw.astype(np.float64)
        except OverflowError:  # a Python int beyond float range: keep it as inf, named later
            parsed = np.array([_big_float(v) for v in raw])
        native_bad = np.isnan(parsed) | (np.isinf(parsed) & np.fromiter(
            (isinstance(v, float) for v in raw), bool, len(raw)))
        kinds[floats] = np.where(native_bad, V.MISSING, V.NUMBER)
        numbers[floats] = np.where(native_bad, np.nan, parsed)
    others = codes == _OTHER
    if others.any():
        cells = cells.copy()
        cells[others] = [str(cell) for cell in cells[others]]
        codes[others] = _STR
    strings = codes == _STR
    if strings.any():
        ids, distinct = pd.factorize(cells[strings])
        parsed = V.parse_texts(distinct, decimal_mark)
        kinds[strings] = parsed.kinds[ids]
        numbers[strings] = parsed.values[ids]
        dates[strings] = parsed.dates[ids]
        texts[strings] = parsed.stripped[ids]
        from_string[strings] = True
        markers = [text for text, kind in zip(parsed.stripped, parsed.kinds) if kind == V.MISSING and text]
        marker_example = markers[0] if markers else None
    booleans = codes == _BOOL
    if booleans.any():
        kinds[booleans] = V.TEXT
        texts[booleans] = ["TRUE" if cell else "FALSE" for cell in cells[booleans]]
    stamps = codes == _DATETIME
    if stamps.any():
        converted = pd.to_datetime(pd.Series(cells[stamps], dtype=object), errors="coerce", utc=False, format="mixed")
        if getattr(converted.dt, "tz", None) is not None:
            converted = converted.dt.tz_localize(None)
        good = converted.notna().to_numpy()
        kinds[np.flatnonzero(stamps)[good]] = V.DATE
        dates[np.flatnonzero(stamps)[good]] = converted[good].to_numpy(dtype="datetime64[ns]")
    times = codes == _TIME
    if times.any():
        kinds[times] = V.TIME
        numbers[times] = [t.hour + t.minute / 60 + (t.second + t.microsecond / 1e6) / 3600 for t in cells[times]]
    spans = codes == _TIMEDELTA
    if spans.any():
        kinds[spans] = _DURATION
        numbers[spans] = [pd.Timedelta(span).total_seconds() / 86400 for span in cells[spans]]

    return _decide(name, kinds, numbers, dates, texts, from_string, from_text, marker_example)


def _text_column(name: str, ids: np.ndarray, distinct: np.ndarray, decimal_mark: str, from_text: bool
                 ) -> tuple[np.ndarray, ColumnInfo]:
    """A column of texts and missing cells (``ids``: each cell's index in ``distinct``, -1 when
    missing), the common case of a text file: each distinct text is parsed once and every per-cell
    array is one take, with a last entry standing for the missing cells."""
    parsed = V.parse_texts(distinct, decimal_mark)

    def per_cell(found: np.ndarray, blank) -> np.ndarray:
        return np.append(found, np.array([blank], dtype=found.dtype))[ids]

    kinds = per_cell(parsed.kinds, V.MISSING)
    numbers = per_cell(parsed.values, np.nan)
    dates = per_cell(parsed.dates, np.datetime64("NaT"))
    texts = per_cell(parsed.stripped, None)
    markers = [text for text, kind in zip(parsed.stripped, parsed.kinds) if kind == V.MISSING and text]
    distinct_cells = (ids, parsed.kinds, parsed.values, parsed.dates, parsed.stripped)
    return _decide(name, kinds, numbers, dates, texts, ids >= 0, from_text, markers[0] if markers else None,
                   distinct_cells)


def _big_float(value) -> float:
    try:
        return float(value)
    except OverflowError:
        return math.inf if value > 0 else -math.inf


def _decide(name, kinds, numbers, dates, texts, from_string, from_text, marker_example, distinct_cells=None
            ) -> tuple[np.ndarray, ColumnInfo]:
    """``distinct_cells``: ``(ids, kinds, numbers, dates, texts)`` of the distinct texts, when every
    cell is one of them (``ids``, -1 for missing): a text column is then built from them."""
    n = len(kinds)
    missing = kinds == V.MISSING
    n_missing = int(missing.sum())
    n_values = n - n_missing
    if n_values == 0:
        return np.full(n, np.nan), ColumnInfo(name, KIND_EMPTY, n_missing, read_as="empty")
    counts = np.bincount(kinds, minlength=_DURATION + 1)
    n_numbers = int(sum(counts[k] for k in _NUMBER_LIKE))
    n_dates, n_times = int(counts[V.DATE]), int(counts[V.TIME])
    best = max(n_numbers, n_dates, n_times)
    notes: list[str] = []
    if marker_example is not None:
        n_markers = int((missing & from_string & (texts != "")).sum())
        notes.append(f"{n_markers:,} cell{'s' if n_markers > 1 else ''} such as {_quoted(marker_example)} "
                     f"count{'' if n_markers > 1 else 's'} as missing")

    if best * 1.0 <= MOSTLY_NUMERIC * n_values:
        return _categorical(name, kinds, numbers, dates, texts, n_missing, n_values, notes, distinct_cells)

    if n_dates == best:
        good = kinds == V.DATE
        first = dates[good].min()
        days = np.where(good, (dates - first) / np.timedelta64(1, "D"), np.nan)
        read_as = "dates"
        day = pd.Timestamp(first)
        notes.insert(0, f"dates read as days since {day.date().isoformat() if day == day.normalize() else day}"
                        f", the first date")
    elif n_times == best and n_numbers < best:
        good = kinds == V.TIME
        read_as = "times of day"
        notes.insert(0, "times of day read as hours since midnight (12:30 -> 12.5)")
    else:
        good = np.isin(kinds, _NUMBER_LIKE)
        read_as, note = _number_note(kinds, texts, numbers, from_string, from_text)
        if note:
            notes.insert(0, note)
    bad = ~good & ~missing
    values = np.where(good, days if read_as == "dates" else numbers, np.nan)
    present = values[good]
    info = ColumnInfo(name, KIND_NUMERIC, n_missing, [], n_values, float(present.min()), float(present.max()),
                      read_as=read_as)
    if bad.any():
        positions = np.flatnonzero(bad)
        shown = [_bad_text(kinds[p], texts[p], dates[p], numbers[p]) for p in positions]
        info.bad_cells = [(int(p), text) for p, text in zip(positions, shown)]
        mixed = values.astype(object)
        mixed[missing] = None
        mixed[positions] = shown
        values = mixed
    info.note = "; ".join(notes)
    return values, info


def _bad_text(kind, text, date, number) -> str:
    if kind == V.DATE:
        stamp = pd.Timestamp(date)
        return stamp.date().isoformat() if stamp == stamp.normalize() else stamp.isoformat(sep=" ")
    if text is None:  # a native number or time where dates rule
        return label(float(number))
    return str(text)


def _number_note(kinds, texts, numbers, from_string, from_text) -> tuple[str, str]:
    parts, read_as = [], "numbers"

    def example(kind) -> str:
        position = int(np.flatnonzero(kinds == kind)[0])
        return f"{_quoted(str(texts[position]))} -> {label(float(numbers[position]))}"

    if (kinds == V.CURRENCY).any():
        read_as = "currency amounts"
        parts.append(f"currency amounts read as numbers ({example(V.CURRENCY)})")
    if (kinds == V.PERCENT).any():
        read_as = "percentages" if read_as == "numbers" else read_as
        parts.append(f"percentages read as fractions, as Excel stores them ({example(V.PERCENT)})")
    if (kinds == V.GROUPED).any():
        read_as = "thousands-separated numbers" if read_as == "numbers" else read_as
        parts.append(f"numbers with thousands separators read as numbers ({example(V.GROUPED)})")
    if (kinds == _DURATION).any():
        read_as = "durations" if read_as == "numbers" else read_as
        parts.append("durations read as days")
    if not from_text:
        stored = int((from_string & (kinds == V.NUMBER)).sum())
        if stored:
            read_as = "numbers stored as text" if read_as == "numbers" else read_as
            parts.append(f"{stored:,} number{'s' if stored > 1 else ''} stored as text read as "
                         f"number{'s' if stored > 1 else ''}")
    return read_as, "; ".join(parts)


def _categorical(name, kinds, numbers, dates, texts, n_missing, n_values, notes, distinct_cells=None
                 ) -> tuple[np.ndarray, ColumnInfo]:
    if distinct_cells is None:
        values = _categorical_values(kinds, numbers, dates, texts)
        categories = sorted_labels(pd.unique(values[kinds != V.MISSING]))
    else:  # each distinct text shown once, then one take (missing cells: the appended None)
        ids, distinct_kinds, *rest = distinct_cells
        shown = _categorical_values(distinct_kinds, *rest)
        categories = sorted_labels(shown[distinct_kinds != V.MISSING])
        values = np.append(shown, None)[ids]
    info = ColumnInfo(name, KIND_CATEGORICAL, n_missing, categories, n_values, read_as="text")
    info.note = "; ".join(notes)
    return values, info


def _categorical_values(kinds, numbers, dates, texts) -> np.ndarray:
    """The cells of a text column: the stripped text (TRUE/FALSE for booleans), plain numbers as
    ``float``, missing cells as ``None``."""
    missing = kinds == V.MISSING
    values = texts.copy()
    values[missing] = None
    plain = (kinds == V.NUMBER) | (kinds == V.GROUPED)
    if plain.any():
        values[plain] = numbers[plain].tolist()
    # Dates, times and durations among text: shown as text (rare, so one at a time).
    for position in np.flatnonzero(~plain & ~missing & ((kinds == V.DATE) | np.equal(texts, None))):
        values[position] = _bad_text(kinds[position], texts[position], dates[position], numbers[position])
    return values


# --------------------------------------------------------------------------------------------
# Labels


def label(value: float | str) -> str:
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


def sorted_labels(values: Iterable[float | str]) -> list[str]:
    labels: dict[str, None] = {}
    for value in sorted(set(values), key=_label_order):
        labels.setdefault(label(value), None)
    return list(labels)


def label_array(values: np.ndarray) -> np.ndarray:
    """Each value's :func:`label`, as an ``object`` array of ``str`` (no pandas)."""
    labels = np.empty(len(values), dtype=object)
    labels[:] = [label(value) for value in values.tolist()]
    return labels


def label_series(values: pd.Series) -> pd.Series:
    return pd.Series(label_array(values.to_numpy()), index=values.index, dtype=str)
