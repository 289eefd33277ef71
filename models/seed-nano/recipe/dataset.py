"""The seed-nano dataset: every fully-qualified emoji of Noto Color Emoji, rendered offline from Debian packages.

Sources: fonts-noto-color-emoji (the CBDT bitmap font; PIL renders its 136x128 bitmaps at size 109 with
embedded_color=True and the raqm layout engine, which joins ZWJ sequences, flags and skin tones into one glyph)
and unicode-data (emoji-test.txt lists the sequences with their Unicode CLDR names, used as captions; single
code points get unicodedata.name as a second caption). Each glyph is composited on white, padded to a square
and downscaled with a bicubic filter to image_size. Sequences the font has no single glyph for (they render
as several glyphs side by side) and exact duplicate images are dropped. The test split is a fixed-seed random
subset.
"""

import hashlib
import unicodedata

import numpy as np
from PIL import Image, ImageDraw, ImageFont

FONT_PATH = '/usr/share/fonts/truetype/noto/NotoColorEmoji.ttf'
EMOJI_TEST_PATH = '/usr/share/unicode/emoji/emoji-test.txt'
FONT_SIZE = 109  # the only size a CBDT bitmap font renders at
SINGLE_GLYPH_MAX_WIDTH = 160  # one glyph is 136 px wide; two are over 250


def read_emoji_list(path=EMOJI_TEST_PATH):
    """(sequence, caption) for every fully-qualified emoji in Unicode's emoji-test.txt."""
    try:
        lines = open(path, encoding='utf-8').read().splitlines()
    except FileNotFoundError as err:
        raise FileNotFoundError(f'{path} is missing: install the Debian package unicode-data') from err
    entries = []
    for line in lines:
        if line.startswith('#') or ';' not in line:
            continue
        points, rest = line.split(';', 1)
        if rest.split('#', 1)[0].strip() != 'fully-qualified':
            continue
        # comment is "<emoji> E<version> <name>"
        name = rest.split('#', 1)[1].strip().split(' ', 2)[2]
        sequence = ''.join(chr(int(p, 16)) for p in points.split())
        entries.append((sequence, name))
    return entries


def unicode_name(sequence):
    """unicodedata.name of the code points that are not joiners or variation selectors."""
    return ', '.join(unicodedata.name(c, '') for c in sequence if c not in '\u200d\ufe0f').strip(', ')


def render(font, sequence, image_size):
    """One emoji as uint8 RGB [image_size, image_size, 3] on white, or None when it is not a single glyph."""
    left, top, right, bottom = font.getbbox(sequence)
    width, height = right - left, bottom - top
    if width <= 0 or height <= 0 or width > SINGLE_GLYPH_MAX_WIDTH:
        return None
    glyph = Image.new('RGBA', (width, height), (255, 255, 255, 0))
    ImageDraw.Draw(glyph).text((-left, -top), sequence, font=font, embedded_color=True)
    side = max(width, height)
    canvas = Image.new('RGBA', (side, side), (255, 255, 255, 255))
    canvas.alpha_composite(glyph, ((side - width) // 2, (side - height) // 2))
    small = canvas.convert('RGB').resize((image_size, image_size), Image.BICUBIC)
    return np.asarray(small, dtype=np.uint8)


def build_dataset(image_size=32, test_count=200, seed=0, limit=None):
    """Returns dict(images uint8 [N,H,W,3], captions, names, is_test bool [N])."""
    try:
        font = ImageFont.truetype(FONT_PATH, FONT_SIZE, layout_engine=ImageFont.Layout.RAQM)
    except OSError as err:
        raise OSError(f'cannot open {FONT_PATH}: install the Debian package fonts-noto-color-emoji') from err
    images, captions, names, seen = [], [], [], set()
    for sequence, caption in read_emoji_list():
        image = render(font, sequence, image_size)
        if image is None:
            continue
        digest = hashlib.sha1(image.tobytes()).hexdigest()
        if digest in seen:
            continue
        seen.add(digest)
        images.append(image)
        captions.append(caption)
        names.append(unicode_name(sequence))
        if limit and len(images) >= limit:
            break
    rng = np.random.default_rng(seed)
    is_test = np.zeros(len(images), dtype=bool)
    is_test[rng.permutation(len(images))[: min(test_count, len(images) // 5)]] = True
    return {'images': np.stack(images), 'captions': captions, 'names': names, 'is_test': is_test}


def save_dataset(data, path):
    np.savez_compressed(
        path, images=data['images'], captions=np.array(data['captions']), names=np.array(data['names']),
        is_test=data['is_test'],
    )


def load_dataset(path):
    with np.load(path) as f:
        return {
            'images': f['images'], 'captions': list(f['captions']), 'names': list(f['names']), 'is_test': f['is_test'],
        }


def to_tensor_range(images):
    """uint8 [N,H,W,3] -> float [N,3,H,W] in [-1, 1] (mean 0.5, std 0.5: the manifest's normalisation)."""
    import torch

    return torch.from_numpy(images).permute(0, 3, 1, 2).float().div(127.5).sub(1.0)
