"""Decision view: the network's output over a plane of two numeric inputs, with the data on top.

Only view and glue: the grid comes from :func:`mlp_desktop.core.evaluation.decision_grid`. Items
are created once; :meth:`DecisionView.refresh` only calls ``setImage``/``setData``, and does
nothing while the view is hidden (it catches up when shown), so a window may call it during training.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd
import pyqtgraph as pg
from PySide6.QtCore import QRectF, Slot
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QCheckBox, QComboBox, QHBoxLayout, QLabel, QSplitter, QStackedWidget, QToolButton, QVBoxLayout,
    QWidget,
)
from PySide6.QtCore import Qt

from ...core.errors import DataError
from ...core.evaluation import DecisionGrid, decision_grid, numeric_inputs, suggested_axes
from .exporting import export_graphics, make_export_action
from .style import BACKGROUND, FOREGROUND, PALETTE, style_plot_item

DEFAULT_RESOLUTION = 70
MAX_NEURON_TILES = 16
NEEDS_TWO = "Needs two numeric input columns"
# Blue - white - vermillion (Okabe-Ito ends): diverging and colour-blind safe, for two classes.
TWO_CLASS_MAP = pg.ColorMap([0.0, 0.5, 1.0], [(0, 114, 178), (255, 255, 255), (213, 94, 0)])
VALUE_MAP = pg.colormap.get("viridis")


def _blend_class_colours(grid: DecisionGrid) -> np.ndarray:
    """RGBA ``(res, res, 4)`` uint8: each cell's class colour, faded towards white where unsure."""
    colours = np.array([QColor(PALETTE[i % len(PALETTE)]).getRgb()[:3] for i in range(len(grid.classes))],
                       dtype=float)
    n_classes = max(len(grid.classes), 2)
    # Confidence runs from 1/n_classes (a guess) to 1 (certain); map that to 0.15 .. 0.85 strength.
    strength = np.clip((grid.confidence - 1.0 / n_classes) / (1.0 - 1.0 / n_classes), 0.0, 1.0)
    strength = 0.15 + 0.7 * strength
    rgb = 255.0 * (1.0 - strength[..., None]) + colours[grid.predicted_class] * strength[..., None]
    rgba = np.empty(rgb.shape[:2] + (4,), dtype=np.ubyte)
    rgba[..., :3] = rgb
    rgba[..., 3] = 255
    return rgba


