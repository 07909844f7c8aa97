"""The MLP: shapes, parameter order, initialisation and exact gradients."""

import itertools

import numpy as np
import pytest

from mlp_desktop.core import ACTIVATIONS, MLP, DataError

HIDDEN = ["identity", "sigmoid", "tanh", "relu", "leaky_relu"]


def numeric_gradient(net, X, Y, loss, eps=1e-6):
    base = net.get_parameters()
    grad = np.zeros_like(base)
    for i in range(base.size):
        for sign in (+1, -1):
            shifted = base.copy()
            shifted[i] += sign * eps
            net.set_parameters(shifted)
            grad[i] += sign * net.loss_and_gradients(X, Y, loss)[0]
    net.set_parameters(base)
    return grad / (2 * eps)


def flat(weight_grads, bias_grads):
    return np.concatenate([np.concatenate([w.ravel(), b]) for w, b in zip(weight_grads, bias_grads)])


def targets_for(output, rng, n, k):
    if output == "softmax":
        return np.eye(k)[rng.integers(0, k, n)]
    if output == "sigmoid":
        return rng.integers(0, 2, (n, k)).astype(float)
    return rng.normal(size=(n, k))


CASES = [
    # every hidden activation with every valid (output activation, loss) pair, 1-3 hidden layers
    (hidden, output, loss, n_hidden)
    for hidden in HIDDEN
    for output, loss in [("identity", "mse"), ("sigmoid", "mse"), ("tanh", "mse"), ("softmax", "mse"),
                         ("sigmoid", "cross_entropy"), ("softmax", "cross_entropy"), ("relu", "mse"),
                         ("leaky_relu", "mse")]
    for n_hidden in (1, 2, 3)
]


@pytest.mark.parametrize("hidden,output,loss,n_hidden", CASES)
def test_gradients_match_finite_differences(hidden, output, loss, n_hidden):
    rng = np.random.default_rng(hash((hidden, output, loss, n_hidden)) % 2**32)
    sizes = [int(rng.integers(1, 5))] + [int(rng.integers(2, 6)) for _ in range(n_hidden)]
    sizes.append(int(rng.integers(2, 4)))
    net = MLP(sizes, [hidden] * n_hidden + [output], init="normal", init_std=0.7,
              bias_init="like_weights", seed=int(rng.integers(1000)))
    n = int(rng.integers(1, 7))
    X = rng.normal(size=(n, sizes[0]))
    # keep relu-family inputs away from the kink, where the derivative is undefined
    Y = targets_for(output, rng, n, sizes[-1])
    loss_value, weight_grads, bias_grads = net.loss_and_gradients(X, Y, loss)
    expected = numeric_gradient(net, X, Y, loss)
    np.testing.assert_allclose(flat(weight_grads, bias_grads), expected, rtol=1e-5, atol=1e-7)
    assert np.isfinite(loss_value)


def test_gradient_shapes_follow_weights():
    net = MLP([3, 4, 2], ["tanh", "identity"], seed=0)
    _, gw, gb = net.loss_and_gradients(np.ones((5, 3)), np.zeros((5, 2)))
    assert [g.shape for g in gw] == [(3, 4), (4, 2)]
    assert [g.shape for g in gb] == [(4,), (2,)]


def test_shapes_names_and_parameter_order():
    net = MLP([3, 2, 1], ["sigmoid", "identity"], init="uniform", init_range=(-1.0, 1.0), seed=1)
    assert [w.shape for w in net.weights] == [(3, 2), (2, 1)]
    assert [b.shape for b in net.biases] == [(2,), (1,)]
    assert all(w.dtype == np.float64 for w in net.weights)
    names = net.parameter_names()
    assert names[:8] == ["W1[0,0]", "W1[0,1]", "W1[1,0]", "W1[1,1]", "W1[2,0]", "W1[2,1]", "b1[0]", "b1[1]"]
    assert names[8:] == ["W2[0,0]", "W2[1,0]", "b2[0]"]
    params = net.get_parameters()
    assert params.size == net.n_parameters == 11
    assert params[1] == net.weights[0][0, 1]
    assert params[7] == net.biases[0][1]
    assert params[9] == net.weights[1][1, 0]


def test_positional_layer_sizes_and_activations():
    net = MLP([2, 3, 1], ["tanh", "sigmoid"])
    assert net.layer_sizes == (2, 3, 1)
    assert net.activations == ("tanh", "sigmoid")


