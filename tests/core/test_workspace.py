"""The workspace, headless: every user action in every run state, as a table, and the behaviours
of issue 12 that do not need a window (opening other data after training, edits while paused,
saving during a run, initialisation settings, per-dataset settings)."""

from __future__ import annotations

import copy
import dataclasses

import numpy as np
import pytest

from mlp_desktop.core import settings
from mlp_desktop.core.data import read_table, table_from_frame
from mlp_desktop.core.errors import DataError
from mlp_desktop.core.project import load_project, save_project
from mlp_desktop.core.samples import SAMPLE_SETUPS, sample_path
from mlp_desktop.core.training_process import run_job
from mlp_desktop.core.workspace import RUN_STATES, Workspace


class ManualRunner:
    """Holds each job until the test says how it goes: like the app's process, but on demand."""

    def __init__(self):
        self.workspace: Workspace | None = None
        self.job = None
        self.calls: list[str] = []

    def start(self, job):
        self.calls.append("start")
        self.job = job

    def pause(self):
        self.calls.append("pause")
        # The training process sends the history as of the pause; so does this stand-in.
        self.workspace.run_paused(copy.deepcopy(self.job.history))

    def resume(self):
        self.calls.append("resume")

    def stop(self):
        self.calls.append("stop")

    def complete(self, epochs: int | None = None):
        """Run the held job to its end (``epochs`` fewer if given) and report the result."""
        job, self.job = self.job, None
        if epochs is not None:
            job.config.epochs = epochs
        params, history = run_job(job, self.workspace.run_progress)
        self.workspace.run_finished(params, history)


def sample(name: str):
    return read_table(sample_path(name, ".xlsx"))


def make_workspace(runner_class=None) -> tuple[Workspace, ManualRunner]:
    """The health-score sample, 20 epochs, driven by a stand-in runner (``ManualRunner`` by default)."""
    runner = (runner_class or ManualRunner)()
    workspace = Workspace(runner)
    runner.workspace = workspace
    workspace.open_table(sample("health_score"), SAMPLE_SETUPS["health_score"])
    workspace.set_settings(epochs=20)
    return workspace, runner


def in_state(state: str) -> tuple[Workspace, ManualRunner]:
    workspace, runner = make_workspace()
    if state == "trained":
        workspace.apply_step(workspace.net.get_parameters() + 0.01)
    elif state in ("training", "paused", "finished"):
        workspace.train()
        if state == "paused":
            workspace.pause()
        elif state == "finished":
            runner.complete()
    elif state == "diverged":
        workspace.set_settings(learning_rate=1e5, init="uniform", init_range=(-10.0, 10.0))
        workspace.train()
        runner.complete()
    assert workspace.run_state == state
    return workspace, runner


def edit_network(workspace):
    workspace.graph.add_neuron(1)


ACTIONS = {
    "open data": lambda w, r: w.open_table(sample("iris")),
    "open sample": lambda w, r: w.open_table(sample("xor_gate"), SAMPLE_SETUPS["xor_gate"]),
    "change roles": lambda w, r: w.set_data_settings(inputs=["age", "exercise"], targets=["output"]),
    "change scaling": lambda w, r: w.set_data_settings(input_scaling="none"),
    "change learning rate": lambda w, r: w.set_settings(learning_rate=0.2),
    "change initialisation": lambda w, r: w.set_settings(init="xavier"),
    "edit network": lambda w, r: edit_network(w),
    "train": lambda w, r: w.train(),
    "pause": lambda w, r: w.pause(),
    "resume": lambda w, r: w.resume(),
    "stop": lambda w, r: w.stop(),
    "reset weights": lambda w, r: w.reset_weights(),
    "save": lambda w, r: w.project(),
}

