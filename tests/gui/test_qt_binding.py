"""Guards against a bad Qt binding release (DESIGN.md, Measured pitfalls)."""

import sys

from PySide6.QtCore import QObject


def test_none_refcount_survives_many_void_qt_calls(qapp):
    # PySide6 6.12.0 on Python 3.11 dropped a reference to None on every Qt call returning
    # nothing, and the interpreter aborted later. 10,000 calls would lose 10,000 references.
    obj = QObject()
    before = sys.getrefcount(None)
    for i in range(10_000):
        obj.setObjectName("probe")
    after = sys.getrefcount(None)
    assert after >= before - 100, f"None lost {before - after} references: a broken PySide6 build?"
