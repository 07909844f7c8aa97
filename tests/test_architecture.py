"""The layers hold: import-linter checks the contracts in pyproject.toml ([tool.importlinter]).

core never imports Qt, pyqtgraph or shiboken6 (not even inside a function); the CLI may import the
GUI and the core, the GUI the core, never the other way round. A broken contract fails here with
import-linter's report, which names each offending import and its line.
"""

import os
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LINT = "from importlinter.cli import lint_imports_command; lint_imports_command()"


def lint_imports(folder: Path, *args: str, pythonpath: str | None = None) -> subprocess.CompletedProcess:
    env = None if pythonpath is None else {**os.environ, "PYTHONPATH": pythonpath}
    return subprocess.run([sys.executable, "-c", LINT, "--no-cache", *args], cwd=folder, env=env,
                          capture_output=True, text=True, timeout=120)


def test_import_contracts_are_kept():
    result = lint_imports(ROOT, str(ROOT / "pyproject.toml"))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_the_contracts_cover_qt_in_core_and_the_three_layers():
    linter = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    assert linter["root_package"] == "mlp_desktop"
    by_type = {contract["type"]: contract for contract in linter["contracts"]}
    assert by_type["forbidden"]["source_modules"] == ["mlp_desktop.core"]
    assert set(by_type["forbidden"]["forbidden_modules"]) >= {"PySide6", "pyqtgraph", "shiboken6"}
    assert by_type["layers"]["layers"] == ["mlp_desktop.cli", "mlp_desktop.gui", "mlp_desktop.core"]


def test_the_contracts_catch_a_lazy_qt_import_in_core_and_core_importing_the_gui(tmp_path):
    """The same configuration on a small stand-in package that breaks both rules."""
    files = {
        "mlp_desktop/__init__.py": "",
        "mlp_desktop/cli.py": "def main():\n    from .gui import window\n",
        "mlp_desktop/gui/__init__.py": "",
        "mlp_desktop/gui/window.py": "import PySide6\nfrom ..core import engine\n",
        "mlp_desktop/core/__init__.py": "",
        "mlp_desktop/core/engine.py": "def draw():\n    import PySide6.QtGui\n",
        "mlp_desktop/core/workspace.py": "def open_window():\n    from ..gui import window\n",
    }
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    linter = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    sections = {"importlinter": {key: value for key, value in linter.items() if key != "contracts"}}
    for number, contract in enumerate(linter["contracts"]):
        sections[f"importlinter:contract:{number}"] = contract
    (tmp_path / ".importlinter").write_text("".join(f"[{name}]\n" + "".join(
        f"{key} =" + ("".join(f"\n    {item}" for item in value) if isinstance(value, list) else f" {value}") + "\n"
        for key, value in options.items()) for name, options in sections.items()))
    result = lint_imports(tmp_path, str(tmp_path / ".importlinter"), pythonpath=str(tmp_path))
    report = result.stdout + result.stderr
    assert result.returncode != 0, report
    assert "2 broken" in report, report
    assert "mlp_desktop.core.engine -> PySide6" in report, report
    assert "mlp_desktop.core.workspace -> mlp_desktop.gui.window" in report, report


# -- pandas is imported when first used (core/lazy.py): the window's first frame needs none of it ----

def _module_level_imports(tree):
    """Import statements run when the module is imported (not those inside functions)."""
    import ast

    pending = list(tree.body)
    while pending:
        node = pending.pop()
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            yield node
        elif not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            pending.extend(ast.iter_child_nodes(node))


def test_no_module_imports_pandas_when_it_is_imported():
    import ast

    found = []
    for path in sorted((ROOT / "mlp_desktop").rglob("*.py")):
        if path.name == "lazy.py":
            continue
        for node in _module_level_imports(ast.parse(path.read_text(encoding="utf-8"))):
            names = [alias.name for alias in node.names] if isinstance(node, ast.Import) else [node.module or ""]
            if any(name == "pandas" or name.startswith("pandas.") for name in names):
                found.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert not found, f"use `from ...core.lazy import pd` instead: {found}"


def test_importing_the_app_leaves_pandas_unloaded():
    code = ("import sys, mlp_desktop.cli, mlp_desktop.gui.main_window, mlp_desktop.core.data, "
            "mlp_desktop.core.project, mlp_desktop.core.batch_prediction; print('pandas' in sys.modules)")
    env = {**os.environ, "PYTHONPATH": str(ROOT), "QT_QPA_PLATFORM": "offscreen"}
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"
