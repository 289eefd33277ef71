"""Evaluation of the trained seed-nano on its held-out sets: writes work/metrics.json and a contact sheet per set.

The held-out sets (never trained on; HELD_OUT_SETS): (a) held-out emoji plain, full-frame on white, as the first
seed-nano was measured; (b) the same emoji with a random presentation (augment.py: background, scale, position,
rotation, mirroring); (c) held-out icons, plain; (c') the same icons with a random presentation; (d) crops of
photographs, out of domain, reported without a target. Every image error is the root-mean-square difference in
[0, 1] RGB at 32x32, averaged over images. Decodes use the manifest's sampler (PLMS), step count and guidance,
with fixed noise. The guidance scale is chosen on a validation subset of *training* sources in the training
presentation mix, never on a held-out set.
"""

import json
import os

import numpy as np
import torch
from PIL import Image, ImageDraw

import augment
import dataset as ds
from diffusion import cosine_alphas_cumprod, sample_plms
from model import SeedNano, SeedNanoConfig, count_parameters

SAMPLER = 'plms'
STEPS = 25
GUIDANCE_CANDIDATES = [1.0, 2.0, 3.0, 5.0]
NOISE_SEED = 42
VALIDATION_COUNT = 100
CONTACT_COLUMNS = 16
# Set (a) keeps the first seed-nano's file name: the project README shows it.
CONTACT_SHEETS = {
    'emoji': 'contact-sheet.png', 'emoji-presented': 'contact-sheet-emoji-presented.png',
    'icons': 'contact-sheet-icons.png', 'icons-presented': 'contact-sheet-icons-presented.png',
    'photos': 'contact-sheet-photos.png',
}


def load_model(work, device='cpu'):
    ckpt = torch.load(os.path.join(work, 'seed.pt'), map_location='cpu')
    model = SeedNano(SeedNanoConfig(**ckpt['config']))
    model.load_state_dict(ckpt['state'])
    return model.to(device).eval(), ckpt


@torch.no_grad()
def decode_codes(model, codes, vae_scale, guidance, steps=STEPS, seed=NOISE_SEED, batch=100):
    """codes [N, 32] -> images in [0, 1], [N, 3, H, W]; noise drawn from one generator in image order."""
    cfg = model.cfg
    device = next(model.parameters()).device
    gen = torch.Generator().manual_seed(seed)
    noise = torch.randn((len(codes), cfg.latent_channels, cfg.latent_size, cfg.latent_size), generator=gen)
    acp = cosine_alphas_cumprod()
    out = []
    for c, n in zip(codes.split(batch), noise.split(batch)):
        embedding = model.embed_codes(c.to(device))
        latent = sample_plms(model.unet, embedding, model.null_embedding, n.to(device), steps, guidance, acp)
        out.append(((model.vae_decoder(latent / vae_scale) + 1) / 2).clamp(0, 1).cpu())
    return torch.cat(out)


@torch.no_grad()
def encode(model, x, batch=256):
    device = next(model.parameters()).device
    return torch.cat([model.encode_codes(b.to(device)).cpu() for b in x.split(batch)])


def rmse(a, b):
    return (a - b).pow(2).mean(dim=(1, 2, 3)).sqrt()


def code_usage(codes, codebook_size):
    counts = torch.bincount(codes.flatten(), minlength=codebook_size).double()
    p = counts[counts > 0] / counts.sum()
    return {'used': int((counts > 0).sum()), 'perplexity': float(torch.exp(-(p * p.log()).sum()))}


def distinct_fraction(codes):
    return len({tuple(row.tolist()) for row in codes}) / len(codes)


def retrieval_rate(decoded, inputs):
    """For each decode: is its own source the nearest input (pixel L2) among all held-out inputs?"""
    d = torch.cdist(decoded.flatten(1), inputs.flatten(1))
    return float((d.argmin(dim=1) == torch.arange(len(inputs))).double().mean())


def choose_guidance(model, train_x, vae_scale, seed, count=VALIDATION_COUNT, candidates=GUIDANCE_CANDIDATES):
    gen = torch.Generator().manual_seed(seed + 7)
    val = train_x[torch.randperm(len(train_x), generator=gen)[:count]]
    codes = encode(model, val)
    target = (val + 1) / 2
    errors = {g: float(rmse(decode_codes(model, codes, vae_scale, g), target).mean()) for g in candidates}
    return min(errors, key=errors.get), errors


