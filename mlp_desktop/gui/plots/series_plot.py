"""A plot of a few per-epoch series (RMSE, gradient magnitudes): the shared machinery.

Holds a bounded :class:`~mlp_desktop.core.series.SeriesBuffer`, one ``PlotDataItem`` per series
(created once, then only ``setData``), a legend that lists only series with data, a toolbar with
"Follow latest", "Log scale" and "Export…", the latest values as text and a hover read-out.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, Slot
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QLabel, QToolBar, QVBoxLayout, QWidget

from ...core.series import SeriesBuffer
from .exporting import export_graphics, make_export_action
from .follow import FollowLatest, forget_range
from .readout import HoverLabel, format_value, make_marker, nearest_point, readout_text, scene_to_view
from ..widgets import BuiltWhenShown
from .style import (
    EpochNumbersAxis, ReadableAxis, background, colour, configure_curve, foreground, legend_brush, pen, style_plot_item,
)


class SeriesPlot(BuiltWhenShown, QWidget):
    """Per-epoch series against epoch, bounded in memory however long the run.

    Parameters
    ----------
    series_names : one name per series, shown in the legend, the values line and the read-out.
    y_label : the y axis label.
    log_y : start with a logarithmic y axis.
    max_buckets : bound of the buffer (see ``SeriesBuffer``).
    export_name : default file name offered by "Export…".
    built_when_shown : make the plot itself when the view is first shown (a hidden tab's plot cost
        the first frame 20 ms); the data and the latest values are kept meanwhile.
    """

    LAZY_PARTS = frozenset({"plot_widget", "plot_item", "legend", "curves", "marker"})

    def __init__(
        self,
        series_names: list[str],
        y_label: str,
        log_y: bool = False,
        max_buckets: int = 4096,
        export_name: str = "plot.png",
        parent: QWidget | None = None,
        built_when_shown: bool = False,
        empty_text: str = "",
    ):
        super().__init__(parent)
        self._empty_text = empty_text  # what the values line says before the first epoch
        self._max_buckets = max_buckets
        self._y_label = y_label
        self._names: list[str] = []
        self._in_legend: list[bool] = []
        self._x = np.zeros(0)
        self._ys = np.zeros((0, 0))

        self.follow = FollowLatest(self)
        self.log_action = QAction("Log scale", self)
        self.log_action.setCheckable(True)
        self.log_action.setChecked(log_y)
        self.log_action.setToolTip("Show the y axis on a logarithmic scale")
        self.log_action.toggled.connect(self.set_log_y)
        self.export_action = make_export_action(self, self.export, export_name)
        self.toolbar = QToolBar()
        self.toolbar.setStyleSheet("QToolBar { border: 0px; }")
        for action in (self.follow.action, self.log_action, self.export_action):
            self.toolbar.addAction(action)
        # On its own line under the toolbar, wrapped when narrow: the latest values are what the
        # user reads most, so they are never cut ("epoch 20…" hid the final RMSE).
        self.values_label = QLabel("")
        self.values_label.setWordWrap(True)
        self.values_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.hover_label = HoverLabel()

        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.setSpacing(2)
        layout.addWidget(self.toolbar)
        layout.addWidget(self.values_label)
        layout.addWidget(self.hover_label)  # the plot goes above it (_build_parts)

        self._set_series_names(series_names)
        if not built_when_shown:
            self.ensure_parts()

    def _build_parts(self) -> None:
        """The plot, its curves drawn from the buffer, in the look in force."""
        self.plot_widget = pg.PlotWidget(background=background(), axisItems={"left": ReadableAxis("left"),
                                                                              "bottom": EpochNumbersAxis("bottom")})
        self.plot_item: pg.PlotItem = self.plot_widget.getPlotItem()
        style_plot_item(self.plot_item, self._y_label)
        self.legend = self.plot_item.addLegend(
            offset=(-10, 10),
            labelTextColor=foreground(),
            brush=legend_brush(),
            pen=pen("#999999"),
        )
        self.curves: list[pg.PlotDataItem] = []
        self.marker = make_marker()
        self.plot_item.vb.addItem(self.marker, ignoreBounds=True)
        layout = self.layout()
        layout.insertWidget(layout.indexOf(self.hover_label), self.plot_widget, 1)
        self.follow.set_views([self.plot_item.vb])
        self.plot_widget.scene().sigMouseMoved.connect(self._on_mouse_moved)
        self.plot_item.setLogMode(x=False, y=self.is_log_y())
        self._make_curves()
        self._refresh()

    # -- data -------------------------------------------------------------------------------

    def _set_series_names(self, names: list[str]) -> None:
        """One series per name, and an empty buffer."""
        self._names = list(names)
        self.buffer = SeriesBuffer(len(names), self._max_buckets)
        if self.parts_built:
            self._make_curves()
        self._refresh()

    def _make_curves(self) -> None:
        """One curve per series (reusing existing items), none in the legend yet."""
        for curve, shown in zip(self.curves, self._in_legend):
            if shown:
                self.legend.removeItem(curve)
        while len(self.curves) < len(self._names):
            curve = pg.PlotDataItem(pen=pen(colour(len(self.curves))))
            self.plot_item.addItem(curve)
            configure_curve(curve)  # after addItem, or the settings may be ignored
            self.curves.append(curve)
        self._in_legend = [False] * len(self.curves)
        self.legend.setVisible(False)

    def _reset_data(self) -> None:
        self.buffer.clear()
        self.follow.clear()
        self.values_label.setMinimumHeight(0)
        self._refresh()
        if self.parts_built:
            forget_range(self.plot_item.getViewBox())  # new data: forget the old axes

    def _append_rows(self, x, ys) -> None:
        self.buffer.append(x, ys)
        self._refresh()

    def _refresh(self) -> None:
        """Push the buffer to the curves: one ``setData`` per curve, NaN points left out."""
        self._x, self._ys = self.buffer.arrays()
        for index, curve in enumerate(self.curves if self.parts_built else []):
            in_use = index < len(self._names)
            y = self._ys[:, index] if in_use else np.zeros(0)
            finite = np.isfinite(y)
            has_data = bool(finite.any())
            if has_data:
                curve.setData(self._x[finite], y[finite])
            else:
                curve.setData([], [])
            curve.setVisible(has_data)
            self._show_in_legend(index, has_data)
        if self._x.size:
            self.follow.set_data_range(self._x[0], self._x[-1])
        self._update_values_text()

    def _show_in_legend(self, index: int, shown: bool) -> None:
        if shown == self._in_legend[index]:
            return
        if shown:
            self.legend.addItem(self.curves[index], self._names[index])
        else:
            self.legend.removeItem(self.curves[index])
        self._in_legend[index] = shown
        self.legend.setVisible(any(self._in_legend))  # no empty frame before the first epoch

    def _update_values_text(self) -> None:
        values = self.buffer.last_values
        if len(self.buffer) == 0:  # an empty plot says what will appear (its axes alone said nothing)
            self.values_label.setText(self._empty_text)
            self.values_label.setToolTip("")
            return
        parts = [
            f"{name} {format_value(value)}"
            for name, value in zip(self._names, values)
            if np.isfinite(value)
        ]
        text = f"epoch {self.buffer.last_x:,.0f}:  " + " · ".join(parts)
        label = self.values_label
        label.setText(text)
        label.setToolTip(text)
        # Wrapped onto a second line, the line keeps that room for the rest of the run: growing and
        # shrinking with the numbers' lengths, it made the plot under it jump twice a second.
        needed = label.heightForWidth(label.width()) if label.width() > 0 else -1
        if needed > label.minimumHeight():
            label.setMinimumHeight(needed)

    # -- view -------------------------------------------------------------------------------

    @Slot(bool)
    def set_log_y(self, log_y: bool) -> None:
        """Show the y axis on a logarithmic (``True``) or linear scale."""
        if self.log_action.isChecked() != log_y:
            self.log_action.setChecked(log_y)  # comes back here through the toggled signal
            return
        if self.parts_built:  # (else the plot is made so)
            self.plot_item.setLogMode(x=False, y=log_y)
            self.marker.hide()

    def is_log_y(self) -> bool:
        """Whether the y axis is logarithmic."""
        return self.log_action.isChecked()

    def set_y_label(self, text: str) -> None:
        """Label the y axis."""
        self._y_label = text
        if self.parts_built:
            self.plot_item.setLabel("left", text, color=foreground())

    def export(self, path) -> None:
        """Save the plot to ``path``: ``.png`` or ``.svg`` by suffix, written atomically."""
        self.marker.hide()  # the hover marker is not part of the figure
        export_graphics(self.plot_item, path)

    @Slot(object)
    def _on_mouse_moved(self, scene_pos) -> None:
        """Show the nearest point's series, epoch and value (``scene_pos`` in scene coordinates)."""
        where = scene_to_view(self.plot_item.vb, scene_pos)
        ys = self._ys[:, : len(self._names)]
        if self.is_log_y():
            with np.errstate(divide="ignore", invalid="ignore"):
                ys = np.where(ys > 0, np.log10(np.where(ys > 0, ys, 1.0)), np.nan)
        found = None if where is None else nearest_point(self._x, ys, *where)
        if found is None:
            self.marker.hide()
            self.hover_label.clear_point()
            return
        x = self._x[found.row]
        value = self._ys[found.row, found.column]
        self.marker.setData([x], [ys[found.row, found.column]])
        self.marker.show()
        self.hover_label.setText(readout_text(self._names[found.column], x, value))
