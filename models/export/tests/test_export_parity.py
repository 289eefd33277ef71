"""Converting the small random checkpoints: the ONNX graphs match the PyTorch modules, and the model
folder follows the contract (schema, hashes, codebook, unconditional embedding)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import jsonschema
import numpy as np
import pytest
import torch

import convert
from onnx_runtime_node import PACKAGE_ROOT, run_onnx
from seed_v1_modules import SeedV1Config, SeedV1Tokenizer


def load_by_name(checkpoints) -> SeedV1Tokenizer:
    """The PyTorch reference, loaded with plain strict load_state_dict instead of the converter's matcher."""
    model = SeedV1Tokenizer(SeedV1Config.load(checkpoints.config)).eval()
    state = {f'visual_encoder.{k}': v for k, v in torch.load(checkpoints.eva_vit).items()}
    state.update(torch.load(checkpoints.causal_qformer)['model'])
    state.update(torch.load(checkpoints.seed_tokenizer)['model'])
    model.load_state_dict(state, strict=True)
    return model


@pytest.fixture(params=['fp32', 'fp16'])
def converted(request, conversion):
    folder, report = conversion
    return request.param, folder / request.param, report['targets'][request.param]


def test_onnx_graphs_match_pytorch(converted, small_checkpoints):
    dtype, out, _ = converted
    model = load_by_name(small_checkpoints)
    generator = torch.Generator().manual_seed(7)
    pixels = torch.randn(3, 3, 224, 224, generator=generator)
    codes = torch.randint(0, 8192, (3, 32), generator=generator)
    code_vectors = model.quantize.embedding.weight.detach()[codes]
    with torch.no_grad():
        prequant = model.encode(pixels).numpy()
        embedding = model.decode(code_vectors).numpy()
    got_prequant = run_onnx(out / 'tokenizer/encoder.onnx', {'pixel_values': pixels.numpy()}, {'prequant': (3, 32, 32)})
    got_embedding = run_onnx(
        out / 'tokenizer/decoder.onnx', {'code_vectors': code_vectors.numpy()}, {'generation_embedding': (3, 77, 768)}
    )
    encoder_diff = np.abs(got_prequant['prequant'] - prequant).max()
    decoder_diff = np.abs(got_embedding['generation_embedding'] - embedding).max()
    if dtype == 'fp32':
        assert encoder_diff < 1e-4 and decoder_diff < 1e-4
    else:
        # fp16 weights and activations: about three significant digits.
        assert encoder_diff < 2e-3 * np.abs(prequant).max() + 1e-4
        assert decoder_diff < 2e-3 * np.abs(embedding).max() + 1e-4


def test_convert_check_reports_parity(converted):
    dtype, _, report = converted
    limit = 1e-4 if dtype == 'fp32' else 2e-3
    for name in ('encoder', 'decoder'):
        assert report['check'][name]['maxAbsDiff'] < limit * max(1.0, report['check'][name]['maxAbsExpected'])
    encoder = report['check']['encoder']
    assert encoder['codesAgreeing'] >= encoder['codes'] - (0 if dtype == 'fp32' else 2)


def test_graphs_keep_float32_inputs_and_outputs(converted):
    import onnx

    _, out, _ = converted
    for name, input_name, output_name in (
        ('encoder', 'pixel_values', 'prequant'),
        ('decoder', 'code_vectors', 'generation_embedding'),
    ):
        graph = onnx.load(str(out / 'tokenizer' / f'{name}.onnx')).graph
        assert [(v.name, v.type.tensor_type.elem_type) for v in graph.input] == [(input_name, onnx.TensorProto.FLOAT)]
        assert [(v.name, v.type.tensor_type.elem_type) for v in graph.output] == [(output_name, onnx.TensorProto.FLOAT)]
        batch = graph.input[0].type.tensor_type.shape.dim[0]
        assert batch.dim_param == 'batch'


