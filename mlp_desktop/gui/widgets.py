"""Small widgets shared by several panels."""

from __future__ import annotations

import time

from PySide6.QtCore import Qt
from PySide6.QtGui import QPainter
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QLabel, QSizePolicy, QStatusBar, QTableView, QWidget

ERROR_STYLE = ("QLabel { border: 1px solid #c62828; border-radius: 3px; background: #fdecea;"
               " color: #8e0000; padding: 4px; }")


def error_label() -> QLabel:
    """A hidden, word-wrapped, selectable red box for a plain-words message shown inline."""
    label = QLabel()
    label.setWordWrap(True)
    label.setStyleSheet(ERROR_STYLE)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    label.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)
    label.hide()
    return label


class ElidedLabel(QLabel):
    """A one-line label that ends in "…" when it is too narrow, instead of being cut off mid-letter.

    ``text()`` stays the whole text; give the label a tooltip that shows it all.
    """

    def __init__(self, text: str = "", parent=None):
        super().__init__(text, parent)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)

    def minimumSizeHint(self):
        hint = super().minimumSizeHint()
        hint.setWidth(self.fontMetrics().horizontalAdvance("…") * 4)
        return hint

    def is_elided(self) -> bool:
        return self.fontMetrics().horizontalAdvance(self.text()) > self.contentsRect().width()

    def paintEvent(self, event) -> None:
        painter = QPainter(self)
        rect = self.contentsRect()
        shown = self.fontMetrics().elidedText(self.text(), Qt.TextElideMode.ElideRight, rect.width())
        painter.setPen(self.palette().color(self.foregroundRole()))
        painter.drawText(rect, self.alignment(), shown)
        painter.end()


class StatusBar(QStatusBar):
    """A status bar whose messages end in "..." where they would run under its permanent widgets
    (the epoch count), instead of being cut mid-word; the whole message is in the tooltip. A
    message shown before the window has its size (the start-up sample's) is fitted again as the
    bar is resized."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self._permanent: list = []
        self._whole = ("", "", 0.0)  # the text shown, the text given, when it expires (monotonic s)

    def addPermanentWidget(self, widget, stretch: int = 0) -> None:
        self._permanent.append(widget)
        super().addPermanentWidget(widget, stretch)

    def showMessage(self, text: str, timeout: int = 0) -> None:
        expires = time.monotonic() + timeout / 1000 if timeout > 0 else 0.0
        self._show_fitted(text, expires)

    def _show_fitted(self, text: str, expires: float) -> None:
        shown = text  # not laid out yet: fitted when it is (resizeEvent)
        if self.isVisible():
            # (- 40: the bar's margins and a visible gap before the epoch count; at - 24 the "..." touched it)
            room = self.width() - sum(w.width() + 6 for w in self._permanent if w.isVisible()) - 40
            shown = self.fontMetrics().elidedText(text, Qt.TextElideMode.ElideRight, max(room, 40))
        self.setToolTip(text if shown != text else "")
        self._whole = (shown, text, expires)
        left = 0 if expires == 0.0 else max(1, int((expires - time.monotonic()) * 1000))
        super().showMessage(shown, left)

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        shown, text, expires = self._whole
        if shown and self.currentMessage() == shown:  # still ours: fit it to the new width
            self._show_fitted(text, expires)

    def whole_message(self) -> str:
        """The current message as it was given, before any ellipsis."""
        shown, text, _ = self._whole
        current = self.currentMessage()
        return text if current and current == shown else current


class BuiltWhenNeeded:
    """Mixin for a widget with expensive parts (pyqtgraph plots) that it may never need.

    :meth:`_build_parts` makes them when the widget calls :meth:`ensure_parts`, or when code first
    reads one of ``LAZY_PARTS`` (a test, an export). Until then the widget only keeps what it was
    given and must not touch those parts (check :attr:`parts_built`).
    """

    LAZY_PARTS: frozenset[str] = frozenset()
    parts_built = False

    def _build_parts(self) -> None:
        raise NotImplementedError

    def ensure_parts(self) -> None:
        """Build the parts now if they are not built yet."""
        if not self.parts_built:
            self.parts_built = True
            self._build_parts()

    def __getattr__(self, name: str):
        if name in type(self).LAZY_PARTS and not self.parts_built:
            self.ensure_parts()
            return getattr(self, name)
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")


class BuiltWhenShown(BuiltWhenNeeded):
    """A :class:`BuiltWhenNeeded` view that builds its parts when first shown: a hidden tab's
    plots cost start-up time for nothing. Its show event comes before its first paint.

    Not on ``setVisible``: Qt calls that virtual also while a window is being destroyed (a stacked
    widget shows its next page as the current one goes), and building plots inside a window being
    deleted crashed the tests' teardown now and then; a show event only comes to a window on
    screen.
    """

    def showEvent(self, event) -> None:  # noqa: N802 - Qt's name
        if not self.parts_built:
            self.ensure_parts()
            # Qt shows widgets added to a widget on screen on its next pass; this frame needs them
            # now (Qt's rule: a child hidden on purpose stays hidden, and windows - a toolbar's
            # menu, say - are not children it shows).
            for child in self.findChildren(QWidget):
                if not child.isWindow() and not child.testAttribute(Qt.WidgetAttribute.WA_WState_ExplicitShowHide):
                    child.setVisible(True)
        super().showEvent(event)


def compact_list_table(view: QTableView) -> QTableView:
    """A table used as a list of rows to edit (a wide table's roles, a many-input form): one row
    selected at a time, rows one line high, no row numbers, and Tab leaving the table (the arrow
    keys move between rows)."""
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setTabKeyNavigation(False)
    view.setWordWrap(False)
    view.verticalHeader().hide()
    view.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
    view.verticalHeader().setDefaultSectionSize(view.fontMetrics().height() + 8)
    return view


def focus_first(root) -> bool:
    """Give the keyboard focus to the first control inside ``root`` that Tab would reach.

    Returns False when ``root`` holds no such control (hidden, disabled or not focusable).
    """
    widget = root
    for _ in range(100_000):  # the chain is a cycle through the window; this only guards against a broken one
        widget = widget.nextInFocusChain()
        if widget is root or widget is None:
            break
        if (root.isAncestorOf(widget) and widget.isVisible() and widget.isEnabled()
                and widget.focusPolicy() & Qt.FocusPolicy.TabFocus):
            widget.setFocus(Qt.FocusReason.ShortcutFocusReason)
            return True
    if root.focusPolicy() & Qt.FocusPolicy.TabFocus and root.isVisible():
        root.setFocus(Qt.FocusReason.ShortcutFocusReason)
        return True
    return False


def make_keyboard_reachable(toolbar) -> None:
    """Put a toolbar's buttons in the Tab order (Qt leaves toolbar buttons out of it), so commands
    that live only there, such as a plot's Log scale, can be reached and pressed (Space) from the keyboard."""
    from PySide6.QtWidgets import QToolButton

    for action in toolbar.actions():
        button = toolbar.widgetForAction(action)
        if isinstance(button, QToolButton):
            button.setFocusPolicy(Qt.FocusPolicy.TabFocus)
