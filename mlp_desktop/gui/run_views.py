"""Drawing a run: live progress, whole histories, the end of a run, the status bar's epoch and
speed, and the views that follow the weights (prediction, evaluation, decision). Mixed into
:class:`~mlp_desktop.gui.main_window.MainWindow`; everything it shows comes from the workspace."""

from __future__ import annotations

import time

import numpy as np
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QMessageBox

from . import actions as action_table

LIVE_DECISION_INTERVAL = 0.5  # seconds between decision-view refreshes while training
LIVE_DIAGRAM_INTERVAL = 0.2  # seconds between recolourings of the diagram while training


class RunViews:
    """How the window shows the network, its weights and its run."""

    _shown_run_state = "idle"  # the run state the views last showed
    # What the history plots and the model views last showed (see _history_key, _model_key): one
    # change announces "data", "network", "weights" and "history" once each, and several of them
    # ask for the same redraw; it is done once per change.
    _shown_history_key = None
    _shown_model_key = None
    _shown_model_params = None
    model_view_refreshes = 0  # counted for the tests
    history_redraws = 0

    def _on_network_changed(self) -> None:
        net = self.workspace.net
        if net is None or self.workspace.problem:
            return
        self.weight_plots.set_parameter_names(net.parameter_names())
        self.gradient_plot.set_layer_count(len(net.weights))
        self._show_history()

    def _on_weights_changed(self) -> None:
        net = self.workspace.net
        if net is not None and not self.workspace.problem:
            self.editor.set_parameters(net.get_parameters())
        QTimer.singleShot(0, self, self._refresh_model_views_if_changed)  # after the redraw is on screen

    def _history_key(self) -> tuple:
        """What :meth:`_show_history` draws from."""
        workspace = self.workspace
        history, net = workspace.history, workspace.net
        drawn = None
        if history is not None:
            # (not len(history.epochs): that copies the whole buffer, 0.08 s for 34 MB)
            drawn = (history.last_epoch, history.best_epoch, history.stop_reason)
            if history.initial_params is None and net is not None:  # it draws the weights themselves
                drawn += (net.get_parameters().tobytes(),)
        return id(history), id(net), workspace.problem, id(workspace.session.preprocessor), drawn

    def _show_history_if_changed(self) -> None:
        """``_show_history`` unless the plots show this very history already ("network" and
        "history" of one change both ask for it)."""
        if self._history_key() != self._shown_history_key:
            self._show_history()

    def _show_history(self) -> None:
        """Draw the whole history (after new data, an edit, a project or the end of a run)."""
        self.history_redraws += 1
        workspace = self.workspace
        self._shown_history_key = self._history_key()
        history, net = workspace.history, workspace.net
        self.rmse_plot.reset()
        self.gradient_plot.reset()
        if net is None or history is None or workspace.problem:
            self.weight_plots.reset()
            self._show_epoch(0)
            return
        pre = workspace.session.preprocessor
        in_target_units = pre.task == "regression" and len(pre.targets) == 1  # see Preprocessor.rmse_unit_scale
        self.rmse_plot.set_unit_label(f"RMSE ({pre.targets[0]} units)" if in_target_units else "RMSE (scaled outputs)")
        if history.initial_params is None:
            self.weight_plots.set_series(np.array([0]), net.get_parameters()[None, :])
        else:
            scale = workspace.session.rmse_unit_scale
            epochs = np.concatenate([[0], history.epochs])
            self.rmse_plot.set_series(epochs, np.concatenate([[history.initial_train_rmse], history.train_rmse]) * scale,
                                      np.concatenate([[history.initial_val_rmse], history.val_rmse]) * scale)
            self.weight_plots.set_history(history)
            grads = history.grad_rms
            recorded = np.isfinite(grads).all(axis=1)  # NaN: before an edit, or not recorded
            if history.n_layers == len(net.weights) and recorded.any():
                self.gradient_plot.set_series(history.epochs[recorded], grads[recorded])
        self._mark_best_epoch(history)
        self._show_epoch(history.last_epoch)

    def _mark_best_epoch(self, history) -> None:
        early = history.stop_reason == "early_stopped"
        self.rmse_plot.set_best_epoch(history.best_epoch, early_stopped=early,
                                      stop_epoch=history.last_epoch if early else None)

    def _on_run_changed(self) -> None:
        workspace = self.workspace
        state = workspace.run_state
        action_table.update_enabled(self.actions, workspace)
        self.actions["pause"].setText("Resume" if state == "paused" else "Pause")
        self.actions["train"].setToolTip(workspace.problem or self.actions["train"].statusTip())
        self.data_panel.set_editable(state != "training")
        self.parameter_panel.set_editable(state != "training")
        self.step_panel.setEnabled(not workspace.is_running and not workspace.problem)
        self.editor.set_editable(state != "training")
        self._update_edit_actions()
        if state == "training":
            self.statusBar().clearMessage()  # messages belong to the run they were about
            self._run_start_epoch = workspace.history.last_epoch if workspace.history is not None else 0
        ended = state in ("finished", "diverged") and self._shown_run_state in ("training", "paused")
        self._shown_run_state = state
        if ended:  # once per run: not again for later weight changes (a step, say, after a diverged run)
            self._on_run_finished()
        if state == "paused":
            self._show_paused()
            paused = workspace.run_params  # None until the pause's history arrives (another "run" event)
            if paused is not None:
                self.epoch_label.setText(f"epoch {workspace.epoch:,}")  # the pause's own (reports lag)
                self.editor.set_parameters(paused)  # its live drawing may be up to 0.2 s older
                self._refresh_model_views_if_changed()  # the prediction and evaluation follow the paused weights

    def _on_run_finished(self) -> None:
        self._shown_history_key = None
        for plot in (self.rmse_plot, self.weight_plots, self.gradient_plot):
            plot.follow.settle()
        history = self.workspace.history
        if history.initial_params is not None:  # the weights from the exact history (reports only sampled them)
            self.weight_plots.set_history(history)
        self._mark_best_epoch(history)
        self._show_epoch(history.last_epoch)
        if history.stop_reason == "early_stopped" and history.best_epoch is not None:
            # The run went on to its last epoch, but the network holds the best epoch's weights.
            self.epoch_label.setText(f"epoch {history.last_epoch:,}, weights of {history.best_epoch:,}")
            self.epoch_label.setToolTip("Early stopping put the weights back to those of the epoch with the "
                                        "lowest validation RMSE")
        if history.stop_reason == "diverged":
            QMessageBox.warning(self, "Training diverged", history.message)

    def _on_progress(self, update) -> None:
        self._shown_history_key = None  # the plots now show live rows too
        scale = self.session.rmse_unit_scale
        # A report held back while the window redrew can arrive after the pause's own weights:
        # its epochs go to the plots, but the diagram, the prediction and the epoch stay the pause's.
        late = self.workspace.run_state == "paused" and not self.workspace.waiting_for_pause
        if len(update.epochs):
            self.rmse_plot.append(update.epochs, update.train_rmses * scale, update.val_rmses * scale)
            now = time.perf_counter()
            if not late and (update.finished or now - self._last_live_diagram >= LIVE_DIAGRAM_INTERVAL):
                self._last_live_diagram = now
                self.editor.set_parameters(update.params)
            self.gradient_plot.append_rows(update.epochs, update.layer_grad_rms)
            if not update.finished:  # the final redraw takes the weights from the exact history instead
                if not late:
                    self._refresh_live_model_views(update.params)
                self.weight_plots.append_rows(update.param_epochs, update.param_rows)
        self._show_epoch(self.workspace.epoch if late else update.epoch, update)

    def _refresh_live_model_views(self, params) -> None:
        """During training the decision view and the prediction follow the weights, twice a second,
        if shown. The decision view computes off the GUI thread; for the same network and data only
        the weights go to it. (The evaluation follows when the run pauses or ends.)"""
        now = time.perf_counter()
        decision, prediction = self.decision_view, self.prediction_panel
        if now - self._last_live_decision < LIVE_DECISION_INTERVAL or not (decision.isVisible() or prediction.isVisible()):
            return
        self._last_live_decision = now
        session, model = self.session, None
        if prediction.isVisible():  # (same inputs: the form keeps what was typed)
            model = self.workspace.model(params=params, with_metrics=False)
            prediction.set_model(model, session.input_ranges, session.dataset)
        if not decision.isVisible():
            return
        shown, net = decision.model, session.net
        if (shown is not None and shown.preprocessor is session.preprocessor
                and list(shown.net.layer_sizes) == list(net.layer_sizes)
                and list(shown.net.activations) == list(net.activations)):
            decision.set_weights(params)
        else:  # another network or other data since the view last saw a model
            if model is None:
                model = self.workspace.model(params=params, with_metrics=False)
            decision.set_model(model, session.row_sets, self._form_values())

    def _show_epoch(self, epoch: int, update=None) -> None:
        self.epoch_label.setText(f"epoch {epoch:,}")
        self.epoch_label.setToolTip("")
        if update is None:
            for label in (self.speed_label, self.time_label):
                label.setText("")
            self.progress_bar.setValue(0)
            if self.workspace.run_state == "paused":  # (an edit while paused redraws the history)
                self._show_paused()
            return
        total = max(update.final_epoch - self._run_start_epoch, 1)
        self.progress_bar.setValue(int(1000 * (update.epoch - self._run_start_epoch) / total))
        if self.workspace.run_state == "paused":  # (a report that was on its way when the run paused)
            self._show_paused()
            return
        speed = update.epochs_per_second
        parts = [f"{speed:,.0f} epochs/s"] if speed else []
        if np.isfinite(update.learning_rate):  # L-BFGS and Levenberg-Marquardt have none
            parts.append(f"learning rate {update.learning_rate:.3g}")
        self.speed_label.setText(", ".join(parts))
        self.speed_label.setToolTip("Engine: compiled (numba)" if update.engine == "compiled" else "Engine: NumPy")
        left = (update.final_epoch - update.epoch) / speed if speed > 0 and not update.finished else 0
        self.time_label.setText(f"· {_duration(left)} left" if left > 0.5 else "")

    def _show_paused(self) -> None:
        """No speed and no time left stand still in the status bar while a run is paused."""
        self.speed_label.setText("paused")
        self.speed_label.setToolTip("Resume (F6) carries on from this epoch")
        self.time_label.setText("")

    def _model_key(self) -> tuple:
        workspace, session = self.workspace, self.workspace.session
        return (workspace.problem, id(workspace.net), workspace.is_running, id(session.dataset),
                id(session.preprocessor), session.data_key)

    def _refresh_model_views_if_changed(self) -> None:
        """``_refresh_model_views`` unless the views show these weights of this network and data
        already (a change's "data" refreshes them at once, its "weights" asks again a moment later)."""
        if self.workspace.run_state == "training" or self.workspace.waiting_for_pause:
            return  # they follow the run's reported weights until its pause or end has its own
        params = self._model_params()
        if (self._shown_model_key == self._model_key() and self._shown_model_params is not None
                and params is not None and np.array_equal(self._shown_model_params, params)):
            return
        self._refresh_model_views()

    def _model_params(self) -> np.ndarray | None:
        """The weights the model views show: a paused run's, else the network's own."""
        workspace = self.workspace
        paused = workspace.run_params
        if paused is not None:
            return paused
        return workspace.net.get_parameters() if workspace.net is not None else None

    def _refresh_model_views(self) -> None:
        """The network's weights, a paused run's or the data changed: prediction and evaluation follow."""
        self.model_view_refreshes += 1
        workspace = self.workspace
        self._shown_model_key = self._model_key()
        self._shown_model_params = params = self._model_params()
        ended = self.editor.show_data_problem(workspace.data_problem if workspace.table is not None else "")
        if ended and params is not None and not workspace.problem:
            self.editor.set_parameters(params)
        if workspace.problem or workspace.net is None:
            # Nothing of the last usable data may stay on show (a confusion matrix of other classes).
            self.prediction_panel.set_model(None)
            self.evaluation_view.clear(workspace.problem)
            self.decision_view.clear(workspace.problem)
            return
        model, session = workspace.model(params, with_metrics=False), self.session  # the views compute their own
        self.prediction_panel.set_model(model, session.input_ranges, session.dataset)
        self.evaluation_view.set_results(model, session.row_sets)  # (views not shown take no rows)
        self.decision_view.set_model(model, session.row_sets, self._form_values())

    def _form_values(self) -> dict | None:
        """The prediction form's values when they are all usable (the decision view holds the other
        inputs at them), else None (it uses the means); None too before the form was first shown."""
        if not self.prediction_panel.form_built:  # a form never shown: its defaults are no choice
            return None
        values, pre = self.prediction_panel.values(), self.session.preprocessor
        if pre is None or not values:
            return None
        for column in pre.inputs:
            numeric = pre.input_kinds.get(column) != "categorical"
            if column not in values or (numeric and not isinstance(values[column], float)):
                return None
        return values


def _duration(seconds: float) -> str:
    seconds = int(round(seconds))
    if seconds < 60:
        return f"{seconds} s"
    if seconds < 3600:
        return f"{seconds // 60} min {seconds % 60:02d} s"
    return f"{seconds // 3600} h {seconds % 3600 // 60:02d} min"
