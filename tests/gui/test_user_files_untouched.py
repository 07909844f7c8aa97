"""Tests never touch the user's real settings or files (tests/conftest.py, tests/gui/conftest.py)."""

import os
from pathlib import Path

from PySide6.QtCore import QSettings, QStandardPaths

from mlp_desktop.core.samples import sample_path
from mlp_desktop.gui.main_window import MainWindow


def snapshot(folder: Path, depth: int = 3) -> dict:
    """Path -> (size, mtime) of everything in ``folder`` down to ``depth`` levels (folders too)."""
    found = {}
    if not folder.is_dir():
        return found
    pending = [(folder, 0)]
    while pending:
        current, level = pending.pop()
        try:
            entries = list(os.scandir(current))
        except OSError:
            continue
        for entry in entries:
            try:
                info = entry.stat(follow_symlinks=False)
            except OSError:
                continue
            found[entry.path] = (info.st_size, info.st_mtime_ns)
            if level + 1 < depth and entry.is_dir(follow_symlinks=False):
                pending.append((Path(entry.path), level + 1))
    return found


def test_a_window_with_default_settings_writes_only_into_the_tests_folder(qtbot, isolated_user_folders,
                                                                          real_user_home):
    real = [real_user_home / ".config", real_user_home / ".local" / "share", real_user_home / ".qttest"]
    before = {folder: snapshot(folder) for folder in real}
    assert Path.home() != real_user_home and Path.home().is_relative_to(isolated_user_folders)
    assert QStandardPaths.isTestModeEnabled()

    window = MainWindow()  # the app's defaults: QSettings("MLP Desktop", "MLP Desktop")
    qtbot.addWidget(window)
    window.show()
    settings_file = Path(window.settings.fileName())
    assert settings_file.is_relative_to(isolated_user_folders), settings_file
    assert window.recovery_path().is_relative_to(isolated_user_folders), window.recovery_path()
    window.docks["history"].hide()  # a layout change
    assert window.open_path(sample_path("iris", ".csv"))  # a recent file
    window.editor.add_layer()  # unsaved work: a recovery copy
    window.write_recovery_copy()
    assert window.recovery_path().exists()
    window.mark_saved()
    window.close()
    window.settings.sync()

    written = QSettings(str(settings_file), QSettings.Format.NativeFormat)
    assert written.value("recent_files") and "iris.csv" in str(written.value("recent_files"))
    assert written.value("window_state") is not None
    assert {folder: snapshot(folder) for folder in real} == before


def test_benchmark_windows_use_temporary_settings_and_user_folders(qtbot, monkeypatch, real_user_home):
    import importlib
    import sys

    monkeypatch.syspath_prepend(str(Path(__file__).resolve().parents[2] / "benchmarks"))
    harness = importlib.import_module("_gui_harness")
    for name in harness.XDG_FOLDER_VARIABLES:
        monkeypatch.delenv(name, raising=False)  # restored after the test
    monkeypatch.setattr(harness, "_temporary_user_folder", None)
    interval = sys.getswitchinterval()
    harness.choose_platform()
    sys.setswitchinterval(interval)  # choose_platform sets the app's; the other tests keep theirs
    folder = harness.use_temporary_user_folders()
    assert folder == harness.use_temporary_user_folders() and not folder.is_relative_to(real_user_home)
    assert all(Path(os.environ[name]).is_relative_to(folder) for name in harness.XDG_FOLDER_VARIABLES)
    window = harness.open_window(None)
    qtbot.addWidget(window)
    assert Path(window.settings.fileName()).is_relative_to(folder)
    # Outside the tests (no Qt test mode) the recovery copy goes to the temporary XDG data folder.
    QStandardPaths.setTestModeEnabled(False)
    try:
        assert window.recovery_path().is_relative_to(folder), window.recovery_path()
    finally:
        QStandardPaths.setTestModeEnabled(True)
    harness.close_window(window)
