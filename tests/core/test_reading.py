"""Issue 13's corpus: hand-made files of every case, each with its exact outcome (a clean table
with the right types and values, a note or warning, or a DataError naming the cells)."""

from __future__ import annotations

import datetime
import shutil
import zipfile
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest

from mlp_desktop.core.data import column_info, list_sheets, prepare_dataset, read_table, table_from_frame
from mlp_desktop.core.errors import DataError

FIXTURES = Path(__file__).parent / "fixtures" / "workbooks"

# A test that reads a workbook's data rows is run both ways (@read_both_ways): with pandas loaded and as
# during the window's first read (see pandas_loaded_or_not in tests/conftest.py); the others run once,
# and fail if they reach a branch on lazy.pandas_loaded() unmarked.
pytestmark = pytest.mark.usefixtures("pandas_branch_not_reached")
read_both_ways = pytest.mark.usefixtures("pandas_loaded_or_not")


def write_text(path, text, encoding="utf-8"):
    path.write_bytes(text.encode(encoding))
    return path


def write_xlsx(path, sheets, hidden=()):
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for name, rows in sheets.items():
        sheet = workbook.create_sheet(name)
        for row in rows:
            sheet.append(row)
        if name in hidden:
            sheet.sheet_state = "hidden"
    workbook.save(path)
    return path


def error_of(function, *args, **kwargs) -> str:
    with pytest.raises(DataError) as caught:
        function(*args, **kwargs)
    message = str(caught.value)
    assert "\n" not in message
    return message


def infos(table):
    return {info.name: info for info in column_info(table)}


# --- mostly numbers, missing markers ------------------------------------------------------------


def test_a_number_column_with_text_is_an_error_naming_the_cell_never_a_category(tmp_path):
    table = read_table(write_text(tmp_path / "data.csv", "a,b,output\n1,2,3\n4,five,6\n7,8,9\n"))
    assert infos(table)["b"].kind == "numeric" and infos(table)["b"].bad_cells == [(1, "five")]
    assert table.warnings == ['Column "b" in data.csv holds numbers, but 1 cell is not a number: B3 "five". '
                              "Correct these cells, or leave the column out."]
    assert error_of(prepare_dataset, table) == (
        'Column "b" in data.csv holds numbers, but 1 cell is not a number: B3 "five". '
        "Correct these cells, or leave the column out.")
    assert prepare_dataset(table, inputs=["a"]).inputs == ["a"]


@read_both_ways
def test_at_most_five_cells_are_named_with_the_sheet_and_the_count(tmp_path):
    rows = [["x", "output"]] + [[i, i] for i in range(20)] + [[f"bad{i}", 1] for i in range(7)]
    table = read_table(write_xlsx(tmp_path / "data.xlsx", {"Daten": rows}))
    assert error_of(prepare_dataset, table) == (
        'Column "x" in data.xlsx, sheet "Daten" holds numbers, but 7 cells are not numbers: A22 "bad0", '
        'A23 "bad1", A24 "bad2", A25 "bad3", A26 "bad4" (and 2 more). Correct these cells, or leave the column out.')


def test_missing_markers_are_missing_cells(tmp_path):
    markers = ["-", "NA", "n/a", "NULL", "None", "?", "nan", ""]
    text = "dose,output\n" + "".join(f"{m},{i}\n" for i, m in enumerate(markers)) + "".join(
        f"{i}.5,{i}\n" for i in range(12))
    table = read_table(write_text(tmp_path / "data.csv", text))
    info = infos(table)["dose"]
    assert info.kind == "numeric" and info.n_missing == len(markers) and not info.bad_cells
    assert info.note == '7 cells such as "-" count as missing'
    dataset = prepare_dataset(table, drop_missing=True)
    assert dataset.inputs == ["dose"] and dataset.n_dropped == len(markers)
    assert 'row 2 column "dose"' in error_of(prepare_dataset, table)


def test_a_dose_column_of_dashes_does_not_become_67_inputs(tmp_path):
    rng = np.random.default_rng(0)
    doses = [("-" if rng.random() < 0.3 else f"{rng.uniform(1, 9):.2f}") for _ in range(100)]
    text = "dose,output\n" + "".join(f"{d},{i % 7}.5\n" for i, d in enumerate(doses))
    dataset = prepare_dataset(read_table(write_text(tmp_path / "data.csv", text)), drop_missing=True)
    assert dataset.input_kinds == {"dose": "numeric"} and dataset.n_dropped == doses.count("-")


