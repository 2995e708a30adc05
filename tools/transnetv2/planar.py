"""Run the 8-bit TransNetV2's convolution blocks on the frames as a batch of pictures.

TransNetV2 factorises every 3x3x3 convolution into a spatial one (kernel 1x3x3) and a temporal
one (kernel 3x1x1, dilated), on [1, C, T, H, W] tensors. ONNX Runtime runs a 3-D QLinearConv
through one im2col of the whole window (64 channels x 9 taps x 100 x 27 x 48 bytes = 75 MB for
one layer), which spills every cache. Inside the blocks every tensor becomes [T, C, H, W], the
frames a batch of pictures, with the same weights and the same quantization parameters:

- a 1x3x3 convolution is a 3x3 one, whose im2col ONNX Runtime builds a picture at a time;
- a 3x1x1 convolution with dilation d is a 3x1 one with dilation d of [1, C, T, H*W], reached
  through a channels-last round trip that cancels against the transposes ONNX Runtime puts
  around its channels-last convolutions (68 transposes a window become 14);
- the 2x2 average pooling is a depthwise 2x2 convolution of ones scaled by a quarter, the same
  arithmetic; ONNX Runtime's depthwise kernel is several times faster than its 8-bit pooling;
- Concat (channels are axis 1 in both layouts) and the elementwise Add stay as they are.

Tensors leave the blocks (for the frame-similarity head) in their 5-D layout again. The
blocks' integers are the same, so the probabilities match the 3-D model's within float
rounding (same_outputs()), and tests/analysis/test_shotmodel.py checks them against PyTorch.
With fold.py, a window costs ~0.2 s of one core instead of ~0.33 s
(`.venv/bin/python tools/transnetv2/costs.py`). quantize.py applies it.
"""

from __future__ import annotations

import numpy as np
import onnx
from onnx import helper, numpy_helper

from tools.transnetv2.graphs import attributes, replace_nodes


def _shapes(model: onnx.ModelProto, names: list[str]) -> dict[str, list[int]]:
    """The shapes of these tensors, from one run: ONNX's shape inference stops at the
    com.microsoft operators the quantizer uses (QLinearConcat)."""
    import onnxruntime

    probe = onnx.ModelProto()
    probe.CopyFrom(model)
    known = {o.name for o in probe.graph.output}
    probe.graph.output.extend(
        helper.make_empty_tensor_value_info(n) for n in names if n not in known
    )
    session = onnxruntime.InferenceSession(
        probe.SerializeToString(), providers=["CPUExecutionProvider"]
    )
    (frames,) = session.get_inputs()
    values = session.run(names, {frames.name: np.zeros(frames.shape, np.uint8)})
    return {name: list(value.shape) for name, value in zip(names, values, strict=True)}


# The convolution blocks: every tensor inside them is [1, C, T, H, W] in the model.
_BLOCKS = "/model/SDDCNN."
_ELEMENTWISE = ("QLinearAdd", "Add", "Relu", "DequantizeLinear", "QuantizeLinear")


def _in_blocks(node: onnx.NodeProto) -> bool:
    # The exporter files a few shared constants under the blocks' names.
    return node.name.startswith(_BLOCKS) and node.op_type != "Constant"


def planar(model: onnx.ModelProto) -> onnx.ModelProto:
    """The model with its convolution blocks run on the frames as a batch of pictures."""
    _Planar(model).run()
    onnx.checker.check_model(model)
    return model


