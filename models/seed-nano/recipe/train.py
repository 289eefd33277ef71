"""seed-nano recipe: dataset -> autoencoder -> SEED (tokenizer, de-tokenizer, UNet) -> evaluation -> export.

One command rebuilds the model from a fresh clone (6400 SEED steps, over an hour on 2 idle CPU cores):

    OMP_WAIT_POLICY=PASSIVE /usr/bin/python3 models/seed-nano/recipe/train.py --all

--seed-minutes M bounds the SEED stage by time instead (its schedule follows the clock); the model card says
which of the two made the committed model.

Stages can also run one at a time (--stage dataset|ae|seed|eval|export); each reads what the previous one
wrote into --work (default models/seed-nano/recipe/work/, git-ignored). --smoke runs every stage with a few
steps on a small subset, to check the recipe end to end in a minute (its export goes to --work, never over the
committed model unless --out says so). --device cuda trains on a GPU.
"""

import argparse
import json
import os
import sys
import time

os.environ.setdefault('OMP_WAIT_POLICY', 'PASSIVE')

import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

RECIPE_DIR = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, RECIPE_DIR)

import augment  # noqa: E402
import dataset as ds  # noqa: E402
from diffusion import TRAIN_STEPS, add_noise, cosine_alphas_cumprod, v_target  # noqa: E402
from model import Autoencoder, SeedNano, SeedNanoConfig, count_parameters  # noqa: E402

MODEL_DIR = os.path.dirname(RECIPE_DIR)

# The full recipe (the model card has the time it took when it was run). SEED steps were the lever measured on
# plain emoji: 1600 gave a reconstruction / random-code ratio of 0.597, 6400 gave 0.373.
FULL = {
    'ae_steps': 500, 'ae_batch': 32, 'ae_lr': 2e-3,
    'seed_steps': 6400, 'seed_batch': 32, 'seed_lr': 8e-4,
    'checkpoint_every': 200,
    'continuous_fraction': 0.28,  # first part of the SEED stage without quantisation (avoids codebook collapse)
    'restart_every': 100,  # dead-code restarts: codes unused over this many steps are re-seeded from encoder outputs
    'aux_weight': 1.0,  # weight of the generation embedding's latent-prediction loss
    'cond_dropout': 0.1,
    'kmeans_iters': 20,
    'test_count': 200,
    # Share of each batch shown plainly (full-frame on white, as the first seed-nano saw everything); the rest
    # gets a random presentation (augment.py).
    'plain_fraction': 0.25,
}
SMOKE = dict(
    FULL, ae_steps=4, ae_batch=8, seed_steps=8, seed_batch=8, checkpoint_every=4, restart_every=3, kmeans_iters=2,
    test_count=16,
)


def log(message, **values):
    stamp = time.strftime('%H:%M:%S')
    extra = ' '.join(f'{k}={v:.4g}' if isinstance(v, float) else f'{k}={v}' for k, v in values.items())
    print(f'[{stamp}] {message} {extra}'.rstrip(), flush=True)


def lr_at(step, total, base, warmup=100, progress=None):
    """Linear warm-up, then cosine decay to 10% of the base rate; progress in [0, 1] defaults to step / total."""
    if step < warmup:
        return base * (step + 1) / warmup
    if progress is None:
        progress = (step - warmup) / max(1, total - warmup)
    return base * (0.1 + 0.9 * 0.5 * (1 + np.cos(np.pi * min(1.0, progress))))


def set_lr(optimizer, lr):
    for group in optimizer.param_groups:
        group['lr'] = lr


def stage_dataset(args, hp):
    data = ds.build_dataset(
        test_count=hp['test_count'], seed=args.seed, limit=120 if args.smoke else None,
        photo_count=hp['test_count'],
    )
    ds.save_dataset(data, os.path.join(args.work, 'dataset.npz'))
    kinds = np.array(data['kinds'])
    log(
        'dataset', emoji=int((kinds == 'emoji').sum()), icons=int((kinds == 'icon').sum()),
        test=int(data['is_test'].sum()), photos=len(data['photos']),
    )


def load_train_sources(args):
    """The RGBA training sources (emoji and icons, held-out ones excluded)."""
    data = ds.load_dataset(os.path.join(args.work, 'dataset.npz'))
    return torch.from_numpy(data['sources'][~data['is_test']])


def batch_images(sources, hp, gen, batch):
    """A random batch of training sources, presented (augment.py): the model's input and its target."""
    picked = sources[torch.randint(len(sources), (batch,), generator=gen)]
    return augment.present(picked, gen, plain_fraction=hp['plain_fraction'])


