"""The multilayer perceptron: parameters, forward pass and backpropagation.

Shapes: a network with ``layer_sizes = [n0, n1, ..., nL]`` has ``L`` weight layers. Weight matrix
``k`` (0-based, shown to users 1-based as ``W{k+1}``) has shape ``(layer_sizes[k], layer_sizes[k+1])``:
``W1[i, j]`` connects input ``i`` to neuron ``j`` of the first hidden layer. Bias ``k`` has shape
``(layer_sizes[k+1],)``. Data flows as rows: ``X: (n_samples, n0) -> (n_samples, nL)``.

Parameter order (``parameter_names``, ``get_parameters``, ``History.params``): layer by layer, the
weights of the layer in row-major order, then its biases::

    W1[0,0], W1[0,1], ..., W1[n0-1,n1-1], b1[0], ..., b1[n1-1], W2[0,0], ..., bL[nL-1]

All parameters live in one contiguous vector and ``weights``/``biases`` are views into it, so a
whole update is a single vector operation and snapshots are one copy.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np

from .activations import ACTIVATIONS, Activation, get_activation
from .errors import DataError
from .parameters import parameter_names
from .initializers import BIAS_INITS, get_initializer
from .losses import Loss, get_loss


MAX_PARAMETERS = 50_000_000
"""The most weights and biases a network may have (400 MB per copy of them)."""


class _ParameterList(list):
    """A list of views into the parameter vector; assigning an item copies into the view."""

    def __init__(self, views: list[np.ndarray], kind: str):
        super().__init__(views)
        self._kind = kind

    def __setitem__(self, index, value):
        target = list.__getitem__(self, index)
        value = np.asarray(value, dtype=np.float64)
        if value.shape != target.shape:
            raise DataError(
                f"{self._kind}[{index}] must have shape {target.shape}, not {value.shape}."
            )
        target[...] = value


@dataclass(frozen=True)
class LayerTrace:
    """One layer's values for a batch: pre-activations ``z`` and activations ``a``."""

    z: np.ndarray
    a: np.ndarray


def as_matrix(values, n_columns: int, what: str) -> np.ndarray:
    """Return ``values`` as a C-contiguous float64 ``(n_rows, n_columns)`` array, or explain why not."""
    try:
        array = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError):
        raise DataError(f"The {what} must be numbers.") from None
    if array.ndim == 1 and n_columns == 1 and array.size != 1:
        array = array.reshape(-1, 1)
    elif array.ndim == 1:
        array = array.reshape(1, -1)
    if array.ndim != 2 or array.shape[1] != n_columns:
        raise DataError(
            f"The {what} must have {n_columns} column{'s' if n_columns != 1 else ''}, "
            f"but have shape {array.shape}."
        )
    return np.ascontiguousarray(array)


