"""Bad inputs to the converter: each error says which file, what is wrong, and what it looks like."""

from __future__ import annotations

import shutil

import pytest
import torch

import convert
from released_checkpoints import (
    CAUSAL_QFORMER,
    EVA_VIT,
    SEED_TOKENIZER,
    CheckpointError,
    load_released_checkpoints,
)
from seed_v1_modules import SeedV1Config, SeedV1Tokenizer


def fresh_model(checkpoints) -> SeedV1Tokenizer:
    return SeedV1Tokenizer(SeedV1Config.load(checkpoints.config))


def paths_of(checkpoints, **replaced):
    paths = {
        EVA_VIT: checkpoints.eva_vit,
        CAUSAL_QFORMER: checkpoints.causal_qformer,
        SEED_TOKENIZER: checkpoints.seed_tokenizer,
    }
    for part in list(paths):
        key = part.option.lstrip('-').replace('-', '_')
        if key in replaced:
            paths[part] = replaced[key]
    return paths


def load_error(checkpoints, **replaced) -> str:
    with pytest.raises(CheckpointError) as caught:
        load_released_checkpoints(fresh_model(checkpoints), paths_of(checkpoints, **replaced), log=lambda _: None)
    return str(caught.value)


def edited_causal_qformer(checkpoints, tmp_path, edit) -> object:
    state = torch.load(checkpoints.causal_qformer)
    edit(state['model'])
    path = tmp_path / 'causal_qformer.pth'
    torch.save(state, path)
    return path


def test_released_names_load_every_weight(small_checkpoints):
    model = fresh_model(small_checkpoints)
    load_released_checkpoints(model, paths_of(small_checkpoints), log=lambda _: None)
    codebook = torch.load(small_checkpoints.seed_tokenizer)['model']['quantize.embedding.weight']
    assert torch.equal(model.quantize.embedding.weight, codebook)
    assert torch.equal(model.visual_encoder.cls_token, torch.load(small_checkpoints.eva_vit)['cls_token'])


def test_missing_file_names_the_option(small_checkpoints, tmp_path):
    message = load_error(small_checkpoints, seed_tokenizer=tmp_path / 'nowhere' / 'seed_tokenizer.pth')
    assert 'seed_tokenizer.pth not found' in message and '--seed-tokenizer' in message


def test_truncated_file_is_called_an_incomplete_download(small_checkpoints, tmp_path):
    truncated = tmp_path / 'eva_vit_g.pth'
    truncated.write_bytes(small_checkpoints.eva_vit.read_bytes()[:5000])
    message = load_error(small_checkpoints, eva_vit=truncated)
    assert str(truncated) in message and '--eva-vit' in message
    assert 'incomplete' in message and 'download eva_vit_g.pth again' in message


def test_truncated_legacy_format_file_is_called_an_incomplete_download(small_checkpoints, tmp_path):
    legacy = tmp_path / 'legacy.pth'
    torch.save(torch.load(small_checkpoints.seed_tokenizer), legacy, _use_new_zipfile_serialization=False)
    truncated = tmp_path / 'seed_tokenizer.pth'
    truncated.write_bytes(legacy.read_bytes()[:-1000])
    message = load_error(small_checkpoints, seed_tokenizer=truncated)
    assert 'incomplete' in message and 'download seed_tokenizer.pth again' in message


class TrainingState:
    """Stands for the non-tensor objects some training scripts pickle next to the weights."""


def test_pickled_objects_are_refused_without_running_them(small_checkpoints, tmp_path):
    path = tmp_path / 'causal_qformer.pth'
    torch.save({'model': torch.load(small_checkpoints.causal_qformer)['model'], 'state': TrainingState()}, path)
    message = load_error(small_checkpoints, causal_qformer=path)
    assert 'holds Python objects other than tensors' in message and 'TrainingState' in message


