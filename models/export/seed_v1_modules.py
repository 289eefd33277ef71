"""PyTorch definitions of the SEED v1 tokenizer (encoder and de-tokenizer), for export to ONNX.

Module and parameter names follow the released checkpoints (`eva_vit_g.pth`, `causal_qformer.pth`,
`seed_tokenizer.pth`) so their state dicts load by name; see /work/shared/docs/seed-reference.md for the
architecture. Everything runs in eval mode: dropout and drop-path are left out because export never trains.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

import torch
import torch.nn.functional as F
from torch import nn


@dataclass(frozen=True)
class VisionConfig:
    """EVA ViT-g/14 as BLIP-2 builds it (`create_eva_vit_g`)."""

    image_size: int = 224
    patch_size: int = 14
    width: int = 1408
    depth: int = 39
    heads: int = 16
    mlp_ratio: float = 4.3637
    eps: float = 1e-6

    @property
    def mlp_hidden(self) -> int:
        # BLIP-2 truncates width * ratio: 1408 * 4.3637 -> 6144.
        return int(self.width * self.mlp_ratio)

    @property
    def num_patches(self) -> int:
        return (self.image_size // self.patch_size) ** 2


@dataclass(frozen=True)
class QFormerConfig:
    """A BERT-style query transformer: learned queries attend to each other and to an encoder's states."""

    width: int = 768
    layers: int = 12
    heads: int = 12
    ffn: int = 3072
    eps: float = 1e-12
    queries: int = 32
    encoder_width: int = 1408
    cross_attention_every: int = 2
    causal: bool = True


@dataclass(frozen=True)
class SeedV1Config:
    """All sizes of the SEED v1 tokenizer; the defaults are the released model."""

    vision: VisionConfig = field(default_factory=VisionConfig)
    qformer: QFormerConfig = field(default_factory=QFormerConfig)
    code_dim: int = 32
    codebook_size: int = 8192
    text_blocks: int = 4
    text_heads: int = 12
    text_mlp_ratio: float = 4.0
    text_eps: float = 1e-6
    reverse_qformer: QFormerConfig = field(
        default_factory=lambda: QFormerConfig(layers=4, queries=77, encoder_width=768, causal=False)
    )
    generation_dim: int = 768

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2) + '\n'

    @staticmethod
    def from_json(text: str) -> 'SeedV1Config':
        raw = json.loads(text)
        return SeedV1Config(
            **{
                **raw,
                'vision': VisionConfig(**raw['vision']),
                'qformer': QFormerConfig(**raw['qformer']),
                'reverse_qformer': QFormerConfig(**raw['reverse_qformer']),
            }
        )

    @staticmethod
    def load(path: str | Path) -> 'SeedV1Config':
        try:
            return SeedV1Config.from_json(Path(path).read_text())
        except (OSError, ValueError, KeyError, TypeError) as error:
            raise ValueError(
                f'Cannot read the model config {path}: {error}. Pass a JSON file written by '
                'make_random_checkpoints.py, or leave --config out for the released SEED v1 sizes.'
            ) from error


def small_config(
    width: int = 64,
    vision_width: int = 64,
    layers: int = 2,
    heads: int = 4,
    tokens: int = 77,
    generation_dim: int = 768,
) -> SeedV1Config:
    """A narrow, shallow SEED v1 with the released names: same image size, codes and codebook; the generation
    embedding is SD v1's 77x768 unless `tokens`/`generation_dim` match another diffusion model."""
    return replace(
        SeedV1Config(),
        vision=replace(VisionConfig(), width=vision_width, depth=layers, heads=heads),
        qformer=replace(
            QFormerConfig(), width=width, layers=layers, heads=heads, ffn=2 * width, encoder_width=vision_width
        ),
        text_blocks=layers,
        text_heads=heads,
        reverse_qformer=replace(
            QFormerConfig(),
            width=width,
            layers=layers,
            heads=heads,
            ffn=2 * width,
            queries=tokens,
            encoder_width=width,
            causal=False,
        ),
        generation_dim=generation_dim,
    )


