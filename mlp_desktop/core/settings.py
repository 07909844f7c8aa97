"""The one description of every setting a user can choose: type, allowed values, default, label, help.

Everything else is derived from or checked against :data:`SETTINGS`: the project format keeps
what :func:`usable` accepts, the parameter and data panels take their labels, tooltips, choices
and ranges from here and validate typed text with :meth:`Setting.check`, the command line builds
its options with :func:`add_arguments`, and ``TrainConfig`` / ``NetworkSpec`` defaults are tested
to agree (``tests/core/test_settings.py``).

Scopes say what a change touches (the workspace relies on them):

``learning``  how the next run learns (learning rate, epochs, updates, ...); kept for new data.
``init``      how fresh weights are drawn; applied at once to an untrained network.
``data``      how the current table is used (task, scaling, split); reset to suit a new dataset.

Nothing here imports Qt.
"""

from __future__ import annotations

import argparse
import math
from dataclasses import dataclass, field, replace
from typing import Any

from .errors import DataError
from .initializers import BIAS_INITS, INITIALIZERS

LARGEST_WHOLE = 2**31 - 1
"""The largest whole number a setting may hold (what a spin box can show)."""


def as_number(value: Any, what: str) -> float:
    """``value`` as a finite float, or :class:`DataError` naming ``what`` (``True`` is no number)."""
    if isinstance(value, bool):
        raise DataError(f"{what} must be a number; got {value!r}.")
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise DataError(f"{what} must be a number; got {value!r}.") from None
    if not math.isfinite(number):
        raise DataError(f"{what} must be a finite number; got {value!r}.")
    return number


@dataclass(frozen=True)
class Setting:
    """One user setting.

    ``kind`` is ``"number"``, ``"whole"``, ``"bool"``, ``"choice"`` or ``"range"`` (a pair
    ``(low, high)`` with ``low < high``). ``optional`` settings may also be ``None`` (its meaning is
    in ``none_means``). Bounds are inclusive unless ``open_min``/``open_max``.
    """

    name: str
    kind: str
    default: Any
    label: str
    help: str
    scope: str
    minimum: float | None = None
    maximum: float | None = None
    open_min: bool = False
    open_max: bool = False
    optional: bool = False
    none_means: str = ""
    choices: dict[str, str] = field(default_factory=dict)  # value -> label shown
    aliases: dict[str, str] = field(default_factory=dict)  # other spellings -> value
    cli: str | None = None  # option name on the command line, e.g. "--lr"

    # -- checking ------------------------------------------------------------------------------
    def check(self, value: Any) -> Any:
        """``value`` in its canonical form, or :class:`DataError` saying what is allowed."""
        if value is None:
            if self.optional:
                return None
            raise DataError(f"{self.label} needs a value.")
        if self.kind == "bool":
            if isinstance(value, bool):
                return value
            raise DataError(f"{self.label} must be on or off (true or false); got {value!r}.")
        if self.kind == "choice":
            if self.optional and isinstance(value, str) and value.strip().lower() in ("none", ""):
                return None
            key = str(value).strip()
            key = self.aliases.get(key.lower(), key.lower().replace("-", "_"))
            if key in self.choices:
                return key
            raise DataError(f"Unknown {self.label.lower()} {value!r}; choose one of: {', '.join(self.choices)}.")
        if self.kind == "range":
            try:
                low, high = (self._number(part) for part in value)
            except (TypeError, ValueError):
                raise DataError(f"{self.label} must be two numbers, low and high; got {value!r}.") from None
            if not low < high:
                raise DataError(f"{self.label}: the low end ({low:g}) must be below the high end ({high:g}).")
            self._check_bounds(low)
            self._check_bounds(high)
            return (low, high)
        number = self._number(value)
        if self.kind == "whole":
            if number != int(number):
                raise DataError(f"{self.label} must be a whole number; got {value!r}.")
            number = int(number)
        self._check_bounds(number)
        return number

    def _number(self, value: Any) -> float:
        if isinstance(value, str):  # typed (an option's text): "1,000" is a thousand, "0,5" a half
            # (imported here: the reading package names this module's settings in its messages)
            from .reading.values import parse_typed_number

            try:
                return parse_typed_number(value)
            except ValueError as error:
                raise DataError(f"{self.label} must be a number: {error}") from None
        return as_number(value, self.label)

    def _check_bounds(self, number: float) -> None:
        low, high = self.minimum, self.maximum
        too_low = low is not None and (number <= low if self.open_min else number < low)
        too_high = high is not None and (number >= high if self.open_max else number > high)
        if too_low or too_high:
            allowed = self.describe_range()
            if self.kind == "whole":
                allowed = ("a whole number of " if allowed.startswith(("at ", "greater")) else "a whole number ") + allowed
            raise DataError(f"{self.label} must be {allowed}; got {number:g}.")

    def describe_range(self) -> str:
        """The allowed values in words: "greater than 0", "from 0 to below 1"..."""
        low = self.minimum
        high = self.maximum if self.maximum is not None and self.maximum < LARGEST_WHOLE else None
        if low is not None and high is not None:
            start = f"above {low:g}" if self.open_min else f"from {low:g}"
            end = f"below {high:g}" if self.open_max else f"at most {high:g}"
            return f"{start} and {end}" if self.open_min else f"{start} to {end.replace('at most ', '')}"
        if low is not None:
            return f"{'greater than' if self.open_min else 'at least'} {low:g}"
        if high is not None:
            return f"{'below' if self.open_max else 'at most'} {high:g}"
        return "a number"

    def tooltip(self) -> str:
        """The help text, with the allowed values for numbers."""
        if self.kind in ("number", "whole") and (self.minimum is not None or self.maximum is not None):
            return f"{self.help} Allowed: {self.describe_range()}."
        return self.help


