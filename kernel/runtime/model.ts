/** SeedModel: a loaded model folder and the encode / decode / reconstruct pipelines over it. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { guidedUnet, linearPreview, runSampler, throwIfAborted } from './diffusion';
import { SeedInputError, SeedModelError } from './errors';
import { assertFinite } from './finite';
import {
  DEFAULT_MAX_INPUT_PIXELS,
  PreparedImage,
  Preprocess,
  RgbImage,
  fromSignedChw,
  normalizeImage,
  prepareImage,
  toPng
} from './images';
import type { SeedModelManifest } from './manifest';
import { defaultCacheDir } from './cache-dir';
import { FileHashes } from './file-hashes';
import { GraphCache } from './graph-cache';
import { ModelFile, checkSha256, loadManifest, modelFiles } from './manifest-loader';
import { Quantizer } from './quantizer';
import { SeededRandom } from './random';
import { createSampler, stepCountNote } from './samplers';
import { DEFAULT_KERNEL_SETTINGS } from '../protocol/settings';
import { EXECUTION_PROVIDER_NAMES, checkDecodeParams } from '../protocol/vocabulary';
import { alphasCumprod } from './schedule';
import { Graph, SessionPool, chooseExecutionProvider } from './sessions';
import { ThreadChoice, chooseThreads } from './threads';
import { UnclipConditioning, imageNormalizer } from './unclip';
import type {
  DecodeOptions,
  DecodeParams,
  EncodeOptions,
  Encoding,
  ExecutionProviderChoice,
  ImageInput,
  LoadOptions,
  PngImage,
  Reconstruction,
  SessionInfo,
  WarmUpProgress
} from './types';

/**
 * A loaded SEED model folder. ONNX sessions are created on first use and cached per file, so encoding
 * never loads the UNet; release() frees them (the next call loads them again).
 */
export class SeedModel {
  private readonly files: Map<string, ModelFile>;
  private readonly verified = new Map<string, Promise<void>>();
  private readonly sessions: SessionPool;
  private readonly hashes: FileHashes;
  private readonly alphas: Float64Array;
  private quantizer?: Promise<Quantizer>;
  private unconditional?: Promise<Float32Array>;
  private unclip?: Promise<UnclipConditioning>;

  private constructor(
    /** The model folder (absolute). */
    readonly dir: string,
    /** The validated manifest. */
    readonly manifest: SeedModelManifest,
    choice: ExecutionProviderChoice,
    /** How many intra-op threads each session uses, and why. */
    readonly threads: ThreadChoice,
    /** Recorded hashes and optimized graphs (see cache-dir.ts); null keeps nothing on disk. */
    readonly cacheDir: string | null,
    private readonly options: Required<Pick<LoadOptions, 'verifyHashes' | 'maxInputPixels'>>
  ) {
    this.files = new Map(modelFiles(manifest, dir).map((file) => [file.field, file]));
    this.hashes = new FileHashes(cacheDir);
    this.sessions = new SessionPool(
      choice,
      (file) => this.identify(file),
      threads.count,
      cacheDir === null ? null : new GraphCache(cacheDir)
    );
    this.alphas = alphasCumprod(manifest.diffusion.schedule);
  }

  /**
   * Reads and validates `<dir>/seed-model.json`, checks that every file it names exists, and picks the
   * execution provider. Throws SeedModelError naming the field or file and what to do.
   */
  static async load(dir: string, options: LoadOptions = {}): Promise<SeedModel> {
    const threads = chooseThreads(
      typeof options.threads === 'number'
        ? { count: options.threads, source: 'the threads load option' }
        : options.threads
    );
    const absolute = path.resolve(dir);
    const manifest = loadManifest(absolute);
    const choice = chooseExecutionProvider(options.executionProviders ?? [...EXECUTION_PROVIDER_NAMES]);
    const cacheDir = options.cacheDir === undefined ? defaultCacheDir() : options.cacheDir;
    return new SeedModel(absolute, manifest, choice, threads, cacheDir, {
      verifyHashes: options.verifyHashes ?? true,
      maxInputPixels: options.maxInputPixels ?? DEFAULT_MAX_INPUT_PIXELS
    });
  }

