"""The bounded buffers behind the live plots (no Qt)."""

import numpy as np
import pytest

from mlp_desktop.core.series import SeriesBuffer, SnapshotBuffer


def naive_buckets(ys: np.ndarray, size: int):
    """Reference: min and max of consecutive groups of ``size`` points, NaN ignored."""
    n_full = len(ys) // size
    groups = ys[: n_full * size].reshape(n_full, size, -1)
    return np.nanmin(groups, axis=1), np.nanmax(groups, axis=1)


class TestSeriesBuffer:
    def test_below_capacity_every_point_is_kept_exactly(self):
        buffer = SeriesBuffer(2, max_buckets=64)
        x = np.arange(1, 51, dtype=float)
        ys = np.column_stack([1 / x, 2 / x])
        buffer.append(x[:20], ys[:20])
        buffer.append(x[20:], ys[20:])
        out_x, out_ys = buffer.arrays()
        np.testing.assert_array_equal(out_x, x)
        np.testing.assert_array_equal(out_ys, ys)
        assert len(buffer) == 50

    def test_full_buffer_merges_neighbours_keeping_min_and_max(self):
        rng = np.random.default_rng(0)
        buffer = SeriesBuffer(2, max_buckets=8)
        ys = rng.normal(size=(100, 2))
        x = np.arange(100, dtype=float)
        buffer.append(x, ys)
        # 100 points into 8 buckets: each bucket now covers 16 points (6 full + a partial one).
        assert buffer.bucket_size == 16 and buffer.n_buckets == 7
        lo, hi = naive_buckets(ys, 16)
        out_x, out_ys = buffer.arrays()
        pairs = out_ys[:-1].reshape(-1, 2, 2)
        np.testing.assert_allclose(pairs.min(axis=1)[:6], lo)
        np.testing.assert_allclose(pairs.max(axis=1)[:6], hi)
        np.testing.assert_array_equal(out_x[:-1:2][:6], np.arange(0, 96, 16))
        # The partial bucket holds points 96..99; the exact latest point ends the series.
        np.testing.assert_allclose(pairs.min(axis=1)[6], ys[96:].min(axis=0))
        assert out_x[-1] == 99 and np.array_equal(out_ys[-1], ys[-1])

    @pytest.mark.parametrize("chunk", [1, 3, 7, 64, 1000])
    def test_result_does_not_depend_on_how_points_are_batched(self, chunk):
        rng = np.random.default_rng(1)
        ys = rng.normal(size=(1000, 3))
        x = np.arange(1, 1001, dtype=float)
        whole = SeriesBuffer(3, max_buckets=16)
        whole.append(x, ys)
        batched = SeriesBuffer(3, max_buckets=16)
        for start in range(0, 1000, chunk):
            batched.append(x[start : start + chunk], ys[start : start + chunk])
        for a, b in zip(whole.arrays(), batched.arrays()):
            np.testing.assert_array_equal(a, b)

    def test_a_single_spike_survives_a_million_points(self):
        buffer = SeriesBuffer(1, max_buckets=4096)
        for start in range(0, 1_000_000, 50_000):
            x = np.arange(start, start + 50_000, dtype=float)
            y = np.full(x.size, 0.5)
            if start == 450_000:
                y[123] = 9.0
                y[4567] = -3.0
            buffer.append(x, y)
        out_x, out_ys = buffer.arrays()
        assert out_ys.max() == 9.0 and out_ys.min() == -3.0
        assert buffer.n_buckets <= 4096 and len(out_x) <= 2 * 4096 + 1
        assert np.all(np.diff(out_x) >= 0)

    def test_min_and_max_come_out_in_the_order_they_happened(self):
        x = np.arange(10_000, dtype=float)
        falling = SeriesBuffer(1, max_buckets=16)
        falling.append(x, 1.0 / (1.0 + x))
        assert np.all(np.diff(falling.arrays()[1][:, 0]) <= 0)
        rising = SeriesBuffer(1, max_buckets=16)
        for start in range(0, 10_000, 333):
            rising.append(x[start : start + 333], x[start : start + 333] ** 2)
        assert np.all(np.diff(rising.arrays()[1][:, 0]) >= 0)

    def test_nan_is_ignored_and_an_all_nan_series_stays_nan(self):
        buffer = SeriesBuffer(2, max_buckets=8)
        x = np.arange(100, dtype=float)
        train = np.linspace(1, 0, 100)
        train[[5, 17, 60]] = np.nan  # a few missing values never make a bucket NaN
        buffer.append(x, np.column_stack([train, np.full(100, np.nan)]))
        _, ys = buffer.arrays()
        assert np.isfinite(ys[:-1, 0]).all()
        assert np.isnan(ys[:, 1]).all()

    def test_memory_stays_bounded_after_25_times_its_bound_in_single_point_appends(self):
        """As the plots' 4,096 buckets after 100,000 epochs appended one at a time (grown from the
        initial rows to the bound, then five merges), at an eighth of the size: 100,000 single
        appends took 1.7 s."""
        buffer = SeriesBuffer(2, max_buckets=512)
        y = np.array([[0.5, 0.6]])
        for epoch in range(12_800):
            y[0, 0] = 1.0 / (epoch + 1)
            buffer.append([epoch], y)
        assert buffer.bucket_size == 32  # merged five times
        assert buffer.n_buckets <= 512
        assert buffer.nbytes <= (512 + 1) * (8 + 3 * 8 * 2) * 1.01
        x, ys = buffer.arrays()
        assert len(x) <= 2 * 512 + 1
        assert x[-1] == 12_799 and ys[-1, 0] == pytest.approx(1 / 12_800)

    def test_starts_small_and_grows(self):
        buffer = SeriesBuffer(1, max_buckets=4096)
        small = buffer.nbytes
        buffer.append(np.arange(1000.0), np.zeros(1000))
        assert buffer.nbytes > small
        buffer.clear()
        assert len(buffer) == 0 and buffer.arrays()[0].size == 0


