"""Rewrites the weight matrix products of an fp32 ONNX graph as int8 ones (dynamic quantization).

Why: the SEED image encoder is an EVA ViT-g, about 0.5 TFLOP of matrix products per image. On a CPU both
ONNX Runtime and PyTorch already multiply fp32 at the hardware's rate, so no fp32 graph can be much faster
than PyTorch. ONNX Runtime's int8 kernels (VNNI on AVX-512/AVX-VNNI CPUs) multiply about 3x as fast (one
ViT-g MLP product, 257x1408 by 1408x6144, on a 2-core AMD EPYC: 48 ms fp32, 15 ms int8).

Why by hand: onnxruntime's Python quantization tool is not packaged for Debian (no Python onnxruntime),
and the rewrite we need is one operator: each MatMul whose second input is a weight becomes ONNX Runtime's
`com.microsoft.DynamicQuantizeMatMul`, which quantizes its activations to uint8 per call (per tensor) and
multiplies by the weights stored as int8 with one scale per output column (symmetric, zero point 0). Attention
products (activation by activation), LayerNorm, softmax and GELU stay in fp32.

`weight_bits=7` stores the weights in [-63, 63]: CPUs with AVX2 but without VNNI multiply uint8 by int8 in
pairs that a full 8-bit range can saturate (ONNX Runtime's documentation calls this "reduce range").
"""

from __future__ import annotations

import numpy as np
import onnx
from onnx import helper, numpy_helper

MICROSOFT_DOMAIN = 'com.microsoft'
QUANTIZED_OP = 'DynamicQuantizeMatMul'


def int8_columns(weights: np.ndarray, weight_bits: int = 8) -> tuple[np.ndarray, np.ndarray]:
    """Symmetric per-column quantization of a [K, N] matrix: int8 values and float32 scales, weights ~= q * scale."""
    if weight_bits not in (7, 8):
        raise ValueError(f'weight_bits must be 7 or 8, got {weight_bits}.')
    limit = 2 ** (weight_bits - 1) - 1
    largest = np.abs(weights).max(axis=0)
    # An all-zero column would divide by zero; any scale represents it exactly.
    scales = np.where(largest > 0, largest / limit, 1.0).astype(np.float32)
    quantized = np.clip(np.rint(weights / scales), -limit, limit).astype(np.int8)
    return quantized, scales


def quantize_matmuls(model: onnx.ModelProto, name_prefix: str, weight_bits: int = 8) -> int:
    """Replaces, in place, every MatMul whose node name starts with `name_prefix` and whose second input is a
    2-D float32 initializer. Returns how many were replaced; weights no other node uses are dropped."""
    graph = model.graph
    initializers = {tensor.name: tensor for tensor in graph.initializer}
    quantized_names: dict[str, tuple[str, str, str]] = {}
    replaced = 0
    for index, node in enumerate(list(graph.node)):
        if node.op_type != 'MatMul' or not node.name.startswith(name_prefix):
            continue
        weight = initializers.get(node.input[1])
        if weight is None or len(weight.dims) != 2:
            continue
        if weight.data_type != onnx.TensorProto.FLOAT:
            raise ValueError(
                f'{node.name} multiplies by {weight.name}, which is not float32: quantize the fp32 model folder '
                '(convert.py without --dtype fp16).'
            )
        if weight.name not in quantized_names:
            values, scales = int8_columns(numpy_helper.to_array(weight), weight_bits)
            names = (f'{weight.name}_int8', f'{weight.name}_scale', f'{weight.name}_zero_point')
            graph.initializer.extend(
                [
                    numpy_helper.from_array(values, names[0]),
                    numpy_helper.from_array(scales, names[1]),
                    numpy_helper.from_array(np.zeros(scales.shape, np.int8), names[2]),
                ]
            )
            quantized_names[weight.name] = names
        replacement = helper.make_node(
            QUANTIZED_OP,
            [node.input[0], *quantized_names[weight.name]],
            list(node.output),
            name=f'{node.name}_int8',
            domain=MICROSOFT_DOMAIN,
        )
        graph.node[index].CopyFrom(replacement)
        replaced += 1
    still_used = {name for node in graph.node for name in node.input}
    # By index, from the end: removing by value would compare whole tensors (gigabytes at full size).
    for position in reversed(range(len(graph.initializer))):
        name = graph.initializer[position].name
        if name in quantized_names and name not in still_used:
            del graph.initializer[position]
    if replaced and not any(entry.domain == MICROSOFT_DOMAIN for entry in model.opset_import):
        model.opset_import.append(helper.make_opsetid(MICROSOFT_DOMAIN, 1))
    return replaced
