"""Predicting every row of a file: skipped rows stay, with empty prediction cells and a note."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from mlp_desktop.core import TrainConfig, fileio
from mlp_desktop.core.batch_prediction import NOTE_COLUMN, predict_in_chunks, predict_table
from mlp_desktop.core.data import SKIP_INCOMPLETE_ADVICE, missing_columns, prepare_dataset, table_from_frame
from mlp_desktop.core.errors import Cancelled, DataError
from mlp_desktop.core.model import NetworkSpec, fit_model
from mlp_desktop.core.settings import SETTINGS


@pytest.fixture(scope="module")
def model():
    frame = pd.DataFrame({"size": [1.0, 2.0, 3.0, 4.0, 5.0, 6.0], "colour": ["red", "blue"] * 3,
                          "kind": ["a", "b", "a", "b", "a", "b"]})
    model, _ = fit_model(prepare_dataset(table_from_frame(frame), targets=["kind"]), NetworkSpec(hidden_layers=[2]),
                         TrainConfig(epochs=3, seed=0))
    return model


def rows(**columns) -> pd.DataFrame:
    return pd.DataFrame(columns)


def test_every_row_is_kept_in_order_with_empty_predictions_and_a_note(model):
    table = table_from_frame(rows(id=[10, 11, 12, 13], size=[1.0, None, 3.0, None], colour=["red", "blue", None, None]))
    with pytest.raises(DataError, match=f"Fill them in, or {SKIP_INCOMPLETE_ADVICE}."):
        predict_table(model, table)
    result = predict_table(model, table, skip_incomplete=True)
    assert result.n_rows == 4 and result.n_predicted == 1 and result.n_skipped == 3
    assert result.frame["id"].tolist() == [10, 11, 12, 13]
    assert result.row_numbers.tolist() == [2, 3, 4, 5]
    assert result.predicted.tolist() == [True, False, False, False]
    assert result.prediction_columns == ["predicted_kind", "probability_a", "probability_b", NOTE_COLUMN]
    assert list(result.frame.columns) == ["id", "size", "colour"] + result.prediction_columns
    expected = model.predict(pd.DataFrame({"size": [1.0], "colour": ["red"]}))
    assert result.frame["predicted_kind"][0] == expected["predicted_kind"][0]
    assert result.frame.loc[1:, ["predicted_kind", "probability_a", "probability_b"]].isna().all().all()
    assert result.frame[NOTE_COLUMN].tolist()[1:] == [
        "not predicted: no value in size", "not predicted: no value in colour",
        "not predicted: no value in size, colour"]
    assert pd.isna(result.frame[NOTE_COLUMN][0])
    assert result.summary() == ("1 of 4 rows predicted; 3 incomplete rows skipped: they are kept, with empty "
                                "prediction cells and the reason in prediction_note.")
    assert result.saved_sentence("out.csv") == "Saved all 4 rows to out.csv (3 without a prediction)."
    assert len(table.frame.columns) == 3  # the table read is not changed


def test_a_complete_file_gets_no_note_and_old_predictions_are_replaced(model):
    old = rows(size=[1.0, 2.0], colour=["red", "blue"], predicted_kind=["x", "x"], prediction_note=["old", None])
    result = predict_table(model, table_from_frame(old))
    assert list(result.frame.columns) == ["size", "colour", "predicted_kind", "prediction_note",
                                          "probability_a", "probability_b"]
    assert result.frame["prediction_note"].isna().all()  # an earlier run's note is not left behind
    assert "x" not in result.frame["predicted_kind"].tolist()
    assert result.summary() == "2 rows predicted."
    assert predict_table(model, table_from_frame(old.drop(columns=["prediction_note"]))).prediction_columns == [
        "predicted_kind", "probability_a", "probability_b"]


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_a_saved_result_holds_every_row(model, tmp_path, suffix):
    table = table_from_frame(rows(size=[1.0, None, 3.0], colour=["red", "blue", "red"]))
    result = predict_table(model, table, skip_incomplete=True)
    path = tmp_path / f"out{suffix}"
    fileio.write_table(result.frame, path)
    saved = pd.read_csv(path) if suffix == ".csv" else pd.read_excel(path, engine="openpyxl")
    assert saved["colour"].tolist() == ["red", "blue", "red"] and len(saved) == 3
    assert saved[NOTE_COLUMN][1] == "not predicted: no value in size"


def test_missing_columns_names_the_empty_cells():
    table = table_from_frame(rows(a=[1.0, None, None], b=["x", "NA", None]))
    assert missing_columns(table, ["a", "b"], np.array([0, 1, 2])) == [[], ["a", "b"], ["a", "b"]]
    assert missing_columns(table, ["b"], np.array([2])) == [["b"]]


def test_the_advice_names_the_box_by_the_settings_label():
    assert SKIP_INCOMPLETE_ADVICE == f'tick "{SETTINGS["drop_missing"].label}"' == 'tick "Skip incomplete rows"'


def test_unreadable_cell_in_a_file_to_predict_does_not_say_leave_the_column_out(model):
    table = table_from_frame(rows(size=["1", "two", "3"], colour=["red", "blue", "red"]))
    with pytest.raises(DataError) as error:
        predict_table(model, table)
    assert "leave the column out" not in str(error.value) and "the model needs this column" in str(error.value)


def test_predicting_in_chunks_reports_progress_and_stops_when_asked(model):
    frame = pd.DataFrame({"size": np.arange(10.0), "colour": ["red"] * 10})
    seen = []
    result = predict_in_chunks(model, frame, lambda done, total: seen.append((done, total)), chunk_rows=4)
    assert seen == [(4, 10), (8, 10), (10, 10)] and len(result) == 10
    with pytest.raises(Cancelled):
        predict_in_chunks(model, frame, should_stop=lambda: len(seen) > 3, on_progress=lambda d, t: seen.append(d),
                          chunk_rows=4)


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_a_cancelled_save_leaves_the_old_file_and_no_temporary(tmp_path, suffix):
    path = tmp_path / f"out{suffix}"
    path.write_bytes(b"old")
    with pytest.raises(Cancelled):
        fileio.write_table(pd.DataFrame({"a": [1, 2]}), path, should_stop=lambda: True)
    assert path.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == [path.name]


def test_a_save_cancelled_while_it_is_flushed_to_disk_still_leaves_the_old_file(tmp_path, monkeypatch):
    """The stop was checked once the temporary file was written; a cancel during the flush to disk
    (hundreds of ms for a big file) came too late, and the file was replaced (review)."""
    path = tmp_path / "out.csv"
    path.write_bytes(b"old")
    stop = []
    fsync = fileio.os.fsync
    monkeypatch.setattr(fileio.os, "fsync", lambda fd: stop.append(True) or fsync(fd))  # Cancel pressed meanwhile
    with pytest.raises(Cancelled):
        fileio.write_table(pd.DataFrame({"a": [1, 2]}), path, should_stop=lambda: bool(stop))
    assert path.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == [path.name]


def test_too_many_rows_for_excel_says_so(tmp_path, monkeypatch):
    monkeypatch.setattr(fileio, "EXCEL_MAX_DATA_ROWS", 2)
    with pytest.raises(DataError, match=r"3 rows are more than an Excel sheet holds \(2 below the header\). "
                                        r"Save it as .csv instead."):
        fileio.write_table(pd.DataFrame({"a": [1, 2, 3]}), tmp_path / "big.xlsx")
    fileio.write_table(pd.DataFrame({"a": [1, 2, 3]}), tmp_path / "big.csv")
