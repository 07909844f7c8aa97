"""How much the GUI costs training, and how responsive it stays, measured in one run.

For each case, trains the same network on the same data twice from the same seed:
  * headless: ``TrainingSession.train`` with a no-op progress callback (what the CLI does);
  * in the app: the real ``MainWindow`` (offscreen unless DISPLAY is set and QT_QPA_PLATFORM is
    not), pressing Train and waiting for the finished signal while a 10 ms ``Qt.PreciseTimer``
    heartbeat records how late the event loop serves it.
Prints epochs per second for both, the ratio (target: in-app >= 80% of headless) and the event
loop delay p50 / p99 / max (target: p99 < 50 ms), and the number of plot refreshes per second.

    python benchmarks/gui_overhead.py
"""

from __future__ import annotations

import os
import sys
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.setswitchinterval(0.002)

import numpy as np  # noqa: E402
from PySide6.QtCore import QElapsedTimer, Qt, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from mlp_desktop.gui.main_window import MainWindow  # noqa: E402

CASES = [
    # sample, epochs, parameter overrides
    ("health_score", 20_000, {"batch_size": 1}),
    ("iris", 2_000, {"batch_size": 1}),
    ("two_moons", 3_000, {"batch_size": 16}),
]


def headless_speed(window: MainWindow, epochs: int) -> float:
    session = window.session
    session.reset_weights()
    start = time.perf_counter()
    session.train(epochs, on_progress=lambda report: None)
    return epochs / (time.perf_counter() - start)


def in_app_speed(app: QApplication, window: MainWindow, epochs: int) -> tuple[float, np.ndarray, float]:
    window.session.reset_weights()
    window._reset_views()
    lateness: list[float] = []
    clock = QElapsedTimer()
    heartbeat = QTimer()
    heartbeat.setTimerType(Qt.TimerType.PreciseTimer)
    heartbeat.setInterval(10)
    last = [0.0]

    def beat():
        now = clock.nsecsElapsed() / 1e6
        if last[0]:
            lateness.append(max(0.0, now - last[0] - 10.0))
        last[0] = now

    heartbeat.timeout.connect(beat)
    updates = [0]
    window.controller.progress.connect(lambda update: updates.__setitem__(0, updates[0] + 1))
    done = []
    window.controller.finished.connect(lambda update: done.append(time.perf_counter()))
    window.parameter_panel.set_values(epochs=epochs)
    clock.start()
    heartbeat.start()
    start = time.perf_counter()
    window.train()
    while not done:
        app.processEvents()
        time.sleep(0.0005)
    elapsed = done[0] - start
    heartbeat.stop()
    return epochs / elapsed, np.array(lateness), updates[0] / elapsed


def main() -> None:
    app = QApplication.instance() or QApplication(sys.argv[:1])
    print(f"{'case':34s} {'headless ep/s':>13s} {'in-app ep/s':>11s} {'ratio':>6s} "
          f"{'delay p50':>9s} {'p99':>7s} {'max':>7s} {'refresh/s':>9s}")
    for sample, epochs, overrides in CASES:
        window = MainWindow(sample=sample)
        window.resize(1280, 800)
        window.show()
        window.parameter_panel.set_values(**overrides)
        window._apply_settings(read_seed=True)
        for _ in range(20):
            app.processEvents()
        headless = headless_speed(window, epochs)
        in_app, lateness, refresh = in_app_speed(app, window, epochs)
        label = f"{sample} ({'-'.join(map(str, window.session.net.layer_sizes))}, batch {overrides['batch_size']})"
        p50, p99, worst = (np.percentile(lateness, [50, 99, 100]) if len(lateness) else (0, 0, 0))
        print(f"{label:34s} {headless:13,.0f} {in_app:11,.0f} {in_app / headless:5.0%} "
              f"{p50:7.1f}ms {p99:5.1f}ms {worst:5.1f}ms {refresh:9.1f}")
        window.mark_saved()  # a benchmark has nothing to save
        window.close()


if __name__ == "__main__":
    main()
