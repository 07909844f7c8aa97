"""Models: fitting from a dataset, predicting in user units, saving and loading exactly."""

import json

import numpy as np
import pandas as pd
import pytest

from mlp_desktop.core import DataError, TrainConfig
from mlp_desktop.core.data import prepare_dataset, read_table, table_from_frame
from mlp_desktop.core import compiled
from mlp_desktop.core.model import MODEL_FORMAT, MODEL_VERSION, Model, NetworkSpec, fit_model, load_model
from mlp_desktop.core.samples import sample_path


@pytest.fixture(scope="module")
def health_model():
    data = prepare_dataset(read_table(sample_path("health_score", ".xlsx")))
    model, history = fit_model(data, NetworkSpec(hidden_layers=[2], activations="sigmoid"),
                               TrainConfig(epochs=3000, learning_rate=0.05, seed=1), input_scaling="minmax")
    return data, model, history


@pytest.fixture(scope="module")
def iris_model():
    data = prepare_dataset(read_table(sample_path("iris", ".csv")))
    model, history = fit_model(data, NetworkSpec(hidden_layers=[6]),
                               TrainConfig(epochs=150, learning_rate=0.1, batch_size=16, shuffle=True, seed=2,
                                           validation_fraction=0.2))
    return data, model, history


def test_regression_predictions_are_in_user_units(health_model):
    data, model, history = health_model
    predictions = model.predict(data.frame)
    assert list(predictions.columns) == ["predicted_output"]
    actual = data.frame["output"].to_numpy()
    assert np.abs(predictions["predicted_output"].to_numpy() - actual).max() < 1.0
    assert model.metrics["train"]["rmse"] < 0.6 and model.metrics["train"]["n_samples"] == 6
    assert history.train_rmse[-1] < history.initial_train_rmse


def test_classification_predictions_give_label_and_probabilities(iris_model):
    data, model, _ = iris_model
    predictions = model.predict(data.frame)
    assert list(predictions.columns) == ["predicted_species", "probability_setosa",
                                         "probability_versicolor", "probability_virginica"]
    np.testing.assert_allclose(predictions.iloc[:, 1:].sum(axis=1), 1.0)
    assert (predictions["predicted_species"] == data.frame["species"]).mean() > 0.9
    assert model.metrics["validation"]["n_samples"] == 30
    assert set(model.metrics["validation"]) >= {"accuracy", "confusion_matrix", "classes"}
    assert np.array(model.metrics["train"]["confusion_matrix"]).sum() == 120


def test_fit_model_is_reproducible(iris_model):
    data, model, _ = iris_model
    again, _ = fit_model(data, NetworkSpec(hidden_layers=[6]),
                         TrainConfig(epochs=150, learning_rate=0.1, batch_size=16, shuffle=True, seed=2,
                                     validation_fraction=0.2))
    np.testing.assert_array_equal(again.net.get_parameters(), model.net.get_parameters())


@pytest.mark.parametrize("fixture", ["health_model", "iris_model"])
def test_save_load_round_trip_predicts_bit_identically(fixture, request, tmp_path):
    data, model, _ = request.getfixturevalue(fixture)
    path = tmp_path / "model.json"
    model.save(path)
    saved = json.loads(path.read_text())
    assert saved["format"] == MODEL_FORMAT and saved["version"] == MODEL_VERSION == 3
    loaded = load_model(path)
    np.testing.assert_array_equal(loaded.net.get_parameters(), model.net.get_parameters())
    pd.testing.assert_frame_equal(loaded.predict(data.frame), model.predict(data.frame))
    assert loaded.metrics == json.loads(json.dumps(model.metrics))


