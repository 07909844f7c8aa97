"""The training thread: throttled, merged updates; clean stop and shutdown."""

import numpy as np

from mlp_desktop.core import TrainConfig
from mlp_desktop.core.data import prepare_dataset, read_table
from mlp_desktop.core.samples import sample_path
from mlp_desktop.core.session import TrainingSession
from mlp_desktop.gui.training.worker import MAX_PARAM_ROWS, TrainingController, TrainingUpdate


def update(epochs, n_params=3):
    epochs = np.asarray(epochs)
    return TrainingUpdate(epochs, epochs * 1.0, epochs * np.nan, np.full(n_params, epochs[-1] * 1.0),
                          np.ones((len(epochs), 2)),
                          int(epochs[-1]), 1000, 1.0, 10.0, epochs, np.repeat(epochs[:, None] * 1.0, n_params, 1))


def test_merging_keeps_every_rmse_and_a_bounded_number_of_snapshots():
    merged = update(np.arange(1, 201))
    for start in range(201, 1001, 200):
        merged = merged.merged_with(update(np.arange(start, start + 200)))
    np.testing.assert_array_equal(merged.epochs, np.arange(1, 1001))
    assert len(merged.param_epochs) <= MAX_PARAM_ROWS and merged.param_epochs[-1] == 1000
    np.testing.assert_array_equal(merged.param_rows[:, 0], merged.param_epochs)
    assert merged.epoch == 1000 and merged.params[0] == 1000 and merged.grad_rms.shape == (1000, 2)


def test_controller_trains_in_its_thread_and_shuts_down(qtbot):
    session = TrainingSession()
    session.set_dataset(prepare_dataset(read_table(sample_path("health_score"))))
    session.set_config(TrainConfig(epochs=3000, learning_rate=0.01, batch_size=1, seed=1))
    controller = TrainingController(session)
    updates = []
    controller.progress.connect(updates.append)
    with qtbot.waitSignal(controller.finished, timeout=20000) as finished:
        controller.start()
    final = finished.args[0]
    assert final.finished and final.epoch == 3000
    seen = np.concatenate([u.epochs for u in updates] + [final.epochs])
    np.testing.assert_array_equal(seen, np.arange(1, 3001))  # every epoch's RMSE arrives exactly once
    assert controller.state == "idle" and session.history.last_epoch == 3000
    assert controller.shutdown() and controller.thread.isFinished()
    assert controller.process._process is None
