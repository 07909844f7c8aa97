"""File > Cross-validate...: K-fold cross-validation of the current setup, with progress and Cancel.

The work is :func:`mlp_desktop.core.cross_validation.cross_validate`, run by a training runner
(:meth:`TrainingProcess.cross_validate <mlp_desktop.core.training_process.TrainingProcess.cross_validate>`:
the child process, so the GUI keeps the GIL) from a worker thread that blocks on it. The job comes
from :meth:`Workspace.cross_validation_job <mlp_desktop.core.workspace.Workspace.cross_validation_job>`.
This dialog only asks for the folds and repeats and shows the table and a box plot per metric.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QObject, QThread, Signal, Slot
from PySide6.QtWidgets import (
    QDialog, QFormLayout, QHBoxLayout, QLabel, QProgressBar, QPushButton, QTableWidget,
    QTableWidgetItem, QVBoxLayout, QWidget,
)

from ..core.errors import DataError
from ..core.training_process import TrainingFailed
from .panels.parameter_panel import WholeSpinBox
from .plots.style import background, colour, foreground, pen, style_plot_item
from .widgets import error_label

METRIC_LABELS = {"rmse": "RMSE", "mae": "MAE", "r2": "R²", "accuracy": "Accuracy"}


def box_segments(values) -> tuple[np.ndarray, np.ndarray, dict]:
    """Line segments (x and y, in pairs) of a box plot at x = 0: the box from the first to the
    third quartile, the median across it, whiskers to the smallest and largest value."""
    values = np.asarray([v for v in values if np.isfinite(v)], dtype=float)
    if values.size == 0:
        return np.array([]), np.array([]), {}
    low, q1, median, q3, high = np.percentile(values, [0, 25, 50, 75, 100])
    w, c = 0.3, 0.15  # half widths of the box and of the whisker caps
    segments = [
        ((-w, q1), (w, q1)), ((-w, q3), (w, q3)), ((-w, q1), (-w, q3)), ((w, q1), (w, q3)),  # the box
        ((-w, median), (w, median)),  # the median
        ((0, q3), (0, high)), ((0, q1), (0, low)),  # whiskers
        ((-c, high), (c, high)), ((-c, low), (c, low)),  # caps
    ]
    points = np.array([point for segment in segments for point in segment])
    return points[:, 0], points[:, 1], {"min": low, "q1": q1, "median": median, "q3": q3, "max": high}


class CrossValidationWorker(QObject):
    """Lives in a ``QThread``; runs one cross-validation at a time on the runner and reports back."""

    progress = Signal(object)
    finished = Signal(object)
    failed = Signal(str, str)

    def __init__(self, runner):
        super().__init__()
        self.runner = runner

    @Slot(object)
    def run(self, job) -> None:
        try:
            result = self.runner.cross_validate(job, self.progress.emit)
        except TrainingFailed as error:
            self.failed.emit(error.message, error.details)
            return
        self.finished.emit(result)


class CrossValidateDialog(QDialog):
    """Folds and repeats, Start, a progress bar and Cancel; then the per-fold table and box plots."""

    _startRequested = Signal(object)

    def __init__(self, workspace, runner_factory, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Cross-validate")
        self.workspace = workspace
        self.result = None
        self.running = False
        self.box_plots: dict[str, pg.PlotItem] = {}

        # Boxes that say why they refuse what was typed (25 folds silently became 2; see WholeSpinBox).
        self.folds_spin = WholeSpinBox()
        self.folds_spin.setAccessibleName("Folds")
        self.folds_spin.setRange(2, 20)
        self.folds_spin.setValue(5)
        self.folds_spin.setToolTip("K: the rows are dealt into this many parts; each part in turn is the test set "
                                   "of a run trained on the others (stratified by class for classification).")
        self.repeats_spin = WholeSpinBox()
        self.repeats_spin.setAccessibleName("Repeats")
        self.repeats_spin.setRange(1, 10)
        self.repeats_spin.setValue(1)
        self.repeats_spin.setToolTip("Deal the rows into new folds and do it all again this many times, "
                                     "for a steadier estimate of the spread.")
        self.start_button = QPushButton("Start")
        self.start_button.setToolTip("Train one network per fold from the current network and settings")
        self.start_button.clicked.connect(self.start)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setToolTip("Stop after the current step; the folds that finished are shown")
        self.cancel_button.setEnabled(False)
        self.cancel_button.clicked.connect(self.cancel)
        self.progress_bar = QProgressBar()
        self.progress_bar.setRange(0, 1000)
        self.progress_bar.setValue(0)
        self.status_label = QLabel("Each fold trains the current network from its initial settings; "
                                   "the current weights are not changed.")
        self.status_label.setWordWrap(True)
        self.error = error_label()
        self._refusal = ""  # what a box said of text it refused ("" once it takes what is typed)
        for spin in (self.folds_spin, self.repeats_spin):
            spin.refused.connect(self._refused)
        self.table = QTableWidget(0, 0)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.plots = pg.GraphicsLayoutWidget()
        self.plots.setBackground(background())
        self.plots.setMinimumHeight(180)
        close_button = QPushButton("Close")
        close_button.clicked.connect(self.reject)

        form = QFormLayout()
        form.addRow("Folds:", self.folds_spin)
        form.addRow("Repeats:", self.repeats_spin)
        buttons = QHBoxLayout()
        buttons.addWidget(self.start_button)
        buttons.addWidget(self.cancel_button)
        buttons.addStretch(1)
        bottom = QHBoxLayout()
        bottom.addStretch(1)
        bottom.addWidget(close_button)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addLayout(buttons)
        layout.addWidget(self.progress_bar)
        layout.addWidget(self.status_label)
        layout.addWidget(self.error)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.plots, 1)
        layout.addLayout(bottom)
        self.resize(640, 560)

        self.runner = runner_factory()
        self.runner.start()
        self.thread = QThread()
        self.thread.setObjectName("cross-validation")
        self.worker = CrossValidationWorker(self.runner)
        self.worker.moveToThread(self.thread)
        self._startRequested.connect(self.worker.run)
        self.worker.progress.connect(self._on_progress)
        self.worker.finished.connect(self._on_finished)
        self.worker.failed.connect(self._on_failed)
        self.thread.start()

    # -- commands --------------------------------------------------------------------------------
    def _refused(self, message: str) -> None:
        self._refusal = message
        self._show_error(message)

    def start(self) -> None:
        if self._refusal:  # the Enter that left refused text: the message stays, and nothing starts
            self._refusal = ""  # with a value the user did not type (a second press starts)
            return
        if self.running:
            return
        self.error.hide()
        try:
            job = self.workspace.cross_validation_job(self.folds_spin.value(), self.repeats_spin.value())
        except DataError as error:
            self._show_error(str(error))
            return
        self.runner.stop_event.clear()
        self.result = None
        self._set_running(True)
        self.progress_bar.setValue(0)
        self.status_label.setText(f"Training fold 1 of {job.folds}...")
        self._startRequested.emit(job)

    def cancel(self) -> None:
        if self.running:
            self.runner.stop_event.set()
            self.status_label.setText("Cancelling...")

    def shutdown(self, timeout_ms: int = 10_000) -> bool:
        """Stop any cross-validation, end the thread and the runner. True if all ended in time."""
        if self.thread.isFinished():
            return True
        self.runner.stop_event.set()
        self.thread.quit()
        ended = self.thread.wait(timeout_ms)
        self.runner.close()
        return ended

    def done(self, code: int) -> None:  # every way of closing the dialog comes here
        self.shutdown()
        super().done(code)

    def closeEvent(self, event) -> None:
        self.shutdown()
        super().closeEvent(event)

    # -- from the worker (queued into the GUI thread) ----------------------------------------------
    @Slot(object)
    def _on_progress(self, progress) -> None:
        if not self.running:
            return
        self.progress_bar.setValue(int(round(1000 * progress.fraction_done)))
        if not self.runner.stop_event.is_set():
            repeat = f", repeat {progress.repeat} of {progress.n_repeats}" if progress.n_repeats > 1 else ""
            self.status_label.setText(f"Fold {progress.fold} of {progress.n_folds}{repeat}: "
                                      f"epoch {progress.epoch:,} of {progress.final_epoch:,}")

    @Slot(object)
    def _on_finished(self, result) -> None:
        self._set_running(False)
        self.result = result
        done = len(result.folds)
        if result.stopped:
            self.status_label.setText(f"Cancelled: {done} of {result.n_folds * result.n_repeats} runs finished.")
        else:
            self.progress_bar.setValue(1000)
            self.status_label.setText(f"Done: {done} runs ({result.n_folds} folds"
                                      f"{f' x {result.n_repeats} repeats' if result.n_repeats > 1 else ''}).")
        self.show_result(result)

    @Slot(str, str)
    def _on_failed(self, message: str, details: str) -> None:
        self._set_running(False)
        self.status_label.setText("")
        self._show_error(message)

    # -- showing -----------------------------------------------------------------------------------
    def show_result(self, result) -> None:
        metrics = list(result.metrics)
        folds = result.folds
        self.table.clear()
        self.table.setColumnCount(len(metrics))
        self.table.setHorizontalHeaderLabels([METRIC_LABELS.get(m, m) for m in metrics])
        rows = [(f"Repeat {f['repeat']}, fold {f['fold']}" if result.n_repeats > 1 else f"Fold {f['fold']}", f)
                for f in folds]
        if folds:
            rows += [("Mean", result.mean), ("± Std", result.std)]
        self.table.setRowCount(len(rows))
        self.table.setVerticalHeaderLabels([label for label, _ in rows])
        for r, (_, values) in enumerate(rows):
            for c, metric in enumerate(metrics):
                self.table.setItem(r, c, QTableWidgetItem(_format(values.get(metric))))
        self.table.resizeColumnsToContents()
        self._draw_box_plots(result)

    def _draw_box_plots(self, result) -> None:
        self.plots.clear()
        self.box_plots = {}
        if not result.folds:
            return
        for index, metric in enumerate(result.metrics):
            plot = self.plots.addPlot(row=0, col=index)
            style_plot_item(plot, small=True)
            plot.setTitle(METRIC_LABELS.get(metric, metric), color=foreground(), size="9pt")
            plot.getAxis("bottom").setTicks([[]])
            plot.setMouseEnabled(x=False, y=False)
            plot.hideButtons()
            values = [f[metric] for f in result.folds]
            x, y, _ = box_segments(values)
            if x.size:
                plot.addItem(pg.PlotDataItem(x, y, connect="pairs", pen=pen(colour(index))))
                finite = [v for v in values if np.isfinite(v)]
                plot.addItem(pg.ScatterPlotItem(np.zeros(len(finite)), finite, size=5,
                                                pen=pen(foreground()), brush=pg.mkBrush(colour(index))))
            plot.setXRange(-0.6, 0.6, padding=0)
            self.box_plots[metric] = plot

    def _set_running(self, running: bool) -> None:
        self.running = running
        self.start_button.setEnabled(not running)
        self.folds_spin.setEnabled(not running)
        self.repeats_spin.setEnabled(not running)
        self.cancel_button.setEnabled(running)

    def _show_error(self, message: str) -> None:
        self.error.setText(message)
        self.error.setVisible(bool(message))


def _format(value) -> str:
    if value is None:
        return ""
    value = float(value)
    return "-" if not np.isfinite(value) else f"{value:.4g}"
