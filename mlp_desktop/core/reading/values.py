"""The one place where cell texts become numbers: a vectorised parse of many texts at once.

:func:`parse_texts` takes the distinct texts of a column and tells, for each, what it holds: a
missing marker, a plain number, a number with thousands separators, a currency amount, a
percentage, a date, a time of day, or text. Decimal commas are read here and nowhere else.

:func:`read_typed_number` reads one number a person typed (a form field, ``--input age=1,000``) by
the same rules where they apply: ``1,000`` is a thousand, as in a file; a comma that cannot group
thousands (``1,5``) is a decimal comma; anything that could be read two ways is refused with a
reason that says how to write it.
"""

from __future__ import annotations

import functools
import math
import re
from typing import NamedTuple

import numpy as np
from ..lazy import pd

__all__ = [
    "KIND_NAMES", "MISSING", "NUMBER", "GROUPED", "CURRENCY", "PERCENT", "DATE", "TIME", "TEXT",
    "MISSING_TOKENS", "ParsedTexts", "parse_texts", "looks_like_comma_decimal",
    "TypedNumber", "read_typed_number", "parse_typed_number", "could_become_number",
]

MISSING, NUMBER, GROUPED, CURRENCY, PERCENT, DATE, TIME, TEXT = range(8)
KIND_NAMES = ("missing", "number", "thousands-separated number", "currency amount", "percentage",
              "date", "time of day", "text")

MISSING_TOKENS: frozenset[str] = frozenset(
    ["", "-", "--", "?", "NULL", "NONE", "NAN", "-NAN", "+NAN", "INF", "-INF", "+INF", "INFINITY",
     "-INFINITY", "+INFINITY", "NA", "N/A", "N.A.", "#N/A", "#DIV/0!", "#VALUE!", "#REF!", "#NUM!",
     "#NAME?", "#NULL!", "#SPILL!", "#CALC!", "#GETTING_DATA"]
)
"""Cell texts (compared in upper case, after stripping) that mean "no value"."""

_GROUP_SEPARATORS = {".": ", \u00a0\u202f'", ",": ". \u00a0\u202f'"}
"""Thousands separators allowed with each decimal mark (normal, no-break and thin spaces, and the
Swiss apostrophe)."""

_CURRENCY = r"(?:[$€£¥₹₩₽]|US\$|USD|EUR|GBP|CHF|JPY|CAD|AUD|kr|zł|R\$)"
_EXPONENT = r"(?:[eE][+-]?\d+)?"


@functools.cache
def _patterns(mark: str) -> dict[str, re.Pattern]:
    m = re.escape(mark)
    separators = re.escape(_GROUP_SEPARATORS[mark])
    plain = rf"(?:\d+(?:{m}\d*)?|{m}\d+){_EXPONENT}"
    grouped = rf"\d{{1,3}}(?:[{separators}]\d{{3}})+(?:{m}\d*)?"
    number = rf"(?:{grouped}|{plain})"
    return {
        "plain": re.compile(rf"[+-]?{plain}", re.ASCII),
        "grouped": re.compile(rf"[+-]?{grouped}", re.ASCII),
        "percent": re.compile(rf"([+-]?{number})\s*%", re.ASCII),
        "currency": re.compile(
            rf"(?:([+-]?)\s*{_CURRENCY}\s*([+-]?{number})|([+-]?{number})\s*{_CURRENCY})"
        ),
        "separators": re.compile(rf"[{separators}]"),
    }


_REGEXES = {
    "dot plain": (rf"[+-]?(?:\d+\.?\d*|\.\d+){_EXPONENT}", re.ASCII),
    "iso date": (r"\d{4}-\d{1,2}-\d{1,2}(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?Z?", re.ASCII),
    "slash date": (r"(\d{1,2})[/.](\d{1,2})[/.](\d{4})(?: \d{1,2}:\d{2}(?::\d{2})?)?", re.ASCII),
    "time": (r"(\d{1,2}):(\d{2})(?::(\d{2}(?:\.\d+)?))?\s*([AaPp][Mm])?", re.ASCII),
    "comma decimal look": (r"[+-]?[\d. \u00a0\u202f]*\d,\d+(?:[eE][+-]?\d+)?", re.ASCII),
}
"""The fixed patterns by name, compiled on first use (:func:`_regex`): compiling them all took a few
milliseconds of every start, where the first frame reads numbers only."""


@functools.cache
def _regex(name: str) -> re.Pattern:
    pattern, flags = _REGEXES[name]
    return re.compile(pattern, flags)


