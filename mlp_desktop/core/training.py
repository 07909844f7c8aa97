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

Engines (``TrainConfig.engine``): the step rules (SGD, Adam, RMSprop) run either here in NumPy
(``_Loop.run_epoch``) or in the compiled kernel of :mod:`~mlp_desktop.core.compiled`
(``_Loop.run_steps_compiled``), which takes the same steps in the same order with the same math
(equal to rounding). ``"auto"`` uses the kernel when numba is installed and the batches are small
enough for it to be faster (``compiled.faster_than_numpy``: per-sample and small mini-batches of
small networks), NumPy otherwise; the history's ``engine`` says which ran.
``dtype="float32"`` runs the NumPy path in single precision (the weights are stored back as float64).
"""

from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass, field, fields, replace
from typing import Callable

import numpy as np

from . import compiled
from .errors import DataError
from .settings import SETTINGS, as_number
from .history import History
from .losses import _ALIASES, CLASS_WEIGHTS, LOSS_NAMES, class_indices
from .network import MLP, Backprop, Workspace, _views, as_matrix
from .optimizers import (LR_DECAY_DEFAULTS, LR_SCHEDULES, OPTIMIZERS, Penalty,
                         learning_rate_at)
from .preprocessing import hold_out_rows
from .series import SnapshotBuffer


SCHEMA_CHECKED = ("epochs", "learning_rate", "batch_size", "momentum", "shuffle", "seed", "validation_fraction",
                  "target_rmse", "optimizer", "nesterov", "beta1", "beta2", "epsilon", "rho", "l2", "l1",
                  "early_stopping_patience", "min_delta", "lr_schedule", "lr_decay", "lr_step", "test_fraction",
                  "class_weight", "engine", "dtype")
"""TrainConfig fields whose allowed values the settings schema (core/settings.py) owns."""


@dataclass
class TrainConfig:
    """Settings of one training run (all checked on creation, with plain-words errors).

    Optimizer (see :mod:`~mlp_desktop.core.optimizers` for the update rules): ``optimizer`` is
    ``"sgd"`` (with ``momentum`` and ``nesterov``), ``"adam"`` (``beta1``, ``beta2``, ``epsilon``),
    ``"rmsprop"`` (``rho``, ``epsilon``), ``"lbfgs"`` or ``"lm"`` (Levenberg-Marquardt, mean squared
    error only). ``lbfgs`` and ``lm`` always use the full batch and no learning rate; settings of
    other optimizers are ignored.

    Regularization and stopping: the loss gains ``l2/2 * sum(w**2) + l1 * sum(|w|)`` over the
    weights (never the biases); reported RMSEs stay plain. ``early_stopping_patience`` epochs
    without the validation RMSE improving by more than ``min_delta`` (in the units of the RMSE
    ``train`` reports, like ``target_rmse``) stop the run and put back the weights of the best
    validation epoch (needs validation rows). ``test_fraction`` of the rows is held out of
    training and early stopping and scored only at the end.

    Learning rate: ``lr_schedule`` is ``"constant"``, ``"step"`` (times ``lr_decay`` every
    ``lr_step`` epochs), ``"exponential"`` (``learning_rate * lr_decay**epoch``) or
    ``"inverse_time"`` (``learning_rate / (1 + lr_decay * epoch)``), where ``epoch`` counts the
    epochs finished before (0 for the first). ``lr_decay=None`` takes the schedule's usual value
    (step 0.5, exponential 0.99, inverse_time 0.01).

    ``class_weight="balanced"`` weights each training row of class ``c`` by
    ``n_rows / (n_classes * n_rows_of_c)`` in the loss (class targets only).

    ``engine``: ``"auto"`` (the compiled kernel for SGD, Adam and RMSprop where it is faster, i.e.
    per-sample and small mini-batches of small networks, when numba is installed; else NumPy),
    ``"compiled"`` (the kernel for every batch size; an error without numba) or ``"numpy"``. ``dtype``:
    ``"float64"`` or ``"float32"`` (NumPy path only: full-batch and mini-batch runs of large data
    go faster; ignored by L-BFGS and Levenberg-Marquardt, which need float64).
    """

    epochs: int = 1000
    learning_rate: float = 0.01
    batch_size: int | None = None
    loss: str = "mse"
    momentum: float = 0.0
    shuffle: bool = False
    seed: int | None = None
    validation_fraction: float = 0.0
    target_rmse: float | None = None
    optimizer: str = "sgd"
    nesterov: bool = False
    beta1: float = 0.9
    beta2: float = 0.999
    epsilon: float = 1e-8
    rho: float = 0.9
    l2: float = 0.0
    l1: float = 0.0
    early_stopping_patience: int | None = None
    min_delta: float = 0.0
    lr_schedule: str = "constant"
    lr_decay: float | None = None
    lr_step: int = 100
    test_fraction: float = 0.0
    class_weight: str | None = None
    engine: str = "auto"
    dtype: str = "float64"

    def __post_init__(self):
        # The settings a user chooses are checked by their one owner, the settings schema.
        for name in SCHEMA_CHECKED:
            setattr(self, name, SETTINGS[name].check(getattr(self, name)))
        loss = _ALIASES.get(str(self.loss).lower(), str(self.loss).lower())
        if loss not in LOSS_NAMES:
            raise DataError(f"Unknown loss {self.loss!r}; choose 'mse' or 'cross_entropy'.")
        self.loss = loss
        self._check_cross_fields()

    def _check_cross_fields(self) -> None:
        """What one setting allows that depends on another (each value alone is the schema's)."""
        if self.loss not in OPTIMIZERS[self.optimizer].losses:
            raise DataError(
                "Levenberg-Marquardt works with the mean squared error loss only; choose another optimizer "
                "(Adam or L-BFGS) for cross-entropy, or use the mean squared error."
            )
        if self.optimizer == "sgd" and self.nesterov and self.momentum == 0:
            raise DataError("Nesterov momentum needs a momentum above 0 (0.9 is usual), or switch Nesterov off.")
        if self.validation_fraction + self.test_fraction >= 1.0:
            raise DataError(
                f"The validation ({self.validation_fraction:.0%}) and test ({self.test_fraction:.0%}) fractions "
                "together must leave rows to train on; make them smaller."
            )
        refused = engine_refusal(self.engine, self.optimizer, self.dtype)
        if refused:
            raise DataError(refused)
        if self.lr_decay is None:
            self.lr_decay = LR_DECAY_DEFAULTS.get(self.lr_schedule)
        elif self.lr_schedule in ("step", "exponential") and not 0.0 < self.lr_decay <= 1.0:
            raise DataError(f"With the {self.lr_schedule} schedule the learning-rate decay multiplies the rate, so it "
                            f"must be above 0 and at most 1 (e.g. 0.5); got {self.lr_decay:g}.")

    @classmethod
    def from_settings(cls, values: dict, **overrides) -> "TrainConfig":
        """The config that the settings-schema values in ``values`` ask for (other keys are ignored;
        ``loss`` is left to the caller, who resolves "auto" from the task), then ``overrides``."""
        own = {f.name for f in fields(cls)} - {"loss"}
        return cls(**{**{name: value for name, value in values.items() if name in own and name in SETTINGS},
                      **overrides})

    def learning_rate_at(self, epoch: int) -> float:
        """The learning rate of the epoch after ``epoch`` finished epochs (``epoch=0``: the first)."""
        return learning_rate_at(self, epoch)


_number = as_number


def _whole_number(value, what: str, minimum: int) -> int:
    number = _number(value, what)
    if number != int(number) or number < minimum:
        raise DataError(f"{what} must be a whole number of at least {minimum}; got {value!r}.")
    return int(number)


@dataclass(frozen=True)
class ProgressReport:
    """What ``train`` tells ``on_progress``: plain data, owned by the receiver.

    ``epochs``/``train_rmses``/``val_rmses``/``learning_rates`` hold every epoch finished since the
    previous report; ``learning_rate`` is the rate of the latest epoch (NaN for L-BFGS and
    Levenberg-Marquardt, which have none); ``params`` is a copy of the current parameters;
    ``param_epochs``/``param_rows`` are parameter snapshots since the previous report, evenly
    thinned to at most ``PARAM_ROWS_PER_REPORT`` rows (so live weight plots can draw smooth curves);
    ``layer_grad_rms`` holds, for each of ``epochs``, the root-mean-square gradient of each weight
    layer over all the epoch's steps (``(len(epochs), n_layers)``, to spot vanishing gradients).
    With validation rows, ``best_epoch``/``best_val_rmse`` are the best validation epoch so far;
    ``test_rmse`` is the RMSE on the test rows, given in the final report only. ``engine`` is the
    engine running the steps (``"numpy"`` or ``"compiled"``).
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
    learning_rate: float = math.nan
    learning_rates: np.ndarray = field(default_factory=lambda: np.zeros(0))
    best_epoch: int | None = None
    best_val_rmse: float = math.nan
    test_rmse: float = math.nan
    engine: str = "numpy"


    def followed_by(self, later: "ProgressReport", max_param_rows: int) -> "ProgressReport":
        """This report and a later one as one: traces joined, the later one's state kept.

        Parameter snapshots are thinned to at most ``max_param_rows`` (every other row, counted
        back from the latest, which is always kept), so a receiver that falls behind gets a
        bounded report.
        """
        param_epochs = np.concatenate([self.param_epochs, later.param_epochs])
        param_rows = np.concatenate([self.param_rows, later.param_rows]) if len(self.param_rows) else later.param_rows
        while len(param_epochs) > max_param_rows:
            param_epochs, param_rows = param_epochs[::-2][::-1], param_rows[::-2][::-1]
        return replace(
            later, epochs=np.concatenate([self.epochs, later.epochs]),
            train_rmses=np.concatenate([self.train_rmses, later.train_rmses]),
            val_rmses=np.concatenate([self.val_rmses, later.val_rmses]),
            layer_grad_rms=np.concatenate([self.layer_grad_rms, later.layer_grad_rms]),
            learning_rates=np.concatenate([self.learning_rates, later.learning_rates]),
            param_epochs=param_epochs, param_rows=param_rows)


    def __reduce__(self):
        # Sent to the window ~30 times a second; with the compiled engine one report can hold tens of
        # thousands of epochs, and a pipe that a busy GUI process empties slowly stalls the sender. The
        # epoch numbers (consecutive), a learning rate that did not change and validation RMSEs that do
        # not exist travel as one number each instead of one per epoch; receivers get the same arrays.
        values = {f.name: getattr(self, f.name) for f in fields(self)}
        for name in ("epochs", "val_rmses", "learning_rates"):
            values[name] = _packed(values[name])
        return _unpacked_report, (values,)


def _packed(values: np.ndarray):
    """``values`` as ``("range", first, n, dtype)``, ``("full", value, n, dtype)`` or itself (see __reduce__)."""
    n = len(values)
    if n > 1 and values.dtype.kind in "iu" and values[-1] - values[0] == n - 1 and (np.diff(values) == 1).all():
        return ("range", int(values[0]), n, values.dtype.str)
    if n > 1 and values.dtype.kind == "f":
        first = values[0]
        if (np.isnan(values).all() if first != first else (values == first).all()):
            return ("full", float(first), n, values.dtype.str)
    return values


def _unpacked(packed) -> np.ndarray:
    if isinstance(packed, tuple):
        kind, first, n, dtype = packed
        return (np.arange(first, first + n) if kind == "range" else np.full(n, first)).astype(dtype)
    return packed


def _unpacked_report(values: dict) -> ProgressReport:
    for name in ("epochs", "val_rmses", "learning_rates"):
        values[name] = _unpacked(values[name])
    return ProgressReport(**values)


PARAM_ROWS_PER_REPORT = 64
"""At most this many parameter snapshots travel with one progress report."""


@dataclass
class _Split:
    X: np.ndarray
    Y: np.ndarray
    X_val: np.ndarray | None
    Y_val: np.ndarray | None
    X_test: np.ndarray | None = None
    Y_test: np.ndarray | None = None


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


def split_test(X: np.ndarray, Y: np.ndarray, fraction: float, rng: np.random.Generator, stratify: bool
               ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """``(X, Y, X_test, Y_test)``: a random ``fraction`` of rows (at least one) held out for testing.

    With ``stratify`` and class targets (see :func:`~mlp_desktop.core.losses.class_indices`) each
    class gives about ``fraction`` of its rows. The remaining rows keep their order.
    """
    n = X.shape[0]
    labels = class_indices(Y) if stratify else None
    kept, held = hold_out_rows(rng, np.arange(n), fraction, labels)
    if kept.size == 0:
        raise DataError(f"There are too few rows ({n}) to hold {fraction:.0%} out for testing; "
                        "use more data or a smaller test fraction.")
    return X[kept], Y[kept], X[held], Y[held]


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
    test_data: tuple | None = None,
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
    test_data : ``(X_test, Y_test)`` to use instead of a random ``test_fraction`` split.
    history : a previous run's history to continue; epoch numbers carry on from its last epoch.

    Splits: without ``test_data``, ``config.test_fraction`` of the rows is held out first
    (stratified by class with the cross-entropy loss), then without ``validation_data``,
    ``config.validation_fraction`` (a share of all rows) of the rest. Callers that split rows
    themselves pass both as data and set both fractions to 0.

    Returns the :class:`History`. Divergence (an infinite or NaN error) is not an exception: the
    history's ``stop_reason`` is ``"diverged"``, its ``message`` says what to do, and the weights
    are put back to those of the last good epoch. Early stopping ends with ``"early_stopped"`` and
    the weights of ``history.best_epoch``.
    """
    config = config or TrainConfig()
    X = as_matrix(X, net.layer_sizes[0], "inputs")
    Y = as_matrix(Y, net.layer_sizes[-1], "targets")
    _check_rows(X, Y)
    backprop = Backprop(net, config.loss)
    rng = np.random.default_rng(config.seed)
    X_test = Y_test = None
    validation_fraction = config.validation_fraction
    if test_data is not None:
        X_test = as_matrix(test_data[0], net.layer_sizes[0], "test inputs")
        Y_test = as_matrix(test_data[1], net.layer_sizes[-1], "test targets")
        _check_rows(X_test, Y_test)
    elif config.test_fraction > 0:
        X, Y, X_test, Y_test = split_test(X, Y, config.test_fraction, rng, stratify=config.loss == "cross_entropy")
        validation_fraction /= 1.0 - config.test_fraction  # a share of all rows, as documented
    if validation_data is not None:
        X_val = as_matrix(validation_data[0], net.layer_sizes[0], "validation inputs")
        Y_val = as_matrix(validation_data[1], net.layer_sizes[-1], "validation targets")
        _check_rows(X_val, Y_val)
        data = _Split(X, Y, X_val, Y_val)
    else:
        data = split_validation(X, Y, validation_fraction, rng)
    data.X_test, data.Y_test = X_test, Y_test
    if config.early_stopping_patience is not None and data.X_val is None:
        raise DataError(
            "Early stopping watches the error on validation rows, and there are none: set a validation "
            "fraction above 0 (e.g. 0.15), or switch early stopping off."
        )
    sample_weights = _sample_weights(config, data.Y)
    optimizer = OPTIMIZERS[config.optimizer](config)
    optimizer.check_size(data.X.shape[0], net.layer_sizes[-1], net.n_parameters)
    if history is None:
        history = History(net.parameter_names())
    elif len(history.parameter_names) != net.n_parameters:
        raise DataError("The history to continue belongs to a network of another shape.")
    n_train = data.X.shape[0]
    batch = n_train if optimizer.drives_itself else min(config.batch_size or n_train, n_train)
    engine = choose_engine(config, batch, net.layer_sizes)
    single = config.dtype == "float32" and engine == "numpy" and not optimizer.drives_itself
    trained = _single_precision_copy(net) if single else net
    if single:
        backprop = _SinglePrecisionBackprop(trained, config.loss)
        data = _Split(*(None if part is None else part.astype(np.float32) for part in
                        (data.X, data.Y, data.X_val, data.Y_val, data.X_test, data.Y_test)))
    history.engine = engine

    before = net.get_parameters()
    try:
        loop = _Loop(trained, backprop, data, config, rng, history, on_progress, stop_event, pause_event,
                     progress_interval, progress_every, optimizer, sample_weights, engine)
        with np.errstate(all="ignore"):
            loop.run()
        if single:
            np.copyto(net._params, trained._params)
    except MemoryError:
        # Buffers grow with neurons x rows; a run that cannot get them leaves the weights as they were.
        net.set_parameters(before)
        raise DataError(
            f"There is not enough memory to train this network ({net.n_parameters:,} weights and biases) "
            f"on {data.X.shape[0]:,} rows; use fewer neurons or a smaller batch size. "
            "The weights are unchanged."
        ) from None
    return history


def choose_engine(config: TrainConfig, batch: int, layer_sizes) -> str:
    """``"compiled"`` or ``"numpy"``: which engine runs ``config`` with batches of ``batch`` rows on a
    network of ``layer_sizes`` (``"auto"``: the kernel where it is faster, ``compiled.faster_than_numpy``).

    ``engine="compiled"`` without numba (or where it cannot load) is a :class:`DataError` that
    says so; ``"auto"`` then quietly uses NumPy.
    """
    if config.engine == "numpy" or engine_refusal("compiled", config.optimizer, config.dtype):
        return "numpy"
    wanted = config.engine == "compiled" or compiled.faster_than_numpy(layer_sizes, batch)
    if not wanted:
        return "numpy"
    if compiled.available():
        try:
            compiled.kernel()
            return "compiled"
        except Exception:  # noqa: BLE001 - numba present but broken here: unavailable_reason() says how
            pass
    if config.engine == "compiled":
        raise DataError(f"The compiled engine is not available: {compiled.unavailable_reason()}. Set the engine to "
                        "Auto or NumPy to train with NumPy.")
    return "numpy"


def engine_refusal(engine: str, optimizer: str, dtype: str = "float64") -> str:
    """Why ``engine`` cannot train with ``optimizer`` in ``dtype``, in words; ``""`` when it can.

    The allowed combinations in one place (:func:`compiled.refusal` for the kernel; NumPy and Auto run
    everything but a full-batch method in float32, which computes in float64 and would ignore the
    choice without a word): ``TrainConfig`` refuses the others with this message, :func:`choose_engine`
    lets Auto use NumPy where the kernel cannot, and the parameter panel greys out the choices it
    refuses, with the message as the reason.
    """
    if engine == "compiled":
        refused = compiled.refusal(optimizer, dtype)
        if refused:
            return refused
    if dtype == "float32" and optimizer in OPTIMIZERS and OPTIMIZERS[optimizer].drives_itself:
        name = compiled.OPTIMIZER_NAMES.get(optimizer, optimizer)
        return f"{name} computes in float64 (a full-batch method in NumPy); choose float64."
    return ""


def _learning_rates(config: TrainConfig, first_epoch: int, count: int) -> np.ndarray:
    """``learning_rate_at(config, e)`` for ``count`` epochs from ``first_epoch``, as one array (the
    schedules are NumPy-ready formulas: the same values, without a Python call per epoch)."""
    epochs = np.arange(first_epoch, first_epoch + count, dtype=np.int64)
    rates = LR_SCHEDULES[config.lr_schedule](config.learning_rate, config.lr_decay, config.lr_step, epochs)
    return np.array(np.broadcast_to(rates, (count,)), dtype=np.float64)


def _single_precision_copy(net: MLP) -> MLP:
    """A network sharing ``net``'s settings whose parameters are a float32 copy."""
    shadow = MLP.__new__(MLP)
    shadow.__dict__.update(net.__dict__)
    shadow._params = net._params.astype(np.float32)
    shadow._weights, shadow._biases = _views(shadow._params, [W.shape for W in net._weights])
    return shadow


class _SinglePrecisionBackprop(Backprop):
    """Backprop whose inputs and buffers are float32, like its network's parameters.

    Full-batch training is the sum of its matrix products and element-wise passes, so halving the
    bytes per number roughly halves an epoch (benchmarks/train_speed.py measures it)."""

    @staticmethod
    def augment(X: np.ndarray) -> np.ndarray:
        out = np.ones((X.shape[0], X.shape[1] + 1), dtype=np.float32)
        out[:, :-1] = X
        return out

    def workspace(self, n_samples: int) -> Workspace:
        ws = super().workspace(n_samples)
        identity_output = ws.z is ws.a
        ws.augmented = [a.astype(np.float32) for a in ws.augmented]
        ws.a = [augmented[:-1] for augmented in ws.augmented]
        ws.z = ws.a if identity_output else ws.a[:-1] + [np.empty_like(ws.a[-1])]
        ws.tmp = [np.empty_like(a) for a in ws.a]
        ws.delta = [np.empty_like(a) for a in ws.a]
        return ws


def loss_and_gradient(net: MLP, X, Y, config: TrainConfig | None = None) -> tuple[float, np.ndarray]:
    """The objective ``train`` minimises with ``config`` on all of ``(X, Y)``, and its gradient.

    That is the loss (``config.loss``; with ``class_weight`` the weighted mean over rows) plus the
    ``l2``/``l1`` penalty on the weights, at the network's current parameters. The gradient is one
    vector in parameter order. No rows are split off.
    """
    config = config or TrainConfig()
    X = as_matrix(X, net.layer_sizes[0], "inputs")
    Y = as_matrix(Y, net.layer_sizes[-1], "targets")
    _check_rows(X, Y)
    backprop = Backprop(net, config.loss)
    weights = _sample_weights(config, Y)
    penalty = Penalty.for_network(net.layer_sizes, config.l2, config.l1)
    XT = backprop.augment(X).T
    return _objective(backprop, backprop.workspace(X.shape[0]), XT, Y, weights, penalty, net._params, True)


def _objective(bp: Backprop, ws, XT, Y, weights, penalty, params, with_gradient: bool):
    """Penalised, weighted loss at ``params`` (and its gradient, a new array, if asked)."""
    bp.forward(XT, ws)
    value = bp.loss.weighted_value(ws.z[-1].T, ws.a[-1].T, Y, weights)
    if penalty is not None:
        value += penalty.value(params)
    if not with_gradient:
        return value
    bp.residual(Y.T, ws)
    if weights is not None:
        ws.delta[-1] *= weights[None, :]
    bp.backward(XT, ws, 1.0)
    if penalty is not None:
        bp.grad += penalty.gradient(params)
    return value, bp.grad.copy()


def _sample_weights(config: TrainConfig, Y: np.ndarray) -> np.ndarray | None:
    if config.class_weight is None:
        return None
    classes = class_indices(Y)
    if classes is None:
        raise DataError(
            "Class weights need class targets (one 0/1 column per class, or a single 0/1 column); "
            "these targets are numbers. Switch class weights off for a numeric target."
        )
    return CLASS_WEIGHTS[config.class_weight](classes)


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
    """One training run's state; ``run_epoch`` is the measured hot loop.

    It is also the :class:`~mlp_desktop.core.optimizers.FullBatchProblem` that L-BFGS and
    Levenberg-Marquardt drive.
    """

    def __init__(self, net, backprop, data, config, rng, history, on_progress, stop_event, pause_event,
                 progress_interval, progress_every, optimizer, sample_weights, engine="numpy"):
        self.net, self.backprop, self.data, self.config, self.rng = net, backprop, data, config, rng
        self.engine = engine
        self.history, self.on_progress = history, on_progress
        self.stop_event, self.pause_event = stop_event, pause_event
        self.progress_interval, self.progress_every = progress_interval, progress_every
        self.optimizer = optimizer
        self.params = net._params
        self.penalty = Penalty.for_network(net.layer_sizes, config.l2, config.l1)
        self.sample_weights = sample_weights
        # weights as a (1, n_rows) row: slices of it scale the residual's columns
        self.weights_row = None if sample_weights is None else sample_weights[None, :]
        n_train = data.X.shape[0]
        self.batch = n_train if optimizer.drives_itself else min(config.batch_size or n_train, n_train)
        # The kernel takes inputs with a bias column of ones, neuron-major (see network.Workspace).
        self.X_augmented = backprop.augment(data.X)
        self.XT, self.YT = self.X_augmented.T, data.Y.T
        if data.X_val is not None:
            self.XT_val, self.YT_val = backprop.augment(data.X_val).T, data.Y_val.T
        self.full_ws = backprop.workspace(n_train)
        self.val_ws = backprop.workspace(data.X_val.shape[0]) if data.X_val is not None else None
        # Every buffer the epochs need, now: running out of memory is found before any step.
        for size in {self.batch, n_train % self.batch} - {0}:
            self.batch_ws(size)
        if not optimizer.drives_itself:
            optimizer.bind(self.params, backprop.grad)
        if history.optimizer_state and history.optimizer_state.get("optimizer") == optimizer.name:
            optimizer.restore(history.optimizer_state)  # a continued run goes on exactly
        if not optimizer.drives_itself:
            if self.penalty is None:
                self.step = optimizer.step
            else:
                self.penalty.bind(self.params, backprop.grad)
                add_penalty, apply = self.penalty.add, optimizer.step

                def step():
                    add_penalty()
                    apply()

                self.step = step
        self.jacobian_buffer = None
        self.learning_rate = math.nan
        self.grad_scale = 1.0
        # The epoch's gradient size (layer_grad_rms) is the mean over its steps: squared gradients
        # summed per weight by the NumPy steps (only while progress is reported: two array calls a
        # step), per layer by the compiled kernel (grad_sums[-1] counts its steps).
        tracking = on_progress is not None
        self.grad_squares = np.zeros_like(backprop.grad) if tracking else None
        self._square = np.empty_like(backprop.grad) if tracking else None
        self.square_views = _views(self.grad_squares, list(zip(net.layer_sizes[:-1], net.layer_sizes[1:])))[0] \
            if tracking else []
        self.grad_steps = 0
        self.grad_sums = np.zeros(len(net.layer_sizes) if tracking else 0)
        self.detail = ""
        # epochs, train RMSE, validation RMSE, gradient RMS per layer, learning rate
        self.trace: tuple[list, list, list, list, list] = ([], [], [], [], [])
        # the same, as arrays, for the epochs the compiled engine ran (record_epochs)
        self.trace_chunks: list[tuple[np.ndarray, ...]] = []
        # parameter snapshots between two reports, evenly thinned, always ending with the latest
        self.param_trace = SnapshotBuffer(net.n_parameters, PARAM_ROWS_PER_REPORT) if on_progress else None
        self.started = time.perf_counter()
        self.last_report = self.started
        self.start_epoch = history.last_epoch
        self.epoch = self.start_epoch
        self.final_epoch = self.start_epoch + config.epochs
        self.max_epochs = config.epochs
        self.best_epoch: int | None = None
        self.best_val = math.nan

    # -- measuring -----------------------------------------------------------------------------
    def evaluate(self) -> tuple[float, float]:
        """RMSE on the training and validation rows with the current weights.

        Leaves the training rows' forward pass and residual in ``full_ws``, which is exactly what
        the next full-batch step needs, so full-batch training does one forward pass per epoch.
        """
        bp, data = self.backprop, self.data
        bp.forward(self.XT, self.full_ws)
        bp.residual(self.YT, self.full_ws)
        train_rmse = math.sqrt(bp.sum_of_squares(self.full_ws) / data.Y.size)
        val_rmse = math.nan
        if self.val_ws is not None:
            bp.forward(self.XT_val, self.val_ws)
            bp.residual(self.YT_val, self.val_ws)
            val_rmse = math.sqrt(bp.sum_of_squares(self.val_ws) / self.YT_val.size)
        return train_rmse, val_rmse

    def test_rmse(self) -> float:
        """RMSE on the test rows with the current weights (NaN without test rows)."""
        data, bp = self.data, self.backprop
        if data.X_test is None or len(data.X_test) == 0:
            return math.nan
        ws = bp.workspace(data.X_test.shape[0])
        bp.forward(bp.augment(data.X_test).T, ws)
        bp.residual(data.Y_test.T, ws)
        return math.sqrt(bp.sum_of_squares(ws) / data.Y_test.size)

    # -- the loop ------------------------------------------------------------------------------
    def run(self) -> None:
        history, params = self.history, self.params
        # Until this run ends its history tells how the last run ended no more: a copy taken at a
        # pause (saved, or kept for an edit) holds the weights of its last epoch, like a stopped run.
        history.stop_reason, history.message, history.best_train_rmse = "stopped", "", math.nan
        train_rmse, val_rmse = self.evaluate()
        history.set_initial(train_rmse, val_rmse, params)
        self.last_good = params.copy()
        if self.val_ws is not None:
            # The weights before training compete too: a run that only got worse goes back to them.
            self.best_epoch, self.best_val, self.best_params = self.epoch, val_rmse, params.copy()
            self.since_best = 0
        if not math.isfinite(train_rmse):
            reason = "diverged"
        elif self.optimizer.drives_itself:
            reason, self.detail = self.optimizer.run(self)
        else:
            reason = self.run_steps()
        if reason == "early_stopped":
            np.copyto(params, self.best_params)
            # kept for a run that continues from these weights: it cuts the history back to the best
            # epoch, and a thinned record may have no row of it (History.cut_back)
            history.best_train_rmse = self.evaluate()[0]
        # Momenta after a divergence are garbage, and after an early stop they belong to later
        # weights than the ones put back: a continued run then starts its optimizer afresh.
        fresh = reason in ("diverged", "early_stopped")
        history.optimizer_state = None if fresh else self.optimizer.state()
        history.best_epoch, history.best_val_rmse = self.best_epoch, self.best_val
        history.test_rmse = self.test_rmse()
        history.stop_reason = reason
        history.message = self.describe(reason, self.epoch)
        elapsed = time.perf_counter() - self.started
        history.elapsed_seconds += elapsed
        if self.on_progress is not None:
            self.report(self.epoch, finished=True, reason=reason)

    def run_steps(self) -> str:
        """Epochs of a step rule (SGD, Adam, RMSprop) until done; return the stop reason."""
        if self.engine == "compiled":
            return self.run_steps_compiled()
        config, optimizer, penalty, params = self.config, self.optimizer, self.penalty, self.params
        while self.epoch < self.final_epoch:
            if self.stop_event is not None and self.stop_event.is_set():
                return "stopped"
            self.learning_rate = learning_rate_at(config, self.epoch)
            optimizer.set_learning_rate(self.learning_rate)
            self.grad_scale = optimizer.gradient_scale
            if penalty is not None:
                penalty.set_scale(self.grad_scale)
            if self.run_epoch(params) == 0:
                return "stopped"
            reason = self.end_epoch()
            if reason is not None:
                return reason
        return "completed"

    # -- the compiled engine ------------------------------------------------------------------
    CALL_SECONDS = 0.01
    """How long one kernel call should take: stop and pause are checked between calls, so a stop
    is answered within about this (plus one epoch's measurement), far inside 50 ms."""
    OUTPUT_FLOATS = 1 << 18
    """The per-call record of epochs (RMSEs and parameters of each) holds at most this many numbers."""

    def run_steps_compiled(self) -> str:
        """:meth:`run_steps` in the compiled kernel: the same steps, epochs and stop reasons.

        The kernel runs the steps and the end of each epoch (RMSEs, divergence, best validation
        epoch, early stopping, target) for a bounded number of rows per call, on the very arrays
        the NumPy path uses (the network's parameters, the gradient buffer, the optimizer's
        momenta), then the epochs it finished are recorded here in one go.
        """
        config, optimizer, params, data = self.config, self.optimizer, self.params, self.data
        run = compiled.kernel()
        n, n_params = data.X.shape[0], params.size
        n_layers = len(self.net.layer_sizes) - 1
        has_val = data.X_val is not None
        n_val = data.X_val.shape[0] if has_val else 0
        measure = n + n_val <= compiled.MEASURE_ROWS  # else NumPy measures each epoch (end_epoch)
        joined = has_val and measure  # the kernel measures: training rows first, then the validation rows
        # C-contiguous float64 always: another layout would be another specialization to compile
        X = np.ascontiguousarray(np.concatenate([data.X, data.X_val]) if joined else data.X, dtype=np.float64)
        Y = np.ascontiguousarray(np.concatenate([data.Y, data.Y_val]) if joined else data.Y, dtype=np.float64)
        weights = np.ascontiguousarray(self.sample_weights if self.sample_weights is not None else np.zeros(0),
                                       dtype=np.float64)
        sizes = np.array(self.net.layer_sizes, dtype=np.int64)
        acts = np.array([compiled.ACTIVATION_CODES[a] for a in self.net.activations], dtype=np.int64)
        hyper = np.zeros(compiled.HYPER_SIZE)
        hyper[compiled.H_MOMENTUM] = getattr(optimizer, "momentum", 0.0)
        hyper[compiled.H_NESTEROV] = float(getattr(optimizer, "nesterov", False))
        hyper[compiled.H_BETA1], hyper[compiled.H_BETA2] = config.beta1, config.beta2
        hyper[compiled.H_EPSILON], hyper[compiled.H_RHO] = config.epsilon, config.rho
        hyper[compiled.H_L2], hyper[compiled.H_L1] = config.l2, config.l1
        hyper[compiled.H_TARGET] = -1.0 if config.target_rmse is None else config.target_rmse
        hyper[compiled.H_MIN_DELTA] = config.min_delta
        patience = config.early_stopping_patience
        hyper[compiled.H_PATIENCE] = -1.0 if patience is None else float(patience)
        opt_code = compiled.OPTIMIZER_CODES[optimizer.name]
        spare = np.zeros(n_params)
        state_a = {"sgd": getattr(optimizer, "velocity", spare), "adam": getattr(optimizer, "m", None),
                   "rmsprop": getattr(optimizer, "v", None)}[optimizer.name]
        state_b = optimizer.v if optimizer.name == "adam" else spare
        powers = np.array([getattr(optimizer, "beta1_power", 1.0), getattr(optimizer, "beta2_power", 1.0)])
        best = np.array([self.best_val, float(self.best_epoch or 0), float(getattr(self, "since_best", 0))])
        best_params = self.best_params if has_val else np.zeros(n_params)
        max_epochs = max(1, self.OUTPUT_FLOATS // (n_params + 2))
        out_rows, out_grads = np.empty((max_epochs, n_params + 2)), np.empty((max_epochs, n_layers))
        rows_per_epoch = n + n_val
        budget = 256  # rows in the first call; then about CALL_SECONDS of them, as measured
        orders: list[np.ndarray] = []  # drawn for epochs not finished yet, in the NumPy path's order
        position = 0
        while self.epoch < self.final_epoch:
            if self.stop_event is not None and self.stop_event.is_set():
                # Stopped inside an epoch: the NumPy path counts the epoch's steps so far as an epoch.
                return self.end_epoch() or "stopped" if position else "stopped"
            if self.pause_event is not None and self.pause_event.is_set():
                self.wait_while_paused()
                continue
            count = min(self.final_epoch - self.epoch, max_epochs, max(1, budget // rows_per_epoch + 1))
            if not measure:
                count = 1
            if self.progress_every is not None:
                count = min(count, self.progress_every - self.epoch % self.progress_every)
            rates = _learning_rates(config, self.epoch, count)
            scales = -rates if optimizer.name == "sgd" else np.ones(count)
            if config.shuffle:
                while len(orders) < count:
                    orders.append(self.rng.permutation(n))
                order = np.array(orders[:count], dtype=np.int64)
            else:
                order = np.zeros((0, n), dtype=np.int64)
            started = time.perf_counter()
            finished, position, code, done = run(
                params, self.backprop.grad, X, Y, n, weights, order, sizes, acts,
                compiled.LOSS_CODES[config.loss], opt_code, hyper, state_a, state_b, powers, rates, scales,
                self.batch, position, budget, int(measure), self.last_good, best_params, best, self.epoch,
                out_rows, out_grads, self.grad_sums)
            seconds = time.perf_counter() - started
            if seconds > 0:  # the next call takes about CALL_SECONDS
                budget = int(min(max(done / seconds * self.CALL_SECONDS, 64), 1 << 30))
            del orders[:finished]
            current = min(finished, count - 1)
            self.learning_rate, self.grad_scale = float(rates[current]), float(scales[current])
            optimizer.set_learning_rate(self.learning_rate)
            if optimizer.name == "adam":
                optimizer.beta1_power, optimizer.beta2_power = float(powers[0]), float(powers[1])
            if has_val and measure:
                self.best_val, self.best_epoch, self.since_best = float(best[0]), int(best[1]), int(best[2])
            if finished:
                self.record_epochs(out_rows[:finished], out_grads[:finished], rates[:finished])
            if not measure and position == n:  # the epoch's steps are done: NumPy measures and records it
                position = 0
                del orders[:1]
                reason = self.end_epoch()
                if reason is not None:
                    return reason
                continue
            if code == compiled.DIVERGED:
                return "diverged"
            if code == compiled.TARGET_REACHED:
                return "target_reached"
            if code == compiled.EARLY_STOPPED:
                return "early_stopped"
        return "completed"

    def record_epochs(self, rows: np.ndarray, grad_rms: np.ndarray, rates: np.ndarray) -> None:
        """Record epochs the kernel finished: ``rows[e] = [train RMSE, validation RMSE, *params]``."""
        count = len(rows)
        epochs = np.arange(self.epoch + 1, self.epoch + count + 1, dtype=np.float64)
        self.history.extend(epochs, rows, rates, grad_rms)
        self.epoch += count
        if self.on_progress is None:
            return
        self.trace_chunks.append((epochs.astype(np.int64), rows[:, 0].copy(), rows[:, 1].copy(), grad_rms.copy(),
                                  rates.copy()))
        self.param_trace.extend(epochs, rows[:, 2:])
        due = self.progress_every is not None and self.epoch % self.progress_every == 0
        if not due and self.progress_interval is not None:
            due = time.perf_counter() - self.last_report >= self.progress_interval
        if due:
            self.report(self.epoch)

    def end_epoch(self) -> str | None:
        """Measure and record the epoch just run; return a reason to stop, or None to go on."""
        params = self.params
        self.epoch += 1
        epoch = self.epoch
        train_rmse, val_rmse = self.evaluate()
        if not (math.isfinite(train_rmse) and np.isfinite(params).all()):
            np.copyto(params, self.last_good)
            self.epoch -= 1
            return "diverged"
        np.copyto(self.last_good, params)
        # the epoch's mean gradient size, while progress is reported (what the Gradients plot shows)
        grads = self.layer_grad_rms() if self.on_progress is not None else None
        self.history.append(epoch, train_rmse, val_rmse, params, self.learning_rate, grads)
        stop_early = False
        if self.val_ws is not None:
            if val_rmse < self.best_val - self.config.min_delta:
                self.best_epoch, self.best_val = epoch, val_rmse
                np.copyto(self.best_params, params)
                self.since_best = 0
            else:
                self.since_best += 1
                patience = self.config.early_stopping_patience
                stop_early = patience is not None and self.since_best >= patience
        if self.on_progress is not None:
            self.note_epoch(epoch, train_rmse, val_rmse, grads)
        if self.config.target_rmse is not None and train_rmse <= self.config.target_rmse:
            return "target_reached"
        if stop_early:
            return "early_stopped"
        if self.stop_event is not None and self.stop_event.is_set():
            return "stopped"
        return None

    def run_epoch(self, params: np.ndarray) -> int:
        """Run one epoch of steps; return how many ran (fewer if stopped).

        This is the measured hot loop: per-sample training spends its time in the Python overhead
        of each step, so the mini-batch loop is written out here and the update is one bound call.
        """
        bp, scale, step = self.backprop, self.grad_scale, self.step
        X, Y = self.X_augmented, self.data.Y
        weights = self.weights_row
        n, batch = X.shape[0], self.batch
        if batch == n:  # full batch: evaluate() already did this epoch's forward pass
            self.wait_while_paused()
            if weights is not None:
                self.full_ws.delta[-1] *= weights
            bp.backward(self.XT, self.full_ws, scale)
            step()
            if self.grad_squares is not None:
                self.grad_squares += bp.grad * bp.grad
            self.grad_steps += 1
            return 1
        order = self.rng.permutation(n) if self.config.shuffle else None
        ws_full = self.batch_ws(batch)
        stop, pause = self.stop_event, self.pause_event
        forward, residual, backward = bp.forward, bp.residual, bp.backward
        grad, squares, square = bp.grad, self.grad_squares, self._square
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
                if weights is not None:
                    wT = weights[:, first:last]
            elif batch == 1:
                row = order[first]
                xT, yT = X[row:row + 1].T, Y[row:row + 1].T
                if weights is not None:
                    wT = weights[:, row:row + 1]
            else:
                rows = order[first:last]
                xT, yT = X.take(rows, axis=0).T, Y.take(rows, axis=0).T
                if weights is not None:
                    wT = weights.take(rows, axis=1)
            forward(xT, ws)
            residual(yT, ws)
            if weights is not None:
                ws.delta[-1] *= wT
            backward(xT, ws, scale)
            step()
            if squares is not None:  # the epoch's gradient size (layer_grad_rms)
                np.multiply(grad, grad, out=square)
                squares += square
            steps += 1
        self.grad_steps += steps
        return steps

    def batch_ws(self, size: int):
        cache = self.__dict__.setdefault("_workspaces", {})
        if size not in cache:
            cache[size] = self.full_ws if size == self.data.X.shape[0] else self.backprop.workspace(size)
        return cache[size]

    # -- what full-batch methods call (optimizers.FullBatchProblem) -------------------------------
    def objective(self, x: np.ndarray) -> float:
        """The penalised, class-weighted loss at parameters ``x`` (left in the network)."""
        np.copyto(self.params, x)
        return _objective(self.backprop, self.full_ws, self.XT, self.data.Y, self.sample_weights, self.penalty,
                          self.params, False)

    def loss_and_gradient(self, x: np.ndarray) -> tuple[float, np.ndarray]:
        np.copyto(self.params, x)
        return _objective(self.backprop, self.full_ws, self.XT, self.data.Y, self.sample_weights, self.penalty,
                          self.params, True)

    def residuals_and_jacobian(self) -> tuple[np.ndarray, np.ndarray, float]:
        bp, ws = self.backprop, self.full_ws
        n, k = self.data.Y.shape
        bp.forward(self.XT, ws)
        residuals = (ws.a[-1] - self.YT).T.reshape(-1)  # row by row, the outputs of a row together
        if self.jacobian_buffer is None:
            self.jacobian_buffer = np.empty((n, k, self.net.n_parameters))
        jacobian = bp.jacobian(self.XT, ws, self.jacobian_buffer).reshape(n * k, -1)
        if self.sample_weights is not None:
            root = np.repeat(np.sqrt(self.sample_weights), k)
            residuals *= root
            jacobian *= root[:, None]
        return residuals, jacobian, n * k / 2.0

    def set_gradient(self, gradient: np.ndarray) -> None:
        np.copyto(self.backprop.grad, gradient)

    def stop_requested(self) -> bool:
        return self.stop_event is not None and self.stop_event.is_set()

    # -- pausing and reporting -----------------------------------------------------------------
    def wait_while_paused(self) -> None:
        pause = self.pause_event
        if pause is None or not pause.is_set():
            return
        # the history as of the pause (sent with the paused report) marks this run's best epoch so far
        self.history.best_epoch, self.history.best_val_rmse = self.best_epoch, self.best_val
        if self.on_progress is not None:
            self.report(self.history.last_epoch, paused=True)
        # A Resume and a new Pause can both come within one wait: a flag that counts its pauses
        # (SharedFlag.times_set) lets the new pause be reported too, so its receiver is not left waiting.
        times_set = getattr(pause, "times_set", lambda: 0)
        seen = times_set()
        waiter = self.stop_event or threading.Event()
        while pause.is_set() and not waiter.is_set():
            waiter.wait(0.05)
            if times_set() != seen and pause.is_set() and self.on_progress is not None:
                seen = times_set()
                self.report(self.history.last_epoch, paused=True)

    def note_epoch(self, epoch: int, train_rmse: float, val_rmse: float, grad_rms: list[float]) -> None:
        epochs, trains, vals, grads, rates = self.trace
        epochs.append(epoch)
        trains.append(train_rmse)
        vals.append(val_rmse)
        grads.append(grad_rms)
        rates.append(self.learning_rate)
        self.param_trace.append(epoch, self.net._params)
        due = self.progress_every is not None and epoch % self.progress_every == 0
        if not due and self.progress_interval is not None:
            due = time.perf_counter() - self.last_report >= self.progress_interval
        if due:
            self.report(epoch)

    def report(self, epoch: int, paused=False, finished=False, reason=None) -> None:
        epochs, trains, vals, grads, rates = self.trace
        n_layers = len(self.backprop.weight_grads)
        grad_rms = np.array(grads, dtype=np.float64).reshape(len(grads), n_layers)
        epochs, trains, vals, rates = (np.array(epochs, dtype=np.int64), np.array(trains, dtype=np.float64),
                                       np.array(vals, dtype=np.float64), np.array(rates, dtype=np.float64))
        if self.trace_chunks:  # the compiled engine's epochs (arrays), then any the NumPy path ended
            chunks = list(zip(*self.trace_chunks))
            epochs, trains, vals, grad_rms, rates = (np.concatenate([*chunk, last]) for chunk, last in
                                                     zip(chunks, (epochs, trains, vals, grad_rms, rates)))
            self.trace_chunks.clear()
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
            params=np.array(self.params, dtype=np.float64),
            epochs=epochs,
            train_rmses=trains,
            val_rmses=vals,
            layer_grad_rms=grad_rms,
            elapsed_seconds=elapsed,
            epochs_per_second=(epoch - self.start_epoch) / elapsed if elapsed > 0 else 0.0,
            paused=paused,
            finished=finished,
            stop_reason=reason,
            message=history.message if finished else "",
            param_epochs=param_epochs,
            param_rows=param_rows,
            learning_rate=self.learning_rate,
            learning_rates=rates,
            best_epoch=self.best_epoch,
            best_val_rmse=self.best_val,
            test_rmse=history.test_rmse if finished else math.nan,
            engine=self.engine,
        ))
        for trace in self.trace:
            trace.clear()
        self.last_report = now

    def layer_grad_rms(self) -> list[float]:
        """Each weight layer's root-mean-square gradient over all the steps of the epoch just ended
        (one step's would make a per-sample run look like vanishing gradients when it is not);
        then the sums start again for the next epoch. Called only while progress is reported.

        The sums come from this loop's steps (``grad_squares``, per weight) and the compiled
        kernel's (``grad_sums``, per layer); without steps, the latest gradient (L-BFGS,
        Levenberg-Marquardt)."""
        scale = abs(self.grad_scale) or 1.0  # the gradient buffer holds the gradient times this
        steps = self.grad_steps + self.grad_sums[-1]
        sizes = []
        for k, g in enumerate(self.backprop.weight_grads):
            total = self.grad_sums[k] + float(self.square_views[k].sum()) if steps else float(np.vdot(g, g))
            sizes.append(math.sqrt(total / (g.size * max(steps, 1))) / scale)
        self.grad_sums[:] = 0.0
        self.grad_squares[:] = 0.0
        self.grad_steps = 0
        return sizes

    def describe(self, reason: str, epoch: int) -> str:
        # Epochs as the status bar writes them ("epoch 2,886,576"), not "Stopped at epoch 2886576."
        if reason == "diverged":
            if self.optimizer.drives_itself:
                return (f"Training diverged at epoch {epoch + 1:,}: the error could no longer be computed, so the "
                        f"weights were put back to those after epoch {epoch:,}. Scale the inputs, or try Adam.")
            return (
                f"Training diverged at epoch {epoch + 1:,}; try a lower learning rate "
                f"(it is {self.learning_rate:g}). The error grew until it could no longer be "
                f"computed, so the weights were put back to those after epoch {epoch:,}."
            )
        if reason == "target_reached":
            return f"Reached the target RMSE at epoch {epoch:,}."
        if reason == "early_stopped":
            return (f"Stopped early at epoch {epoch:,}: the validation RMSE had not improved for "
                    f"{self.config.early_stopping_patience:,} epochs, so the weights were put back to those of "
                    f"epoch {self.best_epoch:,}, the best on the validation rows (best epoch {self.best_epoch:,}).")
        if reason == "converged":
            return f"Converged at epoch {epoch:,}: {self.detail}."
        if reason == "stopped":
            return f"Stopped at epoch {epoch:,}."
        if self.config.epochs == 0:
            return f"Nothing to train: the number of epochs is 0, so the weights are unchanged (epoch {epoch:,})."
        return f"Finished at epoch {epoch:,}."
