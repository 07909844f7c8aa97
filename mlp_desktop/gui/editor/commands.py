"""Every edit of the diagram as a ``QUndoCommand`` whose redo/undo call :class:`NetworkGraph` methods only.

A command performs its edit the first time it is redone and remembers what the graph returned
(the removed layer, the new neuron's id, ...). Undo and every later redo then replay exactly
that with the graph's inverse methods (``restore_layer``, ``insert_neuron``, ...), so ids are
kept and a redo gives back the very same network, not merely one of the same shape. Multi-neuron
resizes use :meth:`NetworkGraph.to_dict` / :meth:`NetworkGraph.restore` snapshots.

The graph raises :class:`~mlp_desktop.core.errors.DataError` for an edit it refuses (removing the
last neuron, ...). An exception inside ``redo`` cannot be reported through ``QUndoStack.push``,
so call :meth:`GraphCommand.check` first: it performs the edit on a copy of the graph and raises
the same error. :func:`push_checked` does both.
"""

from __future__ import annotations

import copy

from PySide6.QtGui import QUndoCommand, QUndoStack

from ...core.graph import NetworkGraph


def _layer_name(graph: NetworkGraph, position: int) -> str:
    kind = graph.layers[position].kind
    return f"hidden layer {position}" if kind == "hidden" else f"{kind} layer"


class GraphCommand(QUndoCommand):
    """Base class: subclasses implement ``_first`` (the edit; returns a memo), ``_again`` and ``_undo``."""

    def __init__(self, graph: NetworkGraph, text: str):
        super().__init__(text)
        self.graph = graph
        self._memo = None
        self._done_once = False

    def check(self) -> None:
        """Raise the graph's ``DataError`` if this edit would be refused; changes nothing."""
        self._first(NetworkGraph.from_dict(self.graph.to_dict()))

    def redo(self) -> None:
        if self._done_once:
            self._again(self.graph, self._memo)
        else:
            self._memo = self._first(self.graph)
            self._done_once = True

    def undo(self) -> None:
        self._undo(self.graph, self._memo)

    # -- for subclasses ------------------------------------------------------------------------
    def _first(self, graph: NetworkGraph):
        raise NotImplementedError

    def _again(self, graph: NetworkGraph, memo) -> None:
        raise NotImplementedError

    def _undo(self, graph: NetworkGraph, memo) -> None:
        raise NotImplementedError


def push_checked(stack: QUndoStack, command: GraphCommand) -> None:
    """Check ``command`` (raising the graph's ``DataError``) and push it (which performs it)."""
    command.check()
    stack.push(command)


class InsertLayerCommand(GraphCommand):
    """Insert a hidden layer at ``position`` (1 = right after the inputs)."""

    def __init__(self, graph: NetworkGraph, position: int, size: int = 2, activation: str = "tanh"):
        super().__init__(graph, f"Insert a hidden layer of {size} ({activation}) at position {position}")
        self.position, self.size, self.activation = position, size, activation

    def _first(self, graph):
        return copy.deepcopy(graph.insert_layer(self.position, self.size, self.activation))

    def _again(self, graph, layer):
        graph.restore_layer(self.position, layer)

    def _undo(self, graph, layer):
        graph.remove_layer(self.position)


class RemoveLayerCommand(GraphCommand):
    def __init__(self, graph: NetworkGraph, position: int):
        super().__init__(graph, f"Remove {_layer_name(graph, position)}" if position < len(graph.layers)
                         else "Remove a layer")
        self.position = position

    def _first(self, graph):
        return copy.deepcopy(graph.remove_layer(self.position))

    def _again(self, graph, layer):
        graph.remove_layer(self.position)

    def _undo(self, graph, layer):
        graph.restore_layer(self.position, layer)


class MoveLayerCommand(GraphCommand):
    def __init__(self, graph: NetworkGraph, position: int, to_position: int):
        super().__init__(graph, f"Move hidden layer {position} to position {to_position}")
        self.position, self.to_position = position, to_position

    def _first(self, graph):
        graph.move_layer(self.position, self.to_position)

    def _again(self, graph, memo):
        graph.move_layer(self.position, self.to_position)

    def _undo(self, graph, memo):
        graph.move_layer(self.to_position, self.position)


