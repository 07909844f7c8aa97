"""A training session: one dataset, one network, its settings and its history, Qt-free.

The GUI keeps one :class:`TrainingSession` and tells it what the user changed; the session
decides what must be rebuilt (new data or split: everything; a new network shape or
initialisation: the network; a new learning rate: nothing) and trains on request, continuing from
the current weights. All of this is plain Python so it is tested without a display.
"""

from __future__ import annotations

import itertools
from functools import partial

from dataclasses import asdict
from typing import Callable

import numpy as np

from .errors import DataError
from .parameters import transfer_parameters
from .history import History
from .losses import get_loss
from .model import Model, NetworkSpec, build_network, run_config
from .network import MLP
from .preprocessing import Preprocessor, fit_preprocessor, split_rows_three, transform_parts
from .training import TrainConfig
from .training_process import TrainingJob, run_job


_DATA_KEYS = itertools.count(1)


class TrainingSession:
    """Holds the current dataset, settings, network and history; trains on request."""

    def __init__(self):
        self.dataset = None
        self.spec = NetworkSpec()
        self.config = TrainConfig()
        self.input_scaling = "standard"
        self.minmax_bounds: dict | None = None
        self.preprocessor: Preprocessor | None = None
        self.net: MLP | None = None
        self.history: History | None = None
        self.graph_state: dict | None = None
        self._net_graph_state: dict | None = None
        self.reset_parameter_names: list[str] = []
        self._removed_weights: dict = {}  # parameter key -> trained value an edit dropped (undo brings it back)
        self.train_rows = self.val_rows = self.test_rows = np.zeros(0, dtype=int)
        self._row_sets: RowSets | None = None
        self._data_key = 0  # changes whenever the training arrays do
        self._stale_data = self._stale_net = True

    # -- settings ------------------------------------------------------------------------------
    def set_dataset(self, dataset) -> None:
        self.dataset = dataset
        self._row_sets = None
        self._stale_data = self._stale_net = True

    def set_input_scaling(self, scaling: str, minmax_bounds: dict | None = None) -> None:
        if (scaling, minmax_bounds) != (self.input_scaling, self.minmax_bounds):
            self.input_scaling, self.minmax_bounds = scaling, minmax_bounds
            self._stale_data = True  # the network keeps its weights; only the inputs change

    def set_spec(self, spec: NetworkSpec, graph_state: dict | None = None) -> None:
        """A new network description (and, from the diagram editor, the graph it came from).

        Only a change of shape rebuilds the network; initialisation settings wait for
        :meth:`reset_weights`. With graph states, a rebuilt network keeps the trained weights of
        every connection the edit left alone (see :attr:`reset_parameter_names`).
        """
        if self.dataset is not None and (
                spec.resolved_output(self.dataset.task) != self.spec.resolved_output(self.dataset.task)):
            self._stale_data = True  # target scaling follows the output activation
        if _shape(spec) != _shape(self.spec) or (graph_state or {}).get("layers") != (self.graph_state or {}).get("layers"):
            self._stale_net = True
        self.spec, self.graph_state = spec, graph_state

    def set_config(self, config: TrainConfig) -> None:
        split_changed = (config.validation_fraction, config.test_fraction, config.seed) != (
            self.config.validation_fraction, self.config.test_fraction, self.config.seed)
        self.config = config
        self._stale_data = self._stale_data or split_changed

    # -- building ------------------------------------------------------------------------------
    @property
    def loss(self) -> str:
        return self.spec.resolved_loss(self.dataset.task) if self.dataset is not None else "mse"

    def prepare(self, keep_weights: bool | None = None) -> None:
        """Rebuild whatever the latest changes made stale. Raises DataError with the reason."""
        self.prepare_data()
        self.prepare_net(keep_weights)

    def prepare_data(self) -> None:
        """Split the rows and fit the preprocessing, if the data or its settings changed."""
        if self.dataset is None:
            raise DataError("Open a dataset first (File > Open, or a sample from File > Open sample).")
        if not self._stale_data:
            return
        data = self.dataset
        # with no test share, the same split as split_rows (test_rows is then empty)
        self.train_rows, self.val_rows, self.test_rows = split_rows_three(
            data.n_rows, self.config.validation_fraction, self.config.test_fraction, self.config.seed,
            data.class_labels)
        output = self.spec.resolved_output(data.task)
        self._row_sets = None
        pre = fit_preprocessor(data, self.train_rows, self.input_scaling, self.minmax_bounds, output)
        self.preprocessor = pre
        self._data_key = next(_DATA_KEYS)  # unique in this process: the training process caches by it
        if self.net is not None and (self.net.layer_sizes[0], self.net.layer_sizes[-1]) != (
                pre.n_inputs, pre.n_outputs):
            self._stale_net = True
        self._stale_data = False

    def prepare_net(self, keep_weights: bool | None = None) -> None:
        """Build the network if its shape changed; with ``keep_weights`` (default: when a history
        exists) every connection the old and new graphs share keeps its weight
        (:attr:`reset_parameter_names` lists the others)."""
        self.prepare_data()
        if not (self._stale_net or self.net is None):
            return
        old_net, old_state = self.net, self._net_graph_state
        net = build_network(self.spec, self.preprocessor, self.config.seed)
        get_loss(self.loss, net.activations[-1])  # a clear message now, not when training
        self.reset_parameter_names = []
        if keep_weights is None:
            keep_weights = self.history is not None and self.history.last_epoch > 0
        if old_net is not None and keep_weights and old_state is not None and self.graph_state is not None:
            params, fresh = transfer_parameters(old_state, old_net.get_parameters(), self.graph_state,
                                                net.get_parameters(), removed=self._removed_weights)
            net.set_parameters(params)
            names = net.parameter_names()
            self.reset_parameter_names = [names[i] for i in fresh]
        else:
            self.forget_removed_weights()  # fresh weights: nothing to bring back
        self.net, self._net_graph_state = net, self.graph_state
        self.history = History(self.net.parameter_names())
        self._stale_net = False

    @property
    def data_key(self) -> int:
        """Changes whenever the training arrays do (new data, split or scaling); unique in this process."""
        return self._data_key

    @property
    def net_graph_state(self) -> dict | None:
        """The graph the current network was built from (its parameters follow its keys)."""
        return self._net_graph_state

    def reset_weights(self) -> None:
        """Start over: fresh weights from the chosen initialisation and seed, an empty history."""
        self.prepare()
        self.net = build_network(self.spec, self.preprocessor, self.config.seed)  # the chosen init, now
        self._net_graph_state = self.graph_state
        self.reset_parameter_names = []
        self.forget_removed_weights()
        self.history = History(self.net.parameter_names())

    # -- training ------------------------------------------------------------------------------
    def continue_from_weights(self) -> tuple[int, int] | None:
        """Cut the history back to the epoch whose weights the network holds, before a run continues it.

        After an early stop the network holds the best epoch's weights while the history goes on to
        the epoch the run stopped at; a run continuing from those weights drops the later rows and
        counts on from the best epoch (:meth:`History.cut_back`). Returns ``(first, last)``, the
        epochs dropped, or ``None`` when the history already ends at the network's weights.
        """
        history = self.history
        dropped = history.epochs_past_weights() if history is not None and self.net is not None else None
        if dropped is not None:
            self.history = history.cut_back(dropped[0] - 1, self.net.get_parameters())
        return dropped

    def make_job(self, epochs: int | None = None, progress_interval: float = 1 / 30) -> TrainingJob:
        """The next run as plain data (for :mod:`~mlp_desktop.core.training_process`).

        Trains ``epochs`` (default: the configured number) from the current weights, continuing the
        history from the epoch of those weights (:meth:`continue_from_weights`). The configured target RMSE is in the target's units, like the RMSE the GUI shows.
        """
        self.prepare()
        self.forget_removed_weights()  # the run trains the rest of the network on without them
        self.continue_from_weights()  # (the workspace has done it already, to say so)
        config = run_config(self.config, self.loss, self.preprocessor,
                            epochs=self.config.epochs if epochs is None else epochs)
        # The arrays are made by the thread that runs the job, and only if the training process
        # does not hold this data already (see TrainingJob.with_data).
        make_data = partial(training_arrays, self.preprocessor, self.dataset,
                            (self.train_rows, self.val_rows, self.test_rows))
        return TrainingJob(self.net.layer_sizes, self.net.activations, self.net.get_parameters(), config,
                           self.history, self._data_key, progress_interval=progress_interval, make_data=make_data)

    def forget_removed_weights(self) -> None:
        """The weights change by training (a run, a step): the trained weights an edit removed no
        longer fit the rest of the network, so an edit bringing their connections back gives them
        fresh ones (an undo right after the edit still brings them back)."""
        self._removed_weights = {}

    def finish_job(self, params: np.ndarray, history: History) -> None:
        """Take the result of a run made by :meth:`make_job`."""
        self.net.set_parameters(params)
        self.history = history

    def train(
        self,
        epochs: int | None = None,
        on_progress: Callable | None = None,
        stop_event=None,
        pause_event=None,
        progress_interval: float = 1 / 30,
    ) -> History:
        """Train in this thread (see :meth:`make_job`); returns the continued history."""
        params, history = run_job(self.make_job(epochs, progress_interval), on_progress, stop_event, pause_event)
        self.finish_job(params, history)
        return history

    # -- results -------------------------------------------------------------------------------
    def model(self, params: np.ndarray | None = None, with_metrics: bool = True) -> Model:
        """The current network and preprocessing as a :class:`Model` (weights copied).

        ``params`` replaces the weights (e.g. a live snapshot from a run in progress);
        ``with_metrics=False`` skips evaluating every row, for frequent live refreshes.
        """
        self.prepare()
        net = self.net.copy()
        if params is not None:
            net.set_parameters(params)
        model = Model(self.preprocessor, net, self.loss,
                      training={**asdict(self.config), "loss": self.loss, "network": asdict(self.spec),
                                "input_scaling": self.input_scaling,
                                "epochs_run": self.history.last_epoch if self.history else 0})
        if not with_metrics:
            return model
        rows = self.row_sets  # the same frames the views take (each part taken once per split)
        model.metrics = {"train": model.evaluate(rows.train)}
        for part in ("validation", "test"):
            if rows.n_rows(part):
                model.metrics[part] = model.evaluate(rows.part(part))
        return model

    @property
    def rmse_unit_scale(self) -> float:
        """See :attr:`Preprocessor.rmse_unit_scale`."""
        return self.preprocessor.rmse_unit_scale if self.preprocessor is not None else 1.0

    @property
    def row_sets(self) -> "RowSets":
        """The current split's rows as frames, taken when a view first asks (one object per split)."""
        self.prepare_data()
        if self._row_sets is None:
            dataset = self.dataset  # (its frame, and pandas, when a view first takes rows)
            self._row_sets = RowSets(lambda: dataset.frame, self.train_rows, self.val_rows, self.test_rows)
        return self._row_sets

    @property
    def input_ranges(self) -> dict[str, tuple[float, float]]:
        """``{number input: (min, max)}`` over the training rows (:attr:`Preprocessor.input_ranges`)."""
        self.prepare_data()
        return self.preprocessor.input_ranges

    @property
    def n_train(self) -> int:
        return len(self.train_rows)

    @property
    def n_validation(self) -> int:
        return len(self.val_rows)

    @property
    def n_test(self) -> int:
        return len(self.test_rows)


