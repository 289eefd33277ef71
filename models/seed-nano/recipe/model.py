"""seed-nano: the SEED v1 architecture at miniature scale.

Module and attribute names follow the released SEED checkpoints (encode_task_layer, quantize, decode_task_layer,
pos_embed_text, blocks_text, reverse_tokens, distill_text_proj, ln_vision) so the two are easy to compare.
Attention is written out with matmul + softmax instead of torch.nn.MultiheadAttention or
scaled_dot_product_attention: the same code then runs on PyTorch 1.13 and current releases, and exports to
plain ONNX operators that onnxruntime-node runs without contrib ops. Measured 2026-12-03 on 2 CPU cores: the
UNet exported with ONNX Runtime's fused com.microsoft.MultiHeadAttention made a batch-1 decode about 1.2x faster
(the encoder about 1.05x); kept plain, so that any ONNX runtime can run the bundled model.
"""

import math
from dataclasses import asdict, dataclass

import torch
import torch.nn.functional as F
from torch import nn


@dataclass
class SeedNanoConfig:
    image_size: int = 32
    patch_size: int = 4
    vit_width: int = 128
    vit_depth: int = 3
    vit_heads: int = 4
    qformer_width: int = 128
    qformer_layers: int = 2
    qformer_heads: int = 4
    num_queries: int = 32
    code_dim: int = 32
    codebook_size: int = 1024
    detok_blocks: int = 2
    reverse_layers: int = 2
    gen_tokens: int = 16
    gen_dim: int = 128
    latent_channels: int = 4
    latent_size: int = 8
    ae_channels: int = 32
    unet_channels: int = 48
    unet_heads: int = 4

    def to_dict(self):
        return asdict(self)


class Attention(nn.Module):
    """Multi-head attention; `context` switches it to cross-attention, `mask` is additive ([Lq, Lk])."""

    def __init__(self, dim, heads, context_dim=None, qkv_bias=True):
        super().__init__()
        self.heads = heads
        self.head_dim = dim // heads
        self.query = nn.Linear(dim, dim, bias=qkv_bias)
        self.key = nn.Linear(context_dim or dim, dim, bias=qkv_bias)
        self.value = nn.Linear(context_dim or dim, dim, bias=qkv_bias)
        self.proj = nn.Linear(dim, dim)

    def _split(self, x):
        b, n, _ = x.shape
        return x.reshape(b, n, self.heads, self.head_dim).transpose(1, 2)

    def forward(self, x, context=None, mask=None):
        context = x if context is None else context
        q, k, v = self._split(self.query(x)), self._split(self.key(context)), self._split(self.value(context))
        scores = torch.matmul(q, k.transpose(-1, -2)) * (1.0 / math.sqrt(self.head_dim))
        if mask is not None:
            scores = scores + mask
        out = torch.matmul(scores.softmax(dim=-1), v).transpose(1, 2)
        return self.proj(out.reshape(x.shape[0], x.shape[1], -1))


class Mlp(nn.Module):
    def __init__(self, dim, ratio=4.0):
        super().__init__()
        self.fc1 = nn.Linear(dim, int(dim * ratio))
        self.fc2 = nn.Linear(int(dim * ratio), dim)

    def forward(self, x):
        return self.fc2(F.gelu(self.fc1(x)))


class VitBlock(nn.Module):
    """Pre-norm ViT block (timm layout, LayerNorm eps 1e-6), as in EVA-CLIP and SEED's blocks_text."""

    def __init__(self, dim, heads):
        super().__init__()
        self.norm1 = nn.LayerNorm(dim, eps=1e-6)
        self.attn = Attention(dim, heads)
        self.norm2 = nn.LayerNorm(dim, eps=1e-6)
        self.mlp = Mlp(dim)

    def forward(self, x):
        x = x + self.attn(self.norm1(x))
        return x + self.mlp(self.norm2(x))


class VisionTransformer(nn.Module):
    """Patch embedding + cls token + absolute position embedding + pre-norm blocks, no final norm (EVA ViT-g)."""

    def __init__(self, cfg: SeedNanoConfig):
        super().__init__()
        grid = cfg.image_size // cfg.patch_size
        self.patch_embed = nn.Conv2d(3, cfg.vit_width, cfg.patch_size, stride=cfg.patch_size)
        self.cls_token = nn.Parameter(torch.zeros(1, 1, cfg.vit_width))
        self.pos_embed = nn.Parameter(torch.randn(1, grid * grid + 1, cfg.vit_width) * 0.02)
        self.blocks = nn.ModuleList([VitBlock(cfg.vit_width, cfg.vit_heads) for _ in range(cfg.vit_depth)])

    def forward(self, x):
        x = self.patch_embed(x).flatten(2).transpose(1, 2)
        x = torch.cat([self.cls_token.expand(x.shape[0], -1, -1), x], dim=1) + self.pos_embed
        for block in self.blocks:
            x = block(x)
        return x


