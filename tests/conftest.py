"""Shared test set-up: Qt offscreen, user folders of the tests' own, simulated disk faults."""

import builtins
import errno
import io
import os
import shutil
import site
import sys
import tempfile
from pathlib import Path

import pytest

from mlp_desktop.core import fileio

# GUI tests run without a display; core tests never import Qt at all.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

# -- the user's real settings and files are never touched -----------------------------------------
# A window built with the defaults writes QSettings("MLP Desktop", "MLP Desktop") (the user's
# layout and recent files) and a recovery copy in QStandardPaths' AppDataLocation. Before any test
# module is imported (so before any QApplication or QSettings exists), the home folder and the XDG
# folders point into a temporary folder; Qt's test mode (tests/gui/conftest.py, or
# `enable_qt_test_mode` below for tests outside tests/gui that load Qt) then puts Qt's own paths
# under that home's .qttest. Child processes (the CLI, benchmarks) inherit the same folders.

USER_FOLDER_VARIABLES = ("HOME", "XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME")
REAL_HOME = Path(os.path.expanduser("~"))
"""The home folder of whoever runs the tests, recorded before it is replaced."""
ISOLATED_ROOT = Path(tempfile.mkdtemp(prefix="mlp-desktop-tests-"))
"""The temporary folder holding the tests' home and XDG folders (removed when the session ends)."""

_saved_environment = {name: os.environ.get(name) for name in USER_FOLDER_VARIABLES + ("PYTHONUSERBASE",)}
# Child Pythons (the CLI, benchmarks, the training process) still find packages installed with
# `pip install --user`, which live under the real home.
os.environ.setdefault("PYTHONUSERBASE", site.getuserbase())
os.environ["HOME"] = str(ISOLATED_ROOT / "home")
os.environ["XDG_CONFIG_HOME"] = str(ISOLATED_ROOT / "config")
os.environ["XDG_DATA_HOME"] = str(ISOLATED_ROOT / "data")
os.environ["XDG_CACHE_HOME"] = str(ISOLATED_ROOT / "cache")
os.environ["XDG_STATE_HOME"] = str(ISOLATED_ROOT / "state")
for _name in USER_FOLDER_VARIABLES:
    Path(os.environ[_name]).mkdir(parents=True, exist_ok=True)


def enable_qt_test_mode() -> None:
    """Qt's test mode (QStandardPaths under ``$HOME/.qttest``), if Qt is loaded; never imports Qt."""
    qt_core = sys.modules.get("PySide6.QtCore")
    if qt_core is not None and not qt_core.QStandardPaths.isTestModeEnabled():
        qt_core.QStandardPaths.setTestModeEnabled(True)


def pytest_unconfigure(config):
    for name, value in _saved_environment.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value
    shutil.rmtree(ISOLATED_ROOT, ignore_errors=True)


@pytest.fixture(autouse=True, scope="session")
def isolated_user_folders() -> Path:
    """The temporary folder standing in for the user's home and XDG folders (see above)."""
    enable_qt_test_mode()
    return ISOLATED_ROOT


@pytest.fixture
def real_user_home() -> Path:
    """The home folder of whoever runs the tests (only to check it is left alone)."""
    return REAL_HOME


@pytest.fixture(autouse=True)
def qt_test_mode_once_qt_is_loaded():
    # For tests outside tests/gui that load Qt themselves (the CLI opening the GUI, ...).
    enable_qt_test_mode()


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


@pytest.fixture
def without_pandas_loaded(monkeypatch):
    """Run the pandas-free branches (``lazy.pandas_loaded()`` says False). A test process always has
    pandas loaded, so without this those branches, the ones the window's first frame takes, would
    never run in the suite."""
    from mlp_desktop.core import lazy

    monkeypatch.setattr(lazy, "pandas_loaded", lambda: False)


@pytest.fixture(params=["pandas loaded", "pandas not loaded yet"])
def pandas_loaded_or_not(request):
    """Run a test twice: as after start-up, and as during the window's first read, which takes the
    pandas-free branches. Both must give the same (reading data correctly is the precious part).

    Only tests that reach a branch on ``lazy.pandas_loaded()`` use it; in the suite that is the
    workbook cell typing (``_as_numbers`` in ``core/reading/workbook.py``), so the tests that read a
    workbook's data rows (and prepare a dataset from them). Every other test would run the same code
    twice. ``test_reading.py`` and ``test_data.py`` run their other tests once, under
    :func:`pandas_branch_not_reached`, which fails a test that reaches such a branch unmarked."""
    if request.param == "pandas not loaded yet":
        request.getfixturevalue("without_pandas_loaded")


@pytest.fixture
def pandas_branch_not_reached(request, monkeypatch):
    """For a test run once (not under :func:`pandas_loaded_or_not`): fails it if it asks
    ``lazy.pandas_loaded()``, i.e. reaches a branch that would differ during the window's first read;
    such a test must be run both ways."""
    if "pandas_loaded_or_not" in request.fixturenames:
        yield
        return
    from mlp_desktop.core import lazy

    asked = []
    real = lazy.pandas_loaded

    def pandas_loaded() -> bool:
        asked.append(True)
        return real()

    monkeypatch.setattr(lazy, "pandas_loaded", pandas_loaded)
    yield
    assert not asked, ("this test reaches a branch on lazy.pandas_loaded(): run it both ways, "
                       "@pytest.mark.usefixtures(\"pandas_loaded_or_not\")")
