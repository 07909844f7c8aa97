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


SAMPLE_SETUPS: dict[str, dict] = {
    # What the app loads with each sample so that pressing Train at once shows it learning.
    "health_score": {"hidden_layers": [2], "activations": ["sigmoid"], "output_activation": "auto",
                     "input_scaling": "minmax", "validation_fraction": 0.0,
                     "parameters": {"learning_rate": 0.05, "epochs": 2000, "batch_size": 1, "init": "uniform",
                                    "init_range": (-1.0, 1.0), "seed": 1}},
    "and_gate": {"hidden_layers": [2], "activations": ["sigmoid"], "output_activation": "sigmoid",
                 "input_scaling": "none", "validation_fraction": 0.0,
                 "parameters": {"learning_rate": 0.5, "epochs": 3000, "batch_size": 1, "init": "uniform",
                                "init_range": (0.0, 1.0), "seed": 1}},
    "xor_gate": {"hidden_layers": [3], "activations": ["tanh"], "output_activation": "sigmoid",
                 "input_scaling": "none", "validation_fraction": 0.0,
                 "parameters": {"learning_rate": 0.3, "epochs": 3000, "batch_size": 1, "init": "uniform",
                                "init_range": (-1.0, 1.0), "seed": 1}},
    "two_moons": {"hidden_layers": [8], "activations": ["tanh"], "output_activation": "auto",
                  "input_scaling": "standard", "validation_fraction": 0.2,
                  "parameters": {"learning_rate": 0.1, "epochs": 500, "batch_size": 16, "init": "xavier", "seed": 1}},
    "iris": {"hidden_layers": [8], "activations": ["tanh"], "output_activation": "auto",
             "input_scaling": "standard", "validation_fraction": 0.2,
             "parameters": {"learning_rate": 0.05, "epochs": 300, "batch_size": 16, "init": "xavier", "seed": 1}},
}
"""Sample name -> network, scaling and training parameters that suit it."""
