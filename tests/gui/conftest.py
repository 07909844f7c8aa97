import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QMessageBox


@pytest.fixture(autouse=True)
def discard_unsaved_changes(monkeypatch):
    """Closing a window with unsaved changes asks; tests answer Discard unless they patch it."""
    monkeypatch.setattr(QMessageBox, "question", staticmethod(lambda *args, **kwargs: QMessageBox.StandardButton.Discard))


@pytest.fixture
def window(qtbot, tmp_path):
    """A shown main window at 1280x800 (with the built-in sample) and settings of its own."""
    from mlp_desktop.gui.main_window import MainWindow

    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    window = MainWindow(settings=settings)
    qtbot.addWidget(window)
    window.resize(1280, 800)
    window.show()
    yield window
    window.controller.shutdown()
