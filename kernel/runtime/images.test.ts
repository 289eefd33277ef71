import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import sharp from 'sharp';
import { SeedInputError } from './errors';
import { FIXTURES_DIR, readFixtureJson } from './fixtures/paths';
import { fromSignedChw, loadImage, normalizeImage, prepareImage, toPng } from './images';
import type { ImageSettings } from './manifest';

/** Written by fixtures/make_image_reference.py with Pillow, which SEED's own preprocessing uses. */
const reference = readFixtureJson<{ cases: { kind: string; file: string; size: [number, number]; rgb: number[] }[] }>(
  'image-reference.json'
);

function settings(size: [number, number]): ImageSettings {
  return {
    size,
    resample: 'bicubic',
    mean: [0.48145466, 0.4578275, 0.40821073],
    std: [0.26862954, 0.26130258, 0.27577711],
    background: [255, 255, 255]
  };
}

function maxDifference(a: Uint8Array, b: number[]): number {
  assert.equal(a.length, b.length);
  let max = 0;
  a.forEach((v, i) => (max = Math.max(max, Math.abs(v - b[i]))));
  return max;
}

// Resizing, orientation and grey -> RGB match Pillow exactly (resize.ts reproduces its fixed-point
// bicubic). Flattening is libvips', which rounds the blend differently from the reference's
// round(rgb * a + 255 * (1 - a)), so it may differ by one level.
const TOLERANCE: Record<string, number> = { resize: 0, orientation: 0, grey: 0, alpha: 1 };

for (const ref of reference.cases) {
  test(`preprocessing matches Pillow: ${ref.kind} (${ref.file})`, async () => {
    const image = await loadImage(path.join(FIXTURES_DIR, ref.file), settings(ref.size));
    assert.deepEqual([image.width, image.height], ref.size);
    assert.ok(maxDifference(image.data, ref.rgb) <= TOLERANCE[ref.kind], `max difference over ${TOLERANCE[ref.kind]}`);
  });
}

test('a path, a file:// URL (string or URL) and the bytes give the same pixels', async () => {
  const file = path.join(FIXTURES_DIR, reference.cases[0].file);
  const s = settings([24, 24]);
  const fromPath = await loadImage(file, s);
  for (const input of [
    pathToFileURL(file),
    pathToFileURL(file).href,
    fs.readFileSync(file),
    new Uint8Array(fs.readFileSync(file))
  ]) {
    assert.ok((await loadImage(input, s)).data.equals(fromPath.data));
  }
});

test('unreadable images are SeedInputErrors that name the input', async () => {
  const s = settings([8, 8]);
  await assert.rejects(loadImage('/no/such/image.png', s), (e: Error) => {
    assert.ok(e instanceof SeedInputError);
    assert.match(e.message, /\/no\/such\/image\.png: no such file/);
    return true;
  });
  await assert.rejects(loadImage(Buffer.from('not an image at all'), s), (e: Error) => {
    assert.ok(e instanceof SeedInputError);
    assert.match(e.message, /Cannot read the image a buffer of 19 bytes: .*unsupported image format/);
    return true;
  });
  await assert.rejects(loadImage('https://example.com/cat.png', s), /only local files are read/);
});

test('the pixel limit refuses images larger than allowed, saying what to do', async () => {
  const file = path.join(FIXTURES_DIR, 'image-reference', 'down-300x200.png');
  await assert.rejects(loadImage(file, settings([8, 8]), 300 * 200 - 1), (e: Error) => {
    assert.ok(e instanceof SeedInputError);
    assert.match(e.message, /more than 59999 pixels, the limit against decompression bombs/);
    return true;
  });
  assert.equal((await loadImage(file, settings([8, 8]), 300 * 200)).width, 8);
});

test('normalisation scales to [0, 1] then applies mean and std, channel-first', () => {
  const s = settings([2, 1]);
  const chw = normalizeImage({ data: Buffer.from([0, 128, 255, 255, 0, 64]), width: 2, height: 1 }, s);
  const expected = [0, 255, 128, 0, 255, 64].map(
    (v, i) => (v / 255 - s.mean[Math.floor(i / 2)]) / s.std[Math.floor(i / 2)]
  );
  expected.forEach((v, i) => assert.ok(Math.abs(chw[i] - v) < 1e-6));
});

