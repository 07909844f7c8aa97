"""K-fold cross-validation: how well a network *setup* does on rows it never saw, with its spread.

The rows are dealt into ``folds`` parts (stratified by class for classification: each fold gets
about the same share of every class). Each part in turn is the test set of a run trained on the
other parts, from the same initial settings (the same network description, initialisation seed
and training settings), exactly as :func:`~mlp_desktop.core.model.fit_model` trains a model: the
scaling is fitted on that run's training rows only, and ``config.validation_fraction`` of them
is held out for validation (and early stopping). ``repeats`` re-deals the rows and does it again.

Each fold is scored in the user's units with :meth:`~mlp_desktop.core.model.Model.evaluate`:
RMSE, MAE and R² for regression, accuracy for classification. ``mean`` and ``std`` (population
standard deviation, as scikit-learn's ``scores.std()``) are keyed by metric.

Like :func:`~mlp_desktop.core.training.train`, this knows nothing of a GUI: progress goes to a
plain callable and a ``threading.Event``-like ``stop_event`` cancels between steps.
"""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass, field, replace
from typing import Callable

import numpy as np

from .errors import DataError
from .model import NetworkSpec, fit_model
from .training import ProgressReport, TrainConfig, _whole_number

METRICS = {"regression": ("rmse", "mae", "r2"), "classification": ("accuracy",)}
"""Task -> the metrics each fold reports."""


@dataclass(frozen=True)
class CrossValidationProgress:
    """What ``cross_validate`` tells ``on_progress``: plain data.

    ``repeat`` and ``fold`` (1-based) say which run is training; ``runs_done`` of ``n_runs`` have
    finished. During a run, ``epoch``/``final_epoch`` follow its training; when a run finishes,
    ``fold_result`` holds its row of :attr:`CrossValidationResult.folds`.
    """

    repeat: int
    fold: int
    n_folds: int
    n_repeats: int
    runs_done: int
    n_runs: int
    epoch: int = 0
    final_epoch: int = 0
    fold_result: dict | None = None

    @property
    def fraction_done(self) -> float:
        """Share of the whole cross-validation done, 0 to 1 (for a progress bar)."""
        within = self.epoch / self.final_epoch if self.final_epoch and self.fold_result is None else 0.0
        return min(1.0, (self.runs_done + within) / self.n_runs)


@dataclass
class CrossValidationResult:
    """Per-fold metrics and their mean and standard deviation.

    ``folds`` has one dict per finished run: ``repeat``, ``fold``, ``n_train``, ``n_test``,
    ``epochs_run``, ``stop_reason`` and every metric of ``metrics``. ``stopped`` is True when the
    stop event cut the cross-validation short (``folds`` then holds the runs that finished).
    """

    task: str
    metrics: tuple[str, ...]
    n_folds: int
    n_repeats: int
    folds: list[dict] = field(default_factory=list)
    stopped: bool = False

    @property
    def mean(self) -> dict[str, float]:
        return {m: _stat(np.mean, [f[m] for f in self.folds]) for m in self.metrics}

    @property
    def std(self) -> dict[str, float]:
        return {m: _stat(np.std, [f[m] for f in self.folds]) for m in self.metrics}

    def to_dict(self) -> dict:
        """Plain JSON-ready data: ``folds``, ``mean`` and ``std`` keyed by metric, and the setup."""
        return {"task": self.task, "n_folds": self.n_folds, "n_repeats": self.n_repeats, "stopped": self.stopped,
                "metrics": list(self.metrics), "folds": [dict(f) for f in self.folds], "mean": self.mean,
                "std": self.std}


def _stat(function, values) -> float:
    values = [v for v in values if v is not None and math.isfinite(v)]
    return float(function(values)) if values else math.nan


def fold_rows(n_rows: int, folds: int, rng: np.random.Generator, labels=None) -> list[np.ndarray]:
    """The test rows of each of ``folds`` folds (sorted index arrays that partition ``range(n_rows)``).

    Rows are shuffled; with ``labels`` each class's rows are dealt in turn, so every fold gets
    about the same share of each class and the fold sizes differ by at most one.
    """
    if labels is None:
        order = rng.permutation(n_rows)
    else:
        labels = np.asarray(labels)
        # one class after another, each shuffled, then dealt round-robin: stratified and balanced
        groups = [rng.permutation(np.flatnonzero(labels == value)) for value in _classes(labels)]
        order = np.concatenate(groups) if groups else np.zeros(0, dtype=np.intp)
    assignment = np.empty(n_rows, dtype=np.intp)
    assignment[order] = np.arange(n_rows) % folds
    return [np.flatnonzero(assignment == k) for k in range(folds)]


def _classes(labels: np.ndarray) -> list:
    # a fixed order whatever the row order, so the folds depend only on the seed
    return sorted(set(labels.tolist()), key=str)


