"""Optimizers against hand-written references of their published update rules, penalties against
finite differences, schedules at given epochs, and L-BFGS / Levenberg-Marquardt on the samples."""

import math

import numpy as np
import pandas as pd
import pytest

from mlp_desktop.core import MLP, DataError, TrainConfig, train
from mlp_desktop.core.optimizers import (LR_SCHEDULES, OPTIMIZERS, LevenbergMarquardt, Penalty,
                                         learning_rate_at, weight_mask)
from mlp_desktop.core.samples import sample_path
from mlp_desktop.core.training import loss_and_gradient


def flat_gradient(net, X, Y, loss="mse"):
    _, gw, gb = net.loss_and_gradients(X, Y, loss)
    return np.concatenate([np.concatenate([w.ravel(), b]) for w, b in zip(gw, gb)])


def central_differences(f, net, params, h=1e-6):
    """d f / d params by central differences, one row per parameter; leaves ``params`` in ``net``."""
    rows = []
    for i in range(params.size):
        up, down = params.copy(), params.copy()
        up[i] += h
        down[i] -= h
        net.set_parameters(up)
        f_up = np.array(f(up), dtype=float)
        net.set_parameters(down)
        rows.append((f_up - np.array(f(down), dtype=float)) / (2 * h))
    net.set_parameters(params)
    return np.array(rows)


def problem(seed=5, n=12):
    rng = np.random.default_rng(seed)
    X, Y = rng.normal(size=(n, 3)), rng.normal(size=(n, 2))
    return X, Y, MLP([3, 4, 2], ["tanh", "identity"], seed=seed)


def reference_run(net, X, Y, update, steps, batch):
    """Apply ``update(step_number, params, gradient) -> params`` on mini-batches in data order."""
    params = net.get_parameters()
    t = 0
    for _ in range(steps):
        for first in range(0, len(X), batch):
            net.set_parameters(params)
            t += 1
            params = update(t, params, flat_gradient(net, X[first:first + batch], Y[first:first + batch]))
    net.set_parameters(params)
    return params


# -- first steps against each published rule ---------------------------------------------------
def test_sgd_with_nesterov_momentum_matches_its_rule():
    # v = mu v - lr g;  w += mu v - lr g   (Sutskever et al. 2013 / Bengio et al. 2013 form)
    X, Y, net = problem()
    reference = net.copy()
    train(net, X, Y, TrainConfig(epochs=2, learning_rate=0.05, batch_size=4, momentum=0.9, nesterov=True))
    velocity = np.zeros(net.n_parameters)

    def nesterov(t, w, g):
        nonlocal velocity
        velocity = 0.9 * velocity - 0.05 * g
        return w + 0.9 * velocity - 0.05 * g

    np.testing.assert_allclose(net.get_parameters(), reference_run(reference, X, Y, nesterov, 2, 4), rtol=1e-12)


def test_adam_matches_kingma_and_ba_algorithm_1():
    X, Y, net = problem()
    reference = net.copy()
    train(net, X, Y, TrainConfig(epochs=3, learning_rate=0.01, batch_size=5, optimizer="adam",
                                 beta1=0.8, beta2=0.99, epsilon=1e-6))
    m = np.zeros(net.n_parameters)
    v = np.zeros(net.n_parameters)

    def adam(t, w, g):
        nonlocal m, v
        m = 0.8 * m + (1 - 0.8) * g
        v = 0.99 * v + (1 - 0.99) * g * g
        m_hat = m / (1 - 0.8 ** t)
        v_hat = v / (1 - 0.99 ** t)
        return w - 0.01 * m_hat / (np.sqrt(v_hat) + 1e-6)

    np.testing.assert_allclose(net.get_parameters(), reference_run(reference, X, Y, adam, 3, 5), rtol=1e-11)


def test_rmsprop_matches_its_rule():
    X, Y, net = problem()
    reference = net.copy()
    train(net, X, Y, TrainConfig(epochs=3, learning_rate=0.01, batch_size=1, optimizer="rmsprop", rho=0.8,
                                 epsilon=1e-7))
    v = np.zeros(net.n_parameters)

    def rmsprop(t, w, g):
        nonlocal v
        v = 0.8 * v + (1 - 0.8) * g * g
        return w - 0.01 * g / (np.sqrt(v) + 1e-7)

    np.testing.assert_allclose(net.get_parameters(), reference_run(reference, X, Y, rmsprop, 3, 1), rtol=1e-11)


