"""A miniature Stable Diffusion ONNX export in the diffusers layout, for testing convert.py's --sd-onnx path
and decoding through the runtime: the graphs take and give the tensors of SD v1.4's (names, types, the
77x768 text embedding, a 4x64x64 latent, a 512x512 image), with a few hundred weights instead of a billion."""

from __future__ import annotations

from pathlib import Path

import torch
import torch.nn.functional as F
from torch import nn

from onnx_export_files import torchscript_exporter_options, trace_to_onnx


class TinyTextEncoder(nn.Module):
    """int32 input_ids [1, 77] -> last_hidden_state [1, 77, 768], depending on every id and position."""

    def __init__(self):
        super().__init__()
        self.token = nn.Embedding(16, 768)
        self.position = nn.Parameter(torch.randn(1, 77, 768))

    def forward(self, input_ids: torch.Tensor) -> torch.Tensor:
        return torch.tanh(self.token(input_ids.long() % 16) + self.position)


class TinyUnet(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(4, 4, 3, padding=1)
        self.context = nn.Linear(768, 4)

    def forward(self, sample, timestep, encoder_hidden_states):
        bias = self.context(encoder_hidden_states).mean(1)[:, :, None, None]
        return self.conv(sample) + bias + timestep.float().reshape(-1, 1, 1, 1) * 1e-3


class TinyVaeDecoder(nn.Module):
    """latent [N, 4, h, w] -> image [N, 3, 8h, 8w] in [-1, 1], like SD's VAE decoder."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(4, 3, 1)

    def forward(self, latent_sample):
        return torch.tanh(F.interpolate(self.conv(latent_sample), scale_factor=8.0, mode='nearest'))


def write_tiny_sd_onnx(folder: Path) -> TinyTextEncoder:
    """Writes the export into `folder` and returns its text encoder, to check the unconditional embedding."""
    torch.manual_seed(0)
    text_encoder = TinyTextEncoder().eval()
    ids = torch.zeros(1, 77, dtype=torch.int32)
    trace_to_onnx(text_encoder, ids, folder / 'text_encoder', 'input_ids', 'last_hidden_state')
    _export_unet(folder / 'unet')
    trace_to_onnx(TinyVaeDecoder(), torch.zeros(1, 4, 64, 64), folder / 'vae_decoder', 'latent_sample', 'sample')
    return text_encoder


def _export_unet(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    with torch.no_grad():
        torch.onnx.export(
            TinyUnet().eval(),
            (torch.zeros(2, 4, 64, 64), torch.tensor([1], dtype=torch.int64), torch.zeros(2, 77, 768)),
            str(folder / 'model.onnx'),
            input_names=['sample', 'timestep', 'encoder_hidden_states'],
            output_names=['out_sample'],
            dynamic_axes={'sample': {0: 'batch'}, 'encoder_hidden_states': {0: 'batch'}, 'out_sample': {0: 'batch'}},
            opset_version=17,
            **torchscript_exporter_options(),
        )
