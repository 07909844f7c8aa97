"""The parameter panel, driven the way a user drives it."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QValidator
from PySide6.QtWidgets import QAbstractButton, QSlider, QAbstractSpinBox, QComboBox, QLineEdit

from mlp_desktop.core.errors import DataError
from mlp_desktop.core.training import TrainConfig
from mlp_desktop.gui.panels.parameter_panel import ParameterPanel


@pytest.fixture
def panel(qtbot):
    panel = ParameterPanel()
    qtbot.addWidget(panel)
    panel.resize(300, 720)
    panel.show()
    qtbot.waitExposed(panel)
    return panel


def type_into(qtbot, spin: QAbstractSpinBox, text: str) -> None:
    spin.setFocus()
    spin.lineEdit().selectAll()
    qtbot.keyClicks(spin.lineEdit(), text)


def enter(qtbot, spin: QAbstractSpinBox, text: str) -> None:
    """Type ``text`` over the field's value as a user does: focus, select all, type, Enter."""
    spin.setFocus()
    qtbot.waitUntil(spin.hasFocus)
    spin.lineEdit().selectAll()
    qtbot.keyClicks(spin.lineEdit(), text)
    qtbot.keyClick(spin.lineEdit(), Qt.Key.Key_Return)


def choose(combo: QComboBox, value: str) -> None:
    combo.setCurrentIndex(combo.findData(value))


def test_defaults_follow_the_core(panel):
    values, default = panel.values(), TrainConfig()
    assert (values["epochs"], values["learning_rate"], values["batch_size"], values["momentum"], values["shuffle"]) == (
        default.epochs, default.learning_rate, default.batch_size, default.momentum, default.shuffle)
    assert panel.loss() == "auto" and values == panel.workspace.settings


def test_config_holds_the_values_typed(panel, qtbot):
    panel.set_values(seed=7)
    type_into(qtbot, panel.epochs_spin, "2500")
    type_into(qtbot, panel.momentum_spin, "0.9")
    qtbot.mouseClick(panel.target_rmse_check, Qt.MouseButton.LeftButton)
    type_into(qtbot, panel.target_rmse_spin, "0.05")
    choose(panel.loss_combo, "cross_entropy")
    values = panel.workspace.settings  # every typed value went to the workspace
    assert values["epochs"] == 2500 and values["momentum"] == pytest.approx(0.9)
    assert values["target_rmse"] == pytest.approx(0.05)
    assert values["loss"] == "cross_entropy" and panel.loss() == "cross_entropy"
    assert values["seed"] == 7
    type_into(qtbot, panel.momentum_spin, "5")  # beyond 0.99: not accepted
    panel.momentum_spin.interpretText()
    assert panel.momentum_spin.value() <= 0.99


def test_set_values(panel, qtbot):
    panel.set_values(learning_rate=0.005, epochs=2000, batch_size=None, init="uniform", init_range=(0.1, 0.9),
                     seed=1, target_rmse=0.2, momentum=0.5, shuffle=True)
    values = panel.values()
    assert (values["learning_rate"], values["epochs"], values["batch_size"], values["seed"]) == (0.005, 2000, None, 1)
    assert values["target_rmse"] == 0.2 and values["momentum"] == 0.5
    assert {k: values[k] for k in ("init", "init_range", "init_std", "bias_init")} == {
        "init": "uniform", "init_range": (0.1, 0.9), "init_std": 0.1, "bias_init": "zeros"}
    assert panel.workspace.settings == values  # the matching pair: what is shown is what the workspace holds
    with pytest.raises(TypeError):
        panel.set_values(learning_rte=0.1)


def test_learning_rate_slider_and_value_stay_in_sync(panel, qtbot):
    with qtbot.waitSignal(panel.changed):
        type_into(qtbot, panel.learning_rate_spin, "0.005")
    assert panel.learning_rate_spin.text() == "0.005"
    assert panel.learning_rate_slider.value() == -230  # log10(0.005) = -2.30
    assert panel.workspace.settings["learning_rate"] == 0.005

    with qtbot.waitSignal(panel.changed):
        panel.learning_rate_slider.setValue(-100)
    assert panel.learning_rate() == 0.1
    panel.learning_rate_slider.setValue(panel.learning_rate_slider.minimum())
    assert panel.learning_rate() == 1e-5
    panel.learning_rate_slider.setValue(panel.learning_rate_slider.maximum())
    assert panel.learning_rate() == 10.0

    panel.set_values(learning_rate=0.01)
    qtbot.keyClick(panel.learning_rate_spin, Qt.Key.Key_Up)  # arrows step 1-2-5
    assert panel.learning_rate() == 0.02
    qtbot.keyClick(panel.learning_rate_spin, Qt.Key.Key_Up)
    assert panel.learning_rate() == 0.05
    qtbot.keyClick(panel.learning_rate_spin, Qt.Key.Key_Down)
    assert panel.learning_rate() == 0.02


