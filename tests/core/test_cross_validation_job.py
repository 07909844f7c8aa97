"""Cross-validation as a job of the training runners: progress, result, cancel and errors."""

import time
from dataclasses import replace

import pytest

from mlp_desktop.core import TrainConfig
from mlp_desktop.core.cross_validation import CrossValidationProgress, cross_validate
from mlp_desktop.core.data import prepare_dataset, read_table
from mlp_desktop.core.model import NetworkSpec
from mlp_desktop.core.samples import sample_path
from mlp_desktop.core.training_process import (CrossValidationJob, InProcessRunner, TrainingFailed,
                                               TrainingProcess, run_cross_validation)

FAST = TrainConfig(epochs=5, learning_rate=0.05, batch_size=16, seed=1, optimizer="adam")


@pytest.fixture(scope="module")
def iris():
    return prepare_dataset(read_table(sample_path("iris")))


def job(dataset, **changes):
    return replace(CrossValidationJob(dataset, NetworkSpec(hidden_layers=[3]), FAST, folds=3), **changes)


def test_run_cross_validation_is_cross_validate(iris):
    result = run_cross_validation(job(iris), None)
    expected = cross_validate(iris, NetworkSpec(hidden_layers=[3]), FAST, folds=3)
    assert result.to_dict() == expected.to_dict()


def test_in_process_runner_reports_progress_and_returns_a_copy(iris):
    runner = InProcessRunner()
    seen = []
    result = runner.cross_validate(job(iris), seen.append)
    assert [row["fold"] for row in result.folds] == [1, 2, 3]
    assert all(isinstance(p, CrossValidationProgress) for p in seen)
    assert [p.fold_result["fold"] for p in seen if p.fold_result is not None] == [1, 2, 3]
    assert seen[-1].fraction_done == 1.0
    assert not result.stopped


def test_in_process_runner_stops_on_its_stop_flag(iris):
    runner = InProcessRunner()

    def on_progress(progress):
        if progress.fold_result is not None:
            runner.stop_event.set()

    result = runner.cross_validate(job(iris), on_progress)
    assert result.stopped and len(result.folds) == 1


def test_in_process_runner_turns_bad_settings_into_training_failed(iris):
    with pytest.raises(TrainingFailed, match="folds"):
        InProcessRunner().cross_validate(job(iris, folds=1), lambda progress: None)


def test_the_child_process_cross_validates_and_reports_errors(iris):
    process = TrainingProcess()
    try:
        started = time.perf_counter()
        seen = []
        result = process.cross_validate(job(iris, folds=2), seen.append)
        assert len(result.folds) == 2 and seen and seen[-1].fold_result is not None
        with pytest.raises(TrainingFailed, match="folds"):
            process.cross_validate(job(iris, folds=1), seen.append)
        assert time.perf_counter() - started < 10
    finally:
        process.close()
