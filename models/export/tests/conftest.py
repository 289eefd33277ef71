"""Shared fixtures of the export tests: small random checkpoints with the released names, and a miniature
diffusers-layout SD export. The converter's modules are imported the way convert.py imports them."""

from __future__ import annotations

import json
import os
import sys
from dataclasses import dataclass
from pathlib import Path

os.environ.setdefault('OMP_WAIT_POLICY', 'PASSIVE')
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import pytest  # noqa: E402
import torch  # noqa: E402

import convert  # noqa: E402
import make_random_checkpoints  # noqa: E402
from tiny_sd_onnx import TinyTextEncoder, write_tiny_sd_onnx  # noqa: E402

torch.set_num_threads(2)


@dataclass
class SmallCheckpoints:
    folder: Path

    @property
    def eva_vit(self) -> Path:
        return self.folder / 'eva_vit_g.pth'

    @property
    def causal_qformer(self) -> Path:
        return self.folder / 'causal_qformer.pth'

    @property
    def seed_tokenizer(self) -> Path:
        return self.folder / 'seed_tokenizer.pth'

    @property
    def config(self) -> Path:
        return self.folder / 'config.json'

    def convert_args(self, **overrides: Path) -> list[str]:
        paths = {
            'eva-vit': self.eva_vit,
            'causal-qformer': self.causal_qformer,
            'seed-tokenizer': self.seed_tokenizer,
            'config': self.config,
            **{key.replace('_', '-'): value for key, value in overrides.items()},
        }
        return [item for key, value in paths.items() for item in (f'--{key}', str(value))]


@dataclass
class TinySd:
    folder: Path
    text_encoder: TinyTextEncoder


@pytest.fixture(scope='session')
def small_checkpoints(tmp_path_factory) -> SmallCheckpoints:
    folder = tmp_path_factory.mktemp('small-checkpoints')
    make_random_checkpoints.main(['--size', 'small', '--out', str(folder), '--seed', '1'])
    return SmallCheckpoints(folder)


@pytest.fixture(scope='session')
def tiny_sd(tmp_path_factory) -> TinySd:
    folder = tmp_path_factory.mktemp('tiny-sd-onnx')
    return TinySd(folder, write_tiny_sd_onnx(folder))


@pytest.fixture(scope='session')
def conversion(small_checkpoints, tiny_sd, tmp_path_factory):
    """One conversion of the small checkpoints writing both precisions (--fp16-out), with convert.py's own
    --check: the parity tests read it, the int8 tests start from its fp32 folder."""
    folder = tmp_path_factory.mktemp('converted')
    args = small_checkpoints.convert_args() + [
        '--sd-onnx', str(tiny_sd.folder), '--out', str(folder / 'fp32'), '--fp16-out', str(folder / 'fp16'),
        '--check', '--report', str(folder / 'report.json'),
    ]
    assert convert.main(args) == 0
    return folder, json.loads((folder / 'report.json').read_text())
