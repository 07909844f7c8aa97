"""Toolbar icons drawn from small SVG sources, sharp at any size and screen scale.

Each icon is an SVG (24 x 24 view box) rendered into a :class:`QIcon` at several sizes, so Qt picks
a sharp pixmap for the toolbar's icon size times the screen's device pixel ratio (``QT_SCALE_FACTOR=2``,
a Retina or 4K screen). Outlines take the palette's text colour, so they stay readable in the dark
theme; :func:`follow_palette` redraws them when the palette changes.
"""

from __future__ import annotations

from PySide6.QtCore import QByteArray, QEvent, QObject, QRectF, QSize, Qt
from PySide6.QtGui import QAction, QGuiApplication, QIcon, QIconEngine, QImage, QPainter, QPalette, QPixmap
from PySide6.QtSvg import QSvgRenderer

SIZES = (16, 20, 24, 32, 40, 48, 64, 96)
"""Pixel sizes rendered: the common toolbar sizes at scale 1, 1.25, 1.5, 2 and 3 (and 4 for 24 px)."""

GREEN, RED = "#009E73", "#D55E00"  # Okabe-Ito: readable for colour-blind users, on light and dark

_STROKE = ('fill="none" stroke="{c}" stroke-width="2" stroke-linecap="round" stroke-linejoin="round"')

# Paths only; "{c}" is the outline colour, "{g}" and "{r}" the green and red accents.
SOURCES: dict[str, str] = {
    "add_layer": f'<g {_STROKE}><circle cx="6" cy="5" r="2.2"/><circle cx="6" cy="12" r="2.2"/>'
                 '<circle cx="6" cy="19" r="2.2"/><path d="M13 12h8M17 8v8" stroke="{g}"/></g>',
    "remove_layer": f'<g {_STROKE}><circle cx="6" cy="5" r="2.2"/><circle cx="6" cy="12" r="2.2"/>'
                    '<circle cx="6" cy="19" r="2.2"/><path d="M13 12h8" stroke="{r}"/></g>',
    "undo": f'<g {_STROKE}><path d="M9 14L4 9l5-5"/><path d="M4 9h10.5a5.5 5.5 0 0 1 0 11H11"/></g>',
    "redo": f'<g {_STROKE}><path d="M15 14l5-5-5-5"/><path d="M20 9H9.5a5.5 5.5 0 0 0 0 11H13"/></g>',
    "fit": f'<g {_STROKE}><path d="M3 8V3h5M16 3h5v5M21 16v5h-5M8 21H3v-5"/>'
           '<circle cx="9" cy="12" r="1.6"/><circle cx="15" cy="9" r="1.6"/><circle cx="15" cy="15" r="1.6"/></g>',
    "zoom_in": f'<g {_STROKE}><circle cx="10.5" cy="10.5" r="6.5"/><path d="M15.5 15.5L21 21"/>'
               '<path d="M8 10.5h5M10.5 8v5"/></g>',
    "zoom_out": f'<g {_STROKE}><circle cx="10.5" cy="10.5" r="6.5"/><path d="M15.5 15.5L21 21"/>'
                '<path d="M8 10.5h5"/></g>',
    # The diagram's bias node: a box holding "+1".
    "biases": f'<g {_STROKE}><rect x="2" y="6" width="20" height="12" rx="3"/><path d="M6 12h5M8.5 9.5v5"/>'
              '<path d="M14.5 10l2.5-1.5v7"/></g>',
    "export": f'<g {_STROKE}><path d="M12 3v12M7 8l5-5 5 5"/><path d="M5 15v4a2 2 0 0 0 2 2h10a2 2 0 0 0 2-2v-4"/></g>',
    "train": '<path d="M7 4.5l13 7.5-13 7.5z" fill="{g}" stroke="{g}" stroke-width="1.5" stroke-linejoin="round"/>',
    "pause": '<rect x="6" y="5" width="4" height="14" rx="1" fill="{c}"/><rect x="14" y="5" width="4" height="14" '
             'rx="1" fill="{c}"/>',
    "stop": '<rect x="5.5" y="5.5" width="13" height="13" rx="1.5" fill="{r}"/>',
    "step": '<path d="M5 5l10 7-10 7z" fill="{c}" stroke="{c}" stroke-width="1.5" stroke-linejoin="round"/>'
            '<rect x="16.5" y="5" width="2.5" height="14" rx="0.8" fill="{c}"/>',
    "reset": f'<g {_STROKE}><path d="M3.5 12a8.5 8.5 0 1 0 2.6-6.1"/><path d="M3.5 3.5v5h5"/></g>',
}


