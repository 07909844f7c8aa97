"""Training in a separate process, so a busy user interface and the training loop never share a GIL.

Measured on this project's 2-core machines: with training on a thread of the GUI process, every
redraw of the plots fought the training loop for Python's GIL, the event loop stalled for
hundreds of milliseconds and training ran at 20-30% of its headless speed. In a child process the
loop runs at full speed on its own core and the GUI keeps the GIL to itself.

:class:`TrainingProcess` keeps one child process alive (``spawn`` start method, safe with Qt) and
runs :class:`TrainingJob` objects in it; progress reports come back through a pipe and the caller
(a GUI worker thread) blocks on that pipe, which releases the GIL. Stop and pause are flags in
shared memory: reading one costs a fraction of a microsecond, so the per-sample loop can check
them every step. Nothing here imports Qt.
"""

from __future__ import annotations

import multiprocessing
import os
import pickle
import time
import traceback
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from typing import Callable

import numpy as np

from . import compiled
from .errors import DataError
from .history import History
from .network import MLP
from .training import TrainConfig, train


class SharedFlag:
    """A ``threading.Event``-like flag that works across processes and is cheap to read."""

    def __init__(self, context=None):
        context = context or multiprocessing.get_context("spawn")
        self._value = context.RawValue("b", 0)
        self._times = context.RawValue("i", 0)

    def is_set(self) -> bool:
        return bool(self._value.value)

    def times_set(self) -> int:
        """How often :meth:`set` was called (a clear and a set between two looks still count)."""
        return self._times.value

    def set(self) -> None:
        self._times.value += 1
        self._value.value = 1

    def clear(self) -> None:
        self._value.value = 0

    def wait(self, timeout: float) -> bool:
        """Sleep until set or ``timeout`` seconds pass (in short sleeps, never spinning)."""
        deadline = time.monotonic() + timeout
        while not self._value.value:
            left = deadline - time.monotonic()
            if left <= 0:
                break
            time.sleep(min(left, 0.01))
        return bool(self._value.value)


@dataclass
class TrainingJob:
    """Everything one training run needs, as plain picklable data."""

    layer_sizes: tuple
    activations: tuple
    params: np.ndarray
    config: TrainConfig
    history: History
    data_key: int
    X: np.ndarray | None = None
    Y: np.ndarray | None = None
    X_val: np.ndarray | None = None
    Y_val: np.ndarray | None = None
    X_test: np.ndarray | None = None  # held out of training and early stopping, scored at the end
    Y_test: np.ndarray | None = None
    progress_interval: float = 1 / 30
    run_id: int = 0  # passed back with the result, so a result nobody waits for any more is known
    # Makes (X, Y, X_val, Y_val, X_test, Y_test) when the arrays were left to the thread that runs
    # the job (see with_data); never pickled.
    make_data: Callable[[], tuple] | None = field(default=None, repr=False, compare=False)

    def with_data(self) -> "TrainingJob":
        """This job with its arrays, made now by ``make_data`` if they were left to be made (the
        window's training thread does it: a 20,000 x 785 table's took 0.1-0.4 s, which held the
        window when Train was pressed), and nothing that cannot be pickled."""
        if self.make_data is None:
            return self
        arrays = self.make_data() if self.X is None else (self.X, self.Y, self.X_val, self.Y_val, self.X_test,
                                                           self.Y_test)
        return replace(self, make_data=None, **dict(zip(DATA_FIELDS, arrays)))


DATA_FIELDS = ("X", "Y", "X_val", "Y_val", "X_test", "Y_test")


