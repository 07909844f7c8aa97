"""Training in the background, reporting to the GUI at a throttled rate.

The :class:`TrainingWorker` lives in a ``QThread``; it hands each run to a
:class:`~mlp_desktop.core.training_process.TrainingProcess` (the loop itself runs in a child
process, so it never competes with the GUI for the GIL; see that module for the measurements) and
waits on its pipe. It never touches a widget. Reports arrive at most ~30 times a second; the
worker merges them and keeps at most one :class:`TrainingUpdate` in flight: until the GUI has
handled the previous one (``acknowledge``), new reports are merged into the pending one. A slow
GUI therefore never builds a queue, and the final state is always delivered.

Stop and pause are shared flags, not signals: the worker is blocked while a run goes on.
"""

from __future__ import annotations

import atexit
import copy
import threading
import time
import traceback
import weakref

import numpy as np
from PySide6.QtCore import QCoreApplication, QObject, QThread, QTimer, Signal, Slot

from ...core.training import ProgressReport
from ...core.training_process import TrainingFailed, TrainingJob, TrainingProcess


GUI_DUTY = 0.5
"""Largest share of the GUI thread's time that live plot refreshes may take."""

MAX_PARAM_ROWS = 256
"""Most parameter snapshots one update carries, however far the GUI falls behind."""

RUNNER_FACTORY = TrainingProcess
"""Builds each controller's training runner (called with no arguments, looked up at each call).

The app trains in a child process; GUI tests that are not about that process swap in
:class:`~mlp_desktop.core.training_process.InProcessRunner` (tests/gui/conftest.py).
"""


TrainingUpdate = ProgressReport
"""What the GUI receives: the training loop's own report, merged (:meth:`ProgressReport.followed_by`)."""


class TrainingWorker(QObject):
    """Runs jobs in the training process from its thread; emits merged, copied updates."""

    progress = Signal(object)
    paused = Signal(object)  # the history as of the pause (a copy)
    finished = Signal(object, object, object, int)  # last update, parameters, history, run id
    failed = Signal(str, str, int)  # plain message, technical details, run id

    def __init__(self, process: TrainingProcess):
        super().__init__()
        self.process = process
        self._lock = threading.Lock()
        self._pending: TrainingUpdate | None = None
        self._in_flight = False

    @Slot(object)
    def run(self, job: TrainingJob) -> None:
        with self._lock:
            self._pending, self._in_flight = None, False
        try:
            params, history = self.process.run(job, self._on_report, self.paused.emit)
        except TrainingFailed as error:
            self.failed.emit(error.message, error.details, job.run_id)
            return
        except Exception as error:  # noqa: BLE001 - whatever happens, the run ends and the window hears of it
            self.failed.emit(f"Training failed unexpectedly: {error}", traceback.format_exc(), job.run_id)
            return
        with self._lock:
            final, self._pending = self._pending, None
        self.finished.emit(final, params, history, job.run_id)

    def _on_report(self, report) -> None:
        update = report
        with self._lock:
            self._pending = update if self._pending is None else self._pending.followed_by(update, MAX_PARAM_ROWS)
            if update.finished or self._in_flight:
                return  # the final state goes out with `finished`; otherwise wait for the GUI
            outgoing, self._pending, self._in_flight = self._pending, None, True
        self.progress.emit(outgoing)

    def acknowledge(self) -> "TrainingUpdate | None":
        """The GUI has drawn the last update (any thread).

        Returns what arrived meanwhile, merged, for the caller to handle now (it counts as in
        flight), or ``None``; then the next report goes out as it arrives. Waiting for the next
        report instead cost up to a report interval per refresh: a third fewer refreshes at 30
        reports a second, up to a whole epoch when reports come once an epoch. The final report
        always waits for ``finished``.
        """
        with self._lock:
            if self._pending is None or self._pending.finished:
                self._in_flight = False
                return None
            outgoing, self._pending = self._pending, None
            return outgoing