def cross_validate(
    dataset,
    spec: NetworkSpec | None = None,
    config: TrainConfig | None = None,
    *,
    folds: int = 5,
    repeats: int = 1,
    input_scaling: str = "standard",
    minmax_bounds: dict | None = None,
    scale_targets: bool = True,
    on_progress: Callable[[CrossValidationProgress], None] | None = None,
    stop_event: threading.Event | None = None,
) -> CrossValidationResult:
    """Cross-validate training ``spec`` with ``config`` on a :class:`~mlp_desktop.core.data.Dataset`.

    Parameters
    ----------
    folds : K, at least 2 and at most the number of rows.
    repeats : how many times to re-deal the rows into folds (each time with new random folds,
        drawn from ``config.seed``, so the whole result is reproducible with a seed).
    input_scaling, minmax_bounds, scale_targets : as for :func:`~mlp_desktop.core.model.fit_model`.
    on_progress : receives :class:`CrossValidationProgress` during training (throttled like
        ``train``'s reports) and once after every finished run.
    stop_event : when set, the current run stops and the finished runs are returned
        (``result.stopped`` is True).

    ``config.test_fraction`` is ignored: each fold is the test set.
    """
    spec = spec or NetworkSpec()
    config = replace(config or TrainConfig(), test_fraction=0.0)
    n_folds = _whole_number(folds, "The number of folds", minimum=2)
    n_repeats = _whole_number(repeats, "The number of repeats", minimum=1)
    n_rows = dataset.n_rows
    if n_folds > n_rows:
        raise DataError(f"There are {n_rows} rows, too few to make {n_folds} folds; "
                        f"use at most {n_rows} folds (or more data).")
    task = dataset.task
    labels = dataset.class_labels
    result = CrossValidationResult(task, METRICS[task], n_folds, n_repeats)
    rng = np.random.default_rng(config.seed)
    n_runs = n_folds * n_repeats
    for repeat in range(1, n_repeats + 1):
        for fold, test_rows in enumerate(fold_rows(n_rows, n_folds, rng, labels), start=1):
            if stop_event is not None and stop_event.is_set():
                result.stopped = True
                return result
            train_rows = np.setdiff1d(np.arange(n_rows), test_rows)
            where = dict(repeat=repeat, fold=fold, n_folds=n_folds, n_repeats=n_repeats,
                         runs_done=len(result.folds), n_runs=n_runs)
            relay = None
            if on_progress is not None:
                def relay(report: ProgressReport, where=where):
                    on_progress(CrossValidationProgress(**where, epoch=report.epoch, final_epoch=report.final_epoch))
            part = dataset.take(train_rows)
            try:
                model, history = fit_model(part, spec, config, input_scaling, minmax_bounds, scale_targets,
                                           on_progress=relay, stop_event=stop_event)
            except DataError as error:
                raise DataError(f"Fold {fold} of {n_folds}{_repeat_text(repeat, n_repeats)}: {error}") from None
            if history.stop_reason == "stopped" and stop_event is not None and stop_event.is_set():
                result.stopped = True
                return result
            scores = model.evaluate(dataset.frame.iloc[test_rows])
            row = {"repeat": repeat, "fold": fold, "n_train": int(train_rows.size), "n_test": int(test_rows.size),
                   "epochs_run": history.last_epoch, "stop_reason": history.stop_reason}
            row.update({m: float(scores[m]) for m in result.metrics})
            result.folds.append(row)
            if on_progress is not None:
                on_progress(CrossValidationProgress(**{**where, "runs_done": len(result.folds)},
                                                    epoch=history.last_epoch, final_epoch=history.last_epoch,
                                                    fold_result=dict(row)))
    return result


def _repeat_text(repeat: int, n_repeats: int) -> str:
    return f" (repeat {repeat} of {n_repeats})" if n_repeats > 1 else ""


def _shown(value: float, spec: str) -> str:
    """A metric as text; ``n/a`` where it is undefined (R² of test rows whose targets are all equal)."""
    return format(value, spec) if math.isfinite(value) else "n/a"


def describe(result: CrossValidationResult) -> str:
    """A short plain-text table: one line per fold, then mean +- standard deviation per metric."""
    names = {"rmse": "RMSE", "mae": "MAE", "r2": "R²", "accuracy": "accuracy"}
    lines = []
    for row in result.folds:
        where = f"repeat {row['repeat']}, fold {row['fold']}" if result.n_repeats > 1 else f"fold {row['fold']}"
        values = ", ".join(f"{names[m]} {_shown(row[m], '.4g')}" for m in result.metrics)
        lines.append(f"{where} ({row['n_test']} test rows): {values}")
    mean, std = result.mean, result.std
    lines.append("mean ± std: " + ", ".join(
        f"{names[m]} {_shown(mean[m], '.4g')}" + (f" ± {std[m]:.2g}" if math.isfinite(mean[m]) else "")
        for m in result.metrics))
    if result.stopped:
        lines.append(f"Stopped after {len(result.folds)} of {result.n_folds * result.n_repeats} runs.")
    return "\n".join(lines)


__all__ = ["METRICS", "CrossValidationProgress", "CrossValidationResult", "cross_validate", "describe",
           "fold_rows"]
