"""Render resources/mlp-desktop.svg to PNG icons (run after editing the SVG).

    python packaging/render_icons.py
"""

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QImage, QPainter
from PySide6.QtSvg import QSvgRenderer

RESOURCES = Path(__file__).resolve().parent.parent / "resources"


def main() -> None:
    app = QGuiApplication([])
    renderer = QSvgRenderer(str(RESOURCES / "mlp-desktop.svg"))
    for size in (32, 64, 128, 256):
        image = QImage(size, size, QImage.Format.Format_ARGB32)
        image.fill(Qt.GlobalColor.transparent)
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        renderer.render(painter)
        painter.end()
        image.save(str(RESOURCES / f"mlp-desktop-{size}.png"))
    del app


if __name__ == "__main__":
    main()
