"""Hardening: damaged files of every kind, full disks, read-only folders, interrupted saves and
extreme settings. Every outcome is a result or a :class:`DataError` with a plain message; an
existing file survives any failed save byte for byte, and no temporary file is left behind.

Property tests complement (and do not repeat) those in ``test_data.py``, ``test_project.py`` and
``test_model.py``: there, random bytes and random manifests; here, random damage to real files.
"""

from __future__ import annotations

import copy
import csv
import datetime
import functools
import io
import json
import math
import os
import time
import tempfile
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from mlp_desktop.cli import main as cli_main
from mlp_desktop.core import DataError, TrainConfig
from mlp_desktop.core import fileio
from mlp_desktop.core.data import Dataset, Table, prepare_dataset, read_table, table_from_frame
from mlp_desktop.core.export import python_script
from mlp_desktop.core.graph import MAX_NEURONS, NetworkGraph
from mlp_desktop.core.history import History
from mlp_desktop.core.model import Model, NetworkSpec, fit_model, load_model
from mlp_desktop.core.network import MAX_PARAMETERS, MLP
from mlp_desktop.core.project import (
    DATA_CHECKS, PARAMETER_CHECKS, PROJECT_FORMAT, PROJECT_VERSION, Project, load_project, parameter_count,
    save_project,
    usable_data_settings, usable_parameters,
)
from mlp_desktop.core.samples import sample_path
from mlp_desktop.core.training import train

def fuzz(examples: int):
    return settings(max_examples=examples, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


# -- shared material -----------------------------------------------------------------------------

@functools.cache
def _iris_model() -> Model:
    data = prepare_dataset(read_table(sample_path("iris", ".csv")))
    model, _ = fit_model(data, NetworkSpec(hidden_layers=[3]), TrainConfig(epochs=3, seed=0))
    return model


@functools.cache
def _health_model() -> Model:
    frame = pd.DataFrame({"größe 🌡": [1.0, 2.0, 3.0, 4.0], "farbe": ["rot", "grün", "rot", "blau"],
                          "output": [0.5, 1.5, 2.5, 3.0]})
    model, _ = fit_model(prepare_dataset(table_from_frame(frame)), NetworkSpec(hidden_layers=[2]),
                         TrainConfig(epochs=3, seed=0))
    return model


def _rows_for(model: Model, n: int = 3) -> pd.DataFrame:
    """``n`` rows a model can be asked about: a known category or 1.0 in every input column."""
    values = {}
    for column in model.inputs:
        if model.preprocessor.input_kinds[column] == "categorical":
            categories = model.preprocessor.categories[column]
            values[column] = [categories[0] if categories else "x"] * n
        else:
            values[column] = [1.0] * n
    return pd.DataFrame(values)


def _paths(value, prefix=()):
    """Every path into a JSON document (the first three items of each list)."""
    yield prefix
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _paths(item, prefix + (key,))
    elif isinstance(value, list):
        for index, item in enumerate(value[:3]):
            yield from _paths(item, prefix + (index,))


_LEAVES = st.one_of(
    st.none(), st.booleans(), st.integers(-3, 3), st.integers(-10**30, 10**30),
    st.sampled_from([10**400, 10**20, -1e308, 1e-320, 0.0, -0.0]),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=6), st.sampled_from(["", "é", "\u0000", "🌡", "\ud800", "x" * 300, "softmax", "categorical"]),
)
_JSON = st.recursive(_LEAVES, lambda children: st.lists(children, max_size=3)
                     | st.dictionaries(st.text(max_size=4), children, max_size=3), max_leaves=6)
# (path number, what to do, new value)
_MUTATIONS = st.lists(st.tuples(st.integers(0, 10**6), st.sampled_from(["replace", "delete", "wrap", "grow"]), _JSON),
                      min_size=1, max_size=3)


def _mutate(document, mutations) -> object:
    """A deep copy of ``document`` with each mutation applied at one of its paths."""
    document = copy.deepcopy(document)
    for number, action, value in mutations:
        paths = [p for p in _paths(document) if p]
        if not paths:
            return value
        path = paths[number % len(paths)]
        parent = document
        for key in path[:-1]:
            parent = parent[key]
        key = path[-1]
        if action == "delete":
            del parent[key]
        elif action == "wrap":
            parent[key] = [parent[key]]
        elif action == "grow" and isinstance(parent[key], list):
            parent[key] = parent[key] + parent[key][:1]
        else:
            parent[key] = value
    return document


def _damage_text(text: str, cut: float | None, flip: int | None) -> bytes:
    raw = bytearray(text.encode("utf-8", errors="surrogatepass"))
    if flip is not None and raw:
        raw[flip % len(raw)] ^= 0x5A
    if cut is not None:
        raw = raw[: int(len(raw) * cut)]
    return bytes(raw)


def _assert_plain_message(error: DataError) -> None:
    message = str(error)
    assert message and "Traceback" not in message


# -- model files ---------------------------------------------------------------------------------

@fuzz(80)
@given(which=st.sampled_from(["iris", "health"]), mutations=_MUTATIONS,
       cut=st.one_of(st.none(), st.none(), st.none(), st.floats(0, 1)),
       flip=st.one_of(st.none(), st.none(), st.none(), st.integers(0, 10**6)), allow_nan=st.booleans())
