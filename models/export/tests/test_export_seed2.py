"""convert_seed2.py at reduced size: parity with PyTorch, the release's load order, and the errors for files
of the wrong family or a missing unCLIP export."""

from __future__ import annotations

import json
import subprocess

import pytest
import torch

import convert
import convert_seed2
import make_random_checkpoints
import quantize_encoder
from released_checkpoints import (
    CAUSAL_QFORMER,
    EVA_VIT,
    SEED_QUANTIZER,
    SEED_TOKENIZER,
    SEED_V1,
    SEED_V2,
    CheckpointError,
    load_released_checkpoints,
)
from seed_v1_modules import SeedV1Config, SeedV1Tokenizer
from seed_v2_modules import SeedV2Config, SeedV2Tokenizer
from tiny_unclip_onnx import write_tiny_unclip_onnx

PACKAGE_ROOT = convert.PACKAGE_ROOT


def seed2_checkpoints(folder, *extra):
    make_random_checkpoints.main(['--family', 'seed-v2', '--out', str(folder), '--seed', '2', *extra])
    return folder


@pytest.fixture(scope='module')
def v2(tmp_path_factory):
    return seed2_checkpoints(tmp_path_factory.mktemp('seed2'))


@pytest.fixture(scope='module')
def unclip(tmp_path_factory):
    folder = tmp_path_factory.mktemp('unclip')
    write_tiny_unclip_onnx(folder)
    return folder


def load_v2(folder, eva=True, log=None):
    model = SeedV2Tokenizer(SeedV2Config.load(folder / 'config.json'))
    paths = {EVA_VIT: folder / 'eva_vit_g.pth' if eva else None, SEED_QUANTIZER: folder / 'seed_quantizer.pt'}
    load_released_checkpoints(model, paths, log=log or (lambda _: None), release=SEED_V2)
    return model


@pytest.fixture(scope='module')
def converted_v2(v2, unclip, tmp_path_factory):
    """The small SEED-2 checkpoints converted with --check: the folder and convert_seed2.py's report."""
    folder = tmp_path_factory.mktemp('converted-seed2')
    out = folder / 'seed-v2'
    args = ['--seed-quantizer', str(v2 / 'seed_quantizer.pt'), '--eva-vit', str(v2 / 'eva_vit_g.pth')]
    args += ['--config', str(v2 / 'config.json'), '--unclip-onnx', str(unclip), '--out', str(out)]
    assert convert_seed2.main(args + ['--check', '--tolerance', '1e-4', '--report', str(folder / 'r.json')]) == 0
    return out, json.loads((folder / 'r.json').read_text())


def runtime_loads(folder) -> None:
    """The runtime's own loader accepts the folder (schema and the checks beyond it)."""
    script = "const m = require('./dist/runtime/manifest-loader'); m.loadManifest(process.argv[1]); console.log('ok')"
    result = subprocess.run(['node', '-e', script, str(folder)], cwd=PACKAGE_ROOT, capture_output=True, text=True)
    assert result.stdout.strip() == 'ok', result.stderr


def test_conversion_matches_pytorch_and_writes_a_seed2_manifest(converted_v2):
    out, report = converted_v2
    check = report['check']
    assert check['encoder']['codesAgreeing'] == check['encoder']['codes'] == 64
    assert check['decoder']['maxAbsDiff'] <= 1e-4 and check['decoder']['maxAbsExpected'] > 0
    manifest = json.loads((out / 'seed-model.json').read_text())
    assert manifest['family'] == 'seed-v2'
    assert manifest['generationEmbedding'] == {'tokens': 1, 'dim': 1024}
    assert manifest['diffusion']['prediction'] == 'v'
    assert manifest['diffusion']['defaults'] == {'sampler': 'ddim', 'steps': 20, 'guidance': 10, 'seed': 42}
    assert manifest['diffusion']['unclip']['noiseSchedule'] == {'kind': 'cosine', 'trainSteps': 1000}
    runtime_loads(out)


def test_the_int8_encoder_copy_serves_seed2_folders_too(converted_v2, tmp_path):
    out, _ = converted_v2
    int8 = tmp_path / 'seed-v2-int8'
    args = ['--from', str(out), '--out', str(int8), '--check', '--report', str(tmp_path / 'q.json')]
    assert quantize_encoder.main(args) == 0
    report = json.loads((tmp_path / 'q.json').read_text())
    assert report['quantizedMatMuls'] > 0
    assert report['check']['codesAgreeing'] >= 0.75 * report['check']['codes']
    manifest = json.loads((int8 / 'seed-model.json').read_text())
    assert manifest['family'] == 'seed-v2' and manifest['id'].endswith('-int8')
    runtime_loads(int8)