class LayerNorm(nn.LayerNorm):
    """LayerNorm computed in float32 whatever the input type: the released weights are fp16, and a
    variance in fp16 loses the small eps (1e-12 in the Q-Former) and overflows on large activations."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if x.dtype == torch.float32:
            return super().forward(x)
        weight = None if self.weight is None else self.weight.float()
        bias = None if self.bias is None else self.bias.float()
        return F.layer_norm(x.float(), self.normalized_shape, weight, bias, self.eps).to(x.dtype)


def multi_head_attention(
    q: torch.Tensor, k: torch.Tensor, v: torch.Tensor, heads: int, mask: torch.Tensor | None = None
) -> torch.Tensor:
    """Scaled dot-product attention over [batch, tokens, width] projections; `mask` is added to the scores."""
    batch, n, width = q.shape
    m = k.shape[1]
    head_dim = width // heads
    q = q.reshape(batch, n, heads, head_dim).transpose(1, 2)
    k = k.reshape(batch, m, heads, head_dim).transpose(1, 2)
    v = v.reshape(batch, m, heads, head_dim).transpose(1, 2)
    scores = torch.matmul(q, k.transpose(-1, -2)) * (head_dim**-0.5)
    if mask is not None:
        scores = scores + mask
    context = torch.matmul(scores.softmax(dim=-1), v)
    return context.transpose(1, 2).reshape(batch, n, width)


class Mlp(nn.Module):
    def __init__(self, width: int, hidden: int):
        super().__init__()
        self.fc1 = nn.Linear(width, hidden)
        self.fc2 = nn.Linear(hidden, width)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.fc2(F.gelu(self.fc1(x)))


class EvaAttention(nn.Module):
    """EVA's attention: one qkv matrix without bias, plus separate q and v biases (the k bias is zero)."""

    def __init__(self, width: int, heads: int):
        super().__init__()
        self.heads = heads
        self.qkv = nn.Linear(width, 3 * width, bias=False)
        self.q_bias = nn.Parameter(torch.zeros(width))
        self.v_bias = nn.Parameter(torch.zeros(width))
        self.proj = nn.Linear(width, width)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        bias = torch.cat([self.q_bias, torch.zeros_like(self.v_bias), self.v_bias])
        q, k, v = F.linear(x, self.qkv.weight, bias).chunk(3, dim=-1)
        return self.proj(multi_head_attention(q, k, v, self.heads))


class TimmAttention(nn.Module):
    """timm/BLIP ViT attention: one qkv linear with its own bias."""

    def __init__(self, width: int, heads: int):
        super().__init__()
        self.heads = heads
        self.qkv = nn.Linear(width, 3 * width)
        self.proj = nn.Linear(width, width)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        q, k, v = self.qkv(x).chunk(3, dim=-1)
        return self.proj(multi_head_attention(q, k, v, self.heads))


class PreNormBlock(nn.Module):
    """Pre-norm transformer block (`norm1`, `attn`, `norm2`, `mlp`), shared by EVA and the timm text blocks."""

    def __init__(self, width: int, heads: int, mlp_hidden: int, eps: float, attention: type[nn.Module]):
        super().__init__()
        self.norm1 = LayerNorm(width, eps=eps)
        self.attn = attention(width, heads)
        self.norm2 = LayerNorm(width, eps=eps)
        self.mlp = Mlp(width, mlp_hidden)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = x + self.attn(self.norm1(x))
        return x + self.mlp(self.norm2(x))


class PatchEmbed(nn.Module):
    def __init__(self, config: VisionConfig):
        super().__init__()
        self.proj = nn.Conv2d(3, config.width, kernel_size=config.patch_size, stride=config.patch_size)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.proj(x).flatten(2).transpose(1, 2)


class EvaVisionTransformer(nn.Module):
    """EVA ViT-g/14 without its final norm: BLIP-2 takes the last block's output and applies `ln_vision`."""

    def __init__(self, config: VisionConfig):
        super().__init__()
        self.patch_embed = PatchEmbed(config)
        self.cls_token = nn.Parameter(torch.zeros(1, 1, config.width))
        self.pos_embed = nn.Parameter(torch.zeros(1, config.num_patches + 1, config.width))
        self.blocks = nn.ModuleList(
            PreNormBlock(config.width, config.heads, config.mlp_hidden, config.eps, EvaAttention)
            for _ in range(config.depth)
        )

    def forward(self, pixels: torch.Tensor) -> torch.Tensor:
        x = self.patch_embed(pixels)
        x = torch.cat([self.cls_token.expand(x.shape[0], -1, -1).to(x.dtype), x], dim=1) + self.pos_embed
        for block in self.blocks:
            x = block(x)
        return x


