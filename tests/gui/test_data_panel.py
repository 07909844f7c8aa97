"""The data panel, driven the way a user drives it."""

from __future__ import annotations

import tracemalloc

import numpy as np
import openpyxl
import pandas as pd
import pytest
from PySide6.QtCore import Qt

from mlp_desktop.core.data import table_from_frame
from mlp_desktop.core.samples import sample_path
from mlp_desktop.gui.dataframe_model import DataFrameModel
from mlp_desktop.gui.panels.data_panel import COLUMNS_SIZED_AT_ONCE, SIZED_CELLS, DataPanel

ROLE_INDEX = {"input": 0, "target": 1, "ignore": 2}


@pytest.fixture
def panel(qtbot):
    panel = DataPanel()
    qtbot.addWidget(panel)
    panel.resize(300, 760)
    panel.show()
    qtbot.waitExposed(panel)
    return panel


@pytest.fixture
def iris_panel(panel, qtbot):
    with qtbot.waitSignal(panel.datasetChanged) as blocker:
        assert panel.load_file(sample_path("iris", ".xlsx"))
    assert blocker.args[0] is panel.dataset()
    return panel


def choose_role(panel: DataPanel, column: str, role: str) -> None:
    panel._role_combos[column].setCurrentIndex(ROLE_INDEX[role])


def test_loads_iris_and_shows_rows_columns_and_defaults(iris_panel):
    model = iris_panel.table_view.model()
    assert model.rowCount() == 150 and model.columnCount() == 5
    assert [model.headerData(c, Qt.Orientation.Horizontal) for c in range(5)] == [
        "sepal_length", "sepal_width", "petal_length", "petal_width", "species"]
    # Row headers are spreadsheet rows: the header is row 1, so the first data row is row 2.
    assert model.headerData(0, Qt.Orientation.Vertical) == "2"
    assert model.data(model.index(0, 0)) == "5.1"
    assert model.data(model.index(149, 4)) == "virginica"

    dataset = iris_panel.dataset()
    assert dataset.targets == ["species"] and len(dataset.inputs) == 4
    assert iris_panel._role_combos["species"].currentText() == "Target"
    assert iris_panel.task_combo.itemText(0) == "Auto (classification: 3 classes)"
    assert iris_panel.counts_label.text() == "150 rows · 120 training · 30 validation"
    assert iris_panel.error_message() == ""
    assert iris_panel.file_path() == sample_path("iris", ".xlsx")
    assert iris_panel.sheet_row.isHidden()  # a single sheet needs no picker


def test_column_named_output_is_the_default_target(panel):
    assert panel.load_file(sample_path("health_score", ".csv"))
    assert panel.dataset().targets == ["output"]
    assert panel.dataset().inputs == ["age", "exercise", "diet"]
    assert panel.task_combo.itemText(0) == "Auto (regression)"


def test_changing_a_role_emits_the_new_dataset(iris_panel, qtbot):
    with qtbot.waitSignal(iris_panel.datasetChanged) as blocker:
        choose_role(iris_panel, "sepal_length", "ignore")
    dataset = blocker.args[0]
    assert dataset.inputs == ["sepal_width", "petal_length", "petal_width"]
    assert dataset.targets == ["species"]
    assert iris_panel.roles().ignored == ["sepal_length"]


def test_no_inputs_shows_the_message_inline_and_emits_none(iris_panel, qtbot):
    for column in ("sepal_length", "sepal_width", "petal_length"):
        choose_role(iris_panel, column, "ignore")
    with qtbot.waitSignal(iris_panel.datasetChanged) as blocker:
        choose_role(iris_panel, "petal_width", "ignore")
    assert blocker.args == [None] and iris_panel.dataset() is None
    assert not iris_panel.error_label.isHidden()
    assert "at least one input column" in iris_panel.error_label.text()
    assert iris_panel.counts_label.text() == "150 rows"
    with qtbot.waitSignal(iris_panel.datasetChanged) as blocker:
        choose_role(iris_panel, "petal_width", "input")  # fixing it clears the message
    assert blocker.args[0].inputs == ["petal_width"]
    assert iris_panel.error_label.isHidden()


