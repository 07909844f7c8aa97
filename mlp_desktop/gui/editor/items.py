"""The diagram's graphics items. They draw and report what the user did to their scene; they
never edit the graph themselves.

The scene they report to is a :class:`~mlp_desktop.gui.editor.scene.NetworkScene`; each item
calls one of its ``*_clicked`` / ``header_*`` methods.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QLineF, QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QFontMetricsF, QPainter, QPainterPath, QPainterPathStroker, QPen
from PySide6.QtWidgets import QGraphicsEllipseItem, QGraphicsItem, QGraphicsLineItem, QStyle

from ...core.arrays import distinct_values
from . import style
from .style import HEADER_HEIGHT, HEADER_WIDTH, NEURON_RADIUS

COUNT_FIELD_WIDTH = 44  # a hidden layer's neuron count field in its header: room for "10,000"

_NO_SELECTION_BOX = ~QStyle.StateFlag.State_Selected


class Container(QGraphicsItem):
    """An invisible parent: removing it from the scene removes all its children at once."""

    def __init__(self, parent: QGraphicsItem | None = None):
        super().__init__(parent)
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemHasNoContents)

    def boundingRect(self) -> QRectF:
        return QRectF()

    def paint(self, painter, option, widget=None) -> None:
        pass


class TextBoxItem(QGraphicsItem):
    """Text (one or more lines) on a rounded box; ``anchor`` says which point of the box sits at ``pos()``:
    ``"center"``, ``"left"`` (middle of the left edge) or ``"right"``.

    ``fill``, ``border`` and ``text_colour`` name fields of :class:`~.style.DiagramLook` (``border``
    ``None``: no border), read when painting so the box follows the theme. ``font`` overrides
    ``point_size`` and ``bold``.
    """

    def __init__(self, text: str, parent: QGraphicsItem | None = None, point_size: float = 8,
                 fill: str = "box_fill", border: str | None = "box_border", text_colour: str = "text",
                 anchor: str = "center", bold: bool = False, font: QFont | None = None):
        super().__init__(parent)
        self._font = QFont(font) if font is not None else style.font(point_size, bold)
        self._fill, self._border, self._text_colour = fill, border, text_colour
        self._anchor = anchor
        self._rect = QRectF()
        self.setText(text)

    def setText(self, text: str) -> None:
        self.prepareGeometryChange()
        self._text = text
        metrics = QFontMetricsF(self._font)
        lines = text.split("\n")
        width = max(metrics.horizontalAdvance(line) for line in lines) + 8
        height = metrics.height() * len(lines) + 4
        left = {"center": -width / 2, "left": 0.0, "right": -width}[self._anchor]
        self._rect = QRectF(left, -height / 2, width, height)
        self.update()

    def text(self) -> str:
        return self._text

    def boundingRect(self) -> QRectF:
        return self._rect.adjusted(-1, -1, 1, 1)

    def paint(self, painter: QPainter, option, widget=None) -> None:
        look = style.look()
        painter.setPen(QPen(style.colour(getattr(look, self._border)), 0.8) if self._border else Qt.PenStyle.NoPen)
        painter.setBrush(style.colour(getattr(look, self._fill)))
        painter.drawRoundedRect(self._rect, 3, 3)
        painter.setFont(self._font)
        painter.setPen(style.colour(getattr(look, self._text_colour)))
        painter.drawText(self._rect, Qt.AlignmentFlag.AlignCenter, self._text)


class SceneTooltipMixin:
    """Items whose tooltip and left click are answered by the scene (it knows the parameters)."""

    def tooltip_text(self) -> str:
        scene = self.scene()
        return scene.tooltip_for(self) if scene is not None else ""

    def hoverEnterEvent(self, event) -> None:
        self.setToolTip(self.tooltip_text())
        super().hoverEnterEvent(event)

    def mousePressEvent(self, event) -> None:
        if event.button() == Qt.MouseButton.LeftButton and self.scene() is not None:
            event.accept()
            self.report_click(self.scene())
        else:
            event.ignore()

    def report_click(self, scene) -> None:
        raise NotImplementedError


class NeuronItem(QGraphicsEllipseItem):
    """One drawn neuron: ``layer_index`` (0 = inputs) and its ``neuron_index`` in the full layer."""

    def __init__(self, layer_index: int, neuron_index: int, kind: str, parent: QGraphicsItem | None = None):
        r = NEURON_RADIUS
        super().__init__(-r, -r, 2 * r, 2 * r, parent)
        self.layer_index, self.neuron_index, self.kind = layer_index, neuron_index, kind
        self.highlighted = False
        self._hovered = False
        self.setZValue(style.Z_NEURONS)
        self.setAcceptHoverEvents(True)
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIsSelectable)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.restyle()

    def restyle(self) -> None:
        """The uncoloured fill of the theme in force (weights, once known, set their own)."""
        look = style.look()
        self.set_fill(QColor(look.input_fill if self.kind == "input" else look.neuron_fill))

    def set_fill(self, colour: QColor) -> None:
        self.setBrush(QBrush(colour))

    def fill(self) -> QColor:
        return self.brush().color()

    def set_highlighted(self, on: bool) -> None:
        if on != self.highlighted:
            self.highlighted = on
            self.update()

    tooltip_text = SceneTooltipMixin.tooltip_text

    def hoverEnterEvent(self, event) -> None:
        self._hovered = True
        self.setToolTip(self.tooltip_text())
        self.update()
        super().hoverEnterEvent(event)

    def hoverLeaveEvent(self, event) -> None:
        self._hovered = False
        self.update()
        super().hoverLeaveEvent(event)

    def mousePressEvent(self, event) -> None:
        super().mousePressEvent(event)  # selection
        if event.button() == Qt.MouseButton.LeftButton and self.scene() is not None:
            self.scene().neuron_clicked(self)

    def paint(self, painter: QPainter, option, widget=None) -> None:
        option.state = option.state & _NO_SELECTION_BOX
        look = style.look()
        if self.highlighted:
            pen = QPen(QColor(look.highlight), 3.0)
        else:
            pen = QPen(QColor(look.outline), 2.0 if self._hovered else 1.2)
        painter.setPen(pen)
        painter.setBrush(self.brush())
        painter.drawEllipse(self.rect())
        if self.isSelected():
            painter.setPen(QPen(QColor(style.SELECTION), 2.5))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawEllipse(self.rect().adjusted(-4.5, -4.5, 4.5, 4.5))

    def boundingRect(self) -> QRectF:
        return self.rect().adjusted(-7, -7, 7, 7)


class EdgeItem(SceneTooltipMixin, QGraphicsLineItem):
    """One drawn connection; ``parameter`` is ``("W", k, i, j)`` or, from a bias node, ``("b", k, j)``."""

    def __init__(self, line: QLineF, parameter: tuple, parent: QGraphicsItem | None = None):
        super().__init__(line, parent)
        self.parameter = parameter
        self.highlighted = False
        self._style_pen = style.neutral_pen()
        path = QPainterPath(line.p1())
        path.lineTo(line.p2())
        stroker = QPainterPathStroker()
        stroker.setWidth(7.0)  # easier to hover and click than the drawn line
        self._shape = stroker.createStroke(path)
        self._bounds = self._shape.boundingRect().adjusted(-6, -6, 6, 6)  # room for the cosmetic pen
        self.setZValue(style.Z_BIAS_EDGES if parameter[0] == "b" else style.Z_EDGES)
        self.setAcceptHoverEvents(True)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setPen(self._style_pen)

    @property
    def name(self) -> str:
        from ...core.parameters import bias_name, weight_name

        return weight_name(*self.parameter[1:]) if self.parameter[0] == "W" else bias_name(*self.parameter[1:])

    def set_style_pen(self, pen: QPen) -> None:
        self._style_pen = pen
        if not self.highlighted:
            self.setPen(pen)

    def restyle(self) -> None:
        """Take the highlight pen of the theme in force (the scene resets the style pen)."""
        if self.highlighted:
            self.setPen(style.highlight_pen())

    def set_highlighted(self, on: bool) -> None:
        if on != self.highlighted:
            self.highlighted = on
            self.setPen(style.highlight_pen() if on else self._style_pen)
            self.setZValue(style.Z_HIGHLIGHT if on else (style.Z_BIAS_EDGES if self.parameter[0] == "b"
                                                         else style.Z_EDGES))

    def shape(self) -> QPainterPath:
        return self._shape

    def boundingRect(self) -> QRectF:
        return self._bounds

    def report_click(self, scene) -> None:
        scene.edge_clicked(self.parameter)


class BatchedEdgesItem(QGraphicsItem):
    """All drawn connections of one layer pair ``k`` in one item (big layers).

    Lines are grouped by pen (sign x magnitude level) so a weight update regroups a few lists and
    repaints; nothing is rebuilt. The item has no shape: the scene finds the line under the mouse
    with :meth:`edge_at`, so hit tests never walk a thousand lines.
    """

    def __init__(self, k: int, sources: np.ndarray, source_ys: np.ndarray, source_x: float,
                 targets: np.ndarray, target_ys: np.ndarray, target_x: float,
                 parent: QGraphicsItem | None = None):
        super().__init__(parent)
        self.k = k
        self.pairs_i = np.repeat(np.asarray(sources), len(targets))
        self.pairs_j = np.tile(np.asarray(targets), len(sources))
        y0 = np.repeat(np.asarray(source_ys, dtype=float), len(targets))
        y1 = np.tile(np.asarray(target_ys, dtype=float), len(sources))
        self._p0 = np.column_stack([np.full_like(y0, source_x), y0])
        self._p1 = np.column_stack([np.full_like(y1, target_x), y1])
        self._lines = [QLineF(source_x, a, target_x, b) for a, b in zip(y0.tolist(), y1.tolist())]
        self._index = {(int(i), int(j)): n for n, (i, j) in enumerate(zip(self.pairs_i, self.pairs_j))}
        top = float(min(y0.min(initial=0), y1.min(initial=0)))
        bottom = float(max(y0.max(initial=0), y1.max(initial=0)))
        margin = 20.0  # room for cosmetic pens when zoomed out
        self._bounds = QRectF(source_x - margin, top - margin, target_x - source_x + 2 * margin,
                              bottom - top + 2 * margin)
        self._groups: list[tuple[QPen, list[QLineF]]] = [(style.neutral_pen(), self._lines)]
        self._pens = style.level_pens()
        self._highlighted: list[int] = []
        self.weights: np.ndarray | None = None
        self.setZValue(style.Z_EDGES)
        self.setAcceptedMouseButtons(Qt.MouseButton.NoButton)

    def __len__(self) -> int:
        return len(self._lines)

    def set_weights(self, values: np.ndarray | None, scale: float = 0.0) -> None:
        """Colour line ``n`` by ``values[n]`` (``None``: all neutral grey)."""
        if values is None:
            self.weights = None
            self._groups = [(style.neutral_pen(), self._lines)]
        else:
            self.weights = np.asarray(values, dtype=float)
            keys = style.level_keys(self.weights, scale)
            order = np.argsort(keys % style.MAGNITUDE_LEVELS, kind="stable")  # strong lines on top
            lines = self._lines
            groups = []
            distinct = distinct_values(keys)
            for key in distinct[np.argsort(distinct % style.MAGNITUDE_LEVELS, kind="stable")]:
                members = order[keys[order] == key]
                groups.append((self._pens[int(key)], [lines[n] for n in members.tolist()]))
            self._groups = groups
        self.update()

    def restyle(self) -> None:
        """Take the pens of the theme in force; the scene then re-applies the weights."""
        self._pens = style.level_pens()
        self.update()

    def pen_groups(self) -> list[tuple[QPen, int]]:
        """``(pen, number of lines)`` per group, in paint order (for tests and the benchmark)."""
        return [(pen, len(lines)) for pen, lines in self._groups]

    def set_highlighted(self, pairs) -> None:
        self._highlighted = [self._index[p] for p in pairs if p in self._index]
        self.update()

    def highlighted_pairs(self) -> set[tuple[int, int]]:
        return {(int(self.pairs_i[n]), int(self.pairs_j[n])) for n in self._highlighted}

    def edge_at(self, point: QPointF, tolerance: float) -> tuple[int, int] | None:
        """The ``(i, j)`` of the line nearest ``point`` if within ``tolerance`` scene units."""
        if not self._lines or not self._bounds.adjusted(-tolerance, -tolerance, tolerance, tolerance).contains(point):
            return None
        p = np.array([point.x(), point.y()])
        d = self._p1 - self._p0
        length2 = np.maximum((d * d).sum(axis=1), 1e-12)
        t = np.clip(((p - self._p0) * d).sum(axis=1) / length2, 0.0, 1.0)
        nearest = self._p0 + t[:, None] * d
        distance = np.hypot(*(nearest - p).T)
        n = int(np.argmin(distance))
        if distance[n] > tolerance:
            return None
        return int(self.pairs_i[n]), int(self.pairs_j[n])

    def boundingRect(self) -> QRectF:
        return self._bounds

    def shape(self) -> QPainterPath:
        return QPainterPath()

    def paint(self, painter: QPainter, option, widget=None) -> None:
        for pen, lines in self._groups:
            painter.setPen(pen)
            painter.drawLines(lines)
        if self._highlighted:
            painter.setPen(style.highlight_pen())
            painter.drawLines([self._lines[n] for n in self._highlighted])


class BiasNodeItem(SceneTooltipMixin, QGraphicsItem):
    """The constant ``+1`` input feeding layer ``k``'s neurons; its weights are the biases ``b{k}``."""

    SIZE = 20.0

    def __init__(self, k: int, parent: QGraphicsItem | None = None):
        super().__init__(parent)
        self.k = k
        self.setZValue(style.Z_NEURONS)
        self.setAcceptHoverEvents(True)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self._font = style.font(7.5, bold=True)

    def boundingRect(self) -> QRectF:
        s = self.SIZE / 2 + 1
        return QRectF(-s, -s, 2 * s, 2 * s)

    def paint(self, painter: QPainter, option, widget=None) -> None:
        s = self.SIZE / 2
        rect = QRectF(-s, -s, 2 * s, 2 * s)
        look = style.look()
        painter.setPen(QPen(QColor(look.outline), 1.0))
        painter.setBrush(QColor(look.bias_node_fill))
        painter.drawRect(rect)
        painter.setPen(QColor(look.text))
        painter.setFont(self._font)
        painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, "+1")

    def report_click(self, scene) -> None:
        scene.bias_node_clicked(self.k)


