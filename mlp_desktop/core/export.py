"""Exporting a model as a standalone Python script that needs only NumPy.

The script holds the weights, the input scaling, the categories and the class labels, defines
``predict(rows)`` (rows as dicts ``{column: value}`` or lists in input-column order) and, run as
a program, reads a CSV file (or standard input) and writes it back with prediction columns.
"""

from __future__ import annotations

import json

from .fileio import write_text_atomic

_TEMPLATE = '''#!/usr/bin/env python3
"""Predictions of a multilayer perceptron exported from MLP Desktop {version}.

Needs only NumPy. From Python:  from {module} import predict; predict([{{"column": value, ...}}])
From a shell:  python {module}.py data.csv > predictions.csv   (or: ... < data.csv)
Network: {layers}; task: {task}.
"""

import csv
import json
import sys

import numpy as np

MODEL = json.loads(r"""{model_json}""")

INPUTS = MODEL["inputs"]
TARGETS = MODEL["targets"]
CLASSES = MODEL["classes"]


def _activate(name, z):
    if name == "identity":
        return z
    if name == "sigmoid":
        return 0.5 * np.tanh(0.5 * z) + 0.5
    if name == "tanh":
        return np.tanh(z)
    if name == "relu":
        return np.maximum(z, 0.0)
    if name == "leaky_relu":
        return np.maximum(z, {leaky_slope!r} * z)
    if name == "softmax":
        e = np.exp(z - z.max(axis=1, keepdims=True))
        return e / e.sum(axis=1, keepdims=True)
    raise ValueError("unknown activation " + name)


def _encode(rows):
    """Rows (dicts by column name, or lists in INPUTS order) -> scaled network inputs."""
    columns = []
    for position, name in enumerate(INPUTS):
        values = [row[name] if isinstance(row, dict) else row[position] for row in rows]
        if MODEL["input_kinds"][name] == "categorical":
            categories = MODEL["categories"][name]
            for value in values:
                if str(value) not in categories:
                    raise ValueError(f"column {{name!r}}: unknown category {{value!r}}; known: {{categories}}")
            columns += [[1.0 if str(v) == c else 0.0 for v in values] for c in categories]
        else:
            columns.append([float(v) for v in values])
    X = np.array(columns, dtype=np.float64).T.reshape(len(rows), -1)
    return (X - np.array(MODEL["input_offset"])) / np.array(MODEL["input_scale"])


def predict(rows):
    """Predict each row; returns one dict per row with the same columns as MLP Desktop."""
    a = _encode(list(rows))
    for weights, biases, activation in zip(MODEL["weights"], MODEL["biases"], MODEL["activations"]):
        a = _activate(activation, a @ np.array(weights) + np.array(biases))
    if MODEL["task"] == "regression":
        values = a * np.array(MODEL["target_scale"]) + np.array(MODEL["target_offset"])
        return [{{"predicted_" + t: float(row[i]) for i, t in enumerate(TARGETS)}} for row in values]
    if MODEL["single_sigmoid_output"]:
        probabilities = np.column_stack([1.0 - a[:, 0], a[:, 0]])
    elif MODEL["output_activation"] == "softmax":
        probabilities = a
    else:
        probabilities = a / np.where(a.sum(axis=1, keepdims=True) > 0, a.sum(axis=1, keepdims=True), 1.0)
    results = []
    for p in probabilities:
        result = {{"predicted_" + TARGETS[0]: CLASSES[int(np.argmax(p))]}}
        result.update({{"probability_" + str(c): float(p[i]) for i, c in enumerate(CLASSES)}})
        results.append(result)
    return results


def main(argv):
    source = open(argv[1], newline="", encoding="utf-8-sig") if len(argv) > 1 else sys.stdin
    with source:
        rows = list(csv.DictReader(source))
    predictions = predict(rows) if rows else []
    fields = list(rows[0].keys()) + list(predictions[0].keys()) if rows else INPUTS
    writer = csv.DictWriter(sys.stdout, fieldnames=fields, lineterminator="\\n")
    writer.writeheader()
    for row, prediction in zip(rows, predictions):
        writer.writerow({{**row, **prediction}})
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
'''


def python_script(model, module_name: str = "predict_model") -> str:
    """The text of a standalone NumPy script that predicts like ``model``."""
    from .. import __version__
    from .activations import LEAKY_SLOPE

    pre, net = model.preprocessor, model.net
    data = {
        "inputs": pre.inputs,
        "input_kinds": pre.input_kinds,
        "categories": pre.categories,
        "input_offset": pre.input_offset.tolist(),
        "input_scale": pre.input_scale.tolist(),
        "targets": pre.targets,
        "task": pre.task,
        "classes": [c if isinstance(c, (str, int, float)) else str(c) for c in pre.classes],
        "output_activation": pre.output_activation,
        "single_sigmoid_output": pre.single_sigmoid_output,
        "target_offset": pre.target_offset.tolist(),
        "target_scale": pre.target_scale.tolist(),
        "activations": list(net.activations),
        "weights": [w.tolist() for w in net.weights],
        "biases": [b.tolist() for b in net.biases],
    }
    return _TEMPLATE.format(
        version=__version__,
        module=module_name,
        layers="-".join(str(n) for n in net.layer_sizes),
        task=pre.task,
        model_json=json.dumps(data),
        leaky_slope=LEAKY_SLOPE,
    )


def export_python(model, path) -> None:
    """Write :func:`python_script` to ``path`` atomically."""
    from pathlib import Path

    write_text_atomic(path, python_script(model, Path(path).stem))