def test_text_target_with_regression_is_explained(iris_panel, qtbot):
    with qtbot.waitSignal(iris_panel.datasetChanged) as blocker:
        iris_panel.task_combo.setCurrentIndex(iris_panel.task_combo.findData("regression"))
    assert blocker.args == [None]
    message = iris_panel.error_message()
    assert 'Target column "species"' in message and "regression" in message
    # Auto still says what it would detect.
    assert iris_panel.task_combo.itemText(0) == "Auto (classification: 3 classes)"


def test_a_bad_file_shows_an_inline_error(panel, tmp_path):
    bad = tmp_path / "broken.xlsx"
    bad.write_bytes(np.random.default_rng(0).integers(0, 256, 4096, dtype=np.uint8).tobytes())
    assert panel.load_file(bad) is False
    assert not panel.error_label.isHidden()
    assert panel.error_label.wordWrap()
    assert "broken.xlsx" in panel.error_message()
    assert panel.dataset() is None


def test_a_bad_file_keeps_the_data_already_loaded(iris_panel, tmp_path):
    missing = tmp_path / "nowhere.csv"
    assert iris_panel.load_file(missing) is False
    assert "nowhere.csv" in iris_panel.error_message()
    assert iris_panel.table_view.model().rowCount() == 150


def test_a_workbook_with_several_sheets_shows_the_sheet_picker(panel, qtbot, tmp_path):
    path = tmp_path / "two_sheets.xlsx"
    workbook = openpyxl.Workbook()
    first = workbook.active
    first.title = "Plants"
    for row in (["height", "water", "output"], [1, 2, 3], [4, 5, 6], [7, 8, 10]):
        first.append(row)
    second = workbook.create_sheet("Cars")
    for row in (["speed", "mass", "fuel", "output"], [1, 2, 3, 4], [5, 6, 7, 9], [9, 1, 2, 3]):
        second.append(row)
    workbook.save(path)

    assert panel.load_file(path)
    assert not panel.sheet_row.isHidden()
    assert [panel.sheet_combo.itemText(i) for i in range(panel.sheet_combo.count())] == ["Plants", "Cars"]
    assert panel.dataset().inputs == ["height", "water"]
    with qtbot.waitSignal(panel.datasetChanged) as blocker:
        panel.sheet_combo.setCurrentIndex(1)
    assert blocker.args[0].inputs == ["speed", "mass", "fuel"]
    assert panel.table_view.model().columnCount() == 4
    assert 'sheet "Cars"' in panel.file_label.text()


def test_drop_incomplete_rows(panel, qtbot, tmp_path):
    path = tmp_path / "gaps.csv"
    path.write_text("a,b,output\n1,2,3\n4,,6\n7,8,9\n10,11,\n13,14,15\n16,17,18\n")
    assert panel.load_file(path)
    assert panel.dataset() is None
    assert "Missing values" in panel.error_message() and "row 3" in panel.error_message()
    # the message names the box the panel shows, by its name
    assert panel.error_message().endswith(f'Fill them in, or tick "{panel.drop_missing_check.text()}".')
    assert panel.drop_missing_check.text() == "Skip incomplete rows"
    with qtbot.waitSignal(panel.datasetChanged) as blocker:
        qtbot.mouseClick(panel.drop_missing_check, Qt.MouseButton.LeftButton)
    assert panel.drop_missing_check.isChecked()
    dataset = blocker.args[0]
    assert dataset.n_dropped == 2 and len(dataset.frame) == 4
    assert list(dataset.row_numbers) == [2, 4, 6, 7]
    assert panel.counts_label.text() == "6 rows · 2 incomplete skipped · 3 training · 1 validation"
    with qtbot.waitSignal(panel.datasetChanged) as blocker:
        qtbot.mouseClick(panel.drop_missing_check, Qt.MouseButton.LeftButton)
    assert blocker.args == [None]


