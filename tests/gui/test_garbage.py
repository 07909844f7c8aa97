"""Cyclic garbage is collected between events only (gui.garbage): never inside a Qt call."""

import gc

from PySide6.QtWidgets import QMenu

from mlp_desktop.gui.garbage import CollectorBetweenEvents, collect_between_events


class _Cycle:
    """A plot and its menu refer to each other like this (pyqtgraph's PlotItem and its ctrlMenu)."""

    def __init__(self, destroyed: list):
        self.menu = QMenu()
        self.menu.destroyed.connect(lambda: destroyed.append(True))
        self.itself = self


def test_a_cycle_holding_a_qt_object_is_collected_between_events_not_where_it_became_garbage(qtbot, qapp):
    collector = collect_between_events(qapp)
    assert collect_between_events(qapp) is collector and qapp.findChildren(CollectorBetweenEvents) == [collector]
    assert not gc.isenabled()
    gc.collect()
    destroyed = []
    _Cycle(destroyed)  # garbage at once, but only the collector can free it
    young = [[] for _ in range(5 * gc.get_threshold()[0])]  # would have started Python's collector
    assert not destroyed and len(young)
    before = sum(collector.collections)
    qtbot.waitUntil(lambda: bool(destroyed), timeout=3000)  # the collector's timer, between events
    assert sum(collector.collections) > before


def test_nothing_is_collected_before_a_generation_is_due(qapp):
    collector = collect_between_events(qapp)
    gc.collect()
    destroyed = []
    _Cycle(destroyed)
    collector.collect_due()  # a few allocations: not due yet
    assert not destroyed
    young = [[] for _ in range(2 * gc.get_threshold()[0])]
    collector.collect_due()
    assert destroyed and len(young)


def test_stopping_hands_collecting_back_to_python(qapp):
    collector = collect_between_events(qapp)
    collector.stop()
    try:
        assert gc.isenabled()
    finally:
        collector.start()


def test_the_thresholds_in_force_are_used_and_a_full_collection_waits_its_interval(qapp, monkeypatch):
    collector = collect_between_events(qapp)
    thresholds = gc.get_threshold()
    try:
        gc.set_threshold(0)  # switched off
        destroyed = []
        _Cycle(destroyed)
        young = [[] for _ in range(5 * thresholds[0])]
        collector.collect_due()
        assert not destroyed and len(young)
    finally:
        gc.set_threshold(*thresholds)
    monkeypatch.setattr(gc, "get_count", lambda: (thresholds[0] + 1, thresholds[1] + 1, thresholds[2] + 1))
    full = collector.collections[2]
    collector.collect_due()
    collector.collect_due()  # due by count again, but not by time
    assert collector.collections[2] - full <= 1


def test_a_collector_deleted_with_its_application_hands_collecting_back(qapp):
    from shiboken6 import Shiboken

    lone = CollectorBetweenEvents()
    lone.start()
    assert not gc.isenabled()
    Shiboken.delete(lone)  # as when its application is destroyed
    try:
        assert gc.isenabled()
    finally:
        collect_between_events(qapp)