class ParsedTexts:
    """What :func:`parse_texts` found: ``kinds[i]`` (``MISSING`` .. ``TEXT``), ``values[i]`` (the
    number; NaN unless the kind is number-like or a time), ``dates[i]`` (``datetime64[ns]``, NaT unless
    a date) and ``stripped[i]`` (the text without surrounding spaces)."""

    def __init__(self, kinds: np.ndarray, values: np.ndarray, dates: np.ndarray, stripped: np.ndarray,
                 day_first: bool):
        self.kinds, self.values, self.dates, self.stripped, self.day_first = kinds, values, dates, stripped, day_first


def _to_float(texts: pd.Series, mark: str, separators: re.Pattern | None = None) -> np.ndarray:
    """Texts already checked to be numbers -> float64 (overflow becomes inf, named later)."""
    if separators is not None:
        texts = texts.str.replace(separators, "", regex=True)
    if mark != ".":
        texts = texts.str.replace(mark, ".", regex=False)
    return texts.to_numpy(dtype=object).astype(np.float64)


def _number(texts: pd.Series, mark: str) -> np.ndarray:
    """Plain or grouped numbers (already matched) -> float64."""
    patterns = _patterns(mark)
    plain = texts.str.fullmatch(patterns["plain"]).to_numpy(dtype=bool)
    out = np.empty(len(texts))
    if plain.any():
        out[plain] = _to_float(texts[plain], mark)
    if (~plain).any():
        out[~plain] = _to_float(texts[~plain], mark, patterns["separators"])
    return out


def parse_texts(texts, decimal_mark: str = ".") -> ParsedTexts:
    """Parse texts (an array or list of ``str``) with the given decimal mark (``"."`` or ``","``).

    With decimal commas, a number written with a dot such as ``3.25`` is still read as 3.25 when the
    dot cannot group thousands (it is not followed by exactly three digits).
    """
    patterns = _patterns(decimal_mark)
    series = pd.Series(np.asarray(texts, dtype=object), dtype=object).str.strip()
    n = len(series)
    kinds = np.full(n, TEXT, dtype=np.int8)
    values = np.full(n, np.nan)
    dates = np.full(n, np.datetime64("NaT"), dtype="datetime64[ns]")
    day_first = False
    if n == 0:
        return ParsedTexts(kinds, values, dates, series.to_numpy(dtype=object), day_first)

    missing = series.str.upper().isin(MISSING_TOKENS).to_numpy(dtype=bool)
    kinds[missing] = MISSING
    rest = ~missing

    def take(mask: np.ndarray, kind: int, parsed: np.ndarray) -> None:
        nonlocal rest
        kinds[mask] = kind
        values[mask] = parsed
        rest = rest & ~mask

    def matching(pattern: re.Pattern) -> np.ndarray:
        found = np.zeros(n, dtype=bool)
        if rest.any():
            found[rest] = series[rest].str.fullmatch(pattern).to_numpy(dtype=bool)
        return found

    plain = matching(patterns["plain"])
    if plain.any():
        take(plain, NUMBER, _to_float(series[plain], decimal_mark))
    grouped = matching(patterns["grouped"])
    if grouped.any():
        take(grouped, GROUPED, _to_float(series[grouped], decimal_mark, patterns["separators"]))
    if decimal_mark == ",":
        # 3.25 among decimal commas: a dot before other than three digits cannot group thousands.
        dotted = matching(_regex("dot plain"))
        if dotted.any():
            take(dotted, NUMBER, _to_float(series[dotted], "."))
    percent = matching(patterns["percent"])
    if percent.any():
        inner = series[percent].str.extract(patterns["percent"], expand=False)
        take(percent, PERCENT, _number(inner.str.strip(), decimal_mark) / 100.0)
    currency = matching(patterns["currency"])
    if currency.any():
        parts = series[currency].str.extract(patterns["currency"])
        sign = parts[0].fillna("")
        amount = parts[1].fillna(parts[2]).str.replace(" ", "", regex=False)
        signed = (sign + amount).str.replace("+-", "-", regex=False).str.replace("--", "", regex=False)
        take(currency, CURRENCY, _number(signed.str.replace("-+", "-", regex=False), decimal_mark))

    iso = matching(_regex("iso date"))
    if iso.any():
        parsed = pd.to_datetime(series[iso].str.rstrip("Z"), errors="coerce", format="ISO8601")
        good = iso.copy()
        good[iso] = parsed.notna().to_numpy()
        dates[good] = parsed[parsed.notna()].to_numpy(dtype="datetime64[ns]")
        kinds[good] = DATE
        rest = rest & ~good
    slash = matching(_regex("slash date"))
    if slash.any():
        firsts = series[slash].str.extract(_regex("slash date"))[0].astype(int)
        day_first = bool((firsts > 12).any())
        parsed = pd.to_datetime(series[slash].str.replace(".", "/", regex=False), errors="coerce",
                                dayfirst=day_first, format="mixed")
        good = slash.copy()
        good[slash] = parsed.notna().to_numpy()
        dates[good] = parsed[parsed.notna()].to_numpy(dtype="datetime64[ns]")
        kinds[good] = DATE
        rest = rest & ~good
    times = matching(_regex("time"))
    if times.any():
        parts = series[times].str.extract(_regex("time"))
        hours = parts[0].astype(float) % 12 if parts[3].notna().any() else parts[0].astype(float)
        if parts[3].notna().any():
            hours = hours + np.where(parts[3].str.upper() == "PM", 12.0, 0.0)
        hours = hours + parts[1].astype(float) / 60 + parts[2].astype(float).fillna(0.0) / 3600
        valid = (hours < 24) & (parts[1].astype(int) < 60)
        good = times.copy()
        good[times] = valid.to_numpy()
        take(good, TIME, hours.to_numpy()[valid.to_numpy()])
    return ParsedTexts(kinds, values, dates, series.to_numpy(dtype=object), day_first)


