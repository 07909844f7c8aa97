""""Follow latest": keep the newest epochs in view until the user pans or zooms.

Each live refresh ends with :meth:`FollowLatest.set_data_range`, which also keeps the refresh
cheap: the y range moves only when the data needs it (:func:`fit_y_range`; a steady range lets
the axis reuse its drawing) and range changes are applied before the paint, not during it
(:func:`apply_pending_ranges`), so that a refresh costs one paint, not two.
"""

from __future__ import annotations

import math

import pyqtgraph as pg
from PySide6.QtCore import QObject, Slot
from PySide6.QtGui import QAction


class FollowLatest(QObject):
    """Drives the x range of some view boxes while its checkable ``action`` is on.

    While following, the x range shows the whole run (or the last ``window`` epochs) and y
    fits what is visible. A manual pan or zoom in any watched view turns following off;
    checking the action again jumps back to the newest data.

    Parameters
    ----------
    window : show only the last ``window`` epochs while following; ``None`` shows the whole run.
    """

    def __init__(self, parent: QObject | None = None, window: float | None = None):
        super().__init__(parent)
        self.window = window
        self.action = QAction("Follow latest", self)
        self.action.setCheckable(True)
        self.action.setChecked(True)
        self.action.setToolTip(
            "Keep the newest epochs in view. Panning or zooming by hand turns this off."
        )
        self.action.toggled.connect(self._on_toggled)
        self._watched: list[pg.ViewBox] = []
        self._driven: list[pg.ViewBox] = []
        self._y_fitted: list[pg.ViewBox] = []
        self._x_range: tuple[float, float] | None = None
        self._shown: tuple[float, float] | None = None

    @property
    def enabled(self) -> bool:
        """Whether the views follow the newest data."""
        return self.action.isChecked()

    def set_enabled(self, enabled: bool) -> None:
        """Turn following on or off (same as toggling the action)."""
        self.action.setChecked(enabled)

    def set_window(self, window: float | None) -> None:
        """Follow only the last ``window`` epochs (``None``: the whole run)."""
        self.window = window
        self._apply()

    def set_views(self, watched: list[pg.ViewBox], driven: list[pg.ViewBox] | None = None,
                  fit_y: bool = True) -> None:
        """Watch ``watched`` for manual range changes and set the x range of ``driven``.

        ``driven`` defaults to ``watched``; views x-linked to a driven one need not be driven too.
        ``fit_y=False`` leaves the y ranges of the views to their owner.
        """
        for view in self._watched:
            try:
                view.sigRangeChangedManually.disconnect(self._on_manual_change)
            except (RuntimeError, TypeError):
                pass  # the view is already gone
        self._watched = list(watched)
        self._driven = list(watched if driven is None else driven)
        self._y_fitted = list(watched) if fit_y else []
        for view in self._watched:
            view.sigRangeChangedManually.connect(self._on_manual_change)
        if self.enabled:
            self._fit_y()
            self._apply()

    def set_data_range(self, x_first: float, x_last: float) -> None:
        """Tell where the data now ends (after each refresh); moves the views when following."""
        self._x_range = (float(x_first), float(x_last))
        self._apply()
        if self.enabled:
            for view in self._y_fitted:
                x_shown = view.viewRange()[0]
                y_bounds = view.childrenBounds(orthoRange=(None, x_shown))[1]  # of what is visible
                if y_bounds is not None:
                    fit_y_range(view, *y_bounds)
        apply_pending_ranges(self._watched)

    def clear(self) -> None:
        """Forget the data range (after a reset)."""
        self._x_range = None
        self._shown = None

    def settle(self) -> None:
        """Fit the x range to the data exactly (when training ends)."""
        self._shown = None
        self._apply(exact=True)

    def _apply(self, exact: bool = False) -> None:
        if not self.enabled or self._x_range is None:
            return
        first, last = self._x_range
        if self.window is not None:
            first = max(first, last - self.window)
        elif not exact:
            # Grow the shown range in steps of a quarter rather than every refresh: while the
            # range stays put, the axes keep their cached drawing, which makes live refreshes
            # several times cheaper.
            shown = self._shown
            if shown is not None and shown[0] == first and last <= shown[1] and last - first >= 0.5 * (shown[1] - first):
                return
            last = first + 1.25 * max(last - first, 1.0)
            self._shown = (first, last)
        if last - first < 1:
            first, last = first - 0.5, last + 0.5
        for view in self._driven:
            view.setXRange(first, last, padding=0.02)

    def _fit_y(self) -> None:
        for view in self._watched:
            view.enableAutoRange(axis=pg.ViewBox.YAxis, enable=True)
            view.setAutoVisible(y=True)

    @Slot(bool)
    def _on_toggled(self, enabled: bool) -> None:
        if enabled:
            self._fit_y()
            self._apply()

    @Slot(object)
    def _on_manual_change(self, _mask) -> None:
        self.set_enabled(False)


def forget_range(view: pg.ViewBox) -> None:
    """Back to an empty plot's view (0 to 1 on both axes) that fits itself to the next data. Only
    re-enabling the auto-range left an emptied plot showing the last run's axes (0 to 1,000,000
    epochs over a new sample)."""
    view.setRange(xRange=(0.0, 1.0), yRange=(0.0, 1.0), padding=0.0)
    view.enableAutoRange()


def apply_pending_ranges(views: list[pg.ViewBox]) -> None:
    """Settle the auto-range and transform of the shown ``views`` now, after new data, rather
    than when their paint starts.

    pyqtgraph applies them when the paint starts; the transform change then asks for a second,
    full paint straight after the first (measured: 2 paints per refresh of the RMSE plot, 1 with
    this), which doubled the cost of every live refresh. Hidden views wait for their paint.
    """
    for view in views:
        widget = view.getViewWidget()
        if widget is not None and widget.isVisible():
            view.prepareForPaint()


def fit_y_range(view: pg.ViewBox, low: float, high: float) -> None:
    """Show ``low..high`` (view coordinates) on ``view``'s y axis, taking y over from auto-range.

    The range moves only when the data leaves it or fills less than a third of it: a y range
    that stays put lets the axis reuse its cached drawing (auto-range moved it every refresh;
    measured: the RMSE plot's refresh about 4 -> 2 ms). A flat curve (one point, a zero bias)
    still gets a readable range around its value.
    """
    if not (math.isfinite(low) and math.isfinite(high)):
        return
    if view.state["autoRange"][1] is not False:
        view.enableAutoRange(axis=pg.ViewBox.YAxis, enable=False)  # taken over from here on
        shown_low, shown_high = math.inf, -math.inf
    else:
        shown_low, shown_high = view.viewRange()[1]
    span = max(high - low, 0.1 * max(abs(low), abs(high)), 1e-3)
    if low < shown_low or high > shown_high or shown_high - shown_low > 3 * span:
        middle, half = (low + high) / 2, 0.65 * span
        view.setYRange(middle - half, middle + half, padding=0)