def _choice(name, default, label, help, scope, choices, aliases=None, cli=None, **more) -> Setting:
    return Setting(name, "choice", default, label, help, scope, choices=choices, aliases=aliases or {}, cli=cli,
                   **more)


LOSS_CHOICES = {"auto": "Auto", "mse": "Mean squared error", "cross_entropy": "Cross-entropy"}
INIT_CHOICES = {"uniform": "Uniform", "normal": "Normal", "xavier": "Xavier (Glorot)", "he": "He"}
BIAS_CHOICES = {"zeros": "Zeros", "like_weights": "Like the weights"}
TASK_CHOICES = {"auto": "Auto", "regression": "Regression (a number)", "classification": "Classification (a class)"}
SCALING_CHOICES = {"standard": "Standardise (mean 0, std 1)", "minmax": "Min-max to [0, 1]", "none": "None"}
OPTIMIZER_CHOICES = {"sgd": "SGD (gradient descent)", "adam": "Adam", "rmsprop": "RMSprop",
                     "lbfgs": "L-BFGS (full batch)", "lm": "Levenberg-Marquardt (full batch)"}
LR_SCHEDULE_CHOICES = {"constant": "Constant", "step": "Step (times decay every N epochs)",
                       "exponential": "Exponential (times decay each epoch)",
                       "inverse_time": "Inverse time (rate / (1 + decay x epoch))"}
CLASS_WEIGHT_CHOICES = {"balanced": "Balanced (rare classes count more)"}
ENGINE_CHOICES = {"auto": "Auto engine", "compiled": "Compiled (numba)", "numpy": "NumPy"}
DTYPE_CHOICES = {"float64": "float64", "float32": "float32"}
assert set(INIT_CHOICES) == set(INITIALIZERS) and set(BIAS_CHOICES) == set(BIAS_INITS)

