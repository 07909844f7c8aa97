"""Prediction: type one row of inputs and see the network's answer, optionally step by step.

The numbers come from :meth:`mlp_desktop.core.model.Model.predict` and
``Model.net.forward_layers``; what was typed is read by ``core.reading.values.read_typed_number``
(as the command line's ``--input`` is) and inputs outside the training data are named by
``core.extrapolation``. This panel only builds a form from the model's input columns, reads it and
shows the answers.
"""

from __future__ import annotations

import sys

import numpy as np
from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import (
    QAbstractItemView, QApplication, QComboBox, QGridLayout, QGroupBox, QHBoxLayout, QLabel,
    QLineEdit, QPlainTextEdit, QProgressBar, QPushButton, QSpinBox, QStyledItemDelegate, QTableView,
    QToolButton, QVBoxLayout, QWidget,
)

from ...core.errors import DataError
from ...core.extrapolation import extrapolation_warning, outside_training_range
from ...core.lazy import pd
from ...core.reading.values import parse_typed_number, read_typed_number
from ..dataframe_model import format_cell
from ..widgets import compact_list_table

DEBOUNCE_MS = 150
WARN_COLOUR, ERROR_COLOUR, NOTE_COLOUR = "#b35900", "#c62828", "#777"
WARN_STYLE = f"color: {WARN_COLOUR};"
ERROR_STYLE = f"color: {ERROR_COLOUR};"
NOTE_STYLE = f"color: {NOTE_COLOUR};"
STYLES = {"error": ERROR_STYLE, "warn": WARN_STYLE, "note": NOTE_STYLE}
COLOURS = {"error": ERROR_COLOUR, "warn": WARN_COLOUR, "note": NOTE_COLOUR}
FORM_WIDGETS_LIMIT = 64
"""Up to this many inputs each has a label, a field and a note of its own; more are rows of one
table (input, value, note) whose value cell is edited in place: 784 rows of widgets took 0.2 s to
make and 1-2 s for Qt to lay out whenever the Predict tab showed a new image model."""


# -- small plain helpers (no Qt) --------------------------------------------------------------
def _number_or_none(text: str) -> float | None:
    """The number typed in ``text`` (see ``read_typed_number``), or ``None`` if it is not one."""
    try:
        return parse_typed_number(text)
    except ValueError:
        return None


def _one_row(values: dict) -> dict[str, np.ndarray]:
    """``values`` as one row of column arrays, in order: numbers as ``float64``, texts as ``object``.
    The model predicts from these without pandas (the form is on the window's first frame)."""
    row = {}
    for name, value in values.items():
        row[name] = np.empty(1, dtype=object if isinstance(value, str) else np.float64)
        row[name][0] = value
    return row


def _form_shape(model) -> tuple:
    """What the form's fields and bars depend on: inputs, their kinds and categories, classes."""
    pre = model.preprocessor
    inputs = tuple((name, pre.input_kinds.get(name), tuple(pre.categories.get(name, []))) for name in pre.inputs)
    return inputs, pre.task, tuple(pre.classes) if pre.task == "classification" else ()


def _fmt(value: float) -> str:
    return f"{value:.4g}"


def _vector(values) -> str:
    return "[" + ", ".join(_fmt(float(v)) for v in np.ravel(values)) + "]"


def explain_steps(model, row: pd.DataFrame) -> list[str]:
    """One line per step of the forward pass for a single row: scaled inputs, each layer, the answer."""
    pre = model.preprocessor
    x = pre.transform_inputs(row)
    traces = model.net.forward_layers(x)
    lines = ["inputs (scaled): " + ", ".join(f"{n}={_fmt(v)}" for n, v in zip(pre.encoded_inputs, x[0]))]
    n_hidden = len(traces) - 1
    for k, (trace, activation) in enumerate(zip(traces, model.net.activations)):
        name = f"hidden layer {k + 1}" if k < n_hidden else "output"
        lines.append(f"{name} ({activation}): z={_vector(trace.z[0])}, a={_vector(trace.a[0])}")
    result = model.predict(row)
    answer = ", ".join(f"{column}={_shown(result[column].iloc[0])}" for column in result.columns)
    lines.append("→ in your units: " + answer)
    return lines


def _rounded(value) -> str:
    """A predicted number with six significant digits, without trailing zeros."""
    return format_cell(float(f"{float(value):.6g}"))


