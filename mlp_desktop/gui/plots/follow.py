""""Follow latest": keep the newest epochs in view until the user pans or zooms."""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtCore import QObject, Slot
from PySide6.QtGui import QAction


class FollowLatest(QObject):
    """Drives the x range of some view boxes while its checkable ``action`` is on.

    While following, the x range shows the whole run (or the last ``window`` epochs) and y
    auto-ranges to what is visible. A manual pan or zoom in any watched view turns following off;
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

    def set_views(self, watched: list[pg.ViewBox], driven: list[pg.ViewBox] | None = None) -> None:
        """Watch ``watched`` for manual range changes and set the x range of ``driven``.

        ``driven`` defaults to ``watched``; views x-linked to a driven one need not be driven too.
        """
        for view in self._watched:
            try:
                view.sigRangeChangedManually.disconnect(self._on_manual_change)
            except (RuntimeError, TypeError):
                pass  # the view is already gone
        self._watched = list(watched)
        self._driven = list(watched if driven is None else driven)
        for view in self._watched:
            view.sigRangeChangedManually.connect(self._on_manual_change)
        if self.enabled:
            self._fit_y()
            self._apply()

    def set_data_range(self, x_first: float, x_last: float) -> None:
        """Tell where the data now ends; moves the views when following."""
        self._x_range = (float(x_first), float(x_last))
        self._apply()

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