def test_scaling_and_validation_settings(iris_panel, qtbot):
    assert iris_panel.input_scaling() == "standard"
    with qtbot.waitSignal(iris_panel.datasetChanged):
        iris_panel.scaling_combo.setCurrentIndex(iris_panel.scaling_combo.findData("minmax"))
    assert iris_panel.input_scaling() == "minmax"
    assert iris_panel.workspace.data["input_scaling"] == "minmax"  # the workspace owns it
    iris_panel.scaling_combo.setCurrentIndex(iris_panel.scaling_combo.findData("none"))
    assert iris_panel.input_scaling() == "none"

    spin = iris_panel.validation_spin
    spin.lineEdit().selectAll()
    with qtbot.waitSignal(iris_panel.datasetChanged):
        qtbot.keyClicks(spin.lineEdit(), "10")
    assert iris_panel.validation_fraction() == pytest.approx(0.10)
    assert iris_panel.counts_label.text() == "150 rows · 135 training · 15 validation"
    spin.setValue(95)  # the spin box bounds the range
    assert iris_panel.validation_fraction() == pytest.approx(0.9)


def test_set_editable_locks_the_choices(iris_panel):
    iris_panel.set_editable(False)
    assert not iris_panel._role_combos["species"].isEnabled()
    assert not iris_panel.task_combo.isEnabled() and not iris_panel.sheet_combo.isEnabled()
    # Open… stays usable, like File > Open (the README said opening during a run works; the button was grey)
    assert iris_panel.table_view.isEnabled() and iris_panel.open_button.isEnabled()
    iris_panel.set_editable(True)
    assert iris_panel._role_combos["species"].isEnabled() and iris_panel.validation_spin.isEnabled()


def test_every_control_explains_itself(iris_panel):
    from PySide6.QtWidgets import QAbstractButton, QAbstractSpinBox, QComboBox

    controls = iris_panel.findChildren(QComboBox) + iris_panel.findChildren(QAbstractSpinBox) \
        + iris_panel.findChildren(QAbstractButton)
    assert controls
    assert all(control.toolTip() for control in controls if not control.objectName().startswith("qt_"))


def test_the_model_serves_100000_rows_without_per_cell_items():
    n_rows = 100_000
    rng = np.random.default_rng(0)
    frame = pd.DataFrame({
        "x": rng.normal(size=n_rows),
        "label": pd.Series(np.where(np.arange(n_rows) % 2, "odd", "even"), dtype=object),
    })
    frame.loc[n_rows - 1, "x"] = 2.5
    row_numbers = np.arange(2, n_rows + 2)

    tracemalloc.start()
    model = DataFrameModel(frame, row_numbers)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    # Per-cell items or formatted strings would take several MB; the model keeps array views.
    assert peak < 200_000

    assert model.rowCount() == n_rows and model.columnCount() == 2
    last = n_rows - 1
    assert model.data(model.index(last, 0)) == "2.5"
    assert model.data(model.index(last, 1)) == "odd"
    assert model.headerData(last, Qt.Orientation.Vertical) == str(n_rows + 1)


def test_the_panel_loads_100000_rows(panel):
    n_rows = 100_000
    frame = pd.DataFrame({"a": np.arange(n_rows, dtype=float), "b": np.ones(n_rows),
                          "output": np.arange(n_rows) % 7.0})
    panel.load_table(table_from_frame(frame))
    assert panel.table_view.model().rowCount() == n_rows
    # 80 % training, 20 % validation (a stratified split may move a row between them)
    rows, training, validation = (int(part.split()[0].replace(",", "")) for part in panel.counts_label.text().split(" · "))
    assert rows == training + validation == 100_000 and abs(validation - 20_000) <= 7
    assert panel.file_path() is None


