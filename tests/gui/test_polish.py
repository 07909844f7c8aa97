"""Polish at 1280x800: keyboard use of every panel, tooltips everywhere, nothing cut off, sharp icons."""

from __future__ import annotations

import re

import pytest
from PySide6.QtCore import QPoint, QRect, QSettings, QSize, Qt, QTimer
from PySide6.QtGui import QAction, QFontMetrics, QIcon, QImage, QPainter
from PySide6.QtWidgets import (
    QAbstractButton, QAbstractSpinBox, QApplication, QComboBox, QDialog, QDialogButtonBox, QLabel, QLineEdit,
    QMenu, QScrollArea, QSlider, QTabBar, QToolBar, QToolButton, QWidget, QWidgetAction,
)

from mlp_desktop.core.graph import NetworkGraph
from mlp_desktop.gui import icons
from mlp_desktop.gui.editor.editor_widget import EditorWidget
from mlp_desktop.gui.editor.items import LayerHeaderItem, NeuronItem
from mlp_desktop.gui.main_window import MainWindow, app_icon, show_error_report
from mlp_desktop.gui.plots.style import compact_number
from mlp_desktop.gui.widgets import ElidedLabel, focus_first

CONTROLS = (QAbstractButton, QComboBox, QAbstractSpinBox, QLineEdit, QSlider)


def make_window(qtbot, tmp_path, sample: str) -> MainWindow:
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    window = MainWindow(settings=settings, sample=sample)
    qtbot.addWidget(window)
    window.resize(1280, 800)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=3000)
    return window


@pytest.fixture
def fresh_window(qtbot, tmp_path):
    """A window of its own, for a test that changes what it shows (the sample, the theme)."""
    window = make_window(qtbot, tmp_path, "health_score")
    yield window
    window.controller.shutdown()


@pytest.fixture
def fresh_iris_window(qtbot, tmp_path):
    window = make_window(qtbot, tmp_path, "iris")
    yield window
    window.controller.shutdown()


@pytest.fixture(scope="module")
def shared_windows(qapp, tmp_path_factory):
    """``get(sample)``: one window per sample for this module's tests, which look at the window,
    move the focus and raise docks, train, but never change its data or settings (building a
    window takes about half a second; here that was most of this module's time)."""
    folder = tmp_path_factory.mktemp("polish")
    made: dict[str, MainWindow] = {}

    def get(sample: str) -> MainWindow:
        if sample not in made:
            made[sample] = MainWindow(settings=QSettings(str(folder / f"{sample}.ini"), QSettings.Format.IniFormat),
                                      sample=sample)
            made[sample].resize(1280, 800)
            made[sample].show()
        return made[sample]

    yield get
    for window in made.values():
        window.controller.shutdown()
        window.mark_saved()
        window.close()


def shared_window(qtbot, shared_windows, sample: str) -> MainWindow:
    """The shared window for ``sample`` as a fresh one shows it: idle, the default layout and
    first plot tab, the optional panes closed, nothing focused, and the active window."""
    window = shared_windows(sample)
    if window.controller.is_busy():
        with qtbot.waitSignal(window.controller.finished, timeout=10000):
            window.stop()
    window.reset_layout()
    window.plot_tabs.setCurrentIndex(0)
    window.prediction_panel.how_button.setChecked(False)
    window.decision_view.hidden_check.setChecked(False)
    focused = QApplication.focusWidget()
    if focused is not None:
        focused.clearFocus()
    window.raise_()
    qtbot.waitExposed(window)
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=3000)
    return window


@pytest.fixture
def window(qtbot, shared_windows):
    return shared_window(qtbot, shared_windows, "health_score")


@pytest.fixture
def iris_window(qtbot, shared_windows):
    return shared_window(qtbot, shared_windows, "iris")


def train_and_wait(qtbot, window, timeout=30000):
    with qtbot.waitSignal(window.controller.finished, timeout=timeout):
        window.train_action.trigger()
    qtbot.wait(100)  # the model views refresh in the next turn of the event loop


def is_qt_internal(widget: QWidget) -> bool:
    """Qt's own parts (dock title buttons, spin box editors, tab scroll arrows, toolbar overflow)."""
    parent = widget.parentWidget()
    return widget.objectName().startswith("qt_") or isinstance(parent, (QTabBar, QAbstractSpinBox))


def user_controls(root: QWidget) -> list[QWidget]:
    return [w for w in root.findChildren(QWidget) if isinstance(w, CONTROLS) and not is_qt_internal(w)]


