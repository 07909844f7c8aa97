"""``EditorWidget``: the diagram editor (toolbar, view, legend, status line) around a NetworkGraph.

User edits arrive from the scene as requests and become commands on ``undo_stack`` (see
:mod:`.commands`); the scene follows the graph's events. Run alone for a demo with live weights::

    python -m mlp_desktop.gui.editor.editor_widget            # the 3-2-1 health-score network
    python -m mlp_desktop.gui.editor.editor_widget 784-64-10  # any sizes
"""

from __future__ import annotations

import sys

import numpy as np
from PySide6.QtCore import QEvent, QSize, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QAction, QContextMenuEvent, QKeySequence, QUndoStack
from PySide6.QtWidgets import (
    QApplication,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QSizePolicy,
    QSpinBox,
    QToolBar,
    QToolButton,
    QToolTip,
    QUndoView,
    QVBoxLayout,
    QWidget,
)

from ...core.errors import DataError
from ...core.graph import NetworkGraph
from . import style
from .commands import (
    AddNeuronCommand,
    SetNeuronsCommand,
    GraphCommand,
    InsertLayerCommand,
    MoveLayerCommand,
    RemoveLayerCommand,
    RemoveNeuronCommand,
    SetActivationCommand,
    push_checked,
)
from ..icons import follow_palette
from ..widgets import make_keyboard_reachable
from .export import EXPORT_FILTER, export_scene
from .items import LayerHeaderItem, NeuronItem
from ...core.parameters import parameter_count
from .scene import NetworkScene
from .view import NetworkView

LEGEND_HTML = (  # one line under the diagram; the whole explanation is in LEGEND_HELP
    f'<span style="color:{style.POSITIVE}; font-weight:bold">━━</span> positive &nbsp;'
    f'<span style="color:{style.NEGATIVE}; font-weight:bold">━━</span> negative weight &nbsp;·&nbsp; '
    "thicker = larger &nbsp;·&nbsp; "
    f'<span style="color:{style.POSITIVE}">●</span><span style="color:{style.NEGATIVE}">●</span> fill = bias'
)
LEGEND_UNKNOWN_HTML = "grey: no weights"  # (short: the legend is one line at 1280x800)
LEGEND_HELP = (
    "<b>Connections</b>: blue for a positive weight, vermillion for a negative one; thicker and more "
    "saturated = larger |w|, relative to the largest in that layer pair.<br>"
    "<b>Neurons</b>: the fill shows the neuron's bias in the same colours.<br>"
    "Grey connections: the weights are not known yet (they appear once the network is initialised or "
    "trained).<br><br>"
    "<b>Using the diagram</b>: drag empty space to pan · Ctrl+wheel or +/− to zoom · F fits · click a "
    "connection or neuron (or use the arrow keys) to select its parameters · right-click or the Menu key "
    "for more · type a layer's neuron count in its header."
)
DEFAULT_NEW_LAYER = (2, "tanh")


