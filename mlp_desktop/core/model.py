"""A trained model: column names and roles, preprocessing, the network, settings and metrics.

``fit_model`` goes from a :class:`~mlp_desktop.core.data.Dataset` to a :class:`Model`;
``Model.predict`` answers in the user's units; ``Model.save`` / :func:`load_model` keep it as
human-readable, versioned JSON whose floats round-trip exactly.
"""

from __future__ import annotations

import copy
import json
import math
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Callable, Mapping

import numpy as np

from .. import __version__
from . import metrics
from .activations import ACTIVATIONS
from .errors import DataError
from .fileio import write_text_atomic
from .history import History
from .lazy import pd
from .network import MLP, _check_layer_sizes
from .preprocessing import Preprocessor, fit_preprocessor, split_rows_three
from .training import TrainConfig, train

MODEL_FORMAT = "mlp-desktop-model"
MODEL_VERSION = 3
"""2: the training settings name the optimizer, penalties, stopping, schedule, test share and class
weight, and the metrics may hold the test split (version 1 files are migrated: they trained with
plain SGD and none of these). 3: the training settings name the engine asked for and the precision
(``engine``, ``dtype``) and which engine ran (``engine_used``: ``"numpy"`` or ``"compiled"``);
version 2 files are migrated as NumPy float64 runs, which they were. Since version 3 a model may also
keep each number input's training range (``preprocessing.input_ranges``, optional: a file without it
reads as a model that knows no ranges, and an older app ignores it)."""


@dataclass
class NetworkSpec:
    """The network a user asks for; the input and output sizes follow the data.

    ``activations`` is one name for every hidden layer or one per hidden layer;
    ``output_activation`` and ``loss`` may be ``"auto"``: softmax with cross-entropy for classes,
    identity with mean squared error for numbers.
    """

    hidden_layers: list[int] = field(default_factory=lambda: [8])
    activations: list[str] | str = "tanh"
    output_activation: str = "auto"
    loss: str = "auto"
    init: str = "xavier"
    init_range: tuple[float, float] = (-1.0, 1.0)
    init_std: float = 0.1
    bias_init: str = "zeros"

    def hidden_activations(self) -> list[str]:
        names = [self.activations] if isinstance(self.activations, str) else list(self.activations)
        if len(names) == 1:
            return names * len(self.hidden_layers)
        if len(names) != len(self.hidden_layers):
            raise DataError(
                f"Give one activation for all hidden layers or one per hidden layer: "
                f"{len(self.hidden_layers)} hidden layers, {len(names)} activations."
            )
        return names

    def resolved_output(self, task: str) -> str:
        if self.output_activation != "auto":
            return self.output_activation
        return "softmax" if task == "classification" else "identity"

    def resolved_loss(self, task: str) -> str:
        if self.loss != "auto":
            return self.loss.replace("-", "_")
        output = self.resolved_output(task)
        return "cross_entropy" if task == "classification" and output in ("softmax", "sigmoid") else "mse"


def output_size(preprocessor: Preprocessor) -> int:
    return preprocessor.n_outputs


def build_network(spec: NetworkSpec, preprocessor: Preprocessor, seed: int | None) -> MLP:
    sizes = [preprocessor.n_inputs, *spec.hidden_layers, preprocessor.n_outputs]
    activations = [*spec.hidden_activations(), preprocessor.output_activation]
    return MLP(sizes, activations, init=spec.init, init_range=spec.init_range, init_std=spec.init_std,
               bias_init=spec.bias_init, seed=seed)


