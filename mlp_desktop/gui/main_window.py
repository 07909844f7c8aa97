"""The main window: docks, plots and the wiring between them and the workspace.

Every decision lives in :class:`~mlp_desktop.core.workspace.Workspace`; this window builds the
views, turns the user's commands (the table in :mod:`.actions`) into workspace calls, asks the
user what the workspace reports (unsaved work), and redraws what its events say changed.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QEvent, QSettings, Qt, QTimer, Slot
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import (
    QApplication, QDockWidget, QFrame, QLabel, QMainWindow, QMessageBox, QProgressBar, QScrollArea,
    QSplitter, QTabBar, QTabWidget, QToolBar, QToolButton, QWidget,
)

from ..core import lazy
from ..core.data import SUPPORTED_EXTENSIONS
from ..core.errors import DataError
from ..core.project import PROJECT_SUFFIX
from ..core.workspace import Workspace, WorkspaceEvent
from . import actions as action_table
from . import dialogs, window_settings
from .editor.editor_widget import EditorWidget
from .panels.data_panel import DataPanel
from .panels.parameter_panel import ParameterPanel
from .panels.prediction_panel import PredictionPanel
from .panels.step_panel import StepPanel
from .plots.decision_view import DecisionView
from .plots.evaluation_view import EvaluationView
from .plots.gradient_plot import GradientPlot
from .plots.rmse_plot import RmsePlot
from .plots.weight_plots import WeightPlots
from .plots import style as plot_style
from .theme import THEMES, apply_theme
from .training.worker import TrainingController
from .documents import DocumentCommands
from .run_views import RunViews
from .widgets import StatusBar, focus_first, make_keyboard_reachable

AUTOSAVE_INTERVAL_MS = 3 * 60 * 1000  # a recovery copy while there are unsaved changes
# After the first paint, the start (to its first idle moment) is over by then: background work that
# the first frame does not need waits until then (issue 15).
CHILD_START_DELAY_MS = 300
PANDAS_IMPORT_DELAY_MS = 500
WIDE_LAYOUT_WIDTH = 1500
"""From this window width on, the Data panel gets a column of its own on the left."""
DATA_COLUMN_WIDTH = 340
show_error_report, install_excepthook = dialogs.show_error_report, dialogs.install_excepthook


def app_icon() -> QIcon:
    from importlib import resources

    folder = resources.files("mlp_desktop.resources")
    icon = QIcon()
    for size in (32, 64, 128, 256):
        icon.addFile(str(folder.joinpath(f"mlp-desktop-{size}.png")))
    icon.addFile(str(folder.joinpath("mlp-desktop.svg")))  # sharp at any other size or scale
    return icon


class MainWindow(DocumentCommands, RunViews, QMainWindow):
    def __init__(self, settings: QSettings | None = None, sample: str | None = "health_score"):
        super().__init__()
        self._dock_sizes_at_press: list | None = None  # (see event: a separator dragged)
        self.settings = settings or window_settings.default_settings()
        self.prefs = window_settings.WindowSettings(self.settings)
        apply_theme(self.prefs.theme())  # before any widget exists, so every one is polished with it
        self.controller = TrainingController(parent=self, start_child=False)  # started after the first frame
        self._first_frame_painted = False
        self.workspace = Workspace(self.controller)
        self.controller.workspace = self.workspace
        self.setWindowIcon(app_icon())
        self.setAcceptDrops(True)
        self.setDockNestingEnabled(True)

        workspace = self.workspace
        self.data_panel = DataPanel(workspace)
        # The editor owns the undo stack: children are deleted after their parent's connections
        # are gone, so no signal from a dying stack reaches a live slot.
        self.editor = EditorWidget(workspace.graph)
        self.undo_stack = self.editor.undo_stack
        self.parameter_panel = ParameterPanel(workspace)
        self.step_panel = StepPanel(workspace, self.editor.show_annotations, self.editor.clear_annotations)
        self.prediction_panel = PredictionPanel()
        self.rmse_plot, self.weight_plots, self.gradient_plot = RmsePlot(), WeightPlots(), GradientPlot()
        self.evaluation_view, self.decision_view = EvaluationView(), DecisionView()
        self._last_live_decision = self._last_live_diagram = 0.0
        self._run_start_epoch = 0
        self._said = ""  # the workspace's latest message
        self._shown_table = None
        self._build_central()
        self._build_docks()
        self.actions = action_table.build_actions(self)
        action_table.build_toolbar_and_menus(self)
        self._build_status_bar()
        self._check_theme_action(self.prefs.theme())  # applied above; not written back to the settings
        self._layout_follows_size = False  # True while the panels are as arrange_default_layout left them
        self._arranging = False
        if self.prefs.restore_window(self):
            self._layout_follows_size = self.prefs.layout_follows_size()
        else:  # the first start: most of the screen, centred
            screen = self.screen() or QApplication.primaryScreen()
            if screen is not None:
                self.setGeometry(window_settings.first_geometry(screen.availableGeometry()))
            self.arrange_default_layout()
        self._notice_layout_changes()
        self._keep_dock_tabs_out_of_tab_order()

        workspace.subscribe(self._on_workspace_event)
        self.editor.parametersSelected.connect(self._on_parameters_selected)
        self.step_panel.parametersSelected.connect(self._on_step_row_selected)
        self.weight_plots.curveSelected.connect(self._on_curve_selected)
        self.evaluation_view.refreshRequested.connect(self._refresh_model_views)
        self.prediction_panel.predictionChanged.connect(self._on_prediction_changed)
        self.data_panel.openRequested.connect(self.open_path)
        self.undo_stack.cleanChanged.connect(self._update_title)
        self._following_focus = False  # (connected to the application while shown: showEvent)
        self.autosave_timer = QTimer(self)
        self.autosave_timer.setInterval(AUTOSAVE_INTERVAL_MS)
        self.autosave_timer.timeout.connect(self.write_recovery_copy)
        self._on_run_changed()
        if sample:
            self.open_sample(sample, ask=False)
        self.mark_saved()
        self.autosave_timer.start()

    # -- compatibility names for the workspace's parts -----------------------------------------
    @property
    def session(self):
        return self.workspace.session

    @property
    def graph(self):
        return self.workspace.graph

    @property
    def project_path(self) -> Path | None:
        return self.workspace.project_path

    def __getattr__(self, name):  # train_action, pause_action, ...: the actions table's entries
        if name.endswith("_action") and "actions" in self.__dict__ and name[:-7] in self.__dict__["actions"]:
            return self.__dict__["actions"][name[:-7]]
        raise AttributeError(name)

    # -- layout --------------------------------------------------------------------------------
    def _build_central(self) -> None:
        tabs = QTabWidget()
        for widget, title in ((self.weight_plots, "Weights and biases"), (self.gradient_plot, "Gradients"),
                              (self.evaluation_view, "Evaluation"), (self.decision_view, "Decision view")):
            tabs.addTab(widget, title)
        self.plot_tabs = tabs
        top = QSplitter(Qt.Orientation.Horizontal)  # the diagram beside the error curve
        top.addWidget(self.editor)
        top.addWidget(self.rmse_plot)
        top.setStretchFactor(0, 3)  # the diagram is the centrepiece: it gets the larger share
        top.setStretchFactor(1, 2)
        top.setChildrenCollapsible(False)
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(top)
        splitter.addWidget(tabs)
        splitter.setChildrenCollapsible(False)
        self.top_splitter, self.centre_splitter = top, splitter
        self.setCentralWidget(splitter)
        for toolbar in splitter.findChildren(QToolBar):  # the diagram's and the plots' own toolbars
            make_keyboard_reachable(toolbar)

    def _build_docks(self) -> None:
        self.docks = {}
        for name, title, widget, tip in (
            ("data", "Data", self.data_panel, "The table, each column's role, and how it is split"),
            # Short titles: all five can share one tab row, unelided, at 1280x800.
            ("parameters", "Parameters", self.parameter_panel, "How the network is trained and initialised"),
            ("predict", "Predict", self.prediction_panel, "Predict new inputs from a form or a file"),
            ("step", "Step", self.step_panel, "Step through one sample's forward and backward pass"),
            ("history", "History", self.editor.undo_view(), "The edit history of the network (undo and redo)"),
        ):
            dock = QDockWidget(title, self)
            dock.setObjectName(f"{name}_dock")
            dock.setToolTip(tip)
            # A scroll area keeps every control at its natural size when the dock is short.
            scroll = QScrollArea()
            scroll.setWidget(widget)
            scroll.setWidgetResizable(True)
            scroll.setFrameShape(QFrame.Shape.NoFrame)
            scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # no invisible Tab stop; it scrolls to the focused control
            scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
            scroll.setMinimumWidth(widget.minimumSizeHint().width() + scroll.verticalScrollBar().sizeHint().width())
            dock.setWidget(scroll)
            self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, dock)
            dock.toggleViewAction().setStatusTip(f"Show or hide the {title} panel")
            self.docks[name] = dock

    def arrange_default_layout(self) -> None:
        """Put every panel in its default place, sized for the window's current size.

        The diagram is the largest view: at 1280x800 it gets at least 45 % of the width and 40 % of
        the height. Below ``WIDE_LAYOUT_WIDTH`` the Data panel shares the right-hand tabs with the
        Parameters (there is no room for a column on each side); above it, it has its own column.
        """
        self._arranging = True
        try:
            self._arrange_default_layout()
        finally:
            self._arranging = False
        self._layout_follows_size = True

    def _arrange_default_layout(self) -> None:
        width, height = max(self.width(), 640), max(self.height(), 480)
        wide = width >= WIDE_LAYOUT_WIDTH
        right, left = Qt.DockWidgetArea.RightDockWidgetArea, Qt.DockWidgetArea.LeftDockWidgetArea
        for dock in self.docks.values():  # taken out first: Qt leaves an old tab group's bar drawn otherwise
            self.removeDockWidget(dock)
            dock.setFloating(False)
        self.addDockWidget(left if wide else right, self.docks["data"])
        order = ["parameters", "predict", "step", "history"] if wide else ["data", "parameters", "predict", "step",
                                                                           "history"]
        for name in order:  # re-added in order, so the tabs read left to right in this order
            self.addDockWidget(right, self.docks[name])
        for first, second in zip(order, order[1:]):
            self.tabifyDockWidget(self.docks[first], self.docks[second])
        for dock in self.docks.values():
            dock.show()
        self.docks[order[0]].raise_()
        QTimer.singleShot(0, self, self._hide_stale_dock_tab_bars)  # once Qt has laid the new groups out
        inspector = int(min(420, max(330, 0.27 * width, self._dock_tabs_width(order) + 12)))
        if wide:
            self.resizeDocks([self.docks["data"], self.docks["parameters"]], [DATA_COLUMN_WIDTH, inspector],
                             Qt.Orientation.Horizontal)
        else:
            self.resizeDocks([self.docks["parameters"]], [inspector], Qt.Orientation.Horizontal)
        centre = width - inspector - (DATA_COLUMN_WIDTH if wide else 0)
        rmse = int(max(240, 0.36 * centre))
        self.top_splitter.setSizes([centre - rmse, rmse])
        # The diagram's own toolbar and legend take about 60 px above and below the drawing.
        # The plots below keep at least 250 px (a readable plot under their tabs and toolbar).
        top = min(int(0.45 * height) + 60, height - 120 - 250)
        self.centre_splitter.setSizes([top, height - 120 - top])
        self._keep_dock_tabs_out_of_tab_order()

    def _notice_layout_changes(self) -> None:
        """A splitter dragged, or a panel moved, floated or closed by the user: the layout is the
        user's own from then on, and a change of window size no longer re-arranges it."""
        for splitter in (self.top_splitter, self.centre_splitter):
            splitter.splitterMoved.connect(self._layout_made_by_user)  # (only a drag emits it)
        for dock in self.docks.values():
            dock.dockLocationChanged.connect(self._layout_made_by_user)
            dock.topLevelChanged.connect(self._layout_made_by_user)
            dock.toggleViewAction().triggered.connect(self._layout_made_by_user)

    def event(self, event) -> bool:  # noqa: N802 (Qt's name)
        # The separators beside the docks belong to the window itself, and dragging one emits no
        # signal: a press on the window (not on a child) and a release with other dock sizes is
        # such a drag. (Watching the docks resize while the button is down also caught a click on
        # a dock's tab that made the dock wider, and the layout stopped following the size.)
        kind = event.type()
        if kind == QEvent.Type.MouseButtonPress:
            self._dock_sizes_at_press = self._dock_sizes()
        elif kind == QEvent.Type.MouseButtonRelease and self._dock_sizes_at_press is not None:
            if self._dock_sizes() != self._dock_sizes_at_press:
                self._layout_made_by_user()
            self._dock_sizes_at_press = None
        return super().event(event)

    def _dock_sizes(self) -> list[tuple[int, int]]:
        return [(dock.width(), dock.height()) for dock in self.docks.values() if dock.isVisible()]

    @Slot()
    def _layout_made_by_user(self) -> None:
        if not self._arranging:
            self._layout_follows_size = False

    def splitters(self) -> dict:
        """The central area's splitters by name (their sizes are remembered with the window)."""
        return {"top": self.top_splitter, "centre": self.centre_splitter}

    def layout_follows_size(self) -> bool:
        """Whether the panels are still in their default places (then a resize across
        ``WIDE_LAYOUT_WIDTH`` arranges them anew for the new width)."""
        return self._layout_follows_size

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        super().resizeEvent(event)
        before = event.oldSize().width()
        crossed = before > 0 and (before >= WIDE_LAYOUT_WIDTH) != (event.size().width() >= WIDE_LAYOUT_WIDTH)
        if crossed and self._layout_follows_size:
            # A window first opened wide (a 1920 px screen) and then made narrow kept a column of
            # Data on the left and left the diagram 320 px wide; the default arrangement follows.
            # (After this resize has settled: Qt lays the docks out for the new size first.)
            QTimer.singleShot(0, self, self._arrange_for_new_width)

    @Slot()
    def _arrange_for_new_width(self) -> None:
        wide = self.width() >= WIDE_LAYOUT_WIDTH
        if self._layout_follows_size and wide != (self.dockWidgetArea(self.docks["data"])
                                                  == Qt.DockWidgetArea.LeftDockWidgetArea):
            self.arrange_default_layout()

    def _build_status_bar(self) -> None:
        bar = StatusBar(self)
        self.setStatusBar(bar)
        self.progress_bar = QProgressBar()
        self.progress_bar.setRange(0, 1000)
        self.progress_bar.setMaximumWidth(200)
        self.progress_bar.setTextVisible(False)
        self.epoch_label, self.speed_label, self.time_label = QLabel("epoch 0"), QLabel(""), QLabel("")
        # Room for the longest count from the start, so the label never grows (and is never cut,
        # "epoch 1,48") while the numbers climb.
        self.epoch_label.setMinimumWidth(self.epoch_label.fontMetrics().horizontalAdvance("epoch 10,000,000") + 8)
        for widget in (self.epoch_label, self.speed_label, self.time_label, self.progress_bar):
            bar.addPermanentWidget(widget)

    # -- what the workspace says changed ---------------------------------------------------------
    def _on_workspace_event(self, event: WorkspaceEvent) -> None:
        kind = event.kind
        if kind == "progress":
            self._on_progress(event.detail)
        elif kind == "network":
            self._on_network_changed()
        elif kind == "network_replaced":
            self.editor.graph_replaced()
        elif kind == "weights":
            self._on_weights_changed()
        elif kind == "history":
            self._show_history_if_changed()
        elif kind == "data":
            self._update_title()
            self._refresh_model_views()
            if self.workspace.table is not self._shown_table:  # new data: the diagram shows the whole network
                self._shown_table = self.workspace.table
                self.editor.view.fit_to_view()
        elif kind == "run":
            self._on_run_changed()
        elif kind == "dirty":
            self._update_title()
        elif kind == "message":
            self._said = str(event.detail)
            self.statusBar().showMessage(self._said, 15000)
        elif kind == "failed":
            message, details = event.detail
            if details:
                show_error_report(self, message, details)
            else:
                QMessageBox.warning(self, "Cannot train", message)

    @Slot()
    def _on_prediction_changed(self) -> None:
        self.decision_view.set_fixed(self._form_values())

    @Slot(str)
    def _on_curve_selected(self, name: str) -> None:
        self.weight_plots.highlight([name])
        self.editor.highlight_parameters([name])
        self.statusBar().showMessage(f"Highlighted {name}.", 4000)

    @Slot(list)
    def _on_parameters_selected(self, names: list) -> None:
        self.weight_plots.highlight(list(names))
        self.editor.highlight_parameters(list(names))
        self.plot_tabs.setCurrentWidget(self.weight_plots)

    @Slot(list)
    def _on_step_row_selected(self, names: list) -> None:
        """A row of the step-through table marks its connection on the diagram and its curve."""
        self.weight_plots.highlight(list(names))
        self.editor.highlight_parameters(list(names))

    def _update_edit_actions(self, *unused) -> None:
        editable, stack = self.workspace.run_state != "training", self.undo_stack
        self.actions["undo"].setEnabled(editable and stack.canUndo())
        self.actions["redo"].setEnabled(editable and stack.canRedo())
        self.actions["undo"].setText(f"&Undo {stack.undoText()}".strip())
        self.actions["redo"].setText(f"&Redo {stack.redoText()}".strip())

    def _update_title(self, *unused) -> None:
        names = self.workspace.title_names()
        title = "MLP Desktop — " + " · ".join(names) if names else "MLP Desktop"
        self.setWindowTitle(title + ("*" if self.has_unsaved_changes() else ""))

    # -- training commands ---------------------------------------------------------------------
    def train(self, epochs: int | None = None) -> None:
        try:
            self.workspace.train(epochs if isinstance(epochs, int) and not isinstance(epochs, bool) else None)
        except DataError as error:
            QMessageBox.warning(self, "Cannot train yet", str(error))

    def step(self) -> None:
        self.train(1)

    def toggle_pause(self) -> None:
        if self.workspace.run_state == "training":
            self.workspace.pause()
        else:
            self.train()

    def stop(self) -> None:
        self.workspace.stop()

    def reset_weights(self) -> None:
        try:
            self.workspace.reset_weights()
        except DataError as error:
            QMessageBox.warning(self, "Cannot reset the weights", str(error))

    # -- window --------------------------------------------------------------------------------
    def show_about(self) -> None:
        dialogs.show_about(self)

    def set_theme(self, name: str) -> None:
        """Follow the system's colour scheme, or force a light or dark one (remembered)."""
        if name not in THEMES:
            raise ValueError(name)
        self.prefs.set_theme(name)
        old_look = plot_style.look()
        apply_theme(name)
        # What exists already takes the new colours; what is made from now on reads them itself.
        plot_style.restyle(self, old_look, plot_style.look())  # the diagram too (EditorWidget.on_look_changed)
        self._check_theme_action(name)

    def _check_theme_action(self, name: str) -> None:
        for action in self.theme_actions.actions():
            action.setChecked(action.data() == name)

    def theme(self) -> str:
        return self.prefs.theme()

    def reset_layout(self) -> None:
        self.arrange_default_layout()

    def focus_panel(self, name: str) -> None:
        """Show a panel (a dock, the diagram or the plots) and put the keyboard focus in it."""
        if name in self.docks:
            dock = self.docks[name]
            dock.show()
            dock.raise_()
            focus_first(dock.widget())
        elif name == "diagram":
            self.editor.view.setFocus(Qt.FocusReason.ShortcutFocusReason)
        elif name == "plots":
            self.plot_tabs.tabBar().setFocus(Qt.FocusReason.ShortcutFocusReason)  # ←/→ switch the plots
        else:
            raise ValueError(name)

    def showEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        super().showEvent(event)
        self._follow_focus(True)

    def hideEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        self._follow_focus(False)
        super().hideEvent(event)

    def _follow_focus(self, follow: bool) -> None:
        """Hear the application's focus changes only while shown. The application outlives the
        window, and a closed window is only hidden until Qt deletes it: its slot kept running on
        every focus change meanwhile (in the tests with its docks already deleted)."""
        if follow == self._following_focus:
            return
        signal = QApplication.instance().focusChanged
        if follow:
            signal.connect(self._raise_focused_dock)
        else:
            signal.disconnect(self._raise_focused_dock)
        self._following_focus = follow

    @Slot(QWidget, QWidget)
    def _raise_focused_dock(self, old, new) -> None:
        """Tab or an Alt+letter went into a tabbed-away dock (Qt keeps those reachable): show it.

        Only for the keyboard's own moves: a panel disabled by Train hands its focus to the next
        widget, which may sit in a hidden dock, and that must not switch the user's tab."""
        if new is None or QApplication.focusWidget() is not new or not self._focus_moved_by_keyboard:
            return
        for dock in self.docks.values():
            if dock.isAncestorOf(new) and not dock.isFloating() and dock.visibleRegion().isEmpty():
                dock.raise_()
                return

    @property
    def _focus_moved_by_keyboard(self) -> bool:
        return not self.workspace.run_state == "training" and QApplication.mouseButtons() == Qt.MouseButton.NoButton

    def _dock_tabs_width(self, names: list[str]) -> int:
        """The width a tab bar needs to show these docks' titles whole, in this window's style and font."""
        bar = QTabBar(self)
        for name in names:
            bar.addTab(self.docks[name].windowTitle())
        width = sum(bar.tabSizeHint(index).width() for index in range(bar.count()))
        bar.deleteLater()
        return width

    def _hide_stale_dock_tab_bars(self) -> None:
        """Qt leaves the tab bar of a dock group that a re-arrangement dissolved on screen, beside or
        under the new one ("Parameter" beside "Data" after Reset layout); hide every bar that is
        not the one under a current group of tabbed docks (same titles, same column)."""
        groups = set()
        for dock in self.docks.values():
            group = [dock, *self.tabifiedDockWidgets(dock)]
            if len(group) > 1 and not dock.isFloating():
                titles = frozenset(member.windowTitle() for member in group)
                groups.add((titles, dock.geometry().left(), dock.geometry().width()))
        for bar in self.findChildren(QTabBar):
            titles = frozenset(bar.tabText(i) for i in range(bar.count()))
            if bar.parent() is self and titles and (titles, bar.x(), bar.width()) not in groups:
                bar.hide()

    def _keep_dock_tabs_out_of_tab_order(self) -> None:
        """The docks' tab bars are switched with Ctrl+4 to Ctrl+7 instead: Qt also keeps spare dock tab
        bars parked off screen, and Tab would stop on those, invisibly."""
        for bar in self.findChildren(QTabBar):
            if bar.parent() is self:
                bar.setFocusPolicy(Qt.FocusPolicy.NoFocus)
                for button in bar.findChildren(QToolButton):
                    button.setFocusPolicy(Qt.FocusPolicy.NoFocus)

    def paintEvent(self, event) -> None:
        super().paintEvent(event)
        if not self._first_frame_painted:
            # The training process's Python start (and multiprocessing's resource tracker, a second
            # Python) competed with the window's first frames for the CPU on a 2-core machine, and
            # preparing it took 10-20 ms of the GUI thread: it starts once the start is over (a run
            # before that starts it itself).
            self._first_frame_painted = True
            self.controller.start_child_soon(CHILD_START_DELAY_MS)
            # pandas (not needed for the first frame) is imported in the background once the start is
            # over: begun at the first paint, it held the GIL for 0.2 s of the start (issue 15).
            QTimer.singleShot(PANDAS_IMPORT_DELAY_MS, self, lazy.import_in_background)

    def dragEnterEvent(self, event) -> None:
        urls = event.mimeData().urls()
        if urls and Path(urls[0].toLocalFile()).suffix.lower() in (*SUPPORTED_EXTENSIONS, PROJECT_SUFFIX):
            event.acceptProposedAction()

    def dropEvent(self, event) -> None:
        urls = event.mimeData().urls()
        if urls:
            self.open_path(urls[0].toLocalFile())

    def closeEvent(self, event) -> None:
        if not self.maybe_save():
            event.ignore()
            return
        self.controller.shutdown()
        window_settings.remove_recovery_copy(self.recovery_path())
        self.prefs.save_window(self)
        super().closeEvent(event)


