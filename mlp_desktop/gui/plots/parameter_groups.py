"""Grouping parameter names by layer and destination neuron, for the weight tree.

Names follow the engine's order: for each layer ``k``, ``W{k}[i,j]`` (i = source neuron,
j = destination neuron), then ``b{k}[j]``. A neuron's group holds its incoming weights and its bias.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_NAME = re.compile(r"^(?P<kind>[Wb])(?P<layer>\d+)\[(?P<first>\d+)(?:,(?P<second>\d+))?\]$")

DEFAULT_ALL_LIMIT = 1000
DEFAULT_GROUPED_LIMIT = 200


@dataclass
class NeuronGroup:
    """One destination neuron: its title and the columns (indices into the names) of its parameters."""

    title: str
    columns: list[int] = field(default_factory=list)


@dataclass
class LayerGroup:
    """One weight layer: its title and its neurons in order."""

    title: str
    neurons: list[NeuronGroup] = field(default_factory=list)

    @property
    def columns(self) -> list[int]:
        """Every column of the layer, neuron by neuron."""
        return [column for neuron in self.neurons for column in neuron.columns]


def group_parameters(names: list[str]) -> list[LayerGroup]:
    """Layers ("Layer 1 (W1, b1)") holding neurons ("neuron 0") holding column indices.

    Names that do not follow the ``W{k}[i,j]`` / ``b{k}[j]`` pattern go to a last "Other" group.
    """
    layers: dict[int, dict[int, list[int]]] = {}
    other: list[int] = []
    for column, name in enumerate(names):
        match = _NAME.match(name)
        if match is None or (match["kind"] == "W") != (match["second"] is not None):
            other.append(column)
            continue
        neuron = int(match["second"] if match["kind"] == "W" else match["first"])
        layers.setdefault(int(match["layer"]), {}).setdefault(neuron, []).append(column)
    groups = [
        LayerGroup(
            f"Layer {k} (W{k}, b{k})",
            [NeuronGroup(f"neuron {j}", sorted(columns)) for j, columns in sorted(neurons.items())],
        )
        for k, neurons in sorted(layers.items())
    ]
    if other:
        groups.append(LayerGroup("Other", [NeuronGroup("parameters", other)]))
    return groups


def default_columns(
    groups: list[LayerGroup],
    all_limit: int = DEFAULT_ALL_LIMIT,
    grouped_limit: int = DEFAULT_GROUPED_LIMIT,
) -> list[int]:
    """The curves shown at first: all if at most ``all_limit``, else whole neuron groups in order
    up to ``grouped_limit`` curves (at least one group)."""
    neurons = [neuron for layer in groups for neuron in layer.neurons]
    total = sum(len(neuron.columns) for neuron in neurons)
    if total <= all_limit:
        return sorted(column for neuron in neurons for column in neuron.columns)
    chosen: list[int] = []
    for neuron in neurons:
        if chosen and len(chosen) + len(neuron.columns) > grouped_limit:
            break
        chosen += neuron.columns
    return sorted(chosen)
