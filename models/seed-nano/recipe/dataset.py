"""The seed-nano dataset: emoji and desktop icons as transparent sources, photographs as an out-of-domain set.

Everything is rendered offline from Debian packages:

- Emoji: fonts-noto-color-emoji (the CBDT bitmap font; PIL renders its 136x128 bitmaps at size 109 with
  embedded_color=True and the raqm layout engine, which joins ZWJ sequences, flags and skin tones into one glyph)
  and unicode-data (emoji-test.txt lists the sequences with their Unicode CLDR names, used as captions). Sequences
  the font has no single glyph for and exact duplicates (of the 32x32 picture on white) are dropped; the emoji
  list, its order and the held-out split are those of the first seed-nano, so set (a) stays comparable.
- Icons: the PNG icons of the oxygen and Adwaita themes (oxygen-icon-theme, adwaita-icon-theme), the largest
  size of each icon, symbolic (monochrome) icons left out, links and near-identical icons (same 8x8 colour
  thumbnail on white, 6 levels per channel) removed; captions from the file name and the theme's context.
- Photographs (held out only, never trained on): square crops of the nature photographs among the desktop
  wallpapers of mate-backgrounds.

Emoji and icons are kept as RGBA at SOURCE_SIZE, padded to a square and centred, so that augment.py can place
them at any scale and position on any background at training time. The split is a fixed-seed random subset of
each kind.
"""

import glob
import hashlib
import os
import unicodedata

import numpy as np
from PIL import Image, ImageDraw, ImageFont

FONT_PATH = '/usr/share/fonts/truetype/noto/NotoColorEmoji.ttf'
EMOJI_TEST_PATH = '/usr/share/unicode/emoji/emoji-test.txt'
FONT_SIZE = 109  # the only size a CBDT bitmap font renders at
SINGLE_GLYPH_MAX_WIDTH = 160  # one glyph is 136 px wide; two are over 250
ICON_THEMES = {'oxygen': 'oxygen-icon-theme', 'Adwaita': 'adwaita-icon-theme'}
ICON_ROOT = '/usr/share/icons'
ICON_MIN_SIZE = 48  # smaller icons are drawn for 16-32 px screens and lose their shape when scaled up
WALLPAPER_GLOB = '/usr/share/backgrounds/mate/nature/*.jpg'  # photographs (the other MATE folders are drawings)
WALLPAPER_PACKAGE = 'mate-backgrounds'
# Sources are stored at 3x the 32x32 model input: a full-frame subject is then an exact 3x3 average (augment.py).
SOURCE_SIZE = 96
KINDS = ('emoji', 'icon')


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


