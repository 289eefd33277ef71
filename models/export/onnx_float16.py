"""Turns an fp32 ONNX graph of our SEED modules into an fp16 one with float32 inputs and outputs.

Why by hand: PyTorch cannot trace a half-precision model on CPU (its CPU kernels for matmul, conv,
softmax and GELU have no fp16 version in the Debian torch this project builds with), and the usual tool
for this, onnxconverter-common, is not packaged for Debian. Our graphs only hold the few ops the SEED
modules produce, so the rewrite is short and refuses any op it does not know how to handle.

What changes: float initializers and constants become fp16; LayerNormalization keeps fp32 weights and is
computed in fp32 between two Casts (fp16 variance loses BERT's 1e-12 eps); graph inputs and outputs stay
float32 so the runtime feeds and reads the same types for both precisions.
"""

from __future__ import annotations

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

FLOAT32_OPS = {'LayerNormalization'}
# Ops whose attributes carry an element type or a float tensor that this rewrite does not handle.
UNSUPPORTED_OPS = {'RandomNormal', 'RandomUniform', 'RandomNormalLike', 'RandomUniformLike', 'EyeLike', 'CastLike'}
FP16_MAX = float(np.finfo(np.float16).max)


def _to_half(tensor: onnx.TensorProto, name: str | None = None) -> onnx.TensorProto:
    values = numpy_helper.to_array(tensor)
    finite = values[np.isfinite(values)]
    if finite.size and np.abs(finite).max() > FP16_MAX:
        raise ValueError(
            f'Tensor {tensor.name or name} has values up to {np.abs(finite).max():g}, beyond float16; '
            'export with --dtype fp32.'
        )
    return numpy_helper.from_array(values.astype(np.float16), name if name is not None else tensor.name)


def convert_to_float16(model: onnx.ModelProto) -> onnx.ModelProto:
    """Rewrites `model` in place (weights must be loaded, not external) and returns it."""
    graph = model.graph
    for node in graph.node:
        if node.op_type in UNSUPPORTED_OPS:
            raise ValueError(f'The fp16 rewrite does not handle {node.op_type} (node {node.name}).')

    float32_inputs = {
        name for node in graph.node if node.op_type in FLOAT32_OPS for name in list(node.input)[1:] if name
    }
    half_users = {
        name
        for node in graph.node
        for index, name in enumerate(node.input)
        if not (node.op_type in FLOAT32_OPS and index > 0)
    }
    initializers = list(graph.initializer)
    del graph.initializer[:]
    for tensor in initializers:
        if tensor.data_type != TensorProto.FLOAT:
            graph.initializer.append(tensor)
            continue
        if tensor.name in float32_inputs:
            graph.initializer.append(tensor)
            if tensor.name in half_users:
                raise ValueError(f'Initializer {tensor.name} feeds both a LayerNormalization and another op.')
        else:
            graph.initializer.append(_to_half(tensor))

    nodes = list(graph.node)
    del graph.node[:]
    for node in nodes:
        if node.op_type == 'Constant':
            for attribute in node.attribute:
                if attribute.name == 'value' and attribute.t.data_type == TensorProto.FLOAT:
                    attribute.t.CopyFrom(_to_half(attribute.t, attribute.t.name))
                elif attribute.name in ('value_float', 'value_floats'):
                    raise ValueError(f'The fp16 rewrite does not handle Constant.{attribute.name} (node {node.name}).')
        elif node.op_type == 'ConstantOfShape':
            for attribute in node.attribute:
                if attribute.name == 'value' and attribute.t.data_type == TensorProto.FLOAT:
                    attribute.t.CopyFrom(_to_half(attribute.t, attribute.t.name))
        elif node.op_type == 'Cast':
            for attribute in node.attribute:
                if attribute.name == 'to' and attribute.i == TensorProto.FLOAT:
                    attribute.i = TensorProto.FLOAT16
        if node.op_type in FLOAT32_OPS:
            x, y = node.input[0], node.output[0]
            graph.node.append(helper.make_node('Cast', [x], [f'{x}__fp32_for_{node.name}'], to=TensorProto.FLOAT))
            node.input[0] = f'{x}__fp32_for_{node.name}'
            node.output[0] = f'{y}__fp32'
            graph.node.append(node)
            graph.node.append(helper.make_node('Cast', [f'{y}__fp32'], [y], to=TensorProto.FLOAT16))
        else:
            graph.node.append(node)

    boundary = []
    for value in graph.input:
        if value.type.tensor_type.elem_type == TensorProto.FLOAT:
            for node in graph.node:
                for index, name in enumerate(node.input):
                    if name == value.name:
                        node.input[index] = f'{value.name}__fp16'
            boundary.append(helper.make_node('Cast', [value.name], [f'{value.name}__fp16'], to=TensorProto.FLOAT16))
    for value in graph.output:
        if value.type.tensor_type.elem_type == TensorProto.FLOAT:
            for node in graph.node:
                for index, name in enumerate(node.output):
                    if name == value.name:
                        node.output[index] = f'{value.name}__fp16'
            graph.node.append(helper.make_node('Cast', [f'{value.name}__fp16'], [value.name], to=TensorProto.FLOAT))
    for cast in reversed(boundary):
        graph.node.insert(0, cast)
    # Shapes recorded for intermediate values carry the old element types; ONNX Runtime infers them again.
    del graph.value_info[:]
    return model