class _HeaderPart(QGraphicsItem):
    """A clickable part of a header (the activation chip or a +/- button); reports ``part`` to the scene."""

    def __init__(self, header: "LayerHeaderItem", part: str, rect: QRectF, text: str, tooltip: str):
        super().__init__(header)
        self.header, self.part, self._rect, self._text = header, part, rect, text
        self._hovered = False
        self._font = style.font(8.5, bold=part != "activation")
        self.setToolTip(tooltip)
        self.setAcceptHoverEvents(True)
        self.setCursor(Qt.CursorShape.PointingHandCursor)

    def text(self) -> str:
        return self._text

    def boundingRect(self) -> QRectF:
        return self._rect.adjusted(-1, -1, 1, 1)

    def paint(self, painter: QPainter, option, widget=None) -> None:
        look = style.look()
        painter.setPen(QPen(QColor(look.button_border), 0.8))
        painter.setBrush(QColor(look.button_hover_fill if self._hovered else look.button_fill))
        painter.drawRoundedRect(self._rect, 3, 3)
        painter.setFont(self._font)
        painter.setPen(QColor(look.text))
        painter.drawText(self._rect, Qt.AlignmentFlag.AlignCenter, self._text)

    def hoverEnterEvent(self, event) -> None:
        self._hovered = True
        self.update()

    def hoverLeaveEvent(self, event) -> None:
        self._hovered = False
        self.update()

    def mousePressEvent(self, event) -> None:
        event.accept() if event.button() == Qt.MouseButton.LeftButton else event.ignore()

    def mouseReleaseEvent(self, event) -> None:
        if self.boundingRect().contains(event.pos()) and self.scene() is not None:
            self.scene().header_part_clicked(self.header.layer_index, self.part, event.screenPos())