# --- currency, percent, thousands, numbers as text, dates ------------------------------------------


def test_currency_percent_and_thousands_are_numbers_with_a_note(tmp_path):
    text = 'price,share,count,output\n"$1,234.50",15.0%,"1,000",1\n$5,2.5%,"12,345",2\n-$0.50,100%,7,3\n'
    table = read_table(write_text(tmp_path / "data.csv", text))
    assert table.frame["price"].tolist() == [1234.5, 5.0, -0.5]
    assert table.frame["share"].tolist() == pytest.approx([0.15, 0.025, 1.0])
    assert table.frame["count"].tolist() == [1000.0, 12345.0, 7.0]
    found = infos(table)
    assert (found["price"].read_as, found["share"].read_as, found["count"].read_as) == (
        "currency amounts", "percentages", "thousands-separated numbers")
    assert found["price"].note == 'currency amounts read as numbers ("$1,234.50" -> 1234.5)'
    assert found["share"].note == 'percentages read as fractions, as Excel stores them ("15.0%" -> 0.15)'
    assert 'Column "price": currency amounts read as numbers ("$1,234.50" -> 1234.5).' in table.notes
    dataset = prepare_dataset(table, targets=["price"])
    assert dataset.task == "regression" and dataset.input_kinds == {"share": "numeric", "count": "numeric",
                                                                    "output": "numeric"}


def test_euro_amounts_with_decimal_commas(tmp_path):
    table = read_table(write_text(tmp_path / "data.csv", "Preis;x\n1.234,50 €;1\n12,00 €;2\n"))
    assert table.frame["Preis"].tolist() == [1234.5, 12.0]


@read_both_ways
def test_numbers_stored_as_text_in_a_workbook(tmp_path):
    rows = [["x", "output"], ["12", 1], ["3.5", 2], [4, 3]]
    table = read_table(write_xlsx(tmp_path / "data.xlsx", {"S": rows}))
    assert table.frame["x"].tolist() == [12.0, 3.5, 4.0]
    assert infos(table)["x"].note == "2 numbers stored as text read as numbers"


@read_both_ways
def test_dates_become_days_since_the_first_date_never_categories(tmp_path):
    rows = [["when", "output"], [datetime.datetime(2024, 1, 10), 1], [datetime.datetime(2024, 1, 1), 2],
            [datetime.datetime(2024, 2, 1, 12), 3]]
    table = read_table(write_xlsx(tmp_path / "data.xlsx", {"S": rows}))
    assert table.frame["when"].tolist() == [9.0, 0.0, 31.5]
    assert infos(table)["when"].note == "dates read as days since 2024-01-01, the first date"
    text = read_table(write_text(tmp_path / "data.csv", "day,time,output\n2024-03-02,12:30,1\n2024-03-01,6:15,2\n"))
    assert text.frame["day"].tolist() == [1.0, 0.0] and text.frame["time"].tolist() == [12.5, 6.25]
    assert infos(text)["time"].read_as == "times of day"
    assert prepare_dataset(text).input_kinds == {"day": "numeric", "time": "numeric"}


# --- targets and tasks -------------------------------------------------------------------------


def test_a_constant_target_is_a_warning(tmp_path):
    dataset = prepare_dataset(read_table(write_text(tmp_path / "data.csv", "x,output\n1,5\n2,5\n3,5\n")))
    assert dataset.warnings == [
        'Target "output" in data.csv has the same value (5) in every used row: the network can only learn that '
        "constant, and R² cannot be computed. Choose another target."]


def test_too_many_classes_warn_and_one_class_per_row_is_an_error(tmp_path):
    labels = [f"id{i % 500}" for i in range(600)]
    frame = pd.DataFrame({"x": np.arange(600.0), "who": labels})
    dataset = prepare_dataset(table_from_frame(frame, "people.csv"))
    assert dataset.task == "classification" and len(dataset.classes) == 500
    assert dataset.warnings == [
        'Target "who" in people.csv has 500 classes in 600 rows, fewer than 2 rows per class on average: a '
        "classifier will hardly learn them. Is it an identifier, or amounts better predicted by regression?"]
    unique = table_from_frame(pd.DataFrame({"x": [1.0, 2, 3, 4], "who": ["a", "b", "c", "d"]}), "ids.csv")
    assert "different value in each of its 4 rows" in error_of(prepare_dataset, unique)