  /** Which execution provider runs the graphs, and why (it can change to CPU if CUDA fails to start). */
  get executionProvider(): ExecutionProviderChoice {
    return this.sessions.executionProvider;
  }

  /** The sessions created so far: which file, whether its optimized graph came from the cache, how long. */
  sessionInfo(): SessionInfo[] {
    return this.sessions
      .loaded()
      .map((graph) => ({ field: graph.file.field, source: graph.source, loadSeconds: graph.loadSeconds }));
  }

  /**
   * Creates the sessions encode() needs (encoder graph, quantiser) ahead of the first call, so that a
   * kernel can prepare them in the background while the user is still typing. Reports each part before
   * it starts and once all are done; failures reject (the next encode() tries again and says why).
   */
  async warmUp(onProgress?: (progress: WarmUpProgress) => void): Promise<void> {
    const steps: [string, () => Promise<unknown>][] = [
      ['tokenizer.encoder.path', () => this.graph('tokenizer.encoder.path')],
      ['tokenizer.codebook.path', () => this.getQuantizer()]
    ];
    for (const [done, [field, step]] of steps.entries()) {
      onProgress?.({ done, total: steps.length, field });
      await step();
    }
    onProgress?.({ done: steps.length, total: steps.length, field: null });
  }

  /**
   * Encodes images to codes, pre-quantisation vectors and top-k alternatives. The images run through the
   * encoder as one batch (one by one if the graph's batch dimension is fixed at 1).
   */
  async encode(images: ImageInput[], options: EncodeOptions = {}): Promise<Encoding[]> {
    if (!Array.isArray(images)) {
      throw new SeedInputError('encode() takes an array of images (paths, file:// URLs or Buffers).');
    }
    const loaded = await Promise.all(images.map((input) => this.prepareImage(input, options.preprocess)));
    const encodings = await this.encodePrepared(
      loaded.map((prepared) => prepared.image),
      options
    );
    return Promise.all(
      encodings.map(async (encoding, i) => ({ ...encoding, source: await toPng(loaded[i].image, true) }))
    );
  }

  /**
   * Reads one image and brings it to the model's input size (the first half of encode()). The dataset
   * pipeline calls it for the next batch while the encoder runs on the current one.
   */
  prepareImage(input: ImageInput, preprocess: Preprocess = 'default'): Promise<PreparedImage> {
    return prepareImage(input, this.manifest.image, this.options.maxInputPixels, preprocess);
  }

  /** The second half of encode(): images already at the model's size -> codes, vectors and top-k, as one batch. */
  async encodePrepared(loaded: RgbImage[], options: EncodeOptions = {}): Promise<Omit<Encoding, 'source'>[]> {
    const topK = options.topK ?? DEFAULT_KERNEL_SETTINGS.topK;
    if (!Number.isInteger(topK) || topK < 1) {
      throw new SeedInputError(`topK must be a whole number of at least 1, got ${topK}.`);
    }
    if (loaded.length === 0) {
      return [];
    }
    throwIfAborted(options.signal);
    const { image: settings, tokenizer } = this.manifest;
    const encoder = await this.graph('tokenizer.encoder.path');
    const inputName = tokenizer.encoder.inputs.image;
    const outputName = tokenizer.encoder.outputs.features;
    encoder.expect([inputName], [outputName]);
    const [width, height] = settings.size;
    const perImage = 3 * width * height;
    const pixels = new Float32Array(loaded.length * perImage);
    loaded.forEach((image, i) => normalizeImage(image, settings, pixels.subarray(i * perImage, (i + 1) * perImage)));
    const perCode = tokenizer.numCodes * tokenizer.codeDim;
    const features = await runBatched(
      encoder,
      inputName,
      outputName,
      pixels,
      [3, height, width],
      loaded.length,
      perCode,
      `[N, ${tokenizer.numCodes}, ${tokenizer.codeDim}] (numCodes, codeDim in the manifest)`,
      options.signal
    );
    assertFinite(
      features,
      (bad, all) =>
        `The image encoder returned ${bad} NaN or infinite values of ${all}, so the image has no codes. ` +
        `The encoder graph (${encoder.file.path}) is faulty: check the model's files, or try its fp32 export.`
    );
    const quantizer = await this.getQuantizer();
    const quantized = await quantizer.quantize(features, topK);
    const n = tokenizer.numCodes;
    return loaded.map((_, i) => ({
      codes: quantized.codes.slice(i * n, (i + 1) * n),
      features: features.slice(i * perCode, (i + 1) * perCode),
      topK: quantized.topK.slice(i * n, (i + 1) * n)
    }));
  }

