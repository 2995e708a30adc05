"""Fold each DDCNN block's batch norm into its four temporal convolutions (float model).

A DDCNN block ends in Concat(four convolutions) -> BatchNormalization -> Relu. The batch norm
is a per-channel affine map and each channel comes from one convolution, so it folds into that
convolution's weights and a bias; the Relu then moves before the Concat (the two commute).
In float the model computes the same thing (to ~1e-6). What it buys is in the 8-bit model
(quantize.py): each convolution's output is quantized once, already normalised and rectified,
and the Concat joins 8-bit tensors. Before, every block turned its four 8-bit outputs back into
floats to concat, normalise, rectify and quantize them again: a fifth of a window's CPU.
"""

from __future__ import annotations

import numpy as np
import onnx
from onnx import helper, numpy_helper

from tools.transnetv2.graphs import replace_nodes


def fold_batch_norms(model: onnx.ModelProto) -> onnx.ModelProto:
    graph = model.graph
    weights = {w.name: w for w in graph.initializer}
    producer = {out: n for n in graph.node for out in n.output}
    consumers: dict[str, list[onnx.NodeProto]] = {}
    for node in graph.node:
        for name in node.input:
            consumers.setdefault(name, []).append(node)
    dropped: set[int] = set()
    added: list[onnx.NodeProto] = []
    for norm in [n for n in graph.node if n.op_type == "BatchNormalization"]:
        concat = producer[norm.input[0]]
        (relu,) = consumers[norm.output[0]]
        if concat.op_type != "Concat" or relu.op_type != "Relu":
            raise ValueError(f"{norm.name} does not follow a Concat or precede a Relu")
        epsilon = next((a.f for a in norm.attribute if a.name == "epsilon"), 1e-5)
        gamma, beta, mean, var = (numpy_helper.to_array(weights[i]) for i in norm.input[1:])
        scale = gamma / np.sqrt(var + epsilon)
        shift = beta - mean * scale
        start = 0
        rectified = []
        for branch in concat.input:
            conv = producer[branch]
            if conv.op_type != "Conv" or len(conv.input) != 2:
                raise ValueError(f"{branch} is not a convolution without bias")
            weight = numpy_helper.to_array(weights[conv.input[1]])
            end = start + weight.shape[0]
            folded = weight * scale[start:end].reshape(-1, *[1] * (weight.ndim - 1))
            weights[conv.input[1]].CopyFrom(
                numpy_helper.from_array(folded.astype(np.float32), conv.input[1])
            )
            bias = f"{conv.input[1]}/folded_bias"
            graph.initializer.append(
                numpy_helper.from_array(shift[start:end].astype(np.float32), bias)
            )
            conv.input.append(bias)
            out = f"{branch}/relu"
            added.append(helper.make_node("Relu", [branch], [out], name=f"{conv.name}/Relu"))
            rectified.append(out)
            start = end
        del concat.input[:]
        concat.input.extend(rectified)
        concat.output[0] = relu.output[0]
        dropped.update((id(norm), id(relu)))
    kept = [n for n in graph.node if id(n) not in dropped]
    # Keep the graph in topological order: each new Relu right after its convolution.
    ordered: list[onnx.NodeProto] = []
    after = {n.input[0]: n for n in added}
    for node in kept:
        ordered.append(node)
        ordered.extend(after[o] for o in node.output if o in after)
    replace_nodes(graph, ordered)
    onnx.checker.check_model(model)
    return model
