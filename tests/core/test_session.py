"""The GUI's training session, without a GUI."""

import numpy as np
import pandas as pd
import pytest

from mlp_desktop.core import DataError, TrainConfig
from mlp_desktop.core.data import prepare_dataset, read_table
from mlp_desktop.core.model import NetworkSpec
from mlp_desktop.core.samples import sample_path
from mlp_desktop.core.session import TrainingSession


def health_session():
    session = TrainingSession()
    session.set_dataset(prepare_dataset(read_table(sample_path("health_score"))))
    session.set_spec(NetworkSpec(hidden_layers=[2], activations="sigmoid"))
    session.set_input_scaling("minmax")
    session.set_config(TrainConfig(epochs=200, learning_rate=0.05, seed=1))
    return session


def test_training_continues_from_current_weights():
    session = health_session()
    first = session.train()
    assert first.last_epoch == 200
    second = session.train(epochs=50)
    assert second is first and second.last_epoch == 250
    assert second.train_rmse[-1] < second.train_rmse[0]


def test_reset_starts_over_with_the_seed():
    session = health_session()
    session.prepare()
    initial = session.net.get_parameters()
    session.train()
    session.reset_weights()
    np.testing.assert_array_equal(session.net.get_parameters(), initial)
    assert session.history.last_epoch == 0


def test_changing_the_network_rebuilds_it_but_learning_rate_does_not():
    session = health_session()
    session.train(epochs=10)
    net = session.net
    session.set_config(TrainConfig(epochs=10, learning_rate=0.1, seed=1))
    session.prepare()
    assert session.net is net and session.history.last_epoch == 10
    session.set_spec(NetworkSpec(hidden_layers=[3], activations="tanh"))
    session.prepare()
    assert session.net is not net and session.net.layer_sizes == (3, 3, 1)
    assert session.history.last_epoch == 0


def test_validation_split_and_model():
    session = TrainingSession()
    session.set_dataset(prepare_dataset(read_table(sample_path("iris"))))
    session.set_config(TrainConfig(epochs=30, learning_rate=0.1, batch_size=16, seed=3, validation_fraction=0.2))
    history = session.train()
    assert session.n_train == 120 and session.n_validation == 30
    assert np.isfinite(history.val_rmse).all()
    model = session.model()
    assert model.metrics["validation"]["n_samples"] == 30
    assert session.rmse_unit_scale == 1.0


def test_test_rows_are_held_out_and_scored_at_the_end():
    session = TrainingSession()
    session.set_dataset(prepare_dataset(read_table(sample_path("iris"))))
    session.set_config(TrainConfig(epochs=20, learning_rate=0.1, batch_size=16, seed=3, validation_fraction=0.2,
                                   test_fraction=0.2))
    history = session.train()
    assert (session.n_train, session.n_validation, session.n_test) == (90, 30, 30)
    assert not set(session.test_rows) & (set(session.train_rows) | set(session.val_rows))
    assert np.isfinite(history.test_rmse)
    assert session.model().metrics["test"]["n_samples"] == 30
    job = session.make_job()
    assert (job.config.validation_fraction, job.config.test_fraction) == (0.0, 0.0) and len(job.with_data().X_test) == 30


def test_min_delta_reaches_training_in_its_units():
    session = health_session()
    session.set_config(TrainConfig(epochs=5, seed=1, validation_fraction=0.3, early_stopping_patience=2,
                                   min_delta=0.5, target_rmse=1.0))
    job = session.make_job()
    assert job.config.min_delta == pytest.approx(0.5 / session.rmse_unit_scale)
    assert job.config.target_rmse == pytest.approx(1.0 / session.rmse_unit_scale)


def test_rmse_in_user_units_for_single_regression_target():
    session = health_session()
    history = session.train()
    predictions = session.model().predict(session.dataset.frame)["predicted_output"].to_numpy()
    actual = session.dataset.frame["output"].to_numpy()
    user_rmse = np.sqrt(np.mean((predictions - actual) ** 2))
    assert history.train_rmse[-1] * session.rmse_unit_scale == pytest.approx(user_rmse, rel=1e-9)


def test_no_dataset_is_a_clear_error():
    with pytest.raises(DataError, match="Open a dataset"):
        TrainingSession().prepare()