class MLP:
    """A fully connected feedforward network.

    Parameters
    ----------
    layer_sizes : neurons per layer, input layer first, e.g. ``[3, 2, 1]``.
    activations : one name per non-input layer (see ``ACTIVATIONS``); ``softmax`` only last.
    init : ``"uniform"`` (within ``init_range``), ``"normal"`` (std ``init_std``), ``"xavier"``, ``"he"``.
    bias_init : ``"zeros"`` or ``"like_weights"`` (drawn like the layer's weights).
    seed : the same seed gives bit-identical weights; ``None`` draws a fresh one.
    """

    def __init__(
        self,
        layer_sizes: Sequence[int],
        activations: Sequence[str],
        init: str = "xavier",
        init_range: tuple[float, float] = (-1.0, 1.0),
        init_std: float = 0.1,
        bias_init: str = "zeros",
        seed: int | None = None,
    ):
        self.layer_sizes = _check_layer_sizes(layer_sizes)
        self.activations = _check_activations(activations, len(self.layer_sizes) - 1)
        get_initializer(init)
        if bias_init not in BIAS_INITS:
            raise DataError(f"Unknown bias initialisation {bias_init!r}; choose 'zeros' or 'like_weights'.")
        try:
            low, high = (float(v) for v in init_range)
        except (TypeError, ValueError):
            raise DataError(f"The initialisation range must be two numbers, low and high; got {init_range!r}.") from None
        if not (np.isfinite(low) and np.isfinite(high) and low < high):
            raise DataError(f"The uniform initialisation range needs a low end below its high end; "
                            f"got {low:g} to {high:g}.")
        if not (np.isfinite(init_std) and init_std > 0):
            raise DataError(f"The initialisation standard deviation must be positive; got {init_std!r}.")
        self.init = init
        self.init_range = (low, high)
        self.init_std = float(init_std)
        self.bias_init = bias_init

        shapes = [(a, b) for a, b in zip(self.layer_sizes[:-1], self.layer_sizes[1:])]
        n_parameters = sum(a * b + b for a, b in shapes)
        if n_parameters > MAX_PARAMETERS:
            # Refused before allocating: training needs several copies, and an allocation the
            # system grants lazily would only fail (or end the app) once it is used.
            raise DataError(f"This network would have {n_parameters:,} weights and biases; MLP Desktop trains "
                            f"at most {MAX_PARAMETERS:,}. Use fewer neurons or fewer layers.")
        self._params = np.zeros(n_parameters)
        self._weights, self._biases = _views(self._params, shapes)
        self.initialize(seed)

    # -- parameters --------------------------------------------------------------------------
    @property
    def weights(self) -> list[np.ndarray]:
        """Weight matrices; ``weights[k].shape == (layer_sizes[k], layer_sizes[k+1])``."""
        return _ParameterList(self._weights, "weights")

    @weights.setter
    def weights(self, values: Sequence[np.ndarray]) -> None:
        self._assign(self.weights, values, "weights")

    @property
    def biases(self) -> list[np.ndarray]:
        """Bias vectors; ``biases[k].shape == (layer_sizes[k+1],)``."""
        return _ParameterList(self._biases, "biases")

    @biases.setter
    def biases(self, values: Sequence[np.ndarray]) -> None:
        self._assign(self.biases, values, "biases")

    def _assign(self, target: _ParameterList, values, kind: str) -> None:
        values = list(values)
        if len(values) != len(target):
            raise DataError(f"Expected {len(target)} {kind} arrays, got {len(values)}.")
        for k, value in enumerate(values):
            target[k] = value

    @property
    def n_parameters(self) -> int:
        return self._params.size

    def parameter_names(self) -> list[str]:
        """Names in parameter-vector order (see :mod:`~mlp_desktop.core.parameters`)."""
        return parameter_names(self.layer_sizes)

    def get_parameters(self) -> np.ndarray:
        """A copy of all parameters as one vector, in ``parameter_names()`` order."""
        return self._params.copy()

    def set_parameters(self, values) -> None:
        values = np.asarray(values, dtype=np.float64).ravel()
        if values.size != self._params.size:
            raise DataError(f"Expected {self._params.size} parameter values, got {values.size}.")
        self._params[...] = values

    def initialize(self, seed: int | None = None) -> None:
        """Draw fresh weights (and biases, if ``bias_init='like_weights'``) from ``seed``."""
        rng = np.random.default_rng(seed)
        draw = get_initializer(self.init)
        settings = {"init_range": self.init_range, "init_std": self.init_std}
        for W, b in zip(self._weights, self._biases):
            W[...] = draw(rng, W.shape[0], W.shape[1], settings)
            if self.bias_init == "like_weights":
                b[...] = draw(rng, 1, b.size, settings)[0]
            else:
                b[...] = 0.0

    def copy(self) -> "MLP":
        other = MLP.__new__(MLP)
        other.__dict__.update(self.__dict__)
        other._params = self._params.copy()
        shapes = [W.shape for W in self._weights]
        other._weights, other._biases = _views(other._params, shapes)
        return other

    def __repr__(self) -> str:
        return f"MLP(layer_sizes={list(self.layer_sizes)}, activations={list(self.activations)})"

    # -- computation -------------------------------------------------------------------------
    def forward(self, X) -> np.ndarray:
        """Network output for ``X: (n_samples, layer_sizes[0])`` -> ``(n_samples, layer_sizes[-1])``."""
        return self.forward_layers(X)[-1].a

    def forward_layers(self, X) -> list[LayerTrace]:
        """Every layer's pre-activation and activation for ``X``, first hidden layer first."""
        X = as_matrix(X, self.layer_sizes[0], "inputs")
        backprop = Backprop(self, "mse")
        ws = backprop.workspace(X.shape[0])
        pre_activations: list[np.ndarray] = []
        with np.errstate(over="ignore", invalid="ignore"):
            backprop.forward(backprop.augment(X).T, ws, pre_activations)
        return [LayerTrace(z, a.T.copy()) for z, a in zip(pre_activations, ws.a)]

    def loss_and_gradients(self, X, Y, loss: str = "mse") -> tuple[float, list[np.ndarray], list[np.ndarray]]:
        """The loss over ``(X, Y)`` and its exact gradient with respect to every weight and bias.

        Returns ``(loss, weight_grads, bias_grads)`` shaped like ``weights`` and ``biases``.
        """
        X = as_matrix(X, self.layer_sizes[0], "inputs")
        Y = as_matrix(Y, self.layer_sizes[-1], "targets")
        if X.shape[0] != Y.shape[0]:
            raise DataError(f"There are {X.shape[0]} input rows but {Y.shape[0]} target rows.")
        backprop = Backprop(self, loss)
        ws = backprop.workspace(X.shape[0])
        XT = backprop.augment(X).T
        backprop.forward(XT, ws)
        value = backprop.loss.value(ws.z[-1].T, ws.a[-1].T, Y)
        backprop.residual(Y.T, ws)
        backprop.backward(XT, ws, scale=1.0)
        return (
            value,
            [g.copy() for g in backprop.weight_grads],
            [g.copy() for g in backprop.bias_grads],
        )


