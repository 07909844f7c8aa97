"""``NetworkScene``: the diagram of a :class:`~mlp_desktop.core.graph.NetworkGraph`, kept in step with it.

The scene listens to the graph's events and rebuilds what they touch: a ``layer_changed``
(size or activation) rebuilds that layer's column and the connections on both sides; anything
that shifts columns rebuilds the whole diagram (a few hundred items at most, because a layer
draws at most :data:`~.style.MAX_DRAWN_NEURONS` neurons and big layer pairs draw their
connections as one :class:`~.items.BatchedEdgesItem`).

What the user does to the items comes out as the ``*Requested`` signals; the scene never edits
the graph (the :class:`~.editor_widget.EditorWidget` turns requests into undoable commands).
"""

from __future__ import annotations

import weakref
from contextlib import contextmanager
from dataclasses import dataclass, field

import numpy as np
import shiboken6
from PySide6.QtCore import QLineF, QPointF, QRectF, QSizeF, Qt, QTimer, Signal
from PySide6.QtGui import QActionGroup, QColor, QPen, QTransform
from PySide6.QtWidgets import (
    QGraphicsItem,
    QGraphicsLineItem,
    QGraphicsScene,
    QGraphicsSimpleTextItem,
    QGraphicsView,
    QMenu,
    QToolTip,
)

from ...core.activations import ACTIVATIONS
from ...core.graph import HIDDEN_ACTIVATIONS, OUTPUT_ACTIVATIONS, GraphEvent, NetworkGraph
from ..plots import style as plot_style
from . import style
from .items import (
    BatchedEdgesItem,
    BiasNodeItem,
    Container,
    EdgeItem,
    LayerHeaderItem,
    NeuronItem,
    TextBoxItem,
    _HeaderPart,
)
from .layout import ColumnLayout, bias_row_y, column_layout, column_spacing, header_top, tallest_rows
from ...core.parameters import bias_name, parse_parameter_name, split_parameters, weight_name
from .style import NEURON_RADIUS

MAX_TOOLTIP_WEIGHTS = 12
OUTPUT_AUTO_NOTE = "auto (chosen from the task: identity for numbers, softmax or sigmoid for classes)"


@dataclass
class _Column:
    layout: ColumnLayout
    container: Container
    header: LayerHeaderItem
    neurons: dict[int, NeuronItem] = field(default_factory=dict)  # neuron index -> item (drawn only)
    labels: dict[int, QGraphicsSimpleTextItem] = field(default_factory=dict)
    marker: TextBoxItem | None = None


@dataclass
class _Pair:
    """The connections into layer ``k`` (from layer ``k - 1``)."""

    container: Container
    edges: dict[tuple[int, int], EdgeItem] = field(default_factory=dict)
    batched: BatchedEdgesItem | None = None


@dataclass
class _Bias:
    container: Container
    node: BiasNodeItem
    edges: dict[int, EdgeItem] = field(default_factory=dict)


