"""Small multiples: one small plot per parameter, titled by name, like a tutorial's 3x4 figure."""

from __future__ import annotations

import warnings

import math
import re

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import QFrame, QGraphicsGridLayout, QScrollArea, QSizePolicy, QVBoxLayout, QWidget

from .follow import fit_y_range, forget_range
from .readout import HoverLabel, make_marker, nearest_point, readout_text, scene_to_view
from .style import (
    HIGHLIGHT_WIDTH, EpochNumbersAxis, background, colour, configure_curve, foreground, pen, style_plot_item,
)

TITLE_SIZE = "9pt"
HIGHLIGHT_TITLE_COLOUR = "#D55E00"
_LAYER = re.compile(r"^[A-Za-z]+(\d+)\[")


MAX_COLUMNS = 4
"""A tile needs about 112 px for its title and axis; the weights pane at 1280x800 is about 545 px."""
MIN_TILE_HEIGHT = 96
"""A tile's title, and a plot tall enough for three tick labels; a shorter pane scrolls instead."""
EPOCH_AXIS_HEIGHT = 36


def grid_shape(n_plots: int) -> tuple[int, int]:
    """``(rows, columns)`` for ``n_plots`` tiles, a little wider than tall and at most
    ``MAX_COLUMNS`` wide: 11 -> (3, 4), 16 -> (4, 4)."""
    if n_plots <= 0:
        return 0, 0
    columns = min(n_plots, MAX_COLUMNS, max(1, math.ceil(math.sqrt(n_plots * 4 / 3))))
    return math.ceil(n_plots / columns), columns


class _SparseAxis(pg.AxisItem):
    """An axis with only as many ticks as there is room for their labels (``label_pixels``), at 1, 2 or 5
    times a power of ten."""

    def label_pixels(self, metrics: QFontMetrics) -> float:
        raise NotImplementedError

    def tickSpacing(self, minVal: float, maxVal: float, size: float):
        span = maxVal - minVal
        if not math.isfinite(span) or span <= 0 or size <= 0:
            return super().tickSpacing(minVal, maxVal, size)
        font = self.style.get("tickFont")
        metrics = QFontMetrics(font) if font is not None else QFontMetrics(self.font())
        wanted = self.label_pixels(metrics) * span / size  # one label's room, in data units
        magnitude = 10.0 ** math.floor(math.log10(wanted))
        return [(next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= wanted), 0.0)]


class EpochAxis(_SparseAxis, EpochNumbersAxis):
    """The epoch axis of a narrow tile: short labels, and only as many ticks as fit side by side.

    pyqtgraph's default spacing wrote "5001000 1500" in tiles about 80 pixels wide.
    """

    def label_pixels(self, metrics: QFontMetrics) -> float:
        return metrics.horizontalAdvance("0.0k") + 8  # a typical label and a gap

    def tickSpacing(self, minVal: float, maxVal: float, size: float):
        levels = super().tickSpacing(minVal, maxVal, size)
        if len(levels) == 1:
            return [(max(levels[0][0], 1.0), 0.0)]  # epochs are whole numbers
        return levels


class ValueAxis(_SparseAxis):
    """The value axis of a short tile: only as many ticks as there are lines of text.

    pyqtgraph's default drew four labels over each other in a tile about 20 pixels tall.
    """

    def label_pixels(self, metrics: QFontMetrics) -> float:
        return metrics.height() + 6  # a label's height and a gap


