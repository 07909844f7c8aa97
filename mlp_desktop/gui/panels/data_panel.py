"""The data panel: open a spreadsheet, preview it, choose column roles and data settings.

The workspace owns the table, the roles and the data settings; this panel shows them (column
kinds, the detected task, problems as plain sentences), hands the user's choices to
:meth:`Workspace.set_data_settings` and redraws on the workspace's ``data`` events. Run alone with ``python -m mlp_desktop.gui.panels.data_panel``.
"""

from __future__ import annotations

import html
import sys
from pathlib import Path

from PySide6.QtCore import QAbstractTableModel, QEvent, QModelIndex, Qt, Signal, Slot
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
    QSizePolicy,
    QStyledItemDelegate,
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
    read_table,
)
from ...core import settings as schema
from ...core.errors import DataError
from ...core.preprocessing import INPUT_SCALERS
from ...core.workspace import Workspace, WorkspaceEvent
from ..dataframe_model import DataFrameModel
from ..widgets import ElidedLabel, compact_list_table, error_label

ROLE_CHOICES: tuple[tuple[str, str], ...] = (("input", "Input"), ("target", "Target"), ("ignore", "Ignore"))
"""Role value -> text shown in the role combos."""

SCALING_LABELS = schema.SETTINGS["input_scaling"].choices
TASK_LABELS = schema.SETTINGS["task"].choices
MAX_ROLES_HEIGHT = 240
ROLE_WIDGETS_LIMIT = 64
"""Up to this many columns each role is a combo box of its own; more are listed in one table whose
role cells open a combo box when edited (785 rows of combo boxes took 0.4-0.65 s to make and as
long again for Qt to lay out, on every open of an image table)."""

def _file_filter() -> str:
    patterns = " ".join(f"*{extension}" for extension in SUPPORTED_EXTENSIONS)
    return f"Spreadsheets ({patterns});;All files (*)"


PLAIN_READINGS = ("", "numbers", "text", "empty")
"""``ColumnInfo.read_as`` values that ``describe_kind`` already says (no conversion to mention)."""

NOTES_LINES = 7
"""Lines of notes and warnings shown before the notes area scrolls."""
WARNING_COLOR = "#b26a00"
NOTE_COLOR = "#555"


def describe_kind(info: ColumnInfo) -> str:
    """What a column holds, in a few words: ``number``, ``number: currency amounts``, ``text: 3
    categories`` or ``empty``."""
    if info.kind == "numeric":
        return "number" if info.read_as in PLAIN_READINGS else f"number: {info.read_as}"
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
    text = "; ".join(parts) + "."
    if info.read_as and info.read_as not in PLAIN_READINGS:
        text += f"\nRead as {info.read_as}."
    if info.note:
        text += f"\n{info.note[0].upper()}{info.note[1:]}" + ("" if info.note.endswith(".") else ".")
    return text


def reading_notes_html(notes: list[str], warnings: list[str]) -> str:
    """Notes as grey lines and warnings as marked, coloured lines, for one word-wrapped label."""
    lines = [f"<span style='color:{WARNING_COLOR}'>&#9888; <b>Warning:</b> {html.escape(text)}</span>"
             for text in warnings]
    lines += [f"<span style='color:{NOTE_COLOR}'>{html.escape(text)}</span>" for text in notes]
    return "<br>".join(lines)


SIZED_CELLS = 1000
"""Cells measured to size the preview's columns when a table is shown (each costs about 20 us in
eight data() calls; 4,000 held the window for 80 ms when a 50-column file opened)."""
COLUMNS_SIZED_AT_ONCE = 40
"""At most this many columns are sized when a table is shown (those in view; more than fit the
widest preview); the others are sized as they come into view, by scrolling or widening the
preview (784 image columns took 0.09 s to size at once)."""