def test_damaged_model_files_load_as_a_usable_model_or_raise_data_error(tmp_path, which, mutations, cut, flip,
                                                                          allow_nan):
    model = _iris_model() if which == "iris" else _health_model()
    document = _mutate(model.to_dict(), mutations) if mutations[0][0] % 4 else model.to_dict()
    try:
        text = json.dumps(document, allow_nan=allow_nan, ensure_ascii=bool(flip is None))
    except (ValueError, UnicodeEncodeError):
        text = json.dumps(document, allow_nan=True)
    path = tmp_path / "model.json"
    path.write_bytes(_damage_text(text, cut, flip) if cut is not None or flip is not None else
                     text.encode("utf-8", errors="surrogatepass"))
    try:
        loaded = load_model(path)
    except DataError as error:
        _assert_plain_message(error)
        return
    assert isinstance(loaded, Model)
    assert np.isfinite(loaded.net.get_parameters()).all()
    rows = _rows_for(loaded)
    try:
        predictions = loaded.predict(rows)
    except DataError:
        pass
    else:
        assert len(predictions) == len(rows)
    compile(python_script(loaded, "model"), "model.py", "exec")
    loaded.save(tmp_path / "again.json")
    np.testing.assert_array_equal(load_model(tmp_path / "again.json").net.get_parameters(),
                                  loaded.net.get_parameters())


@pytest.mark.parametrize("change, message", [
    (lambda d: d["network"]["weights"][0][0].__setitem__(0, float("nan")), "missing or infinite"),
    (lambda d: d["network"]["biases"][0].__setitem__(0, float("inf")), "missing or infinite"),
    (lambda d: d["network"]["weights"][0][0].__setitem__(0, None), "missing or infinite"),
    (lambda d: d["network"]["weights"][1].append(d["network"]["weights"][1][0]), r"shape \(4, 3\), expected \(3, 3\)"),
    (lambda d: d["network"]["weights"][1].append([1.0]), "not a table of numbers"),
    (lambda d: d["network"]["layer_sizes"].__setitem__(1, 10**12), "shape"),
    (lambda d: d["network"]["layer_sizes"].__setitem__(1, float("inf")), "whole number"),
    (lambda d: d["network"]["layer_sizes"].__setitem__(1, 2.5), "whole number"),
    (lambda d: d["network"].pop("biases"), "damaged or incomplete"),
    (lambda d: d["preprocessing"]["input_scale"].__setitem__(0, 0.0), "input scales"),
    (lambda d: d["preprocessing"]["input_offset"].pop(), "input offsets"),
    (lambda d: d["preprocessing"].__setitem__("inputs", "sepal_length"), "input columns"),
    (lambda d: d["preprocessing"]["inputs"].__setitem__(1, d["preprocessing"]["inputs"][0]), "twice"),
    (lambda d: d["preprocessing"]["input_kinds"].clear(), "kind of its input column"),
    (lambda d: d["preprocessing"].__setitem__("task", "clustering"), "clustering"),
    (lambda d: d["preprocessing"].__setitem__("classes", ["only one"]), "classes"),
    (lambda d: d["preprocessing"].__setitem__("output_activation", "magic"), "magic"),
    (lambda d: d.__setitem__("metrics", [1, 2]), "metrics"),
    (lambda d: d.__setitem__("loss", 3), "loss"),
    # Parts that are each valid but do not fit together (issue 13).
    (lambda d: d["preprocessing"]["classes"].__setitem__(1, d["preprocessing"]["classes"][0]),
     "its classes list 'setosa' more than once"),
    (lambda d: d["network"]["activations"].__setitem__(-1, "tanh"),
     "its network's output layer uses 'tanh' but its preprocessing expects 'softmax'"),
    (lambda d: d.__setitem__("loss", "hinge"), "its loss 'hinge' is unknown"),
    (lambda d: d["preprocessing"]["input_kinds"].__setitem__("sepal_length", "ordinal"), "'ordinal', not numeric"),
])
def test_specific_model_damage_is_named(tmp_path, change, message):
    document = _iris_model().to_dict()
    change(document)
    path = tmp_path / "m.json"
    path.write_text(json.dumps(document))
    with pytest.raises(DataError, match=message) as caught:
        load_model(path)
    assert str(caught.value).startswith("m.json is damaged")


@pytest.mark.parametrize("text", [
    "[" * 100_000 + "]" * 100_000,  # deeper than Python's recursion limit
    '{"format": "mlp-desktop-model", "version": 1, "network": ' + "9" * 5000 + "}",  # too many digits
    "",
    '{"format": "mlp-desktop-model", "version": 1, "network": {"layer_sizes": [4, 3',  # truncated
])
def test_unreadable_json_is_a_data_error(tmp_path, text):
    path = tmp_path / "m.json"
    path.write_text(text)
    with pytest.raises(DataError, match="not a valid model file"):
        load_model(path)


def test_model_file_in_another_encoding_or_a_folder(tmp_path):
    path = tmp_path / "m.json"
    path.write_bytes(json.dumps(_iris_model().to_dict()).encode("utf-16"))
    with pytest.raises(DataError, match="not a valid model file"):
        load_model(path)
    with pytest.raises(DataError, match="Cannot read"):
        load_model(tmp_path)


def test_a_byte_order_mark_and_unicode_columns_are_fine(tmp_path):
    model = _health_model()
    path = tmp_path / "m.json"
    model.save(path)
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    loaded = load_model(path)
    assert loaded.inputs == ["größe 🌡", "farbe"]
    pd.testing.assert_frame_equal(loaded.predict(_rows_for(model)), model.predict(_rows_for(model)))


