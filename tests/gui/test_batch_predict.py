"""Batch prediction: a file is predicted, previewed and saved with the prediction columns appended."""

import numpy as np
import pandas as pd
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from mlp_desktop.core import TrainConfig
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
    return widget


@pytest.fixture
def source(tmp_path):
    frame = pd.read_csv(sample_path("iris")).iloc[:20]
    path = tmp_path / "flowers.csv"
    frame.to_csv(path, index=False)
    return path, frame


PREDICTED = ["predicted_species", "probability_setosa", "probability_versicolor", "probability_virginica"]


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_predict_and_save(dialog, model, source, tmp_path, suffix):
    path, frame = source
    assert dialog.load(path)
    assert dialog.error.isHidden()
    assert dialog.table_model.rowCount() == 20
    assert dialog.table_model.column_names() == list(frame.columns) + PREDICTED
    assert dialog.table_model.headerData(0, Qt.Orientation.Vertical) == "2"
    out = tmp_path / f"out{suffix}"
    assert dialog.save(out)
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
    assert dialog.load(path)
    assert dialog.table_model.column_names() == model.inputs + [f"predicted_{model.targets[0]}"]


def test_missing_input_column_shows_message(dialog, source, tmp_path):
    _, frame = source
    path = tmp_path / "partial.csv"
    frame.drop(columns=["petal_width"]).to_csv(path, index=False)
    assert not dialog.load(path)
    assert not dialog.error.isHidden()
    assert "petal_width" in dialog.error.text()
    assert dialog.table_model.rowCount() == 0 and not dialog.save_button.isEnabled()


def test_incomplete_rows_stop_or_are_skipped(dialog, source, tmp_path):
    _, frame = source
    frame = frame.copy()
    frame.loc[3, "sepal_width"] = np.nan
    path = tmp_path / "gaps.csv"
    frame.to_csv(path, index=False)
    assert not dialog.load(path)
    assert "row 5" in dialog.error.text()  # header is row 1, so frame row 3 is spreadsheet row 5
    dialog.skip_check.setChecked(True)
    assert dialog.error.isHidden() and dialog.table_model.rowCount() == 19
    assert "1 incomplete row skipped" in dialog.summary_label.text()
    assert dialog.table_model.headerData(3, Qt.Orientation.Vertical) == "6"


def test_saving_over_source_asks_first(dialog, source, monkeypatch):
    path, _ = source
    before = path.read_bytes()
    assert dialog.load(path)
    asked = []
    monkeypatch.setattr(QMessageBox, "question",
                        lambda *args, **kwargs: asked.append(args) or QMessageBox.StandardButton.No)
    assert not dialog.save(path)
    assert asked and path.read_bytes() == before
    monkeypatch.setattr(QMessageBox, "question", lambda *args, **kwargs: QMessageBox.StandardButton.Yes)
    assert dialog.save(path)
    assert "predicted_species" in pd.read_csv(path).columns


def test_large_file_predicts_in_chunks(dialog, model, source, tmp_path, monkeypatch):
    monkeypatch.setattr(batch_predict, "CHUNK_ROWS", 7)
    calls = []
    original = batch_predict.predict_in_chunks
    monkeypatch.setattr(batch_predict, "predict_in_chunks",
                        lambda m, f, cb: original(m, f, lambda d, t: (calls.append(d), cb(d, t)), chunk_rows=7))
    assert dialog.load(source[0])
    assert calls == [7, 14, 20]
    assert dialog.table_model.rowCount() == 20