def test_invalid_loss_for_output_is_reported_when_preparing():
    session = health_session()
    session.set_spec(NetworkSpec(hidden_layers=[2], output_activation="identity", loss="cross_entropy"))
    with pytest.raises(DataError, match="Cross-entropy"):
        session.prepare()


def test_target_rmse_is_in_the_targets_units():
    session = health_session()
    session.set_config(TrainConfig(epochs=100000, learning_rate=0.05, seed=1, target_rmse=1.0))
    history = session.train()
    assert history.stop_reason == "target_reached"
    user_rmse = history.train_rmse * session.rmse_unit_scale
    assert user_rmse[-1] <= 1.0 < user_rmse[-2]


def test_editing_the_graph_keeps_trained_weights_of_untouched_connections():
    from mlp_desktop.core.graph import NetworkGraph

    session = health_session()
    graph = NetworkGraph(["age", "exercise", "diet"], ["output"], [(2, "sigmoid")])
    session.set_spec(graph.to_spec(), graph.to_dict())
    session.train(epochs=50)
    trained = session.net.get_parameters()
    graph.add_neuron(1)
    session.set_spec(graph.to_spec(), graph.to_dict())
    session.prepare()
    assert session.net.layer_sizes == (3, 3, 1)
    assert session.reset_parameter_names == ["W1[0,2]", "W1[1,2]", "W1[2,2]", "b1[2]", "W2[2,0]"]
    names = session.net.parameter_names()
    kept = {name: value for name, value in zip(names, session.net.get_parameters())}
    assert kept["W1[1,1]"] == trained[3] and kept["W2[1,0]"] == trained[9] and kept["b2[0]"] == trained[10]
    session.train(epochs=5)  # and training goes on
    assert session.history.last_epoch == 5


def test_changing_only_the_initialisation_waits_for_reset():
    session = health_session()
    session.train(epochs=10)
    net = session.net
    session.set_spec(NetworkSpec(hidden_layers=[2], activations="sigmoid", init="he"))
    session.prepare()
    assert session.net is net and session.history.last_epoch == 10
    session.reset_weights()
    assert session.net.init == "he" and session.history.last_epoch == 0


def test_model_from_a_live_snapshot_without_metrics():
    session = health_session()
    session.train(epochs=20)
    snapshot = session.net.get_parameters() * 0.5
    model = session.model(params=snapshot, with_metrics=False)
    np.testing.assert_array_equal(model.net.get_parameters(), snapshot)
    assert model.metrics == {} and len(session.row_sets.train) == 6 and len(session.row_sets.validation) == 0
    np.testing.assert_array_equal(session.net.get_parameters() * 0.5, snapshot)  # the session is untouched


def test_trained_sample_session_for_demos():
    from mlp_desktop.core.session import trained_sample_session

    session = trained_sample_session("health_score", (2,), epochs=5, validation_fraction=0.0)
    assert session.history.last_epoch == 5 and session.net.layer_sizes == (3, 2, 1)


def test_row_frames_are_taken_once_per_split():
    session = health_session()
    session.set_config(TrainConfig(epochs=1, seed=1, validation_fraction=0.34))
    session.prepare()
    train, validation = session.row_sets.train, session.row_sets.validation
    assert session.row_sets.train is train and session.row_sets.validation is validation
    assert train.equals(session.dataset.frame.iloc[session.train_rows])
    assert validation.equals(session.dataset.frame.iloc[session.val_rows])
    session.set_config(TrainConfig(epochs=1, seed=2, validation_fraction=0.34))
    session.prepare()
    assert session.row_sets.train is not train
    assert session.row_sets.train.equals(session.dataset.frame.iloc[session.train_rows])
    rows = session.row_sets
    metrics = session.model().metrics  # scored on the same frames the views take, not copies of their own
    assert rows.taken == ("train", "validation") and rows.train is session.row_sets.train
    assert metrics["validation"]["n_samples"] == len(session.val_rows)


def test_row_sets_take_each_part_when_first_asked_for():
    from mlp_desktop.core.session import RowSets

    frame = pd.DataFrame({"x": [1.0, 2.0, 3.0, 4.0], "y": list("abcd")})
    rows = RowSets(frame, [0, 2], [3], [1])
    assert rows.taken == () and (rows.n_rows("train"), rows.n_rows("validation"), rows.n_rows("test")) == (2, 1, 1)
    assert rows.validation.equals(frame.iloc[[3]]) and rows.taken == ("validation",)
    assert rows.train is rows.train and rows.train.equals(frame.iloc[[0, 2]]) and rows.test.equals(frame.iloc[[1]])
    ready = RowSets.of_frames(frame)
    assert ready.train is frame and len(ready.validation) == 0 == ready.n_rows("test")


