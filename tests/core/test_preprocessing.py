"""Scaling, encoding and splitting: fitted on training rows, undone for predictions."""

import os

import numpy as np
import pandas as pd
import pytest

from mlp_desktop.core import DataError
from mlp_desktop.core.data import prepare_dataset, table_from_frame
from mlp_desktop.core.preprocessing import fit_preprocessor, split_rows, transform_parts

HEALTH = pd.DataFrame({"age": [60, 63, 17, 35, 90, 10], "exercise": [8, 2, 7, 4, 1, 9],
                       "diet": [7, 2, 7, 5, 1, 7], "output": [7, 3, 9, 6, 1, 10]})


def dataset(frame=HEALTH, **kwargs):
    return prepare_dataset(table_from_frame(frame), **kwargs)


def test_minmax_fitted_on_training_rows_only():
    data = dataset()
    pre = fit_preprocessor(data, train_rows=np.array([0, 1, 2]), input_scaling="minmax")
    X = pre.transform_inputs(data.frame)
    np.testing.assert_allclose(X[:3].min(axis=0), 0.0)
    np.testing.assert_allclose(X[:3].max(axis=0), 1.0)
    assert X[4, 0] == pytest.approx((90 - 17) / (63 - 17))  # a later row can fall outside [0, 1]


def test_minmax_with_user_bounds_like_the_tutorial():
    pre = fit_preprocessor(dataset(), input_scaling="minmax",
                           minmax_bounds={"age": (0, 101), "exercise": (0, 11), "diet": (0, 11)})
    X = pre.transform_inputs(dataset().frame)
    np.testing.assert_allclose(X[0], [60 / 101, 8 / 11, 7 / 11])
    with pytest.raises(DataError, match="not a numeric input"):
        fit_preprocessor(dataset(), input_scaling="minmax", minmax_bounds={"output": (0, 10)})
    with pytest.raises(DataError, match="only be given with min-max"):
        fit_preprocessor(dataset(), input_scaling="standard", minmax_bounds={"age": (0, 101)})


def test_standard_scaling_and_constant_column_gives_zero():
    frame = HEALTH.assign(constant=5.0)[["age", "constant", "output"]]
    for scaling in ("standard", "minmax"):
        pre = fit_preprocessor(dataset(frame), input_scaling=scaling)
        X = pre.transform_inputs(dataset(frame).frame)
        assert np.isfinite(X).all()
        np.testing.assert_array_equal(X[:, 1], 0.0)
    pre = fit_preprocessor(dataset(frame), input_scaling="standard")
    X = pre.transform_inputs(dataset(frame).frame)
    assert X[:, 0].mean() == pytest.approx(0, abs=1e-12) and X[:, 0].std() == pytest.approx(1)


@pytest.mark.parametrize("activation,low,high", [("sigmoid", 0, 1), ("tanh", -1, 1), ("relu", 0, 1)])
def test_regression_targets_scaled_to_suit_the_output(activation, low, high):
    data = dataset()
    pre = fit_preprocessor(data, output_activation=activation)
    Y = pre.transform_targets(data.frame)
    assert Y.min() == pytest.approx(low) and Y.max() == pytest.approx(high)
    np.testing.assert_allclose(pre.inverse_targets(Y)[:, 0], HEALTH["output"])


def test_identity_output_standardises_targets_and_undoes_it():
    data = dataset()
    pre = fit_preprocessor(data, output_activation="identity")
    Y = pre.transform_targets(data.frame)
    assert Y.mean() == pytest.approx(0, abs=1e-12) and Y.std() == pytest.approx(1)
    np.testing.assert_allclose(pre.inverse_targets(Y)[:, 0], HEALTH["output"])
    raw = fit_preprocessor(data, output_activation="identity", scale_targets=False)
    np.testing.assert_array_equal(raw.transform_targets(data.frame)[:, 0], HEALTH["output"])


def test_text_inputs_are_one_hot_and_unseen_categories_are_refused():
    frame = pd.DataFrame({"size": [1.0, 2.0, 3.0, 4.0], "color": ["red", "green", "red", "blue"],
                          "output": [1.0, 2.0, 3.0, 4.0]})
    pre = fit_preprocessor(dataset(frame), input_scaling="standard")
    assert pre.encoded_inputs == ["size", "color=blue", "color=green", "color=red"]
    X = pre.transform_inputs(dataset(frame).frame)
    np.testing.assert_array_equal(X[:, 1:], [[0, 0, 1], [0, 1, 0], [0, 0, 1], [1, 0, 0]])
    new = pd.DataFrame({"size": [1.0], "color": ["purple"]})
    with pytest.raises(DataError, match='"purple".*never saw.*blue, green, red'):
        pre.transform_inputs(new)
    with pytest.raises(DataError, match='"color" is missing'):
        pre.transform_inputs(pd.DataFrame({"size": [1.0]}))