def run_job(job: TrainingJob, on_progress, stop_event=None, pause_event=None,
            on_paused: Callable | None = None) -> tuple[np.ndarray, History]:
    """Train the job's network; return the new parameters and the continued history.

    ``on_paused(history)`` is called when a pause begins, before the paused progress report, with
    the history as of the pause (the caller copies it): saving or editing a paused run takes the
    weights and history of that one epoch.
    """
    job = job.with_data()
    net = MLP(job.layer_sizes, job.activations, seed=0)
    net.set_parameters(job.params)
    validation = (job.X_val, job.Y_val) if job.X_val is not None and len(job.X_val) else None
    test = (job.X_test, job.Y_test) if job.X_test is not None and len(job.X_test) else None
    history = job.history if job.history is not None else History(net.parameter_names())
    report = on_progress if on_paused is None else _telling_pauses(on_progress, on_paused, history)
    history = train(net, job.X, job.Y, job.config, report, stop_event, pause_event=pause_event,
                    validation_data=validation, test_data=test, history=history, progress_interval=job.progress_interval)
    return net.get_parameters(), history


def _telling_pauses(on_progress, on_paused, history: History):
    def report(progress) -> None:
        if progress.paused:
            on_paused(history)
        if on_progress is not None:
            on_progress(progress)
    return report


@dataclass
class CrossValidationJob:
    """Everything one cross-validation needs, as plain picklable data (see
    :func:`~mlp_desktop.core.cross_validation.cross_validate`)."""

    dataset: object
    spec: object
    config: TrainConfig
    folds: int = 5
    repeats: int = 1
    input_scaling: str = "standard"


def run_cross_validation(job: CrossValidationJob, on_progress, stop_event=None):
    """Cross-validate ``job``; returns a :class:`~mlp_desktop.core.cross_validation.CrossValidationResult`."""
    from .cross_validation import cross_validate

    return cross_validate(job.dataset, job.spec, job.config, folds=job.folds, repeats=job.repeats,
                          input_scaling=job.input_scaling, on_progress=on_progress, stop_event=stop_event)


def _child_cross_validation(connection, job: CrossValidationJob, stop_event: SharedFlag) -> None:
    try:
        result = run_cross_validation(job, lambda progress: connection.send(("cv_progress", progress)), stop_event)
        connection.send(("cv_done", result))
    except DataError as error:
        connection.send(("error", str(error), ""))
    except Exception as error:  # noqa: BLE001 - sent to the parent, which shows it
        connection.send(("error", f"Cross-validation failed unexpectedly: {error}", traceback.format_exc()))


def _child_main(connection, stop_event: SharedFlag, pause_event: SharedFlag) -> None:
    """The child process: run jobs until told to quit or the parent goes away."""
    # The compiled kernel loads from numba's disk cache (or compiles, the first time ever) now,
    # while the user is still setting up (the process starts after the window's first frame), not
    # after pressing Train. In this, the main thread: importing numba in a second thread while the
    # main one ran crashed the process now and then (compiled.kernel); a job sent meanwhile waits
    # in the pipe.
    compiled.warm_up()
    data: dict = {}
    while True:
        try:
            message = connection.recv()
        except (EOFError, OSError):
            return
        if message[0] == "quit":
            return
        if message[0] == "cv":
            _child_cross_validation(connection, message[1], stop_event)
            continue
        job: TrainingJob = message[1]
        if job.X is not None:
            data = {job.data_key: (job.X, job.Y, job.X_val, job.Y_val, job.X_test, job.Y_test)}
        elif job.data_key in data:
            job = replace(job, **dict(zip(DATA_FIELDS, data[job.data_key])))
        try:
            params, history = run_job(job, lambda report: connection.send(("report", report)), stop_event,
                                      pause_event, lambda history: connection.send(("paused", history)))
            connection.send(("done", params, history))
        except DataError as error:
            connection.send(("error", str(error), ""))
        except Exception as error:  # noqa: BLE001 - sent to the parent, which shows it
            connection.send(("error", f"Training failed unexpectedly: {error}", traceback.format_exc()))


BLAS_THREAD_VARIABLES = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")


