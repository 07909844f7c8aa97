"""``NetworkView``: zoom (Ctrl+wheel, +/-), pan (drag empty space with the left button) and fit (F).

Keys: ``+``/``-`` zoom, ``F`` fits the diagram, ``0`` shows it at 100 %, Delete/Backspace removes
the selected hidden neuron or layer. Until the user zooms or pans, the view keeps the whole
diagram fitted as it resizes or grows.
"""

from __future__ import annotations

from PySide6.QtCore import QPoint, QRectF, Qt, Signal
from PySide6.QtGui import QCursor, QPainter
from PySide6.QtWidgets import QFrame, QGraphicsView

from .scene import NetworkScene

MIN_SCALE, MAX_SCALE = 0.03, 6.0
MAX_FIT_SCALE = 1.3  # a small network is not blown up to fill a big window
ZOOM_STEP = 1.25
UNBOUNDED = 1e6  # scene units the view may scroll in every direction


class NetworkView(QGraphicsView):
    zoomChanged = Signal(float)

    def __init__(self, scene: NetworkScene, parent=None):
        super().__init__(scene, parent)
        self.setRenderHints(QPainter.RenderHint.Antialiasing | QPainter.RenderHint.TextAntialiasing)
        self.setDragMode(QGraphicsView.DragMode.ScrollHandDrag)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        self.setResizeAnchor(QGraphicsView.ViewportAnchor.AnchorViewCenter)
        # Live weights change most of the picture at once; one full repaint is simplest and cheapest.
        self.setViewportUpdateMode(QGraphicsView.ViewportUpdateMode.FullViewportUpdate)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setToolTip("")
        self._auto_fit = True
        self._fit_deferred = False
        # Fitting the diagram is the view's job, so the view's scroll area is unbounded: the
        # diagram can then be kept still while it changes under the pointer.
        self.setSceneRect(QRectF(-UNBOUNDED, -UNBOUNDED, 2 * UNBOUNDED, 2 * UNBOUNDED))
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self._press: QPoint | None = None
        self._press_on_empty = False
        scene.sceneRectChanged.connect(self._scene_grew)
        scene.rebuilt.connect(self.keep_anchor_in_place)
        scene.fitRequested.connect(self.fit_to_view)
        self.zoomChanged.connect(scene.set_view_zoom)  # step-through labels keep their size on screen

    # -- zoom and fit --------------------------------------------------------------------------
    def zoom(self) -> float:
        return self.transform().m11()

    def zoom_by(self, factor: float) -> None:
        current = self.zoom()
        factor = min(max(current * factor, MIN_SCALE), MAX_SCALE) / current
        if abs(factor - 1) > 1e-9:
            self._auto_fit = False
            self.scale(factor, factor)
            self.zoomChanged.emit(self.zoom())

    def zoom_in(self) -> None:
        self._zoom_around_centre(ZOOM_STEP)

    def zoom_out(self) -> None:
        self._zoom_around_centre(1 / ZOOM_STEP)

    def _zoom_around_centre(self, factor: float) -> None:
        anchor = self.transformationAnchor()
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorViewCenter)
        self.zoom_by(factor)
        self.setTransformationAnchor(anchor)

    def reset_zoom(self) -> None:
        self._auto_fit = False
        self.resetTransform()
        self.zoomChanged.emit(1.0)

    def fit_to_view(self) -> None:
        """Show the whole diagram (and keep doing so until the user zooms or pans)."""
        self._auto_fit = True
        scene = self.scene()
        if scene is None:
            return
        rect = scene.sceneRect()
        if rect.isEmpty() or self.viewport().width() < 10:
            return
        self._fit_deferred = False
        self.fitInView(rect, Qt.AspectRatioMode.KeepAspectRatio)
        if self.zoom() > MAX_FIT_SCALE:
            self.resetTransform()
            self.scale(MAX_FIT_SCALE, MAX_FIT_SCALE)
            self.centerOn(rect.center())
        self.zoomChanged.emit(self.zoom())

    def _scene_grew(self, rect) -> None:
        if self._auto_fit:
            if self.scene().edit_anchor is not None and self._pointer_on_diagram():
                self._fit_deferred = True  # the pointer is on a header: fit once it leaves the diagram
            else:  # (a count typed with the pointer elsewhere: nothing would ever leave, so fit now)
                self.fit_to_view()

    def keep_anchor_in_place(self, *unused) -> None:
        """After an edit made by clicking a header (+, -, the count), scroll so that header is where
        it was on screen: a button never moves away from under the pointer."""
        scene = self.scene()
        if scene is None or scene.edit_anchor is None or not self._pointer_on_diagram():
            return  # (with the pointer elsewhere there is nothing to keep under it: the diagram fits)
        layer_index, before = scene.edit_anchor
        after = scene.header_position(layer_index)
        if before is not None and after is not None and after != before:
            moved = self.transform().map(after) - self.transform().map(before)  # in screen pixels
            self.horizontalScrollBar().setValue(self.horizontalScrollBar().value() + round(moved.x()))
            self.verticalScrollBar().setValue(self.verticalScrollBar().value() + round(moved.y()))

    def _pointer_on_diagram(self) -> bool:
        """Whether the pointer is over the diagram now. (Qt's under-mouse flag went stale: a layout
        that moved the view under a pointer that did not move left it set, with the pointer over
        another panel, and a typed count never fitted the diagram.)"""
        return self.viewport().rect().contains(self.viewport().mapFromGlobal(QCursor.pos()))

    def leaveEvent(self, event) -> None:
        super().leaveEvent(event)
        if self._fit_deferred:
            self._fit_deferred = False
            if self._auto_fit:
                self.fit_to_view()

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        if self._auto_fit:
            self.fit_to_view()

    # -- mouse ---------------------------------------------------------------------------------
    def wheelEvent(self, event) -> None:
        if event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            steps = event.angleDelta().y() / 120.0
            if steps:
                self.zoom_by(ZOOM_STEP ** steps)
            event.accept()
        else:
            self._auto_fit = False
            super().wheelEvent(event)

    def mousePressEvent(self, event) -> None:
        self._press = event.position().toPoint()
        self._press_on_empty = self.itemAt(self._press) is None
        super().mousePressEvent(event)

    def mouseReleaseEvent(self, event) -> None:
        super().mouseReleaseEvent(event)
        press, self._press = self._press, None
        if press is None or event.button() != Qt.MouseButton.LeftButton or not self._press_on_empty:
            return
        moved = (event.position().toPoint() - press).manhattanLength()
        if moved > 4:
            self._auto_fit = False  # the user panned
        elif self.scene() is not None:
            self.scene().background_clicked(self.mapToScene(press), 4.0 / max(self.zoom(), 1e-6))

    # -- keys ----------------------------------------------------------------------------------
    def keyPressEvent(self, event) -> None:
        key = event.key()
        modifiers = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
        plain = modifiers in (Qt.KeyboardModifier.NoModifier, Qt.KeyboardModifier.ShiftModifier)
        if plain and key in (Qt.Key.Key_Plus, Qt.Key.Key_Equal):
            self.zoom_in()
        elif plain and key in (Qt.Key.Key_Minus, Qt.Key.Key_Underscore):
            self.zoom_out()
        elif plain and key == Qt.Key.Key_F:
            self.fit_to_view()
        elif plain and key == Qt.Key.Key_0:
            self.reset_zoom()
        elif key in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace) and self.scene() is not None:
            self.scene().delete_selected()
        else:
            super().keyPressEvent(event)
            return
        event.accept()
