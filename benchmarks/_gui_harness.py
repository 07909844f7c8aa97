"""Shared pieces of the GUI benchmarks: the real main window, an event-loop probe, speed runs.

Import this module before anything creates a ``QApplication``: :func:`choose_platform` has to run
first (it decides between the offscreen platform and a real display, and points the XDG folders
at a temporary folder, see :func:`use_temporary_user_folders`).

* :class:`Heartbeat` is a 10 ms ``Qt.PreciseTimer`` probe: each beat records how late the event
  loop served it (actual interval minus 10 ms), which is what a user feels as lag.
* :class:`RefreshCounter` counts the live updates the window applied and the paint events one
  plot widget received while training runs.
* :func:`headless_speed` trains with ``TrainingSession.train`` (the CLI's path, core ``train()``)
  and :func:`train_in_app` presses Train in the window and waits for the end.
"""

from __future__ import annotations

import atexit
import os
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

XDG_FOLDER_VARIABLES = ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME")
_temporary_user_folder: Path | None = None


def use_temporary_user_folders() -> Path:
    """Point the XDG folders of this process (and its children) at a temporary folder, once.

    A window built with the app's defaults writes the user's real settings (layout, recent files)
    and a recovery copy in the user's data folder; a benchmark must leave both alone. Call before
    the ``QApplication`` exists (Qt reads the folders once). The folder goes when the process ends.
    """
    global _temporary_user_folder
    if _temporary_user_folder is None:
        folder = Path(tempfile.mkdtemp(prefix="mlp-desktop-bench-home-"))
        atexit.register(shutil.rmtree, folder, True)
        for name in XDG_FOLDER_VARIABLES:
            path = folder / name.lower()
            path.mkdir()
            os.environ[name] = str(path)
        _temporary_user_folder = folder
    return _temporary_user_folder


def choose_platform(use_display: bool = False) -> str:
    """Pick the Qt platform before the application exists: offscreen unless ``use_display``
    and ``DISPLAY`` is set (then the X server, e.g. Xvfb). Returns the platform's name."""
    use_temporary_user_folders()
    if use_display and os.environ.get("DISPLAY"):
        os.environ["QT_QPA_PLATFORM"] = "xcb"
    else:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    sys.setswitchinterval(0.002)  # as the app does (mlp_desktop.gui.app)
    return os.environ["QT_QPA_PLATFORM"]


def application():
    """The ``QApplication`` (created once)."""
    from PySide6.QtWidgets import QApplication

    return QApplication.instance() or QApplication(sys.argv[:1])


def process_events(milliseconds: float) -> None:
    """Run the event loop for ``milliseconds`` (lets layouts and first paints settle)."""
    from PySide6.QtCore import QEventLoop, QTimer

    loop = QEventLoop()
    QTimer.singleShot(int(milliseconds), loop.quit)
    loop.exec()


IDLE_QUIET_MS = 500.0
"""How long :func:`wait_until_idle` wants the event loop on time by default (quick runs shorten it)."""


def wait_until_idle(quiet_ms: float | None = None, timeout_s: float = 120.0) -> float:
    """Run the event loop until it has served a 10 ms timer on time for ``quiet_ms`` in a row
    (default :data:`IDLE_QUIET_MS`; deferred layouts and rebuilds done); returns the seconds waited."""
    from PySide6.QtCore import QEventLoop, Qt, QTimer

    quiet_ms = IDLE_QUIET_MS if quiet_ms is None else quiet_ms

    start = last = quiet_since = time.perf_counter()
    loop = QEventLoop()
    timer = QTimer()
    timer.setTimerType(Qt.TimerType.PreciseTimer)
    timer.setInterval(10)

    def beat() -> None:
        nonlocal last, quiet_since
        now = time.perf_counter()
        if now - last > 0.015:
            quiet_since = now
        last = now
        if now - quiet_since >= quiet_ms / 1000 or now - start > timeout_s:
            loop.quit()

    timer.timeout.connect(beat)
    timer.start()
    loop.exec()
    timer.stop()
    return time.perf_counter() - start