class RowSets:
    """The training, validation and test rows of a dataset as frames (user units), each taken from
    the dataset when first asked for and then kept; do not change them: they are shared.

    Taking 16,000 rows of a 20,000 x 785 table is 100 MB and a noticeable moment: the views get this
    object, and one that is not on screen never asks. ``n_rows(part)`` counts without taking.
    """

    PARTS = ("train", "validation", "test")

    def __init__(self, frame, train_rows, validation_rows=(), test_rows=()):
        """``frame``: the dataset's frame, or a function giving it (called when a part is first taken)."""
        self._frame = frame
        self._rows = {part: np.asarray(rows, dtype=np.intp)
                      for part, rows in zip(self.PARTS, (train_rows, validation_rows, test_rows))}
        self._taken: dict = {}

    @classmethod
    def of_frames(cls, train, validation=None, test=None) -> "RowSets":
        """Parts already taken (no validation or test rows where not given)."""
        sets = cls(train, np.arange(len(train)))
        empty = train.iloc[:0]
        sets._taken = {"train": train, "validation": empty if validation is None else validation,
                       "test": empty if test is None else test}
        sets._rows = {part: np.arange(len(frame)) for part, frame in sets._taken.items()}
        return sets

    def part(self, name: str):
        """The rows of ``name`` (one of :attr:`PARTS`) as a frame."""
        if name not in self._taken:
            if callable(self._frame):
                self._frame = self._frame()
            self._taken[name] = self._frame.iloc[self._rows[name]]
        return self._taken[name]

    def n_rows(self, name: str) -> int:
        return len(self._rows[name])

    @property
    def taken(self) -> tuple[str, ...]:
        """The parts asked for so far."""
        return tuple(part for part in self.PARTS if part in self._taken)

    @property
    def train(self):
        return self.part("train")

    @property
    def validation(self):
        return self.part("validation")

    @property
    def test(self):
        return self.part("test")


def training_arrays(preprocessor: Preprocessor, dataset, row_sets) -> tuple:
    """``(X, Y, X_val, Y_val, X_test, Y_test)`` of the training, validation and test rows, scaled for
    the network (:func:`~.preprocessing.transform_parts`)."""
    return tuple(array for pair in transform_parts(preprocessor, dataset, row_sets) for array in pair)


def _shape(spec: NetworkSpec) -> tuple:
    try:
        activations = tuple(spec.hidden_activations())
    except DataError:
        activations = None
    return tuple(spec.hidden_layers), activations, spec.output_activation


def trained_sample_session(name: str = "iris", hidden_layers=(6,), epochs: int = 100,
                           validation_fraction: float = 0.2) -> TrainingSession:
    """A session on a sample dataset, trained briefly: for running a view alone (``python -m ...``)."""
    from .data import prepare_dataset, read_table
    from .samples import sample_path

    session = TrainingSession()
    session.set_dataset(prepare_dataset(read_table(sample_path(name))))
    session.set_spec(NetworkSpec(hidden_layers=list(hidden_layers)))
    session.set_config(TrainConfig(epochs=epochs, learning_rate=0.1, batch_size=16, seed=1,
                                   validation_fraction=validation_fraction))
    session.train()
    return session
