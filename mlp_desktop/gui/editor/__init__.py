"""The network diagram editor: a ``QGraphicsScene`` mirroring a :class:`~mlp_desktop.core.graph.NetworkGraph`.

The graph is the single source of truth. :class:`NetworkScene` rebuilds its items from the
graph's change events; its items only report what the user did (as the scene's request
signals); :class:`EditorWidget` turns those requests into undoable commands
(:mod:`.commands`) whose redo/undo call graph methods only.
"""

from .commands import (
    AddNeuronCommand,
    GraphCommand,
    InsertLayerCommand,
    MoveLayerCommand,
    RemoveLayerCommand,
    RemoveNeuronCommand,
    SetActivationCommand,
    SetIOCommand,
    SetSizeCommand,
)
from .scene import NetworkScene
from .view import NetworkView


def __getattr__(name: str):
    # Imported on first use, so ``python -m mlp_desktop.gui.editor.editor_widget`` does not load
    # that module twice (once through this package, once as __main__).
    if name == "EditorWidget":
        from .editor_widget import EditorWidget

        return EditorWidget
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "AddNeuronCommand",
    "EditorWidget",
    "GraphCommand",
    "InsertLayerCommand",
    "MoveLayerCommand",
    "NetworkScene",
    "NetworkView",
    "RemoveLayerCommand",
    "RemoveNeuronCommand",
    "SetActivationCommand",
    "SetIOCommand",
    "SetSizeCommand",
]
