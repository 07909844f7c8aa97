"""Prediction panel: the form follows the model's columns and answers what Model.predict answers."""

import numpy as np
import pandas as pd
import pytest
from PySide6.QtWidgets import QComboBox, QLineEdit

from mlp_desktop.core import TrainConfig
from mlp_desktop.core.data import prepare_dataset, read_table, table_from_frame
from mlp_desktop.core.model import NetworkSpec
from mlp_desktop.core.samples import sample_path
from mlp_desktop.core.session import TrainingSession
from mlp_desktop.gui.panels.prediction_panel import PredictionPanel


def _session(dataset, hidden=(6,), epochs=50):
    session = TrainingSession()
    session.set_dataset(dataset)
    session.set_spec(NetworkSpec(hidden_layers=list(hidden)))
    session.set_config(TrainConfig(epochs=epochs, learning_rate=0.1, batch_size=16, seed=1))
    session.train()
    return session


@pytest.fixture(scope="module")
def iris():
    return _session(prepare_dataset(read_table(sample_path("iris"))))


@pytest.fixture(scope="module")
def health():
    return _session(prepare_dataset(read_table(sample_path("health_score"))), hidden=(3, 2), epochs=200)


@pytest.fixture
def panel(qtbot):
    widget = PredictionPanel()
    qtbot.addWidget(widget)
    return widget


def _load(panel, session):
    model = session.model()
    panel.set_model(model, session.input_ranges, session.dataset)
    return model


def test_no_model_shows_hint(panel):
    assert not panel.empty_label.isHidden()
    assert panel.prediction() is None
    assert panel.values() == {}


def test_form_has_one_numeric_field_per_iris_input(panel, iris):
    model = _load(panel, iris)
    assert list(panel.values()) == model.inputs
    assert all(isinstance(panel._fields[n], QLineEdit) for n in model.inputs)
    assert "training range" in panel._fields["sepal_length"].placeholderText()
    assert panel.empty_label.isHidden()


def test_classification_prediction_matches_model(panel, iris):
    model = _load(panel, iris)
    values = {"sepal_length": 6.3, "sepal_width": 2.9, "petal_length": 5.0, "petal_width": 1.7}
    panel.set_values(values)
    got = panel.prediction()
    expected = model.predict(pd.DataFrame({k: [v] for k, v in values.items()}))
    pd.testing.assert_frame_equal(got.reset_index(drop=True), expected.reset_index(drop=True))
    label = expected["predicted_species"].iloc[0]
    assert label in panel.result_label.text()
    bars = {name.text(): bar.value() for name, bar in panel._bars}
    assert set(bars) == set(model.preprocessor.classes)
    assert bars[label] == max(bars.values())


def test_regression_prediction_matches_model(panel, health):
    model = _load(panel, health)
    values = dict(zip(model.inputs, [45.0, 3.0, 2.0]))
    panel.set_values(values)
    got = panel.prediction()
    expected = model.predict(pd.DataFrame({k: [v] for k, v in values.items()}))
    np.testing.assert_allclose(got.to_numpy(dtype=float), expected.to_numpy(dtype=float))
    assert panel.result_label.text().startswith(f"{model.targets[0]} = ")


def test_text_input_gets_a_combo_and_matches_model(panel):
    rng = np.random.default_rng(0)
    colour = rng.choice(["red", "green", "blue"], 60)
    size = rng.uniform(0, 10, 60)
    price = size * 2 + (colour == "red") * 5
    dataset = prepare_dataset(table_from_frame(pd.DataFrame({"colour": colour, "size": size, "price": price})),
                              targets=["price"])
    session = _session(dataset, hidden=(4,), epochs=20)
    model = _load(panel, session)
    combo = panel._fields["colour"]
    assert isinstance(combo, QComboBox)
    assert [combo.itemText(i) for i in range(combo.count())] == model.preprocessor.categories["colour"]
    panel.set_values({"colour": "red", "size": 4.0})
    expected = model.predict(pd.DataFrame({"colour": ["red"], "size": [4.0]}))
    np.testing.assert_allclose(panel.prediction().to_numpy(dtype=float), expected.to_numpy(dtype=float))


