"""Training: worked examples, update modes, reproducibility, stopping, divergence, validation."""

import copy
import threading
import time
from dataclasses import replace

import numpy as np
import pytest

from mlp_desktop.core import MLP, DataError, History, TrainConfig, train
from mlp_desktop.core.training import split_validation

AND_X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
AND_Y = np.array([[0], [0], [0], [1]], dtype=float)
XOR_Y = np.array([[0], [1], [1], [0]], dtype=float)

# The six-person health-score table (age, exercise, diet -> score 1..10) from the tutorial.
HEALTH_X = np.array([[60, 8, 7], [63, 2, 2], [17, 7, 7], [35, 4, 5], [90, 1, 1], [10, 9, 7]], dtype=float)
HEALTH_Y = np.array([[7], [3], [9], [6], [1], [10]], dtype=float)


def test_binary_and_reaches_full_accuracy():
    net = MLP([2, 1], ["sigmoid"], init="uniform", init_range=(0.0, 1.0), seed=100)
    history = train(net, AND_X, AND_Y, TrainConfig(epochs=3000, learning_rate=1.0, batch_size=1,
                                                   loss="cross_entropy"))
    predictions = (net.forward(AND_X) > 0.5).astype(float)
    np.testing.assert_array_equal(predictions, AND_Y)
    assert history.train_rmse[-1] < history.initial_train_rmse


def test_xor_with_tanh_hidden_layer_reaches_full_accuracy():
    net = MLP([2, 3, 1], ["tanh", "sigmoid"], init="uniform", seed=1)
    train(net, AND_X, XOR_Y, TrainConfig(epochs=3000, learning_rate=0.5, batch_size=1, loss="cross_entropy"))
    np.testing.assert_array_equal((net.forward(AND_X) > 0.5).astype(float), XOR_Y)


def test_health_score_network_learns():
    # The tutorial's 3-2-1 identity network: inputs divided by (101, 11, 11), weights in [0.1, 0.9),
    # zero biases, learning rate 0.005, 2000 full-batch epochs on the raw scores.
    X = HEALTH_X / np.array([101.0, 11.0, 11.0])
    net = MLP([3, 2, 1], ["identity", "identity"], init="uniform", init_range=(0.1, 0.9), seed=1)
    history = train(net, X, HEALTH_Y, TrainConfig(epochs=2000, learning_rate=0.005, batch_size=None))
    assert history.epochs[-1] == 2000
    assert history.train_rmse[-1] < 0.5 * history.initial_train_rmse
    assert history.train_rmse[-1] < 2.0
    assert np.all(np.diff(history.train_rmse) <= 1e-12)  # a small full-batch step only goes down


def test_one_hand_computed_sgd_step():
    # 2-2-1, sigmoid hidden and output, MSE (not halved), one sample (0.05, 0.10) -> 0.01, lr 0.5.
    # h = s(x W1 + b1) = (0.593269992, 0.596884378); o = s(h W2 + b2) = 0.751365070
    # delta_o = 2 (o - t) o (1 - o) = 0.276997123; dW2 = delta_o h; delta_h = delta_o W2 h (1 - h)
    net = MLP([2, 2, 1], ["sigmoid", "sigmoid"], seed=0)
    net.weights = [np.array([[0.15, 0.25], [0.20, 0.30]]), np.array([[0.40], [0.45]])]
    net.biases = [np.array([0.35, 0.35]), np.array([0.60])]
    X, Y = np.array([[0.05, 0.10]]), np.array([[0.01]])
    loss, weight_grads, bias_grads = net.loss_and_gradients(X, Y)
    assert loss == pytest.approx(0.54962216635231, rel=1e-12)
    np.testing.assert_allclose(weight_grads[1].ravel(), [0.16433408112846154, 0.1653352556950665], rtol=1e-12)
    np.testing.assert_allclose(bias_grads[1], [0.2769971232571139], rtol=1e-12)
    np.testing.assert_allclose(weight_grads[0].ravel(), [0.001336792042288746, 0.0014996075488896852,
                                                         0.002673584084577492, 0.0029992150977793705], rtol=1e-12)
    train(net, X, Y, TrainConfig(epochs=1, learning_rate=0.5, batch_size=1))
    expected = [0.14933160397885561, 0.24925019622555517, 0.19866320795771125, 0.2985003924511103,
                0.3366320795771125, 0.3350039245111031, 0.3178329594357693, 0.3673323721524668,
                0.46150143837144303]
    np.testing.assert_allclose(net.get_parameters(), expected, rtol=1e-13)


def manual_epoch(net, X, Y, batch, lr, loss="mse"):
    """Reference: each step's gradient from loss_and_gradients at the pre-step weights."""
    for first in range(0, len(X), batch):
        _, gw, gb = net.loss_and_gradients(X[first:first + batch], Y[first:first + batch], loss)
        grad = np.concatenate([np.concatenate([w.ravel(), b]) for w, b in zip(gw, gb)])
        net.set_parameters(net.get_parameters() - lr * grad)


