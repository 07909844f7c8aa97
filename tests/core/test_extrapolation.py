"""Inputs outside the training range are named in one plain sentence; inside, nothing is said."""

import json

import numpy as np
import pandas as pd
import pytest

from mlp_desktop.core import DataError, TrainConfig
from mlp_desktop.core.data import prepare_dataset, table_from_frame
from mlp_desktop.core.extrapolation import OutOfRange, extrapolation_warning, outside_training_range
from mlp_desktop.core.model import NetworkSpec, fit_model, load_model

RANGES = {"age": (10.0, 90.0), "income": (0.0, 200.5)}


def test_inside_the_training_range_nothing_is_said():
    assert extrapolation_warning(RANGES, {"age": 10, "income": 200.5}) == ""
    assert extrapolation_warning(RANGES, pd.DataFrame({"age": [10, 90, np.nan], "income": [0, 1, 2]})) == ""
    assert extrapolation_warning({}, {"age": 1000}) == ""  # a model that keeps no ranges
    assert outside_training_range(RANGES, {"colour": "red"}) == []


def test_one_row_names_each_input_outside_in_one_sentence():
    assert extrapolation_warning(RANGES, {"age": 1000.0, "income": 3}) == (
        "Outside the training data: age 1000 (trained on 10 to 90); the model is extrapolating, "
        "so this prediction may be unreliable.")
    both = extrapolation_warning(RANGES, {"age": 5, "income": -5, "colour": "red"})
    assert both.startswith("Outside the training data: age 5 (trained on 10 to 90), income -5 (trained on 0 to 200.5);")


def test_a_table_of_rows_counts_the_rows_and_names_the_extremes():
    rows = pd.DataFrame({"age": [1000, 5, 50, 95, None], "income": [1, 2, 3, 300, 1], "colour": list("abcde")})
    assert outside_training_range(RANGES, rows) == [OutOfRange("age", 10, 90, 5, 1000, 3),
                                                    OutOfRange("income", 0, 200.5, 300, 300, 1)]
    assert extrapolation_warning(RANGES, rows) == (
        "Outside the training data in 3 of 5 rows: age down to 5 and up to 1000 in 3 rows (trained on 10 to 90), "
        "income 300 in 1 row (trained on 0 to 200.5); the model is extrapolating there, so those predictions "
        "may be unreliable.")
    high = pd.DataFrame({"age": [91, 95, 20]})
    assert "age up to 95 in 2 rows" in extrapolation_warning(RANGES, high)
    texts = pd.DataFrame({"age": ["1000", "x", "20"]})  # numbers as text (a file's column): still numbers
    assert "in 1 of 3 rows: age 1000 in 1 row" in extrapolation_warning(RANGES, texts)


def test_many_inputs_outside_are_counted_after_the_first_three():
    ranges = {f"x{i}": (0.0, 1.0) for i in range(8)}
    warning = extrapolation_warning(ranges, {f"x{i}": 2.0 for i in range(8)})
    assert "x0 2" in warning and "x2 2" in warning and "x3" not in warning and "and 5 more inputs;" in warning


@pytest.fixture(scope="module")
def model():
    frame = pd.DataFrame({"age": np.linspace(10, 90, 20), "colour": ["red", "blue"] * 10})
    frame["output"] = frame["age"] / 10 + (frame["colour"] == "red")
    data = prepare_dataset(table_from_frame(frame))
    return fit_model(data, NetworkSpec(hidden_layers=[2]), TrainConfig(epochs=5, seed=1))[0]


def test_the_model_keeps_its_training_ranges_in_its_file(model, tmp_path):
    assert model.preprocessor.input_ranges == {"age": (10.0, 90.0)}  # the number input only
    path = tmp_path / "model.json"
    model.save(path)
    assert json.loads(path.read_text())["preprocessing"]["input_ranges"] == {"age": [10.0, 90.0]}
    assert load_model(path).preprocessor.input_ranges == {"age": (10.0, 90.0)}


def test_a_model_saved_without_ranges_loads_and_warns_of_nothing(model, tmp_path):
    old = model.to_dict()
    del old["preprocessing"]["input_ranges"]
    path = tmp_path / "old.json"
    path.write_text(json.dumps(old))
    loaded = load_model(path)
    assert loaded.preprocessor.input_ranges == {}
    assert extrapolation_warning(loaded.preprocessor.input_ranges, {"age": 1000, "colour": "red"}) == ""


@pytest.mark.parametrize("ranges, reason", [
    ({"age": [90, 10]}, "not two finite numbers, low then high"),
    ({"age": [1, "x"]}, "is not two numbers"),
    ({"colour": [0, 1]}, "not one of its number inputs"),
    ([1, 2], "not a set of named values"),
])
def test_damaged_ranges_in_a_file_are_named(model, tmp_path, ranges, reason):
    data = model.to_dict()
    data["preprocessing"]["input_ranges"] = ranges
    path = tmp_path / "damaged.json"
    path.write_text(json.dumps(data))
    with pytest.raises(DataError, match=reason):
        load_model(path)
