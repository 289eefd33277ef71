"""Presentation of transparent sources at training and evaluation time, batched in torch.

A presentation places an RGBA source (dataset.SOURCE_SIZE square) on a background: a plain colour, a linear
gradient of two colours, or a texture (smooth colour noise or stripes); at a scale from a third of the frame
to all of it, anywhere it fits, rotated by up to MAX_ROTATION degrees, mirrored left-right half the time. A
mirrored emoji or icon is still a picture of the same kind (only its handedness changes); upside-down ones are
not what users show, so there are no vertical flips. The image is drawn at 3x the output size and averaged
down 3x3, which antialiases edges and textures. The reconstruction target is the presented image itself.

A plain presentation is the source full-frame on white: what the first seed-nano was trained on.
"""

import math

import torch
import torch.nn.functional as F

OVERSAMPLE = 3
MIN_SCALE = 1 / 3
MAX_ROTATION = 15.0  # degrees
BACKGROUNDS = ('plain', 'gradient', 'noise', 'stripes')


def _uniform(n, low, high, gen):
    return low + (high - low) * torch.rand(n, generator=gen)


def _colours(n, gen):
    return torch.rand(n, 3, 1, 1, generator=gen)


def backgrounds(n, size, gen):
    """[n, 3, size, size] in [0, 1]: each a plain colour, gradient, smooth noise or stripes."""
    kind = torch.randint(len(BACKGROUNDS), (n,), generator=gen)
    c0, c1 = _colours(n, gen), _colours(n, gen)
    coords = torch.linspace(-1, 1, size)
    yy, xx = torch.meshgrid(coords, coords, indexing='ij')
    angle = _uniform(n, 0, 2 * math.pi, gen)[:, None, None]
    along = xx * torch.cos(angle) + yy * torch.sin(angle)  # [n, size, size]
    gradient = ((along + 1.4) / 2.8)[:, None]
    frequency = _uniform(n, 3, 12, gen)[:, None, None]
    phase = _uniform(n, 0, 2 * math.pi, gen)[:, None, None]
    stripes = (torch.sin(frequency * along + phase) > 0).float()[:, None]
    cells = int(torch.randint(2, 9, (1,), generator=gen))
    noise = F.interpolate(torch.rand(n, 3, cells, cells, generator=gen), size=(size, size), mode='bicubic',
                          align_corners=False).clamp(0, 1)
    out = c0.expand(n, 3, size, size).clone()
    pick = kind[:, None, None, None]
    out = torch.where(pick == 1, c0 * (1 - gradient) + c1 * gradient, out)
    out = torch.where(pick == 2, noise, out)
    out = torch.where(pick == 3, c0 * (1 - stripes) + c1 * stripes, out)
    return out


def present(sources, gen, image_size=32, plain_fraction=0.0):
    """uint8 RGBA [B, S, S, 4] (numpy or torch) -> float RGB [B, 3, image_size, image_size] in [-1, 1].

    A fraction plain_fraction of the batch (the first ones) is presented plainly; the rest at random."""
    src = torch.as_tensor(sources).permute(0, 3, 1, 2).float().div(255)
    n = src.shape[0]
    rgb, alpha = src[:, :3], src[:, 3:]
    premultiplied = torch.cat([rgb * alpha, alpha], dim=1)
    plain = torch.arange(n) < round(plain_fraction * n)
    scale = torch.where(plain, torch.ones(n), torch.exp(_uniform(n, math.log(MIN_SCALE), 0.0, gen)))
    rotation = torch.where(plain, torch.zeros(n), _uniform(n, -MAX_ROTATION, MAX_ROTATION, gen) * math.pi / 180)
    mirror = torch.where(plain | (torch.rand(n, generator=gen) < 0.5), torch.ones(n), -torch.ones(n))
    # Centre offsets that keep the (unrotated) subject inside the frame, in [-1, 1] frame coordinates.
    room = 1 - scale
    shift = torch.stack([_uniform(n, -1, 1, gen), _uniform(n, -1, 1, gen)], dim=1) * room[:, None]
    # affine_grid maps output coordinates to source coordinates: source = R(-rotation) (output - shift) / scale.
    cos, sin = torch.cos(rotation), torch.sin(rotation)
    matrix = torch.stack([torch.stack([cos, sin], 1), torch.stack([-sin, cos], 1)], 1) / scale[:, None, None]
    matrix[:, 0] *= mirror[:, None]
    offset = -(matrix @ shift[:, :, None])
    theta = torch.cat([matrix, offset], dim=2)
    big = image_size * OVERSAMPLE
    grid = F.affine_grid(theta, (n, 4, big, big), align_corners=False)
    placed = F.grid_sample(premultiplied, grid, mode='bilinear', padding_mode='zeros', align_corners=False)
    background = backgrounds(n, big, gen)
    background[plain] = 1.0
    image = placed[:, :3] + (1 - placed[:, 3:]) * background
    return F.avg_pool2d(image, OVERSAMPLE).clamp(0, 1) * 2 - 1


def plain(sources, image_size=32):
    """Every source full-frame on white, [-1, 1] (no randomness)."""
    return present(sources, torch.Generator().manual_seed(0), image_size, plain_fraction=1.0)
