"""The `mlp-desktop` command line: train, predict, evaluate and export.

Almost everything calls ``mlp_desktop.cli.main([...])`` in-process (fast, output through capsys);
a few tests start a real process where only a process can show the behaviour (the entry point,
a terminal's progress bar, a closed pipe).
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from mlp_desktop.cli import main
from mlp_desktop.core.model import load_model
from mlp_desktop.core.samples import sample_path

HEALTH = sample_path("health_score", ".csv")
HEALTH_XLSX = sample_path("health_score", ".xlsx")
AND_GATE = sample_path("and_gate", ".csv")
IRIS = sample_path("iris", ".csv")
IRIS_XLSX = sample_path("iris", ".xlsx")
MOONS = sample_path("two_moons", ".csv")
SPECIES = ["setosa", "versicolor", "virginica"]
PRECIOUS = b"precious bytes that a failed run must leave alone\n"

# A health-score network that fits the six rows well in a fraction of a second.
HEALTH_OPTIONS = ["--hidden", "3", "--activation", "sigmoid", "--scale", "minmax", "--lr", "0.05",
                  "--epochs", "2000", "--seed", "1"]


# -- helpers -------------------------------------------------------------------------------------
def cli(capsys, *args) -> tuple[int, str, str]:
    """Run the command in-process; return (exit code, stdout, stderr)."""
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


def assert_user_error(code: int, err: str, *fragments: str) -> str:
    """Exit code 2, exactly one line ``error: ...`` on stderr, no traceback."""
    assert code == 2, err
    assert "Traceback" not in err
    lines = err.strip().splitlines()
    assert len(lines) == 1, f"expected one error line, got: {err!r}"
    assert lines[0].startswith("error: "), lines[0]
    assert "unexpected" not in lines[0], lines[0]
    for fragment in fragments:
        assert fragment.lower() in lines[0].lower(), lines[0]
    return lines[0]


def usage_error(capsys, *args) -> str:
    """Exit code 2 and an ``error:`` message: argparse's for a malformed command line, or the settings
    schema's one line for a value it does not allow."""
    try:
        code = main([str(a) for a in args])
    except SystemExit as exit_info:
        code = exit_info.code
    assert code == 2
    _, err = capsys.readouterr()
    assert "Traceback" not in err
    return err


def train(capsys, tmp_path: Path, data, *options, name: str = "model.json") -> tuple[Path, str, str]:
    path = tmp_path / name
    code, out, err = cli(capsys, "train", data, "--save", path, *options)
    assert code == 0, err
    return path, out, err


def saved(path: Path) -> dict:
    return json.loads(Path(path).read_text(encoding="utf-8"))


def precious(path: Path) -> Path:
    path.write_bytes(PRECIOUS)
    return path


def assert_untouched(path: Path) -> None:
    assert path.read_bytes() == PRECIOUS


def no_temporary_files(folder: Path) -> None:
    leftovers = [p.name for p in folder.iterdir() if p.name.endswith(".tmp") or ".tmp." in p.name]
    assert not leftovers, leftovers


def model_file(tmp_path_factory, data, *options, name="model.json") -> Path:
    path = tmp_path_factory.mktemp("models") / name
    assert main(["train", str(data), "--save", str(path), *map(str, options)]) == 0
    return path


@pytest.fixture(scope="module")
def health_model(tmp_path_factory) -> Path:
    return model_file(tmp_path_factory, HEALTH, *HEALTH_OPTIONS)


@pytest.fixture(scope="module")
def iris_model(tmp_path_factory) -> Path:
    return model_file(tmp_path_factory, IRIS, "--epochs", "100", "--lr", "0.1", "--seed", "0")


@pytest.fixture(scope="module")
def and_sigmoid_model(tmp_path_factory) -> Path:
    return model_file(tmp_path_factory, AND_GATE, "--task", "classification", "--output-activation", "sigmoid",
                      "--hidden", "2", "--epochs", "300", "--lr", "0.5", "--seed", "0")


@pytest.fixture(scope="module")
def color_csv(tmp_path_factory) -> Path:
    """A regression table with a text input column: size, color (red/green/blue) -> output."""
    rng = np.random.default_rng(0)
    frame = pd.DataFrame({"size": rng.uniform(0, 10, 30).round(2), "color": rng.choice(["red", "green", "blue"], 30)})
    frame["output"] = 2 * frame["size"] + frame["color"].map({"red": 1.0, "green": 5.0, "blue": -3.0})
    path = tmp_path_factory.mktemp("color") / "color.csv"
    frame.to_csv(path, index=False)
    return path


@pytest.fixture(scope="module")
def color_model(tmp_path_factory, color_csv) -> Path:
    return model_file(tmp_path_factory, color_csv, "--hidden", "4", "--epochs", "50", "--lr", "0.05", "--seed", "0")


def bad_number_csv(folder: Path) -> Path:
    """Health-score-like data where one cell of a number column holds text."""
    path = folder / "bad_number.csv"
    path.write_text("age,exercise,diet,output\n60,8,7,7\n63,two,2,3\n17,7,7,9\n35,4,5,6\n90,1,1,1\n10,9,7,10\n",
                    encoding="utf-8")
    return path


def read_csv_text(text: str) -> pd.DataFrame:
    return pd.read_csv(io.StringIO(text))


# -- train: the network it builds ----------------------------------------------------------------
def test_classification_defaults_to_softmax_output_and_cross_entropy(iris_model):
    model = saved(iris_model)
    assert model["network"]["layer_sizes"] == [4, 8, 3]
    assert model["network"]["activations"] == ["tanh", "softmax"]
    assert model["loss"] == "cross_entropy"
    assert model["preprocessing"]["task"] == "classification"
    assert model["preprocessing"]["classes"] == SPECIES


def test_regression_defaults_to_identity_output_and_mse(capsys, tmp_path):
    path, _, _ = train(capsys, tmp_path, HEALTH, "--epochs", "0")
    model = saved(path)
    assert model["network"]["layer_sizes"] == [3, 8, 1]
    assert model["network"]["activations"] == ["tanh", "identity"]
    assert model["loss"] == "mse"
    assert model["preprocessing"]["task"] == "regression"


def test_sigmoid_output_on_two_classes_is_one_neuron_with_binary_cross_entropy(and_sigmoid_model):
    model = saved(and_sigmoid_model)
    assert model["network"]["layer_sizes"] == [2, 2, 1]
    assert model["network"]["activations"] == ["tanh", "sigmoid"]
    assert model["loss"] == "cross_entropy"
    assert model["preprocessing"]["classes"] == ["0", "1"]


def test_sigmoid_output_on_two_classes_with_mse_loss(capsys, tmp_path):
    path, _, _ = train(capsys, tmp_path, AND_GATE, "--task", "classification", "--output-activation", "sigmoid",
                       "--loss", "mse", "--epochs", "3", "--seed", "0")
    model = saved(path)
    assert model["network"]["layer_sizes"] == [2, 8, 1]
    assert model["network"]["activations"][-1] == "sigmoid"
    assert model["loss"] == "mse"


def test_numeric_target_as_classes_gets_softmax_over_both_classes(capsys, tmp_path):
    path, _, _ = train(capsys, tmp_path, AND_GATE, "--task", "classification", "--epochs", "3", "--seed", "0")
    model = saved(path)
    assert model["network"]["layer_sizes"] == [2, 8, 2]
    assert model["network"]["activations"][-1] == "softmax"
    assert model["loss"] == "cross_entropy"


@pytest.mark.parametrize("hidden, activation, expected", [
    ("3,3", "tanh,sigmoid", ["tanh", "sigmoid", "identity"]),
    ("4,2", "relu", ["relu", "relu", "identity"]),
    ("5", "leaky_relu", ["leaky_relu", "identity"]),
])
def test_hidden_layers_and_their_activations(capsys, tmp_path, hidden, activation, expected):
    path, _, _ = train(capsys, tmp_path, HEALTH, "--hidden", hidden, "--activation", activation, "--epochs", "2")
    network = saved(path)["network"]
    assert network["layer_sizes"] == [3, *map(int, hidden.split(",")), 1]
    assert network["activations"] == expected


