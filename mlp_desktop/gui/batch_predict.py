"""Batch prediction: predict every row of a spreadsheet and save it with the prediction columns.

The work is :func:`mlp_desktop.core.batch_prediction.predict_table` (every row kept: a skipped row
has empty prediction cells and a note) and :func:`mlp_desktop.core.fileio.write_table` (atomic).
Both run on a worker thread, so a large file never freezes the window; Cancel stops them. This dialog
only chooses files and shows them.
"""

from __future__ import annotations

import sys
import threading
import time
from pathlib import Path
from typing import Callable

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import (
    QApplication, QCheckBox, QComboBox, QDialog, QFileDialog, QHBoxLayout, QLabel, QMessageBox,
    QProgressBar, QPushButton, QTableView, QVBoxLayout, QWidget,
)

from ..core.batch_prediction import NOTE_COLUMN, FilePredictions, predict_table
from ..core.data import list_sheets, read_table
from ..core.errors import Cancelled, DataError
from ..core.fileio import write_table
from ..core.settings import SETTINGS
from .dataframe_model import DataFrameModel
from .widgets import error_label

OPEN_FILTER = "Spreadsheets (*.xlsx *.xlsm *.csv *.tsv *.txt);;All files (*)"
SAVE_FILTER = "Excel workbook (*.xlsx);;CSV file (*.csv)"
POLL_MS = 50
"""How often the dialog looks at the running job (progress, finished)."""
PROGRESS_DELAY_S = 0.3
"""A job running longer than this shows the progress bar and Cancel."""


class _Job:
    """One piece of work on its own thread, watched by the dialog from the GUI thread.

    ``work(job)`` runs on the thread; it reports with :meth:`report` and checks :attr:`stop`. The
    thread touches no Qt object (emitting signals from a plain thread crashed now and then while a
    window was deleted; see ``plots/decision_view.py``): the dialog polls :attr:`outcome`. A cancelled
    job that cannot stop (a file being read) finishes on its own and its outcome is dropped; it is a
    daemon thread, and a save only replaces the file if it was not cancelled.
    """

    def __init__(self, kind: str, work: Callable[["_Job"], object]):
        self.kind, self.work = kind, work
        self.stop = threading.Event()
        self.started = time.perf_counter()
        self.stage = ""
        self.progress = (0, 0)
        self.outcome: tuple[str, object] | None = None  # ("done", result) or ("failed", exception)
        self.sheets: list[str] = []
        self.thread = threading.Thread(target=self._run, name=f"predict a file: {kind}", daemon=True)
        self.thread.start()

    def _run(self) -> None:
        try:
            result = self.work(self)
        except BaseException as error:  # noqa: BLE001 - handed to the GUI thread, which says what happened
            self.outcome = ("failed", error)
        else:
            self.outcome = ("done", result)

    def report(self, done: int, total: int) -> None:
        self.progress = (done, total)