def test_a_wide_table_sizes_its_columns_from_few_rows_as_they_come_into_view(panel, qtbot):
    # 785 image columns: sizing every column from 200 rows took seconds; from 5 rows, 0.09 s.
    frame = pd.DataFrame(np.arange(30 * 785).reshape(30, 785) % 256,
                         columns=[f"p{j}" for j in range(784)] + ["label"])
    panel.show()
    qtbot.waitExposed(panel)
    panel.load_table(table_from_frame(frame))
    header = panel.table_view.horizontalHeader()
    assert header.resizeContentsPrecision() * COLUMNS_SIZED_AT_ONCE <= SIZED_CELLS + COLUMNS_SIZED_AT_ONCE
    assert header.sectionSize(0) >= panel.fontMetrics().horizontalAdvance("255")
    beyond = header.logicalIndexAt(header.viewport().width() - 1) + 3
    assert header.sectionSize(beyond) == header.defaultSectionSize()  # not in view, not measured yet
    panel.resize(panel.width() * 3, panel.height())  # widened: the columns that came into view are sized
    qtbot.waitUntil(lambda: header.sectionSize(beyond) != header.defaultSectionSize(), timeout=2000)
    far = header.sectionSize(600)
    assert far == header.defaultSectionSize()
    panel.table_view.scrollTo(panel.table_view.model().index(0, 600))
    assert header.sectionSize(600) != far and header.sectionSize(600) >= panel.fontMetrics().horizontalAdvance("p600")
    narrow = pd.DataFrame({"x": [1.0, 2.0], "output": [3.0, 4.0]})
    panel.load_table(table_from_frame(narrow))
    assert header.resizeContentsPrecision() == 200


# -- how the file was read (issue 13) ----------------------------------------------------------------
def column_label(panel: DataPanel, column: str):
    """The name label beside a column's role combo."""
    from PySide6.QtWidgets import QLabel

    combo = panel._role_combos[column]
    grid = combo.parentWidget().layout()
    row, _, _, _ = grid.getItemPosition(grid.indexOf(combo))
    label = grid.itemAtPosition(row, 0).widget()
    assert isinstance(label, QLabel)
    return label


def test_each_column_shows_how_it_was_read_with_its_note(panel, qtbot, tmp_path):
    data = tmp_path / "prices.csv"
    rows = [f'"${100 + i * 7:,}.50",{i * 1.5}%,{i},{(i * 13) % 40 + 0.25}' for i in range(30)]
    data.write_text("price,share,count,output\n" + "\n".join(rows) + "\n")
    with qtbot.waitSignal(panel.datasetChanged):
        assert panel.load_file(data)
    price, share = column_label(panel, "price"), column_label(panel, "share")
    assert "currency amounts" in price.text()
    assert "percentages" in share.text()
    price_info = next(info for info in panel._infos if info.name == "price")
    assert price_info.note and html_escaped(price_info.note) in price.text()  # the note, as a second grey line
    assert price_info.note[1:] in price.toolTip()
    assert "currency amounts" in price.toolTip()
    # a plain number column says just "number"
    assert "number" in column_label(panel, "count").text()
    # said once: beside the column, not again among the file's notes
    notes, warnings = panel.reading_notes()
    assert any('"price"' in note for note in panel.workspace.table.notes)
    assert not any('"price"' in note for note in notes)


def html_escaped(text: str) -> str:
    import html

    return html.escape(text)


def test_the_panel_shows_table_and_dataset_notes_and_warnings(panel, qtbot, tmp_path):
    data = tmp_path / "digits.csv"
    data.write_text("\n".join(f"{i % 5},{(i * 3) % 7},{i % 3}" for i in range(1, 80)) + "\n")
    with qtbot.waitSignal(panel.datasetChanged):
        assert panel.load_file(data)
    table = panel.workspace.table
    dataset = panel.workspace.dataset
    assert table.warnings, "the first row looks like data: 'no header?'"
    assert dataset is not None and dataset.notes, "few whole values: classification chosen"
    notes, warnings = panel.reading_notes()
    assert notes == [note for note in table.notes if not note.startswith("Column ")] + dataset.notes
    assert warnings == table.warnings + dataset.warnings
    label = panel.notes_label
    assert panel.notes_area.isVisible() and label.wordWrap()
    text = label.text()
    assert "Warning:" in text and "&#9888;" in text
    assert html_escaped(dataset.notes[0]) in text
    assert html_escaped(table.warnings[0]) in text


def test_dataset_warnings_follow_the_chosen_roles(panel, qtbot, tmp_path):
    data = tmp_path / "constant.csv"
    data.write_text("a,b,c,output\n" + "\n".join(f"{i},{i * 2},7,{i * 0.5}" for i in range(20)) + "\n")
    with qtbot.waitSignal(panel.datasetChanged):
        assert panel.load_file(data)
    assert not any('"c"' in warning for warning in panel.reading_notes()[1])
    with qtbot.waitSignal(panel.datasetChanged):
        panel.set_roles(["a", "b", "output"], ["c"])
    _, warnings = panel.reading_notes()
    assert any('"c"' in warning and "same value" in warning for warning in warnings)
    assert "same value" in panel.notes_label.text()


