"""Writes random SEED checkpoints laid out like the release, to test the converters without the real weights.

    /usr/bin/python3 models/export/make_random_checkpoints.py --size small --out DIR
    /usr/bin/python3 models/export/make_random_checkpoints.py --size full --out DIR      # ~2.2 GB in fp16
    /usr/bin/python3 models/export/make_random_checkpoints.py --family seed-v2 --size small --out DIR

SEED v1: `eva_vit_g.pth` (flat state dict), `causal_qformer.pth` and `seed_tokenizer.pth` (state dict under
"model"). SEED-2: `eva_vit_g.pth` and `seed_quantizer.pt` (flat, as `Blip2QformerQuantizer.from_pretrained`
loads it); `--vit-copy` also puts a copy of the ViT into `seed_quantizer.pt` (`--vit-copy-offset` shifts that
copy, to test that the later file wins). The key names are exactly the released ones; `config.json` holds the
sizes, which `convert.py --config` / `convert_seed2.py --config` read (the released sizes are the default, so
the full-size config is only written for reference).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

os.environ.setdefault('OMP_WAIT_POLICY', 'PASSIVE')

import torch  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))

from released_checkpoints import EVA_VIT, SEED_V1, SEED_V2, Release  # noqa: E402
from seed_v1_modules import SeedV1Config, SeedV1Tokenizer, small_config  # noqa: E402
from seed_v2_modules import SeedV2Config, SeedV2Tokenizer, small_v2_config  # noqa: E402

RANDOM_TOKENS = ('query_tokens', 'reverse_tokens', 'pos_embed_text', 'pos_embed_image')


def random_tokenizer(config: SeedV1Config | SeedV2Config, seed: int) -> SeedV1Tokenizer | SeedV2Tokenizer:
    """A SeedV1Tokenizer whose every weight is random, LayerNorms included, so that a converter that
    drops or swaps any tensor changes the outputs."""
    generator = torch.Generator().manual_seed(seed)
    model = SeedV2Tokenizer(config) if isinstance(config, SeedV2Config) else SeedV1Tokenizer(config)
    with torch.no_grad():
        for name, parameter in model.named_parameters():
            is_norm = '.norm' in name or 'LayerNorm' in name or name.startswith('ln_vision')
            if is_norm and name.endswith('weight'):
                parameter.normal_(1.0, 0.1, generator=generator)
            elif is_norm:
                parameter.normal_(0.0, 0.1, generator=generator)
            elif name in RANDOM_TOKENS:
                # Distinct tokens keep the causal-mask checks meaningful.
                parameter.normal_(0.0, 0.5, generator=generator)
            elif name == 'quantize.embedding.weight':
                # About the spread of the encoder's random outputs, so that images map to many different codes.
                parameter.normal_(0.0, 0.05, generator=generator)
            else:
                parameter.normal_(0.0, 0.02, generator=generator)
    return model.eval()


def split_like_release(
    model: SeedV1Tokenizer | SeedV2Tokenizer,
    dtype: torch.dtype,
    release: Release = SEED_V1,
    vit_copy_offset: float | None = None,
) -> dict[str, object]:
    """The release's files' contents, keyed by file name. With `vit_copy_offset`, the last file also holds a
    copy of the ViT, shifted by that amount."""
    state = model.state_dict()
    files: dict[str, object] = {}
    for part in release.parts:
        tensors = {key: state[part.model_key(key)].to(dtype).clone() for key in part.expected_shapes(model)}
        # SEED v1 keeps its Q-Former and tokenizer weights under "model"; seed_quantizer.pt is flat.
        files[part.filename] = tensors if part is EVA_VIT or release is SEED_V2 else {'model': tensors}
    if vit_copy_offset is not None:
        last = files[release.parts[-1].filename]
        tensors = last['model'] if 'model' in last else last
        for key in EVA_VIT.expected_shapes(model):
            tensors[EVA_VIT.model_key(key)] = (state[EVA_VIT.model_key(key)] + vit_copy_offset).to(dtype)
    return files


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--family', choices=('seed-v1', 'seed-v2'), default='seed-v1')
    parser.add_argument('--size', choices=('small', 'full'), default='small')
    parser.add_argument('--out', type=Path, required=True, help='folder for the three .pth files and config.json')
    parser.add_argument(
        '--dtype', choices=('fp16', 'fp32'), help='default: fp16 for full (like the release), fp32 for small'
    )
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--width', type=int, default=64, help='small: Q-Former and de-tokenizer width')
    parser.add_argument('--vision-width', type=int, default=64, help='small: ViT width')
    parser.add_argument('--layers', type=int, default=2, help='small: ViT blocks, Q-Former layers and text blocks')
    parser.add_argument('--heads', type=int, default=4, help='small: attention heads everywhere')
    parser.add_argument('--tokens', type=int, default=77, help='small: generation-embedding tokens (reverse queries)')
    parser.add_argument('--generation-dim', type=int, default=768, help='small: generation-embedding width')
    parser.add_argument('--vit-copy', action='store_true', help='the last file also holds a copy of the ViT')
    parser.add_argument('--vit-copy-offset', type=float, default=0.0, help='added to that copy of the ViT')
    args = parser.parse_args(argv)

    torch.set_num_threads(2)
    release = SEED_V2 if args.family == 'seed-v2' else SEED_V1
    if release is SEED_V2:
        config = (
            SeedV2Config()
            if args.size == 'full'
            else small_v2_config(width=args.width, vision_width=args.vision_width, layers=args.layers, heads=args.heads)
        )
    else:
        config = (
            SeedV1Config()
            if args.size == 'full'
            else small_config(
                width=args.width,
                vision_width=args.vision_width,
                layers=args.layers,
                heads=args.heads,
                tokens=args.tokens,
                generation_dim=args.generation_dim,
            )
        )
    dtype_name = args.dtype or ('fp16' if args.size == 'full' else 'fp32')
    dtype = torch.float16 if dtype_name == 'fp16' else torch.float32
    args.out.mkdir(parents=True, exist_ok=True)
    model = random_tokenizer(config, args.seed)
    parameters = sum(p.numel() for p in model.parameters())
    files = split_like_release(model, dtype, release, args.vit_copy_offset if args.vit_copy else None)
    del model
    for filename, content in files.items():
        torch.save(content, str(args.out / filename))
        print(f'wrote {args.out / filename} ({(args.out / filename).stat().st_size / 1e6:.1f} MB)')
    config_path = args.out / 'config.json'
    config_path.write_text(config.to_json())
    print(f'{args.size} {release.name}, {parameters / 1e6:.1f} M parameters, {dtype_name}; sizes in {config_path}')


if __name__ == '__main__':
    main()