class BatchPredictDialog(QDialog):
    """Open a file, preview it with the prediction columns appended, save it as .xlsx or .csv."""

    def __init__(self, model, parent: QWidget | None = None, start_folder: str | Path | None = None):
        super().__init__(parent)
        self.setWindowTitle("Predict a file")
        self.model = model
        self.start_folder = Path(start_folder) if start_folder else Path.home()
        self.source: Path | None = None
        self.sheet: str | None = None
        self.sheets: list[str] = []
        self.predictions: FilePredictions | None = None
        self.job: _Job | None = None

        self.open_button = QPushButton("Open file…")
        self.open_button.clicked.connect(self.choose_file)
        self.file_label = QLabel("No file chosen.")
        self.sheet_combo = QComboBox()
        self.sheet_combo.hide()
        self.sheet_combo.activated.connect(lambda _: self._reload(self.sheet_combo.currentText()))
        self.skip_check = QCheckBox(SETTINGS["drop_missing"].label)
        self.skip_check.setToolTip("Rows with an empty input cell are not predicted, instead of stopping with an "
                                   "error. They stay in the file, with empty prediction cells and the reason "
                                   f"in {NOTE_COLUMN}.")
        self.skip_check.toggled.connect(lambda _: self._reload(self.sheet))
        self.error = error_label()
        self.summary_label = QLabel()
        self.summary_label.setWordWrap(True)
        self.progress = QProgressBar()
        self.status_label = QLabel()
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setToolTip("Stop reading, predicting or saving; a file being saved is left as it was")
        self.cancel_button.clicked.connect(self.cancel)
        self.table_model = DataFrameModel(parent=self)
        self.table_view = QTableView()
        self.table_view.setModel(self.table_model)
        self.save_button = QPushButton("Save as…")
        self.save_button.setEnabled(False)
        self.save_button.clicked.connect(self.choose_save_path)
        close_button = QPushButton("Close")
        close_button.clicked.connect(self.reject)
        self._poll = QTimer(self)
        self._poll.setInterval(POLL_MS)
        self._poll.timeout.connect(self._check_job)

        top = QHBoxLayout()
        top.addWidget(self.open_button)
        top.addWidget(self.file_label, 1)
        top.addWidget(self.sheet_combo)
        top.addWidget(self.skip_check)
        self.progress_row = QWidget()
        busy = QHBoxLayout(self.progress_row)
        busy.setContentsMargins(0, 0, 0, 0)
        busy.addWidget(self.status_label)
        busy.addWidget(self.progress, 1)
        busy.addWidget(self.cancel_button)
        self.progress_row.hide()
        bottom = QHBoxLayout()
        bottom.addWidget(self.summary_label, 1)
        bottom.addWidget(self.save_button)
        bottom.addWidget(close_button)
        layout = QVBoxLayout(self)
        needed = ", ".join(model.inputs) if model is not None else ""
        layout.addWidget(QLabel(f"The file needs the input columns: {needed}."))
        layout.addLayout(top)
        layout.addWidget(self.error)
        layout.addWidget(self.progress_row)
        layout.addWidget(self.table_view, 1)
        layout.addLayout(bottom)
        self.resize(800, 500)

    @property
    def result(self):
        """The preview: every row of the file with the prediction columns (``None`` before a file)."""
        return None if self.predictions is None else self.predictions.frame

    def busy(self) -> bool:
        """True while a file is read, predicted or saved."""
        return self.job is not None

    # -- loading ---------------------------------------------------------------------------------
    def choose_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Open a file to predict", str(self.start_folder), OPEN_FILTER)
        if path:
            self.load(path)

    def load(self, path, sheet: str | None = None) -> None:
        """Read ``path`` (``sheet`` of a workbook) and predict every row, on the worker thread.

        The preview, or the message that says what is wrong, appears when it is done (:meth:`busy`)."""
        self.source, self.sheet, self.sheets = Path(path), sheet, []
        self.start_folder = self.source.parent
        self.file_label.setText(self.source.name)
        self._reload(sheet)

    def _reload(self, sheet: str | None) -> None:
        if self.source is None or self.busy():
            return
        self.sheet = sheet or None
        self._show_result(None)
        source, skip, model = self.source, self.skip_check.isChecked(), self.model

        def read_and_predict(job: _Job):
            job.stage = f"Reading {source.name}…"
            try:
                table = read_table(source, sheet or None)
            except DataError:
                try:  # offer the other sheets: the chosen one may be the problem
                    job.sheets = list_sheets(source)
                except DataError:
                    pass
                raise
            job.sheets = table.sheets
            if job.stop.is_set():
                raise Cancelled()
            job.stage = "Predicting…"
            return predict_table(model, table, skip, job.report, job.stop.is_set)

        self._start(_Job("load", read_and_predict))

    def _show_result(self, predictions: FilePredictions | None) -> None:
        self.predictions = predictions
        self.error.hide()
        self.summary_label.clear()
        self.table_model.set_frame(None if predictions is None else predictions.frame,
                                   None if predictions is None else predictions.row_numbers)
        self.save_button.setEnabled(predictions is not None and not self.busy())
        if predictions is not None:
            self.table_view.resizeColumnsToContents()  # Qt samples ~1000 rows, so large files stay fast
            extrapolating = predictions.extrapolation(self.model.preprocessor.input_ranges)
            self.summary_label.setText(predictions.summary() + (f" {extrapolating}" if extrapolating else ""))

    def _show_sheets(self, sheets: list[str]) -> None:
        self.sheets = sheets
        self.sheet_combo.blockSignals(True)
        self.sheet_combo.clear()
        self.sheet_combo.addItems(sheets)
        if self.sheet in sheets:
            self.sheet_combo.setCurrentText(self.sheet)
        self.sheet_combo.blockSignals(False)
        self.sheet_combo.setVisible(len(sheets) > 1)

    def _show_error(self, text: str) -> None:
        self.error.setText(text)
        self.error.show()

    # -- saving ----------------------------------------------------------------------------------
    def choose_save_path(self) -> None:
        if self.predictions is None or self.source is None:
            return
        suggested = self.source.with_name(self.source.stem + "_predicted.xlsx")
        path, chosen = QFileDialog.getSaveFileName(self, "Save predictions", str(suggested), SAVE_FILTER)
        if not path:
            return
        if Path(path).suffix.lower() not in (".xlsx", ".csv"):
            path += ".csv" if chosen.startswith("CSV") else ".xlsx"
        self.save(path)

    def save(self, path) -> bool:
        """Write the preview (every row of the file) to ``path`` (.xlsx or .csv) on the worker thread.

        Asks before overwriting the source file; False if the user said no (or nothing is shown)."""
        if self.predictions is None or self.busy():
            return False
        path = Path(path)
        if self.source is not None and _same_file(path, self.source):
            answer = QMessageBox.question(
                self, "Overwrite the original file?", self._overwrite_question(path),
                QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, QMessageBox.StandardButton.No)
            if answer != QMessageBox.StandardButton.Yes:
                return False
        frame = self.predictions.frame
        self.error.hide()

        def write(job: _Job):
            job.stage = f"Saving {path.name}…"
            write_table(frame, path, job.stop.is_set)
            return path

        self._start(_Job("save", write))
        return True

    def _overwrite_question(self, path: Path) -> str:
        predictions = self.predictions
        kept = f"All {predictions.n_rows:,} rows are kept"
        n = predictions.n_skipped
        if n:
            rows = "the row not predicted has" if n == 1 else f"the {n:,} rows not predicted have"
            kept += f"; {rows} empty prediction cells and the reason in {NOTE_COLUMN}"
        others = [name for name in self.sheets if name != predictions.table.sheet]
        lost = ""
        if others:
            listed = ", ".join(f'"{name}"' for name in others)
            lost = (f" Only the sheet you see is saved: the workbook's other sheet{'s' if len(others) > 1 else ''} "
                    f"({listed}) will be lost.")
        return f"{path.name} is the file you opened. Replace it with the predictions? {kept}.{lost}"

    # -- the running job -------------------------------------------------------------------------
    def _start(self, job: _Job) -> None:
        self.job = job
        self.cancel_button.setEnabled(True)
        for widget in (self.open_button, self.sheet_combo, self.skip_check, self.save_button):
            widget.setEnabled(False)
        self.progress.setRange(0, 0)
        self._poll.start()

    def cancel(self) -> None:
        """Stop the running job. A read or a prediction is dropped at once (its result, if any comes,
        is not used). A save is asked to stop and says what happened when it has: it replaces the
        file only if it was past its last check, and saying "no file was changed" before knowing was
        untrue then."""
        job = self.job
        if job is None:
            return
        job.stop.set()
        if job.kind == "save":
            self.status_label.setText("Stopping the save…")
            self.cancel_button.setEnabled(False)
            return  # (_check_job says how it ended)
        self._finish_job()
        self.summary_label.setText("Cancelled: nothing was predicted.")

    def _finish_job(self) -> None:
        self._poll.stop()
        self.job = None
        self.progress_row.hide()
        for widget in (self.open_button, self.sheet_combo, self.skip_check):
            widget.setEnabled(True)
        self.save_button.setEnabled(self.predictions is not None)

    def _check_job(self) -> None:
        job = self.job
        if job is None:
            return
        if job.outcome is None:
            if time.perf_counter() - job.started >= PROGRESS_DELAY_S:
                done, total = job.progress
                self.status_label.setText(job.stage)
                if total:
                    self.progress.setRange(0, total)
                    self.progress.setValue(done)
                self.progress_row.show()
            return
        self._finish_job()
        state, value = job.outcome
        if job.kind == "load":
            if state == "done":
                self.sheet = value.table.sheet  # the sheet read when none was chosen
            self._show_sheets(job.sheets)
        if state == "failed" and isinstance(value, Cancelled) and job.kind == "save":
            self._show_error("Saving was cancelled; no file was changed.")
        elif state == "failed":
            self._show_error(_failure_text(value, job))
        elif job.kind == "load":
            self._show_result(value)
        else:
            done = self.predictions.saved_sentence(value.name)
            self.summary_label.setText(done if not job.stop.is_set() else f"It was too late to stop: {done}")

    def reject(self) -> None:
        self.cancel()
        super().reject()


def _failure_text(error: BaseException, job: _Job) -> str:
    if isinstance(error, DataError):
        return str(error)
    if isinstance(error, Cancelled):
        return "Cancelled."
    if isinstance(error, MemoryError):
        return "Not enough memory for this file; try a smaller one, or close other programs."
    what = "saving" if job.kind == "save" else "reading or predicting"
    return f"Something went wrong while {what}: {type(error).__name__}: {error}"


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve()
    except OSError:
        return False


def main() -> int:
    """Show the dialog alone with a quickly trained iris model and the iris sample loaded."""
    from ..core.samples import sample_path
    from ..core.session import trained_sample_session

    app = QApplication.instance() or QApplication(sys.argv)
    dialog = BatchPredictDialog(trained_sample_session("iris", validation_fraction=0.0).model())
    dialog.load(sample_path("iris"))
    dialog.show()
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())
