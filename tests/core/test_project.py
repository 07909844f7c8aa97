"""Project files: round trips, migration from version 1, damaged files, atomic saving, data paths."""

from __future__ import annotations

import io
import json
import os
import shutil
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mlp_desktop.core import project as project_module
from mlp_desktop.core.errors import DataError
from mlp_desktop.core.graph import NetworkGraph
from mlp_desktop.core.history import History
from mlp_desktop.core.parameters import parameter_names
from mlp_desktop.core.project import (
    ARRAY_KEYS,
    PROJECT_FORMAT,
    PROJECT_VERSION,
    Project,
    load_project,
    migrate,
    parameter_count,
    resolve_data_path,
    _history_arrays,
    _json_safe,
    save_project,
    usable_parameters,
)

FIXTURES = Path(__file__).parent / "fixtures"
V1_FIXTURE = FIXTURES / "project_v1.mlpd"


def make_v1_fixture(path) -> None:
    """Write a version-1 project (a 3-2-1 network with weights), as MLP Desktop 0.0 saved it.

    Run once to create the committed fixture; tests only call it when the file is missing.
    """
    manifest = {
        "format": PROJECT_FORMAT,
        "version": 1,
        "saved_with": "mlp-desktop 0.0.9",
        "network": {"hidden_layers": [2], "activations": ["sigmoid"], "output_activation": "auto",
                    "input_names": ["age", "weight", "height"], "output_names": ["health"]},
        "parameters": {"learning_rate": 0.5, "epochs": 200, "batch_size": 1, "momentum": 0.0, "loss": "mse",
                       "seed": 3, "shuffle": False, "target_rmse": None},
        "data": {"path": "/home/someone/health.xlsx", "sheet": "Sheet1",
                 "inputs": ["age", "weight", "height"], "targets": ["health"], "task": "regression"},
        "has_weights": True,
    }
    buffer = io.BytesIO()
    np.savez(buffer, weights=np.arange(11, dtype=np.float64) / 10 - 0.5)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("manifest.json", json.dumps(manifest, indent=2))
        archive.writestr("arrays.npz", buffer.getvalue())


# -- helpers -------------------------------------------------------------------------------------

def _graph() -> NetworkGraph:
    return NetworkGraph(["x1", "x2", "x3"], ["y"], [(4, "tanh"), (2, "sigmoid")], "identity")


def _history(n_params: int, epochs: int = 300, with_validation: bool = True) -> History:
    rng = np.random.default_rng(0)
    names = [f"p{i}" for i in range(n_params)]
    history = History(names, max_rows=64)  # small budget: the stored rows are thinned
    history.set_initial(1.25, np.nan if not with_validation else 1.5, rng.normal(size=n_params))
    for epoch in range(1, epochs + 1):
        history.append(epoch, rng.random(), rng.random() if with_validation else np.nan, rng.normal(size=n_params))
    history.stop_reason = "target_reached"
    history.message = "Reached the target error after 300 epochs."
    history.elapsed_seconds = 1.5
    return history


def _project(tmp_path, *, weights=True, history=True) -> Project:
    graph = _graph()
    n = parameter_count(graph.to_dict())
    data_file = tmp_path / "data" / "health.csv"
    data_file.parent.mkdir(exist_ok=True)
    data_file.write_text("x1,x2,x3,y\n1,2,3,4\n")
    return Project(
        graph=graph.to_dict(),
        parameters={"learning_rate": 0.1, "epochs": 500, "batch_size": None, "momentum": 0.9, "loss": "mse",
                    "init": "xavier", "init_range": 0.5, "init_std": 0.1, "bias_init": 0.0, "seed": 7,
                    "random_seed": True, "shuffle": True, "target_rmse": 0.01},
        data={"path": str(data_file), "sheet": None, "inputs": ["x1", "x2", "x3"], "targets": ["y"],
              "task": "regression", "drop_missing": True, "input_scaling": "minmax", "validation_fraction": 0.2},
        view={"log_scale": True, "shown": ["W1[0,0]", "b1[0]"], "nested": {"zoom": [0, 1.5]}},
        weights=np.random.default_rng(1).normal(size=n) * 1e-3 + 1 / 3 if weights else None,
        history=_history(n) if history else None,
    )


def _write_zip(path, members: dict) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return path


def _manifest(**changes) -> dict:
    graph = _graph().to_dict()
    manifest = {"format": PROJECT_FORMAT, "version": PROJECT_VERSION, "saved_with": "test", "graph": graph,
                "parameters": {}, "data": {}, "view": {}, "has_weights": False, "has_history": False}
    manifest.update(changes)
    return manifest


def _npz(**arrays) -> bytes:
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    return buffer.getvalue()


def _npy(array) -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, array)
    return buffer.getvalue()


