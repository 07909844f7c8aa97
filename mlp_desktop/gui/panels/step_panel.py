"""Step-through: one training row, forward, backward and update, on the diagram and in a table.

The numbers come from :func:`mlp_desktop.core.stepthrough.step_through`; this panel only lets the
user pick a row and a phase, and shows them: the row's values (scaled, as the network computes, and
in the data's units) in a text box, every weight and bias (value, gradient, new value, change) in a
table, and short labels handed to whatever draws the diagram (the editor's
``show_annotations``/``clear_annotations``), which shows the ones that fit.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView, QFormLayout, QHBoxLayout, QHeaderView, QLabel, QPlainTextEdit, QPushButton, QSpinBox,
    QTableView, QVBoxLayout, QWidget,
)

from ...core.errors import DataError
from ...core.parameters import bias_name, weight_name
from ...core.settings import SCALING_CHOICES
from ...core.stepthrough import ParameterSteps, StepThrough, apply_step, parameter_steps, step_through
from ..editor.style import MAX_EDGE_ANNOTATIONS
from ..widgets import compact_list_table, error_label

FORWARD, BACKWARD, UPDATE = 1, 2, 3


def _fmt(value: float) -> str:
    """A number in the table and the text box (4 significant digits)."""
    return f"{value:.4g}"


def _short(value: float) -> str:
    """A number on the diagram (3 significant digits; the table and the label's tooltip have 4)."""
    return f"{value:.3g}"


def _signed(value: float, digits: int = 4) -> str:
    return f"{value:+.{digits}g}"


def _biggest_first(items: dict, values: dict) -> dict:
    """``items`` ordered by ``|values|``, largest first: the diagram shows the first ones that fit."""
    return {key: items[key] for key in sorted(items, key=lambda key: -abs(values[key]))}


def forward_texts(step: StepThrough) -> tuple[dict, dict]:
    """Neuron labels for the forward pass: inputs, then z and a of every neuron."""
    neurons = {(0, i): (f"x={_short(v)}", f"x = {_fmt(v)} (scaled input)") for i, v in enumerate(step.inputs)}
    for layer, (z, a) in enumerate(zip(step.pre_activations, step.activations[1:]), start=1):
        for i, (zi, ai) in enumerate(zip(z, a)):
            neurons[(layer, i)] = (f"z={_short(zi)}\na={_short(ai)}",
                                   f"z = {_fmt(zi)} (weighted sum + bias)\na = {_fmt(ai)} (activation of z)",
                                   f"a={_short(ai)}")  # where two lines find no room
    return neurons, {}


FITTED_ROWS = 100
"""The table's columns fit the widest text in this many rows (Qt's default measured 1,000)."""


def _labels_connections(step: StepThrough) -> bool:
    """Whether the diagram can label this network's connections: it labels none when more than
    ``MAX_EDGE_ANNOTATIONS`` are drawn, so their texts are not made (two per weight of a 784-64-10
    network took 0.3 s of every click; the table lists them all)."""
    return sum(w.size for w in step.weights) <= MAX_EDGE_ANNOTATIONS


def backward_texts(step: StepThrough) -> tuple[dict, dict]:
    """Neuron deltas (dL/dz) and every weight's gradient (largest first)."""
    neurons = {(layer, i): (f"δ={_short(d)}", f"δ = dLoss/dz = {_fmt(d)} (also the gradient of {bias_name(layer, i)})")
               for layer, deltas in enumerate(step.deltas, start=1) for i, d in enumerate(deltas)}
    if not _labels_connections(step):
        return neurons, {}
    grads = {(k, i, j): g for k, grads in enumerate(step.weight_grads, start=1) for (i, j), g in np.ndenumerate(grads)}
    edges = {key: (f"∂={_short(g)}", f"{weight_name(*key)}: ∂ = dLoss/dw = {_fmt(g)}") for key, g in grads.items()}
    return neurons, _biggest_first(edges, grads)


def update_texts(step: StepThrough) -> tuple[dict, dict]:
    """Each weight's and bias's change (largest first); the tooltips have the old and new values."""
    def label(symbol: str, name: str, old: float, new: float) -> tuple[str, str]:
        return (f"Δ{symbol}={_short(new - old)}", f"{name}: {_fmt(old)} → {_fmt(new)} (change {_signed(new - old)})")

    neurons = {(layer, i): label("b", bias_name(layer, i), old, new) for layer, (olds, news) in
               enumerate(zip(step.biases, step.new_biases), start=1) for i, (old, new) in enumerate(zip(olds, news))}
    if not _labels_connections(step):
        return neurons, {}
    changes = {(k, i, j): new - old[i, j] for k, (new_w, old) in enumerate(zip(step.new_weights, step.weights), start=1)
               for (i, j), new in np.ndenumerate(new_w)}
    edges = {(k, i, j): label("w", weight_name(k, i, j), step.weights[k - 1][i, j], step.new_weights[k - 1][i, j])
             for k, i, j in changes}
    return neurons, _biggest_first(edges, changes)


def _listing(values) -> str:
    values = list(values)
    shown = ", ".join(_fmt(v) for v in values[:8])
    return shown + (f", … ({len(values)} in all)" if len(values) > 8 else "")


def _data_value(value) -> str:
    return _fmt(value) if isinstance(value, (int, float, np.number)) and not isinstance(value, bool) else str(value)


def row_text(step: StepThrough, preprocessor, frame, loss: str) -> str:
    """The row in the data's units, then the scaled values the network computes with, with the
    output and target turned back into the data's units (as predictions are)."""
    pre = preprocessor
    row = frame.iloc[0]
    data = ", ".join(f"{name} {_data_value(row[name])}" for name in pre.inputs)
    targets = ", ".join(f"{name} {_data_value(row[name])}" for name in pre.targets)
    scaling = SCALING_CHOICES.get(pre.input_scaling, pre.input_scaling)
    lines = [f"In the data: {data} → {targets}"]
    scaled = pre.input_scaling != "none"
    if pre.task == "regression":
        lines.append("The network computes with scaled values"
                     + (f" (inputs: {scaling}" if scaled else " (inputs as they are")
                     + (f"; target {pre.target_scaling}):" if pre.scales_targets else "):")
                     if scaled or pre.scales_targets else "The network computes with the data's values:")
    else:
        lines.append(f"The network computes with scaled inputs ({scaling}) and class probabilities:"
                     if scaled else "The network computes with the inputs as they are, and class probabilities:")
    lines.append(f"x ({'scaled ' if scaled else ''}inputs): {_listing(step.inputs)}")
    for layer, (z, a) in enumerate(zip(step.pre_activations[:-1], step.activations[1:-1]), start=1):
        lines.append(f"hidden {layer}: z = {_listing(z)}; a = {_listing(a)}")
    output, target = step.output[None, :], step.target[None, :]
    if pre.task == "regression" and pre.scales_targets:
        lines.append(f"output (scaled): {_listing(step.output)} = {_listing(pre.inverse_targets(output)[0])} "
                     "in the data's units")
        lines.append(f"target (scaled): {_listing(step.target)} = {_listing(pre.inverse_targets(target)[0])} "
                     "in the data's units")
    elif pre.task == "regression":
        lines.append(f"output: {_listing(step.output)}   target: {_listing(step.target)}")
    else:
        lines.append(f"output ({', '.join(pre.output_names)}): {_listing(step.output)} → predicts "
                     f"{pre.labels(output)[0]}")
        lines.append(f"target: {_listing(step.target)} → {pre.labels(target)[0]}")
    lines.append(f"loss ({loss}{', of the scaled values' if pre.task == 'regression' and pre.scales_targets else ''}):"
                 f" {_fmt(step.loss)}")
    return "\n".join(lines)


class StepTableModel(QAbstractTableModel):
    """Every weight and bias of the step: its value, then (after Backward) its gradient, then (after
    Update) its new value and change. Rows in the engine's order (``W1`` row by row, ``b1``, ``W2`` ...)."""

    HEADINGS = ("Name", "Value", "Gradient", "New", "Change")  # short: the dock is ~330 px at 1280x800
    TIPS = ("W{k}[i,j]: the weight from neuron i of layer k-1 to neuron j of layer k; b{k}[j]: a bias "
            "(select a row to mark it on the diagram)",
            "The value used in the forward pass", "∂ = dLoss/d(parameter), from the backward pass",
            "The new value after Update: value − learning rate × gradient", "Δ = new value − value")
    SHOWN_FROM = (FORWARD, FORWARD, BACKWARD, UPDATE, UPDATE)  # the phase that fills each column

    def __init__(self, parent=None):
        super().__init__(parent)
        self.rows: ParameterSteps | list = []
        self.phase = 0

    def set_step(self, rows: ParameterSteps | list, phase: int) -> None:
        self.beginResetModel()
        self.rows, self.phase = rows, phase
        self.endResetModel()

    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: N802 (Qt's names)
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent=QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self.HEADINGS)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if orientation == Qt.Orientation.Horizontal:
            if role == Qt.ItemDataRole.DisplayRole:
                return self.HEADINGS[section]
            if role == Qt.ItemDataRole.ToolTipRole:
                return self.TIPS[section]
        return None

    def cell_text(self, row: int, column: int) -> str:
        if self.phase < self.SHOWN_FROM[column]:
            return ""
        item = self.rows[row]  # (made for the rows on screen only: a big network has 50,890)
        # gradients and changes to 3 digits, as on the diagram: five columns fit a 330 px dock
        return (item.name, _fmt(item.value), _short(item.gradient), _fmt(item.new_value),
                _signed(item.change, 3))[column]

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self.cell_text(index.row(), index.column())
        if role == Qt.ItemDataRole.ToolTipRole and self.phase >= self.SHOWN_FROM[index.column()] and index.column():
            item = self.rows[index.row()]
            return repr((None, item.value, item.gradient, item.new_value, item.change)[index.column()])
        if role == Qt.ItemDataRole.TextAlignmentRole and index.column():
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None


class StepPanel(QWidget):
    """Pick a training row; Forward, Backward and Update show the hand calculation.

    parametersSelected(list[str]): the parameter the user selected in the table (to mark it on the
    diagram); ``[]`` when the selection is cleared.
    """

    weightsChanged = Signal()  # after Update changed the network's weights
    parametersSelected = Signal(list)

    def __init__(self, workspace, annotate, clear, parent: QWidget | None = None):
        super().__init__(parent)
        self.workspace, self._annotate, self._clear = workspace, annotate, clear
        self._updating_weights = False
        self.step: StepThrough | None = None
        self._parameters: ParameterSteps | list = []  # every parameter of the step (the table's rows)
        self._frame = None
        self.row_spin = QSpinBox()
        self.row_spin.setToolTip("The spreadsheet row to push through the network.")
        self.row_spin.valueChanged.connect(self._row_changed)
        # Alt+1, Alt+2, Alt+3 press the three steps (letters: see the data and parameter panels).
        self.forward_button = QPushButton("&1. Forward")
        self.forward_button.setToolTip("Compute every neuron's sum z and activation a for this row.")
        self.backward_button = QPushButton("&2. Backward")
        self.backward_button.setToolTip("Compute every neuron's delta and every weight's gradient.")
        self.update_button = QPushButton("&3. Update")
        self.update_button.setToolTip("Take one gradient step with the learning rate: the table lists every "
                                      "new weight and its change.")
        self.forward_button.clicked.connect(self.forward)
        self.backward_button.clicked.connect(self.backward)
        self.update_button.clicked.connect(self.update_weights)
        self.summary = QPlainTextEdit()
        self.summary.setReadOnly(True)
        self.summary.setMaximumHeight(190)
        self.summary.setTabChangesFocus(True)
        self.summary.setToolTip("This row's numbers: in the data's units, and scaled as the network computes.")
        self.table_model = StepTableModel(self)
        self.table = compact_list_table(QTableView())
        self.table.setModel(self.table_model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setMinimumHeight(7 * self.table.verticalHeader().defaultSectionSize())
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        # Fitted to the first rows, not 1,000 of them at every phase: with 50,890 parameters Qt's
        # sampling formatted 4,000 cells per click (0.1 s).
        self.table.horizontalHeader().setResizeContentsPrecision(FITTED_ROWS)
        self.table.horizontalHeader().setDefaultSectionSize(40)  # the stretched last column's least width
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setToolTip("Every weight and bias: select a row to mark it on the diagram.")
        self.table.selectionModel().selectionChanged.connect(self._table_selection_changed)
        self.error = error_label()
        form = QFormLayout()
        form.addRow("Row:", self.row_spin)  # no Alt+R: the parameters' Range has it
        buttons = QHBoxLayout()
        for button in (self.forward_button, self.backward_button, self.update_button):
            buttons.addWidget(button)
        layout = QVBoxLayout(self)
        intro = QLabel("Follow one row through the network, as in a hand calculation. The diagram shows "
                       "the numbers that fit (zoom in for more); the table lists every weight and bias.")
        intro.setWordWrap(True)  # one long line set the whole right-hand dock's minimum width
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addLayout(buttons)
        layout.addWidget(self.summary)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.error)
        self.refresh()
        workspace.subscribe(self._on_workspace_event)

    @property
    def session(self):
        return self.workspace.session

    def _on_workspace_event(self, event) -> None:
        """Texts about one step are stale once the data, the network or the weights change."""
        if event.kind in ("data", "network", "weights", "history") and not self._updating_weights:
            self.refresh()
        elif event.kind == "run" and self.workspace.run_state == "training":
            self._reset_step()

    # -- state ---------------------------------------------------------------------------------
    def refresh(self) -> None:
        """The data or network changed: offer the training rows again and forget the step."""
        rows = self._row_numbers()
        self.row_spin.blockSignals(True)
        if len(rows):
            self.row_spin.setRange(int(rows.min()), int(rows.max()))
        self.row_spin.blockSignals(False)
        self._reset_step()
        self.setEnabled(len(rows) > 0)

    def _row_numbers(self) -> np.ndarray:
        session = self.session
        if session.dataset is None or session.preprocessor is None or self.workspace.problem:
            return np.zeros(0, dtype=int)
        return np.asarray(session.dataset.row_numbers)[session.train_rows]

    def _row_changed(self) -> None:
        self._reset_step()

    def _reset_step(self) -> None:
        self.step, self._parameters = None, []
        self.backward_button.setEnabled(False)
        self.update_button.setEnabled(False)
        self.summary.clear()
        self.table_model.set_step([], 0)
        self._clear()

    def _table_selection_changed(self, *unused) -> None:
        rows = self.table.selectionModel().selectedRows()
        self.parametersSelected.emit([self.table_model.rows.names[index.row()] for index in rows])

    # -- the three phases ----------------------------------------------------------------------
    def _compute(self) -> StepThrough:
        session = self.session
        if self.workspace.problem:
            raise DataError(self.workspace.problem)
        rows = self._row_numbers()
        wanted = self.row_spin.value()
        matches = np.flatnonzero(rows == wanted)
        if not len(matches):
            raise DataError(f"Row {wanted} is not a training row (it may be a validation row or dropped); "
                            "choose another.")
        self._frame = session.dataset.frame.iloc[[session.train_rows[matches[0]]]]
        x = session.preprocessor.transform_inputs(self._frame)
        y = session.preprocessor.transform_targets(self._frame)
        return step_through(session.net, x, y, session.loss, session.config.learning_rate)

    def _show_phase(self, phase: int, texts: tuple[dict, dict]) -> None:
        self.table_model.set_step(self._parameters, phase)
        self._annotate(*texts)

    def forward(self) -> None:
        try:
            self.step = self._compute()
        except DataError as error:
            self._show_error(str(error))
            return
        self._parameters = parameter_steps(self.step)  # one listing of every parameter per step
        self._show_error("")
        self._show_phase(FORWARD, forward_texts(self.step))
        self.summary.setPlainText(row_text(self.step, self.session.preprocessor, self._frame, self.session.loss))
        self.backward_button.setEnabled(True)

    def backward(self) -> None:
        if self.step is None:
            return
        self._show_phase(BACKWARD, backward_texts(self.step))
        self.summary.appendPlainText("δ = dLoss/dz of each neuron; ∂ = dLoss/dw = (input activation) × δ "
                                     "(a bias's gradient is its neuron's δ). The table lists every gradient.")
        self.update_button.setEnabled(True)

    def update_weights(self) -> None:
        if self.step is None:
            return
        net = self.session.net.copy()
        apply_step(net, self.step)
        self._updating_weights = True
        try:
            self.workspace.apply_step(net.get_parameters())
        finally:
            self._updating_weights = False
        self._show_phase(UPDATE, update_texts(self.step))
        biggest = self._parameters.largest_change()
        self.summary.appendPlainText(
            f"w ← w − {self.step.learning_rate:g} × ∂ for every weight and bias: the table lists every new "
            f"value and its change (the largest: {biggest.name} {_fmt(biggest.value)} → {_fmt(biggest.new_value)}).")
        self.update_button.setEnabled(False)
        self.weightsChanged.emit()

    def _show_error(self, message: str) -> None:
        self.error.setText(message)
        self.error.setVisible(bool(message))