def test_update_modes_map_to_batch_sizes(panel, qtbot):
    choose(panel.update_mode_combo, "per_sample")
    assert panel.values()["batch_size"] == 1 and not panel.batch_size_spin.isEnabled()
    choose(panel.update_mode_combo, "mini_batch")
    assert panel.batch_size_spin.isEnabled()
    type_into(qtbot, panel.batch_size_spin, "16")
    assert panel.values()["batch_size"] == 16
    choose(panel.update_mode_combo, "full_batch")
    assert panel.values()["batch_size"] is None
    assert not panel.batch_size_spin.isEnabled() and not panel.shuffle_check.isEnabled()
    panel.set_values(batch_size=1)
    assert panel.update_mode_combo.currentData() == "per_sample"
    panel.set_values(batch_size=8)
    assert panel.update_mode_combo.currentData() == "mini_batch" and panel.batch_size_spin.value() == 8


def test_random_seed_draws_a_new_seed_for_each_run_and_shows_it(panel, qtbot):
    from mlp_desktop.core.data import read_table
    from mlp_desktop.core.samples import sample_path

    workspace = panel.workspace
    workspace.open_table(read_table(sample_path("health_score")))
    panel.set_values(seed=3, epochs=1)
    assert panel.seed_spin.isEnabled() and workspace.seed == 3
    qtbot.mouseClick(panel.random_seed_check, Qt.MouseButton.LeftButton)
    assert panel.random_seed_check.isChecked() and not panel.seed_spin.isEnabled()
    assert workspace.settings["seed"] is None
    seeds = []
    for _ in range(3):
        workspace.reset_weights()  # each run from fresh weights draws its own seed (a continued one keeps it)
        workspace.train()
        seeds.append(workspace.seed)
    assert len(set(seeds)) == 3
    assert panel.last_drawn_seed() == seeds[-1] == panel.seed_spin.value()
    assert str(seeds[-1]) in panel.drawn_seed_label.text() and not panel.drawn_seed_label.isHidden()
    qtbot.mouseClick(panel.random_seed_check, Qt.MouseButton.LeftButton)  # keep the drawn seed to repeat the run
    assert workspace.settings["seed"] == seeds[-1]


def test_initialisation_controls_enable_only_what_applies(panel):
    choose(panel.init_combo, "uniform")
    assert panel.init_low_spin.isEnabled() and panel.init_high_spin.isEnabled()
    assert not panel.init_std_spin.isEnabled()
    choose(panel.init_combo, "normal")
    assert panel.init_std_spin.isEnabled() and not panel.init_low_spin.isEnabled()
    choose(panel.init_combo, "he")
    assert not panel.init_std_spin.isEnabled() and not panel.init_high_spin.isEnabled()
    choose(panel.bias_combo, "like_weights")
    assert panel.values()["bias_init"] == "like_weights"
    assert panel.workspace.settings["init"] == "he"


def test_an_invalid_uniform_range_is_blocked_with_a_message(panel, qtbot):
    choose(panel.init_combo, "uniform")
    type_into(qtbot, panel.init_low_spin, "0.5")
    type_into(qtbot, panel.init_high_spin, "0.1")
    assert not panel.error_label.isHidden()
    message = panel.error_message()
    assert "must be below the high end" in message
    with pytest.raises(DataError, match="must be below the high end"):
        panel.workspace.set_settings(**panel.values())
    assert panel.workspace.settings["init_range"] != (0.5, 0.1)  # never reached the workspace
    type_into(qtbot, panel.init_high_spin, "0.9")
    assert panel.error_label.isHidden()
    assert panel.workspace.settings["init_range"] == (0.5, 0.9)


def test_set_editable_locks_every_control(panel):
    panel.set_editable(False)
    assert not any(control.isEnabled() for control in panel._controls())
    panel.set_editable(True)
    assert panel.learning_rate_spin.isEnabled() and panel.epochs_spin.isEnabled()
    assert panel.batch_size_spin.isEnabled() == (panel.update_mode_combo.currentData() == "mini_batch")