class SetActivationCommand(GraphCommand):
    def __init__(self, graph: NetworkGraph, position: int, activation: str):
        name = _layer_name(graph, position) if 0 <= position < len(graph.layers) else f"layer {position}"
        super().__init__(graph, f"Set the activation of the {name} to {activation}")
        self.position, self.activation = position, activation

    def _first(self, graph):
        old = graph.layers[self.position].activation if 0 <= self.position < len(graph.layers) else None
        graph.set_activation(self.position, self.activation)
        return old

    def _again(self, graph, old):
        graph.set_activation(self.position, self.activation)

    def _undo(self, graph, old):
        graph.set_activation(self.position, old)


class AddNeuronCommand(GraphCommand):
    """Add a neuron at the end of a hidden layer."""

    def __init__(self, graph: NetworkGraph, position: int):
        super().__init__(graph, f"Add a neuron to hidden layer {position}")
        self.position = position

    def _first(self, graph):
        neuron_id = graph.add_neuron(self.position)
        return graph.layers[self.position].size - 1, neuron_id

    def _again(self, graph, memo):
        graph.insert_neuron(self.position, *memo)

    def _undo(self, graph, memo):
        graph.remove_neuron(self.position, memo[0])


class SetNeuronsCommand(GraphCommand):
    """Give a hidden layer ``count`` neurons at once (added or removed at its end): one undo step
    however big the change, e.g. 2 -> 64."""

    def __init__(self, graph: NetworkGraph, position: int, count: int):
        super().__init__(graph, f"Set hidden layer {position} to {count} neurons")
        self.position, self.count = position, count

    def _first(self, graph):
        before = list(graph.layers[self.position].neuron_ids)
        graph.set_size(self.position, self.count)
        return before, list(graph.layers[self.position].neuron_ids)

    def _again(self, graph, memo):
        graph.set_neuron_ids(self.position, memo[1])

    def _undo(self, graph, memo):
        graph.set_neuron_ids(self.position, memo[0])


class RemoveNeuronCommand(GraphCommand):
    """Remove neuron ``index`` (default: the last) of a hidden layer."""

    def __init__(self, graph: NetworkGraph, position: int, index: int | None = None):
        which = "the last neuron" if index is None else f"neuron {index}"
        super().__init__(graph, f"Remove {which} of hidden layer {position}")
        self.position, self.index = position, index

    def _first(self, graph):
        return graph.remove_neuron(self.position, self.index)

    def _again(self, graph, memo):
        graph.remove_neuron(self.position, memo[0])

    def _undo(self, graph, memo):
        graph.insert_neuron(self.position, *memo)


class SetSizeCommand(GraphCommand):
    """Resize a hidden layer in one step (snapshots: one event, not one per neuron)."""

    def __init__(self, graph: NetworkGraph, position: int, size: int):
        super().__init__(graph, f"Resize hidden layer {position} to {size} neurons")
        self.position, self.size = position, size

    def _first(self, graph):
        before = graph.to_dict()
        graph.set_size(self.position, self.size)
        return before, graph.to_dict()

    def _again(self, graph, memo):
        _restore_keeping_io(graph, memo[1])

    def _undo(self, graph, memo):
        _restore_keeping_io(graph, memo[0])


class SetIOCommand(GraphCommand):
    """Rename/resize the input and output layers (what loading other data does)."""

    def __init__(self, graph: NetworkGraph, input_names, output_names):
        super().__init__(graph, "Change the input and output columns")
        self.input_names, self.output_names = list(input_names), list(output_names)

    def _first(self, graph):
        old = list(graph.input_layer.neuron_ids), list(graph.output_layer.neuron_ids)
        graph.set_io(self.input_names, self.output_names)
        return old

    def _again(self, graph, old):
        graph.set_io(self.input_names, self.output_names)

    def _undo(self, graph, old):
        graph.set_io(*old)


def _restore_keeping_io(graph: NetworkGraph, state: dict) -> None:
    """Restore a snapshot, but keep the current input/output names: they follow the data, which
    may have changed since the snapshot without going through the undo stack."""
    state = copy.deepcopy(state)
    state["layers"][0]["neuron_ids"] = list(graph.input_layer.neuron_ids)
    state["layers"][-1]["neuron_ids"] = list(graph.output_layer.neuron_ids)
    graph.restore(state)
