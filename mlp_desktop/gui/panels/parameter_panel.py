"""The parameter panel: optimizer, learning rate, epochs, update mode, momentum, loss, regularization
and stopping, initialisation, seed.

Labels, choices and tooltips come from the settings schema (:mod:`mlp_desktop.core.settings`), which
also checks every value; the panel shows the schema's message when a value is invalid and hands
valid ones to the workspace. Run alone with
``python -m mlp_desktop.gui.panels.parameter_panel``.
"""

from __future__ import annotations

import math
import sys

from PySide6.QtCore import QPoint, Qt, Signal, Slot
from PySide6.QtGui import QValidator
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QSlider,
    QSpinBox,
    QToolButton,
    QToolTip,
    QVBoxLayout,
    QWidget,
)

from ...core import settings as schema
from ...core.errors import DataError
from ...core.optimizers import OPTIMIZER_OPTIONS
from ...core.training import engine_refusal
from ...core.reading.values import TypedText, could_become_number, parse_typed_number
from ...core.workspace import Workspace, WorkspaceEvent
from ..widgets import error_label

LEARNING_RATE_RANGE = (1e-5, 10.0)  # the slider's span; typed values may go beyond, as the schema allows
SLIDER_STEPS_PER_DECADE = 100
MAX_EPOCHS = 10_000_000
MAX_BATCH_SIZE = 1_000_000
MAX_SEED = 2**31 - 1

UPDATE_MODES: dict[str, str] = {
    "per_sample": "Per sample",
    "mini_batch": "Mini-batch",
    "full_batch": "Full batch",
}
"""Update mode -> text shown; per-sample is ``batch_size=1``, full batch ``batch_size=None``."""

LOSS_LABELS = schema.SETTINGS["loss"].choices
INIT_LABELS = schema.SETTINGS["init"].choices
BIAS_LABELS = schema.SETTINGS["bias_init"].choices
OPTIMIZER_LABELS = schema.SETTINGS["optimizer"].choices
SCHEDULE_LABELS = schema.SETTINGS["lr_schedule"].choices
NO_CLASS_WEIGHT = "none"  # the class-weight combo's item for None
OPTIMIZER_ROWS = ("nesterov", "beta1", "beta2", "epsilon", "rho")
"""The optimizer group's settings, each shown only for the optimizers that read it (OPTIMIZER_OPTIONS)."""

def _nice(value: float, digits: int = 2) -> float:
    """``value`` rounded to ``digits`` significant digits (0.005012 -> 0.005)."""
    return float(f"{value:.{digits}g}")


def _bare(spin, text: str) -> str:
    """``text`` without the box's prefix and suffix (``N = 32`` -> ``32``, ``20 epochs`` -> ``20``):
    Qt hands its validator the whole text, and a batch size typed as 32 read as "N = 32", no number."""
    prefix, suffix = spin.prefix(), spin.suffix()
    if prefix and text.startswith(prefix):
        text = text[len(prefix):]
    if suffix and text.endswith(suffix):
        text = text[: -len(suffix)]
    return text.strip()


def _refusal(spin, text: str, kept: str) -> str:
    """What a spin box tells the user when it cannot take ``text``: why it is not a number (from
    :func:`read_typed_number`, quoting it), else that it is out of the box's range."""
    name = spin.accessibleName() or "This field"
    try:
        parse_typed_number(_bare(spin, text))
    except ValueError as error:
        return f"{name}: {error} It keeps {kept}."
    low, high = spin.textFromValue(spin.minimum()), spin.textFromValue(spin.maximum())
    return f"{name} must be from {low} to {high}; \u201c{_bare(spin, text)}\u201d was not used, it keeps {kept}."