test('VAE output [-1, 1] becomes clamped, rounded 8-bit RGB and a decodable PNG', async () => {
  const values = Float32Array.from([-1, 0, 1, 2, -3, 0.5]); // R of 2 pixels, then G, then B
  const rgb = fromSignedChw(values, 2, 1);
  // Pixel 0: (-1, 1, -3) -> (0, 255, 0); pixel 1: (0, 2, 0.5) -> (127.5 -> 128, 255, 191.25 -> 191).
  assert.deepEqual([...rgb.data], [0, 255, 0, 128, 255, 191]);
  const png = await toPng(rgb);
  const { data, info } = await sharp(png.png).raw().toBuffer({ resolveWithObject: true });
  assert.equal(info.format, 'raw');
  assert.ok(data.equals(rgb.data));
});

// `--preprocess release` against pixels computed here from first principles (not by the code under test):
// PIL's convert("RGB") keeps the colour under transparent pixels and ignores EXIF orientation; the default
// blends onto white and turns the picture upright. The model size equals the image size, so the resize is
// the identity and only the preprocessing shows.
test('release preprocessing keeps the colour under graded alpha; the default flattens it on white', async () => {
  const [width, height] = [8, 4];
  const rgba = Buffer.alloc(width * height * 4);
  const colour = [200, 40, 90];
  for (let p = 0; p < width * height; p++) {
    rgba.set([...colour, Math.round((255 * (p % width)) / (width - 1))], p * 4);
  }
  const png = await sharp(rgba, { raw: { width, height, channels: 4 } })
    .png()
    .toBuffer();
  const released = await prepareImage(png, settings([width, height]), undefined, 'release');
  const flattened = await prepareImage(png, settings([width, height]), undefined, 'default');
  const expectedRelease: number[] = [];
  const expectedDefault: number[] = [];
  for (let p = 0; p < width * height; p++) {
    const alpha = (p % width) / (width - 1);
    expectedRelease.push(...colour);
    expectedDefault.push(...colour.map((c) => Math.round(c * alpha + 255 * (1 - alpha))));
  }
  assert.equal(maxDifference(released.image.data, expectedRelease), 0);
  assert.ok(maxDifference(flattened.image.data, expectedDefault) <= 1);
  assert.deepEqual(released.original, { width, height });
});

test('release preprocessing ignores the EXIF orientation; the default applies it', async () => {
  // Stored 16x8: left half red, right half blue. Orientation 6 means "rotate 90 degrees clockwise to view",
  // so upright it is 8x16 with red on top and blue below.
  const [width, height] = [16, 8];
  const raw = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      raw.set(x < width / 2 ? [255, 0, 0] : [0, 0, 255], (y * width + x) * 3);
    }
  }
  const jpeg = await sharp(raw, { raw: { width, height, channels: 3 } })
    .jpeg({ quality: 100 })
    .withMetadata({ orientation: 6 })
    .toBuffer();
  const pixel = (image: { data: Buffer; width: number }, x: number, y: number) => [
    ...image.data.subarray((y * image.width + x) * 3, (y * image.width + x) * 3 + 3)
  ];
  const near = (actual: number[], expected: number[]) =>
    assert.ok(
      actual.every((v, i) => Math.abs(v - expected[i]) <= 8),
      `${actual} is not ${expected}`
    );
  const released = await prepareImage(jpeg, settings([width, height]), undefined, 'release');
  assert.deepEqual(released.original, { width: 16, height: 8 });
  near(pixel(released.image, 2, 4), [255, 0, 0]);
  near(pixel(released.image, 13, 4), [0, 0, 255]);
  const upright = await prepareImage(jpeg, settings([height, width]), undefined, 'default');
  assert.deepEqual(upright.original, { width: 8, height: 16 });
  near(pixel(upright.image, 4, 2), [255, 0, 0]);
  near(pixel(upright.image, 4, 13), [0, 0, 255]);
});