def test_a_few_whole_numbers_are_classes_and_the_task_is_named(tmp_path):
    frame = pd.DataFrame({"pixel": np.arange(200.0), "digit": np.arange(200) % 10})
    table = table_from_frame(frame, "digits.csv")
    dataset = prepare_dataset(table)
    assert dataset.task == dataset.detected_task == "classification"
    assert dataset.classes == [str(d) for d in range(10)]
    assert dataset.notes == [
        'Target "digit" holds only 10 different whole numbers (0 to 9) in 200 rows, so it is predicted as classes '
        '(classification). Choose the task "regression" to predict it as a number instead.']
    assert prepare_dataset(table, task="regression").task == "regression"
    # Few rows (the AND gate) stay regression.
    assert prepare_dataset(table_from_frame(pd.DataFrame({"a": [0, 1, 0, 1], "y": [0, 0, 0, 1]}))).task == "regression"


# --- sheets, headers, separators ----------------------------------------------------------------


@read_both_ways
def test_hidden_sheets_are_skipped_and_the_sheet_used_is_named(tmp_path):
    path = write_xlsx(tmp_path / "data.xlsx", {"Secret": [["a", "b"], [1, 2]], "Data": [["x", "y"], [3, 4]]},
                      hidden={"Secret"})
    table = read_table(path)
    assert table.sheet == "Data" and table.sheets == ["Secret", "Data"]
    assert table.notes[:2] == ['Read sheet "Data" of data.xlsx (the first visible sheet with data).',
                               'Skipped hidden sheet "Secret".']
    chosen = read_table(path, sheet="Secret")
    assert chosen.frame.columns.tolist() == ["a", "b"]
    assert chosen.notes[0] == 'Sheet "Secret" is hidden in data.xlsx; it was read because it was chosen.'


def test_a_file_without_header_is_warned(tmp_path):
    table = read_table(write_text(tmp_path / "data.csv", "1,2,3\n4,5,6\n7,8,9\n"))
    assert table.warnings == [
        "No header? The first row of data.csv (1, 2, 3) looks like data, not column names; it is used as the "
        "column names. Add a row of names above the data if it is data."]


def test_sep_line_is_honoured(tmp_path):
    table = read_table(write_text(tmp_path / "data.csv", "sep=;\na;b;output\n1,5;2;3\n4;5;6\n"))
    assert table.frame.columns.tolist() == ["a", "b", "output"]
    assert table.frame["a"].tolist() == [1.5, 4.0] and table.row_numbers.tolist() == [3, 4]
    assert table.notes == ['The first line of data.csv ("sep=;") sets the separator: semicolon.']


def test_space_aligned_columns_are_read_or_the_message_says_no_separator(tmp_path):
    text = "  age   weight  output\n   30     70.5     1\n   41     80.0     0\n"
    table = read_table(write_text(tmp_path / "data.txt", text))
    assert table.frame.columns.tolist() == ["age", "weight", "output"]
    assert table.frame["weight"].tolist() == [70.5, 80.0]
    assert table.notes == ["data.txt has no separator character; its columns are separated by spaces."]
    lonely = read_table(write_text(tmp_path / "one.txt", "value\n1 2\n3\n4 5 6\n"))
    assert lonely.warnings[0].startswith("No separator (comma, semicolon, tab, vertical bar or aligned spaces)")
    assert "no separator" in error_of(prepare_dataset, lonely)


