"""The numba kernel behind :mod:`~mlp_desktop.core.compiled` (imported only when numba is installed).

The helpers are inlined into ``run_chunk`` (``inline="always"``): as calls, each passed its arrays
with reference counting, which cost more than the arithmetic of a small network's step (3-2-1:
1.8 us an epoch with calls, 0.8 us inlined).

Every formula mirrors the NumPy path operation by operation (see the comments naming the NumPy
function each block follows); the layouts are those of :mod:`~mlp_desktop.core.network`: the
parameter vector holds each layer's ``W`` (row-major, ``(n_in, n_out)``) then its ``b``.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from .compiled import (DIVERGED, EARLY_STOPPED, H_BETA1, H_BETA2, H_EPSILON, H_L1, H_L2, H_MIN_DELTA,
                       H_MOMENTUM, H_NESTEROV, H_PATIENCE, H_RHO, H_TARGET, RAN, SLOPE, TARGET_REACHED)


@njit(cache=True, nogil=True, error_model="numpy", inline="always")
def _activate(code, z, first, count, B):
    """activations.*_forward on columns ``first:first+count`` of ``z``, rows ``:B`` (one per sample)."""
    if code == 0:
        return
    if code == 5:  # softmax, column by column: z -= max; exp; /= sum
        for s in range(B):
            top = z[s, first]
            for j in range(first + 1, first + count):
                if z[s, j] > top:
                    top = z[s, j]
            total = 0.0
            for j in range(first, first + count):
                value = math.exp(z[s, j] - top)
                z[s, j] = value
                total += value
            for j in range(first, first + count):
                z[s, j] /= total
        return
    for s in range(B):
        for j in range(first, first + count):
            v = z[s, j]
            if code == 1:
                v = math.tanh(v * 0.5) * 0.5 + 0.5
            elif code == 2:
                v = math.tanh(v)
            elif code == 3:
                if v < 0.0:
                    v = 0.0
            else:
                t = v * SLOPE
                if t > v:
                    v = t
            z[s, j] = v


@njit(cache=True, nogil=True, error_model="numpy", inline="always")
def _backprop(code, delta, a, first, count, B):
    """activations.*_backprop: ``delta`` (dL/da) times the activation's derivative, in place."""
    if code == 0:
        return
    if code == 5:  # dL/dz_i = a_i (dL/da_i - sum_j dL/da_j a_j)
        for s in range(B):
            total = 0.0
            for j in range(first, first + count):
                total += delta[s, j] * a[s, j]
            for j in range(first, first + count):
                delta[s, j] = (delta[s, j] - total) * a[s, j]
        return
    for s in range(B):
        for j in range(first, first + count):
            v = a[s, j]
            if code == 1:
                d = (1.0 - v) * v
            elif code == 2:
                d = 1.0 - v * v
            elif code == 3:
                d = 1.0 if v > 0.0 else 0.0
            else:
                d = (1.0 if v > 0.0 else 0.0) * (1.0 - SLOPE) + SLOPE
            delta[s, j] *= d


@njit(cache=True, nogil=True, error_model="numpy", inline="always")
def _forward(params, sizes, offsets, starts, acts, X, rows, B, act):
    """Backprop.forward for the rows ``rows[:B]`` of ``X``: every layer's activations into ``act``
    (``act[s]`` for row ``rows[s]``, layer k at columns ``starts[k]:starts[k+1]``)."""
    n_layers = sizes.shape[0] - 1
    for k in range(n_layers):
        n_in, n_out, w0, first = sizes[k], sizes[k + 1], offsets[k], starts[k]
        b0 = w0 + n_in * n_out
        for s in range(B):
            for j in range(n_out):
                act[s, first + j] = 0.0
            for i in range(n_in):
                x = X[rows[s], i] if k == 0 else act[s, starts[k - 1] + i]
                row = w0 + i * n_out
                for j in range(n_out):
                    act[s, first + j] += params[row + j] * x
            for j in range(n_out):
                act[s, first + j] += params[b0 + j]
        _activate(acts[k], act, first, n_out, B)


