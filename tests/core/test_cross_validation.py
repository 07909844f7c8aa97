"""Cross-validation: stratified folds, per-fold metrics, mean and spread, progress and cancel."""

import json
import threading
from dataclasses import replace

import numpy as np
import pytest

from mlp_desktop.core import DataError, TrainConfig
from mlp_desktop.core.cross_validation import (CrossValidationProgress, cross_validate, describe,
                                               fold_rows)
from mlp_desktop.core.data import prepare_dataset, read_table
from mlp_desktop.core.model import NetworkSpec, fit_model
from mlp_desktop.core.samples import sample_path


@pytest.fixture(scope="module")
def iris():
    return prepare_dataset(read_table(sample_path("iris")))


@pytest.fixture(scope="module")
def health():
    return prepare_dataset(read_table(sample_path("health_score")))


FAST = TrainConfig(epochs=15, learning_rate=0.05, batch_size=16, seed=1, optimizer="adam")


def test_folds_partition_the_rows_and_keep_class_shares():
    labels = np.array(["a"] * 50 + ["b"] * 25 + ["c"] * 10)
    folds = fold_rows(85, 5, np.random.default_rng(0), labels)
    assert sorted(np.concatenate(folds).tolist()) == list(range(85))
    assert [len(f) for f in folds] == [17] * 5
    for fold in folds:
        assert [(labels[fold] == c).sum() for c in "abc"] == [10, 5, 2]
    again = fold_rows(85, 5, np.random.default_rng(0), labels)
    assert all(np.array_equal(a, b) for a, b in zip(folds, again))
    plain = fold_rows(10, 3, np.random.default_rng(1))
    assert sorted(len(f) for f in plain) == [3, 3, 4]


def test_classification_reports_accuracy_per_fold_with_mean_and_std(iris):
    result = cross_validate(iris, NetworkSpec(hidden_layers=[6]), FAST, folds=3)
    assert result.metrics == ("accuracy",) and len(result.folds) == 3 and not result.stopped
    assert [f["fold"] for f in result.folds] == [1, 2, 3] and all(f["n_test"] == 50 for f in result.folds)
    accuracies = [f["accuracy"] for f in result.folds]
    assert result.mean["accuracy"] == pytest.approx(np.mean(accuracies))
    assert result.std["accuracy"] == pytest.approx(np.std(accuracies))
    assert result.mean["accuracy"] > 0.7
    data = json.loads(json.dumps(result.to_dict()))
    assert set(data) >= {"folds", "mean", "std"} and set(data["mean"]) == {"accuracy"}
    assert "mean ± std: accuracy" in describe(result)


def test_regression_reports_rmse_mae_and_r2(health):
    result = cross_validate(health, NetworkSpec(hidden_layers=[2]), TrainConfig(epochs=20, optimizer="lm", seed=0),
                            folds=3, input_scaling="minmax")
    assert result.metrics == ("rmse", "mae", "r2")
    assert set(result.mean) == set(result.std) == {"rmse", "mae", "r2"}
    assert all(f["n_test"] == 2 and f["n_train"] == 4 for f in result.folds)


def test_each_fold_is_a_fit_from_the_same_initial_settings(iris):
    spec = NetworkSpec(hidden_layers=[4])
    result = cross_validate(iris, spec, FAST, folds=3)
    test_rows = fold_rows(150, 3, np.random.default_rng(FAST.seed),
                          iris.frame[iris.targets[0]].astype(str).to_numpy())
    for row, rows in zip(result.folds, test_rows):
        train_rows = np.setdiff1d(np.arange(150), rows)
        part = iris.take(train_rows)
        model, _ = fit_model(part, spec, FAST)
        assert row["accuracy"] == model.evaluate(iris.frame.iloc[rows])["accuracy"]


def test_repeats_redeal_the_rows_and_the_seed_reproduces_everything(iris):
    config = replace(FAST, epochs=3)
    first = cross_validate(iris, NetworkSpec(hidden_layers=[3]), config, folds=2, repeats=2)
    again = cross_validate(iris, NetworkSpec(hidden_layers=[3]), config, folds=2, repeats=2)
    assert [(f["repeat"], f["fold"]) for f in first.folds] == [(1, 1), (1, 2), (2, 1), (2, 2)]
    assert first.to_dict() == again.to_dict()
    rng = np.random.default_rng(config.seed)
    labels = iris.frame[iris.targets[0]].astype(str).to_numpy()
    deal_1, deal_2 = fold_rows(150, 2, rng, labels), fold_rows(150, 2, rng, labels)
    assert not np.array_equal(deal_1[0], deal_2[0])


def test_progress_and_cancel(iris):
    stop = threading.Event()
    seen = []

    def on_progress(progress: CrossValidationProgress):
        seen.append(progress)
        if progress.fold_result is not None:
            stop.set()  # cancel after the first finished run

    result = cross_validate(iris, NetworkSpec(hidden_layers=[3]), replace(FAST, epochs=5), folds=3,
                            on_progress=on_progress, stop_event=stop)
    assert result.stopped and len(result.folds) == 1
    finished = [p for p in seen if p.fold_result is not None]
    assert len(finished) == 1 and finished[0].runs_done == 1 and finished[0].fraction_done == pytest.approx(1 / 3)
    assert finished[0].fold_result["accuracy"] == result.folds[0]["accuracy"]
    assert all(p.n_runs == 3 for p in seen)


def test_a_stop_during_training_drops_the_unfinished_run(iris):
    stop = threading.Event()

    def on_progress(progress):
        if progress.fold == 2 and progress.fold_result is None:
            stop.set()

    # NumPy: the compiled kernel finishes a fold's 300 epochs before its first progress report
    result = cross_validate(iris, NetworkSpec(hidden_layers=[3]),
                            replace(FAST, epochs=300, batch_size=1, engine="numpy"),
                            folds=3, on_progress=on_progress, stop_event=stop)
    assert result.stopped and [f["fold"] for f in result.folds] == [1]


def test_bad_settings_explain_themselves(health):
    with pytest.raises(DataError, match="number of folds must be a whole number of at least 2"):
        cross_validate(health, folds=1)
    with pytest.raises(DataError, match="6 rows, too few to make 7 folds"):
        cross_validate(health, folds=7)
    with pytest.raises(DataError, match="repeats"):
        cross_validate(health, folds=2, repeats=0)
    with pytest.raises(DataError, match=r"Fold 1 of 2: Early stopping"):
        cross_validate(health, config=TrainConfig(epochs=2, early_stopping_patience=2), folds=2)


def test_an_undefined_r2_reads_n_a_not_nan():
    from mlp_desktop.core.cross_validation import CrossValidationResult

    folds = [{"repeat": 1, "fold": k, "n_test": 2, "rmse": 0.5, "mae": 0.4, "r2": r2}
             for k, r2 in ((1, float("nan")), (2, 0.8))]  # fold 1's test targets were all equal
    text = describe(CrossValidationResult("regression", ("rmse", "mae", "r2"), 2, 1, folds))
    assert "fold 1 (2 test rows): RMSE 0.5, MAE 0.4, R² n/a" in text and "nan" not in text
    assert "R² 0.8 ± 0" in text  # the mean of the folds where it is defined
    alone = describe(CrossValidationResult("regression", ("rmse", "mae", "r2"), 1, 1, folds[:1]))
    assert alone.endswith("R² n/a")