def open_window(sample: str | None = "health_score", size: tuple[int, int] = (1280, 800)):
    """A shown ``MainWindow`` (with ``sample`` loaded, if given), laid out and painted once, with
    settings and user folders of its own (never the user's)."""
    from PySide6.QtCore import QSettings

    from mlp_desktop.gui.main_window import MainWindow

    from mlp_desktop.core.memory import avoid_huge_page_stalls

    avoid_huge_page_stalls()  # as the app's command (mlp_desktop.cli) does for its process
    folder = use_temporary_user_folders()  # the recovery copy goes to the temporary data folder
    app = application()
    try:  # garbage collected between events, as the app's open_main_window does (older trees: Python's)
        from mlp_desktop.gui.garbage import collect_between_events
    except ImportError:
        pass
    else:
        collect_between_events(app)
    settings = QSettings(str(folder / "settings.ini"), QSettings.Format.IniFormat)
    window = MainWindow(sample=sample, settings=settings)
    window.resize(*size)
    window.show()
    process_events(200)
    return window


def set_learning_settings(window, **values) -> None:
    """Make ``values`` (learning_rate, epochs, batch_size, momentum, seed, ...) the window's current
    settings, as the user's edits in the Parameters panel do; a new seed draws fresh weights."""
    workspace = getattr(window, "workspace", None)
    if workspace is not None:  # the window whose workspace owns the settings
        workspace.set_settings(**values)
        return
    window.parameter_panel.set_values(**values)  # the window that read its panels at each action
    if not window._apply_settings(read_seed=True):
        raise RuntimeError(f"the window refused the settings {values}")


def set_network(window, graph) -> None:
    """Give the window the network ``graph`` (a ``NetworkGraph``), as an edit in the diagram does."""
    workspace = getattr(window, "workspace", None)
    if workspace is not None:
        workspace.replace_graph(graph.to_dict())
        return
    window._set_graph(graph)
    if not window._apply_settings(read_seed=True):
        raise RuntimeError("the window could not build the network")


def close_window(window) -> None:
    window.mark_saved()  # a benchmark has nothing to save
    window.close()
    process_events(50)


class Heartbeat:
    """A 10 ms ``PreciseTimer``; ``delays_ms()`` are the intervals beyond 10 ms, one per beat."""

    def __init__(self, interval_ms: int = 10):
        from PySide6.QtCore import Qt, QTimer

        self.interval_ms = interval_ms
        self._times: list[float] = []
        self._timer = QTimer()
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(lambda: self._times.append(time.perf_counter()))

    def start(self) -> None:
        self._times.clear()
        self._timer.start()

    def stop(self) -> None:
        self._timer.stop()

    def delays_ms(self, until: float | None = None):
        """How late each beat came, in ms; only beats up to ``until`` (a ``perf_counter`` time)."""
        import numpy as np

        times = np.asarray(self._times)
        if until is not None:
            times = times[times <= until]
        gaps = np.diff(times) * 1000.0
        return np.maximum(gaps - self.interval_ms, 0.0)

    def summary(self) -> tuple[float, float, float]:
        """``(p50, p99, max)`` delay in ms (zeros without beats)."""
        import numpy as np

        delays = self.delays_ms()
        if not len(delays):
            return 0.0, 0.0, 0.0
        p50, p99, worst = np.percentile(delays, [50, 99, 100])
        return float(p50), float(p99), float(worst)


class RefreshCounter:
    """Counts, while ``counting``, the window's live updates and paints of one plot widget.

    ``applied`` counts the controller's ``progress`` signals (each one redraws every live plot);
    ``painted`` counts paint events reaching ``paint_widget`` (e.g. the weights plot's viewport);
    ``costs`` holds the controller's measure of each refresh (handling plus repaint), seconds.
    """

    def __init__(self, window, paint_widget=None):
        from PySide6.QtCore import QEvent, QObject

        self.window = window
        self.applied = 0
        self.painted = 0
        self.costs: list[float] = []
        self.counting = False
        counter = self

        class PaintFilter(QObject):
            def eventFilter(self, watched, event):  # noqa: N802 - Qt's name
                if counter.counting and event.type() == QEvent.Type.Paint:
                    counter.painted += 1
                return False

        self._filter = PaintFilter()
        self._watched = paint_widget
        if paint_widget is not None:
            paint_widget.installEventFilter(self._filter)
        window.controller.progress.connect(self._on_progress)

    def _on_progress(self, _update) -> None:
        if self.counting:
            if self.applied:  # the controller measured the previous refresh by now
                self.costs.append(self.window.controller.last_refresh_seconds)
            self.applied += 1

    def detach(self) -> None:
        self.window.controller.progress.disconnect(self._on_progress)
        if self._watched is not None:
            self._watched.removeEventFilter(self._filter)


