"""Step-through: the numbers written on the diagram and in the table are the engine's for that row;
the labels on the diagram can be read (none covers another, none is too small) at 1280x800."""

import itertools

import numpy as np
import pytest
from PySide6.QtCore import QPointF, QRectF, QSizeF
from PySide6.QtGui import QFontMetricsF

from mlp_desktop.core.data import read_table
from mlp_desktop.core.samples import sample_path
from mlp_desktop.core.workspace import Workspace
from mlp_desktop.gui.editor import style
from mlp_desktop.gui.editor.style import NEURON_RADIUS
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
    assert neurons[(0, 0)][0] == f"x={x[0, 0]:.3g}"  # (label, tooltip with 4 digits[, shorter label])
    assert neurons[(1, 1)][:2] == (f"z={trace[0].z[0, 1]:.3g}\na={trace[0].a[0, 1]:.3g}",
                                   f"z = {trace[0].z[0, 1]:.4g} (weighted sum + bias)\n"
                                   f"a = {trace[0].a[0, 1]:.4g} (activation of z)")
    assert not panel.update_button.isEnabled()

    panel.backward_button.click()
    neurons, edges = panel.shown[-1]
    y = session.preprocessor.transform_targets(frame)
    _, weight_grads, bias_grads = session.net.loss_and_gradients(x, y, session.loss)
    assert edges[(1, 2, 1)][0] == f"∂={weight_grads[0][2, 1]:.3g}"
    assert neurons[(2, 0)][0] == f"δ={bias_grads[1][0]:.3g}"
    magnitudes = [abs(weight_grads[k - 1][i, j]) for k, i, j in edges]
    assert magnitudes == sorted(magnitudes, reverse=True)  # the largest first: the diagram shows those that fit

    before = session.net.get_parameters()
    with_weights_changed = []
    panel.weightsChanged.connect(lambda: with_weights_changed.append(True))
    panel.update_button.click()
    expected = before - 0.1 * np.concatenate([np.concatenate([w.ravel(), b]) for w, b in zip(weight_grads, bias_grads)])
    np.testing.assert_allclose(session.net.get_parameters(), expected, rtol=1e-13)
    assert with_weights_changed and panel.shown[-1][1][(1, 0, 0)][0].startswith("Δw=")


def test_changing_the_row_clears_the_diagram(panel):
    panel.forward_button.click()
    panel.row_spin.setValue(panel.row_spin.value() + 1)
    assert panel.shown[-1] is None and not panel.backward_button.isEnabled()


def table_rows(panel) -> list[list[str]]:
    model = panel.table_model
    return [[model.cell_text(row, column) for column in range(model.columnCount())] for row in range(model.rowCount())]


def test_the_table_lists_every_weight_its_gradient_and_after_update_its_new_value_and_change(panel):
    session = panel.session
    panel.row_spin.setValue(2)
    before = session.net.get_parameters()
    panel.forward_button.click()
    rows = table_rows(panel)
    assert [row[0] for row in rows] == ["W1[0,0]", "W1[0,1]", "W1[1,0]", "W1[1,1]", "W1[2,0]", "W1[2,1]",
                                         "b1[0]", "b1[1]", "W2[0,0]", "W2[1,0]", "b2[0]"]
    assert [row[1] for row in rows] == [f"{v:.4g}" for v in before] and all(row[2:] == ["", "", ""] for row in rows)
    panel.backward_button.click()
    frame = session.dataset.frame.iloc[[0]]
    x, y = session.preprocessor.transform_inputs(frame), session.preprocessor.transform_targets(frame)
    _, weight_grads, bias_grads = session.net.loss_and_gradients(x, y, session.loss)
    gradients = np.concatenate([np.concatenate([w.ravel(), b]) for w, b in zip(weight_grads, bias_grads)])
    assert [row[2] for row in table_rows(panel)] == [f"{g:.3g}" for g in gradients]
    assert all(row[3:] == ["", ""] for row in table_rows(panel))

    panel.update_button.click()
    after = session.net.get_parameters()
    rows = table_rows(panel)
    assert [row[3] for row in rows] == [f"{v:.4g}" for v in after]  # every new weight and bias
    assert [row[4] for row in rows] == [f"{v:+.3g}" for v in after - before]  # and its change
    assert "the table lists every new value and its change" in panel.summary.toPlainText()


def test_the_text_says_which_values_are_scaled_and_gives_them_in_the_data_units(panel):
    panel.row_spin.setValue(2)  # the first person: 60, 8, 7 -> 7
    panel.forward_button.click()
    text = panel.summary.toPlainText()
    pre, step = panel.session.preprocessor, panel.step
    assert "In the data: age 60, exercise 8, diet 7 → output 7" in text
    # (a new user worked it out: 0.3162 = (7 - 6) / 3.162, standardised; the text said "scaled to the output's range")
    assert "scaled values (inputs: Min-max to [0, 1]; target standardised (mean 0, std 1))" in text
    assert "x (scaled inputs): 0.625, 0.875, 1" in text
    real_output = pre.inverse_targets(step.output[None, :])[0, 0]  # as predictions undo the scaling
    assert f"output (scaled): {step.output[0]:.4g} = {real_output:.4g} in the data's units" in text
    assert f"target (scaled): {step.target[0]:.4g} = 7 in the data's units" in text
    assert "loss (mse, of the scaled values)" in text


