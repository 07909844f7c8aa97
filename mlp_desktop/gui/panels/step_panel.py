"""Step-through: one training row, forward, backward and update, written on the diagram.

The numbers come from :func:`mlp_desktop.core.stepthrough.step_through`; this panel only lets the
user pick a row and a phase, and hands the texts to whatever shows them (the diagram editor's
``show_annotations``/``clear_annotations``).
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QFormLayout, QHBoxLayout, QLabel, QPlainTextEdit, QPushButton, QSpinBox, QVBoxLayout, QWidget,
)

from ...core.errors import DataError
from ...core.stepthrough import StepThrough, apply_step, step_through
from ..widgets import error_label


def _fmt(value: float) -> str:
    return f"{value:.4g}"


def forward_texts(step: StepThrough) -> tuple[dict, dict]:
    """Neuron labels for the forward pass: inputs, then z and a of every neuron."""
    neurons = {(0, i): f"x={_fmt(v)}" for i, v in enumerate(step.inputs)}
    for layer, (z, a) in enumerate(zip(step.pre_activations, step.activations[1:]), start=1):
        for i, (zi, ai) in enumerate(zip(z, a)):
            neurons[(layer, i)] = f"z={_fmt(zi)}\na={_fmt(ai)}"
    return neurons, {}


def backward_texts(step: StepThrough) -> tuple[dict, dict]:
    """Neuron deltas (dL/dz) and every weight's gradient."""
    neurons = {(layer, i): f"δ={_fmt(d)}" for layer, deltas in enumerate(step.deltas, start=1)
               for i, d in enumerate(deltas)}
    edges = {(k, i, j): f"∂={_fmt(g)}" for k, grads in enumerate(step.weight_grads, start=1)
             for (i, j), g in np.ndenumerate(grads)}
    return neurons, edges


def update_texts(step: StepThrough, old_weights: list[np.ndarray]) -> tuple[dict, dict]:
    """Each weight's new value and its change."""
    edges = {(k, i, j): f"{_fmt(new)} (Δ{_fmt(new - old[i, j])})"
             for k, (new_w, old) in enumerate(zip(step.new_weights, old_weights), start=1)
             for (i, j), new in np.ndenumerate(new_w)}
    neurons = {(layer, i): f"b={_fmt(b)}" for layer, biases in enumerate(step.new_biases, start=1)
               for i, b in enumerate(biases)}
    return neurons, edges


class StepPanel(QWidget):
    """Pick a training row; Forward, Backward and Update show the hand calculation on the diagram."""

    weightsChanged = Signal()  # after Update changed the network's weights

    def __init__(self, workspace, annotate, clear, parent: QWidget | None = None):
        super().__init__(parent)
        self.workspace, self._annotate, self._clear = workspace, annotate, clear
        self._updating_weights = False
        self.step: StepThrough | None = None
        self.row_spin = QSpinBox()
        self.row_spin.setToolTip("The spreadsheet row to push through the network.")
        self.row_spin.valueChanged.connect(self._row_changed)
        # Alt+1, Alt+2, Alt+3 press the three steps (letters: see the data and parameter panels).
        self.forward_button = QPushButton("&1. Forward")
        self.forward_button.setToolTip("Compute every neuron's sum z and activation a for this row.")
        self.backward_button = QPushButton("&2. Backward")
        self.backward_button.setToolTip("Compute every neuron's delta and every weight's gradient.")
        self.update_button = QPushButton("&3. Update")
        self.update_button.setToolTip("Take one gradient step with the learning rate and show the new weights.")
        self.forward_button.clicked.connect(self.forward)
        self.backward_button.clicked.connect(self.backward)
        self.update_button.clicked.connect(self.update_weights)
        self.summary = QPlainTextEdit()
        self.summary.setReadOnly(True)
        self.summary.setMaximumHeight(140)
        self.summary.setTabChangesFocus(True)
        self.summary.setToolTip("The step's numbers for this row: inputs, output, target and loss.")
        self.error = error_label()
        form = QFormLayout()
        form.addRow("Row:", self.row_spin)  # no Alt+R: the parameters' Range has it
        buttons = QHBoxLayout()
        for button in (self.forward_button, self.backward_button, self.update_button):
            buttons.addWidget(button)
        layout = QVBoxLayout(self)
        intro = QLabel("Follow one row through the network, as in a hand calculation.")
        intro.setWordWrap(True)  # one long line set the whole right-hand dock's minimum width
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addLayout(buttons)
        layout.addWidget(self.summary)
        layout.addWidget(self.error)
        layout.addStretch(1)
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
        self.step = None
        self.backward_button.setEnabled(False)
        self.update_button.setEnabled(False)
        self.summary.clear()
        self._clear()

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
        frame = session.dataset.frame.iloc[[session.train_rows[matches[0]]]]
        x = session.preprocessor.transform_inputs(frame)
        y = session.preprocessor.transform_targets(frame)
        return step_through(session.net, x, y, session.loss, session.config.learning_rate)

    def forward(self) -> None:
        try:
            self.step = self._compute()
        except DataError as error:
            self._show_error(str(error))
            return
        self._show_error("")
        self._annotate(*forward_texts(self.step))
        step = self.step
        self.summary.setPlainText(
            f"inputs (scaled): {np.array2string(step.inputs, precision=4)}\n"
            f"output: {np.array2string(step.output, precision=4)}   target: {np.array2string(step.target, precision=4)}\n"
            f"loss ({self.session.loss}): {_fmt(step.loss)}")
        self.backward_button.setEnabled(True)

    def backward(self) -> None:
        if self.step is None:
            return
        self._annotate(*backward_texts(self.step))
        self.summary.appendPlainText("δ = dLoss/dz of each neuron; ∂ = dLoss/dw = (input activation) × δ.")
        self.update_button.setEnabled(True)

    def update_weights(self) -> None:
        if self.step is None:
            return
        net = self.session.net.copy()
        old = [w.copy() for w in net.weights]
        apply_step(net, self.step)
        self._updating_weights = True
        try:
            self.workspace.apply_step(net.get_parameters())
        finally:
            self._updating_weights = False
        self._annotate(*update_texts(self.step, old))
        self.summary.appendPlainText(f"w ← w − {self.step.learning_rate:g} × ∂ for every weight and bias.")
        self.update_button.setEnabled(False)
        self.weightsChanged.emit()

    def _show_error(self, message: str) -> None:
        self.error.setText(message)
        self.error.setVisible(bool(message))