def tab_stops(root: QWidget) -> list[QWidget]:
    """What Tab can reach inside ``root`` now: visible, enabled, tab-focusable widgets."""
    return [w for w in root.findChildren(QWidget)
            if w.isVisible() and w.isEnabled() and w.focusPolicy() & Qt.FocusPolicy.TabFocus
            and not is_qt_internal(w) and not isinstance(w.focusProxy(), QWidget)]


def on_screen(widget: QWidget, window: QWidget) -> bool:
    """Really shown: it and its parents visible with a size, and inside the window (a tabbed-away dock's
    widgets stay "visible" but are squeezed to nothing; Qt parks spare dock tab bars off screen)."""
    parent = widget
    while parent is not None and parent is not window:
        if not parent.isVisible() or parent.width() <= 1 or parent.height() <= 1:
            return False
        parent = parent.parentWidget()
    return QRect(widget.mapTo(window, QPoint(0, 0)), widget.size()).intersects(window.rect())


def tab_through(qtbot, root: QWidget) -> list[QWidget]:
    """Press Tab from the first control in ``root`` until the focus leaves it; the widgets visited."""
    assert focus_first(root)
    visited = []
    for _ in range(200):
        widget = QApplication.focusWidget()
        if widget is None or not root.isAncestorOf(widget) or widget in visited:
            break
        visited.append(widget)
        qtbot.keyClick(widget, Qt.Key.Key_Tab)
    return visited


# -- tooltips and status tips ----------------------------------------------------------------
def menu_actions(menu: QMenu) -> list[QAction]:
    found = []
    for action in menu.actions():
        if action.isSeparator():
            continue
        if action.menu() is not None:
            found += menu_actions(action.menu())
        else:
            found.append(action)
    return found


@pytest.mark.parametrize("sample", ["health_score", "iris"])
def test_every_control_has_a_tooltip_and_every_command_a_status_tip(qtbot, shared_windows, sample):
    """The rule: every button, box, field and slider explains itself in a tooltip; every menu command
    says what it does in the status bar; every toolbar button's tooltip says more than its name."""
    window = shared_window(qtbot, shared_windows, sample)
    train_and_wait(qtbot, window)
    window.prediction_panel.how_button.setChecked(True)
    window.decision_view.hidden_check.setChecked(True)
    missing = [f"{type(w).__name__} {getattr(w, 'text', lambda: '')()!r} in {type(w.parentWidget()).__name__}"
               for w in user_controls(window) if not w.toolTip().strip()]
    assert missing == []
    for top in window.menuBar().actions():
        for action in menu_actions(top.menu()):
            assert action.statusTip().strip(), f"{top.text()} > {action.text()}"
    for toolbar in window.findChildren(QToolBar):
        for action in toolbar.actions():
            if action.isSeparator() or isinstance(action, QWidgetAction):
                continue
            assert action.toolTip().strip() not in ("", action.text().replace("&", "")), action.text()
    for dock in window.docks.values():
        assert dock.toggleViewAction().statusTip()


# -- keyboard ----------------------------------------------------------------------------------
def test_tab_reaches_every_control_of_each_dock(qtbot, iris_window):
    window = iris_window
    train_and_wait(qtbot, window)  # the step panel is enabled once there is a network and data
    for name, dock in window.docks.items():
        dock.raise_()
        qtbot.wait(20)
        visited = tab_through(qtbot, dock.widget())
        assert visited, name
        assert set(tab_stops(dock.widget())) <= set(visited), name


def test_tab_goes_round_the_whole_window_and_only_stops_where_you_can_see(qtbot, iris_window):
    window = iris_window
    window.docks["parameters"].raise_()
    qtbot.wait(10)
    assert not on_screen(window.step_panel.row_spin, window)  # the check sees tabbed-away docks
    window.focus_panel("data")
    start = QApplication.focusWidget()
    visited = []
    for _ in range(300):
        widget = QApplication.focusWidget()
        qtbot.wait(1)  # a tabbed-away dock comes to the front when the focus goes into it
        assert on_screen(widget, window), f"Tab stopped on a hidden {type(widget).__name__}"
        visited.append(widget)
        qtbot.keyClick(widget, Qt.Key.Key_Tab)
        if QApplication.focusWidget() is start:
            break
    assert QApplication.focusWidget() is start  # round the window and back, no trap
    assert not any(isinstance(widget, (QScrollArea, QTabBar)) and widget.parent() is window for widget in visited)
    reached = set(visited)
    for dock in window.docks.values():
        assert reached & set(tab_stops(dock.widget())), dock.windowTitle()
    editor_buttons = {window.editor.toolbar.widgetForAction(a) for a in
                      (window.editor.fit_action, window.editor.zoom_in_action, window.editor.export_action)}
    assert editor_buttons <= reached and window.editor.view in reached
    assert window.plot_tabs.tabBar() in reached
    assert window.rmse_plot.toolbar.widgetForAction(window.rmse_plot.toolbar.actions()[0]) in reached


