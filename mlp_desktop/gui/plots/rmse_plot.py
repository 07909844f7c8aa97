"""RMSE against epoch for the training and validation rows, live while training runs."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget

from .series_plot import SeriesPlot
from .style import PALETTE, pen

SERIES = ["train", "validation"]


BEST_COLOUR = PALETTE[2]  # bluish green: neither series' colour, clear on both papers
STOP_COLOUR = "#888888"  # a mid grey, as clear on the light paper as on the dark one


class RmsePlot(SeriesPlot):
    """Training and validation RMSE against epoch, with log toggle, follow, read-out and export.

    A validation series that is all NaN (no validation split) is neither drawn nor listed in the
    legend. Memory stays bounded (``max_buckets`` min/max buckets, spikes kept). A dashed vertical
    line marks the best validation epoch (:meth:`set_best_epoch`), and a dotted one the epoch an
    early-stopped run stopped at; the legend says what each is ("best validation RMSE: epoch 165"),
    with or without early stopping: a label drawn beside a line lay over the data or the legend
    (and pyqtgraph never drew one set while its line was hidden).
    """

    _listed: dict = {}  # the lines in the legend, {line: text} (replaced, never changed in place)

    def __init__(self, parent: QWidget | None = None, max_buckets: int = 4096):
        super().__init__(SERIES, "RMSE", log_y=False, max_buckets=max_buckets,
                         export_name="rmse.png", parent=parent,
                         empty_text="Press Train (F5): the error after each epoch appears here.")
        self.train_curve, self.val_curve = self.curves[0], self.curves[1]
        self.best_line = self._marker_line(BEST_COLOUR, 1.5, Qt.PenStyle.DashLine)
        self.stop_line = self._marker_line(STOP_COLOUR, 1.5, Qt.PenStyle.DotLine)  # (its later weights were dropped)
        # The lines' legend entries: an InfiniteLine has no legend sample, a curve of its pen (never
        # drawn) has. Entries only while the line shows; {line: text}.
        self._samples = {line: pg.PlotDataItem(pen=line.pen) for line in (self.best_line, self.stop_line)}

    def _marker_line(self, colour_name: str, width: float, style) -> pg.InfiniteLine:
        line_pen = pen(colour_name, width)
        line_pen.setStyle(style)
        line = pg.InfiniteLine(angle=90, movable=False, pen=line_pen)
        line.hide()
        self.plot_item.vb.addItem(line, ignoreBounds=True)
        return line

    def reset(self) -> None:
        """Remove all data (a new run starts)."""
        self._reset_data()
        self.set_best_epoch(None)

    def set_best_epoch(self, epoch: int | None, early_stopped: bool = False, stop_epoch: int | None = None) -> None:
        """Mark the best validation epoch with a vertical line (``None`` hides it), and with
        ``stop_epoch`` the epoch an early-stopped run stopped at; the legend names both."""
        stop_shown = stop_epoch is not None and epoch is not None
        self.stop_line.setVisible(stop_shown)
        if stop_shown:
            self.stop_line.setValue(float(stop_epoch))
            self.stop_line.setToolTip(f"Training stopped early at epoch {stop_epoch:,}: the validation RMSE had "
                                      f"not improved since epoch {epoch:,}, whose weights were kept.")
        self.best_line.setVisible(epoch is not None)
        if epoch is not None:
            self.best_line.setValue(float(epoch))
            # two short lines: one long line made the legend most of the plot's width at 1280x800
            text = f"best validation RMSE,<br>epoch {epoch:,}" + (", weights kept" if early_stopped else "")
            self.best_line.setToolTip(
                f"Best validation RMSE at epoch {epoch:,}: "
                + ("early stopping put the network back to this epoch's weights." if early_stopped else
                   "the network holds the last epoch's weights (early stopping, in Parameters, keeps the best "
                   "ones)."))
        self._list({self.best_line: text if epoch is not None else None,
                    self.stop_line: f"early stop, epoch {stop_epoch:,}" if stop_shown else None})

    def _list(self, texts: dict) -> None:
        """The lines' legend entries: ``{line: text, or None for none}``, after the series'."""
        for line in list(self._listed):
            self.legend.removeItem(self._samples[line])
        self._listed = {line: text for line, text in texts.items() if text is not None}
        for line, text in self._listed.items():
            self.legend.addItem(self._samples[line], text)

    def _show_in_legend(self, index: int, shown: bool) -> None:
        listed = bool(self._listed) and shown and not self._in_legend[index]
        super()._show_in_legend(index, shown)
        if listed:  # a series listed after the lines: the lines go back to the end
            self._list(dict(self._listed))

    def legend_texts(self) -> list[str]:
        """What the legend lists, in order."""
        return [label.text for _, label in self.legend.items]

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
