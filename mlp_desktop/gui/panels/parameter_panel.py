"""The parameter panel: learning rate, epochs, update mode, momentum, loss, initialisation, seed.

Labels, choices and tooltips come from the settings schema (:mod:`mlp_desktop.core.settings`), which
also checks every value; the panel shows the schema's message when a value is invalid and hands
valid ones to the workspace. Run alone with
``python -m mlp_desktop.gui.panels.parameter_panel``.
"""

from __future__ import annotations

import math
import sys

from PySide6.QtCore import Qt, Signal, Slot
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
    QVBoxLayout,
    QWidget,
)

from ...core import settings as schema
from ...core.errors import DataError
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

def _nice(value: float, digits: int = 2) -> float:
    """``value`` rounded to ``digits`` significant digits (0.005012 -> 0.005)."""
    return float(f"{value:.{digits}g}")


class NumberSpinBox(QDoubleSpinBox):
    """A spin box that shows numbers in their short form (``0.005``, ``1e-05``), not fixed decimals."""

    def __init__(self, minimum: float, maximum: float, step: float = 0.1, parent: QWidget | None = None):
        super().__init__(parent)
        self.setDecimals(12)
        self.setRange(minimum, maximum)
        self.setSingleStep(step)
        self.setKeyboardTracking(True)

    def textFromValue(self, value: float) -> str:
        return f"{value:.6g}"

    def valueFromText(self, text: str) -> float:
        try:
            return float(text.strip().replace(",", "."))
        except ValueError:
            return self.value()

    def validate(self, text: str, position: int):
        candidate = text.strip().replace(",", ".")
        try:
            value = float(candidate)
        except ValueError:
            partial = candidate in ("", "-", "+", ".", "-.", "+.") or candidate[-1:] in ("e", "E", "-", "+")
            state = QValidator.State.Intermediate if partial else QValidator.State.Invalid
            return state, text, position
        if not math.isfinite(value):
            return QValidator.State.Invalid, text, position
        if self.minimum() <= value <= self.maximum():
            return QValidator.State.Acceptable, text, position
        return QValidator.State.Intermediate, text, position


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
        self._last_drawn_seed: int | None = None
        self._build()
        self.set_values(**self.workspace.settings)
        self.workspace.subscribe(self._on_workspace_event)

    # -- building ------------------------------------------------------------------------------
    def _build(self) -> None:
        # Learning
        self.learning_rate_spin = LearningRateSpinBox(*LEARNING_RATE_RANGE)
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

        self.epochs_spin = QSpinBox()
        self.epochs_spin.setRange(1, MAX_EPOCHS)
        self.epochs_spin.setSingleStep(100)
        self.epochs_spin.setToolTip(schema.SETTINGS["epochs"].tooltip())

        self.momentum_spin = NumberSpinBox(0.0, 0.99, 0.05)
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
        self.batch_size_spin = QSpinBox()
        self.batch_size_spin.setRange(2, MAX_BATCH_SIZE)
        self.batch_size_spin.setValue(32)
        self.batch_size_spin.setPrefix("N = ")
        self.batch_size_spin.setToolTip("How many rows each mini-batch update averages over.")
        self.shuffle_check = QCheckBox("Shuffle rows every epoch")
        self.shuffle_check.setToolTip("Visit the training rows in a new random order in each epoch.")
        self.update_mode_combo.currentIndexChanged.connect(self._update_enabled)

        updates_box = QGroupBox("Updates")
        updates_form = self._form(updates_box)
        updates_form.addRow("&Update:", self.update_mode_combo)
        updates_form.addRow("&Batch size:", self.batch_size_spin)
        updates_form.addRow(self.shuffle_check)

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
        range_row = QHBoxLayout()
        range_row.setContentsMargins(0, 0, 0, 0)
        range_row.addWidget(self.init_low_spin, 1)
        range_row.addWidget(QLabel("to"))
        range_row.addWidget(self.init_high_spin, 1)
        self.init_range_widget = QWidget()
        self.init_range_widget.setLayout(range_row)
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
        self.seed_spin = QSpinBox()
        self.seed_spin.setRange(0, MAX_SEED)
        self.seed_spin.setToolTip(schema.SETTINGS["seed"].tooltip())
        self.random_seed_check = QCheckBox("Random seed")
        self.random_seed_check.setToolTip("Draw a new seed for every run; the drawn seed is shown so you can reuse it.")
        self.random_seed_check.toggled.connect(self._update_enabled)
        self.drawn_seed_label = QLabel()
        self.drawn_seed_label.setWordWrap(True)
        self.drawn_seed_label.setToolTip("The seed drawn for the latest run; untick Random seed to repeat it.")
        self.drawn_seed_label.hide()
        seed_row = QHBoxLayout()
        seed_row.setContentsMargins(0, 0, 0, 0)
        seed_row.addWidget(self.seed_spin, 1)
        seed_row.addWidget(self.random_seed_check)
        seed_widget = QWidget()
        seed_widget.setLayout(seed_row)

        self.target_rmse_check = QCheckBox("Stop at RMSE")
        self.target_rmse_check.setToolTip("Stop training early once the training error falls to this value.")
        self.target_rmse_spin = NumberSpinBox(0.0, 1e9, 0.01)
        self.target_rmse_spin.setValue(0.01)
        self.target_rmse_spin.setToolTip("The training RMSE (root-mean-square error) at which training stops.")
        self.target_rmse_spin.setAccessibleName("Target RMSE")
        self.target_rmse_check.toggled.connect(self._update_enabled)
        stop_row = QHBoxLayout()
        stop_row.setContentsMargins(0, 0, 0, 0)
        stop_row.addWidget(self.target_rmse_check)
        stop_row.addWidget(self.target_rmse_spin, 1)
        stop_widget = QWidget()
        stop_widget.setLayout(stop_row)

        run_box = QGroupBox("Repeatability and stopping")
        run_form = self._form(run_box)
        run_form.addRow("See&d:", seed_widget)
        run_form.labelForField(seed_widget).setBuddy(self.seed_spin)
        run_form.addRow(self.drawn_seed_label)
        run_form.addRow(stop_widget)

        self.error_label = error_label()

        layout = QVBoxLayout(self)
        layout.addWidget(self.error_label)
        for box in (learning_box, updates_box, init_box, run_box):
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
        order = self._controls()
        for first, second in zip(order, order[1:]):
            QWidget.setTabOrder(first, second)

    @staticmethod
    def _form(box: QGroupBox) -> QFormLayout:
        form = QFormLayout(box)
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        return form

    def _controls(self) -> list[QWidget]:
        """Every input control, in tab order."""
        return [self.learning_rate_spin, self.learning_rate_slider, self.epochs_spin, self.momentum_spin,
                self.loss_combo, self.update_mode_combo, self.batch_size_spin, self.shuffle_check,
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
            "loss": self.loss(), **self._init_settings(),
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
        if not self._show_problem():
            try:
                self.workspace.set_settings(**self.values())
            except DataError as error:
                self._show(str(error))
        self.changed.emit()

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

    # -- helpers -------------------------------------------------------------------------------
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