@pytest.mark.parametrize("batch_size", [1, 3, 4, None])
def test_update_modes_match_a_reference_loop(batch_size):
    rng = np.random.default_rng(5)
    X, Y = rng.normal(size=(10, 3)), rng.normal(size=(10, 2))
    net = MLP([3, 4, 2], ["tanh", "identity"], seed=2)
    reference = net.copy()
    history = train(net, X, Y, TrainConfig(epochs=3, learning_rate=0.1, batch_size=batch_size))
    for _ in range(3):
        manual_epoch(reference, X, Y, batch_size or len(X), 0.1)
    np.testing.assert_allclose(net.get_parameters(), reference.get_parameters(), rtol=1e-12, atol=1e-14)
    final_rmse = np.sqrt(np.mean((reference.forward(X) - Y) ** 2))
    assert history.train_rmse[-1] == pytest.approx(final_rmse, rel=1e-12)
    np.testing.assert_array_equal(history.params[-1], net.get_parameters())


def test_momentum_is_classical():
    rng = np.random.default_rng(6)
    X, Y = rng.normal(size=(8, 2)), rng.normal(size=(8, 1))
    net = MLP([2, 3, 1], ["sigmoid", "identity"], seed=4)
    reference = net.copy()
    train(net, X, Y, TrainConfig(epochs=5, learning_rate=0.05, momentum=0.9))
    velocity = np.zeros(reference.n_parameters)
    for _ in range(5):
        _, gw, gb = reference.loss_and_gradients(X, Y)
        grad = np.concatenate([np.concatenate([w.ravel(), b]) for w, b in zip(gw, gb)])
        velocity = 0.9 * velocity - 0.05 * grad
        reference.set_parameters(reference.get_parameters() + velocity)
    np.testing.assert_allclose(net.get_parameters(), reference.get_parameters(), rtol=1e-12)


def test_softmax_classification_learns():
    rng = np.random.default_rng(0)
    centers = np.array([[0, 0], [3, 0], [0, 3]])
    labels = rng.integers(0, 3, 150)
    X = centers[labels] + rng.normal(scale=0.5, size=(150, 2))
    Y = np.eye(3)[labels]
    net = MLP([2, 6, 3], ["tanh", "softmax"], seed=0)
    train(net, X, Y, TrainConfig(epochs=200, learning_rate=0.1, batch_size=16, loss="cross_entropy",
                                 shuffle=True, seed=3))
    assert (net.forward(X).argmax(axis=1) == labels).mean() > 0.95


def run(seed, shuffle=True, **kwargs):
    rng = np.random.default_rng(11)
    X, Y = rng.normal(size=(30, 3)), rng.normal(size=(30, 1))
    net = MLP([3, 5, 1], ["tanh", "identity"], seed=seed)
    config = TrainConfig(epochs=20, learning_rate=0.05, batch_size=4, shuffle=shuffle, seed=seed,
                         validation_fraction=0.2, **kwargs)
    return train(net, X, Y, config), net


def test_same_seed_gives_identical_history_other_seed_differs():
    (h1, n1), (h2, n2), (h3, n3) = run(7), run(7), run(8)
    np.testing.assert_array_equal(h1.params, h2.params)
    np.testing.assert_array_equal(h1.train_rmse, h2.train_rmse)
    np.testing.assert_array_equal(h1.val_rmse, h2.val_rmse)
    np.testing.assert_array_equal(n1.get_parameters(), n2.get_parameters())
    assert not np.array_equal(h1.train_rmse, h3.train_rmse)


def test_validation_rows_are_never_trained_on():
    rng = np.random.default_rng(3)
    X, Y = rng.normal(size=(40, 2)), rng.normal(size=(40, 1))
    config = TrainConfig(epochs=10, learning_rate=0.05, batch_size=5, shuffle=True, seed=9,
                         validation_fraction=0.25)
    with_split = MLP([2, 4, 1], ["tanh", "identity"], seed=1)
    history = train(with_split, X, Y, config)
    # Same seed, same split: training on the training rows alone must give the same weights,
    # whatever the validation rows hold.
    split = split_validation(X, Y, 0.25, np.random.default_rng(9))
    assert len(split.X_val) == 10 and len(split.X) == 30
    Y_poisoned = Y.copy()
    rows = [i for i in range(40) if not any((X[i] == split.X).all(axis=1))]
    Y_poisoned[rows] = 1e6
    poisoned = MLP([2, 4, 1], ["tanh", "identity"], seed=1)
    poisoned_history = train(poisoned, X, Y_poisoned, config)
    np.testing.assert_array_equal(with_split.get_parameters(), poisoned.get_parameters())
    np.testing.assert_array_equal(history.train_rmse, poisoned_history.train_rmse)
    assert (poisoned_history.val_rmse > 1e5).all() and np.isfinite(history.val_rmse).all()


def test_validation_data_can_be_given():
    net = MLP([2, 1], ["sigmoid"], seed=0)
    history = train(net, AND_X, AND_Y, TrainConfig(epochs=5, learning_rate=0.5),
                    validation_data=(AND_X[:2], AND_Y[:2]))
    assert np.isfinite(history.val_rmse).all()
    assert np.isnan(train(net, AND_X, AND_Y, TrainConfig(epochs=2)).val_rmse).all()


def test_divergence_stops_with_a_clear_message_and_restores_weights():
    net = MLP([3, 4, 1], ["relu", "identity"], seed=0)
    history = train(net, HEALTH_X, HEALTH_Y, TrainConfig(epochs=500, learning_rate=1e6, batch_size=1))
    assert history.stop_reason == "diverged"
    assert "diverged at epoch" in history.message and "lower learning rate" in history.message
    assert np.isfinite(net.get_parameters()).all()
    assert np.isfinite(history.train_rmse).all() and np.isfinite(history.params).all()
    assert history.last_epoch < 500


