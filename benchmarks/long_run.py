"""A 1,000,000-epoch run: memory stays bounded and the window stays responsive.

Trains the health-score sample (3-2-1, full-batch updates by default, so a million epochs take
about half a minute) twice in one run:
  * headless, as the CLI does: the process's resident memory and the history's stored rows are
    sampled about twice a second;
  * in the real main window (offscreen unless DISPLAY is set): the window's and the training
    process's resident memory, the points held by the RMSE plot and the history, and the event
    loop's lateness from a 10 ms ``QTimer`` probe.
Bounded means the memory at the end is within a few MiB of the memory a tenth of the way in,
however many epochs follow (targets: growth under 20 MiB, event-loop p99 under 50 ms).

    python benchmarks/long_run.py
    python benchmarks/long_run.py --epochs 200000 --batch-size 1
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _gui_harness import (  # noqa: E402
    choose_platform, close_window, load_average, open_window, process_events, set_learning_settings, train_in_app,
)

import numpy as np  # noqa: E402

GROWTH_LIMIT_MIB = 20.0
P99_LIMIT_MS = 50.0


def resident_mib(pid: int | str = "self") -> float:
    """Resident memory of a process in MiB (Linux), NaN elsewhere."""
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


class MemoryTrace:
    """Rows of readings, at most one every ``interval`` seconds through a run."""

    def __init__(self, interval: float = 0.5):
        self.interval = interval
        self.rows: list[tuple] = []
        self._last = 0.0

    def maybe_sample(self, *values: float) -> None:
        now = time.perf_counter()
        if now - self._last >= self.interval:
            self._last = now
            self.rows.append(values)

    def growth(self, column: int) -> tuple[float, float, float]:
        """(reading a tenth of the way through the run, reading at the end, growth between)."""
        readings = [row[column] for row in self.rows if not np.isnan(row[column])]
        early, late = readings[len(readings) // 10], readings[-1]
        return early, late, late - early


def headless(window, epochs: int) -> MemoryTrace:
    session = window.session
    session.reset_weights()
    trace = MemoryTrace()
    session.train(epochs, on_progress=lambda report: trace.maybe_sample(resident_mib()))
    trace.rows.append((resident_mib(),))
    return trace


def in_app(window, epochs: int):
    """Train in the window while a timer samples the window's and the training process's memory
    and the points the RMSE plot holds."""
    from PySide6.QtCore import QTimer

    window.reset_weights()  # fresh weights, and the plots start over
    trace = MemoryTrace(interval=0.0)

    def sample() -> None:
        children = multiprocessing.active_children()
        trace.maybe_sample(resident_mib(), resident_mib(children[0].pid) if children else float("nan"),
                           window.rmse_plot.buffer.n_buckets)

    sampler = QTimer()
    sampler.setInterval(500)
    sampler.timeout.connect(sample)
    set_learning_settings(window, epochs=epochs)
    sampler.start()
    run = train_in_app(window, epochs)
    sampler.stop()
    sample()
    return trace, run


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=1_000_000)
    parser.add_argument("--batch-size", type=int, default=None, help="default: full batch")
    parser.add_argument("--display", action="store_true", help="use the X server in DISPLAY")
    args = parser.parse_args(argv)

    platform = choose_platform(args.display)
    window = open_window("health_score")
    set_learning_settings(window, batch_size=args.batch_size)
    process_events(100)
    mode = "full batch" if args.batch_size is None else f"batch {args.batch_size}"
    print(f"health score 3-2-1, {mode}, {args.epochs:,} epochs ({platform}; {load_average()})")

    trace = headless(window, args.epochs)
    early, late, growth = trace.growth(0)
    ok = growth < GROWTH_LIMIT_MIB
    print(f"headless: resident {early:.0f} MiB at 10% -> {late:.0f} MiB at the end (growth {growth:+.1f} MiB, "
          f"target < {GROWTH_LIMIT_MIB:.0f}); history keeps {len(window.session.history.epochs):,} rows")

    trace, run = in_app(window, args.epochs)
    early, late, growth = trace.growth(0)
    child_early, child_late, child_growth = trace.growth(1)
    p50, p99, worst = np.percentile(run.delays_ms, [50, 99, 100])
    ok &= growth < GROWTH_LIMIT_MIB and child_growth < GROWTH_LIMIT_MIB and p99 < P99_LIMIT_MS
    print(f"in the app ({run.epochs_per_second:,.0f} epochs/s, {run.applied_per_second:.1f} refreshes/s): "
          f"window {early:.0f} -> {late:.0f} MiB (growth {growth:+.1f}), training process "
          f"{child_early:.0f} -> {child_late:.0f} MiB (growth {child_growth:+.1f}); the RMSE plot holds "
          f"{int(trace.rows[-1][2]):,} min/max buckets, the history {len(window.session.history.epochs):,} rows")
    print(f"event loop delay p50 {p50:.1f} ms, p99 {p99:.1f} ms, max {worst:.1f} ms (target p99 < {P99_LIMIT_MS:.0f})")
    print("PASS" if ok else "FAIL")
    close_window(window)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
