"""Writing files so that nothing is ever half-written: a temporary file, then a rename."""

from __future__ import annotations

import contextlib
import glob
import os
import re
import tempfile
import time
from pathlib import Path
from typing import Callable, Iterator

from .errors import Cancelled, DataError


@contextlib.contextmanager
def atomic_path(path, should_stop: Callable[[], bool] | None = None) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; on success it replaces ``path`` in one step.

    If the body raises, the temporary file is removed and an existing ``path`` is untouched.
    Problems the user can fix (a read-only folder, a full disk) become :class:`DataError`.
    ``should_stop() -> True`` at the last moment before the replace raises :class:`Cancelled`
    (the file is flushed to disk first, which can take a while for a big one).
    """
    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    _remove_stale_temporaries(path, folder)
    try:
        handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp" + path.suffix, dir=folder)
    except OSError as error:
        raise DataError(f"Cannot write {path.name} in {folder}: {error.strerror or error}.") from None
    os.close(handle)
    temporary = Path(temporary)
    try:
        yield temporary
        with open(temporary, "rb+") as written:
            os.fsync(written.fileno())
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(temporary, 0o666 & ~umask)  # mkstemp makes it private; a saved file should not be
        if should_stop is not None and should_stop():
            raise Cancelled()
        os.replace(temporary, path)
    except OSError as error:
        raise DataError(f"Could not save {path.name}: {error.strerror or error}. The old file is unchanged.") from None
    finally:
        with contextlib.suppress(OSError):
            temporary.unlink()


STALE_TEMPORARY_SECONDS = 3600
"""A temporary file this old was left by a save that never finished (power cut, killed app)."""


def _remove_stale_temporaries(path: Path, folder: Path) -> None:
    """Delete what an interrupted save of ``path`` left beside it; a save still running is younger."""
    with contextlib.suppress(OSError):
        cutoff = time.time() - STALE_TEMPORARY_SECONDS
        for leftover in folder.glob(f".{glob.escape(path.name)}.*.tmp{glob.escape(path.suffix)}"):
            with contextlib.suppress(OSError):
                if leftover.is_file() and leftover.stat().st_mtime < cutoff:
                    leftover.unlink()


def write_text_atomic(path, text: str, encoding: str = "utf-8") -> None:
    """Write ``text`` to ``path`` atomically."""
    with atomic_path(path) as temporary:
        temporary.write_text(text, encoding=encoding)


def write_with(path, writer: Callable[[Path], None], should_stop: Callable[[], bool] | None = None) -> None:
    """Call ``writer(temporary_path)`` and move the result onto ``path`` atomically (unless
    ``should_stop()`` says so at the last moment: :class:`Cancelled`)."""
    with atomic_path(path, should_stop) as temporary:
        writer(temporary)


def whole_numbers_as_integers(frame):
    """A copy in which float columns holding only whole numbers (and blanks) become integers,
    so a saved table shows ``60`` where the user's file had ``60``, not ``60.0``."""
    import numpy as np

    frame = frame.copy()
    for column in frame.columns:
        values = frame[column]
        if values.dtype == np.float64:
            finite = values.dropna()
            if len(finite) and (finite == finite.round()).all() and (finite.abs() < 2**53).all():
                frame[column] = values.astype("Int64")
    return frame


_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")


def _is_live_text(value) -> bool:
    """A text a spreadsheet would run as a formula (``=HYPERLINK(...)``, ``+1+cmd|...``, ``@SUM(...)``)."""
    return isinstance(value, str) and value.startswith(_FORMULA_STARTS) and not _PLAIN_NUMBER.fullmatch(value)


def guard_csv_text(frame):
    """A copy in which text cells (and column names) that a spreadsheet would run as formulas start
    with an apostrophe, as the OWASP advice on CSV injection says: ``=1+1`` is written ``'=1+1``.
    Texts that are plain numbers (``-1``, a class label) are left alone."""
    import pandas as pd

    guarded = frame.copy()
    guarded.columns = ["'" + name if _is_live_text(name) else name for name in map(str, frame.columns)]
    for column in range(guarded.shape[1]):
        values = guarded.iloc[:, column]
        if values.dtype == object or pd.api.types.is_string_dtype(values.dtype):
            texts = values.to_numpy(dtype=object)
            live = [i for i, value in enumerate(texts) if _is_live_text(value)]
            if live:
                texts = texts.copy()
                texts[live] = ["'" + texts[i] for i in live]
                guarded.isetitem(column, pd.Series(texts, index=guarded.index, dtype=object))
    return guarded


def _write_xlsx(frame, path: Path) -> None:
    """``frame`` as a workbook in which every text is text: openpyxl would store a text starting
    with ``=`` as a live formula."""
    import pandas as pd

    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        frame.to_excel(writer, index=False)
        sheet = next(iter(writer.sheets.values()))
        text_columns = [j + 1 for j in range(frame.shape[1])
                        if frame.iloc[:, j].dtype == object or pd.api.types.is_string_dtype(frame.iloc[:, j].dtype)]
        for cell in sheet[1]:
            if cell.data_type == "f":
                cell.data_type = "s"
        for column in text_columns:
            for (cell,) in sheet.iter_rows(min_row=2, min_col=column, max_col=column):
                if cell.data_type == "f":
                    cell.data_type = "s"  # the text as it is, shown and stored as text


EXCEL_MAX_DATA_ROWS = 1_048_575
"""An Excel sheet holds 1,048,576 rows, one of them the header."""


def write_table(frame, path, should_stop: Callable[[], bool] | None = None) -> None:
    """Save a DataFrame as ``.csv`` or ``.xlsx`` (chosen by the suffix), atomically.

    Nothing written is a live formula: in ``.xlsx`` a text starting with ``=`` is stored as text;
    in ``.csv`` texts starting with ``=``, ``+``, ``-`` or ``@`` get a leading apostrophe
    (:func:`guard_csv_text`). ``should_stop() -> True`` once the file is written but not yet in
    place raises :class:`~.errors.Cancelled` and leaves ``path`` as it was (a save cancelled while
    it runs cannot be interrupted, but it never replaces the file).
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".csv":
        def writer(temporary):
            guard_csv_text(whole_numbers_as_integers(frame)).to_csv(temporary, index=False)
    elif suffix == ".xlsx":
        if len(frame) > EXCEL_MAX_DATA_ROWS:
            raise DataError(f"Cannot save {path.name}: {len(frame):,} rows are more than an Excel sheet holds "
                            f"({EXCEL_MAX_DATA_ROWS:,} below the header). Save it as .csv instead.")

        def writer(temporary):
            _write_xlsx(whole_numbers_as_integers(frame), temporary)
    else:
        raise DataError(f"Cannot save {path.name}: choose a .csv or .xlsx file name.")

    def write_unless_stopped(temporary):
        writer(temporary)
        if should_stop is not None and should_stop():
            raise Cancelled()  # (before the flush to disk, too)

    write_with(path, write_unless_stopped, should_stop)
