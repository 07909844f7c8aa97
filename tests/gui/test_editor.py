"""The network diagram editor, driven the way a user drives it."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QColor, QCursor, QUndoStack
from PySide6.QtWidgets import QUndoView

from mlp_desktop.core.errors import DataError
from mlp_desktop.core.graph import NetworkGraph
from mlp_desktop.gui.editor import EditorWidget, SetIOCommand
from mlp_desktop.gui.editor import style
from mlp_desktop.gui.editor.commands import (
    AddNeuronCommand,
    InsertLayerCommand,
    MoveLayerCommand,
    RemoveLayerCommand,
    RemoveNeuronCommand,
    SetActivationCommand,
    SetSizeCommand,
    push_checked,
)
from mlp_desktop.gui.editor.editor_widget import _demo_graph
from mlp_desktop.core.parameters import parameter_count, split_parameters


def health_graph() -> NetworkGraph:
    return NetworkGraph(["age", "exercise", "diet"], ["output"], hidden=[(2, "sigmoid")])


def big_graph() -> NetworkGraph:
    return NetworkGraph([f"x{i}" for i in range(784)], [str(d) for d in range(10)], hidden=[(64, "relu")])


@pytest.fixture
def editor(qtbot):
    widget = EditorWidget(health_graph())
    qtbot.addWidget(widget)
    widget.resize(900, 600)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def expected_header(graph: NetworkGraph, index: int) -> str:
    layer = graph.layers[index]
    title = {"input": "Input", "output": "Output"}.get(layer.kind, f"Hidden {index}")
    noun = {"input": "input", "output": "output"}.get(layer.kind, "neuron")
    text = f"{title} · {layer.size:,} {noun}{'' if layer.size == 1 else 's'}"
    return text if layer.activation is None else f"{text} · {layer.activation}"


def assert_scene_matches(widget: EditorWidget) -> None:
    scene, graph = widget.scene, widget.graph
    assert scene.layer_count() == len(graph.layers)
    assert scene.header_texts() == [expected_header(graph, i) for i in range(len(graph.layers))]
    for index, layer in enumerate(graph.layers):
        neurons = scene.neuron_items(index)
        assert len(neurons) == min(layer.size, style.MAX_DRAWN_NEURONS)
        assert all(n.layer_index == index for n in neurons)
        if layer.size > style.MAX_DRAWN_NEURONS:
            assert scene.marker_item(index).text() == f"… {layer.size - style.MAX_DRAWN_NEURONS:,} more"
        else:
            assert scene.marker_item(index) is None
        if layer.kind in ("input", "output") and layer.size <= style.MAX_DRAWN_NEURONS:
            assert scene.label_texts(index) == [style.elide(name) for name in layer.neuron_ids]
    for k in range(1, len(graph.layers)):
        drawn = len(scene.neuron_items(k - 1)) * len(scene.neuron_items(k))
        if drawn >= style.BATCH_EDGE_THRESHOLD:
            assert scene.batched_item(k) is not None and len(scene.batched_item(k)) == drawn
            assert scene.edge_items(k) == []
        else:
            assert scene.batched_item(k) is None
            assert len(scene.edge_items(k)) == drawn


def view_point(widget: EditorWidget, scene_point: QPointF) -> QPoint:
    return widget.view.mapFromScene(scene_point)


# -- the scene follows the graph ----------------------------------------------------------------------
def test_scene_mirrors_the_graph(editor):
    assert_scene_matches(editor)
    assert editor.scene.header_texts() == ["Input · 3 inputs", "Hidden 1 · 2 neurons · sigmoid",
                                           "Output · 1 output · auto"]
    assert editor.scene.label_texts(0) == ["age", "exercise", "diet"]
    assert editor.scene.label_texts(2) == ["output"]
    assert len(editor.scene.edge_items(1)) == 6 and len(editor.scene.edge_items(2)) == 2


def test_every_edit_keeps_the_scene_in_step(editor, qtbot):
    scene, graph = editor.scene, editor.graph
    edits = []
    editor.graphEdited.connect(lambda: edits.append(1))

    editor.add_layer_action.trigger()  # toolbar: a copy of the last hidden layer before the output
    assert graph.layer_sizes == [3, 2, 2, 1]
    assert_scene_matches(editor)

    # the "+" button on the second hidden layer's header, clicked with the mouse
    plus = scene.header_item(2).plus_button
    qtbot.mouseClick(editor.view.viewport(), Qt.MouseButton.LeftButton,
                     pos=view_point(editor, plus.sceneBoundingRect().center()))
    assert graph.layer_sizes == [3, 2, 3, 1]
    assert_scene_matches(editor)

    # select a neuron and press Delete
    neuron = scene.neuron_item(2, 0)
    removed_id = graph.layers[2].neuron_ids[0]
    qtbot.mouseClick(editor.view.viewport(), Qt.MouseButton.LeftButton, pos=view_point(editor, neuron.scenePos()))
    assert scene.neuron_item(2, 0).isSelected()
    qtbot.keyClick(editor.view, Qt.Key.Key_Delete)
    assert graph.layer_sizes == [3, 2, 2, 1] and removed_id not in graph.layers[2].neuron_ids
    assert_scene_matches(editor)

    # the context menu's activation submenu
    menu = scene.context_menu(1)
    assert [a.text() for a in menu.actions() if a.text()][:7] == [
        "Hidden 1", "Insert layer before", "Insert layer after", "Set neurons...", "Add neuron", "Remove a neuron", "Remove layer"]
    activation_menu = next(a.menu() for a in menu.actions() if a.menu() is not None)
    next(a for a in activation_menu.actions() if a.text() == "relu").trigger()
    assert graph.layers[1].activation == "relu"
    assert_scene_matches(editor)

    # the output layer may be "auto" or any activation, softmax included
    output_menu = scene.activation_menu(3)
    assert [a.text() for a in output_menu.actions()][0] == "auto"
    next(a for a in output_menu.actions() if a.text() == "identity").trigger()
    assert graph.output_layer.activation == "identity"
    assert_scene_matches(editor)

    # drag the first hidden layer's header onto the second hidden column
    header = scene.header_item(1)
    moved_id = graph.layers[1].id
    start = view_point(editor, header.sceneBoundingRect().center())
    end = view_point(editor, header.sceneBoundingRect().center() + QPointF(scene.header_item(2).x() - header.x(), 0))
    qtbot.mousePress(editor.view.viewport(), Qt.MouseButton.LeftButton, pos=start)
    for step in range(1, 6):
        qtbot.mouseMove(editor.view.viewport(), start + (end - start) * step / 5)
    qtbot.mouseRelease(editor.view.viewport(), Qt.MouseButton.LeftButton, pos=end)
    assert graph.layers[2].id == moved_id
    assert_scene_matches(editor)

    # inserting before / after a layer from its context menu
    menu = scene.context_menu(2)
    next(a for a in menu.actions() if a.text() == "Insert layer after").trigger()
    assert len(graph.layers) == 5 and graph.layers[3].kind == "hidden"
    assert_scene_matches(editor)
    menu = scene.context_menu(3)
    next(a for a in menu.actions() if a.text() == "Remove layer").trigger()
    assert len(graph.layers) == 4
    assert_scene_matches(editor)

    # the data changes the input and output layers
    push_checked(editor.undo_stack, SetIOCommand(graph, ["a", "b"], ["y1", "y2", "y3"]))
    assert_scene_matches(editor)
    assert scene.label_texts(0) == ["a", "b"] and scene.label_texts(3) == ["y1", "y2", "y3"]
    graph.set_io(["only"], ["out"])  # outside the undo stack, too
    assert_scene_matches(editor)

    assert len(edits) == 9
    for _ in range(editor.undo_stack.count()):
        editor.undo_stack.undo()
        assert_scene_matches(editor)


def test_undo_and_redo_restore_the_exact_graph(editor, qtbot):
    graph, stack = editor.graph, editor.undo_stack
    before = graph.to_dict()
    commands = [
        InsertLayerCommand(graph, 2, 3, "relu"),
        AddNeuronCommand(graph, 1),
        RemoveNeuronCommand(graph, 2, 0),
        SetActivationCommand(graph, 1, "tanh"),
        MoveLayerCommand(graph, 1, 2),
        SetSizeCommand(graph, 1, 40),
        SetActivationCommand(graph, 3, "sigmoid"),
        RemoveLayerCommand(graph, 2),
        InsertLayerCommand(graph, 1, 2, "leaky_relu"),
    ]
    states = [before]
    for command in commands:
        push_checked(stack, command)
        states.append(graph.to_dict())
        assert_scene_matches(editor)
    edited = graph.to_dict()
    assert edited["layers"] != before["layers"]

    for state in reversed(states[:-1]):
        stack.undo()
        # Ids are never reused, so the id counter does not go back; everything else does.
        assert graph.to_dict()["layers"] == state["layers"]
        assert_scene_matches(editor)
    assert graph.to_dict()["next_id"] >= before["next_id"]

    for state in states[1:]:
        stack.redo()
        assert graph.to_dict()["layers"] == state["layers"]  # the very same ids, not look-alikes
    assert graph.to_dict() == edited
    assert_scene_matches(editor)


def test_keyboard_undo_and_redo(editor, qtbot):
    editor.add_layer()
    assert len(editor.graph.layers) == 4
    editor.view.setFocus()
    qtbot.keyClick(editor.view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert len(editor.graph.layers) == 3
    qtbot.keyClick(editor.view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert len(editor.graph.layers) == 4
    assert_scene_matches(editor)


def test_graph_errors_show_in_the_status_label(editor):
    graph = editor.graph
    editor.scene.removeNeuronRequested.emit(1, -1)
    assert graph.layers[1].size == 1
    before = graph.to_dict()
    editor.scene.removeNeuronRequested.emit(1, -1)  # the last neuron: the graph refuses
    assert "at least one neuron" in editor.status_label.text()
    assert graph.to_dict() == before and editor.undo_stack.count() == 1
    assert_scene_matches(editor)

    editor.scene.header_item(0).setSelected(True)
    editor.view.setFocus()
    editor.scene.delete_selected()
    assert "cannot be removed" in editor.status_label.text()


def test_locked_while_training(editor, qtbot):
    editor.set_editable(False)
    assert not editor.add_layer_action.isEnabled() and not editor.remove_layer_action.isEnabled()
    assert not editor.scene.header_item(1).plus_button.isVisible()
    editor.scene.header_part_clicked(1, "plus", QPoint())
    editor.scene.addNeuronRequested.emit(1)
    assert editor.graph.layer_sizes == [3, 2, 1] and editor.undo_stack.count() == 0
    assert "locked" in editor.status_label.text()
    editor.set_editable(True)
    assert editor.add_layer_action.isEnabled()
    qtbot.mouseClick(editor.view.viewport(), Qt.MouseButton.LeftButton,
                     pos=view_point(editor, editor.scene.header_item(1).plus_button.sceneBoundingRect().center()))
    assert editor.graph.layer_sizes == [3, 3, 1]


# -- big networks -----------------------------------------------------------------------------------
def test_a_784_64_10_network_builds_and_renders(qtbot):
    widget = EditorWidget(big_graph())
    qtbot.addWidget(widget)
    widget.resize(900, 700)
    widget.show()
    qtbot.waitExposed(widget)
    assert_scene_matches(widget)
    scene = widget.scene
    assert scene.marker_item(0).text() == "… 752 more" and scene.marker_item(1).text() == "… 32 more"
    assert [n.neuron_index for n in scene.neuron_items(0)][15:17] == [15, 768]
    assert scene.batched_item(1) is not None and scene.batched_item(2) is not None
    assert widget.graph.layer_sizes == [784, 64, 10]  # the math keeps the real sizes

    params = np.random.default_rng(1).normal(size=parameter_count([784, 64, 10]))
    assert widget.set_parameters(params)
    signs = {style.colour_sign(pen.color()) for pen, count in scene.batched_item(1).pen_groups() if count}
    assert signs == {"positive", "negative"}
    assert sum(count for _, count in scene.batched_item(1).pen_groups()) == 32 * 32
    image = widget.view.grab().toImage()
    assert not image.isNull() and image.width() > 100
    assert len({image.pixel(x, y) for x in range(0, image.width(), 7) for y in range(0, image.height(), 7)}) > 10

    # a click on a batched connection selects that weight
    batched = scene.batched_item(2)
    i, j = int(batched.pairs_i[5]), int(batched.pairs_j[5])
    line = batched._lines[5]
    with qtbot.waitSignal(widget.parametersSelected) as blocker:
        scene.background_clicked(line.pointAt(0.05), 2.0)
    assert blocker.args == [[f"W2[{i},{j}]"]]
    assert scene.highlighted_parameters() == {f"W2[{i},{j}]"}

    # annotations only on drawn neurons, none on batched connections
    scene.show_annotations({(0, 3): "a=1", (0, 400): "hidden", (1, 63): "z=0.1"}, {(1, 0, 0): "∂=1"})
    assert sorted(item.text() for item in scene.annotation_items()) == ["a=1", "z=0.1"]

    # growing a big layer is a partial rebuild that stays correct
    widget.scene.addNeuronRequested.emit(1)
    assert widget.graph.layer_sizes == [784, 65, 10]
    assert scene.marker_item(1).text() == "… 33 more"
    assert_scene_matches(widget)


# -- live weights -----------------------------------------------------------------------------------
def known_parameters(graph: NetworkGraph) -> np.ndarray:
    params = np.zeros(parameter_count(graph.layer_sizes))
    (w1, b1), (w2, b2) = split_parameters(graph.layer_sizes, params)
    w1[...] = [[0.5, -1.0], [0.25, 0.1], [-0.2, 0.8]]
    b1[...] = [0.5, -0.25]
    w2[...] = [[2.0], [-0.5]]
    b2[...] = [0.1]
    return params


def test_set_parameters_colours_connections_and_neurons(editor):
    scene = editor.scene
    assert scene.edge_item(1, 0, 0).pen().color().name() == QColor(style.look().neutral_edge).name()
    assert editor.set_parameters(known_parameters(editor.graph))
    positive, negative = scene.edge_item(1, 0, 0).pen(), scene.edge_item(1, 0, 1).pen()
    assert style.colour_sign(positive.color()) == "positive"
    assert style.colour_sign(negative.color()) == "negative"
    assert negative.color().name() == QColor(style.NEGATIVE).name()  # |-1.0| is the largest weight of W1: full colour
    assert negative.widthF() > positive.widthF()
    assert positive.color().lightness() > QColor(style.POSITIVE).lightness()  # 0.5: paler
    fill_positive, fill_negative = scene.neuron_item(1, 0).fill(), scene.neuron_item(1, 1).fill()
    assert fill_positive.blue() > fill_positive.red() and fill_negative.red() > fill_negative.blue()
    assert scene.neuron_item(0, 0).fill() == QColor(style.look().input_fill)  # inputs have no bias

    assert not editor.set_parameters(np.zeros(5))
    assert "do not fit" in editor.status_label.text()
    assert scene.edge_item(1, 0, 0).pen().color().name() == QColor(style.look().neutral_edge).name()
    assert editor.set_parameters(known_parameters(editor.graph))
    editor.add_layer()  # the structure changed: colours go until new parameters come
    assert not scene.parameters_known


def test_tooltips_show_activation_bias_and_weights(editor, qtbot):
    scene = editor.scene
    neuron = scene.neuron_item(1, 1)
    assert "sigmoid" in neuron.tooltip_text() and "not known yet" in neuron.tooltip_text()
    editor.set_parameters(known_parameters(editor.graph))
    text = neuron.tooltip_text()
    assert "activation: sigmoid" in text and "b1[1] = -0.25" in text
    assert "W1[0,1] from 'age' = -1" in text and "W1[2,1] from 'diet' = +0.8" in text
    assert "auto" in scene.neuron_item(2, 0).tooltip_text()
    assert "W2[0,0]" in scene.edge_item(2, 0, 0).tooltip_text() and "+2" in scene.edge_item(2, 0, 0).tooltip_text()

    # hovering sets the item's tooltip (what Qt shows after the hover delay)
    qtbot.mouseMove(editor.view.viewport(), view_point(editor, neuron.scenePos()))
    qtbot.waitUntil(lambda: "b1[1] = -0.25" in neuron.toolTip())


def test_clicks_select_parameters(editor, qtbot):
    scene = editor.scene
    edge = scene.edge_item(2, 1, 0)
    with qtbot.waitSignal(editor.parametersSelected) as blocker:
        qtbot.mouseClick(editor.view.viewport(), Qt.MouseButton.LeftButton,
                         pos=view_point(editor, edge.line().pointAt(0.5)))
    assert blocker.args == [["W2[1,0]"]]

    neuron = scene.neuron_item(1, 0)
    with qtbot.waitSignal(editor.parametersSelected) as blocker:
        qtbot.mouseClick(editor.view.viewport(), Qt.MouseButton.LeftButton, pos=view_point(editor, neuron.scenePos()))
    assert blocker.args == [["W1[0,0]", "W1[1,0]", "W1[2,0]", "b1[0]"]]
    assert scene.highlighted_parameters() == {"W1[0,0]", "W1[1,0]", "W1[2,0]", "b1[0]"}

    with qtbot.waitSignal(editor.parametersSelected) as blocker:  # empty space clears
        qtbot.mouseClick(editor.view.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(5, 5))
    assert blocker.args == [[]] and scene.highlighted_parameters() == set()


def test_highlight_parameters_marks_the_items(editor):
    scene = editor.scene
    editor.highlight_parameters(["W1[0,1]", "b2[0]", "W9[0,0]", "nonsense"])
    assert scene.edge_item(1, 0, 1).highlighted
    assert sum(edge.highlighted for k in (1, 2) for edge in scene.edge_items(k)) == 1
    assert scene.neuron_item(2, 0).highlighted and not scene.neuron_item(1, 0).highlighted
    assert scene.highlighted_parameters() == {"W1[0,1]", "b2[0]"}
    assert scene.edge_item(1, 0, 1).pen().widthF() == style.highlight_pen().widthF()
    editor.set_parameters(known_parameters(editor.graph))  # live updates keep the highlight
    assert scene.edge_item(1, 0, 1).pen().color().name() == QColor(style.look().highlight).name()
    editor.highlight_parameters([])
    assert scene.highlighted_parameters() == set()
    assert style.colour_sign(scene.edge_item(1, 0, 1).pen().color()) == "negative"


def test_bias_nodes(editor, qtbot):
    scene = editor.scene
    assert scene.bias_node(1) is None
    editor.show_biases_action.trigger()
    assert scene.bias_node(1) is not None and scene.bias_node(2) is not None
    assert len(scene.bias_edges(1)) == 2 and len(scene.bias_edges(2)) == 1
    with qtbot.waitSignal(editor.parametersSelected) as blocker:
        qtbot.mouseClick(editor.view.viewport(), Qt.MouseButton.LeftButton,
                         pos=view_point(editor, scene.bias_node(1).scenePos()))
    assert blocker.args == [["b1[0]", "b1[1]"]]
    assert all(edge.highlighted for edge in scene.bias_edges(1))
    editor.highlight_parameters([])
    editor.set_parameters(known_parameters(editor.graph))
    assert style.colour_sign(scene.bias_edges(1)[1].pen().color()) == "negative"
    editor.add_layer()
    assert scene.bias_node(3) is not None
    editor.show_biases_action.trigger()
    assert scene.bias_node(1) is None


def test_annotations_appear_and_clear(editor):
    scene = editor.scene
    editor.show_annotations({(1, 0): "z=0.31\na=0.58", (2, 0): "a=0.9", (7, 0): "ignored"},
                            {(1, 0, 0): "∂=0.012", (2, 1, 0): "∂=-0.4"})
    texts = sorted(item.text() for item in scene.annotation_items())
    assert texts == ["a=0.9", "z=0.31\na=0.58", "∂=-0.4", "∂=0.012"]
    output_label = scene._columns[2].labels[0]
    note = next(item for item in scene.annotation_items() if item.text() == "a=0.9")
    assert note.sceneBoundingRect().left() >= output_label.sceneBoundingRect().right()  # beside the name
    editor.clear_annotations()
    assert scene.annotation_items() == []


def test_export_png_and_svg(editor, tmp_path):
    editor.set_parameters(known_parameters(editor.graph))
    png, svg = tmp_path / "net.png", tmp_path / "net.svg"
    editor.export(png)
    editor.export(svg)
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "<svg" in svg.read_text(encoding="utf-8")
    with pytest.raises(DataError, match=r"\.png or \.svg"):
        editor.export(tmp_path / "net.jpg")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["net.png", "net.svg"]


def test_view_zoom_fit_and_keys(editor, qtbot):
    view = editor.view
    fitted = view.zoom()
    editor.view.setFocus()
    qtbot.keyClick(view, Qt.Key.Key_Plus)
    assert view.zoom() > fitted
    editor.zoom_out_action.trigger()
    editor.zoom_out_action.trigger()
    assert view.zoom() < fitted
    qtbot.keyClick(view, Qt.Key.Key_F)
    assert view.zoom() == pytest.approx(fitted)


def test_set_graph_shared_stack_and_undo_view(qtbot):
    stack = QUndoStack()
    widget = EditorWidget(health_graph(), stack)
    qtbot.addWidget(widget)
    assert widget.undo_stack is stack
    widget.add_layer()
    history = widget.undo_view()
    assert isinstance(history, QUndoView) and history.stack() is stack
    other = NetworkGraph(["u", "v"], ["w"], hidden=[(4, "tanh"), (3, "relu")])
    widget.set_graph(other)
    assert widget.graph is other and stack.count() == 0
    assert_scene_matches(widget)
    other.set_size(1, 6)  # the new graph is followed, the old one is not
    assert len(widget.scene.neuron_items(1)) == 6


def test_demo_graph_is_the_health_score_network():
    graph = _demo_graph([3, 2, 1])
    assert graph.input_layer.neuron_ids == ["age", "exercise", "diet"]
    assert graph.output_layer.neuron_ids == ["output"] and graph.layer_sizes == [3, 2, 1]


# -- typing a neuron count; buttons that stay under the pointer ---------------------------------------
def click_header_part(widget: EditorWidget, layer: int, part: str) -> None:
    header = widget.scene.header_item(layer)
    button = {"plus": header.plus_button, "minus": header.minus_button, "count": header.count_part}[part]
    where = widget.view.mapToGlobal(widget.view.mapFromScene(button.sceneBoundingRect().center()))
    QCursor.setPos(where)  # a click: the pointer is on the diagram
    widget.scene.header_part_clicked(layer, part, where)


def test_typing_a_count_in_the_header_is_one_undoable_edit(editor, qtbot):
    def header_on_screen() -> QPoint:
        return editor.view.mapFromScene(editor.scene.header_item(1).sceneBoundingRect().topLeft())

    before = header_on_screen()
    click_header_part(editor, 1, "count")
    spin = editor.count_editor
    assert spin is not None and spin.isVisible() and spin.value() == 2
    spin.lineEdit().selectAll()
    qtbot.keyClicks(spin, "64")
    qtbot.keyClick(spin, Qt.Key.Key_Return)
    assert editor.graph.layers[1].size == 64 and editor.count_editor is None
    assert (header_on_screen() - before).manhattanLength() <= 2  # the header stayed under the pointer
    assert editor.undo_stack.count() == 1
    editor.undo_stack.undo()
    assert editor.graph.layers[1].size == 2


def test_escape_leaves_the_count_and_training_closes_the_field(editor, qtbot):
    click_header_part(editor, 1, "count")
    qtbot.keyClicks(editor.count_editor, "9")
    qtbot.keyClick(editor.count_editor, Qt.Key.Key_Escape)
    assert editor.count_editor is None and editor.graph.layers[1].size == 2
    click_header_part(editor, 1, "count")
    editor.set_editable(False)  # Train pressed while the field is open
    assert editor.count_editor is None and editor.undo_stack.count() == 0
    click_header_part(editor, 1, "count")
    assert editor.count_editor is None  # locked: no field opens


def test_the_plus_button_stays_under_the_pointer_as_the_layer_grows(editor, qtbot):
    def plus_on_screen() -> QPoint:
        return editor.view.mapFromScene(editor.scene.header_item(1).plus_button.sceneBoundingRect().center())

    before = plus_on_screen()
    for _ in range(5):
        click_header_part(editor, 1, "plus")
        assert (plus_on_screen() - before).manhattanLength() <= 2  # whole pixels of scrolling
    assert editor.graph.layers[1].size == 7
    editor.view.leaveEvent(None)  # the pointer leaves the diagram: now it fits the bigger network
    assert editor.view._auto_fit and not editor.view._fit_deferred


def test_a_count_typed_with_the_pointer_elsewhere_fits_the_diagram_at_once(editor, qtbot):
    """The fit waited for the pointer to leave the diagram; with the pointer elsewhere (the count
    typed from the keyboard) it never left, and a 12-neuron layer stayed cut off."""
    click_header_part(editor, 1, "count")
    # The pointer went to another panel (Qt's under-mouse flag may still say it is on the diagram).
    editor.view.setAttribute(Qt.WidgetAttribute.WA_UnderMouse, True)
    QCursor.setPos(editor.view.mapToGlobal(QPoint(-40, -40)))
    spin = editor.count_editor
    spin.lineEdit().selectAll()
    qtbot.keyClicks(spin, "12")
    qtbot.keyClick(spin, Qt.Key.Key_Return)
    assert editor.graph.layers[1].size == 12
    assert editor.view._auto_fit and not editor.view._fit_deferred
    shown = editor.view.mapToScene(editor.view.viewport().rect()).boundingRect()
    assert shown.contains(editor.scene.sceneRect().adjusted(1, 1, -1, -1))  # the whole network is in view
