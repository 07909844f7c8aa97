"""The main window: docks, plots and the wiring between them and the workspace.

Every decision lives in :class:`~mlp_desktop.core.workspace.Workspace`; this window builds the
views, turns the user's commands (the table in :mod:`.actions`) into workspace calls, asks the
user what the workspace reports (unsaved work), and redraws what its events say changed.
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
from PySide6.QtCore import QEventLoop, QSettings, Qt, QTimer, Slot
from PySide6.QtGui import QActionGroup, QIcon
from PySide6.QtWidgets import (
    QApplication, QDockWidget, QFileDialog, QFrame, QLabel, QMainWindow, QMessageBox, QProgressBar, QScrollArea,
    QSplitter, QTabBar, QTabWidget, QToolBar, QToolButton, QWidget,
)

from ..core.data import SUPPORTED_EXTENSIONS, read_table, table_from_frame
from ..core.errors import DataError
from ..core.project import PROJECT_SUFFIX, load_project, resolve_data_path, save_project
from ..core.samples import SAMPLE_SETUPS, SAMPLES, sample_path
from ..core.workspace import Workspace, WorkspaceEvent
from . import actions as action_table
from . import dialogs, window_settings
from .batch_predict import BatchPredictDialog
from .editor.editor_widget import EditorWidget
from .icons import follow_palette
from .panels.data_panel import DataPanel
from .panels.parameter_panel import ParameterPanel
from .panels.prediction_panel import PredictionPanel
from .panels.step_panel import StepPanel
from .plots.decision_view import DecisionView
from .plots.evaluation_view import EvaluationView
from .plots.gradient_plot import GradientPlot
from .plots.rmse_plot import RmsePlot
from .plots.weight_plots import WeightPlots
from .theme import THEMES, apply_theme
from .training.worker import TrainingController
from .widgets import focus_first, make_keyboard_reachable

LIVE_DECISION_INTERVAL = 1.0  # seconds between decision-view refreshes while training
LIVE_DIAGRAM_INTERVAL = 0.2  # seconds between recolourings of the diagram while training
AUTOSAVE_INTERVAL_MS = 3 * 60 * 1000  # a recovery copy while there are unsaved changes
show_error_report, install_excepthook = dialogs.show_error_report, dialogs.install_excepthook


def app_icon() -> QIcon:
    from importlib import resources

    folder = resources.files("mlp_desktop.resources")
    icon = QIcon()
    for size in (32, 64, 128, 256):
        icon.addFile(str(folder.joinpath(f"mlp-desktop-{size}.png")))
    icon.addFile(str(folder.joinpath("mlp-desktop.svg")))  # sharp at any other size or scale
    return icon


class MainWindow(QMainWindow):
    def __init__(self, settings: QSettings | None = None, sample: str | None = "health_score"):
        super().__init__()
        self.settings = settings or window_settings.default_settings()
        self.prefs = window_settings.WindowSettings(self.settings)
        apply_theme(self.prefs.theme())  # before any widget exists, so every one is polished with it
        self.controller = TrainingController(parent=self)
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
        self._build_central()
        self._build_docks()
        self.actions = action_table.build_actions(self)
        self._build_toolbar_and_menus()
        self._build_status_bar()
        self._default_state = self.saveState()
        self.set_theme(self.prefs.theme())
        self.prefs.restore_window(self)
        self._keep_dock_tabs_out_of_tab_order()

        workspace.subscribe(self._on_workspace_event)
        self.editor.parametersSelected.connect(self._on_parameters_selected)
        self.weight_plots.curveSelected.connect(self._on_curve_selected)
        self.evaluation_view.refreshRequested.connect(self._refresh_model_views)
        self.prediction_panel.predictionChanged.connect(self._on_prediction_changed)
        self.data_panel.openRequested.connect(self.open_path)
        self.undo_stack.cleanChanged.connect(self._update_title)
        QApplication.instance().focusChanged.connect(self._raise_focused_dock)
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
        top.setSizes([570, 430])  # at 1280x800 the error plot's toolbar fits without its overflow button
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(top)
        splitter.addWidget(tabs)
        splitter.setSizes([500, 500])
        self.setCentralWidget(splitter)
        for toolbar in splitter.findChildren(QToolBar):  # the diagram's and the plots' own toolbars
            make_keyboard_reachable(toolbar)

    def _build_docks(self) -> None:
        self.docks = {}
        right = Qt.DockWidgetArea.RightDockWidgetArea
        for name, title, widget, area in (
            ("data", "Data", self.data_panel, Qt.DockWidgetArea.LeftDockWidgetArea),
            # Short titles: the four tabbed docks' tabs must fit side by side unelided at 1280x800.
            ("parameters", "Parameters", self.parameter_panel, right),
            ("predict", "Predict", self.prediction_panel, right),
            ("step", "Step through", self.step_panel, right),
            ("history", "Edit history", self.editor.undo_view(), right),
        ):
            dock = QDockWidget(title, self)
            dock.setObjectName(f"{name}_dock")
            # A scroll area keeps every control at its natural size when the dock is short.
            scroll = QScrollArea()
            scroll.setWidget(widget)
            scroll.setWidgetResizable(True)
            scroll.setFrameShape(QFrame.Shape.NoFrame)
            scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # no invisible Tab stop; it scrolls to the focused control
            scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
            scroll.setMinimumWidth(widget.minimumSizeHint().width() + scroll.verticalScrollBar().sizeHint().width())
            dock.setWidget(scroll)
            self.addDockWidget(area, dock)
            dock.toggleViewAction().setStatusTip(f"Show or hide the {title} panel")
            self.docks[name] = dock
        for first, second in (("parameters", "predict"), ("predict", "step"), ("step", "history")):
            self.tabifyDockWidget(self.docks[first], self.docks[second])
        self.docks["parameters"].raise_()
        self.resizeDocks([self.docks["data"], self.docks["parameters"]], [300, 380], Qt.Orientation.Horizontal)

    def _build_toolbar_and_menus(self) -> None:
        make, actions = action_table.make_action, self.actions
        toolbar = self.addToolBar("Training")
        toolbar.setObjectName("training_toolbar")
        toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        for name in action_table.TOOLBAR:
            toolbar.addAction(actions[name])
        follow_palette(toolbar, {actions[name]: name for name in action_table.TOOLBAR})

        file_menu = self.menuBar().addMenu("&File")
        file_menu.addAction(actions["open"])
        samples = file_menu.addMenu("Open &sample")
        for name, description in SAMPLES.items():
            samples.addAction(make(self, description, lambda checked=False, n=name: self.open_sample(n),
                                   tip="Start a new project with this sample and a network that suits it"))
        for name in action_table.FILE_MENU[1:]:
            file_menu.addAction(actions[name])
        export_menu = file_menu.addMenu("&Export")
        for kind, text, tip in action_table.EXPORTS:
            export_menu.addAction(make(self, text, lambda checked=False, k=kind: self.export_dialog(k), tip=tip))
        self.recent_menu = file_menu.addMenu("&Recent files")
        self._rebuild_recent_menu()
        file_menu.addSeparator()
        file_menu.addAction(actions["quit"])

        edit_menu = self.menuBar().addMenu("&Edit")
        # Own actions rather than the stack's: they must also be off while training runs.
        actions["undo"] = make(self, "&Undo", self.undo_stack.undo, tip="Undo the last change to the network")
        actions["redo"] = make(self, "&Redo", self.undo_stack.redo, tip="Redo the change just undone")
        actions["undo"].setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        for stack_signal in (self.undo_stack.canUndoChanged, self.undo_stack.canRedoChanged,
                             self.undo_stack.undoTextChanged, self.undo_stack.redoTextChanged):
            stack_signal.connect(self._update_edit_actions)
        edit_menu.addAction(actions["undo"])
        edit_menu.addAction(actions["redo"])

        view_menu = self.menuBar().addMenu("&View")
        for dock in self.docks.values():
            view_menu.addAction(dock.toggleViewAction())
        view_menu.addSeparator()
        go_menu = view_menu.addMenu("&Go to")
        self.focus_actions = {}
        for number, (name, title) in enumerate(action_table.PANELS, start=1):
            action = make(self, title, lambda checked=False, n=name: self.focus_panel(n), f"Ctrl+{number}",
                          f"Move the keyboard focus to the {title} panel")
            go_menu.addAction(action)
            self.focus_actions[name] = action
        view_menu.addSeparator()
        view_menu.addAction(actions["reset_layout"])
        theme_menu = view_menu.addMenu("&Theme")
        self.theme_actions = QActionGroup(self)
        for name, label in THEMES.items():
            action = make(self, label, lambda checked=False, n=name: self.set_theme(n),
                          tip="Follow the system's light or dark setting" if name == "system"
                          else f"Use the {label.lower()} colours whatever the system's setting")
            action.setCheckable(True)
            action.setData(name)
            self.theme_actions.addAction(action)
            theme_menu.addAction(action)
        self.menuBar().addMenu("&Help").addAction(actions["about"])

    def _build_status_bar(self) -> None:
        bar = self.statusBar()
        self.progress_bar = QProgressBar()
        self.progress_bar.setRange(0, 1000)
        self.progress_bar.setMaximumWidth(200)
        self.progress_bar.setTextVisible(False)
        self.epoch_label, self.speed_label, self.time_label = QLabel("epoch 0"), QLabel(""), QLabel("")
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
            self._show_history()
        elif kind == "data":
            self._update_title()
            self._refresh_model_views()
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

    def _on_network_changed(self) -> None:
        net = self.workspace.net
        if net is None or self.workspace.problem:
            return
        self.weight_plots.set_parameter_names(net.parameter_names())
        self.gradient_plot.set_layer_count(len(net.weights))
        self._show_history()

    def _on_weights_changed(self) -> None:
        net = self.workspace.net
        if net is not None and not self.workspace.problem:
            self.editor.set_parameters(net.get_parameters())
        if self.workspace.run_state in ("finished", "diverged"):
            self._on_run_finished()
        QTimer.singleShot(0, self, self._refresh_model_views)  # after the redraw is on screen

    def _show_history(self) -> None:
        """Draw the whole history (after new data, an edit, a project or the end of a run)."""
        workspace = self.workspace
        history, net = workspace.history, workspace.net
        self.rmse_plot.reset()
        self.gradient_plot.reset()
        if net is None or history is None or workspace.problem:
            self.weight_plots.reset()
            self._show_epoch(0)
            return
        pre = workspace.session.preprocessor
        in_target_units = pre.task == "regression" and len(pre.targets) == 1  # see Preprocessor.rmse_unit_scale
        self.rmse_plot.set_unit_label(f"RMSE ({pre.targets[0]} units)" if in_target_units else "RMSE (scaled outputs)")
        if history.initial_params is None:
            self.weight_plots.set_series(np.array([0]), net.get_parameters()[None, :])
        else:
            scale = workspace.session.rmse_unit_scale
            epochs = np.concatenate([[0], history.epochs])
            self.rmse_plot.set_series(epochs, np.concatenate([[history.initial_train_rmse], history.train_rmse]) * scale,
                                      np.concatenate([[history.initial_val_rmse], history.val_rmse]) * scale)
            self.weight_plots.set_series(epochs, np.vstack([history.initial_params[None, :], history.params]))
        self._show_epoch(history.last_epoch)

    def _on_run_changed(self) -> None:
        workspace = self.workspace
        state = workspace.run_state
        action_table.update_enabled(self.actions, workspace)
        self.actions["pause"].setText("Resume" if state == "paused" else "Pause")
        self.actions["train"].setToolTip(workspace.problem or self.actions["train"].statusTip())
        self.data_panel.set_editable(state != "training")
        self.parameter_panel.set_editable(state != "training")
        self.step_panel.setEnabled(not workspace.is_running and not workspace.problem)
        self.editor.set_editable(state != "training")
        self._update_edit_actions()
        if state == "training":
            self.statusBar().clearMessage()  # messages belong to the run they were about
            self._run_start_epoch = workspace.history.last_epoch if workspace.history is not None else 0

    def _on_run_finished(self) -> None:
        for plot in (self.rmse_plot, self.weight_plots, self.gradient_plot):
            plot.follow.settle()
        history = self.workspace.history
        if history.initial_params is not None:  # the weights from the exact history (reports only sampled them)
            self.weight_plots.set_series(np.concatenate([[0], history.epochs]),
                                         np.vstack([history.initial_params[None, :], history.params]))
        self._show_epoch(history.last_epoch)
        if history.stop_reason == "diverged":
            QMessageBox.warning(self, "Training diverged", history.message)

    def _on_progress(self, update) -> None:
        scale = self.session.rmse_unit_scale
        if len(update.epochs):
            self.rmse_plot.append(update.epochs, update.train_rmse * scale, update.val_rmse * scale)
            now = time.perf_counter()
            if update.finished or now - self._last_live_diagram >= LIVE_DIAGRAM_INTERVAL:
                self._last_live_diagram = now
                self.editor.set_parameters(update.params)
            self.gradient_plot.append_rows(update.epochs, update.grad_rms)
            if not update.finished:  # the final redraw takes the weights from the exact history instead
                self._refresh_live_decision_view(update.params)
                self.weight_plots.append_rows(update.param_epochs, update.param_rows)
        self._show_epoch(update.epoch, update)

    def _refresh_live_decision_view(self, params) -> None:
        """During training the decision view follows the weights, about once a second, if shown."""
        now = time.perf_counter()
        if self.decision_view.isVisible() and now - self._last_live_decision >= LIVE_DECISION_INTERVAL:
            self._last_live_decision = now
            model = self.workspace.model(params=params, with_metrics=False)
            self.decision_view.set_model(model, self.session.train_frame, self._form_values())

    def _show_epoch(self, epoch: int, update=None) -> None:
        self.epoch_label.setText(f"epoch {epoch:,}")
        if update is None:
            for label in (self.speed_label, self.time_label):
                label.setText("")
            self.progress_bar.setValue(0)
            return
        total = max(update.final_epoch - self._run_start_epoch, 1)
        self.progress_bar.setValue(int(1000 * (update.epoch - self._run_start_epoch) / total))
        speed = update.epochs_per_second
        self.speed_label.setText(f"{speed:,.0f} epochs/s" if speed else "")
        left = (update.final_epoch - update.epoch) / speed if speed > 0 and not update.finished else 0
        self.time_label.setText(f"{_duration(left)} left" if left > 0.5 else "")

    def _refresh_model_views(self) -> None:
        """The network's weights or the data changed: prediction and evaluation follow."""
        workspace = self.workspace
        if workspace.problem or workspace.net is None or workspace.is_running:
            self.prediction_panel.set_model(None)
            return
        model, session = workspace.model(), self.session
        self.prediction_panel.set_model(model, session.train_frame, session.dataset)
        self.evaluation_view.set_results(model, session.train_frame, session.validation_frame)
        self.decision_view.set_model(model, session.train_frame, self._form_values())

    def _form_values(self) -> dict | None:
        """The prediction form's values when they are all usable (the decision view holds the other
        inputs at them), else None (it uses the means)."""
        values, pre = self.prediction_panel.values(), self.session.preprocessor
        if pre is None or not values:
            return None
        for column in pre.inputs:
            numeric = pre.input_kinds.get(column) != "categorical"
            if column not in values or (numeric and not isinstance(values[column], float)):
                return None
        return values

    @Slot(object)
    def _on_prediction_changed(self, _prediction) -> None:
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

    # -- opening and saving --------------------------------------------------------------------
    def has_unsaved_changes(self) -> bool:
        return self.workspace.is_dirty or not self.undo_stack.isClean()

    def mark_saved(self) -> None:
        self.workspace.mark_clean()
        self.undo_stack.setClean()
        self._update_title()

    def maybe_save(self) -> bool:
        """Ask what to do with unsaved work; False means the user cancelled (nothing changes)."""
        reason = self.workspace.unsaved_changes() or ("The network's changes are not saved."
                                                      if not self.undo_stack.isClean() else None)
        if reason is None:
            return True
        answer = dialogs.ask_save_discard_cancel(self, reason)
        if answer == "save" and self.workspace.is_running:
            self.stop_and_wait()  # the run ends with the work it belongs to: save what it learned
        return self.save() if answer == "save" else answer == "discard"

    def project(self):
        """The current work as a :class:`~mlp_desktop.core.project.Project` (see :meth:`Workspace.project`)."""
        self.workspace.view["log_y"] = self.rmse_plot.is_log_y()
        return self.workspace.project()

    def open_dialog(self) -> None:
        patterns = " ".join(f"*{suffix}" for suffix in SUPPORTED_EXTENSIONS)
        path, _ = QFileDialog.getOpenFileName(self, "Open", self.prefs.last_folder(),
                                              f"Projects and spreadsheets (*{PROJECT_SUFFIX} {patterns});;All files (*)")
        if path:
            self.open_path(path)

    def open_path(self, path, sheet: str | None = None) -> bool:
        """Open a project (``.mlpd``) or a dataset file, asking first if work would be lost."""
        path = Path(path)
        if path.suffix.lower() == PROJECT_SUFFIX:
            return self.open_project(path)
        same_file = self.workspace.table is not None and self.workspace.table.path == path and sheet is not None
        if not same_file and not self.maybe_save():
            return False
        try:
            table = read_table(path, sheet)
        except DataError as error:
            self.data_panel.show_problem(str(error))  # what was open stays open
            self.statusBar().showMessage(f"Could not open {path.name}; see the Data panel.", 8000)
            return False
        self._said = ""
        self.workspace.open_table(table)
        self.prefs.set_last_folder(path.parent)
        self._remember_recent(path)
        self.statusBar().showMessage(f"Opened {path.name}. " + (self._said or "Choose the columns' roles in the Data "
                                     "panel, then press Train (F5)."), 15000)
        return True

    def open_sample(self, name: str, ask: bool = True) -> bool:
        """Start a fresh, untitled project with a sample dataset and a network that suits it."""
        if ask and not self.maybe_save():
            return False
        try:
            table = read_table(sample_path(name, ".xlsx"))
        except DataError as error:
            QMessageBox.warning(self, "Sample", str(error))
            return False
        self.workspace.project_path = None
        self.workspace.open_table(table, SAMPLE_SETUPS.get(name, {}))
        self.statusBar().showMessage(f"Opened the sample {SAMPLES.get(name, name)!r}. Press Train (F5) to train "
                                     "the network.", 8000)
        return True

    def open_project(self, path, ask: bool = True) -> bool:
        """Open a ``.mlpd`` project: its data, network, settings, weights and history."""
        if ask and not self.maybe_save():
            return False
        try:
            project = load_project(path)
            if project.embedded_data is not None:
                table = table_from_frame(project.embedded_data, Path(path).stem)
            else:
                data_path = resolve_data_path(project, path)
                if data_path is None:
                    missing = project.data.get("path") or "the data file"
                    QMessageBox.information(self, "Data file not found",
                                            f"The project's data file {missing} was not found. Please locate it.")
                    located, _ = QFileDialog.getOpenFileName(self, "Locate the data file", str(Path(path).parent))
                    if not located:
                        return False
                    data_path = Path(located)
                sheet = project.data.get("sheet")
                table = read_table(data_path, sheet if isinstance(sheet, str) else None)
            notes = self.workspace.open_project(project, table, path)
        except DataError as error:
            QMessageBox.warning(self, "Could not open the project", str(error))
            return False
        self.rmse_plot.set_log_y(self.workspace.view.get("log_y") is True)
        self._remember_recent(Path(path))
        self.mark_saved()
        if notes:
            self.statusBar().showMessage(" ".join(notes), 20000)
        return True

    def save(self) -> bool:
        return self.save_project(self.project_path) if self.project_path else self.save_as()

    def save_as(self) -> bool:
        path, _ = QFileDialog.getSaveFileName(self, "Save project",
                                              str(Path(self.prefs.last_folder()) / f"untitled{PROJECT_SUFFIX}"),
                                              f"MLP Desktop project (*{PROJECT_SUFFIX})")
        return self.save_project(Path(path)) if path else False

    def save_project(self, path) -> bool:
        """Save the work; a run in progress is paused for a moment and goes on (one consistent epoch)."""
        path = Path(path)
        if path.suffix.lower() != PROJECT_SUFFIX:
            path = path.with_suffix(PROJECT_SUFFIX)
        workspace = self.workspace
        resume = workspace.save_needs_pause
        if resume:
            workspace.pause()
            self._wait_until(lambda: workspace.can_save or not workspace.is_running)
        try:
            save_project(self.project(), path)
        except DataError as error:
            QMessageBox.warning(self, "Could not save", str(error))
            return False
        finally:
            if resume and workspace.run_state == "paused":
                workspace.resume()
        workspace.saved(path)
        self._remember_recent(path)
        self.mark_saved()
        window_settings.remove_recovery_copy(self.recovery_path())
        self.statusBar().showMessage(f"Saved {path.name}.", 5000)
        return True

    def stop_and_wait(self, timeout_ms: int = 10_000) -> bool:
        """Stop a run and wait for its result; True when nothing runs any more."""
        self.workspace.stop()
        return self._wait_until(lambda: not self.workspace.is_running and not self.controller.is_busy(), timeout_ms)

    _stop_and_wait = stop_and_wait

    def _wait_until(self, condition, timeout_ms: int = 10_000) -> bool:
        """Let the event loop run (the runner's reports arrive) until ``condition()`` holds."""
        deadline = time.monotonic() + timeout_ms / 1000
        while not condition() and time.monotonic() < deadline:
            QApplication.processEvents(QEventLoop.ProcessEventsFlag.WaitForMoreEvents, 50)
        return condition()

    def export_dialog(self, kind: str) -> None:
        """Ask where, then export; problems are explained in a message box."""
        from .exports import EXPORT_FILTERS, export

        name, filters = EXPORT_FILTERS[kind]
        path, _ = QFileDialog.getSaveFileName(self, "Export", str(Path(self.prefs.last_folder()) / name), filters)
        if not path:
            return
        try:
            export(self.workspace, self.editor, kind, path)
        except DataError as error:
            QMessageBox.warning(self, "Could not export", str(error))
            return
        self.statusBar().showMessage(f"Saved {Path(path).name}.", 5000)

    def export(self, kind: str, path) -> None:
        from .exports import export

        export(self.workspace, self.editor, kind, path)

    def predict_file(self) -> None:
        """Open the batch prediction dialog for the current network."""
        try:
            model = self.workspace.model()
        except DataError as error:
            QMessageBox.warning(self, "Nothing to predict with yet", str(error))
            return
        BatchPredictDialog(model, self, self.prefs.last_folder()).exec()

    def _remember_recent(self, path: Path) -> None:
        self.prefs.remember_recent(path)
        self._rebuild_recent_menu()

    def recent_files(self) -> list[str]:
        return self.prefs.recent_files()

    def _rebuild_recent_menu(self) -> None:
        self.recent_menu.clear()
        for file in self.prefs.recent_files():
            self.recent_menu.addAction(action_table.make_action(
                self, Path(file).name, lambda checked=False, f=file: self.open_path(f), tip=file))
        self.recent_menu.setEnabled(bool(self.prefs.recent_files()))

    # -- crash safety --------------------------------------------------------------------------
    def recovery_path(self) -> Path:
        return window_settings.recovery_path()

    def write_recovery_copy(self) -> None:
        window_settings.write_recovery_copy(self.workspace, self.recovery_path())

    def offer_recovery(self) -> bool:
        """After a crash: offer to restore the recovery copy. True if it was restored."""
        path = self.recovery_path()
        if not path.exists():
            return False
        answer = QMessageBox.question(self, "Restore unsaved work?",
                                      "MLP Desktop did not close normally last time. Restore the unsaved project?")
        restored = answer == QMessageBox.StandardButton.Yes and self.open_project(path, ask=False)
        if restored:
            self.workspace.project_path = None
            self.workspace._set_dirty(True)
        else:
            window_settings.remove_recovery_copy(self.recovery_path())
        return restored

    # -- window --------------------------------------------------------------------------------
    def show_about(self) -> None:
        dialogs.show_about(self)

    def set_theme(self, name: str) -> None:
        """Follow the system's colour scheme, or force a light or dark one (remembered)."""
        if name not in THEMES:
            raise ValueError(name)
        self.prefs.set_theme(name)
        apply_theme(name)
        for action in self.theme_actions.actions():
            action.setChecked(action.data() == name)

    def theme(self) -> str:
        return self.prefs.theme()

    def reset_layout(self) -> None:
        self.restoreState(self._default_state)
        for dock in self.docks.values():
            dock.show()
            dock.setFloating(False)
        self._keep_dock_tabs_out_of_tab_order()

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

    def _keep_dock_tabs_out_of_tab_order(self) -> None:
        """The docks' tab bars are switched with Ctrl+4 to Ctrl+7 instead: Qt also keeps spare dock tab
        bars parked off screen, and Tab would stop on those, invisibly."""
        for bar in self.findChildren(QTabBar):
            if bar.parent() is self:
                bar.setFocusPolicy(Qt.FocusPolicy.NoFocus)
                for button in bar.findChildren(QToolButton):
                    button.setFocusPolicy(Qt.FocusPolicy.NoFocus)

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


def _duration(seconds: float) -> str:
    seconds = int(round(seconds))
    if seconds < 60:
        return f"{seconds} s"
    if seconds < 3600:
        return f"{seconds // 60} min {seconds % 60:02d} s"
    return f"{seconds // 3600} h {seconds % 3600 // 60:02d} min"
