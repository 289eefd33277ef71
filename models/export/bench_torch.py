"""PyTorch reference timings of the SEED v1 tokenizer's encode, for `npm run bench -- --model DIR --checkpoints DIR`.

Loads the checkpoints the model folder was converted from (the released files, or the random ones of
convert_full_random.sh) into the modules of seed_v1_modules.py, in float32 as convert.py exports them, and
times on CPU encoder + nearest codes (squared L2, as the manifest's quantiser) at each batch size, on a
tensor filled with 0.1. (convert.py --check already compares the codes of the two.)
Each figure is the median of --repeats timed runs after one warm-up run. Prints one JSON object to stdout:
{"encode_b<N>_images_per_s", "encode_b<N>_seconds", "loadSeconds", "threads", "torch", "ompWaitPolicy"}.

--int8 times PyTorch's own dynamic int8 quantization of the ViT instead (torch.ao quantize_dynamic), the
partner for a folder made by quantize_encoder.py; "int8" in the output says what was quantized.

Usage: /usr/bin/python3 models/export/bench_torch.py --model DIR --checkpoints DIR
       [--threads 2] [--repeats 3] [--batches 1,4] [--int8]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

# Timing wants PyTorch at its best: OpenMP threads that spin-wait between operators, as the runtime's do during
# a call on an idle machine. Under PASSIVE, seed-nano's small operators ran up to 4x slower at 2 threads.
# `npm run bench` sets the policy to match the runtime's choice (PASSIVE on a busy machine).
os.environ.setdefault('OMP_WAIT_POLICY', 'ACTIVE')

import numpy as np  # noqa: E402
import torch  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))

from released_checkpoints import CAUSAL_QFORMER, EVA_VIT, SEED_TOKENIZER, load_released_checkpoints  # noqa: E402
from seed_v1_modules import SeedV1Config, SeedV1Tokenizer  # noqa: E402


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--model', type=Path, required=True, help='the converted model folder (seed-model.json)')
    parser.add_argument(
        '--checkpoints',
        type=Path,
        required=True,
        help='folder with eva_vit_g.pth, causal_qformer.pth and seed_tokenizer.pth the model was converted from',
    )
    parser.add_argument(
        '--config',
        type=Path,
        help='config.json of the conversion (default: CHECKPOINTS/config.json when there, as make_random_checkpoints.py '
        '--size small writes it; else the full size)',
    )
    parser.add_argument('--threads', type=int, default=2)
    parser.add_argument('--repeats', type=int, default=3)
    parser.add_argument('--batches', default='1,4')
    parser.add_argument('--int8', action='store_true', help="dynamic int8 quantization of the ViT's linear layers")
    return parser.parse_args(argv)


def load_model(args: argparse.Namespace) -> tuple[SeedV1Tokenizer, torch.Tensor, dict]:
    manifest = json.loads((args.model / 'seed-model.json').read_text())
    config_file = args.config or args.checkpoints / 'config.json'
    config = SeedV1Config.load(config_file) if config_file.exists() else SeedV1Config()
    tokenizer = manifest['tokenizer']
    if (tokenizer['numCodes'], tokenizer['codeDim'], tokenizer['codebookSize']) != (
        config.qformer.queries,
        config.code_dim,
        config.codebook_size,
    ):
        raise SystemExit(
            f"{args.model}/seed-model.json has {tokenizer['numCodes']} codes of {tokenizer['codeDim']} values from "
            f"{tokenizer['codebookSize']}; this config has {config.qformer.queries}, {config.code_dim}, "
            f'{config.codebook_size}. Pass the --config the model was converted with.'
        )
    model = SeedV1Tokenizer(config).eval()
    paths = {
        EVA_VIT: args.checkpoints / 'eva_vit_g.pth',
        CAUSAL_QFORMER: args.checkpoints / 'causal_qformer.pth',
        SEED_TOKENIZER: args.checkpoints / 'seed_tokenizer.pth',
    }
    load_released_checkpoints(model, paths, log=lambda line: print(line, file=sys.stderr))
    codebook = model.quantize.embedding.weight.detach().float()
    converted = np.fromfile(args.model / tokenizer['codebook']['path'], dtype='<f4').reshape(codebook.shape)
    if not np.array_equal(converted, codebook.numpy()):
        raise SystemExit(
            f'The codebook of {args.model} differs from the one in {args.checkpoints}: '
            'these are not the checkpoints the model folder was converted from.'
        )
    return model, codebook, manifest


def quantize_vit(model: SeedV1Tokenizer) -> str:
    """PyTorch's dynamic int8 for the ViT's nn.Linear layers (fc1, fc2, proj), in place; says what it did.
    EVA's qkv stays fp32: its forward passes the weight to F.linear with separate q and v biases, which a
    quantized module cannot serve (quantize_encoder.py quantizes it too, so ONNX Runtime does a little more)."""
    vit = model.visual_encoder
    linears = {
        name: torch.ao.quantization.default_dynamic_qconfig
        for name, module in vit.named_modules()
        if isinstance(module, torch.nn.Linear) and not name.endswith('qkv')
    }
    model.visual_encoder = torch.ao.quantization.quantize_dynamic(vit, linears, dtype=torch.qint8)
    engine = torch.backends.quantized.engine
    return f'{len(linears)} ViT linear layers (fc1, fc2, proj) dynamic int8 on {engine}; qkv fp32'


def nearest_codes(features: torch.Tensor, codebook: torch.Tensor) -> torch.Tensor:
    flat = features.reshape(-1, codebook.shape[1])
    distances = (flat * flat).sum(1, keepdim=True) + (codebook * codebook).sum(1) - 2 * flat @ codebook.T
    return distances.argmin(1).reshape(features.shape[0], -1)


def median_seconds(fn, repeats: int) -> float:
    fn()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    torch.set_num_threads(args.threads)
    start = time.perf_counter()
    model, codebook, manifest = load_model(args)
    result: dict = {
        'threads': args.threads, 'torch': torch.__version__, 'ompWaitPolicy': os.environ['OMP_WAIT_POLICY'],
        'loadSeconds': time.perf_counter() - start,
    }
    if args.int8:
        result['int8'] = quantize_vit(model)
    width, height = manifest['image']['size']
    with torch.no_grad():
        for batch in [int(b) for b in args.batches.split(',')]:
            pixels = torch.full((batch, 3, height, width), 0.1)
            seconds = median_seconds(lambda: nearest_codes(model.encode(pixels), codebook), args.repeats)
            result[f'encode_b{batch}_seconds'] = seconds
            result[f'encode_b{batch}_images_per_s'] = batch / seconds
    print(json.dumps(result))


if __name__ == '__main__':
    main()