class AttentionProjections(nn.Module):
    """BERT's `BertSelfAttention` parameters; keys and values may come from a wider encoder."""

    def __init__(self, width: int, kv_width: int):
        super().__init__()
        self.query = nn.Linear(width, width)
        self.key = nn.Linear(kv_width, width)
        self.value = nn.Linear(kv_width, width)


class ResidualOutput(nn.Module):
    """BERT's output sub-layer: `LayerNorm(dense(h) + residual)`."""

    def __init__(self, in_width: int, width: int, eps: float):
        super().__init__()
        self.dense = nn.Linear(in_width, width)
        self.LayerNorm = LayerNorm(width, eps=eps)

    def forward(self, hidden: torch.Tensor, residual: torch.Tensor) -> torch.Tensor:
        return self.LayerNorm(self.dense(hidden) + residual)


class BertAttention(nn.Module):
    def __init__(self, width: int, kv_width: int, heads: int, eps: float):
        super().__init__()
        self.heads = heads
        self.self = AttentionProjections(width, kv_width)
        self.output = ResidualOutput(width, width, eps)

    def forward(self, x: torch.Tensor, context: torch.Tensor, mask: torch.Tensor | None = None) -> torch.Tensor:
        attended = multi_head_attention(
            self.self.query(x), self.self.key(context), self.self.value(context), self.heads, mask
        )
        return self.output(attended, x)


class Intermediate(nn.Module):
    def __init__(self, width: int, ffn: int):
        super().__init__()
        self.dense = nn.Linear(width, ffn)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.gelu(self.dense(x))


class QFormerLayer(nn.Module):
    """One Q-Former layer as it runs on query tokens only: self-attention, cross-attention in every
    `cross_attention_every`-th layer, then the query FFN (`intermediate_query`/`output_query`). The text
    FFN (`intermediate`/`output`) of BLIP-2 never sees a query token, so it is not part of this module."""

    def __init__(self, config: QFormerConfig, index: int):
        super().__init__()
        self.attention = BertAttention(config.width, config.width, config.heads, config.eps)
        self.has_cross_attention = index % config.cross_attention_every == 0
        if self.has_cross_attention:
            self.crossattention = BertAttention(config.width, config.encoder_width, config.heads, config.eps)
        self.intermediate_query = Intermediate(config.width, config.ffn)
        self.output_query = ResidualOutput(config.ffn, config.width, config.eps)

    def forward(self, x: torch.Tensor, encoder_states: torch.Tensor, self_mask: torch.Tensor | None) -> torch.Tensor:
        x = self.attention(x, x, self_mask)
        if self.has_cross_attention:
            x = self.crossattention(x, encoder_states)
        return self.output_query(self.intermediate_query(x), x)


class QFormerEmbeddings(nn.Module):
    """Only the LayerNorm of BERT's embeddings acts on query tokens (no word or position embeddings)."""

    def __init__(self, config: QFormerConfig):
        super().__init__()
        self.LayerNorm = LayerNorm(config.width, eps=config.eps)


class QFormerEncoder(nn.Module):
    def __init__(self, config: QFormerConfig):
        super().__init__()
        self.layer = nn.ModuleList(QFormerLayer(config, i) for i in range(config.layers))


class QFormerBert(nn.Module):
    def __init__(self, config: QFormerConfig):
        super().__init__()
        self.embeddings = QFormerEmbeddings(config)
        self.encoder = QFormerEncoder(config)