def test_target_rmse_stops_early():
    net = MLP([2, 1], ["sigmoid"], init="uniform", seed=100)
    history = train(net, AND_X, AND_Y, TrainConfig(epochs=100000, learning_rate=1.0, batch_size=1, target_rmse=0.1))
    assert history.stop_reason == "target_reached"
    assert history.train_rmse[-1] <= 0.1 < history.train_rmse[-2]
    assert history.last_epoch < 100000


def test_stop_event_returns_history_so_far():
    stop = threading.Event()
    reports = []

    def on_progress(report):
        reports.append(report)
        if report.epoch >= 50:
            stop.set()

    net = MLP([2, 3, 1], ["tanh", "identity"], seed=0)
    history = train(net, AND_X, XOR_Y, TrainConfig(epochs=10**7, learning_rate=0.1, batch_size=1),
                    on_progress=on_progress, stop_event=stop, progress_every=1, progress_interval=None)
    assert history.stop_reason == "stopped"
    assert history.last_epoch in (50, 51)
    assert reports[-1].finished and reports[-1].stop_reason == "stopped"
    np.testing.assert_array_equal(reports[-1].params, net.get_parameters())


def test_stop_event_already_set_runs_nothing():
    stop = threading.Event()
    stop.set()
    net = MLP([2, 1], ["sigmoid"], seed=0)
    before = net.get_parameters()
    history = train(net, AND_X, AND_Y, TrainConfig(epochs=10), stop_event=stop)
    assert history.stop_reason == "stopped" and history.last_epoch == 0 and len(history) == 0
    np.testing.assert_array_equal(net.get_parameters(), before)


def test_pause_event_waits_and_resumes():
    pause = threading.Event()
    pause.set()
    result = {}

    def worker():
        net = MLP([2, 1], ["sigmoid"], seed=0)
        result["history"] = train(net, AND_X, AND_Y, TrainConfig(epochs=5), pause_event=pause)

    thread = threading.Thread(target=worker)
    thread.start()
    time.sleep(0.2)
    assert thread.is_alive() and "history" not in result
    pause.clear()
    thread.join(5)
    assert result["history"].last_epoch == 5


def test_progress_reports_are_throttled_and_complete():
    reports = []
    net = MLP([2, 3, 1], ["tanh", "identity"], seed=0)
    history = train(net, AND_X, XOR_Y, TrainConfig(epochs=100, learning_rate=0.1), on_progress=reports.append,
                    progress_every=10, progress_interval=None)
    assert [r.epoch for r in reports] == list(range(10, 101, 10)) + [100]
    assert reports[-1].finished and reports[-1].stop_reason == "completed"
    traced = np.concatenate([r.epochs for r in reports])
    np.testing.assert_array_equal(traced, np.arange(1, 101))
    np.testing.assert_array_equal(np.concatenate([r.train_rmses for r in reports]), history.train_rmse)
    assert reports[0].layer_grad_rms.shape == (10, 2) and (reports[0].layer_grad_rms > 0).all()
    assert reports[-1].layer_grad_rms.shape == (0, 2)  # the final report adds no new epoch
    assert reports[0].params is not reports[1].params
    # time-based throttling: a long interval reports only the final state
    few = []
    train(net, AND_X, XOR_Y, TrainConfig(epochs=100), on_progress=few.append, progress_interval=3600)
    assert len(few) == 1 and few[0].finished


def test_continuing_a_history_numbers_epochs_on():
    net = MLP([2, 1], ["sigmoid"], seed=0)
    history = train(net, AND_X, AND_Y, TrainConfig(epochs=5))
    train(net, AND_X, AND_Y, TrainConfig(epochs=3), history=history)
    np.testing.assert_array_equal(history.epochs, np.arange(1, 9))


def test_history_of_a_long_run_is_bounded_and_evenly_spread():
    net = MLP([1, 1], ["identity"], seed=0)
    history = train(net, [[1.0]], [[0.5]], TrainConfig(epochs=20000, learning_rate=1e-4))
    epochs = history.epochs
    assert 1024 <= len(epochs) <= 2048 and epochs[-1] == 20000
    steps = np.diff(epochs[:-1])
    assert (steps == steps[0]).all() and steps[0] in (16, 32)
    assert history.params.shape == (len(epochs), 2)


def test_history_memory_bound_for_a_million_epochs():
    names = [f"p{i}" for i in range(11)]
    history = History(names)
    params = np.zeros(11)
    # Epoch by epoch (the NumPy engine's way) through six thinnings of the default bound, then the
    # rest a block at a time (the compiled engine's way; the same record as appending each epoch,
    # test_series.py): a million single appends took 3 s and thin only three times more.
    for epoch in range(1, 100_001):
        history.append(epoch, 1.0, np.nan, params)
    for first in range(100_001, 1_000_001, 10_000):
        epochs = np.arange(first, first + 10_000, dtype=np.float64)
        history.extend(epochs, (np.column_stack([np.ones(epochs.size), np.full(epochs.size, np.nan)]),
                                np.zeros((epochs.size, 11))), np.full(epochs.size, np.nan))
    assert 1000 <= len(history) <= 2048 and history.epochs[-1] == 1_000_000
    big = History([f"p{i}" for i in range(50_890)])  # a 784-64-10 network
    params = np.zeros(50_890)
    for epoch in range(1, 2001):
        big.append(epoch, 1.0, np.nan, params)
    assert big.nbytes <= 64 * 2**20 + 2 * params.nbytes
    assert big.epochs[-1] == 2000 and len(big) >= big.capacity // 2


