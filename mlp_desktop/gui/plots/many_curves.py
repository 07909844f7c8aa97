"""Hundreds of parameter curves in one plot, drawn fast.

One ``PlotCurveItem`` per palette colour (eight in all, created once) draws every curve of that
colour: the x and y of its curves are concatenated and a ``connect`` mask with 0 at each curve's
last point keeps them apart. Drawing 1,000 curves this way is about seven times faster than one
item per curve (DESIGN.md, "Many curves"). A ninth item draws the highlighted curves on top.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import QVBoxLayout, QWidget

from .readout import HoverLabel, make_marker, nearest_point, readout_text, scene_to_view
from .style import (
    BACKGROUND, HIGHLIGHT_COLOUR, HIGHLIGHT_WIDTH, PALETTE, colour, dimmed, pen, style_plot_item,
)

# Points drawn per update across all curves; beyond it rows are thinned evenly (the latest kept).
POINT_BUDGET = 200_000


def concatenated_curves(
    x: np.ndarray, rows: np.ndarray, columns: list[int] | np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(x, y, connect)`` drawing the ``columns`` of ``rows`` as separate curves in one item.

    ``x: (m,)`` and ``rows: (m, n)``; the result has ``m * len(columns)`` points, curve after
    curve, and ``connect`` is 0 at each curve's last point so curves are not joined.
    """
    m, k = x.size, len(columns)
    if m == 0 or k == 0:
        return np.zeros(0), np.zeros(0), np.zeros(0, dtype=bool)
    all_x = np.tile(x, k)
    all_y = rows[:, columns].T.ravel()
    connect = np.ones(m * k, dtype=bool)
    connect[m - 1 :: m] = False
    return all_x, all_y, connect


def display_rows(n_rows: int, n_curves: int, budget: int = POINT_BUDGET) -> np.ndarray | slice:
    """Which rows to draw so ``rows x curves`` stays within ``budget`` (always the first and last)."""
    if n_rows * max(n_curves, 1) <= budget:
        return slice(None)
    stride = int(np.ceil(n_rows * n_curves / budget))
    chosen = np.arange(0, n_rows, stride)
    if chosen[-1] != n_rows - 1:
        chosen = np.append(chosen, n_rows - 1)
    return chosen