def _assert_same_history(loaded: History, saved: History) -> None:
    assert loaded.parameter_names == saved.parameter_names
    np.testing.assert_array_equal(loaded.epochs, saved.epochs)
    assert loaded.train_rmse.tobytes() == saved.train_rmse.tobytes()
    assert loaded.val_rmse.tobytes() == saved.val_rmse.tobytes()
    assert loaded.params.tobytes() == saved.params.tobytes()
    np.testing.assert_array_equal(loaded.grad_rms, saved.grad_rms)
    if saved.initial_params is None:
        assert loaded.initial_params is None
    else:
        assert loaded.initial_params.tobytes() == saved.initial_params.tobytes()
    np.testing.assert_equal(loaded.initial_train_rmse, saved.initial_train_rmse)
    np.testing.assert_equal(loaded.initial_val_rmse, saved.initial_val_rmse)
    assert loaded.stop_reason == saved.stop_reason
    assert loaded.message == saved.message
    assert loaded.elapsed_seconds == saved.elapsed_seconds
    assert loaded.last_epoch == saved.last_epoch


# -- round trips ---------------------------------------------------------------------------------

def test_round_trip_keeps_everything(tmp_path):
    project = _project(tmp_path)
    path = tmp_path / "run.mlpd"
    save_project(project, path)
    loaded = load_project(path)

    assert loaded.graph == project.graph
    assert NetworkGraph.from_dict(loaded.graph).layer_sizes == [3, 4, 2, 1]
    assert loaded.parameters == project.parameters
    assert loaded.view == project.view
    expected_data = {**project.data, "relative_path": "data/health.csv", "embedded": False}
    assert loaded.data == expected_data
    assert loaded.weights.dtype == np.float64
    assert loaded.weights.tobytes() == project.weights.tobytes()
    assert loaded.embedded_data is None
    assert len(project.history.epochs) < 300  # the history was thinned before saving
    _assert_same_history(loaded.history, project.history)


def test_round_trip_history_without_validation_stores_no_nan_in_json(tmp_path):
    project = _project(tmp_path)
    project.history = _history(len(project.weights), epochs=10, with_validation=False)
    project.parameters["target_rmse"] = float("nan")
    path = tmp_path / "run.mlpd"
    save_project(project, path)
    with zipfile.ZipFile(path) as archive:
        text = archive.read("manifest.json").decode()
    assert "NaN" not in text and "Infinity" not in text
    manifest = json.loads(text)
    assert manifest["history_meta"]["initial_val_rmse"] is None
    assert manifest["parameters"]["target_rmse"] is None
    loaded = load_project(path)
    assert np.isnan(loaded.history.initial_val_rmse)
    _assert_same_history(loaded.history, project.history)


def test_long_history_at_full_budget_round_trips(tmp_path):
    project = _project(tmp_path)
    n = len(project.weights)
    history = History([f"p{i}" for i in range(n)])  # default budget: 2,048 rows + the latest
    rng = np.random.default_rng(5)
    for epoch in range(1, 4096 + 2):
        history.append(epoch, rng.random(), rng.random(), rng.normal(size=n))
    project.history = history
    save_project(project, tmp_path / "long.mlpd")
    _assert_same_history(load_project(tmp_path / "long.mlpd").history, history)


