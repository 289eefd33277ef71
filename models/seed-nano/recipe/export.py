"""Export of the trained seed-nano to the model folder (models/README.md), its parity fixture and model card.

Writes, into --out: seed-model.json, tokenizer/{encoder.onnx,decoder.onnx,codebook.f32}, unet/model.onnx,
vae_decoder/model.onnx, unconditional.f32 and README.md (the model card, from work/metrics.json), and into
recipe/parity/: the inputs and PyTorch outputs of every ONNX file (parity.test.mjs runs them in
onnxruntime-node). ONNX graphs are exported without constant folding, so their initializers keep the PyTorch
parameter names and bench_torch.py can load the weights back from the committed ONNX files.
"""

import hashlib
import inspect
import json
import os

import numpy as np
import torch
import torch.nn.functional as F

import dataset as ds
from evaluate import NOISE_SEED, SAMPLER, STEPS, held_out_sets, load_model, training_presentations
from model import Autoencoder, SeedNanoConfig

OPSET = 14
RECIPE_DIR = os.path.dirname(os.path.abspath(__file__))
PARITY_DIR = os.path.join(RECIPE_DIR, 'parity')
MEAN = [0.5, 0.5, 0.5]
STD = [0.5, 0.5, 0.5]
PARITY_TIMESTEPS = [961, 41]


def export_onnx(module, inputs, input_names, output_names, path):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    kwargs = {}
    if 'dynamo' in inspect.signature(torch.onnx.export).parameters:
        kwargs['dynamo'] = False  # the TorchScript exporter: the same graphs on PyTorch 1.13 and current releases
    torch.onnx.export(
        module, inputs, path, input_names=input_names, output_names=output_names, opset_version=OPSET,
        do_constant_folding=False, dynamic_axes={name: {0: 'batch'} for name in input_names + output_names}, **kwargs,
    )


def sha256(path):
    with open(path, 'rb') as f:
        return hashlib.sha256(f.read()).hexdigest()


def write_f32(array, path):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    np.ascontiguousarray(array, dtype='<f4').tofile(path)


@torch.no_grad()
def fit_preview(args, train_x, vae_scale):
    """Least-squares latent (UNet space) -> RGB in [-1, 1] at latent resolution, over the training split."""
    ae_ckpt = torch.load(os.path.join(args.work, 'ae.pt'), map_location='cpu')
    ae = Autoencoder(SeedNanoConfig())
    ae.load_state_dict(ae_ckpt['state'])
    latent = torch.cat([ae.eval().encode(b) for b in train_x.split(256)]) * vae_scale
    rgb = F.adaptive_avg_pool2d(train_x, latent.shape[-2:])
    a = latent.permute(0, 2, 3, 1).reshape(-1, latent.shape[1]).double()
    b = rgb.permute(0, 2, 3, 1).reshape(-1, 3).double()
    a1 = torch.cat([a, torch.ones(len(a), 1, dtype=torch.float64)], dim=1)
    solution = torch.linalg.lstsq(a1, b).solution
    rmse = float((a1 @ solution - b).pow(2).mean().sqrt())
    # rounded: a least-squares solve differs in the last bits between runs, the manifest should not
    rounded = [[round(v, 6) for v in row] for row in solution.tolist()]
    return {'kind': 'linear', 'matrix': rounded[:-1], 'bias': rounded[-1]}, rmse


class ParityFixture:
    """Tensors in one little-endian binary file plus a JSON index (name -> dtype, shape, byte offset)."""

    def __init__(self):
        self.index, self.chunks, self.offset = {}, [], 0

    def add(self, name, tensor):
        array = tensor.detach().cpu().numpy()
        array = array.astype('<i8' if array.dtype.kind in 'iu' else '<f4')
        data = array.tobytes()
        dtype = 'int64' if array.dtype.kind == 'i' else 'float32'
        self.index[name] = {'dtype': dtype, 'shape': list(array.shape), 'offset': self.offset, 'bytes': len(data)}
        self.chunks.append(data)
        self.offset += len(data)

    def save(self, folder, meta):
        os.makedirs(folder, exist_ok=True)
        with open(os.path.join(folder, 'fixture.bin'), 'wb') as f:
            f.write(b''.join(self.chunks))
        with open(os.path.join(folder, 'fixture.json'), 'w') as f:
            json.dump(dict(meta, tensors=self.index), f, indent=1)