def test_a_history_s_last_parameters_are_its_last_epoch_s_even_when_thinned():
    history = History(["a", "b"], max_rows=16)
    with pytest.raises(IndexError):
        history.last_params
    for epoch in range(1, 1001):  # thinned: not every epoch is kept
        history.append(epoch, 1.0, np.nan, np.array([epoch, -epoch], dtype=float))
    np.testing.assert_array_equal(history.last_params, [1000.0, -1000.0])
    np.testing.assert_array_equal(history.last_params, history.params[-1])


def test_history_table_has_every_parameter_by_name():
    net = MLP([3, 2, 1], ["sigmoid", "identity"], seed=0)
    history = train(net, HEALTH_X / 100, HEALTH_Y, TrainConfig(epochs=4))
    frame = history.to_frame()
    assert list(frame.columns) == ["epoch", "train_rmse", "val_rmse"] + net.parameter_names()
    assert frame["epoch"].tolist() == [0, 1, 2, 3, 4]  # epoch 0: the weights before training
    assert frame.iloc[0, 3:].tolist() == history.initial_params.tolist()
    assert history.to_frame(include_initial=False)["epoch"].tolist() == [1, 2, 3, 4]


@pytest.mark.parametrize("settings,message", [
    ({"epochs": -1}, "Epochs"),
    ({"epochs": 2.5}, "whole number"),
    ({"learning_rate": 0}, "greater than 0"),
    ({"learning_rate": float("nan")}, "finite"),
    ({"learning_rate": "fast"}, "must be a number"),
    ({"batch_size": 0}, "Batch size"),
    ({"momentum": 1.0}, "Momentum"),
    ({"validation_fraction": 1.0}, "Validation share"),
    ({"target_rmse": -1}, "Target RMSE must be at least 0"),
    ({"loss": "hinge"}, "Unknown loss"),
])
def test_invalid_settings_explain_themselves(settings, message):
    with pytest.raises(DataError, match=message):
        TrainConfig(**settings)


def test_bad_training_data_explains_itself():
    net = MLP([2, 1], ["sigmoid"], seed=0)
    with pytest.raises(DataError, match="4 input rows but 3 target rows"):
        train(net, AND_X, AND_Y[:3])
    X = AND_X.copy()
    X[2, 1] = np.nan
    with pytest.raises(DataError, match=r"row 3, column 2"):
        train(net, X, AND_Y)
    with pytest.raises(DataError, match="too few rows"):
        train(net, AND_X[:1], AND_Y[:1], TrainConfig(validation_fraction=0.5))


def test_zero_epochs_is_a_graceful_no_op():
    net = MLP([2, 1], ["sigmoid"], seed=0)
    before = net.get_parameters()
    history = train(net, AND_X, AND_Y, TrainConfig(epochs=0))
    assert history.stop_reason == "completed" and len(history) == 0
    assert np.isfinite(history.initial_train_rmse)
    np.testing.assert_array_equal(net.get_parameters(), before)


def test_reports_carry_thinned_parameter_snapshots():
    reports = []
    net = MLP([2, 3, 1], ["tanh", "identity"], seed=0)
    history = train(net, AND_X, XOR_Y, TrainConfig(epochs=1000, learning_rate=0.1), on_progress=reports.append,
                    progress_every=500, progress_interval=None)
    first = reports[0]
    assert 32 <= len(first.param_epochs) <= 65 and first.param_epochs[-1] == 500
    steps = np.diff(first.param_epochs[:-1])
    assert (steps == steps[0]).all()  # evenly spread, plus the latest epoch
    row = list(history.epochs).index(first.param_epochs[-1])
    np.testing.assert_array_equal(first.param_rows[-1], history.params[row])
    assert first.param_rows.shape[1] == net.n_parameters


# -- issue 14: early stopping, test split, class weights, schedules over runs, new settings ------
from mlp_desktop.core.preprocessing import split_rows, split_rows_three  # noqa: E402
from mlp_desktop.core.training import split_test  # noqa: E402


