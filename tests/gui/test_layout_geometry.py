"""The window a user opens, measured: the diagram is the largest view, no text is cut, no tab title
is elided, and plots keep a readable height, at 1024x700, 1280x800 and 1920x1080 and at scale 2.

The measurements are in ``layout_checks.py``; here they run on a shared window at scale 1, and in a
child process at ``QT_SCALE_FACTOR=2`` (the scale must be set before the application exists).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QRect, QSettings, Qt
from PySide6.QtWidgets import QTabBar

from mlp_desktop.gui import window_settings

from mlp_desktop.gui.main_window import MainWindow

from layout_checks import cut_texts, settle, walk

HERE = Path(__file__).parent


@pytest.mark.parametrize("size", [(1280, 800), (1024, 700), (1920, 1080)])
def test_nothing_is_cut_and_plots_stay_readable(qapp, module_window, size):
    assert walk(qapp, module_window, *size) == []


def test_the_diagram_is_the_largest_view_at_1280x800(qapp, module_window):
    window = module_window
    window.open_sample("health_score", ask=False)
    window.plot_tabs.setCurrentWidget(window.weight_plots)
    window.resize(1280, 800)
    window.reset_layout()
    qapp.processEvents()
    diagram = window.editor.view
    assert diagram.width() >= 0.45 * 1280 and diagram.height() >= 0.40 * 800
    for other in (window.rmse_plot.plot_widget, window.weight_plots.grid.scroll_area.viewport()):
        assert diagram.width() * diagram.height() > other.width() * other.height()


def test_below_the_wide_layout_data_shares_the_right_hand_tabs(qapp, module_window):
    window = module_window
    window.resize(1280, 800)
    window.reset_layout()
    qapp.processEvents()
    assert set(window.tabifiedDockWidgets(window.docks["data"])) == {
        window.docks[name] for name in ("parameters", "predict", "step", "history")}
    window.resize(1920, 1080)
    window.reset_layout()
    qapp.processEvents()
    assert window.tabifiedDockWidgets(window.docks["data"]) == []
    assert window.docks["data"].x() < window.editor.mapTo(window, window.editor.rect().topLeft()).x()
    qapp.processEvents()
    titles = {dock.windowTitle() for dock in window.docks.values()}
    shown_bars = [bar for bar in window.findChildren(QTabBar)
                  if bar.isVisible() and bar.count() and bar.tabText(0) in titles and bar.x() >= 0]
    assert len(shown_bars) == 1  # no stale bar of the previous arrangement left on screen


def _data_on_the_left(window) -> bool:
    return window.dockWidgetArea(window.docks["data"]) == Qt.DockWidgetArea.LeftDockWidgetArea


def test_a_window_opened_wide_and_made_narrow_is_arranged_for_its_new_width(qapp, window):
    """The first window on a 1920x1080 screen is 1632 px wide (Data in a column of its own); made
    1280x800 it kept that arrangement, and the diagram shrank to about 320 px."""
    window.resize(1632, 918)
    window.reset_layout()
    settle(qapp)
    assert _data_on_the_left(window) and window.layout_follows_size()
    window.resize(1280, 800)
    settle(qapp)
    assert not _data_on_the_left(window)
    diagram = window.editor.view
    assert diagram.width() >= 0.45 * 1280 and diagram.height() >= 0.40 * 800
    assert cut_texts(window) == []
    window.resize(1700, 950)  # and back: the Data column returns
    settle(qapp)
    assert _data_on_the_left(window)


@pytest.mark.parametrize("change", ["splitter", "dock closed", "dock separator dragged"])
def test_a_layout_the_user_changed_is_kept_when_the_window_is_resized(qapp, window, change):
    window.resize(1632, 918)
    window.reset_layout()
    settle(qapp)
    if change == "splitter":
        window.top_splitter.splitterMoved.emit(500, 1)  # what a drag of the handle emits
    elif change == "dock closed":
        window.docks["history"].toggleViewAction().trigger()
    else:  # no signal: a press on the window itself, the docks resized, the release
        from PySide6.QtCore import QEvent, QPointF
        from PySide6.QtGui import QMouseEvent

        def mouse(kind):
            return QMouseEvent(kind, QPointF(5, 5), QPointF(5, 5), Qt.MouseButton.LeftButton,
                               Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)

        window.event(mouse(QEvent.Type.MouseButtonPress))
        window.resizeDocks([window.docks["parameters"]], [460], Qt.Orientation.Horizontal)
        settle(qapp)
        window.event(mouse(QEvent.Type.MouseButtonRelease))
    assert not window.layout_follows_size()
    window.resize(1280, 800)
    settle(qapp)
    assert _data_on_the_left(window)  # as the user left it
    window.reset_layout()  # View > Reset layout: the default again, which follows the size again
    assert window.layout_follows_size() and not _data_on_the_left(window)


@pytest.mark.parametrize("follows", [True, False])
def test_whether_the_layout_follows_the_size_is_remembered(qapp, tmp_path, follows):
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    first = MainWindow(settings=settings, sample=None)
    first.resize(1632, 918)
    first.reset_layout()
    if not follows:
        first.centre_splitter.splitterMoved.emit(300, 1)
    first.show()
    first.close()
    second = MainWindow(settings=settings, sample=None)
    try:
        assert second.layout_follows_size() is follows
    finally:
        second.close()


def test_the_first_window_takes_most_of_the_screen_centred():
    assert window_settings.first_geometry(QRect(0, 0, 1920, 1080)) == QRect(144, 81, 1632, 918)
    assert window_settings.first_geometry(QRect(0, 30, 1280, 770)) == QRect(96, 88, 1088, 654)


def test_nothing_is_cut_at_scale_2(tmp_path):
    environment = dict(os.environ, QT_SCALE_FACTOR="2", QT_QPA_PLATFORM="offscreen",
                       PYTHONPATH=os.pathsep.join([str(HERE.parents[1]), os.environ.get("PYTHONPATH", "")]))
    done = subprocess.run([sys.executable, str(HERE / "layout_checks.py"), "1280", "800"], env=environment,
                          capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert done.returncode == 0, done.stderr[-2000:]
    assert json.loads(done.stdout.strip().splitlines()[-1]) == []


def test_a_long_status_message_ends_in_an_ellipsis_before_the_epoch_count(qapp, module_window):
    window = module_window
    window.resize(1280, 800)
    qapp.processEvents()
    text = "Kept the trained weights of unchanged connections; fresh weights: " + ", ".join(
        f"W1[0,{j}]" for j in range(60))
    window.statusBar().showMessage(text)
    shown = window.statusBar().currentMessage()
    assert shown.endswith("…") and window.statusBar().toolTip() == text == window.statusBar().whole_message()
    room = window.epoch_label.x() - window.statusBar().x()
    assert window.statusBar().fontMetrics().horizontalAdvance(shown) < room
    window.statusBar().showMessage("Short.")
    assert window.statusBar().currentMessage() == "Short." and not window.statusBar().toolTip()


def test_a_short_log_axis_labels_only_what_has_room(qapp):
    """The Gradients plot, 150 px tall, over less than two decades: no labels drawn over each other."""
    from PySide6.QtGui import QImage, QPainter

    from mlp_desktop.gui.plots.gradient_plot import GradientPlot

    plot = GradientPlot(n_layers=2)
    plot.resize(600, 230)
    plot.show()
    import numpy as np

    plot.set_series(np.arange(1, 200), np.column_stack([np.linspace(0.02, 0.3, 199), np.linspace(0.05, 0.2, 199)]))
    qapp.processEvents()
    axis = plot.plot_item.getAxis("left")
    image = QImage(100, 100, QImage.Format.Format_ARGB32)
    painter = QPainter(image)
    try:
        rects = sorted((rect for rect, _, _ in axis.generateDrawSpecs(painter)[2]), key=lambda r: r.top())
    finally:
        painter.end()
    assert rects
    for upper, lower in zip(rects, rects[1:]):
        assert upper.bottom() <= lower.top() + 1
    plot.close()


def test_a_message_given_before_the_window_is_laid_out_is_fitted_once_it_is(qtbot):
    """The start-up sample's message came while the bar had no width yet: it showed 'Opened th…'."""
    from PySide6.QtWidgets import QLabel

    from mlp_desktop.gui.widgets import StatusBar

    bar = StatusBar()
    qtbot.addWidget(bar)
    bar.addPermanentWidget(QLabel("epoch 0"))
    text = "Opened the sample 'Health score: age, exercise, diet -> score (regression, 6 rows)'. Press Train."
    bar.showMessage(text, 15000)
    bar.resize(1200, 24)
    bar.show()
    qtbot.waitExposed(bar)
    assert bar.currentMessage() == text  # room enough: whole
    bar.resize(300, 24)
    assert bar.currentMessage().endswith("…") and bar.whole_message() == text