def test_key_mismatches_are_listed_one_by_one(small_checkpoints, tmp_path):
    def edit(state):
        del state['Qformer.bert.encoder.layer.1.output_query.dense.bias']
        state['Qformer.bert.encoder.layer.0.attention.self.rotary.weight'] = torch.zeros(3)
        state['query_tokens'] = torch.zeros(1, 16, 64)

    message = load_error(small_checkpoints, causal_qformer=edited_causal_qformer(small_checkpoints, tmp_path, edit))
    assert '1 missing, 1 unexpected, 1 with the wrong shape' in message
    assert 'missing: Qformer.bert.encoder.layer.1.output_query.dense.bias' in message
    assert 'unexpected: Qformer.bert.encoder.layer.0.attention.self.rotary.weight' in message
    assert 'wrong shape: query_tokens: file [1, 16, 64], expected [1, 32, 64]' in message
    assert 'probably a different version or size' in message


def test_known_unused_blip2_keys_are_ignored(small_checkpoints, tmp_path):
    def edit(state):
        state['Qformer.bert.embeddings.word_embeddings.weight'] = torch.zeros(30523, 64)
        state['Qformer.bert.embeddings.position_embeddings.weight'] = torch.zeros(512, 64)
        state['Qformer.bert.embeddings.position_ids'] = torch.arange(512)[None]
        state['Qformer.bert.encoder.layer.0.intermediate.dense.weight'] = torch.zeros(128, 64)
        state['Qformer.bert.encoder.layer.0.output.LayerNorm.bias'] = torch.zeros(64)
        state['Qformer.cls.predictions.bias'] = torch.zeros(30523)
        state['vision_proj.weight'] = torch.zeros(256, 64)
        state['temp'] = torch.tensor(0.07)

    logged = []
    load_released_checkpoints(
        fresh_model(small_checkpoints),
        paths_of(small_checkpoints, causal_qformer=edited_causal_qformer(small_checkpoints, tmp_path, edit)),
        log=logged.append,
    )
    line = next(entry for entry in logged if entry.startswith('causal_qformer.pth'))
    assert '47 tensors loaded' in line
    assert '2 x text token/position embeddings' in line and '2 x text-side FFN' in line
    assert 'BERT language-model head' in line and '2 x BLIP-2 stage-1' in line


def test_unknown_keys_pass_only_when_allowed(small_checkpoints, tmp_path):
    def edit(state):
        state['Qformer.adapter.weight'] = torch.zeros(2)

    path = edited_causal_qformer(small_checkpoints, tmp_path, edit)
    assert '--ignore-unexpected-keys' in load_error(small_checkpoints, causal_qformer=path)
    load_released_checkpoints(
        fresh_model(small_checkpoints),
        paths_of(small_checkpoints, causal_qformer=path),
        ignore_unexpected=True,
        log=lambda _: None,
    )


def test_swapped_files_are_recognised(small_checkpoints):
    swapped = {'eva_vit': small_checkpoints.causal_qformer, 'causal_qformer': small_checkpoints.eva_vit}
    message = load_error(small_checkpoints, **swapped)
    assert 'looks like causal_qformer.pth' in message and 'looks like eva_vit_g.pth' in message
    assert 'Check which file you passed to --causal-qformer and --eva-vit' in message


def test_a_stable_diffusion_checkpoint_is_named(small_checkpoints, tmp_path):
    path = tmp_path / 'sd.ckpt'
    torch.save({'state_dict': {'model.diffusion_model.input_blocks.0.0.weight': torch.zeros(2)}}, path)
    assert 'looks like a Stable Diffusion checkpoint' in load_error(small_checkpoints, seed_tokenizer=path)


def test_cli_exits_with_the_message(small_checkpoints, tiny_sd, tmp_path, capsys):
    args = small_checkpoints.convert_args(eva_vit=tmp_path / 'eva_vit_g.pth')
    assert convert.main(args + ['--sd-onnx', str(tiny_sd.folder), '--out', str(tmp_path / 'out')]) == 2
    assert 'eva_vit_g.pth not found' in capsys.readouterr().err


def test_incomplete_sd_export_is_refused(small_checkpoints, tiny_sd, tmp_path, capsys):
    partial = tmp_path / 'sd'
    shutil.copytree(tiny_sd.folder, partial)
    shutil.rmtree(partial / 'vae_decoder')
    args = small_checkpoints.convert_args() + ['--sd-onnx', str(partial), '--out', str(tmp_path / 'out')]
    assert convert.main(args) == 2
    error = capsys.readouterr().err
    assert 'not a diffusers-layout ONNX export' in error and 'vae_decoder/model.onnx' in error
