"""Training: the epoch loop, with stop/pause events and throttled progress reports.

``train`` never touches a widget; a GUI passes a plain ``on_progress`` callable and
``threading.Event`` objects, and gets plain data back.

Update modes (``TrainConfig.batch_size``):

* ``None``: full batch, one step per epoch on the loss over all training rows;
* ``1``: per-sample (online) updates, in data order or shuffled each epoch (``shuffle=True``);
* ``k``: mini-batches of ``k`` rows, the last one smaller.

Every step computes all its gradients from the pre-step weights and then applies them at once;
with momentum ``mu`` the update is ``v = mu v - lr g; w += v``. The RMSE recorded for epoch ``e``
is measured on all training (and validation) rows with the weights *after* epoch ``e``.
"""

from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from .errors import DataError
from .history import History
from .losses import _ALIASES, LOSS_NAMES
from .network import MLP, Backprop, as_matrix
from .series import SnapshotBuffer


@dataclass
class TrainConfig:
    """Settings of one training run (all checked on creation, with plain-words errors)."""

    epochs: int = 1000
    learning_rate: float = 0.01
    batch_size: int | None = None
    loss: str = "mse"
    momentum: float = 0.0
    shuffle: bool = False
    seed: int | None = None
    validation_fraction: float = 0.0
    target_rmse: float | None = None

    def __post_init__(self):
        self.epochs = _whole_number(self.epochs, "The number of epochs", minimum=0)
        self.learning_rate = _number(self.learning_rate, "The learning rate")
        if self.learning_rate <= 0:
            raise DataError(f"The learning rate must be greater than 0; got {self.learning_rate:g}.")
        if self.batch_size is not None:
            self.batch_size = _whole_number(self.batch_size, "The batch size", minimum=1)
        loss = _ALIASES.get(str(self.loss).lower(), str(self.loss).lower())
        if loss not in LOSS_NAMES:
            raise DataError(f"Unknown loss {self.loss!r}; choose 'mse' or 'cross_entropy'.")
        self.loss = loss
        self.momentum = _number(self.momentum, "The momentum")
        if not 0.0 <= self.momentum < 1.0:
            raise DataError(f"The momentum must be at least 0 and below 1; got {self.momentum:g}.")
        self.shuffle = bool(self.shuffle)
        if self.seed is not None:
            self.seed = _whole_number(self.seed, "The seed", minimum=0)
        self.validation_fraction = _number(self.validation_fraction, "The validation fraction")
        if not 0.0 <= self.validation_fraction < 1.0:
            raise DataError(
                f"The validation fraction must be at least 0 and below 1; got {self.validation_fraction:g}."
            )
        if self.target_rmse is not None:
            self.target_rmse = _number(self.target_rmse, "The target RMSE")
            if self.target_rmse < 0:
                raise DataError(f"The target RMSE cannot be negative; got {self.target_rmse:g}.")


def _number(value, what: str) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise DataError(f"{what} must be a number; got {value!r}.") from None
    if not math.isfinite(number):
        raise DataError(f"{what} must be a finite number; got {value!r}.")
    return number


def _whole_number(value, what: str, minimum: int) -> int:
    number = _number(value, what)
    if number != int(number) or number < minimum:
        raise DataError(f"{what} must be a whole number of at least {minimum}; got {value!r}.")
    return int(number)


@dataclass(frozen=True)
class ProgressReport:
    """What ``train`` tells ``on_progress``: plain data, owned by the receiver.

    ``epochs``/``train_rmses``/``val_rmses`` hold every epoch finished since the previous report;
    ``params`` is a copy of the current parameters; ``param_epochs``/``param_rows`` are parameter
    snapshots since the previous report, evenly thinned to at most ``PARAM_ROWS_PER_REPORT`` rows
    (so live weight plots can draw smooth curves); ``layer_grad_rms`` holds, for each of
    ``epochs``, the root-mean-square gradient of each weight layer at the epoch's last step
    (``(len(epochs), n_layers)``, to spot vanishing gradients).
    """

    epoch: int
    final_epoch: int
    train_rmse: float
    val_rmse: float
    params: np.ndarray
    epochs: np.ndarray
    train_rmses: np.ndarray
    val_rmses: np.ndarray
    layer_grad_rms: np.ndarray
    elapsed_seconds: float
    epochs_per_second: float
    param_epochs: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    param_rows: np.ndarray = field(default_factory=lambda: np.zeros((0, 0)))
    paused: bool = False
    finished: bool = False
    stop_reason: str | None = None
    message: str = ""


PARAM_ROWS_PER_REPORT = 64
"""At most this many parameter snapshots travel with one progress report."""


@dataclass
class _Split:
    X: np.ndarray
    Y: np.ndarray
    X_val: np.ndarray | None
    Y_val: np.ndarray | None