class LayerHeaderItem(QGraphicsItem):
    """A layer's header: kind, size and activation; +/- buttons and drag-to-reorder for hidden layers."""

    def __init__(self, layer_index: int, kind: str, title: str, size_text: str, activation: str | None,
                 parent: QGraphicsItem | None = None):
        super().__init__(parent)
        self.layer_index, self.kind = layer_index, kind
        self.title, self.size_text, self.activation = title, size_text, activation
        self._rect = QRectF(-HEADER_WIDTH / 2, 0, HEADER_WIDTH, HEADER_HEIGHT)
        self._title_font = style.font(9.5, bold=True)
        self._font = style.font(8.5)
        self._drag_from: float | None = None
        self._dragging = False
        self.editable = True
        self.setZValue(style.Z_HEADERS)
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIsSelectable)
        self.setAcceptHoverEvents(True)
        w, h = HEADER_WIDTH, HEADER_HEIGHT
        self.activation_part = None
        self.minus_button = self.plus_button = None
        if activation is not None:
            self.activation_part = _HeaderPart(self, "activation", QRectF(-w / 2 + 8, h - 22, w - 16, 17),
                                               f"{activation} ▾", "Choose the activation function")
        self.count_part = None
        if kind == "hidden":
            # The count is a field: click it and type any number (one undoable edit). The buttons
            # sit at fixed places in the header, and the view keeps the header still under the
            # pointer while the layer grows (NetworkView.keep_anchor_in_place).
            self.count_part = _HeaderPart(self, "count", QRectF(-w / 2 + 8, 21, COUNT_FIELD_WIDTH, 17),
                                          size_text.split()[0], "Click to type the number of neurons")
            self.minus_button = _HeaderPart(self, "minus", QRectF(w / 2 - 46, 21, 18, 17), "−", "Remove a neuron")
            self.plus_button = _HeaderPart(self, "plus", QRectF(w / 2 - 25, 21, 18, 17), "+", "Add a neuron")
        self.set_editable(True)

    def summary(self) -> str:
        """The header's text on one line, e.g. ``"Hidden 1 · 4 neurons · tanh"``."""
        parts = [self.title, self.size_text] + ([self.activation] if self.activation is not None else [])
        return " · ".join(parts)

    def set_editable(self, editable: bool) -> None:
        self.editable = editable
        for button in (self.minus_button, self.plus_button):
            if button is not None:
                button.setVisible(editable)
        if self.count_part is not None:
            self.count_part.setEnabled(editable)
            self.count_part.setCursor(Qt.CursorShape.IBeamCursor if editable else Qt.CursorShape.ArrowCursor)
            self.count_part.setToolTip("Click to type the number of neurons" if editable
                                       else "Editing is locked while training")
        if self.activation_part is not None:
            self.activation_part._text = f"{self.activation} ▾" if editable else self.activation
            self.activation_part.setEnabled(editable)
            self.activation_part.update()
        draggable = editable and self.kind == "hidden"
        self.setCursor(Qt.CursorShape.SizeHorCursor if draggable else Qt.CursorShape.ArrowCursor)
        self.setToolTip(("Drag sideways to move this layer; " if draggable else "")
                        + ("right-click for layer actions" if editable else "Editing is locked while training"))

    def boundingRect(self) -> QRectF:
        return self._rect.adjusted(-3, -3, 3, 3)

    def paint(self, painter: QPainter, option, widget=None) -> None:
        selected = self.isSelected()
        look = style.look()
        painter.setPen(QPen(QColor(style.SELECTION if selected else look.header_border), 2.5 if selected else 1.0))
        painter.setBrush(QColor(look.header_drag_fill if self._dragging else look.header_fill))
        painter.drawRoundedRect(self._rect, 5, 5)
        painter.setPen(QColor(look.text))
        painter.setFont(self._title_font)
        painter.drawText(self._rect.adjusted(8, 3, -8, 0), Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop,
                         self.title)
        painter.setFont(self._font)
        painter.setPen(QColor(look.secondary_text))
        size_left = self._rect.left() + 8 + (COUNT_FIELD_WIDTH + 4 if self.count_part is not None else 0)
        size_text = self.size_text.split(maxsplit=1)[-1] if self.count_part is not None else self.size_text
        painter.drawText(QRectF(size_left, 21, HEADER_WIDTH - 60, 17),
                         Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, size_text)
        if self.activation is None:
            painter.setPen(QColor(look.muted_text))
            painter.drawText(QRectF(self._rect.left() + 8, HEADER_HEIGHT - 22, HEADER_WIDTH - 16, 17),
                             Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, "no activation")

    # -- dragging a hidden layer sideways ------------------------------------------------------
    def mousePressEvent(self, event) -> None:
        super().mousePressEvent(event)  # selection
        self._drag_from = event.scenePos().x() if event.button() == Qt.MouseButton.LeftButton else None
        self._home_x = self.x()

    def mouseMoveEvent(self, event) -> None:
        if self._drag_from is None or not self.editable or self.kind != "hidden":
            return
        dx = event.scenePos().x() - self._drag_from
        if not self._dragging and abs(dx) < 6:
            return
        self._dragging = True
        self.setX(self._home_x + dx)
        if self.scene() is not None:
            self.scene().header_dragged(self)

    def mouseReleaseEvent(self, event) -> None:
        was_dragging, self._dragging, self._drag_from = self._dragging, False, None
        super().mouseReleaseEvent(event)
        if was_dragging and self.scene() is not None:
            x = self.x()
            self.setX(self._home_x)
            self.update()
            self.scene().header_dropped(self, x)
