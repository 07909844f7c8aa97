"""The main window: docked panels, live plots, training controls, menus and settings.

Only glue: the data, network and parameter panels say what the user chose, the
:class:`~mlp_desktop.core.session.TrainingSession` decides what that means, the
:class:`~mlp_desktop.gui.training.worker.TrainingController` trains on its own thread, and the
plots draw its updates.
"""

from __future__ import annotations

import platform
import sys
import time
import traceback
from dataclasses import replace
from pathlib import Path

import numpy as np
from PySide6.QtCore import QByteArray, QEventLoop, QSettings, QStandardPaths, Qt, QTimer, Slot
from PySide6.QtGui import QAction, QActionGroup, QGuiApplication, QIcon, QKeySequence
from PySide6.QtWidgets import (
    QApplication, QDialog, QDialogButtonBox, QDockWidget, QFileDialog, QFrame, QLabel, QMainWindow, QMessageBox,
    QPlainTextEdit, QProgressBar, QScrollArea, QSplitter, QTabBar, QTabWidget, QToolBar, QToolButton, QVBoxLayout,
    QWidget,
)

from .. import __version__
from ..core.data import SUPPORTED_EXTENSIONS, read_table
from ..core.errors import DataError
from ..core.graph import NetworkGraph
from ..core.project import (
    PROJECT_SUFFIX, Project, load_project, resolve_data_path, save_project, usable_data_settings,
    usable_parameters,
)
from ..core.model import NetworkSpec
from ..core.samples import SAMPLE_SETUPS, SAMPLES, sample_path
from ..core.session import TrainingSession
from .panels.data_panel import DataPanel
from .editor.editor_widget import EditorWidget
from .batch_predict import BatchPredictDialog
from .panels.prediction_panel import PredictionPanel
from .panels.step_panel import StepPanel
from .panels.parameter_panel import ParameterPanel
from .plots.decision_view import DecisionView
from .plots.evaluation_view import EvaluationView
from .plots.gradient_plot import GradientPlot
from .plots.rmse_plot import RmsePlot
from .plots.weight_plots import WeightPlots
from .icons import follow_palette
from .theme import THEMES, apply_theme
from .training.worker import TrainingController, TrainingUpdate
from .widgets import focus_first, make_keyboard_reachable

