"""A small ONNX graph builder for the exporter: nodes, constants, unique names.

Only the export modules import this one (after ``_onnx.require_onnx`` has checked that
the ``onnx`` package is there). Values are named ``<layer>/<op>`` so a graph viewer
shows which seqlab layer each node came from.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

from ._onnx import ExportError

INT64_MIN, INT64_MAX = np.iinfo(np.int64).min, np.iinfo(np.int64).max


@dataclass
class Value:
    """A tensor of the graph being built: its name, the name of its time mask
    (a bool ``(batch, time)`` tensor, Keras's ``_keras_mask``) and its element type."""

    name: str
    mask: str | None = None
    dtype: int = TensorProto.FLOAT


class Graph:
    """Collects nodes and initializers; ``op`` adds a node and returns its output name(s)."""

    def __init__(self, opset: int):
        self.opset = opset
        self.nodes, self.initializers = [], []
        self.scope = "graph"  # the layer being exported, the prefix of new names
        self.cache = {}  # shared pieces: constants, mask preparations
        self._taken = Counter()

    def reserve(self, name: str) -> str:
        """Claim a name for a graph input or output (internal names never reuse it)."""
        if self._taken[name]:
            raise ExportError(f"Two graph inputs/outputs would both be named {name!r}: give the "
                              "Input layers (or output layers) distinct names")
        self._taken[name] += 1
        return name

    def fresh(self, hint: str) -> str:
        """`hint`, or `hint_1`, `hint_2`... if taken."""
        name = hint
        while self._taken[name]:
            name = f"{hint}_{self._taken[hint]}"
            self._taken[hint] += 1
        self._taken[name] = 1
        return name

    def op(self, op_type: str, inputs, outputs: int = 1, **attributes):
        names = [self.fresh(f"{self.scope}/{op_type}") for _ in range(outputs)]
        self.nodes.append(helper.make_node(op_type, list(inputs), names,
                                           name=self.fresh(f"{self.scope}/{op_type}:node"),
                                           **attributes))
        return names[0] if outputs == 1 else names

    def const(self, array, hint: str = "const") -> str:
        """An initializer holding `array` (its dtype as given)."""
        name = self.fresh(f"{self.scope}/{hint}")
        self.initializers.append(numpy_helper.from_array(np.array(array, order="C"), name))
        return name

    def ints(self, values) -> str:
        """A shared 1-D int64 constant (shapes, axes, indices)."""
        return self._shared(("ints", tuple(int(v) for v in values)),
                            lambda: np.asarray(values, dtype=np.int64))

    def scalar(self, value, dtype=np.float32) -> str:
        """A shared 0-d constant."""
        return self._shared(("scalar", float(value), np.dtype(dtype).str),
                            lambda: np.asarray(value, dtype=dtype))

    def _shared(self, key, make):
        if key not in self.cache:
            scope, self.scope = self.scope, "constants"
            self.cache[key] = self.const(make(), "c")
            self.scope = scope
        return self.cache[key]

    # ------------------------------------------------------------ common pieces

    def reduce(self, op_type: str, x: str, axes, keepdims: bool) -> str:
        """``ReduceSum/Mean/Max`` over `axes`: axes are an input from opset 13 (ReduceSum)
        or 18 (the others), an attribute before."""
        if op_type == "ReduceSum" or self.opset >= 18:
            return self.op(op_type, [x, self.ints(axes)], keepdims=int(keepdims))
        return self.op(op_type, [x], axes=list(axes), keepdims=int(keepdims))

    def unsqueeze(self, x: str, axes) -> str:
        return self.op("Unsqueeze", [x, self.ints(axes)])

    def flip_time(self, x: str) -> str:
        """``x[:, ::-1]``: axis 1 reversed."""
        return self.op("Slice", [x, self.ints([-1]), self.ints([INT64_MIN]), self.ints([1]),
                                 self.ints([-1])])

    def time_slice(self, x: str, start: int, stop: int) -> str:
        return self.op("Slice", [x, self.ints([start]), self.ints([stop]), self.ints([1])])

    def gather_time(self, x: str, index: str) -> str:
        """``x[b, index[b, t], ...]`` for ``x (B, T, F)`` and ``index (B, T)`` int64."""
        expanded = self.op("Expand", [self.unsqueeze(index, [2]), self.op("Shape", [x])])
        return self.op("GatherElements", [x, expanded], axis=1)


def finish(graph: Graph, inputs: list, outputs: list, name: str, doc: str) -> onnx.ModelProto:
    """The model: `inputs` as value infos, `outputs` as ``(graph name, value name)``; the
    output types and ranks come from ONNX's own shape inference."""
    nodes = list(graph.nodes)
    for output_name, value_name in outputs:
        nodes.append(helper.make_node("Identity", [value_name], [output_name],
                                      name=graph.fresh(f"{output_name}:node")))
    untyped = [helper.make_value_info(output_name, onnx.TypeProto()) for output_name, _ in outputs]
    body = helper.make_graph(nodes, name, inputs, untyped, graph.initializers, doc_string=doc)
    opsets = [helper.make_opsetid("", graph.opset)]
    model = helper.make_model(body, opset_imports=opsets,
                              ir_version=helper.find_min_ir_version_for(opsets),
                              producer_name="seqlab")
    inferred = onnx.shape_inference.infer_shapes(model, strict_mode=True)
    types = {v.name: v for v in (*inferred.graph.value_info, *inferred.graph.output)}
    del model.graph.output[:]
    for output_name, _ in outputs:
        typed = types.get(output_name)
        if typed is None or not typed.type.tensor_type.HasField("shape"):
            raise ExportError(f"internal error: ONNX could not infer the type of output "
                              f"{output_name!r}")
        _name_batch_axis(typed)
        model.graph.output.append(typed)
    return model


def _name_batch_axis(value_info):
    dims = value_info.type.tensor_type.shape.dim
    if dims and not dims[0].HasField("dim_value"):
        dims[0].dim_param = "batch"
