"""A bounded record of a training run: RMSE and every parameter, epoch by epoch.

Thinning policy
---------------
Rows are kept for every epoch until the row budget is reached. Then every other row is dropped
and from then on only every 2nd epoch is kept; the next time the budget is reached, every 4th, and
so on (a :class:`~mlp_desktop.core.series.SnapshotBuffer`). So the rows are always evenly spread
over the run (epochs ``1 + k * stride``, ``stride`` a power of two) and number between half the
budget and the budget. The latest epoch is always included, whether or not it falls on the stride.
Rows are placed by their epoch: a history read back from a project, or rebuilt after an edit,
keeps its rows where they were when the next run thins the record.

The budget is ``max_rows`` (default 2,048, so at least 1,024 rows remain) unless a row of
parameters is so large that this would pass ``memory_budget`` (default 64 MiB); then the budget is
as many rows as fit in it (networks of more than about 4,000 parameters keep fewer rows). A
1,000,000-epoch run therefore never holds more than about 64 MiB, whatever the network.

The learning rate of every kept epoch is kept alongside (NaN where an optimizer has none, and for
histories saved before it was recorded), thinned exactly like the rows; so is each weight layer's
root-mean-square gradient over the epoch's steps (``grad_rms``, the Gradients plot; NaN where it was
not recorded).
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

from .parameters import layer_sizes_of
from .series import SnapshotBuffer

STOP_REASONS = ("completed", "target_reached", "stopped", "diverged", "early_stopped", "converged")
MEMORY_BUDGET = 64 * 2**20
"""The bytes a history's rows may take (see the module docstring)."""


