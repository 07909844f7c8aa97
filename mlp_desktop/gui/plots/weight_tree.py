"""The checkable tree of parameters: layers, then destination neurons, then weights and bias."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal, Slot
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QTreeWidget, QTreeWidgetItem, QWidget

from ...core.parameters import LayerGroup

COLUMN_ROLE = Qt.ItemDataRole.UserRole
_GROUP_FLAGS = (
    Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsUserCheckable | Qt.ItemFlag.ItemIsAutoTristate
)
_LEAF_FLAGS = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsUserCheckable | Qt.ItemFlag.ItemIsSelectable


class ParameterTree(QTreeWidget):
    """Tick parameters to plot them; ticking a layer or neuron ticks everything under it.

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
        self._leaves: list[QTreeWidgetItem] = []
        self.layer_items: list[QTreeWidgetItem] = []
        self._notify = QTimer(self)
        self._notify.setSingleShot(True)
        self._notify.setInterval(0)
        self._notify.timeout.connect(self.checkedChanged)
        self.itemChanged.connect(self._on_item_changed)
        self.itemClicked.connect(self._on_item_clicked)

    def set_parameters(self, names: list[str], groups: list[LayerGroup], checked: list[int]) -> None:
        """Rebuild the tree for ``names`` grouped as ``groups``, ticking the columns in ``checked``."""
        chosen = set(checked)
        self.blockSignals(True)
        try:
            self.clear()
            self._leaves = [None] * len(names)  # type: ignore[list-item]
            self.layer_items = []
            for layer in groups:
                layer_item = QTreeWidgetItem([layer.title])
                layer_item.setFlags(_GROUP_FLAGS)
                layer_item.setCheckState(0, Qt.CheckState.Unchecked)
                for neuron in layer.neurons:
                    neuron_item = QTreeWidgetItem(layer_item, [neuron.title])
                    neuron_item.setFlags(_GROUP_FLAGS)
                    for column in neuron.columns:
                        leaf = QTreeWidgetItem(neuron_item, [names[column]])
                        leaf.setFlags(_LEAF_FLAGS)
                        leaf.setData(0, COLUMN_ROLE, column)
                        state = Qt.CheckState.Checked if column in chosen else Qt.CheckState.Unchecked
                        leaf.setCheckState(0, state)
                        self._leaves[column] = leaf
                self.layer_items.append(layer_item)
            self.addTopLevelItems(self.layer_items)
            for layer_item in self.layer_items:
                layer_item.setExpanded(True)
        finally:
            self.blockSignals(False)

    def checked_columns(self) -> list[int]:
        """Columns of the ticked parameters, in parameter order."""
        return [
            column
            for column, leaf in enumerate(self._leaves)
            if leaf is not None and leaf.checkState(0) == Qt.CheckState.Checked
        ]

    def set_checked_columns(self, columns: list[int]) -> None:
        """Tick exactly ``columns``."""
        chosen = set(columns)
        self.blockSignals(True)
        try:
            for column, leaf in enumerate(self._leaves):
                if leaf is not None:
                    state = Qt.CheckState.Checked if column in chosen else Qt.CheckState.Unchecked
                    leaf.setCheckState(0, state)
        finally:
            self.blockSignals(False)
        self._notify.start()

    def leaf(self, column: int) -> QTreeWidgetItem:
        """The tree item of parameter ``column``."""
        return self._leaves[column]

    def show_colours(self, colours: dict[int, str]) -> None:
        """Put a colour swatch on the leaves of ``colours`` (column -> colour), none on the others."""
        self.blockSignals(True)  # decorations are data changes too; they must not re-trigger us
        try:
            for column, leaf in enumerate(self._leaves):
                if leaf is None:
                    continue
                wanted = colours.get(column)
                current = leaf.data(0, Qt.ItemDataRole.DecorationRole)
                if wanted is None and current is not None:
                    leaf.setData(0, Qt.ItemDataRole.DecorationRole, None)
                elif wanted is not None and (current is None or QColor(current).name() != wanted.lower()):
                    leaf.setData(0, Qt.ItemDataRole.DecorationRole, QColor(wanted))
        finally:
            self.blockSignals(False)

    @Slot(QTreeWidgetItem, int)
    def _on_item_changed(self, _item: QTreeWidgetItem, _column: int) -> None:
        self._notify.start()

    @Slot(QTreeWidgetItem, int)
    def _on_item_clicked(self, item: QTreeWidgetItem, _column: int) -> None:
        if item.data(0, COLUMN_ROLE) is not None:
            self.parameterClicked.emit(item.text(0))
