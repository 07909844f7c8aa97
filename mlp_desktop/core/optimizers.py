"""Optimizers, learning-rate schedules and the weight penalty, as tables of small pieces.

``OPTIMIZERS`` maps a name to a class built from a :class:`~mlp_desktop.core.training.TrainConfig`.
There are two kinds:

* **step rules** (``sgd``, ``adam``, ``rmsprop``; ``drives_itself = False``): the training loop runs
  the epochs and mini-batches. Once per run it calls ``bind(params, grad)`` with the network's
  parameter vector and the gradient buffer the backward pass writes; at the start of every epoch
  ``set_learning_rate(lr)``; then, for every step, the backward pass writes ``gradient_scale``
  times the gradient into ``grad`` and ``step()`` changes ``params`` in place. ``step`` is a plain
  bound method chosen at ``bind`` time, because per-sample training calls it thousands of times a
  second and pays for every attribute look-up and branch.
* **full-batch methods** (``lbfgs``, ``lm``; ``drives_itself = True``): ``run(problem)`` runs the
  whole optimisation, calling ``problem.end_epoch()`` after every iteration (which records the
  epoch, reports progress and says whether to stop). See :class:`FullBatchProblem` for what a
  problem offers.

The update rules, with ``g`` the gradient of the (penalised) loss at the pre-step weights:

* ``sgd``: ``v = momentum v - lr g; w += v`` (classical momentum; ``w -= lr g`` without momentum).
  With ``nesterov``: ``v = momentum v - lr g; w += momentum v - lr g`` (Nesterov's accelerated
  gradient as reformulated by Sutskever et al. 2013 and Bengio et al. 2013, as in scikit-learn).
* ``adam`` (Kingma and Ba 2015, Algorithm 1): ``t += 1; m = b1 m + (1 - b1) g;
  v = b2 v + (1 - b2) g**2; m_hat = m / (1 - b1**t); v_hat = v / (1 - b2**t);
  w -= lr m_hat / (sqrt(v_hat) + epsilon)``.
* ``rmsprop`` (Hinton's lecture 6e, as in PyTorch): ``v = rho v + (1 - rho) g**2;
  w -= lr g / (sqrt(v) + epsilon)``.
* ``lbfgs``: SciPy's L-BFGS-B on the full-batch loss (a well-kept, widely used implementation, the
  one scikit-learn uses too); one epoch is one L-BFGS iteration.
* ``lm``: Levenberg-Marquardt for the mean squared error: solve ``(J^T J + mu I) dw = -J^T r`` with
  ``J`` the Jacobian of every residual ``r`` (row x output) with respect to every parameter; accept
  the step if the loss falls (then ``mu`` shrinks tenfold) else grow ``mu`` tenfold and retry, as
  MATLAB's ``trainlm`` (``mu`` starts at 0.001 and gives up above 1e10). One epoch is one accepted
  step.

The penalty ``l2/2 * sum(w**2) + l1 * sum(|w|)`` runs over weights only, never biases
(:func:`weight_mask`); every optimizer sees it as part of the loss.
"""

from __future__ import annotations

import math
import os
from typing import Callable, Protocol, Sequence

import numpy as np

from .errors import DataError
from .losses import LOSS_NAMES


