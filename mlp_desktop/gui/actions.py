"""The window's commands as data: text, shortcut, tip, handler and when each is enabled.

Menus and the toolbar are built from :data:`ACTIONS`; :func:`update_enabled` re-evaluates every
"enabled when" after the workspace changes, so no command's state is decided in two places.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QActionGroup, QKeySequence

from ..core.samples import SAMPLES
from .icons import follow_palette
from .theme import THEMES


@dataclass(frozen=True)
class ActionSpec:
    name: str
    text: str
    handler: str  # the window's method to call
    shortcut: str | QKeySequence.StandardKey | None = None
    tip: str = ""
    enabled_when: Callable | None = None  # (workspace) -> bool; None: always


def _idle_or_done(w) -> bool:
    return w.run_state not in ("training",)


ACTIONS: tuple[ActionSpec, ...] = (
    # Training (the toolbar)
    ActionSpec("train", "Train", "train", "F5",
               "Train for the chosen number of epochs, continuing from the current weights",
               lambda w: w.can_train and w.run_state != "paused"),
    ActionSpec("pause", "Pause", "toggle_pause", "F6", "Pause or resume training", lambda w: w.is_running),
    ActionSpec("stop", "Stop", "stop", "Shift+F5", "Stop training; the weights so far are kept", lambda w: w.is_running),
    # Not "Step": the Step tab steps one row through the network; this trains one epoch.
    ActionSpec("step", "One epoch", "step", "F10", "Train exactly one epoch",
               lambda w: w.can_train and not w.is_running),
    ActionSpec("reset", "Reset weights", "reset_weights", "Ctrl+R",
               "Start over with fresh weights from the chosen initialisation and seed",
               lambda w: not w.problem and w.run_state != "training"),
    # File
    ActionSpec("open", "&Open...", "open_dialog", QKeySequence.StandardKey.Open, "Open a project, an Excel or a CSV file"),
    ActionSpec("save", "&Save project", "save", QKeySequence.StandardKey.Save,
               "Save the network, settings, weights and history in a .mlpd project (training goes on)"),
    ActionSpec("save_as", "Save project &as...", "save_as", "Ctrl+Shift+S", "Save the project under a new name"),
    ActionSpec("predict_file", "&Predict file...", "predict_file", "Ctrl+P",
               "Predict every row of a spreadsheet and save it with the predictions", lambda w: not w.problem),
    ActionSpec("cross_validate", "Cross-&validate...", "cross_validate", None,
               "Estimate how well this network and these settings do on unseen rows: K-fold cross-validation "
               "with the mean and spread of the metrics (the current weights are not changed)",
               lambda w: not w.problem and not w.is_running),
    ActionSpec("quit", "&Quit", "close", QKeySequence.StandardKey.Quit, "Quit MLP Desktop"),
    # View and help
    ActionSpec("reset_layout", "Reset layout", "reset_layout", None, "Put every panel back in its place"),
    ActionSpec("about", "&About MLP Desktop", "show_about", None,
               "The version of MLP Desktop and of the libraries it uses"),
)

TOOLBAR = ("train", "pause", "stop", "step", "reset")
FILE_MENU = ("open", "save", "save_as", "predict_file", "cross_validate")

EXPORTS = (  # kind, text, tip
    ("history", "History table (.xlsx, .csv)...", "Epoch, RMSE and every weight and bias by name"),
    ("model", "Model (.json)...", "The trained model, for mlp-desktop predict and evaluate"),
    ("python", "Model as a Python script (.py)...", "A standalone script that needs only NumPy"),
    ("onnx", "Model as ONNX (.onnx)...", "For other tools and runtimes (needs the onnx package)"),
    ("diagram", "Diagram (.png, .svg)...", "A picture of the network"),
)

PANELS = (  # name, title: Ctrl+1.. moves the focus there
    ("data", "Data"), ("diagram", "Network diagram"), ("plots", "Plots"), ("parameters", "Parameters"),
    ("predict", "Predict"), ("step", "Step through"), ("history", "Edit history"),
)


def make_action(parent, text: str, slot, shortcut=None, tip: str = "") -> QAction:
    action = QAction(text, parent)
    if shortcut:
        action.setShortcut(QKeySequence(shortcut))
    if tip:
        action.setToolTip(f"{tip} ({action.shortcut().toString()})" if shortcut else tip)
        action.setStatusTip(tip)
    action.triggered.connect(slot)
    return action


def build_actions(window) -> dict[str, QAction]:
    """One ``QAction`` per spec, triggering ``window.<handler>()``."""
    return {spec.name: make_action(window, spec.text, lambda checked=False, h=spec.handler: getattr(window, h)(),
                                   spec.shortcut, spec.tip)
            for spec in ACTIONS}


def update_enabled(actions: dict[str, QAction], workspace) -> None:
    for spec in ACTIONS:
        if spec.enabled_when is not None:
            actions[spec.name].setEnabled(bool(spec.enabled_when(workspace)))


def build_toolbar_and_menus(window) -> None:
    """The training toolbar and the File, Edit, View and Help menus, from the table above."""
    make, actions = make_action, window.actions
    toolbar = window.addToolBar("Training")
    toolbar.setObjectName("training_toolbar")
    toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
    for name in TOOLBAR:
        toolbar.addAction(actions[name])
    follow_palette(toolbar, {actions[name]: name for name in TOOLBAR})

    file_menu = window.menuBar().addMenu("&File")
    file_menu.addAction(actions["open"])
    samples = file_menu.addMenu("Open &sample")
    for name, description in SAMPLES.items():
        samples.addAction(make(window, description, lambda checked=False, n=name: window.open_sample(n),
                               tip="Start a new project with this sample and a network that suits it"))
    for name in FILE_MENU[1:]:
        file_menu.addAction(actions[name])
    export_menu = file_menu.addMenu("&Export")
    for kind, text, tip in EXPORTS:
        export_menu.addAction(make(window, text, lambda checked=False, k=kind: window.export_dialog(k), tip=tip))
    window.recent_menu = file_menu.addMenu("&Recent files")
    window._rebuild_recent_menu()
    file_menu.addSeparator()
    file_menu.addAction(actions["quit"])

    edit_menu = window.menuBar().addMenu("&Edit")
    # Own actions rather than the stack's: they must also be off while training runs.
    actions["undo"] = make(window, "&Undo", window.undo_stack.undo, tip="Undo the last change to the network")
    actions["redo"] = make(window, "&Redo", window.undo_stack.redo, tip="Redo the change just undone")
    actions["undo"].setShortcutContext(Qt.ShortcutContext.WindowShortcut)
    for stack_signal in (window.undo_stack.canUndoChanged, window.undo_stack.canRedoChanged,
                         window.undo_stack.undoTextChanged, window.undo_stack.redoTextChanged):
        stack_signal.connect(window._update_edit_actions)
    edit_menu.addAction(actions["undo"])
    edit_menu.addAction(actions["redo"])

    view_menu = window.menuBar().addMenu("&View")
    for dock in window.docks.values():
        view_menu.addAction(dock.toggleViewAction())
    view_menu.addSeparator()
    go_menu = view_menu.addMenu("&Go to")
    window.focus_actions = {}
    for number, (name, title) in enumerate(PANELS, start=1):
        action = make(window, title, lambda checked=False, n=name: window.focus_panel(n), f"Ctrl+{number}",
                      f"Move the keyboard focus to the {title} panel")
        go_menu.addAction(action)
        window.focus_actions[name] = action
    view_menu.addSeparator()
    view_menu.addAction(actions["reset_layout"])
    theme_menu = view_menu.addMenu("&Theme")
    window.theme_actions = QActionGroup(window)
    for name, label in THEMES.items():
        action = make(window, label, lambda checked=False, n=name: window.set_theme(n),
                      tip="Follow the system's light or dark setting" if name == "system"
                      else f"Use the {label.lower()} colours whatever the system's setting")
        action.setCheckable(True)
        action.setData(name)
        window.theme_actions.addAction(action)
        theme_menu.addAction(action)
    window.menuBar().addMenu("&Help").addAction(actions["about"])
