"""Batch prediction: a file is predicted, previewed and saved with the prediction columns appended."""

import threading

import numpy as np
import pandas as pd
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from mlp_desktop.core import TrainConfig
from mlp_desktop.core import batch_prediction
from mlp_desktop.core.data import prepare_dataset, read_table
from mlp_desktop.core.model import NetworkSpec
from mlp_desktop.core.samples import sample_path
from mlp_desktop.core.session import TrainingSession
from mlp_desktop.gui import batch_predict
from mlp_desktop.gui.batch_predict import BatchPredictDialog

IRIS_INPUTS = ["sepal_length", "sepal_width", "petal_length", "petal_width"]


@pytest.fixture(scope="module")
def model():
    session = TrainingSession()
    session.set_dataset(prepare_dataset(read_table(sample_path("iris"))))
    session.set_spec(NetworkSpec(hidden_layers=[6]))
    session.set_config(TrainConfig(epochs=30, learning_rate=0.1, batch_size=16, seed=1))
    session.train()
    return session.model()


@pytest.fixture
def dialog(qtbot, model, tmp_path):
    widget = BatchPredictDialog(model, start_folder=tmp_path)
    qtbot.addWidget(widget)
    yield widget
    widget.cancel()


def finish(qtbot, dialog) -> bool:
    """Wait for the dialog's worker; True if it shows a preview and no message."""
    qtbot.waitUntil(lambda: not dialog.busy(), timeout=30_000)
    return dialog.error.isHidden() and dialog.result is not None


def load(qtbot, dialog, path, sheet=None) -> bool:
    dialog.load(path, sheet)
    return finish(qtbot, dialog)


def save(qtbot, dialog, path) -> bool:
    started = dialog.save(path)
    return finish(qtbot, dialog) and started


@pytest.fixture
def source(tmp_path):
    frame = pd.read_csv(sample_path("iris")).iloc[:20]
    path = tmp_path / "flowers.csv"
    frame.to_csv(path, index=False)
    return path, frame


PREDICTED = ["predicted_species", "probability_setosa", "probability_versicolor", "probability_virginica"]


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_predict_and_save(qtbot, dialog, model, source, tmp_path, suffix):
    path, frame = source
    assert load(qtbot, dialog, path)
    assert dialog.table_model.rowCount() == 20
    assert dialog.table_model.column_names() == list(frame.columns) + PREDICTED
    assert dialog.table_model.headerData(0, Qt.Orientation.Vertical) == "2"
    out = tmp_path / f"out{suffix}"
    assert save(qtbot, dialog, out)
    assert dialog.summary_label.text() == f"Saved all 20 rows to out{suffix}."
    saved = pd.read_csv(out) if suffix == ".csv" else pd.read_excel(out)
    assert list(saved.columns) == list(frame.columns) + PREDICTED
    assert len(saved) == 20
    expected = model.predict(frame[IRIS_INPUTS])
    assert list(saved["predicted_species"]) == list(expected["predicted_species"])
    np.testing.assert_allclose(saved["probability_setosa"], expected["probability_setosa"], rtol=1e-6)


def test_regression_file_gets_predicted_target(qtbot, tmp_path):
    session = TrainingSession()
    session.set_dataset(prepare_dataset(read_table(sample_path("health_score"))))
    session.set_spec(NetworkSpec(hidden_layers=[2]))
    session.set_config(TrainConfig(epochs=20, learning_rate=0.1, seed=1))
    session.train()
    model = session.model()
    dialog = BatchPredictDialog(model)
    qtbot.addWidget(dialog)
    inputs = pd.read_csv(sample_path("health_score"))[model.inputs]  # no target column needed
    path = tmp_path / "new.csv"
    inputs.to_csv(path, index=False)
    assert load(qtbot, dialog, path)
    assert dialog.table_model.column_names() == model.inputs + [f"predicted_{model.targets[0]}"]


def test_missing_input_column_shows_message(qtbot, dialog, source, tmp_path):
    _, frame = source
    path = tmp_path / "partial.csv"
    frame.drop(columns=["petal_width"]).to_csv(path, index=False)
    assert not load(qtbot, dialog, path)
    assert not dialog.error.isHidden()
    assert "petal_width" in dialog.error.text()
    assert dialog.table_model.rowCount() == 0 and not dialog.save_button.isEnabled()


