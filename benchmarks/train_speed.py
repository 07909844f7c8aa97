"""Training speed of our NumPy MLP against scikit-learn's MLPRegressor/MLPClassifier, measured in one run.

SGD and Adam cases: both train the same network on the same data for the same number of epochs
(no momentum, no L2 penalty, no shuffling, no early stopping). scikit-learn halves its squared
error, so with SGD it gets twice our learning rate to take the same steps (Adam's steps do not
depend on the gradient's scale, so both get the same rate).

L-BFGS case: both use SciPy's L-BFGS-B on the two-moons sample (2-8-1, tanh, logistic output,
cross-entropy). They start from different random weights, so they are compared *to the same
loss*: scikit-learn runs its iterations, then we time how long our run takes to reach a loss at
least as low (the number of iterations it needs is found in an untimed run first).

Each side is timed several times and the best time is kept (this machine is noisy); the ratio is
scikit-learn's time divided by ours, so above 1 means we are faster.

    python benchmarks/train_speed.py            # needs: pip install -e ".[bench]"
    python benchmarks/train_speed.py --repeats 5
"""

from __future__ import annotations

import argparse
import time
import warnings

import numpy as np

from mlp_desktop.core import MLP, TrainConfig, train


def make_data(n_samples: int, n_features: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n_samples, n_features))
    y = np.tanh(X @ rng.normal(size=n_features) / np.sqrt(n_features)) + 0.1 * rng.normal(size=n_samples)
    return X, y


def time_ours(X, y, hidden, epochs, batch_size, lr, optimizer) -> tuple[float, float]:
    net = MLP([X.shape[1], hidden, 1], ["tanh", "identity"], seed=0)
    config = TrainConfig(epochs=epochs, learning_rate=lr, batch_size=batch_size, optimizer=optimizer)
    start = time.perf_counter()
    history = train(net, X, y[:, None], config)
    return time.perf_counter() - start, float(history.train_rmse[-1])