# (state, action) -> the state after it; DataError where the action must be refused in words.
AFTER = {
    "idle": {"open data": "idle", "open sample": "idle", "change roles": "idle", "change scaling": "idle",
             "change learning rate": "idle", "change initialisation": "idle", "edit network": "idle",
             "train": "training", "pause": "idle", "resume": "idle", "stop": "idle", "reset weights": "idle",
             "save": "idle"},
    "trained": {"open data": "trained", "open sample": "idle", "change roles": "trained",
                "change scaling": "trained", "change learning rate": "trained", "change initialisation": "trained",
                "edit network": "trained", "train": "training", "pause": "trained", "resume": "trained",
                "stop": "trained", "reset weights": "idle", "save": "trained"},
    "training": {"open data": "idle", "open sample": "idle", "change roles": DataError,
                 "change scaling": DataError, "change learning rate": DataError, "change initialisation": DataError,
                 "edit network": "paused", "train": "training", "pause": "paused", "resume": "training",
                 "stop": "training", "reset weights": DataError, "save": DataError},
    "paused": {"open data": "idle", "open sample": "idle", "change roles": "idle",
               "change scaling": "idle", "change learning rate": "paused", "change initialisation": "paused",
               "edit network": "paused", "train": "training", "pause": "paused", "resume": "training",
               "stop": "paused", "reset weights": "idle", "save": "paused"},
    "finished": {"open data": "trained", "open sample": "idle", "change roles": "finished",
                 "change scaling": "finished", "change learning rate": "finished",
                 "change initialisation": "finished", "edit network": "finished", "train": "training",
                 "pause": "finished", "resume": "finished", "stop": "finished", "reset weights": "idle",
                 "save": "finished"},
    "diverged": {"open data": "trained", "open sample": "idle", "change roles": "diverged",
                 "change scaling": "diverged", "change learning rate": "diverged",
                 "change initialisation": "diverged", "edit network": "diverged", "train": "training",
                 "pause": "diverged", "resume": "diverged", "stop": "diverged", "reset weights": "idle",
                 "save": "diverged"},
}


def test_the_table_covers_every_state_and_action():
    assert set(AFTER) == set(RUN_STATES)
    assert all(set(row) == set(ACTIONS) for row in AFTER.values())


@pytest.mark.parametrize("state", RUN_STATES)
@pytest.mark.parametrize("action", ACTIONS)
def test_every_action_in_every_state(state, action):
    workspace, runner = in_state(state)
    expected = AFTER[state][action]
    if expected is DataError:
        with pytest.raises(DataError):
            ACTIONS[action](workspace, runner)
        assert workspace.run_state == state  # refused: nothing changed
        return
    ACTIONS[action](workspace, runner)
    assert workspace.run_state == expected
    # Whatever happened, the views can draw what the workspace holds, and it can still train.
    if workspace.problem == "":
        net, history = workspace.net, workspace.history
        assert net.n_parameters == len(net.parameter_names()) == len(history.parameter_names)
        assert list(net.layer_sizes) == workspace.graph.layer_sizes
        if workspace.run_state == "training":
            runner.complete(epochs=2)
        elif workspace.run_state != "paused":
            workspace.train(2)
            runner.complete()
        assert workspace.run_state in ("finished", "diverged", "paused")


def test_opening_data_with_other_columns_after_training_follows_the_data_and_keeps_hidden_layers():
    workspace, runner = in_state("finished")
    hidden = [layer.size for layer in workspace.graph.hidden_layers]
    messages = []
    workspace.subscribe(lambda event: event.kind == "message" and messages.append(event.detail))
    workspace.open_table(sample("iris"))
    assert workspace.problem == ""
    assert workspace.graph.layer_sizes == [4, *hidden, 3]
    assert list(workspace.net.layer_sizes) == [4, *hidden, 3]
    assert workspace.history.last_epoch == 0  # plots start afresh for new data
    assert any("Fresh weights" in text for text in messages)
    workspace.train(3)
    runner.complete()
    assert workspace.history.last_epoch == 3


def test_a_new_dataset_resets_the_per_dataset_settings_and_keeps_the_learning_ones():
    workspace, _ = make_workspace()
    workspace.open_table(sample("iris"))
    workspace.set_data_settings(task="classification", input_scaling="minmax", validation_fraction=0.3)
    workspace.set_settings(learning_rate=0.123)
    workspace.graph.set_activation(len(workspace.graph.layers) - 1, "softmax")
    workspace.open_table(sample("health_score"))
    assert workspace.data["task"] == "auto" and workspace.dataset.task == "regression"
    assert workspace.data["input_scaling"] == "standard"
    assert workspace.data["validation_fraction"] == settings.SETTINGS["validation_fraction"].default
    assert workspace.graph.output_layer.activation == "auto"
    assert workspace.settings["learning_rate"] == 0.123
    assert workspace.graph.layer_sizes[-1] == 1