def test_classes_are_named_in_the_text(qtbot):
    workspace = Workspace()
    workspace.open_table(read_table(sample_path("iris")), {"validation_fraction": 0.0})
    panel = StepPanel(workspace, lambda neurons, edges: None, lambda: None)
    qtbot.addWidget(panel)
    panel.row_spin.setValue(2)
    panel.forward_button.click()
    text = panel.summary.toPlainText()
    assert "class probabilities" in text and "→ predicts " in text and "target: 1, 0, 0 → setosa" in text


# -- the labels on the diagram, in a 1280x800 window -------------------------------------------------
def on_screen(view, item) -> QRectF:
    """An item's box in the view's pixels (its pen's margin left out)."""
    return view.viewportTransform().mapRect(item.sceneBoundingRect()).adjusted(1, 1, -1, -1)


def assert_labels_readable(window, fitted: bool = True) -> int:
    scene, view = window.editor.scene, window.editor.view
    labels = scene.annotation_items()
    boxes = [on_screen(view, label) for label in labels]
    for (a, box_a), (b, box_b) in itertools.combinations(zip(labels, boxes), 2):
        assert not box_a.intersects(box_b), f"{a.text()!r} covers {b.text()!r}"
    zoom = view.zoom()
    others = [(f"neuron {n.layer_index},{n.neuron_index}",
               view.viewportTransform().mapRect(QRectF(n.scenePos() - QPointF(NEURON_RADIUS, NEURON_RADIUS),
                                                       2 * QSizeF(NEURON_RADIUS, NEURON_RADIUS))))
              for column in scene._columns for n in column.neurons.values()]
    others += [(f"name {name.text()!r}", on_screen(view, name)) for column in scene._columns
               for name in column.labels.values()]
    others += [(f"header {i}", on_screen(view, column.header)) for i, column in enumerate(scene._columns)]
    for label, box in zip(labels, boxes):
        for what, rect in others:
            assert not box.intersects(rect), f"{label.text()!r} covers the {what}"
        if fitted:  # (zoomed in, part of the diagram is out of view too)
            assert view.viewport().rect().toRectF().contains(box), f"{label.text()!r} is outside the view"
        line = QFontMetricsF(label._font).height() * label.scale() * zoom  # the text's height on screen
        assert line >= style.READABLE_TEXT_PX, f"{label.text()!r} is {line:.1f} px tall"
    return len(labels)


def test_the_sample_labels_neither_overlap_nor_shrink_at_1280x800(qtbot, window):
    window.reset_layout()
    window.focus_panel("step")
    qtbot.wait(50)
    view, panel, scene = window.editor.view, window.step_panel, window.editor.scene
    panel.row_spin.setValue(2)
    placed = []
    for button in (panel.forward_button, panel.backward_button, panel.update_button):
        button.click()
        qtbot.wait(10)
        placed.append(assert_labels_readable(window))
        assert placed[-1] + scene.annotations_left_out() == len(scene._annotation_texts[0]) + len(
            scene._annotation_texts[1])
    assert min(placed) >= 3  # the neurons' numbers come first; the table has the rest
    view.zoom_in()
    view.zoom_in()  # zooming in makes room: the labels are placed again at their size on screen
    assert assert_labels_readable(window, fitted=False) > placed[-1]
    view.fit_to_view()
    assert assert_labels_readable(window) == placed[-1]


def test_selecting_a_table_row_marks_its_connection_on_the_diagram(qtbot, window):
    panel = window.step_panel
    panel.forward_button.click()
    panel.table.selectRow(4)  # W1[2,0]
    assert window.editor.scene.highlighted_parameters() == {"W1[2,0]"}


def test_a_big_network_makes_no_connection_texts_the_diagram_would_not_show():
    """A 784-64-10 network: two texts per weight (50,176) were made and sorted on every click (0.3 s),
    then dropped, since the diagram labels no connection once more than 40 are drawn."""
    from mlp_desktop.core.network import MLP
    from mlp_desktop.core.stepthrough import parameter_steps, step_through
    from mlp_desktop.gui.panels.step_panel import backward_texts, update_texts

    small = step_through(MLP([3, 2, 1], ["sigmoid", "identity"], seed=1), np.array([0.1, 0.2, 0.3]),
                         np.array([0.5]), "mse", learning_rate=0.1)
    big = step_through(MLP([30, 8, 1], ["tanh", "identity"], seed=1), np.linspace(0, 1, 30), np.array([0.5]),
                       "mse", learning_rate=0.1)
    assert len(backward_texts(small)[1]) == 8 and len(update_texts(small)[1]) == 8
    assert backward_texts(big)[1] == {} and update_texts(big)[1] == {}
    assert len(backward_texts(big)[0]) == 9  # the neurons' deltas still
    steps = parameter_steps(big)
    assert len(steps) == 30 * 8 + 8 + 8 + 1 and steps.largest_change().name == steps[int(
        np.argmax(np.abs(steps.changes)))].name
