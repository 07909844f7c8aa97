"""Step-through: the numbers written on the diagram are the engine's for that row."""

import numpy as np
import pytest

from mlp_desktop.core.data import read_table
from mlp_desktop.core.samples import sample_path
from mlp_desktop.core.workspace import Workspace
from mlp_desktop.gui.panels.step_panel import StepPanel


@pytest.fixture
def panel(qtbot):
    workspace = Workspace()
    workspace.open_table(read_table(sample_path("health_score")), {
        "hidden_layers": [2], "activations": ["sigmoid"], "output_activation": "auto", "input_scaling": "minmax",
        "validation_fraction": 0.0, "parameters": {"epochs": 10, "learning_rate": 0.1, "seed": 1}})
    shown = []
    panel = StepPanel(workspace, lambda neurons, edges: shown.append((neurons, edges)), lambda: shown.append(None))
    qtbot.addWidget(panel)
    panel.shown = shown
    return panel


def test_forward_backward_update_match_the_engine(panel):
    session = panel.session
    panel.row_spin.setValue(4)  # spreadsheet row 4: the third person (17, 7, 7 -> 9)
    panel.forward_button.click()
    neurons, edges = panel.shown[-1]
    frame = session.dataset.frame.iloc[[2]]
    x = session.preprocessor.transform_inputs(frame)
    trace = session.net.forward_layers(x)
    assert neurons[(0, 0)] == f"x={x[0, 0]:.4g}"
    assert neurons[(1, 1)] == f"z={trace[0].z[0, 1]:.4g}\na={trace[0].a[0, 1]:.4g}"
    assert not panel.update_button.isEnabled()

    panel.backward_button.click()
    neurons, edges = panel.shown[-1]
    y = session.preprocessor.transform_targets(frame)
    _, weight_grads, bias_grads = session.net.loss_and_gradients(x, y, session.loss)
    assert edges[(1, 2, 1)] == f"∂={weight_grads[0][2, 1]:.4g}"
    assert neurons[(2, 0)] == f"δ={bias_grads[1][0]:.4g}"

    before = session.net.get_parameters()
    with_weights_changed = []
    panel.weightsChanged.connect(lambda: with_weights_changed.append(True))
    panel.update_button.click()
    expected = before - 0.1 * np.concatenate([np.concatenate([w.ravel(), b]) for w, b in zip(weight_grads, bias_grads)])
    np.testing.assert_allclose(session.net.get_parameters(), expected, rtol=1e-13)
    assert with_weights_changed and "Δ" in panel.shown[-1][1][(1, 0, 0)]


def test_changing_the_row_clears_the_diagram(panel):
    panel.forward_button.click()
    panel.row_spin.setValue(panel.row_spin.value() + 1)
    assert panel.shown[-1] is None and not panel.backward_button.isEnabled()
