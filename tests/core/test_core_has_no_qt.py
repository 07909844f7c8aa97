"""The core must run headless: importing it may not pull in Qt or pyqtgraph.

Beside the import contracts (tests/test_architecture.py), which read the source, this imports every
core module, sub-packages included, and looks at what was really loaded: an import made by a
dependency or built at run time shows here too.
"""

import subprocess
import sys


def test_importing_core_loads_no_qt():
    code = (
        "import sys, mlp_desktop.core, mlp_desktop.core.training, mlp_desktop.core.history, mlp_desktop.cli\n"
        "import pkgutil, importlib, mlp_desktop.core as c\n"
        "names = [m.name for m in pkgutil.walk_packages(c.__path__, 'mlp_desktop.core.')]\n"
        "for name in names: importlib.import_module(name)\n"
        "assert len(names) > 10, names\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('PySide6', 'pyqtgraph', 'shiboken6'))\n"
        "print(bad)\n"
        "sys.exit(1 if bad else 0)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, f"core imported Qt modules: {result.stdout} {result.stderr}"