def time_sklearn(X, y, hidden, epochs, batch_size, lr, optimizer) -> tuple[float, float]:
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPRegressor

    if optimizer == "sgd":
        solver = dict(solver="sgd", learning_rate="constant", learning_rate_init=2 * lr, momentum=0.0,
                      nesterovs_momentum=False)
    else:
        solver = dict(solver="adam", learning_rate_init=lr, beta_1=0.9, beta_2=0.999, epsilon=1e-8)
    model = MLPRegressor(
        hidden_layer_sizes=(hidden,), activation="tanh", alpha=0.0, batch_size=batch_size or X.shape[0],
        max_iter=epochs, shuffle=False, tol=0.0, n_iter_no_change=10**9, early_stopping=False, random_state=0,
        **solver,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        start = time.perf_counter()
        model.fit(X, y)
        elapsed = time.perf_counter() - start
    return elapsed, float(np.sqrt(np.mean((model.predict(X) - y) ** 2)))


CASES = [
    # name, samples, features, hidden, epochs, batch size, learning rate, optimizer, target ratio
    ("per-sample SGD, 1000x10, 10-32-1 tanh", 1000, 10, 32, 5, 1, 0.005, "sgd", 4.0),
    ("full batch, 100000x20, 20-64-1 tanh", 100_000, 20, 64, 20, None, 0.1, "sgd", 1.0),
    ("per-sample Adam, 1000x10, 10-32-1 tanh", 1000, 10, 32, 5, 1, 0.001, "adam", 3.0),
]


def two_moons() -> tuple[np.ndarray, np.ndarray]:
    import pandas as pd

    from mlp_desktop.core.samples import sample_path

    frame = pd.read_csv(sample_path("two_moons"))
    X = frame[["x", "y"]].to_numpy(float)
    return (X - X.mean(axis=0)) / X.std(axis=0), (frame["class"].to_numpy() == "upper").astype(float)


def sklearn_lbfgs(X, y, iterations) -> tuple[float, float, int]:
    """Seconds, final loss and iterations of scikit-learn's L-BFGS (loss: mean binary cross-entropy)."""
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPClassifier

    model = MLPClassifier(hidden_layer_sizes=(8,), activation="tanh", solver="lbfgs", alpha=0.0,
                          max_iter=iterations, tol=0.0, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        start = time.perf_counter()
        model.fit(X, y)
        elapsed = time.perf_counter() - start
    return elapsed, float(model.loss_), int(model.n_iter_)


def our_lbfgs_iterations(X, y, target_loss, max_iterations) -> int:
    """Untimed: the first iteration at which our L-BFGS run's loss is at most ``target_loss``."""
    from mlp_desktop.core.training import loss_and_gradient

    net = MLP([2, 8, 1], ["tanh", "sigmoid"], seed=0)
    probe = net.copy()
    losses = []

    def on_progress(report):
        for epoch, row in zip(report.param_epochs, report.param_rows):
            if epoch > len(losses):
                probe.set_parameters(row)
                losses.append(loss_and_gradient(probe, X, y[:, None], TrainConfig(loss="cross_entropy"))[0])

    train(net, X, y[:, None], TrainConfig(epochs=max_iterations, optimizer="lbfgs", loss="cross_entropy"),
          on_progress=on_progress, progress_every=1, progress_interval=None)
    reached = [i + 1 for i, loss in enumerate(losses) if loss <= target_loss]
    return reached[0] if reached else max_iterations


def time_our_lbfgs(X, y, iterations) -> tuple[float, float]:
    from mlp_desktop.core.training import loss_and_gradient

    net = MLP([2, 8, 1], ["tanh", "sigmoid"], seed=0)
    start = time.perf_counter()
    train(net, X, y[:, None], TrainConfig(epochs=iterations, optimizer="lbfgs", loss="cross_entropy"))
    elapsed = time.perf_counter() - start
    return elapsed, loss_and_gradient(net, X, y[:, None], TrainConfig(loss="cross_entropy"))[0]


def lbfgs_case(repeats: int, sklearn_iterations: int = 30) -> None:
    # 30 iterations take scikit-learn to a loss of about 0.027; with more, both reach ~0 (the
    # moons are separable) and "the same loss" stops meaning anything.
    X, y = two_moons()
    repeats *= 5  # a run takes milliseconds: more timings to find a quiet one
    theirs = [sklearn_lbfgs(X, y, sklearn_iterations) for _ in range(repeats)]
    t_theirs, their_loss, their_iterations = min(theirs)
    iterations = our_lbfgs_iterations(X, y, their_loss, 20 * sklearn_iterations)  # also imports SciPy
    ours = [time_our_lbfgs(X, y, iterations) for _ in range(repeats)]
    t_ours, our_loss = min(ours)
    ratio = t_theirs / t_ours
    verdict = "ok" if ratio >= 1.0 and our_loss <= their_loss else "SLOWER THAN TARGET"
    name = "L-BFGS, two moons 2-8-1, to the same loss"
    print(f"{name:42s} {t_ours:8.4f} {t_theirs:9.4f} {ratio:5.1f}x {1.0:5.1f}x  "
          f"loss {our_loss:.4f} / {their_loss:.4f} after {iterations} / {their_iterations} iterations  {verdict}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3, help="timings per side; the best is kept")
    args = parser.parse_args()
    print(f"{'case':42s} {'ours s':>8s} {'sklearn s':>9s} {'ratio':>6s} {'target':>6s}  RMSE ours / sklearn")
    for name, n, d, hidden, epochs, batch, lr, optimizer, target in CASES:
        X, y = make_data(n, d)
        ours = [time_ours(X, y, hidden, epochs, batch, lr, optimizer) for _ in range(args.repeats)]
        theirs = [time_sklearn(X, y, hidden, epochs, batch, lr, optimizer) for _ in range(args.repeats)]
        t_ours, t_theirs = min(t for t, _ in ours), min(t for t, _ in theirs)
        ratio = t_theirs / t_ours
        verdict = "ok" if ratio >= target else "SLOWER THAN TARGET"
        print(f"{name:42s} {t_ours:8.3f} {t_theirs:9.3f} {ratio:5.1f}x {target:5.1f}x  "
              f"{ours[0][1]:.4f} / {theirs[0][1]:.4f}  {verdict}")
    lbfgs_case(args.repeats)


if __name__ == "__main__":
    main()