def headless_speed(window, epochs: int | None = None, seconds: float | None = None) -> tuple[float, int]:
    """Train the window's session in this thread as the CLI does; ``(epochs/s, epochs run)``.

    Runs ``epochs`` epochs, or as many as fit in ``seconds`` (checked at each progress report,
    about 30 times a second), from the session's current weights; then puts the weights and the
    history back, so the app's own run starts from the same state.
    """
    import copy
    import threading

    session = window.session
    session.prepare()
    params, history = session.net.get_parameters(), copy.deepcopy(session.history)
    first = history.last_epoch
    stop = threading.Event()
    start = time.perf_counter()
    deadline = start + (seconds if seconds is not None else float("inf"))

    def on_progress(_report) -> None:
        if time.perf_counter() >= deadline:
            stop.set()

    done = session.train(epochs if epochs is not None else 10**9, on_progress=on_progress,
                         stop_event=stop).last_epoch - first
    elapsed = time.perf_counter() - start
    session.finish_job(params, history)
    return done / elapsed, done


@dataclass
class InAppRun:
    """What one run in the window measured."""

    epochs: int
    seconds: float
    delays_ms: object = None
    applied: int = 0
    painted: int = 0
    refresh_costs: list = field(default_factory=list)

    @property
    def epochs_per_second(self) -> float:
        return self.epochs / self.seconds if self.seconds > 0 else 0.0

    @property
    def applied_per_second(self) -> float:
        return self.applied / self.seconds if self.seconds > 0 else 0.0

    @property
    def painted_per_second(self) -> float:
        return self.painted / self.seconds if self.seconds > 0 else 0.0


def train_in_app(window, epochs: int, paint_widget=None, timeout_s: float = 600.0) -> InAppRun:
    """Press Train for ``epochs`` epochs in ``window`` and wait for the end, probing the event loop.

    What is measured runs from pressing Train to the training process returning the result (seen
    in the worker's thread, before the window handles it), so it holds everything the app adds while training: sending the
    job, relaying reports, every live refresh. The window's work once the run is over (the
    final redraw from the exact history, the model views) follows; :func:`wait_until_idle`
    measures it.
    """
    from PySide6.QtCore import QEventLoop, Qt, QTimer

    controller = window.controller
    heartbeat = Heartbeat()
    counter = RefreshCounter(window, paint_widget)
    loop = QEventLoop()
    ended: list[float] = []
    failure: list[str] = []

    def on_result(*_result) -> None:
        # Connected directly, so it runs in the worker's thread the moment the training process
        # has returned the result, before the window hears of it (a time stamp and a flag only).
        if not ended:
            ended.append(time.perf_counter())
            counter.counting = False

    def on_failed(message: str, _details: str) -> None:
        failure.append(message)
        loop.quit()

    controller.worker.finished.connect(on_result, Qt.ConnectionType.DirectConnection)
    controller.worker.failed.connect(on_result, Qt.ConnectionType.DirectConnection)
    controller.finished.connect(loop.quit)
    controller.failed.connect(on_failed)
    QTimer.singleShot(int(timeout_s * 1000), loop.quit)
    first_epoch = window.session.history.last_epoch
    heartbeat.start()
    counter.counting = True
    start = time.perf_counter()
    window.train(epochs)
    if controller.is_busy():
        loop.exec()
    counter.counting = False
    heartbeat.stop()
    controller.worker.finished.disconnect(on_result)
    controller.worker.failed.disconnect(on_result)
    controller.finished.disconnect(loop.quit)
    controller.failed.disconnect(on_failed)
    counter.detach()
    if failure or not ended:
        raise RuntimeError(f"training in the window did not finish: {failure[0] if failure else 'timed out'}")
    return InAppRun(window.session.history.last_epoch - first_epoch, ended[0] - start,
                    heartbeat.delays_ms(until=ended[0]), counter.applied, counter.painted, counter.costs)


def load_average() -> str:
    """The 1, 5 and 15 minute load averages and the CPU count, for the report."""
    try:
        one, five, fifteen = os.getloadavg()
    except OSError:
        return "load unknown"
    return f"load average {one:.2f} {five:.2f} {fifteen:.2f} on {os.cpu_count()} CPUs"