def looks_like_comma_decimal(text: str) -> bool:
    """``12,5``: a number written with a decimal comma."""
    return bool(_regex("comma decimal look").fullmatch(text.strip()))


# -- one number a person typed --------------------------------------------------------------------
_TYPED_SEPARATOR = "[, '_\u00a0\u202f]"
"""What may group thousands in a typed number: commas, spaces (normal, no-break, thin), the Swiss
apostrophe and underscores; one kind throughout a number."""
_REGEXES.update({
    "typed grouped": (rf"([+-]?)([1-9]\d{{0,2}}(?:({_TYPED_SEPARATOR})\d{{3}})(?:\3\d{{3}})*)(\.\d*)?", re.ASCII),
    "typed comma decimal": (r"([+-]?)(\d*),(\d+)([eE][+-]?\d+)?", re.ASCII),
    "typed dot groups comma decimal": (r"([+-]?)(\d{1,3}(?:\.\d{3})+),(\d+)", re.ASCII),
    "typed so far": (rf"[+-]?[1-9]\d{{0,2}}(?:{_TYPED_SEPARATOR}\d{{3}})*{_TYPED_SEPARATOR}\d{{0,2}}", re.ASCII),
})
_NOT_FINITE = frozenset(["INF", "INFINITY", "NAN"])


class TypedNumber(NamedTuple):
    """What :func:`read_typed_number` read: the ``value``, and a ``note`` such as ``"read as 1000"``
    when the text was not written plainly (thousands separators, a decimal comma), else ``""``."""

    value: float
    note: str


def _shown(value: float) -> str:
    return format(value, ".15g")


def _finite(text: str, plain: str) -> float:
    """``float(plain)`` for the typed ``text``; too large or too small to hold is refused, not made
    infinite or zero."""
    value = float(plain)
    if not math.isfinite(value):
        if value < 0:
            raise ValueError(f"\u201c{text}\u201d is too far below zero: the smallest number that can be used "
                             f"is about -1.8e308.")
        raise ValueError(f"\u201c{text}\u201d is too large: the largest number that can be used is about 1.8e308.")
    if value == 0 and re.search(r"[1-9]", re.split(r"[eE]", plain)[0]):
        raise ValueError(f"\u201c{text}\u201d is too close to zero to be used; type 0 if you mean zero.")
    return value