def test_every_control_has_a_tooltip(panel):
    controls = (panel.findChildren(QAbstractSpinBox) + panel.findChildren(QComboBox)
                + panel.findChildren(QAbstractButton) + panel.findChildren(QSlider)
                + [edit for edit in panel.findChildren(QLineEdit)
                   if not isinstance(edit.parent(), QAbstractSpinBox)])
    assert len(controls) >= 17
    missing = [control.accessibleName() or type(control).__name__ for control in controls if not control.toolTip()]
    assert missing == []


# -- issue 14: optimizer, regularization and stopping --------------------------------------------
NEW_VALUES = {"optimizer": "adam", "nesterov": False, "beta1": 0.8, "beta2": 0.99, "epsilon": 1e-7, "rho": 0.95,
              "l2": 0.01, "l1": 0.001, "early_stopping_patience": 12, "min_delta": 0.05, "lr_schedule": "step",
              "lr_decay": 0.7, "lr_step": 25, "test_fraction": 0.15, "class_weight": "balanced"}


def test_new_settings_round_trip_and_reach_the_workspace(panel):
    panel.set_values(**NEW_VALUES)
    values = panel.values()
    assert {name: values[name] for name in NEW_VALUES} == NEW_VALUES
    assert {name: panel.workspace.settings[name] for name in NEW_VALUES} == NEW_VALUES
    config = panel.workspace._config()
    assert (config.optimizer, config.l2, config.early_stopping_patience, config.test_fraction) == ("adam", 0.01, 12, 0.15)
    panel.set_values(early_stopping_patience=None, lr_decay=None, class_weight=None)
    values = panel.values()
    assert (values["early_stopping_patience"], values["lr_decay"], values["class_weight"]) == (None, None, None)
    assert not panel.patience_spin.isEnabled()


def test_the_user_picks_an_optimizer_and_sees_only_its_settings(qtbot, panel):
    def shown(widget):
        return widget.isVisibleTo(panel)

    assert shown(panel.nesterov_check) and not shown(panel.beta1_spin) and not shown(panel.rho_spin)
    choose(panel.optimizer_combo, "adam")
    assert panel.workspace.settings["optimizer"] == "adam"
    assert shown(panel.beta1_spin) and shown(panel.beta2_spin) and shown(panel.epsilon_spin)
    assert not shown(panel.nesterov_check) and not shown(panel.rho_spin) and not panel.momentum_spin.isEnabled()
    choose(panel.optimizer_combo, "rmsprop")
    assert shown(panel.rho_spin) and shown(panel.epsilon_spin) and not shown(panel.beta1_spin)
    choose(panel.optimizer_combo, "lbfgs")
    assert not any(shown(w) for w in (panel.nesterov_check, panel.beta1_spin, panel.rho_spin, panel.epsilon_spin))
    assert not panel.learning_rate_spin.isEnabled() and not panel.update_mode_combo.isEnabled()
    assert not panel.schedule_combo.isEnabled()


def test_regularization_group_folds_and_its_controls_explain_themselves(qtbot, panel):
    assert not panel.l2_spin.isVisibleTo(panel)
    qtbot.mouseClick(panel.regularization_button, Qt.MouseButton.LeftButton)
    assert panel.l2_spin.isVisibleTo(panel) and panel.class_weight_combo.isVisibleTo(panel)
    for widget in (panel.l2_spin, panel.l1_spin, panel.early_stopping_check, panel.patience_spin,
                   panel.min_delta_spin, panel.schedule_combo, panel.lr_decay_check, panel.lr_step_spin,
                   panel.test_fraction_spin, panel.class_weight_combo, panel.optimizer_combo, panel.beta1_spin):
        assert widget.toolTip().strip(), widget
    assert not panel.lr_step_spin.isEnabled()  # only the step schedule has steps
    choose(panel.schedule_combo, "step")
    assert panel.lr_step_spin.isEnabled() and panel.lr_decay_check.isEnabled()
    panel.early_stopping_check.setChecked(True)
    assert panel.workspace.settings["early_stopping_patience"] == panel.patience_spin.value()


