"""What 64x64 seed-nano would cost: times SEED training steps and decodes at 32x32 and at 64x64 in one process.

The 64x64 variant is the same architecture with a 64x64 input (16x16 patches of 4) and a 4x16x16 latent; the two
sizes are timed alternately so that load from other jobs on a shared machine hits both alike, and the card
reports the ratio (and the training time it projects from this run's own SEED stage). Writes work/step_cost.json:

    OMP_WAIT_POLICY=PASSIVE /usr/bin/python3 models/seed-nano/recipe/step_cost.py
"""

import argparse
import json
import os
import sys
import time

os.environ.setdefault('OMP_WAIT_POLICY', 'PASSIVE')

import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

RECIPE_DIR = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, RECIPE_DIR)

from diffusion import TRAIN_STEPS, add_noise, cosine_alphas_cumprod, sample_plms, v_target  # noqa: E402
from model import SeedNano, SeedNanoConfig  # noqa: E402

SIZES = {32: {'image_size': 32, 'latent_size': 8}, 64: {'image_size': 64, 'latent_size': 16}}


def train_step(model, opt, batch, acp, gen):
    """One SEED-stage step as train.py takes it (quantised, with the auxiliary latent loss and the frozen VAE
    encoder's work approximated by random latents of the right shape)."""
    cfg = model.cfg
    x = torch.rand(batch, 3, cfg.image_size, cfg.image_size, generator=gen) * 2 - 1
    z0 = torch.randn(batch, cfg.latent_channels, cfg.latent_size, cfg.latent_size, generator=gen)
    code_vectors, _, vq_loss = model.quantize(model.encoder(x))
    embedding = model.detokenizer(code_vectors)
    t = torch.randint(TRAIN_STEPS, (batch,), generator=gen)
    noise = torch.randn(z0.shape, generator=gen)
    pred = model.unet(add_noise(z0, noise, acp[t]), t, embedding)
    loss = F.mse_loss(pred, v_target(z0, noise, acp[t])) + vq_loss
    opt.zero_grad(set_to_none=True)
    loss.backward()
    opt.step()


@torch.no_grad()
def decode(model, acp, gen, steps=25, guidance=2.0):
    """One image from 32 codes: de-tokenizer, PLMS with classifier-free guidance, VAE decoder."""
    cfg = model.cfg
    codes = torch.randint(cfg.codebook_size, (1, cfg.num_queries), generator=gen)
    noise = torch.randn(1, cfg.latent_channels, cfg.latent_size, cfg.latent_size, generator=gen)
    latent = sample_plms(model.unet, model.embed_codes(codes), model.null_embedding, noise, steps, guidance, acp)
    model.vae_decoder(latent)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--work', default=os.path.join(RECIPE_DIR, 'work'))
    parser.add_argument('--threads', type=int, default=2)
    parser.add_argument('--rounds', type=int, default=4, help='timed steps (and decodes) per size')
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)
    acp = cosine_alphas_cumprod()
    gen = torch.Generator().manual_seed(0)
    models = {size: SeedNano(SeedNanoConfig(**overrides)) for size, overrides in SIZES.items()}
    opts = {size: torch.optim.AdamW(m.parameters(), lr=1e-4) for size, m in models.items()}
    times = {size: {'train_step': [], 'decode': []} for size in SIZES}
    for round_ in range(args.rounds + 1):  # round 0 warms up and is not counted
        for size, model in models.items():
            start = time.perf_counter()
            train_step(model.train(), opts[size], 32, acp, gen)
            middle = time.perf_counter()
            decode(model.eval(), acp, gen)
            end = time.perf_counter()
            if round_:
                times[size]['train_step'].append(middle - start)
                times[size]['decode'].append(end - middle)
    result = {
        str(size): {name: sorted(values)[len(values) // 2] for name, values in entry.items()}
        for size, entry in times.items()
    }
    result['train_step_ratio'] = result['64']['train_step'] / result['32']['train_step']
    result['decode_ratio'] = result['64']['decode'] / result['32']['decode']
    result['threads'] = args.threads
    result['rounds'] = args.rounds
    os.makedirs(args.work, exist_ok=True)
    with open(os.path.join(args.work, 'step_cost.json'), 'w') as f:
        json.dump(result, f, indent=2)
    print(json.dumps(result, indent=1))


if __name__ == '__main__':
    main()