SETTINGS: dict[str, Setting] = {s.name: s for s in (
    # -- learning --------------------------------------------------------------------------------
    Setting("learning_rate", "number", 0.01, "Learning rate",
            "How big a step the weights take against the error each update; too large diverges, too small "
            "crawls.", "learning", minimum=0.0, open_min=True, cli="--lr"),
    Setting("epochs", "whole", 1000, "Epochs", "How many times training goes through all training rows.",
            "learning", minimum=0, maximum=LARGEST_WHOLE, cli="--epochs"),
    Setting("batch_size", "whole", None, "Batch size",
            "Rows per weight update: 1 updates after every row (per sample), N averages over mini-batches of "
            "N rows.", "learning", minimum=1, maximum=LARGEST_WHOLE, optional=True,
            none_means="full batch: one update per pass over all rows", cli="--batch-size"),
    Setting("momentum", "number", 0.0, "Momentum",
            "How much of the previous step each update keeps (0 = none); it speeds up steady descents.",
            "learning", minimum=0.0, maximum=1.0, open_max=True, cli="--momentum"),
    Setting("shuffle", "bool", False, "Shuffle rows every epoch",
            "Visit the training rows in a new random order in each epoch.", "learning", cli="--shuffle"),
    Setting("seed", "whole", None, "Seed",
            "The number that fixes the random choices (weights, split, order), so a run can be repeated "
            "exactly.", "learning", minimum=0, maximum=LARGEST_WHOLE, optional=True,
            none_means="a new random seed for every run", cli="--seed"),
    Setting("target_rmse", "number", None, "Target RMSE",
            "Stop early once the training RMSE (in the target's units) falls to this value.", "learning",
            minimum=0.0, optional=True, none_means="train all epochs", cli="--target-rmse"),
    _choice("loss", "auto", "Loss",
            "How the error is measured; Auto uses cross-entropy for classes and squared error for numbers.",
            "learning", LOSS_CHOICES, {"crossentropy": "cross_entropy", "ce": "cross_entropy"}, cli="--loss"),
    # -- optimizer (issue 14; which optimizer reads which: optimizers.OPTIMIZER_OPTIONS) ---------
    _choice("optimizer", "sgd", "Optimizer",
            "How the weights are updated. SGD is plain gradient descent (add momentum to speed it up); Adam "
            "adapts each weight's step and is a good first choice; RMSprop is similar; L-BFGS and "
            "Levenberg-Marquardt use the full batch and no learning rate, and converge fast on small data "
            "(Levenberg-Marquardt with the squared error only).", "learning", OPTIMIZER_CHOICES,
            {"l-bfgs": "lbfgs", "l_bfgs": "lbfgs", "levenberg-marquardt": "lm", "levenberg_marquardt": "lm",
             "gd": "sgd"}, cli="--optimizer"),
    Setting("nesterov", "bool", False, "Nesterov momentum",
            "SGD looks ahead along the momentum before measuring the gradient; often a little faster and "
            "steadier than plain momentum (needs a momentum above 0).", "learning", cli="--nesterov"),
    Setting("beta1", "number", 0.9, "Beta1",
            "Adam: how much of the past gradients' average each step keeps (0.9 is usual; lower reacts faster).",
            "learning", minimum=0.0, maximum=1.0, open_max=True, cli="--beta1"),
    Setting("beta2", "number", 0.999, "Beta2",
            "Adam: how long the average of squared gradients, which scales each step, remembers (0.999 is "
            "usual).", "learning", minimum=0.0, maximum=1.0, open_max=True, cli="--beta2"),
    Setting("epsilon", "number", 1e-8, "Epsilon",
            "Adam and RMSprop: a tiny number that keeps steps finite where gradients are near zero (1e-8 is "
            "usual; raise it if training is jumpy).", "learning", minimum=0.0, open_min=True, cli="--epsilon"),
    Setting("rho", "number", 0.9, "Rho",
            "RMSprop: how long the average of squared gradients remembers (0.9 is usual).", "learning",
            minimum=0.0, maximum=1.0, open_max=True, cli="--rho"),
    # -- regularization and stopping -------------------------------------------------------------
    Setting("l2", "number", 0.0, "L2 penalty",
            "Adds l2/2 x the sum of squared weights (never biases) to the loss, keeping weights small; use it "
            "when the validation RMSE is much worse than the training RMSE (try 1e-4 to 1e-2).", "learning",
            minimum=0.0, cli="--l2"),
    Setting("l1", "number", 0.0, "L1 penalty",
            "Adds l1 x the sum of absolute weights to the loss, pushing unneeded weights to zero; use it to "
            "find which inputs matter (try 1e-4 to 1e-3).", "learning", minimum=0.0, cli="--l1"),
    Setting("early_stopping_patience", "whole", None, "Early-stopping patience",
            "Stop when the validation RMSE has not improved for this many epochs, and put back the weights of "
            "the best validation epoch; guards against overfitting (needs a validation share).", "learning",
            minimum=1, maximum=LARGEST_WHOLE, optional=True, none_means="never stop early",
            cli="--early-stopping"),
    Setting("min_delta", "number", 0.0, "Minimum improvement",
            "With early stopping: the smallest drop of the validation RMSE, in the target's units, that counts "
            "as an improvement.", "learning", minimum=0.0, cli="--min-delta"),
    _choice("lr_schedule", "constant", "Learning-rate schedule",
            "How the learning rate changes over the epochs: lowering it late in training lets SGD, Adam or "
            "RMSprop settle into a minimum instead of jumping around it.", "learning", LR_SCHEDULE_CHOICES,
            cli="--lr-schedule"),
    Setting("lr_decay", "number", None, "Learning-rate decay",
            "How fast the schedule lowers the rate: the factor for Step (e.g. 0.5) and Exponential (e.g. "
            "0.99), the decay for Inverse time (e.g. 0.01).", "learning", minimum=0.0, optional=True,
            none_means="the schedule's usual value (step 0.5, exponential 0.99, inverse time 0.01)",
            cli="--lr-decay"),
    Setting("lr_step", "whole", 100, "Epochs per step",
            "With the Step schedule: how many epochs pass between two lowerings of the learning rate.",
            "learning", minimum=1, maximum=LARGEST_WHOLE, cli="--lr-step"),
    Setting("test_fraction", "number", 0.0, "Test share",
            "The share of rows held out of training and of early stopping, scored only once at the end: an "
            "honest estimate of how the network does on new data.", "learning", minimum=0.0, maximum=0.9,
            cli="--test"),
    _choice("class_weight", None, "Class weight",
            "Balanced weights each class by how rare it is, so that a small class is not ignored; use it when "
            "one class has far fewer rows (classification only).", "learning", CLASS_WEIGHT_CHOICES,
            optional=True, none_means="None (every row counts the same)", cli="--class-weight"),
    # -- how the arithmetic is done (issue 16): results are the same, speed differs --------------
    _choice("engine", "auto", "Engine",
            "What runs the training steps. Compiled runs SGD, Adam and RMSprop in a compiled kernel (numba), "
            "many times faster for per-sample and small mini-batch updates, with the same results; NumPy runs "
            "them in NumPy. Auto uses the compiled kernel where it is faster (per-sample and small mini-batch "
            "updates of small networks) when numba is installed.",
            "learning", ENGINE_CHOICES, cli="--engine"),
    _choice("dtype", "float64", "Precision",
            "How many digits the NumPy engine computes with: float64 (about 16 digits) or float32 (about 7, and "
            "up to twice as fast for full-batch and mini-batch training on large data). The weights are kept as "
            "float64 either way.", "learning", DTYPE_CHOICES, {"single": "float32", "double": "float64"},
            cli="--dtype"),
    # -- initial weights -----------------------------------------------------------------------
    _choice("init", "xavier", "Initial weights",
            "How the starting weights are drawn at random; Xavier suits tanh and sigmoid, He suits ReLU.",
            "init", INIT_CHOICES, {"glorot": "xavier"}, cli="--init"),
    Setting("init_range", "range", (-1.0, 1.0), "Uniform range",
            "The smallest and largest starting weight a uniform draw can give.", "init", minimum=-1e6,
            maximum=1e6, cli="--init-range"),
    Setting("init_std", "number", 0.1, "Normal spread",
            "The spread (standard deviation) of normally drawn starting weights.", "init", minimum=0.0,
            open_min=True, maximum=1e6, cli="--init-std"),
    _choice("bias_init", "zeros", "Initial biases", "Start the biases at zero, or draw them like the weights.",
            "init", BIAS_CHOICES, cli="--bias-init"),
    # -- how the data is used ------------------------------------------------------------------
    _choice("task", "auto", "Task",
            "Regression predicts a number, classification a class; Auto decides from the target column.",
            "data", TASK_CHOICES, cli="--task"),
    _choice("input_scaling", "standard", "Input scaling",
            "How input numbers are rescaled before training, so that large and small columns count alike.",
            "data", SCALING_CHOICES, {"standardise": "standard", "standardize": "standard"}, cli="--scale"),
    Setting("validation_fraction", "number", 0.2, "Validation share",
            "The share of rows held out of training, to check how well the network does on data it never "
            "saw.", "data", minimum=0.0, maximum=0.9, cli="--validation"),
    Setting("drop_missing", "bool", False, "Skip incomplete rows",
            "Leave out rows with an empty cell in a chosen column, instead of stopping with an error.", "data",
            cli="--drop-missing"),
)}
"""Every user setting by name."""