def test_parameter_panel_tab_order_goes_down_the_panel(qtbot, window):
    window.docks["parameters"].raise_()
    visited = tab_through(qtbot, window.docks["parameters"].widget())
    panel = window.parameter_panel
    # the optimizer's unused settings and the folded "Regularization and stopping" group are hidden
    expected = [c for c in panel._controls() if c.isEnabled() and c.isVisibleTo(panel)]
    assert [w for w in visited if w in expected] == expected
    panel.set_regularization_shown(True)
    panel.set_values(optimizer="adam")
    try:
        visited = tab_through(qtbot, window.docks["parameters"].widget())
        expected = [c for c in panel._controls() if c.isEnabled() and c.isVisibleTo(panel)]
        assert panel.l2_spin in expected and panel.beta1_spin in expected
        assert [w for w in visited if w in expected] == expected
    finally:
        panel.set_values(optimizer="sgd")
        panel.set_regularization_shown(False)


def test_prediction_form_tab_order_is_fields_then_row_then_buttons(qtbot, iris_window):
    window = iris_window
    window.docks["predict"].raise_()
    panel = window.prediction_panel
    visited = tab_through(qtbot, window.docks["predict"].widget())
    fields = list(panel._fields.values())
    assert visited[:len(fields)] == fields
    assert visited[len(fields):len(fields) + 3] == [panel.row_spin, panel.fill_button, panel.how_button]


def test_data_panel_tab_order_goes_down_the_panel(qtbot, iris_window):
    panel = iris_window.data_panel
    visited = tab_through(qtbot, iris_window.docks["data"].widget())
    expected = [panel.open_button, panel.table_view, *panel._role_combos.values(), panel.task_combo,
                panel.scaling_combo, panel.validation_spin, panel.drop_missing_check]
    assert [w for w in visited if w in expected] == expected


def test_ctrl_number_moves_the_focus_to_each_panel(qtbot, window):
    train_and_wait(qtbot, window)  # the step panel is enabled once trained
    names = ["data", "diagram", "plots", "parameters", "predict", "step", "history"]
    for number, name in enumerate(names, start=1):
        window.rmse_plot.setFocus()
        qtbot.keyClick(window, getattr(Qt.Key, f"Key_{number}"), Qt.KeyboardModifier.ControlModifier)
        focused = QApplication.focusWidget()
        container = {"diagram": window.editor, "plots": window.plot_tabs}.get(name) or window.docks.get(name)
        assert focused is not None and (focused is container or container.isAncestorOf(focused)), name
        if name in window.docks:
            assert not window.docks[name].visibleRegion().isEmpty(), name  # raised to the front


def test_plot_tabs_switch_with_the_arrow_keys_after_ctrl_3(qtbot, window):
    qtbot.keyClick(window, Qt.Key.Key_3, Qt.KeyboardModifier.ControlModifier)
    assert QApplication.focusWidget() is window.plot_tabs.tabBar()
    qtbot.keyClick(window.plot_tabs.tabBar(), Qt.Key.Key_Right)
    assert window.plot_tabs.currentWidget() is window.gradient_plot


def mnemonic(text: str) -> str | None:
    match = re.search(r"&([^&\s])", text.replace("&&", ""))
    return match.group(1).lower() if match else None


def window_mnemonics(window: MainWindow) -> list[tuple[str, str]]:
    """Every Alt+letter in the window. All count, shown or not: Qt keeps the mnemonics of tabbed-away
    docks active (their widgets stay "visible" at zero size), and a letter used twice only cycles the
    focus between its owners instead of acting."""
    found = [(mnemonic(a.text()), a.text()) for a in window.menuBar().actions() if mnemonic(a.text())]
    for widget in window.findChildren(QWidget):
        if isinstance(widget, QLabel) and "<" not in widget.text() and mnemonic(widget.text()):
            assert widget.buddy() is not None, f"{widget.text()!r} has a mnemonic but no buddy"
            found.append((mnemonic(widget.text()), widget.text()))
        elif isinstance(widget, QAbstractButton) and mnemonic(widget.text()):
            found.append((mnemonic(widget.text()), widget.text()))
    return found


