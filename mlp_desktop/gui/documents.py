"""Opening and saving the user's files from the window: projects, data files, samples, exports and the
recovery copy. The workspace decides what opening or saving does to the work; this asks the user
what the workspace reports (unsaved work) and shows dialogs."""

from __future__ import annotations

import time
from contextlib import contextmanager
from pathlib import Path

from PySide6.QtCore import QEventLoop, QObject, Qt, QThread, QTimer, Signal, Slot
from PySide6.QtWidgets import QApplication, QFileDialog, QMessageBox, QProgressDialog, QWidget

from ..core.data import SUPPORTED_EXTENSIONS, read_table, table_from_frame
from ..core.errors import DataError
from ..core.project import PROJECT_SUFFIX, load_project, resolve_data_path, save_project
from ..core.samples import SAMPLE_SETUPS, SAMPLES, sample_path
from . import actions as action_table
from . import dialogs, window_settings

PROGRESS_DELAY_MS = 1000
"""A file read for longer than this shows a progress dialog with Cancel."""

_RUNNING_READS: set = set()
"""Reads still running (a cancelled read finishes in the background and its table is dropped):
kept referenced, so that no QThread is deleted while it runs."""


class _ReadWorker(QObject):
    """Reads one file in its own thread; emits the table, or the exception that stopped it."""

    read = Signal(object)
    failed = Signal(object)

    def __init__(self, path: Path, sheet: str | None):
        super().__init__()
        self.path, self.sheet = path, sheet

    @Slot()
    def run(self) -> None:
        try:
            table = read_table(self.path, self.sheet)
        except BaseException as error:  # noqa: BLE001 - handed to the GUI thread, which decides
            self.failed.emit(error)
        else:
            self.read.emit(table)


class BackgroundRead(QObject):
    """Read a data file off the GUI thread and wait for it in a local event loop.

    The window keeps repainting and answering while the file is read; after
    :data:`PROGRESS_DELAY_MS` a progress dialog offers Cancel. :meth:`run` returns
    ``("read", table)``, ``("failed", exception)`` or ``("cancelled", None)``. The core reader
    cannot be interrupted, so a cancelled read finishes in the background and its table is dropped.
    The worker's signals reach only this object's slots, which run in the GUI thread.
    """

    def __init__(self, parent: QWidget, path: Path, sheet: str | None):
        super().__init__()
        self._parent, self.path = parent, path
        self._outcome: tuple[str, object] | None = None
        self._loop: QEventLoop | None = None
        self.dialog: QProgressDialog | None = None
        self._thread = QThread()
        self._thread.setObjectName(f"read {path.name}")
        self._worker = _ReadWorker(path, sheet)
        self._worker.moveToThread(self._thread)
        self._thread.started.connect(self._worker.run)
        self._worker.read.connect(self._on_read)
        self._worker.failed.connect(self._on_failed)
        self._thread.finished.connect(self._on_thread_finished)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._show_progress)

    def run(self) -> tuple[str, object]:
        _RUNNING_READS.add(self)
        self._loop = QEventLoop()
        self._timer.start(PROGRESS_DELAY_MS)
        self._thread.start()
        if self._outcome is None:
            self._loop.exec()
        self._timer.stop()
        if self.dialog is not None:
            self.dialog.hide()
            self.dialog.deleteLater()
            self.dialog = None
        return self._outcome or ("cancelled", None)

    def is_running(self) -> bool:
        return self._thread.isRunning()

    def _finish(self, outcome: tuple[str, object]) -> None:
        if self._outcome is None:
            self._outcome = outcome
        if self._loop is not None:
            self._loop.quit()

    @Slot(object)
    def _on_read(self, table) -> None:
        self._thread.quit()
        self._finish(("read", table))

    @Slot(object)
    def _on_failed(self, error) -> None:
        self._thread.quit()
        self._finish(("failed", error))

    @Slot()
    def _cancel(self) -> None:
        self._finish(("cancelled", None))

    @Slot()
    def _on_thread_finished(self) -> None:
        self._thread.wait()  # "finished" comes just before the thread ends: never delete it running
        _RUNNING_READS.discard(self)

    @Slot()
    def _show_progress(self) -> None:
        if self._outcome is not None:
            return
        dialog = QProgressDialog(f"Reading {self.path.name}…", "Cancel", 0, 0, self._parent)
        dialog.setWindowTitle("Opening data")
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.setMinimumDuration(0)
        dialog.setAutoClose(False)
        dialog.setAutoReset(False)
        dialog.canceled.connect(self._cancel)
        self.dialog = dialog
        dialog.show()