def test_weights_and_biases_are_assignable():
    net = MLP([2, 2, 1], ["sigmoid", "sigmoid"], seed=0)
    net.weights[0] = np.array([[1.0, 2.0], [3.0, 4.0]])
    net.biases[1] = [0.5]
    assert net.get_parameters()[:4].tolist() == [1.0, 2.0, 3.0, 4.0]
    assert net.get_parameters()[-1] == 0.5
    net.weights = [np.zeros((2, 2)), np.ones((2, 1))]
    assert net.forward([[1.0, 1.0]])[0, 0] == pytest.approx(1 / (1 + np.exp(-1.5)))
    net.weights[1][0, 0] = 7.0  # in-place edits reach the parameter vector too
    assert net.get_parameters()[6] == 7.0  # W2[0,0] follows W1 (4) and b1 (2)
    with pytest.raises(DataError, match="shape"):
        net.weights[0] = np.zeros((3, 3))


def test_set_parameters_round_trip_and_length_check():
    net = MLP([2, 3, 2], ["relu", "softmax"], seed=0)
    values = np.arange(net.n_parameters, dtype=float)
    net.set_parameters(values)
    np.testing.assert_array_equal(net.get_parameters(), values)
    with pytest.raises(DataError, match="Expected 17"):
        net.set_parameters(values[:-1])


def test_forward_matches_hand_computation():
    net = MLP([2, 2, 1], ["sigmoid", "identity"], seed=0)
    net.weights = [np.array([[0.1, 0.2], [0.3, 0.4]]), np.array([[0.5], [0.6]])]
    net.biases = [np.array([0.01, 0.02]), np.array([0.03])]
    x = np.array([[1.0, 2.0]])
    h = 1 / (1 + np.exp(-(x @ net.weights[0] + net.biases[0])))
    expected = h @ net.weights[1] + net.biases[1]
    np.testing.assert_allclose(net.forward(x), expected, rtol=1e-15)
    trace = net.forward_layers(x)
    np.testing.assert_allclose(trace[0].z, x @ net.weights[0] + net.biases[0])
    np.testing.assert_allclose(trace[0].a, h)


@pytest.mark.parametrize("init", ["uniform", "normal", "xavier", "he"])
def test_same_seed_same_weights(init):
    a = MLP([4, 5, 3], ["tanh", "softmax"], init=init, seed=42)
    b = MLP([4, 5, 3], ["tanh", "softmax"], init=init, seed=42)
    c = MLP([4, 5, 3], ["tanh", "softmax"], init=init, seed=43)
    np.testing.assert_array_equal(a.get_parameters(), b.get_parameters())
    assert not np.array_equal(a.get_parameters(), c.get_parameters())


def test_uniform_range_and_bias_options():
    net = MLP([50, 40, 1], ["sigmoid", "identity"], init="uniform", init_range=(0.1, 0.9), seed=3)
    w = np.concatenate([w.ravel() for w in net.weights])
    assert w.min() >= 0.1 and w.max() < 0.9
    assert all((b == 0).all() for b in net.biases)
    net = MLP([50, 40, 1], ["sigmoid", "identity"], init="uniform", init_range=(0.1, 0.9),
              bias_init="like_weights", seed=3)
    assert all(((b >= 0.1) & (b < 0.9)).all() for b in net.biases)


def test_initialiser_scales():
    he = MLP([400, 300, 1], ["relu", "identity"], init="he", seed=0).weights[0]
    assert he.std() == pytest.approx(np.sqrt(2 / 400), rel=0.05)
    xavier = MLP([400, 300, 1], ["tanh", "identity"], init="xavier", seed=0).weights[0]
    assert np.abs(xavier).max() <= np.sqrt(6 / 700)
    normal = MLP([400, 300, 1], ["tanh", "identity"], init="normal", init_std=0.3, seed=0).weights[0]
    assert normal.std() == pytest.approx(0.3, rel=0.05)


