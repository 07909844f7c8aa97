"""Exporting a model as a standalone NumPy script: it must predict exactly like the model.

Each case trains a small model through the Python API, writes the script, runs it as a program on
a CSV file, imports it and calls ``predict(rows)``, and checks that it needs nothing beyond NumPy
and the standard library.
"""

from __future__ import annotations

import csv
import importlib.util
import io
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from mlp_desktop.core.data import prepare_dataset, read_table
from mlp_desktop.core.export import export_python, python_script
from mlp_desktop.core.model import NetworkSpec, fit_model, load_model
from mlp_desktop.core.samples import sample_path
from mlp_desktop.core.training import TrainConfig

TOLERANCE = dict(rtol=1e-12, atol=1e-12)


def _color_csv(folder: Path) -> Path:
    """size (number), color (red/green/blue text) -> output (number)."""
    rng = np.random.default_rng(3)
    size = rng.uniform(0, 10, 24).round(2)
    color = np.array(["red", "green", "blue"] * 8)
    rng.shuffle(color)
    output = 2 * size + pd.Series(color).map({"red": 1.0, "green": 5.0, "blue": -3.0}).to_numpy()
    path = folder / "colors.csv"
    pd.DataFrame({"size": size, "color": color, "output": output.round(3)}).to_csv(path, index=False)
    return path


# name -> (data, fit_model keyword arguments, what the model is)
CASES = {
    "health_regression": (
        lambda folder: sample_path("health_score", ".csv"),
        dict(spec=NetworkSpec(hidden_layers=[3], activations="sigmoid"),
             config=TrainConfig(epochs=300, learning_rate=0.05, seed=1), input_scaling="minmax"),
    ),
    "health_tanh_output_two_targets": (
        lambda folder: sample_path("health_score", ".csv"),
        dict(spec=NetworkSpec(hidden_layers=[4, 3], activations=["leaky_relu", "relu"], output_activation="tanh"),
             config=TrainConfig(epochs=50, learning_rate=0.05, seed=2), targets=["exercise", "output"]),
    ),
    "iris_softmax": (
        lambda folder: sample_path("iris", ".csv"),
        dict(spec=NetworkSpec(hidden_layers=[5]), config=TrainConfig(epochs=60, learning_rate=0.1, seed=0)),
    ),
    "iris_independent_sigmoids": (
        lambda folder: sample_path("iris", ".csv"),
        dict(spec=NetworkSpec(hidden_layers=[4], output_activation="sigmoid"),
             config=TrainConfig(epochs=20, learning_rate=0.1, seed=0), input_scaling="none"),
    ),
    "and_gate_sigmoid": (
        lambda folder: sample_path("and_gate", ".csv"),
        dict(spec=NetworkSpec(hidden_layers=[2], output_activation="sigmoid"),
             config=TrainConfig(epochs=300, learning_rate=0.5, seed=0), task="classification"),
    ),
    "text_input": (
        _color_csv,
        dict(spec=NetworkSpec(hidden_layers=[4]), config=TrainConfig(epochs=80, learning_rate=0.05, seed=0)),
    ),
}


class Case:
    def __init__(self, name: str, folder: Path):
        make_data, options = CASES[name]
        options = dict(options)
        self.name = name
        self.data = Path(make_data(folder))
        self.dataset = prepare_dataset(read_table(self.data), targets=options.pop("targets", None),
                                       task=options.pop("task", "auto"))
        self.model, _ = fit_model(self.dataset, **options)
        self.script = folder / f"predict_{name}.py"
        export_python(self.model, self.script)
        self.expected = self.model.predict(self.dataset.frame)


@pytest.fixture(scope="module", params=list(CASES))
def case(request, tmp_path_factory) -> Case:
    return Case(request.param, tmp_path_factory.mktemp(request.param))


def _load_script(path: Path):
    spec = importlib.util.spec_from_file_location(path.stem, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _compare(rows: list[dict], expected: pd.DataFrame) -> None:
    """Rows from the script (strings or numbers) against ``model.predict``: labels exactly, numbers to 1e-12."""
    assert len(rows) == len(expected)
    for column in expected.columns:
        got = [row[column] for row in rows]
        if expected[column].dtype == object or pd.api.types.is_string_dtype(expected[column]):
            assert [str(v) for v in got] == [str(v) for v in expected[column]], column
        else:
            np.testing.assert_allclose(np.array(got, dtype=float), expected[column].to_numpy(dtype=float),
                                       err_msg=column, **TOLERANCE)


def _run(*args, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, *map(str, args)], input=stdin, capture_output=True, text=True,
                          timeout=60)


# -- the model behind every case is what the case says -------------------------------------------
def test_cases_cover_the_output_kinds(case):
    pre, net = case.model.preprocessor, case.model.net
    kind = {
        "health_regression": ("regression", "identity"),
        "health_tanh_output_two_targets": ("regression", "tanh"),
        "iris_softmax": ("classification", "softmax"),
        "iris_independent_sigmoids": ("classification", "sigmoid"),
        "and_gate_sigmoid": ("classification", "sigmoid"),
        "text_input": ("regression", "identity"),
    }[case.name]
    assert (pre.task, net.activations[-1]) == kind
    if case.name == "health_regression":
        assert pre.input_scaling == "minmax"
    if case.name == "and_gate_sigmoid":
        assert pre.single_sigmoid_output and net.layer_sizes[-1] == 1
    if case.name == "iris_independent_sigmoids":
        assert net.layer_sizes[-1] == 3 and not pre.single_sigmoid_output
    if case.name == "text_input":
        assert pre.input_kinds["color"] == "categorical"
        assert pre.categories["color"] == ["blue", "green", "red"]


