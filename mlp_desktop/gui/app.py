"""Starting the desktop app: checks that Qt can run, the error hook, the main window."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

from .. import collector

def debian_package(soname: str) -> str:
    """The Debian/Ubuntu package that usually ships a shared library: libxcb-icccm.so.4 -> libxcb-icccm4."""
    base, _, version = soname.partition(".so.")
    base = base.lower()
    version = version.split(".")[0]
    return f"{base}-{version}" if base[-1:].isdigit() else f"{base}{version}"


def missing_xcb_libraries(run=subprocess.run) -> list[str]:
    """System libraries Qt's xcb platform plugin needs but cannot find (asked of ``ldd``)."""
    spec = importlib.util.find_spec("PySide6")
    if spec is None or not spec.submodule_search_locations:
        return []
    plugin = Path(spec.submodule_search_locations[0]) / "Qt" / "plugins" / "platforms" / "libqxcb.so"
    if not plugin.exists():
        return []
    try:
        result = run(["ldd", str(plugin)], capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return []
    missing = [line.split("=>")[0].strip() for line in result.stdout.splitlines() if "not found" in line]
    return sorted(set(missing))


def display_problem(environ=os.environ, platform: str = sys.platform, missing_libraries=missing_xcb_libraries) -> str | None:
    """Why Qt could not open a window here, in plain words, or None if it should work.

    Qt aborts the whole process when its platform plugin cannot load (and may blame the wrong
    library), so the likely causes are checked before Qt starts, and the message names the fix.
    """
    if not platform.startswith("linux"):
        return None
    requested = environ.get("QT_QPA_PLATFORM", "")
    if requested and not requested.startswith("xcb"):
        return None  # offscreen, wayland, vnc...: the user chose; Qt will say if it fails
    if not environ.get("DISPLAY") and not environ.get("WAYLAND_DISPLAY"):
        return ("No display found (DISPLAY is not set), so the window cannot open. Run mlp-desktop from "
                "a desktop session, or use the command line: mlp-desktop train|predict|evaluate|export "
                "(see mlp-desktop --help).")
    if environ.get("WAYLAND_DISPLAY") and not requested:
        return None
    missing = missing_libraries()
    if missing:
        packages = sorted({debian_package(name) for name in missing})
        return ("Qt needs system libraries that are not installed (" + ", ".join(missing) + "). On Debian or "
                "Ubuntu: sudo apt-get install " + " ".join(packages))
    return None


def open_main_window(files: list[str] | None = None):
    """The application and its shown main window, with ``files`` opened (or the recovery copy
    offered); ``(app, window)``. :func:`run_app` then runs the event loop."""
    sys.setswitchinterval(0.002)  # hand the GIL back to the GUI thread sooner while training
    # The window's imports and widgets are long-lived objects: made with the collector paused, then
    # frozen out of later collections, which also keeps the full passes during training short (see
    # mlp_desktop.collector). From then on it collects between events only (gui.garbage).
    with collector.paused():
        from PySide6.QtWidgets import QApplication

        from .garbage import collect_between_events
        from .main_window import MainWindow, install_excepthook

        app = QApplication.instance() or QApplication(sys.argv[:1])
        window = MainWindow()
        install_excepthook(window)
        window.show()
    collect_between_events(app)
    if not files:
        window.offer_recovery()  # after a crash, the unsaved work comes back
    for path in files or []:
        window.open_path(path)
    return app, window


def run_app(files: list[str] | None = None) -> int:
    problem = display_problem()
    if problem:
        print(f"error: {problem}", file=sys.stderr)
        return 1
    app, _window = open_main_window(files)
    return app.exec()