def overfitting_problem(n=40, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.uniform(-1, 1, size=(n, 1))
    return X, np.sin(3 * X) + 0.3 * rng.normal(size=(n, 1))


def test_early_stopping_restores_exactly_the_best_epoch():
    X, Y = overfitting_problem()
    net = MLP([1, 30, 1], ["tanh", "identity"], seed=0)
    reports = []
    config = TrainConfig(epochs=5000, learning_rate=0.02, optimizer="adam", batch_size=4, shuffle=True, seed=1,
                         validation_fraction=0.3, early_stopping_patience=15)
    history = train(net, X, Y, config, on_progress=reports.append, progress_every=1, progress_interval=None)
    assert history.stop_reason == "early_stopped"
    best = history.best_epoch
    assert 0 < best and history.last_epoch == best + 15 < 5000
    row = list(history.epochs).index(best)
    np.testing.assert_array_equal(net.get_parameters(), history.params[row])
    assert history.val_rmse[row] == history.val_rmse.min() == history.best_val_rmse
    assert f"epoch {best}" in history.message and "Stopped early" in history.message
    assert reports[-1].stop_reason == "early_stopped" and reports[-1].best_epoch == best
    np.testing.assert_array_equal(reports[-1].params, history.params[row])


def test_min_delta_counts_only_real_improvements():
    X, Y = overfitting_problem()
    net = MLP([1, 8, 1], ["tanh", "identity"], seed=0)
    before = net.get_parameters()
    history = train(net, X, Y, TrainConfig(epochs=100, learning_rate=0.01, validation_fraction=0.3, seed=2,
                                           early_stopping_patience=5, min_delta=10.0))
    # nothing improves by more than 10, so after 5 epochs the weights before training come back
    assert history.stop_reason == "early_stopped" and history.last_epoch == 5 and history.best_epoch == 0
    np.testing.assert_array_equal(net.get_parameters(), before)


def test_best_epoch_is_kept_without_early_stopping_and_none_without_validation():
    X, Y = overfitting_problem()
    net = MLP([1, 8, 1], ["tanh", "identity"], seed=0)
    history = train(net, X, Y, TrainConfig(epochs=30, learning_rate=0.05, validation_fraction=0.3, seed=2))
    assert history.stop_reason == "completed"
    assert history.val_rmse[list(history.epochs).index(history.best_epoch)] == history.val_rmse.min()
    assert train(net, X, Y, TrainConfig(epochs=2)).best_epoch is None


def test_early_stopping_needs_validation_rows():
    X, Y = overfitting_problem()
    net = MLP([1, 4, 1], ["tanh", "identity"], seed=0)
    with pytest.raises(DataError, match="validation rows, and there are none"):
        train(net, X, Y, TrainConfig(epochs=5, early_stopping_patience=3))
    history = train(net, X, Y, TrainConfig(epochs=5, early_stopping_patience=3), validation_data=(X[:5], Y[:5]))
    assert history.best_epoch is not None


@pytest.mark.parametrize("optimizer", ["lbfgs", "lm"])
def test_full_batch_methods_stop_early_and_on_request(optimizer):
    X, Y = overfitting_problem()
    net = MLP([1, 30, 1], ["tanh", "identity"], seed=0)
    history = train(net, X, Y, TrainConfig(epochs=2000, optimizer=optimizer, validation_fraction=0.3, seed=1,
                                           early_stopping_patience=5))
    assert history.stop_reason in ("early_stopped", "converged")
    if history.stop_reason == "early_stopped":
        np.testing.assert_array_equal(net.get_parameters(), history.params[list(history.epochs).index(history.best_epoch)])
    stop = threading.Event()

    def on_progress(report):
        if report.epoch >= 3:
            stop.set()

    history = train(MLP([1, 30, 1], ["tanh", "identity"], seed=0), X, Y, TrainConfig(epochs=2000, optimizer=optimizer),
                    on_progress=on_progress, stop_event=stop, progress_every=1, progress_interval=None)
    assert history.stop_reason == "stopped" and history.last_epoch == 3


def test_test_rows_are_held_out_of_training_and_early_stopping():
    rng = np.random.default_rng(3)
    X, Y = rng.normal(size=(40, 2)), rng.normal(size=(40, 1))
    config = TrainConfig(epochs=30, learning_rate=0.05, batch_size=5, shuffle=True, seed=9, validation_fraction=0.2,
                         test_fraction=0.25, early_stopping_patience=3)
    net = MLP([2, 4, 1], ["tanh", "identity"], seed=1)
    history = train(net, X, Y, config)
    _, _, X_test, _ = split_test(X, Y, 0.25, np.random.default_rng(9), stratify=False)
    assert len(X_test) == 10
    test_rows = [i for i in range(40) if (X[i] == X_test).all(axis=1).any()]
    Y_poisoned = Y.copy()
    Y_poisoned[test_rows] = 1e6
    poisoned = MLP([2, 4, 1], ["tanh", "identity"], seed=1)
    poisoned_history = train(poisoned, X, Y_poisoned, config)
    np.testing.assert_array_equal(net.get_parameters(), poisoned.get_parameters())
    np.testing.assert_array_equal(history.val_rmse, poisoned_history.val_rmse)
    assert history.stop_reason == poisoned_history.stop_reason
    assert history.test_rmse == pytest.approx(np.sqrt(np.mean((net.forward(X[test_rows]) - Y[test_rows]) ** 2)))
    assert poisoned_history.test_rmse > 1e5


def test_test_split_is_stratified_and_a_share_of_all_rows():
    labels = np.array([0] * 80 + [1] * 20)
    Y = np.eye(2)[labels]
    X = np.arange(100.0)[:, None]
    kept_X, kept_Y, X_test, Y_test = split_test(X, Y, 0.1, np.random.default_rng(0), stratify=True)
    assert Y_test.sum(axis=0).tolist() == [8, 2] and len(kept_X) == 90
    reports = []
    net = MLP([1, 2], ["softmax"], seed=0)
    history = train(net, X / 100, Y, TrainConfig(epochs=3, loss="cross_entropy", validation_fraction=0.2,
                                                 test_fraction=0.1, seed=0),
                    on_progress=reports.append, progress_every=1, progress_interval=None)
    # the test rows are scored only at the end
    assert [np.isnan(r.test_rmse) for r in reports] == [True, True, True, False]
    assert reports[-1].test_rmse == history.test_rmse


def test_test_data_can_be_given():
    X, Y = overfitting_problem()
    net = MLP([1, 4, 1], ["tanh", "identity"], seed=0)
    history = train(net, X[:30], Y[:30], TrainConfig(epochs=3), test_data=(X[30:], Y[30:]))
    assert history.test_rmse == pytest.approx(np.sqrt(np.mean((net.forward(X[30:]) - Y[30:]) ** 2)))
    assert np.isnan(train(net, X, Y, TrainConfig(epochs=1)).test_rmse)


def test_split_rows_three_adds_a_stratified_test_split():
    labels = np.array(["a"] * 70 + ["b"] * 30)
    for seed in (0, 1):
        train_rows, val_rows = split_rows(100, 0.2, seed, labels)
        three = split_rows_three(100, 0.2, 0.0, seed, labels)
        np.testing.assert_array_equal(three[0], train_rows)
        np.testing.assert_array_equal(three[1], val_rows)
        assert three[2].size == 0
    train_rows, val_rows, test_rows = split_rows_three(100, 0.15, 0.15, 4, labels)
    assert sorted(np.concatenate([train_rows, val_rows, test_rows]).tolist()) == list(range(100))
    # each class gives its share, rounded per class: 15 rows each, give or take one
    assert len(train_rows) == 70 and abs(len(val_rows) - 15) <= 1 and abs(len(test_rows) - 15) <= 1
    assert (labels[test_rows] == "b").sum() in (4, 5) and (labels[val_rows] == "b").sum() in (4, 5)
    np.testing.assert_array_equal(split_rows_three(100, 0.15, 0.15, 4, labels)[2], test_rows)
    with pytest.raises(DataError, match="must leave rows to train on"):
        split_rows_three(100, 0.5, 0.5, 0)


def test_balanced_class_weight_raises_minority_recall():
    rng = np.random.default_rng(0)
    labels = np.array([0] * 180 + [1] * 20)
    X = rng.normal(size=(200, 2)) + labels[:, None] * 1.2  # overlapping classes
    Y = np.eye(2)[labels]
    recalls = {}
    for weight in (None, "balanced"):
        net = MLP([2, 2], ["softmax"], seed=0)
        train(net, X, Y, TrainConfig(epochs=300, learning_rate=0.5, loss="cross_entropy", class_weight=weight))
        predicted = net.forward(X).argmax(axis=1)
        recalls[weight] = (predicted[labels == 1] == 1).mean()
    assert recalls["balanced"] > recalls[None] + 0.3


def test_balanced_weights_are_n_rows_over_classes_times_class_rows():
    from mlp_desktop.core.losses import CLASS_WEIGHTS, class_indices

    Y = np.array([[1.0], [0.0], [0.0], [0.0]])
    np.testing.assert_allclose(CLASS_WEIGHTS["balanced"](class_indices(Y)), [2.0, 2 / 3, 2 / 3, 2 / 3])
    assert class_indices(np.array([[0.5], [1.0]])) is None
    assert class_indices(np.array([[1.0, 1.0], [0.0, 1.0]])) is None
    net = MLP([1, 1], ["identity"], seed=0)
    with pytest.raises(DataError, match="Class weights need class targets"):
        train(net, [[1.0], [2.0]], [[0.5], [3.0]], TrainConfig(class_weight="balanced"))


def test_a_continued_run_keeps_the_schedule_going():
    X, Y = overfitting_problem()
    net = MLP([1, 4, 1], ["tanh", "identity"], seed=0)
    config = TrainConfig(epochs=5, learning_rate=0.1, lr_schedule="exponential", lr_decay=0.5)
    history = train(net, X, Y, config)
    train(net, X, Y, config, history=history)
    np.testing.assert_allclose(history.learning_rates, 0.1 * 0.5 ** np.arange(10))


def test_learning_rates_are_thinned_with_the_rows():
    net = MLP([1, 1], ["identity"], seed=0)
    history = History(net.parameter_names(), max_rows=64)
    train(net, [[1.0]], [[0.5]], TrainConfig(epochs=1000, learning_rate=0.01, lr_schedule="inverse_time",
                                             lr_decay=0.1), history=history)
    assert len(history.learning_rates) == len(history.epochs) <= 65
    np.testing.assert_allclose(history.learning_rates, 0.01 / (1 + 0.1 * (history.epochs - 1)))


def test_everything_together_is_reproducible_with_the_seed():
    def run(seed):
        X, Y = overfitting_problem(60)
        net = MLP([1, 10, 1], ["tanh", "identity"], seed=seed)
        config = TrainConfig(epochs=40, learning_rate=0.01, optimizer="rmsprop", batch_size=3, shuffle=True,
                             seed=seed, validation_fraction=0.2, test_fraction=0.2, early_stopping_patience=4,
                             l1=1e-3, l2=1e-3, lr_schedule="step", lr_step=5)
        history = train(net, X, Y, config)
        return history.train_rmse, history.val_rmse, history.test_rmse, net.get_parameters()

    first, again, other = run(3), run(3), run(4)
    for a, b in zip(first, again):
        np.testing.assert_array_equal(a, b)
    assert not np.array_equal(first[0], other[0])


@pytest.mark.parametrize("settings,message", [
    ({"optimizer": "newton"}, "Unknown optimizer"),
    ({"nesterov": True}, "Nesterov momentum needs a momentum"),
    ({"optimizer": "adam", "beta1": 1.0}, "Beta1 must be from 0 to below 1"),
    ({"optimizer": "adam", "beta2": -0.1}, "Beta2"),
    ({"optimizer": "rmsprop", "rho": 1.5}, "Rho"),
    ({"epsilon": 0}, "Epsilon must be greater than 0"),
    ({"l2": -1}, "L2 penalty must be at least 0"),
    ({"l1": "a lot"}, "L1 penalty must be a number"),
    ({"early_stopping_patience": 0}, "patience"),
    ({"early_stopping_patience": 2.5}, "whole number"),
    ({"min_delta": -0.1}, "Minimum improvement"),
    ({"lr_schedule": "cosine"}, "Unknown learning-rate schedule"),
    ({"lr_schedule": "step", "lr_decay": 1.5}, "at most 1"),
    ({"lr_schedule": "inverse_time", "lr_decay": -1}, "Learning-rate decay must be at least 0"),
    ({"lr_step": 0}, "Epochs per step"),
    ({"test_fraction": 1.0}, "Test share"),
    ({"validation_fraction": 0.5, "test_fraction": 0.5}, "must leave rows to train on"),
    ({"class_weight": "heavy"}, "Unknown class weight"),
    ({"optimizer": "lm", "loss": "cross_entropy"}, "mean squared error loss only"),
])
def test_new_settings_explain_themselves(settings, message):
    with pytest.raises(DataError, match=message):
        TrainConfig(**settings)


def test_new_settings_defaults_and_spellings():
    config = TrainConfig()
    assert (config.optimizer, config.nesterov, config.beta1, config.beta2, config.epsilon, config.rho) == (
        "sgd", False, 0.9, 0.999, 1e-8, 0.9)
    assert (config.l2, config.l1, config.early_stopping_patience, config.min_delta) == (0.0, 0.0, None, 0.0)
    assert (config.lr_schedule, config.lr_decay, config.lr_step, config.test_fraction, config.class_weight) == (
        "constant", None, 100, 0.0, None)
    assert TrainConfig(optimizer="L-BFGS").optimizer == "lbfgs"
    assert TrainConfig(optimizer="Levenberg-Marquardt").optimizer == "lm"
    assert TrainConfig(class_weight="none").class_weight is None
    assert TrainConfig(class_weight="Balanced").class_weight == "balanced"


def test_a_pickled_progress_report_is_the_same_report():
    """Reports travel from the training process by pickle; runs of epochs, a constant learning rate and
    missing validation RMSEs travel packed, and arrive as the same arrays."""
    import pickle

    reports = []
    train(MLP([2, 3, 1], ["tanh", "identity"], seed=0), AND_X, XOR_Y, TrainConfig(epochs=50, batch_size=1),
          on_progress=reports.append, progress_every=25, progress_interval=None)
    changing = reports[0].__class__(**{**reports[0].__dict__, "epochs": np.array([1, 3]),
                                       "learning_rates": np.array([0.1, 0.2]), "val_rmses": np.array([np.nan, 1.0]),
                                       "train_rmses": np.ones(2), "layer_grad_rms": np.ones((2, 2))})
    for report in reports + [changing]:
        again = pickle.loads(pickle.dumps(report))
        for name, value in report.__dict__.items():
            if isinstance(value, np.ndarray):
                other = getattr(again, name)
                assert other.dtype == value.dtype and np.array_equal(other, value, equal_nan=True), name
            else:
                assert getattr(again, name) == value or (value != value and getattr(again, name) != getattr(again, name))


# -- the Gradients plot: each layer's gradient size, averaged over the epoch's steps ---------------------
def _epoch_gradients(config, engine):
    rng = np.random.default_rng(3)
    X, Y = rng.normal(size=(5, 2)), rng.normal(size=(5, 1))
    net = MLP([2, 3, 1], ["tanh", "identity"], seed=2)
    reports = []
    history = train(net, X, Y, TrainConfig(**{**config, "engine": engine}), on_progress=reports.append,
                    progress_every=1, progress_interval=None)
    return X, Y, history, np.concatenate([r.layer_grad_rms for r in reports if len(r.epochs)])


def test_the_gradient_size_is_the_mean_over_the_epochs_steps_by_hand():
    """A worked example: per-sample SGD, each step's gradient computed separately, then averaged."""
    from mlp_desktop.core.training import loss_and_gradient

    config = dict(epochs=2, learning_rate=0.1, batch_size=1, shuffle=False, seed=1)
    X, Y, history, reported = _epoch_gradients(config, "numpy")
    net = MLP([2, 3, 1], ["tanh", "identity"], seed=2)
    expected = []
    for _ in range(2):
        sums = np.zeros(2)
        for row in range(5):
            _, gradient = loss_and_gradient(net, X[row:row + 1], Y[row:row + 1], TrainConfig(loss="mse"))
            sums += [np.mean(gradient[:6] ** 2), np.mean(gradient[9:12] ** 2)]  # W1 (2x3), W2 (3x1)
            net.set_parameters(net.get_parameters() - 0.1 * gradient)
        expected.append(np.sqrt(sums / 5))
    np.testing.assert_allclose(history.grad_rms, expected, rtol=1e-10)
    np.testing.assert_allclose(reported, expected, rtol=1e-10)
    last_step_only = np.sqrt([np.mean(gradient[:6] ** 2), np.mean(gradient[9:12] ** 2)])
    assert not np.allclose(history.grad_rms[-1], last_step_only)  # what the plot showed before


@pytest.mark.skipif(not __import__("mlp_desktop.core.compiled", fromlist=["available"]).available(),
                    reason="numba is not installed")
@pytest.mark.parametrize("config", [dict(batch_size=1, momentum=0.5, shuffle=True),  # |x|^2 |delta|^2
                                    dict(batch_size=1, momentum=0.9, l2=0.01, shuffle=True),
                                    dict(batch_size=2, optimizer="adam", learning_rate=0.01)])
def test_the_compiled_engine_measures_the_same_gradient_sizes(config):
    config = {**dict(epochs=30, learning_rate=0.05, seed=4), **config}
    numpy_run, kernel_run = _epoch_gradients(config, "numpy"), _epoch_gradients(config, "compiled")
    assert kernel_run[2].engine == "compiled"
    np.testing.assert_allclose(kernel_run[2].grad_rms, numpy_run[2].grad_rms, rtol=1e-10)
    np.testing.assert_allclose(kernel_run[3], numpy_run[3], rtol=1e-10)


def test_gradient_sizes_are_recorded_only_where_measured():
    _, _, history, _ = _epoch_gradients(dict(epochs=4, learning_rate=0.1, batch_size=1), "numpy")
    assert history.grad_rms.shape == (4, 2) and np.isfinite(history.grad_rms).all()
    headless = train(MLP([2, 3, 1], ["tanh", "identity"], seed=2), np.zeros((4, 2)), np.zeros((4, 1)),
                     TrainConfig(epochs=2, batch_size=1, engine="numpy"))
    assert np.isnan(headless.grad_rms).all()  # not measured without progress reports: not made up


# -- continuing after an early stop ---------------------------------------------------------------
def test_the_early_stop_keeps_the_best_weights_rmse_and_a_cut_history_ends_at_them():
    X, Y = overfitting_problem()
    net = MLP([1, 30, 1], ["tanh", "identity"], seed=0)
    config = TrainConfig(epochs=5000, learning_rate=0.02, optimizer="adam", batch_size=4, shuffle=True, seed=1,
                         validation_fraction=0.3, early_stopping_patience=15)
    history = train(net, X, Y, config)
    best = history.best_epoch
    row = list(history.epochs).index(best)
    assert history.best_train_rmse == pytest.approx(history.train_rmse[row], rel=1e-12)
    assert history.epochs_past_weights() == (best + 1, best + 15)
    cut = history.cut_back(best, net.get_parameters())
    assert cut.last_epoch == best and cut.epochs_past_weights() is None and history.last_epoch == best + 15
    np.testing.assert_array_equal(cut.epochs, history.epochs[:row + 1])
    np.testing.assert_array_equal(cut.last_params, net.get_parameters())
    assert (cut.best_epoch, cut.stop_reason, cut.initial_train_rmse) == (best, "early_stopped",
                                                                         history.initial_train_rmse)
    continued = train(net, X, Y, replace(config, epochs=3, early_stopping_patience=None), history=cut)
    np.testing.assert_array_equal(continued.epochs[-4:], np.arange(best, best + 4))


def test_a_thinned_history_cut_back_to_an_epoch_it_has_no_row_of_ends_with_that_epoch():
    names = ["W1[0,0]", "b1[0]"]
    history = History(names, max_rows=4)
    for epoch in range(1, 11):
        history.append(epoch, 1.0 / epoch, 2.0 / epoch, np.array([epoch, -epoch], dtype=float), 0.1)
    history.stop_reason, history.best_epoch, history.best_val_rmse, history.best_train_rmse = (
        "early_stopped", 6, 2.0 / 6, 1.0 / 6)
    assert 6 not in history.epochs  # thinned away
    cut = history.cut_back(6, np.array([6.0, -6.0]))
    assert cut.last_epoch == 6 and cut.epochs[-1] == 6 and all(cut.epochs[:-1] < 6)
    assert cut.latest_rmse == (1.0 / 6, 2.0 / 6)
    np.testing.assert_array_equal(cut.last_params, [6.0, -6.0])
    assert np.isnan(cut.learning_rates[-1])  # not recorded for the made-up row
    nothing = history.cut_back(0, np.zeros(2))  # the weights before training were the best
    assert nothing.last_epoch == 0 and len(nothing) == 0


def test_a_run_s_paused_history_tells_its_best_so_far_not_the_early_stop_before_it():
    """A run continuing an early stop is paused: the history as of the pause (saved, or kept for an edit)
    holds the weights of its last epoch, so nothing in it may be cut again when training goes on."""
    X, Y = overfitting_problem()
    net = MLP([1, 30, 1], ["tanh", "identity"], seed=0)
    config = TrainConfig(epochs=5000, learning_rate=0.02, optimizer="adam", batch_size=4, shuffle=True, seed=1,
                         validation_fraction=0.3, early_stopping_patience=15)
    history = train(net, X, Y, config)
    cut = history.cut_back(history.best_epoch, net.get_parameters())
    pause, stop = threading.Event(), threading.Event()
    paused, pause_at = [], cut.last_epoch + 3

    def on_progress(report):
        if report.paused:
            paused.append(copy.deepcopy(cut))  # (the history being continued, as of the pause)
            stop.set()
        elif report.epoch >= pause_at:
            pause.set()

    train(net, X, Y, replace(config, epochs=50), on_progress, stop, pause_event=pause, history=cut,
          progress_every=1, progress_interval=None)
    assert paused and paused[0].stop_reason == "stopped" and paused[0].epochs_past_weights() is None
    assert paused[0].last_epoch == pause_at and history.best_epoch <= paused[0].best_epoch <= pause_at
