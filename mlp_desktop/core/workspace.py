"""The workspace: the one owner of the user's current work and of every rule that changes it.

It holds the table and how its columns are used, the network graph, the settings, the current
weights, the run and its history, and decides what each user action does to them. Views never keep
a copy of these facts: they subscribe (:meth:`Workspace.subscribe`) and re-read the workspace when
told. The workspace reports and never asks: :meth:`Workspace.unsaved_changes` says what an action
would discard, and the GUI (or the CLI) asks the user. Nothing here imports Qt.

Run states (:attr:`Workspace.run_state`)
----------------------------------------
``idle``      fresh weights, nothing trained yet
``trained``   trained weights that no run of this session produced (a project, a step, an edit)
``training``  a run is going on
``paused``    a run is paused (it may have been ended for an edit: Resume starts the rest)
``finished``  the last run ended (all epochs, the target RMSE, or Stop)
``diverged``  the last run diverged; its last good weights are kept

A run is carried out by a *runner* (plain callables, see :class:`Runner`): in the app a training
process relayed by a thread, on the command line and in tests :class:`InlineRunner`. The runner
reports back through :meth:`Workspace.run_progress`, :meth:`Workspace.run_paused`,
:meth:`Workspace.run_finished` and :meth:`Workspace.run_failed`.

Events (``WorkspaceEvent.kind``)
--------------------------------
``data``             the table, the roles or a data setting changed (``dataset``, ``data_problem``)
``settings``         the workspace changed learning or initialisation settings (panels re-read them)
``network``          the network's layers or parameter list changed
``network_replaced`` another network was loaded: its edit history starts afresh; views fit it
``weights``          the current weights changed (step texts are stale; views redraw)
``history``          the history was replaced or reset: plots redraw it whole
``progress``         a live update from the run (``detail`` is the update)
``run``              the run state changed
``dirty``            whether there are unsaved changes changed
``message``          a status message about the current state (``detail``: the text)
``failed``           a run failed (``detail``: ``(message, technical details)``)
"""

from __future__ import annotations

import random
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Protocol

import numpy as np

from . import settings as settings_schema
from .data import Table, default_roles, prepare_dataset
from .errors import DataError
from .graph import NetworkGraph
from .history import History
from .parameters import parameter_count, parameter_keys
from .project import Project
from .session import TrainingSession
from .training import TrainConfig
from .training_process import TrainingJob, run_job

RUN_STATES = ("idle", "trained", "training", "paused", "finished", "diverged")
HAS_RESULTS = ("trained", "training", "paused", "finished", "diverged")
DEFAULT_HIDDEN = ((2, "sigmoid"),)
MAX_SEED = settings_schema.LARGEST_WHOLE


@dataclass(frozen=True)
class WorkspaceEvent:
    kind: str
    detail: Any = None


class Runner(Protocol):
    """What carries out a run for the workspace (a training process, a thread, or inline)."""

    def start(self, job: TrainingJob) -> None: ...
    def pause(self) -> None: ...
    def resume(self) -> None: ...
    def stop(self) -> None: ...


class InlineRunner:
    """Runs each job to its end inside :meth:`start` (the command line, scripts, tests)."""

    def __init__(self, workspace: "Workspace | None" = None):
        self.workspace = workspace

    def start(self, job: TrainingJob) -> None:
        workspace = self.workspace
        params, history = run_job(job, workspace.run_progress)
        workspace.run_finished(params, history)

    def pause(self) -> None:
        pass

    def resume(self) -> None:
        pass

    def stop(self) -> None:
        pass


def data_defaults(table: Table | None) -> dict:
    """How a newly opened table is used: default roles, and every data setting at its default."""
    data = {**settings_schema.defaults("data"), "inputs": [], "targets": [], "sheet": None}
    if table is not None:
        roles = default_roles(table)
        data.update(inputs=list(roles.inputs), targets=list(roles.targets), sheet=table.sheet)
    return data


