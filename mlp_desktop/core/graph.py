"""The editable description of a network: what the diagram editor edits, Qt-free.

A :class:`NetworkGraph` is an ordered list of layers: the input layer (one neuron per input
column), the hidden layers and the output layer (one neuron per target or class). Hidden layers
are edited freely; the input and output layers follow the data (:meth:`NetworkGraph.set_io`).
Every layer and every hidden neuron has a stable id, so an edit can be undone exactly and the
weights of untouched connections can be carried over to the edited network
(:func:`transfer_parameters`).

Views listen with :meth:`NetworkGraph.subscribe`; each change calls the listeners with a
:class:`GraphEvent`. Editing methods only change the graph and report; they never know a view.
"""

from __future__ import annotations

import copy
import itertools
from dataclasses import dataclass, field
from typing import Callable

from .activations import ACTIVATIONS
from .errors import DataError
from .model import NetworkSpec

HIDDEN_ACTIVATIONS = tuple(name for name, a in ACTIVATIONS.items() if not a.output_only)
OUTPUT_ACTIVATIONS = ("auto",) + tuple(ACTIVATIONS)
MAX_NEURONS = 10_000


@dataclass
class Layer:
    """One layer: its neurons' ids (their count is the size) and its activation.

    The input layer's activation is ``None``; its neuron ids are the input names, as are the output
    layer's the output names. Hidden neurons get integer ids that are never reused.
    """

    id: int
    kind: str  # "input" | "hidden" | "output"
    neuron_ids: list = field(default_factory=list)
    activation: str | None = None

    @property
    def size(self) -> int:
        return len(self.neuron_ids)


@dataclass(frozen=True)
class GraphEvent:
    """What changed: ``kind`` is one of ``"reset"``, ``"layer_inserted"``, ``"layer_removed"``,
    ``"layer_moved"``, ``"layer_changed"`` (size or activation) or ``"io_changed"``; ``index`` is
    the layer's position (0 = input layer) where it applies, ``to_index`` the new position of a
    moved layer."""

    kind: str
    index: int | None = None
    to_index: int | None = None