class TestSnapshotBuffer:
    def test_below_capacity_every_snapshot_is_kept(self):
        buffer = SnapshotBuffer(3, max_rows=16)
        for epoch in (1, 4, 9, 10):
            buffer.append(epoch, np.full(3, epoch * 1.5))
        x, rows = buffer.arrays()
        np.testing.assert_array_equal(x, [1, 4, 9, 10])
        np.testing.assert_array_equal(rows[:, 2], [1.5, 6.0, 13.5, 15.0])

    def test_full_buffer_keeps_every_other_row_and_the_latest(self):
        buffer = SnapshotBuffer(2, max_rows=8)
        for k in range(1, 51):
            buffer.append(10 * k, [k, -k])
        x, rows = buffer.arrays()
        assert len(x) <= 9
        assert x[-1] == 500 and np.array_equal(rows[-1], [50, -50])
        # Rows stay matched to their epochs and evenly spread over the run.
        np.testing.assert_array_equal(rows[:, 0] * 10, x)
        stored = x[:-1] if x[-1] - x[-2] != x[1] - x[0] else x
        assert len(set(np.diff(stored))) == 1
        assert x[0] == 10

    @pytest.mark.parametrize("before", [0, 5, 31, 32, 33, 200])
    @pytest.mark.parametrize("count", [0, 1, 7, 32, 300, 5000])
    def test_extend_equals_repeated_append(self, before, count):
        xs = np.arange(1, before + count + 1, dtype=float)
        rows = np.column_stack([xs, xs**2])
        one = SnapshotBuffer(2, max_rows=32)
        other = SnapshotBuffer(2, max_rows=32)
        for x, row in zip(xs[:before], rows[:before]):
            one.append(x, row)
            other.append(x, row)
        blocks = SnapshotBuffer(2, max_rows=32)  # the rows given as blocks of columns
        for x, row in zip(xs[:before], rows[:before]):
            blocks.append(x, row)
        one.extend(xs[before:], rows[before:])
        blocks.extend(xs[before:], (rows[before:, :1], rows[before:, 1:]))
        for x, row in zip(xs[before:], rows[before:]):
            other.append(x, row)
        for a, b, c in zip(one.arrays(), other.arrays(), blocks.arrays()):
            np.testing.assert_array_equal(a, b)
            np.testing.assert_array_equal(c, b)
        assert one.stride == other.stride == blocks.stride and len(one) == len(other) == len(blocks)

    @pytest.mark.parametrize("count", [1, 40, 3000])
    def test_rows_placed_by_position_stay_evenly_spread(self, count):
        """Rows every 64th epoch (a saved history read back) and then every epoch: thinning keeps
        the sparse rows until the new ones are as sparse, and extend equals appending."""
        sparse = np.arange(0, 64 * 30, 64)
        dense = np.arange(sparse[-1] + 1, sparse[-1] + 1 + count)
        positions = np.concatenate([sparse, dense])
        rows = np.column_stack([positions, -positions]).astype(float)
        one, other = SnapshotBuffer(2, max_rows=32), SnapshotBuffer(2, max_rows=32)
        one.extend(positions + 1, rows, positions)
        for position, row in zip(positions, rows):
            other.append(position + 1, row, position)
        for a, b in zip(one.arrays(), other.arrays()):
            np.testing.assert_array_equal(a, b)
        x, kept = one.arrays()
        assert x[-1] == positions[-1] + 1 and len(x) <= 33
        np.testing.assert_array_equal(kept[:, 0] + 1, x)
        gaps = np.diff(x[:-1])
        assert gaps.max() <= 2 * max(one.stride, 64)  # no stretch of the run left without rows

    def test_memory_budget_lowers_the_row_bound_for_long_vectors(self):
        buffer = SnapshotBuffer(100_000, max_rows=1024, memory_budget=8 * 2**20)
        assert buffer.max_rows < 1024
        assert buffer.max_rows * 100_000 * 8 <= 8 * 2**20

    def test_memory_stays_bounded_after_100000_appends(self):
        buffer = SnapshotBuffer(5, max_rows=1024)
        row = np.zeros(5)
        for epoch in range(100_000):
            row[0] = epoch
            buffer.append(epoch, row)
        assert buffer.n_rows <= 1025
        assert buffer.nbytes <= 1024 * (8 + 8 + 5 * 8) + 5 * 8
        x, rows = buffer.arrays()
        assert x[-1] == 99_999 and rows[-1, 0] == 99_999
        np.testing.assert_array_equal(rows[:, 0], x)


def test_a_repeated_position_keeps_the_latest_snapshot_the_latest():
    """With positions compared, a repeated position made an older stored row pass for the latest
    (arrays() ended with it while last_row was the newer one; found in review)."""
    buffer = SnapshotBuffer(1, max_rows=8)
    buffer.append(5, [1.0], 5)
    buffer.append(5, [2.0], 5)
    x, rows = buffer.arrays()
    assert rows[-1, 0] == 2.0 and buffer.last_row[0] == 2.0 and buffer.n_rows == len(x)
