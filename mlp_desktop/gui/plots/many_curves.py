"""Hundreds of parameter curves in one plot, drawn fast.

One ``PlotCurveItem`` per curve colour (the palette less black, which marks highlighted
curves; created once) draws every curve of that colour: the x and y of its curves are concatenated and a ``connect`` mask with 0 at each curve's
last point keeps them apart. Drawing 1,000 curves this way is about seven times faster than one
item per curve (DESIGN.md, "Many curves"). One more item draws the highlighted curves on top.

What a live refresh costs is bounded whatever the run's length: at most ``POINT_BUDGET`` points
(rows thinned evenly), drawn as line segments (``drawLines``: measured 1.5-2x faster than one
path per item for 1,000 curves; faded pens behind a highlight cost no more with it).

A refresh repaints one rectangle. Qt's raster engine clips each of the ~50,000 segments against
the area being repainted; when that area is several rectangles (the curves', plus a small item
updated beside them: the empty start dots at (0, 0), an axis) it takes the slow path for complex
clips, 2-3x the cost of the same segments clipped to one rectangle (with 1,000 curves 28-30 ms a
refresh instead of 13, 16-17 refreshes/s instead of 28). So the view repaints the bounding
rectangle of what changed, and an item is given data only when what it shows changes.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import QGraphicsView, QVBoxLayout, QWidget

from .follow import forget_range
from .readout import HoverLabel, make_marker, nearest_point, readout_text, scene_to_view
from .style import HIGHLIGHT_WIDTH, PALETTE, background, dimmed, look, pen, style_plot_item

# Points drawn per update across all curves; beyond it rows are thinned evenly (the latest kept).
# 100 points a curve for 1,000 curves: about one per 7 pixels of a full-width plot.
POINT_BUDGET = 100_000
CURVE_COLOURS = PALETTE[:-1]
"""Colours cycled through the curves: the palette less black (the light look's ink), as the
highlight is drawn in the ink (1,000 curves with every eighth one black, drawn last, looked like a
black band)."""


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


def _set_curves(item: pg.PlotCurveItem, x: np.ndarray, y: np.ndarray, connect: np.ndarray) -> None:
    """Concatenated curves into one item. With no finite value at all (parameters an edit added,
    before their first epoch) it is emptied: pyqtgraph's painter raised an IndexError on a connect
    mask over points that were all left out. An item already empty is left alone (no repaint)."""
    finite = np.isfinite(y)
    if not finite.any():
        if item.xData is not None and len(item.xData):
            item.setData([], [])
        return
    item.setData(x=x, y=y, connect=connect, skipFiniteCheck=bool(finite.all()))


class ManyCurvesPlot(QWidget):
    """Curves of the chosen parameters against epoch, coloured by cycling ``CURVE_COLOURS``.

    Signals
    -------
    curveClicked(int) : the column of the curve nearest a mouse click.
    """

    curveClicked = Signal(int)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.plot_widget = pg.PlotWidget(background=background())
        # One rectangle per repaint, not the region of each changed item: see the module's notes.
        self.plot_widget.setViewportUpdateMode(QGraphicsView.ViewportUpdateMode.BoundingRectViewportUpdate)
        self.plot_item: pg.PlotItem = self.plot_widget.getPlotItem()
        style_plot_item(self.plot_item, "value")
        self.colour_items: list[pg.PlotCurveItem] = []
        for colour_name in CURVE_COLOURS:
            item = pg.PlotCurveItem(pen=pen(colour_name), antialias=False, skipFiniteCheck=True)
            item.setSegmentedLineMode("on")
            self.plot_item.addItem(item)
            self.colour_items.append(item)
        self.highlight_item = pg.PlotCurveItem(
            pen=pen(look().highlight, HIGHLIGHT_WIDTH), antialias=False, skipFiniteCheck=True
        )
        self.highlight_item.setSegmentedLineMode("on")
        self.highlight_item.setZValue(10)
        self.plot_item.addItem(self.highlight_item)
        # Before training there is one value per parameter: a line of one point draws nothing,
        # so the starting values show as dots (the colours of their curves-to-be).
        self.start_dots = pg.ScatterPlotItem(size=5, pen=None)
        self.plot_item.addItem(self.start_dots)
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
        self._rows = np.zeros((0, 0))  # (m, k): the parameters that have data
        self._position = np.zeros(0, dtype=np.int64)  # parameter column -> column of _rows, or -1
        self._shown = slice(None)
        scene = self.plot_widget.scene()
        scene.sigMouseMoved.connect(self._on_mouse_moved)
        scene.sigMouseClicked.connect(self._on_mouse_clicked)

    @property
    def view_box(self) -> pg.ViewBox:
        return self.plot_item.vb

    def set_names(self, names: list[str]) -> None:
        """Parameter names (for the read-out); clears curves, data, highlight, the hover read-out
        and any zoom (another network's read-out and x range stayed)."""
        self._names = list(names)
        self.columns, self.highlighted = [], []
        self._store(np.zeros(0), np.zeros((0, 0)), np.zeros(0, dtype=np.int64))
        self._redraw()
        self.marker.hide()
        self.hover_label.clear_point()
        forget_range(self.view_box)

    def colour_of(self, position: int) -> str:
        """Colour of the ``position``-th shown curve."""
        return CURVE_COLOURS[position % len(CURVE_COLOURS)]

    def set_columns(self, columns: list[int]) -> None:
        """Show the curves of ``columns`` (in this order; the order picks the colours)."""
        self.columns = list(columns)
        self._redraw()

    def set_highlight(self, columns: list[int]) -> None:
        """Draw ``columns`` thick and black on top and dim the rest; ``[]`` clears."""
        self.highlighted = list(columns)
        for item, colour_name in zip(self.colour_items, CURVE_COLOURS):
            item.setPen(pen(dimmed(colour_name) if self.highlighted else colour_name))
        self._redraw_highlight()

    def needed_columns(self) -> list[int]:
        """The parameter columns drawn now (shown and highlighted), for :meth:`set_data`."""
        return sorted(set(self.columns) | set(self.highlighted))

    def set_data(self, x: np.ndarray, rows: np.ndarray, columns=None) -> None:
        """New data, redrawn with one ``setData`` per item.

        ``x: (m,)`` epochs; ``rows: (m, k)`` the values of parameter ``columns`` (``k`` of them,
        default every parameter), so a caller can pass just :meth:`needed_columns`. Curves of
        parameters without data are left out until data for them arrives.
        """
        if columns is None:
            columns = np.arange(rows.shape[1])
        self._store(np.asarray(x), np.asarray(rows), np.asarray(columns, dtype=np.int64))
        self._redraw()

    def _store(self, x: np.ndarray, rows: np.ndarray, columns: np.ndarray) -> None:
        self._x, self._rows = x, rows
        self._position = np.full(len(self._names), -1, dtype=np.int64)
        self._position[columns] = np.arange(columns.size)

    def _positions(self, columns) -> np.ndarray:
        """Columns of ``_rows`` holding the parameters ``columns`` (those with data, in order)."""
        positions = self._position[np.asarray(columns, dtype=np.int64)]
        return positions[positions >= 0]

    def _redraw(self) -> None:
        self._shown = display_rows(self._x.size, len(self.columns) + len(self.highlighted))
        x = self._x[self._shown]
        rows = self._rows[self._shown]
        columns = np.asarray(self.columns, dtype=np.int64)
        for index, item in enumerate(self.colour_items):
            _set_curves(item, *concatenated_curves(x, rows, self._positions(columns[index :: len(CURVE_COLOURS)])))
        self._redraw_start_dots(x, rows, columns)
        self._redraw_highlight()

    def _redraw_start_dots(self, x: np.ndarray, rows: np.ndarray, columns: np.ndarray) -> None:
        if x.size != 1:
            # Emptied once: an empty scatter item given data again asks for a repaint of its
            # (zero-size) rectangle at (0, 0) on every refresh, apart from the curves' rectangle.
            if len(self.start_dots.data):
                self.start_dots.setData([], [])
            return
        ys, brushes = [], []
        for index, colour_name in enumerate(CURVE_COLOURS):
            positions = self._positions(columns[index :: len(CURVE_COLOURS)])
            ys.append(rows[0, positions])
            brushes += [pg.mkBrush(colour_name)] * positions.size
        y = np.concatenate(ys) if ys else np.zeros(0)
        self.start_dots.setData(np.full(y.size, x[0]), y, brush=brushes)

    def _redraw_highlight(self) -> None:
        x = self._x[self._shown]
        _set_curves(self.highlight_item, *concatenated_curves(x, self._rows[self._shown], self._positions(self.highlighted)))

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
        """Parameter columns under the mouse's consideration: drawn ones, highlighted first."""
        ordered = list(dict.fromkeys(self.highlighted + self.columns))
        return [column for column in ordered if self._position[column] >= 0]

    def _nearest(self, scene_pos, radius_px: float | None = None):
        where = scene_to_view(self.view_box, scene_pos)
        candidates = self._hover_candidates()
        if where is None or not candidates or self._x.size == 0:
            return None
        x = self._x[self._shown]
        ys = self._rows[self._shown][:, self._position[candidates]]
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