@contextmanager
def blas_threads_for_child():
    """Start the child with one core fewer BLAS threads than the machine has (at least one).

    The child's matrix products otherwise use every core and leave none to the user interface.
    Measured on a 2-core machine, 100-64-10 network, mini-batches of 32, in the window: with two
    OpenBLAS threads a live refresh took 52-65 ms and training ran at 51-136 epochs/s; with one,
    20-25 ms and 178-193 epochs/s (784-64-10 headless with other load: 0.4 against 3 epochs/s).
    Settings the user made win; this process is not affected (its BLAS is loaded already).
    """
    threads = str(max(1, (os.cpu_count() or 2) - 1))
    added = [name for name in BLAS_THREAD_VARIABLES if name not in os.environ]
    for name in added:
        os.environ[name] = threads
    try:
        yield
    finally:
        for name in added:
            os.environ.pop(name, None)


class TrainingFailed(Exception):
    """The child reported an error (``message`` in plain words, ``details`` a traceback or '')."""

    def __init__(self, message: str, details: str = ""):
        super().__init__(message)
        self.message, self.details = message, details


class TrainingProcess:
    """One long-lived child process that runs training jobs for the GUI."""

    def __init__(self):
        self._context = multiprocessing.get_context("spawn")
        self.stop_event = SharedFlag(self._context)
        self.pause_event = SharedFlag(self._context)
        self._process = None
        self._connection = None
        self._sent_data_key: int | None = None

    def start(self) -> None:
        """Start the child now (it takes a moment), so the first Train is quick."""
        if self._process is not None and self._process.is_alive():
            return
        parent_end, child_end = self._context.Pipe()
        self._process = self._context.Process(target=_child_main, args=(child_end, self.stop_event, self.pause_event),
                                              name="mlp-desktop-training", daemon=True)
        with blas_threads_for_child():
            self._process.start()
        child_end.close()
        self._connection = parent_end
        self._sent_data_key = None

    def run(self, job: TrainingJob, on_report: Callable, on_paused: Callable | None = None
            ) -> tuple[np.ndarray, History]:
        """Run ``job`` in the child, calling ``on_report`` for each progress report and
        ``on_paused(history)`` when a pause begins (in this thread).

        Blocks until the job ends. Raises :class:`TrainingFailed` for errors in the child.
        """
        self.start()
        if job.data_key == self._sent_data_key:  # the child has them
            job = replace(job, make_data=None, **dict.fromkeys(DATA_FIELDS))
        else:
            job = _with_data(job)
        try:
            self._connection.send(("job", job))
            self._sent_data_key = job.data_key
            while True:
                message = self._connection.recv()
                if message[0] == "report":
                    on_report(message[1])
                elif message[0] == "paused":
                    if on_paused is not None:
                        on_paused(message[1])
                elif message[0] == "done":
                    return message[1], message[2]
                else:
                    raise TrainingFailed(message[1], message[2])
        except (EOFError, OSError, BrokenPipeError) as error:
            self._process = None
            raise TrainingFailed("The training process ended unexpectedly; the weights before this run are kept.",
                                 repr(error)) from None

    def cross_validate(self, job: CrossValidationJob, on_progress: Callable):
        """Cross-validate ``job`` in the child, calling ``on_progress`` for each
        :class:`~mlp_desktop.core.cross_validation.CrossValidationProgress` (in this thread).

        Blocks until it ends; :attr:`stop_event` cancels it (the result then has ``stopped``).
        Raises :class:`TrainingFailed` for errors in the child.
        """
        self.start()
        try:
            self._connection.send(("cv", job))
            while True:
                message = self._connection.recv()
                if message[0] == "cv_progress":
                    on_progress(message[1])
                elif message[0] == "cv_done":
                    return message[1]
                else:
                    raise TrainingFailed(message[1], message[2])
        except (EOFError, OSError, BrokenPipeError) as error:
            self._process = None
            raise TrainingFailed("The training process ended unexpectedly during the cross-validation.",
                                 repr(error)) from None

    def close(self, timeout: float = 5.0) -> None:
        """Stop any run and end the child process."""
        self.stop_event.set()
        self.pause_event.clear()
        process, self._process = self._process, None
        if process is None:
            return
        try:
            self._connection.send(("quit",))
        except (OSError, BrokenPipeError):
            pass
        process.join(timeout)
        if process.is_alive():
            process.terminate()
            process.join(1.0)
        self._connection.close()


