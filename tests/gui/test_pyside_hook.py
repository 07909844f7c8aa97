"""The faster answer to PySide6's "does this module use PySide?" is the same answer."""

import sys
import types

import pytest

from mlp_desktop.gui import pyside_hook


def feature_module():
    return sys.modules.get(pyside_hook._FEATURE_MODULE)


def test_installed_when_the_interface_is_imported():
    hook = getattr(feature_module(), "_mod_uses_pyside", None)
    if hook is None:
        pytest.skip("this PySide6 has no such import hook")
    assert hook.reads_bytes
    assert not pyside_hook.install()  # once only


def test_same_answers_as_pyside6s_own_test():
    hook = getattr(feature_module(), "_mod_uses_pyside", None)
    if hook is None:
        pytest.skip("this PySide6 has no such import hook")
    modules = [module for name, module in sorted(sys.modules.items())
               if name.startswith(("mlp_desktop", "pyqtgraph", "json", "os", "numpy.lib")) or name in ("sys", "math")]
    assert len(modules) > 50
    answers = [hook(module) for module in modules]
    assert answers == [hook.original(module) for module in modules]
    assert True in answers and False in answers


def test_modules_without_a_source_file_are_asked_of_pyside6(monkeypatch):
    asked = []
    hook = pyside_hook._reading_bytes(lambda module: asked.append(module.__name__) or False)
    assert hook(types.ModuleType("made_in_memory")) is False
    missing = types.ModuleType("gone")
    missing.__file__ = "/nonexistent/gone.py"
    assert hook(missing) is False
    assert asked == ["made_in_memory", "gone"]