@dataclass
class Model:
    """A network together with what it needs to read user rows and answer in user units."""

    preprocessor: Preprocessor
    net: MLP
    loss: str = "mse"
    training: dict = field(default_factory=dict)
    metrics: dict = field(default_factory=dict)

    @property
    def inputs(self) -> list[str]:
        return self.preprocessor.inputs

    @property
    def targets(self) -> list[str]:
        return self.preprocessor.targets

    @property
    def task(self) -> str:
        return self.preprocessor.task

    # -- predicting ----------------------------------------------------------------------------
    def raw_outputs(self, frame: pd.DataFrame) -> np.ndarray:
        """The network's outputs for user rows, before turning them back into user units."""
        with np.errstate(over="ignore", invalid="ignore"):
            return self.net.forward(self.preprocessor.transform_inputs(frame))

    def predict(self, frame: pd.DataFrame) -> pd.DataFrame:
        """Predictions for user rows, in the user's units.

        Regression: one column ``predicted_<target>`` per target. Classification: the predicted
        label ``predicted_<target>`` and one ``probability_<class>`` column per class.
        """
        return pd.DataFrame(self.predict_columns(frame), index=frame.index)

    def predict_columns(self, rows: pd.DataFrame | Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
        """:meth:`predict`'s columns as arrays, for a frame or column arrays (the prediction form's
        row: number inputs need no pandas)."""
        outputs = self.raw_outputs(rows)
        pre = self.preprocessor
        if pre.task == "regression":
            values = pre.inverse_targets(outputs)
            return {f"predicted_{t}": values[:, i] for i, t in enumerate(pre.targets)}
        result = {f"predicted_{pre.targets[0]}": pre.labels(outputs)}
        probabilities = pre.probabilities(outputs)
        for i, label in enumerate(pre.classes):
            result[f"probability_{label}"] = probabilities[:, i]
        return result

    def evaluate(self, frame: pd.DataFrame) -> dict:
        """Metrics on rows that hold the targets: RMSE, MAE and R^2, or accuracy and the confusion matrix."""
        return evaluate_outputs(self.preprocessor, self.raw_outputs(frame), frame)

    # -- saving --------------------------------------------------------------------------------
    def to_dict(self) -> dict:
        """The model as plain JSON-ready data (a copy: changing it leaves the model alone)."""
        return copy.deepcopy({
            "format": MODEL_FORMAT,
            "version": MODEL_VERSION,
            "created_with": f"mlp-desktop {__version__}",
            "network": {
                "layer_sizes": list(self.net.layer_sizes),
                "activations": list(self.net.activations),
                "parameter_names": self.net.parameter_names(),
                "weights": [w.tolist() for w in self.net.weights],
                "biases": [b.tolist() for b in self.net.biases],
            },
            "loss": self.loss,
            "preprocessing": self.preprocessor.to_dict(),
            "training": self.training,
            "metrics": self.metrics,
        })

    def save(self, path) -> None:
        """Write the model as JSON (atomically: an existing file survives a failed save)."""
        text = json.dumps(_finite_or_none(self.to_dict()), indent=1, allow_nan=False)
        write_text_atomic(path, text + "\n")

    @classmethod
    def from_dict(cls, data: dict, source: str = "the model") -> "Model":
        if not isinstance(data, dict) or data.get("format") != MODEL_FORMAT:
            raise DataError(f"{source} is not an MLP Desktop model file.")
        version = data.get("version")
        if not isinstance(version, int) or version < 1:
            raise DataError(f"{source} has no valid format version.")
        if version > MODEL_VERSION:
            raise DataError(f"{source} was saved by a newer MLP Desktop (model format {version}); "
                            f"this version reads up to format {MODEL_VERSION}. Please update the app.")
        data = migrate_model(data)
        try:
            network = data["network"]
            sizes = _check_layer_sizes(network["layer_sizes"])
            # Shapes are checked against the file's own arrays before the network is built, so
            # a damaged size (say 10**12 neurons) is an error, not an attempt to allocate it.
            weights = _float_arrays(network["weights"], [(a, b) for a, b in zip(sizes[:-1], sizes[1:])], "weights")
            biases = _float_arrays(network["biases"], [(b,) for b in sizes[1:]], "biases")
            net = MLP(sizes, network["activations"], seed=0)
            net.weights, net.biases = weights, biases
            preprocessor = Preprocessor.from_dict(data["preprocessing"])
            _check_preprocessor(preprocessor)
            loss = data.get("loss", "mse")
            training, scores = data.get("training", {}), data.get("metrics", {})
            if not isinstance(loss, str):
                raise DataError("its loss is not a name")
            if not (isinstance(training, dict) and isinstance(scores, dict)):
                raise DataError("its training settings or metrics are not sets of named values")
            _check_fit(preprocessor, net, loss)
            model = cls(preprocessor, net, loss, training, scores)
            n_inputs, n_outputs = preprocessor.n_inputs, preprocessor.n_outputs
        except DataError as error:
            raise DataError(f"{source} is damaged: {_sentence(error)}") from None
        except (KeyError, TypeError, ValueError, AttributeError, ArithmeticError, IndexError) as error:
            raise DataError(f"{source} is damaged or incomplete ({type(error).__name__}: {error}).") from None
        if n_inputs != net.layer_sizes[0] or n_outputs != net.layer_sizes[-1]:
            raise DataError(f"{source} is damaged: its columns do not match its network's size.")
        return model


def migrate_model(data: dict) -> dict:
    """A model file's contents brought up to :data:`MODEL_VERSION` (a new dict; the input is kept)."""
    data = copy.deepcopy(data)
    while data["version"] < MODEL_VERSION:
        data = _MODEL_MIGRATIONS[data["version"]](data)
    return data


def _model_1_to_2(data: dict) -> dict:
    """Version 1 models were trained by plain SGD with no penalty, stopping rule, schedule or test split:
    say so in their training settings, as version 2 files do."""
    training = data.get("training")
    if isinstance(training, dict):
        engine_defaults = asdict(TrainConfig())
        for name in ("optimizer", "nesterov", "l2", "l1", "early_stopping_patience", "min_delta", "lr_schedule",
                     "lr_decay", "lr_step", "test_fraction", "class_weight"):
            training.setdefault(name, engine_defaults[name])
    data["version"] = 2
    return data


def _model_2_to_3(data: dict) -> dict:
    """Version 2 models were trained by the NumPy path in float64: say so, as version 3 files do."""
    training = data.get("training")
    if isinstance(training, dict):
        training.setdefault("engine", "numpy")
        training.setdefault("dtype", "float64")
        training.setdefault("engine_used", "numpy")
    data["version"] = 3
    return data


_MODEL_MIGRATIONS = {1: _model_1_to_2, 2: _model_2_to_3}


MAX_MODEL_BYTES = 1 << 30
"""A model file larger than this is refused before reading (the largest network allowed, saved as
JSON, is far smaller)."""


def load_model(path) -> Model:
    """Read a model saved by :meth:`Model.save`, with a clear error for a damaged or newer file."""
    path = Path(path)
    try:
        return _load_model(path)
    except MemoryError:
        raise DataError(f"{path.name} is too large to read in the memory available: it is damaged, or not a "
                        f"model file.") from None


def _load_model(path: Path) -> Model:
    try:
        if path.stat().st_size > MAX_MODEL_BYTES:
            raise DataError(f"{path.name} is not a valid model file: it is larger than any model "
                            f"({path.stat().st_size / 2**30:.1f} GiB).")
        text = path.read_text(encoding="utf-8-sig")  # a byte-order mark from a text editor is fine
    except FileNotFoundError:
        raise DataError(f"The model file {path} does not exist.") from None
    except UnicodeDecodeError:
        raise DataError(f"{path.name} is not a valid model file (it is not UTF-8 text).") from None
    except OSError as error:
        raise DataError(f"Cannot read the model file {path.name}: {error.strerror or error}.") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise DataError(f"{path.name} is not a valid model file (broken JSON at line {error.lineno}).") from None
    except (ValueError, RecursionError):  # a number with thousands of digits, or absurdly deep nesting
        raise DataError(f"{path.name} is not a valid model file (its JSON cannot be read).") from None
    return Model.from_dict(data, path.name)


def _sentence(error: Exception) -> str:
    """An error's message to follow "... is damaged: ", as one sentence."""
    text = str(error).rstrip(".")
    return (text[:1].lower() + text[1:] if text[:2] != text[:2].upper() else text) + "."


def _float_arrays(values, shapes: list[tuple], what: str) -> list[np.ndarray]:
    """``values`` (nested lists from JSON) as finite float arrays of exactly ``shapes``."""
    if not isinstance(values, list) or len(values) != len(shapes):
        raise DataError(f"it needs {len(shapes)} arrays of {what}")
    arrays = []
    for k, (value, shape) in enumerate(zip(values, shapes), start=1):
        try:
            array = np.asarray(value, dtype=np.float64)
        except (TypeError, ValueError, OverflowError):
            raise DataError(f"its {what} of layer {k} are not a table of numbers") from None
        if array.shape != shape:
            raise DataError(f"its {what} of layer {k} have shape {array.shape}, expected {shape}")
        if not np.isfinite(array).all():
            raise DataError(f"its {what} of layer {k} hold missing or infinite values")
        arrays.append(array)
    return arrays


def _names(value, what: str, allow_empty: bool = False) -> list[str]:
    if not (isinstance(value, list) and all(isinstance(v, str) for v in value) and (value or allow_empty)):
        raise DataError(f"its {what} are not a list of column names")
    if len(set(value)) != len(value):
        raise DataError(f"its {what} name a column twice")
    return value


def _finite_vector(value, size: int, what: str, nonzero: bool = False) -> None:
    if value.ndim != 1 or value.size != size or not np.isfinite(value).all() or (nonzero and (value == 0).any()):
        raise DataError(f"its {what} are not {size} finite number{'s' if size != 1 else ''}"
                        + (" other than 0" if nonzero else ""))


def _check_preprocessor(pre: Preprocessor) -> None:
    """Raise DataError unless ``pre`` (read from a file) is complete and self-consistent."""
    inputs = _names(pre.inputs, "input columns")
    targets = _names(pre.targets, "target columns")
    if not (isinstance(pre.input_kinds, dict) and isinstance(pre.categories, dict)):
        raise DataError("its input column kinds are not sets of named values")
    for column in inputs:
        kind = pre.input_kinds.get(column)
        if not isinstance(kind, str):
            raise DataError(f"the kind of its input column {column!r} is missing")
        if kind == "categorical":
            _names(pre.categories.get(column), f"categories of {column!r}", allow_empty=True)
    if not isinstance(pre.input_scaling, str):
        raise DataError("its input scaling is not a name")
    if pre.task not in ("regression", "classification"):
        raise DataError(f"its task {pre.task!r} is neither regression nor classification")
    if not (isinstance(pre.output_activation, str) and pre.output_activation in ACTIVATIONS):
        raise DataError(f"its output activation {pre.output_activation!r} is unknown")
    if pre.task == "classification":
        if len(targets) != 1 or len(pre.classes) < 2 or not all(
                isinstance(c, (str, int, float)) and not isinstance(c, bool) for c in pre.classes):
            raise DataError("it does not list the classes of one target column")
    n_inputs = pre.n_inputs
    _finite_vector(pre.input_offset, n_inputs, "input offsets")
    _finite_vector(pre.input_scale, n_inputs, "input scales", nonzero=True)
    if pre.task == "regression":
        _finite_vector(pre.target_offset, len(targets), "target offsets")
        _finite_vector(pre.target_scale, len(targets), "target scales", nonzero=True)
    strangers = [name for name in pre.input_ranges if pre.input_kinds.get(name, "categorical") == "categorical"]
    if strangers:
        raise DataError(f"it keeps a training range for {strangers[0]!r}, which is not one of its number inputs")


_KINDS = ("numeric", "categorical")
_PROBABILITY_OUTPUTS = ("softmax", "sigmoid")


def _check_fit(pre: Preprocessor, net: MLP, loss: str) -> None:
    """Raise DataError unless the parts of a model read from a file fit together: unique class names,
    an output layer and a loss that suit the task and the preprocessing."""
    for column, kind in pre.input_kinds.items():
        if kind not in _KINDS:
            raise DataError(f"the kind of its input column {column!r} is {kind!r}, not numeric or categorical")
    if pre.task == "classification":
        labels = [str(label) for label in pre.classes]
        repeated = sorted({label for label in labels if labels.count(label) > 1})
        if repeated:
            raise DataError(f"its classes list {repeated[0]!r} more than once; each class needs its own output")
    output = net.activations[-1] if len(net.activations) else None
    if output != pre.output_activation:
        raise DataError(f"its network's output layer uses {output!r} but its preprocessing expects "
                        f"{pre.output_activation!r}")
    if pre.task == "regression" and pre.output_activation == "softmax":
        raise DataError("it predicts numbers (regression) with a softmax output, which gives class probabilities")
    if loss not in ("mse", "cross_entropy"):
        raise DataError(f"its loss {loss!r} is unknown")
    if loss == "cross_entropy" and (pre.task != "classification" or pre.output_activation not in _PROBABILITY_OUTPUTS):
        raise DataError(f"its loss is cross-entropy, which needs a classifier with a softmax or sigmoid output, "
                        f"but it is {pre.task} with a {pre.output_activation} output")


def _finite_or_none(value):
    """JSON has no NaN: store missing numbers as null."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _finite_or_none(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_finite_or_none(v) for v in value]
    if isinstance(value, np.generic):
        return _finite_or_none(value.item())
    return value


def evaluate_outputs(pre: Preprocessor, outputs: np.ndarray, frame: pd.DataFrame) -> dict:
    """Metrics of network ``outputs`` against the targets held in ``frame``."""
    n = len(frame)
    if n == 0:
        return {"n_samples": 0}
    if pre.task == "regression":
        actual = np.column_stack([pd.to_numeric(frame[t], errors="coerce").to_numpy(dtype=float) for t in pre.targets])
        predicted = pre.inverse_targets(outputs)
        return {"n_samples": n, "rmse": metrics.rmse(actual, predicted), "mae": metrics.mae(actual, predicted),
                "r2": metrics.r2(actual, predicted)}
    actual = frame[pre.targets[0]].astype(str).to_numpy()
    predicted = pre.labels(outputs).astype(str)
    classes = [str(c) for c in pre.classes]
    # A class the model never saw still counts (as a row it can never get right).
    classes += sorted(set(actual) - set(classes))
    return {"n_samples": n, "accuracy": metrics.accuracy(actual, predicted), "classes": classes,
            "confusion_matrix": metrics.confusion_matrix(actual, predicted, classes).tolist()}


def target_in_training_units(target_rmse: float | None, preprocessor: Preprocessor) -> float | None:
    """A target RMSE given in the user's units, as the training loop measures it (scaled targets)."""
    return None if target_rmse is None else target_rmse / preprocessor.rmse_unit_scale


def run_config(config: TrainConfig, loss: str, preprocessor: Preprocessor, **changes) -> TrainConfig:
    """``config`` as the training loop takes it when the caller has split the rows itself: the
    resolved ``loss``, both split fractions 0, and ``target_rmse``/``min_delta`` (given in the
    target's units) in the scaled units the loop measures."""
    return replace(config, loss=loss, validation_fraction=0.0, test_fraction=0.0,
                   target_rmse=target_in_training_units(config.target_rmse, preprocessor),
                   min_delta=target_in_training_units(config.min_delta, preprocessor), **changes)


def fit_model(
    dataset,
    spec: NetworkSpec | None = None,
    config: TrainConfig | None = None,
    input_scaling: str = "standard",
    minmax_bounds: dict | None = None,
    scale_targets: bool = True,
    on_progress: Callable | None = None,
    stop_event=None,
    pause_event=None,
    unit_scale_callback: Callable[[float], None] | None = None,
) -> tuple[Model, History]:
    """Split, fit the preprocessing on the training rows, build the network and train it.

    The validation rows (``config.validation_fraction``) and test rows (``config.test_fraction``),
    both stratified for classification, are never trained on; their metrics are reported under
    ``metrics["validation"]`` and ``metrics["test"]``. The test rows are also kept out of early
    stopping. ``config.target_rmse`` and ``config.min_delta`` are in the target's units (see
    :attr:`Preprocessor.rmse_unit_scale`). ``unit_scale_callback`` receives
    :attr:`Preprocessor.rmse_unit_scale` before training starts (for progress displays).
    """
    spec = spec or NetworkSpec()
    config = config or TrainConfig()
    train_rows, val_rows, test_rows = split_rows_three(dataset.n_rows, config.validation_fraction,
                                                       config.test_fraction, config.seed, dataset.class_labels)
    output_activation = spec.resolved_output(dataset.task)
    pre = fit_preprocessor(dataset, train_rows, input_scaling, minmax_bounds, output_activation, scale_targets)
    if unit_scale_callback is not None:
        unit_scale_callback(pre.rmse_unit_scale)
    net = build_network(spec, pre, config.seed)
    train_frame = dataset.frame.iloc[train_rows]
    val_frame = dataset.frame.iloc[val_rows]
    test_frame = dataset.frame.iloc[test_rows]
    X, Y = pre.transform_inputs(train_frame), pre.transform_targets(train_frame)
    validation = (pre.transform_inputs(val_frame), pre.transform_targets(val_frame)) if len(val_rows) else None
    test = (pre.transform_inputs(test_frame), pre.transform_targets(test_frame)) if len(test_rows) else None
    loss = spec.resolved_loss(dataset.task)
    # the rows are split here, so train gets them as data and both fractions 0
    history = train(net, X, Y, run_config(config, loss, pre), on_progress, stop_event, pause_event=pause_event,
                    validation_data=validation, test_data=test)
    model = Model(pre, net, loss, training={**asdict(config), "loss": loss, "network": asdict(spec),
                                            "input_scaling": input_scaling, "scale_targets": scale_targets,
                                            "epochs_run": history.last_epoch,
                                            "stop_reason": history.stop_reason,
                                            "engine_used": history.engine})
    model.metrics = {"train": model.evaluate(train_frame)}
    if len(val_rows):
        model.metrics["validation"] = model.evaluate(val_frame)
    if len(test_rows):
        model.metrics["test"] = model.evaluate(test_frame)
    return model, history
