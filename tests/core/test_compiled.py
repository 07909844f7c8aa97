"""The compiled engine (core/compiled.py) trains exactly like the NumPy path, is chosen as documented,
falls back without numba, and answers stop, pause and progress like the NumPy path.

Sizes are tiny on purpose: the kernel is compiled once per test session (a few seconds cold, then
loaded from the disk cache), and every case here is one more run of that one specialization.
"""

import threading

import numpy as np
import pytest

from mlp_desktop.core import MLP, TrainConfig, compiled, train
from mlp_desktop.core.errors import DataError
from mlp_desktop.core.training import choose_engine

needs_numba = pytest.mark.skipif(not compiled.available(), reason="numba is not installed")


def _data(n_rows, n_in, n_out, kind, seed):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n_rows, n_in))
    if kind == "classes" and n_out > 1:
        Y = np.eye(n_out)[rng.integers(0, n_out, n_rows)]
        Y[0], Y[1] = np.eye(n_out)[0], np.eye(n_out)[1]  # every class present in the first rows
    elif kind == "classes":
        Y = (rng.random((n_rows, 1)) < 0.3).astype(float)
        Y[0], Y[1] = 0.0, 1.0
    else:
        Y = np.tanh(X @ rng.normal(size=(n_in, n_out)))
    return X, Y


# hidden activations, output activation, loss, targets, config: every activation, both losses,
# every step rule with its options, penalties, class weights, schedules and batch sizes.
CASES = [
    (["sigmoid"], "identity", "mse", "numbers", dict(batch_size=1)),
    (["tanh", "relu"], "identity", "mse", "numbers", dict(batch_size=1, momentum=0.9, shuffle=True, l2=0.01)),
    (["leaky_relu"], "tanh", "mse", "numbers", dict(batch_size=3, momentum=0.8, nesterov=True, l1=0.005)),
    (["relu"], "sigmoid", "mse", "classes", dict(batch_size=1, optimizer="adam", learning_rate=0.01,
                                                 lr_schedule="step", lr_step=30, l2=0.001, l1=0.001)),
    (["tanh"], "softmax", "cross_entropy", "classes", dict(batch_size=1, optimizer="adam", learning_rate=0.01,
                                                           class_weight="balanced", shuffle=True)),
    (["sigmoid", "tanh"], "sigmoid", "cross_entropy", "classes",
     dict(batch_size=4, optimizer="rmsprop", learning_rate=0.005, class_weight="balanced",
          lr_schedule="exponential")),
    (["identity"], "relu", "mse", "numbers", dict(batch_size=2, optimizer="rmsprop", learning_rate=0.01,
                                                  lr_schedule="inverse_time", shuffle=True)),
    (["tanh"], "leaky_relu", "mse", "numbers", dict(batch_size=None, momentum=0.5, engine="compiled")),
    (["tanh"], "softmax", "mse", "classes", dict(batch_size=1, optimizer="adam", learning_rate=0.02, shuffle=True,
                                                 validation_fraction=0.25, l2=0.01)),
]


def _run(hidden, output, loss, targets, options, engine, seed):
    n_out = 3 if output == "softmax" else (1 if targets == "classes" else 2)
    X, Y = _data(12, 3, n_out, targets, seed)
    net = MLP([3] + [4] * len(hidden) + [n_out], hidden + [output], seed=seed)
    config = TrainConfig(**{"epochs": 100, "learning_rate": 0.05, "seed": seed, **options, "loss": loss,
                            "engine": engine})
    history = train(net, X, Y, config)
    return net.get_parameters(), history


def _close(a, b, tolerance=1e-12):
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    assert a.shape == b.shape
    assert np.array_equal(np.isnan(a), np.isnan(b))
    a, b = a[~np.isnan(a)], b[~np.isnan(b)]
    assert np.linalg.norm(a - b) <= tolerance * np.linalg.norm(a), np.linalg.norm(a - b) / np.linalg.norm(a)


@needs_numba
@pytest.mark.parametrize("case", range(len(CASES)))
def test_the_kernel_trains_like_numpy(case):
    hidden, output, loss, targets, options = CASES[case]
    numpy_params, numpy_history = _run(hidden, output, loss, targets, {**options, "engine": "numpy"}, "numpy", case)
    options = {k: v for k, v in options.items() if k != "engine"}
    kernel_params, kernel_history = _run(hidden, output, loss, targets, options, "compiled", case)
    assert (numpy_history.engine, kernel_history.engine) == ("numpy", "compiled")
    _close(numpy_params, kernel_params)
    assert np.array_equal(numpy_history.epochs, kernel_history.epochs)
    _close(numpy_history.train_rmse, kernel_history.train_rmse)
    _close(numpy_history.val_rmse, kernel_history.val_rmse)
    _close(numpy_history.params, kernel_history.params)
    _close(numpy_history.learning_rates, kernel_history.learning_rates)
    assert numpy_history.stop_reason == kernel_history.stop_reason
    assert numpy_history.best_epoch == kernel_history.best_epoch


