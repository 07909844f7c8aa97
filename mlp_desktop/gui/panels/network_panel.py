"""The network panel: hidden layers (size and activation) and the output layer's activation.

A compact form until the diagram editor replaces it. The input and output sizes are not chosen
here: they follow the data (:meth:`NetworkPanel.set_io`). What ``auto`` means is decided by
:class:`mlp_desktop.core.model.NetworkSpec`. Run alone with
``python -m mlp_desktop.gui.panels.network_panel``.
"""

from __future__ import annotations

import sys

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from ...core.activations import ACTIVATIONS
from ...core.model import NetworkSpec

MAX_NEURONS = 10_000

ACTIVATION_LABELS: dict[str, str] = {
    "identity": "identity",
    "sigmoid": "sigmoid",
    "tanh": "tanh",
    "relu": "ReLU",
    "leaky_relu": "leaky ReLU",
    "softmax": "softmax",
}
"""Activation name (a key of ``core.activations.ACTIVATIONS``) -> text shown."""

HIDDEN_ACTIVATIONS = tuple(name for name, activation in ACTIVATIONS.items() if not activation.output_only)
OUTPUT_ACTIVATIONS = ("identity", "sigmoid", "tanh", "softmax")
NAMES_SHOWN = 4


def _activation_tip(name: str) -> str:
    activation = ACTIVATIONS.get(name)
    return f"{ACTIVATION_LABELS.get(name, name)}: {activation.formula}" if activation else name


def _name_list(names: list[str]) -> str:
    """``age, exercise, diet`` or ``a, b, c, d, … (12 more)``."""
    if len(names) <= NAMES_SHOWN:
        return ", ".join(names)
    return ", ".join(names[:NAMES_SHOWN]) + f", … ({len(names) - NAMES_SHOWN} more)"


class _LayerRow:
    """One hidden layer's controls: a label, a neuron count and an activation."""

    def __init__(self, number: int, size: int, activation: str, on_change):
        self.label = QLabel(f"Layer {number}:")
        self.size_spin = QSpinBox()
        self.size_spin.setRange(1, MAX_NEURONS)
        self.size_spin.setValue(size)
        self.size_spin.setToolTip("How many neurons this hidden layer has.")
        self.size_spin.setAccessibleName(f"Neurons in hidden layer {number}")
        self.label.setBuddy(self.size_spin)
        self.activation_combo = QComboBox()
        for name in HIDDEN_ACTIVATIONS:
            self.activation_combo.addItem(ACTIVATION_LABELS.get(name, name), name)
            self.activation_combo.setItemData(self.activation_combo.count() - 1, _activation_tip(name),
                                              Qt.ItemDataRole.ToolTipRole)
        self.activation_combo.setToolTip("The function each neuron of this layer applies to its weighted sum.")
        self.activation_combo.setAccessibleName(f"Activation of hidden layer {number}")
        self.set_activation(activation)
        self.size_spin.valueChanged.connect(on_change)
        self.activation_combo.currentIndexChanged.connect(on_change)

    def widgets(self) -> tuple[QWidget, QWidget, QWidget]:
        return self.label, self.size_spin, self.activation_combo

    def setEnabled(self, enabled: bool) -> None:
        for widget in self.widgets():
            widget.setEnabled(enabled)

    def delete(self) -> None:
        for widget in self.widgets():
            widget.hide()
            widget.deleteLater()

    def set_activation(self, name: str) -> None:
        index = self.activation_combo.findData(name)
        if index < 0:
            raise ValueError(f"unknown hidden activation {name!r}")
        self.activation_combo.setCurrentIndex(index)

    def activation(self) -> str:
        return self.activation_combo.currentData()