def _check_layer_sizes(layer_sizes) -> tuple[int, ...]:
    try:
        sizes = tuple(int(n) for n in layer_sizes)
    except (TypeError, ValueError, OverflowError):
        raise DataError(f"Layer sizes must be whole numbers; got {layer_sizes!r}.") from None
    if len(sizes) < 2:
        raise DataError("A network needs at least an input and an output layer.")
    if any(n < 1 for n in sizes) or any(n != s for n, s in zip(sizes, layer_sizes)):
        raise DataError(f"Every layer needs at least one neuron (a whole number); got {list(layer_sizes)}.")
    return sizes


def _check_activations(activations, n_layers: int) -> tuple[str, ...]:
    if isinstance(activations, str):
        activations = [activations]
    names = tuple(activations)
    if len(names) != n_layers:
        raise DataError(
            f"Give one activation per non-input layer: {n_layers} expected, {len(names)} given."
        )
    for k, name in enumerate(names):
        activation = get_activation(name)
        if activation.output_only and k != n_layers - 1:
            raise DataError(f"{name} can only be used on the output layer (it turns a layer into probabilities).")
    return names


def _views(flat: np.ndarray, shapes) -> tuple[list[np.ndarray], list[np.ndarray]]:
    weights, biases, start = [], [], 0
    for n_in, n_out in shapes:
        weights.append(flat[start:start + n_in * n_out].reshape(n_in, n_out))
        start += n_in * n_out
        biases.append(flat[start:start + n_out])
        start += n_out
    return weights, biases


class Workspace:
    """Preallocated buffers for one batch size, so a training step allocates nothing.

    Inside the kernel, values are stored neuron-major, ``(n_neurons, n_samples)``, with one extra
    row of ones under every layer's activations: ``[a; 1]`` times the augmented weight matrix
    ``[W; b]`` (which is exactly how the parameter vector lays them out) gives the next layer's
    pre-activations in one matrix product, and ``[a; 1] delta^T`` gives the weight *and* bias
    gradients in one product. Every output buffer is contiguous, so no product needs a copy.
    """

    def __init__(self, layer_sizes: Sequence[int], n_samples: int, identity_output: bool):
        outs = layer_sizes[1:]
        self.n_samples = n_samples
        # activations of each non-input layer, with a row of ones under them
        self.augmented = [np.ones((n + 1, n_samples)) for n in outs]
        self.a = [aug[:-1] for aug in self.augmented]
        # hidden layers activate in place; a non-identity output keeps z apart for the loss value
        self.z = self.a if identity_output else self.a[:-1] + [np.empty((outs[-1], n_samples))]
        self.tmp = [np.empty((n, n_samples)) for n in outs]
        self.delta = [np.empty((n, n_samples)) for n in outs]


