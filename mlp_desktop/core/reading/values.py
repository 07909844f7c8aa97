"""The one place where cell texts become numbers: a vectorised parse of many texts at once.

:func:`parse_texts` takes the distinct texts of a column and tells, for each, what it holds: a
missing marker, a plain number, a number with thousands separators, a currency amount, a
percentage, a date, a time of day, or text. Decimal commas are read here and nowhere else.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

__all__ = [
    "KIND_NAMES", "MISSING", "NUMBER", "GROUPED", "CURRENCY", "PERCENT", "DATE", "TIME", "TEXT",
    "MISSING_TOKENS", "ParsedTexts", "parse_texts", "looks_like_comma_decimal",
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


_PATTERNS = {mark: _patterns(mark) for mark in _GROUP_SEPARATORS}
_DOT_PLAIN = re.compile(rf"[+-]?(?:\d+\.?\d*|\.\d+){_EXPONENT}", re.ASCII)
_ISO_DATE = re.compile(r"\d{4}-\d{1,2}-\d{1,2}(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?Z?", re.ASCII)
_SLASH_DATE = re.compile(r"(\d{1,2})[/.](\d{1,2})[/.](\d{4})(?: \d{1,2}:\d{2}(?::\d{2})?)?", re.ASCII)
_TIME = re.compile(r"(\d{1,2}):(\d{2})(?::(\d{2}(?:\.\d+)?))?\s*([AaPp][Mm])?", re.ASCII)
_COMMA_DECIMAL_LOOK = re.compile(r"[+-]?[\d. \u00a0\u202f]*\d,\d+(?:[eE][+-]?\d+)?", re.ASCII)


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
    patterns = _PATTERNS[mark]
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
    patterns = _PATTERNS[decimal_mark]
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
        dotted = matching(_DOT_PLAIN)
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

    iso = matching(_ISO_DATE)
    if iso.any():
        parsed = pd.to_datetime(series[iso].str.rstrip("Z"), errors="coerce", format="ISO8601")
        good = iso.copy()
        good[iso] = parsed.notna().to_numpy()
        dates[good] = parsed[parsed.notna()].to_numpy(dtype="datetime64[ns]")
        kinds[good] = DATE
        rest = rest & ~good
    slash = matching(_SLASH_DATE)
    if slash.any():
        firsts = series[slash].str.extract(_SLASH_DATE)[0].astype(int)
        day_first = bool((firsts > 12).any())
        parsed = pd.to_datetime(series[slash].str.replace(".", "/", regex=False), errors="coerce",
                                dayfirst=day_first, format="mixed")
        good = slash.copy()
        good[slash] = parsed.notna().to_numpy()
        dates[good] = parsed[parsed.notna()].to_numpy(dtype="datetime64[ns]")
        kinds[good] = DATE
        rest = rest & ~good
    times = matching(_TIME)
    if times.any():
        parts = series[times].str.extract(_TIME)
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
    return bool(_COMMA_DECIMAL_LOOK.fullmatch(text.strip()))