def test_arrays_are_stored_uncompressed_npy_members_and_deflated_ones_still_open(tmp_path):
    # Weights barely compress and deflating a 34 MB history took seconds: each array is a stored
    # .npy member, so the project is also an .npz. Files whose arrays were deflated open the same.
    project = _project(tmp_path)
    path = tmp_path / "run.mlpd"
    save_project(project, path)
    with zipfile.ZipFile(path) as archive:
        arrays = [name for name in archive.namelist() if name.endswith(".npy")]
        assert sorted(arrays) == sorted(f"{key}.npy" for key in ARRAY_KEYS)
        assert {archive.getinfo(name).compress_type for name in arrays} == {zipfile.ZIP_STORED}
        members = {name: archive.read(name) for name in archive.namelist()}
    json.loads(members["manifest.json"])
    with np.load(path) as npz:  # numpy reads the arrays as they are
        assert npz["weights"].tobytes() == project.weights.tobytes()
        assert npz["history_params"].tobytes() == project.history.params.tobytes()
    deflated = tmp_path / "deflated.mlpd"
    with zipfile.ZipFile(deflated, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, raw in members.items():
            archive.writestr(name, raw)
    for loaded in (load_project(path), load_project(deflated)):
        assert loaded.weights.tobytes() == project.weights.tobytes()
        _assert_same_history(loaded.history, project.history)
        assert loaded.history.parameter_names == project.history.parameter_names


@pytest.mark.parametrize("weights, history", [(False, False), (True, False), (False, True)])
def test_round_trip_without_weights_or_history(tmp_path, weights, history):
    project = _project(tmp_path, weights=weights, history=history)
    path = tmp_path / "run.mlpd"
    save_project(project, path)
    loaded = load_project(path)
    assert loaded.graph == project.graph
    assert (loaded.weights is None) == (not weights)
    assert (loaded.history is None) == (not history)
    if weights:
        assert loaded.weights.tobytes() == project.weights.tobytes()
    if history:
        _assert_same_history(loaded.history, project.history)
    with zipfile.ZipFile(path) as archive:
        assert any(name.endswith(".npy") for name in archive.namelist()) == (weights or history)
        assert ("weights.npy" in archive.namelist()) == weights


def _as_version_3(path: Path, target: Path) -> Path:
    """A copy of a version-4 project as version 3 wrote it: the arrays in one nested arrays.npz and
    every parameter name in the manifest."""
    with zipfile.ZipFile(path) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    manifest = json.loads(members.pop("manifest.json"))
    arrays = {name[:-4]: np.load(io.BytesIO(members.pop(name))) for name in list(members) if name.endswith(".npy")}
    manifest["version"] = 3
    if manifest["has_history"] and "parameter_names" not in manifest["history_meta"]:
        layer_sizes = [len(layer["neuron_ids"]) for layer in manifest["graph"]["layers"]]
        manifest["history_meta"]["parameter_names"] = parameter_names(layer_sizes)
    return _write_zip(target, {"manifest.json": json.dumps(manifest), "arrays.npz": _npz(**arrays), **members})


def test_network_parameter_names_are_left_out_of_the_manifest_and_version_3_files_open_the_same(tmp_path):
    # 50,890 names of a 784-64-10 network were most of the manifest: version 4 leaves out the names
    # the network's layer sizes give (always, when the app saves) and makes them when reading.
    project = _project(tmp_path)
    sizes = [len(layer["neuron_ids"]) for layer in project.graph["layers"]]
    names = parameter_names(sizes)
    history = History(names)
    history.set_initial(0.9, np.nan, project.weights * 2)
    for epoch in range(1, 6):
        history.append(epoch, 1 / epoch, np.nan, project.weights + epoch, 0.1, [0.5 / epoch] * history.n_layers)
    history.best_epoch, history.stop_reason = 4, "stopped"
    project.history = history
    path = tmp_path / "run.mlpd"
    save_project(project, path)
    with zipfile.ZipFile(path) as archive:
        manifest = json.loads(archive.read("manifest.json"))
    assert manifest["version"] == PROJECT_VERSION == 4
    assert "parameter_names" not in manifest["history_meta"]
    old = _as_version_3(path, tmp_path / "old.mlpd")
    with zipfile.ZipFile(old) as archive:
        assert "arrays.npz" in archive.namelist() and not any(name.endswith(".npy") for name in archive.namelist())
    for loaded in (load_project(path), load_project(old)):
        assert loaded.history.parameter_names == names
        _assert_same_history(loaded.history, history)
        assert loaded.history.initial_params.tobytes() == history.initial_params.tobytes()
        assert loaded.history.learning_rates.tobytes() == history.learning_rates.tobytes()
        assert loaded.history.grad_rms.tobytes() == history.grad_rms.tobytes()
        assert (loaded.history.best_epoch, loaded.history.stop_reason) == (4, "stopped")
        assert loaded.weights.tobytes() == project.weights.tobytes()
    # Saved again, a version-3 project becomes version 4 with the same contents.
    save_project(load_project(old), tmp_path / "again.mlpd")
    _assert_same_history(load_project(tmp_path / "again.mlpd").history, history)


@pytest.mark.parametrize("damage, message", [
    (lambda raw: raw[:-8], "stores"),
    (lambda raw: raw.replace(b"'shape': (", b"'shape': (9999999, ", 1), "declares shape"),
    (lambda raw: raw.replace(b"<f8", b"|O", 1), "cannot be read|not plain numbers"),
    (lambda raw: b"not an array at all", "cannot be read"),
    (lambda raw: raw[:-8] + bytes(8), "checksum"),  # the same length, other bytes: the checksum tells
    (lambda raw: raw.replace(b"}", b" ", 1), "cannot be read"),  # the header's parser raised TokenError
])
@pytest.mark.parametrize("compression", [zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED])
def test_a_damaged_npy_member_is_named(tmp_path, damage, message, compression):
    # (a stored member is read from the file straight into its array, a deflated one through zipfile)
    path = tmp_path / "run.mlpd"
    save_project(_project(tmp_path), path)
    with zipfile.ZipFile(path) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
        crc = archive.getinfo("weights.npy").CRC
    members["weights.npy"] = damage(members["weights.npy"])
    damaged = tmp_path / "damaged.mlpd"
    with zipfile.ZipFile(damaged, "w", compression=compression) as archive:
        for member, content in members.items():
            archive.writestr(member, content)
    if message == "checksum":  # the member says the checksum of the bytes it held before
        with zipfile.ZipFile(damaged) as archive:
            new_crc = archive.getinfo("weights.npy").CRC
        raw = damaged.read_bytes()
        assert raw.count(new_crc.to_bytes(4, "little")) == 2  # the local header and the directory
        damaged.write_bytes(raw.replace(new_crc.to_bytes(4, "little"), crc.to_bytes(4, "little")))
    with pytest.raises(DataError, match=message):
        load_project(damaged)


def test_embedded_data_round_trip(tmp_path):
    frame = pd.DataFrame({"age": [30, 41, 52], "weight": [70.5, 80.25, 1 / 3], "sex": ["f", "m", "f"],
                          "y": [0.1, 0.2, 0.3]})
    project = _project(tmp_path)
    project.embedded_data = frame
    project.data["path"] = None
    path = tmp_path / "embedded.mlpd"
    save_project(project, path)
    loaded = load_project(path)
    assert loaded.data["embedded"] is True
    assert loaded.data["relative_path"] is None
    pd.testing.assert_frame_equal(loaded.embedded_data, frame, check_dtype=False)
    assert list(loaded.embedded_data["age"]) == [30, 41, 52]
    assert loaded.embedded_data["weight"].tolist() == frame["weight"].tolist()  # exact floats


def test_saving_replaces_an_older_project(tmp_path):
    path = tmp_path / "run.mlpd"
    save_project(_project(tmp_path), path)
    project = _project(tmp_path, weights=False, history=False)
    project.view = {"changed": 1}
    save_project(project, path)
    loaded = load_project(path)
    assert loaded.view == {"changed": 1} and loaded.weights is None


def test_saving_weights_of_wrong_length_is_refused(tmp_path):
    project = _project(tmp_path)
    project.weights = project.weights[:-1]
    with pytest.raises(DataError, match="weights"):
        save_project(project, tmp_path / "bad.mlpd")
    assert not (tmp_path / "bad.mlpd").exists()


# -- migration -----------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def v1_fixture() -> Path:
    if not V1_FIXTURE.exists():  # the committed file is used; this only recreates a lost one
        make_v1_fixture(V1_FIXTURE)
    return V1_FIXTURE


def test_version_1_fixture_is_migrated(v1_fixture):
    with zipfile.ZipFile(v1_fixture) as archive:
        assert json.loads(archive.read("manifest.json"))["version"] == 1
    project = load_project(v1_fixture)
    graph = NetworkGraph.from_dict(project.graph)
    assert graph.layer_sizes == [3, 2, 1]
    assert graph.input_layer.neuron_ids == ["age", "weight", "height"]
    assert graph.output_layer.neuron_ids == ["health"]
    assert graph.hidden_layers[0].activation == "sigmoid"
    assert graph.output_layer.activation == "auto"
    np.testing.assert_array_equal(project.weights, np.arange(11) / 10 - 0.5)
    assert project.history is None
    assert project.parameters["learning_rate"] == 0.5
    assert project.view == {}
    assert project.data["path"] == "/home/someone/health.xlsx"
    assert project.data["sheet"] == "Sheet1"
    assert project.data["relative_path"] is None and project.data["embedded"] is False
    assert project.data["task"] == "regression"
    assert project.data["input_scaling"] == "standard"


def test_version_2_file_opens_with_the_new_settings_at_their_defaults(tmp_path):
    """Version 2 (before issue 14) had no optimizer settings and no learning rates in its history."""
    graph = _graph().to_dict()
    n = parameter_count(graph)
    history = _history(n, epochs=5)
    arrays: dict = {}
    meta = _history_arrays(history, arrays)
    for key in ("best_epoch", "best_val_rmse", "test_rmse"):
        meta.pop(key)
    del arrays["history_learning_rates"]
    arrays["weights"] = np.zeros(n)
    manifest = _manifest(version=2, parameters={"learning_rate": 0.1, "momentum": 0.9}, has_weights=True,
                         has_history=True, history_meta=meta)
    path = _write_zip(tmp_path / "v2.mlpd", {"manifest.json": json.dumps(_json_safe(manifest)),
                                             "arrays.npz": _npz(**arrays)})
    assert migrate(manifest)["version"] == PROJECT_VERSION
    assert {key: value for key, value in migrate(manifest).items() if key != "version"} == {
        key: value for key, value in manifest.items() if key != "version"}  # nothing is filled in
    project = load_project(path)
    assert project.parameters == {"learning_rate": 0.1, "momentum": 0.9}
    usable, ignored = usable_parameters(project.parameters)
    assert usable == {"learning_rate": 0.1, "momentum": 0.9} and ignored == []
    assert np.isnan(project.history.learning_rates).all() and len(project.history.learning_rates) == 5
    assert project.history.best_epoch is None and np.isnan(project.history.test_rmse)
    assert np.isnan(project.history.best_train_rmse)
    _assert_same_history(project.history, history)


def test_new_settings_and_history_fields_round_trip(tmp_path):
    project = _project(tmp_path)
    project.parameters.update(optimizer="adam", beta1=0.8, l2=0.01, early_stopping_patience=7, lr_schedule="step",
                              lr_decay=0.5, test_fraction=0.1, class_weight="balanced")
    n = project.history.parameter_names
    history = History(n)
    for epoch in range(1, 4):
        history.append(epoch, 1.0 / epoch, 2.0 / epoch, np.full(len(n), epoch, dtype=float), 0.01 * epoch)
    history.best_epoch, history.best_val_rmse, history.test_rmse = 2, 1.0, 0.75
    history.best_train_rmse = 0.5  # (kept by an early stop, for cutting a thinned record back)
    project.history = history
    save_project(project, tmp_path / "new.mlpd")
    loaded = load_project(tmp_path / "new.mlpd")
    usable, ignored = usable_parameters(loaded.parameters)
    assert not {"optimizer", "beta1", "l2", "early_stopping_patience", "lr_schedule", "lr_decay", "test_fraction",
                "class_weight"} & set(ignored)
    assert (usable["optimizer"], usable["l2"], usable["early_stopping_patience"], usable["class_weight"]) == (
        "adam", 0.01, 7, "balanced")
    np.testing.assert_array_equal(loaded.history.learning_rates, [0.01, 0.02, 0.03])
    assert (loaded.history.best_epoch, loaded.history.best_val_rmse, loaded.history.test_rmse) == (2, 1.0, 0.75)
    assert loaded.history.best_train_rmse == 0.5


def test_migrated_project_saves_as_current_version(v1_fixture, tmp_path):
    project = load_project(v1_fixture)
    save_project(project, tmp_path / "new.mlpd")
    with zipfile.ZipFile(tmp_path / "new.mlpd") as archive:
        assert json.loads(archive.read("manifest.json"))["version"] == PROJECT_VERSION
    again = load_project(tmp_path / "new.mlpd")
    assert again.graph == project.graph
    assert again.weights.tobytes() == project.weights.tobytes()


def test_migrate_function():
    v1 = {"format": PROJECT_FORMAT, "version": 1, "network": {"hidden_layers": [3, 2], "activations": "relu",
                                                            "input_names": ["a"], "output_names": ["b", "c"]},
          "data": {"path": "x.csv"}}
    migrated = migrate(v1)
    assert v1["version"] == 1 and "network" in v1  # the argument is not changed
    assert migrated["version"] == PROJECT_VERSION
    assert NetworkGraph.from_dict(migrated["graph"]).layer_sizes == [1, 3, 2, 2]
    assert migrated["data"]["inputs"] == ["a"] and migrated["data"]["targets"] == ["b", "c"]
    assert migrated["view"] == {} and migrated["has_weights"] is False
    current = _manifest()
    assert migrate(current)["graph"] == current["graph"]
    for bad in ({"format": PROJECT_FORMAT, "version": 1, "network": {"hidden_layers": [2], "activations": []}},
                {"format": PROJECT_FORMAT, "version": 1, "network": {"hidden_layers": [0], "activations": ["tanh"]}},
                {"format": PROJECT_FORMAT, "version": 1, "network": {"hidden_layers": [2],
                                                                     "activations": ["softmax"]}},
                {"format": PROJECT_FORMAT, "version": 1},
                {"format": PROJECT_FORMAT, "version": 0},
                {"format": PROJECT_FORMAT, "version": "2"},
                {"format": "something-else", "version": 2}):
        with pytest.raises(DataError):
            migrate(bad)


def test_newer_version_is_refused_with_a_clear_message(tmp_path):
    path = _write_zip(tmp_path / "future.mlpd", {"manifest.json": json.dumps(_manifest(version=PROJECT_VERSION + 1))})
    with pytest.raises(DataError, match=rf"newer MLP Desktop \(project format {PROJECT_VERSION + 1}\); please update"):
        load_project(path)


# -- damaged files -------------------------------------------------------------------------------

def _damaged_files(tmp_path) -> dict[str, Path]:
    good = tmp_path / "good.mlpd"
    save_project(_project(tmp_path), good)
    raw = good.read_bytes()
    n = parameter_count(_graph().to_dict())
    files = {
        "not a zip": tmp_path / "text.mlpd",
        "empty": tmp_path / "empty.mlpd",
        "truncated": tmp_path / "half.mlpd",
    }
    files["not a zip"].write_text("hello, I am a spreadsheet")
    files["empty"].write_bytes(b"")
    files["truncated"].write_bytes(raw[: len(raw) // 2])
    files["no manifest"] = _write_zip(tmp_path / "nomanifest.mlpd", {"arrays.npz": _npz(weights=np.zeros(n))})
    files["broken json"] = _write_zip(tmp_path / "json.mlpd", {"manifest.json": '{"format": "mlp-desktop-pro'})
    files["json not an object"] = _write_zip(tmp_path / "list.mlpd", {"manifest.json": "[1, 2]"})
    files["not utf-8"] = _write_zip(tmp_path / "latin.mlpd", {"manifest.json": b"\xff\xfe{"})
    files["wrong format"] = _write_zip(tmp_path / "fmt.mlpd",
                                       {"manifest.json": json.dumps(_manifest(format="mlp-desktop-model"))})
    files["no version"] = _write_zip(tmp_path / "nover.mlpd",
                                     {"manifest.json": json.dumps({"format": PROJECT_FORMAT, "graph": {}})})
    files["weights of wrong length"] = _write_zip(tmp_path / "short.mlpd", {
        "manifest.json": json.dumps(_manifest(has_weights=True)), "arrays.npz": _npz(weights=np.zeros(n - 1))})
    files["weights 2-d"] = _write_zip(tmp_path / "2d.mlpd", {
        "manifest.json": json.dumps(_manifest(has_weights=True)), "arrays.npz": _npz(weights=np.zeros((n, 1)))})
    files["weights as text"] = _write_zip(tmp_path / "str.mlpd", {
        "manifest.json": json.dumps(_manifest(has_weights=True)), "arrays.npz": _npz(weights=np.array(["a"] * n))})
    files["weights missing"] = _write_zip(tmp_path / "noweights.mlpd", {
        "manifest.json": json.dumps(_manifest(has_weights=True))})
    files["corrupt npz"] = _write_zip(tmp_path / "npz.mlpd", {
        "manifest.json": json.dumps(_manifest(has_weights=True)), "arrays.npz": _npz(weights=np.zeros(n))[:40]})
    files["bad graph"] = _write_zip(tmp_path / "graph.mlpd", {
        "manifest.json": json.dumps(_manifest(graph={"layers": [{"id": 0, "kind": "output"}]}))})
    files["history without arrays"] = _write_zip(tmp_path / "hist.mlpd", {
        "manifest.json": json.dumps(_manifest(has_history=True, history_meta={"parameter_names": ["a"] * n})),
        "arrays.npz": _npz(history_epochs=np.arange(1, 4))})
    files["embedded data missing"] = _write_zip(tmp_path / "emb.mlpd", {
        "manifest.json": json.dumps(_manifest(data={"embedded": True}))})
    files["data is a list"] = _write_zip(tmp_path / "data.mlpd", {"manifest.json": json.dumps(_manifest(data=[1]))})
    return files


def test_damaged_files_raise_data_error(tmp_path):
    for what, path in _damaged_files(tmp_path).items():
        with pytest.raises(DataError) as caught:
            load_project(path)
        assert path.name in str(caught.value) or "project" in str(caught.value).lower(), what


def test_specific_messages(tmp_path):
    files = _damaged_files(tmp_path)
    with pytest.raises(DataError, match="not a zip"):
        load_project(files["not a zip"])
    with pytest.raises(DataError, match="manifest.json"):
        load_project(files["no manifest"])
    with pytest.raises(DataError, match="not valid JSON"):
        load_project(files["broken json"])
    with pytest.raises(DataError, match="mlp-desktop-model"):
        load_project(files["wrong format"])
    n = parameter_count(_graph().to_dict())
    with pytest.raises(DataError, match=f"{n} weights and biases.*{n - 1}"):
        load_project(files["weights of wrong length"])
    with pytest.raises(DataError, match="does not exist"):
        load_project(tmp_path / "nowhere.mlpd")


def test_a_folder_is_not_a_project(tmp_path):
    with pytest.raises(DataError):
        load_project(tmp_path)


def test_parameter_count_matches_the_formula():
    assert parameter_count(NetworkGraph(["a", "b", "c"], ["y"], [(2, "tanh")]).to_dict()) == 3 * 2 + 2 + 2 * 1 + 1


# -- atomic saving -------------------------------------------------------------------------------

def test_failed_save_leaves_the_old_project_and_no_temporary_file(tmp_path, monkeypatch):
    path = tmp_path / "run.mlpd"
    save_project(_project(tmp_path), path)
    before = path.read_bytes()
    listing = sorted(p.name for p in tmp_path.iterdir())

    def refuse(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", refuse)
    changed = _project(tmp_path, history=False)
    changed.view = {"new": True}
    with pytest.raises(DataError, match="old file is unchanged"):
        save_project(changed, path)
    monkeypatch.undo()
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == listing
    assert load_project(path).view == _project(tmp_path).view


def test_unwritable_setting_is_refused_and_leaves_nothing(tmp_path):
    project = _project(tmp_path)
    project.view = {"curve": object()}
    with pytest.raises(DataError, match="setting"):
        save_project(project, tmp_path / "x.mlpd")
    assert not (tmp_path / "x.mlpd").exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".x.mlpd")]


# -- finding the data ----------------------------------------------------------------------------

def test_resolve_data_path_after_the_folder_moved(tmp_path):
    old = tmp_path / "old"
    old.mkdir()
    project = _project(old)
    save_project(project, old / "run.mlpd")
    assert resolve_data_path(load_project(old / "run.mlpd"), old / "run.mlpd") == old / "data" / "health.csv"

    new = tmp_path / "moved" / "elsewhere"
    shutil.copytree(old, new)
    loaded = load_project(new / "run.mlpd")
    assert loaded.data["path"] == str(old / "data" / "health.csv")
    # The copy beside the moved project wins over the original, which still exists.
    assert resolve_data_path(loaded, new / "run.mlpd") == new / "data" / "health.csv"

    # Moved somewhere the relative path does not reach: the absolute path is used.
    lonely = tmp_path / "lonely"
    lonely.mkdir()
    shutil.copy(old / "run.mlpd", lonely / "run.mlpd")
    assert resolve_data_path(load_project(lonely / "run.mlpd"), lonely / "run.mlpd") == old / "data" / "health.csv"

    # Neither exists: None, so the GUI asks the user.
    shutil.rmtree(old / "data")
    assert resolve_data_path(load_project(lonely / "run.mlpd"), lonely / "run.mlpd") is None


def test_resolve_data_path_without_a_data_file(tmp_path):
    project = Project(graph=_graph().to_dict())
    assert resolve_data_path(project, tmp_path / "p.mlpd") is None
    project.data = {"path": str(tmp_path / "gone.csv"), "relative_path": "gone.csv"}
    assert resolve_data_path(project, tmp_path / "p.mlpd") is None


# -- fuzzing -------------------------------------------------------------------------------------

_json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-5, 5) | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=12,
)

