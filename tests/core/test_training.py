"""Training: worked examples, update modes, reproducibility, stopping, divergence, validation."""

import threading
import time

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
    for epoch in range(1, 1_000_001):
        history.append(epoch, 1.0, np.nan, params)
    assert 1000 <= len(history) <= 2048 and history.epochs[-1] == 1_000_000
    big = History([f"p{i}" for i in range(50_890)])  # a 784-64-10 network
    params = np.zeros(50_890)
    for epoch in range(1, 2001):
        big.append(epoch, 1.0, np.nan, params)
    assert big.nbytes <= 64 * 2**20 + 2 * params.nbytes
    assert big.epochs[-1] == 2000 and len(big) >= big.capacity // 2


def test_history_table_has_every_parameter_by_name():
    net = MLP([3, 2, 1], ["sigmoid", "identity"], seed=0)
    history = train(net, HEALTH_X / 100, HEALTH_Y, TrainConfig(epochs=4))
    frame = history.to_frame()
    assert list(frame.columns) == ["epoch", "train_rmse", "val_rmse"] + net.parameter_names()
    assert frame["epoch"].tolist() == [0, 1, 2, 3, 4]  # epoch 0: the weights before training
    assert frame.iloc[0, 3:].tolist() == history.initial_params.tolist()
    assert history.to_frame(include_initial=False)["epoch"].tolist() == [1, 2, 3, 4]


@pytest.mark.parametrize("settings,message", [
    ({"epochs": -1}, "epochs"),
    ({"epochs": 2.5}, "whole number"),
    ({"learning_rate": 0}, "greater than 0"),
    ({"learning_rate": float("nan")}, "finite"),
    ({"learning_rate": "fast"}, "must be a number"),
    ({"batch_size": 0}, "batch size"),
    ({"momentum": 1.0}, "momentum"),
    ({"validation_fraction": 1.0}, "validation fraction"),
    ({"target_rmse": -1}, "negative"),
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