def presented_once(sources, hp, seed):
    """Every source with one fixed presentation (the same mix as training), for statistics over the split."""
    gen = torch.Generator().manual_seed(seed)
    return torch.cat([augment.present(b, gen, plain_fraction=hp['plain_fraction']) for b in sources.split(256)])


def stage_ae(args, hp, cfg):
    sources = load_train_sources(args)
    torch.manual_seed(args.seed)
    ae = Autoencoder(cfg).to(args.device)
    log('autoencoder', params=count_parameters(ae))
    opt = torch.optim.AdamW(ae.parameters(), lr=hp['ae_lr'], weight_decay=0.0)
    gen = torch.Generator().manual_seed(args.seed)
    start = time.time()
    for step in range(hp['ae_steps']):
        set_lr(opt, lr_at(step, hp['ae_steps'], hp['ae_lr']))
        x = batch_images(sources, hp, gen, hp['ae_batch']).to(args.device)
        z = ae.encode(x)
        recon = ae.decoder(z)
        # Plain reconstruction loss; the tiny latent penalty only keeps the latent scale from drifting.
        loss = F.mse_loss(recon, x) + 1e-4 * z.pow(2).mean()
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        if step % 100 == 0 or step == hp['ae_steps'] - 1:
            log('ae', step=step, loss=loss.item(), s_per_step=(time.time() - start) / (step + 1))
    ae.eval()
    # Statistics over fresh presentations of the training sources: the latent scale, and a validation error of
    # images the autoencoder never saw in this presentation (the held-out sets are measured in the eval stage).
    train_x = presented_once(sources, hp, args.seed + 3)
    test_x = train_x[torch.randperm(len(train_x), generator=gen)[:500]]
    with torch.no_grad():
        z_train = torch.cat([ae.encode(b.to(args.device)).cpu() for b in train_x.split(256)])
        test_recon = torch.cat([ae.decoder(ae.encode(b.to(args.device))).cpu() for b in test_x.split(256)])
    # Like Stable Diffusion's 0.18215: scale the latent to unit variance for the diffusion model.
    vae_scale = float(1.0 / z_train.std())
    test_rmse = float(((test_recon.clamp(-1, 1) - test_x) / 2).pow(2).mean(dim=(1, 2, 3)).sqrt().mean())
    log('ae done', vae_scale=vae_scale, test_rmse=test_rmse, seconds=time.time() - start)
    torch.save(
        {'state': ae.state_dict(), 'vae_scale': vae_scale, 'test_rmse': test_rmse, 'seconds': time.time() - start},
        os.path.join(args.work, 'ae.pt'),
    )


def spherical_kmeans(vectors, k, iters, gen):
    """Cosine k-means of l2-normalised vectors; returns [k, dim] normalised centres (empty ones re-seeded)."""
    vectors = F.normalize(vectors, dim=-1)
    centres = vectors[torch.randperm(len(vectors), generator=gen)[:k]].clone()
    for _ in range(iters):
        assign = torch.cat([(c @ centres.t()).argmax(-1) for c in vectors.split(16384)])
        sums = torch.zeros_like(centres).index_add_(0, assign, vectors)
        counts = torch.bincount(assign, minlength=k)
        empty = counts == 0
        sums[empty] = vectors[torch.randint(len(vectors), (int(empty.sum()),), generator=gen)]
        centres = F.normalize(sums, dim=-1)
    return centres


def code_stats(codes, codebook_size):
    counts = torch.bincount(codes.flatten(), minlength=codebook_size).double()
    p = counts / counts.sum()
    nz = p[p > 0]
    return int((counts > 0).sum()), float(torch.exp(-(nz * nz.log()).sum()))