def test_initialisation_settings_apply_at_once_to_an_untrained_network():
    workspace, runner = make_workspace()
    before = workspace.net.get_parameters()
    weights_events = []
    workspace.subscribe(lambda event: event.kind == "weights" and weights_events.append(event))
    workspace.set_settings(init="normal", init_std=0.001)
    after = workspace.net.get_parameters()
    assert weights_events and not np.allclose(before, after)
    assert np.abs(after).max() < 0.01
    # On a trained network they wait for Reset weights, and the workspace says so.
    workspace.train()
    runner.complete()
    trained = workspace.net.get_parameters()
    workspace.set_settings(init="uniform")
    assert np.array_equal(workspace.net.get_parameters(), trained)
    assert "Reset weights" in workspace.init_note()
    workspace.reset_weights()
    assert workspace.run_state == "idle" and workspace.history.last_epoch == 0


def test_editing_while_paused_keeps_weights_history_and_the_epoch_count():
    workspace, runner = in_state("training")
    runner.complete(epochs=5)  # five epochs done, then a fresh run that the user pauses
    workspace.train()
    job = runner.job
    run_job(job.__class__(**{**job.__dict__, "config": dataclasses.replace(job.config, epochs=3)}), None)
    workspace.pause()
    paused_history = workspace.snapshot()[1]
    assert paused_history.last_epoch == 8
    kept = dict(zip(paused_history.parameter_names, paused_history.params[-1]))
    workspace.graph.add_neuron(1)  # a third hidden neuron
    assert workspace.run_state == "paused"
    history = workspace.history
    assert history.last_epoch == 8 and len(history.parameter_names) == workspace.net.n_parameters
    names = workspace.net.parameter_names()
    params = workspace.net.get_parameters()
    assert params[names.index("W1[0,0]")] == kept["W1[0,0]"]
    new = names.index("W1[0,2]")
    assert np.isnan(history.params[:-1, new]).all()  # the new weight's curve starts at the edit,
    assert history.params[-1, new] == params[new]  # with its value then
    workspace.resume()  # the run was ended for the edit: the rest starts from here
    assert workspace.run_state == "training" and runner.job.history.last_epoch == 8
    assert runner.job.config.epochs == 25 - 8
    runner.complete()
    assert workspace.history.last_epoch == 25


def test_a_paused_run_saves_one_consistent_epoch_and_stays_paused(tmp_path):
    workspace, runner = in_state("paused")
    project = workspace.project()
    assert workspace.run_state == "paused"
    history = project.history
    weights = project.weights if history is None else history.params[-1] if len(history) else history.initial_params
    assert np.array_equal(project.weights, weights)
    save_project(project, tmp_path / "p.mlpd")
    assert load_project(tmp_path / "p.mlpd").graph == workspace.graph.to_dict()


def test_saving_a_running_run_asks_for_a_pause_first():
    workspace, _ = in_state("training")
    assert workspace.save_needs_pause and not workspace.can_save
    workspace.pause()
    assert workspace.can_save and not workspace.save_needs_pause


def test_unsaved_changes_are_reported_not_asked():
    workspace, runner = make_workspace()
    workspace.saved("x.mlpd")
    assert workspace.unsaved_changes() is None
    workspace.train()
    assert "Training" in workspace.unsaved_changes()
    runner.complete()
    assert "not saved" in workspace.unsaved_changes()


def test_a_table_without_a_file_is_embedded_in_the_project():
    import pandas as pd

    workspace, _ = make_workspace()
    workspace.open_table(table_from_frame(pd.DataFrame({"x": [0.0, 1.0, 2.0], "output": [1.0, 0.0, 1.0]})))
    assert workspace.project().embedded_data is not None


# -- what a review found: the pause's history arrives later, seeds, stale results ------------------

class DelayedRunner(ManualRunner):
    """Like the app's process: the history as of a pause arrives only when the test delivers it."""

    def pause(self):
        self.calls.append("pause")

    def deliver_pause(self, epochs: int = 3):
        job = self.job
        run_job(dataclasses.replace(job, config=dataclasses.replace(job.config, epochs=epochs)), None)
        self.workspace.run_paused(copy.deepcopy(job.history), job.run_id)


