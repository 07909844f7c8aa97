"""Saving a plot as PNG or SVG, atomically, and the "Export…" action that asks where."""

from __future__ import annotations

import contextlib
import importlib
import math
import os
from pathlib import Path
from typing import Callable

import pyqtgraph as pg
from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QRectF
from PySide6.QtGui import QAction, QColor, QImage, QPainter
from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

from ...core.errors import DataError
from ...core.fileio import atomic_path
from . import style

EXPORT_FILTER = "PNG image (*.png);;SVG drawing (*.svg)"
SUFFIXES = (".png", ".svg")  # PNG drawn here; SVG by pyqtgraph's exporter, imported on the first export


def export_graphics(item: pg.GraphicsItem, path: str | os.PathLike) -> Path:
    """Write ``item`` (a plot or a whole layout) to ``path``; the suffix picks PNG or SVG.

    The file is written under a temporary name in the same folder and renamed, so an existing
    file is never left half-written. Returns the path written.

    Raises
    ------
    DataError
        For a suffix other than ``.png`` or ``.svg``, or when the file cannot be written.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise DataError(
            f"Cannot export a plot to '{path.name}': choose a file name ending in .png or .svg."
        )
    if suffix == ".png":
        with _on_paper(item):
            drawn = _drawn_larger(item)
    else:
        from pyqtgraph.exporters import SVGExporter

        exporter = SVGExporter(item)
        # Exports are on white paper in every theme: they go into documents, slides and print, where
        # a dark plot looks out of place (and prints as a black block).
        exporter.parameters()["background"] = QColor(style.LIGHT.background)
        with _svg_closed_paths_tolerated(), _on_paper(item):
            drawn = exporter.export(toBytes=True)
    # Encoded in memory and written by Python: Qt's own file writing reports a full disk or a
    # refused write only as "False" (pyqtgraph drops even that), and could leave half a file.
    content = drawn if isinstance(drawn, bytes) else png_bytes(drawn)
    if not content:
        raise DataError(f"Could not draw the plot for '{path.name}'.")
    with atomic_path(path) as temporary:
        temporary.write_bytes(content)
    return path


PNG_SCALE = 2
"""A PNG export has this many times the pixels of the plot on screen, in each direction."""


def _drawn_larger(item: pg.GraphicsItem) -> QImage:
    """``item`` as on screen, on white, with ``PNG_SCALE`` times the pixels: as a high-resolution
    screen draws it, text and legend included (lines stay thin and sharp). At its on-screen size
    a plot exported at 303 x 428 pixels; pyqtgraph's image exporter, asked for more, enlarged the
    axes' text but not the legend's."""
    scene, source = item.scene(), item.sceneBoundingRect()
    if scene is None or source.width() < 2 or source.height() < 2:
        raise DataError("Cannot export a plot that has not been shown yet.")
    scale = PNG_SCALE
    image = QImage(math.ceil(source.width() * scale), math.ceil(source.height() * scale),
                   QImage.Format.Format_ARGB32_Premultiplied)
    image.setDevicePixelRatio(scale)
    image.fill(QColor(style.LIGHT.background))  # on white paper in every theme (documents, print)
    painter = QPainter(image)
    try:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setRenderHint(QPainter.RenderHint.TextAntialiasing)
        scene.render(painter, QRectF(0, 0, source.width(), source.height()), source)
    finally:
        painter.end()
    return image


@contextlib.contextmanager
def _on_paper(item: pg.GraphicsItem):
    """``item``'s scene in the light look while it is drawn, then back (no event loop runs between)."""
    scene, dark = item.scene(), style.look()
    if scene is None or dark == style.LIGHT:
        yield
        return
    hooks = _look_hooks(scene)
    try:
        with style.paper():
            style.restyle_scene(scene, dark, style.LIGHT)
            for hook in hooks:
                hook()
            yield
    finally:
        style.restyle_scene(scene, style.LIGHT, dark)
        for hook in hooks:
            hook()


def _look_hooks(scene) -> list:
    """The ``on_look_changed`` of the nearest widget around each view of ``scene`` that has one."""
    hooks = []
    for widget in scene.views():
        while widget is not None and not callable(getattr(widget, "on_look_changed", None)):
            widget = widget.parentWidget()
        if widget is not None:
            hooks.append(widget.on_look_changed)
    return hooks


def png_bytes(image: QImage) -> bytes:
    """``image`` encoded as PNG in memory (``b""`` if Qt cannot), to be written atomically."""
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    saved = image.save(buffer, "PNG")
    buffer.close()
    return data.data() if saved else b""


@contextlib.contextmanager
def _svg_closed_paths_tolerated():
    """Let pyqtgraph's SVG exporter cope with closed paths (``... Z``) during one export.

    pyqtgraph 0.14.0 parses every token of a path's ``d`` attribute as an ``x,y`` pair and fails
    on the close-path command Qt 6 writes for rectangles (pyqtgraph issue #3495). Around its
    coordinate correction we take the ``Z`` out and put it back afterwards; the exporter is only
    used from the GUI thread, so swapping the module function for the duration is safe.
    """
    module = importlib.import_module("pyqtgraph.exporters.SVGExporter")
    original = getattr(module, "correctCoordinates", None)
    if original is None:
        yield
        return

    def correct_coordinates(node, defs, item, options):
        closed = []
        for path in node.getElementsByTagName("path"):
            tokens = path.getAttribute("d").split()
            kept = [token for token in tokens if token not in ("Z", "z")]
            if len(kept) != len(tokens):
                path.setAttribute("d", " ".join(kept))
                closed.append(path)
        result = original(node, defs, item, options)
        for path in closed:
            path.setAttribute("d", path.getAttribute("d").rstrip() + " Z")
        return result

    module.correctCoordinates = correct_coordinates
    try:
        yield
    finally:
        module.correctCoordinates = original


def make_export_action(parent: QWidget, export: Callable[[str], None], default_name: str) -> QAction:
    """An "Export…" action: asks for a .png or .svg file name, calls ``export(path)``, shows errors."""
    action = QAction("Export…", parent)
    action.setToolTip("Save this plot as a PNG image or an SVG drawing")

    def ask_and_export() -> None:
        path, chosen_filter = QFileDialog.getSaveFileName(
            parent, "Export plot", default_name, EXPORT_FILTER
        )
        if not path:
            return
        if not Path(path).suffix:
            path += ".svg" if "svg" in chosen_filter.lower() else ".png"
        try:
            export(path)
        except DataError as error:
            QMessageBox.warning(parent, "Export plot", str(error))

    action.triggered.connect(ask_and_export)
    return action