class Tile(pg.GraphicsWidget):
    """One small plot of the grid: a title, a value axis on the left, the plot, an epoch axis below.

    Like pyqtgraph's ``PlotItem`` for what a tile uses (``vb``, ``titleLabel``, ``setTitle``,
    ``getAxis``, ``showAxis``/``hideAxis``, ``setLabel``, ``setXLink``, ``plot``), without what a
    tile never shows: a ``PlotItem`` also builds a top and a right axis, an auto-range button and
    an options menu of about 40 widgets, 6 ms a tile, a quarter of the window's build with the
    sample's 11 tiles (and a menu in a reference cycle, which the garbage collector must break).
    """

    axis_names = ("left", "bottom")

    def __init__(self):
        super().__init__()
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        layout = QGraphicsGridLayout()
        layout.setContentsMargins(1, 1, 1, 1)
        layout.setHorizontalSpacing(0)
        layout.setVerticalSpacing(0)
        self.setLayout(layout)
        self.vb = pg.ViewBox(parent=self, enableMenu=False)
        self.marker: pg.ScatterPlotItem | None = None  # the hover marker, made on the first hover
        self.titleLabel = pg.LabelItem("", size=TITLE_SIZE, parent=self)
        self._axes = {"left": ValueAxis("left", parent=self), "bottom": EpochAxis("bottom", parent=self)}
        for axis in self._axes.values():
            axis.linkToView(self.vb)
        layout.addItem(self.titleLabel, 0, 1)
        layout.addItem(self._axes["left"], 1, 0)
        layout.addItem(self.vb, 1, 1)
        layout.addItem(self._axes["bottom"], 2, 1)
        for row in range(3):  # the title and the axis take what they need; the plot the rest
            layout.setRowStretchFactor(row, 100 if row == 1 else 1)
        layout.setColumnStretchFactor(0, 1)
        layout.setColumnStretchFactor(1, 100)

    def getAxis(self, name: str) -> pg.AxisItem:  # noqa: N802 - PlotItem's names
        return self._axes[name]

    def showAxis(self, name: str, show: bool = True) -> None:  # noqa: N802
        self._axes[name].setVisible(show)

    def hideAxis(self, name: str) -> None:  # noqa: N802
        self.showAxis(name, False)

    def setLabel(self, name: str, text: str, **style) -> None:  # noqa: N802
        self._axes[name].setLabel(text, **style)

    def setTitle(self, text: str, **style) -> None:  # noqa: N802
        self.titleLabel.setText(text, **style)

    def setXLink(self, tile: "Tile | None") -> None:  # noqa: N802
        self.vb.setXLink(None if tile is None else tile.vb)

    def plot(self) -> pg.PlotDataItem:
        """A new, empty curve in this tile."""
        curve = pg.PlotDataItem()
        self.vb.addItem(curve)
        return curve

    def hover_marker(self) -> pg.ScatterPlotItem:
        """The marker of the hovered point (made on first use: 11 made up front were 8 ms of the start)."""
        if self.marker is None:
            self.marker = make_marker()
            self.vb.addItem(self.marker, ignoreBounds=True)
        return self.marker


class TileGrid(pg.GraphicsWidget):
    """The tiles in rows and columns. pyqtgraph's ``GraphicsLayout`` lays the whole grid out again
    after each tile it adds, and frames each in a border item: 11 tiles were about 10 ms of the start."""

    def __init__(self):
        super().__init__()
        self.grid = QGraphicsGridLayout()  # (Qt's margins and spacing, as in pyqtgraph's layout)
        self.setLayout(self.grid)

    def place(self, tiles: list[Tile], n_columns: int) -> None:
        """Show ``tiles`` row by row, ``n_columns`` to a row, in place of those shown before."""
        scene = self.scene()
        while self.grid.count():
            item = self.grid.itemAt(0).graphicsItem()
            self.grid.removeAt(0)
            if scene is not None:
                scene.removeItem(item)  # (kept by the grid's owner to be placed again)
            else:
                item.setParentItem(None)
        for index, tile in enumerate(tiles):
            self.grid.addItem(tile, *divmod(index, n_columns))

    def tile_at(self, row: int, column: int) -> Tile | None:
        item = self.grid.itemAt(row, column)
        return None if item is None else item.graphicsItem()


def layer_colour(name: str) -> str:
    """Tiles of layer ``k`` share palette colour ``k - 1`` (weights and biases alike)."""
    match = _LAYER.match(name)
    return colour(int(match.group(1)) - 1 if match else 0)