def delayed_workspace():
    return make_workspace(DelayedRunner)


def test_an_edit_made_before_the_pause_arrives_waits_for_it():
    workspace, runner = delayed_workspace()
    workspace.train()
    workspace.pause()
    workspace.graph.add_neuron(1)  # the history of the pause is still on its way
    assert workspace.run_state == "paused"
    runner.deliver_pause(epochs=4)
    assert workspace.history.last_epoch == 4 and workspace.net.layer_sizes == (3, 3, 1)
    assert len(workspace.history.parameter_names) == workspace.net.n_parameters
    assert workspace.has_trained_weights


def test_a_settings_change_before_the_pause_arrives_keeps_the_run():
    workspace, runner = delayed_workspace()
    workspace.train()
    workspace.pause()
    workspace.set_settings(learning_rate=0.2, epochs=30)
    runner.deliver_pause(epochs=5)
    assert workspace.history.last_epoch == 5
    workspace.resume()
    assert runner.job.config.learning_rate == 0.2 and runner.job.config.epochs == 30 - 5  # the new epochs count


def test_an_old_pause_history_is_not_taken_for_a_new_pause():
    workspace, runner = delayed_workspace()
    workspace.train()
    workspace.pause()
    runner.deliver_pause(epochs=2)
    workspace.resume()
    workspace.pause()
    assert not workspace.can_save  # the history of this pause has not arrived
    runner.deliver_pause(epochs=3)
    assert workspace.can_save and workspace.snapshot()[1].last_epoch == 5


def test_a_stale_result_or_report_is_ignored():
    workspace, runner = delayed_workspace()
    workspace.train()
    old = runner.job
    events = []
    workspace.subscribe(lambda event: events.append(event.kind))
    workspace.pause()
    runner.deliver_pause(epochs=2)
    workspace.graph.add_neuron(1)  # ends the run in the runner
    workspace.resume()
    workspace.run_progress(object(), old.run_id)  # the ended run's last report
    params, history = run_job(old, None)
    workspace.run_finished(params, history, old.run_id)
    assert "progress" not in events and workspace.run_state == "training"


def test_the_seed_changes_only_with_fresh_weights_and_reproduces_the_run():
    workspace, runner = delayed_workspace()
    workspace.set_settings(seed=None)
    workspace.train()
    seed, start = workspace.seed, runner.job.params
    runner.complete()
    split = workspace.session.train_rows.copy()
    workspace.train()  # a continued history keeps its seed, split and scaling
    assert workspace.seed == seed and np.array_equal(workspace.session.train_rows, split)
    runner.complete()
    trained = workspace.net.get_parameters()
    workspace.set_settings(seed=1234)  # on trained weights: applies at Reset weights
    assert workspace.run_state == "finished" and np.array_equal(workspace.net.get_parameters(), trained)
    again, again_runner = delayed_workspace()
    again.set_settings(seed=seed)
    again.train()
    np.testing.assert_array_equal(again_runner.job.params, start)  # the seed shown repeats the run


def test_unsaved_while_running_even_after_a_save(tmp_path):
    workspace, runner = delayed_workspace()
    workspace.train()
    workspace.pause()
    runner.deliver_pause()
    save_project(workspace.project(), tmp_path / "p.mlpd")
    workspace.saved(tmp_path / "p.mlpd")
    workspace.resume()
    assert workspace.unsaved_changes() is not None


def test_every_session_has_its_own_data_key():
    first, second = make_workspace()[0], make_workspace()[0]
    assert first.session.make_job().data_key != second.session.make_job().data_key


def test_a_failed_run_redraws_the_views():
    workspace, runner = delayed_workspace()
    workspace.train()
    events = []
    workspace.subscribe(lambda event: events.append(event.kind))
    workspace.run_failed("boom", "", runner.job.run_id)
    assert {"weights", "history", "failed"} <= set(events) and workspace.run_state == "idle"