class EditorWidget(QWidget):
    """The network diagram editor.

    Signals
    -------
    graphEdited(): after any of this editor's commands was done, undone or redone.
    parametersSelected(list[str]): parameter names the user clicked (a connection, a neuron: its
    incoming weights and bias; an input neuron: its outgoing weights; a bias node: the biases).
    """

    graphEdited = Signal()
    parametersSelected = Signal(list)

    def __init__(self, graph: NetworkGraph, undo_stack: QUndoStack | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.undo_stack = undo_stack if undo_stack is not None else QUndoStack(self)
        self._editable = True
        self._last_index = self.undo_stack.index()
        self._parameters_fit: bool | None = None
        self._undo_views: list[QUndoView] = []

        self.scene = NetworkScene(graph, self)
        self.view = NetworkView(self.scene, self)
        self.toolbar = QToolBar("Diagram", self)
        # Icons with tooltips: every action stays on the toolbar even in a narrow pane (text
        # labels needed ~600 px and hid Fit, zoom and Export behind the overflow button).
        self.toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonIconOnly)
        self.toolbar.setIconSize(QSize(20, 20))
        self._make_actions()

        self.legend_label = QLabel(self)
        self.legend_label.setTextFormat(Qt.TextFormat.RichText)
        self.legend_label.setStyleSheet("font-size: 8.5pt;")  # the theme's text colour
        self.legend_label.setToolTip(LEGEND_HELP)
        # One line: a narrow pane cuts its end rather than taking height from the diagram.
        self.legend_label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        self.help_button = QToolButton(self)
        self.help_button.setText("?")
        self.help_button.setAutoRaise(True)
        self.help_button.setToolTip("What the colours mean and how to use the diagram")
        self.help_button.setAccessibleName("Diagram help")
        self.help_button.clicked.connect(self.show_help)
        self.status_label = QLabel(self)
        self.status_label.setWordWrap(True)
        self.status_label.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)
        self.status_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self._data_problem_shown = False

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(3)
        layout.addWidget(self.toolbar)
        layout.addWidget(self.view, 1)
        bottom = QVBoxLayout()
        bottom.setContentsMargins(6, 0, 6, 4)
        bottom.setSpacing(2)
        legend_row = QHBoxLayout()
        legend_row.setContentsMargins(0, 0, 0, 0)
        legend_row.addWidget(self.legend_label, 1)
        legend_row.addWidget(self.help_button)
        bottom.addLayout(legend_row)
        bottom.addWidget(self.status_label)
        layout.addLayout(bottom)

        scene = self.scene
        scene.insertLayerRequested.connect(self._insert_layer)
        scene.removeLayerRequested.connect(self._remove_layer)
        scene.addNeuronRequested.connect(self._add_neuron)
        scene.setNeuronsRequested.connect(self.ask_neuron_count)
        scene.countEditRequested.connect(self.edit_neuron_count)
        self.count_editor: QSpinBox | None = None
        scene.removeNeuronRequested.connect(self._remove_neuron)
        scene.activationRequested.connect(self._set_activation)
        scene.moveLayerRequested.connect(self._move_layer)
        scene.messageRequested.connect(self._show_error)
        scene.parametersSelected.connect(self.parametersSelected)
        scene.rebuilt.connect(self._update_actions)
        self.undo_stack.indexChanged.connect(self._stack_index_changed)
        self.undo_stack.canUndoChanged.connect(self._update_actions)
        self.undo_stack.canRedoChanged.connect(self._update_actions)
        self._update_legend()
        self._update_actions()
        self.setFocusProxy(self.view)
        self.view.installEventFilter(self)
        # Tab goes to the diagram first (the editor's focus proxy), then on to the toolbar's buttons.
        make_keyboard_reachable(self.toolbar)

    # -- toolbar -------------------------------------------------------------------------------
    def _make_actions(self) -> None:
        def action(text: str, tip: str, slot, icon: str, shortcut: str = "", checkable: bool = False) -> QAction:
            made = QAction(text, self)
            if shortcut:
                # Only while the focus is in the editor: the rest of the window keeps these keys.
                made.setShortcut(QKeySequence(shortcut))
                made.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
                tip = f"{tip} ({made.shortcut().toString(QKeySequence.SequenceFormat.NativeText)})"
            made.setToolTip(tip)
            made.setStatusTip(tip)
            made.setCheckable(checkable)
            (made.toggled if checkable else made.triggered).connect(slot)
            self.toolbar.addAction(made)
            self.addAction(made)  # the shortcut works wherever the focus is inside the editor
            icons[made] = icon
            return made

        icons: dict[QAction, str] = {}
        self.add_layer_action = action("Add layer", "Add a hidden layer before the output layer", self.add_layer,
                                       "add_layer", "Ins")
        self.remove_layer_action = action("Remove layer", "Remove the selected hidden layer (or the last one)",
                                          self.remove_layer, "remove_layer", "Ctrl+Del")
        self.toolbar.addSeparator()
        # Undo and redo keys are handled in keyPressEvent (see there), so no shortcut is set here.
        self.undo_action = action("Undo", "Undo the last edit (Ctrl+Z)", self.undo_stack.undo, "undo")
        self.redo_action = action("Redo", "Redo (Ctrl+Shift+Z)", self.undo_stack.redo, "redo")
        self.toolbar.addSeparator()
        # F, + and - are the view's own keys (see NetworkView.keyPressEvent).
        self.fit_action = action("Fit", "Show the whole network (F)", lambda: self.view.fit_to_view(), "fit")
        self.zoom_in_action = action("Zoom in", "Zoom in (+ or Ctrl+wheel)", lambda: self.view.zoom_in(), "zoom_in")
        self.zoom_out_action = action("Zoom out", "Zoom out (− or Ctrl+wheel)", lambda: self.view.zoom_out(),
                                      "zoom_out")
        self.toolbar.addSeparator()
        self.show_biases_action = action("Show biases", "Draw a +1 bias node feeding each layer", self.set_show_biases,
                                         "biases", "B", checkable=True)
        self.export_action = action("Export…", "Save the diagram as a PNG image or an SVG drawing",
                                    self._export_with_dialog, "export")
        follow_palette(self, icons)

    def _update_actions(self, *unused) -> None:
        editable = self._editable
        graph = self.scene.graph
        has_hidden = len(graph.layers) > 2
        self.add_layer_action.setEnabled(editable)
        self.remove_layer_action.setEnabled(editable and has_hidden)
        self.undo_action.setEnabled(editable and self.undo_stack.canUndo())
        self.redo_action.setEnabled(editable and self.undo_stack.canRedo())
        self.undo_action.setToolTip(f"Undo: {self.undo_stack.undoText()} (Ctrl+Z)" if self.undo_stack.canUndo()
                                    else "Nothing to undo")
        self.redo_action.setToolTip(f"Redo: {self.undo_stack.redoText()} (Ctrl+Shift+Z)" if self.undo_stack.canRedo()
                                    else "Nothing to redo")

    # -- public API ----------------------------------------------------------------------------
    @property
    def graph(self) -> NetworkGraph:
        return self.scene.graph

    def set_graph(self, graph: NetworkGraph, clear_undo: bool = True) -> None:
        """Edit another graph object; the undo history (about the old one) is cleared unless told not to."""
        if clear_undo:
            self.undo_stack.clear()
        self.scene.set_graph(graph)
        self._parameters_fit = None
        self._update_legend()
        self._show_info("")
        self.view.fit_to_view()
        self._update_actions()

    def graph_replaced(self) -> None:
        """The graph became another network (a sample or a project): its edit history starts afresh
        and the view fits it."""
        self._close_count_editor()
        self.undo_stack.clear()
        self._parameters_fit = None
        self._update_legend()
        self._show_info("")
        self.view.fit_to_view()
        self._update_actions()

    def set_editable(self, editable: bool) -> None:
        """Lock (``False``, while training) or unlock editing; viewing, zoom and export still work."""
        self._editable = bool(editable)
        if not self._editable:
            self._close_count_editor()  # Train pressed while typing a count: the count stays as it was
        self.scene.set_editable(self._editable)
        for view in self._undo_views:
            view.setEnabled(self._editable)
        self._update_actions()
        if not self._editable:
            self._show_info("Editing is locked while the network trains.")
        else:
            self._show_info("")

    def is_editable(self) -> bool:
        return self._editable

    def set_parameters(self, params: np.ndarray | None) -> bool:
        """Colour the diagram by ``params`` (engine order: ``W1`` row-major, ``b1``, ``W2`` ...).

        Cheap enough to call for every training report; no item is rebuilt. ``None`` removes the
        colours. Returns ``False`` (diagram uncoloured, a note in the status line) when the vector
        does not fit the network.
        """
        fits = self.scene.set_parameters(params)
        known = fits and params is not None
        if known != self._parameters_fit:
            self._parameters_fit = known
            self._update_legend()
            if not fits:
                expected = parameter_count(self.graph.layer_sizes)
                self._show_error(f"The parameters do not fit this network ({np.size(params):,} values for "
                                 f"{expected:,} weights and biases); the diagram is shown uncoloured.")
            elif "do not fit" in self.status_label.text():
                self._show_info("")
        return fits

    def highlight_parameters(self, names: list[str]) -> None:
        self.scene.highlight_parameters(names)

    def show_annotations(self, neuron_texts: dict, edge_texts: dict) -> None:
        self.scene.show_annotations(neuron_texts, edge_texts)

    def clear_annotations(self) -> None:
        self.scene.clear_annotations()

    def export(self, path) -> None:
        """Save the diagram as ``.png`` or ``.svg`` (atomically); raises ``DataError`` otherwise."""
        export_scene(self.scene, path)

    def set_show_biases(self, show: bool) -> None:
        if self.show_biases_action.isChecked() != bool(show):
            self.show_biases_action.setChecked(bool(show))  # comes back here through toggled
            return
        self.scene.set_show_biases(show)

    def undo_view(self, widget_parent: QWidget | None = None) -> QUndoView:
        """An undo-history list of this editor's stack (for a dock in the main window)."""
        view = QUndoView(self.undo_stack, widget_parent)
        view.setEmptyLabel("Network as loaded")
        view.setEnabled(self._editable)
        self._undo_views.append(view)  # locked with the editor: clicking an entry is an undo too
        return view

    def add_layer(self) -> bool:
        """Add a hidden layer just before the output layer."""
        return self._insert_layer(len(self.graph.layers) - 1)

    def remove_layer(self) -> bool:
        """Remove the selected hidden layer, or the last hidden layer when none is selected."""
        selected = self.scene.selected_layer()
        if selected is None or self.graph.layers[selected].kind != "hidden":
            selected = len(self.graph.layers) - 2
        return self._remove_layer(selected)

    # -- requests -> commands ------------------------------------------------------------------
    def _push(self, command: GraphCommand) -> bool:
        if not self._editable:
            self._show_error("Editing is locked while the network trains.")
            return False
        try:
            push_checked(self.undo_stack, command)
        except DataError as error:
            self._show_error(str(error))
            return False
        self._show_info(command.text())
        return True

    @Slot(int)
    def _insert_layer(self, position: int) -> bool:
        size, activation = self._new_layer_settings(position)
        return self._push(InsertLayerCommand(self.graph, position, size, activation))

    def _new_layer_settings(self, position: int) -> tuple[int, str]:
        """A new layer copies its nearest hidden neighbour (the one before it, else the one after)."""
        layers = self.graph.layers
        for neighbour in (position - 1, position):
            if 0 <= neighbour < len(layers) and layers[neighbour].kind == "hidden":
                return max(layers[neighbour].size, 1), layers[neighbour].activation
        return DEFAULT_NEW_LAYER

    @Slot(int)
    def _remove_layer(self, position: int) -> bool:
        if not 0 <= position < len(self.graph.layers) or self.graph.layers[position].kind != "hidden":
            self._show_error("There is no hidden layer to remove; the input and output layers follow the data.")
            return False
        return self._push(RemoveLayerCommand(self.graph, position))

    @Slot(int)
    def set_neurons(self, position: int, count: int) -> bool:
        """Give hidden layer ``position`` exactly ``count`` neurons, as one undoable edit."""
        if self.graph.layers[position].size == count:
            return False
        return self._push(SetNeuronsCommand(self.graph, position, count))

    @Slot(int)
    def edit_neuron_count(self, position: int) -> None:
        """A spin box over hidden layer ``position``'s count field: type a number, Enter (or
        clicking elsewhere) applies it as one undoable edit, Escape leaves the count as it was.

        A widget over the view, not in the scene, so it stays readable at any zoom."""
        from ...core.graph import MAX_NEURONS

        rect = self.scene.count_field_rect(position)
        if rect is None or not self._editable:
            return
        self._close_count_editor(keep_anchor=True)  # the header just clicked stays the anchor
        editor = QSpinBox(self.view.viewport())
        editor.setRange(1, MAX_NEURONS)
        editor.setGroupSeparatorShown(True)
        editor.setValue(self.graph.layers[position].size)
        editor.setKeyboardTracking(False)
        editor.setAccessibleName(f"Neurons in hidden layer {position}")
        editor.setToolTip(f"Neurons in hidden layer {position} (1 to {MAX_NEURONS:,}): Enter applies, Esc cancels")
        corner = self.view.mapFromScene(rect.topLeft())
        editor.move(max(0, corner.x() - 2), max(0, corner.y() - 4))
        editor.setMinimumWidth(editor.sizeHint().width())
        editor.resize(editor.sizeHint())
        editor.installEventFilter(self)
        editor.editingFinished.connect(lambda: self._apply_count_editor(position))
        self.count_editor = editor
        editor.show()
        editor.setFocus(Qt.FocusReason.MouseFocusReason)
        editor.selectAll()

    def _apply_count_editor(self, position: int) -> None:
        editor = self.count_editor
        if editor is None:
            return
        count = editor.value()
        self._close_count_editor(keep_anchor=True)
        if self._editable and position < len(self.graph.layers) and self.graph.layers[position].kind == "hidden":
            self.set_neurons(position, count)
        self.scene.edit_anchor = None
        self.view.setFocus(Qt.FocusReason.OtherFocusReason)

    def _close_count_editor(self, keep_anchor: bool = False) -> None:
        editor, self.count_editor = self.count_editor, None
        if editor is not None:
            editor.removeEventFilter(self)
            editor.blockSignals(True)  # hiding it takes the focus away, which would apply it again
            editor.hide()
            editor.deleteLater()
        if not keep_anchor:
            self.scene.edit_anchor = None

    @Slot(int)
    def ask_neuron_count(self, position: int) -> bool:
        """Layer menu > Set neurons...: type the count instead of clicking + many times."""
        from PySide6.QtWidgets import QInputDialog

        from ...core.graph import MAX_NEURONS

        count, ok = QInputDialog.getInt(self, "Set neurons", f"Neurons in hidden layer {position} (1 to {MAX_NEURONS:,}):",
                                        self.graph.layers[position].size, 1, MAX_NEURONS)
        return bool(ok) and self.set_neurons(position, count)

    def _add_neuron(self, position: int) -> bool:
        return self._push(AddNeuronCommand(self.graph, position))

    @Slot(int, int)
    def _remove_neuron(self, position: int, index: int) -> bool:
        return self._push(RemoveNeuronCommand(self.graph, position, None if index < 0 else index))

    @Slot(int, str)
    def _set_activation(self, position: int, activation: str) -> bool:
        if self.graph.layers[position].activation == activation:
            return False
        return self._push(SetActivationCommand(self.graph, position, activation))

    @Slot(int, int)
    def _move_layer(self, position: int, to_position: int) -> bool:
        return self._push(MoveLayerCommand(self.graph, position, to_position))

    @Slot(int)
    def _stack_index_changed(self, index: int) -> None:
        low, high = sorted((self._last_index, index))
        self._last_index = index
        for i in range(low, high):
            command = self.undo_stack.command(i)
            if isinstance(command, GraphCommand) and command.graph is self.graph:
                self.graphEdited.emit()
                break
        self._update_actions()

    # -- messages ------------------------------------------------------------------------------
    @Slot(str)
    def _show_error(self, message: str) -> None:
        self.status_label.setStyleSheet(f"color: {style.NEGATIVE};")
        self.status_label.setText(f"⚠ {message}" if message else "")

    DATA_PROBLEM_NOTE = ("The data opened cannot be used as it is (the Data panel says why): this is the network "
                         "as it was for the last usable data.")

    def show_data_problem(self, problem: str) -> bool:
        """While the data cannot be used (``problem``; ``""`` when it can), the diagram still shows
        the network as it was for the last usable data, uncoloured, and says so until then (other
        messages pass, and it comes back). True when this ends such a note (the caller colours the
        diagram again)."""
        if problem:
            self._data_problem_shown = True
            self.set_parameters(None)
            self._show_info("")
            return False
        ended, self._data_problem_shown = self._data_problem_shown, False
        if ended:
            self._show_info("")
        return ended

    def _show_info(self, message: str) -> None:
        if not message and self._data_problem_shown:  # (cleared by the next run state or edit: it came back)
            self._show_error(self.DATA_PROBLEM_NOTE)
            return
        self.status_label.setStyleSheet("")
        self.status_label.setText(message)

    def _update_legend(self) -> None:
        known = bool(self._parameters_fit)
        self.legend_label.setText(LEGEND_HTML if known else f"{LEGEND_HTML} &nbsp;·&nbsp; <i>{LEGEND_UNKNOWN_HTML}</i>")

    def on_look_changed(self) -> None:
        """The theme's look changed (``plots.style.restyle`` calls this): the diagram takes its colours."""
        self.scene.restyle()

    def show_help(self) -> None:
        """The whole legend and the diagram's mouse and keyboard use, beside the "?" button."""
        QToolTip.showText(self.help_button.mapToGlobal(self.help_button.rect().topLeft()), LEGEND_HELP,
                          self.help_button)

    # -- keys and export -----------------------------------------------------------------------
    def eventFilter(self, watched, event) -> bool:
        """Keyboard use of the diagram: arrow keys select, Enter shows, the Menu key opens the menu."""
        if watched is self.count_editor and event.type() == QEvent.Type.KeyPress \
                and event.key() == Qt.Key.Key_Escape:
            self._close_count_editor()
            self.view.setFocus(Qt.FocusReason.OtherFocusReason)
            return True
        if watched is self.view:
            if event.type() == QEvent.Type.KeyPress and self._diagram_key(event):
                return True
            if (event.type() == QEvent.Type.ContextMenu
                    and event.reason() == QContextMenuEvent.Reason.Keyboard):
                self.open_context_menu()
                return True
        return super().eventFilter(watched, event)

    def _current_item(self) -> NeuronItem | LayerHeaderItem | None:
        for item in self.scene.selectedItems():
            if isinstance(item, (NeuronItem, LayerHeaderItem)):
                return item
        return None

    def select_item(self, item: NeuronItem | LayerHeaderItem) -> None:
        """Select one layer header or neuron (as a click would) and scroll it into view."""
        self.scene.clearSelection()
        item.setSelected(True)
        self.view.ensureVisible(item, 20, 20)
        if isinstance(item, LayerHeaderItem):
            hint = ("Delete removes it, Ctrl+←/→ moves it, " if item.kind == "hidden" and self._editable else "")
            self._show_info(f"{item.summary()} selected: ↓ goes to its neurons, {hint}the Menu key shows more.")
        else:
            self._show_info(f"{self.scene.tooltip_for(item).splitlines()[0]} — Enter shows its weights.")

    def _diagram_key(self, event) -> bool:
        """Move the selection through layers (←/→) and neurons (↑/↓); True when the key was used."""
        key = event.key()
        modifiers = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
        current = self._current_item()
        count = self.scene.layer_count()
        if count == 0:
            return False
        layer = current.layer_index if current is not None else None
        if (key == Qt.Key.Key_Menu and modifiers == Qt.KeyboardModifier.NoModifier) or (
                key == Qt.Key.Key_F10 and modifiers == Qt.KeyboardModifier.ShiftModifier):
            self.open_context_menu()  # not every platform turns these keys into a context-menu event
            return True
        if modifiers == Qt.KeyboardModifier.ControlModifier and key in (Qt.Key.Key_Left, Qt.Key.Key_Right):
            if isinstance(current, LayerHeaderItem) and current.kind == "hidden":
                target = layer + (1 if key == Qt.Key.Key_Right else -1)
                if 0 < target < count - 1 and self._move_layer(layer, target):
                    self.select_item(self.scene.header_item(target))
            return True
        if modifiers != Qt.KeyboardModifier.NoModifier:
            return False
        if key in (Qt.Key.Key_Left, Qt.Key.Key_Right):
            step = 1 if key == Qt.Key.Key_Right else -1
            target = 0 if layer is None else min(max(layer + step, 0), count - 1)
            self.select_item(self.scene.header_item(target))
            return True
        if key in (Qt.Key.Key_Up, Qt.Key.Key_Down):
            if current is None:
                self.select_item(self.scene.header_item(0))
                return True
            neurons = self.scene.neuron_items(layer)
            if isinstance(current, LayerHeaderItem):
                if key == Qt.Key.Key_Down and neurons:
                    self.select_item(neurons[0])
                return True
            position = neurons.index(current) if current in neurons else 0
            position += 1 if key == Qt.Key.Key_Down else -1
            self.select_item(neurons[position] if 0 <= position < len(neurons)
                             else self.scene.header_item(layer) if position < 0 else current)
            return True
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Space) and current is not None:
            if isinstance(current, NeuronItem):
                self.scene.neuron_clicked(current)
            else:
                self.open_context_menu()
            return True
        if key == Qt.Key.Key_Escape and current is not None:
            self.scene.clearSelection()
            self._show_info("")
            return True
        return False

    def open_context_menu(self) -> None:
        """The layer menu of the selected layer or neuron (or the diagram's), beside it."""
        current = self._current_item()
        if current is None:
            layer, neuron, where = None, None, self.view.rect().center()
        else:
            layer = current.layer_index
            neuron = current if isinstance(current, NeuronItem) else None
            where = self.view.mapFromScene(current.sceneBoundingRect().bottomRight())
        menu = self.scene.context_menu(layer, neuron, self)
        menu.exec(self.view.viewport().mapToGlobal(where))

    def keyPressEvent(self, event) -> None:
        # Handled here, not as shortcuts: the main window's Edit menu may bind the same keys to the
        # same stack, and two shortcuts for one key would be ambiguous (neither fires).
        if event.matches(QKeySequence.StandardKey.Undo):
            if self._editable:
                self.undo_stack.undo()
        elif event.matches(QKeySequence.StandardKey.Redo) or (
                event.key() == Qt.Key.Key_Z and event.modifiers() == (Qt.KeyboardModifier.ControlModifier
                                                                      | Qt.KeyboardModifier.ShiftModifier)):
            if self._editable:
                self.undo_stack.redo()
        else:
            super().keyPressEvent(event)
            return
        event.accept()

    def _export_with_dialog(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Export the diagram", "network.png", EXPORT_FILTER)
        if not path:
            return
        try:
            self.export(path)
        except DataError as error:
            self._show_error(str(error))
        else:
            self._show_info(f"Saved the diagram to {path}")


# -- demo -----------------------------------------------------------------------------------------
def _demo_graph(sizes: list[int]) -> NetworkGraph:
    if sizes == [3, 2, 1]:
        inputs, outputs = ["age", "exercise", "diet"], ["output"]
    else:
        inputs = [f"x{i}" for i in range(sizes[0])]
        outputs = ["output"] if sizes[-1] == 1 else [f"class {j}" for j in range(sizes[-1])]
    return NetworkGraph(inputs, outputs, hidden=[(size, "sigmoid") for size in sizes[1:-1]])


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    sizes = [int(part) for part in argv[0].split("-")] if argv else [3, 2, 1]
    app = QApplication.instance() or QApplication(sys.argv)
    graph = _demo_graph(sizes)
    window = QWidget()
    window.setWindowTitle("Network diagram editor — demo with random, moving weights")
    editor = EditorWidget(graph, parent=window)
    history = editor.undo_view(window)
    history.setMaximumWidth(260)
    row = QHBoxLayout(window)
    row.addWidget(editor, 1)
    row.addWidget(history)

    rng = np.random.default_rng(0)
    state = {"params": None, "phase": 0.0}

    def tick() -> None:
        count = parameter_count(graph.layer_sizes)
        if state["params"] is None or state["params"].size != count:
            state["params"] = rng.normal(0, 1, count)
            state["drift"] = rng.normal(0, 1, count)
        state["phase"] += 0.05
        editor.set_parameters(state["params"] + np.sin(state["phase"]) * state["drift"])

    timer = QTimer(window)
    timer.timeout.connect(tick)
    timer.start(50)
    tick()
    window.resize(1180, 720)
    window.show()
    editor.view.setFocus()
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())