class NetworkScene(QGraphicsScene):
    """Mirrors ``graph``; reports the user's edits as requests.

    Signals
    -------
    insertLayerRequested(position), removeLayerRequested(position), addNeuronRequested(position),
    removeNeuronRequested(position, neuron_index or -1 for the last), activationRequested(position, name),
    moveLayerRequested(position, to_position): edits the user asked for.
    parametersSelected(list[str]): parameter names of a clicked connection, neuron or bias node.
    messageRequested(str): something to tell the user (e.g. why a key did nothing).
    fitRequested(): the context menu's "Fit to view".
    countEditRequested(int): the count field of this hidden layer's header was clicked.
    rebuilt(bool): after items were rebuilt; ``True`` when the whole diagram was.
    """

    insertLayerRequested = Signal(int)
    removeLayerRequested = Signal(int)
    addNeuronRequested = Signal(int)
    removeNeuronRequested = Signal(int, int)
    setNeuronsRequested = Signal(int)  # the user wants to type a hidden layer's neuron count
    countEditRequested = Signal(int)  # the user clicked a hidden layer's count field in its header
    activationRequested = Signal(int, str)
    moveLayerRequested = Signal(int, int)
    parametersSelected = Signal(list)
    messageRequested = Signal(str)
    fitRequested = Signal()
    annotationsPlaced = Signal(int, int)  # step-through labels shown, left out for want of room
    rebuilt = Signal(bool)

    def __init__(self, graph: NetworkGraph, parent=None):
        super().__init__(parent)
        # Few items whose pens change many times a second: a BSP index would only cost updates.
        self.setItemIndexMethod(QGraphicsScene.ItemIndexMethod.NoIndex)
        self.setBackgroundBrush(QColor(style.look().canvas))
        self._graph: NetworkGraph | None = None
        self._listener = None
        self._columns: list[_Column] = []
        self.edit_anchor: tuple[int, QPointF] | None = None  # see NetworkView.keep_anchor_in_place
        self._pairs: dict[int, _Pair] = {}
        self._biases: dict[int, _Bias] = {}
        self._max_rows = 1
        self._spacing = style.COLUMN_DX
        self._sizes: list[int] = []
        self._split: list[tuple[np.ndarray, np.ndarray]] | None = None
        self._highlight_names: list[str] = []
        self._annotations: Container | None = None
        self._annotation_texts: tuple[dict, dict] | None = None  # what show_annotations was given
        self._annotations_left_out = 0
        self._view_zoom = 1.0  # the view's scale (set_view_zoom): labels keep their size on screen
        self._drop_indicator: QGraphicsLineItem | None = None
        self._trash: list[QGraphicsItem] = []
        self._trash_scheduled = False
        self.editable = True
        self.show_biases = False
        self.set_graph(graph)

    # -- the graph -----------------------------------------------------------------------------
    @property
    def graph(self) -> NetworkGraph:
        return self._graph

    def set_graph(self, graph: NetworkGraph) -> None:
        """Mirror another graph (forgets parameters, highlights and annotations)."""
        if self._graph is not None and self._listener is not None:
            self._graph.unsubscribe(self._listener)
        self._graph = graph
        self._listener = _weak_listener(self, graph)
        graph.subscribe(self._listener)
        self._split = None
        self._highlight_names = []
        self._rebuild_all()

    def detach(self) -> None:
        """Stop listening to the graph (the scene is going away)."""
        if self._graph is not None and self._listener is not None:
            self._graph.unsubscribe(self._listener)
            self._listener = None

    def _on_graph_event(self, event: GraphEvent) -> None:
        activation_only = event.kind == "layer_changed" and self._graph.layer_sizes == self._sizes
        if not activation_only:
            # The parameters (and names) no longer fit: uncoloured until the next set_parameters.
            self._split = None
            self._highlight_names = []
        if event.kind == "layer_changed" and event.index is not None and len(self._columns) == len(self._graph.layers):
            self._rebuild_layer(event.index)
        else:
            self._rebuild_all()

    # -- building ------------------------------------------------------------------------------
    def _rebuild_all(self) -> None:
        self._hide_drop_indicator()
        self._forget_annotations()
        for column in self._columns:
            self._discard(column.container, column.header)
        for part in list(self._pairs.values()) + list(self._biases.values()):
            self._discard(part.container)
        self._sizes = self._graph.layer_sizes
        self._max_rows = tallest_rows(self._sizes)
        self._spacing = column_spacing(self._max_rows)
        self._columns = [self._build_column(i) for i in range(len(self._graph.layers))]
        self._pairs = {k: self._build_pair(k) for k in range(1, len(self._columns))}
        self._biases = {k: self._build_bias(k) for k in range(1, len(self._columns))} if self.show_biases else {}
        self._finish(full=True)

    def _rebuild_layer(self, index: int) -> None:
        sizes = self._graph.layer_sizes
        if tallest_rows(sizes) != self._max_rows:
            self._rebuild_all()  # the header and bias rows move
            return
        self._forget_annotations()
        self._hide_drop_indicator()
        self._sizes = sizes
        old = self._columns[index]
        self._discard(old.container, old.header)
        self._columns[index] = self._build_column(index)
        for k in (index, index + 1):
            if 1 <= k < len(self._columns):
                self._discard(self._pairs[k].container)
                self._pairs[k] = self._build_pair(k)
                if k in self._biases:
                    self._discard(self._biases[k].container)
                    self._biases[k] = self._build_bias(k)
        self._finish(full=False)

    def _finish(self, full: bool) -> None:
        self._apply_parameters()
        self._apply_highlight()
        self._update_scene_rect()
        self.rebuilt.emit(full)

    def _forget_annotations(self) -> None:
        self._annotation_texts = None
        self._remove_annotations()

    def _update_scene_rect(self) -> None:
        """The diagram's rect, without the step-through labels: they keep their size on screen, so
        the view leaves room for them instead (``annotation_margin``)."""
        rect = QRectF()
        for item in self.items():
            if item.parentItem() is None and item is not self._annotations:
                rect |= item.sceneBoundingRect() | item.mapRectToScene(item.childrenBoundingRect())
        self.setSceneRect(rect.adjusted(-40, -30, 40, 30))

    def _discard(self, *items: QGraphicsItem) -> None:
        """Take items out of the scene; delete them a moment later (one of them may be handling
        the very mouse event that caused this rebuild)."""
        for item in items:
            if item is not None and item.scene() is self:
                self.removeItem(item)
                self._trash.append(item)
        if self._trash and not self._trash_scheduled:
            self._trash_scheduled = True
            QTimer.singleShot(0, self, self._empty_trash)  # (not after the scene is deleted)

    def _empty_trash(self) -> None:
        self._trash_scheduled = False
        self._trash.clear()

    def _build_column(self, index: int) -> _Column:
        layer = self._graph.layers[index]
        layout = column_layout(index, layer.size, self._spacing)
        container = Container()
        container.setPos(layout.x, 0)
        container.setZValue(style.Z_NEURONS)
        container.layer_index = index  # right-clicking a label or marker means its layer
        self.addItem(container)
        header = LayerHeaderItem(index, layer.kind, _title(layer.kind, index), _size_text(layer.kind, layer.size),
                                 layer.activation)
        header.setPos(layout.x, header_top(self._max_rows))
        header.set_editable(self.editable)
        self.addItem(header)
        column = _Column(layout, container, header)
        label_font = style.font(9)
        for n, y in zip(layout.drawn.tolist(), layout.ys.tolist()):
            neuron = NeuronItem(index, n, layer.kind, container)
            neuron.setPos(0, y)
            column.neurons[n] = neuron
            if layer.kind in ("input", "output"):
                label = QGraphicsSimpleTextItem(style.elide(layer.neuron_ids[n]), container)
                label.setFont(label_font)
                label.setBrush(QColor(style.look().text))
                label.setToolTip(str(layer.neuron_ids[n]))
                width = label.boundingRect().width()
                height = label.boundingRect().height()
                offset = NEURON_RADIUS + 7
                label.setPos(-offset - width if layer.kind == "input" else offset, y - height / 2)
                label.setZValue(style.Z_LABELS)
                column.labels[n] = label
        if layout.hidden:
            marker = TextBoxItem(f"… {layout.hidden:,} more", container, point_size=8, text_colour="muted_text")
            marker.setPos(0, layout.marker_y)
            marker.setToolTip(f"{layout.hidden:,} of the {layer.size:,} neurons are not drawn; the network "
                              f"keeps all of them.")
            marker.setZValue(style.Z_LABELS)
            column.marker = marker
        if layer.size == 0:
            what = {"input": "No inputs yet:\nchoose input columns\nin the data",
                    "output": "No outputs yet:\nchoose a target\nin the data"}.get(layer.kind, "empty")
            placeholder = TextBoxItem(what, container, point_size=8, text_colour="muted_text")
            placeholder.setZValue(style.Z_LABELS)
        return column

    def _build_pair(self, k: int) -> _Pair:
        source, target = self._columns[k - 1].layout, self._columns[k].layout
        container = Container()
        container.setZValue(style.Z_EDGES)
        self.addItem(container)
        pair = _Pair(container)
        if len(source.drawn) * len(target.drawn) >= style.BATCH_EDGE_THRESHOLD:
            pair.batched = BatchedEdgesItem(k, source.drawn, source.ys, source.x, target.drawn, target.ys, target.x,
                                            container)
        else:
            for i, y0 in zip(source.drawn.tolist(), source.ys.tolist()):
                for j, y1 in zip(target.drawn.tolist(), target.ys.tolist()):
                    pair.edges[(i, j)] = EdgeItem(QLineF(source.x, y0, target.x, y1), ("W", k, i, j), container)
        return pair

    def _build_bias(self, k: int) -> _Bias:
        target = self._columns[k].layout
        container = Container()
        container.setZValue(style.Z_BIAS_EDGES)
        self.addItem(container)
        node = BiasNodeItem(k, container)
        origin = QPointF(self._columns[k - 1].layout.x, bias_row_y(self._max_rows))
        node.setPos(origin)
        bias = _Bias(container, node)
        for j, y in zip(target.drawn.tolist(), target.ys.tolist()):
            edge = EdgeItem(QLineF(origin, QPointF(target.x, y)), ("b", k, j), container)
            dashed = style.neutral_pen()
            dashed.setStyle(Qt.PenStyle.DashLine)
            edge.set_style_pen(dashed)
            bias.edges[j] = edge
        return bias

    # -- switches ------------------------------------------------------------------------------
    def set_editable(self, editable: bool) -> None:
        self.editable = bool(editable)
        for column in self._columns:
            column.header.set_editable(self.editable)

    def set_show_biases(self, show: bool) -> None:
        show = bool(show)
        if show == self.show_biases:
            return
        self.show_biases = show
        self._rebuild_all()

    # -- live parameters -----------------------------------------------------------------------
    @property
    def parameters_known(self) -> bool:
        return self._split is not None

    def set_parameters(self, params: np.ndarray | None) -> bool:
        """Colour connections and neurons by ``params`` (engine order); ``None`` clears the colours.

        Returns ``False`` (and leaves the diagram uncoloured) when the vector does not fit the network.
        """
        if params is None:
            self._split = None
        else:
            try:
                self._split = [(w.copy(), b.copy()) for w, b in split_parameters(self._graph.layer_sizes, params)]
            except ValueError:
                self._split = None
                self._apply_parameters()
                return False
        self._apply_parameters()
        return True

    def _apply_parameters(self) -> None:
        for k in range(1, len(self._columns)):
            pair, column = self._pairs[k], self._columns[k]
            bias = self._biases.get(k)
            if self._split is None:
                if pair.batched is not None:
                    pair.batched.set_weights(None)
                for edge in pair.edges.values():
                    edge.set_style_pen(style.neutral_pen())
                for neuron in column.neurons.values():
                    neuron.restyle()
                if bias is not None:
                    for edge in bias.edges.values():
                        dashed = style.neutral_pen()
                        dashed.setStyle(Qt.PenStyle.DashLine)
                        edge.set_style_pen(dashed)
                continue
            weights, biases = self._split[k - 1]
            weight_scale = _max_abs(weights)
            if pair.batched is not None:
                pair.batched.set_weights(weights[pair.batched.pairs_i, pair.batched.pairs_j], weight_scale)
            if pair.edges:
                keys = list(pair.edges)
                values = weights[tuple(np.array(keys).T)]
                fractions = style.magnitude_fraction(values, weight_scale)
                for key, value, fraction in zip(keys, values.tolist(), fractions.tolist()):
                    pair.edges[key].set_style_pen(style.weight_pen(value, fraction))
            bias_fractions = style.magnitude_fraction(biases)
            for j, neuron in column.neurons.items():
                neuron.set_fill(style.bias_fill(float(biases[j]), float(bias_fractions[j])))
            if bias is not None:
                for j, edge in bias.edges.items():
                    edge.set_style_pen(style.weight_pen(float(biases[j]), float(bias_fractions[j])))

    # -- the theme -----------------------------------------------------------------------------
    def restyle(self) -> None:
        """Redraw in the colours of the theme in force (after ``plots.style.set_dark``).

        Items that read their colours when painting only need a repaint; pens, brushes and
        fills kept by items are made again. Nothing is rebuilt: selection, highlights,
        annotations and zoom stay.
        """
        look = style.look()
        self.setBackgroundBrush(QColor(look.canvas))
        for column in self._columns:
            for neuron in column.neurons.values():
                neuron.restyle()
            for label in column.labels.values():
                label.setBrush(QColor(look.text))
        for pair in self._pairs.values():
            if pair.batched is not None:
                pair.batched.restyle()
        self._apply_parameters()
        for part in list(self._pairs.values()) + list(self._biases.values()):
            for edge in part.edges.values():
                edge.restyle()
        if self._drop_indicator is not None:
            self._drop_indicator.update()
        self.update()

    @contextmanager
    def on_paper(self):
        """Items in the light look while the block runs (exports: see ``plots.style.paper``)."""
        if not plot_style.is_dark():
            yield
            return
        try:
            with plot_style.paper():
                self.restyle()
                yield
        finally:
            self.restyle()

    # -- highlighting --------------------------------------------------------------------------
    def highlight_parameters(self, names: list[str]) -> None:
        """Mark the drawn connections and neurons (by their bias) of ``names``; ``[]`` clears."""
        self._highlight_names = list(names)
        self._apply_highlight()

    def _apply_highlight(self) -> None:
        weights: dict[int, set] = {}
        neurons: set[tuple[int, int]] = set()
        for name in self._highlight_names:
            parsed = parse_parameter_name(name)
            if parsed is None:
                continue
            if parsed[0] == "W":
                weights.setdefault(parsed[1], set()).add(parsed[2:])
            else:
                neurons.add(parsed[1:])
        for k, pair in self._pairs.items():
            wanted = weights.get(k, set())
            if pair.batched is not None:
                pair.batched.set_highlighted(wanted)
            for key, edge in pair.edges.items():
                edge.set_highlighted(key in wanted)
        for index, column in enumerate(self._columns):
            for n, neuron in column.neurons.items():
                neuron.set_highlighted((index, n) in neurons)
        for k, bias in self._biases.items():
            for j, edge in bias.edges.items():
                edge.set_highlighted((k, j) in neurons)

    def highlighted_parameters(self) -> set[str]:
        """Names of the parameters currently marked on drawn items."""
        marked = set()
        for k, pair in self._pairs.items():
            if pair.batched is not None:
                marked |= {weight_name(k, i, j) for i, j in pair.batched.highlighted_pairs()}
            marked |= {edge.name for edge in pair.edges.values() if edge.highlighted}
        for index, column in enumerate(self._columns):
            marked |= {bias_name(index, n) for n, neuron in column.neurons.items() if neuron.highlighted}
        return marked

    # -- annotations (step-through) ------------------------------------------------------------
    def show_annotations(self, neuron_texts: dict, edge_texts: dict) -> None:
        """Labels next to drawn neurons (``{(layer_index, neuron_index): text}``) and on individually
        drawn connections (``{(k, i, j): text}``); replaces earlier ones. A text may be a tuple
        ``(text, tooltip)`` or ``(text, tooltip, shorter text)``: the shorter one is tried where
        the text finds no room.

        Labels keep one readable size on screen whatever the zoom (:func:`~.style.annotation_font`)
        and are placed again when the view's zoom changes (:meth:`set_view_zoom`). No label covers
        another, a neuron, a name or a header, or leaves the diagram: one that finds no free spot is
        left out, neuron labels first (beside the neuron, else above or below it), then connection
        labels in the order given (put the important ones first).
        Connection labels go to the first free spot along their line (middle first); there are
        none when more than :data:`~.style.MAX_EDGE_ANNOTATIONS` connections are drawn (the Step
        panel's table lists them). ``annotationsPlaced(shown, left_out)`` tells how many fitted.
        """
        self._annotation_texts = (dict(neuron_texts), dict(edge_texts))
        self._place_annotations()

    def clear_annotations(self) -> None:
        self._annotation_texts = None
        self._remove_annotations()
        self.annotationsPlaced.emit(0, 0)

    def set_view_zoom(self, zoom: float) -> None:
        """The view's scale changed: labels keep their size on screen, so they are placed again."""
        if zoom > 0 and zoom != self._view_zoom:
            self._view_zoom = zoom
            if self._annotation_texts is not None:
                self._place_annotations()

    def _place_annotations(self) -> None:
        self._remove_annotations()
        neuron_texts, edge_texts = self._annotation_texts
        container = Container()
        container.setZValue(style.Z_ANNOTATIONS)
        self.addItem(container)
        self._annotations = container
        scale = 1.0 / self._view_zoom
        font = style.annotation_font()
        taken = self._occupied_rects()
        bounds = self.sceneRect()  # inside the diagram, so a fitted view shows them all
        left_out = 0

        def place(text, spots_for) -> bool:
            """Put the label (or its shorter form) at the first free spot; False if none is free."""
            parts = _label_text(text)
            for shown in (parts[0],) + parts[2:]:
                box = TextBoxItem(shown, container, font=font, anchor="left", border="header_border")
                box.setScale(scale)
                box.setToolTip(parts[1])
                for spot in spots_for(box.boundingRect().width() * scale, box.boundingRect().height() * scale):
                    box.setPos(spot)
                    rect = box.sceneBoundingRect()  # the box and a pixel around it: labels never touch
                    if bounds.contains(rect) and not any(rect.intersects(other) for other in taken):
                        taken.append(rect)
                        return True
                self.removeItem(box)
            return False

        for (layer_index, n), text in neuron_texts.items():
            column = self._columns[layer_index] if 0 <= layer_index < len(self._columns) else None
            neuron = column.neurons.get(n) if column is not None else None
            if neuron is None:
                continue
            centre = neuron.scenePos()
            name = column.labels.get(n) if self._graph.layers[layer_index].kind == "output" else None
            left = name.sceneBoundingRect().right() + 5 * scale if name is not None else \
                centre.x() + NEURON_RADIUS + 4 * scale
            # beside the neuron; else above or below it: centred, or ending at its right
            def spots(width, height, centre=centre, left=left):
                above = centre.y() - NEURON_RADIUS - height / 2 - 2 * scale
                below = centre.y() + NEURON_RADIUS + height / 2 + 2 * scale
                return [QPointF(left, centre.y())] + [QPointF(x, y) for x in (centre.x() - width / 2,
                        centre.x() + NEURON_RADIUS - width) for y in (above, below)]
            left_out += not place(text, spots)
        drawn = sum(len(pair.edges) for pair in self._pairs.values())
        for (k, i, j), text in edge_texts.items():
            pair = self._pairs.get(k)
            edge = pair.edges.get((i, j)) if pair is not None else None
            if edge is None or drawn > style.MAX_EDGE_ANNOTATIONS:
                left_out += 1
                continue
            # the label's middle on the line ("left" anchor: shift back by half its width)
            def spots(width, height, line=edge.line()):
                return [line.pointAt(t) - QPointF(width / 2, 0) for t in _SPOTS]
            left_out += not place(text, spots)
        self._annotations_left_out = left_out
        self.annotationsPlaced.emit(len(container.childItems()), left_out)

    def _occupied_rects(self) -> list[QRectF]:
        """What a step-through label must not cover: neurons, names, markers, headers, bias nodes."""
        taken = []
        for column in self._columns:
            taken += [QRectF(neuron.scenePos() - QPointF(NEURON_RADIUS, NEURON_RADIUS), 2 * QSizeF(NEURON_RADIUS, NEURON_RADIUS))
                      for neuron in column.neurons.values()]
            taken += [label.sceneBoundingRect() for label in column.labels.values()]
            taken.append(column.header.sceneBoundingRect())
            if column.marker is not None:
                taken.append(column.marker.sceneBoundingRect())
        taken += [bias.node.sceneBoundingRect() for bias in self._biases.values()]
        return taken

    def annotations_left_out(self) -> int:
        """How many of the shown texts found no free spot (or belong to undrawn items)."""
        return self._annotations_left_out if self._annotation_texts is not None else 0

    def _remove_annotations(self) -> None:
        if self._annotations is not None:
            self._discard(self._annotations)
            self._annotations = None

    def annotation_items(self) -> list[TextBoxItem]:
        return [] if self._annotations is None else list(self._annotations.childItems())

    # -- reading the diagram (tests, widget) ---------------------------------------------------
    def neuron_items(self, layer_index: int) -> list[NeuronItem]:
        return list(self._columns[layer_index].neurons.values())

    def neuron_item(self, layer_index: int, neuron_index: int) -> NeuronItem | None:
        return self._columns[layer_index].neurons.get(neuron_index)

    def header_item(self, layer_index: int) -> LayerHeaderItem:
        return self._columns[layer_index].header

    def header_texts(self) -> list[str]:
        return [column.header.summary() for column in self._columns]

    def marker_item(self, layer_index: int) -> TextBoxItem | None:
        return self._columns[layer_index].marker

    def label_texts(self, layer_index: int) -> list[str]:
        return [label.text() for label in self._columns[layer_index].labels.values()]

    def edge_items(self, k: int) -> list[EdgeItem]:
        return list(self._pairs[k].edges.values())

    def edge_item(self, k: int, i: int, j: int) -> EdgeItem | None:
        return self._pairs[k].edges.get((i, j))

    def batched_item(self, k: int) -> BatchedEdgesItem | None:
        return self._pairs[k].batched

    def bias_node(self, k: int) -> BiasNodeItem | None:
        bias = self._biases.get(k)
        return bias.node if bias is not None else None

    def bias_edges(self, k: int) -> list[EdgeItem]:
        bias = self._biases.get(k)
        return list(bias.edges.values()) if bias is not None else []

    def layer_count(self) -> int:
        return len(self._columns)

    def selected_layer(self) -> int | None:
        for item in self.selectedItems():
            if isinstance(item, (NeuronItem, LayerHeaderItem)):
                return item.layer_index
        return None

    # -- what the items report -----------------------------------------------------------------
    def neuron_clicked(self, neuron: NeuronItem) -> None:
        self._select_parameters(self._neuron_parameters(neuron.layer_index, neuron.neuron_index))

    def edge_clicked(self, parameter: tuple) -> None:
        name = weight_name(*parameter[1:]) if parameter[0] == "W" else bias_name(*parameter[1:])
        self._select_parameters([name])

    def bias_node_clicked(self, k: int) -> None:
        self._select_parameters([bias_name(k, j) for j in range(self._graph.layers[k].size)])

    def background_clicked(self, point: QPointF, tolerance: float = 4.0) -> None:
        """A click on no item: select the batched connection under it, or clear the selection."""
        hit = self.edge_at(point, tolerance)
        if hit is not None:
            self.edge_clicked(hit)
        elif self._highlight_names:
            self._select_parameters([])

    def edge_at(self, point: QPointF, tolerance: float = 4.0) -> tuple | None:
        """``("W", k, i, j)`` of the batched connection within ``tolerance`` of ``point``, if any."""
        for k, pair in self._pairs.items():
            if pair.batched is not None:
                hit = pair.batched.edge_at(point, tolerance)
                if hit is not None:
                    return ("W", k) + hit
        return None

    def _select_parameters(self, names: list[str]) -> None:
        self.highlight_parameters(names)
        self.parametersSelected.emit(list(names))

    def _neuron_parameters(self, layer_index: int, n: int) -> list[str]:
        """A neuron's incoming weights and bias; an input neuron's outgoing weights (it has no others)."""
        sizes = self._graph.layer_sizes
        if layer_index == 0:
            return [weight_name(1, n, j) for j in range(sizes[1])] if len(sizes) > 1 else []
        return [weight_name(layer_index, i, n) for i in range(sizes[layer_index - 1])] + [bias_name(layer_index, n)]

    def header_position(self, layer_index: int) -> QPointF | None:
        """Where layer ``layer_index``'s header is, in scene coordinates (None if there is no such layer)."""
        if 0 <= layer_index < len(self._columns):
            return self._columns[layer_index].header.scenePos()
        return None

    def count_field_rect(self, layer_index: int) -> QRectF | None:
        """The scene rectangle of a hidden layer's neuron count field."""
        if 0 <= layer_index < len(self._columns) and self._columns[layer_index].header.count_part is not None:
            return self._columns[layer_index].header.count_part.sceneBoundingRect()
        return None

    def header_part_clicked(self, layer_index: int, part: str, screen_pos) -> None:
        if not self.editable:
            return
        # The pointer is on this header: the view keeps it where it is through the edit.
        self.edit_anchor = (layer_index, self.header_position(layer_index))
        if part == "count":
            self.countEditRequested.emit(layer_index)
        elif part == "plus":
            self.addNeuronRequested.emit(layer_index)
        elif part == "minus":
            self.removeNeuronRequested.emit(layer_index, -1)
        elif part == "activation":
            self.activation_menu(layer_index).exec(screen_pos)
        if part != "count":  # the count field's editor clears it when the typed count is applied
            self.edit_anchor = None

    def header_dragged(self, header: LayerHeaderItem) -> None:
        target = self._drop_target(header.x())
        x = target * self._spacing
        top = header_top(self._max_rows)
        if self._drop_indicator is None:
            pen = QPen(QColor(style.SELECTION), 3.0, Qt.PenStyle.DashLine)
            self._drop_indicator = QGraphicsLineItem()
            self._drop_indicator.setPen(pen)
            self._drop_indicator.setZValue(style.Z_HEADERS - 0.5)
            self.addItem(self._drop_indicator)
        self._drop_indicator.setLine(x, top - 6, x, -top)

    def header_dropped(self, header: LayerHeaderItem, x: float) -> None:
        self._hide_drop_indicator()
        target = self._drop_target(x)
        if self.editable and target != header.layer_index:
            self.moveLayerRequested.emit(header.layer_index, target)

    def _drop_target(self, x: float) -> int:
        last_hidden = len(self._columns) - 2
        return int(min(max(round(x / self._spacing), 1), max(last_hidden, 1)))

    def _hide_drop_indicator(self) -> None:
        if self._drop_indicator is not None:
            self._discard(self._drop_indicator)
            self._drop_indicator = None

    def delete_selected(self) -> None:
        """The Delete key: remove the selected hidden neurons, or the selected hidden layer."""
        selected = self.selectedItems()
        neurons = [item for item in selected if isinstance(item, NeuronItem)]
        headers = [item for item in selected if isinstance(item, LayerHeaderItem)]
        if not neurons and not headers:
            return
        if not self.editable:
            self.messageRequested.emit("Editing is locked while the network trains.")
            return
        if neurons:
            if any(neuron.kind != "hidden" for neuron in neurons):
                self.messageRequested.emit("Input and output neurons follow the data's columns: "
                                           "choose the columns in the data panel.")
                return
            for neuron in sorted(neurons, key=lambda item: (item.layer_index, -item.neuron_index)):
                self.removeNeuronRequested.emit(neuron.layer_index, neuron.neuron_index)
        else:
            header = headers[0]
            if header.kind != "hidden":
                self.messageRequested.emit(f"The {header.kind} layer cannot be removed; it follows the data.")
                return
            self.removeLayerRequested.emit(header.layer_index)

    # -- menus ---------------------------------------------------------------------------------
    def activation_menu(self, layer_index: int, parent=None) -> QMenu:
        layer = self._graph.layers[layer_index]
        menu = QMenu("Activation", parent)
        choices = OUTPUT_ACTIVATIONS if layer.kind == "output" else HIDDEN_ACTIVATIONS
        group = QActionGroup(menu)
        for name in choices:
            action = menu.addAction(name)
            action.setCheckable(True)
            action.setChecked(name == layer.activation)
            action.setEnabled(self.editable)
            tip = OUTPUT_AUTO_NOTE if name == "auto" else ACTIVATIONS[name].formula
            action.setToolTip(tip)
            action.setStatusTip(tip)
            group.addAction(action)
            action.triggered.connect(lambda checked=False, n=name: self._request_activation(layer_index, n))
        menu.setToolTipsVisible(True)
        return menu

    def _request_activation(self, layer_index: int, name: str) -> None:
        if self.editable and self._graph.layers[layer_index].activation != name:
            self.activationRequested.emit(layer_index, name)

    def context_menu(self, layer_index: int | None, neuron: NeuronItem | None = None, parent=None) -> QMenu:
        """The right-click menu for a layer (and one of its neurons), or for empty space."""
        menu = QMenu(parent)
        if layer_index is not None and 0 <= layer_index < len(self._columns):
            layer = self._graph.layers[layer_index]
            title = menu.addAction(_title(layer.kind, layer_index))
            title.setEnabled(False)
            if not self.editable:
                menu.addAction("Editing is locked while training").setEnabled(False)
            else:
                if layer.kind != "input":
                    menu.addAction("Insert layer before").triggered.connect(
                        lambda: self.insertLayerRequested.emit(layer_index))
                if layer.kind != "output":
                    menu.addAction("Insert layer after").triggered.connect(
                        lambda: self.insertLayerRequested.emit(layer_index + 1))
                if layer.kind == "hidden":
                    menu.addSeparator()
                    menu.addAction("Set neurons...").triggered.connect(lambda: self.setNeuronsRequested.emit(layer_index))
                    menu.addAction("Add neuron").triggered.connect(lambda: self.addNeuronRequested.emit(layer_index))
                    if neuron is not None:
                        index = neuron.neuron_index
                        menu.addAction(f"Remove this neuron (#{index})").triggered.connect(
                            lambda: self.removeNeuronRequested.emit(layer_index, index))
                    else:
                        menu.addAction("Remove a neuron").triggered.connect(
                            lambda: self.removeNeuronRequested.emit(layer_index, -1))
                    menu.addAction("Remove layer").triggered.connect(
                        lambda: self.removeLayerRequested.emit(layer_index))
                if layer.kind != "input":
                    menu.addSeparator()
                    menu.addMenu(self.activation_menu(layer_index, menu))
        elif self.editable:
            menu.addAction("Add hidden layer").triggered.connect(
                lambda: self.insertLayerRequested.emit(len(self._columns) - 1))
        menu.addSeparator()
        menu.addAction("Fit to view").triggered.connect(lambda: self.fitRequested.emit())
        return menu

    def contextMenuEvent(self, event) -> None:
        view = event.widget().parent() if event.widget() is not None else None
        transform = view.transform() if isinstance(view, QGraphicsView) else QTransform()
        item = self.itemAt(event.scenePos(), transform)
        layer_index, neuron = _layer_of(item)
        self.context_menu(layer_index, neuron).exec(event.screenPos())
        event.accept()

    # -- tooltips ------------------------------------------------------------------------------
    def helpEvent(self, event) -> None:
        """Tooltips with the current values (computed when shown, never per update)."""
        widget = event.widget()
        view = widget.parent() if widget is not None else None
        transform = view.transform() if isinstance(view, QGraphicsView) else QTransform()
        for item in self.items(event.scenePos(), Qt.ItemSelectionMode.IntersectsItemShape,
                               Qt.SortOrder.DescendingOrder, transform):
            if hasattr(item, "tooltip_text"):
                item.setToolTip(item.tooltip_text())
                break
            if item.toolTip():
                break
        else:
            hit = self.edge_at(event.scenePos(), 4.0 / max(transform.m11(), 1e-6))
            if hit is not None:
                QToolTip.showText(event.screenPos(), self._edge_tooltip(hit), widget)
                event.setAccepted(True)
                return
        super().helpEvent(event)

    def tooltip_for(self, item) -> str:
        if isinstance(item, NeuronItem):
            return self._neuron_tooltip(item.layer_index, item.neuron_index)
        if isinstance(item, EdgeItem):
            return self._edge_tooltip(item.parameter)
        if isinstance(item, BiasNodeItem):
            target = _title(self._graph.layers[item.k].kind, item.k).lower()
            return (f"Bias input of the {target}: always 1.\nIts connection weights are the biases "
                    f"b{item.k}[j] (also shown as the neurons' fill).")
        return ""

    def _describe_neuron(self, layer_index: int, n: int) -> str:
        layer = self._graph.layers[layer_index]
        if layer.kind in ("input", "output"):
            return f"'{layer.neuron_ids[n]}'"
        return f"hidden {layer_index} neuron #{n}"

    def _neuron_tooltip(self, layer_index: int, n: int) -> str:
        layer = self._graph.layers[layer_index]
        sizes = self._graph.layer_sizes
        if layer.kind == "input":
            lines = [f"Input {self._describe_neuron(0, n)} (input #{n} of {layer.size})",
                     "activation: none (the value passes on unchanged)"]
            if self._split is not None and len(sizes) > 1:
                weights = self._split[0][0][n, :]
                lines.append("outgoing weights:")
                lines += self._weight_lines([(weight_name(1, n, j), self._describe_neuron(1, j), weights[j])
                                             for j in range(sizes[1])], "to")
            return "\n".join(lines)
        activation = layer.activation
        if layer.kind == "output" and activation == "auto":
            shown = OUTPUT_AUTO_NOTE
        else:
            formula = ACTIVATIONS[activation].formula if activation in ACTIVATIONS else None
            shown = f"{activation} ({formula})" if formula else str(activation)
        title = (f"Output {self._describe_neuron(layer_index, n)}" if layer.kind == "output"
                 else f"Hidden layer {layer_index}, neuron #{n} of {layer.size}")
        lines = [title, f"activation: {shown}"]
        if self._split is None:
            lines.append(f"bias {bias_name(layer_index, n)}: not known yet")
            lines.append("weights: not known yet (initialise or train the network)")
            return "\n".join(lines)
        weights, biases = self._split[layer_index - 1]
        lines.append(f"bias {bias_name(layer_index, n)} = {_number(biases[n])}")
        lines.append("incoming weights:")
        lines += self._weight_lines([(weight_name(layer_index, i, n), self._describe_neuron(layer_index - 1, i),
                                      weights[i, n]) for i in range(sizes[layer_index - 1])], "from")
        return "\n".join(lines)

    @staticmethod
    def _weight_lines(entries: list, direction: str) -> list[str]:
        lines = [f"  {name} {direction} {who} = {_number(value)}" for name, who, value in entries[:MAX_TOOLTIP_WEIGHTS]]
        rest = entries[MAX_TOOLTIP_WEIGHTS:]
        if rest:
            largest = max(abs(float(value)) for _, _, value in rest)
            lines.append(f"  … {len(rest):,} more (largest |w| among them: {largest:.4g})")
        return lines

    def _edge_tooltip(self, parameter: tuple) -> str:
        if parameter[0] == "b":
            _, k, j = parameter
            value = None if self._split is None else self._split[k - 1][1][j]
            return (f"{bias_name(k, j)}: bias of {self._describe_neuron(k, j)}\n"
                    f"value = {_number(value) if value is not None else 'not known yet'}")
        _, k, i, j = parameter
        value = None if self._split is None else self._split[k - 1][0][i, j]
        return (f"{weight_name(k, i, j)}: from {self._describe_neuron(k - 1, i)} to {self._describe_neuron(k, j)}\n"
                f"weight = {_number(value) if value is not None else 'not known yet'}")