def svg(name: str, colour: str, accents: bool = True) -> str:
    """The SVG text of icon ``name`` with ``colour`` as its outline colour (and as its green and
    red accents too, without ``accents``: a disabled icon is all one dim colour)."""
    green, red = (GREEN, RED) if accents else (colour, colour)
    body = SOURCES[name].format(c=colour, g=green, r=red)
    return f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24" width="24" height="24">{body}</svg>'


class _SvgIconEngine(QIconEngine):
    """Draws icon ``name`` when Qt asks for a size and a look (normal or disabled), and keeps what it
    drew: drawing every size in both looks up front was 224 renders, about 0.02 s of the start."""

    def __init__(self, name: str, colour: str, dim: str):
        super().__init__()
        self.name, self.colour, self.dim = name, colour, dim
        self._drawn: dict[tuple[int, int, bool], QPixmap] = {}

    def pixmap(self, size: QSize, mode: QIcon.Mode, state: QIcon.State) -> QPixmap:  # noqa: N802 - Qt's names
        disabled = mode == QIcon.Mode.Disabled
        key = (size.width(), size.height(), disabled)
        if key not in self._drawn:
            source = svg(self.name, self.dim, False) if disabled else svg(self.name, self.colour)
            image = QImage(size, QImage.Format.Format_ARGB32_Premultiplied)
            image.fill(Qt.GlobalColor.transparent)
            painter = QPainter(image)
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            QSvgRenderer(QByteArray(source.encode())).render(painter, QRectF(0, 0, size.width(), size.height()))
            painter.end()
            self._drawn[key] = QPixmap.fromImage(image)
        return self._drawn[key]

    def paint(self, painter: QPainter, rect, mode: QIcon.Mode, state: QIcon.State) -> None:
        painter.drawPixmap(rect, self.pixmap(rect.size(), mode, state))

    def availableSizes(self, mode=QIcon.Mode.Normal, state=QIcon.State.Off) -> list[QSize]:  # noqa: N802
        return [QSize(size, size) for size in SIZES]

    def clone(self) -> "_SvgIconEngine":
        return _SvgIconEngine(self.name, self.colour, self.dim)


def icon(name: str, colour: str | None = None) -> QIcon:
    """A :class:`QIcon` of ``name`` (a key of ``SOURCES``), sharp at any size and screen scale;
    colour: the palette's text colour. Its disabled look is drawn in the palette's disabled text
    colour: Qt's own greying of a light outline left Pause, Stop and Undo nearly as bright as enabled
    in the dark theme."""
    palette = QGuiApplication.palette()
    if colour is None:
        colour = palette.color(QPalette.ColorRole.ButtonText).name()
    dim = palette.color(QPalette.ColorGroup.Disabled, QPalette.ColorRole.ButtonText).name()
    return QIcon(_SvgIconEngine(name, colour, dim))


class _PaletteFollower(QObject):
    """Redraws the icons of some actions when ``widget``'s palette changes (light/dark theme)."""

    def __init__(self, widget, icons: dict[QAction, str]):
        super().__init__(widget)
        self.icons = icons
        widget.installEventFilter(self)
        self.apply()

    def apply(self) -> None:
        for action, name in self.icons.items():
            action.setIcon(icon(name))

    def eventFilter(self, watched, event) -> bool:
        if event.type() == QEvent.Type.PaletteChange:
            self.apply()
        return False


def follow_palette(widget, icons: dict[QAction, str]) -> None:
    """Give each action its icon now, and again (recoloured) whenever ``widget``'s palette changes."""
    _PaletteFollower(widget, icons)