def test_a_network_the_data_cannot_use_is_saved_without_stale_weights(tmp_path):
    workspace, runner = in_state("finished")
    workspace.graph.set_activation(len(workspace.graph.layers) - 1, "softmax")  # no softmax for a number
    workspace.graph.add_neuron(1)  # the session cannot follow: it still holds the 3-2-1 weights
    assert workspace.problem and workspace.net.layer_sizes == (3, 2, 1)
    project = workspace.project()
    assert project.weights is None and project.history is None
    save_project(project, tmp_path / "p.mlpd")
    assert load_project(tmp_path / "p.mlpd").graph == workspace.graph.to_dict()


# -- issue 14: every learning setting reaches training ---------------------------------------------
def test_the_new_learning_settings_reach_the_run_and_test_rows_are_held_out():
    workspace, runner = make_workspace()
    messages = []
    workspace.subscribe(lambda event: messages.append(event.detail) if event.kind == "message" else None)
    workspace.open_table(sample("iris"), SAMPLE_SETUPS["iris"])
    workspace.set_data_settings(validation_fraction=0.2)
    workspace.set_settings(optimizer="adam", learning_rate=0.01, epochs=30, l2=0.001, early_stopping_patience=50,
                           min_delta=0.0, lr_schedule="exponential", test_fraction=0.2, class_weight="balanced",
                           seed=3)
    workspace.train()
    config = runner.job.config
    assert (config.optimizer, config.l2, config.early_stopping_patience, config.lr_schedule, config.class_weight) == (
        "adam", 0.001, 50, "exponential", "balanced")
    assert (config.validation_fraction, config.test_fraction) == (0.0, 0.0)  # the session split the rows
    assert (workspace.session.n_train, workspace.session.n_validation, workspace.session.n_test) == (90, 30, 30)
    runner.complete()
    history = workspace.history
    assert np.isfinite(history.test_rmse) and history.learning_rates[-1] == pytest.approx(0.01 * 0.99**29)
    assert "Test RMSE" in messages[-1] and "30 rows" in messages[-1]


def test_an_edit_keeps_the_history_s_learning_rates_and_best_epoch():
    workspace, runner = in_state("finished")
    history = workspace.history
    history.best_epoch, history.best_val_rmse = 7, 0.5
    rates, grads = history.learning_rates.copy(), history.grad_rms.copy()
    workspace.graph.add_neuron(1)
    edited = workspace.history
    assert edited is not history and np.array_equal(edited.learning_rates, rates, equal_nan=True)
    assert np.array_equal(edited.grad_rms, grads, equal_nan=True)  # same layers: the Gradients curves stay
    assert (edited.best_epoch, edited.best_val_rmse, edited.stop_reason) == (7, 0.5, history.stop_reason)


def test_a_paused_run_s_weights_are_announced_when_its_history_arrives():
    workspace, runner = delayed_workspace()
    before = workspace.net.get_parameters()
    events = []
    workspace.subscribe(lambda event: events.append(event.kind))
    workspace.train()
    assert workspace.run_params is None  # training: its updates carry the weights
    workspace.pause()
    assert workspace.run_params is None  # the history of the pause is on its way
    events.clear()
    runner.deliver_pause(epochs=4)
    assert events == ["run"]
    paused = workspace.run_params
    np.testing.assert_array_equal(paused, runner.job.history.params[-1])  # its last epoch
    assert not np.array_equal(paused, before)
    np.testing.assert_array_equal(workspace.net.get_parameters(), before)  # the network keeps the run's start
    workspace.resume()
    assert workspace.run_params is None


