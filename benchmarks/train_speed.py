"""Training speed of our NumPy MLP against scikit-learn's MLPRegressor, measured in one run.

Both train the same network on the same data for the same number of epochs with plain SGD
(no momentum, no L2 penalty, no shuffling, no early stopping). scikit-learn halves its squared
error, so it gets twice our learning rate to take the same steps. Each side is timed several
times and the best time is kept (this machine is noisy); the ratio is scikit-learn's time divided
by ours, so above 1 means we are faster.

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


def time_ours(X, y, hidden, epochs, batch_size, lr) -> tuple[float, float]:
    net = MLP([X.shape[1], hidden, 1], ["tanh", "identity"], seed=0)
    start = time.perf_counter()
    history = train(net, X, y[:, None], TrainConfig(epochs=epochs, learning_rate=lr, batch_size=batch_size))
    return time.perf_counter() - start, float(history.train_rmse[-1])


def time_sklearn(X, y, hidden, epochs, batch_size, lr) -> tuple[float, float]:
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPRegressor

    model = MLPRegressor(
        hidden_layer_sizes=(hidden,), activation="tanh", solver="sgd", alpha=0.0,
        batch_size=batch_size or X.shape[0], learning_rate="constant", learning_rate_init=2 * lr,
        momentum=0.0, nesterovs_momentum=False, max_iter=epochs, shuffle=False, tol=0.0,
        n_iter_no_change=10**9, early_stopping=False, random_state=0,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        start = time.perf_counter()
        model.fit(X, y)
        elapsed = time.perf_counter() - start
    return elapsed, float(np.sqrt(np.mean((model.predict(X) - y) ** 2)))


CASES = [
    # name, samples, features, hidden, epochs, batch size, learning rate, target ratio
    ("per-sample SGD, 1000x10, 10-32-1 tanh", 1000, 10, 32, 5, 1, 0.005, 4.0),
    ("full batch, 100000x20, 20-64-1 tanh", 100_000, 20, 64, 20, None, 0.1, 1.0),
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3, help="timings per side; the best is kept")
    args = parser.parse_args()
    print(f"{'case':42s} {'ours s':>8s} {'sklearn s':>9s} {'ratio':>6s} {'target':>6s}  RMSE ours / sklearn")
    for name, n, d, hidden, epochs, batch, lr, target in CASES:
        X, y = make_data(n, d)
        ours = [time_ours(X, y, hidden, epochs, batch, lr) for _ in range(args.repeats)]
        theirs = [time_sklearn(X, y, hidden, epochs, batch, lr) for _ in range(args.repeats)]
        t_ours, t_theirs = min(t for t, _ in ours), min(t for t, _ in theirs)
        ratio = t_theirs / t_ours
        verdict = "ok" if ratio >= target else "SLOWER THAN TARGET"
        print(f"{name:42s} {t_ours:8.3f} {t_theirs:9.3f} {ratio:5.1f}x {target:5.1f}x  "
              f"{ours[0][1]:.4f} / {theirs[0][1]:.4f}  {verdict}")


if __name__ == "__main__":
    main()
