"""PyTorch reference timings of seed-nano, for comparison with the ONNX runtime's benchmark.

Loads the weights back from the committed ONNX files (their initializers carry the PyTorch parameter names,
see export.py), the codebook and the unconditional embedding, then times on CPU:
- encode: image -> 32 codes (encoder + cosine quantiser), batch 1 and 8, in images per second;
- decode: codes -> image (de-tokenizer, the manifest's default sampler/steps/guidance with classifier-free
  guidance, VAE decoder), batch 1 and 8, in seconds per image.
Each figure is the median of --repeats timed runs after one warm-up run (a run repeats a short call for at
least MIN_RUN_SECONDS and takes the mean per call). Prints one JSON object to stdout:
{"encode_b1_images_per_s", "encode_b8_images_per_s", "decode_b1_s_per_image", "decode_b8_s_per_image",
 "steps", "sampler", "guidance", "threads", "torch", "ompWaitPolicy"}.

Usage: /usr/bin/python3 models/seed-nano/recipe/bench_torch.py
       [--model models/seed-nano] [--threads 2] [--repeats 5] [--device cpu]
"""

import argparse
import json
import os
import statistics
import sys
import time

# Timing wants PyTorch at its best: OpenMP threads that spin-wait between operators, as the runtime's do during
# a call on an idle machine. Under PASSIVE, seed-nano's small operators ran up to 4x slower at 2 threads.
# `npm run bench` sets the policy to match the runtime's choice (PASSIVE on a busy machine).
os.environ.setdefault('OMP_WAIT_POLICY', 'ACTIVE')

import numpy as np  # noqa: E402
import onnx  # noqa: E402
import torch  # noqa: E402
from onnx import numpy_helper  # noqa: E402

RECIPE_DIR = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, RECIPE_DIR)

from diffusion import cosine_alphas_cumprod, sample_plms  # noqa: E402
from model import SeedNano, SeedNanoConfig  # noqa: E402


def load_onnx_weights(module, path):
    """Copies every parameter and persistent buffer of `module` from the ONNX initializer of the same name."""
    initializers = {i.name: numpy_helper.to_array(i) for i in onnx.load(path).graph.initializer}
    state = module.state_dict()
    missing = [k for k in state if k not in initializers]
    if missing:
        raise ValueError(f'{path} has no initializer for {missing[:3]}...: re-export it with recipe/export.py')
    for name, value in state.items():
        if tuple(initializers[name].shape) != tuple(value.shape):
            raise ValueError(f'{path}: {name} is {initializers[name].shape}, the model expects {tuple(value.shape)}')
    module.load_state_dict({k: torch.from_numpy(initializers[k].copy()) for k in state})


def load_model(model_dir):
    with open(os.path.join(model_dir, 'seed-model.json')) as f:
        manifest = json.load(f)
    cfg = SeedNanoConfig()
    tok, diff, gen = manifest['tokenizer'], manifest['diffusion'], manifest['generationEmbedding']
    expected = (cfg.codebook_size, cfg.code_dim, cfg.gen_tokens, cfg.gen_dim)
    if (tok['codebookSize'], tok['codeDim'], gen['tokens'], gen['dim']) != expected:
        raise ValueError(f'{model_dir}/seed-model.json does not describe the SeedNanoConfig of recipe/model.py')
    model = SeedNano(cfg).eval()
    for module, rel in [
        (model.encoder, tok['encoder']['path']), (model.detokenizer, tok['decoder']['path']),
        (model.unet, diff['unet']['path']), (model.vae_decoder, diff['vaeDecoder']['path']),
    ]:
        load_onnx_weights(module, os.path.join(model_dir, rel))

    def raw(rel, shape):
        return torch.from_numpy(np.fromfile(os.path.join(model_dir, rel), dtype='<f4').reshape(shape).copy())

    with torch.no_grad():
        model.quantize.embedding.weight.copy_(raw(tok['codebook']['path'], (cfg.codebook_size, cfg.code_dim)))
        model.null_embedding.copy_(raw(diff['unconditional']['path'], (1, cfg.gen_tokens, cfg.gen_dim)))
    return model, manifest


# A timed run lasts at least this long: a call of a few milliseconds (seed-nano's encoder) is repeated within
# it and the mean per call taken, so that one scheduler hiccup does not decide the figure. scripts/bench.mjs
# times the runtime the same way.
MIN_RUN_SECONDS = 0.2


def median_seconds(fn, repeats):
    """Median over `repeats` timed runs of the seconds per call, after one warm-up call."""
    fn()
    times = []
    for _ in range(repeats):
        calls, start = 0, time.perf_counter()
        while True:
            fn()
            calls += 1
            elapsed = time.perf_counter() - start
            if elapsed >= MIN_RUN_SECONDS:
                break
        times.append(elapsed / calls)
    return statistics.median(times)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--model', default=os.path.dirname(RECIPE_DIR), help='model folder (seed-model.json)')
    parser.add_argument('--threads', type=int, default=2)
    parser.add_argument('--repeats', type=int, default=5)
    parser.add_argument('--device', default='cpu')
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)
    model, manifest = load_model(args.model)
    model.to(args.device)
    d = manifest['diffusion']
    defaults = d['defaults']
    if defaults['sampler'] != 'plms':
        raise ValueError(f"bench_torch.py implements the plms sampler; the manifest's default is {defaults['sampler']}")
    acp = cosine_alphas_cumprod()
    cfg = model.cfg
    size = manifest['image']['size']
    result = {}
    with torch.no_grad():
        for batch in (1, 8):
            x = torch.rand(batch, 3, size[1], size[0], device=args.device) * 2 - 1
            codes = model.encode_codes(x)
            t = median_seconds(lambda: model.encode_codes(x), args.repeats)
            result[f'encode_b{batch}_images_per_s'] = batch / t

            def decode():
                noise = torch.randn(batch, cfg.latent_channels, cfg.latent_size, cfg.latent_size, device=args.device)
                emb = model.embed_codes(codes)
                latent = sample_plms(
                    model.unet, emb, model.null_embedding, noise, defaults['steps'], defaults['guidance'], acp
                )
                return model.vae_decoder(latent / d['vaeScale'])

            result[f'decode_b{batch}_s_per_image'] = median_seconds(decode, args.repeats) / batch
    result.update(
        steps=defaults['steps'], sampler=defaults['sampler'], guidance=defaults['guidance'], threads=args.threads,
        torch=torch.__version__, ompWaitPolicy=os.environ['OMP_WAIT_POLICY'],
    )
    print(json.dumps(result))


if __name__ == '__main__':
    main()