  /**
   * Checks the sha256 of the files encoding needs (encoder with its external data, codebook) now rather
   * than on first use, so a batch job fails before any work on a mismatched model copy.
   */
  async verifyEncoderFiles(): Promise<void> {
    await Promise.all([
      this.verify(this.file('tokenizer.encoder.path')),
      this.verify(this.file('tokenizer.codebook.path'))
    ]);
  }

  /** Codes -> generation embedding -> diffusion -> VAE -> PNG. */
  async decode(codes: number[], options: DecodeOptions = {}): Promise<Reconstruction> {
    const [reconstruction] = await this.decodeBatch([codes], options);
    return reconstruction;
  }

  /**
   * Decodes several code sequences as one batch (the UNet runs on all of them at once, twice as many under
   * guidance). Image i uses seed `seed + i`, so decodeBatch([a, b], { seed: 5 }) gives the images of
   * decode(a, { seed: 5 }) and decode(b, { seed: 6 }). An `initialLatent` holds every image's latent in turn.
   * Progress counts steps of the whole batch; its preview shows the first image.
   */
  async decodeBatch(codesList: number[][], options: DecodeOptions = {}): Promise<Reconstruction[]> {
    if (!Array.isArray(codesList) || codesList.length === 0) {
      throw new SeedInputError('decodeBatch() takes a non-empty array of code arrays.');
    }
    codesList.forEach((codes, i) => this.checkCodes(codes, codesList.length > 1 ? `Image ${i}: ` : ''));
    if (options.negativeCodes !== undefined) {
      this.checkCodes(options.negativeCodes, 'Negative codes: ');
    }
    const asked = this.decodeParams(options);
    const count = codesList.length;
    const { tokenizer, generationEmbedding, diffusion } = this.manifest;
    const [c, h, w] = diffusion.latentShape;
    const latentSize = c * h * w;
    if (asked.seed + count - 1 > Number.MAX_SAFE_INTEGER) {
      throw new SeedInputError(`seed + ${count - 1} must stay below ${Number.MAX_SAFE_INTEGER}; use a smaller seed.`);
    }
    // One generator per image: its initial latent first, then any noise the sampler draws (DDIM with eta > 0).
    const randoms = codesList.map((_, i) => new SeededRandom(asked.seed + i));
    let noise: Float32Array;
    if (options.initialLatent !== undefined) {
      if (!(options.initialLatent instanceof Float32Array) || options.initialLatent.length !== count * latentSize) {
        throw new SeedInputError(
          `initialLatent must be a Float32Array of ${count * latentSize} values (${count} x latent ${c}x${h}x${w}), ` +
            `got ${options.initialLatent?.length}.`
        );
      }
      noise = options.initialLatent;
    } else {
      noise = concat(randoms.map((random) => random.normal(latentSize)));
    }
    throwIfAborted(options.signal);

    const quantizer = await this.getQuantizer();
    const decoder = await this.graph('tokenizer.decoder.path');
    const inName = tokenizer.decoder.inputs.codeVectors;
    const outName = tokenizer.decoder.outputs.embedding;
    decoder.expect([inName], [outName]);
    const embeddingSize = generationEmbedding.tokens * generationEmbedding.dim;
    const embed = async (list: number[][]): Promise<Float32Array> => {
      const values = await runBatched(
        decoder,
        inName,
        outName,
        concat(list.map((codes) => quantizer.lookup(codes))),
        [tokenizer.numCodes, tokenizer.codeDim],
        list.length,
        embeddingSize,
        `[N, ${generationEmbedding.tokens}, ${generationEmbedding.dim}] (generationEmbedding in the manifest)`
      );
      assertFinite(
        values,
        (bad, all) =>
          `The tokenizer decoder returned ${bad} NaN or infinite values of ${all} for these codes, so nothing can ` +
          `be decoded from them. The decoder graph (${decoder.file.path}) is faulty: check the model's files.`
      );
      return values;
    };
    const embedding = await embed(codesList);
    const guided = asked.guidance !== 1;
    // Negative codes stand in for the empty condition: their embedding is the unconditional half of guidance.
    const negative = guided && options.negativeCodes ? await embed([options.negativeCodes]) : undefined;

    const unet = await this.graph('diffusion.unet.path');
    const unclip = diffusion.unclip;
    unet.expect(
      ['sample', 'timestep', 'encoder_hidden_states', ...(unclip ? [unclip.classLabels] : [])],
      ['out_sample']
    );
    checkLatentShape(unet, diffusion.latentShape);
    const vae = await this.graph('diffusion.vaeDecoder.path');
    vae.expect(['latent_sample'], ['sample']);
    const conditioning = unclip
      ? await this.unclipConditioning(embedding, negative, asked, randoms, options)
      : {
          condition: embedding,
          unconditional: guided ? (negative ?? (await this.getUnconditional())) : new Float32Array(0),
          tokens: generationEmbedding.tokens,
          dim: generationEmbedding.dim
        };
    const { model, evaluations } = guidedUnet({
      unet,
      count,
      ...conditioning,
      latentShape: diffusion.latentShape,
      guidance: asked.guidance,
      prediction: diffusion.prediction,
      alphasCumprod: this.alphas,
      signal: options.signal
    });
    const sampler = createSampler(asked.sampler, {
      alphasCumprod: this.alphas,
      steps: asked.steps,
      eta: asked.eta,
      noise: (length) => concat(randoms.map((random) => random.normal(length / count)))
    });
    const params = this.paramsThatRan(asked, sampler.timesteps.length);
    const previewEvery = options.previewEvery ?? (diffusion.preview ? 1 : 0);
    if (!Number.isInteger(previewEvery) || previewEvery < 0) {
      throw new SeedInputError(`previewEvery must be a whole number >= 0 (0 = no previews), got ${previewEvery}.`);
    }
    const latent = await runSampler(sampler, noise, model, {
      signal: options.signal,
      afterStep: options.onProgress
        ? async (step, total, x0) => {
            const wantPreview = previewEvery > 0 && (step % previewEvery === 0 || step === total);
            const preview = wantPreview ? await this.preview(x0.subarray(0, latentSize), vae) : undefined;
            options.onProgress?.({ step, total, unetEvaluations: evaluations(), preview });
          }
        : undefined
    });
    throwIfAborted(options.signal);
    const images = await this.vaeDecode(vae, latent, count);
    return images.map((image, i) => ({
      ...image,
      codes: [...codesList[i]],
      params: { ...params, seed: params.seed + i },
      unetEvaluations: evaluations()
    }));
  }

