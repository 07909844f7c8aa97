import pytest
from PySide6.QtWidgets import QMessageBox


@pytest.fixture(autouse=True)
def discard_unsaved_changes(monkeypatch):
    """Closing a window with unsaved changes asks; tests answer Discard unless they patch it."""
    monkeypatch.setattr(QMessageBox, "question", staticmethod(lambda *args, **kwargs: QMessageBox.StandardButton.Discard))