def test_stable_for_huge_pre_activations():
    for output, loss in [("sigmoid", "cross_entropy"), ("softmax", "cross_entropy"), ("sigmoid", "mse")]:
        net = MLP([1, 2], [output], seed=0)
        net.weights = [np.array([[1000.0, -1000.0]])]
        X = np.array([[1.0], [-1.0], [800.0]])
        Y = np.array([[1.0, 0.0], [0.0, 1.0], [0.0, 1.0]])
        with np.errstate(over="raise", invalid="raise", divide="raise"):
            value, gw, gb = net.loss_and_gradients(X, Y, loss)
        assert np.isfinite(value)
        assert value > 100 if loss == "cross_entropy" else value > 0.3  # one sample is badly wrong
        assert all(np.isfinite(g).all() for g in gw + gb)
        out = net.forward(X)
        assert np.isfinite(out).all() and out.min() >= 0 and out.max() <= 1


def test_activation_table_functions_and_derivatives():
    z = np.linspace(-3, 3, 13).reshape(1, -1)
    for name, activation in ACTIVATIONS.items():
        a = activation(z)
        if name == "softmax":
            assert a.sum() == pytest.approx(1.0)
            continue
        h = 1e-6
        numeric = (activation(z + h) - activation(z - h)) / (2 * h)
        mask = np.abs(z) > 1e-3  # relu-family kink at 0
        np.testing.assert_allclose(activation.derivative(a)[mask], numeric[mask], rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize("sizes,activations,message", [
    ([3], [], "at least an input and an output"),
    ([3, 0, 1], ["tanh", "identity"], "at least one neuron"),
    ([3, 2.5, 1], ["tanh", "identity"], "at least one neuron"),
    ([3, 2, 1], ["tanh"], "one activation per"),
    ([3, 2, 1], ["softmax", "identity"], "only be used on the output"),
    ([3, 2, 1], ["tanh", "swish"], "Unknown activation"),
])
def test_invalid_networks_explain_themselves(sizes, activations, message):
    with pytest.raises(DataError, match=message):
        MLP(sizes, activations)


def test_invalid_loss_pairs_explain_themselves():
    net = MLP([2, 2, 1], ["tanh", "identity"])
    with pytest.raises(DataError, match="sigmoid or softmax output"):
        net.loss_and_gradients(np.ones((1, 2)), np.ones((1, 1)), "cross_entropy")
    with pytest.raises(DataError, match="Unknown loss"):
        net.loss_and_gradients(np.ones((1, 2)), np.ones((1, 1)), "hinge")
    with pytest.raises(DataError, match="at least two neurons"):
        MLP([2, 1], ["softmax"]).loss_and_gradients(np.ones((1, 2)), np.ones((1, 1)), "cross_entropy")


def test_input_shape_errors():
    net = MLP([3, 1], ["identity"])
    with pytest.raises(DataError, match="3 columns"):
        net.forward(np.ones((4, 2)))
    with pytest.raises(DataError, match="must be numbers"):
        net.forward([["a", "b", "c"]])
    assert net.forward([1.0, 2.0, 3.0]).shape == (1, 1)  # one sample as a flat list


def test_copy_is_independent():
    net = MLP([2, 3, 1], ["tanh", "identity"], seed=0)
    twin = net.copy()
    twin.weights[0][0, 0] += 1.0
    assert net.weights[0][0, 0] != twin.weights[0][0, 0]
    np.testing.assert_array_equal(net.get_parameters()[1:], twin.get_parameters()[1:])


@pytest.mark.parametrize("activations", [["tanh", "identity"], ["sigmoid", "softmax"], ["relu", "sigmoid"],
                                         ["leaky_relu", "tanh", "identity"]])
def test_jacobian_matches_finite_differences(activations):
    from mlp_desktop.core.network import Backprop

    rng = np.random.default_rng(2)
    sizes = [3] + [4] * (len(activations) - 1) + [3]
    net = MLP(sizes, activations, seed=1)
    X = rng.normal(size=(5, 3))
    backprop = Backprop(net, "mse")
    ws = backprop.workspace(5)
    XT = backprop.augment(X).T
    backprop.forward(XT, ws)
    jacobian = backprop.jacobian(XT, ws, np.empty((5, 3, net.n_parameters)))
    params, h = net.get_parameters(), 1e-6
    numeric = np.empty_like(jacobian)
    for i in range(params.size):
        up, down = params.copy(), params.copy()
        up[i] += h
        down[i] -= h
        net.set_parameters(up)
        f_up = net.forward(X)
        net.set_parameters(down)
        numeric[:, :, i] = (f_up - net.forward(X)) / (2 * h)
    np.testing.assert_allclose(jacobian, numeric, atol=1e-8)
