"""Root-mean-square gradient of each weight layer against epoch: vanishing gradients show here.

Each point is the mean over all the steps of its epoch (per-sample and mini-batch runs take many):
one step's gradient alone, of one row, jumps about and can look like vanishing gradients when the
layer is learning well."""

from __future__ import annotations

import numpy as np
from PySide6.QtWidgets import QLabel, QWidget

from .series_plot import SeriesPlot


class GradientPlot(SeriesPlot):
    """One curve per weight layer ("layer 1".."layer n"), log-y by default, bounded in memory."""

    def __init__(self, parent: QWidget | None = None, n_layers: int = 1, max_buckets: int = 4096):
        super().__init__(_layer_names(n_layers), "RMS gradient", log_y=True,
                         max_buckets=max_buckets, export_name="gradients.png", parent=parent,
                         built_when_shown=True,  # (a tab behind the weights at start)
                         empty_text="Each layer's gradient size appears here, epoch by epoch, once training runs.")
        self.caption = QLabel(CAPTION)
        self.caption.setWordWrap(True)
        self.caption.setToolTip(CAPTION_DETAIL)
        self.layout().insertWidget(1, self.caption)  # under the toolbar, above the latest values

    def set_layer_count(self, n_layers: int) -> None:
        """Show curves "layer 1".."layer n_layers"; clears the data."""
        self.follow.clear()
        self._set_series_names(_layer_names(n_layers))

    def reset(self) -> None:
        """Remove all data, keeping the layers."""
        self._reset_data()

    def append(self, epoch: int, grad_rms: np.ndarray) -> None:
        """Add one epoch's RMS gradient per layer, ``grad_rms: (n_layers,)``."""
        self._append_rows([epoch], np.asarray(grad_rms, dtype=np.float64).reshape(1, -1))

    def append_rows(self, epochs: np.ndarray, grad_rms: np.ndarray) -> None:
        """Add many epochs at once: ``epochs: (n,)``, ``grad_rms: (n, n_layers)``; one redraw."""
        if len(epochs):
            self._append_rows(np.asarray(epochs, dtype=np.float64), np.asarray(grad_rms, dtype=np.float64))

    def set_series(self, epochs: np.ndarray, grad_rms: np.ndarray) -> None:
        """Replace everything: ``epochs: (n,)``, ``grad_rms: (n, n_layers)``."""
        self.buffer.clear()
        self.follow.clear()
        self._append_rows(np.asarray(epochs, dtype=np.float64), grad_rms)


CAPTION = "Each weight layer's RMS gradient, averaged over all the steps of each epoch."
CAPTION_DETAIL = (
    "Layer k is the weights into layer k (W{k}). Each point is the root-mean-square of the loss "
    "gradient over that layer's weights, averaged over every step (row or mini-batch) of the epoch; a "
    "full-batch epoch has one step. Curves that fall by orders of magnitude towards the first layers "
    "are vanishing gradients; curves that shoot up, exploding ones."
)


def _layer_names(n_layers: int) -> list[str]:
    return [f"layer {k}" for k in range(1, int(n_layers) + 1)]


def _demo() -> int:
    from .demo import run_demo

    state = {"epoch": 0}
    plot: list[GradientPlot] = []
    rng = np.random.default_rng(0)
    scales = np.array([1e-4, 1e-3, 1e-2, 1e-1])

    def make() -> GradientPlot:
        plot.append(GradientPlot(n_layers=4))
        return plot[0]

    def tick() -> None:
        state["epoch"] += 25
        decay = np.exp(-state["epoch"] / 20000)
        plot[0].append(state["epoch"], scales * decay * (1 + 0.3 * rng.random(4)))

    return run_demo(make, tick, "GradientPlot demo")


if __name__ == "__main__":
    raise SystemExit(_demo())