@read_both_ways
def test_a_header_over_two_rows_is_joined_and_explained(tmp_path):
    rows = [["Patient", "Blood pressure", None, "output"], ["age", "sys", "dia", ""],
            [30, 120, 80, 1], [40, 130, 85, 0], [50, 140, 90, 1]]
    table = read_table(write_xlsx(tmp_path / "data.xlsx", {"S": rows}))
    assert table.frame.columns.tolist() == ["Patient age", "Blood pressure sys", "Blood pressure dia", "output"]
    assert table.row_numbers.tolist() == [3, 4, 5] and table.frame["Blood pressure dia"].tolist() == [80, 85, 90]
    assert table.warnings == [
        'The column names of data.xlsx, sheet "S" span two rows (1 and 2): each name joins both rows, such as '
        '"Patient age". If row 2 is data, write all names in one row.']


def test_a_long_cell_reads_the_same_in_every_encoding(tmp_path):
    cell = "é" * 1_000_000
    for encoding in ("utf-8", "cp1252"):
        table = read_table(write_text(tmp_path / f"{encoding}.csv", f"x,note\n1,{cell}\n2,b\n", encoding))
        assert table.frame["note"][0] == cell
    # The first bytes plain ASCII (all the sniffer sees), the first other letter a megabyte on:
    # read in the next encoding, not refused.
    late = "x" * 1_000_000 + "é"
    for encoding in ("utf-8", "cp1252"):
        table = read_table(write_text(tmp_path / f"late_{encoding}.csv", f"x,note\n1,{late}\n2,b\n", encoding))
        assert table.frame["note"][0] == late and table.frame["x"].tolist() == [1.0, 2.0]


# --- workbooks of every kind --------------------------------------------------------------------


@pytest.mark.parametrize("name", ["base.ods", "base.xls", "base.xlsb"])
def test_ods_xls_and_xlsb_are_read(tmp_path, name):
    # Each has one row (String, 1, 1.1, TRUE, FALSE, a date, ...): that row is the header here.
    table_path = tmp_path / name
    shutil.copy(FIXTURES / name, table_path)
    assert list_sheets(table_path)[:2] == ["Sheet1", "Sheet2"]
    message = error_of(read_table, table_path)
    assert message == f'{name}, sheet "Sheet1" has a header row but no data rows below it.'


@read_both_ways
@pytest.mark.parametrize("name", ["any_sheets.xlsb", "any_sheets.ods"])
def test_hidden_sheets_in_xlsb_and_ods(tmp_path, name):
    table = read_table(FIXTURES / name)  # sheets Visible, Hidden, VeryHidden and Chart
    assert table.sheet == "Visible" and table.frame.columns.tolist() == ["1", "2"]
    assert table.frame["1"].tolist() == [3.0, 5.0, "This workbook contains 4 sheets: Visible, Hidden, VeryHidden and Chart"]
    assert table.row_numbers.tolist() == [2, 3, 5]
    assert table.warnings[0].startswith(f'No header? The first row of {name}, sheet "Visible" (1, 2) looks like data')
    assert error_of(read_table, FIXTURES / name, sheet="VeryHidden") == f'Sheet "VeryHidden" in {name} is empty.'
    if name.endswith(".xlsb"):
        assert error_of(read_table, FIXTURES / name, sheet="Chart") == (
            f'Sheet "Chart" in {name} is a chart, not a table of data.')


def test_password_protected_workbook(tmp_path):
    message = error_of(read_table, FIXTURES / "password.xlsx")
    assert "password" in message and "password.xlsx" in message


@read_both_ways
def test_formulas_without_saved_results_are_named(tmp_path):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "S"
    sheet.append(["a", "b", "total"])
    for row in range(2, 6):
        sheet.append([row, row * 2, f"=A{row}+B{row}"])
    workbook.save(tmp_path / "data.xlsx")  # openpyxl saves formulas without results, as scripts do
    table = read_table(tmp_path / "data.xlsx")
    assert infos(table)["total"].unsaved_formulas[:2] == [("C2", "=A2+B2"), ("C3", "=A3+B3")]
    assert table.warnings[0].startswith('Column "total" in data.xlsx, sheet "S" holds 4 formulas saved without '
                                        'their results (such as C2 "=A2+B2")')
    assert error_of(prepare_dataset, table) == (
        'Column "total" in data.xlsx, sheet "S" holds formulas saved without their results: C2 "=A2+B2", '
        'C3 "=A3+B3", C4 "=A4+B4", C5 "=A5+B5". Open the file in Excel or LibreOffice and save it again so the '
        "results are stored, or leave the column out.")
    assert prepare_dataset(table, inputs=["a"], targets=["b"]).targets == ["b"]