def read_typed_number(text: str) -> TypedNumber:
    """Read one number as a person types it; raise ``ValueError`` with a plain reason if it is not one.

    * ``2.5``, ``-3``, ``.5``, ``1e6``, with spaces around: as written;
    * ``1,000`` and ``12,345,678.5`` (also ``1 000``, ``1'000``, ``1_000``): thousands separators,
      noted ``"read as 1000"``;
    * ``1,5``, ``0,125``: a comma that cannot group thousands is a decimal comma, noted ``"read as 1.5"``
      (a file separated by commas reads ``0,125`` as 125, as a spreadsheet's grouping; typed alone,
      nobody writes 125 so, and the note shows what was read);
    * refused: ``1234,567`` (a thousands separator or a decimal comma?), ``1.000,5``, ``1,00,000``,
      ``inf``, ``nan``, ``1e400`` (too large) and anything else that is not a number.
    """
    text = str(text).strip()
    if not text:
        raise ValueError("Nothing was typed; type a number.")
    if _regex("dot plain").fullmatch(text):
        return TypedNumber(_finite(text, text), "")
    grouped = _regex("typed grouped").fullmatch(text)
    if grouped:
        sign, digits, separator, decimals = grouped.group(1, 2, 3, 4)
        value = _finite(text, sign + digits.replace(separator, "") + (decimals or ""))
        return TypedNumber(value, f"read as {_shown(value)}")
    comma = _regex("typed comma decimal").fullmatch(text)
    if comma:
        sign, whole, fraction, exponent = comma.group(1, 2, 3, 4)
        as_decimal = f"{sign}{whole or '0'}.{fraction}{exponent or ''}"
        if len(fraction) == 3 and whole.lstrip("0") and not exponent:
            raise ValueError(f"\u201c{text}\u201d could be read two ways: write {sign}{whole}{fraction} for "
                             f"a whole number, or {as_decimal} with a dot for decimals.")
        if len(fraction) != 3 or not whole.lstrip("0"):
            value = _finite(text, as_decimal)
            return TypedNumber(value, f"read as {_shown(value)} (a decimal comma)")
    if text.lstrip("+-").upper() in _NOT_FINITE:
        raise ValueError(f"\u201c{text}\u201d is not a number that can be used; type an ordinary number, like 2.5.")
    continental = _regex("typed dot groups comma decimal").fullmatch(text)
    if continental:
        written = continental.group(1) + continental.group(2).replace(".", "") + "." + continental.group(3)
        raise ValueError(f"\u201c{text}\u201d mixes a dot and a comma; write it as {written} (a dot for "
                         f"decimals, no separators).")
    if "," in text and re.fullmatch(r"[+-]?[\d.,\s'_]+(?:[eE][+-]?\d+)?", text):
        raise ValueError(f"\u201c{text}\u201d is not a number as written: commas may only separate groups of "
                         f"three digits (1,000,000); or leave them out, with a dot for decimals (1000000.5).")
    raise ValueError(f"\u201c{text}\u201d is not a number.")


def parse_typed_number(text: str) -> float:
    """The number in ``text`` (see :func:`read_typed_number`); ``ValueError`` with the reason if none."""
    return read_typed_number(text).value


def could_become_number(text: str) -> bool:
    """Whether ``text`` (not a number yet) is a number being typed: ``-``, ``2e``, ``1,000,0``, ``1,``."""
    text = str(text).strip()
    return (text in ("", "+", "-", ".", "+.", "-.") or text[-1] in "eE+-,."
            or _regex("typed so far").fullmatch(text) is not None)


class TypedText:
    """What a person typed into a field that refuses keys (a number field drops a key that cannot
    make a number): the field's text with the refused keys put back where they were typed, so that
    a message quotes all of it ("“abc” is not a number", not "“c” is not a number" after "a" and "b"
    were refused too).

    The field reports each typed key (:meth:`key`) with the text it showed and where the key went;
    the refused keys typed in one place, and the keys typed on after them there, are kept together
    until the field :meth:`clear` s (its text is a number it takes again, or a value was set).
    """

    def __init__(self):
        # (shown, start, length, typed): shown[start:start + length] stands for what was typed there
        self._pending: tuple[str, int, int, str] | None = None

    def clear(self) -> None:
        self._pending = None

    def key(self, shown: str, start: int, replaced: int, key: str, refused: bool) -> str:
        """A key typed into ``shown`` at ``start`` over ``replaced`` selected characters, ``refused``
        or taken; returns the whole text as typed, refused keys included."""
        pending = self._pending
        if pending is not None and pending[0] == shown and (
                (start, replaced) == (pending[1], pending[2])  # over the selection a refused key left
                or (start, replaced) == (pending[1] + pending[2], 0)):  # typing on after it
            _, begin, length, typed = pending
            typed += key
        else:
            begin, length, typed = start, replaced, key
            if not refused:  # nothing refused: the field shows what was typed
                self._pending = None
                return shown[:start] + key + shown[start + replaced:]
        text = shown[:begin] + typed + shown[begin + length:]
        if refused:
            self._pending = (shown, begin, length, typed)
        else:
            now = shown[:start] + key + shown[start + replaced:]
            self._pending = (now, begin, start + len(key) - begin, typed)
        return text

    def text(self, shown: str) -> str:
        """What was typed while the field shows ``shown`` (``shown`` itself when no key was refused)."""
        pending = self._pending
        if pending is None or pending[0] != shown:
            return shown
        shown, begin, length, typed = pending
        return shown[:begin] + typed + shown[begin + length:]
