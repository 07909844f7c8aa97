"""Small array helpers that NumPy's own would make slow to start.

``np.unique`` imports ``numpy.ma`` on its first call (to check for a masked array): about 9 ms of
the app's start, for the first frame's few values (issue 15: start-up within 1.5x of a bare window).
"""

from __future__ import annotations

import numpy as np


def distinct_values(values: np.ndarray) -> np.ndarray:
    """The distinct values of ``values``, sorted (as ``np.unique`` for arrays without NaN)."""
    ordered = np.sort(np.asarray(values).ravel())
    if ordered.size == 0:
        return ordered
    keep = np.empty(ordered.size, dtype=bool)
    keep[0] = True
    np.not_equal(ordered[1:], ordered[:-1], out=keep[1:])
    return ordered[keep]
