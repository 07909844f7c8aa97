"""Decision view: the network's output over a plane of two numeric inputs, with the data on top.

Only view and glue: the numbers come from :mod:`mlp_desktop.core.evaluation`. The grid is computed
off the GUI thread: :meth:`DecisionView.refresh` sends a request to a one-thread pool and returns
at once; the result comes back by a queued signal and is drawn only if it still answers what the
view shows (same data, axes and held values; results of older requests are dropped). At most one
computation is in flight: requests made meanwhile are merged into one, started when the running
one ends (new weights for the same picture: no sooner than ``min_interval`` after the last start,
so a stream of live refreshes is throttled while a change of axes starts at once). The plane (axes and held inputs,
pandas work) is built once per data, axes and held values; each new set of weights then costs a
forward pass of ``resolution**2`` rows through the network reduced to two inputs (NumPy only).
Tests wait for the ``computed`` signal. Items are created once and only get ``setImage``/``setData``;
nothing is computed while the view is hidden (it catches up when shown).
"""

from __future__ import annotations

import dataclasses
import functools
import html
import math
import os
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QCheckBox, QComboBox, QFrame, QHBoxLayout, QLabel, QScrollArea, QSizePolicy, QSplitter, QStackedWidget,
    QToolButton, QVBoxLayout, QWidget,
)

from ...core.errors import DataError
from ...core.evaluation import (
    CATEGORICAL, DecisionGrid, DecisionPlane, decision_plane, evaluate_plane, numeric_inputs, suggested_axes,
)
from ...core.lazy import pd
from ..widgets import BuiltWhenShown
from .exporting import export_graphics, make_export_action
from .style import PALETTE, background, foreground, look, pen, style_plot_item

if TYPE_CHECKING:
    from concurrent.futures import Future, ThreadPoolExecutor

    from ...core.session import RowSets

DEFAULT_RESOLUTION = 70  # 70 x 70 cells: smooth enough, and a 5 ms forward pass even for 784 inputs
MIN_INTERVAL = 0.25  # seconds between the starts of two computations (requests in between merge)
MAX_NEURON_TILES = 16
MAX_POINTS = 1000  # rows drawn on the map; more only hide the map and slow every repaint
MAX_HELD_IN_TOOLTIP = 120
MIN_PLOT_HEIGHT = 220  # below this the view scrolls rather than squashing the map
TILE_EDGE = 110  # the neuron maps' target width in pixels (never narrower than ~90 with a scroll bar)
TILE_TITLE_HEIGHT = 18
COLOUR_BAR_LABEL_CHARS = 16  # ~160 px of 9-pt text: fits along a map of the minimum height
NEEDS_TWO = "Needs two numeric input columns"
# Okabe-Ito without black (it vanishes on the dark look): colour-blind safe for up to 7 classes.
CLASS_PALETTE = tuple(c for c in PALETTE if c != "#000000")
TEN_CLASS_PALETTE = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
                     "#bcbd22", "#17becf")


@functools.cache
def value_map() -> pg.ColorMap:
    """The colours of a regression's map (viridis; read from pyqtgraph's files on first use)."""
    return pg.colormap.get("viridis")


def class_colours(n_classes: int) -> list[QColor]:
    """One colour per class: the Okabe-Ito colours up to seven, Tableau's ten up to ten (evenly
    spaced hues put classes 3 and 4 of ten in two near-identical greens), then evenly spaced hues."""
    if n_classes <= len(CLASS_PALETTE):
        return [QColor(c) for c in CLASS_PALETTE[:n_classes]]
    if n_classes <= len(TEN_CLASS_PALETTE):
        return [QColor(c) for c in TEN_CLASS_PALETTE[:n_classes]]
    return [QColor.fromHsvF(i / n_classes, 0.8, 0.85) for i in range(n_classes)]


def two_class_map() -> pg.ColorMap:
    """First class's colour - the paper - second class's colour: diverging, colour-blind safe, and
    the middle (a coin toss) fades into the background in the light and the dark look alike."""
    first, second = class_colours(2)
    paper = QColor(background())
    return pg.ColorMap([0.0, 0.5, 1.0], [first.getRgb()[:3], paper.getRgb()[:3], second.getRgb()[:3]])