def test_a_later_copy_of_the_vit_replaces_the_earlier_one(tmp_path):
    folder = seed2_checkpoints(tmp_path, '--vit-copy', '--vit-copy-offset', '0.5')
    logged = []
    model = load_v2(folder, log=logged.append)
    copy = torch.load(folder / 'seed_quantizer.pt')['visual_encoder.cls_token']
    assert torch.equal(model.visual_encoder.cls_token, copy)
    line = next(entry for entry in logged if entry.startswith('seed_quantizer.pt'))
    assert 'replaced 30 tensors of eva_vit_g.pth' in line and '30 differ' in line


def test_identical_copies_are_reported_identical_and_the_vit_file_is_optional_then(tmp_path):
    folder = seed2_checkpoints(tmp_path, '--vit-copy')
    logged = []
    load_v2(folder, log=logged.append)
    assert any('all identical' in entry for entry in logged)
    without_eva = load_v2(folder, eva=False)
    assert torch.equal(without_eva.visual_encoder.pos_embed, load_v2(folder).visual_encoder.pos_embed)


def test_the_vit_file_is_needed_when_seed_quantizer_lacks_the_vit(v2):
    with pytest.raises(CheckpointError, match='eva_vit_g.pth .* was not given .*pass it as --eva-vit'):
        load_v2(v2, eva=False)


def test_seed_v1_causal_qformer_copy_of_the_vit_replaces_eva_as_the_release_does(small_checkpoints, tmp_path):
    state = torch.load(small_checkpoints.causal_qformer)
    eva = torch.load(small_checkpoints.eva_vit)
    state['model'].update({f'visual_encoder.{key}': value + 1 for key, value in eva.items()})
    edited = tmp_path / 'causal_qformer.pth'
    torch.save(state, edited)
    model = SeedV1Tokenizer(SeedV1Config.load(small_checkpoints.config))
    logged = []
    paths = {
        EVA_VIT: small_checkpoints.eva_vit,
        CAUSAL_QFORMER: edited,
        SEED_TOKENIZER: small_checkpoints.seed_tokenizer,
    }
    load_released_checkpoints(model, paths, log=logged.append, release=SEED_V1)
    assert torch.equal(model.visual_encoder.cls_token, eva['cls_token'] + 1)
    assert any(entry.startswith('causal_qformer.pth') and 'differ' in entry for entry in logged)


def test_a_seed_v1_file_given_to_the_seed2_converter_is_named(small_checkpoints, v2):
    for v1_file, name in (
        (small_checkpoints.seed_tokenizer, 'SEED v1 de-tokenizer'),
        (small_checkpoints.causal_qformer, 'SEED v1 causal Q-Former'),
    ):
        model = SeedV2Tokenizer(SeedV2Config.load(v2 / 'config.json'))
        with pytest.raises(CheckpointError, match=f'looks like the {name}.*convert.py'):
            load_released_checkpoints(
                model, {EVA_VIT: v2 / 'eva_vit_g.pth', SEED_QUANTIZER: v1_file}, log=lambda _: None, release=SEED_V2
            )


def test_seed_quantizer_given_to_the_v1_converter_is_named(small_checkpoints, v2):
    model = SeedV1Tokenizer(SeedV1Config.load(small_checkpoints.config))
    paths = {
        EVA_VIT: small_checkpoints.eva_vit,
        CAUSAL_QFORMER: small_checkpoints.causal_qformer,
        SEED_TOKENIZER: v2 / 'seed_quantizer.pt',
    }
    with pytest.raises(CheckpointError, match='looks like the SEED-2 .*convert_seed2.py'):
        load_released_checkpoints(model, paths, log=lambda _: None)


def test_a_missing_unclip_export_is_refused_before_loading(v2, unclip, tmp_path, capsys):
    args = ['--seed-quantizer', str(v2 / 'seed_quantizer.pt'), '--config', str(v2 / 'config.json')]
    assert convert_seed2.main(args + ['--unclip-onnx', str(tmp_path / 'nowhere'), '--out', str(tmp_path / 'o')]) == 2
    error = capsys.readouterr().err
    assert 'not an SD 2.1 unCLIP export' in error and 'export_sd21_unclip_onnx.py' in error
