"""Where things go: one column per layer, neurons centred vertically, big layers elided.

Pure arithmetic (no Qt), so the scene's full and partial rebuilds agree on every position.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np

from .style import COLUMN_DX, HEADER_GAP, HEADER_HEIGHT, MAX_DRAWN_NEURONS, NEURON_DY, NEURON_RADIUS


@dataclass(frozen=True)
class ColumnLayout:
    """A layer's column: ``drawn`` neuron indices at heights ``ys``; ``hidden`` neurons are
    summarised by a marker at ``marker_y`` (between the first and the last drawn ones)."""

    x: float
    size: int
    drawn: np.ndarray
    ys: np.ndarray
    hidden: int
    marker_y: float | None

    @property
    def rows(self) -> int:
        return len(self.drawn) + (1 if self.hidden else 0)


def drawn_neurons(size: int, max_drawn: int = MAX_DRAWN_NEURONS) -> tuple[np.ndarray, int]:
    """The neuron indices drawn for a layer of ``size`` (the first and last halves) and how many are not."""
    if size <= max_drawn:
        return np.arange(size), 0
    head = max_drawn // 2
    tail = max_drawn - head
    return np.concatenate([np.arange(head), np.arange(size - tail, size)]), size - max_drawn


def column_spacing(max_rows: int) -> float:
    """Horizontal distance between columns: wider for tall columns, so big networks are not a thin strip."""
    return max(COLUMN_DX, 0.6 * max_rows * NEURON_DY)


def column_layout(layer_index: int, size: int, spacing: float = COLUMN_DX,
                  max_drawn: int = MAX_DRAWN_NEURONS) -> ColumnLayout:
    drawn, hidden = drawn_neurons(size, max_drawn)
    rows = len(drawn) + (1 if hidden else 0)
    slots = (np.arange(rows) - (rows - 1) / 2.0) * NEURON_DY
    if hidden:
        head = max_drawn // 2  # as in drawn_neurons
        ys = np.concatenate([slots[:head], slots[head + 1:]])
        marker_y = float(slots[head])
    else:
        ys = slots
        marker_y = None
    return ColumnLayout(layer_index * spacing, size, drawn, ys, hidden, marker_y)


def tallest_rows(layer_sizes: Sequence[int], max_drawn: int = MAX_DRAWN_NEURONS) -> int:
    rows = [len(d) + (1 if h else 0) for d, h in (drawn_neurons(s, max_drawn) for s in layer_sizes)]
    return max(rows + [1])


def header_top(max_rows: int) -> float:
    """The common top edge of the layer headers (one row above the tallest column)."""
    return -(max_rows - 1) / 2.0 * NEURON_DY - NEURON_RADIUS - HEADER_GAP - HEADER_HEIGHT


def bias_row_y(max_rows: int) -> float:
    """The common height of the bias nodes (one row below the tallest column)."""
    return (max_rows - 1) / 2.0 * NEURON_DY + NEURON_DY * 1.1