def test_a_model_from_a_newer_version_says_so(tmp_path):
    document = {**_iris_model().to_dict(), "version": 7, "network": "a future layout"}
    path = tmp_path / "future.json"
    path.write_text(json.dumps(document))
    with pytest.raises(DataError, match=r"newer MLP Desktop \(model format 7\).*update"):
        load_model(path)


# -- project files -------------------------------------------------------------------------------

def _graph() -> NetworkGraph:
    return NetworkGraph(["x1", "x2"], ["y"], [(3, "tanh")], "identity")


def _full_project(embedded: bool = True) -> Project:
    graph = _graph()
    n = parameter_count(graph.to_dict())
    rng = np.random.default_rng(0)
    history = History([f"p{i}" for i in range(n)])
    history.set_initial(1.0, 1.5, rng.normal(size=n))
    for epoch in range(1, 6):
        history.append(epoch, 1 / epoch, 1.5 / epoch, rng.normal(size=n))
    return Project(graph=graph.to_dict(),
                   parameters={"learning_rate": 0.1, "epochs": 50, "batch_size": 2, "seed": 4, "loss": "mse",
                               "init_range": [-0.5, 0.5]},
                   data={"inputs": ["x1", "x2"], "targets": ["y"], "task": "regression",
                         "validation_fraction": 0.25, "input_scaling": "minmax"},
                   view={"log_y": True}, weights=rng.normal(size=n), history=history,
                   embedded_data=pd.DataFrame({"x1": [1, 2], "x2": [3.5, 4.5], "y": ["é", "🌡"]}) if embedded else None)


@functools.cache
def _saved_project_members() -> dict[str, bytes]:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "p.mlpd"
        save_project(_full_project(), path)
        with zipfile.ZipFile(path) as archive:
            return {name: archive.read(name) for name in archive.namelist()}


def _write_zip(path: Path, members: dict) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return path


def _npz(**arrays) -> bytes:
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    return buffer.getvalue()


def _npy(array) -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, array)
    return buffer.getvalue()


_SHAPES = st.lists(st.integers(0, 7), max_size=3).map(tuple)
_ARRAYS = st.dictionaries(
    st.sampled_from(["weights", "history_epochs", "history_rmse", "history_params", "initial_params", "other"]),
    st.tuples(_SHAPES, st.sampled_from(["f8", "i8", "U1", "f4", "bool", "nan"])), max_size=4)


def _array(shape, kind) -> np.ndarray:
    size = int(np.prod(shape))
    if kind == "nan":
        return np.full(shape, np.nan)
    if kind == "U1":
        return np.full(shape, "a")
    return np.arange(1, size + 1).reshape(shape).astype(kind)


def _check_usable_project(project: Project) -> None:
    """What the app does with a loaded project must work: graph, weights, history and settings."""
    graph = NetworkGraph.from_dict(project.graph)
    n = parameter_count(graph.to_dict())
    if project.weights is not None:
        assert project.weights.shape == (n,) and np.isfinite(project.weights).all()
    if project.history is not None:
        assert len(project.history.parameter_names) == n
        assert np.isfinite(project.history.params).all()
    parameters, _ = usable_parameters(project.parameters)
    assert all(PARAMETER_CHECKS[key](value if key != "init_range" else list(value))
               for key, value in parameters.items())
    config = {key: parameters[key] for key in ("epochs", "learning_rate", "batch_size", "momentum", "shuffle",
                                                "seed", "target_rmse", "loss") if key in parameters}
    if config.get("loss") == "auto":
        del config["loss"]
    TrainConfig(**config)
    data, _ = usable_data_settings(project.data)
    assert set(data) == set(DATA_CHECKS) and all(DATA_CHECKS[key](value) for key, value in data.items())


@fuzz(60)
@given(mutations=_MUTATIONS, drop=st.sets(st.sampled_from(["manifest.json", "weights.npy", "history_params.npy",
                                                           "data.csv"]), max_size=2),
       arrays=st.none() | _ARRAYS, nested=st.booleans(), mutate=st.booleans())
def test_damaged_real_projects_load_usable_or_raise_data_error(tmp_path, mutations, drop, arrays, nested, mutate):
    members = dict(_saved_project_members())
    manifest = json.loads(members["manifest.json"])
    if mutate:
        manifest = _mutate(manifest, mutations)
    members["manifest.json"] = json.dumps(manifest, allow_nan=True)
    if arrays is not None:  # other arrays, as version 4 stores them or nested as versions 1-3 did
        for name in [name for name in members if name.endswith(".npy")]:
            del members[name]
        arrays = {key: _array(*spec) for key, spec in arrays.items()}
        if nested:
            members["arrays.npz"] = _npz(**arrays)
        else:
            members.update({f"{key}.npy": _npy(array) for key, array in arrays.items()})
    for name in drop:
        members.pop(name, None)
    path = _write_zip(tmp_path / "p.mlpd", members)
    try:
        project = load_project(path)
    except DataError as error:
        _assert_plain_message(error)
        return
    _check_usable_project(project)


@pytest.mark.parametrize("missing, message", [
    ("manifest.json", "no manifest.json"),
    ("weights.npy", "'weights' is missing"),
    ("data.csv", "embedded data table"),
])
def test_each_missing_member_is_named(tmp_path, missing, message):
    members = dict(_saved_project_members())
    del members[missing]
    with pytest.raises(DataError, match=message):
        load_project(_write_zip(tmp_path / "p.mlpd", members))


