"""Weight initialisers: name -> function(rng, fan_in, fan_out, settings) -> (fan_in, fan_out) array."""

from __future__ import annotations

from typing import Callable

import numpy as np

from .errors import DataError

Initializer = Callable[[np.random.Generator, int, int, dict], np.ndarray]


def _uniform(rng, fan_in, fan_out, settings):
    low, high = settings["init_range"]
    return rng.uniform(low, high, size=(fan_in, fan_out))


def _normal(rng, fan_in, fan_out, settings):
    return rng.normal(0.0, settings["init_std"], size=(fan_in, fan_out))


def _xavier(rng, fan_in, fan_out, settings):
    # Glorot & Bengio (2010): keeps the variance of activations and gradients equal across layers.
    limit = np.sqrt(6.0 / (fan_in + fan_out))
    return rng.uniform(-limit, limit, size=(fan_in, fan_out))


def _he(rng, fan_in, fan_out, settings):
    # He et al. (2015): suited to ReLU layers, which zero half their inputs.
    return rng.normal(0.0, np.sqrt(2.0 / fan_in), size=(fan_in, fan_out))


INITIALIZERS: dict[str, Initializer] = {
    "uniform": _uniform,
    "normal": _normal,
    "xavier": _xavier,
    "he": _he,
}

BIAS_INITS = ("zeros", "like_weights")


def get_initializer(name: str) -> Initializer:
    try:
        return INITIALIZERS[name]
    except (KeyError, TypeError):
        raise DataError(f"Unknown initialisation {name!r}; choose one of: {', '.join(INITIALIZERS)}.") from None
