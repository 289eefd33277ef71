"""PyTorch definitions of the SEED-2 tokenizer (the SEED-LLaMA one, `seed_quantizer.pt`), for export to ONNX.

The encoder is SEED v1's (EVA ViT-g/14, `ln_vision`, causal Q-Former, `encode_task_layer`, 8192x32 codebook),
so its modules come from `seed_v1_modules.py`. The de-tokenizer differs: code vectors go through
`decode_task_layer`, `pos_embed_image` and 4 `blocks_image`, then `image_down` (768 -> 256 -> 128 -> 32,
no biases, ReLU between) per query, and `distill_image_proj` maps the 32x32 values, flattened, to one 1024-d
image embedding for Stable Diffusion 2.1 unCLIP.

That branch is the one the release runs: `Blip2QformerQuantizer.from_pretrained` builds the model with
`use_qformer_image=False` (the default; it is not passed on), so the one-query reverse Q-Former the class
can also build is never constructed, and the released `distill_image_proj` is 1024x1024 (the reverse
Q-Former variant would be 1024x768, which non-strict loading would refuse).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

import torch
from torch import nn

from seed_v1_modules import (
    Codebook,
    EvaVisionTransformer,
    LayerNorm,
    PreNormBlock,
    QFormer,
    QFormerConfig,
    TimmAttention,
    VisionConfig,
)


@dataclass(frozen=True)
class SeedV2Config:
    """All sizes of the SEED-2 tokenizer; the defaults are the released model."""

    vision: VisionConfig = field(default_factory=VisionConfig)
    qformer: QFormerConfig = field(default_factory=QFormerConfig)
    code_dim: int = 32
    codebook_size: int = 8192
    image_blocks: int = 4
    image_heads: int = 12
    image_mlp_ratio: float = 4.0
    image_eps: float = 1e-6
    # Widths of `image_down` after the Q-Former width; the last times the query count feeds distill_image_proj.
    image_down: tuple[int, ...] = (256, 128, 32)
    image_embedding_dim: int = 1024

    def to_json(self) -> str:
        return json.dumps({'family': 'seed-v2', **asdict(self)}, indent=2) + '\n'

    @staticmethod
    def from_json(text: str) -> 'SeedV2Config':
        raw = json.loads(text)
        if raw.pop('family', None) != 'seed-v2':
            raise ValueError('the config is not a SEED-2 one (its "family" is not "seed-v2")')
        return SeedV2Config(
            **{
                **raw,
                'vision': VisionConfig(**raw['vision']),
                'qformer': QFormerConfig(**raw['qformer']),
                'image_down': tuple(raw['image_down']),
            }
        )

    @staticmethod
    def load(path: str | Path) -> 'SeedV2Config':
        try:
            return SeedV2Config.from_json(Path(path).read_text())
        except (OSError, ValueError, KeyError, TypeError) as error:
            raise ValueError(
                f'Cannot read the model config {path}: {error}. Pass a JSON file written by '
                'make_random_checkpoints.py --family seed-v2, or leave --config out for the released SEED-2 sizes.'
            ) from error


def small_v2_config(width: int = 64, vision_width: int = 64, layers: int = 2, heads: int = 4) -> SeedV2Config:
    """A narrow, shallow SEED-2 with the released names: same image size, codes, codebook and 1024-d output."""
    return replace(
        SeedV2Config(),
        vision=replace(VisionConfig(), width=vision_width, depth=layers, heads=heads),
        qformer=replace(
            QFormerConfig(), width=width, layers=layers, heads=heads, ffn=2 * width, encoder_width=vision_width
        ),
        image_blocks=layers,
        image_heads=heads,
        image_down=(32, 16, 8),
    )


class ImageDown(nn.Sequential):
    """`image_down`: bias-free Linear layers with ReLU between them (indices 0, 2, 4 hold the weights)."""

    def __init__(self, widths: tuple[int, ...]):
        layers: list[nn.Module] = []
        for index, (inner, outer) in enumerate(zip(widths, widths[1:])):
            if index:
                layers.append(nn.ReLU())
            layers.append(nn.Linear(inner, outer, bias=False))
        super().__init__(*layers)


class SeedV2Tokenizer(nn.Module):
    """The SEED-2 tokenizer. Attribute names are the top-level prefixes of `seed_quantizer.pt`."""

    def __init__(self, config: SeedV2Config = SeedV2Config()):
        super().__init__()
        self.config = config
        q = config.qformer
        self.visual_encoder = EvaVisionTransformer(config.vision)
        self.ln_vision = LayerNorm(config.vision.width)
        self.query_tokens = nn.Parameter(torch.zeros(1, q.queries, q.width))
        self.Qformer = QFormer(q)
        self.encode_task_layer = nn.Sequential(
            nn.Linear(q.width, q.width), nn.Tanh(), nn.Linear(q.width, config.code_dim)
        )
        self.quantize = Codebook(config.codebook_size, config.code_dim)
        self.decode_task_layer = nn.Sequential(
            nn.Linear(config.code_dim, config.code_dim), nn.Tanh(), nn.Linear(config.code_dim, q.width)
        )
        self.pos_embed_image = nn.Parameter(torch.zeros(1, q.queries, q.width))
        self.blocks_image = nn.ModuleList(
            PreNormBlock(
                q.width, config.image_heads, int(q.width * config.image_mlp_ratio), config.image_eps, TimmAttention
            )
            for _ in range(config.image_blocks)
        )
        self.image_down = ImageDown((q.width, *config.image_down))
        self.distill_image_proj = nn.Linear(q.queries * config.image_down[-1], config.image_embedding_dim)

    def encode(self, pixels: torch.Tensor) -> torch.Tensor:
        """Normalised pixels [N, 3, 224, 224] -> pre-quantisation vectors [N, 32, code_dim]."""
        features = self.ln_vision(self.visual_encoder(pixels))
        queries = self.query_tokens.expand(pixels.shape[0], -1, -1).to(features.dtype)
        return self.encode_task_layer(self.Qformer(queries, features))

    def decode(self, code_vectors: torch.Tensor) -> torch.Tensor:
        """Codebook vectors [N, 32, code_dim] -> image embedding [N, 1, image_embedding_dim].

        The release returns [N, 1024]; the graph keeps a token axis of one so that the runtime's
        generation-embedding contract ([N, tokens, dim]) holds for both families."""
        x = self.decode_task_layer(code_vectors) + self.pos_embed_image
        for block in self.blocks_image:
            x = block(x)
        down = self.image_down(x).reshape(code_vectors.shape[0], 1, -1)
        return self.distill_image_proj(down)