class _TypedNumbers:
    """What the whole-number and the real-number boxes share. They read text as people write it
    (:func:`read_typed_number`: ``1e6`` and ``1,000,000`` are a million, ``0,5`` a half), without
    their prefix and suffix; what they cannot take is said (``refused``, with ``""`` once the text
    is a number they take again) and never rewritten silently: text left that they cannot take puts
    back the value from before the typing (with the value following the keys, typing "1,000" into
    the learning rate had left it at 1). A key that cannot make a number is dropped, and the message
    quotes everything typed, dropped keys included (:class:`TypedText`: "abc" was said as “c”)."""

    _whole = False

    @property
    def _typing(self) -> TypedText:
        if "_typed_text" not in self.__dict__:
            self._typed_text = TypedText()
            self._shown = self.lineEdit().text()
            # (a value set by the arrows or the wheel; Qt updates the text before it says so)
            self.valueChanged.connect(self._value_shown)
        return self._typed_text

    def _value_shown(self, *unused) -> None:
        self._shown = self.lineEdit().text()

    def _start_typing(self) -> None:
        self._before_typing = self.value()
        self._typing.clear()
        self._value_shown()

    def setValue(self, value) -> None:  # noqa: N802 - Qt's name
        """A value set by the program (not typed): the one to go back to."""
        super().setValue(value)
        self._before_typing = self.value()
        self._typing.clear()
        self._value_shown()

    def _typed(self, text: str, position: int, refused: bool) -> str:
        """Everything typed, refused keys included (:class:`TypedText`), when ``text`` (with the
        cursor at ``position``) is what typing made of the text shown; else ``text``.

        The validator sees only the text an edit would make: the text shown before it is kept here
        (a refused edit leaves it as it was)."""
        typing = self._typing  # (first: it starts the bookkeeping)
        shown = self._shown
        if text == shown:
            return typing.text(text)  # (Qt validates the same text again)
        end = len(shown) - (len(text) - position)  # the edit replaced shown[start:end] by text[start:position]
        start = 0
        while start < min(position, end) and shown[start] == text[start]:
            start += 1
        if end < start or shown[end:] != text[position:] or position == start:  # not typing (a deletion, say)
            typing.clear()
            typed = text
        else:
            typed = typing.key(shown, start, end - start, text[start:position], refused)
        if not refused:
            self._shown = text
        return typed

    def _typed_state(self, text: str, position: int):
        """The validator's state for ``text`` (the cursor at ``position``); says why (``refused``)
        when it is refused outright, quoting everything typed."""
        bare = _bare(self, text)
        try:
            value = parse_typed_number(bare)
        except ValueError:
            refused = not could_become_number(bare)
            typed = self._typed(text, position, refused)
            if not refused:
                return QValidator.State.Intermediate
            self.refused.emit(_refusal(self, typed, self.textFromValue(self.value())))
            return QValidator.State.Invalid
        self._typed(text, position, refused=False)
        if (not self._whole or value == int(value)) and self.minimum() <= value <= self.maximum():
            self._typing.clear()
            if bare != _bare(self, self.textFromValue(self.value())):  # newly typed (not the box's own text):
                self.refused.emit("")  # what was said about earlier text no longer holds
            return QValidator.State.Acceptable
        return QValidator.State.Intermediate  # ("2.5" may become "2.5e3"): fixup says why

    def _refuse_left_text(self, text: str) -> None:
        """Text the box cannot take was left (Enter, or the focus went): back to the value from
        before the typing, and say why (quoting what was typed, refused keys included)."""
        text = self._typing.text(text)
        self._typing.clear()
        before = getattr(self, "_before_typing", self.value())
        self.setValue(before)
        kept, bare = self.textFromValue(before), _bare(self, text)
        try:
            value = parse_typed_number(bare)
        except ValueError:
            value = None  # (_refusal says why)
        if self._whole and value is not None and value != int(value):
            self.refused.emit(f"{self.accessibleName() or 'This field'} takes whole numbers; \u201c{bare}\u201d "
                              f"was not used, it keeps {kept}.")
        else:
            self.refused.emit(_refusal(self, text, kept))

    def _read(self, text: str):
        try:
            return parse_typed_number(_bare(self, text))
        except (ValueError, OverflowError):
            return self.value()


class WholeSpinBox(_TypedNumbers, QSpinBox):
    """A spin box for whole numbers that says why it refuses what was typed (``refused``); ``1,5``
    is a fraction, refused as such, not fifteen (Qt's own box made 16 of ``1e6``, without a word)."""

    refused = Signal(str)
    _whole = True

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.editingFinished.connect(self._start_typing)  # the value now taken is the one to go back to

    def focusInEvent(self, event) -> None:  # noqa: N802 - Qt's name
        self._start_typing()
        super().focusInEvent(event)

    def valueFromText(self, text: str) -> int:
        value = self._read(text)
        try:
            return int(value)
        except (ValueError, OverflowError):
            return self.value()

    def validate(self, text: str, position: int):
        return self._typed_state(text, position), text, position

    def fixup(self, text: str) -> str:  # Qt calls this with input it cannot take as it is
        if _bare(self, text):
            self._refuse_left_text(text)
            return self.textFromValue(self.value())
        return super().fixup(text)


class NumberSpinBox(_TypedNumbers, QDoubleSpinBox):
    """A spin box that shows numbers in their short form (``0.005``, ``1e-05``), not fixed decimals,
    and says why it refuses what was typed (``refused``) instead of rewriting it silently."""

    refused = Signal(str)

    def __init__(self, minimum: float, maximum: float, step: float = 0.1, parent: QWidget | None = None):
        super().__init__(parent)
        self.setDecimals(12)
        self.setRange(minimum, maximum)
        self.setSingleStep(step)
        self.setKeyboardTracking(True)
        self.editingFinished.connect(self._start_typing)

    def focusInEvent(self, event) -> None:  # noqa: N802 - Qt's name
        self._start_typing()
        super().focusInEvent(event)

    def textFromValue(self, value: float) -> str:
        return f"{value:.6g}"

    def fixup(self, text: str) -> str:  # Qt calls this with input it cannot take as it is
        if _bare(self, text):
            self._refuse_left_text(text)
            return self.textFromValue(self.value())
        return super().fixup(text)

    def valueFromText(self, text: str) -> float:
        return float(self._read(text))

    def validate(self, text: str, position: int):
        return self._typed_state(text, position), text, position


class LearningRateSpinBox(NumberSpinBox):
    """The arrows step through 1, 2, 5, 10, 20, 50 ... times a power of ten."""

    def stepBy(self, steps: int) -> None:
        value = self.value()
        for _ in range(abs(steps)):
            value = _next_125(value, up=steps > 0)
        self.setValue(min(max(value, self.minimum()), self.maximum()))


def _next_125(value: float, up: bool) -> float:
    """The next value of the sequence ... 0.01, 0.02, 0.05, 0.1 ... above (or below) ``value``."""
    exponent = math.floor(math.log10(value)) - 1
    candidates = [m * 10.0**e for e in range(exponent, exponent + 3) for m in (1, 2, 5)]
    candidates = [_nice(c, 1) for c in candidates]
    if up:
        return min(c for c in candidates if c > value * (1 + 1e-9))
    return max(c for c in candidates if c < value * (1 - 1e-9))