@pytest.mark.parametrize("key, array, message", [
    ("weights", np.full(13, np.nan), "missing or infinite"),
    ("weights", np.zeros((3, 7)), "shape"),
    ("history_params", np.full((5, 13), np.inf), "missing or infinite"),
    ("history_params", np.zeros((21, 5)), "shape"),
    ("history_rmse", np.zeros((5, 3)), "shape"),
    ("history_epochs", np.array([1, 2, 2, 3, 4]), "do not increase"),
    ("history_epochs", np.linspace(1, 5, 5), "whole numbers"),
    ("initial_params", np.zeros(20), "shape"),
])
def test_wrong_arrays_are_named(tmp_path, key, array, message):
    members = dict(_saved_project_members())
    members[f"{key}.npy"] = _npy(array)
    with pytest.raises(DataError, match=message):
        load_project(_write_zip(tmp_path / "p.mlpd", members))


@pytest.mark.parametrize("version", [PROJECT_VERSION + 1, 10**6])
def test_a_project_from_the_future_asks_for_an_update(tmp_path, version):
    members = dict(_saved_project_members())
    manifest = json.loads(members["manifest.json"])
    manifest.update(version=version, graph="a future layout", has_weights="maybe")
    members["manifest.json"] = json.dumps(manifest)
    with pytest.raises(DataError, match=f"newer MLP Desktop \\(project format {version}\\); please update"):
        load_project(_write_zip(tmp_path / "p.mlpd", members))


@pytest.mark.parametrize("version", ["2", 2.0, None, True, -1])
def test_a_project_with_a_strange_version_is_refused(tmp_path, version):
    members = {"manifest.json": json.dumps({"format": PROJECT_FORMAT, "version": version, "graph": _graph().to_dict()})}
    with pytest.raises(DataError, match="format version"):
        load_project(_write_zip(tmp_path / "p.mlpd", members))


def test_usable_settings_keep_good_values_and_name_the_others():
    parameters, ignored = usable_parameters({
        "learning_rate": 0.5, "epochs": 10, "batch_size": None, "seed": None, "init_range": [-1, 2],
        "momentum": 1.5, "loss": "hinge", "shuffle": "yes", "init_std": float("nan"), "target_rmse": -1,
        "random_seed": True, "epochs_per_day": 3, "init": "xavier", "bias_init": ["zeros"]})
    assert parameters == {"learning_rate": 0.5, "epochs": 10, "batch_size": None, "seed": None,
                          "init_range": (-1, 2), "init": "xavier"}
    assert ignored == ["bias_init", "epochs_per_day", "init_std", "loss", "momentum", "random_seed", "shuffle",
                       "target_rmse"]
    assert usable_parameters({"seed": 2**40, "epochs": True, "learning_rate": 0})[0] == {}
    assert usable_parameters(["not", "a", "dict"]) == ({}, [])

    data, ignored = usable_data_settings({"inputs": ["a", 1], "targets": ["b"], "task": "clustering",
                                          "validation_fraction": 1.0, "sheet": "Blatt 1", "input_scaling": "none"})
    assert data["targets"] == ["b"] and data["sheet"] == "Blatt 1" and data["input_scaling"] == "none"
    assert data["inputs"] == [] and data["task"] == "auto" and data["validation_fraction"] == 0.0
    assert ignored == ["inputs", "task", "validation_fraction"]


# -- data files (core.data is being rewritten: these are tests only) -----------------------------

_ODD_TEXT = st.one_of(
    st.text(max_size=5),
    st.sampled_from(["", " ", "NaN", "#N/A", "#REF!", "1,5", "1.234,56", "-", "+", ".", "1e308", "1e-320",
                     "-1e400", "0x1F", "١٢٣", "½", "TRUE", "false", "  3  ", "3 4", '"', "''", "=1+1", "🌡", "é"]),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.integers(-10**25, 10**25).map(str),
)
_NUMBER_TEXT = st.one_of(st.integers(-10**6, 10**6).map(str), st.floats(-1e6, 1e6).map(repr),
                         st.sampled_from(["1e300", "-1e300", "1e-320", "-0", "0.5", "1e16", "7"]))
_LABEL_TEXT = st.sampled_from(["a", "b", "rot", "grün", "🌡", "A", "a "])
_HEADER = st.sampled_from(["x", "y", "z", "output", "Output", "é", "🌡 temp", "", "x", "1", " a "])


def _tables(number, label, odd, blank):
    """(header, rows): ``k`` columns; rows mostly complete numbers or labels, some ragged or odd."""
    cell = st.one_of(number, number, number, label, odd, blank)

    def rows(k):
        row = st.lists(cell, min_size=k, max_size=k)
        ragged = st.lists(cell, max_size=k + 2)
        return st.tuples(st.lists(_HEADER, min_size=k, max_size=k),
                         st.lists(st.one_of(row, row, row, row, ragged), min_size=1, max_size=8))

    return st.sampled_from([1, 2, 2, 3, 3, 4]).flatmap(rows)