class QFormer(nn.Module):
    """The `Qformer`/`Reverse_Qformer` of SEED: `bert.embeddings.LayerNorm`, then `bert.encoder.layer.N`.

    In the causal Q-Former query i attends to queries 0..i only (the mask is added to the self-attention
    scores; cross-attention is unmasked); the reverse Q-Former is bidirectional."""

    def __init__(self, config: QFormerConfig):
        super().__init__()
        self.config = config
        self.bert = QFormerBert(config)
        if config.causal:
            allowed = torch.ones(config.queries, config.queries, dtype=torch.bool).tril()
            mask = torch.zeros(config.queries, config.queries).masked_fill(~allowed, float('-inf'))
            self.register_buffer('causal_mask', mask, persistent=False)
        else:
            self.causal_mask = None

    def forward(self, queries: torch.Tensor, encoder_states: torch.Tensor) -> torch.Tensor:
        x = self.bert.embeddings.LayerNorm(queries)
        mask = None if self.causal_mask is None else self.causal_mask.to(x.dtype)
        for layer in self.bert.encoder.layer:
            x = layer(x, encoder_states, mask)
        return x


class Codebook(nn.Module):
    """The quantiser's codebook (`quantize.embedding.weight`); nearest code by plain squared L2 distance."""

    def __init__(self, size: int, dim: int):
        super().__init__()
        self.embedding = nn.Embedding(size, dim)

    def nearest(self, vectors: torch.Tensor) -> torch.Tensor:
        codebook = self.embedding.weight.float()
        flat = vectors.float().reshape(-1, codebook.shape[1])
        distances = (flat**2).sum(1, keepdim=True) + (codebook**2).sum(1) - 2 * flat @ codebook.t()
        return distances.argmin(dim=1).reshape(vectors.shape[:-1])


class SeedV1Tokenizer(nn.Module):
    """The whole SEED v1 tokenizer. Attribute names are the checkpoints' top-level prefixes."""

    def __init__(self, config: SeedV1Config = SeedV1Config()):
        super().__init__()
        self.config = config
        q = config.qformer
        self.visual_encoder = EvaVisionTransformer(config.vision)
        # BLIP-2 builds ln_vision with nn.LayerNorm's default eps.
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
        self.pos_embed_text = nn.Parameter(torch.zeros(1, q.queries, q.width))
        self.blocks_text = nn.ModuleList(
            PreNormBlock(
                q.width, config.text_heads, int(q.width * config.text_mlp_ratio), config.text_eps, TimmAttention
            )
            for _ in range(config.text_blocks)
        )
        r = config.reverse_qformer
        self.reverse_tokens = nn.Parameter(torch.zeros(1, r.queries, r.width))
        self.Reverse_Qformer = QFormer(r)
        self.distill_text_proj = nn.Linear(r.width, config.generation_dim)

    def encode(self, pixels: torch.Tensor) -> torch.Tensor:
        """Normalised pixels [N, 3, 224, 224] -> pre-quantisation vectors [N, 32, code_dim]."""
        features = self.ln_vision(self.visual_encoder(pixels))
        queries = self.query_tokens.expand(pixels.shape[0], -1, -1).to(features.dtype)
        return self.encode_task_layer(self.Qformer(queries, features))

    def decode(self, code_vectors: torch.Tensor) -> torch.Tensor:
        """Codebook vectors [N, 32, code_dim] -> generation embedding [N, 77, generation_dim]."""
        x = self.decode_task_layer(code_vectors) + self.pos_embed_text
        for block in self.blocks_text:
            x = block(x)
        queries = self.reverse_tokens.expand(code_vectors.shape[0], -1, -1).to(x.dtype)
        return self.distill_text_proj(self.Reverse_Qformer(queries, x))


class EncoderGraph(nn.Module):
    """What `tokenizer/encoder.onnx` computes: pixel_values -> prequant."""

    def __init__(self, tokenizer: SeedV1Tokenizer):
        super().__init__()
        self.tokenizer = tokenizer

    def forward(self, pixel_values: torch.Tensor) -> torch.Tensor:
        return self.tokenizer.encode(pixel_values)


class DecoderGraph(nn.Module):
    """What `tokenizer/decoder.onnx` computes: code_vectors -> generation_embedding."""

    def __init__(self, tokenizer: SeedV1Tokenizer):
        super().__init__()
        self.tokenizer = tokenizer

    def forward(self, code_vectors: torch.Tensor) -> torch.Tensor:
        return self.tokenizer.decode(code_vectors)
