"""The training thread: throttled, merged updates; clean stop and shutdown."""

import numpy as np
import pytest

from mlp_desktop.core import training_process
from mlp_desktop.core.errors import DataError
from mlp_desktop.core.data import read_table
from mlp_desktop.core.samples import sample_path
from mlp_desktop.core.workspace import Workspace
from mlp_desktop.core.training_process import InProcessRunner, TrainingProcess
from mlp_desktop.gui.training.worker import MAX_PARAM_ROWS, TrainingController, TrainingUpdate


def update(epochs, n_params=3):
    epochs = np.asarray(epochs)
    return TrainingUpdate(epoch=int(epochs[-1]), final_epoch=1000, train_rmse=float(epochs[-1]), val_rmse=np.nan,
                          params=np.full(n_params, epochs[-1] * 1.0), epochs=epochs, train_rmses=epochs * 1.0,
                          val_rmses=epochs * np.nan, layer_grad_rms=np.ones((len(epochs), 2)), elapsed_seconds=1.0,
                          epochs_per_second=10.0, param_epochs=epochs,
                          param_rows=np.repeat(epochs[:, None] * 1.0, n_params, 1), learning_rates=epochs * 0.01)


def test_merging_keeps_every_rmse_and_a_bounded_number_of_snapshots():
    merged = update(np.arange(1, 201))
    for start in range(201, 1001, 200):
        merged = merged.followed_by(update(np.arange(start, start + 200)), MAX_PARAM_ROWS)
    np.testing.assert_array_equal(merged.epochs, np.arange(1, 1001))
    assert len(merged.param_epochs) <= MAX_PARAM_ROWS and merged.param_epochs[-1] == 1000
    np.testing.assert_array_equal(merged.param_rows[:, 0], merged.param_epochs)
    assert merged.epoch == 1000 and merged.params[0] == 1000 and merged.layer_grad_rms.shape == (1000, 2)
    np.testing.assert_array_equal(merged.learning_rates, np.arange(1, 1001) * 0.01)  # nothing is dropped


def health_workspace(epochs: int, controller: TrainingController) -> Workspace:
    """A workspace on the health-score sample whose runner is ``controller``."""
    workspace = Workspace(controller)
    controller.workspace = workspace
    workspace.open_table(read_table(sample_path("health_score")))
    workspace.set_settings(epochs=epochs, learning_rate=0.01, batch_size=1, seed=1)
    return workspace


@pytest.mark.training_process
def test_controller_trains_in_its_thread_and_shuts_down(qtbot):
    controller = TrainingController()
    workspace = health_workspace(3000, controller)
    assert isinstance(controller.process, TrainingProcess)  # the test is marked training_process
    updates = []
    controller.progress.connect(updates.append)
    with qtbot.waitSignal(controller.finished, timeout=20000) as finished:
        workspace.train()
    final = finished.args[0]
    assert final.finished and final.epoch == 3000
    seen = np.concatenate([u.epochs for u in updates] + [final.epochs])
    np.testing.assert_array_equal(seen, np.arange(1, 3001))  # every epoch's RMSE arrives exactly once
    assert controller.state == "idle" and workspace.history.last_epoch == 3000
    assert workspace.run_state == "finished"
    assert controller.shutdown() and controller.thread.isFinished()
    assert controller.process._process is None


def test_other_gui_tests_train_in_process_on_copies_like_the_child(qtbot):
    controller = TrainingController()
    workspace = health_workspace(500, controller)
    history_before, params_before = workspace.history, workspace.net.get_parameters()
    assert isinstance(controller.process, InProcessRunner)  # tests/gui/conftest.py chose it
    updates = []
    controller.progress.connect(updates.append)
    with qtbot.waitSignal(controller.finished, timeout=20000) as finished:
        workspace.train()
    seen = np.concatenate([u.epochs for u in updates] + [finished.args[0].epochs])
    np.testing.assert_array_equal(seen, np.arange(1, 501))
    # As through the pipe: the run worked on copies, the session received new objects.
    assert history_before.last_epoch == 0 and workspace.history is not history_before
    assert workspace.history.last_epoch == 500 and not np.array_equal(workspace.net.get_parameters(), params_before)
    assert controller.shutdown() and controller.thread.isFinished()


def test_a_result_nobody_waits_for_is_ignored(qtbot):
    """A run ended for an edit while paused may still report; the workspace keeps what it has."""
    controller = TrainingController()
    workspace = health_workspace(10_000_000, controller)
    workspace.train()
    qtbot.waitUntil(lambda: workspace.epoch > 5, timeout=10000)
    workspace.pause()
    qtbot.waitUntil(lambda: workspace.can_save, timeout=5000)
    workspace.graph.add_neuron(1)  # ends the run in the runner; its final result is stale
    epoch = workspace.history.last_epoch
    qtbot.waitUntil(lambda: not controller.is_busy(), timeout=10000)
    qtbot.wait(50)
    assert workspace.run_state == "paused" and workspace.history.last_epoch == epoch
    assert workspace.net.layer_sizes == (3, 3, 1)
    assert controller.shutdown()


@pytest.mark.parametrize("error, message", [(DataError("Row 3 of data.csv is empty."), "Row 3 of data.csv is empty."),
                                            (ValueError("boom"), "Training failed unexpectedly: boom")])
def test_the_in_process_runner_reports_errors_as_the_child_does(qtbot, monkeypatch, error, message):
    def fail(*args, **kwargs):
        raise error

    monkeypatch.setattr(training_process, "run_job", fail)
    controller = TrainingController()
    workspace = health_workspace(10, controller)
    events = []
    workspace.subscribe(lambda event: event.kind == "failed" and events.append(event.detail))
    with qtbot.waitSignal(controller.failed, timeout=10000) as failed:
        workspace.train()
    assert failed.args[0] == message and events == [tuple(failed.args)]
    assert ("Traceback" in failed.args[1]) == (not isinstance(error, DataError))
    assert controller.state == "idle" and workspace.run_state == "idle" and controller.shutdown()


def test_the_app_itself_trains_in_a_child_process(in_process_training):
    assert in_process_training is TrainingProcess  # the factory the app uses, before the tests' swap


def test_the_training_process_starts_after_the_window_is_built_not_inside_it(qtbot, monkeypatch):
    from mlp_desktop.gui.training import worker

    starts = []

    class Runner(InProcessRunner):
        def start(self):
            starts.append(1)

    monkeypatch.setattr(worker, "RUNNER_FACTORY", Runner)
    controller = TrainingController()
    assert starts == []  # its Python start would compete with the window's first frame
    qtbot.waitUntil(lambda: starts == [1], timeout=2000)
    controller.shutdown()

    late = TrainingController()
    late.shutdown()  # closed before the event loop ran: no child is started afterwards
    qtbot.wait(20)
    assert starts == [1]