def test_preparing_data_makes_no_training_arrays_until_a_run_needs_them():
    # Opening a 20,000 x 785 table made 250 MB of arrays before anything was trained.
    session = health_session()
    session.set_config(TrainConfig(epochs=1, seed=1, validation_fraction=0.34))
    session.prepare()
    assert session.row_sets.taken == ()
    job = session.make_job()
    assert job.X is None  # made by the thread that runs the job, if the training process lacks them
    job = job.with_data()
    assert job.make_data is None
    pre = session.preprocessor
    expected = pre.transform_inputs(session.dataset.frame.iloc[session.train_rows])
    assert job.X.tobytes() == expected.tobytes() and job.X.flags.c_contiguous
    assert session.input_ranges == {name: (float(session.row_sets.train[name].min()), float(session.row_sets.train[name].max()))
                                    for name in pre.inputs}


def test_the_training_process_gets_the_arrays_made_once_per_data():
    # The arrays are made in the thread that runs the job, and not at all when the child has them.
    from dataclasses import replace

    from mlp_desktop.core.training_process import TrainingProcess

    session = health_session()
    session.set_config(TrainConfig(epochs=1, seed=1))
    made, sent = [], []

    class Connection:  # the pipe to a child that answers every job at once
        def send(self, message):
            sent.append(message[1])

        def recv(self):
            job = sent[-1]
            return "done", job.params, job.history

    def counted(job):
        def make():
            made.append(job.data_key)
            return job.make_data()
        return replace(job, make_data=make)

    process = TrainingProcess()
    process.start = lambda: None
    process._connection = Connection()
    process.run(counted(session.make_job()), lambda report: None)
    process.run(counted(session.make_job()), lambda report: None)
    assert made == [session.data_key] and sent[0].X is not None and sent[1].X is None
    assert sent[0].make_data is None and sent[1].make_data is None  # nothing unpicklable goes to the child
    session.set_config(TrainConfig(epochs=1, seed=2))  # another split: the arrays are made again
    process.run(counted(session.make_job()), lambda report: None)
    assert len(made) == 2 and sent[2].X is not None


@pytest.mark.parametrize("error, message", [(MemoryError(), "not enough free memory"),
                                            (DataError("A bad cell."), "A bad cell."),
                                            (RuntimeError("boom"), "failed unexpectedly: boom")])
def test_training_data_that_cannot_be_made_ends_the_run_with_a_message(error, message):
    # Made in the training thread, a failure used to escape it: the window stayed "training" for good.
    from dataclasses import replace

    from mlp_desktop.core.training_process import InProcessRunner, TrainingFailed, TrainingProcess

    session = health_session()
    session.set_config(TrainConfig(epochs=1, seed=1))

    def fail():
        raise error

    job = replace(session.make_job(), make_data=fail)
    with pytest.raises(TrainingFailed, match=message):
        InProcessRunner().run(job, lambda report: None)
    process = TrainingProcess()
    process.start = lambda: None  # no child: the failure comes before anything is sent
    with pytest.raises(TrainingFailed, match=message):
        process.run(job, lambda report: None)


def test_training_on_after_an_early_stop_continues_from_the_best_epoch():
    """The Python API does what the app does: the epochs after the best one are dropped."""
    session = health_session()
    session.set_config(TrainConfig(epochs=400, learning_rate=0.05, optimizer="adam", seed=3,
                                   validation_fraction=0.3, early_stopping_patience=20))
    first = session.train()
    best = first.best_epoch
    assert first.stop_reason == "early_stopped" and best < first.last_epoch
    weights = session.net.get_parameters()
    session.set_config(TrainConfig(epochs=5, learning_rate=0.05, optimizer="adam", seed=3, validation_fraction=0.3))
    history = session.train()
    np.testing.assert_array_equal(history.epochs, np.arange(1, best + 6))
    np.testing.assert_array_equal(history.params[best - 1], weights)
    assert session.continue_from_weights() is None  # nothing more to drop
