"""Python's cyclic garbage is collected on the GUI thread, between events, never in the middle of Qt.

Left to itself, the collector runs whenever some allocation crosses its threshold: on any thread, and
inside any call. A collected cycle that holds a Qt object (a plot's menu, say: pyqtgraph's plots and
their menus refer to each other) then destroys that object right there. It was seen to freeze the
tests for good: ``QObject::disconnect`` held Qt's connection lock, asked Python whether it overrides
``disconnectNotify``, that lookup allocated, the collector ran and destroyed a menu, whose
destructor waited for the same lock. The tests' rare crashes while windows were deleted were most
likely of the same kind. So the automatic collector is switched off, and
:class:`CollectorBetweenEvents` runs generational collections from a timer (by Python's own counts
and thresholds), where nothing else is under way. (pyqtgraph's ``util.garbage_collector`` has the
same idea; this one belongs to the application, can be stopped, and limits full collections.)
"""

from __future__ import annotations

import gc
import time

from PySide6.QtCore import QObject, QTimer

CHECK_INTERVAL_MS = 250
"""How often the counts are looked at; a look costs microseconds, a young collection about 1 ms."""

FULL_COLLECTION_INTERVAL_S = 30.0
"""At most one full collection in this time (one took 27 ms with 300,000 objects alive). CPython
skips most of them by a rule Python code cannot see (not before a quarter of the long-lived objects
are new since the last one); this interval keeps ours rare too."""


class CollectorBetweenEvents(QObject):
    """Collects Python's cyclic garbage by generations when called: from its timer on the GUI thread,
    or at another safe moment (:meth:`collect_due`). Automatic collection is off while it runs, and
    back on when it is stopped or deleted with its application."""

    def __init__(self, parent: QObject | None = None, interval_ms: int = CHECK_INTERVAL_MS):
        super().__init__(parent)
        self.collections = [0, 0, 0]  # per generation, for the tests
        self._last_full = time.monotonic()
        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self.collect_due)
        self.destroyed.connect(_hand_back_to_python)  # (a module function: this object is gone by then)

    def start(self) -> None:
        """Switch the automatic collector off and collect from now on between events."""
        gc.disable()
        self._timer.start()

    def stop(self) -> None:
        """Hand collecting back to Python."""
        self._timer.stop()
        gc.enable()

    def collect_due(self) -> None:
        """Collect the oldest generation whose count passed its threshold, with the younger ones.

        A generation's count is the collections of the one below since its own last collection
        (allocations for the youngest). The oldest generation is collected at most once per
        ``FULL_COLLECTION_INTERVAL_S``, and never by count where its threshold is 0 (Pythons whose
        collector is incremental, where collecting generation 1 collects a part of the old objects).
        """
        thresholds = gc.get_threshold()
        if not thresholds[0]:
            return  # collecting was switched off with gc.set_threshold(0)
        counts = gc.get_count()
        now = time.monotonic()
        for generation in (2, 1, 0):
            threshold = thresholds[generation] if generation < len(thresholds) else 0
            if generation == 2 and (threshold <= 0 or now - self._last_full < FULL_COLLECTION_INTERVAL_S):
                continue
            if counts[generation] > threshold:
                gc.collect(generation)
                self.collections[generation] += 1
                if generation == 2:
                    self._last_full = now
                return


def _hand_back_to_python(*_unused) -> None:
    gc.enable()


def collect_between_events(app: QObject) -> CollectorBetweenEvents:
    """The application's collector, started (one per application: later calls return it)."""
    collector = app.findChild(CollectorBetweenEvents)
    if collector is None:
        collector = CollectorBetweenEvents(app)
    collector.start()
    return collector