# -- worked numbers ------------------------------------------------------------------------------
# One identity neuron, w = 0.5, b = 0, one sample x = 2 -> y = 3, loss (o - y)^2, L2 = 0.1 on w only:
#   o = 1, dL/dw = 2 (o - y) x + 0.1 w = -8 + 0.05 = -7.95, dL/db = 2 (o - y) = -4.
def one_neuron():
    net = MLP([1, 1], ["identity"], seed=0)
    net.set_parameters([0.5, 0.0])
    return net, np.array([[2.0]]), np.array([[3.0]])


def test_sgd_with_l2_written_out():
    # step 1 (lr 0.01): w = 0.5 + 0.0795 = 0.5795, b = 0 + 0.04 = 0.04
    # step 2: o = 1.199, dL/dw = 2 (-1.801) 2 + 0.1 * 0.5795 = -7.14605, dL/db = -3.602
    #         w = 0.5795 + 0.0714605 = 0.6509605, b = 0.04 + 0.03602 = 0.07602
    net, X, Y = one_neuron()
    history = train(net, X, Y, TrainConfig(epochs=2, learning_rate=0.01, batch_size=1, l2=0.1))
    np.testing.assert_allclose(history.params, [[0.5795, 0.04], [0.6509605, 0.07602]], rtol=1e-14)


def test_adam_with_l2_written_out():
    # lr 0.1. Step 1: m_hat = g, v_hat = g^2, so each parameter moves by 0.1 g / (|g| + 1e-8):
    #   w = 0.5 + 0.1 * 7.95 / (7.95 + 1e-8) = 0.5999999998742138, b = 0.09999999975000001
    # Step 2: g = (-6.740000002018868, -3.4000000010031446);
    #   m = 0.9 m1 + 0.1 g, v = 0.999 v1 + 0.001 g^2, m_hat = m / 0.19, v_hat = v / 0.001999
    #   w = 0.6992344878117526, b = 0.19925155713071419
    # Step 3: w = 0.796957335866901, b = 0.2970297108140441
    net, X, Y = one_neuron()
    history = train(net, X, Y, TrainConfig(epochs=3, learning_rate=0.1, batch_size=1, l2=0.1, optimizer="adam"))
    np.testing.assert_allclose(history.params, [[0.5999999998742138, 0.09999999975000001],
                                                [0.6992344878117526, 0.19925155713071419],
                                                [0.796957335866901, 0.2970297108140441]], rtol=1e-13)


# -- the penalty ----------------------------------------------------------------------------------
def test_weight_mask_covers_weights_not_biases():
    np.testing.assert_array_equal(weight_mask([2, 1, 2]), [1, 1, 0, 1, 1, 0, 0])
    names = MLP([3, 2, 1], ["tanh", "identity"]).parameter_names()
    assert [n[0] for n, m in zip(names, weight_mask([3, 2, 1])) if m] == ["W"] * 8


@pytest.mark.parametrize("loss,activations,class_weight", [
    ("mse", ["tanh", "identity"], None),
    ("cross_entropy", ["tanh", "softmax"], None),
    ("cross_entropy", ["sigmoid", "softmax"], "balanced"),
])
def test_penalised_gradient_matches_finite_differences(loss, activations, class_weight):
    rng = np.random.default_rng(1)
    X = rng.normal(size=(9, 3))
    Y = np.eye(2)[[0, 0, 0, 0, 0, 0, 1, 1, 0]] if loss == "cross_entropy" else rng.normal(size=(9, 2))
    net = MLP([3, 4, 2], activations, seed=3)
    config = TrainConfig(loss=loss, l2=0.3, l1=0.05, class_weight=class_weight)
    value, gradient = loss_and_gradient(net, X, Y, config)
    params = net.get_parameters()
    numeric = central_differences(lambda w: loss_and_gradient(net, X, Y, config)[0], net, params)
    np.testing.assert_allclose(gradient, numeric, rtol=1e-6, atol=1e-8)
    penalty = Penalty(weight_mask(net.layer_sizes), 0.3, 0.05)
    weights = params[weight_mask(net.layer_sizes) == 1]
    assert penalty.value(params) == pytest.approx(0.15 * np.sum(weights ** 2) + 0.05 * np.abs(weights).sum())
    assert value == pytest.approx(loss_and_gradient(net, X, Y, TrainConfig(loss=loss, class_weight=class_weight))[0]
                                  + penalty.value(params))