# --- memory and archives ------------------------------------------------------------------------


def _declare_size(path: Path, member: str, size: int) -> None:
    """Rewrite the sizes ``member`` declares (local header and central directory)."""
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo(member)
    local = info.header_offset
    data[local + 22: local + 26] = size.to_bytes(4, "little")
    name = member.encode()
    position = data.find(b"PK\x01\x02")
    while position >= 0:
        name_length = int.from_bytes(data[position + 28: position + 30], "little")
        if bytes(data[position + 46: position + 46 + name_length]) == name:
            data[position + 24: position + 28] = size.to_bytes(4, "little")
        position = data.find(b"PK\x01\x02", position + 4)
    path.write_bytes(bytes(data))


def test_a_workbook_that_would_inflate_to_gigabytes_is_refused_unopened(tmp_path):
    path = write_xlsx(tmp_path / "bomb.xlsx", {"S": [["a", "b"], [1, 2]]})
    _declare_size(path, "xl/worksheets/sheet1.xml", 1_000_000_000)
    message = error_of(read_table, path)
    assert message.startswith("bomb.xlsx is unsafe: its part xl/worksheets/sheet1.xml would inflate from")
    assert "zip bomb" in message


def _lying_copy(source: Path, target: Path, member: str) -> Path:
    """A copy of ``source`` whose ``member`` declares fewer bytes than it inflates to (but more than
    half its compressed size, so only inflating it can tell)."""
    target.write_bytes(source.read_bytes())
    with zipfile.ZipFile(target) as archive:
        info = archive.getinfo(member)
    assert info.file_size > 4 * info.compress_size
    _declare_size(target, member, 2 * info.compress_size)
    return target


def _long_workbook(path: Path, rows: int = 3000) -> Path:
    return write_xlsx(path, {"S": [["a", "b", "output"]] + [[k, k % 7, f"c{k % 3}"] for k in range(rows)]})


@pytest.mark.parametrize("parts", [False, True])
def test_a_workbook_part_that_holds_more_than_it_declares_is_refused_while_inflating(tmp_path, monkeypatch, parts):
    from mlp_desktop.core.reading import workbook

    if parts:  # read by our own capped stream, not calamine's
        monkeypatch.setattr(workbook, "PARTS_FROM_BYTES", 0)
    path = _lying_copy(_long_workbook(tmp_path / "ok.xlsx"), tmp_path / "lying.xlsx", "xl/worksheets/sheet1.xml")
    message = error_of(read_table, path)
    assert message.startswith("lying.xlsx is damaged or unsafe: ") and "holds more than" in message


