"""The data panel: open a spreadsheet, preview it, choose column roles and data settings.

All reading and checking is done by :mod:`mlp_desktop.core.data`; this panel shows what the core
found (column kinds, the detected task, problems as plain sentences) and passes the user's
choices back to it. Run alone with ``python -m mlp_desktop.gui.panels.data_panel``.
"""

from __future__ import annotations

import html
import sys
from pathlib import Path

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QScrollArea,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ...core.data import (
    SUPPORTED_EXTENSIONS,
    ColumnInfo,
    Dataset,
    Roles,
    Table,
    column_info,
    default_roles,
    prepare_dataset,
    read_table,
)
from ...core.errors import DataError
from ...core.preprocessing import INPUT_SCALERS, split_rows
from ..dataframe_model import DataFrameModel
from ..widgets import ElidedLabel, error_label

ROLE_CHOICES: tuple[tuple[str, str], ...] = (("input", "Input"), ("target", "Target"), ("ignore", "Ignore"))
"""Role value -> text shown in the role combos."""

SCALING_LABELS: dict[str, str] = {
    "standard": "Standard (mean 0, spread 1)",
    "minmax": "Min-max (0 to 1)",
    "none": "None (raw numbers)",
}
"""Input scaling (a key of ``core.preprocessing.INPUT_SCALERS``) -> text shown."""

TASK_LABELS: dict[str, str] = {"auto": "Auto", "regression": "Regression (predict a number)",
                               "classification": "Classification (predict a class)"}

DEFAULT_VALIDATION_PERCENT = 20.0
MAX_ROLES_HEIGHT = 240

def _file_filter() -> str:
    patterns = " ".join(f"*{extension}" for extension in SUPPORTED_EXTENSIONS)
    return f"Spreadsheets ({patterns});;All files (*)"


def describe_kind(info: ColumnInfo) -> str:
    """What a column holds, in a few words: ``number``, ``text: 3 categories`` or ``empty``."""
    if info.kind == "numeric":
        return "number"
    if info.kind == "categorical":
        n = len(info.categories)
        return f"text: {n} categor{'y' if n == 1 else 'ies'}"
    return "empty"


def describe_kind_details(info: ColumnInfo) -> str:
    """A tooltip sentence: range or categories, missing cells and stray texts."""
    parts = []
    if info.kind == "numeric" and info.minimum is not None:
        parts.append(f"Numbers from {info.minimum:g} to {info.maximum:g}")
    elif info.kind == "categorical":
        shown = ", ".join(info.categories[:8]) + (", …" if len(info.categories) > 8 else "")
        parts.append(f"Text values: {shown}")
    else:
        parts.append("This column has no values")
    if info.n_missing and info.kind != "empty":
        parts.append(f"{info.n_missing} empty cell{'s' if info.n_missing != 1 else ''}")
    if info.bad_cells:
        n = len(info.bad_cells)
        parts.append(f"{n} text cell{'s' if n != 1 else ''} in a number column (typing errors?)")
    return "; ".join(parts) + "."


def _validation_counts(dataset: Dataset, fraction: float) -> tuple[int, int]:
    """Training and validation row counts, split the way a training session splits them.

    The core has no "counts only" function, so this asks ``split_rows`` for the split itself
    (stratified by class for classification, as ``TrainingSession`` does).
    """
    labels = None
    if dataset.task == "classification":
        labels = dataset.frame[dataset.targets[0]].astype(str).to_numpy()
    train_rows, validation_rows = split_rows(len(dataset.frame), fraction, 0, labels)
    return len(train_rows), len(validation_rows)


SIZED_CELLS = 4000
"""Cells measured to size the preview's columns when a table is shown."""