SETTINGS_VERSION = 1
LIVE_DECISION_INTERVAL = 1.0  # seconds between decision-view refreshes while training
LIVE_DIAGRAM_INTERVAL = 0.2  # seconds between recolourings of the diagram while training
AUTOSAVE_INTERVAL_MS = 3 * 60 * 1000  # a recovery copy while there are unsaved changes
MAX_RECENT_FILES = 8
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
        self.settings = settings or QSettings("MLP Desktop", "MLP Desktop")
        apply_theme(self.theme())  # before any widget exists, so every one is polished with it
        self.session = TrainingSession()
        self.controller = TrainingController(self.session, self)
        self.setWindowIcon(app_icon())
        self.setAcceptDrops(True)
        self.setDockNestingEnabled(True)

        self.data_panel = DataPanel()
        self.graph = NetworkGraph(hidden=((2, "sigmoid"),))
        # The editor owns the undo stack: children are deleted after their parent's connections
        # are gone, so no signal from a dying stack reaches a live slot.
        self.editor = EditorWidget(self.graph)
        self.undo_stack = self.editor.undo_stack
        self.parameter_panel = ParameterPanel()
        self.step_panel = StepPanel(self.session, self.editor.show_annotations, self.editor.clear_annotations)
        self.prediction_panel = PredictionPanel()
        self.rmse_plot = RmsePlot()
        self.weight_plots = WeightPlots()
        self.gradient_plot = GradientPlot()
        self.evaluation_view = EvaluationView()
        self.decision_view = DecisionView()
        self._last_live_decision = self._last_live_diagram = 0.0
        self.project_path: Path | None = None
        self._changed = False  # unsaved changes besides the network edits (the undo stack tracks those)
        self.autosave_timer = QTimer(self)
        self.autosave_timer.setInterval(AUTOSAVE_INTERVAL_MS)
        self.autosave_timer.timeout.connect(self.write_recovery_copy)
        self._build_central()
        self._build_docks()
        self._build_actions()
        self._build_menus()
        self._build_status_bar()
        self._default_state = self.saveState()
        self._restore_settings()
        self._keep_dock_tabs_out_of_tab_order()

        self.data_panel.datasetChanged.connect(self._on_dataset_changed)
        self.data_panel.settingsChanged.connect(self._on_settings_changed)
        self.editor.graphEdited.connect(self._on_graph_edited)
        self.editor.parametersSelected.connect(self._on_parameters_selected)
        self.parameter_panel.changed.connect(self._on_settings_changed)
        self.weight_plots.curveSelected.connect(self._on_curve_selected)
        self.step_panel.weightsChanged.connect(self._on_weights_stepped)
        self.evaluation_view.refreshRequested.connect(self._refresh_model_views)
        self.prediction_panel.predictionChanged.connect(self._on_prediction_changed)
        self.controller.progress.connect(self._on_progress)
        self.controller.finished.connect(self._on_finished)
        self.controller.failed.connect(self._on_failed)
        self.controller.stateChanged.connect(self._on_state_changed)
        self.undo_stack.cleanChanged.connect(self._on_clean_changed)
        QApplication.instance().focusChanged.connect(self._raise_focused_dock)
        self._on_state_changed("idle")
        self._update_title()
        if sample:
            self.open_sample(sample)
        self.mark_saved()
        self.autosave_timer.start()

    # -- layout --------------------------------------------------------------------------------
    def _build_central(self) -> None:
        tabs = QTabWidget()
        tabs.addTab(self.weight_plots, "Weights and biases")
        tabs.addTab(self.gradient_plot, "Gradients")
        tabs.addTab(self.evaluation_view, "Evaluation")
        tabs.addTab(self.decision_view, "Decision view")
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
        splitter.setStretchFactor(0, 1)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([500, 500])
        self.setCentralWidget(splitter)
        for toolbar in splitter.findChildren(QToolBar):  # the diagram's and the plots' own toolbars
            make_keyboard_reachable(toolbar)

    def _build_docks(self) -> None:
        self.docks = {}
        for name, title, widget, area in (
            ("data", "Data", self.data_panel, Qt.DockWidgetArea.LeftDockWidgetArea),
            # Short titles: the four tabbed docks' tabs must fit side by side unelided at 1280x800.
            ("parameters", "Parameters", self.parameter_panel, Qt.DockWidgetArea.RightDockWidgetArea),
            ("predict", "Predict", self.prediction_panel, Qt.DockWidgetArea.RightDockWidgetArea),
            ("step", "Step through", self.step_panel, Qt.DockWidgetArea.RightDockWidgetArea),
            ("history", "Edit history", self.editor.undo_view(), Qt.DockWidgetArea.RightDockWidgetArea),
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
        self.tabifyDockWidget(self.docks["parameters"], self.docks["predict"])
        self.tabifyDockWidget(self.docks["predict"], self.docks["step"])
        self.tabifyDockWidget(self.docks["step"], self.docks["history"])
        self.docks["parameters"].raise_()
        self.resizeDocks([self.docks["data"], self.docks["parameters"]], [300, 380], Qt.Orientation.Horizontal)

    def _action(self, text: str, slot, shortcut=None, tip: str = "") -> QAction:
        action = QAction(text, self)
        if shortcut:
            action.setShortcut(QKeySequence(shortcut))
        if tip:
            action.setToolTip(f"{tip} ({action.shortcut().toString()})" if shortcut else tip)
            action.setStatusTip(tip)
        action.triggered.connect(slot)
        return action

    def _build_actions(self) -> None:
        self.train_action = self._action("Train", self.train, "F5", "Train for the chosen number of epochs, "
                                         "continuing from the current weights")
        self.pause_action = self._action("Pause", self.toggle_pause, "F6", "Pause or resume training")
        self.stop_action = self._action("Stop", self.stop, "Shift+F5", "Stop training; the weights so far are kept")
        self.step_action = self._action("Step", self.step, "F10", "Train exactly one epoch")
        self.reset_action = self._action("Reset weights", self.reset_weights, "Ctrl+R",
                                         "Start over with fresh weights from the chosen initialisation and seed")
        toolbar = self.addToolBar("Training")
        toolbar.setObjectName("training_toolbar")
        toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        for action in (self.train_action, self.pause_action, self.stop_action, self.step_action, self.reset_action):
            toolbar.addAction(action)
        follow_palette(toolbar, {self.train_action: "train", self.pause_action: "pause", self.stop_action: "stop",
                                 self.step_action: "step", self.reset_action: "reset"})

    def _build_menus(self) -> None:
        file_menu = self.menuBar().addMenu("&File")
        file_menu.addAction(self._action("&Open...", self.open_dialog, QKeySequence.StandardKey.Open,
                                         "Open an Excel or CSV file"))
        samples = file_menu.addMenu("Open &sample")
        for name, description in SAMPLES.items():
            samples.addAction(self._action(description, lambda checked=False, n=name: self.open_sample(n),
                                           tip="Start a new project with this sample and a network that suits it"))
        file_menu.addAction(self._action("&Save project", self.save, QKeySequence.StandardKey.Save,
                                         "Save the network, settings, weights and history in a .mlpd project"))
        file_menu.addAction(self._action("Save project &as...", self.save_as, QKeySequence("Ctrl+Shift+S"),
                                         "Save the project under a new name"))
        self.predict_file_action = self._action("&Predict file...", self.predict_file, "Ctrl+P",
                                                "Predict every row of a spreadsheet and save it with the predictions")
        file_menu.addAction(self.predict_file_action)
        export_menu = file_menu.addMenu("&Export")
        for text, kind, tip in (
            ("History table (.xlsx, .csv)...", "history", "Epoch, RMSE and every weight and bias by name"),
            ("Model (.json)...", "model", "The trained model, for mlp-desktop predict and evaluate"),
            ("Model as a Python script (.py)...", "python", "A standalone script that needs only NumPy"),
            ("Model as ONNX (.onnx)...", "onnx", "For other tools and runtimes (needs the onnx package)"),
            ("Diagram (.png, .svg)...", "diagram", "A picture of the network"),
        ):
            export_menu.addAction(self._action(text, lambda checked=False, k=kind: self.export_dialog(k), tip=tip))
        self.recent_menu = file_menu.addMenu("&Recent files")
        self._rebuild_recent_menu()
        file_menu.addSeparator()
        file_menu.addAction(self._action("&Quit", self.close, QKeySequence.StandardKey.Quit, "Quit MLP Desktop"))

        edit_menu = self.menuBar().addMenu("&Edit")
        # Own actions rather than the stack's: they must also be off while training runs.
        self.undo_action = self._action("&Undo", self.undo_stack.undo, tip="Undo the last change to the network")
        self.redo_action = self._action("&Redo", self.undo_stack.redo, tip="Redo the change just undone")
        self.undo_action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        for stack_signal in (self.undo_stack.canUndoChanged, self.undo_stack.canRedoChanged,
                             self.undo_stack.undoTextChanged, self.undo_stack.redoTextChanged):
            stack_signal.connect(self._update_edit_actions)
        edit_menu.addAction(self.undo_action)
        edit_menu.addAction(self.redo_action)

        view_menu = self.menuBar().addMenu("&View")
        for dock in self.docks.values():
            view_menu.addAction(dock.toggleViewAction())
        view_menu.addSeparator()
        self.focus_actions = {}
        go_menu = view_menu.addMenu("&Go to")
        for number, (name, title) in enumerate((
                ("data", "Data"), ("diagram", "Network diagram"), ("plots", "Plots"), ("parameters", "Parameters"),
                ("predict", "Predict"), ("step", "Step through"), ("history", "Edit history")), start=1):
            action = self._action(title, lambda checked=False, n=name: self.focus_panel(n), f"Ctrl+{number}",
                                  f"Move the keyboard focus to the {title} panel")
            go_menu.addAction(action)
            self.focus_actions[name] = action
        view_menu.addSeparator()
        view_menu.addAction(self._action("Reset layout", self.reset_layout, tip="Put every panel back in its place"))
        theme_menu = view_menu.addMenu("&Theme")
        self.theme_actions = QActionGroup(self)
        for name, label in THEMES.items():
            action = self._action(label, lambda checked=False, n=name: self.set_theme(n),
                                  tip="Follow the system's light or dark setting" if name == "system"
                                  else f"Use the {label.lower()} colours whatever the system's setting")
            action.setCheckable(True)
            action.setData(name)
            self.theme_actions.addAction(action)
            theme_menu.addAction(action)

        help_menu = self.menuBar().addMenu("&Help")
        help_menu.addAction(self._action("&About MLP Desktop", self.show_about,
                                         tip="The version of MLP Desktop and of the libraries it uses"))

    def _build_status_bar(self) -> None:
        bar = self.statusBar()
        self.progress_bar = QProgressBar()
        self.progress_bar.setRange(0, 1000)
        self.progress_bar.setMaximumWidth(200)
        self.progress_bar.setTextVisible(False)
        self.epoch_label = QLabel("epoch 0")
        self.speed_label = QLabel("")
        self.time_label = QLabel("")
        for widget in (self.epoch_label, self.speed_label, self.time_label, self.progress_bar):
            bar.addPermanentWidget(widget)

    # -- opening data --------------------------------------------------------------------------
    def open_dialog(self) -> None:
        folder = self.settings.value("last_folder", str(Path.home()))
        patterns = " ".join(f"*{suffix}" for suffix in SUPPORTED_EXTENSIONS)
        path, _ = QFileDialog.getOpenFileName(
            self, "Open", folder, f"Projects and spreadsheets (*{PROJECT_SUFFIX} {patterns});;All files (*)")
        if path:
            self.open_path(path)

    def open_path(self, path) -> bool:
        """Open a project (``.mlpd``) or a dataset file (stopping any training first)."""
        path = Path(path)
        if path.suffix.lower() == PROJECT_SUFFIX:
            return self.open_project(path)
        if not self._stop_and_wait():
            return False
        if not self.data_panel.load_file(path):
            self.statusBar().showMessage(f"Could not open {path.name}; see the Data panel.", 8000)
            return False
        self.settings.setValue("last_folder", str(path.parent))
        self._remember_recent(path)
        self._update_title()
        self.statusBar().showMessage(f"Opened {path.name}. Choose the columns' roles in the Data panel, then "
                                     "press Train (F5).", 8000)
        return True

    def open_sample(self, name: str) -> None:
        """Start a fresh, untitled project with a sample dataset and a network that suits it."""
        if not self.maybe_save() or not self._stop_and_wait():
            return
        self.project_path = None
        setup = SAMPLE_SETUPS.get(name, {})
        try:
            table = read_table(sample_path(name, ".xlsx"))
        except DataError as error:
            QMessageBox.warning(self, "Sample", str(error))
            return
        self._applying = True
        try:
            if setup:
                self._set_graph(NetworkGraph(hidden=zip(setup["hidden_layers"], setup["activations"]),
                                             output_activation=setup["output_activation"]))
                self.parameter_panel.set_values(**setup["parameters"])
                self.data_panel.set_input_scaling(setup["input_scaling"])
                self.data_panel.set_validation_fraction(setup["validation_fraction"])
        finally:
            self._applying = False
        self.data_panel.load_table(table)
        self._update_title()
        self.statusBar().showMessage(f"Opened the sample {SAMPLES.get(name, name)!r}. Press Train (F5) to train "
                                     "the network.", 8000)

    EXPORT_FILTERS = {
        "history": ("history.xlsx", "Excel workbook (*.xlsx);;CSV file (*.csv)"),
        "model": ("model.json", "MLP Desktop model (*.json)"),
        "python": ("predict_model.py", "Python script (*.py)"),
        "onnx": ("model.onnx", "ONNX model (*.onnx)"),
        "diagram": ("network.png", "PNG image (*.png);;SVG drawing (*.svg)"),
    }

    def export_dialog(self, kind: str) -> None:
        """Ask where, then export; problems are explained in a message box."""
        name, filters = self.EXPORT_FILTERS[kind]
        folder = Path(self.settings.value("last_folder", str(Path.home())))
        path, _ = QFileDialog.getSaveFileName(self, "Export", str(folder / name), filters)
        if not path:
            return
        try:
            self.export(kind, path)
        except DataError as error:
            QMessageBox.warning(self, "Could not export", str(error))
            return
        self.statusBar().showMessage(f"Saved {Path(path).name}.", 5000)

    def export(self, kind: str, path) -> None:
        """Write the history table, the model (JSON or Python script) or the diagram to ``path``."""
        from ..core.export import export_python
        from ..core.fileio import write_table

        session = self.session
        if kind == "diagram":
            self.editor.export(path)
        elif kind == "history":
            if session.history is None or session.history.initial_params is None:
                raise DataError("Nothing has been trained yet, so there is no history to export.")
            write_table(session.history.to_frame(rmse_scale=session.rmse_unit_scale), path)
        elif kind == "model":
            session.model().save(path)
        elif kind == "python":
            export_python(session.model(), path)
        elif kind == "onnx":
            from ..core.onnx_export import export_onnx

            export_onnx(session.model(), path)
        else:
            raise ValueError(kind)

    def predict_file(self) -> None:
        """Open the batch prediction dialog for the current network."""
        try:
            model = self.session.model()
        except DataError as error:
            QMessageBox.warning(self, "Nothing to predict with yet", str(error))
            return
        dialog = BatchPredictDialog(model, self, self.settings.value("last_folder", str(Path.home())))
        dialog.exec()

    def _refresh_model_views(self) -> None:
        """The network's weights or the data changed: prediction and evaluation follow."""
        session = self.session
        if session.net is None or session.dataset is None:
            self.prediction_panel.set_model(None)
            return
        model = session.model()
        self.prediction_panel.set_model(model, session.train_frame, session.dataset)
        self.evaluation_view.set_results(model, session.train_frame, session.validation_frame)
        self.decision_view.set_model(model, session.train_frame, self._form_values())

    def _form_values(self) -> dict | None:
        """The prediction form's values when they are all usable (the decision view holds the other
        inputs at them), else None (it uses the means)."""
        values = self.prediction_panel.values()
        pre = self.session.preprocessor
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

    def _stop_and_wait(self, timeout_ms: int = 10_000) -> bool:
        """Stop a running training and wait for it to end; True when idle."""
        if not self.controller.is_busy():
            return True
        loop = QEventLoop()
        self.controller.stateChanged.connect(loop.quit)
        QTimer.singleShot(timeout_ms, loop.quit)
        self.controller.stop()
        while self.controller.is_busy():
            loop.exec()
            if self.controller.is_busy():
                break
        self.controller.stateChanged.disconnect(loop.quit)
        return not self.controller.is_busy()

    # -- settings from the panels --------------------------------------------------------------
    _applying = False

    @Slot(object)
    def _on_dataset_changed(self, dataset) -> None:
        self._changed = True
        self.session.set_dataset(dataset)
        self._apply_settings(read_seed=False)
        self._update_title()

    @Slot()
    def _on_settings_changed(self) -> None:
        if not self._applying:
            self._changed = True
            self._update_title()
        if not self._applying and not self.controller.is_busy():
            self._apply_settings(read_seed=False)

    def _set_graph(self, graph: NetworkGraph) -> None:
        """Show and edit another network (a new sample); the edit history starts afresh."""
        self.graph = graph
        self.editor.set_graph(graph)

    def _spec(self) -> NetworkSpec:
        return self.graph.to_spec(loss=self.parameter_panel.loss(), **self.parameter_panel.init_settings())

    @Slot()
    def _on_graph_edited(self) -> None:
        if self.controller.state == "paused":
            # The run holds the weights: end it, then apply the edit to what it learned so far.
            self._stop_and_wait()
            self._apply_settings(read_seed=False)
            self.statusBar().showMessage("Training stopped for the edit; press Train to continue from the "
                                         "kept weights. " + self._reset_note(), 15000)
        else:
            self._on_settings_changed()

    def _reset_note(self) -> str:
        names = self.session.reset_parameter_names
        if not names:
            return ""
        shown = ", ".join(names[:8]) + (f" and {len(names) - 8} more" if len(names) > 8 else "")
        return f"New connections start from fresh weights: {shown}."

    def _apply_settings(self, read_seed: bool) -> bool:
        """Push every panel's choices into the session; rebuild the views if the network changed.

        Returns False (and says why) when the choices cannot be trained.
        """
        session = self.session
        if session.dataset is None:
            self._set_training_possible(False)
            return False
        before = session.net
        try:
            session.set_input_scaling(self.data_panel.input_scaling())
            session.set_spec(self._spec(), self.graph.to_dict())
            if read_seed or self.session.net is None:
                session.set_config(self.parameter_panel.config(self.data_panel.validation_fraction()))
            else:
                session.set_config(replace(session.config, validation_fraction=self.data_panel.validation_fraction()))
            session.prepare()
            pre = session.preprocessor
            if (self.graph.input_layer.neuron_ids, self.graph.output_layer.neuron_ids) != (
                    pre.encoded_inputs, pre.output_names):
                # The diagram's first and last layers follow the data's columns and classes.
                self.graph.set_io(pre.encoded_inputs, pre.output_names)
                session.set_spec(self._spec(), self.graph.to_dict())
                session.prepare()
        except DataError as error:
            self.statusBar().showMessage(str(error), 10000)
            self._set_training_possible(False, str(error))
            return False
        if session.net is not before:
            self._reset_views()
            self.step_panel.refresh()
            if session.reset_parameter_names:
                self.statusBar().showMessage("Kept the trained weights of unchanged connections. "
                                             + self._reset_note(), 10000)
        self.editor.set_parameters(session.net.get_parameters())
        if session.net is not before:
            self._refresh_model_views()
        self._set_training_possible(True)
        return True

    def _reset_views(self) -> None:
        session = self.session
        self.weight_plots.set_parameter_names(session.net.parameter_names())
        self.gradient_plot.set_layer_count(len(session.net.weights))
        self.rmse_plot.reset()
        pre = session.preprocessor
        in_target_units = pre.task == "regression" and len(pre.targets) == 1  # see Preprocessor.rmse_unit_scale
        self.rmse_plot.set_unit_label(f"RMSE ({pre.targets[0]} units)" if in_target_units else "RMSE (scaled outputs)")
        history = session.history
        if history is not None and history.initial_params is None:
            self.weight_plots.set_series(np.array([0]), session.net.get_parameters()[None, :])
        self._show_epoch(history.last_epoch if history else 0)

    def _set_training_possible(self, possible: bool, reason: str = "") -> None:
        idle = not self.controller.is_busy()
        for action in (self.train_action, self.step_action, self.reset_action):
            action.setEnabled(possible and idle)
        self.train_action.setToolTip(reason or self.train_action.statusTip())

    # -- training controls ---------------------------------------------------------------------
    def train(self, epochs: int | None = None) -> None:
        if self.controller.is_busy():
            return
        if not self._apply_settings(read_seed=True):
            QMessageBox.warning(self, "Cannot train yet", self.train_action.toolTip())
            return
        self._run_start_epoch = self.session.history.last_epoch
        try:
            self.controller.start(epochs if isinstance(epochs, int) and not isinstance(epochs, bool) else None)
        except DataError as error:
            QMessageBox.warning(self, "Cannot train", str(error))
            return
        self._changed = True  # the run changes the weights: closing or opening a file now asks first
        self._update_title()

    def step(self) -> None:
        self.train(1)

    def toggle_pause(self) -> None:
        if self.controller.state == "running":
            self.controller.pause()
        elif self.controller.state == "paused":
            self.controller.resume()

    def stop(self) -> None:
        self.controller.stop()

    def reset_weights(self) -> None:
        if self.controller.is_busy() or not self._apply_settings(read_seed=True):
            return
        self.session.reset_weights()
        self._reset_views()
        self._refresh_model_views()
        self.statusBar().showMessage(f"Weights reset ({self.session.net.init} initialisation, "
                                     f"seed {self.session.config.seed}).", 5000)

    # -- updates from training -----------------------------------------------------------------
    @Slot(object)
    def _on_progress(self, update: TrainingUpdate, final: bool = False) -> None:
        scale = self.session.rmse_unit_scale
        if len(update.epochs):
            self.rmse_plot.append(update.epochs, update.train_rmse * scale, update.val_rmse * scale)
            now = time.perf_counter()
            if final or now - self._last_live_diagram >= LIVE_DIAGRAM_INTERVAL:
                self._last_live_diagram = now
                self.editor.set_parameters(update.params)
            self.gradient_plot.append_rows(update.epochs, update.grad_rms)
            if not final:  # the final redraw takes the weights from the exact history instead
                self._refresh_live_decision_view(update.params)
                self.weight_plots.append_rows(update.param_epochs, update.param_rows)
        self._show_epoch(update.epoch, update)

    def _refresh_live_decision_view(self, params) -> None:
        """During training the decision view follows the weights, about once a second, if shown."""
        now = time.perf_counter()
        if self.decision_view.isVisible() and now - self._last_live_decision >= LIVE_DECISION_INTERVAL:
            self._last_live_decision = now
            model = self.session.model(params=params, with_metrics=False)
            self.decision_view.set_model(model, self.session.train_frame, self._form_values())

    @Slot(object)
    def _on_finished(self, update: TrainingUpdate | None) -> None:
        if update is not None:
            self._on_progress(update, final=True)
        self._changed = True
        history = self.session.history
        # Redraw the weights from the exact per-epoch history (reports only sampled them).
        epochs, params = history.epochs, history.params
        if history.initial_params is not None:
            epochs = np.concatenate([[0], epochs])
            params = np.vstack([history.initial_params[None, :], params])
        self.weight_plots.set_series(epochs, params)
        for plot in (self.rmse_plot, self.weight_plots, self.gradient_plot):
            plot.follow.settle()
        message = history.message
        if len(history.train_rmse) and history.stop_reason != "diverged":
            message += f" Training RMSE {history.train_rmse[-1] * self.session.rmse_unit_scale:.4g}."
        self.statusBar().showMessage(message, 15000)
        if history.stop_reason == "diverged":
            QMessageBox.warning(self, "Training diverged", history.message)
        self._apply_settings(read_seed=False)
        # In a later turn of the event loop, so the final redraw is on screen first.
        QTimer.singleShot(0, self, self._refresh_model_views)

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

    @Slot()
    def _on_weights_stepped(self) -> None:
        self.editor.set_parameters(self.session.net.get_parameters())
        self._refresh_model_views()

    @Slot(str, str)
    def _on_failed(self, message: str, details: str) -> None:
        if details:
            show_error_report(self, message, details)
        else:
            QMessageBox.warning(self, "Cannot train", message)

    @Slot(str)
    def _on_state_changed(self, state: str) -> None:
        idle = state == "idle"
        self.pause_action.setText("Resume" if state == "paused" else "Pause")
        self.pause_action.setEnabled(not idle)
        self.stop_action.setEnabled(not idle)
        for action in (self.train_action, self.step_action, self.reset_action):
            action.setEnabled(idle and self.session.dataset is not None)
        for panel in (self.data_panel, self.parameter_panel):
            panel.set_editable(idle)
        self.step_panel.setEnabled(idle)
        self.editor.set_editable(state in ("idle", "paused"))  # edits while paused end the run first
        self._update_edit_actions()
        if state == "paused":
            self.statusBar().showMessage("Paused. Resume with F6, or edit the network to continue from here.")

    def _update_edit_actions(self, *unused) -> None:
        editable = self.controller.state in ("idle", "paused")
        stack = self.undo_stack
        self.undo_action.setEnabled(editable and stack.canUndo())
        self.redo_action.setEnabled(editable and stack.canRedo())
        self.undo_action.setText(f"&Undo {stack.undoText()}".strip())
        self.redo_action.setText(f"&Redo {stack.redoText()}".strip())

    def _show_epoch(self, epoch: int, update: TrainingUpdate | None = None) -> None:
        self.epoch_label.setText(f"epoch {epoch:,}")
        if update is None:
            self.speed_label.setText("")
            self.time_label.setText("")
            self.progress_bar.setValue(0)
            return
        start = getattr(self, "_run_start_epoch", 0)
        total = max(update.final_epoch - start, 1)
        self.progress_bar.setValue(int(1000 * (update.epoch - start) / total))
        speed = update.epochs_per_second
        self.speed_label.setText(f"{speed:,.0f} epochs/s" if speed else "")
        left = (update.final_epoch - update.epoch) / speed if speed > 0 and not update.finished else 0
        self.time_label.setText(f"{_duration(left)} left" if left > 0.5 else "")

    # -- settings, recent files, window --------------------------------------------------------
    def _restore_settings(self) -> None:
        self.set_theme(self.theme())
        if int(self.settings.value("settings_version", 0) or 0) != SETTINGS_VERSION:
            return
        geometry = self.settings.value("geometry")
        state = self.settings.value("window_state")
        if isinstance(geometry, QByteArray):
            self.restoreGeometry(geometry)
        if isinstance(state, QByteArray):
            self.restoreState(state)

    def _save_settings(self) -> None:
        self.settings.setValue("settings_version", SETTINGS_VERSION)
        self.settings.setValue("geometry", self.saveGeometry())
        self.settings.setValue("window_state", self.saveState())

    def theme(self) -> str:
        name = str(self.settings.value("theme", "system"))
        return name if name in THEMES else "system"

    def set_theme(self, name: str) -> None:
        """Follow the system's colour scheme, or force a light or dark one (remembered)."""
        if name not in THEMES:
            raise ValueError(name)
        self.settings.setValue("theme", name)
        apply_theme(name)
        for action in self.theme_actions.actions():
            action.setChecked(action.data() == name)

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
        """Tab or an Alt+letter went into a tabbed-away dock (Qt keeps those reachable): show it."""
        if new is None:
            return
        for dock in self.docks.values():
            if dock.isAncestorOf(new) and not dock.isFloating() and dock.visibleRegion().isEmpty():
                dock.raise_()
                return

    def _keep_dock_tabs_out_of_tab_order(self) -> None:
        """The docks' tab bars are switched with Ctrl+4 to Ctrl+7 instead: Qt also keeps spare dock tab
        bars parked off screen, and Tab would stop on those, invisibly."""
        for bar in self.findChildren(QTabBar):
            if bar.parent() is self:
                bar.setFocusPolicy(Qt.FocusPolicy.NoFocus)
                for button in bar.findChildren(QToolButton):
                    button.setFocusPolicy(Qt.FocusPolicy.NoFocus)

    def reset_layout(self) -> None:
        self.restoreState(self._default_state)
        for dock in self.docks.values():
            dock.show()
            dock.setFloating(False)
        self._keep_dock_tabs_out_of_tab_order()

    def recent_files(self) -> list[str]:
        value = self.settings.value("recent_files", [])
        return [value] if isinstance(value, str) else list(value or [])

    def _remember_recent(self, path: Path) -> None:
        files = [str(path)] + [f for f in self.recent_files() if f != str(path)]
        self.settings.setValue("recent_files", files[:MAX_RECENT_FILES])
        self._rebuild_recent_menu()

    def _rebuild_recent_menu(self) -> None:
        self.recent_menu.clear()
        files = self.recent_files()
        for file in files:
            self.recent_menu.addAction(self._action(Path(file).name, lambda checked=False, f=file: self.open_path(f),
                                                    tip=file))
        self.recent_menu.setEnabled(bool(files))

    def _update_title(self) -> None:
        names = [p.name for p in (self.project_path, self.data_panel.file_path()) if p is not None]
        title = "MLP Desktop — " + " · ".join(names) if names else "MLP Desktop"
        self.setWindowTitle(title + ("*" if self.has_unsaved_changes() else ""))

    @Slot(bool)
    def _on_clean_changed(self, clean: bool) -> None:
        self._update_title()

    # -- projects ------------------------------------------------------------------------------
    def has_unsaved_changes(self) -> bool:
        return self._changed or not self.undo_stack.isClean()

    def mark_saved(self) -> None:
        self._changed = False
        self.undo_stack.setClean()
        self._update_title()

    def project(self) -> Project:
        """Everything needed to come back to this state, as a :class:`Project`."""
        session, table = self.session, self.data_panel.table()
        roles = self.data_panel.roles()
        # The settings as the panel shows them now (the session only takes them at the next Train);
        # with "Random seed" ticked, the seed in use, so the reopened project splits its rows alike.
        panel = self.parameter_panel
        parameters = {"learning_rate": panel.learning_rate(), "epochs": panel.epochs_spin.value(),
                      "batch_size": panel.batch_size(), "momentum": panel.momentum_spin.value(),
                      "shuffle": panel.shuffle_check.isChecked(),
                      "seed": session.config.seed if panel.random_seed_check.isChecked() else panel.seed_spin.value(),
                      "target_rmse": panel.target_rmse_spin.value() if panel.target_rmse_check.isChecked() else None,
                      "loss": panel.loss(), **panel.init_settings()}
        data = {"path": str(table.path) if table is not None and table.path.exists() else None,
                "sheet": table.sheet if table is not None else None, "inputs": roles.inputs, "targets": roles.targets,
                "task": self.data_panel.task(), "drop_missing": self.data_panel.drop_missing(),
                "input_scaling": self.data_panel.input_scaling(),
                "validation_fraction": self.data_panel.validation_fraction()}
        embedded = table.frame if table is not None and data["path"] is None else None
        return Project(graph=self.graph.to_dict(), parameters=parameters, data=data,
                       view={"log_y": self.rmse_plot.is_log_y()},
                       weights=session.net.get_parameters() if session.net is not None else None,
                       history=session.history if session.history is not None and session.history.last_epoch else None,
                       embedded_data=embedded)

    def save(self) -> bool:
        return self.save_project(self.project_path) if self.project_path else self.save_as()

    def save_as(self) -> bool:
        folder = self.settings.value("last_folder", str(Path.home()))
        path, _ = QFileDialog.getSaveFileName(self, "Save project", str(Path(folder) / f"untitled{PROJECT_SUFFIX}"),
                                              f"MLP Desktop project (*{PROJECT_SUFFIX})")
        return self.save_project(Path(path)) if path else False

    def save_project(self, path) -> bool:
        path = Path(path)
        if path.suffix.lower() != PROJECT_SUFFIX:
            path = path.with_suffix(PROJECT_SUFFIX)
        try:
            if not self._stop_and_wait():
                return False
            save_project(self.project(), path)
        except DataError as error:
            QMessageBox.warning(self, "Could not save", str(error))
            return False
        self.project_path = path
        self._remember_recent(path)
        self.mark_saved()
        self.remove_recovery_copy()
        self.statusBar().showMessage(f"Saved {path.name}.", 5000)
        return True

    def maybe_save(self) -> bool:
        """Ask what to do with unsaved changes; False means the user cancelled."""
        if not self.has_unsaved_changes():
            return True
        answer = QMessageBox.question(
            self, "Unsaved changes", "Save the changes to this project first?",
            QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Save)
        if answer == QMessageBox.StandardButton.Save:
            return self.save()
        return answer == QMessageBox.StandardButton.Discard

    def open_project(self, path, ask: bool = True) -> bool:
        """Open a ``.mlpd`` project: its data, network, settings, weights and history."""
        if (ask and not self.maybe_save()) or not self._stop_and_wait():
            return False
        try:
            project = load_project(path)
        except DataError as error:
            QMessageBox.warning(self, "Could not open the project", str(error))
            return False
        # A hand-edited or damaged file may hold settings the panels cannot show: those keep their defaults.
        parameters, ignored = usable_parameters(project.parameters)
        data, ignored_data = usable_data_settings(project.data)
        ignored += ignored_data
        if project.embedded_data is not None:
            from ..core.data import table_from_frame

            table = table_from_frame(project.embedded_data, Path(path).stem)
        else:
            data_path = resolve_data_path(project, path)
            if data_path is None:
                missing = data["path"] or "the data file"
                QMessageBox.information(self, "Data file not found",
                                        f"The project's data file {missing} was not found. Please locate it.")
                located, _ = QFileDialog.getOpenFileName(self, "Locate the data file", str(Path(path).parent))
                if not located:
                    return False
                data_path = Path(located)
            try:
                table = read_table(data_path, data["sheet"])
            except DataError as error:
                QMessageBox.warning(self, "Could not read the project's data", str(error))
                return False
        self._applying = True
        try:
            self._set_graph(NetworkGraph.from_dict(project.graph))
            self.parameter_panel.set_values(**parameters)
            self.data_panel.set_input_scaling(data["input_scaling"])
            self.data_panel.set_validation_fraction(data["validation_fraction"])
            self.data_panel.set_drop_missing(data["drop_missing"])
            self.data_panel.set_task(data["task"])
            self.data_panel.load_table(table)
            if data["inputs"] and data["targets"]:
                self.data_panel.set_roles(data["inputs"], data["targets"])
            self.rmse_plot.set_log_y(project.view.get("log_y") is True)
        finally:
            self._applying = False
        if not self._apply_settings(read_seed=True):
            return False
        session = self.session
        notes = []
        if project.weights is not None and project.weights.size == session.net.n_parameters:
            session.net.set_parameters(project.weights)
        elif project.weights is not None:
            notes.append("The saved weights belong to a network of another size than the data needs now, "
                         "so training starts from fresh weights.")
        if project.history is not None and len(project.history.parameter_names) == session.net.n_parameters:
            session.history = project.history
        if ignored:
            notes.append(f"Some saved settings could not be used and keep their defaults: {', '.join(ignored)}.")
        self._reset_views()
        self._show_history(session.history)
        self.editor.set_parameters(session.net.get_parameters())
        self._refresh_model_views()
        self.project_path = Path(path)
        self._remember_recent(self.project_path)
        self.mark_saved()
        if notes:
            self.statusBar().showMessage(" ".join(notes), 20000)
        return True

    def _show_history(self, history) -> None:
        """Draw a whole history (after opening a project)."""
        if history is None or history.initial_params is None:
            return
        scale = self.session.rmse_unit_scale
        epochs = np.concatenate([[0], history.epochs])
        self.rmse_plot.set_series(epochs, np.concatenate([[history.initial_train_rmse], history.train_rmse]) * scale,
                                  np.concatenate([[history.initial_val_rmse], history.val_rmse]) * scale)
        self.weight_plots.set_series(epochs, np.vstack([history.initial_params[None, :], history.params]))
        self._show_epoch(history.last_epoch)

    # -- crash safety --------------------------------------------------------------------------
    def recovery_path(self) -> Path:
        folder = Path(QStandardPaths.writableLocation(QStandardPaths.StandardLocation.AppDataLocation) or Path.home())
        return folder / f"recovery{PROJECT_SUFFIX}"

    def write_recovery_copy(self) -> None:
        """While there are unsaved changes, keep a recovery copy (offered after a crash)."""
        if not self.has_unsaved_changes() or self.controller.is_busy() or self.session.net is None:
            return
        path = self.recovery_path()
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            save_project(self.project(), path)
        except (DataError, OSError):
            pass  # a failed recovery copy must never interrupt the user

    def remove_recovery_copy(self) -> None:
        self.recovery_path().unlink(missing_ok=True)

    def offer_recovery(self) -> bool:
        """After a crash: offer to restore the recovery copy. True if it was restored."""
        path = self.recovery_path()
        if not path.exists():
            return False
        answer = QMessageBox.question(self, "Restore unsaved work?",
                                      "MLP Desktop did not close normally last time. Restore the unsaved project?")
        restored = answer == QMessageBox.StandardButton.Yes and self.open_project(path, ask=False)
        if restored:
            self.project_path = None
            self._changed = True
            self._update_title()
        else:
            self.remove_recovery_copy()
        return restored

    def show_about(self) -> None:
        import PySide6
        import pyqtgraph
        from PySide6.QtCore import qVersion

        QMessageBox.about(
            self, "About MLP Desktop",
            f"<h3>MLP Desktop {__version__}</h3>"
            "<p>Design, train and understand multilayer perceptrons.</p>"
            f"<p>Python {platform.python_version()}<br>Qt {qVersion()} (PySide6 {PySide6.__version__})<br>"
            f"NumPy {np.__version__}<br>pyqtgraph {pyqtgraph.__version__}</p>",
        )

    def dragEnterEvent(self, event) -> None:
        urls = event.mimeData().urls()
        if urls and Path(urls[0].toLocalFile()).suffix.lower() in SUPPORTED_EXTENSIONS:
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
        self.remove_recovery_copy()
        self._save_settings()
        super().closeEvent(event)


def _duration(seconds: float) -> str:
    seconds = int(round(seconds))
    if seconds < 60:
        return f"{seconds} s"
    if seconds < 3600:
        return f"{seconds // 60} min {seconds % 60:02d} s"
    return f"{seconds // 3600} h {seconds % 3600 // 60:02d} min"


# -- unexpected errors ---------------------------------------------------------------------------
def show_error_report(parent, message: str, details: str) -> None:
    """A dialog with a plain message and a copyable technical report; the app keeps running."""
    dialog = QDialog(parent)
    dialog.setWindowTitle("Something went wrong")
    layout = QVBoxLayout(dialog)
    label = QLabel(f"{message}<br><br>The app keeps running. If this keeps happening, copy the report "
                   "below into a bug report.")
    label.setWordWrap(True)
    report = QPlainTextEdit(f"MLP Desktop {__version__}, Python {platform.python_version()}, "
                            f"{platform.platform()}\n\n{details}")
    report.setReadOnly(True)
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
    buttons.button(QDialogButtonBox.StandardButton.Close).setDefault(True)  # Enter and Esc both close
    copy = buttons.addButton("Copy report", QDialogButtonBox.ButtonRole.ActionRole)
    copy.clicked.connect(lambda: QGuiApplication.clipboard().setText(report.toPlainText()))
    buttons.rejected.connect(dialog.reject)
    for widget in (label, report, buttons):
        layout.addWidget(widget)
    dialog.resize(640, 400)
    dialog.exec()


def install_excepthook(window: QMainWindow) -> None:
    """Show unexpected exceptions in a dialog instead of crashing or printing to a console."""

    def hook(kind, value, tb):
        details = "".join(traceback.format_exception(kind, value, tb))
        sys.__stderr__.write(details)
        if isinstance(value, DataError):
            QMessageBox.warning(window, "Problem", str(value))
        else:
            show_error_report(window, f"Unexpected error: {value}", details)

    sys.excepthook = hook