def gaps_file(tmp_path, frame, name="gaps.csv"):
    frame = frame.copy()
    frame.loc[3, "sepal_width"] = np.nan
    frame.loc[7, ["sepal_length", "petal_width"]] = np.nan
    path = tmp_path / name
    frame.to_csv(path, index=False)
    return path, frame


def test_incomplete_rows_stop_or_are_skipped_and_kept(qtbot, dialog, source, tmp_path):
    path, frame = gaps_file(tmp_path, source[1])
    assert not load(qtbot, dialog, path)
    assert "row 5" in dialog.error.text()  # header is row 1, so frame row 3 is spreadsheet row 5
    # the message names the box this dialog shows, by its name
    assert dialog.error.text().endswith(f'Fill them in, or tick "{dialog.skip_check.text()}".')
    dialog.skip_check.setChecked(True)
    assert finish(qtbot, dialog)
    assert dialog.table_model.rowCount() == 20  # every row stays, in order
    assert dialog.table_model.headerData(3, Qt.Orientation.Vertical) == "5"
    assert dialog.table_model.column_names() == list(frame.columns) + PREDICTED + ["prediction_note"]
    assert dialog.summary_label.text() == ("18 of 20 rows predicted; 2 incomplete rows skipped: they are kept, "
                                           "with empty prediction cells and the reason in prediction_note.")
    notes = dialog.result["prediction_note"]
    assert notes[3] == "not predicted: no value in sepal_width"
    assert notes[7] == "not predicted: no value in sepal_length, petal_width"
    assert notes.drop([3, 7]).isna().all() and dialog.result["predicted_species"][[3, 7]].isna().all()


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_saving_skipped_rows_to_a_new_file_keeps_every_row(qtbot, dialog, model, source, tmp_path, suffix):
    path, frame = gaps_file(tmp_path, source[1])
    dialog.skip_check.setChecked(True)
    assert load(qtbot, dialog, path)
    out = tmp_path / f"out{suffix}"
    assert save(qtbot, dialog, out)
    assert dialog.summary_label.text() == f"Saved all 20 rows to out{suffix} (2 without a prediction)."
    saved = pd.read_csv(out) if suffix == ".csv" else pd.read_excel(out)
    assert len(saved) == 20
    pd.testing.assert_frame_equal(saved[list(frame.columns)], frame, check_dtype=False)
    complete = frame.drop(index=[3, 7])
    expected = model.predict(complete[IRIS_INPUTS])
    assert list(saved["predicted_species"].drop(index=[3, 7])) == list(expected["predicted_species"])
    assert saved.loc[[3, 7], PREDICTED].isna().all().all()
    assert saved.loc[3, "prediction_note"] == "not predicted: no value in sepal_width"


def test_saving_skipped_rows_over_the_source_keeps_every_row(qtbot, dialog, source, tmp_path, monkeypatch):
    path, frame = gaps_file(tmp_path, source[1], "topredict2.csv")
    dialog.skip_check.setChecked(True)
    assert load(qtbot, dialog, path)
    asked = []
    monkeypatch.setattr(QMessageBox, "question",
                        lambda *args, **kwargs: asked.append(args[2]) or QMessageBox.StandardButton.Yes)
    assert save(qtbot, dialog, path)
    assert asked == ["topredict2.csv is the file you opened. Replace it with the predictions? All 20 rows are "
                     "kept; the 2 rows not predicted have empty prediction cells and the reason in prediction_note."]
    saved = pd.read_csv(path)
    assert len(saved) == 20
    pd.testing.assert_frame_equal(saved[list(frame.columns)], frame, check_dtype=False)
    # predicting the saved file again replaces the old prediction columns instead of adding more
    assert load(qtbot, dialog, path)
    assert dialog.table_model.column_names() == list(frame.columns) + PREDICTED + ["prediction_note"]
    assert dialog.table_model.rowCount() == 20


def test_overwriting_a_workbook_says_its_other_sheets_are_lost(qtbot, dialog, source, tmp_path, monkeypatch):
    path = tmp_path / "book.xlsx"
    with pd.ExcelWriter(path) as writer:
        source[1].to_excel(writer, sheet_name="Flowers", index=False)
        pd.DataFrame({"note": ["keep me"]}).to_excel(writer, sheet_name="Notes", index=False)
    assert load(qtbot, dialog, path, "Flowers")
    asked = []
    monkeypatch.setattr(QMessageBox, "question",
                        lambda *args, **kwargs: asked.append(args[2]) or QMessageBox.StandardButton.No)
    assert not dialog.save(path)
    assert asked and asked[0].endswith('All 20 rows are kept. Only the sheet you see is saved: the workbook\'s '
                                       'other sheet ("Notes") will be lost.')