def test_penalty_leaves_biases_and_the_reported_rmse_alone():
    X, Y, net = problem()
    other = net.copy()
    history = train(net, X, Y, TrainConfig(epochs=1, learning_rate=0.1, l2=0.5, l1=0.1))
    train(other, X, Y, TrainConfig(epochs=1, learning_rate=0.1))
    mask = weight_mask(net.layer_sizes)
    before = MLP([3, 4, 2], ["tanh", "identity"], seed=5).get_parameters()
    expected = other.get_parameters() - 0.1 * (0.5 * before + 0.1 * np.sign(before)) * mask
    np.testing.assert_allclose(net.get_parameters(), expected, rtol=1e-12)
    assert history.train_rmse[-1] == pytest.approx(np.sqrt(np.mean((net.forward(X) - Y) ** 2)), rel=1e-12)


# -- schedules ------------------------------------------------------------------------------------
@pytest.mark.parametrize("schedule,decay,step,expected", [
    ("constant", None, 100, {0: 0.1, 1: 0.1, 500: 0.1}),
    ("step", 0.5, 10, {0: 0.1, 9: 0.1, 10: 0.05, 19: 0.05, 25: 0.025}),
    ("exponential", 0.9, 100, {0: 0.1, 1: 0.09, 3: 0.1 * 0.729}),
    ("inverse_time", 0.5, 100, {0: 0.1, 1: 0.1 / 1.5, 4: 0.1 / 3}),
])
def test_schedules_give_the_documented_rate(schedule, decay, step, expected):
    config = TrainConfig(learning_rate=0.1, lr_schedule=schedule, lr_decay=decay, lr_step=step)
    for epoch, rate in expected.items():
        assert learning_rate_at(config, epoch) == pytest.approx(rate, rel=1e-12)
        assert config.learning_rate_at(epoch) == pytest.approx(rate, rel=1e-12)


def test_the_history_and_reports_carry_the_rate_each_epoch_used():
    X, Y, net = problem()
    reports = []
    config = TrainConfig(epochs=25, learning_rate=0.1, lr_schedule="step", lr_decay=0.5, lr_step=10, batch_size=4)
    history = train(net, X, Y, config, on_progress=reports.append, progress_every=5, progress_interval=None)
    expected = [0.1] * 10 + [0.05] * 10 + [0.025] * 5  # epoch e (1-based) uses the rate after e - 1 epochs
    np.testing.assert_allclose(history.learning_rates, expected)
    np.testing.assert_allclose(np.concatenate([r.learning_rates for r in reports]), expected)
    assert reports[-1].learning_rate == 0.025 and history.latest_learning_rate == 0.025
    assert list(history.to_frame(include_learning_rate=True).columns[:4]) == [
        "epoch", "train_rmse", "val_rmse", "learning_rate"]


def test_a_schedule_actually_scales_the_steps():
    X, Y, net = problem()
    reference = net.copy()
    train(net, X, Y, TrainConfig(epochs=3, learning_rate=0.1, lr_schedule="inverse_time", lr_decay=1.0))
    for epoch in range(3):
        reference.set_parameters(reference.get_parameters() - 0.1 / (1 + epoch) * flat_gradient(reference, X, Y))
    np.testing.assert_allclose(net.get_parameters(), reference.get_parameters(), rtol=1e-12)


def test_default_decay_follows_the_schedule():
    assert TrainConfig(lr_schedule="step").lr_decay == 0.5
    assert TrainConfig(lr_schedule="exponential").lr_decay == 0.99
    assert TrainConfig(lr_schedule="inverse-time").lr_decay == 0.01
    assert TrainConfig(lr_schedule="inverse-time").lr_schedule == "inverse_time"
    assert set(LR_SCHEDULES) == {"constant", "step", "exponential", "inverse_time"}


