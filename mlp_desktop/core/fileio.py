"""Writing files so that nothing is ever half-written: a temporary file, then a rename."""

from __future__ import annotations

import contextlib
import glob
import os
import tempfile
import time
from pathlib import Path
from typing import Callable, Iterator

from .errors import DataError


@contextlib.contextmanager
def atomic_path(path) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; on success it replaces ``path`` in one step.

    If the body raises, the temporary file is removed and an existing ``path`` is untouched.
    Problems the user can fix (a read-only folder, a full disk) become :class:`DataError`.
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


def write_with(path, writer: Callable[[Path], None]) -> None:
    """Call ``writer(temporary_path)`` and move the result onto ``path`` atomically."""
    with atomic_path(path) as temporary:
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


def write_table(frame, path) -> None:
    """Save a DataFrame as ``.csv`` or ``.xlsx`` (chosen by the suffix), atomically."""
    path = Path(path)
    frame = whole_numbers_as_integers(frame)
    suffix = path.suffix.lower()
    if suffix == ".csv":
        write_with(path, lambda p: frame.to_csv(p, index=False))
    elif suffix == ".xlsx":
        write_with(path, lambda p: frame.to_excel(p, index=False, engine="openpyxl"))
    else:
        raise DataError(f"Cannot save {path.name}: choose a .csv or .xlsx file name.")