def test_undoing_an_edit_brings_the_trained_weights_of_what_it_removed_back():
    """A new user removed a trained neuron, added two, typed five and undid it all: the network
    came back with fresh weights where the removed neuron's had been (training RMSE 0.07 -> 6.4)."""
    workspace, runner = make_workspace()
    workspace.train()
    runner.complete()
    trained, rmse = workspace.net.get_parameters(), workspace.model().metrics["train"]["rmse"]
    index, neuron_id = workspace.graph.remove_neuron(1, 0)  # the first hidden neuron, trained
    workspace.graph.add_neuron(1)
    workspace.graph.set_size(1, 5)
    assert workspace.net.layer_sizes == (3, 5, 1)
    workspace.graph.set_size(1, 1)  # undoing, step by step, as the undo stack does
    workspace.graph.insert_neuron(1, index, neuron_id)
    assert workspace.net.layer_sizes == (3, 2, 1)
    np.testing.assert_array_equal(workspace.net.get_parameters(), trained)
    assert workspace.model().metrics["train"]["rmse"] == pytest.approx(rmse)
    workspace.reset_weights()  # fresh weights: nothing is brought back any more
    workspace.graph.remove_neuron(1, 0)
    workspace.graph.insert_neuron(1, index, neuron_id)
    assert not np.array_equal(workspace.net.get_parameters(), trained)
    workspace.train()
    runner.complete()
    said = []
    workspace.subscribe(lambda event: said.append(event.detail) if event.kind == "message" else None)
    workspace.graph.add_neuron(1)
    assert "fresh weights: W1[0,2]" in said[-1]
    workspace.graph.remove_neuron(1)
    assert said[-1] == "Kept the trained weights of every connection."



def test_weights_an_edit_removed_come_back_fresh_once_the_network_trained_on():
    """Paused, a layer added (its connections' weights remembered), trained on, the layer removed:
    the old weights came back beside weights trained without them (RMSE 1e-13 -> 3.95), and the
    message said every trained weight was kept."""
    workspace, runner = make_workspace()
    workspace.train()
    runner.complete()
    trained = dict(zip(workspace.net.parameter_names(), workspace.net.get_parameters()))
    workspace.graph.insert_layer(2, 2)  # W2 now leads to the new layer: the old W2 is remembered
    workspace.train()  # trained on with the new layer
    runner.complete()
    said = []
    workspace.subscribe(lambda event: said.append(event.detail) if event.kind == "message" else None)
    workspace.graph.remove_layer(2)
    now = dict(zip(workspace.net.parameter_names(), workspace.net.get_parameters()))
    assert all(now[name] != trained[name] for name in now if name.startswith(("W2", "b2")))
    assert "fresh weights: W2[0,0]" in said[-1]


def test_a_weight_an_edit_adds_to_a_trained_network_starts_its_history_at_the_edit():
    workspace, runner = make_workspace()
    workspace.train()
    runner.complete()
    workspace.graph.add_neuron(1)
    history, names = workspace.history, workspace.net.parameter_names()
    new = names.index("W1[0,2]")
    assert np.isnan(history.params[:-1, new]).all()  # nothing before the edit
    assert history.params[-1, new] == workspace.net.get_parameters()[new]  # its value at the edit
    np.testing.assert_array_equal(history.last_params, workspace.net.get_parameters())


def test_a_history_remapped_by_an_edit_keeps_its_rows_when_training_continues():
    """An edit while paused rebuilt the history row by row, each row counted as one epoch: the
    next run's thinning then left epochs 0 to 830,000 as five rows."""
    from mlp_desktop.core.graph import NetworkGraph
    from mlp_desktop.core.parameters import parameter_names
    from mlp_desktop.core.history import History
    from mlp_desktop.core.workspace import remap_history

    graph = NetworkGraph(["x1", "x2"], ["y"], [(1, "tanh")], "identity")
    old_state, old_names = graph.to_dict(), parameter_names(graph.layer_sizes)
    graph.add_neuron(1)  # the edit: a second hidden neuron
    new_names = parameter_names(graph.layer_sizes)
    history = History(old_names)
    epochs = np.arange(1, 200_001)
    history.extend(epochs, (np.ones((epochs.size, 2)), np.ones((epochs.size, len(old_names)))),
                   np.full(epochs.size, 0.1))
    remapped = remap_history(history, old_state, graph.to_dict(), new_names)
    assert np.array_equal(remapped.epochs, history.epochs)
    more = np.arange(200_001, 800_001)
    remapped.extend(more, (np.ones((more.size, 2)), np.ones((more.size, len(new_names)))), np.full(more.size, 0.1))
    old = remapped.epochs[remapped.epochs <= 200_000]
    assert np.diff(np.concatenate([[0], old])).max() <= 2 * remapped.stride
    assert old.size >= 0.2 * len(remapped)