class ColumnRolesModel(QAbstractTableModel):
    """The columns of a wide table: name, what it holds, role (editable through :class:`RoleDelegate`).

    ``role_chosen(name, role)`` is called when the user picks a role; the panel passes it on.
    """

    HEADINGS = ("Column", "Holds", "Role")
    ROLE_COLUMN = 2

    def __init__(self, role_chosen, parent=None):
        super().__init__(parent)
        self._role_chosen = role_chosen
        self._infos: list[ColumnInfo] = []
        self._roles: dict[str, str] = {}
        self._kinds: list[str] = []
        self.editable = True

    def set_columns(self, infos: list[ColumnInfo], roles: dict[str, str]) -> None:
        self.beginResetModel()
        self._infos, self._roles = list(infos), dict(roles)
        self._kinds = [describe_kind(info) for info in infos]
        self.endResetModel()

    def set_roles(self, roles: dict[str, str]) -> None:
        changed = [row for row, info in enumerate(self._infos) if self._roles.get(info.name) != roles.get(info.name)]
        self._roles = dict(roles)
        if changed:
            self.dataChanged.emit(self.index(min(changed), self.ROLE_COLUMN), self.index(max(changed), self.ROLE_COLUMN))

    def set_editable(self, editable: bool) -> None:
        self.editable = editable
        if self._infos:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self._infos) - 1, self.ROLE_COLUMN))

    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: N802 (Qt's names)
        return 0 if parent.isValid() else len(self._infos)

    def columnCount(self, parent=QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self.HEADINGS)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.HEADINGS[section]
        return None

    def flags(self, index):
        flags = Qt.ItemFlag.ItemIsSelectable
        if self.editable:
            flags |= Qt.ItemFlag.ItemIsEnabled
            if index.column() == self.ROLE_COLUMN:
                flags |= Qt.ItemFlag.ItemIsEditable
        return flags

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        info, column = self._infos[index.row()], index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if column == 0:
                return info.name
            if column == 1:
                return self._kinds[index.row()] + (f" ({info.note})" if info.note else "")
            return dict(ROLE_CHOICES)[self._roles[info.name]]
        if role == Qt.ItemDataRole.EditRole and column == self.ROLE_COLUMN:
            return self._roles[info.name]
        if role == Qt.ItemDataRole.ToolTipRole:
            if column == self.ROLE_COLUMN:
                return (f'Use "{info.name}" as an input of the network, as the target it learns to predict, '
                        f"or not at all (F2 or a click chooses).")
            return f'Column "{info.name}": {describe_kind_details(info)}'
        if role == Qt.ItemDataRole.AccessibleTextRole and column == self.ROLE_COLUMN:
            return f"Role of {info.name}: {dict(ROLE_CHOICES)[self._roles[info.name]]}"
        return None

    def setData(self, index, value, role=Qt.ItemDataRole.EditRole) -> bool:  # noqa: N802
        if role != Qt.ItemDataRole.EditRole or index.column() != self.ROLE_COLUMN or value not in dict(ROLE_CHOICES):
            return False
        name = self._infos[index.row()].name
        if self._roles.get(name) != value:
            self._role_chosen(name, value)  # the workspace answers with the roles shown (set_roles)
        return True


class RoleDelegate(QStyledItemDelegate):
    """A combo box of the three roles, made only while a role cell is edited; a choice applies at once."""

    def createEditor(self, parent, option, index):  # noqa: N802 (Qt's names)
        combo = QComboBox(parent)
        for role, text in ROLE_CHOICES:
            combo.addItem(text, role)
        combo.setAccessibleName(f"Role of {index.siblingAtColumn(0).data()}")
        combo.activated.connect(lambda _index, c=combo: self._chosen(c))
        return combo

    def setEditorData(self, editor, index):  # noqa: N802
        editor.setCurrentIndex(max(0, editor.findData(index.data(Qt.ItemDataRole.EditRole))))

    def setModelData(self, editor, model, index):  # noqa: N802
        model.setData(index, editor.currentData(), Qt.ItemDataRole.EditRole)

    def _chosen(self, combo: QComboBox) -> None:
        self.commitData.emit(combo)
        self.closeEditor.emit(combo, QStyledItemDelegate.EndEditHint.NoHint)


class DataPanel(QWidget):
    """Open a file, preview it, choose each column's role and the data settings.

    Signals
    -------
    openRequested(str, object) : the user chose a file (and a sheet, or None) to open; the window
        asks about unsaved work first. Alone (no workspace given), the panel opens it itself.
    datasetChanged(object) : the workspace's dataset after a change (``None`` on an error).
    """

    openRequested = Signal(str, object)
    datasetChanged = Signal(object)

    def __init__(self, workspace: Workspace | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        if workspace is None:
            workspace = Workspace()
            self.openRequested.connect(self.load_file)
        self.workspace = workspace
        self._table: Table | None = None
        self._path: Path | None = None
        self._infos: list[ColumnInfo] = []
        self._roles: dict[str, str] = {}
        self._role_combos: dict[str, QComboBox] = {}
        self._dataset: Dataset | None = None
        self._editable = True
        self._showing = False
        self._build()
        self._update_counts()
        workspace.subscribe(self._on_workspace_event)

    # -- building ------------------------------------------------------------------------------
    def _build(self) -> None:
        self.open_button = QPushButton("Open…")
        kinds = ", ".join(SUPPORTED_EXTENSIONS)
        self.open_button.setToolTip(f"Choose a spreadsheet or text table ({kinds}) to train on.")
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
        # How the file was read and what was decided (Table and Dataset notes and warnings)
        self.notes_label = QLabel()
        self.notes_label.setWordWrap(True)
        self.notes_label.setTextFormat(Qt.TextFormat.RichText)
        self.notes_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.notes_label.setToolTip("How the file was read, what was decided for you and what to check.")
        self.notes_label.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)
        # compact: a few lines, scrolling beyond (a file with many converted columns says a lot)
        self.notes_area = QScrollArea()
        self.notes_area.setWidget(self.notes_label)
        self.notes_area.setWidgetResizable(True)
        self.notes_area.setFrameShape(QScrollArea.Shape.NoFrame)
        self.notes_area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.notes_area.setMaximumHeight(self.fontMetrics().lineSpacing() * NOTES_LINES + 6)
        self.notes_area.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        self.notes_area.hide()
        self._notes: list[str] = []
        self._warnings: list[str] = []

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
        self._unsized_columns: set[int] = set()
        self.table_view.horizontalScrollBar().valueChanged.connect(self._size_columns_in_view)
        self.table_view.viewport().installEventFilter(self)  # shown or widened: size what came into view

        self.roles_box = QGroupBox("Columns")
        self.roles_scroll = QScrollArea()
        self.roles_scroll.setWidgetResizable(True)
        self.roles_scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        self.roles_scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # Tab goes to the role combos inside
        self.roles_layout = QVBoxLayout(self.roles_box)
        self.roles_layout.setContentsMargins(4, 4, 4, 4)
        self.roles_layout.addWidget(self.roles_scroll)
        self.roles_view: QTableView | None = None  # wide tables: see ROLE_WIDGETS_LIMIT
        self.roles_model: ColumnRolesModel | None = None

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
        self.validation_spin.setValue(100 * schema.SETTINGS["validation_fraction"].default)
        self.validation_spin.setToolTip(
            "The share of rows held out of training, to check how well the network does on data it never saw.")
        self.validation_spin.valueChanged.connect(self._settings_edited)

        self.drop_missing_check = QCheckBox(schema.SETTINGS["drop_missing"].label)
        self.drop_missing_check.setToolTip(schema.SETTINGS["drop_missing"].tooltip())
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
        layout.addWidget(self.notes_area)
        layout.addWidget(self.table_view, 1)
        layout.addWidget(self.roles_box)
        layout.addWidget(settings_box)

    # -- public API ----------------------------------------------------------------------------
    def load_file(self, path: str | Path, sheet: str | None = None) -> bool:
        """Read ``path`` (a given ``sheet`` of a workbook) and open it in the workspace, without asking
        (the window asks about unsaved work first; see ``openRequested``).

        Returns False and shows the reason in the panel when the file cannot be used; the data
        shown before stays loaded.
        """
        try:
            table = read_table(Path(path), sheet)
        except DataError as error:
            self.show_problem(str(error))
            return False
        self.workspace.open_table(table)
        return True

    def load_table(self, table: Table) -> None:
        """Open an already read table (for example a sample) in the workspace, with default roles."""
        self.workspace.open_table(table)

    def show_problem(self, message: str) -> None:
        """A problem with a file the user tried to open (what is shown stays loaded)."""
        self._show_error(message)

    def _on_workspace_event(self, event: WorkspaceEvent) -> None:
        if event.kind == "data":
            self._show_workspace()

    def _show_workspace(self) -> None:
        """Show the workspace's table, roles and data settings."""
        workspace, data = self.workspace, self.workspace.data
        self._showing = True
        try:
            if workspace.table is not self._table:
                self._show_table(workspace.table)
            self._roles = {name: "ignore" for name in self._roles}
            self._roles.update({name: "input" for name in data["inputs"] if name in self._roles})
            self._roles.update({name: "target" for name in data["targets"] if name in self._roles})
            for name, combo in self._role_combos.items():
                combo.setCurrentIndex(combo.findData(self._roles[name]))
            if self.roles_model is not None:  # (a narrow table's roles are combo boxes; the model is empty)
                self.roles_model.set_roles(self._roles)
            self.task_combo.setCurrentIndex(max(0, self.task_combo.findData(data["task"])))
            self.scaling_combo.setCurrentIndex(max(0, self.scaling_combo.findData(data["input_scaling"])))
            self.validation_spin.setValue(100.0 * data["validation_fraction"])
            self.drop_missing_check.setChecked(data["drop_missing"])
        finally:
            self._showing = False
        self._dataset = workspace.dataset
        self.model.set_column_roles(self._roles)
        self._show_error(workspace.data_problem)
        self._show_reading_notes(workspace.table, workspace.dataset)
        self._update_task_label()
        self._update_counts()
        self.datasetChanged.emit(self._dataset)

    def _show_table(self, table: Table | None) -> None:
        self._table = table
        if table is None:
            return
        self._path = table.path if table.path.is_file() else None
        self._infos = column_info(table)
        self._roles = {info.name: "ignore" for info in self._infos}
        self.model.set_columns(table.columns, table.n_rows, table.row_numbers)
        # Size columns from their first rows: 200 of them for a narrow table, fewer for a wide
        # one (784 image columns from 200 rows took 6 s; numbers in a column look alike).
        columns = min(max(1, len(table.columns)), COLUMNS_SIZED_AT_ONCE)
        self.table_view.horizontalHeader().setResizeContentsPrecision(max(5, min(200, SIZED_CELLS // columns)))
        self._unsized_columns = set(range(len(table.columns)))
        self._size_columns_in_view()
        self._mark_bad_cells()
        self._fill_sheets(table)
        self._fill_roles()
        self.file_label.setText(table.location)
        self.file_label.setToolTip(f"{table.location}\n{table.path}")

    def _size_columns(self, columns) -> None:
        for column in columns:
            if column in self._unsized_columns:
                self._unsized_columns.discard(column)
                self.table_view.resizeColumnToContents(column)

    def _size_columns_in_view(self) -> None:
        """Size the columns in view (at most :data:`COLUMNS_SIZED_AT_ONCE` from the first); a wide
        table's others are sized as they come into view."""
        if not self._unsized_columns:
            return
        header = self.table_view.horizontalHeader()
        first = max(header.logicalIndexAt(0), 0)
        for _ in range(3):  # sized columns are narrower: more of them come into view
            last = header.logicalIndexAt(self.table_view.viewport().width() - 1)  # (the header follows later)
            last = min(header.count() - 1 if last < 0 else last, first + COLUMNS_SIZED_AT_ONCE - 1)
            if not self._unsized_columns.intersection(range(first, last + 1)):
                break
            self._size_columns(range(first, last + 1))

    def eventFilter(self, watched, event) -> bool:  # noqa: N802 (Qt's name)
        if watched is self.table_view.viewport() and event.type() in (QEvent.Type.Resize, QEvent.Type.Show):
            self._size_columns_in_view()
        return super().eventFilter(watched, event)

    def on_look_changed(self) -> None:
        """Another theme (called by ``plots.style.restyle``): the table's tints follow it."""
        self.model.recolour()

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
        """Give the named columns these roles; every other column is ignored."""
        self._change(inputs=list(inputs), targets=list(targets))

    def task(self) -> str:
        """``"auto"``, ``"regression"`` or ``"classification"``, as chosen."""
        return self.task_combo.currentData()

    def set_task(self, task: str) -> None:
        self._change(task=task)

    def drop_missing(self) -> bool:
        return self.drop_missing_check.isChecked()

    def set_drop_missing(self, drop: bool) -> None:
        self._change(drop_missing=bool(drop))

    def input_scaling(self) -> str:
        """``"standard"``, ``"minmax"`` or ``"none"``."""
        return self.scaling_combo.currentData()

    def set_input_scaling(self, scaling: str) -> None:
        if self.scaling_combo.findData(scaling) < 0:
            raise ValueError(f"unknown input scaling {scaling!r}")
        self._change(input_scaling=scaling)

    def validation_fraction(self) -> float:
        """The share of rows held out for validation, 0 to 0.9."""
        return round(self.validation_spin.value() / 100.0, 4)

    def set_validation_fraction(self, fraction: float) -> None:
        self._change(validation_fraction=fraction)

    def _change(self, **values) -> None:
        """Hand the user's choice to the workspace (which redraws this panel through its event)."""
        if self._showing or self._table is None:
            return
        try:
            self.workspace.set_data_settings(**values)
        except DataError as error:
            self._show_error(str(error))

    def set_editable(self, editable: bool) -> None:
        """Lock (False) or unlock every choice; the preview stays scrollable, and *Open…* stays
        usable, as File > Open is (opening other data during a run asks first, then stops it)."""
        self._editable = editable
        for widget in (self.sheet_combo, self.task_combo, self.scaling_combo,
                       self.validation_spin, self.drop_missing_check, *self._role_combos.values()):
            widget.setEnabled(editable)
        if self.roles_model is not None:
            self.roles_model.set_editable(editable)

    def file_path(self) -> Path | None:
        """The file the data came from, or ``None`` for data not read from a file."""
        return self._path

    def reading_notes(self) -> tuple[list[str], list[str]]:
        """``(notes, warnings)`` shown: how the table was read and what the dataset decided (the
        columns' own notes are shown beside their roles instead)."""
        return list(self._notes), list(self._warnings)

    def error_message(self) -> str:
        """The problem shown in the panel, or ``""``."""
        return self.error_label.text() if not self.error_label.isHidden() else ""

    # -- reacting ------------------------------------------------------------------------------
    @Slot()
    def _choose_file(self) -> None:
        start = str(self._path.parent) if self._path is not None else ""
        path, _ = QFileDialog.getOpenFileName(self, "Open a spreadsheet", start, _file_filter())
        if path:
            self.openRequested.emit(path, None)

    @Slot(int)
    def _sheet_chosen(self, index: int) -> None:
        if index < 0 or self._table is None or self._path is None or self._showing:
            return
        sheet = self.sheet_combo.itemText(index)
        if sheet != self._table.sheet:
            self.openRequested.emit(str(self._path), sheet)
            if self.workspace.table is self._table:
                self._fill_sheets(self._table)  # not opened: show the sheet still loaded

    def _role_chosen(self, name: str, role: str) -> None:
        roles = {**self._roles, name: role}
        self._change(inputs=[n for n, r in roles.items() if r == "input"],
                     targets=[n for n, r in roles.items() if r == "target"])

    @Slot()
    def _settings_edited(self) -> None:
        self._change(input_scaling=self.scaling_combo.currentData(),
                     validation_fraction=round(self.validation_spin.value() / 100.0, 4))

    @Slot()
    def _recompute(self) -> None:
        self._change(task=self.task_combo.currentData(), drop_missing=self.drop_missing_check.isChecked())

    # -- helpers -------------------------------------------------------------------------------
    def _columns_with_role(self, role: str) -> list[str]:
        return [name for name, chosen in self._roles.items() if chosen == role]

    def _show_error(self, message: str) -> None:
        self.error_label.setText(message)
        self.error_label.setVisible(bool(message))

    def _show_reading_notes(self, table: Table | None, dataset: Dataset | None) -> None:
        # a column's own note is shown beside its role; the area keeps the file's and the dataset's
        beside_columns = {f'Column "{info.name}": {info.note}.' for info in self._infos if info.note}
        notes = [note for note in table.notes if note not in beside_columns] if table is not None else []
        # a warning that is the problem shown just above is not said twice
        problem = self.workspace.data_problem
        warnings = [text for text in table.warnings if text != problem] if table is not None else []
        if dataset is not None:
            notes += dataset.notes
            warnings += dataset.warnings
        self._notes, self._warnings = notes, warnings
        self.notes_label.setText(reading_notes_html(notes, warnings))
        self.notes_area.setVisible(bool(notes or warnings))

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
        if len(self._infos) > ROLE_WIDGETS_LIMIT:
            self._list_roles()
            return
        if self.roles_view is not None:
            self.roles_view.hide()
            self.roles_model.set_columns([], {})
        self.roles_scroll.show()
        holder = QWidget()
        grid = QGridLayout(holder)
        grid.setContentsMargins(2, 2, 2, 2)
        grid.setColumnStretch(0, 1)
        self._role_combos = {}
        for column, heading in enumerate(("Column", "Role")):
            grid.addWidget(QLabel(f"<b>{heading}</b>"), 0, column)
        for row, info in enumerate(self._infos, start=1):
            kind = html.escape(describe_kind(info))
            name_label = QLabel(f"{html.escape(info.name)}<br><span style='color:#666'>{kind}</span>"
                                + (f"<br><span style='color:#666; font-size:small'>{html.escape(info.note)}</span>"
                                   if info.note else ""))
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
            combo.currentIndexChanged.connect(lambda _index, n=info.name, c=combo: self._role_chosen(n, c.currentData()))
            grid.addWidget(name_label, row, 0)
            grid.addWidget(combo, row, 1, Qt.AlignmentFlag.AlignVCenter)
            self._role_combos[info.name] = combo
        grid.setRowStretch(len(self._infos) + 1, 1)
        self.roles_scroll.setWidget(holder)  # deletes the previous file's widgets
        # Show every column's role without scrolling when there are few; scroll beyond that.
        self.roles_scroll.setMinimumHeight(min(holder.sizeHint().height() + 4, MAX_ROLES_HEIGHT))
        self._chain_tab_order()

    def _list_roles(self) -> None:
        """A wide table's roles: one row each in a table view, a combo box only while one is edited."""
        if self.roles_view is None:
            self.roles_model = ColumnRolesModel(self._role_chosen, self)
            view = QTableView()
            view.setModel(self.roles_model)
            view.setItemDelegateForColumn(ColumnRolesModel.ROLE_COLUMN, RoleDelegate(view))
            view.setEditTriggers(QAbstractItemView.EditTrigger.SelectedClicked
                                 | QAbstractItemView.EditTrigger.DoubleClicked
                                 | QAbstractItemView.EditTrigger.EditKeyPressed)
            view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
            compact_list_table(view)  # Tab moves on to the settings; the arrow keys move between rows
            header = view.horizontalHeader()
            header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
            header.setSectionResizeMode(1, QHeaderView.ResizeMode.Interactive)
            header.setSectionResizeMode(2, QHeaderView.ResizeMode.Fixed)
            header.resizeSection(1, self.fontMetrics().horizontalAdvance("number: percentages") + 12)
            header.resizeSection(2, self.fontMetrics().horizontalAdvance("Target") + 40)
            view.setToolTip("Each column's role: select a role and press F2 (or click it) to choose Input, "
                            "Target or Ignore.")
            view.setAccessibleName("Column roles")
            view.setMinimumHeight(MAX_ROLES_HEIGHT)
            self.roles_layout.addWidget(view)
            self.roles_view = view
        self.roles_scroll.hide()
        old = self.roles_scroll.takeWidget()  # the previous file's combo boxes
        if old is not None:
            old.deleteLater()
        self._role_combos = {}
        self.roles_model.set_editable(self._editable)
        self.roles_model.set_columns(self._infos, self._roles)
        self.roles_view.show()
        self.roles_view.setCurrentIndex(self.roles_model.index(0, ColumnRolesModel.ROLE_COLUMN))
        self._chain_tab_order()

    def _chain_tab_order(self) -> None:
        """Tab goes down the panel: file, sheet, preview, each role (or the roles' table), then the settings."""
        roles = [self.roles_view] if self.roles_view is not None and not self.roles_view.isHidden() else []
        chain = [self.open_button, self.sheet_combo, self.table_view, *self._role_combos.values(), *roles,
                 self.task_combo, self.scaling_combo, self.validation_spin, self.drop_missing_check]
        for first, second in zip(chain, chain[1:]):
            QWidget.setTabOrder(first, second)

    def _update_task_label(self) -> None:
        detected = self._detected_task()
        self.task_combo.setItemText(0, f"Auto ({detected})" if detected else "Auto")

    def _detected_task(self) -> str:
        """``classification: 3 classes``, ``regression`` or ``""`` when the choices give an error."""
        return self.workspace.detected_task()

    def _update_counts(self) -> None:
        if self._table is None:
            self.counts_label.setText("No data loaded")
            return
        n_rows = self._table.n_rows
        parts = [f"{n_rows:,} row{'s' if n_rows != 1 else ''}"]
        dataset = self._dataset
        if dataset is not None:
            if dataset.n_dropped:
                parts.append(f"{dataset.n_dropped:,} incomplete skipped")
            try:
                n_train, n_validation, n_test = self.workspace.split_counts()  # the split the next run uses
            except DataError as error:
                parts.append(str(error))
            else:
                parts.append(f"{n_train:,} training")
                parts.append(f"{n_validation:,} validation")
                if n_test:
                    parts.append(f"{n_test:,} test")
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
