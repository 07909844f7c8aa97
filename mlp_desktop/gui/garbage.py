"""Python's cyclic garbage is collected on the GUI thread, between events, never in the middle of Qt.

Left to itself, the collector runs whenever some allocation crosses its threshold: on any thread, and
inside any call. A collected cycle that holds a Qt object (a plot's menu, say: pyqtgraph's plots and
their menus refer to each other) then destroys that object right there. It was seen to freeze the
tests for good: ``QObject::disconnect`` held Qt's connection lock, asked Python whether it overrides
``disconnectNotify``, that lookup allocated, the collector ran and destroyed a menu, whose
destructor waited for the same lock. The tests' rare crashes while windows were deleted were most
likely of the same kind. So the automatic collector is switched off, and
:class:`CollectorBetweenEvents` runs the same generational collections from a timer, where nothing
else is under way.
"""

from __future__ import annotations

import gc

from PySide6.QtCore import QObject, QTimer

CHECK_INTERVAL_MS = 250
"""How often the counts are looked at; a look costs microseconds, a young collection about 1 ms."""


class CollectorBetweenEvents(QObject):
    """Does what the automatic collector would do (same generations, same thresholds), but only when
    called: from its timer on the GUI thread, or at another safe moment (:meth:`collect_due`)."""

    def __init__(self, parent: QObject | None = None, interval_ms: int = CHECK_INTERVAL_MS):
        super().__init__(parent)
        self.thresholds = gc.get_threshold()
        self.collections = [0, 0, 0]  # per generation, for the tests
        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self.collect_due)

    def start(self) -> None:
        """Switch the automatic collector off and collect from now on between events."""
        gc.disable()
        self._timer.start()

    def stop(self) -> None:
        """Hand collecting back to Python."""
        self._timer.stop()
        gc.enable()

    def collect_due(self) -> None:
        """Collect the oldest generation whose count passed its threshold (with the younger ones),
        as CPython would have. A generation's count is the collections of the one below since its
        own last collection (allocations for the youngest), so the oldest is collected once per
        ``threshold[1] * threshold[2]`` young ones at most: about once in 25 s of steady garbage."""
        if not self.thresholds[0]:
            return  # collecting was switched off with gc.set_threshold(0)
        counts = gc.get_count()
        for generation in (2, 1, 0):
            if counts[generation] > self.thresholds[generation]:
                gc.collect(generation)
                self.collections[generation] += 1
                return


def collect_between_events(app: QObject) -> CollectorBetweenEvents:
    """The application's collector, started (one per application: later calls return it)."""
    collector = app.findChild(CollectorBetweenEvents)
    if collector is None:
        collector = CollectorBetweenEvents(app)
    collector.start()
    return collector
