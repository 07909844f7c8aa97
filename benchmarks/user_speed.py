"""The speed a user feels, each measured against a peer in the same run (issue 15).

Three comparisons, ours and the peer alternating, each timing in a fresh process (spawned), medians
of ``--repeats`` runs, every window built with temporary user folders and settings
(``_gui_harness``), never the user's:

open
    File > Open of a synthetic 20,000 x 785 CSV (a label 0-9 and 784 pixel columns of whole numbers
    0-255, like MNIST) in a window showing the default sample, once it has settled (idle, its training
    process started: ``_window``): ``MainWindow.open_path`` (the file is
    read in a worker thread) until the window is idle (``_gui_harness.wait_until_idle``: the event
    loop serves a 10 ms timer on time for 500 ms; those 500 ms are not counted) against
    ``pandas.read_table(path, sep=",")``. Target: at most 2x.
project
    A project of that table (referenced by its path, as the app saves it) and a 784-64-10 network
    with the history of every weight per epoch (84 epochs: what makes such a project 34 MB; the
    history is synthetic, a random walk from trained weights, so no benchmark run trains for
    minutes). *Save*: ``MainWindow.save_project`` against ``numpy.savez`` of the same arrays.
    *Reopen*: ``MainWindow.open_project`` until idle against ``numpy.load`` of those arrays (every
    array read) plus ``pandas.read_table`` of the data file, since reopening a project has to read
    its table too. Target: each at most 2x.
start-up
    A fresh ``python -c`` process to a visible window with the sample ready (the real start-up path:
    ``mlp_desktop.cli`` and ``gui.app.open_main_window``; timed from starting the process to the
    first moment the event loop is idle after ``show``, i.e. the first frame is painted) against
    a bare PySide6 ``QMainWindow`` holding one pyqtgraph ``PlotWidget``, timed the same way.
    Both start from compiled bytecode, as installed apps do (``start_up_environment``).
    Target: at most 1.5x.

    python benchmarks/user_speed.py                  # all three, 5 repeats each
    python benchmarks/user_speed.py --only startup --repeats 9
    python benchmarks/user_speed.py --rows 5000      # quicker, smaller table

The CSV is written once to ``<temp>/mlp-desktop-bench`` and reused; the project is written by
each run (with the code being measured). The machine is shared and
noisy: compare the ratios, not the seconds, and rerun when the load average is high.
"""

from __future__ import annotations

import argparse
import atexit
import multiprocessing
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from _gui_harness import choose_platform, load_average  # noqa: E402

TARGETS = {"open": 2.0, "save": 2.0, "reopen": 2.0, "startup": 1.5}
HISTORY_EPOCHS = 84
"""Rows of weight history: 84 x 50,890 parameters x 8 bytes, about 34 MB."""
QUIET_MS = 500.0


# -- the files -----------------------------------------------------------------------------------

def write_csv(path: Path, rows: int) -> None:
    """``label`` (0-9) and ``pixel0`` ... ``pixel783`` (0-255), MNIST-like: most pixels 0."""
    rng = np.random.default_rng(0)
    pixels = rng.integers(0, 256, size=(rows, 784), dtype=np.int64)
    pixels[rng.random(pixels.shape) < 0.8] = 0
    labels = rng.integers(0, 10, size=(rows, 1))
    values = np.hstack([labels, pixels])
    header = "label," + ",".join(f"pixel{j}" for j in range(784))
    temporary = path.with_suffix(".tmp")
    with open(temporary, "w") as stream:
        stream.write(header + "\n")
        for start in range(0, rows, 2000):
            block = values[start:start + 2000]
            stream.write("\n".join(",".join(map(str, row)) for row in block.tolist()) + "\n")
    temporary.replace(path)