# -- learning-rate schedules ---------------------------------------------------------------------
# name -> rate(learning_rate, lr_decay, lr_step, epoch); ``epoch`` counts the epochs finished
# before the one the rate is for (0 for the first epoch).
LR_SCHEDULES: dict[str, Callable[[float, float, int, int], float]] = {
    "constant": lambda lr, decay, step, epoch: lr,
    "step": lambda lr, decay, step, epoch: lr * decay ** (epoch // step),
    "exponential": lambda lr, decay, step, epoch: lr * decay ** epoch,
    "inverse_time": lambda lr, decay, step, epoch: lr / (1.0 + decay * epoch),
}

LR_DECAY_DEFAULTS = {"step": 0.5, "exponential": 0.99, "inverse_time": 0.01}
"""The ``lr_decay`` a schedule uses when none is given."""


def learning_rate_at(config, epoch: int) -> float:
    """The learning rate ``config`` trains epoch ``epoch + 1`` with (``epoch`` epochs already done)."""
    return LR_SCHEDULES[config.lr_schedule](config.learning_rate, config.lr_decay, config.lr_step, epoch)


# -- the penalty ---------------------------------------------------------------------------------
def weight_mask(layer_sizes: Sequence[int]) -> np.ndarray:
    """1.0 for every weight and 0.0 for every bias, in parameter-vector order."""
    parts = []
    for n_in, n_out in zip(layer_sizes[:-1], layer_sizes[1:]):
        parts += [np.ones(n_in * n_out), np.zeros(n_out)]
    return np.concatenate(parts)


class Penalty:
    """``l2/2 * sum(w**2) + l1 * sum(|w|)`` over the weights picked by ``mask``."""

    def __init__(self, mask: np.ndarray, l2: float, l1: float):
        self.mask, self.l2, self.l1 = mask, float(l2), float(l1)
        self._l2_mask, self._l1_mask = self.l2 * mask, self.l1 * mask

    @classmethod
    def for_network(cls, layer_sizes: Sequence[int], l2: float, l1: float) -> "Penalty | None":
        """The penalty of a network, or ``None`` when both strengths are 0 (nothing to add)."""
        return cls(weight_mask(layer_sizes), l2, l1) if (l2 or l1) else None

    def value(self, params: np.ndarray) -> float:
        weights = params * self.mask
        return 0.5 * self.l2 * float(np.vdot(weights, weights)) + self.l1 * float(np.abs(weights).sum())

    def gradient(self, params: np.ndarray) -> np.ndarray:
        """The penalty's gradient (a subgradient of 0 for the L1 term at exactly 0)."""
        return self._l2_mask * params + self._l1_mask * np.sign(params)

    def hessian_diagonal(self) -> np.ndarray:
        """The L2 term's (constant) curvature; the L1 term has none away from 0."""
        return self._l2_mask

    # The per-step form: add ``scale`` times the gradient to a bound buffer, allocating nothing.
    def bind(self, params: np.ndarray, grad: np.ndarray) -> None:
        self._params, self._grad, self._tmp = params, grad, np.empty_like(params)

    def set_scale(self, scale: float) -> None:
        self._l2_scaled, self._l1_scaled = scale * self._l2_mask, scale * self._l1_mask

    def add(self) -> None:
        tmp, grad = self._tmp, self._grad
        if self.l2:
            np.multiply(self._params, self._l2_scaled, out=tmp)
            grad += tmp
        if self.l1:
            np.sign(self._params, out=tmp)
            tmp *= self._l1_scaled
            grad += tmp


# -- step rules ----------------------------------------------------------------------------------
class StepRule:
    """Base of the optimizers the training loop drives step by step."""

    name = ""
    drives_itself = False
    losses: tuple[str, ...] = LOSS_NAMES
    step: Callable[[], None]

    def __init__(self, config):
        self.learning_rate = config.learning_rate

    @staticmethod
    def check_size(n_rows: int, n_outputs: int, n_params: int) -> None:
        """Raise DataError if this optimizer cannot handle a problem this size (all can)."""

    @property
    def gradient_scale(self) -> float:
        """What the backward pass multiplies the gradient by before ``step``."""
        return 1.0

    def set_learning_rate(self, learning_rate: float) -> None:
        self.learning_rate = learning_rate

    def bind(self, params: np.ndarray, grad: np.ndarray) -> None:
        raise NotImplementedError

    def state(self) -> dict | None:
        """What a continued run needs to go on exactly (copies), or None if nothing."""
        return None

    def restore(self, state: dict) -> None:
        """Take up ``state`` from :meth:`state` of an earlier run (after ``bind``), if it fits."""


def _fits(state: dict, params: np.ndarray, keys: tuple[str, ...], settings: dict) -> bool:
    return (all(isinstance(state.get(k), np.ndarray) and state[k].shape == params.shape for k in keys)
            and all(state.get(k) == v for k, v in settings.items()))


class SGD(StepRule):
    """Gradient descent, optionally with classical or Nesterov momentum."""

    name = "sgd"

    def __init__(self, config):
        super().__init__(config)
        self.momentum, self.nesterov = config.momentum, config.nesterov

    @property
    def gradient_scale(self) -> float:
        # The backward pass writes -lr g, so a plain step is one in-place addition.
        return -self.learning_rate

    def bind(self, params, grad):
        self.params, self.grad = params, grad
        if self.momentum == 0.0:
            self.step = self._plain
        else:
            self.velocity, self.tmp = np.zeros_like(params), np.empty_like(params)
            self.step = self._nesterov if self.nesterov else self._classical

    def state(self):
        return None if self.momentum == 0.0 else {"optimizer": "sgd", "velocity": self.velocity.copy()}

    def restore(self, state):
        if self.momentum != 0.0 and _fits(state, self.params, ("velocity",), {}):
            self.velocity[...] = state["velocity"]

    def _plain(self):
        self.params += self.grad

    def _classical(self):
        velocity = self.velocity
        velocity *= self.momentum
        velocity += self.grad
        self.params += velocity

    def _nesterov(self):
        velocity, tmp = self.velocity, self.tmp
        velocity *= self.momentum
        velocity += self.grad
        np.multiply(velocity, self.momentum, out=tmp)
        tmp += self.grad
        self.params += tmp


class Adam(StepRule):
    """Adam with bias correction (Kingma and Ba 2015, Algorithm 1)."""

    name = "adam"

    def __init__(self, config):
        super().__init__(config)
        self.beta1, self.beta2, self.epsilon = config.beta1, config.beta2, config.epsilon

    def bind(self, params, grad):
        self.params, self.grad = params, grad
        # m and v are kept divided by (1 - beta): m' = b1 m' + g and v' = b2 v' + g**2 need two
        # operations each instead of three; the constant is folded back into the step below.
        self.m, self.v, self.tmp = np.zeros_like(params), np.zeros_like(params), np.empty_like(params)
        self.beta1_power = self.beta2_power = 1.0  # beta**t
        self.step = self._step

    def state(self):
        return {"optimizer": "adam", "m": self.m.copy(), "v": self.v.copy(), "beta1": self.beta1,
                "beta2": self.beta2, "beta1_power": self.beta1_power, "beta2_power": self.beta2_power}

    def restore(self, state):
        # m and v are stored divided by (1 - beta): they only fit the same betas
        if _fits(state, self.params, ("m", "v"), {"beta1": self.beta1, "beta2": self.beta2}):
            self.m[...], self.v[...] = state["m"], state["v"]
            self.beta1_power, self.beta2_power = float(state["beta1_power"]), float(state["beta2_power"])

    def _step(self):
        m, v, g, tmp = self.m, self.v, self.grad, self.tmp
        b1, b2 = self.beta1, self.beta2
        self.beta1_power *= b1
        self.beta2_power *= b2
        m *= b1
        m += g
        np.multiply(g, g, out=tmp)
        v *= b2
        v += tmp
        np.sqrt(v, out=tmp)
        tmp *= math.sqrt((1.0 - b2) / (1.0 - self.beta2_power))  # sqrt(v_hat)
        tmp += self.epsilon
        np.divide(m, tmp, out=tmp)
        tmp *= -self.learning_rate * (1.0 - b1) / (1.0 - self.beta1_power)  # m' -> m_hat, times -lr
        self.params += tmp


class RMSprop(StepRule):
    """RMSprop: each weight's step divided by a running root-mean-square of its gradient."""

    name = "rmsprop"

    def __init__(self, config):
        super().__init__(config)
        self.rho, self.epsilon = config.rho, config.epsilon

    def bind(self, params, grad):
        self.params, self.grad = params, grad
        self.v, self.tmp = np.zeros_like(params), np.empty_like(params)  # v' = v / (1 - rho)
        self.root_scale = math.sqrt(1.0 - self.rho)
        self.step = self._step

    def state(self):
        return {"optimizer": "rmsprop", "v": self.v.copy(), "rho": self.rho}

    def restore(self, state):
        if _fits(state, self.params, ("v",), {"rho": self.rho}):
            self.v[...] = state["v"]

    def _step(self):
        v, g, tmp = self.v, self.grad, self.tmp
        np.multiply(g, g, out=tmp)
        v *= self.rho
        v += tmp
        np.sqrt(v, out=tmp)
        tmp *= self.root_scale
        tmp += self.epsilon
        np.divide(g, tmp, out=tmp)
        tmp *= -self.learning_rate
        self.params += tmp


# -- full-batch methods --------------------------------------------------------------------------
class FullBatchProblem(Protocol):
    """What the training loop offers a full-batch method (all on the training rows)."""

    params: np.ndarray  # the network's parameter vector (changed in place)
    max_epochs: int  # iterations to run at most
    penalty: Penalty | None  # the L1/L2 penalty, None without one

    def loss_and_gradient(self, x: np.ndarray) -> tuple[float, np.ndarray]:
        """Penalised loss and its gradient (a new array) at parameters ``x``."""

    def objective(self, x: np.ndarray) -> float:
        """Penalised loss at parameters ``x``."""

    def residuals_and_jacobian(self) -> tuple[np.ndarray, np.ndarray, float]:
        """At ``params``: residuals ``r: (m,)``, Jacobian ``J: (m, n_params)`` and the factor ``c``
        with ``loss = sum(r**2) / (2 c)`` (sample weights already folded into both)."""

    def set_gradient(self, gradient: np.ndarray) -> None:
        """Tell the loop the gradient at the current epoch's start (for gradient plots)."""

    def end_epoch(self) -> str | None:
        """Record the epoch after an iteration; a stop reason ends the run."""

    def wait_while_paused(self) -> None: ...

    def stop_requested(self) -> bool: ...


class LBFGS:
    """Limited-memory BFGS on the full batch, by SciPy."""

    name = "lbfgs"
    drives_itself = True
    losses = LOSS_NAMES

    def __init__(self, config):
        pass

    @staticmethod
    def check_size(n_rows: int, n_outputs: int, n_params: int) -> None:
        pass

    def state(self) -> None:
        return None  # SciPy cannot resume its curvature memory: a continued run rebuilds it

    def restore(self, state: dict) -> None:
        pass

    def run(self, problem: FullBatchProblem) -> tuple[str, str]:
        from scipy.optimize import minimize

        if problem.max_epochs == 0:
            return "completed", ""  # SciPy would still take one step
        problem.wait_while_paused()
        if problem.stop_requested():
            return "stopped", ""
        reason = None

        def after_iteration(intermediate_result):
            nonlocal reason
            np.copyto(problem.params, intermediate_result.x)
            reason = problem.end_epoch()
            if reason is not None:
                raise StopIteration
            problem.wait_while_paused()

        result = minimize(problem.loss_and_gradient, problem.params.copy(), jac=True, method="L-BFGS-B",
                          callback=after_iteration,
                          options={"maxiter": problem.max_epochs, "maxfun": max(15000, 40 * problem.max_epochs),
                                   "gtol": 1e-10, "maxcor": 10})
        if reason is not None:
            return reason, ""
        if result.nit < problem.max_epochs and result.status in (0, 2):
            return "converged", f"L-BFGS cannot lower the error any further ({_plain(result.message)})"
        return "completed", ""


_SCIPY_WORDS = {  # what SciPy's L-BFGS-B stops with, in plain words (it said "relative reduction of f <= factr*epsmch")
    "REDUCTION_OF_F": "its last step lowered the error by less than the computer can tell apart",
    "PROJECTED_GRADIENT": "the gradient is as good as zero",
    "ABNORMAL_TERMINATION": "no step along the gradient lowered the error",
}


def _plain(message) -> str:
    text = message.decode() if isinstance(message, bytes) else str(message)
    for code, words in _SCIPY_WORDS.items():
        if code in text.upper().replace(" ", "_"):
            return words
    return text.strip().rstrip(".").lower()


LM_MEMORY_FRACTION = 0.5
"""Levenberg-Marquardt may use at most this share of the memory the system reports free."""


def available_memory() -> int:
    """Bytes of memory the system reports available (a generous guess when it cannot tell)."""
    try:
        with open("/proc/meminfo") as meminfo:
            for line in meminfo:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    try:
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):
        return 4 * 2**30


