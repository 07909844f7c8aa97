"""The window says which engine trains (issue 16): the status bar's speed has it in its tooltip,
and the Parameters panel's Engine row sets it like any other setting."""

from mlp_desktop.core import compiled


def test_the_status_bar_names_the_engine_and_the_panel_chooses_it(qtbot, window):
    panel = window.parameter_panel
    panel.set_values(engine="numpy", epochs=5)
    assert window.workspace.settings["engine"] == "numpy" and panel.values()["engine"] == "numpy"
    with qtbot.waitSignal(window.controller.finished, timeout=30000):
        window.train_action.trigger()
    qtbot.waitUntil(lambda: window.speed_label.toolTip() == "Engine: NumPy", timeout=5000)
    if compiled.available():  # the sample trains per sample: auto runs the kernel
        panel.engine_combo.setCurrentIndex(panel.engine_combo.findData("auto"))
        assert window.workspace.settings["engine"] == "auto"
        with qtbot.waitSignal(window.controller.finished, timeout=30000):
            window.train_action.trigger()
        qtbot.waitUntil(lambda: window.speed_label.toolTip() == "Engine: compiled (numba)", timeout=5000)
        assert window.workspace.history.engine == "compiled"