class QFormerLayer(nn.Module):
    """BERT-style post-norm layer: (causal) self-attention among queries, optional cross-attention, FFN."""

    def __init__(self, dim, heads, context_dim, cross):
        super().__init__()
        self.attention = Attention(dim, heads)
        self.attention_norm = nn.LayerNorm(dim, eps=1e-12)
        self.crossattention = Attention(dim, heads, context_dim) if cross else None
        self.crossattention_norm = nn.LayerNorm(dim, eps=1e-12) if cross else None
        self.intermediate_query = nn.Linear(dim, dim * 4)
        self.output_query = nn.Linear(dim * 4, dim)
        self.output_norm = nn.LayerNorm(dim, eps=1e-12)

    def forward(self, x, context, mask):
        x = self.attention_norm(x + self.attention(x, mask=mask))
        if self.crossattention is not None:
            x = self.crossattention_norm(x + self.crossattention(x, context))
        return self.output_norm(x + self.output_query(F.gelu(self.intermediate_query(x))))


class QFormer(nn.Module):
    """Learned queries that read a context through cross-attention (every layer at this scale).

    causal=True gives SEED's causal Q-Former: query i attends to queries 0..i only, so code i depends only on
    the codes before it. The reverse Q-Former of the de-tokenizer is bidirectional.
    """

    def __init__(self, num_queries, dim, heads, layers, context_dim, causal):
        super().__init__()
        self.query_tokens = nn.Parameter(torch.randn(1, num_queries, dim) * 0.02)
        self.embeddings_norm = nn.LayerNorm(dim, eps=1e-12)
        self.layer = nn.ModuleList([QFormerLayer(dim, heads, context_dim, cross=True) for _ in range(layers)])
        mask = torch.full((num_queries, num_queries), float('-inf')).triu(1) if causal else None
        self.register_buffer('causal_mask', mask, persistent=False)

    def forward(self, context, queries=None):
        x = self.query_tokens.expand(context.shape[0], -1, -1) if queries is None else queries
        x = self.embeddings_norm(x)
        for layer in self.layer:
            x = layer(x, context, self.causal_mask)
        return x


class SeedEncoder(nn.Module):
    """image -> pre-quantisation vectors [B, 32, code_dim] (ViT, ln_vision, causal Q-Former, encode_task_layer)."""

    def __init__(self, cfg: SeedNanoConfig):
        super().__init__()
        self.visual_encoder = VisionTransformer(cfg)
        self.ln_vision = nn.LayerNorm(cfg.vit_width, eps=1e-6)
        self.qformer = QFormer(
            cfg.num_queries, cfg.qformer_width, cfg.qformer_heads, cfg.qformer_layers, cfg.vit_width, causal=True
        )
        self.encode_task_layer = nn.Sequential(
            nn.Linear(cfg.qformer_width, cfg.qformer_width), nn.Tanh(), nn.Linear(cfg.qformer_width, cfg.code_dim)
        )

    def forward(self, pixel_values):
        features = self.ln_vision(self.visual_encoder(pixel_values))
        return self.encode_task_layer(self.qformer(features))


class CosineQuantizer(nn.Module):
    """Nearest code by cosine similarity against an l2-normalised codebook (straight-through gradients)."""

    def __init__(self, cfg: SeedNanoConfig):
        super().__init__()
        self.embedding = nn.Embedding(cfg.codebook_size, cfg.code_dim)

    def normalized_codebook(self):
        return F.normalize(self.embedding.weight, dim=-1)

    def codes(self, features):
        return torch.matmul(F.normalize(features, dim=-1), self.normalized_codebook().t()).argmax(dim=-1)

    def lookup(self, codes):
        return F.embedding(codes, self.normalized_codebook())

    def forward(self, features, beta=0.25):
        z = F.normalize(features, dim=-1)
        codes = self.codes(features)
        e = self.lookup(codes)
        loss = F.mse_loss(e, z.detach()) + beta * F.mse_loss(z, e.detach())
        return z + (e - z).detach(), codes, loss