def split_validation(X: np.ndarray, Y: np.ndarray, fraction: float, rng: np.random.Generator) -> _Split:
    """Hold out a random ``fraction`` of rows (at least one); the rest keep their order."""
    n = X.shape[0]
    if fraction <= 0:
        return _Split(X, Y, None, None)
    n_val = max(1, int(round(fraction * n)))
    if n - n_val < 1:
        raise DataError(
            f"There are too few rows ({n}) to hold {fraction:.0%} out for validation; "
            "use more data or a smaller validation fraction."
        )
    order = rng.permutation(n)
    val_rows, train_rows = np.sort(order[:n_val]), np.sort(order[n_val:])
    return _Split(X[train_rows], Y[train_rows], X[val_rows], Y[val_rows])


def train(
    net: MLP,
    X,
    Y,
    config: TrainConfig | None = None,
    on_progress: Callable[[ProgressReport], None] | None = None,
    stop_event: threading.Event | None = None,
    *,
    pause_event: threading.Event | None = None,
    validation_data: tuple | None = None,
    history: History | None = None,
    progress_interval: float | None = 1 / 30,
    progress_every: int | None = None,
) -> History:
    """Train ``net`` in place on ``X: (n_samples, n_inputs)``, ``Y: (n_samples, n_outputs)``.

    Parameters
    ----------
    config : the settings; ``TrainConfig()`` if omitted.
    on_progress : called with a :class:`ProgressReport` every ``progress_every`` epochs or every
        ``progress_interval`` seconds (whichever is given; both may be), when a pause begins, and
        always once at the end.
    stop_event : when set, training stops after the current step and the history so far returns.
    pause_event : while set, training waits (without spinning) after the current step.
    validation_data : ``(X_val, Y_val)`` to use instead of a random ``validation_fraction`` split.
    history : a previous run's history to continue; epoch numbers carry on from its last epoch.

    Returns the :class:`History`. Divergence (an infinite or NaN error) is not an exception: the
    history's ``stop_reason`` is ``"diverged"``, its ``message`` says what to do, and the weights
    are put back to those of the last good epoch.
    """
    config = config or TrainConfig()
    X = as_matrix(X, net.layer_sizes[0], "inputs")
    Y = as_matrix(Y, net.layer_sizes[-1], "targets")
    _check_rows(X, Y)
    backprop = Backprop(net, config.loss)
    rng = np.random.default_rng(config.seed)
    if validation_data is not None:
        X_val = as_matrix(validation_data[0], net.layer_sizes[0], "validation inputs")
        Y_val = as_matrix(validation_data[1], net.layer_sizes[-1], "validation targets")
        _check_rows(X_val, Y_val)
        data = _Split(X, Y, X_val, Y_val)
    else:
        data = split_validation(X, Y, config.validation_fraction, rng)
    if history is None:
        history = History(net.parameter_names())
    elif len(history.parameter_names) != net.n_parameters:
        raise DataError("The history to continue belongs to a network of another shape.")

    before = net.get_parameters()
    try:
        loop = _Loop(net, backprop, data, config, rng, history, on_progress, stop_event, pause_event,
                     progress_interval, progress_every)
        with np.errstate(all="ignore"):
            loop.run()
    except MemoryError:
        # Buffers grow with neurons x rows; a run that cannot get them leaves the weights as they were.
        net.set_parameters(before)
        raise DataError(
            f"There is not enough memory to train this network ({net.n_parameters:,} weights and biases) "
            f"on {data.X.shape[0]:,} rows; use fewer neurons or a smaller batch size. "
            "The weights are unchanged."
        ) from None
    return history


def _check_rows(X: np.ndarray, Y: np.ndarray) -> None:
    if X.shape[0] != Y.shape[0]:
        raise DataError(f"There are {X.shape[0]} input rows but {Y.shape[0]} target rows.")
    if X.shape[0] == 0:
        raise DataError("There are no rows to train on.")
    for values, what in ((X, "inputs"), (Y, "targets")):
        if not np.isfinite(values).all():
            row, column = np.argwhere(~np.isfinite(values))[0]
            raise DataError(
                f"The {what} contain a missing or infinite value (row {row + 1}, column {column + 1})."
            )