@pytest.mark.parametrize("which", ["health", "iris"])
def test_the_form_predicts_what_the_model_predicts_for_a_frame(panel, which, request):
    """The form predicts from column arrays (no pandas at start-up); a frame of the same row gives
    the same columns, values and dtypes."""
    session = request.getfixturevalue(which)
    model = _load(panel, session)
    panel.set_values({name: 1.25 + k for k, name in enumerate(model.preprocessor.inputs)})
    row = pd.DataFrame({name: [float(value)] for name, value in panel.values().items()})
    pd.testing.assert_frame_equal(panel.prediction(), model.predict(row), check_exact=True)
    text = panel.result_label.text()
    assert text.startswith(f"{model.preprocessor.targets[0]}") and "—" not in text


def test_prediction_is_debounced(panel, iris, qtbot):
    _load(panel, iris)
    seen = []
    panel.predictionChanged.connect(lambda: seen.append(panel.prediction()))  # (the signal says only when)
    field = panel._fields["petal_length"]
    for text in ("1", "1.", "1.4"):
        field.setText(text)
    assert seen == []  # nothing yet: the timer waits for typing to pause
    qtbot.waitUntil(lambda: len(seen) == 1, timeout=2000)
    qtbot.wait(250)
    assert len(seen) == 1  # one prediction for the three edits
    assert seen[0] is not None


def test_out_of_range_warns_but_predicts(panel, iris):
    _load(panel, iris)
    panel.set_values({"petal_length": 50})
    assert panel.prediction() is not None
    note = panel._notes["petal_length"]
    assert "Outside the training range" in note.text()
    assert "#b35900" in note.styleSheet()
    # and under the result, one sentence: the model is extrapolating
    warning = panel.extrapolation_label.text()
    assert not panel.extrapolation_label.isHidden()
    assert warning.startswith("Outside the training data: petal_length 50 (trained on 1 to 6.9)"), warning
    assert "extrapolating" in warning
    panel.set_values({"petal_length": 4})
    panel.prediction()
    assert note.text() == "" and panel.extrapolation_label.isHidden()


def test_one_thousand_typed_with_a_comma_is_a_thousand_and_the_form_says_so(panel, iris):
    model = _load(panel, iris)
    field, note = panel._fields["petal_length"], panel._notes["petal_length"]
    field.setText("1,000")
    predicted = panel.prediction()
    assert panel.values()["petal_length"] == 1000.0  # it was 1.0, without a word
    assert note.text().startswith("Read as 1000.") and "Outside the training range" in note.text()
    expected = model.predict(pd.DataFrame({k: [v] for k, v in panel.values().items()}))
    pd.testing.assert_frame_equal(predicted, expected)
    assert "petal_length 1000 (trained on" in panel.extrapolation_label.text()
    field.setText("1,000,000")  # it was refused as "Type a number."
    assert panel.prediction() is not None and panel.values()["petal_length"] == 1e6


def test_a_number_too_large_is_called_too_large(panel, iris):
    _load(panel, iris)
    panel._fields["sepal_width"].setText("1e400")
    assert panel.prediction() is None
    note = panel._notes["sepal_width"]
    assert note.text() == "\u201c1e400\u201d is too large: the largest number that can be used is about 1.8e308."
    assert "#c62828" in note.styleSheet() and panel.extrapolation_label.isHidden()
    panel._fields["sepal_width"].setText("1234,567")  # a comma that could mean either: how to write it
    assert panel.prediction() is None and "write 1234567 for a whole number, or 1234.567" in note.text()


def test_text_in_numeric_field_refuses(panel, iris):
    _load(panel, iris)
    panel._fields["sepal_width"].setText("abc")
    assert panel.prediction() is None
    note = panel._notes["sepal_width"]
    assert "number" in note.text() and "#c62828" in note.styleSheet()
    assert panel.result_label.text() == "—"
    panel._fields["sepal_width"].setText("3,1")  # a comma decimal mark is a number, and the form says how it read it
    assert panel.prediction() is not None and note.text() == "Read as 3.1 (a decimal comma)."
    assert "#c62828" not in note.styleSheet()
    panel._fields["sepal_width"].setText("3.1")
    assert panel.prediction() is not None and note.text() == ""


def test_fill_from_row_copies_values_and_shows_actual(panel, iris):
    _load(panel, iris)
    dataset = iris.dataset
    position = 60
    panel.row_spin.setValue(int(dataset.row_numbers[position]))
    panel.fill_button.click()
    row = dataset.frame.iloc[position]
    assert panel.values() == {n: pytest.approx(float(row[n])) for n in iris.model().inputs}
    assert f"actual: species = {row['species']}" in panel.actual_label.text()
    assert not panel.actual_label.isHidden()
    assert panel.prediction() is not None
    panel._fields["sepal_length"].setText("7")  # a user edit: the actual no longer applies
    assert panel.actual_label.isHidden()