_manifests = st.fixed_dictionaries(
    {"format": st.sampled_from([PROJECT_FORMAT, PROJECT_FORMAT, "other"]),
     "version": st.sampled_from([1, 2, 2, 2, 3, 0, "2", None])},
    optional={
        "graph": st.one_of(st.just(_graph().to_dict()), _json_values,
                           st.fixed_dictionaries({"layers": st.lists(_json_values, max_size=3)})),
        "network": st.one_of(_json_values, st.fixed_dictionaries(
            {"hidden_layers": st.lists(st.integers(-1, 3), max_size=2),
             "activations": st.lists(st.sampled_from(["tanh", "relu", "softmax", "x"]), max_size=2)})),
        "parameters": _json_values, "data": _json_values, "view": _json_values,
        "has_weights": _json_values, "has_history": _json_values, "history_meta": _json_values,
    },
)

def _members(arrays: dict, nested: bool) -> dict:
    """The arrays as project members: one arrays.npz (versions 1-3) or one .npy each (version 4)."""
    return {"arrays.npz": _npz(**arrays)} if nested else {f"{key}.npy": _npy(value) for key, value in arrays.items()}


_arrays = st.one_of(
    st.builds(lambda raw, member: {member: raw}, st.binary(max_size=64), st.sampled_from(["arrays.npz", "weights.npy"])),
    st.builds(lambda n, nested: _members({"weights": np.zeros(n)}, nested), st.integers(0, 40), st.booleans()),
    st.builds(lambda n, m, nested: _members({"weights": np.zeros(n), "history_epochs": np.arange(1, m + 1),
                                             "history_rmse": np.zeros((m, 2)), "history_params": np.zeros((m, n))},
                                            nested),
              st.integers(0, 40), st.integers(0, 3), st.booleans()),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(manifest=_manifests, arrays=st.none() | _arrays, data_csv=st.none() | st.binary(max_size=40))
def test_random_manifests_give_a_project_or_data_error(tmp_path, manifest, arrays, data_csv):
    members = {"manifest.json": json.dumps(manifest)}
    if arrays is not None:
        members.update(arrays)
    if data_csv is not None:
        members["data.csv"] = data_csv
    path = _write_zip(tmp_path / "fuzz.mlpd", members)
    try:
        result = load_project(path)
    except DataError:
        return
    assert isinstance(result, Project)
    NetworkGraph.from_dict(result.graph)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(raw=st.binary(max_size=300), as_manifest=st.booleans())
def test_random_bytes_give_data_error(tmp_path, raw, as_manifest):
    path = tmp_path / "bytes.mlpd"
    if as_manifest:
        _write_zip(path, {"manifest.json": raw})
    else:
        path.write_bytes(raw)
    try:
        load_project(path)
    except DataError:
        return


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cut=st.floats(0.0, 1.0), flip=st.integers(0, 10_000))
def test_damaged_real_project_gives_data_error_or_project(tmp_path, cut, flip):
    good = tmp_path / "good.mlpd"
    if not good.exists():
        save_project(_project(tmp_path), good)
    raw = bytearray(good.read_bytes())
    raw[flip % len(raw)] ^= 0xFF
    damaged = tmp_path / "damaged.mlpd"
    damaged.write_bytes(bytes(raw[: max(1, int(len(raw) * cut))]) if cut < 1 else bytes(raw))
    try:
        assert isinstance(load_project(damaged), Project)
    except DataError:
        pass


