"""The PySide6 + pyqtgraph user interface: views and glue only; every decision lives in core."""

from .. import collector

with collector.paused():  # PySide6's import makes long-lived objects only (see collector)
    from . import pyside_hook

pyside_hook.install()  # before the other modules of the interface are imported (see pyside_hook)
