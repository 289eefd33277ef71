import * as fs from 'node:fs';
import * as path from 'node:path';
import sharp from 'sharp';
import { DecodeProgress, ImageInput, PngImage, SamplerName, SeedInputError, SeedModel } from '../../runtime';
import type { TokenRecord } from '../../runtime/dataset';
import {
  FAMILIES,
  type SeedKernelInfo,
  type SeedLineage,
  type SeedModelRef,
  checkDecodeParams,
  checkLimit,
  parseCodesText,
  TOP_K_LIMIT
} from '../../protocol';
import type { DisplayOptions } from '../kernel';
import { MimeBundle, mimeBundleOf } from '../mime-bundle';
import { ModelChoice, ModelHost } from './model-host';
import { SeedTokenizeOptions, SeedTokenizeSummary, TokenizeProgressDisplay, tokenizeRecords } from './dataset-tokenize';
import { DecodeProgressDisplay } from './progress-display';
import { SeedEncoding, SeedRecon, SeedReconstruction } from './results';

/** What the `seed` API needs from the kernel. */
export interface SeedKernelServices {
  /** Folder relative image paths resolve from (the notebook's folder). */
  readonly rootDir: string;
  /** The AbortSignal of the cell or comm request running now; interrupts abort it. */
  readonly currentSignal: AbortSignal | undefined;
  display(bundle: MimeBundle, options?: DisplayOptions): void;
  clearOutput(wait?: boolean): void;
  requestInput(prompt: string, password?: boolean): Promise<string>;
}

export interface SeedEncodeOptions {
  /** Alternatives reported per position (default: the "Top-k alternatives" setting, 5). */
  topK?: number;
  /** Label shown with the result (default: the file name). */
  label?: string;
}

/** Options not given come from the user's SEED settings, then from the model's own defaults. */
export interface SeedDecodeOptions {
  steps?: number;
  guidance?: number;
  seed?: number;
  sampler?: SamplerName;
  /** Resize the decoded image to [width, height] (the model decodes at its own size). */
  size?: [number, number];
  /** Show a live progress bar while sampling (default true). */
  progress?: boolean;
  /** Attach a preview to the progress every N steps (0 = never; default: the "Preview frequency" setting). */
  previewEvery?: number;
  /** Label shown with the result. */
  label?: string;
  /** Called after every sampler step (the comm's progress events use this). */
  onProgress?: (progress: DecodeProgress) => void;
  /**
   * Codes whose embedding stands in for the empty condition in guidance (SEED-LLaMA's negative codes):
   * an array, LLM tokens, or a result of this model.
   */
  negativeCodes?: CodesLike;
  /** SEED-2 (seed-v2) models: noise added to the image embedding, 0 to 999 (default 0, as SEED-LLaMA decodes). */
  noiseLevel?: number;
}

/**
 * Anything that holds SEED codes: a list of codes, a result of encode/decode/recon, or text: an LLM's
 * answer with `<img><img_00042>…</img>` in it, or numbers separated by commas or spaces.
 */
export type CodesLike = number[] | string | { codes: number[]; label?: string };

