"""Light, dark or the system's look.

Qt's colour-scheme hint only works where the platform theme supports it (many Linux desktops do
not), so light and dark set the Fusion style with an explicit palette; "system" restores what the
app started with. The plots keep their white paper-like background in every theme.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication, QStyleFactory

THEMES = {"system": "Follow the system", "light": "Light", "dark": "Dark"}

_DARK = {
    QPalette.ColorRole.Window: "#2b2b2b", QPalette.ColorRole.WindowText: "#e6e6e6",
    QPalette.ColorRole.Base: "#1e1e1e", QPalette.ColorRole.AlternateBase: "#2f2f2f",
    QPalette.ColorRole.ToolTipBase: "#3a3a3a", QPalette.ColorRole.ToolTipText: "#f0f0f0",
    QPalette.ColorRole.Text: "#e6e6e6", QPalette.ColorRole.Button: "#353535",
    QPalette.ColorRole.ButtonText: "#e6e6e6", QPalette.ColorRole.BrightText: "#ff6b6b",
    QPalette.ColorRole.Highlight: "#0072B2", QPalette.ColorRole.HighlightedText: "#ffffff",
    QPalette.ColorRole.Link: "#56B4E9", QPalette.ColorRole.PlaceholderText: "#9a9a9a",
}

_original: dict = {}
_applied: dict = {}  # the theme in force


def apply_theme(name: str) -> None:
    """Switch the whole application to ``name`` (a key of ``THEMES``)."""
    app = QApplication.instance()
    if app is None or name not in THEMES or _applied.get("name") == name:
        return  # re-applying the same theme would re-polish every widget of the app for nothing
    _applied["name"] = name
    if not _original:
        _original["style"] = app.style().name()
        _original["palette"] = QPalette(app.palette())
    hints = QGuiApplication.styleHints()
    if name == "system":
        hints.unsetColorScheme()
        app.setStyle(QStyleFactory.create(_original["style"]))
        app.setPalette(_original["palette"])
        return
    hints.setColorScheme(Qt.ColorScheme.Dark if name == "dark" else Qt.ColorScheme.Light)
    fusion = QStyleFactory.create("Fusion")
    app.setStyle(fusion)
    palette = QPalette(fusion.standardPalette())
    if name == "dark":
        for role, colour in _DARK.items():
            palette.setColor(role, QColor(colour))
        palette.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text, QColor("#7a7a7a"))
        palette.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.ButtonText, QColor("#7a7a7a"))
        palette.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.WindowText, QColor("#7a7a7a"))
    app.setPalette(palette)
