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

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

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
    """(epoch, MiB...) samples, at most one every ``interval`` seconds."""

    def __init__(self, interval: float = 0.5):
        self.interval = interval
        self.rows: list[tuple] = []
        self._last = 0.0

    def maybe_sample(self, epoch: int, *values: float) -> None:
        now = time.perf_counter()
        if now - self._last >= self.interval:
            self._last = now
            self.rows.append((epoch, *values))

    def growth(self, column: int, epochs: int) -> tuple[float, float, float]:
        """(MiB at a tenth of the run, MiB at the end, growth between)."""
        rows = np.array(self.rows, dtype=float)
        early = rows[rows[:, 0] >= epochs / 10][0, column]
        late = rows[-1, column]
        return early, late, late - early


def headless(window, epochs: int) -> MemoryTrace:
    session = window.session
    session.reset_weights()
    trace = MemoryTrace()
    session.train(epochs, on_progress=lambda report: trace.maybe_sample(
        report.epoch, resident_mib(), len(session.history.epochs) if session.history else 0))
    trace.rows.append((epochs, resident_mib(), len(session.history.epochs)))
    return trace


def in_app(app, window, epochs: int) -> tuple[MemoryTrace, np.ndarray, float]:
    from PySide6.QtCore import QElapsedTimer, Qt, QTimer

    window.session.reset_weights()
    window._reset_views()
    trace = MemoryTrace()
    lateness: list[float] = []
    clock = QElapsedTimer()
    last = [0.0]
    epoch = [0]

    def beat() -> None:
        now = clock.nsecsElapsed() / 1e6
        if last[0]:
            lateness.append(max(0.0, now - last[0] - 10.0))
        last[0] = now
        children = multiprocessing.active_children()
        trace.maybe_sample(epoch[0], resident_mib(), resident_mib(children[0].pid) if children else float("nan"),
                           window.rmse_plot.buffer.n_buckets)

    heartbeat = QTimer()
    heartbeat.setTimerType(Qt.TimerType.PreciseTimer)
    heartbeat.setInterval(10)
    heartbeat.timeout.connect(beat)
    window.controller.progress.connect(lambda update: epoch.__setitem__(0, update.epoch))
    done: list[float] = []
    window.controller.finished.connect(lambda update: done.append(time.perf_counter()))
    window.parameter_panel.set_values(epochs=epochs)
    clock.start()
    heartbeat.start()
    start = time.perf_counter()
    window.train()
    while not done:
        app.processEvents()
        time.sleep(0.0005)
    heartbeat.stop()
    trace.rows.append((epochs, resident_mib(), float("nan"), window.rmse_plot.buffer.n_buckets))
    return trace, np.array(lateness), epochs / (done[0] - start)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=1_000_000)
    parser.add_argument("--batch-size", type=int, default=None, help="default: full batch")
    args = parser.parse_args(argv)

    from PySide6.QtWidgets import QApplication

    from mlp_desktop.gui.main_window import MainWindow

    app = QApplication.instance() or QApplication(sys.argv[:1])
    window = MainWindow(sample="health_score")
    window.resize(1280, 800)
    window.show()
    window.parameter_panel.set_values(batch_size=args.batch_size)
    window._apply_settings(read_seed=True)
    for _ in range(20):
        app.processEvents()
    mode = "full batch" if args.batch_size is None else f"batch {args.batch_size}"
    print(f"health score 3-2-1, {mode}, {args.epochs:,} epochs")

    ok = True
    trace = headless(window, args.epochs)
    early, late, growth = trace.growth(1, args.epochs)
    rows = int(trace.rows[-1][2])
    ok &= growth < GROWTH_LIMIT_MIB
    print(f"headless: resident {early:.0f} MiB at 10% -> {late:.0f} MiB at the end (growth {growth:+.1f} MiB, "
          f"target < {GROWTH_LIMIT_MIB:.0f}); history keeps {rows:,} rows")

    trace, lateness, speed = in_app(app, window, args.epochs)
    early, late, growth = trace.growth(1, args.epochs)
    child_rows = np.array([row[2] for row in trace.rows if not np.isnan(row[2])])
    child_early = child_rows[len(child_rows) // 10] if len(child_rows) else float("nan")
    child_growth = child_rows[-1] - child_early if len(child_rows) else float("nan")
    p50, p99, worst = np.percentile(lateness, [50, 99, 100])
    ok &= growth < GROWTH_LIMIT_MIB and child_growth < GROWTH_LIMIT_MIB and p99 < P99_LIMIT_MS
    print(f"in the app ({speed:,.0f} epochs/s): window {early:.0f} -> {late:.0f} MiB (growth {growth:+.1f}), "
          f"training process {child_early:.0f} -> {child_rows[-1] if len(child_rows) else float('nan'):.0f} MiB "
          f"(growth {child_growth:+.1f}); RMSE plot holds {int(trace.rows[-1][3]):,} min/max buckets; history "
          f"{len(window.session.history.epochs):,} rows")
    print(f"event loop delay p50 {p50:.1f} ms, p99 {p99:.1f} ms, max {worst:.1f} ms (target p99 < {P99_LIMIT_MS:.0f})")
    print("PASS" if ok else "FAIL")
    window.mark_saved()
    window.close()
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