def test_wrong_number_of_activations_is_a_user_error(capsys, tmp_path):
    save = precious(tmp_path / "model.json")
    code, _, err = cli(capsys, "train", HEALTH, "--save", save, "--hidden", "3,3",
                       "--activation", "tanh,sigmoid,relu")
    assert_user_error(code, err, "activation")
    assert_untouched(save)


def test_unknown_activation_is_a_user_error(capsys, tmp_path):
    code, _, err = cli(capsys, "train", HEALTH, "--save", tmp_path / "m.json", "--activation", "bogus")
    assert_user_error(code, err, "bogus")
    assert not (tmp_path / "m.json").exists()


def test_init_range_bounds_the_initial_uniform_weights_and_biases(capsys, tmp_path):
    path, _, _ = train(capsys, tmp_path, IRIS, "--hidden", "6,5", "--init", "uniform", "--init-range=-0.3,0.2",
                       "--bias-init", "like-weights", "--epochs", "0", "--seed", "3")
    model = saved(path)
    weights = np.concatenate([np.ravel(w) for w in model["network"]["weights"]])
    biases = np.concatenate([np.ravel(b) for b in model["network"]["biases"]])
    assert weights.size == 4 * 6 + 6 * 5 + 5 * 3 and biases.size == 6 + 5 + 3
    for values in (weights, biases):
        assert values.min() >= -0.3 and values.max() < 0.2
        assert values.min() < -0.1 and values.max() > 0.05  # spread over the range, not a constant
    assert model["training"]["network"]["init_range"] == [-0.3, 0.2]
    assert model["training"]["network"]["bias_init"] == "like_weights"


def test_bias_init_zeros_gives_zero_initial_biases(capsys, tmp_path):
    path, _, _ = train(capsys, tmp_path, HEALTH, "--init", "uniform", "--init-range=0.1,0.9", "--bias-init", "zeros",
                       "--epochs", "0", "--seed", "3")
    network = saved(path)["network"]
    assert all(value == 0.0 for b in network["biases"] for value in b)
    weights = np.concatenate([np.ravel(w) for w in network["weights"]])
    assert weights.min() >= 0.1 and weights.max() < 0.9


def test_init_range_accepts_a_negative_low_as_a_separate_word(capsys, tmp_path):
    path, _, _ = train(capsys, tmp_path, HEALTH, "--init", "uniform", "--init-range", "-0.3,0.2", "--epochs", "0")
    weights = np.concatenate([np.ravel(w) for w in saved(path)["network"]["weights"]])
    assert weights.min() >= -0.3 and weights.max() < 0.2


@pytest.mark.parametrize("init", ["uniform", "normal", "xavier", "he"])
def test_every_initialisation_is_accepted_and_recorded(capsys, tmp_path, init):
    path, _, _ = train(capsys, tmp_path, HEALTH, "--init", init, "--epochs", "0", "--seed", "1")
    model = saved(path)
    assert model["training"]["network"]["init"] == init
    assert all(np.isfinite(np.ravel(w)).all() for w in model["network"]["weights"])


def test_normal_initialisation_uses_init_std(capsys, tmp_path):
    path, _, _ = train(capsys, tmp_path, HEALTH, "--init", "normal", "--init-std", "0.001", "--epochs", "0",
                       "--seed", "1")
    weights = np.concatenate([np.ravel(w) for w in saved(path)["network"]["weights"]])
    assert 0 < np.abs(weights).max() < 0.01


# -- train: scaling ------------------------------------------------------------------------------
@pytest.mark.parametrize("output_activation, offset, scale", [
    ("identity", 6.0, float(np.std([7, 3, 9, 6, 1, 10]))),  # standardised
    ("sigmoid", 1.0, 9.0),  # [1, 10] -> [0, 1]
    ("tanh", 5.5, 4.5),  # [1, 10] -> [-1, 1]
])
def test_target_scaling_suits_the_output_activation(capsys, tmp_path, output_activation, offset, scale):
    path, _, _ = train(capsys, tmp_path, HEALTH, "--output-activation", output_activation, "--epochs", "0")
    model = saved(path)
    pre = model["preprocessing"]
    assert model["network"]["activations"][-1] == output_activation
    assert pre["output_activation"] == output_activation
    assert pre["target_offset"] == pytest.approx([offset], rel=1e-12)
    assert pre["target_scale"] == pytest.approx([scale], rel=1e-12)
    scaled = (np.array([7, 3, 9, 6, 1, 10]) - pre["target_offset"][0]) / pre["target_scale"][0]
    if output_activation == "sigmoid":
        assert scaled.min() == pytest.approx(0.0) and scaled.max() == pytest.approx(1.0)
    elif output_activation == "tanh":
        assert scaled.min() == pytest.approx(-1.0) and scaled.max() == pytest.approx(1.0)
    else:
        assert scaled.mean() == pytest.approx(0.0, abs=1e-12) and scaled.std() == pytest.approx(1.0)


@pytest.mark.parametrize("output_activation", ["identity", "sigmoid", "tanh"])
def test_regression_predictions_come_back_in_the_users_units(capsys, tmp_path, output_activation):
    path, _, _ = train(capsys, tmp_path, HEALTH, "--hidden", "3", "--activation", "tanh", "--scale", "minmax",
                       "--output-activation", output_activation, "--lr", "0.1", "--epochs", "2000", "--seed", "1")
    code, out, err = cli(capsys, "predict", path, HEALTH)
    assert code == 0, err
    result = read_csv_text(out)
    predicted = result["predicted_output"].to_numpy()
    actual = result["output"].to_numpy()
    assert np.abs(predicted - actual).max() < 1.0
    assert predicted.min() > 0.5 and predicted.max() < 10.5
    raw = load_model(path).raw_outputs(pd.read_csv(HEALTH))
    if output_activation == "sigmoid":
        assert raw.min() > 0.0 and raw.max() < 1.0  # the network itself answers in [0, 1] ...
        assert predicted.min() >= 1.0 and predicted.max() <= 10.0  # ... the user gets 1..10
    elif output_activation == "tanh":
        assert raw.min() > -1.0 and raw.max() < 1.0
        assert predicted.min() >= 1.0 and predicted.max() <= 10.0


@pytest.mark.parametrize("scale", ["standard", "minmax", "none"])
def test_input_scaling_choice_is_saved(capsys, tmp_path, scale):
    path, _, _ = train(capsys, tmp_path, HEALTH, "--scale", scale, "--epochs", "0")
    pre = saved(path)["preprocessing"]
    assert pre["input_scaling"] == scale
    values = pd.read_csv(HEALTH)[["age", "exercise", "diet"]].to_numpy(dtype=float)
    expected = {
        "standard": (values.mean(axis=0), values.std(axis=0)),
        "minmax": (values.min(axis=0), values.max(axis=0) - values.min(axis=0)),
        "none": (np.zeros(3), np.ones(3)),
    }[scale]
    np.testing.assert_allclose(pre["input_offset"], expected[0], rtol=1e-12)
    np.testing.assert_allclose(pre["input_scale"], expected[1], rtol=1e-12)


# -- train: columns, sheets and options ----------------------------------------------------------
def test_inputs_and_target_choose_the_columns(capsys, tmp_path):
    path, _, _ = train(capsys, tmp_path, HEALTH, "--inputs", "age", "diet", "--target", "output", "--epochs", "2")
    model = saved(path)
    assert model["preprocessing"]["inputs"] == ["age", "diet"]
    assert model["preprocessing"]["targets"] == ["output"]
    assert model["network"]["layer_sizes"][0] == 2


