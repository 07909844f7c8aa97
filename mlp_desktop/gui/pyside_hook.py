"""PySide6's import hook, made cheap (about 25 ms of every start).

PySide6 (6.4 and later) looks at every module imported in the process, to learn whether it uses
PySide (for its ``__feature__`` switches, which this app never uses): it asks ``inspect.getsource``
for the module's whole source and searches it for "PySide6". Through inspect, linecache and
tokenize that costs about 0.1 ms a module, some 30 ms of the app's start for its ~320 modules
(issue 15: start-up within 1.5x of a bare window). :func:`install` answers the same question from
the file's bytes, a quarter of the cost; a module without a ``.py`` file is still asked of PySide6's
own function. A PySide6 without that hook (an older or a later release) is left as it is.
"""

from __future__ import annotations

import sys

import PySide6.QtCore  # noqa: F401 (loads PySide6's support modules, the hook among them)

_FEATURE_MODULE = "PySide6.support.feature"


def install() -> bool:
    """Put the faster test in place of PySide6's; True if it was put in now."""
    feature = sys.modules.get(_FEATURE_MODULE)
    original = getattr(feature, "_mod_uses_pyside", None)
    if original is None or getattr(original, "reads_bytes", False):
        return False
    feature._mod_uses_pyside = _reading_bytes(original)
    return True


def _reading_bytes(original):
    def mod_uses_pyside(module) -> bool:
        path = getattr(module, "__file__", None)
        if isinstance(path, str) and path.endswith(".py"):
            try:
                with open(path, "rb") as source:
                    return b"PySide6" in source.read()
            except OSError:
                pass
        return original(module)

    mod_uses_pyside.reads_bytes = True
    mod_uses_pyside.original = original
    return mod_uses_pyside