class _Loop:
    """One training run's state; ``run`` is the measured hot loop."""

    def __init__(self, net, backprop, data, config, rng, history, on_progress, stop_event, pause_event,
                 progress_interval, progress_every):
        self.net, self.backprop, self.data, self.config, self.rng = net, backprop, data, config, rng
        self.history, self.on_progress = history, on_progress
        self.stop_event, self.pause_event = stop_event, pause_event
        self.progress_interval, self.progress_every = progress_interval, progress_every
        n_train = data.X.shape[0]
        self.batch = min(config.batch_size or n_train, n_train)
        # The kernel takes inputs with a bias column of ones, neuron-major (see network.Workspace).
        self.X_augmented = backprop.augment(data.X)
        if data.X_val is not None:
            self.XT_val, self.YT_val = backprop.augment(data.X_val).T, data.Y_val.T
        self.full_ws = backprop.workspace(n_train)
        self.val_ws = backprop.workspace(data.X_val.shape[0]) if data.X_val is not None else None
        # Every buffer the epochs need, now: running out of memory is found before any step.
        for size in {self.batch, n_train % self.batch} - {0}:
            self.batch_ws(size)
        self.trace: tuple[list, list, list, list] = ([], [], [], [])
        # parameter snapshots between two reports, evenly thinned, always ending with the latest
        self.param_trace = SnapshotBuffer(net.n_parameters, PARAM_ROWS_PER_REPORT) if on_progress else None
        self.started = time.perf_counter()
        self.last_report = self.started
        self.start_epoch = history.last_epoch
        self.final_epoch = self.start_epoch + config.epochs

    # -- measuring -----------------------------------------------------------------------------
    def evaluate(self) -> tuple[float, float]:
        """RMSE on the training and validation rows with the current weights.

        Leaves the training rows' forward pass and residual in ``full_ws``, which is exactly what
        the next full-batch step needs, so full-batch training does one forward pass per epoch.
        """
        bp, data = self.backprop, self.data
        bp.forward(self.X_augmented.T, self.full_ws)
        bp.residual(data.Y.T, self.full_ws)
        train_rmse = math.sqrt(bp.sum_of_squares(self.full_ws) / data.Y.size)
        val_rmse = math.nan
        if self.val_ws is not None:
            bp.forward(self.XT_val, self.val_ws)
            bp.residual(self.YT_val, self.val_ws)
            val_rmse = math.sqrt(bp.sum_of_squares(self.val_ws) / self.YT_val.size)
        return train_rmse, val_rmse

    # -- the loop ------------------------------------------------------------------------------
    def run(self) -> None:
        net, bp, config, history = self.net, self.backprop, self.config, self.history
        params = net._params
        final_epoch = self.final_epoch
        train_rmse, val_rmse = self.evaluate()
        history.set_initial(train_rmse, val_rmse, params)
        last_good = params.copy()
        reason, epoch = "completed", self.start_epoch
        if not math.isfinite(train_rmse):
            reason = "diverged"
        while reason == "completed" and epoch < final_epoch:
            if self.stop_event is not None and self.stop_event.is_set():
                reason = "stopped"
                break
            steps = self.run_epoch(params)
            if steps == 0:
                reason = "stopped"
                break
            epoch += 1
            train_rmse, val_rmse = self.evaluate()
            if not (math.isfinite(train_rmse) and np.isfinite(params).all()):
                np.copyto(params, last_good)
                epoch -= 1
                reason = "diverged"
                break
            np.copyto(last_good, params)
            history.append(epoch, train_rmse, val_rmse, params)
            if self.on_progress is not None:
                self.note_epoch(epoch, train_rmse, val_rmse)
            if config.target_rmse is not None and train_rmse <= config.target_rmse:
                reason = "target_reached"
            elif self.stop_event is not None and self.stop_event.is_set():
                reason = "stopped"
        history.stop_reason = reason
        history.message = self.describe(reason, epoch, train_rmse)
        elapsed = time.perf_counter() - self.started
        history.elapsed_seconds += elapsed
        if self.on_progress is not None:
            self.report(epoch, finished=True, reason=reason)

    def run_epoch(self, params: np.ndarray) -> int:
        """Run one epoch of steps; return how many ran (fewer if stopped).

        This is the measured hot loop: per-sample training spends its time in the Python overhead
        of each step, so the update is written out here rather than called.
        """
        bp, lr = self.backprop, self.config.learning_rate
        X, Y = self.X_augmented, self.data.Y
        n, batch = X.shape[0], self.batch
        if batch == n:  # full batch: evaluate() already did this epoch's forward pass
            self.wait_while_paused()
            bp.backward(X.T, self.full_ws, -lr)
            self.apply_update(params)
            return 1
        order = self.rng.permutation(n) if self.config.shuffle else None
        ws_full = self.batch_ws(batch)
        stop, pause = self.stop_event, self.pause_event
        forward, residual, backward = bp.forward, bp.residual, bp.backward
        grad, velocity, momentum = bp.grad, self.velocity(params), self.config.momentum
        steps = 0
        for first in range(0, n, batch):
            if stop is not None and stop.is_set():
                break
            if pause is not None and pause.is_set():
                self.wait_while_paused()
            last = first + batch
            ws = ws_full if last <= n else self.batch_ws(n - first)
            if order is None:
                xT, yT = X[first:last].T, Y[first:last].T
            elif batch == 1:
                row = order[first]
                xT, yT = X[row:row + 1].T, Y[row:row + 1].T
            else:
                rows = order[first:last]
                xT, yT = X.take(rows, axis=0).T, Y.take(rows, axis=0).T
            forward(xT, ws)
            residual(yT, ws)
            backward(xT, ws, -lr)
            if velocity is None:
                params += grad
            else:
                velocity *= momentum
                velocity += grad
                params += velocity
            steps += 1
        return steps

    def apply_update(self, params: np.ndarray) -> None:
        velocity = self.velocity(params)
        if velocity is None:
            params += self.backprop.grad
        else:
            velocity *= self.config.momentum
            velocity += self.backprop.grad
            params += velocity

    def velocity(self, params: np.ndarray) -> np.ndarray | None:
        if self.config.momentum == 0.0:
            return None
        if not hasattr(self, "_velocity"):
            self._velocity = np.zeros_like(params)
        return self._velocity

    def batch_ws(self, size: int):
        cache = self.__dict__.setdefault("_workspaces", {})
        if size not in cache:
            cache[size] = self.full_ws if size == self.data.X.shape[0] else self.backprop.workspace(size)
        return cache[size]

    # -- pausing and reporting -----------------------------------------------------------------
    def wait_while_paused(self) -> None:
        pause = self.pause_event
        if pause is None or not pause.is_set():
            return
        if self.on_progress is not None:
            self.report(self.history.last_epoch, paused=True)
        waiter = self.stop_event or threading.Event()
        while pause.is_set() and not waiter.is_set():
            waiter.wait(0.05)

    def note_epoch(self, epoch: int, train_rmse: float, val_rmse: float) -> None:
        epochs, trains, vals, grads = self.trace
        epochs.append(epoch)
        trains.append(train_rmse)
        vals.append(val_rmse)
        grads.append(self.layer_grad_rms())
        self.param_trace.append(epoch, self.net._params)
        due = self.progress_every is not None and epoch % self.progress_every == 0
        if not due and self.progress_interval is not None:
            due = time.perf_counter() - self.last_report >= self.progress_interval
        if due:
            self.report(epoch)

    def report(self, epoch: int, paused=False, finished=False, reason=None) -> None:
        epochs, trains, vals, grads = self.trace
        n_layers = len(self.backprop.weight_grads)
        grad_rms = np.array(grads, dtype=np.float64).reshape(len(grads), n_layers)
        now = time.perf_counter()
        elapsed = now - self.started
        history = self.history
        if len(self.param_trace) == 0 or self.param_trace.last_x != epoch:
            self.param_trace.append(epoch, self.net._params)
        param_epochs, param_rows = self.param_trace.arrays()
        param_epochs = param_epochs.astype(np.int64)
        self.param_trace.clear()
        self.on_progress(ProgressReport(
            epoch=epoch,
            final_epoch=self.final_epoch,
            train_rmse=history.latest_rmse[0],
            val_rmse=history.latest_rmse[1],
            params=self.net.get_parameters(),
            epochs=np.array(epochs, dtype=np.int64),
            train_rmses=np.array(trains),
            val_rmses=np.array(vals),
            layer_grad_rms=grad_rms,
            elapsed_seconds=elapsed,
            epochs_per_second=(epoch - self.start_epoch) / elapsed if elapsed > 0 else 0.0,
            paused=paused,
            finished=finished,
            stop_reason=reason,
            message=history.message if finished else "",
            param_epochs=param_epochs,
            param_rows=param_rows,
        ))
        for trace in self.trace:
            trace.clear()
        self.last_report = now

    def layer_grad_rms(self) -> list[float]:
        """Root-mean-square gradient of each weight layer at the latest step."""
        lr = self.config.learning_rate  # the gradient buffer holds -lr times the gradient
        return [math.sqrt(float(np.vdot(g, g)) / g.size) / lr for g in self.backprop.weight_grads]

    def describe(self, reason: str, epoch: int, train_rmse: float) -> str:
        if reason == "diverged":
            return (
                f"Training diverged at epoch {epoch + 1}; try a lower learning rate "
                f"(it is {self.config.learning_rate:g}). The error grew until it could no longer be "
                f"computed, so the weights were put back to those after epoch {epoch}."
            )
        if reason == "target_reached":
            return f"Reached the target RMSE at epoch {epoch}."
        if reason == "stopped":
            return f"Stopped at epoch {epoch}."
        if self.config.epochs == 0:
            return f"Nothing to train: the number of epochs is 0, so the weights are unchanged (epoch {epoch})."
        return f"Finished at epoch {epoch}."