@needs_numba
@pytest.mark.parametrize("options", [
    dict(target_rmse=0.2),
    dict(validation_fraction=0.25, early_stopping_patience=3, min_delta=0.0, learning_rate=0.5, momentum=0.9),
    dict(learning_rate=1e3, momentum=0.9),  # diverges
])
def test_stop_reasons_and_continued_runs_match(options):
    X, Y = _data(10, 2, 1, "numbers", 4)
    results = []
    for engine in ("numpy", "compiled"):
        net = MLP([2, 5, 1], ["tanh", "identity"], seed=3)
        config = TrainConfig(epochs=60, batch_size=1, seed=2, engine=engine, **{"learning_rate": 0.1, **options})
        history = train(net, X, Y, config)
        history = train(net, X, Y, TrainConfig(**{**config.__dict__, "epochs": 20, "target_rmse": None,
                                                 "early_stopping_patience": None}), history=history)
        results.append((net.get_parameters(), history))
    (a, first), (b, second) = results
    _close(a, b)
    assert (first.stop_reason, first.last_epoch, first.best_epoch) == (second.stop_reason, second.last_epoch,
                                                                       second.best_epoch)
    _close(first.train_rmse, second.train_rmse)


@needs_numba
def test_on_more_rows_numpy_measures_the_epochs_the_kernel_runs():
    """Above compiled.MEASURE_ROWS rows the kernel runs one epoch's steps per call and the NumPy
    path's own end of epoch measures it: the same run still, early stopping included."""
    X, Y = _data(compiled.MEASURE_ROWS + 40, 2, 1, "numbers", 5)
    results = []
    for engine in ("numpy", "compiled"):
        net = MLP([2, 3, 1], ["tanh", "identity"], seed=5)
        config = TrainConfig(epochs=12, batch_size=1, learning_rate=0.05, momentum=0.9, shuffle=True, seed=5,
                             validation_fraction=0.2, early_stopping_patience=4, engine=engine)
        history = train(net, X, Y, config)
        results.append((net.get_parameters(), history))
    (a, first), (b, second) = results
    assert second.engine == "compiled"
    _close(a, b)
    _close(first.val_rmse, second.val_rmse)
    assert (first.stop_reason, first.best_epoch) == (second.stop_reason, second.best_epoch)


def test_engine_selection(monkeypatch):
    monkeypatch.setattr(compiled, "available", lambda: True)
    monkeypatch.setattr(compiled, "kernel", lambda: None)
    small, wide = (3, 2, 1), (784, 64, 10)
    assert choose_engine(TrainConfig(batch_size=1), 1, small) == "compiled"
    assert choose_engine(TrainConfig(batch_size=64), 64, small) == "compiled"
    assert choose_engine(TrainConfig(batch_size=4), 4, (10, 32, 1)) == "compiled"
    assert choose_engine(TrainConfig(batch_size=16), 16, (10, 32, 1)) == "numpy"  # NumPy's products win
    assert choose_engine(TrainConfig(), 1000, small) == "numpy"  # full batch
    assert choose_engine(TrainConfig(batch_size=1), 1, wide) == "numpy"  # a big network's step
    assert choose_engine(TrainConfig(engine="compiled"), 1000, wide) == "compiled"
    assert choose_engine(TrainConfig(batch_size=1, engine="numpy"), 1, small) == "numpy"
    assert choose_engine(TrainConfig(batch_size=1, dtype="float32"), 1, small) == "numpy"
    assert choose_engine(TrainConfig(optimizer="lbfgs"), 10, small) == "numpy"


def test_settings_the_kernel_cannot_run_are_refused_in_words():
    with pytest.raises(DataError, match="compiled engine runs SGD, Adam and RMSprop; L-BFGS"):
        TrainConfig(engine="compiled", optimizer="lbfgs")
    with pytest.raises(DataError, match="computes in float64"):
        TrainConfig(engine="compiled", dtype="float32")
    with pytest.raises(DataError, match="Unknown engine"):
        TrainConfig(engine="fortran")