class WeightGrid(QWidget):
    """A grid of small plots, one per parameter, with linked x axes.

    Signals
    -------
    curveClicked(int) : the column of the tile the user clicked.
    """

    curveClicked = Signal(int)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.layout_widget = pg.GraphicsView()
        self.layout_widget.setBackground(background())
        self.tile_grid = TileGrid()
        self.layout_widget.setCentralItem(self.tile_grid)
        self.hover_label = HoverLabel()
        # Tiles keep a readable height; a short pane scrolls (the wheel still zooms inside a tile).
        self.scroll_area = QScrollArea()
        self.scroll_area.setWidget(self.layout_widget)
        self.scroll_area.setWidgetResizable(True)
        self.scroll_area.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll_area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.scroll_area, 1)
        layout.addWidget(self.hover_label)
        self.tiles: list[Tile] = []
        self._made: list[tuple[Tile, pg.PlotDataItem]] = []  # tiles and their curves, used again
        self.curves: list[pg.PlotDataItem] = []
        self._names: list[str] = []
        self.highlighted: list[int] = []
        self._x = np.zeros(0)
        self._rows = np.zeros((0, 0))
        self._dots = np.zeros(0, dtype=bool)  # per tile: its curve has a single value, drawn as a dot
        scene = self.layout_widget.scene()
        scene.sigMouseMoved.connect(self._on_mouse_moved)
        scene.sigMouseClicked.connect(self._on_mouse_clicked)

    @property
    def view_boxes(self) -> list[pg.ViewBox]:
        return [tile.vb for tile in self.tiles]

    def set_names(self, names: list[str]) -> None:
        """One tile per name (a network change). Tiles made for earlier networks are used again:
        making 16 tiles took 0.2-0.3 s of an edit on the GUI thread."""
        for tile in self.tiles[1:]:
            tile.setXLink(None)  # linked again once placed: each placement resizes every tile in the grid
        self.scroll_area.verticalScrollBar().setValue(0)  # a new grid shows its first row
        self.tiles, self.curves = [], []
        self._names = list(names)
        self.highlighted = []
        self._x, self._rows = np.zeros(0), np.zeros((0, len(names)))
        self._dots = np.zeros(len(names), dtype=bool)
        n_rows, n_columns = grid_shape(len(names))
        self.layout_widget.setMinimumHeight(n_rows * MIN_TILE_HEIGHT + EPOCH_AXIS_HEIGHT if names else 0)
        for index, name in enumerate(names):
            if index == len(self._made):
                self._made.append(self._make_tile())
            tile, curve = self._made[index]
            row = index // n_columns
            tile.setTitle(name, size=TITLE_SIZE, color=foreground())
            if row == n_rows - 1 or index + n_columns >= len(names):
                tile.showAxis("bottom")
                tile.setLabel("bottom", "epoch", color=foreground(), **{"font-size": "8pt"})
                tile.getAxis("bottom").setHeight(EPOCH_AXIS_HEIGHT)
            else:
                # x is linked across tiles: only the lowest tile of a column shows its axis, which
                # also halves the axis drawing that dominates each live refresh.
                tile.hideAxis("bottom")
            curve.setPen(pen(layer_colour(name)))
            curve.setSymbol(None)
            curve.setData([], [])
            if tile.marker is not None:
                tile.marker.hide()
            forget_range(tile.vb)  # (a tile used again forgets its earlier parameter's range)
            self.tiles.append(tile)
            self.curves.append(curve)
        self.tile_grid.place(self.tiles, n_columns)
        for tile in self.tiles[1:]:
            tile.setXLink(self.tiles[0])

    def on_look_changed(self) -> None:
        """The theme changed (``style.restyle`` recoloured the tiles on screen): tiles kept out of
        the grid would come back in the old look, so they are let go."""
        del self._made[len(self.tiles):]

    @property
    def markers(self) -> list[pg.ScatterPlotItem]:
        """The hover markers made so far in the tiles on show."""
        return [tile.marker for tile in self.tiles if tile.marker is not None]

    def _make_tile(self) -> tuple[Tile, pg.PlotDataItem]:
        """A tile and its curve."""
        tile = Tile()
        style_plot_item(tile, small=True)  # (its fixed axis width stops the grid re-laying out as ticks change)
        curve = tile.plot()
        configure_curve(curve)  # after adding it to the tile
        return tile, curve

    def set_data(self, x: np.ndarray, rows: np.ndarray, fit_y: bool = True) -> None:
        """New data: ``x: (m,)`` and ``rows: (m, n_params)``; one ``setData`` per tile.

        With ``fit_y`` each tile's y range follows its curve, but only when the curve leaves the
        range or fills less than a third of it: a y range that stays put lets the axis reuse its
        cached drawing, which keeps live refreshes of many tiles cheap.
        """
        self._x, self._rows = x, rows
        # A single value is drawn as a dot, not an empty line: before training, and for a weight an
        # edit added (its curve starts at the edit's epoch).
        dots = np.count_nonzero(np.isfinite(rows[-2:]), axis=0) == 1 if len(rows) else np.zeros(len(self.curves), bool)
        for column, curve in enumerate(self.curves):
            if dots[column] != self._dots[column]:
                curve.setSymbol("o" if dots[column] else None)
                curve.setSymbolSize(6)
                curve.setSymbolBrush(layer_colour(self._names[column]))
                curve.setSymbolPen(None)
            curve.setData(x, rows[:, column])
        self._dots = dots
        if fit_y and len(rows):
            with warnings.catch_warnings():  # a parameter added by an edit has no values before it
                warnings.simplefilter("ignore", RuntimeWarning)
                self._fit_y_ranges(np.nanmin(rows, axis=0), np.nanmax(rows, axis=0))

    def _fit_y_ranges(self, lows: np.ndarray, highs: np.ndarray) -> None:
        for tile, low, high in zip(self.tiles, lows, highs):
            fit_y_range(tile.vb, float(low), float(high))

    def set_highlight(self, columns: list[int]) -> None:
        """Thick pens and orange titles on the tiles of ``columns``; ``[]`` clears."""
        self.highlighted = list(columns)
        chosen = set(columns)
        for column, (tile, curve) in enumerate(zip(self.tiles, self.curves)):
            name = self._names[column]
            if column in chosen:
                curve.setPen(pen(layer_colour(name), HIGHLIGHT_WIDTH))
                tile.setTitle(name, size=TITLE_SIZE, color=HIGHLIGHT_TITLE_COLOUR, bold=True)
            else:
                curve.setPen(pen(layer_colour(name)))
                tile.setTitle(name, size=TITLE_SIZE, color=foreground())

    def _tile_at(self, scene_pos) -> int | None:
        for column, tile in enumerate(self.tiles):
            if tile.vb.sceneBoundingRect().contains(scene_pos):
                return column
        return None

    @Slot(object)
    def _on_mouse_moved(self, scene_pos) -> None:
        """Name the point nearest ``scene_pos`` in the tile under the mouse."""
        for marker in self.markers:
            marker.hide()
        column = self._tile_at(scene_pos)
        where = None if column is None else scene_to_view(self.tiles[column].vb, scene_pos)
        found = None
        if where is not None and self._x.size:
            found = nearest_point(self._x, self._rows[:, column : column + 1], *where)
        if found is None:
            self.hover_label.clear_point()
            return
        x, value = float(self._x[found.row]), float(self._rows[found.row, column])
        marker = self.tiles[column].hover_marker()
        marker.setData([x], [value])
        marker.show()
        self.hover_label.setText(readout_text(self._names[column], x, value))

    @Slot(object)
    def _on_mouse_clicked(self, event) -> None:
        if event.button() != Qt.MouseButton.LeftButton or event.double():
            return
        column = self._tile_at(event.scenePos())
        if column is not None:
            self.curveClicked.emit(column)