def test_an_ods_or_project_part_that_holds_more_than_it_declares_is_refused(tmp_path):
    from mlp_desktop.core.project import load_project

    lying = _lying_copy(FIXTURES / "base.ods", tmp_path / "lying.ods", "content.xml")
    assert error_of(read_table, lying) == ("lying.ods is damaged or unsafe: a part of it holds more than the size it "
                                           "declares; it was not opened.")
    project = tmp_path / "ok.mlpd"
    with zipfile.ZipFile(project, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("manifest.json", '{"format": "mlp-desktop-project", "padding": "' + " " * 20000 + '"}')
    lying = _lying_copy(project, tmp_path / "lying.mlpd", "manifest.json")
    assert error_of(load_project, lying) == ("lying.mlpd is damaged or unsafe: its part manifest.json holds more than "
                                             "the 170 bytes it declares; it was not opened.")


def test_the_capped_stream_reads_honest_parts_and_names_cut_or_changed_ones(tmp_path):
    from mlp_desktop.core.reading.archive import open_member, read_member

    path = tmp_path / "a.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("x", b"0123456789" * 1000)
    with zipfile.ZipFile(path) as archive:
        assert read_member(archive, "x", "a.zip") == b"0123456789" * 1000
        with open_member(archive, "x", "a.zip") as stream:
            assert b"".join(iter(lambda: stream.read(777), b"")) == b"0123456789" * 1000
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo("x")
    _declare_size(path, "x", info.file_size + 10)  # claims more than it holds
    with zipfile.ZipFile(path) as archive:
        assert error_of(read_member, archive, "x", "a.zip") == "a.zip is damaged: its part x is shorter than it declares."
    del data


@read_both_ways
def test_a_large_sheet_read_in_parts_is_the_same_table(tmp_path, monkeypatch):
    """Sheets beyond PARTS_FROM_BYTES are read a part at a time (a few hundred bytes here, so that
    parts begin further left or right, with blank rows and formulas between them)."""
    from mlp_desktop.core.reading import workbook

    book = openpyxl.Workbook()
    sheet = book.active
    sheet["C3"], sheet["D3"] = "a", "b"
    for row in range(4, 60):
        sheet.cell(row=row, column=3, value=row)
        sheet.cell(row=row, column=4, value=f"t{row % 3}")
    sheet["B40"], sheet["H50"] = "left", datetime.datetime(2020, 1, 5)
    sheet["D55"], sheet["F70"] = "=SUM(C10:C20)", 1.5
    book.save(tmp_path / "wide.xlsx")
    whole = read_table(tmp_path / "wide.xlsx")
    monkeypatch.setattr(workbook, "PARTS_FROM_BYTES", 0)
    monkeypatch.setattr(workbook, "_PART_BYTES", 200)
    parts = workbook._SheetParts.open(tmp_path / "wide.xlsx", "Sheet")
    assert sum(1 for _ in parts) > 10
    in_parts = read_table(tmp_path / "wide.xlsx")
    pd.testing.assert_frame_equal(in_parts.frame, whole.frame)
    assert in_parts.row_numbers.tolist() == whole.row_numbers.tolist() == list(range(4, 60)) + [70]
    assert in_parts.column_positions == whole.column_positions == [2, 3, 4, 6, 8]
    assert in_parts.notes == whole.notes and in_parts.warnings == whole.warnings
    assert "D55" in in_parts.warnings[0] and in_parts.frame["column_6"].iloc[-1] == 1.5


def test_memory_errors_become_data_errors(tmp_path, monkeypatch):
    import mlp_desktop.core.reading as reading

    path = write_text(tmp_path / "data.csv", "a,b\n1,2\n")

    def exhausted(raw):
        raise MemoryError

    monkeypatch.setattr(reading, "build_table", exhausted)
    assert error_of(read_table, path).startswith("data.csv is too large to read in the memory available")


def test_a_large_clean_file_reads_like_pandas(tmp_path):
    frame = pd.DataFrame(np.random.default_rng(0).normal(size=(5000, 6)).round(6), columns=list("abcde") + ["output"])
    path = tmp_path / "large.csv"
    frame.to_csv(path, index=False)
    table = read_table(path)
    np.testing.assert_array_equal(table.frame.to_numpy(), pd.read_csv(path).to_numpy())
    np.testing.assert_array_equal(table.row_numbers, np.arange(2, 5002))
    assert table.notes == [] and table.warnings == []


# --- files written for the user -----------------------------------------------------------------


def test_written_tables_never_hold_live_formulas(tmp_path):
    from mlp_desktop.core.fileio import write_table

    frame = pd.DataFrame({"name": ['=HYPERLINK("http://x","y")', "+1+cmd|' /C calc'!A0", "@SUM(A1)", "-2", "ok"],
                          "=evil": [1, 2, 3, 4, 5]})
    write_table(frame, tmp_path / "out.xlsx")
    sheet = openpyxl.load_workbook(tmp_path / "out.xlsx").active
    assert [cell.data_type for cell in sheet["A"]] == ["s"] * 6 and sheet["B1"].data_type == "s"
    assert sheet["A2"].value == '=HYPERLINK("http://x","y")' and sheet["B1"].value == "=evil"
    write_table(frame, tmp_path / "out.csv")
    lines = (tmp_path / "out.csv").read_text().splitlines()
    assert lines[0] == "name,'=evil"
    assert lines[1:] == ["\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\",1", "'+1+cmd|' /C calc'!A0,2", "'@SUM(A1),3",
                         "-2,4", "ok,5"]


def test_project_bombs_and_lying_array_headers_are_refused(tmp_path):
    import io as _io

    from mlp_desktop.core.project import load_project

    bomb = tmp_path / "bomb.mlpd"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("manifest.json", "{}")
    _declare_size(bomb, "manifest.json", 2_000_000_000)
    assert "bomb.mlpd is damaged or unsafe: its part manifest.json would inflate to" in error_of(load_project, bomb)

    header = _io.BytesIO()
    np.lib.format.write_array_header_1_0(header, {"descr": "<f8", "fortran_order": False,
                                                  "shape": (2**40,)})
    arrays = _io.BytesIO()
    with zipfile.ZipFile(arrays, "w") as npz:
        npz.writestr("weights.npy", np.lib.format.MAGIC_PREFIX + b"\x01\x00" + header.getvalue()[8:] + bytes(64))
    from mlp_desktop.core.reading.archive import check_npz

    message = error_of(check_npz, arrays.getvalue(), "p.mlpd")
    assert message.startswith("p.mlpd is damaged: arrays.npz declares weights.npy with shape (1099511627776,)")


# --- the one numeric parse ----------------------------------------------------------------------

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from mlp_desktop.core.reading import values as V  # noqa: E402


@settings(max_examples=200, deadline=None)
@given(numbers=st.lists(st.floats(allow_nan=False, allow_infinity=False, width=64), min_size=1, max_size=20),
       noise=st.lists(st.text(max_size=6), max_size=5))
def test_every_plain_number_text_reads_as_python_reads_it(numbers, noise):
    texts = [repr(number) for number in numbers] + noise
    parsed = V.parse_texts(texts)
    for text, kind, value in zip(texts, parsed.kinds, parsed.values):
        assert V.MISSING <= kind <= V.TEXT
        if kind == V.NUMBER:
            assert value == float(text.strip())
    assert all(parsed.kinds[: len(numbers)] == V.NUMBER)
    assert parsed.values[: len(numbers)].tolist() == numbers


def test_decimal_commas_are_read_in_one_place():
    parsed = V.parse_texts(["1,5", "1.234,5", "3.25", "1.250", "-0,25", ",5", "1 000,5"], ",")
    assert parsed.values.tolist() == [1.5, 1234.5, 3.25, 1250.0, -0.25, 0.5, 1000.5]
    assert V.parse_texts(["1,5"], ".").kinds.tolist() == [V.TEXT]


@read_both_ways
def test_a_sheet_whose_rows_carry_no_addresses_is_read_whole(tmp_path, monkeypatch):
    """Rows and cells may leave out their r="B7" addresses; a part could not say where it lies, so
    such a sheet is never cut into parts."""
    import io
    import re

    from mlp_desktop.core.reading import workbook

    source = write_xlsx(tmp_path / "a.xlsx", {"S": [["a", "output"]] + [[k, k % 3] for k in range(50)]})
    packed = io.BytesIO()
    with zipfile.ZipFile(source) as archive, zipfile.ZipFile(packed, "w", zipfile.ZIP_DEFLATED) as out:
        for name in archive.namelist():
            data = archive.read(name)
            out.writestr(name, re.sub(rb' r="[A-Z]*\d+"', b"", data) if "worksheets/" in name else data)
    (tmp_path / "plain.xlsx").write_bytes(packed.getvalue())
    monkeypatch.setattr(workbook, "PARTS_FROM_BYTES", 0)
    monkeypatch.setattr(workbook, "_PART_BYTES", 200)
    assert workbook._SheetParts.open(tmp_path / "plain.xlsx", "S") is None
    table = read_table(tmp_path / "plain.xlsx")
    assert table.frame["a"].tolist() == list(range(50)) and table.row_numbers.tolist() == list(range(2, 52))


def test_a_file_of_numbers_is_read_as_numbers_at_once_and_text_past_the_sample_still_counts(tmp_path):
    # The sniffed sample holds numbers only, so the parser is asked for floats; a cell of text
    # far below sends the file the usual way, with the same result as a file of mixed columns.
    from mlp_desktop.core.reading.sniffing import HEAD_BYTES, read_head, sniff_text

    rows = [f"{i},{i * 0.5},{-i}" for i in range(20_000)]
    numbers = tmp_path / "numbers.csv"
    numbers.write_text("a,b,c\n" + "\n".join(rows) + "\n")
    assert sniff_text(numbers, read_head(numbers)).numbers_only
    table = read_table(numbers)
    assert list(table.frame.dtypes) == [np.float64] * 3 and table.frame["b"].iloc[-1] == 9999.5
    rows[15_000] = "15000,oops,-15000"
    mixed = tmp_path / "mixed.csv"
    mixed.write_text("a,b,c\n" + "\n".join(rows) + "\n")
    assert len(mixed.read_bytes()) > HEAD_BYTES and sniff_text(mixed, read_head(mixed)).numbers_only
    table = read_table(mixed)
    info = {i.name: i for i in column_info(table)}
    assert info["b"].kind == "numeric" and info["b"].bad_cells == [(15_000, "oops")]
    assert table.frame["a"].dtype == np.float64 and table.frame["a"].iloc[-1] == 19_999
    with pytest.raises(Exception, match="oops"):
        prepare_dataset(table, ["a", "b"], ["c"])


# --- the pandas-free paths of the first read -------------------------------------------------------

_CELL_POOL = [0.0, -1.5, float("nan"), float("inf"), 0, 7, -3, 10**400, True, "", " ", "x", "1", None,
              datetime.datetime(2024, 1, 2)]


def _both_ways(cells: np.ndarray):
    from mlp_desktop.core.reading import workbook

    with_pandas = workbook._number_cells(cells)
    without = workbook._plain_number_cells(cells)
    return with_pandas, without


def _assert_agree(values: list) -> bool:
    cells = np.empty(len(values), dtype=object)
    cells[:] = values
    with_pandas, without = _both_ways(cells)
    if without is None:  # undecided: pandas decides, nothing to compare
        return False
    assert with_pandas is not None, values
    np.testing.assert_array_equal(without.astype(np.float64), with_pandas.astype(np.float64))
    return True


def test_the_pandas_free_number_check_agrees_with_infer_dtype():
    """Every mix of up to three cells from a pool of calamine's cell types (and the empty chunk): when
    the pandas-free check decides, infer_dtype decides the same, and the numbers are the same."""
    import itertools

    pool = [value for value in _CELL_POOL if not (isinstance(value, int) and value > 2**64)]
    decided = sum(_assert_agree(list(values)) for n in range(4) for values in itertools.product(pool, repeat=n))
    assert decided > 100  # (it does decide the common cases: floats, whole numbers, empty cells)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.floats(), st.integers(-2**60, 2**60), st.sampled_from(["", " ", "a", "2"]),
                          st.booleans(), st.none()), max_size=30))