def write_project(csv: Path, project: Path, arrays: Path) -> None:
    """A 784-64-10 project over ``csv`` with :data:`HISTORY_EPOCHS` epochs of weight history, saved
    by the core (``save_project``); ``arrays`` gets the same arrays as a plain ``.npz``."""
    from mlp_desktop.core.data import read_table
    from mlp_desktop.core.graph import NetworkGraph
    from mlp_desktop.core.history import History
    from mlp_desktop.core.project import load_project, save_project
    from mlp_desktop.core.workspace import Workspace

    workspace = Workspace()
    workspace.open_table(read_table(csv))
    graph = workspace.graph.to_dict()
    inputs, outputs = graph["layers"][0]["neuron_ids"], graph["layers"][-1]["neuron_ids"]
    workspace.replace_graph(NetworkGraph(inputs, outputs, [(64, "tanh")]).to_dict())
    workspace.set_settings(epochs=1, batch_size=None)
    workspace.train(1)
    trained = workspace.session.history
    start = workspace.session.net.get_parameters()
    rng = np.random.default_rng(1)
    steps = rng.normal(scale=1e-3, size=(HISTORY_EPOCHS, start.size))
    rows = np.empty((HISTORY_EPOCHS, start.size + 2))
    rows[:, 2:] = start + np.cumsum(steps, axis=0)
    rows[:, 0] = np.linspace(0.9, 0.3, HISTORY_EPOCHS)
    rows[:, 1] = np.nan
    history = History(trained.parameter_names, max_rows=4096, memory_budget=2**30)
    history.set_initial(trained.initial_train_rmse, trained.initial_val_rmse, trained.initial_params)
    history.extend(np.arange(1, HISTORY_EPOCHS + 1), rows, np.full(HISTORY_EPOCHS, 0.01))
    state = workspace.project()
    state.weights, state.history = rows[-1, 2:].copy(), history
    save_project(state, project)
    loaded = load_project(project)
    np.savez(arrays, **project_arrays(loaded))


def project_arrays(project) -> dict:
    history = project.history
    return {"weights": project.weights, "history_epochs": history.epochs,
            "history_rmse": np.column_stack([history.train_rmse, history.val_rmse]),
            "history_params": history.params, "history_learning_rates": history.learning_rates,
            "initial_params": history.initial_params}


def files(cache: Path, work: Path, rows: int, with_project: bool) -> dict[str, Path]:
    """The CSV (written once to ``cache``) and, in ``work``, the project written by this run's code
    (a project saved by another version may be stored differently) with its arrays as ``.npz``."""
    cache.mkdir(parents=True, exist_ok=True)
    paths = {"csv": cache / f"mnist_like_{rows}x785.csv", "project": work / f"mnist_like_{rows}.mlpd",
             "arrays": work / f"mnist_like_{rows}_arrays.npz"}
    if not paths["csv"].exists():
        print(f"writing {paths['csv']} (once) ...", flush=True)
        write_csv(paths["csv"], rows)
    if with_project:
        write_project(paths["csv"], paths["project"], paths["arrays"])
    return paths


# -- children ------------------------------------------------------------------------------------

def _window():
    """The app's window with the default sample, settled: idle, and its training process started.

    The window starts its training process after the first frame; that child's Python start (1-3 s
    of CPU on this 2-core machine) would otherwise compete with the step being measured, which a
    user opening a file a moment after start-up does not see."""
    from _gui_harness import application, open_window, process_events, wait_until_idle

    application()
    window = open_window()  # the default sample, as the app starts
    wait_until_idle(200)
    process_events(50)
    _wait_for_child_start(window)
    wait_until_idle(100)
    return window


def _wait_for_child_start(window, quiet_seconds: float = 0.3, limit_seconds: float = 20.0) -> None:
    """Until the window's training process has used no CPU for ``quiet_seconds``."""
    from _gui_harness import process_events

    child = getattr(window.controller.process, "_process", None)
    stat = Path(f"/proc/{child.pid}/stat") if child is not None and child.pid else None
    if stat is None or not stat.exists():
        return

    def cpu_ticks() -> int:
        fields = stat.read_text().rsplit(")", 1)[1].split()
        return int(fields[11]) + int(fields[12])  # utime + stime

    deadline, last, quiet_since = time.perf_counter() + limit_seconds, -1, time.perf_counter()
    while time.perf_counter() < deadline:
        ticks = cpu_ticks()
        if ticks != last:
            last, quiet_since = ticks, time.perf_counter()
        elif time.perf_counter() - quiet_since >= quiet_seconds:
            return
        process_events(50)