  /** encode() then decode() of one image. */
  async reconstruct(
    image: ImageInput,
    options: DecodeOptions & { topK?: number } = {}
  ): Promise<{ encoding: Encoding; reconstruction: Reconstruction }> {
    const [encoding] = await this.encode([image], { topK: options.topK, signal: options.signal });
    const reconstruction = await this.decode(encoding.codes, options);
    return { encoding, reconstruction };
  }

  /** Releases every ONNX session; the model stays usable and reloads sessions on demand. */
  async release(): Promise<void> {
    const quantizer = this.quantizer;
    this.quantizer = undefined;
    await this.sessions.release();
    await (await quantizer?.catch(() => undefined))?.release();
  }

  private checkCodes(codes: unknown, prefix = ''): asserts codes is number[] {
    const { numCodes, codebookSize } = this.manifest.tokenizer;
    if (!Array.isArray(codes)) {
      throw new SeedInputError(`${prefix}Codes must be an array of ${numCodes} integers, got ${typeof codes}.`);
    }
    if (codes.length !== numCodes) {
      throw new SeedInputError(
        `${prefix}Expected ${numCodes} codes, got ${codes.length}. A SEED image is exactly ${numCodes} codes.`
      );
    }
    codes.forEach((code, i) => {
      if (!Number.isInteger(code) || code < 0 || code >= codebookSize) {
        throw new SeedInputError(
          `${prefix}The code at position ${i + 1} is ${JSON.stringify(code)}; codes are integers from 0 to ${codebookSize - 1}.`
        );
      }
    });
  }