def blend_class_colours(grid: DecisionGrid, colours: list[QColor], paper: QColor) -> np.ndarray:
    """RGBA ``(res, res, 4)`` uint8: each cell's class colour, faded into ``paper`` where unsure."""
    table = np.array([c.getRgb()[:3] for c in colours], dtype=float)
    paper_rgb = np.array(paper.getRgb()[:3], dtype=float)
    n_classes = max(len(grid.classes), 2)
    # Confidence runs from 1/n_classes (a guess) to 1 (certain); map that to 0.15 .. 0.85 strength.
    strength = np.clip((grid.confidence - 1.0 / n_classes) / (1.0 - 1.0 / n_classes), 0.0, 1.0)
    strength = (0.15 + 0.7 * strength)[..., None]
    rgb = paper_rgb * (1.0 - strength) + table[grid.predicted_class] * strength
    rgba = np.empty(rgb.shape[:2] + (4,), dtype=np.ubyte)
    rgba[..., :3] = rgb
    rgba[..., 3] = 255
    return rgba


# -- the computation, off the GUI thread ------------------------------------------------------------

@dataclass
class DecisionRequest:
    """What one computation needs, copied at request time (the worker shares nothing that changes)."""

    request_id: int
    key: tuple  # (data generation, x, y, resolution, network shape): what the result must still answer
    model: object  # its preprocessor and, unless ``net`` is given, its network
    net: object  # a copy of the weights to evaluate
    frame: pd.DataFrame
    x_column: str
    y_column: str
    resolution: int
    fixed: dict | None
    plane: DecisionPlane | None  # reused while the key is the same: then only NumPy runs


@dataclass
class DecisionResult:
    request: DecisionRequest
    plane: DecisionPlane | None = None
    grid: DecisionGrid | None = None
    error: str = ""
    thread_id: int = 0  # the thread that computed it (tests check it is not the GUI's)
    seconds: float = 0.0


def compute(request: DecisionRequest) -> DecisionResult:
    """Build the plane if needed and evaluate the network over it (runs in the worker thread)."""
    started = time.perf_counter()
    result = DecisionResult(request, thread_id=threading.get_ident())
    try:
        plane = request.plane or decision_plane(request.model, request.frame, request.x_column, request.y_column,
                                                request.resolution, request.fixed)
        result.plane, result.grid = plane, evaluate_plane(request.model, plane, request.net)
    except DataError as error:
        result.error = str(error)
    except Exception as error:  # noqa: BLE001 - a worker thread must report, never die silently
        result.error = f"The decision map could not be computed: {error}"
    result.seconds = time.perf_counter() - started
    return result


_WORKER: list[ThreadPoolExecutor] = []


def _worker() -> ThreadPoolExecutor:
    """The one thread that computes decision maps (made on first use, shared by every view).

    A plain Python thread that touches no Qt object: the view polls for the result from the GUI
    thread. Emitting a Qt signal from a pool thread instead crashed now and then while a window
    was being deleted (PySide 6.8+ cross-thread emission)."""
    if not _WORKER:
        from concurrent.futures import ThreadPoolExecutor  # (not needed for the window's first frame)

        _WORKER.append(ThreadPoolExecutor(max_workers=1, thread_name_prefix="decision-map"))
    return _WORKER[0]


POLL_MS = 10
"""How often a view looks for its map while one is being computed."""


def _set_title(tile: pg.PlotItem, text: str) -> None:
    """A tile's title, set only when it changes (each change re-lays out the tile)."""
    if tile.titleLabel.text != text or tile.titleLabel.opts.get("color") != foreground():
        tile.setTitle(text, size="8pt", color=foreground())


class _NeuronScroll(QScrollArea):
    """The neuron maps' scroll area; tells the view when its width changes (tiles reflow)."""

    resized = Signal()

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        self.resized.emit()


