"""The checkable tree of parameters: layers, then destination neurons, then weights and bias."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt, QTimer, Signal, Slot
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QTreeWidget, QTreeWidgetItem, QWidget

from ...core.parameters import LayerGroup

COLUMN_ROLE = Qt.ItemDataRole.UserRole
NEURON_ROLE = Qt.ItemDataRole.UserRole + 1
EAGER_LEAVES = 200
"""Up to this many parameters every leaf is made at once; beyond, a neuron's leaves are made when it
is expanded (or a leaf is asked for): 784-64-10 made 50,372 items in 0.55-0.65 s on every reopen,
and 784-2-10 made 1,600 leaves (and coloured them twice) each time a 784-column table was opened.
The neurons start collapsed either way, so what is seen is the same."""
_GROUP_FLAGS = (
    Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsUserCheckable | Qt.ItemFlag.ItemIsAutoTristate
)
_LEAF_FLAGS = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsUserCheckable | Qt.ItemFlag.ItemIsSelectable
_CHECKED, _UNCHECKED, _PARTIAL = Qt.CheckState.Checked, Qt.CheckState.Unchecked, Qt.CheckState.PartiallyChecked


class ParameterTree(QTreeWidget):
    """Tick parameters to plot them; ticking a layer or neuron ticks everything under it.

    What is ticked is kept in an array (``checked_columns``), so a neuron whose leaves are not
    made yet still knows its parameters' states; the leaves show them when they are made.

    Signals
    -------
    checkedChanged : emitted once after a burst of check changes (checking a layer changes many).
    parameterClicked(str) : a parameter (leaf) was clicked.
    """

    checkedChanged = Signal()
    parameterClicked = Signal(str)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setHeaderHidden(True)
        self.setUniformRowHeights(True)  # fast with a thousand rows
        self._names: list[str] = []
        self._checked = np.zeros(0, dtype=bool)
        self._colours: dict[int, str] = {}
        self._leaves: list[QTreeWidgetItem | None] = []
        self._neuron_items: list[QTreeWidgetItem] = []
        self._neuron_columns: list[list[int]] = []
        self._neuron_of = np.zeros(0, dtype=np.int64)  # column -> its neuron's index
        self._made: list[int] = []  # neurons whose leaves are made
        self.layer_items: list[QTreeWidgetItem] = []
        self._notify = QTimer(self)
        self._notify.setSingleShot(True)
        self._notify.setInterval(0)
        self._notify.timeout.connect(self.checkedChanged)
        self.itemChanged.connect(self._on_item_changed)
        self.itemClicked.connect(self._on_item_clicked)
        self.itemExpanded.connect(self._on_item_expanded)

    def set_parameters(self, names: list[str], groups: list[LayerGroup], checked: list[int]) -> None:
        """Rebuild the tree for ``names`` grouped as ``groups``, ticking the columns in ``checked``."""
        self._names = list(names)
        self._checked = np.zeros(len(names), dtype=bool)
        self._checked[list(checked)] = True
        self._colours = {}
        lazy = len(names) > EAGER_LEAVES
        self.blockSignals(True)
        try:
            self.clear()
            self._leaves = [None] * len(names)
            self._neuron_items, self._neuron_columns, self._made = [], [], []
            self._neuron_of = np.zeros(len(names), dtype=np.int64)
            self.layer_items = []
            for layer in groups:
                layer_item = QTreeWidgetItem([layer.title])
                layer_item.setFlags(_GROUP_FLAGS)
                layer_item.setCheckState(0, _UNCHECKED)
                for neuron in layer.neurons:
                    neuron_item = QTreeWidgetItem(layer_item, [neuron.title])
                    neuron_item.setFlags(_GROUP_FLAGS)
                    index = len(self._neuron_items)
                    neuron_item.setData(0, NEURON_ROLE, index)
                    self._neuron_items.append(neuron_item)
                    self._neuron_columns.append(list(neuron.columns))
                    self._neuron_of[neuron.columns] = index
                    if lazy:
                        neuron_item.setChildIndicatorPolicy(QTreeWidgetItem.ChildIndicatorPolicy.ShowIndicator)
                        neuron_item.setCheckState(0, self._state_of(index))
                    else:
                        self._make_leaves(index)
                self.layer_items.append(layer_item)
            self.addTopLevelItems(self.layer_items)
            for layer_item in self.layer_items:
                layer_item.setExpanded(True)
        finally:
            self.blockSignals(False)

    def checked_columns(self) -> list[int]:
        """Columns of the ticked parameters, in parameter order."""
        return np.flatnonzero(self._checked).tolist()

    def set_checked_columns(self, columns: list[int]) -> None:
        """Tick exactly ``columns``."""
        self._checked[:] = False
        self._checked[list(columns)] = True
        self.blockSignals(True)
        try:
            for index, neuron_item in enumerate(self._neuron_items):
                if neuron_item.childCount():
                    for column in self._neuron_columns[index]:
                        self._leaves[column].setCheckState(0, _CHECKED if self._checked[column] else _UNCHECKED)
                else:
                    neuron_item.setCheckState(0, self._state_of(index))
        finally:
            self.blockSignals(False)
        self._notify.start()

    def leaf(self, column: int) -> QTreeWidgetItem:
        """The tree item of parameter ``column`` (made now if its neuron was never expanded)."""
        if self._leaves[column] is None:
            self._make_leaves(int(self._neuron_of[column]))
        return self._leaves[column]

    def show_colours(self, colours: dict[int, str]) -> None:
        """Put a colour swatch on the leaves of ``colours`` (column -> colour), none on the others."""
        self._colours = dict(colours)
        self.blockSignals(True)  # decorations are data changes too; they must not re-trigger us
        try:
            for neuron in self._made:  # leaves not made yet take their colours when they are made
                for column in self._neuron_columns[neuron]:
                    self._show_colour(self._leaves[column], colours.get(column))
        finally:
            self.blockSignals(False)

    # -- inside ------------------------------------------------------------------------------------
    def _state_of(self, neuron: int) -> Qt.CheckState:
        ticked = self._checked[self._neuron_columns[neuron]]
        return _CHECKED if ticked.all() else _UNCHECKED if not ticked.any() else _PARTIAL

    def _make_leaves(self, neuron: int) -> None:
        neuron_item = self._neuron_items[neuron]
        if neuron_item.childCount():
            return
        self._made.append(neuron)
        blocked = self.blockSignals(True)
        try:
            for column in self._neuron_columns[neuron]:
                leaf = QTreeWidgetItem(neuron_item, [self._names[column]])
                leaf.setFlags(_LEAF_FLAGS)
                leaf.setData(0, COLUMN_ROLE, column)
                leaf.setCheckState(0, _CHECKED if self._checked[column] else _UNCHECKED)
                self._show_colour(leaf, self._colours.get(column))
                self._leaves[column] = leaf
        finally:
            self.blockSignals(blocked)

    @staticmethod
    def _show_colour(leaf: QTreeWidgetItem, wanted: str | None) -> None:
        current = leaf.data(0, Qt.ItemDataRole.DecorationRole)
        if wanted is None and current is not None:
            leaf.setData(0, Qt.ItemDataRole.DecorationRole, None)
        elif wanted is not None and (current is None or QColor(current).name() != wanted.lower()):
            leaf.setData(0, Qt.ItemDataRole.DecorationRole, QColor(wanted))

    @Slot(QTreeWidgetItem, int)
    def _on_item_changed(self, item: QTreeWidgetItem, _column: int) -> None:
        state = item.checkState(0)
        column, neuron = item.data(0, COLUMN_ROLE), item.data(0, NEURON_ROLE)
        if column is not None:
            self._checked[column] = state == _CHECKED
        elif neuron is not None and state != _PARTIAL and not item.childCount():
            # A neuron whose leaves are not made yet, ticked or unticked (also when its layer was: Qt
            # reports each neuron it changes); made leaves report their own changes.
            self._checked[self._neuron_columns[neuron]] = state == _CHECKED
        self._notify.start()

    @Slot(QTreeWidgetItem)
    def _on_item_expanded(self, item: QTreeWidgetItem) -> None:
        neuron = item.data(0, NEURON_ROLE)
        if neuron is not None:
            self._make_leaves(neuron)

    @Slot(QTreeWidgetItem, int)
    def _on_item_clicked(self, item: QTreeWidgetItem, _column: int) -> None:
        if item.data(0, COLUMN_ROLE) is not None:
            self.parameterClicked.emit(item.text(0))
