"""The editable network graph, carrying weights over edits, and the one-row step-through."""

import numpy as np
import pytest

from mlp_desktop.core import MLP, DataError, TrainConfig, train
from mlp_desktop.core.graph import NetworkGraph
from mlp_desktop.core.parameters import parameter_keys, parameter_names, transfer_parameters
from mlp_desktop.core.stepthrough import apply_step, parameter_steps, step_through


def health_graph():
    return NetworkGraph(["age", "exercise", "diet"], ["output"], [(2, "sigmoid")])


def test_graph_converts_to_the_engine_description():
    graph = health_graph()
    assert graph.layer_sizes == [3, 2, 1]
    spec = graph.to_spec(loss="mse")
    assert spec.hidden_layers == [2] and spec.hidden_activations() == ["sigmoid"] and spec.loss == "mse"
    assert graph.resolved_output_activation("regression") == "identity"
    assert graph.resolved_output_activation("classification") == "softmax"


def test_edits_emit_events_and_keep_ids():
    graph = health_graph()
    events = []
    graph.subscribe(events.append)
    layer = graph.insert_layer(2, 3, "tanh")
    graph.add_neuron(1)
    graph.set_activation(2, "relu")
    graph.move_layer(1, 2)
    removed = graph.remove_layer(1)
    assert [e.kind for e in events] == ["layer_inserted", "layer_changed", "layer_changed", "layer_moved",
                                        "layer_removed"]
    assert removed.id == layer.id and graph.layer_sizes == [3, 3, 1]
    graph.set_io(["a", "b"], ["y1", "y2"])
    assert graph.layer_sizes == [2, 3, 2] and events[-1].kind == "io_changed"


def test_snapshots_restore_exactly():
    graph = health_graph()
    before = graph.to_dict()
    graph.insert_layer(1, 4, "relu")
    graph.remove_neuron(1, 0)
    graph.set_activation(3, "sigmoid")
    graph.restore(before)
    assert graph.to_dict()["layers"] == before["layers"]
    # ids handed out after a restore never clash with the restored ones
    new_id = graph.add_neuron(1)
    assert new_id not in [i for layer in before["layers"] for i in layer["neuron_ids"]]


@pytest.mark.parametrize("action,message", [
    (lambda g: g.remove_neuron(1), "at least one neuron"),  # the layer has one neuron left
    (lambda g: g.set_activation(1, "softmax"), "output layer only"),
    (lambda g: g.set_activation(0, "tanh"), "no activation"),
    (lambda g: g.remove_layer(0), "no hidden layer"),
    (lambda g: g.insert_layer(0), "between the input and output"),
    (lambda g: g.set_size(1, 0), "between 1 and"),
    (lambda g: g.set_activation(2, "swish"), "output activation must be"),
])
def test_invalid_edits_explain_themselves(action, message):
    graph = NetworkGraph(["x"], ["y"], [(1, "tanh")])
    with pytest.raises(DataError, match=message):
        action(graph)


def test_validation_against_task_and_loss():
    graph = health_graph()
    graph.validate("regression")
    graph.set_activation(2, "identity")
    with pytest.raises(DataError, match="softmax or sigmoid"):
        graph.validate("classification")
    with pytest.raises(DataError, match="Cross-entropy"):
        graph.validate("regression", loss="cross_entropy")
    graph.set_io([], ["y"])
    with pytest.raises(DataError, match="input layer has no neurons"):
        graph.validate("regression")


def test_parameter_keys_follow_the_engine_order():
    graph = health_graph()
    net = MLP(graph.layer_sizes, ["sigmoid", "identity"])
    keys = parameter_keys(graph.to_dict())
    assert len(keys) == net.n_parameters
    hidden_ids = graph.layers[1].neuron_ids
    assert keys[1] == ("W", (0, "age"), (graph.layers[1].id, hidden_ids[1]))  # W1[0,1]
    assert keys[6][0] == "b" and keys[-1] == ("b", (-1, "output"))


def test_untouched_connections_keep_their_weights():
    graph = health_graph()
    old_state = graph.to_dict()
    old = np.arange(11.0)
    graph.remove_neuron(1, 0)      # neuron 0 of the hidden layer goes
    graph.add_neuron(1)            # a new one comes
    new_state = graph.to_dict()
    combined, fresh = transfer_parameters(old_state, old, new_state, np.full(11, -1.0))
    # W1 rows: [age, exercise, diet] x [old neuron 1, new neuron]
    np.testing.assert_array_equal(combined[:6], [1, -1, 3, -1, 5, -1])
    assert combined[6] == 7 and combined[7] == -1          # biases of layer 1
    assert combined[8] == 9 and combined[9] == -1 and combined[10] == 10  # W2 and b2
    assert fresh == [1, 3, 5, 7, 9]
    graph.set_activation(1, "tanh")  # an activation change touches no connection
    kept, fresh = transfer_parameters(new_state, combined, graph.to_dict(), np.zeros(11))
    np.testing.assert_array_equal(kept, combined) and fresh == []


def test_step_through_matches_the_engine_and_training():
    net = MLP([2, 2, 1], ["sigmoid", "sigmoid"], seed=0)
    net.weights = [np.array([[0.15, 0.25], [0.20, 0.30]]), np.array([[0.40], [0.45]])]
    net.biases = [np.array([0.35, 0.35]), np.array([0.60])]
    x, y = np.array([0.05, 0.10]), np.array([0.01])
    step = step_through(net, x, y, "mse", learning_rate=0.5)
    np.testing.assert_allclose(step.activations[1], [0.5932699921071872, 0.596884378259767], rtol=1e-12)
    assert step.output[0] == pytest.approx(0.7513650695523157, rel=1e-12)
    loss, weight_grads, bias_grads = net.loss_and_gradients(x[None, :], y[None, :])
    assert step.loss == loss
    for a, b in zip(step.weight_grads + step.deltas, weight_grads + bias_grads):
        np.testing.assert_array_equal(a, b)
    # the weight gradient is the incoming activation times the neuron's delta
    np.testing.assert_allclose(step.weight_grads[1][:, 0], step.activations[1] * step.deltas[1][0])
    trained = net.copy()
    train(trained, x[None, :], y[None, :], TrainConfig(epochs=1, learning_rate=0.5, batch_size=1))
    apply_step(net, step)
    np.testing.assert_allclose(net.get_parameters(), trained.get_parameters(), rtol=1e-13)


def test_parameter_steps_list_every_parameter_before_its_gradient_and_after():
    net = MLP([3, 2, 1], ["sigmoid", "identity"], seed=3)
    step = step_through(net, np.array([0.2, 0.5, 0.9]), np.array([0.3]), "mse", learning_rate=0.1)
    rows = parameter_steps(step)
    before = net.get_parameters()
    apply_step(net, step)
    assert [row.name for row in rows] == parameter_names([3, 2, 1])
    np.testing.assert_array_equal([row.value for row in rows], before)
    np.testing.assert_array_equal([row.new_value for row in rows], net.get_parameters())
    np.testing.assert_allclose([row.change for row in rows], -0.1 * np.array([row.gradient for row in rows]),
                               rtol=1e-9, atol=1e-15)