@pytest.mark.parametrize("spin_name, text, expected", [
    ("learning_rate_spin", "abc", "is not a number"),
    ("learning_rate_spin", "0.0x5", "is not a number"),
    ("epochs_spin", "0", "must be from 1 to"),
    ("epochs_spin", "1.5", "takes whole numbers"),
    ("epochs_spin", "1,5", "takes whole numbers"),  # a decimal comma, not fifteen
    ("epochs_spin", "ten", "is not a number"),
    ("momentum_spin", "5", "must be from 0 to 0.99"),
])
def test_typed_text_the_field_cannot_take_is_explained_not_rewritten_silently(panel, qtbot, spin_name, text, expected):
    spin = getattr(panel, spin_name)
    before = spin.value()
    said = []
    spin.refused.connect(said.append)
    enter(qtbot, spin, text)
    spin.interpretText()
    message = panel.error_message()
    setting = {"learning_rate_spin": "learning_rate", "epochs_spin": "epochs", "momentum_spin": "momentum"}[spin_name]
    if text == "0.0x5":  # the x was refused and said so; what was typed around it stands, and the message goes
        assert any(expected in line and spin.accessibleName() in line for line in said), said
        assert spin.value() == panel.workspace.settings[setting] == 0.05 and message == ""
        return
    assert expected in message and spin.accessibleName() in message, message
    if text in ("1.5", "1,5"):  # the "1" typed on the way does not stand: the value from before comes back
        assert spin.value() == panel.workspace.settings[setting] == before and f"it keeps {before}." in message
    else:
        assert spin.value() == before and panel.workspace.settings[setting] == before


@pytest.mark.parametrize("spin_name, text, quoted", [
    ("learning_rate_spin", "abc", "\u201cabc\u201d is not a number"),  # was "“c” is not a number"
    ("epochs_spin", "ten", "\u201cten\u201d is not a number"),  # the e was taken on the way: was "“e”"
    ("learning_rate_spin", "1e400", "\u201c1e400\u201d is too large"),  # the last 0 was refused: was "“1e40”"
])
@pytest.mark.parametrize("typed_into", ["line edit", "spin box"])
def test_a_refusal_quotes_everything_typed_not_the_last_key(panel, qtbot, spin_name, text, quoted, typed_into):
    spin = getattr(panel, spin_name)
    before = spin.value()
    said = []
    spin.refused.connect(said.append)
    spin.setFocus()
    qtbot.waitUntil(spin.hasFocus)
    spin.lineEdit().selectAll()
    target = spin.lineEdit() if typed_into == "line edit" else spin  # (a user's keys reach the spin box first)
    qtbot.keyClicks(target, text)
    assert quoted in said[-1] and quoted in panel.error_message(), said
    qtbot.keyClick(target, Qt.Key.Key_Return)  # left as it is: the same words, and the value from before
    assert quoted in said[-1] and spin.value() == before, said


@pytest.mark.parametrize("text, epochs", [("1e6", 1_000_000), ("2.5e3", 2500), ("1,000,000", 1_000_000), ("300", 300)])
def test_whole_numbers_are_taken_as_people_write_them(panel, qtbot, text, epochs):
    spin = panel.epochs_spin
    spin.setFocus()
    qtbot.waitUntil(spin.hasFocus)
    spin.lineEdit().selectAll()
    qtbot.keyClicks(spin.lineEdit(), text)  # Qt's own spin box dropped the "e": "1e6" became 16
    qtbot.keyClick(spin.lineEdit(), Qt.Key.Key_Return)
    assert spin.value() == panel.workspace.settings["epochs"] == epochs
    assert panel.error_message() == ""


@pytest.mark.parametrize("spin_name, text, expected", [
    ("learning_rate_spin", "1,000", "\u201c1,000\u201d was not used"),  # a thousand, out of range: never 1.0 silently
    ("learning_rate_spin", "1e400", "\u201c1e400\u201d is too large"),  # a number, too large: not "not a number"
    ("epochs_spin", "1e400", "\u201c1e400\u201d is too large"),
    ("epochs_spin", "1234,567", "could be read two ways"),
])
def test_number_fields_read_typing_as_the_rest_of_the_app_does(panel, qtbot, spin_name, text, expected):
    spin = getattr(panel, spin_name)
    said = []
    spin.refused.connect(said.append)
    enter(qtbot, spin, text)
    assert any(expected in message and spin.accessibleName() in message for message in said), said


def test_fields_with_a_prefix_or_a_suffix_take_typed_numbers(panel, qtbot):
    """Batch size ("N = 16") and patience ("20 epochs") refused every typed value: the validator read
    the prefix and suffix as part of the number ("“N = 32” is not a number")."""
    choose(panel.update_mode_combo, "mini_batch")
    panel.early_stopping_check.setChecked(True)
    for spin, shown, value in ((panel.batch_size_spin, "N = 24", 24), (panel.patience_spin, "5 epochs", 5)):
        assert spin.isEnabled() and spin.value() != value
        assert spin.validate(shown, 0)[0] == QValidator.State.Acceptable  # the text the field shows
        enter(qtbot, spin, str(value))
        assert spin.value() == value and spin.text() == shown and panel.error_message() == "", panel.error_message()