@torch.no_grad()
def write_parity(model, test_x, vae_scale, onnx_paths, folder):
    fixture = ParityFixture()
    pixel_values = test_x[:2]
    features = model.encoder(pixel_values)
    codes = model.quantize.codes(features)
    code_vectors = model.quantize.lookup(codes)
    embedding = model.detokenizer(code_vectors)
    gen = torch.Generator().manual_seed(NOISE_SEED)
    sample = torch.randn((2, model.cfg.latent_channels, model.cfg.latent_size, model.cfg.latent_size), generator=gen)
    timestep = torch.tensor(PARITY_TIMESTEPS, dtype=torch.int64)
    out_sample = model.unet(sample, timestep, embedding)
    latent_sample = torch.randn(sample.shape, generator=gen) / vae_scale
    image = model.vae_decoder(latent_sample)
    for name, tensor in [
        ('encoder.pixel_values', pixel_values), ('encoder.prequant', features), ('quantizer.codes', codes),
        ('decoder.code_vectors', code_vectors), ('decoder.generation_embedding', embedding),
        ('unet.sample', sample), ('unet.timestep', timestep), ('unet.encoder_hidden_states', embedding),
        ('unet.out_sample', out_sample), ('vae_decoder.latent_sample', latent_sample), ('vae_decoder.sample', image),
    ]:
        fixture.add(name, tensor)
    meta = {
        'description': 'Inputs and PyTorch outputs of each seed-nano ONNX file (written by recipe/export.py).',
        'files': {k: os.path.relpath(v, folder) for k, v in onnx_paths.items()},
    }
    fixture.save(folder, meta)


