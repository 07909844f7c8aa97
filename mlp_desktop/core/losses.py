"""Loss functions and which output activations they may follow.

A loss here is two things:

* ``value(z, a, Y)``: the loss of a batch, from the output layer's pre-activations ``z`` and
  activations ``a`` (both ``(n_samples, n_outputs)``) and the targets ``Y``;
* ``residual_scale(n_samples, n_outputs)``: the factor that turns the residual ``a - Y`` into the
  gradient the backward pass starts from.

``mse`` is the mean over all samples and outputs of ``(a - Y)**2``; its gradient with respect to
``a`` is ``2 (a - Y) / (n_samples n_outputs)`` and is then chained through the output activation.
``cross_entropy`` after ``softmax`` is the mean over samples of ``-sum(Y log a)``; after ``sigmoid``
it is binary cross-entropy averaged over all elements. In both cases its gradient with respect to
``z`` is the residual times the scale, so the activation derivative is folded in
(``chain_output_activation`` is False). The cross-entropies are computed from ``z`` so that no
``log(0)`` or overflowing ``exp`` can happen.

``per_sample(z, a, Y)`` gives each sample's share, ``(n_samples,)``, whose mean is ``value``: with
sample weights (class weights) the loss is ``mean(weights * per_sample)``, and multiplying each
sample's residual by its weight gives exactly that loss's gradient.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from .errors import DataError


@dataclass(frozen=True)
class Loss:
    name: str
    value: Callable[[np.ndarray, np.ndarray, np.ndarray], float]
    residual_scale: Callable[[int, int], float]
    chain_output_activation: bool
    per_sample: Callable[[np.ndarray, np.ndarray, np.ndarray], np.ndarray] | None = None

    def weighted_value(self, z, a, Y, weights=None) -> float:
        """``value``, or with ``weights: (n_samples,)`` the weighted mean of ``per_sample``."""
        if weights is None:
            return self.value(z, a, Y)
        return float(np.dot(weights, self.per_sample(z, a, Y)) / len(weights))


def _mse_value(z, a, Y):
    r = a - Y
    return float(np.vdot(r, r) / r.size)


def _mse_per_sample(z, a, Y):
    r = a - Y
    return (r * r).mean(axis=1)


def _softmax_cross_entropy_value(z, a, Y):
    shifted = z - z.max(axis=1, keepdims=True)
    log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    return float(-(Y * log_p).sum() / z.shape[0])


def _softmax_cross_entropy_per_sample(z, a, Y):
    shifted = z - z.max(axis=1, keepdims=True)
    log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    return -(Y * log_p).sum(axis=1)


def _sigmoid_cross_entropy_value(z, a, Y):
    # -[y log s(z) + (1-y) log(1-s(z))] == max(z,0) - z y + log(1 + e^-|z|)
    per_element = np.maximum(z, 0.0) - z * Y + np.log1p(np.exp(-np.abs(z)))
    return float(per_element.mean())


def _sigmoid_cross_entropy_per_sample(z, a, Y):
    return (np.maximum(z, 0.0) - z * Y + np.log1p(np.exp(-np.abs(z)))).mean(axis=1)


_MSE = Loss("mse", _mse_value, lambda n, k: 2.0 / (n * k), chain_output_activation=True,
            per_sample=_mse_per_sample)

LOSSES: dict[tuple[str, str], Loss] = {}
"""(loss name, output activation) -> Loss, for every valid pair."""
for _activation in ("identity", "sigmoid", "tanh", "relu", "leaky_relu", "softmax"):
    LOSSES[("mse", _activation)] = _MSE
LOSSES[("cross_entropy", "softmax")] = Loss(
    "cross_entropy", _softmax_cross_entropy_value, lambda n, k: 1.0 / n, chain_output_activation=False,
    per_sample=_softmax_cross_entropy_per_sample,
)
LOSSES[("cross_entropy", "sigmoid")] = Loss(
    "cross_entropy", _sigmoid_cross_entropy_value, lambda n, k: 1.0 / (n * k), chain_output_activation=False,
    per_sample=_sigmoid_cross_entropy_per_sample,
)

LOSS_NAMES = ("mse", "cross_entropy")

_ALIASES = {"cross-entropy": "cross_entropy", "crossentropy": "cross_entropy", "ce": "cross_entropy",
            "squared_error": "mse"}


def get_loss(name: str, output_activation: str) -> Loss:
    """Return the loss for this output activation, or explain why the pair cannot work."""
    key = _ALIASES.get(str(name).lower(), str(name).lower())
    if key not in LOSS_NAMES:
        raise DataError(f"Unknown loss {name!r}; choose 'mse' or 'cross_entropy'.")
    try:
        return LOSSES[(key, output_activation)]
    except KeyError:
        raise DataError(
            f"Cross-entropy loss needs a sigmoid or softmax output layer, not {output_activation!r}: "
            "it compares probabilities. Use mean squared error, or change the output activation."
        ) from None


def class_indices(Y: np.ndarray) -> np.ndarray | None:
    """The class of each row of class targets ``Y: (n_samples, n_outputs)``, or ``None``.

    One column of 0/1 values: the value is the class (a single sigmoid output). Several columns:
    one-hot rows (exactly one 1, the rest 0); the class is the column of the 1.
    """
    Y = np.asarray(Y)
    if not np.isin(Y, (0.0, 1.0)).all():
        return None
    if Y.shape[1] == 1:
        return Y[:, 0].astype(np.intp)
    if not (Y.sum(axis=1) == 1.0).all():
        return None
    return Y.argmax(axis=1)


def _balanced_weights(classes: np.ndarray) -> np.ndarray:
    # n_rows / (n_classes * n_class_rows), counting the classes present (as scikit-learn does)
    _, inverse, counts = np.unique(classes, return_inverse=True, return_counts=True)
    return (len(classes) / (len(counts) * counts))[inverse]


CLASS_WEIGHTS = {"balanced": _balanced_weights}
"""Class-weight name -> sample weights ``(n_samples,)`` from each row's class."""
