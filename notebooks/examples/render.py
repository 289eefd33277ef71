"""Renders the example images of welcome.ipynb: held-out emoji of seed-nano (never trained on), as 128x128
PNGs with a transparent background, from Debian's fonts-noto-color-emoji (SIL Open Font License).

    /usr/bin/python3 notebooks/examples/render.py
"""

import os

from PIL import Image, ImageDraw, ImageFont

FONT_PATH = '/usr/share/fonts/truetype/noto/NotoColorEmoji.ttf'
EXAMPLES = {
    'green-apple': '\U0001F34F',
    'basketball': '\U0001F3C0',
    'blue-heart': '\U0001F499',
    'crab': '\U0001F980',
    'cow-face': '\U0001F42E',
    'rainbow-flag': '\U0001F3F3\uFE0F\u200D\U0001F308',
}
SIZE = 128


def main():
    font = ImageFont.truetype(FONT_PATH, 109)  # a CBDT bitmap font renders at this size only
    here = os.path.dirname(os.path.abspath(__file__))
    for name, sequence in EXAMPLES.items():
        left, top, right, bottom = font.getbbox(sequence)
        glyph = Image.new('RGBA', (right - left, bottom - top), (0, 0, 0, 0))
        ImageDraw.Draw(glyph).text((-left, -top), sequence, font=font, embedded_color=True)
        side = max(glyph.size)
        canvas = Image.new('RGBA', (side, side), (0, 0, 0, 0))
        canvas.alpha_composite(glyph, ((side - glyph.width) // 2, (side - glyph.height) // 2))
        canvas.resize((SIZE, SIZE), Image.BICUBIC).save(os.path.join(here, f'{name}.png'), optimize=True)


if __name__ == '__main__':
    main()