@fuzz(60)
@given(table=_tables(_NUMBER_TEXT, _LABEL_TEXT, _ODD_TEXT, st.just("")),
       delimiter=st.sampled_from([",", ";", "\t", "|", " ", ":"]), quoted=st.booleans(),
       line_end=st.sampled_from(["\n", "\r\n", "\r"]), encoding=st.sampled_from(["utf-8", "utf-8-sig", "utf-16"]),
       roles=st.none() | st.tuples(st.lists(st.integers(0, 5), max_size=3), st.integers(0, 5)),
       task=st.sampled_from(["auto", "regression", "classification"]), drop_missing=st.booleans())
def test_random_delimited_text_gives_a_clean_dataset_or_data_error(tmp_path, table, delimiter, quoted, line_end,
                                                                   encoding, roles, task, drop_missing):
    header, rows = table
    if quoted:
        buffer = io.StringIO()
        csv.writer(buffer, delimiter=delimiter, lineterminator=line_end).writerows([header, *rows])
        text = buffer.getvalue()
    else:
        text = line_end.join(delimiter.join(row) for row in [header, *rows])
    path = tmp_path / "data.csv"
    path.write_bytes(text.encode(encoding, errors="replace"))
    try:
        table = read_table(path)
        assert isinstance(table, Table)
        columns = list(table.frame.columns)
        inputs = targets = None
        if roles is not None and columns:
            targets = [columns[roles[1] % len(columns)]]
            inputs = [columns[i % len(columns)] for i in roles[0] if columns[i % len(columns)] not in targets]
        dataset = prepare_dataset(table, inputs or None, targets, task=task, drop_missing=drop_missing)
    except DataError as error:
        _assert_plain_message(error)
        return
    _check_clean_dataset(dataset)


def _check_clean_dataset(dataset: Dataset) -> None:
    assert isinstance(dataset, Dataset)
    assert len(dataset.frame) == len(dataset.row_numbers) > 0
    assert list(dataset.frame.columns) == dataset.inputs + dataset.targets
    for name in dataset.frame.columns:
        values = dataset.frame[name]
        if values.dtype == np.float64:
            assert np.isfinite(values).all()
        else:
            assert all(isinstance(value, str) for value in values)


_EXCEL_NUMBERS = st.one_of(st.integers(-10**6, 10**6), st.floats(-1e6, 1e6), st.booleans(),
                           st.sampled_from([2**63, -(2**70), 10**30, 1e308, -1e308, 5e-324, 1e-300, 0.0]))
_EXCEL_ODD = st.one_of(
    st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=0x1F9FF, exclude_categories=["Cs"]), max_size=5),
    st.sampled_from([" ", "#N/A", "=1/0", "=A1", "output", "1,5", "é", "x" * 40]),
    st.datetimes(min_value=datetime.datetime(1900, 3, 1), max_value=datetime.datetime(9999, 1, 1)),
    st.dates(min_value=datetime.date(1900, 3, 1)), st.times(), st.floats(),
)


@fuzz(25)
@given(sheets=st.lists(_tables(_EXCEL_NUMBERS, _LABEL_TEXT, _EXCEL_ODD, st.none()), min_size=1, max_size=3),
       names=st.permutations(["Sheet1", "Blatt é", "🌡 data"]), leading_blank_rows=st.integers(0, 2),
       pick=st.none() | st.integers(0, 2), task=st.sampled_from(["auto", "regression", "classification"]),
       drop_missing=st.booleans())
def test_random_workbooks_give_a_clean_dataset_or_data_error(tmp_path, sheets, names, leading_blank_rows, pick, task,
                                                             drop_missing):
    import openpyxl

    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for name, (header, rows) in zip(names, sheets):
        sheet = workbook.create_sheet(name)
        for _ in range(leading_blank_rows):
            sheet.append([])
        for row in [header, *rows]:
            try:
                sheet.append([None if isinstance(v, float) and not math.isfinite(v) else v for v in row])
            except (ValueError, TypeError):  # openpyxl refuses some values: not what is tested here
                assume(False)
    path = tmp_path / "data.xlsx"
    workbook.save(path)
    sheet_name = names[pick % len(sheets)] if pick is not None else None
    try:
        table = read_table(path, sheet_name)
        dataset = prepare_dataset(table, task=task, drop_missing=drop_missing)
    except DataError as error:
        _assert_plain_message(error)
        return
    _check_clean_dataset(dataset)


def test_a_number_column_with_mixed_decimal_marks_does_not_silently_become_classes(tmp_path):
    path = tmp_path / "mixed.csv"
    path.write_text("x;y\n1,5;2,5\n2,5;3.25\n3,5;4\n4,5;5,5\n1,5;1.250\n")
    dataset = prepare_dataset(read_table(path))
    assert dataset.task == "regression"
    # 3.25 can only be a decimal point; 1.250 groups thousands, as it does everywhere in this file.
    assert dataset.frame["y"].tolist() == [2.5, 3.25, 4.0, 5.5, 1250.0]


# -- a full disk and a read-only folder ----------------------------------------------------------

def _history_frame() -> pd.DataFrame:
    return pd.DataFrame({"epoch": [0, 1, 2], "train_rmse": [1.0, 0.5, 0.25], "W1[0,0]": [0.1, 0.2, 0.3]})