class Workspace:
    """The user's current work: data, network, settings, weights, run and history."""

    def __init__(self, runner: Runner | None = None):
        self.runner: Runner = runner or InlineRunner(self)
        if isinstance(self.runner, InlineRunner) and self.runner.workspace is None:
            self.runner.workspace = self
        self._listeners: list[Callable[[WorkspaceEvent], None]] = []
        self._held_events: list[WorkspaceEvent] | None = None  # see _events_once
        self.graph = NetworkGraph(hidden=DEFAULT_HIDDEN)
        self.graph.subscribe(self._on_graph_event, last=True)
        self._changing_graph = False
        self.table: Table | None = None
        self.data: dict = data_defaults(None)
        self.dataset = None
        self.data_problem = ""
        self.settings: dict = settings_schema.defaults("learning") | settings_schema.defaults("init")
        self.session = TrainingSession()
        self.problem = "Open a dataset first (File > Open, or a sample from File > Open sample)."
        self.run_state = "idle"
        self.project_path: Path | None = None
        self.embedded_data = None  # a table kept inside the project (no file on disk)
        self.view: dict = {}
        self._dirty = False
        self._seed = _fresh_seed()  # the seed in use when none is set (see seed)
        self._pending: set[str] = set()  # changes made while a paused run's history was on its way
        self._run_start_epoch = 0
        self._dropped: tuple[int, int] | None = None  # epochs the run going on cut from the history first
        self._generation = 0  # runs whose results are still wanted have this number
        self._live = False  # a run is going on in the runner (maybe paused)
        self._paused_history: History | None = None  # the history at the pause, for saving and editing
        self._weights_trained = False  # the weights came from training (or a step, or a file)

    # -- events --------------------------------------------------------------------------------
    def subscribe(self, listener: Callable[[WorkspaceEvent], None]) -> None:
        self._listeners.append(listener)

    def unsubscribe(self, listener: Callable[[WorkspaceEvent], None]) -> None:
        if listener in self._listeners:
            self._listeners.remove(listener)

    def _emit(self, kind: str, detail: Any = None) -> None:
        event = WorkspaceEvent(kind, detail)
        if self._held_events is not None:
            self._held_events.append(event)
            return
        for listener in list(self._listeners):
            listener(event)

    @contextmanager
    def _events_once(self):
        """Hold the events of one whole change and then send each kind once (events with a detail,
        such as messages, all of them), in the order each kind first came.

        Views re-read the workspace on every event, so one of each is enough, read when the change
        is complete: opening a project announced the weights and the history twice (the fresh ones,
        then the project's), and the views redrew 50,000 weight curves and rebuilt the prediction
        form once more each time.
        """
        if self._held_events is not None:
            yield
            return
        self._held_events = []
        try:
            yield
        finally:
            held, self._held_events = self._held_events, None
            sent = set()
            for event in held:
                if event.detail is None:
                    if event.kind in sent:
                        continue
                    sent.add(event.kind)
                for listener in list(self._listeners):
                    listener(event)

    def _say(self, text: str) -> None:
        self._emit("message", text)

    # -- reading -------------------------------------------------------------------------------
    @property
    def is_running(self) -> bool:
        return self.run_state in ("training", "paused")

    @property
    def has_results(self) -> bool:
        return self.run_state in HAS_RESULTS

    @property
    def can_train(self) -> bool:
        return not self.problem and self.run_state != "training"

    @property
    def is_dirty(self) -> bool:
        return self._dirty

    @property
    def seed(self) -> int:
        """The seed in use: the chosen one, or the one drawn when the weights last started afresh.

        It only changes together with fresh weights, so a continued history keeps its split, its
        scaling and its row order, and the seed shown reproduces the run."""
        return self.settings["seed"] if self.settings["seed"] is not None else self._seed

    @property
    def history(self) -> History | None:
        return self.session.history

    @property
    def net(self):
        return self.session.net

    def unsaved_changes(self) -> str | None:
        """What opening other work now would discard, in words; ``None`` when nothing would be lost."""
        if self.is_running:
            return "Training is under way; its results are not saved."
        if not self._dirty:
            return None
        if self.has_results:
            return "The trained network and its results are not saved."
        return "The changes to this project are not saved."

    def title_names(self) -> list[str]:
        """The project's and the data's file names, for a window title."""
        names = [self.project_path.name] if self.project_path is not None else []
        if self.table is not None and self.table.path.is_file():
            names.append(self.table.path.name)
        return names

    # -- data ----------------------------------------------------------------------------------
    def open_table(self, table: Table, setup: dict | None = None) -> None:
        """Use a newly read table (a file or a sample); ``setup`` is a sample's network and settings.

        The per-dataset settings (roles, task, scaling, validation share, output activation) are
        reset to suit it; the learning settings stay; input and output layers follow the data and
        the hidden layers stay (or take the sample's). Trained weights of connections the data still
        has are kept; the message names the ones that start afresh.
        """
        with self._events_once():
            self._open_table(table, setup)

    def _open_table(self, table: Table, setup: dict | None) -> None:
        self._end_run_for_new_work()
        setup = setup or {}
        self.table = table
        self.embedded_data = None
        self.data = data_defaults(table)
        for name in ("input_scaling", "validation_fraction"):
            if name in setup:
                self.data[name] = settings_schema.SETTINGS[name].check(setup[name])
        if setup.get("parameters"):
            self.settings.update(settings_schema.check(setup["parameters"]))
            self._emit("settings")
        self._changing_graph = True
        try:
            if "hidden_layers" in setup:
                hidden = zip(setup["hidden_layers"], setup["activations"])
                self.graph.restore(NetworkGraph(hidden=hidden, output_activation=setup["output_activation"]).to_dict())
                self._emit("network_replaced")
            elif self.graph.output_layer.activation != "auto":
                self.graph.restore({**self.graph.to_dict(), "layers": [
                    {**layer, "activation": "auto"} if layer["kind"] == "output" else layer
                    for layer in self.graph.to_dict()["layers"]]})
        finally:
            self._changing_graph = False
        if "hidden_layers" in setup:
            self._forget_weights()
        self._prepare_dataset()
        self._rebuild(new_data=True)
        self._emit("history")  # plots start afresh for new data
        self._set_state("trained" if self._weights_trained and self.session.net is not None else "idle")
        self._set_dirty(True)

    def set_data_settings(self, **values) -> None:
        """The user changed roles (``inputs``, ``targets``), ``task``, ``drop_missing``,
        ``input_scaling`` or ``validation_fraction``."""
        if self.run_state == "training":
            raise DataError("Pause or stop training before changing how the data is used.")
        changed = False
        for name, value in values.items():
            if name in ("inputs", "targets"):
                value = list(value)
            elif name in settings_schema.SETTINGS:
                value = settings_schema.SETTINGS[name].check(value)
            else:
                raise DataError(f"Unknown data setting {name!r}.")
            if self.data.get(name) != value:
                self.data[name] = value
                changed = True
        if not changed:
            return
        if self.waiting_for_pause:
            self._pending.add("data")
            self._set_dirty(True)
            return
        self._end_paused_run()
        if {"inputs", "targets", "task", "drop_missing"} & set(values):
            self._prepare_dataset()
        self._rebuild(new_data=True)
        self._set_dirty(True)

    def _prepare_dataset(self) -> None:
        self.dataset, self.data_problem = None, ""
        if self.table is None:
            self.data_problem = "Open a dataset first (File > Open, or a sample from File > Open sample)."
            return
        try:
            self.dataset = prepare_dataset(self.table, self.data["inputs"], self.data["targets"], self.data["task"],
                                           self.data["drop_missing"])
        except DataError as error:
            self.data_problem = str(error)

    def split_counts(self) -> tuple[int, int, int]:
        """Training, validation and test rows, as the next run splits them; DataError if they cannot be."""
        from .preprocessing import split_rows_three

        dataset = self.dataset
        if dataset is None:
            return 0, 0, 0
        rows = split_rows_three(dataset.n_rows, self.data["validation_fraction"],
                                self.settings.get("test_fraction", 0.0), self.seed, dataset.class_labels)
        return tuple(len(part) for part in rows)

    def detected_task(self) -> str:
        """What Auto picks: ``"classification: 3 classes"``, ``"regression"``, or ``""``."""
        dataset = self.dataset
        if dataset is None and self.table is not None and self.data["task"] != "auto":
            try:
                dataset = prepare_dataset(self.table, self.data["inputs"], self.data["targets"], "auto",
                                          self.data["drop_missing"])
            except DataError:
                return ""
        if dataset is None:
            return ""
        if dataset.detected_task == "classification" and dataset.task == "classification":
            return f"classification: {len(dataset.classes)} classes"
        return dataset.detected_task

    # -- settings ------------------------------------------------------------------------------
    def set_settings(self, **values) -> None:
        """The user changed learning or initialisation settings (checked against the schema).

        Initialisation settings apply at once to an untrained network; on a trained one they wait
        for :meth:`reset_weights` (the message says so).
        """
        checked = settings_schema.check(values)
        changed = {name: value for name, value in checked.items() if self.settings.get(name) != value}
        if not changed:
            return
        if self.run_state == "training":
            raise DataError("Pause or stop training before changing the settings.")
        if "seed" in changed and changed["seed"] is None and self.settings["seed"] is not None:
            self._seed = self.settings["seed"]  # "Random seed" ticked: the seed in use stays until fresh weights
        self.settings.update(changed)
        self._set_dirty(True)
        if "test_fraction" in changed:
            self._emit("data")  # the rows held out change: the data views count them again
        if self.waiting_for_pause:
            self._pending.add("settings")  # applied when the paused run's history arrives
            return
        if self.run_state == "paused" and self._live:
            self._take_paused_run()  # Resume then runs the rest of the epochs with the new settings
        # The seed draws the starting weights too: an untrained network shows the new ones at once;
        # trained weights (and the split of their history) keep theirs until Reset weights.
        starts_afresh = any(settings_schema.SETTINGS[name].scope == "init" or name == "seed" for name in changed)
        if "loss" in changed or ("seed" in changed and not self.has_trained_weights):
            self._rebuild()
        if starts_afresh:
            if self.has_trained_weights or self.is_running:
                self._say("The new initialisation and seed apply when you press Reset weights; the trained weights "
                          "stay until then.")
            elif self._sync():
                self._fresh_weights()

    @property
    def has_trained_weights(self) -> bool:
        return self._weights_trained

    @property
    def run_params(self) -> np.ndarray | None:
        """The weights of a paused run's last epoch, once its history as of the pause arrived; else
        ``None``: the network's own weights are the current ones (a run in progress reports its
        weights with each update, and a pause's arrive with its history: :attr:`waiting_for_pause`)."""
        if self.run_state == "paused" and self._live and self._paused_history is not None:
            return _last_params(self._paused_history, self.session.net.get_parameters())
        return None

    @property
    def waiting_for_pause(self) -> bool:
        """Paused, but the run's history as of the pause has not arrived yet (a "run" event says
        when it has)."""
        return self.run_state == "paused" and self._live and self._paused_history is None

    def init_note(self) -> str:
        """Shown beside the initialisation settings: when a change takes effect."""
        if self._weights_trained or self.is_running:
            return "These apply at Reset weights (Ctrl+R); the trained weights stay until then."
        return "Changes apply to the starting weights at once."

    # -- the network ---------------------------------------------------------------------------
    def _on_graph_event(self, event) -> None:
        if self._changing_graph:
            return
        self.network_edited()

    def network_edited(self) -> None:
        """The user edited the network (the graph already shows the edit).

        Untouched connections keep their trained weights, new ones start from the chosen
        initialisation, and the history is kept (a new parameter's curve starts at the edit). While
        paused, the run stays paused and Resume continues the epoch count.
        """
        if self.run_state == "training":
            self.pause()
        if self.waiting_for_pause:
            self._pending.add("network")  # applied when the paused run's history arrives
            self._set_dirty(True)
            return
        if self.run_state == "paused" and self._live:
            self._take_paused_run()
        before, old_state = self.session.history, self.session.net_graph_state
        self._rebuild()
        session = self.session
        if session.net is None:
            return
        if self._weights_trained and before is not None and before.last_epoch and session.history is not before:
            session.history = remap_history(before, old_state, self.graph.to_dict(), session.net.parameter_names(),
                                            session.net.get_parameters())
            self._emit("history")
        self._set_dirty(True)
        names = session.reset_parameter_names
        if self._weights_trained and names:
            shown = ", ".join(names[:8]) + (f" and {len(names) - 8} more" if len(names) > 8 else "")
            self._say(f"Kept the trained weights of unchanged connections; fresh weights: {shown}.")
        elif self._weights_trained:  # (the last edit's "fresh weights: ..." must not stay up, naming weights now gone)
            self._say("Kept the trained weights of every connection.")

    def replace_graph(self, state: dict) -> None:
        """Use another network (from :meth:`NetworkGraph.to_dict`): fresh weights, an empty history."""
        if self.run_state == "training":
            raise DataError("Stop training before replacing the network.")
        self._end_run_for_new_work()
        self._restore_graph(state)
        self._forget_weights()
        self._rebuild()
        self._emit("history")
        self._set_dirty(True)

    def _restore_graph(self, state: dict) -> None:
        self._changing_graph = True
        try:
            self.graph.restore(state)
        finally:
            self._changing_graph = False
        self._emit("network_replaced")

    # -- building the session ------------------------------------------------------------------
    def _spec(self):
        s = self.settings
        return self.graph.to_spec(loss=s["loss"], init=s["init"], init_range=tuple(s["init_range"]),
                                  init_std=s["init_std"], bias_init=s["bias_init"])

    def _config(self) -> TrainConfig:
        # every learning setting reaches training; the seed is the run's, the split the data's
        return TrainConfig.from_settings(self.settings, seed=self.seed,
                                         validation_fraction=self.data["validation_fraction"])

    def _sync(self) -> bool:
        """Bring the session up to date with the data, network and settings; False with ``problem`` set."""
        session = self.session
        if self.dataset is None:
            self.problem = self.data_problem or "Open a dataset first."
            return False
        try:
            if session.dataset is not self.dataset:
                session.set_dataset(self.dataset)
            session.set_input_scaling(self.data["input_scaling"])
            session.set_config(self._config())
            session.set_spec(self._spec(), session.graph_state)
            session.prepare_data()
            pre = session.preprocessor
            if (self.graph.input_layer.neuron_ids, self.graph.output_layer.neuron_ids) != (
                    pre.encoded_inputs, pre.output_names):
                self._changing_graph = True
                try:
                    self.graph.set_io(pre.encoded_inputs, pre.output_names)  # the layers follow the data
                finally:
                    self._changing_graph = False
            session.set_spec(self._spec(), self.graph.to_dict())
            session.prepare_net(keep_weights=self._weights_trained)
        except DataError as error:
            self.problem = str(error)
            return False
        self.problem = ""
        return True

    def _rebuild(self, new_data: bool = False) -> None:
        """After any change: sync, and tell the views what changed."""
        net_before, history_before = self.session.net, self.session.history
        names_before = net_before.parameter_names() if net_before is not None else None
        ok = self._sync()
        if new_data:
            self._emit("data")
        if not ok:
            self._emit("network")
            self._emit("run")
            return
        session = self.session
        net_changed = session.net is not net_before
        if net_changed and not self._weights_trained:
            pass  # fresh weights from the seed: nothing to report
        elif net_changed and new_data and session.reset_parameter_names and self._weights_trained:
            names = session.reset_parameter_names
            shown = ", ".join(names[:8]) + (f" and {len(names) - 8} more" if len(names) > 8 else "")
            self._say(f"The network follows the new data; kept the trained weights of connections it still has. "
                      f"Fresh weights: {shown}.")
        if net_changed or names_before != session.net.parameter_names():
            self._emit("network")
        if net_changed:
            self._emit("weights")
        if session.history is not history_before:
            self._emit("history")
        self._emit("run")

    def _forget_weights(self) -> None:
        self.session = TrainingSession()
        self._weights_trained = False
        if self.run_state != "idle":
            self._set_state("idle")

    def _fresh_weights(self) -> None:
        """Weights drawn anew from the initialisation settings and the seed; an empty history."""
        self.session.reset_weights()
        self._weights_trained = False
        self._emit("network")
        self._emit("weights")
        self._emit("history")
        self._set_state("idle")

    # -- training ------------------------------------------------------------------------------
    def train(self, epochs: int | None = None) -> None:
        """Train the configured number of epochs (or ``epochs``) from the current weights, continuing
        the history. While paused, this resumes."""
        if self.run_state == "paused":
            self.resume()
            return
        if self.run_state == "training":
            return
        if self.settings["seed"] is None and not self.has_trained_weights and self.session.net is not None:
            # A new run from fresh weights gets a new seed, and its starting weights are drawn from it,
            # so the seed shown reproduces the run. A continued history keeps its seed.
            self._seed = _fresh_seed()
            self._say(f"This run's seed: {self._seed}.")
            if self._sync():
                self._fresh_weights()
        if not self._sync():
            raise DataError(self.problem)
        dropped = self.session.continue_from_weights()
        if dropped is not None:
            self._emit("history")  # the plots drop the epochs after the best one
        self._run_start_epoch = self.session.history.last_epoch
        self._start(self.settings["epochs"] if epochs is None else int(epochs), dropped)

    def _start(self, epochs: int, dropped: tuple[int, int] | None = None) -> None:
        """Start a run of ``epochs``; with ``dropped`` (the epochs cut from the history first) it says
        so once the run goes on (the window clears older messages when a run starts), and again
        when it ends (a short run's end soon replaces the first)."""
        self._dropped = dropped
        job = self.session.make_job(epochs)
        self._generation += 1
        job.run_id = self._generation
        self._live = True
        self._paused_history = None
        self._live_epoch = self.session.history.last_epoch
        self._set_dirty(True)
        self._set_state("training")
        if dropped is not None:
            self._say(_dropped_epochs_note(*dropped))
        self.runner.start(job)

    def pause(self) -> None:
        if self.run_state == "training":
            self._paused_history = None  # the history of this pause is on its way
            self._set_state("paused")
            self.runner.pause()
            self._say("Paused. Resume with F6, or edit the network and resume from here.")

    def resume(self) -> None:
        if self.run_state != "paused":
            return
        if self._live:
            self._paused_history = None
            self._pending.clear()
            self._set_state("training")
            self.runner.resume()
            return
        # The run was ended for a change: the rest of its epochs (the epochs setting may have changed).
        remaining = self.settings["epochs"] - (self.session.history.last_epoch - self._run_start_epoch)
        if not self._sync():
            raise DataError(self.problem)
        self._start(max(remaining, 0))

    def stop(self) -> None:
        if self.run_state == "training" or (self.run_state == "paused" and self._live):
            self.runner.stop()
        elif self.run_state == "paused":  # ended for an edit: nothing runs
            self.session.history.stop_reason = "stopped"
            self.session.history.message = f"Stopped at epoch {self.session.history.last_epoch:,}."
            self._set_state("finished")
            self._say(self.session.history.message)

    def reset_weights(self) -> None:
        """Start over: fresh weights from the chosen initialisation and seed, an empty history."""
        if self.run_state == "training":
            raise DataError("Stop training before resetting the weights.")
        self._end_paused_run()
        if not self._sync():
            raise DataError(self.problem)
        self._fresh_weights()
        self._set_dirty(True)
        self._say(f"Weights reset ({self.settings['init']} initialisation, seed {self.seed}).")

    def apply_step(self, params: np.ndarray) -> None:
        """Step-through's Update changed the weights (one gradient step on one row)."""
        self.session.net.set_parameters(params)
        self.session.forget_removed_weights()
        self._weights_trained = True
        self._set_dirty(True)
        self._emit("weights")
        if self.run_state == "idle":
            self._set_state("trained")

    # -- from the runner -----------------------------------------------------------------------
    def run_progress(self, update, run_id: int | None = None) -> None:
        if self._live and run_id in (None, self._generation):
            if self._paused_history is None:  # (a report on its way when the run paused is older)
                self._live_epoch = update.epoch
            if not self._dirty:
                self._set_dirty(True)  # epochs after a save during the run are not saved
            self._emit("progress", update)

    @property
    def epoch(self) -> int:
        """The epoch the weights are at: live during a run, else the history's last."""
        if self._live:
            return self._live_epoch
        return self.session.history.last_epoch if self.session.history is not None else 0

    def run_paused(self, history: History, run_id: int | None = None) -> None:
        """The run paused; ``history`` is a copy as of the pause (for saving and editing)."""
        if not self._live or self.run_state != "paused" or run_id not in (None, self._generation):
            return
        self._paused_history = history
        self._live_epoch = history.last_epoch  # where it paused: reports sample a run, and lag it
        pending, self._pending = self._pending, set()
        # Changes made while this history was on its way, applied now as they would have been then.
        if "network" in pending:
            self.network_edited()
        if "data" in pending:
            self._end_paused_run()
            self._prepare_dataset()
            self._rebuild(new_data=True)
        elif "settings" in pending and self._live:
            self._take_paused_run()
            self._rebuild()
        self._emit("run")  # the paused run's weights are here (run_params): saving and the views can use them

    def run_finished(self, params: np.ndarray, history: History, run_id: int | None = None) -> None:
        if not self._live or (run_id is not None and run_id != self._generation):
            return  # a run ended for an edit: its result is not wanted
        self._live = False
        self._paused_history = None
        self.session.finish_job(params, history)
        self._weights_trained = True
        self._set_dirty(True)
        self._set_state("diverged" if history.stop_reason == "diverged" else "finished")
        self._emit("weights")
        message = history.message
        if len(history.train_rmse) and history.stop_reason != "diverged":
            message += f" Training RMSE {history.train_rmse[-1] * self.session.rmse_unit_scale:.4g}."
        if np.isfinite(history.test_rmse) and history.stop_reason != "diverged":  # the held-out test rows
            message += (f" Test RMSE {history.test_rmse * self.session.rmse_unit_scale:.4g} "
                        f"on {self.session.n_test:,} rows never trained on.")
        if self._dropped is not None:
            message += " " + _dropped_epochs_note(*self._dropped, ended=True)
        self._say(message)

    def run_failed(self, message: str, details: str = "", run_id: int | None = None) -> None:
        if not self._live or (run_id is not None and run_id != self._generation):
            return
        self._live = False
        self._paused_history = None
        self._pending.clear()
        self._set_state("trained" if self._weights_trained else "idle")
        self._emit("weights")  # the views drop the failed run's live curves
        self._emit("history")
        self._emit("failed", (message, details))

    @property
    def generation(self) -> int:
        """The number of the run going on (runners pass it back with the result)."""
        return self._generation

    def _take_paused_run(self) -> None:
        """End the paused run in the runner, keeping its weights and history as of the pause."""
        history = self._paused_history
        self._live = False
        self._generation += 1  # its final report is no longer wanted
        self.runner.stop()
        if history is None:
            return  # paused before the runner said so: the weights before the run stay
        self.session.history = history
        self.session.net.set_parameters(_last_params(history, self.session.net.get_parameters()))
        self._weights_trained = self._weights_trained or history.last_epoch > 0
        self._paused_history = None
        self._emit("weights")
        self._emit("history")

    def _end_paused_run(self) -> None:
        """A change that cannot continue a paused run (data, reset): finish it where it is."""
        if self.run_state != "paused":
            return
        if self._live:
            self._take_paused_run()
        self._set_state("finished" if self._weights_trained else "idle")

    def _end_run_for_new_work(self) -> None:
        if self._live:
            self._generation += 1
            self._live = False
            self.runner.stop()
        if self.run_state != "idle":
            self._set_state("idle")
        self._weights_trained = self._weights_trained and self.session.net is not None

    def _set_state(self, state: str) -> None:
        if state != self.run_state:
            self.run_state = state
            self._emit("run")

    def _set_dirty(self, dirty: bool) -> None:
        if dirty != self._dirty:
            self._dirty = dirty
            self._emit("dirty")

    # -- projects ------------------------------------------------------------------------------
    def snapshot(self) -> tuple[np.ndarray | None, History | None]:
        """Weights and history of one and the same epoch (during a paused run: as of the pause)."""
        paused = self.run_params
        if paused is not None:
            return paused, self._paused_history
        if self._live:
            return None, None  # only a paused run can be saved: see save_needs_pause
        net, history = self.session.net, self.session.history
        return (net.get_parameters() if net is not None else None), history

    @property
    def save_needs_pause(self) -> bool:
        """True while a run goes on: pause it, wait for :attr:`can_save`, save, then resume."""
        return self._live and self.run_state == "training"

    @property
    def can_save(self) -> bool:
        return not self._live or (self.run_state == "paused" and self._paused_history is not None)

    def project(self) -> Project:
        """Everything needed to come back to this work, as a :class:`Project`."""
        weights, history = self.snapshot()
        if self._live and weights is None:
            raise DataError("The training run must be paused to be saved; pause it and save again.")
        table = self.table
        path = str(table.path) if table is not None and table.path.is_file() else None
        data = {**{k: self.data[k] for k in ("inputs", "targets", "task", "drop_missing", "input_scaling",
                                             "validation_fraction")},
                "path": path, "sheet": table.sheet if table is not None else None}
        parameters = {**self.settings, "init_range": list(self.settings["init_range"]), "seed": self.seed}
        embedded = table.frame if table is not None and path is None else None
        if weights is not None and weights.size != parameter_count(self.graph.layer_sizes):
            weights = history = None  # the graph was edited into one the session could not build (see problem)
        return Project(graph=self.graph.to_dict(), parameters=parameters, data=data, view=dict(self.view),
                       weights=weights, history=history if history is not None and history.last_epoch else None,
                       embedded_data=embedded)

    def saved(self, path) -> None:
        """The project was written to ``path``."""
        self.project_path = Path(path)
        self._set_dirty(False)

    def mark_clean(self) -> None:
        self._set_dirty(False)

    def open_project(self, project: Project, table: Table, path) -> list[str]:
        """Take a loaded project (its data already read as ``table``); returns notes for the user."""
        with self._events_once():
            return self._open_project(project, table, path)

    def _open_project(self, project: Project, table: Table, path) -> list[str]:
        from .project import usable_data_settings, usable_parameters

        self._end_run_for_new_work()
        notes = []
        parameters, ignored = usable_parameters(project.parameters)
        data, ignored_data = usable_data_settings(project.data)
        ignored += ignored_data
        self.settings = settings_schema.defaults("learning") | settings_schema.defaults("init") | parameters
        self.table = table
        self.data = data_defaults(table)
        self.data.update({k: data[k] for k in ("task", "drop_missing", "input_scaling", "validation_fraction")})
        if data["inputs"] and data["targets"]:
            self.data.update(inputs=list(data["inputs"]), targets=list(data["targets"]))
        self.view = dict(project.view or {})
        self._restore_graph(project.graph)
        self._forget_weights()
        self._emit("settings")
        self._prepare_dataset()
        self._rebuild(new_data=True)
        net = self.session.net
        if net is not None and project.weights is not None:
            if project.weights.size == net.n_parameters:
                # Weights as the initialisation and seed draw them are untrained, whatever file they came from.
                self._weights_trained = not np.array_equal(project.weights, net.get_parameters())
                net.set_parameters(project.weights)
            else:
                notes.append("The saved weights belong to a network of another size than the data needs now, "
                             "so training starts from fresh weights.")
        if net is not None and project.history is not None and len(project.history.parameter_names) == net.n_parameters:
            self.session.history = project.history
        if ignored:
            notes.append(f"Some saved settings could not be used and keep their defaults: {', '.join(ignored)}.")
        self.project_path = Path(path)
        self._set_state("trained" if self._weights_trained else "idle")
        self._emit("weights")
        self._emit("history")
        self._emit("run")
        self._set_dirty(False)
        return notes

    # -- results -------------------------------------------------------------------------------
    def cross_validation_job(self, folds: int, repeats: int):
        """A :class:`~mlp_desktop.core.training_process.CrossValidationJob` of the current data,
        network and settings; DataError (saying why) when there is nothing to cross-validate."""
        from .training_process import CrossValidationJob

        if self.problem or self.dataset is None:
            raise DataError(self.problem or "Open a dataset first.")
        return CrossValidationJob(self.dataset, self._spec(), self._config(), folds, repeats,
                                  self.data["input_scaling"])

    def model(self, params: np.ndarray | None = None, with_metrics: bool = True):
        """The current network and preprocessing as a :class:`~mlp_desktop.core.model.Model`."""
        if self.problem:
            raise DataError(self.problem)
        return self.session.model(params, with_metrics)


