"""Exporting a model to ONNX (needs the optional ``onnx`` package: ``pip install "mlp-desktop[onnx]"``).

The ONNX graph takes the *encoded* inputs as float32, shape ``(n, n_inputs)``, in the order of
``Preprocessor.encoded_inputs`` (numbers as they are, text columns as 0/1 columns
``column=category``), applies the input scaling, every layer, and turns the outputs back into the
user's units: ``predictions`` for regression, ``probabilities`` (one column per class) for
classification. The column names are stored in the model's metadata.
"""

from __future__ import annotations

import numpy as np

from .errors import DataError
from .fileio import write_with

_ACTIVATION_OPS = {"sigmoid": "Sigmoid", "tanh": "Tanh", "relu": "Relu"}


def onnx_model(model):
    """Build the ``onnx.ModelProto`` of ``model``."""
    try:
        import onnx
        from onnx import TensorProto, helper, numpy_helper
    except ImportError:
        raise DataError('ONNX export needs the onnx package: pip install "mlp-desktop[onnx]".') from None
    from .activations import LEAKY_SLOPE

    pre, net = model.preprocessor, model.net
    nodes, initializers = [], []

    def constant(name: str, values) -> str:
        initializers.append(numpy_helper.from_array(np.asarray(values, dtype=np.float32), name))
        return name

    def node(op: str, inputs: list[str], output: str, **attributes) -> str:
        nodes.append(helper.make_node(op, inputs, [output], **attributes))
        return output

    current = node("Sub", ["inputs", constant("input_offset", pre.input_offset)], "centred")
    current = node("Div", [current, constant("input_scale", pre.input_scale)], "scaled")
    for k, (W, b, activation) in enumerate(zip(net.weights, net.biases, net.activations), start=1):
        current = node("MatMul", [current, constant(f"W{k}", W)], f"matmul{k}")
        current = node("Add", [current, constant(f"b{k}", b)], f"z{k}")
        if activation in _ACTIVATION_OPS:
            current = node(_ACTIVATION_OPS[activation], [current], f"a{k}")
        elif activation == "leaky_relu":
            current = node("LeakyRelu", [current], f"a{k}", alpha=LEAKY_SLOPE)
        elif activation == "softmax":
            current = node("Softmax", [current], f"a{k}", axis=-1)
    if pre.task == "regression":
        current = node("Mul", [current, constant("target_scale", pre.target_scale)], "unscaled")
        node("Add", [current, constant("target_offset", pre.target_offset)], "predictions")
        outputs = [helper.make_tensor_value_info("predictions", TensorProto.FLOAT, [None, len(pre.targets)])]
    else:
        if pre.single_sigmoid_output:
            other = node("Sub", [constant("one", [1.0]), current], "other_class")
            node("Concat", [other, current], "probabilities", axis=1)
        elif pre.output_activation == "softmax":
            node("Identity", [current], "probabilities")
        else:  # independent sigmoids: normalised to sum to one
            total = node("ReduceSum", [current, constant_int64(initializers, "sum_axes", [1])], "total", keepdims=1)
            node("Div", [current, total], "probabilities")
        outputs = [helper.make_tensor_value_info("probabilities", TensorProto.FLOAT, [None, len(pre.classes)])]
    graph = helper.make_graph(
        nodes, "mlp_desktop_model",
        [helper.make_tensor_value_info("inputs", TensorProto.FLOAT, [None, pre.n_inputs])], outputs, initializers)
    proto = helper.make_model(graph, producer_name="mlp-desktop", opset_imports=[helper.make_opsetid("", 17)])
    proto.ir_version = min(proto.ir_version, 9)  # readable by older runtimes too
    for key, value in (("inputs", ",".join(pre.encoded_inputs)), ("task", pre.task),
                       ("classes", ",".join(str(c) for c in pre.classes)), ("targets", ",".join(pre.targets))):
        entry = proto.metadata_props.add()
        entry.key, entry.value = key, value
    onnx.checker.check_model(proto)
    return proto


def constant_int64(initializers: list, name: str, values) -> str:
    from onnx import numpy_helper

    initializers.append(numpy_helper.from_array(np.asarray(values, dtype=np.int64), name))
    return name


def export_onnx(model, path) -> None:
    """Write ``model`` as an ONNX file, atomically."""
    proto = onnx_model(model)
    write_with(path, lambda temporary: temporary.write_bytes(proto.SerializeToString()))