def test_module_has_no_qt():
    source = Path(project_module.__file__).read_text()
    assert "Qt" not in source.replace("Qt-free", "")


def test_opening_a_project_tells_the_views_each_change_once_when_it_is_complete(tmp_path):
    from mlp_desktop.core.data import read_table
    from mlp_desktop.core.samples import sample_path
    from mlp_desktop.core.workspace import Workspace

    source = Workspace()
    source.open_table(read_table(sample_path("health_score")))
    saved = source.project()
    saved.weights = np.random.default_rng(3).normal(size=saved.weights.size)  # as if trained
    saved.history = _history(saved.weights.size, epochs=3)
    save_project(saved, tmp_path / "p.mlpd")
    project = load_project(tmp_path / "p.mlpd")

    workspace = Workspace()
    seen = []
    workspace.subscribe(lambda event: seen.append((event.kind, workspace.net.get_parameters().copy()
                                                   if event.kind == "weights" else None)))
    workspace.open_project(project, read_table(sample_path("health_score")), tmp_path / "p.mlpd")
    kinds = [kind for kind, _ in seen if kind != "message"]
    assert len(kinds) == len(set(kinds)) and {"data", "network", "weights", "history", "run"} <= set(kinds)
    weights = next(params for kind, params in seen if kind == "weights")
    assert weights.tobytes() == project.weights.tobytes()  # the views read the project's weights