def test_the_combinations_a_run_refuses_are_the_ones_engine_refusal_names():
    """One owner: the parameter panel greys out what engine_refusal names, and Train refuses exactly that."""
    from mlp_desktop.core.settings import SETTINGS
    from mlp_desktop.core.training import engine_refusal

    for engine in SETTINGS["engine"].choices:
        for optimizer in SETTINGS["optimizer"].choices:
            for dtype in SETTINGS["dtype"].choices:
                reason = engine_refusal(engine, optimizer, dtype)
                try:
                    TrainConfig(engine=engine, optimizer=optimizer, dtype=dtype)
                    refused = ""
                except DataError as error:
                    refused = str(error)
                assert refused == reason, (engine, optimizer, dtype)
                full_batch = optimizer in ("lbfgs", "lm")
                assert bool(reason) == ((engine == "compiled" and (full_batch or dtype == "float32"))
                                        or (full_batch and dtype == "float32"))  # (computed in float64: refused, not ignored)


def test_without_numba_auto_trains_with_numpy_and_compiled_says_why(monkeypatch):
    """What CI without numba sees: the NumPy path, and a plain error when the kernel is asked for."""
    monkeypatch.setattr(compiled, "available", lambda: False)
    X, Y = _data(6, 3, 1, "numbers", 0)
    net = MLP([3, 2, 1], ["sigmoid", "identity"], seed=1)
    assert train(net, X, Y, TrainConfig(epochs=3, batch_size=1)).engine == "numpy"
    with pytest.raises(DataError, match="compiled engine is not available: numba is not installed"):
        train(net, X, Y, TrainConfig(epochs=3, batch_size=1, engine="compiled"))


@needs_numba
def test_stop_is_answered_within_a_bounded_number_of_steps():
    """The kernel runs a bounded number of rows per call; a stop set during a run ends it at once,
    counting the steps of the unfinished epoch as an epoch, as the NumPy path does."""
    X, Y = _data(2000, 3, 1, "numbers", 0)
    net = MLP([3, 8, 1], ["tanh", "identity"], seed=1)
    stop = threading.Event()
    calls = []

    def on_progress(report):
        calls.append(report.epoch)
        if len(calls) == 3:
            stop.set()

    history = train(net, X, Y, TrainConfig(epochs=10**6, batch_size=1, learning_rate=0.001, engine="compiled"),
                    on_progress=on_progress, stop_event=stop, progress_every=1, progress_interval=None)
    assert history.stop_reason == "stopped"
    assert history.last_epoch == 3
    assert calls[-1] == 3 and calls == [1, 2, 3, 3]


@needs_numba
def test_pause_and_progress_with_the_kernel():
    X, Y = _data(8, 3, 1, "numbers", 0)
    net = MLP([3, 4, 1], ["tanh", "identity"], seed=1)
    pause, reports = threading.Event(), []

    def on_progress(report):
        reports.append(report)
        if report.epoch == 40 and not report.paused:
            pause.set()
            threading.Timer(0.05, pause.clear).start()

    history = train(net, X, Y, TrainConfig(epochs=100, batch_size=1, engine="compiled"), on_progress=on_progress,
                    pause_event=pause, progress_every=20, progress_interval=None)
    assert history.last_epoch == 100 and history.engine == "compiled"
    assert [r.epoch for r in reports if not r.paused] == [20, 40, 60, 80, 100, 100]
    assert any(r.paused and r.epoch == 40 for r in reports)
    assert np.array_equal(np.concatenate([r.epochs for r in reports]), np.arange(1, 101))
    assert reports[-2].layer_grad_rms.shape == (20, 2) and np.isfinite(reports[-2].layer_grad_rms).all()


def test_float32_trains_close_to_float64():
    X, Y = _data(200, 4, 1, "numbers", 0)
    results = []
    for dtype in ("float64", "float32"):
        net = MLP([4, 8, 1], ["tanh", "identity"], seed=1)
        history = train(net, X, Y, TrainConfig(epochs=50, learning_rate=0.1, batch_size=16, dtype=dtype,
                                               engine="numpy"))
        assert net.get_parameters().dtype == np.float64 and history.engine == "numpy"
        results.append((net.get_parameters(), history.train_rmse[-1]))
    (a, rmse64), (b, rmse32) = results
    assert np.allclose(a, b, rtol=1e-3, atol=1e-4) and abs(rmse64 - rmse32) < 1e-4


def test_the_command_line_names_the_engine_and_refuses_what_cannot_run(tmp_path, capsys):
    from mlp_desktop.cli import main
    from mlp_desktop.core.samples import sample_path

    model = tmp_path / "health.json"
    assert main(["train", str(sample_path("health_score")), "--epochs", "5", "--batch-size", "1", "--engine",
                 "numpy", "--save", str(model)]) == 0
    assert "(NumPy engine)." in capsys.readouterr().out
    assert main(["train", str(sample_path("health_score")), "--epochs", "5", "--optimizer", "lbfgs", "--engine",
                 "compiled", "--save", str(model)]) == 2
    assert "error: The compiled engine runs SGD, Adam and RMSprop" in capsys.readouterr().err
