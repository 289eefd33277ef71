"""A miniature SD 2.1 unCLIP export as export_sd21_unclip_onnx.py lays it out, for testing convert_seed2.py:
the graphs take and give the tensors of the real one (names, the 77x1024 prompt embedding, the 2048-wide
class labels, a 4x96x96 latent, a 768x768 image), with a few hundred weights."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from onnx_export_files import torchscript_exporter_options, trace_to_onnx

EMBEDDING_DIM = 1024


class TinyUnclipUnet(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(4, 4, 3, padding=1)
        self.context = nn.Linear(EMBEDDING_DIM, 4)
        self.label = nn.Linear(2 * EMBEDDING_DIM, 4)

    def forward(self, sample, timestep, encoder_hidden_states, class_labels):
        bias = self.context(encoder_hidden_states).mean(1) + self.label(class_labels)
        return self.conv(sample) + bias[:, :, None, None] + timestep.float().reshape(-1, 1, 1, 1) * 1e-3


class TinyVaeDecoder(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(4, 3, 1)

    def forward(self, latent_sample):
        return torch.tanh(F.interpolate(self.conv(latent_sample), scale_factor=8.0, mode='nearest'))


SETTINGS = {
    'scheduler': {
        'class': 'DDIMScheduler',
        'prediction_type': 'v_prediction',
        'beta_schedule': 'scaled_linear',
        'beta_start': 0.00085,
        'beta_end': 0.012,
        'num_train_timesteps': 1000,
    },
    'imageNoisingScheduler': {'beta_schedule': 'squaredcos_cap_v2', 'num_train_timesteps': 1000},
    'promptEmbedding': [77, EMBEDDING_DIM],
    'latentShape': [4, 96, 96],
    'vaeScale': 0.18215,
    'outputSize': [768, 768],
}


def write_tiny_unclip_onnx(folder: Path) -> None:
    torch.manual_seed(0)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / 'unet').mkdir(exist_ok=True)
    with torch.no_grad():
        torch.onnx.export(
            TinyUnclipUnet().eval(),
            (
                torch.zeros(2, 4, 96, 96),
                torch.tensor([1], dtype=torch.int64),
                torch.zeros(2, 77, EMBEDDING_DIM),
                torch.zeros(2, 2 * EMBEDDING_DIM),
            ),
            str(folder / 'unet' / 'model.onnx'),
            input_names=['sample', 'timestep', 'encoder_hidden_states', 'class_labels'],
            output_names=['out_sample'],
            dynamic_axes={
                'sample': {0: 'batch'},
                'encoder_hidden_states': {0: 'batch'},
                'class_labels': {0: 'batch'},
                'out_sample': {0: 'batch'},
            },
            opset_version=17,
            **torchscript_exporter_options(),
        )
    trace_to_onnx(TinyVaeDecoder(), torch.zeros(1, 4, 96, 96), folder / 'vae_decoder', 'latent_sample', 'sample')
    rng = np.random.default_rng(0)
    rng.standard_normal((1, 77, EMBEDDING_DIM)).astype('<f4').tofile(folder / 'prompt_embedding.f32')
    stats = np.stack([rng.standard_normal(EMBEDDING_DIM), 0.5 + rng.random(EMBEDDING_DIM)])
    stats.astype('<f4').tofile(folder / 'image_normalizer.f32')
    (folder / 'unclip.json').write_text(json.dumps(SETTINGS, indent=2) + '\n')
