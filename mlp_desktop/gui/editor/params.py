"""Parameter names and the split of the engine's flat parameter vector, for display only.

The engine's order (``MLP.parameter_names()``): for each weight layer ``k = 1..L``, ``W{k}[i,j]``
row-major (``i`` the source neuron, ``j`` the destination neuron), then ``b{k}[j]``.
"""

from __future__ import annotations

import re
from typing import Sequence

import numpy as np

_WEIGHT = re.compile(r"^W(\d+)\[(\d+),(\d+)\]$")
_BIAS = re.compile(r"^b(\d+)\[(\d+)\]$")


def weight_name(k: int, i: int, j: int) -> str:
    return f"W{k}[{i},{j}]"


def bias_name(k: int, j: int) -> str:
    return f"b{k}[{j}]"


def parse_parameter_name(name: str) -> tuple | None:
    """``("W", k, i, j)`` or ``("b", k, j)`` for a parameter name; ``None`` for anything else."""
    match = _WEIGHT.match(name.strip())
    if match:
        return ("W",) + tuple(int(g) for g in match.groups())
    match = _BIAS.match(name.strip())
    if match:
        return ("b",) + tuple(int(g) for g in match.groups())
    return None


def parameter_count(layer_sizes: Sequence[int]) -> int:
    return int(sum(n_in * n_out + n_out for n_in, n_out in zip(layer_sizes[:-1], layer_sizes[1:])))


def split_parameters(layer_sizes: Sequence[int], params: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
    """Views ``(W_k: (n_in, n_out), b_k: (n_out,))`` into ``params`` for ``k = 1..L`` (list index k-1).

    Raises ``ValueError`` when the vector's length does not match ``layer_sizes``.
    """
    params = np.asarray(params, dtype=np.float64).ravel()
    expected = parameter_count(layer_sizes)
    if params.size != expected:
        raise ValueError(f"expected {expected} parameters for layers {list(layer_sizes)}, got {params.size}")
    pairs = []
    offset = 0
    for n_in, n_out in zip(layer_sizes[:-1], layer_sizes[1:]):
        weights = params[offset:offset + n_in * n_out].reshape(n_in, n_out)
        offset += n_in * n_out
        biases = params[offset:offset + n_out]
        offset += n_out
        pairs.append((weights, biases))
    return pairs