def read_in_background(parent: QWidget, path: Path, sheet: str | None = None) -> tuple[str, object]:
    """Read ``path`` in a worker thread while the window stays responsive (see :class:`BackgroundRead`)."""
    return BackgroundRead(parent, path, sheet).run()


def background_reads_running() -> bool:
    """True while a read (perhaps a cancelled one) is still running in its thread."""
    return any(read.is_running() for read in list(_RUNNING_READS))


class DocumentCommands:
    """The File menu's commands, mixed into :class:`~mlp_desktop.gui.main_window.MainWindow`."""

    def has_unsaved_changes(self) -> bool:
        return self.workspace.is_dirty or not self.undo_stack.isClean()

    def mark_saved(self) -> None:
        self.workspace.mark_clean()
        self.undo_stack.setClean()
        self._update_title()

    def maybe_save(self) -> bool:
        """Ask what to do with unsaved work; False means the user cancelled (nothing changes)."""
        reason = self.workspace.unsaved_changes() or ("The network's changes are not saved."
                                                      if not self.undo_stack.isClean() else None)
        if reason is None:
            return True
        answer = dialogs.ask_save_discard_cancel(self, reason)
        if answer == "save" and self.workspace.is_running:
            self.stop_and_wait()  # the run ends with the work it belongs to: save what it learned
        return self.save() if answer == "save" else answer == "discard"

    def project(self):
        """The current work as a :class:`~mlp_desktop.core.project.Project` (see :meth:`Workspace.project`)."""
        self.workspace.view["log_y"] = self.rmse_plot.is_log_y()
        return self.workspace.project()

    def open_dialog(self) -> None:
        patterns = " ".join(f"*{suffix}" for suffix in SUPPORTED_EXTENSIONS)
        path, _ = QFileDialog.getOpenFileName(self, "Open", self.prefs.last_folder(),
                                              f"Projects and spreadsheets (*{PROJECT_SUFFIX} {patterns});;All files (*)")
        if path:
            self.open_path(path)

    def open_path(self, path, sheet: str | None = None) -> bool:
        """Open a project (``.mlpd``) or a dataset file, asking first if work would be lost."""
        path = Path(path)
        if path.suffix.lower() == PROJECT_SUFFIX:
            return self.open_project(path)
        if self._still_reading(path):
            return False
        same_file = self.workspace.table is not None and self.workspace.table.path == path and sheet is not None
        if not same_file and not self.maybe_save():
            return False
        outcome, result = self._read_off_thread(path, sheet)
        if outcome == "cancelled":
            return False
        if outcome == "failed":
            self.data_panel.show_problem(str(result))  # what was open stays open
            self.statusBar().showMessage(f"Could not open {path.name}; see the Data panel.", 8000)
            return False
        table = result
        self._said = ""
        self.workspace.open_table(table)
        if self.workspace.project_path is None:
            # A file opened into untitled work is nothing to save yet (what was unsaved before was
            # asked about above): opening another one asked "save the changes?" every time.
            self.mark_saved()
        self.prefs.set_last_folder(path.parent)
        self._remember_recent(path)
        if self.workspace.data_problem:
            advice = "It cannot be used as it is: the Data panel says why."
        else:
            advice = self._said or "Choose the columns' roles in the Data panel, then press Train (F5)."
        self.statusBar().showMessage(f"Opened {path.name}. {advice}", 15000)
        return True

    def open_sample(self, name: str, ask: bool = True) -> bool:
        """Start a fresh, untitled project with a sample dataset and a network that suits it."""
        path = sample_path(name, ".xlsx")
        if self.isVisible() and self._still_reading(path):
            return False
        if ask and not self.maybe_save():
            return False
        if self.isVisible():
            outcome, table = self._read_off_thread(path, None)  # as any file: the window keeps answering
        else:
            # The start-up sample is read here, before the window is first shown, so that its first
            # frame already shows the sample's table and network. Nothing is on screen to keep
            # responsive yet (and a sample is a few rows, read in milliseconds), while the local event
            # loop of a background read would run events for a window still being built.
            try:
                outcome, table = "read", read_table(path)
            except DataError as error:
                outcome, table = "failed", error
        if outcome == "cancelled":
            return False
        if outcome == "failed":
            QMessageBox.warning(self, "Sample", str(table))
            return False
        self.workspace.project_path = None
        self.workspace.open_table(table, SAMPLE_SETUPS.get(name, {}))
        self.mark_saved()  # a sample as it comes is nothing to save (closing asked "save the changes?")
        self.statusBar().showMessage(f"Opened the sample {SAMPLES.get(name, name)!r}. Press Train (F5) to train "
                                     "the network.", 8000)
        return True

    def _still_reading(self, path: Path) -> bool:
        """True (and said in the status bar) while another file is being read."""
        reading = getattr(self, "_reading_path", None)
        if reading is None:
            return False
        self.statusBar().showMessage(f"Still reading {reading.name}; open {path.name} when it is done.", 8000)
        return True

    def _read_off_thread(self, path: Path, sheet: str | None) -> tuple[str, object]:
        """Read ``path`` off the GUI thread (the workspace is untouched until the table is read):
        ``("read", table)``, ``("failed", DataError)`` or ``("cancelled", None)`` (said in the status bar)."""
        self._reading_path = path
        try:
            outcome, result = read_in_background(self, path, sheet)
        finally:
            self._reading_path = None
        if outcome == "cancelled":
            self.statusBar().showMessage(f"Cancelled opening {path.name}; the data shown stays open.", 8000)
        elif outcome == "failed":
            if isinstance(result, MemoryError):
                result = DataError(f"{path.name} is too large to read with the memory this computer has free. "
                                   f"Close other programs, or open a smaller part of the data.")
            if not isinstance(result, DataError):
                raise result
        return outcome, result

    def open_project(self, path, ask: bool = True) -> bool:
        """Open a ``.mlpd`` project: its data, network, settings, weights and history."""
        if ask and not self.maybe_save():
            return False
        try:
            project = load_project(path)
            if project.embedded_data is not None:
                table = table_from_frame(project.embedded_data, Path(path).stem)
            else:
                data_path = resolve_data_path(project, path)
                if data_path is None:
                    missing = project.data.get("path") or "the data file"
                    QMessageBox.information(self, "Data file not found",
                                            f"The project's data file {missing} was not found. Please locate it.")
                    located, _ = QFileDialog.getOpenFileName(self, "Locate the data file", str(Path(path).parent))
                    if not located:
                        return False
                    data_path = Path(located)
                sheet = project.data.get("sheet")
                outcome, result = read_in_background(self, data_path, sheet if isinstance(sheet, str) else None)
                if outcome == "cancelled":
                    self.statusBar().showMessage(f"Cancelled opening {Path(path).name}; the work shown stays open.",
                                                 8000)
                    return False
                if outcome == "failed":
                    raise result
                table = result
            notes = self.workspace.open_project(project, table, path)
        except DataError as error:
            QMessageBox.warning(self, "Could not open the project", str(error))
            return False
        except MemoryError:
            QMessageBox.warning(self, "Could not open the project",
                                f"{Path(path).name} needs more memory than this computer has free; "
                                f"the work that was open stays open.")
            return False
        self.rmse_plot.set_log_y(self.workspace.view.get("log_y") is True)
        self._remember_recent(Path(path))
        self.mark_saved()
        if notes:
            self.statusBar().showMessage(" ".join(notes), 20000)
        return True

    def save(self) -> bool:
        return self.save_project(self.project_path) if self.project_path else self.save_as()

    def save_as(self) -> bool:
        table, project = self.workspace.table, self.workspace.project_path
        # Named after the project, else after its data ("health_score.mlpd" rather than "untitled").
        stem = project.stem if project is not None else table.path.stem if table is not None else "untitled"
        path, _ = QFileDialog.getSaveFileName(self, "Save project",
                                              str(Path(self.prefs.last_folder()) / f"{stem}{PROJECT_SUFFIX}"),
                                              f"MLP Desktop project (*{PROJECT_SUFFIX})")
        return self.save_project(Path(path)) if path else False

    def save_project(self, path) -> bool:
        """Save the work; a run in progress is paused for a moment and goes on (one consistent epoch)."""
        path = Path(path)
        if path.suffix.lower() != PROJECT_SUFFIX:
            path = path.with_suffix(PROJECT_SUFFIX)
        workspace = self.workspace
        try:
            with self.paused_for_a_moment():
                save_project(self.project(), path)
        except DataError as error:
            QMessageBox.warning(self, "Could not save", str(error))
            return False
        workspace.saved(path)
        self._remember_recent(path)
        self.mark_saved()
        window_settings.remove_recovery_copy(self.recovery_path())
        self.statusBar().showMessage(f"Saved {path.name}.", 5000)
        return True

    @contextmanager
    def paused_for_a_moment(self):
        """A run in progress pauses while the body reads the work, then goes on: saving and
        exporting see the weights and history of one and the same epoch (``Workspace.snapshot``)."""
        workspace = self.workspace
        resume = workspace.save_needs_pause
        if resume:
            workspace.pause()
        if workspace.is_running and not workspace.can_save:  # the pause's history is on its way
            self._wait_until(lambda: workspace.can_save or not workspace.is_running)
        try:
            yield
        finally:
            if resume and workspace.run_state == "paused":
                workspace.resume()

    def stop_and_wait(self, timeout_ms: int = 10_000) -> bool:
        """Stop a run and wait for its result; True when nothing runs any more."""
        self.workspace.stop()
        return self._wait_until(lambda: not self.workspace.is_running and not self.controller.is_busy(), timeout_ms)

    _stop_and_wait = stop_and_wait

    def _wait_until(self, condition, timeout_ms: int = 10_000) -> bool:
        """Let the event loop run (the runner's reports arrive) until ``condition()`` holds."""
        deadline = time.monotonic() + timeout_ms / 1000
        while not condition() and time.monotonic() < deadline:
            QApplication.processEvents(QEventLoop.ProcessEventsFlag.WaitForMoreEvents, 50)
        return condition()

    def export_dialog(self, kind: str) -> None:
        """Ask where, then export; problems are explained in a message box."""
        from .exports import EXPORT_FILTERS, export

        name, filters = EXPORT_FILTERS[kind]
        path, _ = QFileDialog.getSaveFileName(self, "Export", str(Path(self.prefs.last_folder()) / name), filters)
        if not path:
            return
        try:
            self.export(kind, path)
        except DataError as error:
            QMessageBox.warning(self, "Could not export", str(error))
            return
        self.statusBar().showMessage(f"Saved {Path(path).name}.", 5000)

    def export(self, kind: str, path) -> None:
        from .exports import export

        with self.paused_for_a_moment():
            export(self.workspace, self.editor, kind, path)

    def predict_file(self) -> None:
        """Open the batch prediction dialog for the network as it is now (a run goes on)."""
        try:
            with self.paused_for_a_moment():
                model = self.workspace.model(self.workspace.snapshot()[0])
        except DataError as error:
            QMessageBox.warning(self, "Nothing to predict with yet", str(error))
            return
        from .batch_predict import BatchPredictDialog  # (not needed for the first frame)

        BatchPredictDialog(model, self, self.prefs.last_folder()).exec()

    def cross_validate(self) -> None:
        """Open the cross-validation dialog for the current data, network and settings (modal)."""
        from .cross_validate_dialog import CrossValidateDialog
        from .training import worker

        try:
            self.workspace.cross_validation_job(5, 1)
        except DataError as error:
            QMessageBox.warning(self, "Nothing to cross-validate yet", str(error))
            return
        CrossValidateDialog(self.workspace, worker.RUNNER_FACTORY, self).exec()

    def _remember_recent(self, path: Path) -> None:
        self.prefs.remember_recent(path)
        self._rebuild_recent_menu()

    def recent_files(self) -> list[str]:
        return self.prefs.recent_files()

    def _rebuild_recent_menu(self) -> None:
        self.recent_menu.clear()
        for file in self.prefs.recent_files():
            self.recent_menu.addAction(action_table.make_action(
                self, Path(file).name, lambda checked=False, f=file: self.open_recent(f), tip=file))
        self.recent_menu.setEnabled(bool(self.prefs.recent_files()))

    def open_recent(self, file: str) -> bool:
        """Open a recent file; one that was moved or deleted is said so and taken off the list (it
        stayed there, and opening it failed each time)."""
        if not Path(file).exists():
            QMessageBox.information(self, "Open recent", f"{Path(file).name} is no longer at {Path(file).parent}: "
                                    "it was moved or deleted, and it is taken off the recent files. Use File > "
                                    "Open... to find it.")
            self.prefs.forget_recent(file)
            self._rebuild_recent_menu()
            return False
        return self.open_path(file)

    # -- crash safety --------------------------------------------------------------------------
    def recovery_path(self) -> Path:
        return window_settings.recovery_path()

    def write_recovery_copy(self) -> None:
        window_settings.write_recovery_copy(self.workspace, self.recovery_path())

    def offer_recovery(self) -> bool:
        """After a crash: offer to restore the recovery copy. True if it was restored."""
        path = self.recovery_path()
        if not path.exists():
            return False
        answer = QMessageBox.question(self, "Restore unsaved work?",
                                      "MLP Desktop did not close normally last time. Restore the unsaved project?")
        restored = answer == QMessageBox.StandardButton.Yes and self.open_project(path, ask=False)
        if restored:
            self.workspace.project_path = None
            self.workspace._set_dirty(True)
        else:
            window_settings.remove_recovery_copy(self.recovery_path())
        return restored