# -- run as a program --------------------------------------------------------------------------------
def test_script_run_on_a_csv_file_predicts_like_the_model(case):
    process = _run(case.script, case.data)
    assert process.returncode == 0, process.stderr
    assert process.stderr == ""
    rows = list(csv.DictReader(io.StringIO(process.stdout)))
    with open(case.data, newline="", encoding="utf-8-sig") as source:
        original = list(csv.DictReader(source))
    assert list(rows[0]) == list(original[0]) + list(case.expected.columns)
    for row, source_row in zip(rows, original):
        assert {k: row[k] for k in source_row} == source_row  # the input columns come back untouched
    _compare(rows, case.expected)


def test_script_reads_standard_input(case):
    process = _run(case.script, stdin=case.data.read_text(encoding="utf-8"))
    assert process.returncode == 0, process.stderr
    _compare(list(csv.DictReader(io.StringIO(process.stdout))), case.expected)


# -- imported ----------------------------------------------------------------------------------------
def test_imported_script_predicts_dict_rows_like_the_model(case):
    module = _load_script(case.script)
    frame = case.dataset.frame
    rows = [{column: frame[column].iloc[i] for column in case.model.inputs} for i in range(len(frame))]
    predictions = module.predict(rows)
    assert all(list(p) == list(case.expected.columns) for p in predictions)
    _compare(predictions, case.expected)
    # Dict rows may hold extra columns (the target) and text cells as a CSV reader gives them.
    with open(case.data, newline="", encoding="utf-8-sig") as source:
        _compare(module.predict(list(csv.DictReader(source))), case.expected)


def test_imported_script_predicts_list_rows_in_input_order(case):
    module = _load_script(case.script)
    frame = case.dataset.frame
    rows = [[frame[column].iloc[i] for column in case.model.inputs] for i in range(len(frame))]
    _compare(module.predict(rows), case.expected)
    assert module.INPUTS == case.model.inputs and module.TARGETS == case.model.targets


def test_script_agrees_with_the_saved_and_reloaded_model(case, tmp_path):
    case.model.save(tmp_path / "model.json")
    reloaded = load_model(tmp_path / "model.json")
    assert python_script(reloaded, case.script.stem) == case.script.read_text(encoding="utf-8")


# -- dependencies ------------------------------------------------------------------------------------
_IMPORT_CHECK = r'''
import importlib.abc, json, runpy, sys
BLOCKED = ("pandas", "mlp_desktop", "openpyxl", "scipy", "sklearn", "PySide6", "pyqtgraph")

class Blocker(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in BLOCKED:
            raise ImportError("the exported script must not import " + name)
        return None

before = set(sys.modules)
sys.meta_path.insert(0, Blocker())
sys.argv = sys.argv[1:]
try:
    runpy.run_path(sys.argv[0], run_name="__main__")
except SystemExit as stop:
    assert not stop.code, stop.code
new = {name.split(".")[0] for name in set(sys.modules) - before}
foreign = sorted(new - set(sys.stdlib_module_names) - {"numpy"})
print(json.dumps({"foreign": foreign, "blocked": sorted(n for n in sys.modules if n.split(".")[0] in BLOCKED)}),
      file=sys.stderr)
'''


def test_script_needs_only_numpy_and_the_standard_library(case, tmp_path):
    checker = tmp_path / "check_imports.py"
    checker.write_text(_IMPORT_CHECK, encoding="utf-8")
    process = _run(checker, case.script, case.data)
    assert process.returncode == 0, process.stderr
    report = json.loads(process.stderr.strip().splitlines()[-1])
    assert report == {"foreign": [], "blocked": []}
    _compare(list(csv.DictReader(io.StringIO(process.stdout))), case.expected)


def test_script_source_imports_only_numpy_and_the_standard_library(case):
    import ast

    tree = ast.parse(case.script.read_text(encoding="utf-8"))
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            imported.add((node.module or "").split(".")[0])
    assert imported <= set(sys.stdlib_module_names) | {"numpy"}, imported
    assert "numpy" in imported


# -- details -------------------------------------------------------------------------------------------
def test_unknown_category_in_the_script_is_a_clear_error(tmp_path):
    case = Case("text_input", tmp_path)
    module = _load_script(case.script)
    with pytest.raises(ValueError, match="purple"):
        module.predict([{"size": 1.0, "color": "purple"}])
    assert module.predict([{"size": 1.0, "color": "red"}])[0]["predicted_output"] == pytest.approx(
        case.model.predict(pd.DataFrame({"size": [1.0], "color": ["red"]}))["predicted_output"].iloc[0], rel=1e-12)


def test_python_script_names_the_module_and_network(tmp_path):
    case = Case("iris_softmax", tmp_path)
    text = python_script(case.model, "flowers")
    assert "from flowers import predict" in text
    assert "4-5-3" in text and "classification" in text
    compile(text, "flowers.py", "exec")
    assert text.startswith("#!/usr/bin/env python3\n")


def test_export_python_is_atomic_and_keeps_an_existing_file_on_failure(tmp_path):
    case = Case("health_regression", tmp_path)
    target = tmp_path / "keep.py"
    target.write_text("# keep me\n", encoding="utf-8")

    class Broken:  # a model whose preprocessing cannot be read
        preprocessor = None
        net = case.model.net

    with pytest.raises(AttributeError):
        export_python(Broken(), target)
    assert target.read_text(encoding="utf-8") == "# keep me\n"
    assert sorted(p.name for p in tmp_path.iterdir() if "keep" in p.name) == ["keep.py"]