def test_no_notes_hides_the_notes_area(iris_panel):
    assert iris_panel.reading_notes() == ([], [])
    assert iris_panel.notes_area.isHidden()


def test_a_warning_that_is_the_problem_shown_is_not_said_twice(panel, qtbot, tmp_path):
    data = tmp_path / "five.csv"
    data.write_text("a,b,output\n1,2,3\n4,five,6\n7,8,9\n")
    panel.load_file(data)
    problem = panel.error_message()
    assert problem.startswith('Column "b" in five.csv holds numbers, but 1 cell is not a number: B3 "five".')
    assert problem not in panel.reading_notes()[1]
    panel.set_roles(["a"], ["output"])  # b left out: no problem, and the warning says what to check
    assert panel.error_message() == ""
    assert any(warning.startswith('Column "b" in five.csv holds numbers') for warning in panel.reading_notes()[1])


def test_a_wide_table_lists_its_roles_in_one_table_edited_with_a_combo(panel, qtbot):
    """Beyond ROLE_WIDGETS_LIMIT columns the roles are rows of one table (no combo box per column);
    F2 on a role opens a combo box and a choice applies at once; Tab passes the table as one stop."""
    from PySide6.QtWidgets import QComboBox

    from mlp_desktop.gui.panels.data_panel import ROLE_WIDGETS_LIMIT, ColumnRolesModel

    frame = pd.DataFrame(np.arange(20 * 80).reshape(20, 80) % 7, columns=[f"p{j}" for j in range(79)] + ["label"])
    assert frame.shape[1] > ROLE_WIDGETS_LIMIT
    with qtbot.waitSignal(panel.datasetChanged):
        panel.load_table(table_from_frame(frame))
    view, model = panel.roles_view, panel.roles_model
    assert view.isVisible() and panel._role_combos == {} and not panel.roles_scroll.isVisible()
    assert model.rowCount() == 80 and model.index(79, 0).data() == "label"
    role = model.index(79, ColumnRolesModel.ROLE_COLUMN)
    assert role.data() == dict(ROLE_NAMES)[panel.workspace.data["targets"] and "target" or "ignore"]
    assert "number" in model.index(3, 1).data() and 'Column "p3"' in model.index(3, 0).data(Qt.ItemDataRole.ToolTipRole)
    # the keyboard: select p3's role, F2, choose Ignore
    view.setFocus()
    view.setCurrentIndex(model.index(3, ColumnRolesModel.ROLE_COLUMN))
    qtbot.keyClick(view, Qt.Key.Key_F2)
    combo = view.viewport().findChild(QComboBox) or view.findChild(QComboBox)
    assert combo is not None and combo.currentData() == "input"
    with qtbot.waitSignal(panel.datasetChanged):
        combo.setCurrentIndex(2)
        combo.activated.emit(2)
    assert "p3" not in panel.roles().inputs and "p3" in panel.roles().ignored
    assert model.index(3, ColumnRolesModel.ROLE_COLUMN).data() == "Ignore"
    # Tab passes the table as one stop, on to the task
    view.setFocus()
    qtbot.keyClick(view, Qt.Key.Key_Tab)
    assert panel.task_combo.hasFocus()
    # locked while training
    panel.set_editable(False)
    assert not model.flags(model.index(3, ColumnRolesModel.ROLE_COLUMN)) & Qt.ItemFlag.ItemIsEditable
    panel.set_editable(True)
    # a narrow table again: combo boxes of its own
    panel.load_table(table_from_frame(pd.DataFrame({"x": [1.0, 2.0, 3.0], "output": [3.0, 4.0, 5.0]})))
    assert not view.isVisible() and list(panel._role_combos) == ["x", "output"] and panel.roles_scroll.isVisible()


ROLE_NAMES = {"input": "Input", "target": "Target", "ignore": "Ignore"}
