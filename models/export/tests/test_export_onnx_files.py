"""The fp16 rewrite and the external-data layout used when a graph passes 2 GB."""

from __future__ import annotations

import numpy as np
import onnx
import torch
from torch import nn

import convert
import onnx_export_files
from onnx_export_files import external_data_files, finish_onnx, trace_to_onnx
from onnx_runtime_node import run_onnx
from seed_v1_modules import LayerNorm


class NormThenLinear(nn.Module):
    def __init__(self):
        super().__init__()
        self.norm = LayerNorm(16, eps=1e-12)
        self.linear = nn.Linear(16, 64)

    def forward(self, x):
        return self.linear(torch.tanh(self.norm(x)))


def traced(tmp_path):
    torch.manual_seed(0)
    module = NormThenLinear().eval()
    with torch.no_grad():
        module.norm.weight.normal_(1, 0.2)
        module.norm.bias.normal_(0, 0.2)
    return module, trace_to_onnx(module, torch.randn(2, 4, 16), tmp_path / 'traced', 'x', 'y')


def test_fp16_keeps_layer_norm_and_boundaries_in_float32(tmp_path):
    module, path = traced(tmp_path)
    target = tmp_path / 'half.onnx'
    finish_onnx(path, target, 'fp16')
    graph = onnx.load(str(target)).graph
    assert graph.input[0].type.tensor_type.elem_type == onnx.TensorProto.FLOAT
    assert graph.output[0].type.tensor_type.elem_type == onnx.TensorProto.FLOAT
    types = {tensor.name: tensor.data_type for tensor in graph.initializer}
    norm = next(node for node in graph.node if node.op_type == 'LayerNormalization')
    assert all(types[name] == onnx.TensorProto.FLOAT for name in norm.input[1:])
    linear_weights = [name for name, kind in types.items() if name not in norm.input]
    assert linear_weights and all(types[name] == onnx.TensorProto.FLOAT16 for name in linear_weights)
    producer = next(node for node in graph.node if norm.input[0] in node.output)
    assert producer.op_type == 'Cast' and producer.attribute[0].i == onnx.TensorProto.FLOAT

    x = torch.randn(3, 4, 16)
    with torch.no_grad():
        expected = module(x).numpy()
    got = run_onnx(target, {'x': x.numpy()}, {'y': (3, 4, 64)})['y']
    assert np.abs(got - expected).max() < 5e-3


def test_weights_past_the_limit_go_to_one_external_file(tmp_path, monkeypatch):
    module, path = traced(tmp_path)
    monkeypatch.setattr(onnx_export_files, 'INLINE_WEIGHTS_LIMIT', 0)
    target = tmp_path / 'model' / 'tokenizer' / 'encoder.onnx'
    written = finish_onnx(path, target, 'fp32')
    assert written == [target, target.with_name('encoder.onnx.data')]
    assert external_data_files(target) == [target.with_name('encoder.onnx.data')]
    ref = convert.onnx_ref(target, tmp_path / 'model')
    assert ref['path'] == 'tokenizer/encoder.onnx'
    assert [entry['path'] for entry in ref['externalData']] == ['tokenizer/encoder.onnx.data']

    x = torch.randn(1, 4, 16)
    with torch.no_grad():
        expected = module(x).numpy()
    got = run_onnx(target, {'x': x.numpy()}, {'y': (1, 4, 64)})['y']
    assert np.abs(got - expected).max() < 1e-5
