"""Hover read-out: find the curve point nearest the mouse, measured in screen pixels."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyqtgraph as pg
from PySide6.QtWidgets import QSizePolicy

from ..widgets import ElidedLabel

from .style import foreground

HOVER_RADIUS_PX = 40.0


@dataclass(frozen=True)
class NearestPoint:
    """Row and column of the nearest point in ``ys`` and its distance from the mouse in pixels."""

    row: int
    column: int
    distance_px: float


def nearest_point(
    x: np.ndarray,
    ys: np.ndarray,
    mouse_x: float,
    mouse_y: float,
    pixel_width: float,
    pixel_height: float,
    radius_px: float = HOVER_RADIUS_PX,
) -> NearestPoint | None:
    """The point of ``ys`` nearest ``(mouse_x, mouse_y)``, or ``None`` if none is within ``radius_px``.

    Parameters
    ----------
    x : ``(m,)`` increasing x values shared by every curve.
    ys : ``(m, c)``: column ``j`` is curve ``j``; NaN points are skipped.
    pixel_width, pixel_height : the size of a screen pixel in data units, so distance is visual.

    Only rows within ``radius_px`` of the mouse in x are examined (plus the nearest row on each
    side), so this stays cheap for a thousand curves.
    """
    if x.size == 0 or ys.size == 0 or not pixel_width > 0 or not pixel_height > 0:
        return None
    reach = radius_px * pixel_width
    lo = max(int(np.searchsorted(x, mouse_x - reach, side="left")) - 1, 0)
    hi = min(int(np.searchsorted(x, mouse_x + reach, side="right")) + 1, x.size)
    if hi <= lo:
        return None
    dx = (x[lo:hi, None] - mouse_x) / pixel_width
    dy = (ys[lo:hi] - mouse_y) / pixel_height
    distance = np.hypot(dx, dy)
    distance[~np.isfinite(distance)] = np.inf
    flat = int(np.argmin(distance))
    row, column = divmod(flat, ys.shape[1])
    best = float(distance[row, column])
    if best > radius_px:
        return None
    return NearestPoint(lo + row, column, best)


def format_value(value: float) -> str:
    """Four significant digits: ``0.1234``, ``12.35``, ``1.235e-05``."""
    return f"{value:.4g}"


def readout_text(name: str, epoch: float, value: float) -> str:
    """What the read-out says about a point, e.g. ``W1[0,0] · epoch 120 · 0.4321``."""
    return f"{name} · epoch {epoch:.0f} · {format_value(value)}"


class HoverLabel(ElidedLabel):
    """The line under a plot that names the point nearest the mouse (ends in "…" when the plot is
    narrow; the tooltip shows it all)."""

    HINT = "Hover over a curve to read its values."

    def __init__(self):
        super().__init__(self.HINT)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        self.setToolTip(self.HINT)

    def setText(self, text: str) -> None:
        super().setText(text)
        self.setToolTip(text)

    def clear_point(self) -> None:
        """Show the hint instead of a point."""
        self.setText(self.HINT)


def make_marker() -> pg.ScatterPlotItem:
    """A hollow circle marking the hovered point; add it with ``ViewBox.addItem(ignoreBounds=True)``."""
    marker = pg.ScatterPlotItem(
        size=9, pen=pg.mkPen(foreground(), width=1.5), brush=pg.mkBrush(None), symbol="o"
    )
    marker.setZValue(100)
    marker.hide()
    return marker


def scene_to_view(view: pg.ViewBox, scene_pos) -> tuple[float, float, float, float] | None:
    """``(x, y, pixel_width, pixel_height)`` in the view's coordinates, or ``None`` when outside it."""
    if not view.sceneBoundingRect().contains(scene_pos):
        return None
    point = view.mapSceneToView(scene_pos)
    pixel_width, pixel_height = view.viewPixelSize()
    return point.x(), point.y(), pixel_width, pixel_height
