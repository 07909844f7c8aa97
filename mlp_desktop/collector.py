"""The cyclic garbage collector, paused while the app starts.

Importing the core, PySide6 and pyqtgraph, and building the window, make long-lived objects only
(modules, classes, functions, widgets): the collector's passes over them during the start found
nothing (0 unreachable objects) and cost 10-50 ms each, a full one more as the heap grew. They are
made with the collector paused, then frozen (``gc.freeze``), so that later collections skip them;
re-enabled without freezing, the next collection walked all of them at once.
"""

from __future__ import annotations

import contextlib
import gc


@contextlib.contextmanager
def paused():
    """Run the block with the collector paused; freeze what exists after it; resume if it ran."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if collecting:
            gc.enable()
