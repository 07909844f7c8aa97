"""How much the GUI costs training, and how responsive it stays, measured in one run.

For each case, trains the same network on the same data twice from the same seed:
  * headless: ``TrainingSession.train`` with a no-op progress callback (what the CLI does);
  * in the app: the real ``MainWindow`` (offscreen unless QT_QPA_PLATFORM says otherwise),
    pressing Train and waiting for the finished signal while a 10 ms ``Qt.PreciseTimer``
    heartbeat records how late the event loop serves it.
Prints epochs per second for both, the ratio (target: in-app >= 80% of headless) and the event
loop delay p50 / p99 / max (target: p99 < 50 ms), and the number of plot refreshes per second.
``benchmarks/gui_responsiveness.py`` checks the same targets, with a large network too.

    python benchmarks/gui_overhead.py
"""

from __future__ import annotations

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _gui_harness import (  # noqa: E402
    choose_platform, close_window, headless_speed, open_window, set_learning_settings, train_in_app,
)

CASES = [
    # sample, epochs, parameter overrides
    ("health_score", 20_000, {"batch_size": 1}),
    ("iris", 2_000, {"batch_size": 1}),
    ("two_moons", 3_000, {"batch_size": 16}),
]


def main() -> None:
    choose_platform()
    import numpy as np

    print(f"{'case':34s} {'headless ep/s':>13s} {'in-app ep/s':>11s} {'ratio':>6s} "
          f"{'delay p50':>9s} {'p99':>7s} {'max':>7s} {'refresh/s':>9s}")
    for sample, epochs, overrides in CASES:
        window = open_window(sample)
        set_learning_settings(window, **overrides)
        headless, _ = headless_speed(window, epochs)
        run = train_in_app(window, epochs)
        label = f"{sample} ({'-'.join(map(str, window.session.net.layer_sizes))}, batch {overrides['batch_size']})"
        lateness = run.delays_ms
        p50, p99, worst = (np.percentile(lateness, [50, 99, 100]) if len(lateness) else (0, 0, 0))
        print(f"{label:34s} {headless:13,.0f} {run.epochs_per_second:11,.0f} {run.epochs_per_second / headless:5.0%} "
              f"{p50:7.1f}ms {p99:5.1f}ms {worst:5.1f}ms {run.applied_per_second:9.1f}")
        close_window(window)


if __name__ == "__main__":
    main()
