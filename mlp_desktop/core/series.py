"""Bounded buffers behind the live plots: however long a run, they hold a fixed amount of data.

``SeriesBuffer`` keeps per-epoch scalars (RMSE, gradient magnitudes) in a fixed number of buckets.
While there is room every appended point is a bucket of its own. When the buckets are full,
neighbours are merged pairwise, so each bucket then covers twice as many points; a bucket keeps
the minimum and the maximum of every series (and which came first), so a spike survives any
amount of merging and the x spacing stays even. The exact latest point is always kept as well.

``SnapshotBuffer`` keeps whole parameter vectors sent at irregular epochs. It stores the first
snapshot of every ``stride`` positions (every ``stride``-th of consecutive ones); when full, it
doubles the stride and drops the rows that are no longer first, so the rows stay evenly spread over
the run. The latest snapshot is always kept. A snapshot's position is its append count, or one the
caller gives (a history gives ``epoch - 1``, the weights plot the epoch): rows read back from a
saved, already thinned history then keep their places in the run, instead of counting as
consecutive snapshots and being thinned away as a continued run grows.

Both preallocate a small block and grow it by doubling up to their bound, so appending never
reallocates per call. Neither knows anything about Qt; ``arrays()`` returns plain NumPy arrays
ready for ``setData``.
"""

from __future__ import annotations

import numpy as np

_INITIAL_ROWS = 256
_COPY_ROWS = 64  # rows copied at a time from irregular positions (bounded temporary memory)