def test_manifest_follows_the_contract(converted, small_checkpoints):
    dtype, out, _ = converted
    manifest = json.loads((out / 'seed-model.json').read_text())
    schema = json.loads((PACKAGE_ROOT / 'models' / 'seed-model.schema.json').read_text())
    jsonschema.validate(manifest, schema)
    assert manifest['family'] == 'seed-v1'
    assert manifest['image']['size'] == [224, 224] and manifest['image']['resample'] == 'bicubic'
    tokenizer = manifest['tokenizer']
    assert (tokenizer['numCodes'], tokenizer['codebookSize'], tokenizer['codeDim']) == (32, 8192, 32)
    assert tokenizer['distance'] == 'l2' and tokenizer['normalize'] is False
    assert manifest['generationEmbedding'] == {'tokens': 77, 'dim': 768}
    diffusion = manifest['diffusion']
    assert diffusion['latentShape'] == [4, 64, 64] and diffusion['vaeScale'] == 0.18215
    schedule = {'kind': 'scaled_linear', 'trainSteps': 1000, 'betaStart': 0.00085, 'betaEnd': 0.012}
    assert diffusion['schedule'] == schedule
    assert diffusion['defaults'] == {'sampler': 'plms', 'steps': 50, 'guidance': 7.5, 'seed': 42}
    refs = [tokenizer['codebook'], tokenizer['encoder'], tokenizer['decoder']]
    refs += [diffusion[key] for key in ('unet', 'vaeDecoder', 'textEncoder', 'unconditional')]
    for ref in refs:
        path = Path(ref['path']) if Path(ref['path']).is_absolute() else out / ref['path']
        assert hashlib.sha256(path.read_bytes()).hexdigest() == ref['sha256'], ref['path']
    assert Path(diffusion['unet']['path']).is_absolute()
    assert not Path(tokenizer['encoder']['path']).is_absolute()


def test_codebook_file_is_the_checkpoint_codebook(converted, small_checkpoints):
    _, out, _ = converted
    expected = torch.load(small_checkpoints.seed_tokenizer)['model']['quantize.embedding.weight'].numpy()
    codebook = np.fromfile(out / 'tokenizer/codebook.f32', dtype='<f4').reshape(8192, 32)
    np.testing.assert_array_equal(codebook, expected)


def test_unconditional_is_the_text_encoder_on_the_empty_prompt(converted, tiny_sd):
    _, out, _ = converted
    ids = torch.tensor([[49406] + [49407] * 76], dtype=torch.int32)
    with torch.no_grad():
        expected = tiny_sd.text_encoder(ids).numpy()
    unconditional = np.fromfile(out / 'unconditional.f32', dtype='<f4').reshape(1, 77, 768)
    np.testing.assert_allclose(unconditional, expected, atol=1e-5)


def test_diffusion_part_of_another_model_folder_is_reused(conversion, small_checkpoints, tmp_path):
    folder, _ = conversion
    other = folder / 'fp32' / 'seed-model.json'
    out = tmp_path / 'reusing'
    args = small_checkpoints.convert_args() + ['--diffusion-from', str(other), '--out', str(out)]
    assert convert.main(args) == 0
    manifest = json.loads((out / 'seed-model.json').read_text())
    jsonschema.validate(manifest, json.loads((PACKAGE_ROOT / 'models' / 'seed-model.schema.json').read_text()))
    unconditional = manifest['diffusion']['unconditional']
    assert unconditional['path'] == str((folder / 'fp32' / 'unconditional.f32').resolve())
    assert hashlib.sha256(Path(unconditional['path']).read_bytes()).hexdigest() == unconditional['sha256']


def test_diffusion_part_with_other_embedding_sizes_is_refused(conversion, small_checkpoints, tmp_path, capsys):
    folder, _ = conversion
    manifest = json.loads((folder / 'fp32' / 'seed-model.json').read_text())
    manifest['generationEmbedding'] = {'tokens': 16, 'dim': 128}
    other = tmp_path / 'seed-model.json'
    other.write_text(json.dumps(manifest))
    args = small_checkpoints.convert_args() + ['--diffusion-from', str(other), '--out', str(tmp_path / 'out')]
    assert convert.main(args) == 2
    assert 'takes a 16x128 generation embedding, but this tokenizer makes 77x768' in capsys.readouterr().err


def test_unconditional_file_of_the_wrong_size_is_refused(small_checkpoints, tiny_sd, tmp_path, capsys):
    wrong = tmp_path / 'unconditional.f32'
    np.zeros((1, 77, 512), dtype='<f4').tofile(wrong)
    args = small_checkpoints.convert_args() + [
        '--sd-onnx', str(tiny_sd.folder), '--unconditional', str(wrong), '--out', str(tmp_path / 'out')
    ]
    assert convert.main(args) == 2
    assert 'a float32 [1,77,768] embedding has 236544' in capsys.readouterr().err
