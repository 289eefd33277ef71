/**
 * Image input and output. sharp (libvips) reads any common format from a path, a file:// URL or bytes,
 * applies the EXIF orientation, flattens alpha onto the manifest's background and writes PNG; the bicubic
 * resize to the model's size without cropping (SEED's `Resize((224, 224), BICUBIC)` on a PIL image) is
 * resize.ts, which matches Pillow exactly where libvips does not.
 */
import * as fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { SeedInputError } from './errors';
import type { ImageSettings } from './manifest';
import { resizeBicubic } from './resize';
import type { ImageInput, PngImage, Preprocess, RgbImage } from './types';

export type { RgbImage };

/** Default pixel limit (width x height) against decompression bombs: 100 megapixels. */
export const DEFAULT_MAX_INPUT_PIXELS = 100_000_000;

/** A short name for an input, for error messages. */
export function describeInput(input: ImageInput): string {
  if (typeof input === 'string') {
    return input.length > 200 ? `${input.slice(0, 200)}...` : input;
  }
  if (input instanceof URL) {
    return input.href;
  }
  return `a buffer of ${input.length} bytes`;
}

/** Turns a path, file:// URL or bytes into what sharp reads; other URLs are refused. */
function source(input: ImageInput): string | Buffer {
  if (input instanceof URL || (typeof input === 'string' && /^[a-z][a-z0-9+.-]*:\/\//i.test(input))) {
    const url = input instanceof URL ? input : new URL(input);
    if (url.protocol !== 'file:') {
      throw new SeedInputError(
        `Cannot read the image ${url.href}: only local files are read (a path or a file:// URL). Download it first.`
      );
    }
    return fileURLToPath(url);
  }
  if (typeof input === 'string') {
    if (!fs.existsSync(input)) {
      throw new SeedInputError(`Cannot read the image ${input}: no such file. Check the path.`);
    }
    return input;
  }
  return Buffer.isBuffer(input) ? input : Buffer.from(input.buffer, input.byteOffset, input.byteLength);
}

export const PREPROCESS_MODES: readonly Preprocess[] = ['default', 'release'];

/** An image at the model's input size, with the size of the picture it came from. */
export interface PreparedImage {
  image: RgbImage;
  /** Width and height of the decoded picture (after orientation under `default`), before the resize. */
  original: { width: number; height: number };
}

/** Reads an image and brings it to the model's input size: oriented, flattened, resized, RGB. */
export async function loadImage(
  input: ImageInput,
  settings: ImageSettings,
  maxInputPixels = DEFAULT_MAX_INPUT_PIXELS,
  preprocess: Preprocess = 'default'
): Promise<RgbImage> {
  return (await prepareImage(input, settings, maxInputPixels, preprocess)).image;
}

/** loadImage, also giving the decoded picture's size. */
export async function prepareImage(
  input: ImageInput,
  settings: ImageSettings,
  maxInputPixels = DEFAULT_MAX_INPUT_PIXELS,
  preprocess: Preprocess = 'default'
): Promise<PreparedImage> {
  const [width, height] = settings.size;
  const [r, g, b] = settings.background;
  try {
    let pipeline = sharp(source(input), { limitInputPixels: maxInputPixels });
    pipeline = preprocess === 'release' ? pipeline : pipeline.autoOrient().flatten({ background: { r, g, b } });
    const { data, info } = await pipeline
      .toColourspace('srgb')
      .removeAlpha()
      .raw()
      .toBuffer({ resolveWithObject: true });
    // toColourspace('srgb') gives 8-bit RGB for any input (16-bit, CMYK, grey); guard the resize's assumption.
    if (info.channels !== 3 || data.length !== info.width * info.height * 3) {
      throw new SeedInputError(
        `The image ${describeInput(input)} did not decode to 8-bit RGB (${info.channels} channels); convert it to an RGB PNG.`
      );
    }
    return {
      image: resizeBicubic({ data, width: info.width, height: info.height }, width, height),
      original: { width: info.width, height: info.height }
    };
  } catch (error) {
    throw imageError(input, error, maxInputPixels);
  }
}

function imageError(input: ImageInput, error: unknown, maxInputPixels: number): Error {
  if (error instanceof SeedInputError) {
    return error;
  }
  const message = (error as Error).message ?? String(error);
  const name = describeInput(input);
  if (/pixel limit/i.test(message)) {
    return new SeedInputError(
      `The image ${name} has more than ${maxInputPixels} pixels, the limit against decompression bombs. ` +
        'Downscale it first, or load the model with a larger maxInputPixels if you trust the file.',
      { cause: error }
    );
  }
  return new SeedInputError(
    `Cannot read the image ${name}: ${message}. Use a PNG, JPEG, WebP, GIF, TIFF or AVIF file.`,
    { cause: error }
  );
}

/** HWC uint8 RGB -> CHW float32, scaled to [0, 1] and normalised with the manifest's mean and std. */
export function normalizeImage(image: RgbImage, settings: ImageSettings, out?: Float32Array): Float32Array {
  const plane = image.width * image.height;
  const result = out ?? new Float32Array(3 * plane);
  for (let c = 0; c < 3; c++) {
    const scale = 1 / (255 * settings.std[c]);
    const shift = settings.mean[c] / settings.std[c];
    for (let p = 0; p < plane; p++) {
      result[c * plane + p] = image.data[p * 3 + c] * scale - shift;
    }
  }
  return result;
}

/**
 * Encodes HWC uint8 RGB as PNG. `quick` (zlib level 1) is for transient views, the encoder's input and
 * progress previews, where speed matters more than size: it is 2-3x faster than the default level 6.
 */
export async function toPng(image: RgbImage, quick = false): Promise<PngImage> {
  const png = await sharp(image.data, { raw: { width: image.width, height: image.height, channels: 3 } })
    .png({ compressionLevel: quick ? 1 : 6 })
    .toBuffer();
  return { png, width: image.width, height: image.height };
}

/**
 * CHW float32 in [-1, 1] (the VAE's output range) -> HWC uint8 RGB: clamp((x + 1) / 2, 0, 1), times 255,
 * rounded (as diffusers does).
 */
export function fromSignedChw(values: Float32Array, width: number, height: number): RgbImage {
  const plane = width * height;
  const data = Buffer.alloc(plane * 3);
  for (let c = 0; c < 3; c++) {
    for (let p = 0; p < plane; p++) {
      const v = (values[c * plane + p] + 1) / 2;
      data[p * 3 + c] = Math.round(Math.min(1, Math.max(0, v)) * 255);
    }
  }
  return { data, width, height };
}