class DecisionView(QWidget):
    """A heatmap of the network's output over two chosen input columns, and its hidden neurons."""

    def __init__(self, parent: QWidget | None = None, resolution: int = DEFAULT_RESOLUTION):
        super().__init__(parent)
        self.resolution = resolution
        self.model = None
        self.frame: pd.DataFrame | None = None
        self.fixed: dict | None = None
        self.grid: DecisionGrid | None = None
        self._stale = False

        self.x_combo, self.y_combo = QComboBox(), QComboBox()
        self.x_combo.setToolTip("Input column along the horizontal axis")
        self.y_combo.setToolTip("Input column along the vertical axis")
        for combo in (self.x_combo, self.y_combo):
            # Wide enough for the column names (they were cut to "sepal_ler"), but not for any length.
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
            combo.setMaximumWidth(220)
        self.x_combo.currentIndexChanged.connect(self._columns_changed)
        self.y_combo.currentIndexChanged.connect(self._columns_changed)
        self.hidden_check = QCheckBox("Show hidden neurons")
        self.hidden_check.setToolTip("Small heatmaps of each hidden neuron's activation over the same plane")
        self.hidden_check.toggled.connect(self._hidden_toggled)
        self.export_button = QToolButton()
        self.export_button.setDefaultAction(make_export_action(self, self.export, "decision.png"))
        self.message = QLabel(NEEDS_TWO)
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.status = QLabel("")
        # Wrapped: one long line ("... other inputs held fixed: petal_length, petal_width") made the
        # whole window wider than a 1280-pixel screen.
        self.status.setWordWrap(True)

        bar = QHBoxLayout()
        for text, combo in (("&x:", self.x_combo), ("&y:", self.y_combo)):
            label = QLabel(text)
            label.setBuddy(combo)  # Alt+X, Alt+Y
            bar.addWidget(label)
            bar.addWidget(combo)
        bar.addWidget(self.hidden_check)
        bar.addStretch(1)
        bar.addWidget(self.export_button)

        self.plot_layout = pg.GraphicsLayoutWidget()
        self.plot_layout.setBackground(BACKGROUND)
        self.plot = self.plot_layout.addPlot()
        style_plot_item(self.plot)
        self.image = pg.ImageItem(axisOrder="col-major")
        self.plot.addItem(self.image)
        self.points = pg.ScatterPlotItem(size=7, pen=pg.mkPen(FOREGROUND, width=1))
        self.plot.addItem(self.points)
        self.colour_bar = pg.ColorBarItem(values=(0, 1), colorMap=VALUE_MAP, interactive=False, width=12)
        self.colour_bar.setImageItem(self.image, insert_in=self.plot)

        self.neuron_layout = pg.GraphicsLayoutWidget()
        self.neuron_layout.setBackground(BACKGROUND)
        self.neuron_note = self.neuron_layout.addLabel("", row=0, col=0, colspan=4, color=FOREGROUND)
        self.neuron_tiles: list[pg.PlotItem] = []
        self.neuron_images: list[pg.ImageItem] = []
        self.neuron_layout.setVisible(False)

        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self.plot_layout)
        splitter.addWidget(self.neuron_layout)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        self.pages = QStackedWidget()
        self.pages.addWidget(self.message)
        self.pages.addWidget(splitter)
        self.plot_page = splitter

        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.pages, 1)
        layout.addWidget(self.status)

    # -- public --------------------------------------------------------------------------------
    def set_model(self, model, frame: pd.DataFrame, fixed: dict | None = None) -> None:
        """Show ``model`` over the range of ``frame`` (its rows are drawn as points).

        ``fixed`` holds values for the inputs not on the axes (else mean / most frequent value).
        """
        columns = numeric_inputs(model)
        changed = self.model is None or numeric_inputs(self.model) != columns
        self.model, self.frame, self.fixed = model, frame, fixed
        if changed:
            # Start on the two inputs that separate the targets best (Iris: the petals).
            defaults = suggested_axes(model, frame) + columns[:2]
            for combo, default in ((self.x_combo, defaults[0] if defaults else ""),
                                   (self.y_combo, defaults[1] if len(defaults) > 1 else "")):
                combo.blockSignals(True)
                combo.clear()
                combo.addItems(columns)
                combo.setCurrentIndex(max(0, combo.findText(default)))
                combo.blockSignals(False)
        enough = len(columns) >= 2
        self.x_combo.setEnabled(enough)
        self.y_combo.setEnabled(enough)
        self.pages.setCurrentWidget(self.plot_page if enough else self.message)
        self._build_neuron_tiles()
        self.refresh()

    def set_fixed(self, fixed: dict | None) -> None:
        """Hold the inputs off the axes at ``fixed`` (e.g. the prediction form's values)."""
        self.fixed = fixed
        self.refresh()

    @Slot()
    def refresh(self) -> None:
        """Recompute the grid with the model's current weights (only while the view is visible)."""
        if self.model is None or self.frame is None or self.x_combo.count() < 2:
            return
        if not self.isVisible():
            self._stale = True
            return
        self._stale = False
        x_column, y_column = self.x_combo.currentText(), self.y_combo.currentText()
        try:
            grid = decision_grid(self.model, self.frame, x_column, y_column, self.resolution, self.fixed)
        except DataError as error:
            self.status.setText(str(error))
            return
        self.grid = grid
        self.status.setText(self._describe(grid))
        rect = self._rect(grid)
        if grid.task == "regression":
            low, high = float(np.nanmin(grid.output)), float(np.nanmax(grid.output))
            self.image.setImage(grid.output, autoLevels=False)
            self._colour_bar(VALUE_MAP, (low, high if high > low else low + 1e-9))
        elif len(grid.classes) == 2:
            self.image.setImage(grid.output, autoLevels=False)
            self._colour_bar(TWO_CLASS_MAP, (0.0, 1.0))
        else:
            self.colour_bar.setVisible(False)
            self.image.setLookupTable(None)
            self.image.setImage(_blend_class_colours(grid), autoLevels=False, levels=(0, 255))
            # The (hidden) colour bar is still linked to the image and may have put its own 0-1
            # levels back, which shows the colours as blank white.
            self.image.setLevels((0, 255))
        self.image.setRect(rect)
        self._draw_points(x_column, y_column)
        self.plot.setLabel("bottom", x_column, color=FOREGROUND)
        self.plot.setLabel("left", y_column, color=FOREGROUND)
        if self.hidden_check.isChecked():
            self._draw_neurons(grid, rect)

    def export(self, path: str | os.PathLike) -> Path:
        """Save the decision plot as PNG or SVG (by the suffix of ``path``)."""
        return export_graphics(self.plot, path)

    # -- internals -----------------------------------------------------------------------------
    def showEvent(self, event) -> None:
        super().showEvent(event)
        if self._stale:
            self.refresh()

    def _colour_bar(self, colour_map: pg.ColorMap, levels: tuple[float, float]) -> None:
        self.colour_bar.setVisible(True)
        self.colour_bar.setColorMap(colour_map)
        self.colour_bar.setLevels(levels)
        self.image.setLevels(levels)

    @staticmethod
    def _rect(grid: DecisionGrid) -> QRectF:
        # Cell centres sit on the grid coordinates.
        dx = (grid.xs[-1] - grid.xs[0]) / (len(grid.xs) - 1)
        dy = (grid.ys[-1] - grid.ys[0]) / (len(grid.ys) - 1)
        return QRectF(grid.xs[0] - dx / 2, grid.ys[0] - dy / 2, dx * len(grid.xs), dy * len(grid.ys))

    def _describe(self, grid: DecisionGrid) -> str:
        pre = self.model.preprocessor
        others = [c for c in pre.inputs if c not in (grid.x_column, grid.y_column)]
        if grid.task == "regression":
            shown = f"colour: predicted {pre.targets[0]}"
        elif len(grid.classes) == 2:
            shown = f"colour: probability of '{grid.classes[1]}'"
        else:
            shown = "colour: predicted class, paler where the network is unsure"
        held = f"; other inputs held fixed: {', '.join(others)}" if others else ""
        return shown + held

    def _draw_points(self, x_column: str, y_column: str) -> None:
        frame = self.frame
        xs = pd.to_numeric(frame[x_column], errors="coerce").to_numpy(dtype=float)
        ys = pd.to_numeric(frame[y_column], errors="coerce").to_numpy(dtype=float)
        pre = self.model.preprocessor
        target = pre.targets[0]
        if target not in frame.columns:
            self.points.setData(xs, ys, brush=pg.mkBrush("w"))
            return
        if pre.task == "classification":
            index = {str(c): i for i, c in enumerate(pre.classes)}
            labels = frame[target].astype(str).to_numpy()
            if len(pre.classes) == 2:
                colours = [TWO_CLASS_MAP.map(0.0 if index.get(v, 0) == 0 else 1.0, mode="qcolor") for v in labels]
            else:
                colours = [QColor(PALETTE[index.get(v, 0) % len(PALETTE)]) for v in labels]
            brushes = [pg.mkBrush(c) for c in colours]
        else:
            values = pd.to_numeric(frame[target], errors="coerce").to_numpy(dtype=float)
            low, high = self.colour_bar.levels()
            scaled = np.clip((values - low) / (high - low if high > low else 1.0), 0, 1)
            brushes = [pg.mkBrush(c) for c in VALUE_MAP.map(np.nan_to_num(scaled), mode="qcolor")]
        self.points.setData(xs, ys, brush=brushes)

    def _n_hidden(self) -> int:
        return sum(self.model.net.layer_sizes[1:-1]) if self.model is not None else 0

    def _build_neuron_tiles(self) -> None:
        """Create tiles up to the number needed (at most 16); tiles are kept and reused afterwards."""
        needed = min(self._n_hidden(), MAX_NEURON_TILES)
        columns = 4
        while len(self.neuron_tiles) < needed:
            k = len(self.neuron_tiles)
            tile = self.neuron_layout.addPlot(row=1 + k // columns, col=k % columns)
            tile.hideAxis("left")
            tile.hideAxis("bottom")
            tile.setMouseEnabled(False, False)
            tile.setMenuEnabled(False)
            tile.hideButtons()
            image = pg.ImageItem(axisOrder="col-major")
            image.setColorMap(VALUE_MAP)
            tile.addItem(image)
            self.neuron_tiles.append(tile)
            self.neuron_images.append(image)
        for k, tile in enumerate(self.neuron_tiles):
            tile.setVisible(k < needed)

    def _draw_neurons(self, grid: DecisionGrid, rect: QRectF) -> None:
        activations = [(layer, j, a) for layer, hidden in enumerate(grid.hidden, 1) for j, a in enumerate(hidden)]
        total = len(activations)
        shown = activations[:MAX_NEURON_TILES]
        for (layer, j, values), tile, image in zip(shown, self.neuron_tiles, self.neuron_images):
            low, high = float(np.nanmin(values)), float(np.nanmax(values))
            image.setImage(values, autoLevels=False, levels=(low, high if high > low else low + 1e-9))
            image.setRect(rect)
            tile.setTitle(f"layer {layer}, neuron {j + 1}", size="8pt", color=FOREGROUND)
        note = f"first {len(shown)} of {total} hidden neurons" if total > len(shown) else f"{total} hidden neurons"
        self.neuron_note.setText(note + " (each scaled to its own range, viridis)", color=FOREGROUND)

    @Slot()
    def _columns_changed(self) -> None:
        self.refresh()

    @Slot(bool)
    def _hidden_toggled(self, checked: bool) -> None:
        self.neuron_layout.setVisible(checked)
        if checked:
            self.refresh()


def _demo() -> int:
    import sys

    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from ...core.session import trained_sample_session

    app = QApplication.instance() or QApplication(sys.argv)
    name = sys.argv[1] if len(sys.argv) > 1 else "two_moons"
    session = trained_sample_session(name, [8], epochs=200)
    view = DecisionView()
    view.hidden_check.setChecked(True)
    view.set_model(session.model(), session.dataset.frame.iloc[session.train_rows])
    view.resize(1100, 550)
    view.setWindowTitle(f"Decision view: {name}")
    view.show()
    timer = QTimer(view)
    timer.timeout.connect(view.refresh)  # what a window does during training: ~2 refreshes a second
    timer.start(500)
    return app.exec()


if __name__ == "__main__":
    raise SystemExit(_demo())
