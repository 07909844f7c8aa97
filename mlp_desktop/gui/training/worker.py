"""Training on a background thread, reporting to the GUI at a throttled rate.

The :class:`TrainingWorker` lives in a ``QThread`` and calls ``TrainingSession.train``; it never
touches a widget. Reports from the core arrive in the worker thread at most ~30 times a second;
the worker merges them and keeps at most one :class:`TrainingUpdate` in flight: until the GUI
has handled the previous one (``acknowledge``), new reports are merged into the pending one. A
slow GUI therefore never builds a queue, and the final state is always delivered.

Stop and pause are ``threading.Event`` objects: the training loop blocks the worker's event loop,
so signals to the worker would never be seen while it trains.
"""

from __future__ import annotations

import threading
import traceback
from dataclasses import dataclass, field

import numpy as np
from PySide6.QtCore import QObject, QThread, Signal, Slot

from ...core.errors import DataError
from ...core.session import TrainingSession


MAX_PARAM_ROWS = 256
"""Most parameter snapshots one update carries, however far the GUI falls behind."""


@dataclass
class TrainingUpdate:
    """Everything the GUI learns from one batch of progress reports (owned by the receiver)."""

    epochs: np.ndarray
    train_rmse: np.ndarray
    val_rmse: np.ndarray
    params: np.ndarray
    grad_rms: np.ndarray
    epoch: int
    final_epoch: int
    elapsed_seconds: float
    epochs_per_second: float
    param_epochs: np.ndarray
    param_rows: np.ndarray
    paused: bool = False
    finished: bool = False
    stop_reason: str | None = None
    message: str = ""

    @classmethod
    def from_report(cls, report) -> "TrainingUpdate":
        return cls(report.epochs, report.train_rmses, report.val_rmses, report.params, report.layer_grad_rms,
                   report.epoch, report.final_epoch, report.elapsed_seconds, report.epochs_per_second,
                   report.param_epochs, report.param_rows, report.paused, report.finished, report.stop_reason,
                   report.message)

    def merged_with(self, later: "TrainingUpdate") -> "TrainingUpdate":
        """This update followed by a later one: traces concatenated, latest state kept.

        Parameter snapshots are thinned to at most ``MAX_PARAM_ROWS`` so that a GUI that falls
        behind receives a bounded update.
        """
        param_epochs = np.concatenate([self.param_epochs, later.param_epochs])
        param_rows = np.concatenate([self.param_rows, later.param_rows])
        while len(param_epochs) > MAX_PARAM_ROWS:
            # every other row, counted back from the latest, which is always kept
            param_epochs, param_rows = param_epochs[::-2][::-1], param_rows[::-2][::-1]
        return TrainingUpdate(
            np.concatenate([self.epochs, later.epochs]),
            np.concatenate([self.train_rmse, later.train_rmse]),
            np.concatenate([self.val_rmse, later.val_rmse]),
            later.params, later.grad_rms, later.epoch, later.final_epoch, later.elapsed_seconds,
            later.epochs_per_second, param_epochs, param_rows, later.paused, later.finished, later.stop_reason,
            later.message,
        )


class TrainingWorker(QObject):
    """Runs training in its thread; emits merged, copied updates."""

    progress = Signal(object)
    finished = Signal(object)
    failed = Signal(str, str)  # plain message, technical details

    def __init__(self, session: TrainingSession):
        super().__init__()
        self.session = session
        self.stop_event = threading.Event()
        self.pause_event = threading.Event()
        self._lock = threading.Lock()
        self._pending: TrainingUpdate | None = None
        self._in_flight = False

    @Slot(object)
    def run(self, epochs) -> None:
        with self._lock:
            self._pending, self._in_flight = None, False
        try:
            self.session.train(epochs, self._on_report, self.stop_event, self.pause_event)
        except DataError as error:
            self.failed.emit(str(error), "")
            return
        except Exception as error:  # noqa: BLE001 - reported to the user, the app keeps running
            self.failed.emit(f"Training failed unexpectedly: {error}", traceback.format_exc())
            return
        with self._lock:
            final, self._pending = self._pending, None
        self.finished.emit(final)

    def _on_report(self, report) -> None:
        update = TrainingUpdate.from_report(report)
        with self._lock:
            self._pending = update if self._pending is None else self._pending.merged_with(update)
            if update.finished or self._in_flight:
                return  # the final state goes out with `finished`; otherwise wait for the GUI
            outgoing, self._pending, self._in_flight = self._pending, None, True
        self.progress.emit(outgoing)

    def acknowledge(self) -> None:
        """The GUI has drawn the last update; the next one may be sent (any thread)."""
        with self._lock:
            self._in_flight = False


class TrainingController(QObject):
    """Owns the training thread; the main window's single entry point for training.

    Lives in the GUI thread, so its slots (and the signals it re-emits) run there.
    """

    progress = Signal(object)
    finished = Signal(object)
    failed = Signal(str, str)
    stateChanged = Signal(str)  # "idle", "running", "paused"
    _startRequested = Signal(object)

    def __init__(self, session: TrainingSession, parent: QObject | None = None):
        super().__init__(parent)
        self.session = session
        self.state = "idle"
        self.thread = QThread()
        self.thread.setObjectName("training")
        self.worker = TrainingWorker(session)
        self.worker.moveToThread(self.thread)
        self._startRequested.connect(self.worker.run)
        self.worker.progress.connect(self._on_progress)
        self.worker.finished.connect(self._on_finished)
        self.worker.failed.connect(self._on_failed)
        self.thread.start()

    # -- commands ------------------------------------------------------------------------------
    def start(self, epochs: int | None = None) -> None:
        """Train ``epochs`` more epochs (default: the configured number) from the current weights."""
        if self.state != "idle":
            return
        self.session.prepare()  # raises DataError in the GUI thread, before anything starts
        # Cleared here, not in the worker: a stop() right after start() must not be lost.
        self.worker.stop_event.clear()
        self.worker.pause_event.clear()
        self._set_state("running")
        self._startRequested.emit(epochs)

    def pause(self) -> None:
        if self.state == "running":
            self.worker.pause_event.set()
            self._set_state("paused")

    def resume(self) -> None:
        if self.state == "paused":
            self.worker.pause_event.clear()
            self._set_state("running")

    def stop(self) -> None:
        if self.state != "idle":
            self.worker.stop_event.set()
            self.worker.pause_event.clear()

    def is_busy(self) -> bool:
        return self.state != "idle"

    def shutdown(self, timeout_ms: int = 10_000) -> bool:
        """Stop training and end the thread (for closing the window). True if it ended in time."""
        self.worker.stop_event.set()
        self.worker.pause_event.clear()
        self.thread.quit()
        return self.thread.wait(timeout_ms)

    # -- from the worker (queued into the GUI thread) --------------------------------------------
    @Slot(object)
    def _on_progress(self, update: TrainingUpdate) -> None:
        try:
            self.progress.emit(update)
        finally:
            self.worker.acknowledge()

    @Slot(object)
    def _on_finished(self, update: TrainingUpdate | None) -> None:
        self._set_state("idle")
        self.finished.emit(update)

    @Slot(str, str)
    def _on_failed(self, message: str, details: str) -> None:
        self._set_state("idle")
        self.failed.emit(message, details)

    def _set_state(self, state: str) -> None:
        if state != self.state:
            self.state = state
            self.stateChanged.emit(state)