def test_show_how_lists_every_layer(panel, health):
    model = _load(panel, health)
    panel.how_button.setChecked(True)
    assert not panel.how_text.isHidden()
    lines = panel.how_text.toPlainText().splitlines()
    assert lines[0].startswith("inputs (scaled): ")
    assert lines[1].startswith(f"hidden layer 1 ({model.net.activations[0]}): z=[")
    assert lines[2].startswith("hidden layer 2 (")
    assert lines[3].startswith(f"output ({model.net.activations[-1]}): ")
    assert lines[4].startswith("→ in your units: predicted_")
    assert len(lines) == 5


def test_set_model_none_clears(panel, iris):
    _load(panel, iris)
    seen = []
    panel.predictionChanged.connect(lambda: seen.append(panel.prediction()))
    panel.set_model(None)
    assert panel.values() == {} and panel.prediction() is None and seen == [None]
    assert not panel.empty_label.isHidden()


def test_a_retrained_model_keeps_the_form_and_what_was_typed(panel, health):
    _load(panel, health)
    name = health.preprocessor.inputs[0]
    field = panel._fields[name]
    field.setText("42")
    before = panel.prediction()
    health.train(50)  # the same inputs, new weights
    _load(panel, health)
    assert panel._fields[name] is field and field.text() == "42"
    assert panel.prediction() is not None and not before.equals(panel.prediction())


def test_a_model_with_other_inputs_rebuilds_the_form(panel, health, iris):
    _load(panel, health)
    _load(panel, iris)
    assert list(panel._fields) == list(iris.preprocessor.inputs)


def test_the_fields_are_made_when_the_panel_is_shown_and_the_defaults_match_them(panel, health, iris, qtbot):
    _load(panel, iris)  # a hidden panel (a Predict tab not shown): no fields yet
    assert not panel.form_built
    before, predicted = panel.values(), panel.prediction()
    assert list(before) == list(iris.preprocessor.inputs) and predicted is not None
    panel.show()
    qtbot.waitExposed(panel)
    assert panel.form_built
    assert panel.values() == before  # the defaults are what the fields show
    pd.testing.assert_frame_equal(panel.prediction(), predicted)
    _load(panel, health)  # a shown panel builds a new form at once
    assert panel.form_built and list(panel._field_widgets) == list(health.preprocessor.inputs)


def test_input_ranges_of_number_and_text_columns():
    frame = pd.DataFrame({"a": [1, 5, 3], "b": [0.5, np.inf, np.nan], "c": ["2", "x", "7"], "d": [np.nan] * 3})
    pre = type("Pre", (), {"inputs": ["a", "b", "c", "d"], "input_kinds": {}})()
    from mlp_desktop.core.preprocessing import input_ranges
    assert input_ranges(pre, frame) == {"a": (1.0, 5.0), "b": (0.5, 0.5), "c": (2.0, 7.0)}
    assert input_ranges(pre, frame, np.array([0, 2])) == {"a": (1.0, 3.0), "b": (0.5, 0.5), "c": (2.0, 7.0)}
    assert input_ranges(pre, None) == {} and input_ranges(pre, frame, np.array([], dtype=int)) == {}


@pytest.fixture(scope="module")
def wide():
    """70 number inputs and one text input: more than FORM_WIDGETS_LIMIT."""
    rng = np.random.default_rng(0)
    frame = pd.DataFrame(rng.integers(0, 9, size=(60, 70)).astype(float), columns=[f"p{j}" for j in range(70)])
    frame["colour"] = rng.choice(["red", "blue"], size=60)
    frame["output"] = frame["p0"] * 2 + (frame["colour"] == "red")
    return _session(prepare_dataset(table_from_frame(frame)), hidden=(4,), epochs=5)