class _Planar:
    def __init__(self, model: onnx.ModelProto) -> None:
        self.graph = model.graph
        inside = [n for n in self.graph.node if _in_blocks(n)]
        self.produced = {o for n in inside for o in n.output}
        entering = {n.input[0] for n in inside if n.input[0] not in self.produced}
        self.shapes = _shapes(model, sorted(self.produced | entering))
        self.weights = {w.name: w for w in self.graph.initializer}
        self.nodes: list[onnx.NodeProto] = []
        self._constants: dict[tuple[int, ...], str] = {}
        self._batched: dict[str, str] = {}  # a 5-D tensor from outside -> its [T, C, H, W] twin
        self._restored: dict[str, str] = {}  # a block tensor read outside -> its 5-D twin

    def run(self) -> None:
        for node in list(self.graph.node):
            if _in_blocks(node):
                self._block_node(node)
            else:
                for k, name in enumerate(node.input):
                    if name in self.produced:
                        node.input[k] = self._restore(name)
                self.nodes.append(node)
        replace_nodes(self.graph, self.nodes)

    def _block_node(self, node: onnx.NodeProto) -> None:
        for k, name in enumerate(node.input):
            if name in self.shapes and name not in self.produced:
                node.input[k] = self._to_batch(name)
        found = attributes(node)
        if node.op_type == "QLinearConv":
            self._conv(node, found)
        elif node.op_type == "QLinearAveragePool":
            self._pool(node, found)
        elif node.op_type in ("Concat", "QLinearConcat") and found.get("axis") == 1:
            self.nodes.append(node)  # the channels are axis 1 in both layouts
        elif node.op_type in _ELEMENTWISE:
            self.nodes.append(node)
        else:
            raise ValueError(f"{node.name}: {node.op_type} is not one planar() knows")

    def _conv(self, node: onnx.NodeProto, found: dict[str, object]) -> None:
        source, out = node.input[0], node.output[0]
        _, filters, frames, height, width = self.shapes[out]
        weight = numpy_helper.to_array(self.weights[node.input[3]])
        channels = weight.shape[1]
        kernel = found["kernel_shape"]
        dilation = list(found.get("dilations", [1, 1, 1]))  # type: ignore[call-overload]
        inputs = list(node.input)
        inputs[3] = f"{node.input[3]}/2d"
        if kernel == [1, 3, 3] and dilation == [1, 1, 1]:
            self._weight(weight[:, :, 0], inputs[3])
            self.nodes.append(
                helper.make_node(
                    "QLinearConv", inputs, [out], name=node.name, kernel_shape=[3, 3], pads=[1] * 4
                )
            )
            return
        if kernel != [3, 1, 1] or dilation[1:] != [1, 1]:
            raise ValueError(f"{node.name}: a {kernel} kernel is not one TransNetV2 factorises")
        self._weight(weight[:, :, :, :, 0], inputs[3])
        # [T, C, H, W] -> [1, C, T, H*W] and back, each written as a round trip through
        # channels-last: ONNX Runtime runs its convolutions channels-last and wraps each in
        # transposes, which cancel against these, so no byte moves between the two kinds.
        inputs[0] = self._via_channels_last(source, (1, frames, height * width, channels))
        d = dilation[0]
        self.nodes.append(
            helper.make_node(
                "QLinearConv",
                inputs,
                [f"{out}/flat"],
                name=node.name,
                kernel_shape=[3, 1],
                dilations=[d, 1],
                pads=[d, 0, d, 0],
            )
        )
        self._via_channels_last(f"{out}/flat", (frames, height, width, filters), out)

    def _pool(self, node: onnx.NodeProto, found: dict[str, object]) -> None:
        """A 2x2 average as a depthwise 2x2 convolution of ones scaled by a quarter: the same
        arithmetic, and ONNX Runtime's depthwise kernel is several times faster than its
        8-bit pooling on these tensors."""
        if found.get("kernel_shape") != [1, 2, 2] or found.get("strides") != [1, 2, 2]:
            raise ValueError(f"{node.name}: a pooling TransNetV2 does not have")
        if any(found.get("pads", [0]) or [0]) or found.get("ceil_mode", 0):
            raise ValueError(f"{node.name}: a padded pooling TransNetV2 does not have")
        channels = self.shapes[node.output[0]][1]
        x, x_scale, x_zero, y_scale, y_zero = node.input
        names = [f"{node.name}/ones", f"{node.name}/quarter", f"{node.name}/zero"]
        self._weight(np.ones((channels, 1, 2, 2), np.int8), names[0])
        self._weight(np.full(channels, 0.25, np.float32), names[1])
        self._weight(np.zeros(channels, np.int8), names[2])
        self.nodes.append(
            helper.make_node(
                "QLinearConv",
                [x, x_scale, x_zero, *names, y_scale, y_zero],
                list(node.output),
                name=node.name,
                kernel_shape=[2, 2],
                strides=[2, 2],
                group=channels,
            )
        )

    def _via_channels_last(self, source: str, shape: tuple[int, ...], out: str = "") -> str:
        last = self._transpose(source, [0, 2, 3, 1], f"{source}/nhwc")
        flat = self._reshape(last, shape, f"{source}/nhwc_reshaped")
        return self._transpose(flat, [0, 3, 1, 2], out or f"{source}/nchw")

    def _weight(self, value: np.ndarray, name: str) -> None:
        self.graph.initializer.append(numpy_helper.from_array(np.ascontiguousarray(value), name))

    def _to_batch(self, source: str) -> str:
        if source not in self._batched:
            _, channels, frames, height, width = self.shapes[source]
            moved = self._transpose(source, [0, 2, 1, 3, 4], f"{source}/frames_first")
            shape = (frames, channels, height, width)
            self._batched[source] = self._reshape(moved, shape, f"{source}/batch")
        return self._batched[source]

    def _restore(self, name: str) -> str:
        if name not in self._restored:
            _, channels, frames, height, width = self.shapes[name]
            back = self._reshape(name, (1, frames, channels, height, width), f"{name}/5d")
            self._restored[name] = self._transpose(back, [0, 2, 1, 3, 4], f"{name}/restored")
        return self._restored[name]

    def _reshape(self, source: str, shape: tuple[int, ...], name: str) -> str:
        if shape not in self._constants:
            constant = "planar/shape_" + "_".join(str(s) for s in shape)
            array = np.array(shape, np.int64)
            self.graph.initializer.append(numpy_helper.from_array(array, constant))
            self._constants[shape] = constant
        self.nodes.append(helper.make_node("Reshape", [source, self._constants[shape]], [name]))
        return name

    def _transpose(self, source: str, perm: list[int], name: str) -> str:
        self.nodes.append(helper.make_node("Transpose", [source], [name], perm=perm))
        return name


def same_outputs(before: bytes, after: bytes) -> None:
    import onnxruntime

    rng = np.random.default_rng(0)
    sessions = [
        onnxruntime.InferenceSession(m, providers=["CPUExecutionProvider"]) for m in (before, after)
    ]
    for _ in range(3):
        frames = rng.integers(0, 256, size=sessions[0].get_inputs()[0].shape, dtype=np.uint8)
        first, second = (s.run(None, {"frames": frames}) for s in sessions)
        for a, b in zip(first, second, strict=True):
            # The blocks' integers are the same; the float heads after them may round in
            # another order.
            if np.abs(a - b).max() > 1e-6:
                raise SystemExit(f"outputs differ by up to {np.abs(a - b).max()}")