# -- continuing after an early stop: the history goes back to the weights the network holds --------
def early_stopped_workspace() -> tuple[Workspace, list[str]]:
    """The health-score sample trained until early stopping put back the best epoch's weights."""
    workspace = Workspace()
    said: list[str] = []
    workspace.subscribe(lambda event: said.append(event.detail) if event.kind == "message" else None)
    workspace.open_table(sample("health_score"), SAMPLE_SETUPS["health_score"])
    workspace.set_data_settings(validation_fraction=0.3)
    workspace.set_settings(epochs=400, early_stopping_patience=20, seed=3, optimizer="adam", learning_rate=0.05)
    workspace.train()
    history = workspace.history
    assert history.stop_reason == "early_stopped" and 0 < history.best_epoch < history.last_epoch
    return workspace, said


def test_continuing_after_an_early_stop_drops_the_epochs_after_the_best_one():
    workspace, said = early_stopped_workspace()
    before = workspace.history
    best, stopped = before.best_epoch, before.last_epoch
    weights = workspace.net.get_parameters()
    np.testing.assert_array_equal(before.params[before.epochs == best][0], weights)  # the best epoch's weights
    workspace.set_settings(epochs=5, early_stopping_patience=None)
    workspace.train()
    history = workspace.history
    # counted on from the best epoch, one row per epoch: rows best+1..stopped of the first run are gone
    assert history.last_epoch == best + 5
    np.testing.assert_array_equal(history.epochs, np.arange(1, best + 6))
    np.testing.assert_array_equal(history.train_rmse[:best], before.train_rmse[:best])
    np.testing.assert_array_equal(history.params[best - 1], weights)
    assert f"Continuing from epoch {best}'s weights (the best); epochs {best + 1}-{stopped} were dropped " \
           "from the history." in said
    # said again when the run ends (a short run's end replaces the first at once)
    assert said[-1].startswith(f"Finished at epoch {best + 5}") and said[-1].endswith(
        f" Continued from epoch {best}'s weights (the best); epochs {best + 1}-{stopped} were dropped from the history.")


def test_the_note_about_dropped_epochs_is_said_while_the_run_goes_on():
    """The window clears older messages when a run starts: the note comes after the "training" state."""
    workspace, _ = early_stopped_workspace()
    events = []
    workspace.subscribe(lambda event: events.append((event.kind, event.detail, workspace.run_state)))
    workspace.train()
    kinds = [kind for kind, _, _ in events]
    note = next(i for i, (kind, detail, _) in enumerate(events) if kind == "message" and "Continuing" in detail)
    assert events[note][2] == "training" and kinds.index("history") < note


def test_without_an_early_stop_nothing_is_dropped():
    workspace, runner = make_workspace()
    workspace.train()
    runner.complete()
    said = []
    workspace.subscribe(lambda event: said.append(event.detail) if event.kind == "message" else None)
    workspace.train()
    runner.complete()
    assert workspace.history.last_epoch == 40 and not any("dropped" in text for text in said)


def test_continuing_after_an_early_stop_is_the_same_after_saving_and_reopening(tmp_path):
    first, _ = early_stopped_workspace()
    save_project(first.project(), tmp_path / "stopped.mlpproj")
    reopened = Workspace()
    project = load_project(tmp_path / "stopped.mlpproj")
    reopened.open_project(project, sample("health_score"), tmp_path / "stopped.mlpproj")
    assert reopened.history.epochs_past_weights() == first.history.epochs_past_weights()
    for workspace in (first, reopened):
        workspace.set_settings(epochs=30)
        workspace.train()
    np.testing.assert_array_equal(reopened.net.get_parameters(), first.net.get_parameters())
    np.testing.assert_array_equal(reopened.history.epochs, first.history.epochs)
    np.testing.assert_array_equal(reopened.history.params, first.history.params)
    np.testing.assert_array_equal(reopened.history.train_rmse, first.history.train_rmse)


def test_the_same_seed_continues_an_early_stop_the_same_way():
    runs = []
    for _ in range(2):
        workspace, _ = early_stopped_workspace()
        workspace.train()
        runs.append(workspace)
    np.testing.assert_array_equal(runs[0].net.get_parameters(), runs[1].net.get_parameters())
    np.testing.assert_array_equal(runs[0].history.epochs, runs[1].history.epochs)
    np.testing.assert_array_equal(runs[0].history.val_rmse, runs[1].history.val_rmse)
