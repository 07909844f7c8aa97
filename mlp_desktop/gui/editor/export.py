"""Saving the diagram as PNG or SVG, atomically (temporary file in the same folder, then ``os.replace``)."""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QImage, QPainter
from PySide6.QtSvg import QSvgGenerator
from PySide6.QtWidgets import QGraphicsScene

from ...core.errors import DataError
from ...core.fileio import atomic_path
from ..plots.exporting import png_bytes

EXPORT_FILTER = "PNG image (*.png);;SVG drawing (*.svg)"
PNG_SCALE = 2.0  # sharp on high-density screens and in print
MAX_PNG_SIDE = 8000


def export_scene(scene: QGraphicsScene, path: str | os.PathLike) -> Path:
    """Write the whole diagram to ``path``; the suffix (``.png`` or ``.svg``) picks the format.

    Raises
    ------
    DataError
        For another suffix, or when the file cannot be written.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in (".png", ".svg"):
        raise DataError(f"Cannot export the diagram to '{path.name}': choose a file name ending in .png or .svg.")
    source = scene.itemsBoundingRect().adjusted(-20, -20, 20, 20)
    if source.isEmpty():
        raise DataError("The diagram is empty; there is nothing to export.")
    selected = scene.selectedItems()
    scene.clearSelection()  # selection rings are editing aids, not part of the picture
    try:
        with scene.on_paper():  # light in every theme: exports go into white documents
            content = _rendered_png(scene, source) if suffix == ".png" else _svg_bytes(scene, source)
    finally:
        for item in selected:
            item.setSelected(True)
    if not content:
        raise DataError(f"Could not draw the diagram for '{path.name}'.")
    # Drawn in memory and written by Python: Qt's file writing cannot tell a full disk from
    # success (QSvgGenerator) and could leave half a file.
    with atomic_path(path) as temporary:
        temporary.write_bytes(content)
    return path


def _rendered_png(scene: QGraphicsScene, source: QRectF) -> bytes:
    scale = min(PNG_SCALE, MAX_PNG_SIDE / max(source.width(), source.height()))
    image = QImage(max(1, int(source.width() * scale)), max(1, int(source.height() * scale)),
                   QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(QColor("white"))
    painter = QPainter(image)
    painter.setRenderHints(QPainter.RenderHint.Antialiasing | QPainter.RenderHint.TextAntialiasing)
    scene.render(painter, QRectF(image.rect()), source, Qt.AspectRatioMode.KeepAspectRatio)
    painter.end()
    return png_bytes(image)


def _svg_bytes(scene: QGraphicsScene, source: QRectF) -> bytes:
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    generator = QSvgGenerator()
    generator.setOutputDevice(buffer)
    generator.setSize(QSize(int(source.width()), int(source.height())))
    generator.setViewBox(QRectF(0, 0, source.width(), source.height()))
    generator.setTitle("Network diagram")
    generator.setDescription("Exported by MLP Desktop")
    painter = QPainter(generator)
    painter.setRenderHints(QPainter.RenderHint.Antialiasing | QPainter.RenderHint.TextAntialiasing)
    scene.render(painter, QRectF(0, 0, source.width(), source.height()), source, Qt.AspectRatioMode.KeepAspectRatio)
    painter.end()
    buffer.close()
    return data.data()