def _child_open(path: str, queue) -> None:
    choose_platform()
    from _gui_harness import wait_until_idle

    window = _window()
    marks = {}
    original = window.workspace.open_table

    def timed_open_table(*args, **kwargs):
        marks["read"] = time.perf_counter()
        original(*args, **kwargs)
        marks["open_table"] = time.perf_counter()

    window.workspace.open_table = timed_open_table
    start = time.perf_counter()
    opened = window.open_path(path)
    returned = time.perf_counter()
    waited = wait_until_idle(QUIET_MS)
    total = returned - start + waited - QUIET_MS / 1000
    queue.put({"ok": opened, "total": total, "read": marks["read"] - start,
               "open_table": marks["open_table"] - marks["read"], "after": total - (returned - start)})


def _child_project(project: str, saved: str, queue) -> None:
    choose_platform()
    from _gui_harness import wait_until_idle

    window = _window()
    start = time.perf_counter()
    opened = window.open_project(project, ask=False)
    returned = time.perf_counter()
    waited = wait_until_idle(QUIET_MS)
    reopen = returned - start + waited - QUIET_MS / 1000
    start = time.perf_counter()
    window.save_project(saved)
    save = time.perf_counter() - start
    queue.put({"ok": opened, "reopen": reopen, "save": save, "size": os.path.getsize(saved)})


def _child_pandas(path: str, queue) -> None:
    import pandas as pd

    from mlp_desktop.core.data import read_table

    pd.read_table(path, sep=",", nrows=3)  # imports and first-call set-up are not the read
    start = time.perf_counter()
    pd.read_table(path, sep=",")
    total = time.perf_counter() - start
    start = time.perf_counter()
    read_table(Path(path))
    queue.put({"total": total, "ours_read_table": time.perf_counter() - start})


def _child_numpy(arrays: str, csv: str, saved: str, queue) -> None:
    import numpy as np
    import pandas as pd

    pd.read_table(csv, sep=",", nrows=3)
    start = time.perf_counter()
    with np.load(arrays) as npz:
        loaded = {key: npz[key] for key in npz.files}
    pd.read_table(csv, sep=",")
    reopen = time.perf_counter() - start
    start = time.perf_counter()
    np.savez(saved, **loaded)
    save = time.perf_counter() - start
    start = time.perf_counter()
    with np.load(arrays) as npz:
        {key: npz[key] for key in npz.files}
    load_arrays = time.perf_counter() - start
    # What the app's save adds on purpose: the file is flushed to disk before it replaces the old one.
    start = time.perf_counter()
    with open(saved, "wb") as stream:
        np.savez(stream, **loaded)
        stream.flush()
        os.fsync(stream.fileno())
    save_synced = time.perf_counter() - start
    from mlp_desktop.core.data import read_table

    start = time.perf_counter()
    read_table(Path(csv))
    queue.put({"reopen": reopen, "save": save, "load_arrays": load_arrays, "save_synced": save_synced,
               "load_arrays_and_our_read": load_arrays + time.perf_counter() - start})


def in_child(target, *args) -> dict:
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    child = context.Process(target=target, args=(*args, queue))
    child.start()
    try:
        return queue.get(timeout=600)
    finally:
        child.join(60)


# -- start-up ------------------------------------------------------------------------------------

_IDLE_CODE = """
import sys, time
sys.path.insert(0, {here!r})
from _gui_harness import wait_until_idle
waited = wait_until_idle({quiet})
print("IDLE", time.time() - {quiet} / 1000)
"""