def test_classes_one_hot_softmax_and_single_sigmoid():
    frame = pd.DataFrame({"x": [0.0, 1.0, 2.0, 3.0], "label": ["no", "yes", "no", "yes"]})
    data = dataset(frame)
    assert data.task == "classification" and data.classes == ["no", "yes"]
    softmax = fit_preprocessor(data, output_activation="softmax")
    np.testing.assert_array_equal(softmax.transform_targets(data.frame), [[1, 0], [0, 1], [1, 0], [0, 1]])
    assert softmax.output_names == ["label=no", "label=yes"]
    sigmoid = fit_preprocessor(data, output_activation="sigmoid")
    np.testing.assert_array_equal(sigmoid.transform_targets(data.frame)[:, 0], [0, 1, 0, 1])
    assert sigmoid.n_outputs == 1
    probabilities = sigmoid.probabilities(np.array([[0.2], [0.9]]))
    np.testing.assert_allclose(probabilities, [[0.8, 0.2], [0.1, 0.9]])
    assert sigmoid.labels(np.array([[0.2], [0.9]])).tolist() == ["no", "yes"]
    with pytest.raises(DataError, match="softmax or sigmoid"):
        fit_preprocessor(data, output_activation="identity")


def test_split_is_seeded_and_stratified():
    labels = np.array(["a"] * 40 + ["b"] * 10)
    train, val = split_rows(50, 0.2, seed=3, labels=labels)
    assert len(val) == 10 and (labels[val] == "a").sum() == 8 and (labels[val] == "b").sum() == 2
    assert np.array_equal(np.sort(np.concatenate([train, val])), np.arange(50))
    again, _ = split_rows(50, 0.2, seed=3, labels=labels)
    other, _ = split_rows(50, 0.2, seed=4, labels=labels)
    np.testing.assert_array_equal(train, again)
    assert not np.array_equal(train, other)
    train, val = split_rows(10, 0.0, seed=1)
    assert len(val) == 0 and len(train) == 10
    with pytest.raises(DataError, match="too few rows"):
        split_rows(1, 0.5, seed=1)


def test_round_trip_through_a_dict():
    frame = pd.DataFrame({"size": [1.0, 2.0, 3.0], "color": ["red", "green", "red"], "output": [1.0, 5.0, 2.0]})
    pre = fit_preprocessor(dataset(frame), input_scaling="minmax", output_activation="tanh")
    from mlp_desktop.core.preprocessing import Preprocessor

    copy = Preprocessor.from_dict(pre.to_dict())
    np.testing.assert_array_equal(copy.transform_inputs(dataset(frame).frame), pre.transform_inputs(dataset(frame).frame))
    np.testing.assert_array_equal(copy.target_scale, pre.target_scale)


def test_transforming_no_rows_gives_empty_arrays():
    frame = pd.DataFrame({"x": [0.0, 1.0, 2.0, 3.0], "label": ["no", "yes", "no", "yes"]})
    data = dataset(frame)
    pre = fit_preprocessor(data, output_activation="softmax")
    empty = data.frame.iloc[[]]
    assert pre.transform_targets(empty).shape == (0, 2) and pre.transform_inputs(empty).shape == (0, 1)


@pytest.mark.parametrize("task_frame, scaling, output", [
    (HEALTH, "standard", "identity"),
    (HEALTH, "minmax", "sigmoid"),
    (HEALTH.assign(color=["red", "blue", "red", "green", "blue", "red"], label=list("abcabc"))
     .drop(columns="output"), "standard", "softmax"),
])
def test_transform_parts_gives_the_numbers_of_transforming_each_part(task_frame, scaling, output):
    data = dataset(task_frame)
    parts = (np.array([0, 2, 3, 5]), np.array([1, 4]), np.array([], dtype=int))
    expected = fit_preprocessor(data, parts[0], scaling, None, output)
    arrays = transform_parts(expected, data, parts)
    for rows, (inputs, targets) in zip(parts, arrays):
        frame = data.frame.iloc[rows]
        assert inputs.tobytes() == expected.transform_inputs(frame).tobytes() and inputs.flags.c_contiguous
        assert targets.tobytes() == expected.transform_targets(frame).tobytes()