class ManyCurvesPlot(QWidget):
    """Curves of the chosen parameters against epoch, coloured by cycling the palette.

    Signals
    -------
    curveClicked(int) : the column of the curve nearest a mouse click.
    """

    curveClicked = Signal(int)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.plot_widget = pg.PlotWidget(background=BACKGROUND)
        self.plot_item: pg.PlotItem = self.plot_widget.getPlotItem()
        style_plot_item(self.plot_item, "value")
        self.colour_items: list[pg.PlotCurveItem] = []
        for colour_name in PALETTE:
            item = pg.PlotCurveItem(pen=pen(colour_name), antialias=False, skipFiniteCheck=True)
            self.plot_item.addItem(item)
            self.colour_items.append(item)
        self.highlight_item = pg.PlotCurveItem(
            pen=pen(HIGHLIGHT_COLOUR, HIGHLIGHT_WIDTH), antialias=False, skipFiniteCheck=True
        )
        self.highlight_item.setZValue(10)
        self.plot_item.addItem(self.highlight_item)
        self.marker = make_marker()
        self.plot_item.vb.addItem(self.marker, ignoreBounds=True)
        self.hover_label = HoverLabel()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.plot_widget, 1)
        layout.addWidget(self.hover_label)

        self._names: list[str] = []
        self.columns: list[int] = []
        self.highlighted: list[int] = []
        self._x = np.zeros(0)
        self._rows = np.zeros((0, 0))
        self._shown = slice(None)
        scene = self.plot_widget.scene()
        scene.sigMouseMoved.connect(self._on_mouse_moved)
        scene.sigMouseClicked.connect(self._on_mouse_clicked)

    @property
    def view_box(self) -> pg.ViewBox:
        return self.plot_item.vb

    def set_names(self, names: list[str]) -> None:
        """Parameter names (for the read-out); clears curves, data and highlight."""
        self._names = list(names)
        self.columns, self.highlighted = [], []
        self._x, self._rows = np.zeros(0), np.zeros((0, len(names)))
        self._redraw()

    def colour_of(self, position: int) -> str:
        """Colour of the ``position``-th shown curve."""
        return colour(position)

    def set_columns(self, columns: list[int]) -> None:
        """Show the curves of ``columns`` (in this order; the order picks the colours)."""
        self.columns = list(columns)
        self._redraw()

    def set_highlight(self, columns: list[int]) -> None:
        """Draw ``columns`` thick and black on top and dim the rest; ``[]`` clears."""
        self.highlighted = list(columns)
        for item, colour_name in zip(self.colour_items, PALETTE):
            faded = dimmed(colour_name) if self.highlighted else colour_name
            item.setPen(pen(faded))
        self._redraw_highlight()

    def set_data(self, x: np.ndarray, rows: np.ndarray) -> None:
        """New data: ``x: (m,)`` epochs and ``rows: (m, n_params)``; redraws (one setData per item)."""
        self._x, self._rows = x, rows
        self._redraw()

    def _redraw(self) -> None:
        self._shown = display_rows(self._x.size, len(self.columns) + len(self.highlighted))
        x = self._x[self._shown]
        rows = self._rows[self._shown]
        columns = np.asarray(self.columns, dtype=np.int64)
        for index, item in enumerate(self.colour_items):
            all_x, all_y, connect = concatenated_curves(x, rows, columns[index :: len(PALETTE)])
            finite = bool(np.isfinite(all_y).all())
            item.setData(x=all_x, y=all_y, connect=connect, skipFiniteCheck=finite)
        self._redraw_highlight()

    def _redraw_highlight(self) -> None:
        x = self._x[self._shown]
        all_x, all_y, connect = concatenated_curves(x, self._rows[self._shown], self.highlighted)
        finite = bool(np.isfinite(all_y).all())
        self.highlight_item.setData(x=all_x, y=all_y, connect=connect, skipFiniteCheck=finite)

    def segment_count(self) -> int:
        """How many separate curves the colour items draw (0s in their connect masks)."""
        total = 0
        for item in self.colour_items:
            x = item.getData()[0]
            connect = item.opts["connect"]
            if x is not None and len(x) and isinstance(connect, np.ndarray):
                total += int(np.count_nonzero(connect == 0))
        return total

    def _hover_candidates(self) -> list[int]:
        return list(dict.fromkeys(self.highlighted + self.columns))

    def _nearest(self, scene_pos, radius_px: float | None = None):
        where = scene_to_view(self.view_box, scene_pos)
        candidates = self._hover_candidates()
        if where is None or not candidates or self._x.size == 0:
            return None
        x = self._x[self._shown]
        ys = self._rows[self._shown][:, candidates]
        kwargs = {} if radius_px is None else {"radius_px": radius_px}
        found = nearest_point(x, ys, *where, **kwargs)
        if found is None:
            return None
        return candidates[found.column], float(x[found.row]), float(ys[found.row, found.column])

    @Slot(object)
    def _on_mouse_moved(self, scene_pos) -> None:
        """Name the point nearest ``scene_pos`` (scene coordinates) under the plot."""
        found = self._nearest(scene_pos)
        if found is None:
            self.marker.hide()
            self.hover_label.clear_point()
            return
        column, x, value = found
        self.marker.setData([x], [value])
        self.marker.show()
        self.hover_label.setText(readout_text(self._names[column], x, value))

    @Slot(object)
    def _on_mouse_clicked(self, event) -> None:
        if event.button() != Qt.MouseButton.LeftButton or event.double():
            return
        found = self._nearest(event.scenePos(), radius_px=12.0)
        if found is not None:
            self.curveClicked.emit(found[0])