OURS_CODE = """
import sys, time
from mlp_desktop import cli  # what the mlp-desktop command imports first
from mlp_desktop.gui import app as app_module  # what cli.main imports next (PySide6's core with it)
imported = time.time()
# The window's modules are imported by open_main_window, as for the command: importing them here
# first (an earlier version did, to time them apart) ran the collector over them, which the
# command never does (see mlp_desktop.collector).
if hasattr(app_module, "open_main_window"):
    app, window = app_module.open_main_window([])
else:  # an older tree (measuring before a change): what its run_app did before app.exec()
    sys.setswitchinterval(0.002)
    from PySide6.QtWidgets import QApplication
    from mlp_desktop.gui.main_window import MainWindow, install_excepthook
    app = QApplication(sys.argv[:1])
    window = MainWindow()
    install_excepthook(window)
    window.show()
    window.offer_recovery()
shown = time.time()
""" + _IDLE_CODE + """
print("PHASES", imported, shown)
assert window.workspace.table is not None
window.mark_saved()
"""

PEER_CODE = """
import sys
from PySide6.QtWidgets import QApplication, QMainWindow
import pyqtgraph as pg
app = QApplication(sys.argv[:1])
window = QMainWindow()
window.setCentralWidget(pg.PlotWidget())
window.resize(1280, 800)
window.show()
""" + _IDLE_CODE


PHASES: list[tuple[float, float, float]] = []
"""Our start-ups: (Python and the command's imports; importing the window's modules, building and showing
the window; then to the first idle moment), seconds."""


BYTECODE_CACHE: dict[str, Path | None] = {"folder": None}
"""Where the start-up children keep compiled bytecode (see :func:`start_up_environment`)."""


def start_up_environment() -> dict[str, str]:
    """The start-up children's environment: bytecode cached, as in an installed app.

    An installed app (pip, PyInstaller) starts from compiled ``.pyc`` files, and so does the peer
    (PySide6 and pyqtgraph were compiled when installed). With ``PYTHONDONTWRITEBYTECODE`` set
    (as on the shared development machines) every start compiled our ~100 modules from source,
    about 0.18 s that no user pays after the first start. The children write their bytecode to a
    temporary folder of this run (``PYTHONPYCACHEPREFIX``; the warm-up runs fill it), never into
    the source tree. ``--compile-each-start`` measures the uncached case instead.
    """
    environment = dict(os.environ)
    if BYTECODE_CACHE["folder"] is not None:
        environment.pop("PYTHONDONTWRITEBYTECODE", None)
        environment["PYTHONPYCACHEPREFIX"] = str(BYTECODE_CACHE["folder"])
    return environment


def start_up(code: str) -> float:
    """Seconds from starting ``python -c code`` to the first idle moment of its window."""
    code = code.format(here=str(HERE), quiet=200.0)
    environment = start_up_environment()
    start = time.time()
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                            cwd=tempfile.gettempdir(),  # the installed package (or PYTHONPATH's), not the folder's
                            env=environment)
    lines = [line for line in result.stdout.splitlines() if line.startswith("IDLE ")]
    if result.returncode or not lines:
        raise RuntimeError(f"start-up child failed:\n{result.stderr[-2000:]}")
    idle = float(lines[0].split()[1])
    phases = [line.split()[1:] for line in result.stdout.splitlines() if line.startswith("PHASES ")]
    if phases:
        imported, shown = map(float, phases[0])
        PHASES.append((imported - start, shown - imported, idle - shown))
    return idle - start


# -- report --------------------------------------------------------------------------------------

def verdict(name: str, ours: float, peer: float, peer_name: str) -> bool:
    ratio = ours / peer
    passed = ratio <= TARGETS[name]
    print(f"{name:8} ours {ours:7.2f} s   {peer_name:34} {peer:6.2f} s   ratio {ratio:5.2f}x "
          f"(target <= {TARGETS[name]}x) {'PASS' if passed else 'FAIL'}", flush=True)
    return passed