  private decodeParams(options: DecodeOptions): DecodeParams {
    const defaults = this.manifest.diffusion.defaults;
    let checked: Partial<DecodeParams>;
    try {
      checked = checkDecodeParams({ ...defaults, ...definedOnly(options) });
    } catch (error) {
      throw new SeedInputError((error as Error).message);
    }
    const { sampler, steps, guidance, seed } = checked as Required<typeof checked>;
    const maxSteps = Math.floor(this.manifest.diffusion.schedule.trainSteps / 2);
    if (steps > maxSteps) {
      throw new SeedInputError(
        `steps must be at most ${maxSteps} for this model (half its ${this.manifest.diffusion.schedule.trainSteps} training steps), got ${steps}.`
      );
    }
    const params: DecodeParams = { seed, sampler, steps, guidance };
    const unclip = this.manifest.diffusion.unclip;
    if (unclip) {
      const noiseLevel = options.noiseLevel ?? unclip.noiseLevel;
      const maxLevel = unclip.noiseSchedule.trainSteps - 1;
      if (!Number.isInteger(noiseLevel) || noiseLevel < 0 || noiseLevel > maxLevel) {
        throw new SeedInputError(`noiseLevel must be a whole number from 0 to ${maxLevel}, got ${noiseLevel}.`);
      }
      params.noiseLevel = noiseLevel;
    } else if (options.noiseLevel !== undefined) {
      throw new SeedInputError(
        `noiseLevel applies to seed-v2 (unCLIP) models; ${this.manifest.id} is ${this.manifest.family}. Drop it.`
      );
    }
    if (options.eta !== undefined) {
      if (!Number.isFinite(options.eta) || options.eta < 0) {
        throw new SeedInputError(`eta must be a number >= 0, got ${options.eta}.`);
      }
      if (sampler !== 'ddim' && options.eta !== 0) {
        throw new SeedInputError(
          `eta only applies to the ddim sampler (${sampler} is deterministic); drop it or use ddim.`
        );
      }
      params.eta = options.eta;
    }
    return params;
  }

  /** The params a result reports: the steps the sampler ran, and what was asked and why when they differ. */
  private paramsThatRan(asked: DecodeParams, ran: number): DecodeParams {
    if (ran === asked.steps) {
      return asked;
    }
    const stepsNote = stepCountNote(this.manifest.diffusion.schedule.trainSteps, asked.steps);
    return { ...asked, steps: ran, stepsAsked: asked.steps, ...(stepsNote ? { stepsNote } : {}) };
  }

  private file(field: string): ModelFile {
    const file = this.files.get(field);
    if (!file) {
      throw new SeedModelError(`The manifest of ${this.dir} names no '${field}'.`);
    }
    return file;
  }

  private graph(field: string): Promise<Graph> {
    return this.sessions.get(this.file(field));
  }

  /** A file's external-data files, in the manifest's order. */
  private externalData(file: ModelFile): ModelFile[] {
    const prefix = file.field.replace(/\.path$/, '.externalData[');
    return [...this.files.values()].filter((f) => f.field.startsWith(prefix));
  }

  /**
   * Checks a graph and its external data against the manifest's sha256 (once per model; sizes and
   * modification times recorded by FileHashes spare hashing unchanged gigabytes again) and returns
   * their sha256, the content part of the graph cache's key.
   */
  private async identify(file: ModelFile): Promise<string[]> {
    const related = [file, ...this.externalData(file)];
    await Promise.all(related.map((f) => this.verify(f)));
    return this.cacheDir === null ? [] : Promise.all(related.map((f) => this.hashes.sha256(f.path)));
  }

  /** sha256 check of one file against the manifest, once per model. */
  private verify(file: ModelFile): Promise<void> {
    if (!this.options.verifyHashes || !file.sha256) {
      return Promise.resolve();
    }
    let check = this.verified.get(file.path);
    if (!check) {
      check = this.hashes.sha256(file.path).then((actual) => checkSha256(file, actual));
      this.verified.set(file.path, check);
      check.catch(() => this.verified.delete(file.path));
    }
    return check;
  }