class InProcessRunner:
    """Runs training jobs in the calling thread, with the same interface as :class:`TrainingProcess`.

    For tests of the GUI that are not about the child process: starting a spawn-started child for
    every test window costs a Python start-up and a NumPy import each. The job, the reports and
    the results are copied as the pipe would copy them, so the caller owns what it receives and
    nothing is shared with the running loop; errors become :class:`TrainingFailed` with the same
    messages the child sends. Never used by the app itself: training on a thread of the GUI
    process starves the user interface (see the module docstring).
    """

    def __init__(self):
        self.stop_event = SharedFlag()
        self.pause_event = SharedFlag()
        self._process = None  # like a closed TrainingProcess: there is never a child
        # Jobs run in the caller's thread (the window's training thread): numba must be imported
        # here, in the thread that makes the runner, not there (see compiled.kernel).
        compiled.warm_up()

    def start(self) -> None:
        """Nothing to start (the interface of :meth:`TrainingProcess.start`)."""

    def run(self, job: TrainingJob, on_report: Callable, on_paused: Callable | None = None
            ) -> tuple[np.ndarray, History]:
        """Run ``job`` here, calling ``on_report`` for each progress report (in this thread).

        Blocks until the job ends. Raises :class:`TrainingFailed` as :meth:`TrainingProcess.run` does.
        """
        job = _copied(_with_data(job))
        try:
            paused = None if on_paused is None else (lambda history: on_paused(_copied(history)))
            params, history = run_job(job, lambda report: on_report(_copied(report)), self.stop_event,
                                      self.pause_event, paused)
        except DataError as error:
            raise TrainingFailed(str(error), "") from None
        except Exception as error:  # noqa: BLE001 - reported as the child reports it
            raise TrainingFailed(f"Training failed unexpectedly: {error}", traceback.format_exc()) from None
        return _copied((params, history))

    def cross_validate(self, job: CrossValidationJob, on_progress: Callable):
        """Cross-validate ``job`` here (the interface of :meth:`TrainingProcess.cross_validate`)."""
        job = _copied(job)
        try:
            result = run_cross_validation(job, lambda progress: on_progress(_copied(progress)), self.stop_event)
        except DataError as error:
            raise TrainingFailed(str(error), "") from None
        except Exception as error:  # noqa: BLE001 - reported as the child reports it
            raise TrainingFailed(f"Cross-validation failed unexpectedly: {error}", traceback.format_exc()) from None
        return _copied(result)

    def close(self, timeout: float = 5.0) -> None:
        """Stop any run (the interface of :meth:`TrainingProcess.close`)."""
        self.stop_event.set()
        self.pause_event.clear()


def _with_data(job: TrainingJob) -> TrainingJob:
    """``job.with_data()``, its failures as :class:`TrainingFailed` (the window's run must end)."""
    try:
        return job.with_data()
    except MemoryError:
        raise TrainingFailed("There is not enough free memory to prepare the training data; close other programs, "
                             "or train on fewer rows or columns. The weights are unchanged.", "") from None
    except DataError as error:
        raise TrainingFailed(str(error), "") from None
    except Exception as error:  # noqa: BLE001 - reported like a failure in the child
        raise TrainingFailed(f"Preparing the training data failed unexpectedly: {error}",
                             traceback.format_exc()) from None


def _copied(value):
    """A deep copy made the way the pipe to the child makes it."""
    return pickle.loads(pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))
