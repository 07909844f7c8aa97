"""RMSE against epoch for the training and validation rows, live while training runs."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget

from .series_plot import SeriesPlot

SERIES = ["train", "validation"]


class RmsePlot(SeriesPlot):
    """Training and validation RMSE against epoch, with log toggle, follow, read-out and export.

    A validation series that is all NaN (no validation split) is neither drawn nor listed in the
    legend. Memory stays bounded (``max_buckets`` min/max buckets, spikes kept). A dashed vertical
    line marks the best validation epoch (:meth:`set_best_epoch`), labelled "early stop" when the run
    stopped early and went back to it.
    """

    def __init__(self, parent: QWidget | None = None, max_buckets: int = 4096):
        super().__init__(SERIES, "RMSE", log_y=False, max_buckets=max_buckets,
                         export_name="rmse.png", parent=parent,
                         empty_text="Press Train (F5): the error after each epoch appears here.")
        self.train_curve, self.val_curve = self.curves[0], self.curves[1]
        self.best_line = pg.InfiniteLine(
            angle=90, movable=False, pen=pg.mkPen((46, 125, 50), width=1.5, style=Qt.PenStyle.DashLine),
            label="", labelOpts={"position": 0.92, "color": (46, 125, 50), "anchors": [(0, 0.5), (0, 0.5)]})
        self.best_line.hide()
        self.plot_item.vb.addItem(self.best_line, ignoreBounds=True)
        self.stop_line = pg.InfiniteLine(  # where an early-stopped run stopped (its later weights were dropped)
            angle=90, movable=False, pen=pg.mkPen((213, 94, 0), width=1, style=Qt.PenStyle.DotLine),
            label="", labelOpts={"position": 0.8, "color": (213, 94, 0), "anchors": [(1, 0.5), (1, 0.5)]})
        self.stop_line.hide()
        self.plot_item.vb.addItem(self.stop_line, ignoreBounds=True)

    def reset(self) -> None:
        """Remove all data (a new run starts)."""
        self._reset_data()
        self.set_best_epoch(None)

    def set_best_epoch(self, epoch: int | None, early_stopped: bool = False, stop_epoch: int | None = None) -> None:
        """Mark the best validation epoch with a vertical line (``None`` hides it), and with
        ``stop_epoch`` the epoch an early-stopped run stopped at."""
        self.stop_line.setVisible(stop_epoch is not None and epoch is not None)
        if stop_epoch is not None and epoch is not None:
            self.stop_line.setValue(float(stop_epoch))
            self.stop_line.label.setFormat(f"early stop at {stop_epoch:,}")
            self.stop_line.setToolTip(f"Training stopped early at epoch {stop_epoch:,}: the validation RMSE had "
                                      f"not improved since epoch {epoch:,}, whose weights were kept.")
        if epoch is None:
            self.best_line.hide()
            return
        self.best_line.setValue(float(epoch))
        text = f"best epoch {epoch:,}" + (" (early stop: its weights were kept)" if early_stopped else "")
        self.best_line.label.setFormat(text)
        self.best_line.setToolTip(text)
        self.best_line.show()

    def best_epoch(self) -> int | None:
        """The epoch the best-epoch line marks, or None when it is hidden."""
        return int(self.best_line.value()) if self.best_line.isVisible() else None

    def append(self, epochs: np.ndarray, train_rmse: np.ndarray, val_rmse: np.ndarray) -> None:
        """Add epochs: ``epochs``, ``train_rmse``, ``val_rmse`` all ``(n,)``; NaN = no value."""
        epochs = np.asarray(epochs, dtype=np.float64).reshape(-1)
        rows = np.column_stack([
            np.asarray(train_rmse, dtype=np.float64).reshape(-1),
            np.asarray(val_rmse, dtype=np.float64).reshape(-1),
        ])
        self._append_rows(epochs, rows)

    def set_series(self, epochs: np.ndarray, train_rmse: np.ndarray, val_rmse: np.ndarray) -> None:
        """Replace everything, e.g. with a finished ``History``'s columns."""
        self.buffer.clear()
        self.follow.clear()
        self.append(epochs, train_rmse, val_rmse)

    def set_unit_label(self, text: str) -> None:
        """Set the y axis label, e.g. ``"RMSE (output units)"``."""
        self.set_y_label(text)


def _demo() -> int:
    from .demo import run_demo

    state = {"epoch": 0}
    plot: list[RmsePlot] = []
    rng = np.random.default_rng(0)

    def make() -> RmsePlot:
        plot.append(RmsePlot())
        plot[0].set_unit_label("RMSE (score points)")
        return plot[0]

    def tick() -> None:
        start = state["epoch"] + 1
        epochs = np.arange(start, start + 200)
        state["epoch"] += 200
        train = 2.0 * np.exp(-epochs / 3000) + 0.1 + 0.02 * rng.random(epochs.size)
        train[rng.random(epochs.size) < 0.002] *= 3  # occasional spikes survive the thinning
        val = train * 1.1 + 0.02 * np.sin(epochs / 500)
        plot[0].append(epochs, train, val)

    return run_demo(make, tick, "RmsePlot demo")


if __name__ == "__main__":
    raise SystemExit(_demo())