def square_rgba(image, size=SOURCE_SIZE):
    """An RGBA image padded to a centred transparent square and resized to size x size.

    Resized in premultiplied form (RGBa) so that transparent pixels do not bleed their hidden colour into edges."""
    image = image.convert('RGBA')
    side = max(image.size)
    canvas = Image.new('RGBA', (side, side), (0, 0, 0, 0))
    canvas.paste(image, ((side - image.width) // 2, (side - image.height) // 2))
    return np.asarray(canvas.convert('RGBa').resize((size, size), Image.LANCZOS).convert('RGBA'), dtype=np.uint8)


def on_white(rgba):
    """uint8 RGBA [..., 4] -> uint8 RGB composited on white."""
    alpha = rgba[..., 3:].astype(np.float32) / 255
    return np.round(rgba[..., :3] * alpha + 255 * (1 - alpha)).astype(np.uint8)


def render_glyph(font, sequence):
    """One emoji as a PIL RGBA image of its glyph, or None when it is not a single glyph."""
    left, top, right, bottom = font.getbbox(sequence)
    width, height = right - left, bottom - top
    if width <= 0 or height <= 0 or width > SINGLE_GLYPH_MAX_WIDTH:
        return None
    glyph = Image.new('RGBA', (width, height), (255, 255, 255, 0))
    ImageDraw.Draw(glyph).text((-left, -top), sequence, font=font, embedded_color=True)
    return glyph


def render(font, sequence, image_size):
    """One emoji as uint8 RGB [image_size, image_size, 3] on white, or None when it is not a single glyph."""
    glyph = render_glyph(font, sequence)
    if glyph is None:
        return None
    side = max(glyph.size)
    canvas = Image.new('RGBA', (side, side), (255, 255, 255, 255))
    canvas.alpha_composite(glyph, ((side - glyph.width) // 2, (side - glyph.height) // 2))
    return np.asarray(canvas.convert('RGB').resize((image_size, image_size), Image.BICUBIC), dtype=np.uint8)


def emoji_sources(limit=None):
    """(rgba [N, S, S, 4], captions, names) of every single-glyph emoji, in emoji-test.txt order."""
    try:
        font = ImageFont.truetype(FONT_PATH, FONT_SIZE, layout_engine=ImageFont.Layout.RAQM)
    except OSError as err:
        raise OSError(f'cannot open {FONT_PATH}: install the Debian package fonts-noto-color-emoji') from err
    sources, captions, names, seen = [], [], [], set()
    for sequence, caption in read_emoji_list():
        glyph = render_glyph(font, sequence)
        if glyph is None:
            continue
        # The first seed-nano deduplicated on the 32x32 picture on white; the same key keeps its emoji list.
        digest = hashlib.sha1(render(font, sequence, 32).tobytes()).hexdigest()
        if digest in seen:
            continue
        seen.add(digest)
        sources.append(square_rgba(glyph))
        captions.append(caption)
        names.append(unicode_name(sequence))
        if limit and len(sources) >= limit:
            break
    return np.stack(sources), captions, names


def icon_files():
    """{(theme, context, name): path of the largest PNG of at least ICON_MIN_SIZE} over ICON_THEMES."""
    best = {}
    for theme, package in ICON_THEMES.items():
        paths = glob.glob(os.path.join(ICON_ROOT, theme, '**', '*.png'), recursive=True)
        if not paths:
            raise FileNotFoundError(f'no PNG icons under {ICON_ROOT}/{theme}: install the Debian package {package}')
        for path in sorted(paths):
            parts = os.path.relpath(path, os.path.join(ICON_ROOT, theme)).split(os.sep)
            size_dir = next((p for p in parts if 'x' in p and p.split('x')[0].isdigit()), None)
            name = os.path.splitext(parts[-1])[0]
            if size_dir is None or 'symbolic' in name or int(size_dir.split('x')[0]) < ICON_MIN_SIZE:
                continue
            size = int(size_dir.split('x')[0])
            key = (theme, parts[-2], name)
            if key not in best or size > best[key][0]:
                best[key] = (size, path)
    return {key: path for key, (_, path) in sorted(best.items())}


def thumbnail_key(rgba):
    """Near-duplicate key: the 8x8 thumbnail on white, 6 levels per channel."""
    small = Image.fromarray(on_white(rgba)).resize((8, 8), Image.BOX)
    return (np.asarray(small) // 43).tobytes()


def icon_sources(limit=None):
    """(rgba [N, S, S, 4], captions) of the distinct icons of ICON_THEMES."""
    sources, captions, seen_files, seen_keys = [], [], set(), set()
    for (theme, context, name), path in icon_files().items():
        real = os.path.realpath(path)
        if real in seen_files:
            continue
        seen_files.add(real)
        with Image.open(real) as image:
            image = image.convert('RGBA')
            # Themes pad icons inside their frame by different amounts; the subject's own box is what augment.py scales.
            box = image.getchannel('A').getbbox()
            if box is None:
                continue
            rgba = square_rgba(image.crop(box))
        key = thumbnail_key(rgba)
        if key in seen_keys:
            continue
        seen_keys.add(key)
        sources.append(rgba)
        captions.append(f'{name.replace("-", " ").replace("_", " ")} ({context} icon, {theme})')
        if limit and len(sources) >= limit:
            break
    return np.stack(sources), captions


def photo_crops(count, seed, size=SOURCE_SIZE):
    """count square crops (a third to all of the short side, at random places) of the wallpapers, RGB uint8."""
    paths = sorted(glob.glob(WALLPAPER_GLOB))
    if not paths:
        raise FileNotFoundError(
            f'no photographs match {WALLPAPER_GLOB}: install the Debian package {WALLPAPER_PACKAGE}'
        )
    photos = []
    for path in paths:
        with Image.open(path) as image:
            photos.append(image.convert('RGB'))
    rng = np.random.default_rng(seed)
    crops, captions = [], []
    for i in range(count):
        image = photos[i % len(photos)]
        side = int(min(image.size) * rng.uniform(1 / 3, 1))
        left = int(rng.integers(0, image.width - side + 1))
        top = int(rng.integers(0, image.height - side + 1))
        crop = image.crop((left, top, left + side, top + side)).resize((size, size), Image.LANCZOS)
        crops.append(np.asarray(crop, dtype=np.uint8))
        captions.append(os.path.basename(paths[i % len(paths)]))
    return np.stack(crops), captions


def split(count, test_count, seed):
    rng = np.random.default_rng(seed)
    is_test = np.zeros(count, dtype=bool)
    is_test[rng.permutation(count)[: min(test_count, count // 5)]] = True
    return is_test


def build_dataset(test_count=200, seed=0, limit=None, photo_count=200):
    """Returns dict(sources uint8 [N,S,S,4] RGBA, kinds, captions, names, is_test bool [N], photos uint8 [P,S,S,3])."""
    emoji, emoji_captions, emoji_names = emoji_sources(limit)
    icons, icon_captions = icon_sources(limit)
    photos, photo_captions = photo_crops(photo_count, seed)
    return {
        'sources': np.concatenate([emoji, icons]),
        'kinds': ['emoji'] * len(emoji) + ['icon'] * len(icons),
        'captions': emoji_captions + icon_captions,
        'names': emoji_names + [c.split(' (')[0] for c in icon_captions],
        'is_test': np.concatenate([split(len(emoji), test_count, seed), split(len(icons), test_count, seed + 1)]),
        'photos': photos,
        'photo_captions': photo_captions,
    }


def save_dataset(data, path):
    np.savez_compressed(
        path, sources=data['sources'], kinds=np.array(data['kinds']), captions=np.array(data['captions']),
        names=np.array(data['names']), is_test=data['is_test'], photos=data['photos'],
        photo_captions=np.array(data['photo_captions']),
    )


def load_dataset(path):
    with np.load(path) as f:
        return {
            'sources': f['sources'], 'kinds': list(f['kinds']), 'captions': list(f['captions']),
            'names': list(f['names']), 'is_test': f['is_test'], 'photos': f['photos'],
            'photo_captions': list(f['photo_captions']),
        }


def to_tensor_range(images):
    """uint8 [N,H,W,3] -> float [N,3,H,W] in [-1, 1] (mean 0.5, std 0.5: the manifest's normalisation)."""
    import torch

    return torch.from_numpy(images).permute(0, 3, 1, 2).float().div(127.5).sub(1.0)