class LevenbergMarquardt:
    """Levenberg-Marquardt with adaptive damping, for the mean squared error (MATLAB's trainlm)."""

    name = "lm"
    drives_itself = True
    losses = ("mse",)
    initial_damping = 1e-3
    damping_decrease = 0.1
    damping_increase = 10.0
    max_damping = 1e10

    def __init__(self, config):
        self.damping = self.initial_damping

    def state(self) -> dict:
        return {"optimizer": "lm", "damping": self.damping}

    def restore(self, state: dict) -> None:
        damping = state.get("damping")
        if isinstance(damping, float) and 0 < damping <= self.max_damping:
            self.damping = damping

    @staticmethod
    def memory_needed(n_rows: int, n_outputs: int, n_params: int) -> int:
        """Bytes for the Jacobian, its per-output pieces and two n_params x n_params matrices."""
        return 8 * (2 * n_rows * n_outputs * n_params + 3 * n_params * n_params)

    @classmethod
    def check_size(cls, n_rows: int, n_outputs: int, n_params: int, available: int | None = None) -> None:
        needed = cls.memory_needed(n_rows, n_outputs, n_params)
        available = available_memory() if available is None else available
        if needed > LM_MEMORY_FRACTION * available:
            raise DataError(
                f"Levenberg-Marquardt needs a table of {n_rows * n_outputs:,} rows x {n_params:,} weights and "
                f"biases (its Jacobian) and more, about {_size(needed)}, but only about {_size(available)} of "
                "memory is free. Use L-BFGS or Adam for this network, or train on fewer rows or a smaller network."
            )

    def run(self, problem: FullBatchProblem) -> tuple[str, str]:
        for _ in range(problem.max_epochs):
            if problem.stop_requested():
                return "stopped", ""
            problem.wait_while_paused()
            r, J, c = problem.residuals_and_jacobian()
            params = problem.params
            # Scaled by c, the penalised loss has gradient J^T r + c grad(P) and Gauss-Newton
            # curvature J^T J + c hess(P).
            gradient = J.T @ r
            hessian = J.T @ J
            penalty = problem.penalty
            if penalty is not None:
                gradient += c * penalty.gradient(params)
                hessian[np.diag_indices_from(hessian)] += c * penalty.hessian_diagonal()
            problem.set_gradient(gradient / c)
            current = params.copy()
            before = problem.objective(current)
            diagonal = hessian.diagonal().copy()
            while True:
                hessian[np.diag_indices_from(hessian)] = diagonal + self.damping
                try:
                    step = np.linalg.solve(hessian, -gradient)
                except np.linalg.LinAlgError:
                    step = None
                # objective() leaves the network at the trial weights: kept if the loss fell
                if step is not None and np.isfinite(step).all() and problem.objective(current + step) < before:
                    self.damping = max(self.damping * self.damping_decrease, 1e-20)
                    break
                np.copyto(params, current)
                if self.damping * self.damping_increase > self.max_damping:
                    return "converged", ("Levenberg-Marquardt cannot lower the error any further "
                                         f"(its damping passed {self.max_damping:g})")
                self.damping *= self.damping_increase
                if problem.stop_requested():
                    return "stopped", ""
            reason = problem.end_epoch()
            if reason is not None:
                return reason, ""
        return "completed", ""


