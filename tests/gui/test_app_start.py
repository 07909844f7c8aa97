"""Starting the app: a clear message instead of Qt's abort when no window can open."""

import subprocess

from mlp_desktop.gui.app import debian_package, display_problem, missing_xcb_libraries


def test_no_display_is_explained():
    message = display_problem(environ={}, platform="linux", missing_libraries=lambda: [])
    assert "No display" in message and "mlp-desktop train" in message


def test_missing_qt_libraries_name_the_packages():
    message = display_problem(environ={"DISPLAY": ":0"}, platform="linux",
                              missing_libraries=lambda: ["libxcb-icccm.so.4", "libxkbcommon-x11.so.0"])
    assert "apt-get install libxcb-icccm4 libxkbcommon-x11-0" in message


def test_debian_package_names():
    assert debian_package("libxcb-cursor.so.0") == "libxcb-cursor0"
    assert debian_package("libEGL.so.1") == "libegl1"
    assert debian_package("libxkbcommon-x11.so.0") == "libxkbcommon-x11-0"


def test_missing_libraries_are_read_from_ldd():
    fake = subprocess.CompletedProcess([], 0, stdout=(
        "\tlibQt6Gui.so.6 => /x/libQt6Gui.so.6 (0x1)\n\tlibxcb-keysyms.so.1 => not found\n"), stderr="")
    assert missing_xcb_libraries(run=lambda *a, **k: fake) == ["libxcb-keysyms.so.1"]
    assert isinstance(missing_xcb_libraries(), list)  # the real check runs without error


def test_fine_setups_pass():
    assert display_problem(environ={"DISPLAY": ":0"}, platform="linux", missing_libraries=lambda: []) is None
    assert display_problem(environ={"QT_QPA_PLATFORM": "offscreen"}, platform="linux",
                           missing_libraries=lambda: ["x.so.1"]) is None
    assert display_problem(environ={}, platform="win32", missing_libraries=lambda: ["x.so.1"]) is None


def test_cli_without_display_prints_error_not_abort(monkeypatch, capsys):
    import mlp_desktop.gui.app as app

    monkeypatch.setattr(app, "display_problem", lambda: "No display found.")
    from mlp_desktop.cli import main

    assert main([]) == 1
    assert "error: No display found." in capsys.readouterr().err
