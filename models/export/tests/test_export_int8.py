"""quantize_encoder.py on the small conversion: only the ViT's weight products become int8, the copy is a
valid model folder that encodes through the runtime, and its codes stay close to the fp32 folder's."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import jsonschema
import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper, numpy_helper

import quantize_encoder
from onnx_int8 import QUANTIZED_OP, int8_columns, quantize_matmuls
from onnx_runtime_node import PACKAGE_ROOT, run_onnx

# A photograph-like test image: the runtime's own fixtures.
IMAGE = PACKAGE_ROOT / 'kernel' / 'runtime' / 'fixtures' / 'image-reference' / 'orientation-6.jpg'


def weight_matmuls(graph: onnx.GraphProto, prefix: str) -> list[onnx.NodeProto]:
    weights = {tensor.name for tensor in graph.initializer}
    return [
        node
        for node in graph.node
        if node.op_type == 'MatMul' and node.name.startswith(prefix) and node.input[1] in weights
    ]


@pytest.fixture(scope='module')
def quantized(conversion, tmp_path_factory):
    folder, _ = conversion
    out = tmp_path_factory.mktemp('int8') / 'seed-int8'
    report = out.parent / 'report.json'
    args = ['--from', str(folder / 'fp32'), '--out', str(out), '--check', '--image', str(IMAGE)]
    args += ['--report', str(report)]
    assert quantize_encoder.main(args) == 0
    return folder / 'fp32', out, json.loads(report.read_text())


def test_int8_columns_round_within_half_a_step():
    weights = np.random.default_rng(3).standard_normal((64, 16)).astype(np.float32)
    weights[:, 5] = 0
    for bits, limit in ((8, 127), (7, 63)):
        values, scales = int8_columns(weights, bits)
        assert values.dtype == np.int8 and np.abs(values).max() == limit
        assert np.all(np.abs(values * scales - weights) <= scales / 2 + 1e-7)
        assert np.all(values[:, 5] == 0)


def test_a_quantized_product_in_onnx_runtime_is_within_a_percent_of_fp32(tmp_path):
    """One ViT-named product and one Q-Former-named product on weights of unit scale, where an error in the
    scales' orientation or the zero points would show (the small model's ViT barely moves its features)."""
    rng = np.random.default_rng(5)
    weights = {name: rng.standard_normal((48, 40)).astype(np.float32) for name in ('w_vit', 'w_qformer')}
    nodes = [
        helper.make_node('MatMul', ['x', 'w_vit'], ['h'], name='/visual_encoder/blocks.0/mlp/fc1/MatMul'),
        helper.make_node('MatMul', ['h', 'w_qformer'], ['y'], name='/Qformer/layer.0/output/dense/MatMul'),
    ]
    weights['w_qformer'] = weights['w_qformer'][:40]
    graph = helper.make_graph(
        nodes,
        'two-products',
        [helper.make_tensor_value_info('x', TensorProto.FLOAT, ['batch', 7, 48])],
        [helper.make_tensor_value_info(name, TensorProto.FLOAT, ['batch', 7, 40]) for name in ('h', 'y')],
        [numpy_helper.from_array(value, name) for name, value in weights.items()],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid('', 17)])
    assert quantize_matmuls(model, '/visual_encoder/') == 1
    assert [node.op_type for node in model.graph.node] == [QUANTIZED_OP, 'MatMul']
    onnx.save(model, str(tmp_path / 'int8.onnx'))
    x = rng.standard_normal((2, 7, 48)).astype(np.float32)
    got = run_onnx(tmp_path / 'int8.onnx', {'x': x}, {'h': (2, 7, 40), 'y': (2, 7, 40)})
    expected = x @ weights['w_vit']
    error = np.linalg.norm(got['h'] - expected) / np.linalg.norm(expected)
    assert 1e-4 < error < 0.02
    np.testing.assert_allclose(got['y'], got['h'] @ weights['w_qformer'], rtol=1e-4, atol=1e-3)


def test_only_the_vit_weight_products_are_quantized(quantized):
    source, out, report = quantized
    before = onnx.load(str(source / 'tokenizer' / 'encoder.onnx')).graph
    after = onnx.load(str(out / 'tokenizer' / 'encoder.onnx'))
    vit = weight_matmuls(before, '/visual_encoder/')
    replaced = [node for node in after.graph.node if node.op_type == QUANTIZED_OP]
    assert len(vit) > 0 and report['quantizedMatMuls'] == len(vit) == len(replaced)
    assert weight_matmuls(after.graph, '/visual_encoder/') == []
    # The Q-Former and everything after it keep their fp32 products.
    assert len(weight_matmuls(after.graph, '/Qformer/')) == len(weight_matmuls(before, '/Qformer/')) > 0
    assert any(entry.domain == 'com.microsoft' for entry in after.opset_import)
    weights = {tensor.name: tensor for tensor in after.graph.initializer}
    for node in replaced:
        values = numpy_helper.to_array(weights[node.input[1]])
        assert values.dtype == np.int8 and np.abs(values).max() <= 127
    # The fp32 originals of the quantized weights are gone.
    assert not any(node.input[1] in weights for node in vit)


def test_the_copy_is_a_model_folder_with_the_same_decoder(quantized):
    source, out, _ = quantized
    manifest = json.loads((out / 'seed-model.json').read_text())
    original = json.loads((source / 'seed-model.json').read_text())
    schema = json.loads((PACKAGE_ROOT / 'models' / 'seed-model.schema.json').read_text())
    jsonschema.validate(manifest, schema)
    assert manifest['id'] == f'{original["id"]}-int8' and 'int8' in manifest['description']
    encoder = manifest['tokenizer']['encoder']
    assert hashlib.sha256((out / encoder['path']).read_bytes()).hexdigest() == encoder['sha256']
    assert encoder['sha256'] != original['tokenizer']['encoder']['sha256']
    for key in ('decoder', 'codebook'):
        assert manifest['tokenizer'][key] == original['tokenizer'][key]
        path = manifest['tokenizer'][key]['path']
        assert (out / path).read_bytes() == (source / path).read_bytes()
    assert manifest['diffusion'] == original['diffusion']


def test_codes_stay_close_to_fp32(quantized):
    _, _, report = quantized
    check = report['check']
    # Measured on the small random model: about 1% feature error; full size: 117/128 and 181/192 on photos.
    assert check['relativeError'] < 0.05
    assert check['codesAgreeing'] >= 0.75 * check['codes']
    [image] = check['images']
    assert image['codes'] == 32 and image['codesAgreeing'] >= 24


def test_refuses_to_overwrite_its_source_and_fp16_folders(conversion, tmp_path, capsys):
    folder, _ = conversion
    assert quantize_encoder.main(['--from', str(folder / 'fp32'), '--out', str(folder / 'fp32')]) == 2
    assert '--out must be a new folder' in capsys.readouterr().err
    assert quantize_encoder.main(['--from', str(folder / 'fp16'), '--out', str(tmp_path / 'int8')]) == 2
    assert 'quantize the fp32 model folder' in capsys.readouterr().err
    assert not (tmp_path / 'int8').exists()  # refused before anything was written
    assert quantize_encoder.main(['--from', str(tmp_path / 'nothing'), '--out', str(tmp_path / 'int8')]) == 2
    assert 'not a model folder' in capsys.readouterr().err


def test_weight_bits_follow_the_cpu(tmp_path):
    cpuinfo = tmp_path / 'cpuinfo'
    for flags, bits in (('avx2 avx512f avx512_vnni', 8), ('avx2 avx_vnni', 8), ('sse4_2 avx avx2 fma', 7), ('neon', 8)):
        cpuinfo.write_text(f'processor\t: 0\nflags\t\t: {flags}\n')
        assert quantize_encoder.default_weight_bits(cpuinfo)[0] == bits, flags
    assert quantize_encoder.default_weight_bits(tmp_path / 'missing')[0] == 8


def test_other_files_are_linked_not_copied(quantized):
    source, out, _ = quantized
    codebook = 'tokenizer/codebook.f32'
    assert os.stat(out / codebook).st_ino == os.stat(source / codebook).st_ino