@pytest.mark.parametrize("sample", ["health_score", "iris"])
def test_alt_letters_are_unique_in_the_window(qtbot, shared_windows, sample):
    window = shared_window(qtbot, shared_windows, sample)
    letters = window_mnemonics(window)
    keys = [key for key, _ in letters]
    assert len(letters) >= 15
    assert sorted((key, text) for key, text in letters if keys.count(key) > 1) == []


def test_alt_letter_goes_to_the_same_field_whichever_dock_is_raised(qtbot, window):
    window.docks["predict"].raise_()
    qtbot.keyClick(window, Qt.Key.Key_R, Qt.KeyboardModifier.AltModifier)
    assert QApplication.focusWidget() is window.parameter_panel.init_low_spin
    assert not window.docks["parameters"].visibleRegion().isEmpty()  # its dock came to the front


def test_form_labels_name_their_fields(window):
    labels = {label.text(): label.buddy() for label in window.parameter_panel.findChildren(QLabel)
              if mnemonic(label.text())}
    assert labels["&Learning rate:"] is window.parameter_panel.learning_rate_spin
    assert labels["E&pochs:"] is window.parameter_panel.epochs_spin
    assert labels["See&d:"] is window.parameter_panel.seed_spin


def test_alt_letter_focuses_the_learning_rate(qtbot, window):
    window.docks["parameters"].raise_()
    qtbot.keyClick(window, Qt.Key.Key_L, Qt.KeyboardModifier.AltModifier)
    assert QApplication.focusWidget() is window.parameter_panel.learning_rate_spin


def test_diagram_is_operable_from_the_keyboard(qtbot):
    graph = NetworkGraph(["a", "b"], ["y"], hidden=[(3, "tanh"), (2, "relu")])
    editor = EditorWidget(graph)
    qtbot.addWidget(editor)
    editor.resize(700, 450)
    editor.show()
    qtbot.waitExposed(editor)
    editor.activateWindow()
    editor.view.setFocus()
    qtbot.waitUntil(editor.view.hasFocus)
    view, scene = editor.view, editor.scene

    def selected():
        items = [i for i in scene.selectedItems() if isinstance(i, (NeuronItem, LayerHeaderItem))]
        assert len(items) == 1
        return items[0]

    qtbot.keyClick(view, Qt.Key.Key_Right)
    assert isinstance(selected(), LayerHeaderItem) and selected().layer_index == 0
    qtbot.keyClick(view, Qt.Key.Key_Right)
    assert selected().layer_index == 1 and "Hidden" in editor.status_label.text()
    qtbot.keyClick(view, Qt.Key.Key_Down)
    qtbot.keyClick(view, Qt.Key.Key_Down)
    assert isinstance(selected(), NeuronItem) and (selected().layer_index, selected().neuron_index) == (1, 1)
    with qtbot.waitSignal(editor.parametersSelected) as chosen:
        qtbot.keyClick(view, Qt.Key.Key_Return)
    assert "W1[0,1]" in chosen.args[0] and "b1[1]" in chosen.args[0]
    qtbot.keyClick(view, Qt.Key.Key_Up)
    qtbot.keyClick(view, Qt.Key.Key_Up)
    assert isinstance(selected(), LayerHeaderItem) and selected().layer_index == 1
    qtbot.keyClick(view, Qt.Key.Key_Right, Qt.KeyboardModifier.ControlModifier)  # move the layer right
    assert graph.layer_sizes == [2, 2, 3, 1] and selected().layer_index == 2
    qtbot.keyClick(view, Qt.Key.Key_Delete)
    assert graph.layer_sizes == [2, 2, 1]
    qtbot.keyClick(view, Qt.Key.Key_Insert)  # add a layer
    assert len(graph.layers) == 4
    qtbot.keyClick(view, Qt.Key.Key_B)
    assert editor.show_biases_action.isChecked()