def _fresh_seed() -> int:
    """A seed from the system's randomness (``random.SystemRandom``: ``secrets`` would add about 5 ms of
    imports to the start)."""
    return random.SystemRandom().randrange(MAX_SEED + 1)


def _dropped_epochs_note(first: int, last: int, ended: bool = False) -> str:
    """What continuing from an early stop's best weights did to the history, in words (``ended``:
    said when the run is over)."""
    best = first - 1
    start = "the weights before training (the best)" if best == 0 else f"epoch {best:,}'s weights (the best)"
    dropped = f"epoch {first:,} was" if first == last else f"epochs {first:,}-{last:,} were"
    return f"{'Continued' if ended else 'Continuing'} from {start}; {dropped} dropped from the history."


def _last_params(history: History, before_run: np.ndarray) -> np.ndarray:
    """The weights of the history's last epoch (the starting ones before the first)."""
    if len(history):
        return history.last_params
    return np.array(history.initial_params) if history.initial_params is not None else before_run


def remap_history(history: History, old_state: dict | None, new_state: dict, new_names: list[str],
                  params_now: np.ndarray | None = None) -> History:
    """The history of an edited network: kept parameters keep their curves, new ones start at the edit
    (NaN before it; with ``params_now``, the edited network's weights, their values at the edit are
    the last epoch's, so a new weight's plot shows where it starts)."""
    new_keys = parameter_keys(new_state)
    if old_state is None:
        return History(new_names)
    old_index = {key: i for i, key in enumerate(parameter_keys(old_state))}
    source = np.array([old_index.get(key, -1) for key in new_keys])
    kept = source >= 0

    def mapped(row: np.ndarray) -> np.ndarray:
        out = np.full(len(new_keys), np.nan)
        out[kept] = row[source[kept]]
        return out

    rows = max(history.capacity, 2048)
    remapped = History(new_names, max_rows=rows)
    if history.initial_params is not None:
        remapped.set_initial(history.initial_train_rmse, history.initial_val_rmse, mapped(history.initial_params))
    # A layer's gradient size stays meaningful while the layers stay the same in number (an edit that
    # adds or removes a layer starts the curves afresh: NaN before it).
    same_layers = remapped.n_layers == history.n_layers
    grads = history.grad_rms if same_layers else np.full((len(history), remapped.n_layers), np.nan)
    last = len(history) - 1
    for index, (epoch, train, val, row, rate, grad) in enumerate(zip(
            history.epochs.tolist(), history.train_rmse, history.val_rmse, history.params, history.learning_rates,
            grads)):
        values = mapped(row)
        if index == last and params_now is not None:
            values[~kept] = np.asarray(params_now, dtype=np.float64)[~kept]
        remapped.append(epoch, train, val, values, rate, grad)
    for name in History.OUTCOME:
        setattr(remapped, name, getattr(history, name))
    # optimizer_state (momenta, Adam's moments) belongs to the old parameter list: the next run starts it anew
    return remapped


__all__ = ["Workspace", "WorkspaceEvent", "InlineRunner", "RUN_STATES", "remap_history", "data_defaults"]