# -- full-batch methods on the samples ------------------------------------------------------------
def health_score():
    frame = pd.read_csv(sample_path("health_score"))
    X = frame[["age", "exercise", "diet"]].to_numpy(float)
    X = (X - X.min(axis=0)) / (X.max(axis=0) - X.min(axis=0))
    y = frame[["output"]].to_numpy(float)
    return X, (y - y.mean()) / y.std()


def two_moons():
    frame = pd.read_csv(sample_path("two_moons"))
    X = frame[["x", "y"]].to_numpy(float)
    return (X - X.mean(axis=0)) / X.std(axis=0), (frame[["class"]].to_numpy() == "upper").astype(float)


def final_loss(net, X, Y, loss):
    return loss_and_gradient(net, X, Y, TrainConfig(loss=loss))[0]


@pytest.mark.parametrize("optimizer,epochs", [("lbfgs", 300), ("lm", 100)])
def test_full_batch_methods_beat_1000_sgd_epochs_on_health_score(optimizer, epochs):
    X, Y = health_score()
    sgd = MLP([3, 2, 1], ["sigmoid", "identity"], init="uniform", seed=1)
    fast = sgd.copy()
    train(sgd, X, Y, TrainConfig(epochs=1000, learning_rate=0.05, batch_size=1))
    history = train(fast, X, Y, TrainConfig(epochs=epochs, optimizer=optimizer))
    assert final_loss(fast, X, Y, "mse") < 0.5 * final_loss(sgd, X, Y, "mse")
    assert history.last_epoch <= epochs and history.stop_reason in ("completed", "converged")


@pytest.mark.parametrize("optimizer,loss,epochs", [("lbfgs", "cross_entropy", 200), ("lm", "mse", 60)])
def test_full_batch_methods_beat_1000_sgd_epochs_on_two_moons(optimizer, loss, epochs):
    X, Y = two_moons()
    sgd = MLP([2, 8, 1], ["tanh", "sigmoid"], seed=1)
    fast = sgd.copy()
    train(sgd, X, Y, TrainConfig(epochs=1000, learning_rate=0.1, batch_size=16, loss=loss))
    train(fast, X, Y, TrainConfig(epochs=epochs, optimizer=optimizer, loss=loss))
    assert final_loss(fast, X, Y, loss) < final_loss(sgd, X, Y, loss)


def test_lbfgs_is_the_scipy_minimum_of_the_penalised_loss():
    from scipy.optimize import minimize

    X, Y = two_moons()
    net = MLP([2, 4, 1], ["tanh", "sigmoid"], seed=2)
    reference = net.copy()
    config = TrainConfig(epochs=40, optimizer="lbfgs", loss="cross_entropy", l2=0.01)
    history = train(net, X, Y, config)

    def objective(w):
        reference.set_parameters(w)
        return loss_and_gradient(reference, X, Y, config)

    result = minimize(objective, reference.get_parameters(), jac=True, method="L-BFGS-B",
                      options={"maxiter": 40, "gtol": 1e-10})
    np.testing.assert_allclose(net.get_parameters(), result.x, rtol=1e-8, atol=1e-10)
    # one epoch per L-BFGS iteration; this one converges before its 40 iterations
    assert history.last_epoch == result.nit < 40 and history.stop_reason == "converged"
    assert "L-BFGS cannot lower the error any further" in history.message
    assert "factr" not in history.message and "epsmch" not in history.message  # SciPy's codes, in plain words
    assert np.isnan(history.learning_rates).all()


def test_levenberg_marquardt_first_step_is_the_damped_gauss_newton_step():
    X, Y = health_score()
    net = MLP([3, 2, 1], ["tanh", "identity"], seed=4)
    w = net.get_parameters()
    # reference Jacobian by central differences, residuals r = f(x) - y
    r = (net.forward(X) - Y).ravel()
    J = central_differences(lambda p: net.forward(X).ravel(), net, w).T
    expected = w - np.linalg.solve(J.T @ J + 1e-3 * np.eye(w.size), J.T @ r)
    train(net, X, Y, TrainConfig(epochs=1, optimizer="lm"))
    np.testing.assert_allclose(net.get_parameters(), expected, rtol=1e-6)