def names(scope: str) -> list[str]:
    """The settings of one scope, in declaration order."""
    return [name for name, setting in SETTINGS.items() if setting.scope == scope]


def defaults(scope: str | None = None) -> dict[str, Any]:
    """Default values of every setting, or of one scope."""
    return {name: s.default for name, s in SETTINGS.items() if scope is None or s.scope == scope}


def check(values: dict[str, Any]) -> dict[str, Any]:
    """Every value checked and made canonical; raises :class:`DataError` for an unknown name or bad value."""
    unknown = set(values) - set(SETTINGS)
    if unknown:
        raise DataError(f"Unknown setting(s): {', '.join(sorted(unknown))}.")
    return {name: SETTINGS[name].check(value) for name, value in values.items()}


def usable(values: Any, allowed: list[str] | None = None) -> tuple[dict[str, Any], list[str]]:
    """The values that can be applied (canonical), and the names of those that cannot.

    For files a user may have edited by hand: nothing raises, anything unknown or invalid is
    named in the second list and keeps its default.
    """
    values = values if isinstance(values, dict) else {}
    allowed_names = set(SETTINGS if allowed is None else allowed)
    good, bad = {}, []
    for name, value in values.items():
        if name not in allowed_names:
            bad.append(str(name))
            continue
        try:
            good[name] = SETTINGS[name].check(value)
        except DataError:
            bad.append(name)
    return good, sorted(bad)


