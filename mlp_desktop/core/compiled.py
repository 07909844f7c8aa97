"""The compiled training engine: per-sample and small mini-batch steps in one numba kernel.

Why: a per-sample step of a small network is about 1,400 floating-point operations, and the NumPy
path (``training._Loop.run_epoch``) spends ~10 us per step in the overhead of a dozen NumPy calls.
The kernel here does the same math in compiled loops and runs many steps, and the end of every
epoch (RMSE, divergence, best epoch, early stopping), per call; Python only records the epochs a
call finished and checks stop/pause between calls.

Same results as the NumPy path: the same steps in the same order (rows in data order, or the
permutations ``training`` draws from its generator exactly as the NumPy path does), the same
formulas written element by element (sigmoid as ``0.5 tanh(z/2) + 0.5``, the optimizers' folded
constants of :mod:`~mlp_desktop.core.optimizers`), so the weights agree to rounding (the sums of
the matrix products are added in another order): ``tests/core/test_compiled.py`` checks 1e-12
relative after 100 epochs for every activation, loss, optimizer, penalty, class weighting and
update mode.

One compiled function covers every kind of network: activations, loss and optimizer are integer
codes and every array is a C-contiguous float64 or int64 array, so there is exactly one
specialization to compile (cold: a few seconds, once) and it is cached on disk (``cache=True``)
so that later processes load it in a fraction of a second.

Nothing here imports Qt; numba is imported on first use only (:func:`kernel`), and only if it is
installed (:func:`available`).
"""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path

import numpy as np

from .activations import ACTIVATIONS, LEAKY_SLOPE

ACTIVATION_CODES = {name: code for code, name in enumerate(ACTIVATIONS)}
"""Activation name -> the integer the kernel switches on (identity 0, sigmoid 1, tanh 2, relu 3,
leaky_relu 4, softmax 5)."""
assert list(ACTIVATION_CODES) == ["identity", "sigmoid", "tanh", "relu", "leaky_relu", "softmax"]

LOSS_CODES = {"mse": 0, "cross_entropy": 1}
OPTIMIZER_CODES = {"sgd": 0, "adam": 1, "rmsprop": 2}
"""The step rules the kernel runs (L-BFGS and Levenberg-Marquardt drive themselves, on the full batch)."""

OPTIMIZER_NAMES = {"lbfgs": "L-BFGS", "lm": "Levenberg-Marquardt"}


def refusal(optimizer: str, dtype: str = "float64") -> str:
    """Why the kernel cannot train with ``optimizer`` in ``dtype``, in words; ``""`` when it can.

    The one owner of what the compiled engine runs (:func:`~mlp_desktop.core.training.engine_refusal`
    asks it): ``TrainConfig`` refuses the rest with this message, ``engine="auto"`` then uses NumPy,
    and the parameter panel greys the choice out with this as the reason."""
    if optimizer not in OPTIMIZER_CODES:
        name = OPTIMIZER_NAMES.get(optimizer, optimizer)
        return (f"The compiled engine runs SGD, Adam and RMSprop; {name} runs on the full batch in NumPy. "
                "Set the engine to Auto or NumPy.")
    if dtype != "float64":
        return "The compiled engine computes in float64; choose float64, or the NumPy engine for float32."
    return ""


# Kernel return codes (what ended a call); training maps them to stop reasons.
RAN, DIVERGED, TARGET_REACHED, EARLY_STOPPED = 0, 1, 2, 3

CROSSOVER_WORK = 8000
"""``engine="auto"`` uses the kernel while ``batch rows x (parameters + 16 x neurons)`` is at most this.

The kernel's time grows with every row of a batch (plain loops, a scalar tanh per neuron and
row); the NumPy path's time per step is ~8 us of call overhead plus fast BLAS products and
vectorised activations. So the batch size where NumPy catches up falls as the network grows.
Measured (one run each, kernel / NumPy epoch time, 2-core machine): 10-32-1 tanh on 1000 x 10
rows 0.19 at batch 1, 0.63 at 4, 1.9 at 16 (crossover ~7); 10-32-1 relu ~8.5; 4-8-3 tanh/softmax
0.56 at 32, 0.98 at 64; 3-2-1 sigmoid 0.67 at 64, 1.06 at 128 (~120); 784-64-10 relu 1.6 even per
sample. ``rows x (parameters + 16 neurons)`` at those crossovers is 6,400-15,500; 8,000 keeps the
kernel where it wins (benchmarks/train_speed.py --crossover prints the first of these).
"""