class NetworkGraph:
    """Layers of a feedforward network, with plain-Python change events."""

    def __init__(self, input_names=(), output_names=(), hidden=((2, "sigmoid"),), output_activation: str = "auto"):
        self._ids = itertools.count(1)
        self._listeners: list[Callable[[GraphEvent], None]] = []
        self._last_listeners: list[Callable[[GraphEvent], None]] = []
        self.layers: list[Layer] = [Layer(0, "input", list(input_names))]
        for size, activation in hidden:
            self.layers.append(self._new_hidden(size, activation))
        self._check_output_activation(output_activation)
        self.layers.append(Layer(-1, "output", list(output_names), output_activation))

    # -- listening -----------------------------------------------------------------------------
    def subscribe(self, listener: Callable[[GraphEvent], None], last: bool = False) -> None:
        """Call ``listener`` with every change; ``last`` listeners hear after all others (the
        workspace rebuilds the network once every view of the graph has caught up)."""
        (self._last_listeners if last else self._listeners).append(listener)

    def unsubscribe(self, listener: Callable[[GraphEvent], None]) -> None:
        for listeners in (self._listeners, self._last_listeners):
            if listener in listeners:
                listeners.remove(listener)

    def _emit(self, kind: str, index: int | None = None, to_index: int | None = None) -> None:
        event = GraphEvent(kind, index, to_index)
        for listener in [*self._listeners, *self._last_listeners]:
            listener(event)

    # -- reading -------------------------------------------------------------------------------
    @property
    def input_layer(self) -> Layer:
        return self.layers[0]

    @property
    def output_layer(self) -> Layer:
        return self.layers[-1]

    @property
    def hidden_layers(self) -> list[Layer]:
        return self.layers[1:-1]

    @property
    def layer_sizes(self) -> list[int]:
        return [layer.size for layer in self.layers]

    def resolved_output_activation(self, task: str) -> str:
        return self.to_spec().resolved_output(task)

    def to_spec(self, **settings) -> NetworkSpec:
        """The engine's description (hidden sizes and activations, output activation) plus ``settings``
        (``loss``, ``init``, ...)."""
        return NetworkSpec(hidden_layers=[layer.size for layer in self.hidden_layers],
                           activations=[layer.activation for layer in self.hidden_layers] or "tanh",
                           output_activation=self.output_layer.activation, **settings)

    def validate(self, task: str = "regression", loss: str = "auto") -> None:
        """Raise :class:`DataError` if this network cannot be trained for ``task`` with ``loss``."""
        from .losses import get_loss

        for position, layer in enumerate(self.layers):
            if layer.size < 1:
                what = {"input": "input columns", "output": "targets"}.get(layer.kind)
                raise DataError(f"The {layer.kind} layer has no neurons" + (f": choose {what} in the data." if what else
                                f" (layer {position}); give it at least one."))
        spec = self.to_spec(loss=loss)
        output = spec.resolved_output(task)
        if task == "classification" and output not in ("softmax", "sigmoid"):
            raise DataError(f"Classification needs a softmax or sigmoid output layer, not {output}.")
        if task == "regression" and output == "softmax":
            raise DataError("A softmax output gives class probabilities; a numeric target needs identity, "
                            "sigmoid or tanh.")
        get_loss(spec.resolved_loss(task), output)

    def neuron_key(self, layer_index: int, neuron: int):
        """A stable key for a neuron: (layer id, neuron id)."""
        layer = self.layers[layer_index]
        return layer.id, layer.neuron_ids[neuron]

    # -- editing -------------------------------------------------------------------------------
    def set_io(self, input_names, output_names) -> None:
        """Size the input and output layers by the data's columns (and name their neurons)."""
        self.layers[0].neuron_ids = list(input_names)
        self.layers[-1].neuron_ids = list(output_names)
        self._emit("io_changed")

    def insert_layer(self, position: int, size: int = 2, activation: str = "tanh") -> Layer:
        """Insert a hidden layer at ``position`` (1 = right after the inputs, up to the output's position)."""
        if not 1 <= position <= len(self.layers) - 1:
            raise DataError(f"A hidden layer goes between the input and output layers (position 1 to "
                            f"{len(self.layers) - 1}), not at {position}.")
        layer = self._new_hidden(size, activation)
        self.layers.insert(position, layer)
        self._emit("layer_inserted", position)
        return layer

    def restore_layer(self, position: int, layer: Layer) -> None:
        """Put back a layer removed by :meth:`remove_layer` (for undo), with its ids."""
        self.layers.insert(position, copy.deepcopy(layer))
        self._emit("layer_inserted", position)

    def remove_layer(self, position: int) -> Layer:
        """Remove the hidden layer at ``position``; returns it (for undo)."""
        self._check_hidden(position)
        layer = self.layers.pop(position)
        self._emit("layer_removed", position)
        return layer

    def move_layer(self, position: int, to_position: int) -> None:
        """Move a hidden layer to another hidden position."""
        self._check_hidden(position)
        self._check_hidden(to_position)
        if position != to_position:
            self.layers.insert(to_position, self.layers.pop(position))
            self._emit("layer_moved", position, to_position)

    def set_activation(self, position: int, activation: str) -> None:
        """Set a hidden layer's activation, or the output layer's (which may also be ``"auto"``)."""
        layer = self.layers[position]
        if layer.kind == "input":
            raise DataError("The input layer passes the inputs on unchanged; it has no activation.")
        if layer.kind == "output":
            self._check_output_activation(activation)
        else:
            self._check_hidden_activation(activation)
        layer.activation = activation
        self._emit("layer_changed", position)

    def add_neuron(self, position: int) -> int:
        """Add a neuron at the end of a hidden layer; returns its id."""
        layer = self._check_hidden(position)
        if layer.size >= MAX_NEURONS:
            raise DataError(f"A layer can have at most {MAX_NEURONS:,} neurons.")
        neuron_id = next(self._ids)
        layer.neuron_ids.append(neuron_id)
        self._emit("layer_changed", position)
        return neuron_id

    def insert_neuron(self, position: int, index: int, neuron_id: int) -> None:
        """Put a neuron back at ``index`` of a hidden layer (for undo of :meth:`remove_neuron`)."""
        layer = self._check_hidden(position)
        layer.neuron_ids.insert(index, neuron_id)
        self._emit("layer_changed", position)

    def remove_neuron(self, position: int, index: int | None = None) -> tuple[int, int]:
        """Remove neuron ``index`` (default: the last) of a hidden layer; returns ``(index, id)`` for undo."""
        layer = self._check_hidden(position)
        if layer.size <= 1:
            raise DataError("A layer needs at least one neuron; remove the whole layer instead.")
        index = layer.size - 1 if index is None else index
        neuron_id = layer.neuron_ids.pop(index)
        self._emit("layer_changed", position)
        return index, neuron_id

    def set_size(self, position: int, size: int) -> None:
        """Grow or shrink a hidden layer (neurons are added or removed at its end)."""
        layer = self._check_hidden(position)
        size = int(size)
        if not 1 <= size <= MAX_NEURONS:
            raise DataError(f"A layer needs between 1 and {MAX_NEURONS:,} neurons; got {size}.")
        while layer.size < size:
            layer.neuron_ids.append(next(self._ids))
        del layer.neuron_ids[size:]
        self._emit("layer_changed", position)

    def set_neuron_ids(self, position: int, neuron_ids: list) -> None:
        """Give a hidden layer exactly these neurons (undoing a resize); one change event."""
        layer = self._check_hidden(position)
        if not 1 <= len(neuron_ids) <= MAX_NEURONS:
            raise DataError(f"A layer needs between 1 and {MAX_NEURONS:,} neurons; got {len(neuron_ids)}.")
        layer.neuron_ids = list(neuron_ids)
        self._emit("layer_changed", position)

    # -- whole-graph state (undo, saving) ------------------------------------------------------
    def to_dict(self) -> dict:
        return {"layers": [{"id": layer.id, "kind": layer.kind, "neuron_ids": list(layer.neuron_ids),
                            "activation": layer.activation} for layer in self.layers],
                "next_id": self._peek_next_id()}

    def restore(self, state: dict) -> None:
        """Become exactly the graph ``state`` describes (from :meth:`to_dict`)."""
        self.layers = [Layer(d["id"], d["kind"], list(d["neuron_ids"]), d["activation"]) for d in state["layers"]]
        self._ids = itertools.count(max(int(state.get("next_id", 1)), self._peek_next_id()))
        self._emit("reset")

    @classmethod
    def from_dict(cls, state: dict) -> "NetworkGraph":
        graph = cls(hidden=())
        graph.restore(state)
        return graph

    # -- helpers -------------------------------------------------------------------------------
    def _peek_next_id(self) -> int:
        value = next(self._ids)
        self._ids = itertools.count(value)
        return value

    def _new_hidden(self, size: int, activation: str) -> Layer:
        self._check_hidden_activation(activation)
        size = int(size)
        if not 1 <= size <= MAX_NEURONS:
            raise DataError(f"A layer needs between 1 and {MAX_NEURONS:,} neurons; got {size}.")
        return Layer(next(self._ids), "hidden", [next(self._ids) for _ in range(size)], activation)

    def _check_hidden(self, position: int) -> Layer:
        if not 1 <= position < len(self.layers) - 1:
            raise DataError(f"There is no hidden layer at position {position}.")
        return self.layers[position]

    @staticmethod
    def _check_hidden_activation(activation: str) -> None:
        if activation not in HIDDEN_ACTIVATIONS:
            extra = " (softmax turns a layer into probabilities: output layer only)" if activation == "softmax" else ""
            raise DataError(f"A hidden layer's activation must be one of {', '.join(HIDDEN_ACTIVATIONS)}{extra}.")

    @staticmethod
    def _check_output_activation(activation: str) -> None:
        if activation not in OUTPUT_ACTIVATIONS:
            raise DataError(f"The output activation must be one of {', '.join(OUTPUT_ACTIVATIONS)}.")