def test_text_a_field_refuses_puts_back_the_value_from_before_the_typing(panel, qtbot):
    """'1,000' typed into the learning rate (0.05) left it at 1, the '1' typed on the way, and said
    'it keeps 1'; '1e400' in a field kept whatever the keys had made of it."""
    spin = panel.learning_rate_spin
    before = spin.value()
    enter(qtbot, spin, "1,000")
    assert spin.value() == before and panel.workspace.settings["learning_rate"] == before
    assert f"it keeps {spin.textFromValue(before)}" in panel.error_message()
    enter(qtbot, spin, "0.02")  # a number it takes: the message about the earlier text goes
    assert spin.value() == 0.02 and panel.error_message() == ""


# -- which engine an optimizer can use: greyed out at once, for the reason Train would give ----------
def engine_item_enabled(panel, value: str) -> bool:
    combo = panel.engine_combo
    return bool(combo.model().item(combo.findData(value)).isEnabled())


@pytest.mark.parametrize("optimizer", ["lbfgs", "lm"])
def test_the_compiled_engine_is_greyed_out_for_full_batch_optimizers_with_train_s_reason(panel, optimizer):
    assert engine_item_enabled(panel, "compiled")
    choose(panel.optimizer_combo, optimizer)
    assert not engine_item_enabled(panel, "compiled")
    assert engine_item_enabled(panel, "auto") and engine_item_enabled(panel, "numpy")
    with pytest.raises(DataError) as refused:  # what Train says for this combination
        TrainConfig(optimizer=optimizer, engine="compiled")
    combo = panel.engine_combo
    assert combo.itemData(combo.findData("compiled"), Qt.ItemDataRole.ToolTipRole) == str(refused.value)
    assert str(refused.value) in combo.toolTip()
    choose(panel.optimizer_combo, "adam")
    assert engine_item_enabled(panel, "compiled") and str(refused.value) not in combo.toolTip()


def test_with_the_compiled_engine_chosen_the_full_batch_optimizers_are_greyed_out(panel):
    """Both ways round: the panel never offers a combination that Train refuses."""
    choose(panel.engine_combo, "compiled")
    assert panel.workspace.settings["engine"] == "compiled"
    optimizers = panel.optimizer_combo
    for optimizer in ("lbfgs", "lm"):
        index = optimizers.findData(optimizer)
        assert not optimizers.model().item(index).isEnabled()
        assert "compiled engine runs SGD, Adam and RMSprop" in optimizers.itemData(index, Qt.ItemDataRole.ToolTipRole)
    assert optimizers.model().item(optimizers.findData("adam")).isEnabled()
    assert "Set the engine to Auto or NumPy" in optimizers.toolTip()
    choose(panel.engine_combo, "auto")
    assert all(optimizers.model().item(i).isEnabled() for i in range(optimizers.count()))


def test_float32_and_the_compiled_engine_exclude_each_other(panel):
    dtype = panel.dtype_combo
    choose(panel.engine_combo, "compiled")
    assert not dtype.model().item(dtype.findData("float32")).isEnabled()
    assert "computes in float64" in dtype.toolTip()
    choose(panel.engine_combo, "numpy")
    choose(dtype, "float32")
    assert not engine_item_enabled(panel, "compiled") and "computes in float64" in panel.engine_combo.toolTip()


@pytest.mark.parametrize("optimizer", ["lbfgs", "lm"])
def test_float32_and_the_full_batch_methods_exclude_each_other(panel, optimizer):
    """They compute in float64: float32 with them was ignored without a word; now neither is offered
    with the other, for Train's reason."""
    dtype, optimizers = panel.dtype_combo, panel.optimizer_combo
    choose(optimizers, optimizer)
    assert not dtype.model().item(dtype.findData("float32")).isEnabled()
    with pytest.raises(DataError) as refused:
        TrainConfig(optimizer=optimizer, dtype="float32")
    assert dtype.itemData(dtype.findData("float32"), Qt.ItemDataRole.ToolTipRole) == str(refused.value)
    choose(optimizers, "adam")
    choose(dtype, "float32")
    assert not optimizers.model().item(optimizers.findData(optimizer)).isEnabled()
    assert optimizers.model().item(optimizers.findData("sgd")).isEnabled()