def test_fitting_names_a_bad_value_in_the_training_rows():
    data = dataset(HEALTH.astype({"age": float}))
    data.frame.loc[1, "age"] = np.inf  # (fitted a slab of columns at a time; the encoding says where)
    with pytest.raises(DataError, match='Column "age" needs numbers, but row 2 of the given rows'):
        fit_preprocessor(data, np.array([0, 1, 2]))
    fit_preprocessor(data, np.array([0, 2, 3]))  # the bad row is not a training row


def test_transform_parts_names_a_bad_value_as_transforming_does():
    # The reader refuses such cells; a dataset changed afterwards still gets the same message.
    data = dataset(HEALTH.astype({"age": float}))
    data.frame.loc[4, "age"] = np.nan
    parts = (np.array([0, 1, 2]), np.array([3, 4, 5]), np.array([], dtype=int))
    with pytest.raises(DataError) as expected:
        fit_preprocessor(data, parts[0]).transform_inputs(data.frame.iloc[parts[1]])
    with pytest.raises(DataError) as got:
        transform_parts(fit_preprocessor(data, parts[0]), data, parts)
    assert str(got.value) == str(expected.value)


def test_plain_number_columns_are_encoded_at_once_with_each_columns_numbers():
    pre = fit_preprocessor(dataset())
    encoded = pre.encode_inputs(HEALTH)  # whole-number columns, converted as one block
    expected = np.column_stack([HEALTH[column].to_numpy(dtype=np.float64) for column in pre.inputs])
    assert encoded.tobytes() == expected.tobytes() and encoded.flags.writeable
    blank = HEALTH.astype(float)
    blank.loc[2, "diet"] = np.nan
    with pytest.raises(DataError, match='"diet" needs numbers, but row 3'):
        pre.encode_inputs(blank)


def test_scaling_fitted_a_block_of_columns_at_a_time_is_the_same_for_any_block(monkeypatch):
    from mlp_desktop.core import memory

    rng = np.random.default_rng(0)
    frame = pd.DataFrame(rng.normal(size=(50, 7)) * 10 + 3, columns=list("abcdefg")).assign(output=rng.normal(size=50))
    data, rows = dataset(frame), np.arange(0, 50, 2)
    whole = fit_preprocessor(data, rows)
    monkeypatch.setattr(memory, "BLOCK_BYTES", 8 * 25 * 3)  # three columns of the 25 training rows a block
    assert memory.columns_per_block(25) == 3 and memory.columns_per_block(10**9) == 1
    blocks = fit_preprocessor(data, rows)
    np.testing.assert_allclose(blocks.input_offset, whole.input_offset, rtol=1e-14)
    np.testing.assert_allclose(blocks.input_scale, whole.input_scale, rtol=1e-14)
    encoded = data.frame[list("abcdefg")].to_numpy()[rows]
    np.testing.assert_allclose(blocks.input_offset, encoded.mean(axis=0), rtol=1e-13)
    np.testing.assert_allclose(blocks.input_scale, encoded.std(axis=0), rtol=1e-13)


def test_the_fit_keeps_the_training_ranges_of_number_inputs():
    from mlp_desktop.core.preprocessing import input_ranges

    data, rows = dataset(), np.array([0, 2, 3])
    pre = fit_preprocessor(data, rows)
    assert pre.input_ranges == input_ranges(pre, data.frame, rows) == {"age": (17.0, 60.0), "exercise": (4.0, 8.0),
                                                                        "diet": (5.0, 7.0)}
    text = dataset(HEALTH.assign(color=["red", "blue", "red", "green", "blue", "red"]))
    with_text = fit_preprocessor(text, rows)  # a text input: a second pass over the number columns
    assert with_text.input_ranges == {"age": (17.0, 60.0), "exercise": (4.0, 8.0), "diet": (5.0, 7.0)}


def test_the_app_asks_numpy_for_no_huge_pages_in_its_process_and_children(monkeypatch):
    from mlp_desktop.core.memory import avoid_huge_page_stalls

    multiarray = np._core.multiarray
    before = multiarray._get_madvise_hugepage()
    monkeypatch.delenv("NUMPY_MADVISE_HUGEPAGE", raising=False)
    try:
        avoid_huge_page_stalls()
        assert multiarray._get_madvise_hugepage() is False
        assert os.environ["NUMPY_MADVISE_HUGEPAGE"] == "0"  # the training process imports NumPy with it
    finally:
        multiarray._set_madvise_hugepage(before)