def test_the_gradient_plot_is_saved_with_the_project(tmp_path):
    """Each weight layer's RMS gradient per epoch (the Gradients tab) round-trips; epochs without one stay NaN."""
    from mlp_desktop.core.parameters import parameter_names

    project = _project(tmp_path, history=False)
    names = parameter_names([3, 4, 2, 1])
    history = History(names)
    history.set_initial(1.0, np.nan, np.zeros(len(names)))
    for epoch in range(1, 6):
        grads = None if epoch == 2 else [0.1 * epoch, 0.01 * epoch, 0.001 * epoch]
        history.append(epoch, 1.0 / epoch, np.nan, np.full(len(names), epoch / 10), 0.1, grads)
    project.history = history
    save_project(project, tmp_path / "g.mlpd")
    loaded = load_project(tmp_path / "g.mlpd").history
    assert loaded.grad_rms.shape == (5, 3) and np.isnan(loaded.grad_rms[1]).all()
    _assert_same_history(loaded, history)


def test_an_array_in_f_order_is_written_as_it_reads(tmp_path):
    # The header said Fortran order while the bytes were written in C order: the array came back transposed.
    from mlp_desktop.core.project import _write_npy

    values = np.asfortranarray(np.arange(6.0).reshape(2, 3))
    path = tmp_path / "f.zip"
    with zipfile.ZipFile(path, "w") as archive:
        _write_npy(archive, "values.npy", values, (2026, 1, 1, 0, 0, 0))
        _write_npy(archive, "columns.npy", np.arange(12.0).reshape(3, 4)[:, 1:3], (2026, 1, 1, 0, 0, 0))
    with np.load(path) as saved:
        np.testing.assert_array_equal(saved["values"], values)
        np.testing.assert_array_equal(saved["columns"], np.arange(12.0).reshape(3, 4)[:, 1:3])