def test_several_targets_give_several_outputs_and_prediction_columns(capsys, tmp_path):
    path, _, _ = train(capsys, tmp_path, HEALTH, "--target", "exercise", "diet", "--epochs", "5", "--seed", "0")
    model = saved(path)
    assert model["preprocessing"]["inputs"] == ["age", "output"]
    assert model["network"]["layer_sizes"][-1] == 2
    code, out, _ = cli(capsys, "predict", path, HEALTH)
    assert code == 0
    assert list(read_csv_text(out).columns) == ["age", "exercise", "diet", "output",
                                                "predicted_exercise", "predicted_diet"]


def test_regression_task_on_a_text_target_is_a_user_error(capsys, tmp_path):
    code, _, err = cli(capsys, "train", IRIS, "--task", "regression", "--save", tmp_path / "m.json")
    assert_user_error(code, err, "species")


def test_sheet_option_reads_the_named_worksheet(capsys, tmp_path):
    path, out, _ = train(capsys, tmp_path, IRIS_XLSX, "--sheet", "iris", "--epochs", "5", "--seed", "0")
    assert saved(path)["metrics"]["train"]["n_samples"] == 150
    code, _, err = cli(capsys, "train", IRIS_XLSX, "--sheet", "nosuch", "--save", tmp_path / "other.json")
    assert_user_error(code, err, "nosuch")


@pytest.mark.parametrize("batch, expected", [("full", None), ("2", 2), ("1", 1)])
def test_batch_size_full_or_a_number(capsys, tmp_path, batch, expected):
    path, _, _ = train(capsys, tmp_path, HEALTH, "--batch-size", batch, "--epochs", "3", "--seed", "0")
    assert saved(path)["training"]["batch_size"] == expected


def test_momentum_and_learning_rate_are_recorded(capsys, tmp_path):
    path, _, _ = train(capsys, tmp_path, HEALTH, "--momentum", "0.9", "--lr", "0.003", "--epochs", "7")
    training = saved(path)["training"]
    assert training["momentum"] == 0.9 and training["learning_rate"] == 0.003
    assert training["epochs"] == 7 and training["epochs_run"] == 7


@pytest.mark.parametrize("option, value", [("--momentum", "1.5"), ("--epochs", "-1"), ("--validation", "1.5"),
                                           ("--lr", "0"), ("--lr", "nan"), ("--seed", "-1")])
def test_out_of_range_settings_are_user_errors(capsys, tmp_path, option, value):
    save = precious(tmp_path / "model.json")
    code, _, err = cli(capsys, "train", HEALTH, "--save", save, option, value)
    assert_user_error(code, err)
    assert_untouched(save)


def test_validation_split_is_reported_and_recorded(capsys, tmp_path):
    path, out, _ = train(capsys, tmp_path, IRIS, "--validation", "0.2", "--epochs", "20", "--seed", "0",
                         "--history", tmp_path / "history.csv")
    metrics = saved(path)["metrics"]
    assert metrics["train"]["n_samples"] == 120 and metrics["validation"]["n_samples"] == 30
    assert "validation" in out
    history = pd.read_csv(tmp_path / "history.csv")
    assert np.isfinite(history["val_rmse"]).all()


def test_drop_missing(capsys, tmp_path):
    data = tmp_path / "gaps.csv"
    data.write_text("age,exercise,diet,output\n60,8,7,7\n63,,2,3\n17,7,7,9\n35,4,5,6\n90,1,1,1\n10,9,7,10\n",
                    encoding="utf-8")
    save = precious(tmp_path / "model.json")
    code, _, err = cli(capsys, "train", data, "--save", save, "--epochs", "3")
    assert_user_error(code, err, "missing")
    assert_untouched(save)
    code, _, err = cli(capsys, "train", data, "--save", save, "--epochs", "3", "--drop-missing")
    assert code == 0, err
    assert "Skipped 1 incomplete row " in err
    assert saved(save)["metrics"]["train"]["n_samples"] == 5


# -- train: what it prints -----------------------------------------------------------------------
def test_train_prints_the_final_regression_metrics(capsys, tmp_path):
    path, out, err = train(capsys, tmp_path, HEALTH, *HEALTH_OPTIONS)
    metrics = saved(path)["metrics"]["train"]
    assert "3-3-1" in out and "2000 epochs" in out
    assert f"RMSE {metrics['rmse']:.6g}" in out
    assert f"MAE {metrics['mae']:.6g}" in out
    assert f"R^2 {metrics['r2']:.4f}" in out
    assert metrics["rmse"] < 0.5 and metrics["r2"] > 0.95
    assert str(path) in out
    assert err == ""


def test_train_prints_the_final_accuracy(capsys, tmp_path):
    path, out, _ = train(capsys, tmp_path, IRIS, "--epochs", "50", "--lr", "0.1", "--seed", "0")
    accuracy = saved(path)["metrics"]["train"]["accuracy"]
    assert f"accuracy {accuracy:.2%} on 150 rows" in out


def test_no_progress_bar_when_stderr_is_not_a_terminal(capsys, tmp_path):
    _, out, err = train(capsys, tmp_path, HEALTH, "--epochs", "3000")
    assert "\r" not in err and "\r" not in out
    assert "epoch 1" not in err and "epochs/s" not in err and "#" not in err


class _FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_bar_follows_the_current_stderr(monkeypatch, tmp_path):
    terminal = _FakeTerminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    assert main(["train", str(HEALTH), "--epochs", "200", "--save", str(tmp_path / "m.json")]) == 0
    assert "\r[" in terminal.getvalue() and "epoch 200/200" in terminal.getvalue()


@pytest.mark.skipif(sys.platform == "win32", reason="needs a pseudo-terminal")
def test_progress_bar_on_a_terminal(tmp_path):
    import pty

    leader, follower = pty.openpty()
    try:
        process = subprocess.run(
            [sys.executable, "-m", "mlp_desktop", "train", str(HEALTH), "--epochs", "500",
             "--save", str(tmp_path / "m.json")],
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=follower, timeout=60,
        )
    finally:
        os.close(follower)
    shown = b""
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the terminal closed
            break
        if not chunk:
            break
        shown += chunk
    os.close(leader)
    assert process.returncode == 0
    text = shown.decode()
    assert "\r[" in text and "epoch 500/500" in text
    assert "Traceback" not in text
    assert b"\r" not in process.stdout  # the bar never goes to stdout


# -- train: history --------------------------------------------------------------------------------
@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_history_has_every_epoch_rmse_and_every_parameter_by_name(capsys, tmp_path, suffix):
    history_path = tmp_path / f"history{suffix}"
    path, out, _ = train(capsys, tmp_path, HEALTH, "--hidden", "2", "--epochs", "40", "--lr", "0.05", "--seed", "4",
                         "--history", history_path)
    assert str(history_path) in out
    history = pd.read_csv(history_path) if suffix == ".csv" else pd.read_excel(history_path)
    model = saved(path)
    names = model["network"]["parameter_names"]
    assert names[:3] == ["W1[0,0]", "W1[0,1]", "W1[1,0]"]
    assert {"b1[0]", "b1[1]", "W2[0,0]", "W2[1,0]", "b2[0]"} <= set(names)
    assert len(names) == 3 * 2 + 2 + 2 * 1 + 1
    assert list(history.columns) == ["epoch", "train_rmse", "val_rmse", *names]
    assert history["epoch"].tolist() == list(range(0, 41))  # epoch 0: the weights before training
    assert history["val_rmse"].isna().all()
    assert history["train_rmse"].iloc[-1] < history["train_rmse"].iloc[0]
    final = load_model(path).net
    np.testing.assert_allclose(history[names].iloc[-1].to_numpy(dtype=float), final.get_parameters(),
                               rtol=1e-12, atol=1e-15)
    assert history["W1[1,0]"].iloc[-1] == pytest.approx(model["network"]["weights"][0][1][0], rel=1e-12)
    assert history["b2[0]"].iloc[-1] == pytest.approx(model["network"]["biases"][1][0], rel=1e-12, abs=1e-15)