NEURON_WORK = 16
"""What one non-input neuron costs the kernel per row, in parameters (its activation's call)."""


def faster_than_numpy(layer_sizes, batch: int) -> bool:
    """True when the kernel is the faster engine for batches of ``batch`` rows (see CROSSOVER_WORK)."""
    n_params = sum((a + 1) * b for a, b in zip(layer_sizes[:-1], layer_sizes[1:]))
    return batch * (n_params + NEURON_WORK * sum(layer_sizes[1:])) <= CROSSOVER_WORK


MEASURE_ROWS = 256
"""With more training and validation rows than this, NumPy measures the RMSEs at the end of each
epoch (its matrix products and vectorised tanh beat the kernel's row-by-row forward passes, and
its ~40 us per epoch no longer matter); with fewer, the kernel ends the epochs itself and runs
many per call."""

_kernel = None
_import_error: str | None = None


def available() -> bool:
    """True when numba is installed and the kernel can be built here (without importing numba)."""
    if _import_error is not None:
        return False
    return importlib.util.find_spec("numba") is not None


def unavailable_reason() -> str:
    """Why :func:`available` is False, in words."""
    if _import_error is not None:
        return f"numba could not be loaded ({_import_error})"
    return "numba is not installed (pip install numba)"


def user_cache_dir() -> Path:
    """The platform's per-user cache folder for MLP Desktop's compiled kernels."""
    if sys.platform == "win32":
        base = Path(os.environ.get("LOCALAPPDATA") or Path.home() / "AppData" / "Local")
    elif sys.platform == "darwin":
        base = Path.home() / "Library" / "Caches"
    else:
        base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "mlp-desktop" / "numba"


def _choose_cache_dir() -> None:
    """Numba caches next to this module (``__pycache__``) when it can write there; an installed
    package usually cannot, so then the cache goes to the user's cache folder. Must run before
    numba is imported (it reads NUMBA_CACHE_DIR once); child processes inherit the choice."""
    if os.environ.get("NUMBA_CACHE_DIR"):
        return
    here = Path(__file__).parent / "__pycache__"
    try:
        here.mkdir(exist_ok=True)
        writable = os.access(here, os.W_OK)
    except OSError:
        writable = False
    if not writable:
        os.environ["NUMBA_CACHE_DIR"] = str(user_cache_dir())


def kernel():
    """The compiled ``run_chunk`` (loaded from the disk cache, or compiled on its first call).

    Make the first call in the process's main thread (``warm_up``): importing numba in a second
    thread while the main thread ran Python (the GUI tests' event loop collecting garbage) aborted
    or crashed the process in 2 of 3 runs here; imported first in the main thread, none in many."""
    global _kernel, _import_error
    if _kernel is None:
        _choose_cache_dir()
        try:
            from . import _kernels
        except Exception as error:  # noqa: BLE001 - numba broken or unsupported here: NumPy it is
            _import_error = f"{type(error).__name__}: {error}"
            raise
        _kernel = _kernels.run_chunk
    return _kernel


def warm_up() -> None:
    """Load (or compile) the kernel now, by running it once on a tiny problem; never raises.

    The training process calls this as it starts, so that the user's first Train does not wait
    for it."""
    if not available():
        return
    try:
        run = kernel()
        params, grad = np.zeros(4), np.zeros(4)
        X, Y = np.zeros((1, 1)), np.zeros((1, 1))
        run(params, grad, X, Y, 1, np.zeros(0), np.zeros((0, 1), dtype=np.int64),
            np.array([1, 1, 1], dtype=np.int64), np.array([0, 0], dtype=np.int64), 0, 0,
            np.zeros(HYPER_SIZE), np.zeros(4), np.zeros(4), np.ones(2), np.zeros(1), np.zeros(1), 1, 0, 100, 1,
            np.zeros(4), np.zeros(4), np.zeros(3), 1, np.zeros((1, 6)), np.zeros((1, 2)), np.zeros(3))
    except Exception:  # noqa: BLE001 - training then falls back or reports it
        pass


# hyper-parameter vector layout (one float64 array, so the kernel has one signature)
H_MOMENTUM, H_NESTEROV, H_BETA1, H_BETA2, H_EPSILON, H_RHO, H_L2, H_L1, H_TARGET, H_MIN_DELTA, H_PATIENCE = range(11)
HYPER_SIZE = 11
SLOPE = LEAKY_SLOPE
