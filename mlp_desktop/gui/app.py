"""Starting the desktop app.

Until the full main window lands, this opens a minimal window that trains the health-score sample
and plots its RMSE, so `mlp-desktop` shows something real from the first install.
"""

from __future__ import annotations

import sys


def run_app(files: list[str] | None = None) -> int:
    from PySide6.QtWidgets import QApplication

    from .minimal_window import MinimalWindow

    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("MLP Desktop")
    window = MinimalWindow()
    window.show()
    return app.exec()