def test_history_needs_a_table_suffix(capsys, tmp_path):
    save = precious(tmp_path / "model.json")
    code, _, err = cli(capsys, "train", HEALTH, "--save", save, "--history", tmp_path / "history.txt")
    assert_user_error(code, err, "--history")
    assert_untouched(save)


def test_unwritable_history_leaves_an_existing_model_alone(capsys, tmp_path):
    save = precious(tmp_path / "model.json")
    code, _, err = cli(capsys, "train", HEALTH, "--save", save, "--epochs", "3",
                       "--history", tmp_path / "no_such_folder" / "history.csv")
    assert_user_error(code, err)
    assert_untouched(save)


# -- reproducibility -------------------------------------------------------------------------------
def test_same_seed_gives_identical_model_files(capsys, tmp_path):
    options = ["--hidden", "5,3", "--epochs", "30", "--batch-size", "16", "--shuffle", "--validation", "0.25",
               "--momentum", "0.5", "--init", "normal", "--seed", "5"]
    first, _, _ = train(capsys, tmp_path, MOONS, *options, name="first.json")
    second, _, _ = train(capsys, tmp_path, MOONS, *options, name="second.json")
    assert saved(first) == saved(second)
    assert first.read_bytes() == second.read_bytes()  # nothing time-dependent is stored
    third, _, _ = train(capsys, tmp_path, MOONS, *options[:-1], "6", name="third.json")
    assert saved(third)["network"]["weights"] != saved(first)["network"]["weights"]


# -- train: failures keep existing files ----------------------------------------------------------
@pytest.mark.parametrize("case", ["missing target", "diverging", "text in number column", "save over data"])
def test_failed_training_leaves_existing_outputs_alone(capsys, tmp_path, case):
    save = precious(tmp_path / "model.json")
    history = precious(tmp_path / "history.csv")
    data, extra, fragment = {
        "missing target": (HEALTH, ["--target", "nope"], "nope"),
        "diverging": (HEALTH, ["--lr", "1e9", "--batch-size", "1", "--epochs", "50"], "diverged"),
        "text in number column": (bad_number_csv(tmp_path), ["--epochs", "5"], "two"),
        "save over data": (HEALTH, [], "overwrite"),
    }[case]
    if case == "save over data":
        data = tmp_path / "data.csv"
        data.write_bytes(PRECIOUS)
        save = data
    before = sorted(p.name for p in tmp_path.iterdir())
    code, out, err = cli(capsys, "train", data, "--save", save, "--history", history, *extra)
    assert_user_error(code, err, fragment)
    assert_untouched(save)
    assert_untouched(history)
    assert sorted(p.name for p in tmp_path.iterdir()) == before
    no_temporary_files(tmp_path)


def test_missing_data_file_is_a_user_error(capsys, tmp_path):
    code, _, err = cli(capsys, "train", tmp_path / "nosuch.csv", "--save", tmp_path / "m.json")
    assert_user_error(code, err, "nosuch.csv")
    assert not (tmp_path / "m.json").exists()


@pytest.mark.parametrize("argv", [
    ["train", str(HEALTH)],  # no --save
    ["train", "--save", "m.json"],  # no data
    ["train", str(HEALTH), "--save", "m.json", "--hidden", "0"],
    ["train", str(HEALTH), "--save", "m.json", "--hidden", "a,b"],
    ["train", str(HEALTH), "--save", "m.json", "--batch-size", "0"],
    ["train", str(HEALTH), "--save", "m.json", "--batch-size", "some"],
    ["train", str(HEALTH), "--save", "m.json", "--init-range=1,0"],
    ["train", str(HEALTH), "--save", "m.json", "--init-range=1"],
    ["train", str(HEALTH), "--save", "m.json", "--task", "bogus"],
    ["train", str(HEALTH), "--save", "m.json", "--loss", "hinge"],
    ["train", str(HEALTH), "--save", "m.json", "--init", "zeros"],
    ["train", str(HEALTH), "--save", "m.json", "--scale", "log"],
    ["train", str(HEALTH), "--save", "m.json", "--epochs", "ten"],
    ["train", str(HEALTH), "--save", "m.json", "--no-such-option"],
    ["predict"],
    ["evaluate", "model.json"],
    ["export", "model.json"],  # no -o
    ["export", "model.json", "--format", "pmml", "-o", "x.pmml"],
])
def test_usage_errors_exit_with_code_2(capsys, tmp_path, monkeypatch, argv):
    monkeypatch.chdir(tmp_path)
    err = usage_error(capsys, *argv)
    assert "error:" in err
    assert not (tmp_path / "m.json").exists()


# -- predict -----------------------------------------------------------------------------------------
def test_predict_writes_csv_with_original_columns_and_predictions_to_stdout(capsys, health_model):
    code, out, err = cli(capsys, "predict", health_model, HEALTH)
    assert code == 0, err
    assert err == ""
    result = read_csv_text(out)
    original = pd.read_csv(HEALTH)
    assert list(result.columns) == [*original.columns, "predicted_output"]
    pd.testing.assert_frame_equal(result[original.columns], original, check_dtype=False)
    expected = load_model(health_model).predict(original)["predicted_output"].to_numpy()
    np.testing.assert_allclose(result["predicted_output"].to_numpy(), expected, rtol=1e-12)
    assert np.abs(result["predicted_output"] - result["output"]).max() < 1.0


def test_predict_classification_adds_label_and_probability_columns(capsys, iris_model):
    code, out, _ = cli(capsys, "predict", iris_model, IRIS)
    assert code == 0
    result = read_csv_text(out)
    original = pd.read_csv(IRIS)
    assert list(result.columns) == [*original.columns, "predicted_species",
                                    *(f"probability_{s}" for s in SPECIES)]
    pd.testing.assert_frame_equal(result[original.columns], original, check_dtype=False)
    probabilities = result[[f"probability_{s}" for s in SPECIES]].to_numpy()
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, rtol=1e-12)
    assert set(result["predicted_species"]) <= set(SPECIES)
    np.testing.assert_array_equal(result["predicted_species"], np.array(SPECIES)[probabilities.argmax(axis=1)])
    assert (result["predicted_species"] == result["species"]).mean() > 0.8


def test_predict_binary_sigmoid_model_gives_both_probabilities(capsys, and_sigmoid_model):
    code, out, _ = cli(capsys, "predict", and_sigmoid_model, AND_GATE)
    assert code == 0
    result = read_csv_text(out)
    assert list(result.columns) == ["x1", "x2", "output", "predicted_output", "probability_0", "probability_1"]
    np.testing.assert_allclose(result["probability_0"] + result["probability_1"], 1.0, rtol=1e-12)
    assert result["predicted_output"].tolist() == [0, 0, 0, 1]


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_predict_out_writes_the_table(capsys, tmp_path, iris_model, suffix):
    out_path = tmp_path / f"predictions{suffix}"
    code, out, err = cli(capsys, "predict", iris_model, IRIS_XLSX, "--out", out_path)
    assert code == 0, err
    assert out == ""
    assert str(out_path) in err
    written = pd.read_csv(out_path) if suffix == ".csv" else pd.read_excel(out_path)
    expected = load_model(iris_model).predict(pd.read_csv(IRIS))
    assert list(written.columns) == [*pd.read_csv(IRIS).columns, *expected.columns]
    assert written["predicted_species"].tolist() == expected["predicted_species"].tolist()
    np.testing.assert_allclose(written["probability_virginica"], expected["probability_virginica"], rtol=1e-12)
    assert len(written) == 150


def test_predict_reads_a_worksheet(capsys, iris_model):
    code, out, _ = cli(capsys, "predict", iris_model, IRIS_XLSX, "--sheet", "iris")
    assert code == 0 and len(read_csv_text(out)) == 150