def test_saving_over_source_asks_first(qtbot, dialog, source, monkeypatch):
    path, _ = source
    before = path.read_bytes()
    assert load(qtbot, dialog, path)
    asked = []
    monkeypatch.setattr(QMessageBox, "question",
                        lambda *args, **kwargs: asked.append(args) or QMessageBox.StandardButton.No)
    assert not dialog.save(path)
    assert asked and path.read_bytes() == before
    monkeypatch.setattr(QMessageBox, "question", lambda *args, **kwargs: QMessageBox.StandardButton.Yes)
    assert save(qtbot, dialog, path)
    assert "predicted_species" in pd.read_csv(path).columns


def test_skip_box_has_the_data_panels_name(dialog):
    from mlp_desktop.core.settings import SETTINGS

    assert dialog.skip_check.text() == SETTINGS["drop_missing"].label == "Skip incomplete rows"


def test_a_large_file_is_predicted_in_chunks_off_the_gui_thread(qtbot, dialog, source, monkeypatch):
    monkeypatch.setattr(batch_prediction, "CHUNK_ROWS", 7)
    calls, threads = [], []
    original = batch_prediction.predict_in_chunks

    def recording(model, frame, on_progress, should_stop, chunk_rows):
        threads.append(threading.get_ident())
        return original(model, frame, lambda d, t: (calls.append(d), on_progress(d, t)), should_stop, chunk_rows)

    monkeypatch.setattr(batch_prediction, "predict_in_chunks", recording)
    assert load(qtbot, dialog, source[0])
    assert calls == [7, 14, 20]
    assert threads and threads[0] != threading.get_ident()
    assert dialog.table_model.rowCount() == 20


def test_cancel_stops_predicting_and_saving(qtbot, dialog, model, source, tmp_path, monkeypatch):
    release = threading.Event()
    original = model.__class__.predict

    def slow_predict(self, frame):
        release.wait(10)
        return original(self, frame)

    monkeypatch.setattr(model.__class__, "predict", slow_predict)
    dialog.load(source[0])
    assert dialog.busy() and not dialog.open_button.isEnabled() and not dialog.skip_check.isEnabled()
    qtbot.waitUntil(lambda: not dialog.progress_row.isHidden(), timeout=5_000)  # a long job shows Cancel
    qtbot.mouseClick(dialog.cancel_button, Qt.MouseButton.LeftButton)
    assert not dialog.busy() and dialog.result is None and dialog.open_button.isEnabled()
    assert dialog.summary_label.text() == "Cancelled: nothing was predicted."
    release.set()
    monkeypatch.setattr(model.__class__, "predict", original)
    assert load(qtbot, dialog, source[0])

    out = tmp_path / "out.csv"
    out.write_text("old", encoding="utf-8")
    gate = threading.Event()
    write = batch_predict.write_table

    def slow_write(frame, path, should_stop):
        gate.wait(10)
        return write(frame, path, should_stop)

    monkeypatch.setattr(batch_predict, "write_table", slow_write)
    assert dialog.save(out)
    dialog.cancel()
    assert dialog.busy() and dialog.error.isHidden()  # nothing is claimed before the save has stopped
    gate.set()
    qtbot.waitUntil(lambda: not dialog.busy(), timeout=10_000)
    assert dialog.error.text() == "Saving was cancelled; no file was changed."
    assert out.read_text(encoding="utf-8") == "old"  # the cancelled save finished but did not replace it
    assert not list(tmp_path.glob(".out.csv.*"))  # nor left its temporary file


def test_rows_outside_the_training_data_are_named_in_the_summary(qtbot, dialog, tmp_path):
    frame = pd.read_csv(sample_path("iris")).iloc[:5]
    frame.loc[2, "petal_length"] = 40.0  # ten times the longest petal the model saw
    path = tmp_path / "odd.csv"
    frame.to_csv(path, index=False)
    assert load(qtbot, dialog, path)
    text = dialog.summary_label.text()
    assert text.startswith("5 rows predicted.") and "Outside the training data" in text and "petal_length" in text
