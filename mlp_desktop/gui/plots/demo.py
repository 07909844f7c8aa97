"""Running one plot alone with fake data growing on a timer (``python -m ...plots.<module>``)."""

from __future__ import annotations

import sys
from typing import Callable

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QWidget


def run_demo(make_widget: Callable[[], QWidget], tick: Callable[[], None], title: str,
             interval_ms: int = 33) -> int:
    """Show ``make_widget()`` and call ``tick`` every ``interval_ms`` until the window closes."""
    import pyqtgraph as pg

    app = QApplication.instance() or QApplication(sys.argv[:1])
    pg.setConfigOptions(background="w", foreground="k", antialias=False)
    widget = make_widget()
    widget.setWindowTitle(title)
    widget.resize(1000, 640)
    widget.show()
    timer = QTimer(widget)
    timer.timeout.connect(tick)
    timer.start(interval_ms)
    return app.exec()
