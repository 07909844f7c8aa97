"""Opening a data file reads it off the GUI thread: the window keeps answering, a slow read shows a
progress dialog with Cancel, and Cancel keeps what was open (issue 13)."""

from __future__ import annotations

import threading
import time

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QPushButton

from mlp_desktop.core.errors import DataError
from mlp_desktop.core.samples import sample_path
from mlp_desktop.gui import documents


@pytest.fixture
def window(module_window):
    """The module's shared window: every test opens its own data first, and nothing here trains."""
    return module_window


def record_read_threads(monkeypatch) -> list:
    """The threads ``documents.read_table`` runs in, from now on (it still reads)."""
    threads, real = [], documents.read_table

    def recording(path, sheet=None):
        threads.append(threading.current_thread())
        return real(path, sheet)

    monkeypatch.setattr(documents, "read_table", recording)
    return threads


def make_slow(monkeypatch):
    """Make ``documents.read_table`` wait until released (at most 10 s), recording its thread."""
    release = threading.Event()
    seen = {}
    real = documents.read_table

    def slow(path, sheet=None):
        seen["thread"] = threading.current_thread()
        release.wait(10)
        return real(path, sheet)

    monkeypatch.setattr(documents, "read_table", slow)
    return release, seen


@pytest.fixture
def releases():
    """Every slow read is released at the end of the test, whatever happened."""
    events = []
    yield events
    for event in events:
        event.set()


def wait_for_reads(qtbot) -> None:
    qtbot.waitUntil(lambda: not documents.background_reads_running(), timeout=15_000)


def test_opening_a_file_reads_it_in_another_thread(window, qtbot, monkeypatch):
    threads = record_read_threads(monkeypatch)
    assert window.open_path(sample_path("health_score", ".csv"))
    assert window.workspace.table.path == sample_path("health_score", ".csv")
    assert threads and threads[0] is not threading.main_thread()
    wait_for_reads(qtbot)


def test_a_slow_read_shows_progress_and_the_window_keeps_answering(window, qtbot, releases, monkeypatch):
    release, seen = make_slow(monkeypatch)
    releases.append(release)
    monkeypatch.setattr(documents, "PROGRESS_DELAY_MS", 100)
    ticks, dialogs = [], []

    def watch():
        ticks.append(time.perf_counter())  # a GUI-thread timer fires while the file is read
        reads = [read for read in documents._RUNNING_READS if read.dialog is not None]
        if reads and not dialogs:
            dialogs.append(reads[0].dialog)
            assert reads[0].dialog.isVisible()
            release.set()  # the read ends: the dialog goes away by itself

    timer = QTimer()
    timer.timeout.connect(watch)
    timer.start(20)
    try:
        assert window.open_path(sample_path("iris", ".csv"))
    finally:
        timer.stop()
    assert dialogs and dialogs[0].labelText().startswith("Reading iris.csv")
    assert len(ticks) >= 3
    assert seen["thread"] is not threading.main_thread()
    assert window.workspace.table.path == sample_path("iris", ".csv")
    wait_for_reads(qtbot)


def test_cancel_keeps_the_data_that_was_open(window, qtbot, releases, monkeypatch):
    assert window.open_path(sample_path("health_score", ".csv"))
    wait_for_reads(qtbot)
    before = window.workspace.table
    real = documents.read_table
    release, _ = make_slow(monkeypatch)
    releases.append(release)
    monkeypatch.setattr(documents, "PROGRESS_DELAY_MS", 50)

    def press_cancel():
        reads = [read for read in documents._RUNNING_READS if read.dialog is not None]
        if reads:
            # the user presses the dialog's Cancel button
            reads[0].dialog.findChild(QPushButton).click()
        else:
            QTimer.singleShot(20, press_cancel)

    QTimer.singleShot(20, press_cancel)
    assert not window.open_path(sample_path("iris", ".csv"))
    assert window.workspace.table is before
    assert "Cancelled" in window.statusBar().currentMessage()
    release.set()  # the abandoned read finishes in the background; its table is dropped
    wait_for_reads(qtbot)
    QApplication.processEvents()
    assert window.workspace.table is before
    # and the next file opens as usual
    monkeypatch.setattr(documents, "read_table", real)
    assert window.open_path(sample_path("iris", ".csv"))
    assert window.workspace.table.path == sample_path("iris", ".csv")
    wait_for_reads(qtbot)


def test_read_errors_and_memory_errors_keep_the_data_and_show_a_message(window, qtbot, monkeypatch, tmp_path):
    assert window.open_path(sample_path("health_score", ".csv"))
    before = window.workspace.table

    def exhausted(path, sheet=None):
        raise MemoryError()

    monkeypatch.setattr(documents, "read_table", exhausted)
    assert not window.open_path(sample_path("iris", ".csv"))
    assert window.workspace.table is before
    assert "memory" in window.data_panel.error_message()

    def refused(path, sheet=None):
        raise DataError("iris.csv is not what it seems.")

    monkeypatch.setattr(documents, "read_table", refused)
    assert not window.open_path(sample_path("iris", ".csv"))
    assert window.workspace.table is before
    assert window.data_panel.error_message() == "iris.csv is not what it seems."
    wait_for_reads(qtbot)


def test_a_project_too_big_for_memory_is_a_message(window, qtbot, monkeypatch, tmp_path):
    from PySide6.QtWidgets import QMessageBox

    assert window.open_path(sample_path("health_score", ".csv"))
    before = window.workspace.table
    project = tmp_path / "work.mlpd"
    assert window.save_project(project)
    shown = []
    monkeypatch.setattr(QMessageBox, "warning", staticmethod(lambda *args, **kwargs: shown.append(args[2])))

    def exhausted(path):
        raise MemoryError()

    monkeypatch.setattr(documents, "load_project", exhausted)
    assert not window.open_project(project, ask=False)
    assert shown and "memory" in shown[0]
    assert window.workspace.table is before
    wait_for_reads(qtbot)


def test_a_project_reads_its_data_file_in_the_background(window, qtbot, monkeypatch, tmp_path):
    import shutil

    data = tmp_path / "iris.csv"
    shutil.copy(sample_path("iris", ".csv"), data)
    assert window.open_path(data)
    project = tmp_path / "iris.mlpd"
    assert window.save_project(project)
    threads = record_read_threads(monkeypatch)
    assert window.open_project(project, ask=False)
    assert threads and threads[0] is not threading.main_thread()
    assert window.workspace.table.path == data
    wait_for_reads(qtbot)


def test_a_sample_opened_from_the_menu_is_read_in_the_background_and_the_start_up_one_at_once(window, qtbot,
                                                                                               monkeypatch):
    threads = record_read_threads(monkeypatch)
    window.mark_saved()
    assert window.open_sample("iris", ask=False)
    assert threads and threads[-1] is not threading.main_thread()
    assert window.workspace.table.path == sample_path("iris", ".xlsx")
    assert "Opened the sample" in window.statusBar().currentMessage()
    wait_for_reads(qtbot)
    # Before the window is first shown (the sample at start-up), the sample is read at once, so that
    # the first frame shows it.
    window.hide()
    try:
        assert window.open_sample("xor_gate", ask=False)
        assert threads[-1] is threading.main_thread()
        assert window.workspace.table.path == sample_path("xor_gate", ".xlsx")
    finally:
        window.show()
    window.mark_saved()