def test_predict_out_over_the_data_file_is_refused(capsys, tmp_path, monkeypatch, health_model):
    monkeypatch.chdir(tmp_path)
    data = tmp_path / "people.csv"
    data.write_bytes(HEALTH.read_bytes())
    for out_name in ("people.csv", str(data), "./people.csv"):
        code, _, err = cli(capsys, "predict", health_model, "people.csv", "--out", out_name)
        assert_user_error(code, err, "--out")
        assert data.read_bytes() == HEALTH.read_bytes()


def test_predict_skips_incomplete_rows_only_when_asked_and_keeps_them(capsys, tmp_path, health_model):
    data = tmp_path / "new.csv"
    data.write_text("age,exercise,diet\n30,2,5\n,3,4\n50,5,5\n", encoding="utf-8")
    code, _, err = cli(capsys, "predict", health_model, data)
    assert_user_error(code, err, "missing")
    assert "Fill them in, or add --drop-missing." in err  # the option, not the window's box
    code, out, err = cli(capsys, "predict", health_model, data, "--drop-missing")
    assert code == 0
    result = read_csv_text(out)
    assert result["age"].tolist()[::2] == [30, 50] and np.isnan(result["age"][1])  # every row, in order
    assert list(result.columns) == ["age", "exercise", "diet", "predicted_output", "prediction_note"]
    assert np.isnan(result["predicted_output"][1]) and not result["predicted_output"][[0, 2]].isna().any()
    assert result["prediction_note"][1] == "not predicted: no value in age"
    assert ("2 of 3 rows predicted; 1 incomplete row skipped: it is kept, with empty prediction cells and the "
            "reason in prediction_note.") in err
    out_file = tmp_path / "out.xlsx"
    code, _, err = cli(capsys, "predict", health_model, data, "--drop-missing", "--out", out_file)
    assert code == 0 and f"Saved all 3 rows to {out_file} (1 without a prediction)." in err
    assert len(pd.read_excel(out_file)) == 3


@pytest.mark.parametrize("case", ["corrupt json", "version 99", "text in number column", "bad --out extension",
                                  "missing model", "not a model"])