def stage_seed(args, hp, cfg):
    sources = load_train_sources(args)
    ae_ckpt = torch.load(os.path.join(args.work, 'ae.pt'), map_location='cpu')
    ae = Autoencoder(cfg)
    ae.load_state_dict(ae_ckpt['state'])
    ae.eval().requires_grad_(False).to(args.device)
    vae_scale = ae_ckpt['vae_scale']

    torch.manual_seed(args.seed)
    model = SeedNano(cfg)
    model.vae_decoder.load_state_dict(ae.decoder.state_dict())
    init_from = load_previous(model, args.init_from) if args.init_from else None
    model.vae_decoder.requires_grad_(False)
    model.to(args.device)
    for name in ['encoder', 'detokenizer', 'unet', 'vae_decoder']:
        log('params', module=name, count=count_parameters(getattr(model, name)))
    trainable = [p for p in model.parameters() if p.requires_grad]
    opt = torch.optim.AdamW(trainable, lr=hp['seed_lr'], weight_decay=0.01)
    acp = cosine_alphas_cumprod().to(args.device)
    gen = torch.Generator().manual_seed(args.seed + 1)
    steps, batch = hp['seed_steps'], hp['seed_batch']
    # With --seed-minutes the schedule follows wall-clock progress (the run stops when the time is up or the
    # steps are done, whichever comes first): on a machine shared with other jobs, a step count cannot be sized
    # in advance to end on time.
    budget = args.seed_minutes * 60 if args.seed_minutes else None
    # A fine-tuned model starts with a trained codebook: no continuous phase, no k-means.
    quantize_from = 0 if init_from else None
    usage = torch.zeros(cfg.codebook_size, dtype=torch.long)
    recent = []  # recent encoder outputs, the pool dead codes are re-seeded from
    history = []
    start = time.time()
    step, last = -1, False
    while not last:
        step += 1
        progress = step / steps if budget is None else max(step / steps, (time.time() - start) / budget)
        last = step == steps - 1 or (budget is not None and progress >= 1.0)
        if quantize_from is None and progress >= hp['continuous_fraction']:
            quantize_from = step
            init_codebook(model, presented_once(sources, hp, args.seed + 5), args, hp, gen)
            usage.zero_()
        set_lr(opt, lr_at(step, steps, hp['seed_lr'], progress=progress))
        x = batch_images(sources, hp, gen, batch).to(args.device)
        with torch.no_grad():
            z0 = ae.encode(x) * vae_scale
        features = model.encoder(x)
        if quantize_from is None:
            code_vectors, vq_loss, codes = F.normalize(features, dim=-1), torch.zeros((), device=x.device), None
        else:
            code_vectors, codes, vq_loss = model.quantize(features)
            usage += torch.bincount(codes.flatten().cpu(), minlength=cfg.codebook_size)
            recent.append(features.detach().reshape(-1, cfg.code_dim).cpu())
            recent = recent[-40:]
        embedding = model.detokenizer(code_vectors)
        aux_loss = F.mse_loss(model.predict_latent(embedding), z0)
        drop = (torch.rand(batch, generator=gen) < hp['cond_dropout']).to(args.device)
        context = torch.where(drop[:, None, None], model.null_embedding.expand(batch, -1, -1), embedding)
        t = torch.randint(TRAIN_STEPS, (batch,), generator=gen).to(args.device)
        noise = torch.randn(z0.shape, generator=gen).to(args.device)
        pred = model.unet(add_noise(z0, noise, acp[t]), t, context)
        diff_loss = F.mse_loss(pred, v_target(z0, noise, acp[t]))
        loss = diff_loss + hp['aux_weight'] * aux_loss + vq_loss
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(trainable, 1.0)
        opt.step()
        if codes is not None and (step - quantize_from + 1) % hp['restart_every'] == 0:
            restart_dead_codes(model, usage, recent, gen)
            usage.zero_()
        if step % 50 == 0 or last:
            values = dict(
                step=step, diff=diff_loss.item(), aux=aux_loss.item(), vq=float(vq_loss),
                s_per_step=(time.time() - start) / (step + 1),
            )
            if codes is not None:
                values['batch_codes_used'], values['batch_perplexity'] = code_stats(codes.cpu(), cfg.codebook_size)
            log('seed', **values)
            history.append(values)
        if (step + 1) % hp['checkpoint_every'] == 0 or last:
            # Saved along the way so that an interrupted run still leaves its latest weights to evaluate.
            torch.save(
                {
                    'config': cfg.to_dict(), 'state': {k: v.cpu() for k, v in model.state_dict().items()},
                    'vae_scale': vae_scale, 'hp': hp, 'steps_done': step + 1, 'seconds': time.time() - start,
                    'ae_seconds': ae_ckpt['seconds'], 'ae_test_rmse': ae_ckpt['test_rmse'], 'history': history,
                    'seed': args.seed, 'device': str(args.device), 'threads': args.threads,
                    'seed_minutes': args.seed_minutes, 'quantize_from': quantize_from, 'init_from': init_from,
                    'torch': torch.__version__,
                },
                os.path.join(args.work, 'seed.pt'),
            )
    log('seed done', seconds=time.time() - start)


