"""GUI test set-up: an in-process training runner, answers to "Save the changes?", a window fixture."""

import gc

import pytest
from PySide6.QtCore import QCoreApplication, QEvent, QSettings, QStandardPaths
from PySide6.QtWidgets import QApplication, QMessageBox

from mlp_desktop.core.training_process import InProcessRunner, TrainingProcess
from mlp_desktop.gui.garbage import CollectorBetweenEvents, collect_between_events
from mlp_desktop.gui.training import worker

# Before any QApplication or QSettings: Qt's standard paths go under the tests' own home
# ($HOME/.qttest; tests/conftest.py points HOME and the XDG folders into a temporary folder).
QStandardPaths.setTestModeEnabled(True)

_real_process_wanted = False


def pytest_runtest_setup(item):
    # A hook, not a function-scoped fixture: it runs before every fixture of the test, so that
    # module-scoped windows are also built with the runner their first test asks for, and with
    # garbage collected as in the app.
    global _real_process_wanted
    _real_process_wanted = item.get_closest_marker("training_process") is not None
    if QApplication.instance() is not None:
        collect_between_events(QApplication.instance())


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item, nextitem):
    result = yield  # the test's fixtures are torn down (its windows closed and deleted)
    application = QApplication.instance()
    collector = application.findChild(CollectorBetweenEvents) if application is not None else None
    if collector is not None:
        if nextitem is None or nextitem.path.parent != item.path.parent:
            gc.collect()  # the windows' cycles are freed here, not by Python's collector later
            collector.stop()  # the tests outside tests/gui run no event loop: Python collects for them
        else:
            collector.collect_due()  # a safe moment
    return result


@pytest.fixture(autouse=True, scope="session")
def garbage_collected_between_events(qapp):
    """Cyclic garbage is collected only between events, as in the app (``gui.garbage``): left to
    Python, a collection inside a Qt call destroyed a plot's menu there and froze the tests.
    Session-scoped, so that it starts before a worker's first module-scoped window is built; the
    hooks above start it again after tests outside tests/gui."""
    return collect_between_events(qapp)


def _runner_for_this_test():
    return TrainingProcess() if _real_process_wanted else InProcessRunner()


@pytest.fixture(autouse=True, scope="session")
def in_process_training():
    """Windows train in the test's own process (no child per window) unless the test is marked
    ``@pytest.mark.training_process``, which gives it the real spawn-started child. Gives the
    app's own factory."""
    default, worker.RUNNER_FACTORY = worker.RUNNER_FACTORY, _runner_for_this_test
    yield default
    worker.RUNNER_FACTORY = default


@pytest.fixture(autouse=True)
def closed_windows_are_deleted(qapp):
    """After each test, main windows that are closed (or were never shown) are deleted.

    Closing only hides a window; until Qt deletes it, every later ``QApplication.setStyle`` (each
    new window applies its theme) re-polishes its thousands of widgets too. Kept alive, 8 windows
    and 14,000 widgets piled up in test_main_window and a window took 1 s to build instead of 0.3.
    Shown windows (shared by a module's tests) stay.
    """
    yield
    from mlp_desktop.gui.main_window import MainWindow

    closed = [w for w in qapp.topLevelWidgets() if isinstance(w, MainWindow) and not w.isVisible()]
    for window in closed:
        window.controller.shutdown()  # Qt aborts on a QThread deleted while it runs
        window.deleteLater()
    if closed:
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


@pytest.fixture(autouse=True)
def discard_unsaved_changes(monkeypatch):
    """Closing a window with unsaved changes asks; tests answer Discard unless they patch it."""
    monkeypatch.setattr(QMessageBox, "question", staticmethod(lambda *args, **kwargs: QMessageBox.StandardButton.Discard))


def _shared_window(tmp_path_factory, name: str):
    """A shown 1280x800 window (with the sample) and settings of its own, for several tests; deleted
    after them (a window left open slows every later window build)."""
    from mlp_desktop.gui.main_window import MainWindow

    folder = tmp_path_factory.mktemp(name)
    window = MainWindow(settings=QSettings(str(folder / "settings.ini"), QSettings.Format.IniFormat))
    window.resize(1280, 800)
    window.show()
    yield window
    window.controller.shutdown()
    window.mark_saved()
    window.close()
    window.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


@pytest.fixture(scope="module")
def module_window(qapp, tmp_path_factory):
    """One window shared by a module's tests, for tests that leave it as they found it: building a
    window takes about half a second."""
    yield from _shared_window(tmp_path_factory, "module_window")


@pytest.fixture(scope="class")
def class_window(qapp, tmp_path_factory):
    """One window shared by a test class's tests (they may change what it shows)."""
    yield from _shared_window(tmp_path_factory, "class_window")


@pytest.fixture
def window(qtbot, tmp_path):
    """A shown main window at 1280x800 (with the built-in sample) and settings of its own."""
    from mlp_desktop.gui.main_window import MainWindow

    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    window = MainWindow(settings=settings)
    qtbot.addWidget(window)
    window.resize(1280, 800)
    window.show()
    yield window
    window.controller.shutdown()