def test_levenberg_marquardt_refuses_a_jacobian_that_does_not_fit():
    with pytest.raises(DataError, match=r"Levenberg-Marquardt needs a table of 2,000,000 rows x 50,000 .*L-BFGS"):
        LevenbergMarquardt.check_size(1_000_000, 2, 50_000, available=16 * 2**30)
    LevenbergMarquardt.check_size(200, 1, 33, available=16 * 2**30)


def test_levenberg_marquardt_refusal_comes_before_any_step(monkeypatch):
    import mlp_desktop.core.optimizers as optimizers

    monkeypatch.setattr(optimizers, "available_memory", lambda: 1000)
    X, Y = health_score()
    net = MLP([3, 2, 1], ["tanh", "identity"], seed=4)
    before = net.get_parameters()
    with pytest.raises(DataError, match="memory is free"):
        train(net, X, Y, TrainConfig(epochs=5, optimizer="lm"))
    np.testing.assert_array_equal(net.get_parameters(), before)


def test_every_optimizer_is_in_the_table_and_reproducible():
    assert set(OPTIMIZERS) == {"sgd", "adam", "rmsprop", "lbfgs", "lm"}
    X, Y, _ = problem()
    for name in OPTIMIZERS:
        runs = []
        for _ in range(2):
            net = MLP([3, 4, 2], ["tanh", "identity"], seed=7)
            history = train(net, X, Y, TrainConfig(epochs=5, optimizer=name, batch_size=3, shuffle=True, seed=3,
                                                   validation_fraction=0.25, l2=0.01))
            runs.append((history.train_rmse, net.get_parameters()))
        np.testing.assert_array_equal(runs[0][0], runs[1][0])
        np.testing.assert_array_equal(runs[0][1], runs[1][1])
        assert math.isfinite(runs[0][0][-1])


@pytest.mark.parametrize("optimizer", ["lbfgs", "lm", "adam", "rmsprop"])
def test_zero_epochs_changes_nothing_and_a_target_stops_any_optimizer(optimizer):
    X, Y, net = problem()
    before = net.get_parameters()
    history = train(net, X, Y, TrainConfig(epochs=0, optimizer=optimizer))
    assert history.stop_reason == "completed" and history.last_epoch == 0
    np.testing.assert_array_equal(net.get_parameters(), before)
    history = train(net, X, Y, TrainConfig(epochs=3000, optimizer=optimizer, batch_size=4, target_rmse=0.6))
    assert history.stop_reason == "target_reached" and history.train_rmse[-1] <= 0.6


@pytest.mark.parametrize("settings", [
    {"optimizer": "sgd", "momentum": 0.9}, {"optimizer": "sgd", "momentum": 0.9, "nesterov": True},
    {"optimizer": "adam"}, {"optimizer": "rmsprop"}, {"optimizer": "lm"},
])
def test_continuing_a_history_is_one_long_run(settings):
    X, Y, net = problem()
    together = net.copy()
    config = TrainConfig(epochs=3, learning_rate=0.01, batch_size=4, **settings)
    history = train(net, X, Y, config)
    train(net, X, Y, config, history=history)
    train(together, X, Y, TrainConfig(**{**config.__dict__, "epochs": 6}))
    np.testing.assert_allclose(net.get_parameters(), together.get_parameters(), rtol=1e-13)
    other = train(MLP([3, 4, 2], ["tanh", "identity"], seed=5), X, Y, config)
    other.optimizer_state = {"optimizer": "adam", "m": np.zeros(3)}  # not this network's: ignored
    train(MLP([3, 4, 2], ["tanh", "identity"], seed=5), X, Y, config, history=other)


def test_each_optimizer_lists_the_settings_it_reads():
    from dataclasses import fields

    from mlp_desktop.core.optimizers import OPTIMIZER_OPTIONS

    names = {f.name for f in fields(TrainConfig)}
    assert set(OPTIMIZER_OPTIONS) == set(OPTIMIZERS)
    assert all(set(options) <= names for options in OPTIMIZER_OPTIONS.values())
    assert "nesterov" in OPTIMIZER_OPTIONS["sgd"] and "beta1" in OPTIMIZER_OPTIONS["adam"]
    assert "learning_rate" not in OPTIMIZER_OPTIONS["lm"]
