from mlp_desktop.gui.minimal_window import MinimalWindow


def test_train_button_trains_and_plots(qtbot):
    window = MinimalWindow()
    qtbot.addWidget(window)
    window.show()
    window.train_button.click()
    qtbot.waitUntil(lambda: window.remaining == 0, timeout=20000)
    x, y = window.curve.getData()
    assert len(x) > 100 and y[-1] < 0.5 * y[0]
    assert "Epoch 2000" in window.status.text()
