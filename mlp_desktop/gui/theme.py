"""Light, dark or the system's look.

Qt's colour-scheme hint only works where the platform theme supports it (many Linux desktops do
not), so light and dark set the Fusion style with an explicit palette; "system" restores what the
app started with. The plots and the diagram follow too: :func:`apply_theme` switches
``plots.style`` (and so ``editor.style``) to the dark or light look; the window then restyles what
already exists.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication, QProxyStyle, QStyle, QStyleFactory

from .plots import style as plot_style

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

# Fusion draws a check box's (and radio button's) frame in the Window colour darkened 40 %: on
# a dark window that is #222 on #2b2b2b, an unticked box all but invisible, and no palette role
# changes it (measured: only Window and Base reach the indicator). The dark theme's style therefore
# draws indicators as if the window were this light grey, giving a #888 frame, about 4:1 against
# the window (3:1 is the usual minimum for controls).
INDICATOR_WINDOW = "#bcbcbc"
_INDICATORS = (QStyle.PrimitiveElement.PE_IndicatorCheckBox, QStyle.PrimitiveElement.PE_IndicatorRadioButton)


class _DarkStyle(QProxyStyle):
    """Fusion with check box and radio button frames that can be seen on a dark window."""

    def drawPrimitive(self, element, option, painter, widget=None) -> None:
        if element in _INDICATORS and option is not None:
            palette = QPalette(option.palette)
            palette.setColor(QPalette.ColorRole.Window, QColor(INDICATOR_WINDOW))
            option.palette = palette
        super().drawPrimitive(element, option, painter, widget)


_original: dict = {}
_applied: dict = {}  # the theme in force (and the dark style, which Python must keep alive)


def is_dark_palette(palette: QPalette) -> bool:
    """Whether ``palette`` is a dark one (its window colour is dark)."""
    return palette.color(QPalette.ColorRole.Window).lightnessF() < 0.5


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
    # The palette before the style: widgets with a style sheet take the palette in force when
    # the style changes, and set the other way round they kept the previous theme's colours
    # (dark text on a dark window after switching to dark).
    if name == "system":
        hints.unsetColorScheme()
        app.setPalette(_original["palette"])
        app.setStyle(QStyleFactory.create(_original["style"]))
        plot_style.set_dark(is_dark_palette(app.palette()))
        return
    hints.setColorScheme(Qt.ColorScheme.Dark if name == "dark" else Qt.ColorScheme.Light)
    fusion = QStyleFactory.create("Fusion")
    palette = QPalette(fusion.standardPalette())
    if name == "dark":
        for role, colour in _DARK.items():
            palette.setColor(role, QColor(colour))
        palette.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text, QColor("#7a7a7a"))
        palette.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.ButtonText, QColor("#7a7a7a"))
        palette.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.WindowText, QColor("#7a7a7a"))
        fusion = _applied["style"] = _DarkStyle(fusion)
    app.setPalette(palette)
    app.setStyle(fusion)
    plot_style.set_dark(name == "dark")
