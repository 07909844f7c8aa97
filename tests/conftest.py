"""Shared test set-up: Qt offscreen, and simulated disk faults for the save tests."""

import builtins
import errno
import io
import os
import tempfile
from pathlib import Path

import pytest

from mlp_desktop.core import fileio

# GUI tests run without a display; core tests never import Qt at all.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def _disk_full() -> OSError:
    return OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


class _FullDiskFile:
    """A file being written where ``room[0]`` more bytes fit; a larger write raises ``error()``."""

    def __init__(self, handle, room: list, error):
        self._handle, self._room, self._error = handle, room, error

    def write(self, data):
        size = len(data)
        if size > self._room[0]:
            raise self._error()
        self._room[0] -= size
        return self._handle.write(data)

    def __getattr__(self, name):
        return getattr(self._handle, name)

    def __iter__(self):
        return iter(self._handle)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return self._handle.__exit__(*exc)


@pytest.fixture
def full_disk(monkeypatch):
    """``full_disk(folder, room=0, error=...)``: from now on at most ``room`` more bytes fit in
    ``folder`` (files written from Python); the write that does not fit raises ``error()``, a
    full disk unless given (``KeyboardInterrupt`` simulates Ctrl+C half-way through a save)."""
    real_open = builtins.open

    def install(folder: Path, room: int = 0, error=_disk_full) -> None:
        left = [room]
        folder = Path(folder).resolve()

        def open_(file, mode="r", *args, **kwargs):
            handle = real_open(file, mode, *args, **kwargs)
            writing = any(flag in mode for flag in "wax+")
            if writing and isinstance(file, (str, os.PathLike)) and Path(file).resolve().parent == folder:
                return _FullDiskFile(handle, left, error)
            return handle

        monkeypatch.setattr(builtins, "open", open_)
        monkeypatch.setattr(io, "open", open_)

    return install


@pytest.fixture
def read_only_folder(tmp_path, monkeypatch):
    """``(folder, lock)``: ``lock()`` makes ``folder`` a place nobody may write in. Run as root,
    ``chmod`` does not stop writes, so creating files there is refused by patching ``mkstemp``
    (where every save starts) instead."""
    folder = tmp_path / "locked"
    folder.mkdir()

    def lock() -> Path:
        folder.chmod(0o555)
        probe = folder / ".probe"
        try:
            probe.touch()
        except PermissionError:
            return folder
        probe.unlink()
        real_mkstemp = tempfile.mkstemp

        def mkstemp(*args, dir=None, **kwargs):
            if dir is not None and Path(dir).resolve() == folder.resolve():
                raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(dir))
            return real_mkstemp(*args, dir=dir, **kwargs)

        monkeypatch.setattr(fileio.tempfile, "mkstemp", mkstemp)
        return folder

    yield folder, lock
    folder.chmod(0o755)