class NetworkPanel(QWidget):
    """Choose the hidden layers and the output activation; shows the resulting shape.

    Signals
    -------
    specChanged() : a layer was added or removed, or a size or activation changed.
    """

    specChanged = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._rows: list[_LayerRow] = []
        self._input_names: list[str] = []
        self._output_names: list[str] = []
        self._task: str | None = None
        self._editable = True
        self._build()
        self.set_spec(NetworkSpec())

    # -- building ------------------------------------------------------------------------------
    def _build(self) -> None:
        self.shape_label = QLabel()
        self.shape_label.setWordWrap(True)
        self.shape_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.shape_label.setToolTip("The network's layers from inputs to outputs; inputs and outputs follow the data.")

        self.layers_box = QGroupBox("Hidden layers")
        self.layers_grid = QGridLayout()
        self.layers_grid.setColumnStretch(1, 1)
        self.layers_grid.setColumnStretch(2, 1)
        self.layers_heading = [QLabel("Neurons"), QLabel("Activation")]
        for column, heading in enumerate(self.layers_heading, start=1):
            self.layers_grid.addWidget(heading, 0, column)
        self.no_layers_label = QLabel("None: the inputs connect straight to the outputs.")
        self.no_layers_label.setWordWrap(True)
        self.add_button = QPushButton("Add layer")
        self.add_button.setToolTip("Add a hidden layer after the last one.")
        self.add_button.clicked.connect(self._add_clicked)
        self.remove_button = QPushButton("Remove layer")
        self.remove_button.setToolTip("Remove the last hidden layer.")
        self.remove_button.clicked.connect(self._remove_clicked)
        buttons = QHBoxLayout()
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.remove_button)
        box_layout = QVBoxLayout(self.layers_box)
        box_layout.addLayout(self.layers_grid)
        box_layout.addWidget(self.no_layers_label)
        box_layout.addLayout(buttons)

        self.output_combo = QComboBox()
        self.output_combo.addItem("Auto", "auto")
        for name in OUTPUT_ACTIVATIONS:
            self.output_combo.addItem(ACTIVATION_LABELS.get(name, name), name)
            self.output_combo.setItemData(self.output_combo.count() - 1, _activation_tip(name),
                                          Qt.ItemDataRole.ToolTipRole)
        self.output_combo.setToolTip(
            "The function of the output neurons; Auto picks the usual one for the task.")
        self.output_combo.currentIndexChanged.connect(self._output_changed)
        self.auto_label = QLabel()
        self.auto_label.setWordWrap(True)
        self.auto_label.setToolTip("What the Auto output activation stands for.")
        output_box = QGroupBox("Output layer")
        output_form = QFormLayout(output_box)
        output_form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        output_form.addRow("&Activation:", self.output_combo)
        output_form.addRow(self.auto_label)

        layout = QVBoxLayout(self)
        layout.addWidget(self.shape_label)
        layout.addWidget(self.layers_box)
        layout.addWidget(output_box)
        layout.addStretch(1)

    # -- public API ----------------------------------------------------------------------------
    def set_io(self, input_names: list[str], output_names: list[str]) -> None:
        """Show the data's input and output columns (the network's first and last layer)."""
        self._input_names, self._output_names = list(input_names), list(output_names)
        self._update_shape()

    def set_task(self, task: str | None) -> None:
        """Say what ``auto`` resolves to for ``"regression"`` or ``"classification"`` (None: unknown)."""
        self._task = task
        self._update_auto_label()

    def set_spec(self, spec: NetworkSpec) -> None:
        """Show the hidden layers, their activations and the output activation of ``spec``."""
        activations = spec.hidden_activations()
        for row in self._rows:
            row.delete()
        self._rows = []
        for size, activation in zip(spec.hidden_layers, activations):
            self._append_row(int(size), activation)
        index = self.output_combo.findData(spec.output_activation)
        if index < 0:  # an activation the core allows but this list does not offer
            self.output_combo.addItem(ACTIVATION_LABELS.get(spec.output_activation, spec.output_activation),
                                      spec.output_activation)
            index = self.output_combo.count() - 1
        self.output_combo.blockSignals(True)
        self.output_combo.setCurrentIndex(index)
        self.output_combo.blockSignals(False)
        self._layers_changed()

    def spec(self, **other_settings) -> NetworkSpec:
        """A :class:`NetworkSpec` of this panel's choices plus ``other_settings`` (loss, init, ...)."""
        return NetworkSpec(hidden_layers=self.hidden_layers(), activations=self.hidden_activations(),
                           output_activation=self.output_activation(), **other_settings)

    def hidden_layers(self) -> list[int]:
        """Neurons per hidden layer, first to last."""
        return [row.size_spin.value() for row in self._rows]

    def hidden_activations(self) -> list[str]:
        """One activation name per hidden layer."""
        return [row.activation() for row in self._rows]

    def output_activation(self) -> str:
        """``"auto"`` or an activation name."""
        return self.output_combo.currentData()

    def set_editable(self, editable: bool) -> None:
        """Lock (False) or unlock every choice, e.g. while training."""
        self._editable = editable
        for row in self._rows:
            row.setEnabled(editable)
        self.output_combo.setEnabled(editable)
        self._update_buttons()

    # -- reacting ------------------------------------------------------------------------------
    @Slot()
    def _add_clicked(self) -> None:
        default = NetworkSpec()
        size = self._rows[-1].size_spin.value() if self._rows else default.hidden_layers[0]
        activation = self._rows[-1].activation() if self._rows else default.hidden_activations()[0]
        row = self._append_row(size, activation)
        self._layers_changed()
        row.size_spin.setFocus()

    @Slot()
    def _remove_clicked(self) -> None:
        if self._rows:
            self._rows.pop().delete()
            self._layers_changed()

    @Slot()
    def _output_changed(self) -> None:
        self._update_auto_label()
        self.specChanged.emit()

    @Slot()
    def _row_changed(self) -> None:
        self._update_shape()
        self.specChanged.emit()

    # -- helpers -------------------------------------------------------------------------------
    def _append_row(self, size: int, activation: str) -> _LayerRow:
        row = _LayerRow(len(self._rows) + 1, size, activation, self._row_changed)
        row.setEnabled(self._editable)
        self._rows.append(row)
        for column, widget in enumerate(row.widgets()):
            self.layers_grid.addWidget(widget, len(self._rows), column)
        return row

    def _layers_changed(self) -> None:
        self.no_layers_label.setVisible(not self._rows)
        for heading in self.layers_heading:
            heading.setVisible(bool(self._rows))
        self._update_buttons()
        self._update_shape()
        self._update_auto_label()
        self._chain_tab_order()
        self.specChanged.emit()

    def _update_buttons(self) -> None:
        self.add_button.setEnabled(self._editable)
        self.remove_button.setEnabled(self._editable and bool(self._rows))

    def _update_shape(self) -> None:
        def end(what: str, names: list[str]) -> str:
            if not names:
                return f"{what}: from the data"
            return f"{what}: {len(names)} ({_name_list(names)})"

        parts = [end("Inputs", self._input_names), *map(str, self.hidden_layers()),
                 end("Outputs", self._output_names)]
        self.shape_label.setText(" → ".join(parts))

    def _update_auto_label(self) -> None:
        auto = NetworkSpec(output_activation="auto")
        if self._task is not None:
            text = f"Auto uses {auto.resolved_output(self._task)} for this {self._task} task."
        else:
            text = (f"Auto uses {auto.resolved_output('classification')} to predict classes and "
                    f"{auto.resolved_output('regression')} to predict numbers.")
        self.auto_label.setText(text)
        self.auto_label.setEnabled(self.output_activation() == "auto")

    def _chain_tab_order(self) -> None:
        chain = [widget for row in self._rows for widget in (row.size_spin, row.activation_combo)]
        chain += [self.add_button, self.remove_button, self.output_combo]
        for first, second in zip(chain, chain[1:]):
            QWidget.setTabOrder(first, second)


def main() -> int:
    """Show the panel alone with the health-score tutorial's 3-2-1 network."""
    app = QApplication.instance() or QApplication(sys.argv)
    panel = NetworkPanel()
    panel.setWindowTitle("Network panel — demo")
    panel.set_spec(NetworkSpec(hidden_layers=[2], activations="identity", output_activation="identity"))
    panel.set_io(["age", "exercise", "diet"], ["output"])
    panel.set_task("regression")
    panel.resize(320, 420)
    panel.show()
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())
