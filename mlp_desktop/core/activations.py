"""Activation functions, as a table of small in-place kernels.

Every activation works on a buffer in place, so the training loop allocates nothing per step. The
kernels see values neuron-major, ``(n_neurons, n_samples)``, as the training kernel stores them:

* ``forward(z, tmp)`` turns pre-activations ``z`` into activations, in place;
* ``backprop(delta, a, tmp)`` multiplies ``delta`` (dLoss/da) by the derivative of the activation,
  written in terms of the activation output ``a``, turning it into dLoss/dz in place.

``tmp`` is scratch space of the same shape. ``softmax`` mixes the values of one sample (a column),
so its backprop is the Jacobian-vector product; it is allowed on the output layer only. The
convenience methods ``Activation(z)`` and ``derivative(a)`` take ordinary ``(n_samples, n_neurons)``
rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from .errors import DataError

LEAKY_SLOPE = 0.01
"""Slope of ``leaky_relu`` for negative inputs."""

InPlace = Callable[..., None]


@dataclass(frozen=True)
class Activation:
    name: str
    formula: str
    forward: InPlace
    backprop: InPlace
    output_only: bool = False

    def __call__(self, z: np.ndarray) -> np.ndarray:
        """Return the activation of rows ``z: (n_samples, n_neurons)`` (a new array)."""
        a = np.array(np.array(z, dtype=np.float64, ndmin=2).T, order="C")
        self.forward(a, np.empty_like(a))
        return a.T.reshape(np.shape(z))

    def derivative(self, a: np.ndarray) -> np.ndarray:
        """Return da/dz for elementwise activations, given the activation output ``a``."""
        if self.output_only:
            raise DataError(f"{self.name} mixes its inputs; it has no elementwise derivative.")
        a = np.array(a, dtype=np.float64, ndmin=2)
        d = np.ones_like(a)
        self.backprop(d, a, np.empty_like(a))
        return d.reshape(np.shape(a))


def _identity_forward(z, tmp):
    pass


def _identity_backprop(delta, a, tmp):
    pass


def _sigmoid_forward(z, tmp):
    # 1/(1+exp(-z)) == (1 + tanh(z/2)) / 2, and tanh never overflows.
    z *= 0.5
    np.tanh(z, out=z)
    z *= 0.5
    z += 0.5


def _sigmoid_backprop(delta, a, tmp):
    np.subtract(1.0, a, out=tmp)
    tmp *= a
    delta *= tmp


def _tanh_forward(z, tmp):
    np.tanh(z, out=z)


def _tanh_backprop(delta, a, tmp):
    np.multiply(a, a, out=tmp)
    np.subtract(1.0, tmp, out=tmp)
    delta *= tmp


def _relu_forward(z, tmp):
    np.maximum(z, 0.0, out=z)


def _relu_backprop(delta, a, tmp):
    np.greater(a, 0.0, out=tmp)  # 1.0 where the neuron was active, else 0.0
    delta *= tmp


def _leaky_relu_forward(z, tmp):
    np.multiply(z, LEAKY_SLOPE, out=tmp)
    np.maximum(z, tmp, out=z)


def _leaky_relu_backprop(delta, a, tmp):
    # a has the sign of z, so the slope can be read off the output.
    np.greater(a, 0.0, out=tmp)
    tmp *= 1.0 - LEAKY_SLOPE
    tmp += LEAKY_SLOPE
    delta *= tmp


def _softmax_forward(z, tmp):
    # Subtracting the row maximum keeps exp() from overflowing.
    z -= z.max(axis=0)
    np.exp(z, out=z)
    z /= z.sum(axis=0)


def _softmax_backprop(delta, a, tmp):
    # dL/dz_i = a_i * (dL/da_i - sum_j dL/da_j a_j)
    np.multiply(delta, a, out=tmp)
    delta -= tmp.sum(axis=0)
    delta *= a


ACTIVATIONS: dict[str, Activation] = {
    "identity": Activation("identity", "f(z) = z", _identity_forward, _identity_backprop),
    "sigmoid": Activation("sigmoid", "f(z) = 1 / (1 + e^-z)", _sigmoid_forward, _sigmoid_backprop),
    "tanh": Activation("tanh", "f(z) = tanh(z)", _tanh_forward, _tanh_backprop),
    "relu": Activation("relu", "f(z) = max(0, z)", _relu_forward, _relu_backprop),
    "leaky_relu": Activation(
        "leaky_relu", f"f(z) = z if z > 0 else {LEAKY_SLOPE} z", _leaky_relu_forward, _leaky_relu_backprop
    ),
    "softmax": Activation(
        "softmax", "f(z)_i = e^z_i / sum_j e^z_j", _softmax_forward, _softmax_backprop, output_only=True
    ),
}


def get_activation(name: str) -> Activation:
    """Look an activation up by name, with a clear error for an unknown one."""
    try:
        return ACTIVATIONS[name]
    except (KeyError, TypeError):
        known = ", ".join(ACTIVATIONS)
        raise DataError(f"Unknown activation {name!r}; choose one of: {known}.") from None