const GLOB_CHARACTERS = /[*?[]/;

/** `*` and `?` (and `[...]`) within one path segment, as a shell matches file names. */
function segmentMatcher(pattern: string): RegExp {
  let source = '';
  for (const c of pattern) {
    source +=
      c === '*' ? '[^/]*' : c === '?' ? '[^/]' : c === '[' || c === ']' ? c : c.replace(/[.+^${}()|\\]/g, '\\$&');
  }
  return new RegExp(`^${source}$`);
}

/**
 * Expands a file-name glob (`images/*.png`). Hand-written because wildcards in the last path
 * segment are all `%seed encode` needs, and Node 20's fs has no glob yet.
 */
export function expandGlob(pattern: string, rootDir: string): string[] {
  const absolute = path.resolve(rootDir, pattern);
  const dir = path.dirname(absolute);
  if (GLOB_CHARACTERS.test(dir)) {
    throw new SeedInputError(`Wildcards are only supported in the file name, not in folders: ${pattern}.`);
  }
  if (!fs.existsSync(dir)) {
    throw new SeedInputError(`No folder ${dir} for the pattern ${pattern}.`);
  }
  const matcher = segmentMatcher(path.basename(absolute));
  const files = fs
    .readdirSync(dir)
    .filter((name) => matcher.test(name))
    .sort()
    .map((name) => path.join(dir, name));
  if (files.length === 0) {
    throw new SeedInputError(`No file matches ${pattern} (in ${dir}). Check the pattern and the notebook's folder.`);
  }
  return files;
}

function labelOf(image: ImageInput): string {
  if (typeof image === 'string') {
    return path.basename(image.startsWith('file://') ? new URL(image).pathname : image);
  }
  if (image instanceof URL) {
    return path.basename(image.pathname);
  }
  return 'image';
}

function codesOf(input: CodesLike): number[] {
  if (Array.isArray(input)) {
    return input;
  }
  if (typeof input === 'string') {
    try {
      return parseCodesText(input, 'the codes text');
    } catch (error) {
      throw new SeedInputError((error as Error).message);
    }
  }
  if (input && Array.isArray(input.codes)) {
    return input.codes;
  }
  throw new SeedInputError(
    'decode() takes codes: an array of numbers, LLM tokens such as "<img><img_00042>…</img>", ' +
      'or the result of seed.encode / seed.decode.'
  );
}

/**
 * Codes carry their model's family; those of another family mean other images to this model's decoder
 * (SEED v1 and SEED-2 share the codebook size but not the codebook), so they are refused by name.
 */
function checkFamily(input: CodesLike, model: SeedModel, what: string): void {
  const source =
    typeof input === 'object' && !Array.isArray(input) ? (input as { model?: SeedModelRef }).model : undefined;
  const family = source?.family ?? (source ? 'seed-v1' : undefined);
  if (family !== undefined && family !== model.manifest.family) {
    throw new SeedInputError(
      `${what} come from ${source!.id}, a ${FAMILIES[family]} model (${family}); the kernel's model ` +
        `${model.manifest.id} is ${FAMILIES[model.manifest.family]} (${model.manifest.family}), whose decoder ` +
        `reads the same numbers as other images. Switch back with %seed model use ${source!.id}, or encode the ` +
        'image again with this model.'
    );
  }
}

/**
 * The `seed` object in notebook cells: SEED on the kernel's current model, with results that
 * display themselves and a progress bar while decoding.
 *
 * ```ts
 * const t = await seed.encode('cat.jpg');
 * t.codes;
 * await seed.decode(t.codes, { steps: 25 });
 * ```
 */
export class SeedApi {
  constructor(
    private readonly host: ModelHost,
    private readonly services: SeedKernelServices
  ) {}

  /** The AbortSignal of the running cell: aborted when the user interrupts the kernel. */
  get signal(): AbortSignal {
    return this.services.currentSignal ?? new AbortController().signal;
  }

  /** The model in use (loaded on first use). */
  model(): Promise<SeedModel> {
    return this.host.get();
  }

  private resolveImage(image: ImageInput): ImageInput {
    if (typeof image === 'string' && !image.startsWith('file://')) {
      return path.resolve(this.services.rootDir, image);
    }
    return image;
  }

  /** Encodes one image (path, file:// URL, or bytes) to its codes. */
  async encode(image: ImageInput, options: SeedEncodeOptions = {}): Promise<SeedEncoding> {
    const [encoding] = await this.encodeMany([image], options);
    return encoding;
  }

  /** Encodes several images, or every file matching a pattern such as `images/*.png`. */
  async encodeAll(images: string | ImageInput[], options: SeedEncodeOptions = {}): Promise<SeedEncoding[]> {
    const list = typeof images === 'string' ? expandGlob(images, this.services.rootDir) : images;
    return this.encodeMany(list, options);
  }

  private async encodeMany(images: ImageInput[], options: SeedEncodeOptions): Promise<SeedEncoding[]> {
    const topK = this.host.settings.topK(options.topK);
    checkOption(() => checkLimit('topK', topK, TOP_K_LIMIT));
    const model = await this.host.get();
    const encodings = await model.encode(
      images.map((image) => this.resolveImage(image)),
      { topK, signal: this.signal }
    );
    const ref = this.host.ref(model);
    return encodings.map((encoding, i) => {
      const image = images[i];
      const sourceFile = typeof image === 'string' ? image : image instanceof URL ? image.href : undefined;
      return new SeedEncoding(
        encoding.codes,
        encoding.topK,
        encoding.source,
        ref,
        options.label ?? labelOf(image),
        sourceFile ? { sourceFile } : {}
      );
    });
  }

  /**
   * Tokenizes a dataset (folders, globs, list files, webdataset tars) into Parquet or webdataset shards in
   * `options.out`, yielding the records as each shard is written. Finished shards are skipped, so a rerun
   * after an interrupt resumes; the records of skipped shards are in their files.
   */
  async *tokenize(inputs: string | string[], options: SeedTokenizeOptions): AsyncGenerator<TokenRecord> {
    for await (const records of this.tokenizeShards(inputs, options)) {
      for (const record of records) {
        yield record;
      }
    }
  }

  /** tokenize() with a live progress line, resolving to a summary (what `%seed tokenize` shows). */
  async tokenizeDataset(inputs: string | string[], options: SeedTokenizeOptions): Promise<SeedTokenizeSummary> {
    const model = await this.host.get();
    const summary = new SeedTokenizeSummary(options.out, model.manifest.tokenizer.codebookSize);
    const progress =
      options.progress === false
        ? undefined
        : new TokenizeProgressDisplay((bundle, displayOptions) => this.services.display(bundle, displayOptions));
    try {
      for await (const records of this.tokenizeShards(inputs, options, progress, (run) => (summary.run = run))) {
        summary.add(records);
      }
    } catch (error) {
      progress?.stop(`Tokenizing stopped: ${(error as Error).message}`);
      throw error;
    }
    progress?.stop(summary.toString().split('\n')[0]);
    return summary;
  }

  private async *tokenizeShards(
    inputs: string | string[],
    options: SeedTokenizeOptions,
    progress?: TokenizeProgressDisplay,
    onDone?: (run: SeedTokenizeSummary['run']) => void
  ): AsyncGenerator<TokenRecord[]> {
    const model = await this.host.get();
    const list = (typeof inputs === 'string' ? [inputs] : inputs).map((input) =>
      path.resolve(this.services.rootDir, input)
    );
    yield* tokenizeRecords(model, list, {
      ...options,
      out: path.resolve(this.services.rootDir, options.out),
      signal: this.signal,
      onProgress: progress ? (p) => progress.update(p) : undefined,
      onDone
    });
  }

  /** Decodes codes to an image, showing a live progress bar unless `progress: false`. */
  async decode(input: CodesLike, options: SeedDecodeOptions = {}): Promise<SeedReconstruction> {
    const codes = codesOf(input);
    const from = Array.isArray(input) || typeof input === 'string' ? undefined : input;
    const label = options.label ?? from?.label ?? 'codes';
    const explicit = checkOption(() => checkDecodeParams(options));
    const model = await this.host.get();
    checkFamily(input, model, 'These codes');
    if (options.negativeCodes !== undefined) {
      checkFamily(options.negativeCodes, model, 'The negative codes');
    }
    const negativeCodes = options.negativeCodes === undefined ? undefined : codesOf(options.negativeCodes);
    const params = this.host.settings.decodeParams(explicit, model.manifest.diffusion.defaults);
    const progress =
      options.progress === false
        ? undefined
        : new DecodeProgressDisplay((bundle, o) => this.services.display(bundle, o), label);
    try {
      const decoded = await model.decode(codes, {
        ...params,
        negativeCodes,
        noiseLevel: options.noiseLevel,
        previewEvery: this.host.settings.previewEvery(options.previewEvery),
        signal: this.signal,
        onProgress: (step) => {
          progress?.step(step);
          options.onProgress?.(step);
        }
      });
      progress?.finish(decoded.params.stepsNote);
      const image = options.size ? await resize(decoded, options.size) : decoded;
      // The image the codes came from carries over; the variable name belongs to the new result.
      const sourceFile = (from as { lineage?: SeedLineage } | undefined)?.lineage?.sourceFile;
      const lineage: SeedLineage = sourceFile ? { sourceFile } : {};
      return new SeedReconstruction(decoded.codes, image, decoded.params, this.host.ref(model), label, lineage);
    } catch (error) {
      progress?.fail(error as Error);
      throw error;
    }
  }

  /** Encodes an image and decodes its codes: the original and the reconstruction side by side. */
  async recon(image: ImageInput, options: SeedDecodeOptions & SeedEncodeOptions = {}): Promise<SeedRecon> {
    const encoding = await this.encode(image, options);
    const reconstruction = await this.decode(encoding, options);
    return new SeedRecon(encoding, reconstruction, await sideBySide(encoding.source, reconstruction.image));
  }

  /** The model folders the kernel can switch to. */
  models(): ModelChoice[] {
    return this.host.list();
  }

  /** Switches the kernel to another model (a name from models(), or a folder). */
  async useModel(nameOrPath: string): Promise<SeedKernelInfo> {
    await this.host.use(nameOrPath);
    return this.host.info('');
  }

  /**
   * Sets ONNX Runtime's threads per session (0: automatic: SLURM_CPUS_PER_TASK, else the CPUs available);
   * the model's sessions are built again with the new count at their next use.
   */
  async setThreads(count: number, source = `seed.setThreads(${count})`): Promise<SeedKernelInfo> {
    await this.host.configure({ threads: count }, source);
    return this.info();
  }

  /** The model in use, where it is, and the execution provider (loads the model). */
  async info(): Promise<SeedKernelInfo> {
    await this.host.get();
    return this.host.info('');
  }

  /** Shows any value as the kernel would show a cell's result. */
  display(value: unknown): void {
    this.services.display(mimeBundleOf(value));
  }

  /** Clears this cell's outputs; with `wait`, only when the next output arrives (no flicker). */
  clearOutput(options: { wait?: boolean } = {}): void {
    this.services.clearOutput(options.wait === true);
  }

  /** Asks the user for a line of text in the notebook (input_request). */
  input(prompt = '', options: { password?: boolean } = {}): Promise<string> {
    return this.services.requestInput(prompt, options.password === true);
  }
}

/** Runs a protocol check, turning its RangeError into the runtime's input error (shown without a stack). */
function checkOption<T>(check: () => T): T {
  try {
    return check();
  } catch (error) {
    throw new SeedInputError((error as Error).message);
  }
}

/** The source image scaled to the reconstruction's height, a gap, then the reconstruction. */
async function sideBySide(source: PngImage, image: PngImage): Promise<PngImage> {
  const gap = Math.max(2, Math.round(image.height / 32));
  const sourceWidth = Math.max(1, Math.round((source.width * image.height) / source.height));
  const left = await sharp(source.png).resize(sourceWidth, image.height, { fit: 'fill' }).png().toBuffer();
  const width = sourceWidth + gap + image.width;
  const png = await sharp({
    create: { width, height: image.height, channels: 3, background: { r: 255, g: 255, b: 255 } }
  })
    .composite([
      { input: left, left: 0, top: 0 },
      { input: image.png, left: sourceWidth + gap, top: 0 }
    ])
    .png()
    .toBuffer();
  return { png, width, height: image.height };
}

async function resize(image: { png: Buffer }, [width, height]: [number, number]) {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1 || width * height > 16_777_216) {
    throw new SeedInputError(`size must be two whole numbers of pixels (at most 4096x4096), got ${width}x${height}.`);
  }
  const png = await sharp(image.png).resize(width, height, { fit: 'fill', kernel: 'lanczos3' }).png().toBuffer();
  return { png, width, height };
}
