"""ONNX export, checked with onnxruntime when the optional packages are installed."""

import numpy as np
import pandas as pd
import pytest

from mlp_desktop.core import TrainConfig
from mlp_desktop.core.data import prepare_dataset, read_table, table_from_frame
from mlp_desktop.core.model import NetworkSpec, fit_model
from mlp_desktop.core.samples import sample_path

onnx = pytest.importorskip("onnx")
onnxruntime = pytest.importorskip("onnxruntime")

from mlp_desktop.core.onnx_export import export_onnx  # noqa: E402


def run_onnx(path, model, frame):
    session = onnxruntime.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    encoded = model.preprocessor.encode_inputs(frame).astype(np.float32)
    return session.run(None, {"inputs": encoded})[0]


@pytest.mark.parametrize("sample,spec", [
    ("health_score", NetworkSpec(hidden_layers=[3], activations="leaky_relu")),
    ("iris", NetworkSpec(hidden_layers=[5, 4], activations=["tanh", "relu"])),
    ("and_gate", NetworkSpec(hidden_layers=[2], activations="sigmoid", output_activation="sigmoid")),
])
def test_onnx_matches_predict(tmp_path, sample, spec):
    data = prepare_dataset(read_table(sample_path(sample)),
                           task="classification" if sample == "and_gate" else "auto")
    model, _ = fit_model(data, spec, TrainConfig(epochs=30, learning_rate=0.1, seed=1))
    path = tmp_path / "model.onnx"
    export_onnx(model, path)
    result = run_onnx(path, model, data.frame)
    expected = model.predict(data.frame)
    if model.task == "regression":
        np.testing.assert_allclose(result[:, 0], expected.iloc[:, 0], rtol=1e-4, atol=1e-4)
    else:
        np.testing.assert_allclose(result, expected.filter(like="probability_").to_numpy(), atol=1e-5)
    meta = {p.key: p.value for p in onnx.load(str(path)).metadata_props}
    assert meta["inputs"].split(",") == model.preprocessor.encoded_inputs


def test_text_inputs_are_given_encoded(tmp_path):
    frame = pd.DataFrame({"size": [1.0, 2.0, 3.0, 4.0, 5.0, 6.0], "color": ["red", "blue"] * 3,
                          "output": [1.0, 2.0, 2.5, 4.0, 5.5, 6.0]})
    data = prepare_dataset(table_from_frame(frame))
    model, _ = fit_model(data, NetworkSpec(hidden_layers=[3]), TrainConfig(epochs=20, learning_rate=0.05, seed=2))
    export_onnx(model, tmp_path / "m.onnx")
    np.testing.assert_allclose(run_onnx(tmp_path / "m.onnx", model, data.frame)[:, 0],
                               model.predict(data.frame).iloc[:, 0], rtol=1e-4, atol=1e-4)


def test_cli_exports_onnx(tmp_path, capsys):
    from mlp_desktop.cli import main

    model_path = tmp_path / "m.json"
    assert main(["train", str(sample_path("iris")), "--epochs", "5", "--seed", "1", "--save", str(model_path)]) == 0
    assert main(["export", str(model_path), "--format", "onnx", "-o", str(tmp_path / "m.onnx")]) == 0
    onnx.checker.check_model(onnx.load(str(tmp_path / "m.onnx")))