def _shown(value) -> str:
    """A prediction cell as text: numbers rounded to six significant digits, labels as they are."""
    return _rounded(value) if isinstance(value, (np.floating, float)) else str(value)


def _plain(value):
    return float(value) if isinstance(value, (np.floating, float)) else value


class InputsModel(QAbstractTableModel):
    """The form of a model with many inputs: name, value (editable), note (the training range, or
    what is wrong with the value). ``edited()`` is called after the user changes a value."""

    HEADINGS = ("Input", "Value", "Note")
    VALUE = 1
    CATEGORIES_ROLE = Qt.ItemDataRole.UserRole

    def __init__(self, edited, parent=None):
        super().__init__(parent)
        self._edited = edited
        self.names: list[str] = []
        self.categories: list[list[str] | None] = []  # None for a number
        self.texts: list[str] = []
        self.hints: list[str] = []
        self.notes: list[tuple[str, str]] = []  # (text, colour); ("", "") when all is well

    def set_inputs(self, names, categories, texts, hints) -> None:
        self.beginResetModel()
        self.names, self.categories, self.texts, self.hints = list(names), list(categories), list(texts), list(hints)
        self.notes = [("", "")] * len(self.names)
        self.endResetModel()

    def set_text(self, row: int, text: str) -> None:
        if self.texts[row] != text:
            self.texts[row] = text
            self.dataChanged.emit(self.index(row, self.VALUE), self.index(row, self.VALUE))

    def set_notes(self, notes: list[tuple[str, str]]) -> None:
        if notes != self.notes:
            self.notes = notes
            self.dataChanged.emit(self.index(0, 2), self.index(len(notes) - 1, 2))

    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: N802 (Qt's names)
        return 0 if parent.isValid() else len(self.names)

    def columnCount(self, parent=QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else 3

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.HEADINGS[section]
        return None

    def flags(self, index):
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        return flags | Qt.ItemFlag.ItemIsEditable if index.column() == self.VALUE else flags

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        row, column = index.row(), index.column()
        name = self.names[row]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
            if column == 0:
                return name
            if column == self.VALUE:
                return self.texts[row]
            return self.notes[row][0] or self.hints[row]
        if role == Qt.ItemDataRole.ForegroundRole and column == 2:
            colour = self.notes[row][1]
            return QBrush(QColor(colour)) if colour else QBrush(QColor("#777"))
        if role == Qt.ItemDataRole.ToolTipRole:
            kind = "Choose" if self.categories[row] is not None else "Type"
            return f"{kind} the {name} to predict for" + (f" ({self.hints[row]})" if self.hints[row] else "")
        if role == Qt.ItemDataRole.AccessibleTextRole and column == self.VALUE:
            return f"{name}: {self.texts[row]}"
        if role == self.CATEGORIES_ROLE:
            return self.categories[row]
        return None

    def setData(self, index, value, role=Qt.ItemDataRole.EditRole) -> bool:  # noqa: N802
        if role != Qt.ItemDataRole.EditRole or index.column() != self.VALUE:
            return False
        if str(value) != self.texts[index.row()]:
            self.set_text(index.row(), str(value))
            self._edited()
        return True


class ValueDelegate(QStyledItemDelegate):
    """Edits a value cell: a combo box of the categories for a text input, a line edit for a number."""

    def createEditor(self, parent, option, index):  # noqa: N802 (Qt's names)
        categories = index.data(InputsModel.CATEGORIES_ROLE)
        if categories is None:
            editor = QLineEdit(parent)
        else:
            editor = QComboBox(parent)
            editor.addItems(categories)
            editor.activated.connect(lambda _index, e=editor: (self.commitData.emit(e), self.closeEditor.emit(e)))
        editor.setAccessibleName(str(index.siblingAtColumn(0).data()))
        return editor

    def setEditorData(self, editor, index):  # noqa: N802
        if isinstance(editor, QComboBox):
            editor.setCurrentIndex(max(0, editor.findText(index.data())))
        else:
            editor.setText(index.data())

    def setModelData(self, editor, model, index):  # noqa: N802
        model.setData(index, editor.currentText() if isinstance(editor, QComboBox) else editor.text())


# -- the panel ---------------------------------------------------------------------------------
class PredictionPanel(QWidget):
    """A form of the model's inputs and the live prediction for them."""

    predictionChanged = Signal()  # (prediction() gives it: a one-row frame, or None)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.model = None
        self.dataset = None
        self._ranges: dict[str, tuple[float, float]] = {}  # {number input: its training range}
        # The form as last checked: [its texts, the row (None: an input is invalid), the
        # extrapolation warning or None until asked]. See _checked_row.
        self._checked_form: list | None = None
        self._prediction_stale = False  # a hidden panel with a new form predicts when shown or asked
        self._form_shape: tuple | None = None
        # The input rows are built when the panel is first shown after a new form (or when asked
        # for): 784 rows of widgets took 0.2 s plus 1-2 s of Qt layout on every open of an image
        # table, mostly with the panel on a hidden tab. Until then the values are the defaults the
        # fields would show (_default_values).
        self._form_pending = False
        self._field_widgets: dict[str, QLineEdit | QComboBox] = {}
        self._note_labels: dict[str, QLabel] = {}
        self._prediction: dict[str, np.ndarray] | None = None  # Model.predict_columns of the form's row
        self._filling = False
        self._bars: list[tuple[QLabel, QProgressBar]] = []

        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(DEBOUNCE_MS)
        self._timer.timeout.connect(self.update_prediction)

        self.empty_label = QLabel("Train a network to predict.")
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)

        self.form_box = QGroupBox("Inputs")
        box_layout = QVBoxLayout(self.form_box)
        self.form_grid = QWidget()  # few inputs: a label, a field and a note each
        self.form_layout = QGridLayout(self.form_grid)
        self.form_layout.setContentsMargins(0, 0, 0, 0)
        box_layout.addWidget(self.form_grid)
        # many inputs: rows of one table (see FORM_WIDGETS_LIMIT)
        self.inputs_model = InputsModel(self._edited, self)
        self.inputs_view = QTableView()
        self.inputs_view.setModel(self.inputs_model)
        self.inputs_view.setItemDelegateForColumn(InputsModel.VALUE, ValueDelegate(self.inputs_view))
        self.inputs_view.setEditTriggers(QAbstractItemView.EditTrigger.AllEditTriggers)
        compact_list_table(self.inputs_view)  # Tab moves on to the row box; arrows move between inputs
        self.inputs_view.horizontalHeader().setStretchLastSection(True)
        self.inputs_view.setMinimumHeight(280)
        self.inputs_view.setToolTip("Type each input's value (or choose it): select a value and start typing, or press F2")
        self.inputs_view.setAccessibleName("Inputs")
        self.inputs_view.hide()
        box_layout.addWidget(self.inputs_view)
        self._table_form = False  # the inputs are in inputs_view

        self.result_box = QGroupBox("Prediction")
        result_layout = QVBoxLayout(self.result_box)
        self.result_label = QLabel("—")
        big = QFont()
        big.setPointSize(16)
        big.setBold(True)
        self.result_label.setFont(big)
        self.result_label.setWordWrap(True)
        self.result_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.actual_label = QLabel()
        self.actual_label.hide()
        self.extrapolation_label = QLabel()  # inputs outside the training data (core.extrapolation)
        self.extrapolation_label.setStyleSheet(WARN_STYLE)
        self.extrapolation_label.setWordWrap(True)
        self.extrapolation_label.hide()
        self.bars_widget = QWidget()
        self.bars_layout = QGridLayout(self.bars_widget)
        self.bars_layout.setContentsMargins(0, 0, 0, 0)
        result_layout.addWidget(self.result_label)
        result_layout.addWidget(self.actual_label)
        result_layout.addWidget(self.extrapolation_label)
        result_layout.addWidget(self.bars_widget)

        self.row_box = QWidget()
        row_layout = QHBoxLayout(self.row_box)
        row_layout.setContentsMargins(0, 0, 0, 0)
        self.row_spin = QSpinBox()
        self.row_spin.setToolTip("Spreadsheet row number (the header is row 1)")
        self.fill_button = QPushButton("Fill from row")
        self.fill_button.setToolTip("Copy that row's inputs into the form and show its actual answer")
        self.fill_button.clicked.connect(self.fill_from_row)
        self.row_spin.editingFinished.connect(self._row_entered)
        self.row_note = QLabel()
        self.row_note.setStyleSheet(ERROR_STYLE)
        self.row_note.setWordWrap(True)
        row_label = QLabel("Row")
        row_label.setBuddy(self.row_spin)  # no Alt+letter: tabbed-away docks keep theirs active, and R is taken
        row_layout.addWidget(row_label)
        row_layout.addWidget(self.row_spin)
        row_layout.addWidget(self.fill_button)
        row_layout.addWidget(self.row_note, 1)

        self.how_button = QToolButton()
        self.how_button.setText("Show how ▸")
        self.how_button.setToolTip("Show the forward pass step by step: scaled inputs, each layer's sums and "
                                   "activations, the answer")
        self.how_button.setFocusPolicy(Qt.FocusPolicy.StrongFocus)  # tool buttons skip Tab by default
        self.how_button.setCheckable(True)
        self.how_button.toggled.connect(self._toggle_how)
        self.how_text = QPlainTextEdit()
        self.how_text.setReadOnly(True)
        self.how_text.setFont(QFont("monospace"))
        self.how_text.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        self.how_text.setTabChangesFocus(True)
        self.how_text.setToolTip("How the network computed this prediction")
        self.how_text.hide()

        # Stacked, not side by side: the panel lives in a narrow dock.
        top = QVBoxLayout()
        top.addWidget(self.form_box)
        top.addWidget(self.result_box)
        layout = QVBoxLayout(self)
        layout.addWidget(self.empty_label)
        layout.addLayout(top)
        layout.addWidget(self.row_box)
        layout.addWidget(self.how_button)
        layout.addWidget(self.how_text, 1)
        layout.addStretch(0)
        self.set_model(None)

    # -- public API ------------------------------------------------------------------------------
    def set_model(self, model, ranges: dict[str, tuple[float, float]] | None = None, dataset=None) -> None:
        """Build the form for ``model`` (``None`` clears). ``ranges`` are the number inputs' training
        ranges (``core.evaluation.input_ranges``); ``dataset`` (a core Dataset) enables "Fill from row"."""
        self._timer.stop()
        same_form = (model is not None and self.model is not None and dataset is self.dataset
                     and _form_shape(model) == self._form_shape)
        self.model, self.dataset = model, dataset
        if same_form:
            # Retrained, same inputs: keep the fields and what the user typed in them (a form of
            # 784 image pixels took seconds to rebuild after every run).
            ranges = dict(ranges or {})
            if ranges != self._ranges:
                self._checked_form = None  # the notes and the warning name the training ranges
            self._ranges = ranges
            self._update_prediction_when_seen()
            return
        self._clear_form()
        self._form_shape = _form_shape(model) if model is not None else None
        has_model = model is not None
        for widget in (self.form_box, self.result_box, self.how_button):
            widget.setVisible(has_model)
        self.how_text.setVisible(has_model and self.how_button.isChecked())
        self.empty_label.setVisible(not has_model)
        self.row_box.setVisible(has_model and dataset is not None and len(dataset.row_numbers) > 0)
        if not has_model:
            self._set_prediction(None)
            return
        self._ranges = dict(ranges or {})
        pre = model.preprocessor
        if pre.task == "classification":
            for row, label in enumerate(pre.classes):
                name = QLabel(str(label))
                bar = QProgressBar()
                bar.setRange(0, 1000)
                bar.setTextVisible(True)
                self.bars_layout.addWidget(name, row, 0)
                self.bars_layout.addWidget(bar, row, 1)
                self._bars.append((name, bar))
        if dataset is not None and len(dataset.row_numbers):
            numbers = np.asarray(dataset.row_numbers)
            self.row_spin.setRange(int(numbers.min()), int(numbers.max()))
            self.row_spin.setValue(int(numbers[0]))
        self.row_note.clear()
        self._form_pending = True
        if self.isVisible():
            self._build_form()
        self._update_prediction_when_seen()

    def _update_prediction_when_seen(self) -> None:
        """Predict now if the panel is shown; else when it is shown or the prediction is asked for."""
        if self.isVisible():
            self.update_prediction()
        else:
            self._prediction_stale = True

    @property
    def form_built(self) -> bool:
        """Whether the input fields exist (they are made when the panel is shown or asked for)."""
        return not self._form_pending

    @property
    def _fields(self) -> dict:
        self._build_form()
        return self._field_widgets

    @property
    def _notes(self) -> dict:
        self._build_form()
        return self._note_labels

    def showEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        self._build_form()
        if self._prediction_stale:
            self.update_prediction()
        super().showEvent(event)

    def _default_values(self) -> dict:
        """What the fields show when they are made: the middle of each number's training range
        (else 0), each category column's first category."""
        pre, result = self.model.preprocessor, {}
        for name in pre.inputs:
            if pre.input_kinds.get(name) == "categorical":
                categories = pre.categories.get(name, [])
                result[name] = str(categories[0]) if len(categories) else ""
            else:
                result[name] = parse_typed_number(self._default_text(name))
        return result

    def _default_text(self, name: str) -> str:
        low_high = self._ranges.get(name)
        if not low_high:
            return "0"
        return format_cell(float(f"{(low_high[0] + low_high[1]) / 2:.4g}"))

    def _build_form(self) -> None:
        """Make the input rows of a new form, if not made yet."""
        if not self._form_pending:
            return
        self._form_pending = False
        pre = self.model.preprocessor
        self._table_form = len(pre.inputs) > FORM_WIDGETS_LIMIT
        self.form_grid.setVisible(not self._table_form)
        self.inputs_view.setVisible(self._table_form)
        if self._table_form:
            self._fill_inputs_table()
            return
        layout = self.form_layout
        for row, name in enumerate(pre.inputs):
            label = QLabel(name)
            if pre.input_kinds.get(name) == "categorical":
                field = QComboBox()
                field.addItems([str(c) for c in pre.categories.get(name, [])])
                field.setToolTip(f"Choose the {name} to predict for")
                field.currentIndexChanged.connect(self._edited)
            else:
                field = QLineEdit()
                field.setToolTip(f"Type the {name} to predict for")
                hint = self._range_hint(name)
                if hint:
                    field.setPlaceholderText(hint)
                    field.setToolTip(f"Type the {name} to predict for ({hint})")
                field.setText(self._default_text(name))
                field.textChanged.connect(self._edited)
            label.setBuddy(field)
            field.setAccessibleName(name)
            note = QLabel()
            note.setWordWrap(True)
            layout.addWidget(label, row, 0)
            layout.addWidget(field, row, 1)
            layout.addWidget(note, row, 2)
            self._field_widgets[name], self._note_labels[name] = field, note
        layout.setColumnStretch(1, 1)
        layout.setColumnStretch(2, 1)
        # Tab goes down the form, then to the row, Fill and Show how (the fields are made last).
        chain = [*self._field_widgets.values(), self.row_spin, self.fill_button, self.how_button, self.how_text]
        for first, second in zip(chain, chain[1:]):
            QWidget.setTabOrder(first, second)
        self._checked_row()  # the notes of the values shown

    def _fill_inputs_table(self) -> None:
        pre = self.model.preprocessor
        categories, texts, hints = [], [], []
        for name in pre.inputs:
            if pre.input_kinds.get(name) == "categorical":
                choices = [str(c) for c in pre.categories.get(name, [])]
                categories.append(choices)
                texts.append(choices[0] if choices else "")
                hints.append("")
            else:
                categories.append(None)
                texts.append(self._default_text(name))
                hints.append(self._range_hint(name))
        self.inputs_model.set_inputs(pre.inputs, categories, texts, hints)
        self.inputs_view.resizeColumnToContents(0)
        chain = [self.inputs_view, self.row_spin, self.fill_button, self.how_button, self.how_text]
        for first, second in zip(chain, chain[1:]):
            QWidget.setTabOrder(first, second)
        self._checked_row()

    def values(self) -> dict:
        """``{input: value}``: numbers as ``float`` (the raw text where it is not a number), categories as ``str``."""
        if self._form_pending:
            return self._default_values()
        if self._table_form:
            model, result = self.inputs_model, {}
            for name, choices, text in zip(model.names, model.categories, model.texts):
                number = None if choices is not None else _number_or_none(text)
                result[name] = text if number is None else number
            return result
        result = {}
        for name, field in self._field_widgets.items():
            if isinstance(field, QComboBox):
                result[name] = field.currentText()
            else:
                number = _number_or_none(field.text())
                result[name] = field.text() if number is None else number
        return result

    def set_values(self, values: dict) -> None:
        """Put ``values`` into the form (unknown names are ignored); the prediction follows."""
        self._build_form()
        if self._table_form:
            model, changed = self.inputs_model, False
            rows = {name: row for row, name in enumerate(model.names)}
            for name, value in values.items():
                row = rows.get(name)
                if row is None:
                    continue
                choices = model.categories[row]
                if choices is not None:
                    text = str(value)
                    if text not in choices:
                        continue
                else:
                    text = format_cell(float(value)) if isinstance(value, (int, float, np.number)) else str(value)
                changed |= text != model.texts[row]
                model.set_text(row, text)
            if changed:
                self._edited()
            return
        for name, value in values.items():
            field = self._fields.get(name)
            if isinstance(field, QComboBox):
                index = field.findText(str(value))
                if index >= 0:
                    field.setCurrentIndex(index)
            elif field is not None:
                field.setText(format_cell(float(value)) if isinstance(value, (int, float, np.number)) else str(value))

    def prediction(self) -> pd.DataFrame | None:
        """The prediction for the form's current values (``None`` while an input is invalid or without a model)."""
        if self._timer.isActive() or self._prediction_stale:
            self.update_prediction()
        return None if self._prediction is None else pd.DataFrame(self._prediction)

    # -- actions ---------------------------------------------------------------------------------
    def update_prediction(self) -> None:
        """Check every field, then predict now (the debounce timer calls this)."""
        self._timer.stop()
        self._prediction_stale = False
        if self.model is None:
            self._set_prediction(None)
            return
        row = self._checked_row()
        if row is None:
            self._set_prediction(None)
            return
        try:
            result = self.model.predict_columns(row)
            steps = explain_steps(self.model, pd.DataFrame(row)) if self.how_button.isChecked() else None
        except DataError as error:
            self.result_label.setText("—")
            self.how_text.setPlainText(str(error))
            self._set_prediction(None)
            return
        self._set_prediction(result, steps)
        warning = self._extrapolation_warning(row)
        self.extrapolation_label.setText(warning)
        self.extrapolation_label.setVisible(bool(warning))

    def fill_from_row(self) -> None:
        """Copy the dataset row with the spin box's spreadsheet row number into the form."""
        if self.dataset is None:
            return
        number = self.row_spin.value()
        positions = np.flatnonzero(np.asarray(self.dataset.row_numbers) == number)
        if not len(positions):
            self.row_note.setText(f"Row {number} is not in the data (empty or skipped).")
            return
        self.row_note.clear()
        record = self.dataset.frame.iloc[int(positions[0])]
        self._filling = True
        try:
            self.set_values({name: _plain(record[name]) for name in self.model.preprocessor.inputs
                             if name in record.index})
        finally:
            self._filling = False
        actual = [f"{t} = {format_cell(_plain(record[t]))}" for t in self.model.targets if t in record.index]
        self.actual_label.setText(f"row {number}, actual: " + ", ".join(actual) if actual else "")
        self.actual_label.setVisible(bool(actual))
        self.update_prediction()

    # -- internals -------------------------------------------------------------------------------
    def _edited(self, *_):
        if not self._filling:
            self.actual_label.hide()
        self._timer.start()

    def _checked_row(self) -> dict[str, np.ndarray] | None:
        """The form as one row (:func:`_one_row`), marking each field; ``None`` if any number is invalid.

        Checked again only when a text or the training ranges changed: while a run trains, the
        same form is predicted with new weights twice a second, and checking its 784 inputs (with
        the extrapolation warning) took 20-25 ms of the GUI thread each time.
        """
        if self._form_pending:
            return _one_row(self._default_values())
        texts = self._form_texts()
        if self._checked_form is not None and self._checked_form[0] == texts:
            return self._checked_form[1]
        row = self._checked_table_row() if self._table_form else self._checked_field_row()
        self._checked_form = [texts, row, None]
        return row

    def _form_texts(self) -> tuple[str, ...]:
        """What the form's inputs hold now (what a check reads)."""
        if self._table_form:
            return tuple(self.inputs_model.texts)
        return tuple(field.currentText() if isinstance(field, QComboBox) else field.text()
                     for field in self._field_widgets.values())

    def _extrapolation_warning(self, row: dict[str, np.ndarray]) -> str:
        """:func:`extrapolation_warning` for ``row``, worked out once per checked form."""
        checked = self._checked_form
        if checked is None or checked[1] is not row:
            return extrapolation_warning(self._ranges, row)
        if checked[2] is None:
            checked[2] = extrapolation_warning(self._ranges, row)
        return checked[2]

    def _checked_field_row(self) -> dict[str, np.ndarray] | None:
        row, valid = {}, True
        for name, field in self._field_widgets.items():
            note = self._note_labels[name]
            if isinstance(field, QComboBox):
                row[name] = field.currentText()
                note.clear()
                continue
            number, message, kind = self._check_number(name, field.text())
            if kind:
                note.setStyleSheet(STYLES[kind])
                note.setText(message)
            else:
                note.clear()
            if number is None:
                valid = False
            else:
                row[name] = number
        return _one_row(row) if valid else None

    def _range_hint(self, name: str) -> str:
        """``"training range a – b"`` for a number input, ``""`` without a range."""
        low_high = self._ranges.get(name)
        return f"training range {format_cell(low_high[0])} – {format_cell(low_high[1])}" if low_high else ""

    def _check_number(self, name: str, text: str) -> tuple[float | None, str, str]:
        """``(number or None, note, kind)`` for the text of a number input: ``kind`` is ``"error"`` (not
        a number: the note says why), ``"warn"`` (outside the training range), ``"note"`` (read other
        than written: ``"1,000"`` is read as 1000) or ``""``. Both forms use it."""
        try:
            number, read_as = read_typed_number(text)
        except ValueError as error:
            return None, str(error), "error"
        notes = [read_as[0].upper() + read_as[1:] + "."] if read_as else []
        if outside_training_range({name: self._ranges[name]} if name in self._ranges else {}, {name: number}):
            notes.append(f"Outside the {self._range_hint(name)}.")
            return number, " ".join(notes), "warn"
        return number, " ".join(notes), "note" if notes else ""

    def _checked_table_row(self) -> dict[str, np.ndarray] | None:
        model, row, notes, valid = self.inputs_model, {}, [], True
        for name, choices, text in zip(model.names, model.categories, model.texts):
            if choices is not None:
                row[name] = text
                notes.append(("", ""))
                continue
            number, message, kind = self._check_number(name, text)
            notes.append((message, COLOURS.get(kind, "")))
            if number is None:
                valid = False
            else:
                row[name] = number
        model.set_notes(notes)
        return _one_row(row) if valid else None

    def _set_prediction(self, result: dict[str, np.ndarray] | None, steps: list[str] | None = None) -> None:
        self._prediction = result
        if result is None:
            self.extrapolation_label.hide()
            self.result_label.setText("—")
            for _, bar in self._bars:
                bar.setValue(0)
                bar.setFormat("")
            if self.model is not None:
                self.how_text.setPlainText("Fix the inputs marked in red to see a prediction.")
        else:
            pre = self.model.preprocessor
            if pre.task == "regression":
                text = "\n".join(f"{t} = {_rounded(result['predicted_' + t][0])}" for t in pre.targets)
            else:
                text = f"{pre.targets[0]}: {result[f'predicted_{pre.targets[0]}'][0]}"
                for (_, bar), label in zip(self._bars, pre.classes):
                    p = float(result[f"probability_{label}"][0])
                    bar.setValue(round(p * 1000))
                    bar.setFormat(f"{p:.1%}")
            self.result_label.setText(text)
            if steps is not None:
                self.how_text.setPlainText("\n".join(steps))
        self.predictionChanged.emit()

    def _row_entered(self) -> None:
        """Enter in the row box fills the form, as the button does."""
        if self.row_spin.hasFocus():
            self.fill_from_row()

    def _toggle_how(self, shown: bool) -> None:
        self.how_button.setText("Hide how ▾" if shown else "Show how ▸")
        self.how_text.setVisible(shown)
        if shown:
            self.update_prediction()

    def _clear_form(self) -> None:
        for container in (self.form_layout, self.bars_layout):
            while container.count():
                item = container.takeAt(0)
                if item.widget() is not None:
                    item.widget().deleteLater()
        self._field_widgets, self._note_labels, self._bars, self._ranges = {}, {}, [], {}
        self._checked_form = None
        self._prediction_stale = False
        self._form_pending = False
        self._table_form = False
        self.inputs_model.set_inputs([], [], [], [])
        self.actual_label.hide()
        self.how_text.clear()


def main() -> int:
    """Show the panel alone with a quickly trained iris model."""
    app = QApplication.instance() or QApplication(sys.argv)
    from ...core.session import trained_sample_session

    session = trained_sample_session("iris", validation_fraction=0.0)
    panel = PredictionPanel()
    panel.setWindowTitle("Prediction panel — demo (iris)")
    panel.set_model(session.model(), session.input_ranges, session.dataset)
    panel.resize(760, 560)
    panel.show()
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())
