"""pandas, imported when first used: the window's first frame is built without it (start-up, issue 15).

``from .lazy import pd`` (``..lazy`` in ``core.reading``, ``...core.lazy`` in the GUI) gives a stand-in
module: the first attribute asked of it (``pd.DataFrame``) imports pandas (about 0.2 s), and each
attribute is then kept on the stand-in, so later reads are plain attribute reads. Annotations such as
``-> pd.DataFrame`` stay strings (every user has ``from __future__ import annotations``), and
``isinstance(x, pd.DataFrame)`` imports pandas when first evaluated, which is correct.

:func:`pandas_loaded` says whether pandas is in the process yet. Code with a pandas-free branch asks it
through this module (``lazy.pandas_loaded()``), so the tests can pretend pandas is not loaded (the
``without_pandas_loaded`` fixture): a test process always has pandas loaded.
"""

from __future__ import annotations

import importlib
import sys
import types

__all__ = ["pd", "pandas_loaded", "infer_dtype", "import_in_background"]


class _LazyModule(types.ModuleType):
    """A module imported on its first attribute read."""

    def __getattr__(self, attribute: str):
        value = getattr(importlib.import_module(self.__name__), attribute)
        self.__dict__[attribute] = value  # later reads of this attribute skip __getattr__
        return value


pd = _LazyModule("pandas")


def pandas_loaded() -> bool:
    """Whether pandas has been imported (by us or by anything else in the process)."""
    return "pandas" in sys.modules


def import_in_background() -> None:
    """Import pandas in a thread (the window calls this a while after its first frame), so that the
    first action that needs it (File > Open of a CSV, training, an evaluation) finds it loaded
    instead of pausing 0.2 s. A caller that needs pandas sooner waits on Python's import lock for the
    rest of the thread's import; it is never imported twice. Not a daemon thread: one killed in the
    middle of an import at exit can crash the interpreter."""
    if pandas_loaded():
        return
    import threading

    threading.Thread(target=_import_pandas, name="import pandas").start()


def _import_pandas() -> None:
    import threading

    try:
        importlib.import_module("pandas")
    except RuntimeError:
        # The app was closed meanwhile: once the main thread has ended, Python refuses the exit
        # hook that pandas' own imports register ("can't register atexit after shutdown"), and
        # nothing needs pandas any more.
        if threading.main_thread().is_alive():
            raise


def infer_dtype(values, skipna: bool = True) -> str:
    """``pandas.api.types.infer_dtype`` (pandas imported on the first call)."""
    return pd.api.types.infer_dtype(values, skipna=skipna)
