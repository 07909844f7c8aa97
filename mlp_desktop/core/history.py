"""A bounded record of a training run: RMSE and every parameter, epoch by epoch.

Thinning policy
---------------
Rows are kept for every epoch until the row budget is reached. Then every other row is dropped
and from then on only epochs that are multiples of 2 are kept; the next time the budget is reached,
multiples of 4, and so on. So the rows are always evenly spread over the run (every ``stride``-th
epoch, ``stride`` a power of two) and number between half the budget and the budget. The latest
epoch is always included, whether or not it falls on the stride.

The budget is ``max_rows`` (default 2,048, so at least 1,024 rows remain) unless a row of
parameters is so large that this would pass ``memory_budget`` (default 64 MiB); then the budget is
as many rows as fit in it (networks of more than about 4,000 parameters keep fewer rows). A
1,000,000-epoch run therefore never holds more than about 64 MiB, whatever the network.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

STOP_REASONS = ("completed", "target_reached", "stopped", "diverged")


class History:
    """Per-epoch training record, bounded in memory (see the module docstring for the policy).

    ``epochs`` are 1-based and increasing; ``train_rmse``, ``val_rmse`` (NaN without a validation
    split) and the rows of ``params`` (``(len(epochs), n_params)``, columns in
    ``parameter_names`` order) belong to the same epochs. ``stop_reason`` is one of
    ``STOP_REASONS`` and ``message`` says it in words.
    """

    def __init__(
        self, parameter_names: Sequence[str], max_rows: int = 2048, memory_budget: int = 64 * 2**20
    ):
        self.parameter_names = list(parameter_names)
        n_params = len(self.parameter_names)
        row_bytes = 8 * (n_params + 3)
        capacity = min(int(max_rows), max(2, int(memory_budget) // row_bytes))
        self.capacity = max(2, capacity - capacity % 2)
        self.stride = 1
        self._n = 0
        self._epochs = np.zeros(self.capacity, dtype=np.int64)
        self._rmse = np.zeros((self.capacity, 2))
        self._params = np.zeros((self.capacity, n_params))
        self._last_epoch = 0
        self._last_rmse = np.full(2, np.nan)
        self._last_params = np.zeros(n_params)
        self.initial_train_rmse = np.nan
        self.initial_val_rmse = np.nan
        self.initial_params: np.ndarray | None = None
        self.stop_reason = "completed"
        self.message = ""
        self.elapsed_seconds = 0.0

    def set_initial(self, train_rmse: float, val_rmse: float, params: np.ndarray) -> None:
        """Record the state before the first epoch (shown as epoch 0 by plots)."""
        if self.initial_params is None:
            self.initial_train_rmse, self.initial_val_rmse = train_rmse, val_rmse
            self.initial_params = np.array(params, dtype=np.float64)

    def append(self, epoch: int, train_rmse: float, val_rmse: float, params: np.ndarray) -> None:
        """Record the state after ``epoch``; epochs must increase."""
        self._last_epoch = epoch
        self._last_rmse[0] = train_rmse
        self._last_rmse[1] = val_rmse
        np.copyto(self._last_params, params)
        if epoch % self.stride:
            return
        if self._n == self.capacity:
            self._thin()
            if epoch % self.stride:
                return
        n = self._n
        self._epochs[n] = epoch
        self._rmse[n] = self._last_rmse
        self._params[n] = params
        self._n = n + 1

    def _thin(self) -> None:
        self.stride *= 2
        keep = np.flatnonzero(self._epochs[: self._n] % self.stride == 0)
        n = keep.size
        self._epochs[:n] = self._epochs[keep]
        self._rmse[:n] = self._rmse[keep]
        self._params[:n] = self._params[keep]
        self._n = n

    def _rows(self, stored: np.ndarray, latest) -> np.ndarray:
        if self._last_epoch == 0 or (self._n and self._epochs[self._n - 1] == self._last_epoch):
            return stored[: self._n].copy()
        return np.concatenate([stored[: self._n], np.asarray(latest)[None, ...]])

    @property
    def epochs(self) -> np.ndarray:
        return self._rows(self._epochs, self._last_epoch)

    @property
    def train_rmse(self) -> np.ndarray:
        return self._rows(self._rmse, self._last_rmse)[:, 0]

    @property
    def val_rmse(self) -> np.ndarray:
        return self._rows(self._rmse, self._last_rmse)[:, 1]

    @property
    def params(self) -> np.ndarray:
        return self._rows(self._params, self._last_params)

    @property
    def last_epoch(self) -> int:
        """The last epoch run (0 before training)."""
        return self._last_epoch

    def __len__(self) -> int:
        return len(self.epochs)

    @property
    def nbytes(self) -> int:
        return self._epochs.nbytes + self._rmse.nbytes + self._params.nbytes + self._last_params.nbytes

    def to_frame(self, include_initial: bool = True, rmse_scale: float = 1.0):
        """The table the tutorials plot: epoch, train_rmse, val_rmse and one column per parameter.

        With ``include_initial`` the state before training comes first, as epoch 0.
        ``rmse_scale`` multiplies the RMSE columns (e.g. to show them in the target's units).
        """
        import pandas as pd

        epochs, train, val, params = self.epochs, self.train_rmse, self.val_rmse, self.params
        if include_initial and self.initial_params is not None:
            epochs = np.concatenate([[0], epochs])
            train = np.concatenate([[self.initial_train_rmse], train])
            val = np.concatenate([[self.initial_val_rmse], val])
            params = np.vstack([self.initial_params[None, :], params])
        frame = pd.DataFrame(params, columns=self.parameter_names)
        frame.insert(0, "val_rmse", val * rmse_scale)
        frame.insert(0, "train_rmse", train * rmse_scale)
        frame.insert(0, "epoch", epochs)
        return frame