class SeedDetokenizer(nn.Module):
    """code vectors [B, 32, code_dim] -> generation embedding [B, gen_tokens, gen_dim]."""

    def __init__(self, cfg: SeedNanoConfig):
        super().__init__()
        w = cfg.qformer_width
        self.decode_task_layer = nn.Sequential(nn.Linear(cfg.code_dim, cfg.code_dim), nn.Tanh(), nn.Linear(cfg.code_dim, w))
        self.pos_embed_text = nn.Parameter(torch.randn(1, cfg.num_queries, w) * 0.02)
        self.blocks_text = nn.ModuleList([VitBlock(w, cfg.qformer_heads) for _ in range(cfg.detok_blocks)])
        self.reverse_qformer = QFormer(cfg.gen_tokens, w, cfg.qformer_heads, cfg.reverse_layers, w, causal=False)
        self.distill_text_proj = nn.Linear(w, cfg.gen_dim)

    def forward(self, code_vectors):
        x = self.decode_task_layer(code_vectors) + self.pos_embed_text
        for block in self.blocks_text:
            x = block(x)
        return self.distill_text_proj(self.reverse_qformer(x))


class ResBlock(nn.Module):
    def __init__(self, cin, cout, temb_dim=None):
        super().__init__()
        self.norm1 = nn.GroupNorm(8, cin)
        self.conv1 = nn.Conv2d(cin, cout, 3, padding=1)
        self.temb = nn.Linear(temb_dim, cout) if temb_dim else None
        self.norm2 = nn.GroupNorm(8, cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, padding=1)
        self.skip = nn.Conv2d(cin, cout, 1) if cin != cout else nn.Identity()

    def forward(self, x, temb=None):
        h = self.conv1(F.silu(self.norm1(x)))
        if self.temb is not None:
            h = h + self.temb(F.silu(temb))[:, :, None, None]
        return self.skip(x) + self.conv2(F.silu(self.norm2(h)))


class Autoencoder(nn.Module):
    """Small convolutional autoencoder 3x32x32 <-> latent_channels x 8x8 (plain reconstruction loss)."""

    def __init__(self, cfg: SeedNanoConfig):
        super().__init__()
        c = cfg.ae_channels
        self.encoder = nn.Sequential(
            nn.Conv2d(3, c, 3, padding=1), ResBlock(c, c),
            nn.Conv2d(c, 2 * c, 3, stride=2, padding=1), ResBlock(2 * c, 2 * c),
            nn.Conv2d(2 * c, 2 * c, 3, stride=2, padding=1), ResBlock(2 * c, 2 * c),
            nn.GroupNorm(8, 2 * c), nn.SiLU(), nn.Conv2d(2 * c, cfg.latent_channels, 3, padding=1),
        )
        self.decoder = AutoencoderDecoder(cfg)

    def encode(self, x):
        return self.encoder(x)


class AutoencoderDecoder(nn.Module):
    """latent_sample -> sample in [-1, 1] (the diffusers vae_decoder contract; latent is already divided by vaeScale)."""

    def __init__(self, cfg: SeedNanoConfig):
        super().__init__()
        c = cfg.ae_channels
        self.net = nn.Sequential(
            nn.Conv2d(cfg.latent_channels, 2 * c, 3, padding=1), ResBlock(2 * c, 2 * c),
            nn.Upsample(scale_factor=2, mode='nearest'), nn.Conv2d(2 * c, 2 * c, 3, padding=1), ResBlock(2 * c, 2 * c),
            nn.Upsample(scale_factor=2, mode='nearest'), nn.Conv2d(2 * c, c, 3, padding=1), ResBlock(c, c),
            nn.GroupNorm(8, c), nn.SiLU(), nn.Conv2d(c, 3, 3, padding=1),
        )

    def forward(self, latent_sample):
        return self.net(latent_sample)


class TransformerBlock2d(nn.Module):
    """Stable Diffusion's spatial transformer: self-attention, cross-attention to the context, feed-forward."""

    def __init__(self, channels, heads, context_dim):
        super().__init__()
        self.norm = nn.GroupNorm(8, channels)
        self.proj_in = nn.Linear(channels, channels)
        self.norm1 = nn.LayerNorm(channels)
        self.attn1 = Attention(channels, heads, qkv_bias=False)
        self.norm2 = nn.LayerNorm(channels)
        self.attn2 = Attention(channels, heads, context_dim, qkv_bias=False)
        self.norm3 = nn.LayerNorm(channels)
        self.ff = Mlp(channels)
        self.proj_out = nn.Linear(channels, channels)

    def forward(self, x, context):
        b, c, h, w = x.shape
        t = self.proj_in(self.norm(x).flatten(2).transpose(1, 2))
        t = t + self.attn1(self.norm1(t))
        t = t + self.attn2(self.norm2(t), context)
        t = t + self.ff(self.norm3(t))
        return x + self.proj_out(t).transpose(1, 2).reshape(b, c, h, w)