# -- the command line ----------------------------------------------------------------------------

def _argument_type(setting: Setting):
    """Turn an option's text into a value to check (the check comes with :func:`check_arguments`,
    so a bad value is a plain ``error: ...`` line like every other user error)."""
    def parse(text: str):
        if setting.optional and text.strip().lower() in ("none", "full", "all", "off"):
            return None
        if setting.kind == "range":
            parts = text.split(",")
            if len(parts) != 2:
                raise argparse.ArgumentTypeError(f"expected LOW,HIGH like -1,1; got {text!r}")
            return tuple(parts)
        return text
    parse.__name__ = setting.label.lower()  # argparse names the type in its messages
    return parse


def check_arguments(args: argparse.Namespace, setting_names: list[str]) -> None:
    """Check the parsed options of :func:`add_arguments` in place (canonical values), or DataError."""
    for name in setting_names:
        setattr(args, name, SETTINGS[name].check(getattr(args, name)))


def add_arguments(parser: argparse.ArgumentParser, setting_names: list[str], defaults: dict | None = None) -> None:
    """Add one command-line option per named setting, with its default, choices and help.

    The parsed value lands on ``args.<setting name>``; :func:`check_arguments` checks it. ``defaults``
    replaces a setting's default on this command line (say why where it is used).
    """
    for name in setting_names:
        setting = SETTINGS[name]
        if defaults and name in defaults:
            setting = replace(setting, default=setting.check(defaults[name]))
        help_text = setting.help.replace("%", "%%")
        if setting.kind == "bool":
            parser.add_argument(setting.cli, dest=name, action="store_true", default=setting.default, help=help_text)
            continue
        shown = setting.default if setting.default is not None else setting.none_means
        if setting.kind == "range":
            shown = ",".join(f"{v:g}" for v in setting.default)
        shown_choices = (["none"] if setting.optional else []) + [c.replace("_", "-") for c in setting.choices]
        metavar = "{" + ",".join(shown_choices) + "}" if setting.choices else None
        if metavar is None and setting.kind != "range":  # named after the option: --test F shows TEST
            metavar = setting.cli.lstrip("-").upper().replace("-", "_")
        parser.add_argument(setting.cli, dest=name, type=_argument_type(setting), default=setting.default,
                            metavar=metavar or ("LOW,HIGH" if setting.kind == "range" else None),
                            help=f"{help_text} (default: {shown})")
