"""The sample datasets shipped with the app (the top-level ``sample_data/`` folder)."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

SAMPLES = {
    "health_score": "Health score: age, exercise, diet -> score (regression, 6 rows)",
    "and_gate": "Binary AND truth table (4 rows)",
    "xor_gate": "Binary XOR truth table (4 rows)",
    "two_moons": "Two moons: two interleaved classes in 2-D (200 rows)",
    "iris": "Iris flowers: 4 measurements -> species (3 classes, 150 rows)",
}
"""Sample name -> one-line description, in menu order."""


def sample_path(name: str, suffix: str = ".csv") -> Path:
    """Path of a sample dataset file, e.g. ``sample_path("health_score", ".xlsx")``."""
    if name not in SAMPLES:
        raise KeyError(f"No sample dataset called {name!r}; there are: {', '.join(SAMPLES)}.")
    return Path(str(resources.files("mlp_desktop.sample_data").joinpath(name + suffix)))