def test_the_pandas_free_number_check_agrees_with_infer_dtype_on_longer_columns(values):
    _assert_agree(values)


@given(st.text(alphabet=st.characters(blacklist_categories=("Nd",)), max_size=12))
@settings(max_examples=300, deadline=None)
def test_a_header_text_without_a_digit_is_never_read_as_a_number(text):
    """build._header_looks_like_data sends only texts with a digit to the parser: exact only if no
    digit-free text is a number, date, amount or percentage. (``\\d`` is Unicode's category Nd.)"""
    assert V.parse_texts([text]).kinds[0] not in (V.NUMBER, V.GROUPED, V.CURRENCY, V.PERCENT, V.DATE)


def test_month_and_day_names_are_not_numbers_either():
    names = ["January", "Jan", "Monday", "Mon", "today", "noon", "AM", "PM", "e", "E", "-", "+", ".", ",", "%", "€"]
    kinds = V.parse_texts(names).kinds
    assert not np.isin(kinds, (V.NUMBER, V.GROUPED, V.CURRENCY, V.PERCENT, V.DATE)).any()


def test_reading_the_start_up_sample_does_not_import_pandas():
    import os
    import subprocess
    import sys

    root = Path(__file__).resolve().parents[2]
    code = ("import sys\nfrom mlp_desktop.core.data import column_info, read_table\n"
            "table = read_table(sys.argv[1]); column_info(table)\n"
            "print('pandas' in sys.modules, table.n_rows, list(table.columns))")
    result = subprocess.run([sys.executable, "-c", code, str(root / "sample_data" / "health_score.xlsx")],
                            env={**os.environ, "PYTHONPATH": str(root)}, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().split(maxsplit=2) == ["False", "6", "['age', 'exercise', 'diet', 'output']"]