def test_many_inputs_are_rows_of_one_table_with_the_same_answers(panel, wide, qtbot):
    from mlp_desktop.gui.panels.prediction_panel import FORM_WIDGETS_LIMIT, InputsModel

    model = _load(panel, wide)
    assert len(model.inputs) > FORM_WIDGETS_LIMIT
    panel.show()
    qtbot.waitExposed(panel)
    table = panel.inputs_model
    assert panel.inputs_view.isVisible() and not panel.form_grid.isVisible() and panel._field_widgets == {}
    assert table.names == list(model.inputs)
    values = panel.values()
    assert list(values) == list(model.inputs) and values["colour"] in ("red", "blue")
    expected = model.predict(pd.DataFrame({k: [v] for k, v in values.items()}))
    np.testing.assert_allclose(panel.prediction().to_numpy(dtype=float), expected.to_numpy(dtype=float))
    assert "training range" in table.index(1, 2).data()
    # a value typed into a cell (what the line edit commits), a bad one, one out of range
    p3 = table.index(table.names.index("p3"), InputsModel.VALUE)
    assert table.setData(p3, "abc")
    assert panel.prediction() is None and table.index(p3.row(), 2).data() == "\u201cabc\u201d is not a number."
    table.setData(p3, "100")
    assert panel.prediction() is not None and "Outside the training range" in table.index(p3.row(), 2).data()
    assert "p3 100 (trained on 0 to 8)" in panel.extrapolation_label.text()
    table.setData(p3, "1,000")
    assert panel.prediction() is not None and panel.values()["p3"] == 1000.0
    assert table.index(p3.row(), 2).data().startswith("Read as 1000.")
    # the text input is edited with a combo box of its categories
    colour = table.index(table.names.index("colour"), InputsModel.VALUE)
    panel.inputs_view.setCurrentIndex(colour)
    panel.inputs_view.edit(colour)
    from PySide6.QtWidgets import QComboBox
    combo = panel.inputs_view.findChild(QComboBox)
    assert combo is not None and sorted(combo.itemText(i) for i in range(combo.count())) == ["blue", "red"]
    # fill from a row of the data
    panel.row_spin.setValue(int(wide.dataset.row_numbers[4]))
    panel.fill_from_row()
    record = wide.dataset.frame.iloc[4]
    assert panel.values()["p3"] == record["p3"] and panel.values()["colour"] == record["colour"]
    assert "actual" in panel.actual_label.text()
    panel.set_values({"p5": 7, "colour": "no such colour"})
    assert panel.values()["p5"] == 7.0 and panel.values()["colour"] == record["colour"]


def test_new_weights_for_the_same_form_check_its_inputs_only_when_they_change(panel, wide, qtbot, monkeypatch):
    """While a run trains, the form is predicted with new weights twice a second: its inputs
    (784 for an image table) are checked again only when a text or a training range changed."""
    from mlp_desktop.gui.panels import prediction_panel
    from mlp_desktop.gui.panels.prediction_panel import InputsModel

    model = _load(panel, wide)
    panel.show()
    qtbot.waitExposed(panel)
    table = panel.inputs_model
    p3 = table.index(table.names.index("p3"), InputsModel.VALUE)
    table.setData(p3, "100")  # out of range: a note and the warning
    panel.prediction()
    note, warning = table.index(p3.row(), 2).data(), panel.extrapolation_label.text()
    assert "Outside the training range" in note and "p3 100" in warning
    reads, warnings = [], []
    read, warn = prediction_panel.read_typed_number, prediction_panel.extrapolation_warning
    monkeypatch.setattr(prediction_panel, "read_typed_number", lambda text: reads.append(text) or read(text))
    monkeypatch.setattr(prediction_panel, "extrapolation_warning", lambda *args: warnings.append(1) or warn(*args))
    for _ in range(3):  # the same model's weights again, as a run's reports bring them
        panel.set_model(model, wide.input_ranges, wide.dataset)
        assert panel.prediction() is not None
    assert reads == [] and warnings == []
    assert table.index(p3.row(), 2).data() == note and panel.extrapolation_label.text() == warning
    table.setData(p3, "4")  # a text changed: checked again, the note and the warning go
    assert panel.prediction() is not None and len(reads) == 70 and len(warnings) == 1
    assert "Outside" not in (table.index(p3.row(), 2).data() or "") and not panel.extrapolation_label.isVisible()
    narrower = {**wide.input_ranges, "p3": (0.0, 2.0)}  # other training ranges: checked again
    panel.set_model(model, narrower, wide.dataset)
    assert len(reads) == 140 and "Outside the training range" in table.index(p3.row(), 2).data()