def _size(n_bytes: float) -> str:
    for unit, size in (("GB", 1e9), ("MB", 1e6)):
        if n_bytes >= size:
            return f"{n_bytes / size:,.1f} {unit}"
    return f"{n_bytes / 1e3:,.0f} kB"


OPTIMIZERS: dict[str, type] = {
    "sgd": SGD,
    "adam": Adam,
    "rmsprop": RMSprop,
    "lbfgs": LBFGS,
    "lm": LevenbergMarquardt,
}
"""Optimizer name -> class built from a TrainConfig (see the module docstring)."""

OPTIMIZER_OPTIONS: dict[str, tuple[str, ...]] = {
    # The TrainConfig fields each optimizer reads (a settings panel shows only these). Every
    # optimizer also uses epochs, the penalties, early stopping, the splits and class weights.
    "sgd": ("learning_rate", "batch_size", "shuffle", "momentum", "nesterov", "lr_schedule", "lr_decay", "lr_step"),
    "adam": ("learning_rate", "batch_size", "shuffle", "beta1", "beta2", "epsilon", "lr_schedule", "lr_decay",
             "lr_step"),
    "rmsprop": ("learning_rate", "batch_size", "shuffle", "rho", "epsilon", "lr_schedule", "lr_decay", "lr_step"),
    "lbfgs": (),
    "lm": (),
}
"""Optimizer name -> the settings of its own it uses (full-batch methods have no learning rate)."""

OPTIMIZER_ALIASES = {"l-bfgs": "lbfgs", "l_bfgs": "lbfgs", "levenberg-marquardt": "lm",
                     "levenberg_marquardt": "lm", "gd": "sgd"}