class Backprop:
    """Forward and backward passes of one network with one loss, on caller-provided workspaces.

    Inputs are given augmented and transposed: ``augment(X).T`` with shape ``(n_inputs + 1,
    n_samples)``; slices of rows of ``augment(X)`` can be passed transposed without a copy.
    The gradient is written into ``grad``, one vector in parameter order, so an update is
    ``params += grad`` after a backward pass with ``scale = -learning_rate``.
    """

    def __init__(self, net: MLP, loss: str):
        self.net = net
        self.activations: list[Activation] = [ACTIVATIONS[name] for name in net.activations]
        self.loss: Loss = get_loss(loss, net.activations[-1])
        if net.activations[-1] == "softmax" and net.layer_sizes[-1] < 2:
            raise DataError("A softmax output needs at least two neurons (one per class).")
        self.grad = np.zeros_like(net._params)
        shapes = list(zip(net.layer_sizes[:-1], net.layer_sizes[1:]))
        self.augmented_weights = _augmented_views(net._params, shapes)
        self.augmented_grads = _augmented_views(self.grad, shapes)
        self.weight_grads, self.bias_grads = _views(self.grad, shapes)

    @staticmethod
    def augment(X: np.ndarray) -> np.ndarray:
        """``X: (n_samples, n_inputs)`` with a column of ones appended (the bias input)."""
        out = np.ones((X.shape[0], X.shape[1] + 1))
        out[:, :-1] = X
        return out

    def workspace(self, n_samples: int) -> Workspace:
        return Workspace(self.net.layer_sizes, n_samples, self.net.activations[-1] == "identity")

    def forward(self, XT: np.ndarray, ws: Workspace, pre_activations: list | None = None) -> np.ndarray:
        """Fill ``ws`` for the augmented inputs ``XT: (n_inputs + 1, n_samples)``; return the output.

        Hidden layers are activated in place; pass a list as ``pre_activations`` to receive a copy
        of every layer's ``z`` as well.
        """
        previous = XT
        for Wb, activation, z, a, augmented, tmp in zip(
            self.augmented_weights, self.activations, ws.z, ws.a, ws.augmented, ws.tmp
        ):
            np.dot(Wb.T, previous, out=z)
            if pre_activations is not None:
                pre_activations.append(z.T.copy())
            if a is not z:
                np.copyto(a, z)
            activation.forward(a, tmp)
            previous = augmented
        return ws.a[-1]

    def residual(self, YT: np.ndarray, ws: Workspace) -> None:
        """Write ``output - Y`` into the output delta; ``YT: (n_outputs, n_samples)``."""
        np.subtract(ws.a[-1], YT, out=ws.delta[-1])

    def sum_of_squares(self, ws: Workspace) -> float:
        """Sum of the squared residual left by :meth:`residual`."""
        d = ws.delta[-1]
        return float(np.vdot(d, d))

    def backward(self, XT: np.ndarray, ws: Workspace, scale: float) -> None:
        """Turn the residual left by ``residual`` into ``scale`` times the gradient, in ``grad``."""
        d = ws.delta[-1]
        d *= scale * self.loss.residual_scale(ws.n_samples, d.shape[0])
        if self.loss.chain_output_activation:
            self.activations[-1].backprop(d, ws.a[-1], ws.tmp[-1])
        for k in range(len(ws.delta) - 1, -1, -1):
            previous = XT if k == 0 else ws.augmented[k - 1]
            np.dot(previous, ws.delta[k].T, out=self.augmented_grads[k])
            if k > 0:
                np.dot(self.augmented_weights[k][:-1], ws.delta[k], out=ws.delta[k - 1])
                self.activations[k - 1].backprop(ws.delta[k - 1], ws.a[k - 1], ws.tmp[k - 1])

    def jacobian(self, XT: np.ndarray, ws: Workspace, out: np.ndarray) -> np.ndarray:
        """Derivative of every output for every sample with respect to every parameter.

        Call after :meth:`forward` on the same ``XT`` and ``ws``. Fills and returns
        ``out: (n_samples, n_outputs, n_parameters)`` (parameter order as ``grad``). The residual
        in ``ws`` is overwritten. Used by Levenberg-Marquardt.
        """
        n_samples, n_outputs = ws.n_samples, ws.delta[-1].shape[0]
        starts = np.cumsum([0] + [w.size for w in self.augmented_weights])
        for k in range(n_outputs):
            d = ws.delta[-1]
            d.fill(0.0)
            d[k] = 1.0
            self.activations[-1].backprop(d, ws.a[-1], ws.tmp[-1])
            for layer in range(len(ws.delta) - 1, -1, -1):
                previous = XT if layer == 0 else ws.augmented[layer - 1]
                # d out_k / d [W; b][i, j] for sample n is previous[i, n] * delta[j, n]
                out[:, k, starts[layer]:starts[layer + 1]] = np.einsum(
                    "in,jn->nij", previous, ws.delta[layer]).reshape(n_samples, -1)
                if layer > 0:
                    np.dot(self.augmented_weights[layer][:-1], ws.delta[layer], out=ws.delta[layer - 1])
                    self.activations[layer - 1].backprop(ws.delta[layer - 1], ws.a[layer - 1], ws.tmp[layer - 1])
        return out


def _augmented_views(flat: np.ndarray, shapes) -> list[np.ndarray]:
    """Each layer's ``[W; b]`` as one ``(n_in + 1, n_out)`` view: the vector stores W, then b."""
    views, start = [], 0
    for n_in, n_out in shapes:
        views.append(flat[start:start + (n_in + 1) * n_out].reshape(n_in + 1, n_out))
        start += (n_in + 1) * n_out
    return views