  private async readFloat32(field: string, count: number): Promise<Float32Array> {
    const file = this.file(field);
    await this.verify(file);
    const bytes = await fs.promises.readFile(file.path);
    if (bytes.length !== count * 4) {
      throw new SeedModelError(
        `${file.path} (${field}) has ${bytes.length} bytes; ${count} float32 values (${count * 4} bytes) expected from the manifest's shapes.`
      );
    }
    // Copy into an aligned buffer; the files are little-endian, as every platform Node runs ML on.
    const out = new Float32Array(count);
    new Uint8Array(out.buffer).set(bytes);
    return out;
  }

  private getQuantizer(): Promise<Quantizer> {
    if (!this.quantizer) {
      const { codebookSize, codeDim, distance, normalize } = this.manifest.tokenizer;
      this.quantizer = this.readFloat32('tokenizer.codebook.path', codebookSize * codeDim).then((codebook) =>
        Quantizer.create(codebook, { codebookSize, codeDim, distance, normalized: normalize }, this.threads.count)
      );
      this.quantizer.catch(() => (this.quantizer = undefined));
    }
    return this.quantizer;
  }

  /**
   * seed-v2: the UNet sees the empty prompt's text embedding in both halves of guidance, and the image
   * embedding through its class labels; negative codes (noised at level 0, as the release does) or all
   * zeros make the unconditional labels. Label noise comes from each image's generator, after its latent.
   */
  private async unclipConditioning(
    embedding: Float32Array,
    negative: Float32Array | undefined,
    params: DecodeParams,
    randoms: SeededRandom[],
    options: DecodeOptions
  ) {
    const unclip = this.manifest.diffusion.unclip!;
    const count = randoms.length;
    const conditioning = await this.getUnclip();
    const { dim } = conditioning;
    const noiseOf = (given: Float32Array | undefined, option: string): Float32Array => {
      if (given === undefined) {
        return concat(randoms.map((random) => random.normal(dim)));
      }
      if (!(given instanceof Float32Array) || given.length !== count * dim) {
        throw new SeedInputError(
          `${option} must be a Float32Array of ${count * dim} values (${count} x ${dim}), got ${given?.length}.`
        );
      }
      return given;
    };
    const noise = noiseOf(options.embeddingNoise, 'embeddingNoise');
    const conditional = conditioning.classLabels(embedding, params.noiseLevel ?? unclip.noiseLevel, noise);
    let unconditional = new Float32Array(count * 2 * dim);
    if (negative) {
      const repeated = concat(randoms.map(() => negative));
      const negativeNoise = noiseOf(options.negativeEmbeddingNoise, 'negativeEmbeddingNoise');
      unconditional = conditioning.classLabels(repeated, 0, negativeNoise);
    }
    const prompt = await this.getUnconditional();
    const [tokens, textDim] = unclip.textEmbedding;
    return {
      condition: concat(randoms.map(() => prompt)),
      unconditional: prompt,
      tokens,
      dim: textDim,
      classLabels: { input: unclip.classLabels, width: 2 * dim, conditional, unconditional }
    };
  }

  private getUnclip(): Promise<UnclipConditioning> {
    if (!this.unclip) {
      const dim = this.manifest.generationEmbedding.dim;
      const { noiseSchedule } = this.manifest.diffusion.unclip!;
      this.unclip = this.readFloat32('diffusion.unclip.imageNormalizer.path', 2 * dim).then(
        (stats) => new UnclipConditioning(imageNormalizer(stats), noiseSchedule)
      );
      this.unclip.catch(() => (this.unclip = undefined));
    }
    return this.unclip;
  }

  private getUnconditional(): Promise<Float32Array> {
    if (!this.unconditional) {
      const unclip = this.manifest.diffusion.unclip;
      const { tokens, dim } = this.manifest.generationEmbedding;
      const size = unclip ? unclip.textEmbedding[0] * unclip.textEmbedding[1] : tokens * dim;
      this.unconditional = this.readFloat32('diffusion.unconditional.path', size);
      this.unconditional.catch(() => (this.unconditional = undefined));
    }
    return this.unconditional;
  }

