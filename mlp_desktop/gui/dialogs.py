"""Dialogs the window shows: unsaved changes, unexpected errors (with a copyable report)."""

from __future__ import annotations

import platform
import sys
import traceback

from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QMainWindow, QMessageBox, QPlainTextEdit, QVBoxLayout

from .. import __version__
from ..core.errors import DataError


def ask_save_discard_cancel(parent, reason: str) -> str:
    """``"save"``, ``"discard"`` or ``"cancel"``: what to do with work that would be lost."""
    answer = QMessageBox.question(
        parent, "Unsaved changes", f"{reason} Save the project first?",
        QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel,
        QMessageBox.StandardButton.Save)
    return {QMessageBox.StandardButton.Save: "save", QMessageBox.StandardButton.Discard: "discard"}.get(answer, "cancel")


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


def show_about(parent) -> None:
    import numpy as np
    import PySide6
    import pyqtgraph
    from PySide6.QtCore import qVersion

    QMessageBox.about(
        parent, "About MLP Desktop",
        f"<h3>MLP Desktop {__version__}</h3>"
        "<p>Design, train and understand multilayer perceptrons.</p>"
        f"<p>Python {platform.python_version()}<br>Qt {qVersion()} (PySide6 {PySide6.__version__})<br>"
        f"NumPy {np.__version__}<br>pyqtgraph {pyqtgraph.__version__}</p>",
    )