SAVERS = {
    "project": (lambda path: save_project(_full_project(), path), "p.mlpd"),
    "model": (lambda path: _health_model().save(path), "m.json"),
    "history csv": (lambda path: fileio.write_table(_history_frame(), path), "h.csv"),
    "history xlsx": (lambda path: fileio.write_table(_history_frame(), path), "h.xlsx"),
    "predictions xlsx": (lambda path: fileio.write_table(_health_model().predict(_rows_for(_health_model(), 50)), path),
                         "predicted.xlsx"),
    "python script": (lambda path: __import__("mlp_desktop.core.export", fromlist=["export_python"]).export_python(
        _health_model(), path), "predict.py"),
}
OLD = b"the old file, which a failed save must leave exactly as it was\n"


def _listing(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


# After a failed write, openpyxl's zip file complains once more when it is garbage-collected.
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
@pytest.mark.parametrize("room", [0.0, 0.5, 0.99])
@pytest.mark.parametrize("what", list(SAVERS))
def test_a_full_disk_leaves_the_old_file_and_no_temporary(tmp_path, full_disk, what, room):
    """The disk fills up at the start, half-way or just before the end of the file."""
    save, name = SAVERS[what]
    (tmp_path / "measure").mkdir()
    save(tmp_path / "measure" / name)
    size = (tmp_path / "measure" / name).stat().st_size
    folder = tmp_path / "target"
    folder.mkdir()
    path = folder / name
    path.write_bytes(OLD)
    full_disk(folder, int(size * room))
    with pytest.raises(DataError, match="No space left on device.*old file is unchanged") as caught:
        save(path)
    assert name in str(caught.value)
    assert path.read_bytes() == OLD
    assert _listing(folder) == [name]


@pytest.mark.parametrize("what", list(SAVERS))
def test_a_read_only_folder_is_explained_and_the_old_file_kept(read_only_folder, what):
    folder, lock = read_only_folder
    save, name = SAVERS[what]
    path = folder / name
    path.write_bytes(OLD)
    lock()
    with pytest.raises(DataError, match="Cannot write .*Permission denied"):
        save(path)
    assert path.read_bytes() == OLD
    assert _listing(folder) == [name]


@pytest.mark.parametrize("interruption", [KeyboardInterrupt, RuntimeError, MemoryError])
@pytest.mark.parametrize("existing", [True, False])
def test_an_interrupted_project_save_leaves_no_partial_project(tmp_path, monkeypatch, interruption, existing):
    path = tmp_path / "p.mlpd"
    if existing:
        save_project(_full_project(embedded=False), path)
    before = path.read_bytes() if existing else None
    import mlp_desktop.core.project as project_module

    real_writestr, real_write_npy = zipfile.ZipFile.writestr, project_module._write_npy
    calls = []

    def writestr(self, name, data, *args, **kwargs):
        calls.append(name)
        return real_writestr(self, name, data, *args, **kwargs)

    def write_npy(archive, member_name, array, date_time):  # the arrays go straight into the archive
        calls.append(member_name)
        if member_name == "history_params.npy":  # cut off half-way through the largest
            with archive.open(member_name, "w", force_zip64=True) as stream:
                stream.write(b"\x93NUMPY" + bytes(1000))
                raise interruption("interrupted half-way")
        real_write_npy(archive, member_name, array, date_time)

    monkeypatch.setattr(zipfile.ZipFile, "writestr", writestr)
    monkeypatch.setattr(project_module, "_write_npy", write_npy)
    with pytest.raises(interruption):
        save_project(_full_project(), path)
    monkeypatch.undo()
    assert project_module._write_npy is real_write_npy
    # the manifest and the first arrays are written, the history's parameters are not
    assert calls[:4] == ["manifest.json", "weights.npy", "history_epochs.npy", "history_rmse.npy"]
    assert calls[4] == "history_params.npy"
    if existing:
        assert path.read_bytes() == before
        assert load_project(path).weights is not None
        assert _listing(tmp_path) == ["p.mlpd"]
    else:
        assert _listing(tmp_path) == []


@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
@pytest.mark.parametrize("what", ["model", "history xlsx", "project"])
def test_ctrl_c_during_any_save_leaves_the_old_file(tmp_path, full_disk, monkeypatch, what):
    save, name = SAVERS[what]
    path = tmp_path / name
    path.write_bytes(OLD)
    full_disk(tmp_path, 0, KeyboardInterrupt)  # Ctrl+C at the first write
    with pytest.raises(KeyboardInterrupt):
        save(path)
    monkeypatch.undo()
    assert path.read_bytes() == OLD and _listing(tmp_path) == [name]


# -- extreme settings ----------------------------------------------------------------------------

@pytest.fixture(scope="module")
def health():
    return prepare_dataset(read_table(sample_path("health_score", ".csv")))


@pytest.mark.parametrize("batch_size", [None, 1])
def test_a_learning_rate_of_1e9_diverges_with_a_message_and_keeps_the_last_good_weights(health, batch_size):
    model, history = fit_model(health, NetworkSpec(hidden_layers=[4]),
                               TrainConfig(epochs=500, learning_rate=1e9, batch_size=batch_size, seed=0))
    assert history.stop_reason == "diverged"
    assert "diverged" in history.message and "lower learning rate" in history.message and "1e+09" in history.message
    weights = model.net.get_parameters()
    assert np.isfinite(weights).all()
    expected = history.params[-1] if history.last_epoch else history.initial_params
    np.testing.assert_array_equal(weights, expected)
    assert history.last_epoch < 500 and np.isfinite(history.train_rmse).all()


def test_a_learning_rate_of_1e9_on_classes_stays_finite(health):
    data = prepare_dataset(read_table(sample_path("iris", ".csv")))
    model, history = fit_model(data, NetworkSpec(hidden_layers=[4]), TrainConfig(epochs=50, learning_rate=1e9, seed=0))
    assert np.isfinite(model.net.get_parameters()).all() and np.isfinite(history.train_rmse).all()
    probabilities = model.predict(data.frame).filter(like="probability_").to_numpy()
    assert np.isfinite(probabilities).all()
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0)