def test_failed_predict_leaves_an_existing_out_file_alone(capsys, tmp_path, health_model, case):
    model_path, data, out_name, fragment = health_model, HEALTH, "predictions.xlsx", None
    if case == "corrupt json":
        model_path = tmp_path / "corrupt.json"
        model_path.write_text('{"format": "mlp-desktop-model", "version": 1, "network": [1, 2', encoding="utf-8")
        fragment = "corrupt.json"
    elif case == "version 99":
        model_path = tmp_path / "future.json"
        model_path.write_text(json.dumps({**saved(health_model), "version": 99}), encoding="utf-8")
        fragment = "newer"
    elif case == "text in number column":
        data, fragment = bad_number_csv(tmp_path), "two"
    elif case == "bad --out extension":
        out_name, fragment = "predictions.txt", ".csv"
    elif case == "missing model":
        model_path, fragment = tmp_path / "nosuch.json", "nosuch.json"
    else:
        model_path = tmp_path / "list.json"
        model_path.write_text("[1, 2, 3]", encoding="utf-8")
    out_path = precious(tmp_path / out_name)
    before = sorted(p.name for p in tmp_path.iterdir())
    code, out, err = cli(capsys, "predict", model_path, data, "--out", out_path)
    assert_user_error(code, err, *([fragment] if fragment else []))
    assert out == ""
    assert_untouched(out_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == before


@pytest.mark.parametrize("case", ["corrupt json", "version 99", "wrong weight shape", "no preprocessing"])
def test_damaged_models_are_user_errors_for_every_command(capsys, tmp_path, health_model, case):
    model = saved(health_model)
    path = tmp_path / "damaged.json"
    if case == "corrupt json":
        path.write_text(health_model.read_text()[:200], encoding="utf-8")
    else:
        if case == "version 99":
            model["version"] = 99
        elif case == "wrong weight shape":
            model["network"]["weights"][0] = model["network"]["weights"][0][:2]
        else:
            del model["preprocessing"]
        path.write_text(json.dumps(model), encoding="utf-8")
    exported = precious(tmp_path / "predict_model.py")
    for argv in (["predict", path, HEALTH], ["predict", path, "--input", "age=30", "--input", "exercise=2",
                                             "--input", "diet=5"],
                 ["evaluate", path, HEALTH, "--json"], ["export", path, "--format", "python", "-o", exported]):
        code, out, err = cli(capsys, *argv)
        assert_user_error(code, err, "damaged.json")
        assert out == ""
    assert_untouched(exported)


def test_predict_single_row_from_inputs(capsys, health_model):
    code, out, err = cli(capsys, "predict", health_model, "--input", "age=30", "--input", "exercise=2",
                         "--input", "diet=5")
    assert code == 0, err
    lines = out.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("predicted_output: ")
    expected = load_model(health_model).predict(pd.DataFrame({"age": [30.0], "exercise": [2.0], "diet": [5.0]}))
    assert float(lines[0].split(": ")[1]) == pytest.approx(expected["predicted_output"].iloc[0], rel=1e-5)
    assert 1.0 < float(lines[0].split(": ")[1]) < 10.0


def test_predict_single_row_classification(capsys, iris_model):
    code, out, _ = cli(capsys, "predict", iris_model, "--input", "sepal_length=5.0", "--input", "sepal_width=3.4",
                       "--input", "petal_length=1.5", "--input", "petal_width=0.2")
    assert code == 0
    values = dict(line.split(": ", 1) for line in out.strip().splitlines())
    assert list(values) == ["predicted_species", *(f"probability_{s}" for s in SPECIES)]
    assert values["predicted_species"] == "setosa"
    assert sum(float(values[f"probability_{s}"]) for s in SPECIES) == pytest.approx(1.0, abs=1e-5)


def test_predict_single_row_with_a_text_input(capsys, color_model):
    code, out, _ = cli(capsys, "predict", color_model, "--input", "size=3", "--input", "color=red")
    assert code == 0
    expected = load_model(color_model).predict(pd.DataFrame({"size": [3.0], "color": ["red"]}))
    assert float(out.split(": ")[1]) == pytest.approx(expected["predicted_output"].iloc[0], rel=1e-5)
    code, _, err = cli(capsys, "predict", color_model, "--input", "size=3", "--input", "color=purple")
    assert_user_error(code, err, "purple")


@pytest.mark.parametrize("inputs, fragment", [
    (["age=30", "exercise=2", "diet=5", "height=180"], "height"),  # unknown column
    (["age=thirty", "exercise=2", "diet=5"], "thirty"),  # not a number
    (["age=30", "exercise=2"], "diet"),  # one missing
    (["age", "exercise=2", "diet=5"], "COLUMN=VALUE"),  # no '='
])
def test_bad_single_row_inputs_are_user_errors(capsys, health_model, inputs, fragment):
    argv = ["predict", health_model]
    for item in inputs:
        argv += ["--input", item]
    code, out, err = cli(capsys, *argv)
    assert_user_error(code, err, fragment)
    assert out == ""


@pytest.mark.parametrize("value", ["inf", "nan"])
def test_non_finite_single_row_input_is_a_user_error(capsys, health_model, value):
    code, out, err = cli(capsys, "predict", health_model, "--input", f"age={value}", "--input", "exercise=2",
                         "--input", "diet=5")
    assert_user_error(code, err, "age")
    assert out == ""


def test_non_finite_single_row_input_message_is_plain(capsys, health_model):
    code, _, err = cli(capsys, "predict", health_model, "--input", "age=inf", "--input", "exercise=2",
                       "--input", "diet=5")
    assert code == 2
    assert "np.float64" not in err


def test_predict_needs_data_or_inputs_but_not_both(capsys, health_model):
    code, _, err = cli(capsys, "predict", health_model)
    assert_user_error(code, err, "--input")
    code, _, err = cli(capsys, "predict", health_model, HEALTH, "--input", "age=3")
    assert_user_error(code, err, "not both")


def test_text_in_a_number_column_names_the_text_cell(capsys, tmp_path, health_model):
    data = tmp_path / "new.csv"
    data.write_text("age,exercise,diet\n30,2,5\nold,3,4\n", encoding="utf-8")
    code, _, err = cli(capsys, "predict", health_model, data)
    assert_user_error(code, err, '"old"')


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX pipe semantics")
def test_predict_into_a_closed_pipe_is_quiet(tmp_path, iris_model):
    process = subprocess.Popen([sys.executable, "-m", "mlp_desktop", "predict", str(iris_model), str(IRIS)],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    process.stdout.close()  # the reader is gone before anything is written
    err = process.stderr.read().decode()
    process.wait(timeout=60)
    assert "Traceback" not in err
    assert "unexpected" not in err and "BrokenPipeError" not in err


# -- evaluate ------------------------------------------------------------------------------------------
def test_evaluate_json_regression(capsys, health_model):
    code, out, err = cli(capsys, "evaluate", health_model, HEALTH_XLSX, "--json")
    assert code == 0, err
    assert len(out.strip().splitlines()) == 1
    result = json.loads(out)
    assert set(result) == {"n_samples", "rmse", "mae", "r2"}
    assert result["n_samples"] == 6
    expected = saved(health_model)["metrics"]["train"]
    for key in ("rmse", "mae", "r2"):
        assert result[key] == pytest.approx(expected[key], rel=1e-12)
    assert result["rmse"] < 0.5 and result["r2"] > 0.95


def test_evaluate_json_classification(capsys, iris_model):
    code, out, _ = cli(capsys, "evaluate", iris_model, IRIS, "--json")
    assert code == 0
    result = json.loads(out)
    assert set(result) == {"n_samples", "accuracy", "confusion_matrix", "classes"}
    assert result["n_samples"] == 150 and result["classes"] == SPECIES
    matrix = np.array(result["confusion_matrix"])
    assert matrix.shape == (3, 3) and matrix.sum() == 150
    assert matrix.sum(axis=1).tolist() == [50, 50, 50]  # rows are the actual classes
    assert result["accuracy"] == pytest.approx(np.trace(matrix) / 150)


def test_evaluate_json_binary_sigmoid(capsys, and_sigmoid_model):
    code, out, _ = cli(capsys, "evaluate", and_sigmoid_model, AND_GATE, "--json")
    assert code == 0
    result = json.loads(out)
    assert result == {"n_samples": 4, "accuracy": 1.0, "classes": ["0", "1"], "confusion_matrix": [[3, 0], [0, 1]]}


def test_evaluate_prints_readable_metrics(capsys, health_model, iris_model):
    code, out, _ = cli(capsys, "evaluate", health_model, HEALTH)
    assert code == 0
    assert out.startswith("health_score.csv: RMSE ") and "R^2" in out and "on 6 rows" in out
    code, out, _ = cli(capsys, "evaluate", iris_model, IRIS)
    assert code == 0
    assert "accuracy" in out and "confusion matrix" in out
    assert all(species in out for species in SPECIES)


def test_evaluate_needs_the_target_column(capsys, tmp_path, health_model):
    data = tmp_path / "no_target.csv"
    data.write_text("age,exercise,diet\n30,2,5\n50,5,5\n", encoding="utf-8")
    code, out, err = cli(capsys, "evaluate", health_model, data, "--json")
    assert_user_error(code, err, "output")
    assert out == ""


def test_evaluate_with_a_class_the_model_never_saw(capsys, tmp_path, tmp_path_factory):
    two_species = tmp_path / "two_species.csv"
    two_species.write_text("".join(IRIS.read_text().splitlines(keepends=True)[:101]), encoding="utf-8")
    model = model_file(tmp_path_factory, two_species, "--epochs", "5", "--seed", "0")
    code, out, err = cli(capsys, "evaluate", model, IRIS, "--json")
    assert code == 0, err  # the unseen class is counted: rows the model can never get right
    result = json.loads(out.strip().splitlines()[-1])
    assert result["classes"][-1] == "virginica" and result["accuracy"] <= 2 / 3
    assert sum(result["confusion_matrix"][-1]) == 50


def test_evaluate_on_rows_of_a_single_class(capsys, tmp_path, iris_model):
    setosa = tmp_path / "setosa.csv"
    setosa.write_text("".join(IRIS.read_text().splitlines(keepends=True)[:51]), encoding="utf-8")
    code, out, err = cli(capsys, "evaluate", iris_model, setosa, "--json")
    assert code == 0, err
    result = json.loads(out)
    assert result["n_samples"] == 50 and result["classes"] == SPECIES


# -- export --------------------------------------------------------------------------------------------
def test_export_python_writes_a_runnable_script(capsys, tmp_path, iris_model):
    script = tmp_path / "predict_model.py"
    code, out, err = cli(capsys, "export", iris_model, "--format", "python", "-o", script)
    assert code == 0, err
    assert str(script) in err
    text = script.read_text(encoding="utf-8")
    assert "def predict(rows)" in text and '__name__ == "__main__"' in text
    process = subprocess.run([sys.executable, str(script), str(IRIS)], capture_output=True, text=True, timeout=60)
    assert process.returncode == 0, process.stderr
    result = read_csv_text(process.stdout)
    expected = load_model(iris_model).predict(pd.read_csv(IRIS))
    assert result["predicted_species"].tolist() == expected["predicted_species"].tolist()
    np.testing.assert_allclose(result[expected.columns[1:]].to_numpy(), expected.iloc[:, 1:].to_numpy(dtype=float),
                               rtol=1e-12, atol=1e-15)


def test_export_format_defaults_to_python(capsys, tmp_path, health_model):
    code, _, err = cli(capsys, "export", health_model, "-o", tmp_path / "health.py")
    assert code == 0, err
    assert "def predict(rows)" in (tmp_path / "health.py").read_text()


def test_export_into_a_missing_folder_is_a_user_error(capsys, tmp_path, health_model):
    code, _, err = cli(capsys, "export", health_model, "-o", tmp_path / "nowhere" / "predict_model.py")
    assert_user_error(code, err)


# -- the real entry point --------------------------------------------------------------------------------
def test_python_dash_m_entry_point(tmp_path):
    save = tmp_path / "model.json"
    ok = subprocess.run([sys.executable, "-m", "mlp_desktop", "train", str(HEALTH), "--epochs", "50", "--seed", "1",
                         "--save", str(save)], capture_output=True, text=True, timeout=120)
    assert ok.returncode == 0, ok.stderr
    assert ok.stderr == ""  # not a terminal: no progress bar, and no warnings or traceback
    assert "Saved the model" in ok.stdout and "RMSE" in ok.stdout
    assert saved(save)["network"]["layer_sizes"] == [3, 8, 1]

    before = save.read_bytes()
    failed = subprocess.run([sys.executable, "-m", "mlp_desktop", "train", str(HEALTH), "--target", "nope",
                             "--save", str(save)], capture_output=True, text=True, timeout=120)
    assert failed.returncode == 2
    assert "Traceback" not in failed.stderr
    assert len(failed.stderr.strip().splitlines()) == 1 and failed.stderr.startswith("error: ")
    assert failed.stdout == ""
    assert save.read_bytes() == before


# -- issue 14: optimizers, regularization, stopping, schedules, test split, cross-validation -------
FAST_HEALTH = ["--hidden", "3", "--epochs", "30", "--seed", "1"]


@pytest.mark.parametrize("flags, expected", [
    (["--optimizer", "adam", "--beta1", "0.8", "--beta2", "0.99", "--epsilon", "1e-7"],
     {"optimizer": "adam", "beta1": 0.8, "beta2": 0.99, "epsilon": 1e-7}),
    (["--optimizer", "rmsprop", "--rho", "0.95"], {"optimizer": "rmsprop", "rho": 0.95}),
    (["--optimizer", "sgd", "--momentum", "0.9", "--nesterov"], {"optimizer": "sgd", "nesterov": True}),
    (["--optimizer", "lbfgs"], {"optimizer": "lbfgs"}),
    (["--optimizer", "lm"], {"optimizer": "lm"}),
    (["--l2", "0.01", "--l1", "0.001"], {"l2": 0.01, "l1": 0.001}),
    (["--validation", "0.34", "--early-stopping", "4", "--min-delta", "0.5"],
     {"early_stopping_patience": 4, "min_delta": 0.5, "validation_fraction": 0.34}),
    (["--lr-schedule", "step", "--lr-decay", "0.7", "--lr-step", "10"],
     {"lr_schedule": "step", "lr_decay": 0.7, "lr_step": 10}),
    (["--lr-schedule", "inverse-time"], {"lr_schedule": "inverse_time", "lr_decay": 0.01}),
    (["--test", "0.34"], {"test_fraction": 0.34}),
])
def test_train_flags_reach_the_train_config(capsys, tmp_path, flags, expected):
    path = tmp_path / "model.json"
    code, out, err = cli(capsys, "train", HEALTH, *FAST_HEALTH, *flags, "--save", path)
    assert code == 0, err
    training = json.loads(path.read_text())["training"]
    for key, value in expected.items():
        assert training[key] == value, key


def test_train_defaults_keep_the_train_config_defaults(capsys, tmp_path):
    from mlp_desktop.core.training import TrainConfig

    path = tmp_path / "model.json"
    assert cli(capsys, "train", HEALTH, *FAST_HEALTH, "--save", path)[0] == 0
    training = json.loads(path.read_text())["training"]
    defaults = TrainConfig()
    for key in ("optimizer", "nesterov", "beta1", "beta2", "epsilon", "rho", "l2", "l1", "early_stopping_patience",
                "min_delta", "lr_schedule", "lr_decay", "lr_step", "test_fraction", "class_weight"):
        assert training[key] == getattr(defaults, key), key


def test_class_weight_balanced_reaches_the_config(capsys, tmp_path):
    path = tmp_path / "model.json"
    code, _, err = cli(capsys, "train", IRIS, "--epochs", "20", "--seed", "0", "--class-weight", "balanced",
                       "--save", path)
    assert code == 0, err
    assert json.loads(path.read_text())["training"]["class_weight"] == "balanced"
    code, _, err = cli(capsys, "train", IRIS, "--epochs", "20", "--seed", "0", "--class-weight", "none",
                       "--save", path)
    assert code == 0, err
    assert json.loads(path.read_text())["training"]["class_weight"] is None


def test_early_stopping_without_validation_is_a_user_error(capsys, tmp_path):
    path = tmp_path / "model.json"
    code, _, err = cli(capsys, "train", HEALTH, *FAST_HEALTH, "--early-stopping", "5", "--save", path)
    assert_user_error(code, err, "validation")
    assert not path.exists()


@pytest.mark.parametrize("flags, fragment", [
    (["--beta1", "1.5", "--optimizer", "adam"], "beta1"),
    (["--l2", "-1"], "L2"),
    (["--test", "0.6", "--validation", "0.5"], "test"),
    (["--momentum", "0", "--nesterov"], "Nesterov"),
    (["--early-stopping", "0", "--validation", "0.3"], "patience"),
])
def test_bad_training_settings_are_user_errors(capsys, tmp_path, flags, fragment):
    code, _, err = cli(capsys, "train", HEALTH, *FAST_HEALTH, *flags, "--save", tmp_path / "model.json")
    assert_user_error(code, err, fragment)


@pytest.mark.parametrize("flags, fragment", [
    (["--optimizer", "newton"], "Unknown optimizer"),
    (["--class-weight", "heavy"], "Unknown class weight"),
    (["--lr-schedule", "cosine"], "Unknown learning-rate schedule"),
    (["--test", "0.95"], "Test share must be from 0 to 0.9"),
    (["--early-stopping", "2.5", "--validation", "0.3"], "whole number"),
])
def test_new_options_are_checked_by_the_settings_schema(capsys, tmp_path, flags, fragment):
    code, _, err = cli(capsys, "train", HEALTH, *FAST_HEALTH, *flags, "--save", tmp_path / "model.json")
    assert_user_error(code, err, fragment)


def test_new_options_help_comes_from_the_settings_schema(capsys):
    from mlp_desktop.core import settings

    with pytest.raises(SystemExit):
        main(["train", "--help"])
    out = capsys.readouterr().out
    for name in ("optimizer", "l2", "early_stopping_patience", "test_fraction", "class_weight"):
        assert settings.SETTINGS[name].cli in out
    assert "{constant,step,exponential,inverse-time}" in out and "{none,balanced}" in out


def test_early_stopping_run_stops_and_saves(capsys, tmp_path):
    path = tmp_path / "model.json"
    code, out, err = cli(capsys, "train", IRIS, "--epochs", "3000", "--lr", "0.5", "--seed", "0",
                         "--validation", "0.3", "--early-stopping", "3", "--min-delta", "0.5", "--save", path)
    assert code == 0, err
    assert json.loads(path.read_text())["training"]["stop_reason"] == "early_stopped"
    assert "validation" in out


def test_test_split_is_printed_saved_and_evaluated(capsys, tmp_path):
    path = tmp_path / "model.json"
    code, out, err = cli(capsys, "train", IRIS, "--epochs", "50", "--seed", "0", "--validation", "0.2",
                         "--test", "0.2", "--save", path)
    assert code == 0, err
    test_lines = [line for line in out.splitlines() if line.strip().startswith("test ")]
    assert len(test_lines) == 1 and "on 30 rows" in test_lines[0]
    model = load_model(path)
    assert model.metrics["test"]["n_samples"] == 30
    assert model.metrics["train"]["n_samples"] == 90 and model.metrics["validation"]["n_samples"] == 30
    code, out, err = cli(capsys, "evaluate", path, IRIS)
    assert code == 0, err
    assert "test split" in out and "on 30 rows" in out
    code, out, _ = cli(capsys, "evaluate", path, IRIS, "--json")
    result = json.loads(out)
    assert result["test_split"]["n_samples"] == 30 and result["n_samples"] == 150


def test_evaluate_without_a_test_split_says_nothing_of_it(capsys, health_model):
    code, out, _ = cli(capsys, "evaluate", health_model, HEALTH)
    assert code == 0 and "test split" not in out
    code, out, _ = cli(capsys, "evaluate", health_model, HEALTH, "--json")
    assert "test_split" not in json.loads(out)


def test_cross_validate_prints_folds_and_mean_std(capsys):
    code, out, err = cli(capsys, "cross-validate", IRIS, "--folds", "3", "--epochs", "30", "--seed", "0",
                         "--optimizer", "adam", "--lr", "0.05")
    assert code == 0, err
    lines = out.strip().splitlines()
    assert [line.split(" (")[0] for line in lines[:3]] == ["fold 1", "fold 2", "fold 3"]
    assert lines[-1].startswith("mean ± std: accuracy") and "±" in lines[-1]


def test_cross_validate_json_and_repeats(capsys):
    code, out, err = cli(capsys, "cross-validate", HEALTH, *FAST_HEALTH, "--folds", "3", "--repeats", "2", "--json")
    assert code == 0, err
    result = json.loads(out)
    assert {"folds", "mean", "std"} <= set(result)
    assert len(result["folds"]) == 6
    assert set(result["mean"]) == set(result["std"]) == {"rmse", "mae", "r2"}
    code, again, _ = cli(capsys, "cross-validate", HEALTH, *FAST_HEALTH, "--folds", "3", "--repeats", "2", "--json")
    assert json.loads(again) == result  # the seed makes it reproducible


def test_cross_validate_user_errors(capsys):
    code, _, err = cli(capsys, "cross-validate", HEALTH, *FAST_HEALTH, "--folds", "7")
    assert_user_error(code, err, "folds")
    code, _, err = cli(capsys, "cross-validate", HEALTH, *FAST_HEALTH, "--early-stopping", "3")
    assert_user_error(code, err, "validation")


def test_cross_validate_shares_the_train_options():
    from mlp_desktop.cli import build_parser

    parser = build_parser()
    actions = {name: sub for name, sub in parser._subparsers._group_actions[0].choices.items()}
    train_options = {o for a in actions["train"]._actions for o in a.option_strings}
    cross_options = {o for a in actions["cross-validate"]._actions for o in a.option_strings}
    assert train_options - cross_options == {"--save", "--history"}
    assert {"--folds", "--repeats", "--json"} <= cross_options


# -- how the file was read: notes and warnings on stderr (issue 13) ----------------------------------
def test_train_prints_how_the_file_was_read_and_the_task_chosen(capsys, tmp_path):
    rows = [f"{i % 7},{(i * 3) % 5},{i % 3}" for i in range(60)]
    data = tmp_path / "digits.csv"
    data.write_text("sep=,\na,b,label\n" + "\n".join(rows) + "\n")
    path, out, err = train(capsys, tmp_path, data, "--epochs", "5", "--seed", "1")
    lines = err.strip().splitlines()
    assert any("sep=," in line and not line.startswith("warning:") for line in lines), err
    assert any('"label"' in line and "classification" in line for line in lines), err
    assert any("--task regression" in line for line in lines), err
    assert "Traceback" not in err and "error:" not in err


def test_train_with_task_given_does_not_explain_the_choice(capsys, tmp_path):
    rows = [f"{i % 7},{(i * 3) % 5},{i % 3}" for i in range(60)]
    data = tmp_path / "digits.csv"
    data.write_text("a,b,label\n" + "\n".join(rows) + "\n")
    _, out, err = train(capsys, tmp_path, data, "--epochs", "5", "--seed", "1", "--task", "regression")
    assert "--task regression" not in err
    assert "regression" in out


def test_train_warns_about_a_constant_target(capsys, tmp_path):
    data = tmp_path / "constant.csv"
    data.write_text("a,b,output\n" + "\n".join(f"{i},{i * 2},5.5" for i in range(20)) + "\n")
    _, _, err = train(capsys, tmp_path, data, "--epochs", "5", "--seed", "1", "--task", "regression")
    warnings = [line for line in err.splitlines() if line.startswith("warning: ")]
    assert any('"output"' in line and "same value" in line for line in warnings), err


def test_cross_validate_prints_table_warnings_too(capsys, tmp_path):
    # a first row of numbers where a header should be: "no header?"
    data = tmp_path / "no_header.csv"
    data.write_text("\n".join(f"{i},{i * 2 + 1},{i * 3 + 0.5}" for i in range(1, 30)) + "\n")
    from mlp_desktop.core.data import read_table

    expected = read_table(data).warnings
    assert expected
    code, _, err = cli(capsys, "cross-validate", data, "--folds", "2", "--epochs", "3", "--seed", "1")
    assert code == 0, err
    for warning in expected:
        assert f"warning: {warning}" in err


def test_memory_error_is_a_user_error_not_a_traceback(capsys, tmp_path, monkeypatch):
    import mlp_desktop.core.data as data_module

    def exhausted(*args, **kwargs):
        raise MemoryError()

    monkeypatch.setattr(data_module, "read_table", exhausted)
    code, _, err = cli(capsys, "train", HEALTH, "--save", tmp_path / "m.json", "--epochs", "3")
    assert_user_error(code, err, "memory")
    assert not (tmp_path / "m.json").exists()


# -- numbers as people type them, extrapolation, undefined R², --sheet, --help ------------------
def _health_row(model_path, age_text):
    return ["predict", model_path, "--input", f"age={age_text}", "--input", "exercise=2", "--input", "diet=5"]


def test_input_with_a_thousands_comma_is_a_thousand_and_said(capsys, health_model):
    code, out, err = cli(capsys, *_health_row(health_model, "1,000"))
    assert code == 0, err
    expected = load_model(health_model).predict(pd.DataFrame({"age": [1000.0], "exercise": [2.0], "diet": [5.0]}))
    assert float(out.split(": ")[1]) == pytest.approx(expected["predicted_output"].iloc[0], rel=1e-5)  # was age 1.0
    lines = err.strip().splitlines()
    assert 'Input "age": \u201c1,000\u201d read as 1000.' in lines
    # the training ages were 10 to 90: the model is extrapolating, and says so on stderr
    assert ("warning: Outside the training data: age 1000 (trained on 10 to 90); the model is extrapolating, "
            "so this prediction may be unreliable.") in lines


def test_input_inside_the_training_range_says_nothing_more(capsys, health_model):
    code, out, err = cli(capsys, *_health_row(health_model, "30"))
    assert code == 0 and err == "" and out.startswith("predicted_output: ")


@pytest.mark.parametrize("text, reason", [
    ("1e400", "too large"),
    ("1234,567", "could be read two ways"),
    ("1.000,5", "write it as 1000.5"),
])
def test_input_that_is_no_number_says_why(capsys, health_model, text, reason):
    code, out, err = cli(capsys, *_health_row(health_model, text))
    assert_user_error(code, err, 'Input "age" needs a number', reason)
    assert out == ""


def test_predicting_a_file_warns_of_rows_outside_the_training_data(capsys, tmp_path, health_model):
    data = tmp_path / "new.csv"
    data.write_text("age,exercise,diet\n30,2,5\n150,3,4\n40,2,5\n", encoding="utf-8")
    code, out, err = cli(capsys, "predict", health_model, data)
    assert code == 0, err
    assert "warning: Outside the training data in 1 of 3 rows: age 150 in 1 row (trained on 10 to 90)" in err
    predicted = pd.read_csv(io.StringIO(out))["predicted_output"]
    expected = load_model(health_model).predict(pd.read_csv(data))["predicted_output"]
    np.testing.assert_allclose(predicted, expected, rtol=1e-6)  # the predictions are the same


def test_r2_of_a_constant_target_is_not_a_number_but_n_a(capsys, tmp_path):
    data = tmp_path / "constant.csv"
    data.write_text("x,y\n1,5\n2,5\n3,5\n4,5\n5,5\n", encoding="utf-8")
    path, out, err = train(capsys, tmp_path, data, "--epochs", "20", "--seed", "0")
    assert "R² cannot be computed" in err
    assert "R^2 n/a on 5 rows" in out and "R^2 0.0000" not in out
    code, out, err = cli(capsys, "evaluate", path, data)
    assert code == 0 and "R^2 n/a on 5 rows" in out
    code, out, err = cli(capsys, "evaluate", path, data, "--json")
    assert code == 0 and json.loads(out)["r2"] is None  # valid JSON: no NaN


@pytest.mark.parametrize("command", ["train", "predict", "evaluate", "cross-validate"])
def test_a_sheet_named_for_a_csv_file_is_an_error_not_ignored(capsys, tmp_path, health_model, command):
    argv = {"train": ["train", HEALTH, "--save", tmp_path / "m.json"],
            "predict": ["predict", health_model, HEALTH],
            "evaluate": ["evaluate", health_model, HEALTH],
            "cross-validate": ["cross-validate", HEALTH, "--folds", "2"]}[command]
    code, out, err = cli(capsys, *argv, "--sheet", "Sales")
    assert_user_error(code, err, "health_score.csv is a text table, which has no sheets", '--sheet "Sales"')
    assert out == "" and not (tmp_path / "m.json").exists()


def test_help_says_a_file_given_alone_opens_in_the_app(capsys):
    with pytest.raises(SystemExit):
        main(["--help"])
    out = " ".join(capsys.readouterr().out.split())
    assert "mlp-desktop [FILE ...]" in out
    assert "'mlp-desktop FILE' opens FILE in it" in out
    with pytest.raises(SystemExit):
        main(["train", "--help"])
    assert capsys.readouterr().out.startswith("usage: mlp-desktop train [-h]")  # not the two-line usage above
