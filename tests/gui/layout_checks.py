"""What "nothing cut" means, measured on a live window: used by test_layout_geometry.py in the
test process (scale 1) and in a child process started with ``QT_SCALE_FACTOR=2``.

Run as a script it builds a window, goes through the samples, plot tabs and docks, and prints the
problems it found as JSON (one list), so the child's findings reach the test.
"""

from __future__ import annotations

import json
import sys

from PySide6.QtWidgets import (
    QAbstractButton, QApplication, QCheckBox, QComboBox, QLabel, QPushButton, QStyle, QStyleOptionComboBox,
    QTabBar, QToolBar, QToolButton, QWidget,
)

MIN_PLOT_HEIGHT = 150
"""The smallest height, in pixels, at which a plot's axes, ticks and curve can still be read."""
MIN_TILE_PLOT_HEIGHT = 40
"""A weight tile's plotting area: room for two tick labels."""


def shown(widget: QWidget) -> bool:
    return widget.isVisible() and not widget.visibleRegion().isEmpty()


def _name(widget: QWidget) -> str:
    text = widget.text() if hasattr(widget, "text") else ""
    return f"{type(widget).__name__} {text[:60]!r}"


def cut_texts(window, strict: bool = True) -> list[str]:
    """Every text of the window that does not fit its widget, as readable descriptions.

    Not ``strict`` (below 1280x800, where views must stay usable rather than complete): a label
    made to end in "..." when narrow (a file name) may do so, and a combo box may cut its text."""
    problems = []
    for bar in window.findChildren(QTabBar):
        if not shown(bar):
            continue
        for index in range(bar.count()):
            if bar.tabRect(index).width() < bar.tabSizeHint(index).width():
                problems.append(f"tab {bar.tabText(index)!r} is elided")
        for button in bar.findChildren(QToolButton):  # the scroll arrows of a too-narrow tab bar
            if button.isVisible():
                problems.append(f"tab bar {[bar.tabText(i) for i in range(bar.count())]} needs scroll arrows")
    for toolbar in window.findChildren(QToolBar):
        extension = toolbar.findChild(QToolButton, "qt_toolbar_ext_button")
        if shown(toolbar) and extension is not None and extension.isVisible():
            problems.append(f"toolbar {toolbar.windowTitle()!r} hides actions behind its overflow button")
    for label in window.findChildren(QLabel):
        if not shown(label) or not label.text():
            continue
        if hasattr(label, "is_elided"):  # an ElidedLabel: ends in "..." by design, when narrow
            if strict and label.is_elided():
                problems.append(f"{_name(label)} is elided ({label.width()} px)")
            continue
        if label.wordWrap():
            if label.heightForWidth(label.width()) > label.height() + 1:
                problems.append(f"{_name(label)} is cut at the bottom")
        elif label.sizeHint().width() > label.width() + 1 or label.sizeHint().height() > label.height() + 1:
            problems.append(f"{_name(label)} is cut: needs {label.sizeHint().toTuple()}, has {label.size().toTuple()}")
    for button in window.findChildren(QAbstractButton):
        if isinstance(button, (QPushButton, QCheckBox)) and shown(button) and button.text():
            if button.sizeHint().width() > button.width() + 1:
                problems.append(f"{_name(button)} is cut: needs {button.sizeHint().width()} px, has {button.width()}")
    for combo in window.findChildren(QComboBox):
        if strict and shown(combo) and combo.currentText():
            option = QStyleOptionComboBox()
            combo.initStyleOption(option)
            room = combo.style().subControlRect(QStyle.ComplexControl.CC_ComboBox, option,
                                                QStyle.SubControl.SC_ComboBoxEditField, combo).width()
            if combo.fontMetrics().horizontalAdvance(combo.currentText()) > room:
                problems.append(f"combo box {combo.currentText()!r} is cut ({room} px for its text)")
    return problems


def short_plots(window) -> list[str]:
    """Plots shorter than they can be read at (the weight tiles scroll instead of shrinking)."""
    problems = []
    height = window.rmse_plot.plot_widget.height()
    if height < MIN_PLOT_HEIGHT:
        problems.append(f"the RMSE plot is {height} px tall")
    current = window.plot_tabs.currentWidget()
    if current is window.weight_plots and window.weight_plots.mode == "grid":
        for tile in window.weight_plots.grid.tiles:
            if tile.vb.height() < MIN_TILE_PLOT_HEIGHT:
                problems.append(f"weight tile {tile.titleLabel.text!r} plots in {tile.vb.height():.0f} px")
                break
    views = {window.gradient_plot: lambda: window.gradient_plot.plot_widget,
             window.evaluation_view: lambda: window.evaluation_view.regression_layout
             if window.evaluation_view.regression_layout.isVisible() else window.evaluation_view.confusion_layout,
             window.decision_view: lambda: window.decision_view.plot_layout}
    if current in views:
        plot = views[current]()
        if plot.isVisible() and plot.height() < MIN_PLOT_HEIGHT:
            problems.append(f"the {window.plot_tabs.tabText(window.plot_tabs.currentIndex())} plot is "
                            f"{plot.height()} px tall")
    return problems


def settle(app, milliseconds: int = 60) -> None:
    from PySide6.QtCore import QElapsedTimer

    timer = QElapsedTimer()
    timer.start()
    while timer.elapsed() < milliseconds:
        app.processEvents()


def train(app, window) -> None:
    window.parameter_panel.set_values(epochs=200)
    window.train()
    timer_left = 20000
    while window.workspace.is_running and timer_left > 0:
        settle(app, 20)
        timer_left -= 20
    settle(app)


def walk(app, window, width: int, height: int) -> list[str]:
    """Lay the window out for ``width x height``, train each sample, and look at every plot tab
    and every dock: the problems found, each saying where."""
    window.resize(width, height)
    settle(app)
    window.reset_layout()
    settle(app)
    problems = {}  # each problem, and where it was first seen
    diagram = window.editor.view
    if (width, height) == (1280, 800) and (diagram.width() < 0.45 * width or diagram.height() < 0.40 * height):
        problems[f"the diagram gets {diagram.width()} x {diagram.height()} px"] = f"{width}x{height}"
    for sample in ("health_score", "iris"):
        window.open_sample(sample, ask=False)
        train(app, window)
        for tab in range(window.plot_tabs.count()):
            window.plot_tabs.setCurrentIndex(tab)
            for dock in window.docks.values():
                dock.raise_()
                settle(app, 5)
                where = f"{width}x{height}, {sample}, {window.plot_tabs.tabText(tab)} tab, {dock.windowTitle()} dock"
                for problem in cut_texts(window, strict=width >= 1280) + short_plots(window):
                    problems.setdefault(problem, where)
    return [f"{problem} ({where})" for problem, where in problems.items()]


def main() -> None:
    """The child process: ``python layout_checks.py WIDTH HEIGHT`` prints the problems as JSON."""
    import tempfile

    from PySide6.QtCore import QSettings

    from mlp_desktop.core.training_process import InProcessRunner
    from mlp_desktop.gui.training import worker

    worker.RUNNER_FACTORY = InProcessRunner
    app = QApplication(sys.argv[:1])
    from mlp_desktop.gui.main_window import MainWindow

    window = MainWindow(settings=QSettings(tempfile.mktemp(suffix=".ini"), QSettings.Format.IniFormat))
    window.show()
    problems = walk(app, window, int(sys.argv[1]), int(sys.argv[2]))
    window.controller.shutdown()
    window.mark_saved()
    window.close()
    print(json.dumps(problems))


if __name__ == "__main__":
    main()