def test_saving_is_atomic_and_keeps_the_old_file_on_failure(health_model, tmp_path, monkeypatch):
    _, model, _ = health_model
    path = tmp_path / "model.json"
    path.write_text("old contents")
    import mlp_desktop.core.fileio as fileio

    def broken_replace(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(fileio.os, "replace", broken_replace)
    with pytest.raises(DataError, match="No space left.*old file is unchanged"):
        model.save(path)
    assert path.read_text() == "old contents"
    assert [p.name for p in tmp_path.iterdir()] == ["model.json"]  # no temporary left behind


@pytest.mark.parametrize("content,message", [
    ("{not json", "broken JSON"),
    ('{"format": "something-else"}', "not an MLP Desktop model"),
    ('{"format": "mlp-desktop-model", "version": 99}', "newer MLP Desktop"),
    ('{"format": "mlp-desktop-model", "version": 1}', "damaged or incomplete"),
    ("[1, 2, 3]", "not an MLP Desktop model"),
])
def test_bad_model_files_explain_themselves(tmp_path, content, message):
    path = tmp_path / "bad.json"
    path.write_text(content)
    with pytest.raises(DataError, match=message):
        load_model(path)


def test_model_with_wrong_weight_shapes_is_damaged(health_model, tmp_path):
    _, model, _ = health_model
    data = model.to_dict()
    data["network"]["weights"][0] = [[1.0]]
    path = tmp_path / "m.json"
    path.write_text(json.dumps(data))
    with pytest.raises(DataError, match="damaged"):
        load_model(path)
    with pytest.raises(DataError, match="does not exist"):
        load_model(tmp_path / "missing.json")


def test_hidden_activation_list_must_match_layers():
    frame = pd.DataFrame({"x": [0.0, 1.0, 2.0], "output": [0.0, 1.0, 4.0]})
    data = prepare_dataset(table_from_frame(frame))
    with pytest.raises(DataError, match="one per hidden layer"):
        fit_model(data, NetworkSpec(hidden_layers=[3, 3], activations=["tanh", "relu", "relu"]), TrainConfig(epochs=1))
    model, _ = fit_model(data, NetworkSpec(hidden_layers=[3, 2], activations=["tanh", "relu"]), TrainConfig(epochs=1))
    assert model.net.activations == ("tanh", "relu", "identity")


def test_extreme_values_give_finite_training_or_a_clear_error():
    frame = pd.DataFrame({"x": [1e100, -1e100, 0.0, 5.0], "output": [1.0, 2.0, 3.0, 1e120]})
    data = prepare_dataset(table_from_frame(frame))
    model, history = fit_model(data, NetworkSpec(hidden_layers=[3]), TrainConfig(epochs=20, learning_rate=0.01))
    assert np.isfinite(history.train_rmse).all()
    assert np.isfinite(model.predict(data.frame).to_numpy()).all()


def test_a_version_1_model_is_migrated_and_predicts_the_same(tmp_path):
    model, _ = fit_model(prepare_dataset(read_table(sample_path("health_score"))), NetworkSpec(hidden_layers=[2]),
                         TrainConfig(epochs=5, seed=1))
    old = model.to_dict()
    old["version"] = 1
    for name in ("optimizer", "l2", "early_stopping_patience", "test_fraction", "class_weight"):
        old["training"].pop(name, None)
    path = tmp_path / "v1.json"
    path.write_text(json.dumps(old))
    loaded = load_model(path)
    assert loaded.training["optimizer"] == "sgd" and loaded.training["l2"] == 0.0
    assert loaded.training["early_stopping_patience"] is None and loaded.training["test_fraction"] == 0.0
    frame = read_table(sample_path("health_score")).frame
    assert loaded.predict(frame).equals(model.predict(frame))


def test_the_model_says_which_engine_trained_it_and_version_2_files_migrate(tmp_path):
    data = prepare_dataset(read_table(sample_path("health_score")))
    for engine in ("numpy", "compiled") if compiled.available() else ("numpy",):
        model, history = fit_model(data, NetworkSpec(hidden_layers=[2]),
                                   TrainConfig(epochs=5, seed=1, batch_size=1, engine=engine))
        assert model.training["engine_used"] == history.engine == engine
        assert (model.training["engine"], model.training["dtype"]) == (engine, "float64")
    old = model.to_dict()
    old["version"] = 2
    for name in ("engine", "dtype", "engine_used"):
        old["training"].pop(name)
    path = tmp_path / "v2.json"
    path.write_text(json.dumps(old))
    loaded = load_model(path)
    assert (loaded.training["engine"], loaded.training["dtype"], loaded.training["engine_used"]) == (
        "numpy", "float64", "numpy")
    assert loaded.predict(data.frame).equals(model.predict(data.frame))