class TrainingController(QObject):
    """Carries out runs for the workspace (its runner): a thread that relays a training process.

    It decides nothing: :class:`~mlp_desktop.core.workspace.Workspace` says when to start, pause,
    resume or stop, and hears back through :meth:`Workspace.run_progress` and friends. Lives in
    the GUI thread, so its slots (and the calls into the workspace) run there.

    Signals
    -------
    progress(update) : a live update was handed to the workspace (it draws through its events).
    """

    progress = Signal(object)
    finished = Signal(object)  # the final update (or None), after the workspace took the result
    failed = Signal(str, str)
    _startRequested = Signal(object)

    def __init__(self, workspace=None, parent: QObject | None = None, start_child: bool = True):
        super().__init__(parent)
        self.workspace = workspace
        self.last_refresh_seconds = 0.0
        self._pause_wanted = False
        self._run_id = 0  # the run of the job in the worker's hands
        self._busy = False  # a job is in the worker's hands
        self._waiting_job: TrainingJob | None = None  # started while the previous job still ends
        self.process = RUNNER_FACTORY()
        self._shut_down = False
        # The child starts while the user looks around, but after the window's first frame:
        # started here it took start-up from 1.46 to 1.95 s (its Python start competes with the
        # window's on a 2-core machine). A run that comes first starts it itself (run() does).
        # The window passes start_child=False and calls start_child_soon() once it has painted:
        # a zero timer set here fired before the first paint.
        if start_child:
            self.start_child_soon()
        self.thread = QThread()
        self.thread.setObjectName("training")
        self.worker = TrainingWorker(self.process)
        self.worker.moveToThread(self.thread)
        self._startRequested.connect(self.worker.run)
        self.worker.progress.connect(self._on_progress)
        self.worker.paused.connect(self._on_paused)
        self.worker.finished.connect(self._on_finished)
        self.worker.failed.connect(self._on_failed)
        self.thread.start()
        # However the app ends (closing the window, app.quit(), a script returning), the thread
        # and the child process end first: Qt aborts on a QThread destroyed while running.
        application = QCoreApplication.instance()
        if application is not None:
            application.aboutToQuit.connect(self.shutdown)
        controller = weakref.ref(self)
        atexit.register(lambda: controller() is not None and controller().shutdown())

    # -- the runner's commands (from the workspace) ----------------------------------------------
    def start(self, job: TrainingJob) -> None:
        """Run ``job``; if the previous job is still ending (stopped for an edit), right after it."""
        self._pause_wanted = False
        if self._busy:
            self._waiting_job = job
            return
        self._launch(job)

    def _launch(self, job: TrainingJob) -> None:
        # Set here, not in the worker: a stop() or pause() right after start() must not be lost.
        self.process.stop_event.clear()
        if self._pause_wanted:
            self.process.pause_event.set()  # paused before it could start: it starts paused
        else:
            self.process.pause_event.clear()
        self._busy = True
        self._run_id = job.run_id
        self._startRequested.emit(job)

    def pause(self) -> None:
        self._pause_wanted = True
        self.process.pause_event.set()

    def resume(self) -> None:
        self._pause_wanted = False
        self.process.pause_event.clear()

    def stop(self) -> None:
        job, self._waiting_job = self._waiting_job, None
        self._pause_wanted = False
        self.process.stop_event.set()
        self.process.pause_event.clear()
        if job is not None:  # it never started: it ends here, having run no epoch
            QTimer.singleShot(0, self, lambda: self._unstarted_job_stopped(job))

    def _unstarted_job_stopped(self, job: TrainingJob) -> None:
        history = copy.deepcopy(job.history)
        history.stop_reason = "stopped"
        history.message = f"Stopped at epoch {history.last_epoch:,}."
        if self.workspace is not None:
            self.workspace.run_finished(np.array(job.params), history, job.run_id)
        self.finished.emit(None)

    def start_child_soon(self, delay_ms: int = 0) -> None:
        """Start the training process ``delay_ms`` after the event loop is back (unless a run did
        already: a run starts it itself)."""
        QTimer.singleShot(delay_ms, self, self._start_process)

    def _start_process(self) -> None:
        if not self._shut_down and not self._busy:  # a job's worker starts it itself
            self.process.start()

    def is_busy(self) -> bool:
        return self._busy

    @property
    def state(self) -> str:
        """``"running"``, ``"paused"`` or ``"idle"``, as the workspace's run state says."""
        run_state = self.workspace.run_state if self.workspace is not None else "idle"
        return {"training": "running", "paused": "paused"}.get(run_state, "idle")

    @property
    def last_epoch(self) -> int:
        return self.workspace.epoch if self.workspace is not None else 0

    def shutdown(self, timeout_ms: int = 10_000) -> bool:
        """Stop training, end the thread and the training process. True if all ended in time."""
        self._shut_down = True
        if self.thread.isFinished():
            return True
        self._waiting_job = None
        self.process.stop_event.set()
        self.process.pause_event.clear()
        self.thread.quit()
        ended = self.thread.wait(timeout_ms)
        self.process.close()
        return ended

    # -- from the worker (queued into the GUI thread) --------------------------------------------
    @Slot(object)
    def _on_progress(self, update: TrainingUpdate) -> None:
        started = time.perf_counter()
        try:
            if self.workspace is not None:
                self.workspace.run_progress(update, self._run_id)
            self.progress.emit(update)
        finally:
            # The zero timer runs after the repaint the update asked for, so `started` to then is
            # the whole cost of one refresh. Waiting as long again before asking for the next
            # keeps the GUI busy at most half of the time, so it stays responsive to the user.
            QTimer.singleShot(0, self, lambda: self._refresh_done(started))

    def _refresh_done(self, started: float) -> None:
        cost = time.perf_counter() - started
        self.last_refresh_seconds = cost
        pause_ms = int(1000 * min(cost * (1 / GUI_DUTY - 1), 0.5))
        # The timer's context is this controller (GUI thread): the worker's own thread is busy.
        QTimer.singleShot(pause_ms, self, self._acknowledge)

    def _acknowledge(self) -> None:
        waiting = self.worker.acknowledge()
        if waiting is not None:
            self._on_progress(waiting)

    @Slot(object)
    def _on_paused(self, history) -> None:
        if self.workspace is not None:
            self.workspace.run_paused(history, self._run_id)

    @Slot(object, object, object, int)
    def _on_finished(self, update: TrainingUpdate | None, params, history, run_id: int) -> None:
        self._job_ended()
        if self.workspace is not None:
            if update is not None:
                self.workspace.run_progress(update, run_id)
            self.workspace.run_finished(params, history, run_id)
        self.finished.emit(update)

    @Slot(str, str, int)
    def _on_failed(self, message: str, details: str, run_id: int) -> None:
        self._job_ended()
        if self.workspace is not None:
            self.workspace.run_failed(message, details, run_id)
        self.failed.emit(message, details)

    def _job_ended(self) -> None:
        self._busy = False
        job, self._waiting_job = self._waiting_job, None
        if job is not None:
            self._launch(job)