def timestep_embedding(t, dim):
    half = dim // 2
    freqs = torch.exp(-math.log(10000.0) * torch.arange(half, dtype=torch.float32, device=t.device) / half)
    args = t.to(torch.float32)[:, None] * freqs[None]
    return torch.cat([torch.cos(args), torch.sin(args)], dim=-1)


class UNet(nn.Module):
    """UNet on the 8x8 latent with cross-attention to the generation embedding at 8x8 and 4x4.

    forward(sample, timestep, encoder_hidden_states) -> out_sample (a v prediction), the diffusers ONNX names.
    """

    def __init__(self, cfg: SeedNanoConfig):
        super().__init__()
        c, ctx, heads = cfg.unet_channels, cfg.gen_dim, cfg.unet_heads
        self.channels = c
        self.time_embed = nn.Sequential(nn.Linear(c, 4 * c), nn.SiLU(), nn.Linear(4 * c, 4 * c))
        self.conv_in = nn.Conv2d(cfg.latent_channels, c, 3, padding=1)
        self.down1 = ResBlock(c, c, 4 * c)
        self.attn_down1 = TransformerBlock2d(c, heads, ctx)
        self.downsample = nn.Conv2d(c, c, 3, stride=2, padding=1)
        self.down2 = ResBlock(c, 2 * c, 4 * c)
        self.attn_down2 = TransformerBlock2d(2 * c, heads, ctx)
        self.mid1 = ResBlock(2 * c, 2 * c, 4 * c)
        self.attn_mid = TransformerBlock2d(2 * c, heads, ctx)
        self.mid2 = ResBlock(2 * c, 2 * c, 4 * c)
        self.up2 = ResBlock(4 * c, 2 * c, 4 * c)
        self.attn_up2 = TransformerBlock2d(2 * c, heads, ctx)
        self.upsample = nn.Sequential(nn.Upsample(scale_factor=2, mode='nearest'), nn.Conv2d(2 * c, 2 * c, 3, padding=1))
        self.up1 = ResBlock(3 * c, c, 4 * c)
        self.attn_up1 = TransformerBlock2d(c, heads, ctx)
        self.norm_out = nn.GroupNorm(8, c)
        self.conv_out = nn.Conv2d(c, cfg.latent_channels, 3, padding=1)

    def forward(self, sample, timestep, encoder_hidden_states):
        temb = self.time_embed(timestep_embedding(timestep, self.channels))
        h0 = self.conv_in(sample)
        h1 = self.attn_down1(self.down1(h0, temb), encoder_hidden_states)
        h2 = self.attn_down2(self.down2(self.downsample(h1), temb), encoder_hidden_states)
        m = self.mid2(self.attn_mid(self.mid1(h2, temb), encoder_hidden_states), temb)
        u2 = self.attn_up2(self.up2(torch.cat([m, h2], dim=1), temb), encoder_hidden_states)
        u1 = self.attn_up1(self.up1(torch.cat([self.upsample(u2), h1], dim=1), temb), encoder_hidden_states)
        return self.conv_out(F.silu(self.norm_out(u1)))


class SeedNano(nn.Module):
    """Everything trained in the SEED stage, plus the frozen autoencoder decoder used at inference."""

    def __init__(self, cfg: SeedNanoConfig):
        super().__init__()
        self.cfg = cfg
        self.encoder = SeedEncoder(cfg)
        self.quantize = CosineQuantizer(cfg)
        self.detokenizer = SeedDetokenizer(cfg)
        # Auxiliary target (training only): each generation token predicts a patch of the diffusion latent, so
        # image content has to flow through the 32 codes instead of being left for the UNet to invent.
        patch = cfg.latent_size * cfg.latent_size // cfg.gen_tokens
        self.latent_head = nn.Linear(cfg.gen_dim, patch * cfg.latent_channels)
        self.null_embedding = nn.Parameter(torch.randn(1, cfg.gen_tokens, cfg.gen_dim) * 0.02)
        self.unet = UNet(cfg)
        self.vae_decoder = AutoencoderDecoder(cfg)

    def predict_latent(self, embedding):
        cfg = self.cfg
        side = int(math.isqrt(cfg.gen_tokens))
        p = cfg.latent_size // side
        x = self.latent_head(embedding).reshape(-1, side, side, cfg.latent_channels, p, p)
        return x.permute(0, 3, 1, 4, 2, 5).reshape(-1, cfg.latent_channels, cfg.latent_size, cfg.latent_size)

    def embed_codes(self, codes):
        return self.detokenizer(self.quantize.lookup(codes))

    def encode_codes(self, pixel_values):
        return self.quantize.codes(self.encoder(pixel_values))


def count_parameters(module):
    return sum(p.numel() for p in module.parameters())