class DataPanel(QWidget):
    """Open a file, preview it, choose each column's role and the data settings.

    Signals
    -------
    datasetChanged(object) : the checked :class:`~mlp_desktop.core.data.Dataset`, or ``None``
        when the current choices give an error (the message is shown in the panel).
    settingsChanged() : the input scaling or the validation fraction changed.
    """

    datasetChanged = Signal(object)
    settingsChanged = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._table: Table | None = None
        self._path: Path | None = None
        self._infos: list[ColumnInfo] = []
        self._roles: dict[str, str] = {}
        self._role_combos: dict[str, QComboBox] = {}
        self._dataset: Dataset | None = None
        self._editable = True
        self._build()
        self._update_counts()

    # -- building ------------------------------------------------------------------------------
    def _build(self) -> None:
        self.open_button = QPushButton("Open…")
        self.open_button.setToolTip("Choose a spreadsheet (.xlsx, .xlsm, .csv, .tsv or .txt) to train on.")
        self.open_button.clicked.connect(self._choose_file)
        self.file_label = ElidedLabel("No data loaded")  # ends in "…" in a narrow dock; the tooltip has it all
        self.file_label.setToolTip("The file shown below.")
        file_row = QHBoxLayout()
        file_row.addWidget(self.open_button)
        file_row.addWidget(self.file_label, 1)

        self.sheet_label = QLabel("Shee&t:")
        self.sheet_combo = QComboBox()
        self.sheet_combo.setToolTip("The sheet of the workbook to use.")
        self.sheet_combo.currentIndexChanged.connect(self._sheet_chosen)
        self.sheet_label.setBuddy(self.sheet_combo)
        sheet_row = QHBoxLayout()
        sheet_row.addWidget(self.sheet_label)
        sheet_row.addWidget(self.sheet_combo, 1)
        self.sheet_row = QWidget()
        self.sheet_row.setLayout(sheet_row)
        sheet_row.setContentsMargins(0, 0, 0, 0)
        self.sheet_row.hide()

        self.error_label = error_label()

        self.model = DataFrameModel(parent=self)
        self.table_view = QTableView()
        self.table_view.setModel(self.model)
        self.table_view.setToolTip("A preview of the data; row numbers are those of the spreadsheet.")
        self.table_view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table_view.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.table_view.setWordWrap(False)
        self.table_view.setTabKeyNavigation(False)  # Tab moves on to the roles; the arrow keys move between cells
        rows = self.table_view.verticalHeader()
        rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        rows.setDefaultSectionSize(self.fontMetrics().height() + 6)
        columns = self.table_view.horizontalHeader()
        columns.setDefaultSectionSize(80)
        self.table_view.setMinimumHeight(120)

        self.roles_box = QGroupBox("Columns")
        self.roles_scroll = QScrollArea()
        self.roles_scroll.setWidgetResizable(True)
        self.roles_scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        self.roles_scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # Tab goes to the role combos inside
        roles_layout = QVBoxLayout(self.roles_box)
        roles_layout.setContentsMargins(4, 4, 4, 4)
        roles_layout.addWidget(self.roles_scroll)

        self.task_combo = QComboBox()
        for task, text in TASK_LABELS.items():
            self.task_combo.addItem(text, task)
        self.task_combo.setToolTip(
            "Regression predicts a number, classification a class; Auto decides from the target column.")
        self.task_combo.currentIndexChanged.connect(self._recompute)

        self.scaling_combo = QComboBox()
        for scaling in ("standard", "minmax", "none"):
            if scaling in INPUT_SCALERS:
                self.scaling_combo.addItem(SCALING_LABELS[scaling], scaling)
        self.scaling_combo.setToolTip(
            "How input numbers are rescaled before training, so that large and small columns count alike.")
        self.scaling_combo.currentIndexChanged.connect(self._settings_edited)

        self.validation_spin = QDoubleSpinBox()
        self.validation_spin.setRange(0.0, 90.0)
        self.validation_spin.setDecimals(1)
        self.validation_spin.setSingleStep(5.0)
        self.validation_spin.setSuffix(" %")
        self.validation_spin.setValue(DEFAULT_VALIDATION_PERCENT)
        self.validation_spin.setToolTip(
            "The share of rows held out of training, to check how well the network does on data it never saw.")
        self.validation_spin.valueChanged.connect(self._settings_edited)

        self.drop_missing_check = QCheckBox("Drop incomplete rows")
        self.drop_missing_check.setToolTip(
            "Leave out rows with an empty cell in a chosen column, instead of stopping with an error.")
        self.drop_missing_check.toggled.connect(self._recompute)

        self.counts_label = QLabel()
        self.counts_label.setWordWrap(True)
        self.counts_label.setToolTip("How many rows the file has and how they are used.")

        settings_box = QGroupBox("Training data")
        form = QFormLayout(settings_box)
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        # Alt+letter mnemonics must be unique in the whole window: Qt keeps those of tabbed-away docks
        # active, and a letter used twice only cycles the focus. Menus: F E V H; data: T A C N;
        # parameters: L P M O U B W R S I D; decision view: X Y; step-through: 1 2 3.
        form.addRow("T&ask:", self.task_combo)
        form.addRow("Input s&caling:", self.scaling_combo)
        form.addRow("Validatio&n:", self.validation_spin)
        form.addRow(self.drop_missing_check)
        form.addRow(self.counts_label)

        layout = QVBoxLayout(self)
        layout.addLayout(file_row)
        layout.addWidget(self.sheet_row)
        layout.addWidget(self.error_label)
        layout.addWidget(self.table_view, 1)
        layout.addWidget(self.roles_box)
        layout.addWidget(settings_box)

    # -- public API ----------------------------------------------------------------------------
    def load_file(self, path: str | Path, sheet: str | None = None) -> bool:
        """Read ``path`` (a given ``sheet`` of a workbook) with default roles.

        Returns False and shows the reason in the panel when the file cannot be used; the data
        shown before stays loaded.
        """
        path = Path(path)
        try:
            table = read_table(path, sheet)
        except DataError as error:
            self._show_error(str(error))
            return False
        self.load_table(table)
        self._path = path
        return True

    def load_table(self, table: Table) -> None:
        """Show an already read table (for example a sample) with default roles."""
        self._table = table
        self._path = table.path if table.path.is_file() else None
        self._infos = column_info(table)
        roles = default_roles(table)
        self._roles = {name: "input" for name in roles.inputs}
        self._roles.update({name: "target" for name in roles.targets})
        self._roles.update({name: "ignore" for name in roles.ignored})
        self.model.set_frame(table.frame, table.row_numbers)
        # Size columns from their first rows: 200 of them for a narrow table, fewer for a wide
        # one (784 image columns from 200 rows took 6 s; numbers in a column look alike).
        columns = max(1, table.frame.shape[1])
        self.table_view.horizontalHeader().setResizeContentsPrecision(max(5, min(200, SIZED_CELLS // columns)))
        self.table_view.resizeColumnsToContents()
        self._mark_bad_cells()
        self._fill_sheets(table)
        self._fill_roles()
        self.file_label.setText(table.location)
        self.file_label.setToolTip(f"{table.location}\n{table.path}")
        self._recompute()

    def dataset(self) -> Dataset | None:
        """The checked dataset for the current choices, or ``None`` if they give an error."""
        return self._dataset

    def table(self) -> Table | None:
        """The table as read from the file, before roles."""
        return self._table

    def roles(self) -> Roles:
        """The chosen roles of all columns."""
        return Roles(*(self._columns_with_role(role) for role in ("input", "target", "ignore")))

    def set_roles(self, inputs: list[str], targets: list[str]) -> None:
        """Give the named columns these roles; every other column is ignored (e.g. restoring a project)."""
        for name in self._roles:
            self._roles[name] = "target" if name in targets else "input" if name in inputs else "ignore"
        for name, combo in self._role_combos.items():
            combo.blockSignals(True)
            combo.setCurrentIndex(combo.findData(self._roles[name]))
            combo.blockSignals(False)
        self._recompute()

    def task(self) -> str:
        """``"auto"``, ``"regression"`` or ``"classification"``, as chosen."""
        return self.task_combo.currentData()

    def set_task(self, task: str) -> None:
        self.task_combo.setCurrentIndex(max(0, self.task_combo.findData(task)))

    def drop_missing(self) -> bool:
        return self.drop_missing_check.isChecked()

    def set_drop_missing(self, drop: bool) -> None:
        self.drop_missing_check.setChecked(drop)

    def input_scaling(self) -> str:
        """``"standard"``, ``"minmax"`` or ``"none"``."""
        return self.scaling_combo.currentData()

    def set_input_scaling(self, scaling: str) -> None:
        index = self.scaling_combo.findData(scaling)
        if index < 0:
            raise ValueError(f"unknown input scaling {scaling!r}")
        self.scaling_combo.setCurrentIndex(index)

    def validation_fraction(self) -> float:
        """The share of rows held out for validation, 0 to 0.9."""
        return round(self.validation_spin.value() / 100.0, 4)

    def set_validation_fraction(self, fraction: float) -> None:
        self.validation_spin.setValue(100.0 * fraction)

    def set_editable(self, editable: bool) -> None:
        """Lock (False) or unlock every choice; the preview stays scrollable."""
        self._editable = editable
        for widget in (self.open_button, self.sheet_combo, self.task_combo, self.scaling_combo,
                       self.validation_spin, self.drop_missing_check, *self._role_combos.values()):
            widget.setEnabled(editable)

    def file_path(self) -> Path | None:
        """The file the data came from, or ``None`` for data not read from a file."""
        return self._path

    def error_message(self) -> str:
        """The problem shown in the panel, or ``""``."""
        return self.error_label.text() if not self.error_label.isHidden() else ""

    # -- reacting ------------------------------------------------------------------------------
    @Slot()
    def _choose_file(self) -> None:
        start = str(self._path.parent) if self._path is not None else ""
        path, _ = QFileDialog.getOpenFileName(self, "Open a spreadsheet", start, _file_filter())
        if path:
            self.load_file(path)

    @Slot(int)
    def _sheet_chosen(self, index: int) -> None:
        if index < 0 or self._table is None or self._path is None:
            return
        sheet = self.sheet_combo.itemText(index)
        if sheet != self._table.sheet and not self.load_file(self._path, sheet):
            self._fill_sheets(self._table)  # the sheet could not be read: show the one still loaded

    def _role_chosen(self, name: str, combo: QComboBox) -> None:
        self._roles[name] = combo.currentData()
        self._recompute()

    @Slot()
    def _settings_edited(self) -> None:
        self._update_counts()
        self.settingsChanged.emit()

    @Slot()
    def _recompute(self) -> None:
        """Check the current choices with the core and announce the dataset (or None)."""
        if self._table is None:
            return
        self.model.set_column_roles(self._roles)
        try:
            self._dataset = prepare_dataset(self._table, self._columns_with_role("input"),
                                            self._columns_with_role("target"), self.task(),
                                            self.drop_missing())
        except DataError as error:
            self._dataset = None
            self._show_error(str(error))
        else:
            self._show_error("")
        self._update_task_label()
        self._update_counts()
        self.datasetChanged.emit(self._dataset)

    # -- helpers -------------------------------------------------------------------------------
    def _columns_with_role(self, role: str) -> list[str]:
        return [name for name, chosen in self._roles.items() if chosen == role]

    def _show_error(self, message: str) -> None:
        self.error_label.setText(message)
        self.error_label.setVisible(bool(message))

    def _mark_bad_cells(self) -> None:
        cells = {}
        for column, info in enumerate(self._infos):
            for row, text in info.bad_cells:
                cells[(row, column)] = f'"{text}" is text in a number column.'
        self.model.set_bad_cells(cells)

    def _fill_sheets(self, table: Table) -> None:
        self.sheet_combo.blockSignals(True)
        self.sheet_combo.clear()
        self.sheet_combo.addItems(table.sheets)
        if table.sheet is not None:
            self.sheet_combo.setCurrentIndex(max(0, self.sheet_combo.findText(table.sheet)))
        self.sheet_combo.blockSignals(False)
        self.sheet_row.setVisible(len(table.sheets) > 1)

    def _fill_roles(self) -> None:
        holder = QWidget()
        grid = QGridLayout(holder)
        grid.setContentsMargins(2, 2, 2, 2)
        grid.setColumnStretch(0, 1)
        self._role_combos = {}
        for column, heading in enumerate(("Column", "Role")):
            grid.addWidget(QLabel(f"<b>{heading}</b>"), 0, column)
        for row, info in enumerate(self._infos, start=1):
            name_label = QLabel(f"{html.escape(info.name)}<br><span style='color:#666'>{describe_kind(info)}</span>")
            name_label.setWordWrap(True)
            name_label.setToolTip(f'Column "{info.name}": {describe_kind_details(info)}')
            combo = QComboBox()
            for role, text in ROLE_CHOICES:
                combo.addItem(text, role)
            combo.setCurrentIndex(combo.findData(self._roles[info.name]))
            combo.setToolTip(
                f'Use "{info.name}" as an input of the network, as the target it learns to predict, or not at all.')
            combo.setAccessibleName(f"Role of {info.name}")
            combo.setEnabled(self._editable)
            combo.currentIndexChanged.connect(lambda _index, n=info.name, c=combo: self._role_chosen(n, c))
            grid.addWidget(name_label, row, 0)
            grid.addWidget(combo, row, 1, Qt.AlignmentFlag.AlignVCenter)
            self._role_combos[info.name] = combo
        grid.setRowStretch(len(self._infos) + 1, 1)
        self.roles_scroll.setWidget(holder)  # deletes the previous file's widgets
        # Show every column's role without scrolling when there are few; scroll beyond that.
        self.roles_scroll.setMinimumHeight(min(holder.sizeHint().height() + 4, MAX_ROLES_HEIGHT))
        self._chain_tab_order()

    def _chain_tab_order(self) -> None:
        """Tab goes down the panel: file, sheet, preview, each role, then the settings."""
        chain = [self.open_button, self.sheet_combo, self.table_view, *self._role_combos.values(),
                 self.task_combo, self.scaling_combo, self.validation_spin, self.drop_missing_check]
        for first, second in zip(chain, chain[1:]):
            QWidget.setTabOrder(first, second)

    def _update_task_label(self) -> None:
        detected = self._detected_task()
        self.task_combo.setItemText(0, f"Auto ({detected})" if detected else "Auto")

    def _detected_task(self) -> str:
        """``classification: 3 classes``, ``regression`` or ``""`` when the choices give an error."""
        dataset = self._dataset
        if dataset is None and self.task() != "auto" and self._table is not None:
            try:  # show what Auto would pick even while a forced task is in error
                dataset = prepare_dataset(self._table, self._columns_with_role("input"),
                                          self._columns_with_role("target"), "auto", self.drop_missing())
            except DataError:
                return ""
        if dataset is None:
            return ""
        if dataset.detected_task == "classification" and dataset.task == "classification":
            return f"classification: {len(dataset.classes)} classes"
        return dataset.detected_task

    def _update_counts(self) -> None:
        if self._table is None:
            self.counts_label.setText("No data loaded")
            return
        n_rows = len(self._table.frame)
        parts = [f"{n_rows:,} row{'s' if n_rows != 1 else ''}"]
        dataset = self._dataset
        if dataset is not None:
            if dataset.n_dropped:
                parts.append(f"{dataset.n_dropped:,} incomplete dropped")
            try:
                n_train, n_validation = _validation_counts(dataset, self.validation_fraction())
            except DataError as error:
                parts.append(str(error))
            else:
                parts.append(f"{n_train:,} training")
                parts.append(f"{n_validation:,} validation")
        self.counts_label.setText(" · ".join(parts))


def main() -> int:
    """Show the panel alone with the iris sample loaded."""
    from ...core.samples import sample_path

    app = QApplication.instance() or QApplication(sys.argv)
    panel = DataPanel()
    panel.setWindowTitle("Data panel — iris sample")
    panel.load_file(sample_path("iris", ".xlsx"))
    panel.resize(320, 760)
    panel.show()
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())