def run(args):
    model, ckpt = load_model(args.work, 'cpu')
    cfg, vae_scale = model.cfg, ckpt['vae_scale']
    with open(os.path.join(args.work, 'metrics.json')) as f:
        metrics = json.load(f)
    data = ds.load_dataset(os.path.join(args.work, 'dataset.npz'))
    train_x = training_presentations(data, ckpt['hp']['plain_fraction'], args.seed + 13, cfg.image_size)
    test_x = held_out_sets(data, cfg.image_size, args.seed)['emoji']
    out = args.out
    n = cfg.num_queries
    paths = {
        'encoder': os.path.join(out, 'tokenizer', 'encoder.onnx'),
        'decoder': os.path.join(out, 'tokenizer', 'decoder.onnx'),
        'unet': os.path.join(out, 'unet', 'model.onnx'),
        'vae_decoder': os.path.join(out, 'vae_decoder', 'model.onnx'),
    }
    example = test_x[:2]
    export_onnx(model.encoder, (example,), ['pixel_values'], ['prequant'], paths['encoder'])
    code_vectors = model.quantize.lookup(torch.zeros(2, n, dtype=torch.int64))
    export_onnx(model.detokenizer, (code_vectors,), ['code_vectors'], ['generation_embedding'], paths['decoder'])
    sample = torch.zeros(2, cfg.latent_channels, cfg.latent_size, cfg.latent_size)
    context = torch.zeros(2, cfg.gen_tokens, cfg.gen_dim)
    export_onnx(
        model.unet, (sample, torch.tensor([1, 1]), context), ['sample', 'timestep', 'encoder_hidden_states'],
        ['out_sample'], paths['unet'],
    )
    export_onnx(model.vae_decoder, (sample,), ['latent_sample'], ['sample'], paths['vae_decoder'])
    codebook_path = os.path.join(out, 'tokenizer', 'codebook.f32')
    write_f32(model.quantize.normalized_codebook().detach().numpy(), codebook_path)
    unconditional_path = os.path.join(out, 'unconditional.f32')
    write_f32(model.null_embedding.detach().numpy(), unconditional_path)
    preview, preview_rmse = fit_preview(args, train_x, vae_scale)

    manifest = {
        '$schema': '../seed-model.schema.json',
        'formatVersion': 1,
        'id': 'seed-nano',
        'family': 'seed-v1',
        'description': 'Miniature SEED (ViT, causal Q-Former, 32 codes from a 1024x32 cosine codebook, reverse Q-Former, '
        'latent-diffusion UNet) trained on Noto Color Emoji and desktop icons at 32x32, on varied backgrounds, '
        'scales and positions. See README.md for its measured quality.',
        'image': {
            'size': [cfg.image_size, cfg.image_size], 'resample': 'bicubic', 'mean': MEAN, 'std': STD,
            'background': [255, 255, 255],
        },
        'tokenizer': {
            'numCodes': n, 'codebookSize': cfg.codebook_size, 'codeDim': cfg.code_dim, 'distance': 'cosine',
            'normalize': True,
            'codebook': {'path': 'tokenizer/codebook.f32', 'dtype': 'float32', 'sha256': sha256(codebook_path)},
            'encoder': {
                'path': 'tokenizer/encoder.onnx', 'sha256': sha256(paths['encoder']),
                'inputs': {'image': 'pixel_values'}, 'outputs': {'features': 'prequant'},
            },
            'decoder': {
                'path': 'tokenizer/decoder.onnx', 'sha256': sha256(paths['decoder']),
                'inputs': {'codeVectors': 'code_vectors'}, 'outputs': {'embedding': 'generation_embedding'},
            },
        },
        'generationEmbedding': {'tokens': cfg.gen_tokens, 'dim': cfg.gen_dim},
        'diffusion': {
            'unet': {'path': 'unet/model.onnx', 'sha256': sha256(paths['unet'])},
            'vaeDecoder': {'path': 'vae_decoder/model.onnx', 'sha256': sha256(paths['vae_decoder'])},
            'unconditional': {'path': 'unconditional.f32', 'dtype': 'float32', 'sha256': sha256(unconditional_path)},
            'latentShape': [cfg.latent_channels, cfg.latent_size, cfg.latent_size],
            'vaeScale': round(vae_scale, 6),
            'outputSize': [cfg.image_size, cfg.image_size],
            'prediction': 'v',
            'schedule': {'kind': 'cosine', 'trainSteps': 1000},
            'defaults': {'sampler': SAMPLER, 'steps': STEPS, 'guidance': metrics['guidance'], 'seed': NOISE_SEED},
            'preview': preview,
        },
    }
    with open(os.path.join(out, 'seed-model.json'), 'w') as f:
        json.dump(manifest, f, indent=2)
        f.write('\n')
    # The committed fixture belongs to the committed model; an export elsewhere (--smoke) gets its own.
    committed = os.path.abspath(out) == os.path.abspath(os.path.dirname(RECIPE_DIR))
    write_parity(model, test_x, vae_scale, paths, PARITY_DIR if committed else os.path.join(args.work, 'parity'))
    files = [codebook_path, unconditional_path] + list(paths.values())
    sizes = {os.path.relpath(p, out): os.path.getsize(p) for p in files}
    import model_card

    cost_path = os.path.join(args.work, 'step_cost.json')
    step_cost = json.load(open(cost_path)) if os.path.exists(cost_path) else None
    model_card.write(os.path.join(out, 'README.md'), metrics, manifest, sizes, preview_rmse, step_cost)
    print(json.dumps({'sizes': sizes, 'total_bytes': sum(sizes.values()), 'preview_rmse': preview_rmse}), flush=True)