def median(runs: list[dict], key: str) -> float:
    return statistics.median(run[key] for run in runs)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--only", choices=("open", "project", "startup"), action="append")
    parser.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "mlp-desktop-bench")
    parser.add_argument("--compile-each-start", action="store_true",
                        help="start-up: no bytecode cache, every start compiles the modules from source")
    args = parser.parse_args(argv)
    only = set(args.only or ("open", "project", "startup"))
    choose_platform()  # offscreen and temporary user folders, inherited by every child
    work = Path(tempfile.mkdtemp(prefix="mlp-desktop-bench-save-"))
    atexit.register(shutil.rmtree, work, True)
    paths = files(args.cache, work, args.rows, "project" in only)
    print(f"{load_average()}; {args.repeats} repeats each, alternating; medians")
    ok = True

    if "open" in only:
        ours, peer = [], []
        for _ in range(args.repeats):
            ours.append(in_child(_child_open, str(paths["csv"])))
            peer.append(in_child(_child_pandas, str(paths["csv"])))
        assert all(run["ok"] for run in ours)
        ok &= verdict("open", median(ours, "total"), median(peer, "total"), 'pandas.read_table(sep=",")')
        print(f"         ours: read in the worker {median(ours, 'read'):.2f} s, workspace.open_table with the "
              f"views' handlers {median(ours, 'open_table'):.2f} s, after it until idle {median(ours, 'after'):.2f} s")
        print(f"         mlp_desktop.core.data.read_table alone: {median(peer, 'ours_read_table'):.2f} s "
              f"(opening is {median(ours, 'total') / median(peer, 'ours_read_table'):.2f}x our own reader)")

    if "project" in only:
        ours, peer = [], []
        for repeat in range(args.repeats):
            ours.append(in_child(_child_project, str(paths["project"]), str(work / f"ours{repeat}.mlpd")))
            peer.append(in_child(_child_numpy, str(paths["arrays"]), str(paths["csv"]),
                                 str(work / f"peer{repeat}.npz")))
        assert all(run["ok"] for run in ours)
        size = ours[0]["size"] / 1e6
        print(f"project: {size:.1f} MB saved by us, {os.path.getsize(work / 'peer0.npz') / 1e6:.1f} MB by numpy.savez")
        ok &= verdict("save", median(ours, "save"), median(peer, "save"), "numpy.savez(arrays)")
        ok &= verdict("reopen", median(ours, "reopen"), median(peer, "reopen"), "numpy.load(arrays) + read_table")
        print(f"         numpy.savez with fsync (the app flushes a save to disk): {median(peer, 'save_synced'):.2f} s "
              f"(ratio {median(ours, 'save') / median(peer, 'save_synced'):.2f}x)")
        print(f"         numpy.load of the arrays alone: {median(peer, 'load_arrays'):.3f} s; with our read_table "
              f"of the data: {median(peer, 'load_arrays_and_our_read'):.2f} s "
              f"(ratio {median(ours, 'reopen') / median(peer, 'load_arrays_and_our_read'):.2f}x)")

    if "startup" in only:
        ours, peer = [], []
        if not args.compile_each_start:
            BYTECODE_CACHE["folder"] = work / "bytecode"
        print("start-up: " + ("every start compiles from source" if args.compile_each_start else
                              "bytecode compiled once, as installed (--compile-each-start: not cached)"))
        start_up(PEER_CODE)  # warms the file cache (and the bytecode cache) for both
        start_up(OURS_CODE)
        for _ in range(args.repeats):
            ours.append(start_up(OURS_CODE))
            peer.append(start_up(PEER_CODE))
        ok &= verdict("startup", statistics.median(ours), statistics.median(peer), "QMainWindow + one PlotWidget")
        timed = PHASES[-args.repeats:]
        print(f"         ours: Python and the command's imports {statistics.median(p[0] for p in timed):.2f} s, the "
              f"window's imports, building and showing it with the sample {statistics.median(p[1] for p in timed):.2f} s, "
              f"to the first idle moment {statistics.median(p[2] for p in timed):.2f} s")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