class History:
    """Per-epoch training record, bounded in memory (see the module docstring for the policy).

    ``epochs`` are 1-based and increasing; ``train_rmse``, ``val_rmse`` (NaN without a validation
    split) and the rows of ``params`` (``(len(epochs), n_params)``, columns in
    ``parameter_names`` order) belong to the same epochs, and so do ``learning_rates`` (the rate
    each epoch was trained with; NaN for L-BFGS and Levenberg-Marquardt). ``stop_reason`` is one of
    ``STOP_REASONS`` and ``message`` says it in words.

    With validation rows, ``best_epoch`` is the epoch of the lowest validation RMSE of the last run
    (``best_val_rmse``; 0 when the weights before training were best), else ``None``; an
    ``"early_stopped"`` run put the network back to that epoch's weights (``best_train_rmse`` is their
    training RMSE), so its rows after that epoch describe weights the network no longer has
    (:meth:`epochs_past_weights`; a continued run drops them: :meth:`cut_back`). ``test_rmse`` is the RMSE
    on the held-out test rows after the last run (NaN without test rows). ``optimizer_state``
    lets a run continuing this history pick up the optimizer's momenta where the last one left them.
    ``engine`` names the engine that ran the last run (``"numpy"`` or ``"compiled"``).
    """

    def __init__(
        self, parameter_names: Sequence[str], max_rows: int = 2048, memory_budget: int = MEMORY_BUDGET
    ):
        self.parameter_names = list(parameter_names)
        # One row per kept epoch: train RMSE, validation RMSE, then every parameter.
        self._buffer = SnapshotBuffer(len(self.parameter_names) + 2, max_rows, memory_budget)
        self._row = np.zeros(len(self.parameter_names) + 2)
        # Same row bound, same appends: thinned exactly like the rows above. One row per kept epoch:
        # the learning rate, then each weight layer's RMS gradient.
        self.n_layers = _weight_layer_count(self.parameter_names)
        self._learning_rates = SnapshotBuffer(1 + self.n_layers, self._buffer.max_rows, memory_budget=2**62)
        self._rate_row = np.full(1 + self.n_layers, np.nan)
        self._last_epoch = 0
        self.initial_train_rmse = np.nan
        self.initial_val_rmse = np.nan
        self.initial_params: np.ndarray | None = None
        self.stop_reason = "completed"
        self.message = ""
        self.elapsed_seconds = 0.0
        self.best_epoch: int | None = None
        self.best_val_rmse = np.nan
        self.best_train_rmse = np.nan  # of the weights an early stop put back (NaN otherwise)
        self.test_rmse = np.nan
        # The optimizer's running state (momenta, Adam's moments, LM's damping) after the last
        # run, so that continuing goes on exactly; kept in memory only, not in project files.
        self.optimizer_state: dict | None = None
        # Which engine ran the last run: "numpy" or "compiled" (training.choose_engine).
        self.engine = "numpy"

    def set_initial(self, train_rmse: float, val_rmse: float, params: np.ndarray) -> None:
        """Record the state before the first epoch (shown as epoch 0 by plots)."""
        if self.initial_params is None:
            self.initial_train_rmse, self.initial_val_rmse = train_rmse, val_rmse
            self.initial_params = np.array(params, dtype=np.float64)

    def append(self, epoch: int, train_rmse: float, val_rmse: float, params: np.ndarray,
               learning_rate: float = np.nan, grad_rms: Sequence[float] | None = None) -> None:
        """Record the state after ``epoch`` (trained with ``learning_rate``, with ``grad_rms`` per
        weight layer); epochs must increase."""
        row = self._row
        row[0], row[1] = train_rmse, val_rmse
        row[2:] = params
        self._buffer.append(epoch, row, epoch - 1)
        rate_row = self._rate_row
        rate_row[0] = learning_rate
        rate_row[1:] = np.nan if grad_rms is None else grad_rms
        self._learning_rates.append(epoch, rate_row, epoch - 1)
        self._last_epoch = int(epoch)

    def extend(self, epochs: np.ndarray, rows: np.ndarray, learning_rates: np.ndarray,
               grad_rms: np.ndarray | None = None) -> None:
        """:meth:`append` for many epochs at once: ``rows[i] = [train RMSE, validation RMSE, *params]``
        after ``epochs[i]`` (the same history as appending them one by one, without the Python loop).
        ``rows`` may also be the tuple ``(rmse (n, 2), params (n, n_params))``, copied into place."""
        if len(epochs) == 0:
            return
        # Rows are placed by their epoch, not by how many came before: a saved history read back
        # (rows every 1,024th epoch, say) keeps its rows when a continued run thins the record.
        positions = np.asarray(epochs, dtype=np.int64) - 1
        self._buffer.extend(epochs, rows, positions)
        per_epoch = np.full((len(epochs), 1 + self.n_layers), np.nan)
        per_epoch[:, 0] = learning_rates
        if grad_rms is not None:
            per_epoch[:, 1:] = grad_rms
        self._learning_rates.extend(epochs, per_epoch, positions)
        self._last_epoch = int(epochs[-1])

    @property
    def capacity(self) -> int:
        """The row budget: between half of it and all of it are kept, plus the latest epoch."""
        return self._buffer.max_rows

    @property
    def stride(self) -> int:
        """Every ``stride``-th epoch is kept."""
        return self._buffer.stride

    # Each accessor copies only what it returns (copying the whole record took 0.08 s for 34 MB).
    @property
    def epochs(self) -> np.ndarray:
        return self._buffer.x_values().astype(np.int64)

    @property
    def train_rmse(self) -> np.ndarray:
        return self._buffer.arrays([0])[1][:, 0]

    @property
    def val_rmse(self) -> np.ndarray:
        return self._buffer.arrays([1])[1][:, 0]

    @property
    def learning_rates(self) -> np.ndarray:
        """The learning rate each kept epoch was trained with (NaN where there is none)."""
        return self._learning_rates.arrays()[1][:, 0]

    def records(self, copy: bool = True) -> tuple[np.ndarray, np.ndarray]:
        """``(epochs, rows)``, each row ``[train RMSE, validation RMSE, *params]``, in one copy.

        ``copy=False`` may return read-only views of the record instead, valid until the history
        changes: for a caller that reads them at once (a save)."""
        stored = None if copy else self._buffer.stored()
        epochs, rows = stored if stored is not None else self._buffer.arrays()
        return epochs.astype(np.int64), rows

    def params_rows(self, columns=None) -> np.ndarray:
        """``params``, or only its ``columns`` (a sequence of parameter indices) without copying the
        others: ``(len(epochs), len(columns))``."""
        if columns is None:
            return self.params
        return self._buffer.arrays(np.asarray(columns, dtype=np.int64) + 2)[1]

    @property
    def grad_rms(self) -> np.ndarray:
        """``(len(epochs), n_layers)``: each weight layer's RMS gradient over the epoch's steps (NaN where
        not recorded)."""
        return self._learning_rates.arrays()[1][:, 1:]

    @property
    def latest_learning_rate(self) -> float:
        """The learning rate of the last epoch (NaN before training)."""
        return float(self._learning_rates.last_row[0]) if len(self._learning_rates) else np.nan

    @property
    def params(self) -> np.ndarray:
        return self._buffer.arrays()[1][:, 2:]

    @property
    def last_params(self) -> np.ndarray:
        """The parameters after the last epoch, ``(n_params,)``: ``params[-1]`` without copying the
        whole record (0.2 s for a 61 MB history)."""
        if not len(self._buffer):
            raise IndexError("the history has no epochs yet")
        return self._buffer.last_row[2:]

    @property
    def last_epoch(self) -> int:
        """The last epoch run (0 before training)."""
        return self._last_epoch

    @property
    def latest_rmse(self) -> tuple[float, float]:
        """Training and validation RMSE after the last epoch (the initial ones before training)."""
        if not len(self._buffer):
            return self.initial_train_rmse, self.initial_val_rmse
        last = self._buffer.last_row
        return float(last[0]), float(last[1])

    def __len__(self) -> int:
        return self._buffer.n_rows

    OUTCOME = ("stop_reason", "message", "elapsed_seconds", "best_epoch", "best_val_rmse", "best_train_rmse",
               "test_rmse", "engine")
    """How the last run ended: what a copy of this history (cut back, remapped after an edit) keeps."""

    def epochs_past_weights(self) -> tuple[int, int] | None:
        """``(first, last)``: the epochs whose rows describe weights the network no longer has, or ``None``.

        After an early stop the network holds the best epoch's weights, but the record goes on to
        the epoch the run stopped at (the plateau that stopped it is worth seeing). A run continuing
        from the best weights drops those rows (:meth:`cut_back`) and counts on from the best epoch."""
        best = self.best_epoch
        if self.stop_reason == "early_stopped" and best is not None and best < self._last_epoch:
            return best + 1, self._last_epoch
        return None

    def cut_back(self, epoch: int, params: np.ndarray) -> "History":
        """A copy of this history that ends at ``epoch``, whose weights are ``params`` (the network's):
        the rows after it are dropped, and a run continuing the copy counts on from ``epoch + 1``.

        ``epoch`` is the best epoch of an early stop (:meth:`epochs_past_weights`). Its row is kept
        (with ``params``, which differ from the recorded ones only after an edit or a step); a
        thinned record that skipped it gets a row made of the best epoch's RMSEs and ``params``
        (no learning rate or gradient size: NaN). Epoch 0 leaves the weights before training only.
        """
        epoch = int(epoch)
        params = np.asarray(params, dtype=np.float64)
        cut = History(self.parameter_names, max_rows=self.capacity, memory_budget=2**62)
        if self.initial_params is not None:
            cut.set_initial(self.initial_train_rmse, self.initial_val_rmse, self.initial_params)
        epochs, rows = self.records()
        kept = epochs <= epoch
        epochs, rows = epochs[kept], rows[kept]
        has_row = len(epochs) > 0 and epochs[-1] == epoch
        if has_row:
            rows[-1, 2:] = params
        cut.extend(epochs, rows, self.learning_rates[kept], self.grad_rms[kept])
        if epoch > 0 and not has_row:
            cut.append(epoch, self.best_train_rmse, self.best_val_rmse, params)
        for name in self.OUTCOME:
            setattr(cut, name, getattr(self, name))
        # optimizer_state belongs to later weights (an early stop drops it): the next run starts it afresh
        return cut

    @property
    def nbytes(self) -> int:
        return self._buffer.nbytes + self._row.nbytes + self._learning_rates.nbytes

    def to_frame(self, include_initial: bool = True, rmse_scale: float = 1.0, include_learning_rate: bool = False):
        """The table the tutorials plot: epoch, train_rmse, val_rmse and one column per parameter.

        With ``include_initial`` the state before training comes first, as epoch 0.
        ``rmse_scale`` multiplies the RMSE columns (e.g. to show them in the target's units).
        ``include_learning_rate`` adds a ``learning_rate`` column after ``val_rmse`` (NaN at epoch 0).
        """
        import pandas as pd

        x, rows = self._buffer.arrays()
        epochs, train, val, params = x.astype(np.int64), rows[:, 0], rows[:, 1], rows[:, 2:]
        rates = self.learning_rates
        if include_initial and self.initial_params is not None:
            rates = np.concatenate([[np.nan], rates])
            epochs = np.concatenate([[0], epochs])
            train = np.concatenate([[self.initial_train_rmse], train])
            val = np.concatenate([[self.initial_val_rmse], val])
            params = np.vstack([self.initial_params[None, :], params])
        frame = pd.DataFrame(params, columns=self.parameter_names)
        if include_learning_rate:
            frame.insert(0, "learning_rate", rates)
        frame.insert(0, "val_rmse", val * rmse_scale)
        frame.insert(0, "train_rmse", train * rmse_scale)
        frame.insert(0, "epoch", epochs)
        return frame


def _weight_layer_count(names: Sequence[str]) -> int:
    """How many weight layers (``W1``, ``W2``, ...) the parameter names hold; 0 for other names.

    By the names' distinct prefixes: parsing each of a 784-64-10 network's 50,890 names took 0.2 s."""
    sizes = layer_sizes_of(names)  # the usual names, recognised in a millisecond
    if sizes is not None:
        return len(sizes) - 1
    prefixes = {name.partition("[")[0] for name in names}
    layers = [int(prefix[1:]) for prefix in prefixes if prefix[:1] == "W" and prefix[1:].isdigit()]
    return max(layers, default=0)