class SeriesBuffer:
    """``k`` scalar series sharing increasing x values, bounded to ``max_buckets`` min/max buckets.

    Parameters
    ----------
    n_series : number of series ``k`` (e.g. 2 for train and validation RMSE).
    max_buckets : the bound; an even number, at least 4.

    Notes
    -----
    NaN is treated as "no value": a bucket's minimum and maximum ignore NaN and are NaN only when
    every value in the bucket was NaN, so the output is NaN-free wherever the input is.
    """

    def __init__(self, n_series: int, max_buckets: int = 4096):
        if max_buckets < 4 or max_buckets % 2:
            raise ValueError("max_buckets must be an even number of at least 4")
        self.n_series = int(n_series)
        self.max_buckets = int(max_buckets)
        self.clear()

    def clear(self) -> None:
        """Forget every point (keeps the small initial allocation)."""
        rows = min(_INITIAL_ROWS, self.max_buckets) + 1  # + 1: the bucket being filled
        self._x = np.zeros(rows)
        self._lo = np.zeros((rows, self.n_series))
        self._hi = np.zeros((rows, self.n_series))
        self._lo_first = np.ones((rows, self.n_series), dtype=bool)
        self._n_full = 0  # completed buckets
        self._count = 0  # points in the bucket being filled (index _n_full)
        self.bucket_size = 1  # points per completed bucket: 1, 2, 4, ...
        self._last_x = np.nan
        self._last_y = np.full(self.n_series, np.nan)
        self._n_points = 0

    def __len__(self) -> int:
        """Points appended since the last ``clear``."""
        return self._n_points

    @property
    def n_buckets(self) -> int:
        """Buckets in use (completed ones plus the one being filled)."""
        return self._n_full + (1 if self._count else 0)

    @property
    def nbytes(self) -> int:
        """Bytes held by the bucket arrays."""
        return self._x.nbytes + self._lo.nbytes + self._hi.nbytes + self._lo_first.nbytes

    @property
    def last_x(self) -> float:
        """The x of the latest point (NaN when empty)."""
        return self._last_x

    @property
    def last_values(self) -> np.ndarray:
        """The latest values, shape ``(k,)`` (NaN when empty)."""
        return self._last_y.copy()

    def append(self, x, ys) -> None:
        """Add points.

        Parameters
        ----------
        x : ``(n,)`` increasing x values (epochs), continuing after the points already held.
        ys : ``(n, k)`` values; a ``(n,)`` array is accepted when ``k == 1``, and ``(k,)`` when ``n == 1``.
        """
        x = np.asarray(x, dtype=np.float64).reshape(-1)
        ys = np.asarray(ys, dtype=np.float64).reshape(x.size, self.n_series)
        n = x.size
        if n == 0:
            return
        self._last_x = x[-1]
        self._last_y[:] = ys[-1]
        self._n_points += n
        start = 0
        while start < n:
            if self._count:
                start += self._fill_current(x, ys, start)
                continue
            # Whole buckets straight from the input, as many as fit before the next merge.
            size = self.bucket_size
            whole = min((n - start) // size, self.max_buckets - self._n_full)
            if whole:
                self._ensure_rows(self._n_full + whole + 1)
                stop = start + whole * size
                block = ys[start:stop].reshape(whole, size, self.n_series)
                lo, hi, lo_first = _reduce_blocks(block)
                at = slice(self._n_full, self._n_full + whole)
                self._x[at] = x[start:stop:size]
                self._lo[at], self._hi[at], self._lo_first[at] = lo, hi, lo_first
                self._n_full += whole
                start = stop
            if self._n_full == self.max_buckets:
                self._merge_pairs()
            elif start < n and (n - start) < self.bucket_size:
                start += self._fill_current(x, ys, start)

    def _fill_current(self, x: np.ndarray, ys: np.ndarray, start: int) -> int:
        """Fold points from ``start`` into the bucket being filled; return how many were used."""
        take = min(x.size - start, self.bucket_size - self._count)
        self._ensure_rows(self._n_full + 1)
        i = self._n_full
        block = ys[start : start + take][None, ...]
        lo, hi, lo_first = _reduce_blocks(block)
        if self._count == 0:
            self._x[i] = x[start]
            self._lo[i], self._hi[i], self._lo_first[i] = lo[0], hi[0], lo_first[0]
        else:
            _combine(self._lo, self._hi, self._lo_first, i, lo[0], hi[0], lo_first[0])
        self._count += take
        if self._count == self.bucket_size:
            self._n_full += 1
            self._count = 0
            if self._n_full == self.max_buckets:
                self._merge_pairs()
        return take

    def _merge_pairs(self) -> None:
        """Halve the number of completed buckets by merging neighbours; double ``bucket_size``."""
        half = self._n_full // 2
        a, b = slice(0, 2 * half, 2), slice(1, 2 * half, 2)
        lo_a, lo_b, hi_a, hi_b = self._lo[a], self._lo[b], self._hi[a], self._hi[b]
        # Which half holds each extreme decides their order in time (NaN never wins: fmin/fmax).
        lo = np.fmin(lo_a, lo_b)
        hi = np.fmax(hi_a, hi_b)
        lo_in_a = (lo_a <= lo_b) | np.isnan(lo_b)
        hi_in_a = (hi_a >= hi_b) | np.isnan(hi_b)
        lo_first = np.where(
            lo_in_a == hi_in_a, np.where(lo_in_a, self._lo_first[a], self._lo_first[b]), lo_in_a
        )
        self._x[:half] = self._x[a]
        self._lo[:half], self._hi[:half], self._lo_first[:half] = lo, hi, lo_first
        # The bucket being filled moves down with the others; it holds fewer points than the new size.
        if self._count:
            src, dst = self._n_full, half
            self._x[dst], self._lo[dst], self._hi[dst] = self._x[src], self._lo[src], self._hi[src]
            self._lo_first[dst] = self._lo_first[src]
        self._n_full = half
        self.bucket_size *= 2

    def _ensure_rows(self, rows: int) -> None:
        if rows <= self._x.shape[0]:
            return
        new = min(max(rows, 2 * (self._x.shape[0] - 1)), self.max_buckets) + 1
        self._x = _grown(self._x, new)
        self._lo = _grown(self._lo, new)
        self._hi = _grown(self._hi, new)
        self._lo_first = _grown(self._lo_first, new)

    def arrays(self) -> tuple[np.ndarray, np.ndarray]:
        """Return ``(x, ys)`` for plotting: ``(m,)`` and ``(m, k)``, fresh arrays.

        Single-point buckets give one point; larger buckets give two points at the bucket's first
        x, its minimum and maximum in the order they occurred, so peaks stay visible. The exact
        latest point ends the series.
        """
        n = self.n_buckets
        if n == 0:
            return np.zeros(0), np.zeros((0, self.n_series))
        if self.bucket_size == 1 and self._count == 0:
            return self._x[:n].copy(), self._lo[:n].copy()
        lo, hi, lo_first = self._lo[:n], self._hi[:n], self._lo_first[:n]
        x = np.empty(2 * n + 1)
        x[0:-1:2] = self._x[:n]
        x[1:-1:2] = self._x[:n]
        x[-1] = self._last_x
        ys = np.empty((2 * n + 1, self.n_series))
        ys[0:-1:2] = np.where(lo_first, lo, hi)
        ys[1:-1:2] = np.where(lo_first, hi, lo)
        ys[-1] = self._last_y
        return x, ys


class SnapshotBuffer:
    """Vectors of ``n_values`` numbers recorded at increasing, irregular x, bounded in rows.

    Parameters
    ----------
    n_values : length of each snapshot (e.g. the number of parameters).
    max_rows : the bound on stored rows (an even number, at least 4); the latest snapshot is kept
        on top of them.
    memory_budget : bytes; lowers ``max_rows`` for very long vectors so the buffer stays within it.
    """

    def __init__(self, n_values: int, max_rows: int = 1024, memory_budget: int = 32 * 2**20):
        self.n_values = int(n_values)
        by_memory = int(memory_budget) // (8 * (self.n_values + 1))
        capacity = max(4, min(int(max_rows), by_memory))
        self.max_rows = capacity - capacity % 2
        self.clear()

    def clear(self) -> None:
        """Forget every snapshot."""
        rows = min(_INITIAL_ROWS, self.max_rows)
        self._x = np.zeros(rows)
        self._rows = np.zeros((rows, self.n_values))
        self._index = np.zeros(rows, dtype=np.int64)  # the position of each stored row
        self._n = 0
        self._appended = 0
        self._latest_stored = False  # whether the latest snapshot is a stored row (or only _last_row)
        self.stride = 1
        self._last_x = np.nan
        self._last_row = np.zeros(self.n_values)

    def __len__(self) -> int:
        """Snapshots appended since the last ``clear``."""
        return self._appended

    @property
    def n_rows(self) -> int:
        """Rows ``arrays()`` returns."""
        if self._appended == 0:
            return 0
        return self._n + (0 if self._latest_is_stored() else 1)

    @property
    def nbytes(self) -> int:
        """Bytes held by the buffer."""
        return self._x.nbytes + self._rows.nbytes + self._index.nbytes + self._last_row.nbytes

    @property
    def last_x(self) -> float:
        """The x of the latest snapshot (NaN when empty)."""
        return self._last_x

    @property
    def last_row(self) -> np.ndarray:
        """A copy of the latest snapshot, shape ``(n_values,)``."""
        return self._last_row.copy()

    def append(self, x: float, row, position: int | None = None) -> None:
        """Add one snapshot ``row`` of shape ``(n_values,)`` taken at ``x``; ``position`` is its place
        in the run (increasing; default: the append count)."""
        index = self._appended if position is None else int(position)
        self._appended += 1
        self._latest_stored = False
        self._last_x = float(x)
        self._last_row[:] = row
        if not self._opens_bucket(index):
            return
        while self._n == self.max_rows:
            self._thin()
            if not self._opens_bucket(index):
                return
        self._latest_stored = True
        if self._n == self._x.shape[0]:
            new = min(2 * self._n, self.max_rows)
            self._x, self._rows, self._index = (
                _grown(self._x, new), _grown(self._rows, new), _grown(self._index, new)
            )
        self._x[self._n] = x
        self._rows[self._n] = self._last_row
        self._index[self._n] = index
        self._n += 1

    def extend(self, xs, rows, positions=None) -> None:
        """Add many snapshots at once: ``xs`` ``(m,)`` and ``rows`` ``(m, n_values)``, or a tuple of
        blocks of columns ``(m, width)`` that together make the rows (copied into place, never
        stacked first); ``positions`` ``(m,)``, increasing, their places in the run (default: the
        append counts).

        The result is the same as appending them one by one, without the Python loop: the stored
        rows are always the first snapshot of every ``stride`` positions, and ``stride`` is the
        smallest power of two (at least the current one) that fits them in.
        """
        xs = np.asarray(xs, dtype=np.float64).reshape(-1)
        m = xs.size
        if m == 0:  # (a run of zero epochs: nothing to add, and no row length to check)
            return
        blocks = [np.asarray(block, dtype=np.float64).reshape(m, -1)
                  for block in (rows if isinstance(rows, tuple) else (rows,))]
        if sum(block.shape[1] for block in blocks) != self.n_values:
            raise ValueError(f"rows of {self.n_values} values expected")
        first, total = self._appended, self._appended + m
        if positions is None:
            new_positions = first + np.arange(m)
            stride = self.stride
            while -(-total // stride) > self.max_rows:
                stride *= 2
        else:
            new_positions = np.asarray(positions, dtype=np.int64).reshape(m)
            stride = self.stride
            while np.count_nonzero(_bucket_firsts(np.concatenate([self._index[: self._n], new_positions]),
                                                  stride)) > self.max_rows:
                stride *= 2
        # With the stride unchanged every stored row stays where it is: only thinning moves rows
        # (copying them all on every call cost ~10 ms a refresh for 50,000 parameters).
        if positions is None:
            keep = np.flatnonzero(self._index[: self._n] % stride == 0) if stride != self.stride else None
            chosen = np.flatnonzero(new_positions % stride == 0)
        else:
            firsts = _bucket_firsts(np.concatenate([self._index[: self._n], new_positions]), stride)
            keep = np.flatnonzero(firsts[: self._n]) if stride != self.stride else None
            chosen = np.flatnonzero(firsts[self._n:])
        k = self._n if keep is None else keep.size
        count = k + chosen.size
        if count > self._x.shape[0]:
            new = min(max(count, 2 * self._x.shape[0]), self.max_rows)
            self._x, self._rows, self._index = (
                _grown(self._x, new), _grown(self._rows, new), _grown(self._index, new)
            )
        if keep is not None:
            self._x[:k] = self._x[keep]
            self._rows[:k] = self._rows[keep]
            self._index[:k] = self._index[keep]
        self._x[k:count] = xs[chosen]
        column = 0
        step = int(chosen[1] - chosen[0]) if chosen.size > 1 else 1
        evenly = chosen.size < 2 or bool(np.all(np.diff(chosen) == step))
        for block in blocks:
            columns = slice(column, column + block.shape[1])
            if chosen.size and evenly:  # every step-th row (consecutive positions): a slice, copied once
                self._rows[k:count, columns] = block[chosen[0]::step][: chosen.size]
            else:  # irregular rows, a few at a time: block[chosen] made a temporary copy of them all first
                for start in range(0, chosen.size, _COPY_ROWS):
                    part = chosen[start:start + _COPY_ROWS]
                    self._rows[k + start:k + start + part.size, columns] = block[part]
            self._last_row[columns] = block[-1]
            column = columns.stop
        self._index[k:count] = new_positions[chosen]
        self._n, self._appended, self.stride = count, total, stride
        self._latest_stored = bool(chosen.size) and int(chosen[-1]) == m - 1
        self._last_x = float(xs[-1])

    def _opens_bucket(self, position: int) -> bool:
        """Whether a snapshot at ``position`` is the first of its ``stride`` positions (for
        consecutive positions: a multiple of ``stride``)."""
        return self._n == 0 or position // self.stride != self._index[self._n - 1] // self.stride

    def _thin(self) -> None:
        self.stride *= 2
        keep = np.flatnonzero(_bucket_firsts(self._index[: self._n], self.stride))
        m = keep.size
        self._x[:m] = self._x[keep]
        self._rows[:m] = self._rows[keep]
        self._index[:m] = self._index[keep]
        self._n = m

    def _latest_is_stored(self) -> bool:
        # (by what the last append did, not by comparing positions: a repeated position must not
        # make an older stored row pass for the latest)
        return self._n > 0 and self._latest_stored

    def x_values(self) -> np.ndarray:
        """The x of :meth:`arrays`, without copying any row: ``(m,)``, a fresh array."""
        if self._appended == 0:
            return np.zeros(0)
        if self._latest_is_stored():
            return self._x[: self._n].copy()
        return np.append(self._x[: self._n], self._last_x)

    def stored(self) -> tuple[np.ndarray, np.ndarray] | None:
        """``(x, rows)`` of :meth:`arrays` as read-only views of the buffer (no copy), or ``None``
        when the latest snapshot is not a stored row. Valid until the next change of the buffer:
        for a caller that reads them at once (saving a 34 MB history need not copy it first)."""
        if self._appended == 0 or not self._latest_is_stored():
            return None
        x, rows = self._x[: self._n].view(), self._rows[: self._n].view()
        x.flags.writeable = rows.flags.writeable = False
        return x, rows

    def arrays(self, columns=None) -> tuple[np.ndarray, np.ndarray]:
        """Return ``(x, rows)``: ``(m,)`` and ``(m, n_values)``, fresh arrays ending with the latest.

        ``columns`` (a sequence of indices) returns only those values, ``(m, len(columns))``,
        without copying the others: a plot showing a few curves of a long vector needs no more.
        """
        if columns is not None:
            columns = np.asarray(columns, dtype=np.int64)
        width = self.n_values if columns is None else columns.size
        if self._appended == 0:
            return np.zeros(0), np.zeros((0, width))
        stored = self._rows[: self._n] if columns is None else self._rows[: self._n, columns]
        last = self._last_row if columns is None else self._last_row[columns]
        if self._latest_is_stored():
            return self._x[: self._n].copy(), stored.copy() if columns is None else stored
        x = np.append(self._x[: self._n], self._last_x)
        rows = np.concatenate([stored, last[None, :]])
        return x, rows


def _bucket_firsts(positions: np.ndarray, stride: int) -> np.ndarray:
    """Which of the increasing ``positions`` are the first of their ``stride`` positions."""
    buckets = positions // stride
    firsts = np.ones(positions.size, dtype=bool)
    firsts[1:] = buckets[1:] != buckets[:-1]
    return firsts


def _reduce_blocks(block: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Min, max and "min came first" of each ``(b, size, k)`` block, ignoring NaN -> ``(b, k)`` each."""
    lo = np.fmin.reduce(block, axis=1)
    hi = np.fmax.reduce(block, axis=1)
    if block.shape[1] == 1:
        return lo, hi, np.ones(lo.shape, dtype=bool)
    where_lo = np.argmax(block == lo[:, None, :], axis=1)
    where_hi = np.argmax(block == hi[:, None, :], axis=1)
    return lo, hi, where_lo <= where_hi


def _combine(lo, hi, lo_first, i, new_lo, new_hi, new_lo_first) -> None:
    """Fold later points (``new_*``) into bucket ``i`` of the arrays, in place."""
    lo_old = (lo[i] <= new_lo) | np.isnan(new_lo)
    hi_old = (hi[i] >= new_hi) | np.isnan(new_hi)
    lo_first[i] = np.where(lo_old == hi_old, np.where(lo_old, lo_first[i], new_lo_first), lo_old)
    lo[i] = np.fmin(lo[i], new_lo)
    hi[i] = np.fmax(hi[i], new_hi)


def _grown(array: np.ndarray, rows: int) -> np.ndarray:
    grown = np.zeros((rows,) + array.shape[1:], dtype=array.dtype)
    grown[: array.shape[0]] = array[:rows]
    return grown