  /** Latents (UNet space, `count` of them) -> images through the VAE decoder. */
  private async vaeDecode(vae: Graph, latent: Float32Array, count: number): Promise<PngImage[]> {
    const { latentShape, vaeScale, outputSize } = this.manifest.diffusion;
    const [width, height] = outputSize;
    const plane = 3 * width * height;
    const scaled = latent.map((v) => v / vaeScale);
    const samples = await runBatched(
      vae,
      'latent_sample',
      'sample',
      scaled,
      latentShape,
      count,
      plane,
      `[N, 3, ${height}, ${width}] (diffusion.outputSize in the manifest)`
    );
    assertFinite(
      samples,
      (bad, all) =>
        `The VAE decoder turned a finite latent into ${bad} NaN or infinite pixel values of ${all}, so no image ` +
        'was made. Try a lower guidance scale (an extreme latent can overflow the decoder); if every setting ' +
        `fails, the VAE graph (${vae.file.path}) is faulty, e.g. an fp16 export that overflows: try its fp32 export.`
    );
    return Promise.all(
      Array.from({ length: count }, (_, i) =>
        toPng(fromSignedChw(samples.subarray(i * plane, (i + 1) * plane), width, height))
      )
    );
  }

  private async preview(x0: Float32Array, vae: Graph): Promise<PngImage> {
    const { preview, latentShape } = this.manifest.diffusion;
    if (preview) {
      const rgb = linearPreview(preview, x0, latentShape);
      return toPng(fromSignedChw(rgb, latentShape[2], latentShape[1]), true);
    }
    const [image] = await this.vaeDecode(vae, x0, 1);
    return image;
  }
}

/** Fixed dimensions the UNet declares for `sample` must agree with the manifest's latentShape. */
function checkLatentShape(unet: Graph, latentShape: [number, number, number]): void {
  const declared = unet.inputShape('sample').slice(1);
  const clash = declared.some((dim, i) => typeof dim === 'number' && dim !== latentShape[i]);
  if (clash) {
    throw new SeedModelError(
      `${unet.file.path} takes samples of shape [${unet.inputShape('sample').join(', ')}], but the manifest's ` +
        `diffusion.latentShape is [${latentShape.join(', ')}]. Fix latentShape (and outputSize) in seed-model.json.`
    );
  }
}

function concat(parts: Float32Array[]): Float32Array {
  const out = new Float32Array(parts.reduce((n, part) => n + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/**
 * Runs a one-input, one-output graph over `count` items stacked in `data` ([count, ...itemDims]): all at
 * once, or in chunks of the batch size the graph fixes. Checks that each item gives `outputPerItem` values.
 */
async function runBatched(
  graph: Graph,
  input: string,
  output: string,
  data: Float32Array,
  itemDims: readonly number[],
  count: number,
  outputPerItem: number,
  expectedShape: string,
  signal?: AbortSignal
): Promise<Float32Array> {
  const fixed = graph.inputShape(input)[0];
  const chunk = typeof fixed === 'number' && fixed > 0 ? fixed : count;
  const inputPerItem = itemDims.reduce((a, b) => a * b, 1);
  const out = new Float32Array(count * outputPerItem);
  for (let start = 0; start < count; start += chunk) {
    throwIfAborted(signal);
    const n = Math.min(chunk, count - start);
    const slice = data.subarray(start * inputPerItem, (start + n) * inputPerItem);
    const result = (await graph.run({ [input]: graph.tensor(input, slice, [n, ...itemDims]) }, [output]))[output];
    if (result.data.length !== n * outputPerItem) {
      throw new SeedModelError(
        `${graph.file.path}: output '${output}' has shape [${result.dims.join(', ')}]; ${expectedShape} expected.`
      );
    }
    out.set(result.data, start * outputPerItem);
  }
  return out;
}

/** The decode options the caller set (an explicit `undefined` keeps the manifest's default). */
function definedOnly(options: DecodeOptions): Partial<DecodeParams> {
  const out: Partial<DecodeParams> = {};
  for (const key of ['sampler', 'steps', 'guidance', 'seed'] as const) {
    if (options[key] !== undefined) {
      (out as Record<string, unknown>)[key] = options[key];
    }
  }
  return out;
}
