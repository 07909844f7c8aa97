"""What `pip install .` ships: every package, the samples and the icons."""

import contextlib
import io
import os
import sys
import tomllib
import types
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def test_every_package_is_listed_in_pyproject():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    listed = set(config["packages"])
    found = {".".join(p.parent.relative_to(ROOT).parts) for p in (ROOT / "mlp_desktop").rglob("__init__.py")}
    assert found - listed == set(), "add these packages to pyproject.toml"
    mapped = config["package-dir"]
    assert mapped["mlp_desktop.sample_data"] == "sample_data" and mapped["mlp_desktop.resources"] == "resources"


def test_pyside6_excludes_the_release_that_crashes_on_python_311():
    dependencies = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    pyside = [d for d in dependencies if d.lower().startswith("pyside6")]
    assert pyside and "!=6.12.0" in pyside[0]


def test_samples_and_icons_are_found_as_package_resources():
    from mlp_desktop.core.samples import SAMPLES, sample_path

    for name in SAMPLES:
        assert sample_path(name, ".csv").is_file() and sample_path(name, ".xlsx").is_file()
    from importlib import resources

    assert resources.files("mlp_desktop.resources").joinpath("mlp-desktop-256.png").is_file()


def test_launchers_and_desktop_files():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    # mlp-desktop is a GUI script (no console window on Windows); mlp-desktop-cli is the same entry
    # as a console program for scripts and pipes on Windows.
    assert project["gui-scripts"] == {"mlp-desktop": "mlp_desktop.cli:main"}
    assert project["scripts"] == {"mlp-desktop-cli": "mlp_desktop.cli:main"}
    desktop = (ROOT / "packaging" / "mlp-desktop.desktop").read_text()
    assert "Exec=mlp-desktop %F" in desktop.splitlines()
    assert "Icon=mlp-desktop" in desktop and "Terminal=false" in desktop
    import xml.etree.ElementTree as ET

    metainfo = ET.parse(ROOT / "packaging" / "io.github.mlpdesktop.MLPDesktop.metainfo.xml").getroot()
    assert metainfo.find("id").text == "io.github.mlpdesktop.MLPDesktop"


def run_spec() -> dict:
    """Execute the PyInstaller spec with stand-ins for PyInstaller's classes; return what they got."""
    calls: dict = {}

    def record(name):
        def stand_in(*args, **kwargs):
            calls[name] = (args, kwargs)
            return types.SimpleNamespace(pure=[], scripts=[], binaries=[], datas=kwargs.get("datas", []))
        return stand_in

    names = {name: record(name) for name in ("Analysis", "PYZ", "EXE", "COLLECT", "BUNDLE")}
    spec = ROOT / "packaging" / "mlp-desktop.spec"
    exec(compile(spec.read_text(), str(spec), "exec"), {"SPECPATH": str(spec.parent), **names})
    return calls


def test_the_pyinstaller_spec_bundles_every_sample_and_icon_without_a_console():
    from mlp_desktop.core.samples import SAMPLES

    calls = run_spec()
    bundled = {(Path(source).name, target) for source, target in calls["Analysis"][1]["datas"]}
    for name in SAMPLES:
        assert {(name + ".csv", "mlp_desktop/sample_data"), (name + ".xlsx", "mlp_desktop/sample_data")} <= bundled
    for name in ("__init__.py", "mlp-desktop.svg", "mlp-desktop-256.png"):
        assert (name, "mlp_desktop/resources") in bundled
    assert ("__init__.py", "mlp_desktop/sample_data") in bundled
    assert all(Path(source).is_file() for source, _ in calls["Analysis"][1]["datas"])
    assert calls["EXE"][1]["console"] is False and calls["EXE"][1]["name"] == "mlp-desktop"


# -- a GUI script's missing console (Windows pythonw: sys.stdout and sys.stderr are None) ---------
@contextlib.contextmanager
def no_console():
    """sys.stdout and sys.stderr are None, as under pythonw; afterwards closes what the code opened.

    Set inside the test, not in a fixture: pytest puts its own capture streams back for each phase.
    """
    saved = sys.stdout, sys.stderr
    sys.stdout = sys.stderr = None
    try:
        yield
    finally:
        opened = {id(stream): stream for stream in (sys.stdout, sys.stderr) if stream is not None}
        sys.stdout, sys.stderr = saved
        for stream in opened.values():
            stream.close()


def test_train_without_console_streams_does_not_crash(tmp_path):
    from mlp_desktop.cli import main
    from mlp_desktop.core.samples import sample_path

    model = tmp_path / "model.json"
    with no_console():
        code = main(["train", str(sample_path("health_score")), "--epochs", "20", "--save", str(model)])
        assert sys.stdout.name == os.devnull and sys.stderr.name == os.devnull
    assert code == 0 and model.is_file()


@pytest.mark.parametrize("args, code", [(["--version"], 0), (["--help"], 0), (["train", "--help"], 0),
                                        (["train"], 2), (["--no-such-option"], 2)])
def test_version_help_and_usage_errors_without_console_streams(args, code):
    from mlp_desktop.cli import main

    with no_console(), pytest.raises(SystemExit) as exit_:
        main(args)
    assert exit_.value.code == code


def test_errors_without_console_streams_exit_with_their_code(tmp_path):
    from mlp_desktop.cli import main

    with no_console():
        assert main(["evaluate", str(tmp_path / "missing.json"), str(tmp_path / "missing.csv")]) == 2


def test_windows_without_a_parent_console_drops_the_output(monkeypatch):
    import ctypes

    from mlp_desktop.cli import ensure_output_streams

    calls = []

    class Kernel32:
        def AttachConsole(self, process):  # noqa: N802 - the Windows name
            calls.append(process)
            return 0  # started from Explorer: no console to attach to

    monkeypatch.setattr(ctypes, "windll", types.SimpleNamespace(kernel32=Kernel32()), raising=False)
    with no_console():
        ensure_output_streams(platform="win32")
        print("nowhere")
        print("nowhere", file=sys.stderr)
        assert sys.stdout.name == os.devnull and sys.stderr.name == os.devnull
    assert calls == [-1]


def test_windows_fallback_when_ctypes_has_no_windll():
    from mlp_desktop.cli import ensure_output_streams

    with no_console():
        ensure_output_streams(platform="win32")  # ctypes on Linux/macOS has no windll: must not raise
        assert sys.stdout.name == os.devnull and sys.stderr.name == os.devnull


def test_existing_streams_are_left_alone(monkeypatch):
    from mlp_desktop.cli import ensure_output_streams

    out, err = io.StringIO(), io.StringIO()
    monkeypatch.setattr(sys, "stdout", out)
    monkeypatch.setattr(sys, "stderr", err)
    ensure_output_streams(platform="win32")
    assert sys.stdout is out and sys.stderr is err