def test_zero_epochs_is_a_no_op_that_says_so(health):
    net = MLP([3, 2, 1], ["tanh", "identity"], seed=1)
    before = net.get_parameters()
    X = health.frame[health.inputs].to_numpy()
    Y = health.frame[health.targets].to_numpy()
    reports = []
    history = train(net, X, Y, TrainConfig(epochs=0), reports.append)
    np.testing.assert_array_equal(net.get_parameters(), before)
    assert history.last_epoch == 0 and history.stop_reason == "completed"
    assert "Nothing to train" in history.message and "epochs is 0" in history.message
    assert reports[-1].finished and reports[-1].message == history.message
    with pytest.raises(DataError, match="whole number of at least 0"):
        TrainConfig(epochs=-1)


def test_ten_thousand_neurons_train(health):
    model, history = fit_model(health, NetworkSpec(hidden_layers=[MAX_NEURONS]), TrainConfig(epochs=5, seed=0))
    assert model.net.layer_sizes == (3, MAX_NEURONS, 1) and history.last_epoch == 5
    assert np.isfinite(model.predict(health.frame).to_numpy()).all()


def test_a_network_too_big_for_memory_is_refused_before_allocating():
    with pytest.raises(DataError, match=f"at most {MAX_PARAMETERS:,}.*fewer neurons"):
        MLP([10, 10**7, 10**7, 1], ["tanh", "tanh", "identity"])
    with pytest.raises(DataError, match="would have"):
        MLP([10**6, 10**6], ["identity"])


def test_running_out_of_memory_while_training_is_a_data_error_and_keeps_the_weights(health, monkeypatch):
    from mlp_desktop.core import network

    net = MLP([3, 5, 1], ["tanh", "identity"], seed=1)
    before = net.get_parameters()
    X, Y = health.frame[health.inputs].to_numpy(), health.frame[health.targets].to_numpy()

    calls = []

    def workspace(self, n_samples):
        calls.append(n_samples)
        if len(calls) > 1:  # the full-data buffers exist; a mini-batch's do not fit
            raise MemoryError
        return network.Workspace(self.net.layer_sizes, n_samples, self.net.activations[-1] == "identity")

    monkeypatch.setattr(network.Backprop, "workspace", workspace)
    with pytest.raises(DataError, match="not enough memory.*weights are unchanged"):
        train(net, X, Y, TrainConfig(epochs=3, batch_size=4, learning_rate=0.1))
    np.testing.assert_array_equal(net.get_parameters(), before)


def test_a_project_with_ten_thousand_neurons_round_trips(tmp_path):
    graph = NetworkGraph(["a", "b"], ["y"], [(MAX_NEURONS, "relu")])
    n = parameter_count(graph.to_dict())
    weights = np.random.default_rng(0).normal(size=n)
    save_project(Project(graph=graph.to_dict(), weights=weights), tmp_path / "big.mlpd")
    loaded = load_project(tmp_path / "big.mlpd")
    assert loaded.weights.tobytes() == weights.tobytes()
    with pytest.raises(DataError, match="between 1 and 10,000"):
        graph.set_size(1, MAX_NEURONS + 1)


# -- the command line with extreme settings ------------------------------------------------------

def _cli(capsys, *args) -> tuple[int, str, str]:
    code = cli_main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_learning_rate_1e9_is_a_clear_error_and_saves_nothing(capsys, tmp_path):
    save = tmp_path / "model.json"
    save.write_bytes(OLD)
    code, _, err = _cli(capsys, "train", sample_path("health_score", ".csv"), "--save", save, "--lr", "1e9",
                        "--epochs", "500")
    assert code == 2 and err.startswith("error: Training diverged") and "Nothing was saved" in err
    assert "Traceback" not in err and save.read_bytes() == OLD


def test_cli_zero_epochs_saves_the_initial_network_and_says_so(capsys, tmp_path):
    save = tmp_path / "model.json"
    code, out, err = _cli(capsys, "train", sample_path("health_score", ".csv"), "--save", save, "--epochs", "0",
                          "--seed", "2")
    assert code == 0, err
    assert "for 0 epochs" in out
    assert load_model(save).training["epochs_run"] == 0
    code, _, err = _cli(capsys, "train", sample_path("health_score", ".csv"), "--save", save, "--epochs", "-3")
    assert code == 2 and "epochs" in err.lower() and "Traceback" not in err


def test_cli_ten_thousand_neurons_train_and_a_billion_are_refused(capsys, tmp_path):
    save = tmp_path / "model.json"
    code, out, err = _cli(capsys, "train", sample_path("health_score", ".csv"), "--save", save,
                          "--hidden", str(MAX_NEURONS), "--epochs", "3")
    assert code == 0, err
    assert load_model(save).net.layer_sizes == (3, MAX_NEURONS, 1)
    save.write_bytes(OLD)
    code, _, err = _cli(capsys, "train", sample_path("health_score", ".csv"), "--save", save,
                        "--hidden", "1000000000", "--epochs", "3")
    assert code == 2 and "fewer neurons" in err and "Traceback" not in err
    assert save.read_bytes() == OLD