class DecisionView(BuiltWhenShown, QWidget):
    """A map of the network's output over two chosen input columns, and of its hidden neurons.

    The map's plots are built when the view is first shown (or one of them first used): the
    window starts on another tab.

    Signals: ``computed`` after each result is drawn (or its error shown).
    """

    computed = Signal()
    LAZY_PARTS = frozenset({"plot_layout", "plot", "image", "points", "colour_bar", "neuron_layout",
                            "neuron_tiles", "neuron_images"})

    def __init__(self, parent: QWidget | None = None, resolution: int = DEFAULT_RESOLUTION):
        super().__init__(parent)
        self.resolution = resolution
        self.min_interval = MIN_INTERVAL
        self.model = None
        self.frame: pd.DataFrame | None = None
        self.fixed: dict | None = None
        self.grid: DecisionGrid | None = None
        self.plane: DecisionPlane | None = None  # the plane of the grid shown, and of the next requests
        self._plane_key: tuple | None = None
        self.dropped = 0  # results that arrived after what they answered had changed
        self.last_result: DecisionResult | None = None
        self._stale = False
        # (model, rows, fixed) given while the view was hidden: taken when it is shown (choosing
        # the axes of a 784-input model and its tiles cost 0.12 s of every open of such a table).
        self._waiting: tuple | None = None
        self._generation = 0  # bumped whenever the data, the model's inputs or the held values change
        self._request_id = 0
        self._shown_request = 0
        self._in_flight = False
        self._pending: DecisionRequest | None = None
        self._last_start = -math.inf
        self._last_started_key: tuple | None = None
        self._points_key = None
        self._value_levels: tuple[float, float] | None = None
        self._look = None
        self._colour_bar_shown = False
        self._tile_columns = 0
        self._tile_choice: tuple | None = None  # (plane and network key, indices of the neurons shown)

        # At most one computation of this view runs (in _worker()'s thread); a timer in the GUI
        # thread collects its result.
        self._future: Future | None = None
        self._poll_timer = QTimer(self)
        self._poll_timer.setInterval(POLL_MS)
        self._poll_timer.timeout.connect(self._collect)
        self._start_timer = QTimer(self)
        self._start_timer.setSingleShot(True)
        self._start_timer.timeout.connect(self._start_pending)

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
        self.hidden_check.setToolTip("Maps of each hidden neuron's activation over the same plane, beside the "
                                     f"decision map (at most {MAX_NEURON_TILES}: those that vary most)")
        self.hidden_check.toggled.connect(self._hidden_toggled)
        self.export_button = QToolButton()
        self.export_button.setDefaultAction(make_export_action(self, self.export, "decision.png"))
        self.message = QLabel(NEEDS_TWO)
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        # The caption: short ("... 782 other inputs held fixed at their means"), wrapped rather
        # than widening the window, with every held value in its tooltip.
        self.status = QLabel("")
        self.status.setWordWrap(True)
        self.legend = QLabel("")
        self.legend.setWordWrap(True)
        self.legend.setTextFormat(Qt.TextFormat.RichText)
        self.legend.setToolTip("What the colours mean; the points are the training rows, coloured by their "
                               "actual value")

        bar = QHBoxLayout()
        for text, combo in (("&x:", self.x_combo), ("&y:", self.y_combo)):
            label = QLabel(text)
            label.setBuddy(combo)  # Alt+X, Alt+Y
            bar.addWidget(label)
            bar.addWidget(combo)
        bar.addWidget(self.hidden_check)
        bar.addStretch(1)
        bar.addWidget(self.export_button)

        self._map_holder = QWidget()  # gets the map's plot (_build_parts)
        holder_layout = QVBoxLayout(self._map_holder)
        holder_layout.setContentsMargins(0, 0, 0, 0)
        self.neuron_note = QLabel("")
        self.neuron_note.setWordWrap(True)
        self.neuron_scroll = _NeuronScroll()
        self.neuron_scroll.setWidgetResizable(True)
        self.neuron_scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.neuron_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.neuron_scroll.resized.connect(self._reflow_tiles)
        self.neuron_pane = QWidget()
        pane_layout = QVBoxLayout(self.neuron_pane)
        pane_layout.setContentsMargins(0, 0, 0, 0)
        pane_layout.addWidget(self.neuron_note)
        pane_layout.addWidget(self.neuron_scroll, 1)
        self.neuron_pane.setMinimumWidth(TILE_EDGE)
        self.neuron_pane.setVisible(False)

        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self._map_holder)
        splitter.addWidget(self.neuron_pane)
        splitter.setCollapsible(0, False)
        splitter.setCollapsible(1, False)
        splitter.setStretchFactor(0, 1)
        splitter.setStretchFactor(1, 1)
        self.splitter = splitter
        self.pages = QStackedWidget()
        self.pages.addWidget(self.message)
        self.pages.addWidget(splitter)
        self.pages.setMinimumHeight(MIN_PLOT_HEIGHT)
        self.plot_page = splitter

        # The map scrolls when the view is short (1024 x 700), keeping a readable height instead
        # of being squeezed to a strip; the caption above it and the legend below stay in sight.
        self.scroll = QScrollArea()
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.scroll.setWidget(self.pages)
        self.scroll.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

        layout = QVBoxLayout(self)
        layout.setSpacing(3)
        layout.addLayout(bar)
        layout.addWidget(self.status)
        layout.addWidget(self.scroll, 1)
        layout.addWidget(self.legend)

    def _build_parts(self) -> None:
        """The map's plot and the hidden neurons' layout, in the look in force."""
        self.plot_layout = pg.GraphicsLayoutWidget()
        self.plot = self.plot_layout.addPlot(row=0, col=0)
        style_plot_item(self.plot)
        self.image = pg.ImageItem(axisOrder="col-major")
        self.plot.addItem(self.image)
        self.points = pg.ScatterPlotItem(size=7)
        self.plot.addItem(self.points)
        # Not linked to the image: a linked bar pushed its 0-1 levels onto the class-colour image
        # (blank white); the view sets the image's levels and the bar's itself.
        self.colour_bar = pg.ColorBarItem(values=(0, 1), colorMap=value_map(), interactive=False, width=12)
        self.neuron_layout = pg.GraphicsLayoutWidget()
        self.neuron_tiles: list[pg.PlotItem] = []
        self.neuron_images: list[pg.ImageItem] = []
        self._map_holder.layout().addWidget(self.plot_layout)
        self.neuron_scroll.setWidget(self.neuron_layout)
        self._apply_look()

    # -- public --------------------------------------------------------------------------------
    def set_model(self, model, rows: RowSets, fixed: dict | None = None) -> None:
        """Show ``model`` over the range of its training ``rows`` (drawn as points).

        ``fixed`` holds values for the inputs not on the axes (else mean / most frequent value).
        A hidden view only keeps them until it is shown (then it takes the rows).
        """
        if not self.isVisible():
            self._waiting = (model, rows, fixed)
            return
        self._waiting = None
        frame = rows.train
        columns = numeric_inputs(model)
        changed = self.model is None or numeric_inputs(self.model) != columns
        # The same preprocessing (so the same data and roles), rows and held values: the plane and
        # a result on its way still hold (the end of a run, a step); anything else starts afresh.
        same_data = (self.model is not None and model.preprocessor is self.model.preprocessor
                     and self.frame is not None and frame.shape == self.frame.shape
                     and frame.index.equals(self.frame.index) and fixed == self.fixed)
        self.model, self.frame, self.fixed = model, frame, fixed
        if not same_data:
            self._data_changed()
        if changed:
            # Start on the two inputs that separate the targets best (Iris: the petals); 2,000 rows
            # tell that as well as 20,000 and keep it to a few milliseconds.
            defaults = suggested_axes(model, frame, max_rows=2000) + columns[:2]
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
        self.message.setText(NEEDS_TWO)
        self.pages.setCurrentWidget(self.plot_page if enough else self.message)
        self._show_legend()
        self._build_neuron_tiles()
        self.refresh()

    def clear(self, reason: str) -> None:
        """Show only ``reason`` (no usable data, say) instead of the last model's map; a result on
        its way is dropped, and the next :meth:`set_model` starts afresh."""
        self._waiting, self._pending = None, None
        self._data_changed()
        self.model, self.frame, self.grid, self.last_result = None, None, None, None
        for combo in (self.x_combo, self.y_combo):
            combo.blockSignals(True)
            combo.clear()
            combo.setEnabled(False)
            combo.blockSignals(False)
        self.status.setText("")
        self.legend.setText("")
        self.message.setText(reason)
        self.pages.setCurrentWidget(self.message)

    def set_weights(self, params) -> None:
        """New weights for the same network and data (a live snapshot during training): only the
        forward pass is redone, the plane is kept."""
        waiting = self._waiting
        if self.model is None and waiting is None:
            return
        net = (waiting[0] if waiting else self.model).net.copy()
        net.set_parameters(params)
        if waiting:
            self._waiting = (dataclasses.replace(waiting[0], net=net), *waiting[1:])
            return
        self.model = dataclasses.replace(self.model, net=net)
        self.refresh()

    def set_fixed(self, fixed: dict | None) -> None:
        """Hold the inputs off the axes at ``fixed`` (e.g. the prediction form's values)."""
        if self._waiting is not None:
            self._waiting = (*self._waiting[:2], fixed)
            return
        if fixed == self.fixed:
            return
        self.fixed = fixed
        self._data_changed(points=False)
        self.refresh()

    @Slot()
    def refresh(self) -> None:
        """Ask for the grid with the model's current weights (only while the view is visible);
        returns at once, ``computed`` follows."""
        if self.model is None or self.frame is None or self.x_combo.count() < 2:
            return
        if not self.isVisible():
            self._stale = True
            return
        self._stale = False
        x_column, y_column = self.x_combo.currentText(), self.y_combo.currentText()
        self.status.setText(self._caption(x_column, y_column))
        key = self._key()
        self._request_id += 1
        plane = self.plane if self._plane_key == key[:4] else None
        request = DecisionRequest(self._request_id, key, self.model, self.model.net.copy(), self.frame, x_column,
                                  y_column, self.resolution, self.fixed, plane)
        self._pending = request  # replaces a request not started yet: they merge into the latest
        self._start_pending()

    @property
    def busy(self) -> bool:
        """A computation is running or waiting to start."""
        return self._in_flight or self._pending is not None

    def export(self, path: str | os.PathLike) -> Path:
        """Save the decision plot as PNG or SVG (by the suffix of ``path``)."""
        return export_graphics(self.plot, path)

    # -- the computation ---------------------------------------------------------------------------
    def _key(self) -> tuple:
        """What a result must still answer: the data's generation, the axes, the resolution (these
        four also key the plane) and the network's shape."""
        net = self.model.net
        return (self._generation, self.x_combo.currentText(), self.y_combo.currentText(), self.resolution,
                tuple(net.layer_sizes), tuple(net.activations))

    def _data_changed(self, points: bool = True) -> None:
        self._generation += 1
        self.plane, self._plane_key = None, None
        if points:
            self._points_key = None
            self._value_levels = None

    @Slot()
    def _start_pending(self) -> None:
        if self._pending is None or self._in_flight:
            return  # started when the running one reports
        # Only new weights for the same picture wait their turn; other data, axes or held values
        # (what the user just asked for) start as soon as nothing runs.
        same_picture = self._pending.key == self._last_started_key
        wait = self._last_start + self.min_interval - time.perf_counter() if same_picture else 0.0
        if wait > 0:
            if not self._start_timer.isActive():
                self._start_timer.start(max(1, int(wait * 1000)))
            return
        request, self._pending = self._pending, None
        self._in_flight = True
        self._last_start, self._last_started_key = time.perf_counter(), request.key
        self._future = _worker().submit(compute, request)
        self._poll_timer.start()

    @Slot()
    def _collect(self) -> None:
        future = self._future
        if future is None or not future.done():
            return
        self._future = None
        self._poll_timer.stop()
        self._on_computed(future.result())  # compute() turns every error into result.error

    def _on_computed(self, result: DecisionResult) -> None:
        self._in_flight = False
        request = result.request
        current = self.model is not None and request.key == self._key() and request.request_id > self._shown_request
        if current:
            self._shown_request = request.request_id
            self.last_result = result
            if result.error:  # (the last map no longer answers what was asked: x and y the same column, say)
                self.status.setText(result.error)
                self.grid = None
                self.image.clear()
                self.points.setData([], [])
                for image in self.neuron_images:
                    image.clear()
            else:
                self.plane, self._plane_key = result.plane, request.key[:4]
                self._show(result.grid, result.plane)
        else:
            self.dropped += 1
        self._start_pending()
        if current:
            self.computed.emit()

    # -- drawing ---------------------------------------------------------------------------------
    def _show(self, grid: DecisionGrid, plane: DecisionPlane) -> None:
        if self._look is not look():
            self._apply_look()
        self.grid = grid
        rect = self._rect(grid)
        if grid.task == "regression":
            levels = self._regression_levels(grid)
            self.image.setImage(grid.output, autoLevels=False, levels=levels,
                                lut=value_map().getLookupTable(nPts=256))
            self._show_colour_bar(value_map(), levels, f"predicted {self.model.preprocessor.targets[0]}")
        elif len(grid.classes) == 2:
            colour_map = two_class_map()
            self.image.setImage(grid.output, autoLevels=False, levels=(0.0, 1.0),
                                lut=colour_map.getLookupTable(nPts=256))
            self._show_colour_bar(colour_map, (0.0, 1.0), f"P({grid.classes[1]})")
        else:
            self._hide_colour_bar()
            self.image.setImage(blend_class_colours(grid, class_colours(len(grid.classes)), QColor(background())),
                                autoLevels=False, levels=(0, 255), lut=None)
        self.image.setRect(rect)
        self._draw_points(grid.x_column, grid.y_column)
        for side, column in (("bottom", grid.x_column), ("left", grid.y_column)):
            axis = self.plot.getAxis(side)
            if axis.labelText != column or axis.labelStyle.get("color") != foreground():
                self.plot.setLabel(side, column, color=foreground())  # only when it changes: it lays out again
        self.status.setToolTip(self._held_tooltip(plane))
        if self.hidden_check.isChecked():
            self._draw_neurons(grid, rect)

    def _regression_levels(self, grid: DecisionGrid) -> tuple[float, float]:
        """The target's range in the data (fixed, so colours mean the same from one refresh to
        the next and the points share the map's scale); the map's own range without data."""
        if self._value_levels is None:
            target = self.model.preprocessor.targets[0]
            values = np.asarray([])
            if target in self.frame.columns:
                values = pd.to_numeric(self.frame[target], errors="coerce").to_numpy(dtype=float)
                values = values[np.isfinite(values)]
            if not values.size:
                values = grid.output[np.isfinite(grid.output)]
            low, high = (float(values.min()), float(values.max())) if values.size else (0.0, 1.0)
            self._value_levels = (low, high if high > low else low + 1e-9)
        return self._value_levels

    def _show_colour_bar(self, colour_map: pg.ColorMap, levels: tuple[float, float], label: str) -> None:
        if not self._colour_bar_shown:
            self.plot_layout.addItem(self.colour_bar, row=0, col=1)
            self._colour_bar_shown = True
        self.colour_bar.setColorMap(colour_map)
        self.colour_bar.setLevels(levels)
        # Written along the bar, which is about as tall as the map: a long name is cut with "…"
        # (the full one is in the tooltip).
        short = label if len(label) <= COLOUR_BAR_LABEL_CHARS else label[:COLOUR_BAR_LABEL_CHARS - 1] + "…"
        self.colour_bar.getAxis("right").setLabel(short, color=foreground())
        self.colour_bar.setToolTip(f"colour: {label}")

    def _hide_colour_bar(self) -> None:
        if self._colour_bar_shown:
            self.plot_layout.removeItem(self.colour_bar)
            self._colour_bar_shown = False

    @staticmethod
    def _rect(grid: DecisionGrid) -> QRectF:
        # Cell centres sit on the grid coordinates.
        dx = (grid.xs[-1] - grid.xs[0]) / (len(grid.xs) - 1)
        dy = (grid.ys[-1] - grid.ys[0]) / (len(grid.ys) - 1)
        return QRectF(grid.xs[0] - dx / 2, grid.ys[0] - dy / 2, dx * len(grid.xs), dy * len(grid.ys))

    def _caption(self, x_column: str, y_column: str) -> str:
        """``x: a, y: b · 782 other inputs held fixed at their means`` (the values in its tooltip)."""
        pre = self.model.preprocessor
        others = [c for c in pre.inputs if c not in (x_column, y_column)]
        text = f"x: {x_column}, y: {y_column}"
        if not others:
            return text
        count = f"{len(others):,} other input{'s' if len(others) != 1 else ''}"
        if self.fixed:
            where = "at the values in the Predict form"
        elif any(pre.input_kinds.get(c) == CATEGORICAL for c in others):
            where = "at their means (text: the most frequent value)"
        else:
            where = "at their means" if len(others) > 1 else "at its mean"
        return f"{text} · {count} held fixed {where}"

    @staticmethod
    def _held_tooltip(plane: DecisionPlane) -> str:
        items = list(plane.held.items())
        if not items:
            return ""

        def show(value) -> str:
            return f"{value:.4g}" if isinstance(value, (float, int, np.floating, np.integer)) else str(value)

        listed = ", ".join(f"{html.escape(str(c))} = {html.escape(show(v))}" for c, v in items[:MAX_HELD_IN_TOOLTIP])
        more = f", … and {len(items) - MAX_HELD_IN_TOOLTIP:,} more" if len(items) > MAX_HELD_IN_TOOLTIP else ""
        return f"<p style='white-space:normal'>Held fixed: {listed}{more}</p>"

    def _show_legend(self) -> None:
        """Class names with their colours (two or more classes); regression: the colour bar says it."""
        pre = self.model.preprocessor
        if pre.task != "classification" or len(pre.classes) < 2:
            self.legend.setText("")
            self.legend.setVisible(False)
            return
        classes = [str(c) for c in pre.classes]
        swatches = "&nbsp;&nbsp; ".join(
            f"<span style='color:{colour.name()}'>&#9632;</span>&nbsp;{html.escape(name)}"
            for colour, name in zip(class_colours(len(classes)), classes))
        note = "faded where it is a toss-up" if len(classes) == 2 else "faded where the network is unsure"
        self.legend.setText(f"{swatches}&nbsp;&nbsp; · {note} · points: training rows")
        self.legend.setVisible(True)

    def _draw_points(self, x_column: str, y_column: str) -> None:
        """The training rows (at most ``MAX_POINTS``, evenly spread), coloured by their target;
        redrawn only when the data or the axes change, not for every new set of weights."""
        key = (self._generation, x_column, y_column, self._look)
        if key == self._points_key:
            return
        self._points_key = key
        frame = self.frame
        if len(frame) > MAX_POINTS:
            frame = frame.iloc[np.linspace(0, len(frame) - 1, MAX_POINTS).astype(int)]
        self.points.setSize(7 if len(frame) <= 200 else 5)  # many large points hide the map
        xs = pd.to_numeric(frame[x_column], errors="coerce").to_numpy(dtype=float)
        ys = pd.to_numeric(frame[y_column], errors="coerce").to_numpy(dtype=float)
        pre = self.model.preprocessor
        target = pre.targets[0]
        outline = pg.mkPen(foreground(), width=1)
        if target not in frame.columns:
            self.points.setData(xs, ys, pen=outline, brush=pg.mkBrush(background()))
            return
        if pre.task == "classification":
            index = {str(c): i for i, c in enumerate(pre.classes)}
            brushes = [pg.mkBrush(c) for c in class_colours(len(pre.classes))]
            labels = frame[target].astype(str).to_numpy()
            point_brushes = [brushes[index.get(v, 0)] for v in labels]
        else:
            values = pd.to_numeric(frame[target], errors="coerce").to_numpy(dtype=float)
            low, high = self._value_levels or (np.nanmin(values), np.nanmax(values))
            scaled = np.clip((values - low) / (high - low if high > low else 1.0), 0, 1)
            point_brushes = [pg.mkBrush(c) for c in value_map().map(np.nan_to_num(scaled), mode="qcolor")]
        self.points.setData(xs, ys, pen=outline, brush=point_brushes)

    # -- hidden neurons ----------------------------------------------------------------------------
    def _n_hidden(self) -> int:
        return sum(self.model.net.layer_sizes[1:-1]) if self.model is not None else 0

    def _build_neuron_tiles(self) -> None:
        """Create tiles up to the number needed (at most 16); tiles are kept and reused afterwards."""
        needed = min(self._n_hidden(), MAX_NEURON_TILES)
        while len(self.neuron_tiles) < needed:
            tile = pg.PlotItem(enableMenu=False)
            tile.hideAxis("left")
            tile.hideAxis("bottom")
            tile.setMouseEnabled(False, False)
            tile.hideButtons()
            image = pg.ImageItem(axisOrder="col-major")
            image.setColorMap(value_map())
            tile.addItem(image)
            self.neuron_tiles.append(tile)
            self.neuron_images.append(image)
        self._tile_columns = 0  # lay them out afresh
        self._reflow_tiles()

    @Slot()
    def _reflow_tiles(self) -> None:
        """As many columns as fit tiles of about ``TILE_EDGE`` pixels; rows scroll."""
        if not self.parts_built:
            return
        needed = min(self._n_hidden(), MAX_NEURON_TILES)
        width = self.neuron_scroll.viewport().width()
        columns = max(1, min(needed or 1, width // TILE_EDGE))
        layout = self.neuron_layout.ci
        placed = [tile for tile in self.neuron_tiles if tile in layout.items]
        if columns != self._tile_columns or len(placed) != needed:
            for tile in placed:
                layout.removeItem(tile)
            for k, tile in enumerate(self.neuron_tiles[:needed]):
                layout.addItem(tile, row=k // columns, col=k % columns)
            self._tile_columns = columns
        rows = math.ceil(needed / columns) if needed else 0
        edge = max(width // columns, 90)
        self.neuron_layout.setMinimumHeight(rows * (edge + TILE_TITLE_HEIGHT))

    def _draw_neurons(self, grid: DecisionGrid, rect: QRectF) -> None:
        activations = [(layer, j, a) for layer, hidden in enumerate(grid.hidden, 1) for j, a in enumerate(hidden)]
        total = len(activations)
        shown = [activations[k] for k in self._neurons_to_show(activations)]
        for (layer, j, values), tile, image in zip(shown, self.neuron_tiles, self.neuron_images):
            low, high = float(np.nanmin(values)), float(np.nanmax(values))
            image.setImage(values, autoLevels=False, levels=(low, high if high > low else low + 1e-9))
            image.setRect(rect)
            # A flat map is a fact worth saying (a ReLU that is off over the whole plane, say).
            flat = f" = {low:.3g}" if not high - low > 1e-9 * max(1.0, abs(low)) else ""
            _set_title(tile, f"layer {layer}, neuron {j}{flat}")  # counted from 0, as in W1[i,j] and the weight tree
        note = (f"{len(shown)} of {total} hidden neurons, those that vary most here" if total > len(shown)
                else f"{total} hidden neuron{'s' if total != 1 else ''}")
        self.neuron_note.setText(f"{note}, each in its own range")
        self.neuron_note.setToolTip("Each map is one hidden neuron's activation over the same plane as the decision "
                                    "map, coloured from its own lowest (dark blue) to its highest value (yellow)"
                                    + (f". Of the network's {total} hidden neurons, the {len(shown)} whose activation "
                                       "varies most over this plane are shown (many of 64 ReLUs are off over the "
                                       "whole of a plane of two pixels), chosen again when the axes or the data "
                                       "change" if total > len(shown) else ""))

    def _neurons_to_show(self, activations: list) -> list[int]:
        """Which hidden neurons get a tile: all if they fit (in network order), else the
        ``MAX_NEURON_TILES`` that vary most over the plane, the liveliest first. Chosen once per plane and network shape, so
        tiles do not swap places while the network trains, and again only when a tile has gone
        flat while a neuron not shown varies."""
        if len(activations) <= MAX_NEURON_TILES:
            return list(range(len(activations)))
        spread = np.array([float(np.nanmax(a) - np.nanmin(a)) if np.isfinite(a).any() else 0.0
                           for _, _, a in activations])
        flat = ~(spread > 1e-9)
        key = (self._plane_key, tuple(self.model.net.layer_sizes))
        choice = self._tile_choice[1] if self._tile_choice is not None and self._tile_choice[0] == key else None
        if choice is not None and flat[choice].any():
            others = np.ones(len(activations), dtype=bool)
            others[choice] = False
            if (~flat[others]).any():
                choice = None
        if choice is None:
            choice = [int(k) for k in np.argsort(-spread, kind="stable")[:MAX_NEURON_TILES]]  # liveliest first
            self._tile_choice = (key, choice)
        return choice

    # -- theme ------------------------------------------------------------------------------------
    def _apply_look(self) -> None:
        """Paper, axes and outlines in the colours of the theme in force (see ``style.look``)."""
        self._look = look()
        self.plot_layout.setBackground(background())
        self.neuron_layout.setBackground(background())
        for axis_name in ("left", "bottom"):
            axis = self.plot.getAxis(axis_name)
            axis.setPen(pen(foreground()))
            axis.setTextPen(pen(foreground()))
        for axis_name in ("left", "right", "top", "bottom"):
            axis = self.colour_bar.getAxis(axis_name)
            axis.setPen(pen(foreground()))
            axis.setTextPen(pen(foreground()))

    def on_look_changed(self) -> None:
        """The theme's look changed (``style.restyle``, or an export drawing on paper): the map's own
        colours (cells fading into the paper, legend, colour bar) are drawn again in it."""
        if not self.parts_built or self._look is look():  # built later in the look in force
            return
        self._apply_look()
        if self.model is not None:
            self._show_legend()
        if self.grid is not None and self.plane is not None:
            self._show(self.grid, self.plane)

    # -- events -----------------------------------------------------------------------------------
    def showEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().showEvent(event)
        if self._waiting is not None:
            self.set_model(*self._waiting)
        elif self._stale:
            self.refresh()

    @Slot()
    def _columns_changed(self) -> None:
        self.refresh()

    @Slot(bool)
    def _hidden_toggled(self, checked: bool) -> None:
        self.neuron_pane.setVisible(checked)
        if checked:
            # A usable share at once: half the width (it opened as a 70-pixel sliver).
            total = sum(self.splitter.sizes()) or self.splitter.width()
            self.splitter.setSizes([total - total // 2, total // 2])
            self._reflow_tiles()
            if self.grid is not None:
                self._draw_neurons(self.grid, self._rect(self.grid))


def _demo() -> int:
    import sys

    from PySide6.QtWidgets import QApplication

    from ...core.session import trained_sample_session

    app = QApplication.instance() or QApplication(sys.argv)
    name = sys.argv[1] if len(sys.argv) > 1 else "two_moons"
    session = trained_sample_session(name, [8], epochs=200)
    view = DecisionView()
    view.hidden_check.setChecked(True)
    view.set_model(session.model(), session.row_sets)
    view.resize(1100, 550)
    view.setWindowTitle(f"Decision view: {name}")
    view.show()
    timer = QTimer(view)
    timer.timeout.connect(view.refresh)  # what a window does during training: ~2 refreshes a second
    timer.start(500)
    return app.exec()


if __name__ == "__main__":
    raise SystemExit(_demo())