# -- helpers --------------------------------------------------------------------------------------
def _title(kind: str, index: int) -> str:
    return {"input": "Input", "output": "Output"}.get(kind, f"Hidden {index}")


def _size_text(kind: str, size: int) -> str:
    noun = {"input": "input", "output": "output"}.get(kind, "neuron")
    return f"{size:,} {noun}{'' if size == 1 else 's'}"


_SPOTS = (0.5, 0.42, 0.58, 0.34, 0.66, 0.27, 0.73, 0.2, 0.8)


def _free_spot(line: QLineF, box: QRectF, taken: list[QRectF]) -> QPointF:
    """The point along ``line`` where a label of shape ``box`` overlaps ``taken`` least (middle first)."""
    best, best_overlap = line.pointAt(0.5), float("inf")
    for t in _SPOTS:
        point = line.pointAt(t)
        rect = box.translated(point)
        overlap = 0.0
        for other in taken:
            if rect.intersects(other):
                common = rect.intersected(other)
                overlap += common.width() * common.height()
        if overlap < best_overlap:
            best, best_overlap = point, overlap
            if overlap == 0:
                break
    return best


def _label_text(text) -> tuple[str, ...]:
    """A step-through text as (shown, tooltip[, shorter]): plain text is its own tooltip."""
    return tuple(str(part) for part in text) if isinstance(text, tuple) else (str(text), str(text))


def _max_abs(values: np.ndarray) -> float:
    finite = np.nan_to_num(values, nan=0.0, posinf=0.0, neginf=0.0)
    return float(np.abs(finite).max()) if finite.size else 0.0


def _number(value) -> str:
    return f"{float(value):+.4g}"


def _layer_of(item) -> tuple[int | None, NeuronItem | None]:
    while item is not None:
        if isinstance(item, NeuronItem):
            return item.layer_index, item
        if isinstance(item, LayerHeaderItem):
            return item.layer_index, None
        if isinstance(item, _HeaderPart):
            return item.header.layer_index, None
        if isinstance(item, Container) and getattr(item, "layer_index", None) is not None:
            return item.layer_index, None
        item = item.parentItem()
    return None, None


def _weak_listener(scene: NetworkScene, graph: NetworkGraph):
    """A graph listener that does not keep the scene alive and unsubscribes once it is gone."""
    ref = weakref.ref(scene)

    def listener(event: GraphEvent) -> None:
        target = ref()
        if target is None or not shiboken6.isValid(target):
            graph.unsubscribe(listener)
            return
        target._on_graph_event(event)

    return listener