def test_a_save_cleans_up_what_an_interrupted_save_left_long_ago(tmp_path):
    from mlp_desktop.core.fileio import STALE_TEMPORARY_SECONDS, write_text_atomic

    target = tmp_path / "notes.json"
    old = tmp_path / ".notes.json.abc123.tmp.json"  # as a killed save leaves it
    recent = tmp_path / ".notes.json.def456.tmp.json"  # perhaps a save still running elsewhere
    other = tmp_path / ".other.json.xyz.tmp.json"
    for leftover in (old, recent, other):
        leftover.write_text("half")
    long_ago = time.time() - STALE_TEMPORARY_SECONDS - 60
    os.utime(old, (long_ago, long_ago))
    os.utime(other, (long_ago, long_ago))
    write_text_atomic(target, "{}")
    assert target.read_text() == "{}"
    assert not old.exists() and recent.exists() and other.exists()


def test_a_project_whose_arrays_claim_terabytes_is_refused_without_allocating(tmp_path):
    path = tmp_path / "p.mlpd"
    save_project(_full_project(embedded=False), path)
    with zipfile.ZipFile(path) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    header = io.BytesIO()
    np.lib.format.write_array_header_1_0(header, {"descr": "<f8", "fortran_order": False, "shape": (2**40,)})
    arrays = io.BytesIO()
    with zipfile.ZipFile(arrays, "w") as npz:
        npz.writestr("weights.npy", header.getvalue() + bytes(64))
    members["arrays.npz"] = arrays.getvalue()
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    with pytest.raises(DataError, match=r"p.mlpd is damaged: arrays.npz declares weights.npy with shape "
                                        r"\(1099511627776,\) \(8,192.0 GiB\)"):
        load_project(path)


def test_memory_errors_while_loading_are_data_errors(tmp_path, monkeypatch):
    model_path = tmp_path / "m.json"
    _iris_model().save(model_path)
    project_path = tmp_path / "p.mlpd"
    save_project(_full_project(embedded=False), project_path)

    def exhausted(*args, **kwargs):
        raise MemoryError

    monkeypatch.setattr(json, "loads", exhausted)
    with pytest.raises(DataError, match="m.json is too large to read in the memory available"):
        load_model(model_path)
    with pytest.raises(DataError, match="p.mlpd is damaged or too large to open in the memory available"):
        load_project(project_path)


def test_cli_predict_and_evaluate_print_how_the_file_was_read_like_train(capsys, tmp_path):
    save = tmp_path / "model.json"
    data = tmp_path / "prices.csv"
    data.write_text("size,price,note,output\n1,$1.00,x,2\n2,$2.50,y,4\n3,-,z,6\n4,\"$1,204.00\",w,8\n5,$3.00,v,10\n")
    code, _, err = _cli(capsys, "train", data, "--save", save, "--inputs", "size", "price", "--epochs", "2",
                        "--drop-missing")
    assert code == 0, err
    read_lines = [line for line in err.splitlines() if line.startswith('Column "price"')]
    assert read_lines and "currency amounts read as numbers" in read_lines[0]
    code, out, err = _cli(capsys, "predict", save, data, "--drop-missing")
    assert code == 0, err
    assert read_lines[0] in err.splitlines() and "4 of 5 rows predicted; 1 incomplete row skipped" in err
    assert out.splitlines()[0].startswith("size,price,note,output") and "$" not in out.splitlines()[0]
    code, out, err = _cli(capsys, "evaluate", save, data, "--drop-missing")
    assert code == 0, err
    assert read_lines[0] in err.splitlines() and "Skipped 1 incomplete row (a missing value in a chosen column)." in err
    assert out.startswith("prices.csv: ")
    hidden_book = tmp_path / "book.xlsx"
    import openpyxl

    book = openpyxl.Workbook()
    book.active.title = "Hidden"
    book.active.sheet_state = "hidden"
    sheet = book.create_sheet("Data")
    for row in [["size", "price", "note", "output"], [1, 1.0, "x", 2], [2, 2.5, "y", 4]]:
        sheet.append(row)
    book.save(hidden_book)
    code, _, err = _cli(capsys, "evaluate", save, hidden_book)
    assert code == 0, err
    assert 'Read sheet "Data" of book.xlsx (the first visible sheet with data).' in err
    assert "Skipped hidden sheet \"Hidden\"." in err


def test_cli_missing_cells_name_the_option_that_drops_their_rows(capsys, tmp_path):
    data = tmp_path / "dose.csv"
    data.write_text("dose,w,output\n1.5,2,3\n-,5,6\n2.5,8,9\nNA,1,2\n3.5,2,2\n")
    code, _, err = _cli(capsys, "train", data, "--save", tmp_path / "m.json", "--epochs", "1")
    assert code == 2 and err == ('error: Missing values in dose.csv: row 3 column "dose", row 5 column "dose". '
                                 "Fill them in, or add --drop-missing.\n")
    code, _, err = _cli(capsys, "train", data, "--save", tmp_path / "m.json", "--epochs", "1", "--drop-missing")
    assert code == 0, err
    assert 'Column "dose": 2 cells such as "-" count as missing.' in err.splitlines()
    assert "Skipped 2 incomplete rows (a missing value in a chosen column)." in err