@torch.no_grad()
def load_previous(model, folder):
    """Starts the SEED stage from a trained seed-nano model folder: its tokenizer, codebook, de-tokenizer, UNet and
    null embedding. Not its VAE decoder: this run's autoencoder defines the latent space, and the UNet adapts to it."""
    import bench_torch

    previous, manifest = bench_torch.load_model(folder)
    for name in ['encoder', 'quantize', 'detokenizer', 'unet']:
        getattr(model, name).load_state_dict(getattr(previous, name).state_dict())
    model.null_embedding.copy_(previous.null_embedding)
    encoder_sha = manifest['tokenizer']['encoder']['sha256']
    log('initialised from a trained seed-nano', folder=folder, encoder_sha256=encoder_sha[:12])
    return {'folder': os.path.abspath(folder), 'encoder_sha256': encoder_sha}


@torch.no_grad()
def init_codebook(model, train_x, args, hp, gen):
    """Spherical k-means of the encoder outputs of the whole training split becomes the codebook."""
    feats = torch.cat([model.encoder(b.to(args.device)).cpu() for b in train_x.split(256)])
    centres = spherical_kmeans(feats.reshape(-1, feats.shape[-1]), model.cfg.codebook_size, hp['kmeans_iters'], gen)
    model.quantize.embedding.weight.copy_(centres.to(args.device))
    codes = torch.cat([model.quantize.codes(f.to(args.device)).cpu() for f in feats.split(1024)])
    used, perplexity = code_stats(codes, model.cfg.codebook_size)
    log('codebook initialised by spherical k-means', codes_used=used, perplexity=perplexity)


@torch.no_grad()
def restart_dead_codes(model, usage, recent, gen):
    dead = (usage == 0).nonzero().flatten()
    if len(dead) == 0 or not recent:
        return
    pool = torch.cat(recent)
    picks = pool[torch.randint(len(pool), (len(dead),), generator=gen)]
    weight = model.quantize.embedding.weight
    weight[dead.to(weight.device)] = F.normalize(picks, dim=-1).to(weight.device)
    log('dead codes restarted', count=len(dead))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--all', action='store_true', help='run every stage: dataset, ae, seed, eval, export')
    parser.add_argument('--stage', choices=['dataset', 'ae', 'seed', 'eval', 'export'], action='append', default=[])
    parser.add_argument('--work', default=os.path.join(RECIPE_DIR, 'work'), help='folder for intermediate files')
    parser.add_argument('--out', default=None, help='model folder to export into (default: models/seed-nano)')
    parser.add_argument('--device', default='cpu', help='torch device, e.g. cpu or cuda')
    parser.add_argument('--threads', type=int, default=2, help='CPU threads for torch')
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument(
        '--seed-minutes', type=float, default=None,
        help='end the SEED stage after this many minutes, its schedule following the time (default: fixed steps)',
    )
    parser.add_argument(
        '--init-from', default=None,
        help='a seed-nano model folder to start the SEED stage from (fine-tuning; default: from scratch)',
    )
    parser.add_argument(
        '--guidance', type=float, default=None,
        help='guidance scale of the eval stage and the manifest (default: chosen on training images)',
    )
    parser.add_argument(
        '--sets', nargs='+', default=None,
        help='held-out sets the eval stage measures (default: all; evaluate.held_out_sets names them)',
    )
    parser.add_argument(
        '--compare-with', default=None,
        help='a seed-nano model folder that the eval stage also measures on the held-out sets (e.g. the previous one)',
    )
    parser.add_argument('--smoke', action='store_true', help='a few steps of every stage on a small subset')
    args = parser.parse_args(argv)
    stages = ['dataset', 'ae', 'seed', 'eval', 'export'] if args.all else args.stage
    if not stages:
        parser.error('nothing to do: pass --all or one or more --stage')
    if args.out is None:
        args.out = os.path.join(args.work, 'export') if args.smoke else MODEL_DIR
    torch.set_num_threads(args.threads)
    os.makedirs(args.work, exist_ok=True)
    hp = SMOKE if args.smoke else FULL
    cfg = SeedNanoConfig()
    for stage in stages:
        log(f'stage {stage}')
        if stage == 'dataset':
            stage_dataset(args, hp)
        elif stage == 'ae':
            stage_ae(args, hp, cfg)
        elif stage == 'seed':
            stage_seed(args, hp, cfg)
        elif stage == 'eval':
            import evaluate

            evaluate.run(args)
        elif stage == 'export':
            import export

            export.run(args)


if __name__ == '__main__':
    main()
