"""One training step on one row, laid out neuron by neuron: the tutorials' hand calculation.

``step_through`` returns every number a student would write down for one row: the inputs, each
neuron's pre-activation ``z`` and activation ``a`` (forward), each neuron's delta ``dL/dz`` and
each weight's gradient (backward), and the weights after one gradient step (update);
``parameter_steps`` lists them parameter by parameter, in the engine's order. The numbers
come from the engine itself (``forward_layers`` and ``loss_and_gradients``), so what the diagram
shows is exactly what training does.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .network import MLP, as_matrix
from .parameters import parameter_names


@dataclass
class StepThrough:
    """Values for one row; lists run over the non-input layers unless noted.

    ``activations[0]`` is the input row itself; ``deltas[k]`` is ``dL/dz`` of layer ``k + 1``
    (for one row it equals the bias gradient); ``new_weights``/``new_biases`` are after one step
    of plain gradient descent with ``learning_rate``; ``weights``/``biases`` are the ones before it.
    All values are the network's own: scaled inputs and (for a scaled target) scaled targets.
    """

    inputs: np.ndarray
    target: np.ndarray
    pre_activations: list[np.ndarray]
    activations: list[np.ndarray]
    loss: float
    deltas: list[np.ndarray]
    weight_grads: list[np.ndarray]
    bias_grads: list[np.ndarray]
    learning_rate: float
    new_weights: list[np.ndarray]
    new_biases: list[np.ndarray]
    weights: list[np.ndarray]
    biases: list[np.ndarray]

    @property
    def output(self) -> np.ndarray:
        return self.activations[-1]


def step_through(net: MLP, x, y, loss: str = "mse", learning_rate: float = 0.01) -> StepThrough:
    """Forward, backward and update for one (scaled) input row ``x`` and target row ``y``."""
    X = as_matrix(x, net.layer_sizes[0], "inputs")[:1]
    Y = as_matrix(y, net.layer_sizes[-1], "targets")[:1]
    trace = net.forward_layers(X)
    value, weight_grads, bias_grads = net.loss_and_gradients(X, Y, loss)
    return StepThrough(
        inputs=X[0].copy(),
        target=Y[0].copy(),
        pre_activations=[layer.z[0] for layer in trace],
        activations=[X[0].copy()] + [layer.a[0] for layer in trace],
        loss=value,
        deltas=[g.copy() for g in bias_grads],
        weight_grads=weight_grads,
        bias_grads=bias_grads,
        learning_rate=float(learning_rate),
        new_weights=[w - learning_rate * g for w, g in zip(net.weights, weight_grads)],
        new_biases=[b - learning_rate * g for b, g in zip(net.biases, bias_grads)],
        weights=[w.copy() for w in net.weights],
        biases=[b.copy() for b in net.biases],
    )


@dataclass(frozen=True)
class ParameterStep:
    """One weight or bias through the step: its value, its gradient, its value after the update."""

    name: str  # "W1[0,1]", "b2[0]" (core.parameters' names)
    value: float
    gradient: float
    new_value: float

    @property
    def change(self) -> float:
        return self.new_value - self.value


@dataclass(frozen=True)
class ParameterSteps:
    """Every parameter of a step, in the engine's order (``W1`` row-major, ``b1``, ``W2`` ...):
    their ``names`` and, as arrays, their ``values``, ``gradients`` and ``new_values``. Arrays, not
    an object per parameter: a 784-64-10 network has 50,890, and making them took 0.2 s of every
    click of the Step panel. Indexing gives one :class:`ParameterStep`."""

    names: list[str]
    values: np.ndarray
    gradients: np.ndarray
    new_values: np.ndarray

    @property
    def changes(self) -> np.ndarray:
        return self.new_values - self.values

    def __len__(self) -> int:
        return len(self.names)

    def __getitem__(self, index: int) -> ParameterStep:
        return ParameterStep(self.names[index], float(self.values[index]), float(self.gradients[index]),
                             float(self.new_values[index]))

    def largest_change(self) -> ParameterStep:
        return self[int(np.argmax(np.abs(self.changes)))]


def parameter_steps(step: StepThrough) -> ParameterSteps:
    """Every parameter of the step, in the engine's order (``W1`` row-major, ``b1``, ``W2`` ...)."""
    def flat(weights, biases):
        return np.concatenate([np.concatenate([w.ravel(), b]) for w, b in zip(weights, biases)])

    sizes = [len(step.inputs)] + [len(a) for a in step.activations[1:]]
    return ParameterSteps(parameter_names(sizes), flat(step.weights, step.biases),
                          flat(step.weight_grads, step.bias_grads), flat(step.new_weights, step.new_biases))


def apply_step(net: MLP, step: StepThrough) -> None:
    """Make ``net`` take the step (its weights become ``step.new_weights``)."""
    net.weights = step.new_weights
    net.biases = step.new_biases