def _max_gap_before(history: History, end: int) -> int:
    epochs = history.epochs
    old = epochs[epochs <= end]
    return int(np.diff(np.concatenate([[0], old])).max())


def test_a_reopened_history_keeps_its_rows_when_training_continues(tmp_path):
    """Rows read back from a project counted as consecutive epochs: as the continued run thinned the
    record they were dropped with the new ones, and a 2,000,000-epoch history kept epochs 0, 1 and
    2,097,153 only (the error curve drew its first drop at a million epochs)."""
    project = _project(tmp_path)
    names = project.history.parameter_names
    long = History(names)
    rng = np.random.default_rng(2)
    epochs = np.arange(1, 300_001)
    long.extend(epochs, (rng.random((epochs.size, 2)), np.ones((epochs.size, len(names)))), np.full(epochs.size, 0.1))
    saved_rows, saved_stride = len(long), long.stride
    project.history = long
    path = tmp_path / "long.mlpd"
    save_project(project, path)
    reopened = load_project(path).history
    assert len(reopened) == saved_rows
    more = np.arange(300_001, 900_001)  # the run continued for twice as long again
    reopened.extend(more, (rng.random((more.size, 2)), np.ones((more.size, len(names)))), np.full(more.size, 0.1))
    assert len(reopened) <= reopened.capacity + 1
    # The first 300,000 epochs are still a third of the record, evenly spread.
    assert _max_gap_before(reopened, 300_000) <= 2 * reopened.stride
    kept_old = np.count_nonzero(reopened.epochs <= 300_000)
    assert kept_old >= 0.25 * len(reopened), (kept_old, len(reopened), saved_stride)


def test_a_reopened_history_of_a_big_network_stays_within_the_memory_budget(tmp_path):
    """Reopened, a 784-64-10 history could grow to 834 MB in a continued run: its room was 2,048
    rows whatever their size (review)."""
    from mlp_desktop.core.history import MEMORY_BUDGET

    project = _project(tmp_path)
    names = [f"p{i}" for i in range(50_890)]
    big = History(names)
    epochs = np.arange(1, 11)
    big.extend(epochs, (np.ones((10, 2)), np.zeros((10, len(names)))), np.full(10, 0.1))
    project.history = big
    project.graph = NetworkGraph([f"x{i}" for i in range(784)], [f"y{i}" for i in range(10)], [(64, "relu")],
                                 "softmax").to_dict()
    project.weights = np.zeros(50_890)
    path = tmp_path / "big.mlpd"
    save_project(project, path)
    reopened = load_project(path).history
    assert len(reopened) == 10
    more = np.arange(11, 2_011)
    reopened.extend(more, (np.ones((more.size, 2)), np.zeros((more.size, len(names)))), np.full(more.size, 0.1))
    assert reopened.nbytes <= 1.1 * MEMORY_BUDGET and len(reopened) >= 10
