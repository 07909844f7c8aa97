"""The PySide6 + pyqtgraph user interface: views and glue only; every decision lives in core."""