def test_a_click_that_resizes_no_dock_leaves_the_layout_following_the_size(qapp, window):
    """Clicking a dock's tab can make the dock wider while the button is down: that is no drag."""
    from PySide6.QtCore import QEvent, QPointF
    from PySide6.QtGui import QMouseEvent

    from mlp_desktop.gui import main_window as main_window_module

    window.resize(1632, 918)
    window.reset_layout()
    settle(qapp)
    for kind in (QEvent.Type.MouseButtonPress, QEvent.Type.MouseButtonRelease):  # a click on the window
        window.event(QMouseEvent(kind, QPointF(5, 5), QPointF(5, 5), Qt.MouseButton.LeftButton,
                                 Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier))
    with pytest.MonkeyPatch.context() as patch:  # a tab clicked (the button down) that makes its dock wider
        patch.setattr(main_window_module.QApplication, "mouseButtons", lambda: Qt.MouseButton.LeftButton)
        window.docks["predict"].raise_()
        window.resizeDocks([window.docks["parameters"]], [460], Qt.Orientation.Horizontal)
        settle(qapp)
    assert window.layout_follows_size()


def test_the_splitters_sizes_are_remembered(qapp, tmp_path):
    """Restarted, the error-curve column came back narrower than it was left: the window's state
    holds the docks, not the central splitters."""
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    first = MainWindow(settings=settings, sample=None)
    first.resize(1280, 800)
    first.show()
    settle(qapp)
    first.top_splitter.setSizes([400, 400])
    settle(qapp)
    left = first.top_splitter.sizes()
    first.close()
    second = MainWindow(settings=settings, sample=None)
    try:
        second.show()
        settle(qapp)
        sizes = second.top_splitter.sizes()  # (offscreen, the restored window may be smaller: the shares count)
        assert abs(sizes[1] / sum(sizes) - left[1] / sum(left)) < 0.02, (sizes, left)
    finally:
        second.close()
