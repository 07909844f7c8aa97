"""Small widgets shared by several panels."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QSizePolicy

ERROR_STYLE = ("QLabel { border: 1px solid #c62828; border-radius: 3px; background: #fdecea;"
               " color: #8e0000; padding: 4px; }")


def error_label() -> QLabel:
    """A hidden, word-wrapped, selectable red box for a plain-words message shown inline."""
    label = QLabel()
    label.setWordWrap(True)
    label.setStyleSheet(ERROR_STYLE)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    label.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)
    label.hide()
    return label
