"""The network panel, driven the way a user drives it."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractButton, QAbstractSpinBox, QComboBox

from mlp_desktop.core.model import NetworkSpec
from mlp_desktop.gui.panels.network_panel import NetworkPanel


@pytest.fixture
def panel(qtbot):
    panel = NetworkPanel()
    qtbot.addWidget(panel)
    panel.resize(300, 420)
    panel.show()
    qtbot.waitExposed(panel)
    return panel


def test_starts_with_the_core_default_network(panel):
    default = NetworkSpec()
    assert panel.hidden_layers() == default.hidden_layers
    assert panel.hidden_activations() == default.hidden_activations()
    assert panel.output_activation() == "auto"


def test_add_and_remove_layers(panel, qtbot):
    with qtbot.waitSignal(panel.specChanged):
        qtbot.mouseClick(panel.add_button, Qt.MouseButton.LeftButton)
    assert panel.hidden_layers() == [8, 8]  # a new layer copies the last one
    assert panel.shape_label.text() == "Inputs: from the data → 8 → 8 → Outputs: from the data"

    with qtbot.waitSignal(panel.specChanged):
        qtbot.mouseClick(panel.remove_button, Qt.MouseButton.LeftButton)
    assert panel.hidden_layers() == [8]
    qtbot.mouseClick(panel.remove_button, Qt.MouseButton.LeftButton)
    assert panel.hidden_layers() == [] and panel.hidden_activations() == []
    assert not panel.remove_button.isEnabled()
    assert not panel.no_layers_label.isHidden()
    qtbot.mouseClick(panel.add_button, Qt.MouseButton.LeftButton)
    assert panel.hidden_layers() == [NetworkSpec().hidden_layers[0]]
    assert panel.remove_button.isEnabled() and panel.no_layers_label.isHidden()


def test_typing_a_neuron_count_and_choosing_an_activation(panel, qtbot):
    row = panel._rows[0]
    row.size_spin.lineEdit().selectAll()
    with qtbot.waitSignal(panel.specChanged):
        qtbot.keyClicks(row.size_spin.lineEdit(), "25")
    assert panel.hidden_layers() == [25]
    row.size_spin.setValue(50_000)  # bounded by the spin box
    assert panel.hidden_layers() == [10_000]

    offered = [row.activation_combo.itemData(i) for i in range(row.activation_combo.count())]
    assert offered == ["identity", "sigmoid", "tanh", "relu", "leaky_relu"]
    with qtbot.waitSignal(panel.specChanged):
        row.activation_combo.setCurrentIndex(offered.index("relu"))
    assert panel.hidden_activations() == ["relu"]


def test_output_activation_and_what_auto_means(panel, qtbot):
    offered = [panel.output_combo.itemData(i) for i in range(panel.output_combo.count())]
    assert offered == ["auto", "identity", "sigmoid", "tanh", "softmax"]
    assert "softmax" in panel.auto_label.text() and "identity" in panel.auto_label.text()
    panel.set_task("classification")
    assert panel.auto_label.text() == "Auto uses softmax for this classification task."
    panel.set_task("regression")
    assert panel.auto_label.text() == "Auto uses identity for this regression task."
    with qtbot.waitSignal(panel.specChanged):
        panel.output_combo.setCurrentIndex(offered.index("sigmoid"))
    assert panel.output_activation() == "sigmoid"


def test_set_io_shows_the_shape(panel):
    panel.set_spec(NetworkSpec(hidden_layers=[2], activations="identity"))
    panel.set_io(["age", "exercise", "diet"], ["output"])
    assert panel.shape_label.text() == "Inputs: 3 (age, exercise, diet) → 2 → Outputs: 1 (output)"
    panel.set_io([f"x{i}" for i in range(10)], ["a", "b"])
    assert panel.shape_label.text() == "Inputs: 10 (x0, x1, x2, x3, … (6 more)) → 2 → Outputs: 2 (a, b)"


def test_spec_round_trip(panel, qtbot):
    spec = NetworkSpec(hidden_layers=[5, 3], activations=["relu", "sigmoid"], output_activation="softmax")
    with qtbot.waitSignal(panel.specChanged):
        panel.set_spec(spec)
    assert panel.hidden_layers() == [5, 3]
    assert panel.hidden_activations() == ["relu", "sigmoid"]
    assert panel.output_activation() == "softmax"
    again = panel.spec(loss="mse", init="he")
    assert (again.hidden_layers, again.activations, again.output_activation) == ([5, 3], ["relu", "sigmoid"],
                                                                                 "softmax")
    assert again.loss == "mse" and again.init == "he"
    # One activation name for all layers is spread over them.
    panel.set_spec(NetworkSpec(hidden_layers=[4, 4, 4], activations="tanh"))
    assert panel.hidden_activations() == ["tanh"] * 3


def test_set_editable_locks_every_choice(panel):
    panel.set_editable(False)
    assert not panel.add_button.isEnabled() and not panel.remove_button.isEnabled()
    assert not panel._rows[0].size_spin.isEnabled() and not panel.output_combo.isEnabled()
    panel.set_editable(True)
    assert panel.add_button.isEnabled() and panel._rows[0].activation_combo.isEnabled()


def test_every_control_explains_itself(panel, qtbot):
    qtbot.mouseClick(panel.add_button, Qt.MouseButton.LeftButton)
    controls = panel.findChildren(QComboBox) + panel.findChildren(QAbstractSpinBox) \
        + panel.findChildren(QAbstractButton)
    assert len(controls) >= 7
    assert all(control.toolTip() for control in controls)