def test_menu_key_opens_the_layer_menu_beside_the_selection(qtbot):
    graph = NetworkGraph(["a", "b"], ["y"], hidden=[(3, "tanh")])
    editor = EditorWidget(graph)
    qtbot.addWidget(editor)
    editor.resize(600, 400)
    editor.show()
    qtbot.waitExposed(editor)
    shown = []

    def read_and_close_menu():
        menu = QApplication.activePopupWidget()
        shown.append([action.text() for action in menu.actions()] if isinstance(menu, QMenu) else None)
        if menu is not None:
            menu.close()

    qtbot.keyClick(editor.view, Qt.Key.Key_Right)
    qtbot.keyClick(editor.view, Qt.Key.Key_Right)
    QTimer.singleShot(200, read_and_close_menu)
    qtbot.keyClick(editor.view, Qt.Key.Key_Menu)  # returns when the menu closes
    QTimer.singleShot(200, read_and_close_menu)
    qtbot.keyClick(editor.view, Qt.Key.Key_F10, Qt.KeyboardModifier.ShiftModifier)
    assert len(shown) == 2
    assert all(texts and "Add neuron" in texts and "Remove layer" in texts for texts in shown)


def test_error_report_closes_with_enter_or_escape(qtbot, monkeypatch):
    dialogs = []
    monkeypatch.setattr(QDialog, "exec", lambda dialog: (dialogs.append(dialog), dialog.show()) and 0)
    show_error_report(None, "Oops", "details")
    dialog = dialogs[0]
    qtbot.addWidget(dialog)
    close = dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Close)
    assert close.isDefault()
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert not dialog.isVisible()


# -- nothing cut off at 1280x800 -----------------------------------------------------------------
def overflow_button(toolbar: QToolBar) -> QToolButton:
    return toolbar.findChild(QToolButton, "qt_toolbar_ext_button")


@pytest.mark.parametrize("sample", ["health_score", "iris"])
def test_diagram_toolbar_shows_every_action_at_1280x800(qtbot, shared_windows, sample):
    window = shared_window(qtbot, shared_windows, sample)
    qtbot.wait(100)
    toolbar = window.editor.toolbar
    for action in toolbar.actions():
        if not action.isSeparator():
            assert toolbar.widgetForAction(action).isVisible(), action.text()
    assert not overflow_button(toolbar).isVisible()
    for action in (window.editor.fit_action, window.editor.zoom_in_action, window.editor.export_action):
        assert action.toolTip() and not action.icon().isNull()


def test_window_fits_a_1280_pixel_screen_with_every_tab_and_iris(qtbot, iris_window):
    window = iris_window
    train_and_wait(qtbot, window)
    for tab in range(window.plot_tabs.count()):
        window.plot_tabs.setCurrentIndex(tab)
        for dock in ("parameters", "predict", "step", "history"):
            window.docks[dock].raise_()
            qtbot.wait(10)
            assert window.minimumSizeHint().width() <= 1280


def test_evaluation_table_headers_are_not_cut_off(qtbot, iris_window):
    window = iris_window
    train_and_wait(qtbot, window)
    window.plot_tabs.setCurrentWidget(window.evaluation_view)
    qtbot.wait(50)
    table = window.evaluation_view.table
    header = table.horizontalHeader()
    metrics = QFontMetrics(header.font())
    for column in range(table.columnCount()):
        text = table.horizontalHeaderItem(column).text()
        assert header.sectionSize(column) >= metrics.horizontalAdvance(text) + 4, text
        assert header.sectionViewportPosition(column) + header.sectionSize(column) <= table.viewport().width()
    rows = table.verticalHeader()
    widest = max(QFontMetrics(rows.font()).horizontalAdvance(table.verticalHeaderItem(r).text())
                 for r in range(table.rowCount()))
    assert rows.width() >= widest
    assert table.verticalHeaderItem(1).toolTip()  # what precision means


def test_confusion_matrix_class_names_shorten_only_when_narrow(qtbot, fresh_iris_window):
    window = fresh_iris_window  # of its own: the test resizes a view in it
    train_and_wait(qtbot, window)
    view = window.evaluation_view
    window.plot_tabs.setCurrentWidget(view)
    qtbot.wait(50)
    labels = view.predicted_tick_labels()
    assert len(labels) == 3
    font = view.confusion_plot.getAxis("bottom").style["tickFont"]
    room = view.confusion_plot.vb.width() / 3
    assert all(QFontMetrics(font).horizontalAdvance(label) <= room for label in labels)
    view.resize(1600, 500)
    view.confusion_plot.vb.sigResized.emit(view.confusion_plot.vb)
    assert view.predicted_tick_labels() == ["setosa", "versicolor", "virginica"]