def contact_sheet(rows, labels, path, scale=2):
    """rows: list of [N, 3, H, W] in [0, 1]; one labelled strip per row, images upscaled by `scale` (nearest)."""
    n, _, h, w = rows[0].shape
    cell_h, cell_w, label_w, pad = h * scale, w * scale, 150, 4
    sheet = Image.new('RGB', (label_w + n * (cell_w + pad), len(rows) * (cell_h + pad) + pad), (255, 255, 255))
    draw = ImageDraw.Draw(sheet)
    for r, (images, label) in enumerate(zip(rows, labels)):
        y = pad + r * (cell_h + pad)
        draw.text((6, y + cell_h // 2 - 6), label, fill=(0, 0, 0))
        for i, image in enumerate(images):
            array = (image.permute(1, 2, 0).numpy() * 255).round().astype(np.uint8)
            tile = Image.fromarray(array).resize((cell_w, cell_h), Image.NEAREST)
            sheet.paste(tile, (label_w + i * (cell_w + pad), y))
    sheet.save(path, optimize=True)


def held_out_sets(data, image_size, seed):
    """{name: [N, 3, H, W] in [-1, 1]} for every held-out set, deterministic (fixed-seed presentations)."""
    kinds, is_test = np.array(data['kinds']), data['is_test']
    emoji = data['sources'][(kinds == 'emoji') & is_test]
    icons = data['sources'][(kinds == 'icon') & is_test]
    photos = data['photos']
    opaque = np.concatenate([photos, np.full(photos.shape[:3] + (1,), 255, dtype=np.uint8)], axis=-1)
    return {
        'emoji': augment.plain(emoji, image_size),
        'emoji-presented': augment.present(emoji, torch.Generator().manual_seed(seed + 21), image_size),
        'icons': augment.plain(icons, image_size),
        'icons-presented': augment.present(icons, torch.Generator().manual_seed(seed + 22), image_size),
        'photos': augment.plain(opaque, image_size),
    }


def training_presentations(data, plain_fraction, seed, image_size=32):
    """Every training source once, in the training presentation mix (fixed seed)."""
    gen = torch.Generator().manual_seed(seed)
    sources = torch.from_numpy(data['sources'][~data['is_test']])
    return torch.cat([augment.present(b, gen, image_size, plain_fraction) for b in sources.split(256)])


def random_code_decodes(model, n, vae_scale, guidance, seed):
    """Decodes of n random code sequences. They do not depend on any input, so every set is compared with the
    same ones (a decode costs about a second on a shared CPU)."""
    gen = torch.Generator().manual_seed(seed + 11)
    return decode_codes(model, torch.randint(model.cfg.codebook_size, (n, model.cfg.num_queries), generator=gen),
                        vae_scale, guidance)


def measure(model, x, vae_scale, guidance, ae_latent, random_decode):
    """Every measure of one held-out set; returns (metrics, decodes for the contact sheet).

    The decode of another image's codes is the left neighbour's reconstruction (its codes, its noise)."""
    cfg = model.cfg
    target = (x + 1) / 2
    n = len(x)
    codes = encode(model, x)
    recon = decode_codes(model, codes, vae_scale, guidance)
    random_decode = random_decode[:n]
    other_decode = recon.roll(1, dims=0)
    roundtrip = encode(model, recon * 2 - 1)
    with torch.no_grad():
        ae_recon = ((model.vae_decoder(ae_latent.to(next(model.parameters()).device)) + 1) / 2).clamp(0, 1).cpu()
    recon_err = float(rmse(recon, target).mean())
    random_err = float(rmse(random_decode, target).mean())
    other_err = float(rmse(other_decode, target).mean())
    metrics = {
        'images': n,
        'recon_rmse': recon_err,
        'random_codes_rmse': random_err,
        'other_image_codes_rmse': other_err,
        'recon_over_random': recon_err / random_err,
        'recon_over_other': recon_err / other_err,
        'autoencoder_rmse': float(rmse(ae_recon, target).mean()),
        'code_usage': code_usage(codes, cfg.codebook_size),
        'distinct_sequences': distinct_fraction(codes),
        'roundtrip_codes_kept': float((roundtrip == codes).double().mean()),
        'roundtrip_prefix_kept': float(prefix_length(roundtrip, codes).double().mean()),
        'retrieval_rate': retrieval_rate(recon, target),
        'retrieval_rate_random_codes': retrieval_rate(random_decode, target),
        'retrieval_chance': 1.0 / n,
    }
    return metrics, [target, recon, other_decode, random_decode]


def compare(folder, sets, seed, device='cpu'):
    """Reconstruction / random-code ratio and retrieval of another exported seed-nano (with its own manifest
    defaults) on the same held-out sets: how the model before this one fares. Those two measures need no
    autoencoder encoder, which a model folder does not ship."""
    import bench_torch

    model, manifest = bench_torch.load_model(folder)
    model.to(device)
    d = manifest['diffusion']
    guidance = d['defaults']['guidance']
    results = {}
    for name, x in sets.items():
        target = (x + 1) / 2
        codes = encode(model, x)
        recon = decode_codes(model, codes, d['vaeScale'], guidance, steps=d['defaults']['steps'])
        random_codes = torch.randint(model.cfg.codebook_size, codes.shape, generator=torch.Generator().manual_seed(seed + 11))
        random_decode = decode_codes(model, random_codes, d['vaeScale'], guidance, steps=d['defaults']['steps'])
        recon_err, random_err = float(rmse(recon, target).mean()), float(rmse(random_decode, target).mean())
        results[name] = {
            'recon_rmse': recon_err, 'random_codes_rmse': random_err, 'recon_over_random': recon_err / random_err,
            'retrieval_rate': retrieval_rate(recon, target),
        }
        print(json.dumps({f'{name} (compared model)': results[name]}), flush=True)
    return {'encoder_sha256': manifest['tokenizer']['encoder']['sha256'], 'guidance': guidance, 'sets': results}


def run(args):
    data = ds.load_dataset(os.path.join(args.work, 'dataset.npz'))
    model, ckpt = load_model(args.work, args.device)
    cfg, vae_scale = model.cfg, ckpt['vae_scale']
    plain_fraction = ckpt['hp']['plain_fraction']
    train_x = training_presentations(data, plain_fraction, args.seed + 13, cfg.image_size)
    sets = held_out_sets(data, cfg.image_size, args.seed)
    if getattr(args, 'sets', None):
        sets = {name: sets[name] for name in args.sets}
    if args.smoke:  # a quick pass through the same code, not a measurement
        sets = {name: x[:8] for name, x in sets.items()}
    if getattr(args, 'guidance', None):
        guidance, guidance_errors = args.guidance, {}
    elif args.smoke:
        guidance, guidance_errors = choose_guidance(model, train_x, vae_scale, args.seed, 8, GUIDANCE_CANDIDATES[:2])
    else:
        guidance, guidance_errors = choose_guidance(model, train_x, vae_scale, args.seed)
    random_decode = random_code_decodes(model, max(len(x) for x in sets.values()), vae_scale, guidance, args.seed)
    train_codes = encode(model, train_x)
    results = {}
    os.makedirs(args.out, exist_ok=True)
    for name, x in sets.items():
        results[name], rows = measure(model, x, vae_scale, guidance, latent_from_images(args, x), random_decode)
        cols = min(CONTACT_COLUMNS, len(x))
        contact_sheet(
            [row[:cols] for row in rows],
            [f'input ({name})', 'decode(encode(x))', "left neighbour's codes", 'random codes'],
            os.path.join(args.out, CONTACT_SHEETS[name]),
        )
        print(json.dumps({name: results[name]}), flush=True)
    kinds = np.array(data['kinds'])
    metrics = {
        'sets': results,
        'train_sources': {kind: int(((kinds == kind) & ~data['is_test']).sum()) for kind in ds.KINDS},
        'photo_files': sorted(set(data['photo_captions'])),
        'sampler': SAMPLER,
        'steps': STEPS,
        'guidance': guidance,
        'guidance_validation_rmse': guidance_errors,
        'validation_images': VALIDATION_COUNT if not args.smoke else 8,
        'train_code_usage': code_usage(train_codes, cfg.codebook_size),
        'train_distinct_sequences': distinct_fraction(train_codes),
        'train_images': len(train_x),
        'codebook_size': cfg.codebook_size,
        'training': {
            k: ckpt[k] for k in [
                'steps_done', 'seconds', 'ae_seconds', 'ae_test_rmse', 'hp', 'seed', 'device', 'threads', 'torch',
                'seed_minutes', 'quantize_from', 'init_from',
            ]
            if k in ckpt
        },
        'parameters': {
            name: count_parameters(getattr(model, name)) for name in ['encoder', 'quantize', 'detokenizer', 'unet', 'vae_decoder']
        },
        'config': cfg.to_dict(),
        'vae_scale': vae_scale,
    }
    if getattr(args, 'compare_with', None):
        metrics['compared'] = compare(args.compare_with, sets, args.seed, args.device)
    with open(os.path.join(args.work, 'metrics.json'), 'w') as f:
        json.dump(metrics, f, indent=2)


def latent_from_images(args, x):
    """The autoencoder's own latent of x (the upper bound of what the diffusion decoder can reach)."""
    from model import Autoencoder

    ae_ckpt = torch.load(os.path.join(args.work, 'ae.pt'), map_location='cpu')
    ae = Autoencoder(SeedNanoConfig())
    ae.load_state_dict(ae_ckpt['state'])
    with torch.no_grad():
        return ae.eval().encode(x).to(args.device)


def prefix_length(a, b):
    """Number of leading positions where two code sequences agree (codes are causal: a prefix is meaningful)."""
    same = (a == b).long()
    return same.cumprod(dim=1).sum(dim=1)