@njit(cache=True, nogil=True, error_model="numpy")
def run_chunk(params, grad, X, Y, n, sample_weights, orders, sizes, acts, loss_code, opt_code,
              hyper, state_a, state_b, powers, learning_rates, scales, batch, position, budget, measure,
              last_good, best_params, best, first_epoch, out_rows, out_grads, grad_acc):
    """Run steps from row ``position`` of the current epoch until ``len(learning_rates)`` epochs
    are done or about ``budget`` rows were processed (steps and measurements); return
    ``(epochs finished, position in the unfinished epoch, code, rows processed)``.

    For each finished epoch ``e``: ``out_rows[e] = [train RMSE, validation RMSE, *params]`` and
    ``out_grads[e]`` each weight layer's root-mean-square gradient over all the epoch's steps.
    ``grad_acc`` carries the epoch's sums across calls: ``grad_acc[k]`` the squared gradients of
    layer ``k``'s weights summed over its steps so far, ``grad_acc[-1]`` the steps (kept, not
    reset, when the caller ends the epoch, ``measure == 0``). An empty ``grad_acc`` measures
    nothing (``out_grads`` NaN): headless runs, which report no progress, skip that work.
    ``orders`` holds one row order per epoch (empty: data order). ``best`` is
    ``[best validation RMSE, best epoch, epochs since]`` and ``best_params`` its weights;
    ``last_good`` the weights after the last finite epoch, put back on divergence.
    ``powers`` is Adam's ``[beta1**t, beta2**t]``; ``state_a``/``state_b`` the optimizer's arrays
    (SGD velocity; Adam m and v; RMSprop v), all changed in place.

    With ``measure == 0`` the kernel ends no epoch: it returns once the current epoch's steps are
    done (position ``len(X)``), and the caller measures and records the epoch (with NumPy, which is
    faster at measuring many rows).
    """
    # X and Y hold the training rows, then the validation rows (one array each: switching arrays in
    # the loop would cost reference counting on every step)
    n_outputs, n_val = Y.shape[1], X.shape[0] - n
    n_layers = sizes.shape[0] - 1
    n_params = params.shape[0]
    offsets = np.zeros(n_layers + 1, dtype=np.int64)
    starts = np.zeros(n_layers + 1, dtype=np.int64)
    for k in range(n_layers):
        offsets[k + 1] = offsets[k] + (sizes[k] + 1) * sizes[k + 1]
        starts[k + 1] = starts[k] + sizes[k + 1]
    width = max(batch, 16)
    act = np.empty((width, starts[n_layers]))  # row-major by sample: a neuron's loop is contiguous
    delta = np.empty((width, starts[n_layers]))
    rows = np.empty(width, dtype=np.int64)
    out_first = starts[n_layers - 1]
    out_code = acts[n_layers - 1]
    weighted = sample_weights.shape[0] > 0
    track = grad_acc.shape[0] > 0
    shuffled = orders.shape[0] > 0
    momentum, nesterov = hyper[H_MOMENTUM], hyper[H_NESTEROV] != 0.0
    beta1, beta2, epsilon, rho = hyper[H_BETA1], hyper[H_BETA2], hyper[H_EPSILON], hyper[H_RHO]
    l2, l1, target = hyper[H_L2], hyper[H_L1], hyper[H_TARGET]
    min_delta, patience = hyper[H_MIN_DELTA], hyper[H_PATIENCE]
    root_scale = math.sqrt(1.0 - rho)
    n_epochs = learning_rates.shape[0]
    done = 0
    epoch = 0
    # One loop, one forward pass in the code: phase 0 takes the epoch's steps, phase 1 measures the
    # training rows, phase 2 the validation rows (written once, the kernel compiles faster).
    phase = 0
    measured = 0
    squares = 0.0
    train_rmse = 0.0
    while epoch < n_epochs:
        lr, scale = learning_rates[epoch], scales[epoch]
        if phase == 0:
            if position >= n:
                if measure == 0:
                    return 0, position, RAN, done
                phase, measured, squares = 1, 0, 0.0
                continue
            if done >= budget:
                return epoch, position, RAN, done
            B = min(batch, n - position)
            for s in range(B):
                rows[s] = orders[epoch, position + s] if shuffled else position + s
        else:
            size = n if phase == 1 else n_val
            if measured < size:
                B = min(width, size - measured)
                first_row = 0 if phase == 1 else n
                for s in range(B):
                    rows[s] = first_row + measured + s
            elif phase == 1:
                train_rmse = math.sqrt(squares / (n * n_outputs))
                phase, measured, squares = 2, 0, 0.0
                continue
            else:
                # the end of an epoch (training._Loop.end_epoch): check, record
                val_rmse = math.sqrt(squares / (n_val * n_outputs)) if n_val > 0 else np.nan
                phase = 0
                finite = math.isfinite(train_rmse)
                for p in range(n_params):
                    if not math.isfinite(params[p]):
                        finite = False
                        break
                if not finite:
                    for p in range(n_params):
                        params[p] = last_good[p]
                    return epoch, 0, DIVERGED, done
                out_rows[epoch, 0], out_rows[epoch, 1] = train_rmse, val_rmse
                for p in range(n_params):
                    last_good[p] = params[p]
                    out_rows[epoch, 2 + p] = params[p]
                if track:
                    steps = max(grad_acc[n_layers], 1.0)
                    for k in range(n_layers):
                        count = sizes[k] * sizes[k + 1]
                        out_grads[epoch, k] = math.sqrt(grad_acc[k] / (count * steps)) / abs(scale)
                        grad_acc[k] = 0.0
                    grad_acc[n_layers] = 0.0
                else:
                    for k in range(n_layers):
                        out_grads[epoch, k] = np.nan
                stop_early = False
                if n_val > 0:
                    if val_rmse < best[0] - min_delta:
                        best[0], best[1], best[2] = val_rmse, first_epoch + epoch + 1, 0.0
                        for p in range(n_params):
                            best_params[p] = params[p]
                    else:
                        best[2] += 1.0
                        stop_early = patience > 0 and best[2] >= patience
                position = 0
                epoch += 1
                if train_rmse <= target:
                    return epoch, 0, TARGET_REACHED, done
                if stop_early:
                    return epoch, 0, EARLY_STOPPED, done
                continue
        _forward(params, sizes, offsets, starts, acts, X, rows, B, act)
        done += B
        if phase != 0:  # Backprop.residual and sum_of_squares
            for s in range(B):
                for j in range(n_outputs):
                    r = act[s, out_first + j] - Y[rows[s], j]
                    squares += r * r
            measured += B
            continue
        outer = B == 1 and l2 == 0.0 and l1 == 0.0  # see the gradient size below
        # Backprop.residual, class weights, then Backprop.backward's scaling
        factor = scale * (2.0 / (B * n_outputs) if loss_code == 0 else
                          (1.0 / B if out_code == 5 else 1.0 / (B * n_outputs)))
        for s in range(B):
            for j in range(n_outputs):
                r = act[s, out_first + j] - Y[rows[s], j]
                if weighted:
                    r *= sample_weights[rows[s]]
                delta[s, out_first + j] = r * factor
        for k in range(n_layers - 1, -1, -1):
            n_in, n_out, w0, first = sizes[k], sizes[k + 1], offsets[k], starts[k]
            b0 = w0 + n_in * n_out
            if k < n_layers - 1 or loss_code == 0:  # cross-entropy's residual is dL/dz already
                _backprop(acts[k], delta, act, first, n_out, B)
            # [a; 1] delta^T, summed over the batch's rows in order
            for p in range(w0, w0 + (n_in + 1) * n_out):
                grad[p] = 0.0
            for s in range(B):
                for i in range(n_in):
                    x = X[rows[s], i] if k == 0 else act[s, starts[k - 1] + i]
                    row = w0 + i * n_out
                    for j in range(n_out):
                        grad[row + j] += x * delta[s, first + j]
                for j in range(n_out):
                    grad[b0 + j] += delta[s, first + j]
            if track and outer:  # one row, no penalty: the weights' gradient is x delta^T, whose
                # squared norm is |x|^2 |delta|^2 (n_in + n_out products instead of n_in * n_out)
                xs = 0.0
                for i in range(n_in):
                    x = X[rows[0], i] if k == 0 else act[0, starts[k - 1] + i]
                    xs += x * x
                ds = 0.0
                for j in range(n_out):
                    ds += delta[0, first + j] * delta[0, first + j]
                grad_acc[k] += xs * ds
            if k > 0:
                below = starts[k - 1]
                for s in range(B):
                    for i in range(n_in):
                        row = w0 + i * n_out
                        total = 0.0
                        for j in range(n_out):
                            total += params[row + j] * delta[s, first + j]
                        delta[s, below + i] = total
        # Penalty.add, on the weights only (the biases' mask is 0)
        if l2 != 0.0 or l1 != 0.0:
            l2_scaled, l1_scaled = scale * l2, scale * l1
            for k in range(n_layers):
                w0 = offsets[k]
                for p in range(w0, w0 + sizes[k] * sizes[k + 1]):
                    if l2 != 0.0:
                        grad[p] += params[p] * l2_scaled
                    if l1 != 0.0:
                        w = params[p]
                        sign = 1.0 if w > 0.0 else (-1.0 if w < 0.0 else w)
                        grad[p] += sign * l1_scaled
        # the epoch's gradient size (training._Loop.layer_grad_rms): squares summed over its steps
        if track and not outer:
            for k in range(n_layers):
                w0, w1 = offsets[k], offsets[k] + sizes[k] * sizes[k + 1]
                # four running sums: one chain of dependent additions made this 15 % of a step
                t0 = t1 = t2 = t3 = 0.0
                p = w0
                while p + 4 <= w1:
                    t0 += grad[p] * grad[p]
                    t1 += grad[p + 1] * grad[p + 1]
                    t2 += grad[p + 2] * grad[p + 2]
                    t3 += grad[p + 3] * grad[p + 3]
                    p += 4
                while p < w1:
                    t0 += grad[p] * grad[p]
                    p += 1
                grad_acc[k] += (t0 + t1) + (t2 + t3)
        if track:
            grad_acc[n_layers] += 1.0
        # the step rules of optimizers.py, with their folded constants
        if opt_code == 0:
            if momentum == 0.0:
                for p in range(n_params):
                    params[p] += grad[p]
            elif nesterov:
                for p in range(n_params):
                    v = state_a[p] * momentum + grad[p]
                    state_a[p] = v
                    params[p] += v * momentum + grad[p]
            else:
                for p in range(n_params):
                    v = state_a[p] * momentum + grad[p]
                    state_a[p] = v
                    params[p] += v
        elif opt_code == 1:
            powers[0] *= beta1
            powers[1] *= beta2
            root = math.sqrt((1.0 - beta2) / (1.0 - powers[1]))
            step = -lr * (1.0 - beta1) / (1.0 - powers[0])
            for p in range(n_params):
                g = grad[p]
                m = state_a[p] * beta1 + g
                v = state_b[p] * beta2 + g * g
                state_a[p], state_b[p] = m, v
                params[p] += m / (math.sqrt(v) * root + epsilon) * step
        else:
            for p in range(n_params):
                g = grad[p]
                v = state_a[p] * rho + g * g
                state_a[p] = v
                params[p] += g / (math.sqrt(v) * root_scale + epsilon) * -lr
        position += B
    return epoch, position, RAN, done