def test_dock_tabs_show_whole_titles(qtbot, window):
    qtbot.wait(50)
    titles = {dock.windowTitle() for dock in window.docks.values()}
    bars = [bar for bar in window.findChildren(QTabBar)
            if bar.isVisible() and bar.count() and bar.tabText(0) in titles]
    assert bars
    for bar in bars:
        for index in range(bar.count()):
            assert bar.tabRect(index).width() >= bar.tabSizeHint(index).width(), bar.tabText(index)


def test_weight_tiles_tick_labels_do_not_overlap(qtbot, window):
    train_and_wait(qtbot, window)
    grid = window.weight_plots.grid
    image = QImage(200, 200, QImage.Format.Format_ARGB32)
    painter = QPainter(image)
    try:
        shown = 0
        for tile in grid.tiles:
            axis = tile.getAxis("bottom")
            if not axis.isVisible():
                continue
            rects = [rect for rect, _, _ in axis.generateDrawSpecs(painter)[2]]
            shown += len(rects)
            for left, right in zip(rects, rects[1:]):
                assert left.right() + 3 <= right.left()
    finally:
        painter.end()
    assert shown >= 3  # every bottom tile still has at least one label


def test_compact_tick_labels():
    assert [compact_number(v) for v in (0, 500, 1000, 1500, 20000, 1_250_000)] == [
        "0", "500", "1k", "1.5k", "20k", "1.25M"]


def test_long_file_names_end_in_an_ellipsis(qtbot):
    label = ElidedLabel("a_very_long_spreadsheet_name_that_does_not_fit.xlsx, sheet \"Sheet1\"")
    qtbot.addWidget(label)
    label.resize(120, 20)
    label.show()
    assert label.is_elided() and label.text().endswith('"Sheet1"')
    assert label.minimumSizeHint().width() < 60


def test_decision_view_status_wraps_instead_of_widening_the_window(qtbot, iris_window):
    train_and_wait(qtbot, iris_window)
    view = iris_window.decision_view
    iris_window.plot_tabs.setCurrentWidget(view)
    qtbot.wait(50)
    assert view.status.wordWrap() and "held fixed" in view.status.text()
    metrics = QFontMetrics(view.x_combo.font())
    assert view.x_combo.width() >= metrics.horizontalAdvance(view.x_combo.currentText())


# -- messages and icons --------------------------------------------------------------------------
def test_status_bar_says_what_opened(qtbot, fresh_window):
    window = fresh_window
    window.open_sample("iris")
    assert "iris" in window.statusBar().currentMessage().lower()
    assert "F5" in window.statusBar().currentMessage()


def test_icons_come_in_many_sizes_for_high_dpi_screens(qtbot):
    for name in icons.SOURCES:
        made = icons.icon(name)
        sizes = {size.width() for size in made.availableSizes()}
        assert {16, 24, 32, 48, 96} <= sizes, name
        image = made.pixmap(48, 48).toImage()
        assert not image.isNull() and image.pixelColor(24, 24).alpha() >= 0
    assert app_icon().pixmap(512, 512).width() == 512  # the SVG: sharp beyond the largest PNG


def test_icons_follow_the_theme(qtbot, fresh_window):
    window = fresh_window
    before = window.train_action.icon().cacheKey()
    window.set_theme("dark")
    qtbot.wait(10)
    after = window.pause_action.icon().pixmap(24, 24).toImage()
    # Disabled (Pause before a run) is dim: Qt's own greying left it nearly as bright as enabled.
    disabled = window.pause_action.icon().pixmap(QSize(24, 24), QIcon.Mode.Disabled).toImage()
    window.set_theme("light")

    def lightness(image):
        return {image.pixelColor(x, y).lightness() for x in range(24) for y in range(24)
                if image.pixelColor(x, y).alpha() > 200}

    colours = lightness(after)
    assert window.train_action.icon().cacheKey() != before
    assert colours and max(colours) > 150  # light outlines on the dark theme
    assert lightness(disabled) and max(lightness(disabled)) < max(colours) - 60


def test_scale_factor_two_gets_a_pixmap_drawn_at_twice_the_size(qtbot):
    made = icons.icon("zoom_in")
    pixmap = made.pixmap(QSize(24, 24), 2.0)
    assert (pixmap.width(), pixmap.devicePixelRatio()) == (48, 2.0)