def _row(*items) -> QWidget:
    """Widgets side by side in one form field; an item ``(widget, stretch)`` takes that stretch."""
    layout = QHBoxLayout()
    layout.setContentsMargins(0, 0, 0, 0)
    for item in items:
        widget, stretch = item if isinstance(item, tuple) else (item, 0)
        layout.addWidget(widget, stretch)
    holder = QWidget()
    holder.setLayout(layout)
    return holder


class ParameterPanel(QWidget):
    """The workspace's learning and initialisation settings, shown and edited.

    Each edit goes to :meth:`Workspace.set_settings` (which checks it against the settings
    schema); the workspace's ``settings`` events bring its values back. :meth:`values` and
    :meth:`set_values` are the matching pair.

    Signals
    -------
    changed() : the user changed a setting.
    """

    changed = Signal()

    def __init__(self, workspace: Workspace | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.workspace = workspace or Workspace()
        self._updating = False
        self._refused_in: QWidget | None = None  # the field whose typing was refused, while it has the focus
        self._last_drawn_seed: int | None = None
        self._build()
        self.set_values(**self.workspace.settings)
        self.workspace.subscribe(self._on_workspace_event)

    # -- building ------------------------------------------------------------------------------
    def _build(self) -> None:
        # Optimizer: only the chosen one's own settings are shown
        self.optimizer_combo = QComboBox()
        for name, text in OPTIMIZER_LABELS.items():
            self.optimizer_combo.addItem(text, name)
        self.optimizer_combo.setToolTip(schema.SETTINGS["optimizer"].tooltip())
        self.nesterov_check = QCheckBox(schema.SETTINGS["nesterov"].label)
        self.nesterov_check.setToolTip(schema.SETTINGS["nesterov"].tooltip())
        self.beta1_spin = self._number_spin("beta1", 0.01)
        self.beta2_spin = self._number_spin("beta2", 0.001)
        self.epsilon_spin = self._number_spin("epsilon", 1e-8)
        self.epsilon_spin.setMaximum(1.0)
        self.rho_spin = self._number_spin("rho", 0.01)
        self.optimizer_combo.currentIndexChanged.connect(self._update_enabled)
        optimizer_box = QGroupBox("Optimizer")
        self.optimizer_form = optimizer_form = self._form(optimizer_box)
        optimizer_form.addRow("Optimizer:", self.optimizer_combo)
        optimizer_form.addRow(self.nesterov_check)
        for name in ("beta1", "beta2", "epsilon", "rho"):
            optimizer_form.addRow(schema.SETTINGS[name].label + ":", getattr(self, f"{name}_spin"))
        self._optimizer_rows = {name: getattr(self, f"{name}_check" if name == "nesterov" else f"{name}_spin")
                                for name in OPTIMIZER_ROWS}

        # Learning
        self.learning_rate_spin = LearningRateSpinBox(*LEARNING_RATE_RANGE)
        self.learning_rate_spin.setAccessibleName(schema.SETTINGS["learning_rate"].label)
        self.learning_rate_spin.setToolTip(schema.SETTINGS["learning_rate"].tooltip())
        self.learning_rate_slider = QSlider(Qt.Orientation.Horizontal)
        self.learning_rate_slider.setRange(*(round(math.log10(v) * SLIDER_STEPS_PER_DECADE)
                                             for v in LEARNING_RATE_RANGE))
        self.learning_rate_slider.setPageStep(SLIDER_STEPS_PER_DECADE)
        self.learning_rate_slider.setSingleStep(10)
        self.learning_rate_slider.setToolTip(
            "Drag to change the learning rate; each notch is ten times the one to its left.")
        self.learning_rate_slider.setTickPosition(QSlider.TickPosition.TicksBelow)
        self.learning_rate_slider.setTickInterval(SLIDER_STEPS_PER_DECADE)
        self.learning_rate_slider.setAccessibleName("Learning rate (log scale)")
        self.learning_rate_spin.valueChanged.connect(self._learning_rate_typed)
        self.learning_rate_slider.valueChanged.connect(self._learning_rate_slid)

        self.epochs_spin = WholeSpinBox()
        self.epochs_spin.setRange(1, MAX_EPOCHS)
        self.epochs_spin.setSingleStep(100)
        self.epochs_spin.setAccessibleName(schema.SETTINGS["epochs"].label)
        self.epochs_spin.setToolTip(schema.SETTINGS["epochs"].tooltip())

        self.momentum_spin = NumberSpinBox(0.0, 0.99, 0.05)
        self.momentum_spin.setAccessibleName(schema.SETTINGS["momentum"].label)
        self.momentum_spin.setToolTip(schema.SETTINGS["momentum"].tooltip())

        self.loss_combo = QComboBox()
        for loss, text in LOSS_LABELS.items():
            self.loss_combo.addItem(text, loss)
        self.loss_combo.setToolTip(schema.SETTINGS["loss"].tooltip())

        learning_box = QGroupBox("Learning")
        learning_form = self._form(learning_box)
        # Alt+letter mnemonics are unique in the whole window (see the list in data_panel._build).
        learning_form.addRow("&Learning rate:", self.learning_rate_spin)
        learning_form.addRow(self.learning_rate_slider)
        learning_form.addRow("E&pochs:", self.epochs_spin)
        learning_form.addRow("&Momentum:", self.momentum_spin)
        learning_form.addRow("L&oss:", self.loss_combo)

        # Updates
        self.update_mode_combo = QComboBox()
        for mode, text in UPDATE_MODES.items():
            self.update_mode_combo.addItem(text, mode)
        self.update_mode_combo.setToolTip(
            "Update the weights after every row, after every batch of N rows, or once per pass over all rows.")
        self.batch_size_spin = WholeSpinBox()
        self.batch_size_spin.setRange(2, MAX_BATCH_SIZE)
        self.batch_size_spin.setValue(32)
        self.batch_size_spin.setPrefix("N = ")
        self.batch_size_spin.setAccessibleName(schema.SETTINGS["batch_size"].label)
        self.batch_size_spin.setToolTip("How many rows each mini-batch update averages over.")
        self.shuffle_check = QCheckBox("Shuffle rows every epoch")
        self.shuffle_check.setToolTip("Visit the training rows in a new random order in each epoch.")
        self.update_mode_combo.currentIndexChanged.connect(self._update_enabled)

        # Engine and precision (issue 16): how the arithmetic is done, from the schema's choices
        self.engine_combo, self.dtype_combo = QComboBox(), QComboBox()
        for combo, name in ((self.engine_combo, "engine"), (self.dtype_combo, "dtype")):
            for value, text in schema.SETTINGS[name].choices.items():
                combo.addItem(text, value)
            combo.setToolTip(schema.SETTINGS[name].tooltip())

        updates_box = QGroupBox("Updates")
        updates_form = self._form(updates_box)
        updates_form.addRow("&Update:", self.update_mode_combo)
        updates_form.addRow("&Batch size:", self.batch_size_spin)
        updates_form.addRow(self.shuffle_check)
        updates_form.addRow("Engine:", _row((self.engine_combo, 1), (self.dtype_combo, 1)))

        # Initial weights
        self.init_combo = QComboBox()
        for init, text in INIT_LABELS.items():
            self.init_combo.addItem(text, init)
        self.init_combo.setToolTip(schema.SETTINGS["init"].tooltip())
        self.init_low_spin = NumberSpinBox(-100.0, 100.0, 0.1)
        self.init_low_spin.setToolTip("The smallest starting weight a uniform draw can give.")
        self.init_low_spin.setAccessibleName("Uniform range low")
        self.init_high_spin = NumberSpinBox(-100.0, 100.0, 0.1)
        self.init_high_spin.setToolTip("The largest starting weight a uniform draw can give.")
        self.init_high_spin.setAccessibleName("Uniform range high")
        self.init_range_widget = _row((self.init_low_spin, 1), QLabel("to"), (self.init_high_spin, 1))
        self.init_std_spin = NumberSpinBox(0.0001, 100.0, 0.05)
        self.init_std_spin.setToolTip(schema.SETTINGS["init_std"].tooltip())
        self.bias_combo = QComboBox()
        for bias, text in BIAS_LABELS.items():
            self.bias_combo.addItem(text, bias)
        self.bias_combo.setToolTip(schema.SETTINGS["bias_init"].tooltip())

        self.init_note_label = QLabel()
        self.init_note_label.setWordWrap(True)
        self.init_note_label.setToolTip("When a change of the initial weights takes effect.")
        init_box = QGroupBox("Initial weights")
        init_form = self._form(init_box)
        init_form.addRow("&Weights:", self.init_combo)
        init_form.addRow("&Range:", self.init_range_widget)
        init_form.addRow("&Std:", self.init_std_spin)
        init_form.addRow("B&iases:", self.bias_combo)
        init_form.addRow(self.init_note_label)
        self.init_range_label = init_form.labelForField(self.init_range_widget)
        self.init_std_label = init_form.labelForField(self.init_std_spin)
        init_form.labelForField(self.init_range_widget).setBuddy(self.init_low_spin)
        self.init_combo.currentIndexChanged.connect(self._update_enabled)

        # Reproducibility and stopping
        self.seed_spin = WholeSpinBox()
        self.seed_spin.setRange(0, MAX_SEED)
        self.seed_spin.setAccessibleName(schema.SETTINGS["seed"].label)
        self.seed_spin.setToolTip(schema.SETTINGS["seed"].tooltip())
        self.random_seed_check = QCheckBox("Random seed")
        self.random_seed_check.setToolTip("Draw a new seed for every run; the drawn seed is shown so you can reuse it.")
        self.random_seed_check.toggled.connect(self._update_enabled)
        self.drawn_seed_label = QLabel()
        self.drawn_seed_label.setWordWrap(True)
        self.drawn_seed_label.setToolTip("The seed drawn for the latest run; untick Random seed to repeat it.")
        self.drawn_seed_label.hide()
        seed_widget = _row((self.seed_spin, 1), self.random_seed_check)

        self.target_rmse_check = QCheckBox("Stop at RMSE")
        self.target_rmse_check.setToolTip("Stop training early once the training error falls to this value.")
        self.target_rmse_spin = NumberSpinBox(0.0, 1e9, 0.01)
        self.target_rmse_spin.setValue(0.01)
        self.target_rmse_spin.setToolTip("The training RMSE (root-mean-square error) at which training stops.")
        self.target_rmse_spin.setAccessibleName("Target RMSE")
        self.target_rmse_check.toggled.connect(self._update_enabled)
        stop_widget = _row(self.target_rmse_check, (self.target_rmse_spin, 1))

        run_box = QGroupBox("Repeatability and stopping")
        run_form = self._form(run_box)
        run_form.addRow("See&d:", seed_widget)
        run_form.labelForField(seed_widget).setBuddy(self.seed_spin)
        run_form.addRow(self.drawn_seed_label)
        run_form.addRow(stop_widget)

        regularization_box = self._build_regularization()

        self.error_label = error_label()

        layout = QVBoxLayout(self)
        layout.addWidget(self.error_label)
        for box in (optimizer_box, learning_box, updates_box, regularization_box, init_box, run_box):
            layout.addWidget(box)
        layout.addStretch(1)

        for control in self._controls():
            if isinstance(control, QSlider):
                continue  # the slider sets the learning-rate spin box, which reports the change
            if isinstance(control, QComboBox):
                control.currentIndexChanged.connect(self._edited)
            elif isinstance(control, QCheckBox):
                control.toggled.connect(self._edited)
            else:
                control.valueChanged.connect(self._edited)
                # typed text it cannot take: said (until the user leaves the field), never rewritten silently
                control.refused.connect(lambda message, c=control: self._refused(c, message))
        order = self._controls()
        for first, second in zip(order, order[1:]):
            QWidget.setTabOrder(first, second)

    def _build_regularization(self) -> QWidget:
        """The collapsible "Regularization and stopping" group (folded until the user opens it)."""
        self.l2_spin = self._number_spin("l2", 1e-4, maximum=1e6)
        self.l1_spin = self._number_spin("l1", 1e-4, maximum=1e6)
        patience = schema.SETTINGS["early_stopping_patience"]
        self.early_stopping_check = QCheckBox("Stop early")
        self.early_stopping_check.setToolTip(
            f"{patience.help} Unticked: {patience.none_means}.")
        self.patience_spin = WholeSpinBox()
        self.patience_spin.setRange(1, MAX_EPOCHS)
        self.patience_spin.setValue(20)
        self.patience_spin.setSuffix(" epochs")
        self.patience_spin.setToolTip(patience.tooltip())
        self.patience_spin.setAccessibleName(patience.label)
        self.early_stopping_check.toggled.connect(self._update_enabled)
        patience_widget = _row(self.early_stopping_check, (self.patience_spin, 1))
        self.min_delta_spin = self._number_spin("min_delta", 0.001, maximum=1e9)
        self.schedule_combo = QComboBox()
        for name, text in SCHEDULE_LABELS.items():
            self.schedule_combo.addItem(text, name)
        self.schedule_combo.setToolTip(schema.SETTINGS["lr_schedule"].tooltip())
        self.schedule_combo.currentIndexChanged.connect(self._update_enabled)
        decay = schema.SETTINGS["lr_decay"]
        self.lr_decay_check = QCheckBox("Own value")
        self.lr_decay_check.setToolTip(f"Tick to set the decay yourself; unticked: {decay.none_means}.")
        self.lr_decay_spin = self._number_spin("lr_decay", 0.01, maximum=1e6)
        self.lr_decay_spin.setValue(0.5)
        self.lr_decay_check.toggled.connect(self._update_enabled)
        decay_widget = _row(self.lr_decay_check, (self.lr_decay_spin, 1))
        self.lr_step_spin = WholeSpinBox()
        self.lr_step_spin.setRange(1, MAX_EPOCHS)
        self.lr_step_spin.setToolTip(schema.SETTINGS["lr_step"].tooltip())
        self.test_fraction_spin = self._number_spin("test_fraction", 0.05)
        self.class_weight_combo = QComboBox()
        weight = schema.SETTINGS["class_weight"]
        self.class_weight_combo.addItem(weight.none_means, NO_CLASS_WEIGHT)
        for name, text in weight.choices.items():
            self.class_weight_combo.addItem(text, name)
        self.class_weight_combo.setToolTip(weight.tooltip())

        self.regularization_button = QToolButton()
        self.regularization_button.setText("Regularization and stopping")
        self.regularization_button.setCheckable(True)
        self.regularization_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.regularization_button.setArrowType(Qt.ArrowType.RightArrow)
        self.regularization_button.setToolTip(
            "Show or hide weight penalties, early stopping, the learning-rate schedule, the test share and "
            "class weights.")
        self.regularization_content = content = QWidget()
        form = self._form(content)
        form.setContentsMargins(0, 0, 0, 0)
        form.addRow(schema.SETTINGS["l2"].label + ":", self.l2_spin)
        form.addRow(schema.SETTINGS["l1"].label + ":", self.l1_spin)
        form.addRow("Early stopping:", patience_widget)
        form.labelForField(patience_widget).setBuddy(self.early_stopping_check)
        form.addRow(schema.SETTINGS["min_delta"].label + ":", self.min_delta_spin)
        form.addRow("Schedule:", self.schedule_combo)
        form.addRow("Decay:", decay_widget)
        form.labelForField(decay_widget).setBuddy(self.lr_decay_check)
        form.addRow(schema.SETTINGS["lr_step"].label + ":", self.lr_step_spin)
        form.addRow(schema.SETTINGS["test_fraction"].label + ":", self.test_fraction_spin)
        form.addRow(weight.label + ":", self.class_weight_combo)
        self.regularization_form = form
        content.hide()
        self.regularization_button.toggled.connect(self.set_regularization_shown)
        box = QGroupBox()
        box_layout = QVBoxLayout(box)
        box_layout.addWidget(self.regularization_button)
        box_layout.addWidget(content)
        return box

    def set_regularization_shown(self, shown: bool) -> None:
        """Unfold (True) or fold the "Regularization and stopping" group."""
        self.regularization_button.blockSignals(True)
        self.regularization_button.setChecked(shown)
        self.regularization_button.blockSignals(False)
        self.regularization_button.setArrowType(Qt.ArrowType.DownArrow if shown else Qt.ArrowType.RightArrow)
        self.regularization_content.setVisible(shown)

    @staticmethod
    def _number_spin(name: str, step: float, maximum: float | None = None) -> NumberSpinBox:
        """A spin box for a number setting, with the schema's range and tooltip."""
        setting = schema.SETTINGS[name]
        low = setting.minimum if setting.minimum is not None else -1e9
        high = maximum if maximum is not None else setting.maximum if setting.maximum is not None else 1e9
        if setting.open_max:
            high = _nice(high - step, 6)
        spin = NumberSpinBox(low, high, step)
        spin.setToolTip(setting.tooltip())
        spin.setAccessibleName(setting.label)
        return spin

    @staticmethod
    def _form(box: QGroupBox) -> QFormLayout:
        form = QFormLayout(box)
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        return form

    def _controls(self) -> list[QWidget]:
        """Every input control, in tab order."""
        return [self.optimizer_combo, self.nesterov_check, self.beta1_spin, self.beta2_spin, self.epsilon_spin,
                self.rho_spin,
                self.learning_rate_spin, self.learning_rate_slider, self.epochs_spin, self.momentum_spin,
                self.loss_combo, self.update_mode_combo, self.batch_size_spin, self.shuffle_check,
                self.engine_combo, self.dtype_combo,
                self.l2_spin, self.l1_spin, self.early_stopping_check, self.patience_spin, self.min_delta_spin,
                self.schedule_combo, self.lr_decay_check, self.lr_decay_spin, self.lr_step_spin,
                self.test_fraction_spin, self.class_weight_combo,
                self.init_combo, self.init_low_spin, self.init_high_spin, self.init_std_spin, self.bias_combo,
                self.seed_spin, self.random_seed_check, self.target_rmse_check, self.target_rmse_spin]

    # -- public API ----------------------------------------------------------------------------
    def values(self) -> dict:
        """Every learning and initialisation setting as shown (names and values of the settings
        schema; ``seed`` is ``None`` with "Random seed" ticked)."""
        return {
            "learning_rate": self.learning_rate(), "epochs": self.epochs_spin.value(),
            "batch_size": self.batch_size(), "momentum": self.momentum_spin.value(),
            "shuffle": self.shuffle_check.isChecked(),
            "seed": None if self.random_seed_check.isChecked() else self.seed_spin.value(),
            "target_rmse": self.target_rmse_spin.value() if self.target_rmse_check.isChecked() else None,
            "loss": self.loss(), "engine": self.engine_combo.currentData(), "dtype": self.dtype_combo.currentData(),
            **self._optimizer_settings(), **self._regularization_settings(),
            **self._init_settings(),
        }

    def loss(self) -> str:
        """``"auto"``, ``"mse"`` or ``"cross_entropy"``."""
        return self.loss_combo.currentData()

    def learning_rate(self) -> float:
        return self.learning_rate_spin.value()

    def batch_size(self) -> int | None:
        """1 for per-sample updates, N for mini-batches, None for full batch."""
        mode = self.update_mode_combo.currentData()
        return {"per_sample": 1, "full_batch": None}.get(mode, self.batch_size_spin.value())

    def last_drawn_seed(self) -> int | None:
        """The seed drawn for the latest run with "Random seed" ticked, else None."""
        return self._last_drawn_seed

    def error_message(self) -> str:
        """The problem shown in the panel, or ``""``."""
        return self.error_label.text() if not self.error_label.isHidden() else ""

    def set_values(self, **values) -> None:
        """Set any of: learning_rate, epochs, batch_size (1, N or None), momentum, loss, shuffle,
        seed (None ticks "Random seed"), target_rmse (None unticks it), init, init_range, init_std,
        bias_init. ``validation_fraction`` is accepted and ignored (the data panel holds it), so
        ``set_values(**asdict(config))`` works. Signals nothing: only the user's edits are reported.
        """
        known = set(schema.names("learning")) | set(schema.names("init")) | {"validation_fraction"}
        unknown = set(values) - known
        if unknown:
            raise TypeError(f"set_values() got unknown settings: {', '.join(sorted(unknown))}")
        self._updating = True
        try:
            if "learning_rate" in values:
                self.learning_rate_spin.setValue(float(values["learning_rate"]))
            if "epochs" in values:
                self.epochs_spin.setValue(int(values["epochs"]))
            if "batch_size" in values:
                size = values["batch_size"]
                mode = "full_batch" if size is None else "per_sample" if int(size) == 1 else "mini_batch"
                if mode == "mini_batch":
                    self.batch_size_spin.setValue(int(size))
                self.update_mode_combo.setCurrentIndex(self.update_mode_combo.findData(mode))
            if "momentum" in values:
                self.momentum_spin.setValue(float(values["momentum"]))
            if "loss" in values:
                loss = str(values["loss"]).replace("-", "_")
                self._select(self.loss_combo, loss)
            if "shuffle" in values:
                self.shuffle_check.setChecked(bool(values["shuffle"]))
            for name, combo in (("engine", self.engine_combo), ("dtype", self.dtype_combo)):
                if name in values:
                    self._select(combo, schema.SETTINGS[name].check(values[name]))
            if "seed" in values:
                seed = values["seed"]
                self.random_seed_check.setChecked(seed is None)
                if seed is not None:
                    self.seed_spin.setValue(int(seed))
                    self.drawn_seed_label.hide()
            if "target_rmse" in values:
                target = values["target_rmse"]
                self.target_rmse_check.setChecked(target is not None)
                if target is not None:
                    self.target_rmse_spin.setValue(float(target))
            if "init" in values:
                self._select(self.init_combo, values["init"])
            if "init_range" in values:
                low, high = values["init_range"]
                self.init_low_spin.setValue(float(low))
                self.init_high_spin.setValue(float(high))
            if "init_std" in values:
                self.init_std_spin.setValue(float(values["init_std"]))
            if "bias_init" in values:
                self._select(self.bias_combo, values["bias_init"])
            self._set_new_values(values)
        finally:
            self._updating = False
        self._update_enabled()
        if not self._show_problem():
            try:  # the workspace owns the values: a change made here goes there too
                self.workspace.set_settings(**self.values())
            except DataError as error:
                self._show(str(error))

    def set_editable(self, editable: bool) -> None:
        """Lock (False) or unlock every control, e.g. while training."""
        for control in self._controls():
            control.setEnabled(editable)
        if editable:
            self._update_enabled()

    # -- reacting ------------------------------------------------------------------------------
    @Slot()
    def _edited(self) -> None:
        if self._updating:
            return
        self._update_enabled()
        if self.values() == self.workspace.settings:
            return  # nothing new (Return on refused text re-reports the old value): keep what the panel says
        refusal_shown = self._refused_in is not None and self._refused_in.hasFocus()
        problem = self._problem()
        if problem or not refusal_shown:
            self._show(problem)
            self._refused_in = None
        if not problem:
            try:
                self.workspace.set_settings(**self.values())
            except DataError as error:
                self._show(str(error))
        self.changed.emit()

    def _refused(self, control: QWidget, message: str) -> None:
        """A field refused what was typed (``message``), or (``""``) takes what is typed now."""
        if not message:
            if self._refused_in is control:  # the message about this field no longer holds
                self._refused_in = None
                self._show(self._problem())
            return
        self._refused_in = control
        self._show(message)
        # Also beside the field: the panel's message line may be scrolled out of sight (the
        # regularization and seed fields at 1280x800).
        QToolTip.showText(control.mapToGlobal(QPoint(0, control.height())), message, control)

    def _on_workspace_event(self, event: WorkspaceEvent) -> None:
        if event.kind == "settings":
            self.set_values(**self.workspace.settings)
        elif event.kind == "run" and self.workspace.run_state == "training" and self.random_seed_check.isChecked():
            self._show_drawn_seed(self.workspace.seed)
        if event.kind in ("run", "weights", "settings"):
            self.init_note_label.setText(self.workspace.init_note())

    @Slot(float)
    def _learning_rate_typed(self, value: float) -> None:
        if self.learning_rate_slider.isSliderDown():
            return  # the user is dragging: the slider leads
        self.learning_rate_slider.blockSignals(True)
        self.learning_rate_slider.setValue(round(math.log10(value) * SLIDER_STEPS_PER_DECADE))
        self.learning_rate_slider.blockSignals(False)

    @Slot(int)
    def _learning_rate_slid(self, position: int) -> None:
        value = _nice(10.0 ** (position / SLIDER_STEPS_PER_DECADE))
        self.learning_rate_spin.setValue(min(max(value, LEARNING_RATE_RANGE[0]), LEARNING_RATE_RANGE[1]))

    @Slot()
    def _update_enabled(self) -> None:
        mode = self.update_mode_combo.currentData()
        self.batch_size_spin.setEnabled(mode == "mini_batch")
        self.shuffle_check.setEnabled(mode != "full_batch")
        init = self.init_combo.currentData()
        for widget in (self.init_low_spin, self.init_high_spin, self.init_range_label):
            widget.setEnabled(init == "uniform")
        for widget in (self.init_std_spin, self.init_std_label):
            widget.setEnabled(init == "normal")
        self.seed_spin.setEnabled(not self.random_seed_check.isChecked())
        self.target_rmse_spin.setEnabled(self.target_rmse_check.isChecked())
        # the optimizer's own settings are shown; settings it does not read are greyed out
        own = OPTIMIZER_OPTIONS.get(self.optimizer_combo.currentData(), ())
        for name, widget in self._optimizer_rows.items():
            self.optimizer_form.setRowVisible(widget, name in own)
        uses_steps = "learning_rate" in own
        self.learning_rate_spin.setEnabled(uses_steps)
        self.learning_rate_slider.setEnabled(uses_steps)
        self.momentum_spin.setEnabled("momentum" in own)
        self.update_mode_combo.setEnabled("batch_size" in own)
        self.batch_size_spin.setEnabled(mode == "mini_batch" and "batch_size" in own)
        self.shuffle_check.setEnabled(mode != "full_batch" and "shuffle" in own)
        schedule = self.schedule_combo.currentData()
        self.schedule_combo.setEnabled("lr_schedule" in own)
        self.lr_decay_check.setEnabled("lr_decay" in own and schedule != "constant")
        self.lr_decay_spin.setEnabled(self.lr_decay_check.isEnabled() and self.lr_decay_check.isChecked())
        self.lr_step_spin.setEnabled("lr_step" in own and schedule == "step")
        self.patience_spin.setEnabled(self.early_stopping_check.isChecked())
        self.min_delta_spin.setEnabled(self.early_stopping_check.isChecked())
        self._update_engine_choices()

    def _update_engine_choices(self) -> None:
        """Grey out the optimizers, engines and precisions that cannot train together with the other
        two chosen, with the core's reason as their tooltip (``training.engine_refusal`` owns the
        combinations; Train refuses the same ones with the same words). So the panel never offers a
        combination Train would refuse: L-BFGS is greyed while *Compiled* is chosen, and the other way round."""
        optimizer = self.optimizer_combo.currentData()
        engine, dtype = self.engine_combo.currentData(), self.dtype_combo.currentData()
        for combo, name, refusal in (
                (self.optimizer_combo, "optimizer", lambda value: engine_refusal(engine, value, dtype)),
                (self.engine_combo, "engine", lambda value: engine_refusal(value, optimizer, dtype)),
                (self.dtype_combo, "dtype", lambda value: engine_refusal(engine, optimizer, value))):
            reasons = []
            for index in range(combo.count()):
                reason = refusal(combo.itemData(index))
                combo.model().item(index).setEnabled(not reason)
                combo.setItemData(index, reason or None, Qt.ItemDataRole.ToolTipRole)
                if reason:
                    reasons.append(f"{combo.itemText(index)}: not with these settings. {reason}")
            combo.setToolTip("\n\n".join([schema.SETTINGS[name].tooltip(), *reasons]))

    # -- helpers -------------------------------------------------------------------------------
    def _optimizer_settings(self) -> dict:
        return {"optimizer": self.optimizer_combo.currentData(), "nesterov": self.nesterov_check.isChecked(),
                "beta1": self.beta1_spin.value(), "beta2": self.beta2_spin.value(),
                "epsilon": self.epsilon_spin.value(), "rho": self.rho_spin.value()}

    def _regularization_settings(self) -> dict:
        weight = self.class_weight_combo.currentData()
        return {
            "l2": self.l2_spin.value(), "l1": self.l1_spin.value(),
            "early_stopping_patience": self.patience_spin.value() if self.early_stopping_check.isChecked() else None,
            "min_delta": self.min_delta_spin.value(), "lr_schedule": self.schedule_combo.currentData(),
            "lr_decay": self.lr_decay_spin.value() if self.lr_decay_check.isChecked() else None,
            "lr_step": self.lr_step_spin.value(), "test_fraction": self.test_fraction_spin.value(),
            "class_weight": None if weight == NO_CLASS_WEIGHT else weight,
        }

    def _set_new_values(self, values: dict) -> None:
        """The optimizer, regularization and stopping part of :meth:`set_values`."""
        if "optimizer" in values:
            self._select(self.optimizer_combo, schema.SETTINGS["optimizer"].check(values["optimizer"]))
        if "nesterov" in values:
            self.nesterov_check.setChecked(bool(values["nesterov"]))
        for name in ("beta1", "beta2", "epsilon", "rho", "l2", "l1", "min_delta", "test_fraction"):
            if name in values:
                getattr(self, f"{name}_spin").setValue(float(values[name]))
        if "early_stopping_patience" in values:
            patience = values["early_stopping_patience"]
            self.early_stopping_check.setChecked(patience is not None)
            if patience is not None:
                self.patience_spin.setValue(int(patience))
        if "lr_schedule" in values:
            self._select(self.schedule_combo, schema.SETTINGS["lr_schedule"].check(values["lr_schedule"]))
        if "lr_decay" in values:
            decay = values["lr_decay"]
            self.lr_decay_check.setChecked(decay is not None)
            if decay is not None:
                self.lr_decay_spin.setValue(float(decay))
        if "lr_step" in values:
            self.lr_step_spin.setValue(int(values["lr_step"]))
        if "class_weight" in values:
            weight = values["class_weight"]
            self._select(self.class_weight_combo, NO_CLASS_WEIGHT if weight is None else weight)

    def _init_settings(self) -> dict:
        return {
            "init": self.init_combo.currentData(),
            "init_range": (self.init_low_spin.value(), self.init_high_spin.value()),
            "init_std": self.init_std_spin.value(),
            "bias_init": self.bias_combo.currentData(),
        }

    def _problem(self) -> str:
        """The settings schema's message for the values shown, or ``""`` when they are valid."""
        try:
            schema.check(self.values())
        except DataError as error:
            return str(error)
        return ""

    def _show_problem(self) -> str:
        message = self._problem()
        self._show(message)
        return message

    def _show(self, message: str) -> None:
        self.error_label.setText(message)
        self.error_label.setVisible(bool(message))

    def _show_drawn_seed(self, seed: int) -> None:
        self._last_drawn_seed = seed
        self.seed_spin.blockSignals(True)  # drawing a seed is not a user edit
        self.seed_spin.setValue(seed)
        self.seed_spin.blockSignals(False)
        self.drawn_seed_label.setText(f"This run's seed: {seed}. Untick Random seed to repeat it.")
        self.drawn_seed_label.show()

    @staticmethod
    def _select(combo: QComboBox, value: str) -> None:
        index = combo.findData(value)
        if index < 0:
            raise DataError(f"Unknown setting {value!r}; choose one of: "
                            f"{', '.join(combo.itemData(i) for i in range(combo.count()))}.")
        combo.setCurrentIndex(index)


def main() -> int:
    """Show the panel alone with the health-score tutorial's settings."""
    app = QApplication.instance() or QApplication(sys.argv)
    panel = ParameterPanel()
    panel.setWindowTitle("Parameter panel — demo")
    panel.set_values(learning_rate=0.005, epochs=2000, batch_size=1, init="uniform", init_range=(0.1, 0.9),
                     seed=1)
    panel.resize(320, 700)
    panel.show()
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())
