"""Exports Stable Diffusion 2.1 unCLIP, the decoder of SEED-2 (SEED-LLaMA), into the folder convert_seed2.py reads.

Runs on your own machine, not here: it needs diffusers and transformers (which this project's machines
cannot install) and downloads stabilityai/stable-diffusion-2-1-unclip (~5 GB) from the Hugging Face hub.

    pip install torch onnx diffusers transformers
    python models/export/export_sd21_unclip_onnx.py --out sd-2-1-unclip-onnx

Writes:
    unet/model.onnx + weights.pb   sample, timestep, encoder_hidden_states, class_labels -> out_sample
    vae_decoder/model.onnx         latent_sample -> sample
    prompt_embedding.f32           the text encoder's output for the empty prompt, float32 [1, 77, 1024]:
                                   SEED-LLaMA's decode passes no prompt, so this conditions both halves of guidance
    image_normalizer.f32           the pipeline's image normaliser, mean then std, float32 [2, 1024]
    unclip.json                    scheduler and image-noising scheduler settings, latent and output sizes
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
import onnx
import torch
from diffusers import StableUnCLIPImg2ImgPipeline


class UnetGraph(torch.nn.Module):
    def __init__(self, unet):
        super().__init__()
        self.unet = unet

    def forward(self, sample, timestep, encoder_hidden_states, class_labels):
        return self.unet(
            sample, timestep, encoder_hidden_states=encoder_hidden_states, class_labels=class_labels, return_dict=False
        )[0]


class VaeDecoderGraph(torch.nn.Module):
    def __init__(self, vae):
        super().__init__()
        self.vae = vae

    def forward(self, latent_sample):
        return self.vae.decode(latent_sample, return_dict=False)[0]


def export(module, example: tuple, path: Path, inputs: list[str], output: str) -> None:
    """Exports with a dynamic batch; the UNet is past protobuf's 2 GB, so its weights go to one weights.pb."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with torch.no_grad():
        torch.onnx.export(
            module,
            example,
            str(path),
            input_names=inputs,
            output_names=[output],
            dynamic_axes={name: {0: 'batch'} for name in [*inputs, output]},
            opset_version=17,
            do_constant_folding=True,
        )
    graph = onnx.load(str(path))  # also reads the per-tensor files the exporter writes past 2 GB
    for stray in path.parent.iterdir():
        if stray != path:
            stray.unlink()
    onnx.save_model(graph, str(path), save_as_external_data=True, all_tensors_to_one_file=True, location='weights.pb')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--model', default='stabilityai/stable-diffusion-2-1-unclip', help='hub id or local folder')
    parser.add_argument('--out', type=Path, required=True)
    args = parser.parse_args()

    pipe = StableUnCLIPImg2ImgPipeline.from_pretrained(args.model, torch_dtype=torch.float32)
    unet, vae = pipe.unet.eval(), pipe.vae.eval()
    size = unet.config.sample_size
    channels = unet.config.in_channels
    text_dim = pipe.text_encoder.config.hidden_size
    tokens = pipe.tokenizer.model_max_length
    embedding_dim = pipe.image_normalizer.mean.shape[-1]
    args.out.mkdir(parents=True, exist_ok=True)

    export(
        UnetGraph(unet),
        (
            torch.randn(2, channels, size, size),
            torch.tensor([981, 981], dtype=torch.int64),
            torch.randn(2, tokens, text_dim),
            torch.randn(2, 2 * embedding_dim),
        ),
        args.out / 'unet' / 'model.onnx',
        ['sample', 'timestep', 'encoder_hidden_states', 'class_labels'],
        'out_sample',
    )
    export(VaeDecoderGraph(vae), (torch.randn(1, channels, size, size),), args.out / 'vae_decoder' / 'model.onnx',
           ['latent_sample'], 'sample')

    # The pipeline's prompt and negative prompt are both "" when SEED-LLaMA decodes (seed_llama_tokenizer.py).
    ids = pipe.tokenizer('', padding='max_length', max_length=tokens, truncation=True, return_tensors='pt').input_ids
    with torch.no_grad():
        prompt = pipe.text_encoder(ids)[0]
    np.ascontiguousarray(prompt.numpy(), dtype='<f4').tofile(args.out / 'prompt_embedding.f32')
    stats = torch.cat([pipe.image_normalizer.mean.reshape(1, -1), pipe.image_normalizer.std.reshape(1, -1)])
    np.ascontiguousarray(stats.detach().numpy(), dtype='<f4').tofile(args.out / 'image_normalizer.f32')

    vae_scale_factor = 2 ** (len(vae.config.block_out_channels) - 1)
    settings = {
        'scheduler': {'class': type(pipe.scheduler).__name__, **dict(pipe.scheduler.config)},
        'imageNoisingScheduler': {
            'class': type(pipe.image_noising_scheduler).__name__,
            **dict(pipe.image_noising_scheduler.config),
        },
        'promptEmbedding': [tokens, text_dim],
        'latentShape': [channels, size, size],
        'vaeScale': vae.config.scaling_factor,
        'outputSize': [size * vae_scale_factor, size * vae_scale_factor],
    }
    (args.out / 'unclip.json').write_text(json.dumps(settings, indent=2, default=str) + '\n')
    print(f'wrote {args.out}; convert with: convert_seed2.py --unclip-onnx {args.out} ...')


if __name__ == '__main__':
    main()
