/** SeedModel: a loaded model folder and the encode / decode / reconstruct pipelines over it. */
import * as path from 'node:path';
import { guidedUnet, runSampler, throwIfAborted } from './diffusion';
import { SeedInputError } from './errors';
import { assertFinite } from './finite';
import { checkCodes, paramsThatRan, resolveDecodeParams, resolvePreviewEvery, startingNoise } from './decode-params';
import { concatFloat32, runBatched } from './graph-batches';
import { DEFAULT_MAX_INPUT_PIXELS, PreparedImage, RgbImage, normalizeImage, prepareImage, toPng } from './images';
import { checkLatentShape, latentsToImages, previewImage } from './latent-images';
import type { SeedModelManifest } from './manifest';
import { defaultCacheDir } from './cache-dir';
import { GraphCache, QUICK_START_MIN_BYTES } from './graph-cache';
import { loadManifest } from './manifest-loader';
import { ModelFiles } from './model-files';
import { Quantizer } from './quantizer';
import { createSampler } from './samplers';
import { DEFAULT_KERNEL_SETTINGS } from '../protocol/settings';
import { EXECUTION_PROVIDER_NAMES } from '../protocol/vocabulary';
import { alphasCumprod } from './schedule';
import { Graph, SessionPool, chooseExecutionProvider } from './sessions';
import { ThreadChoice, chooseThreads } from './threads';
import { UnclipConditioning, imageNormalizer, unclipUnetInputs } from './unclip';
import type {
  DecodeOptions,
  EncodeOptions,
  Encoding,
  ExecutionProviderChoice,
  ImageInput,
  LoadOptions,
  Preprocess,
  Reconstruction,
  SessionInfo,
  WarmUpProgress
} from './types';

/**
 * A loaded SEED model folder. ONNX sessions are created on first use and cached per file, so encoding
 * never loads the UNet; release() frees them (the next call loads them again).
 */
export class SeedModel {
  private readonly sessions: SessionPool;
  private readonly alphas: Float64Array;
  private quantizer?: Promise<Quantizer>;
  private unconditional?: Promise<Float32Array>;
  private unclip?: Promise<UnclipConditioning>;

  private constructor(
    /** The model folder (absolute). */
    readonly dir: string,
    /** The validated manifest. */
    readonly manifest: SeedModelManifest,
    /** Its files by manifest field, with their sha256 checks. */
    private readonly files: ModelFiles,
    choice: ExecutionProviderChoice,
    /** How many intra-op threads each session uses, and why. */
    readonly threads: ThreadChoice,
    /** Recorded hashes and optimized graphs (see cache-dir.ts); null keeps nothing on disk. */
    readonly cacheDir: string | null,
    private readonly options: Required<Pick<LoadOptions, 'maxInputPixels' | 'quickStartMinBytes'>>
  ) {
    this.sessions = new SessionPool(
      choice,
      (file) => this.files.identify(file),
      threads,
      cacheDir === null ? null : new GraphCache(cacheDir),
      options.quickStartMinBytes
    );
    this.alphas = alphasCumprod(manifest.diffusion.schedule);
  }

  /**
   * Reads and validates `<dir>/seed-model.json`, checks that every file it names exists, and picks the
   * execution provider. Throws SeedModelError naming the field or file and what to do.
   */
  static async load(dir: string, options: LoadOptions = {}): Promise<SeedModel> {
    const absolute = path.resolve(dir);
    const manifest = loadManifest(absolute);
    const cacheDir = options.cacheDir === undefined ? defaultCacheDir() : options.cacheDir;
    const files = new ModelFiles(absolute, manifest, cacheDir, options.verifyHashes ?? true);
    const threads = chooseThreads(
      typeof options.threads === 'number'
        ? { count: options.threads, source: 'the threads load option' }
        : options.threads
    );
    const choice = chooseExecutionProvider(options.executionProviders ?? [...EXECUTION_PROVIDER_NAMES]);
    return new SeedModel(absolute, manifest, files, choice, threads, cacheDir, {
      maxInputPixels: options.maxInputPixels ?? DEFAULT_MAX_INPUT_PIXELS,
      quickStartMinBytes: options.quickStartMinBytes ?? QUICK_START_MIN_BYTES
    });
  }

  /** Which execution provider runs the graphs, and why (it can change to CPU if CUDA fails to start). */
  get executionProvider(): ExecutionProviderChoice {
    return this.sessions.executionProvider;
  }

  /** The sessions created so far: which file, whether its optimized graph came from the cache, how long. */
  sessionInfo(): SessionInfo[] {
    return this.sessions.loaded().map((graph) => ({
      field: graph.file.field,
      source: graph.source,
      loadSeconds: graph.loadSeconds,
      fullSpeedSeconds: graph.fullSpeedSeconds
    }));
  }

  /**
   * Creates the sessions encode() needs (encoder graph, quantiser) ahead of the first call, so that a
   * kernel can prepare them in the background while the user is still typing, and waits until they run at
   * full speed (a quick start from the cache can already encode meanwhile). Reports each part before it
   * starts and once all are done; failures reject (the next encode() tries again and says why).
   */
  async warmUp(onProgress?: (progress: WarmUpProgress) => void): Promise<void> {
    const steps: [string, () => Promise<unknown>][] = [
      ['tokenizer.encoder.path', async () => (await this.graph('tokenizer.encoder.path')).whenFullSpeed()],
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
    const features = await runBatched(encoder, {
      input: inputName,
      output: outputName,
      data: pixels,
      itemDims: [3, height, width],
      count: loaded.length,
      outputPerItem: perCode,
      expectedShape: `[N, ${tokenizer.numCodes}, ${tokenizer.codeDim}] (numCodes, codeDim in the manifest)`,
      signal: options.signal
    });
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
      this.files.verify(this.files.get('tokenizer.encoder.path')),
      this.files.verify(this.files.get('tokenizer.codebook.path'))
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
    const { tokenizer, generationEmbedding, diffusion } = this.manifest;
    codesList.forEach((codes, i) => checkCodes(tokenizer, codes, codesList.length > 1 ? `Image ${i}: ` : ''));
    if (options.negativeCodes !== undefined) {
      checkCodes(tokenizer, options.negativeCodes, 'Negative codes: ');
    }
    const asked = resolveDecodeParams(this.manifest, options);
    const count = codesList.length;
    const [c, h, w] = diffusion.latentShape;
    const latentSize = c * h * w;
    const { randoms, noise } = startingNoise(diffusion.latentShape, asked.seed, count, options.initialLatent);
    throwIfAborted(options.signal);

    const embedding = await this.embedCodes(codesList);
    const guided = asked.guidance !== 1;
    // Negative codes stand in for the empty condition: their embedding is the unconditional half of guidance.
    const negative = guided && options.negativeCodes ? await this.embedCodes([options.negativeCodes]) : undefined;

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
      ? unclipUnetInputs({
          unclip,
          conditioning: await this.getUnclip(),
          prompt: await this.getUnconditional(),
          embedding,
          negative,
          noiseLevel: asked.noiseLevel ?? unclip.noiseLevel,
          randoms,
          embeddingNoise: options.embeddingNoise,
          negativeEmbeddingNoise: options.negativeEmbeddingNoise
        })
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
      noise: (length) => concatFloat32(randoms.map((random) => random.normal(length / count)))
    });
    const params = paramsThatRan(this.manifest, asked, sampler.timesteps.length);
    const previewEvery = resolvePreviewEvery(this.manifest, options);
    const latent = await runSampler(sampler, noise, model, {
      signal: options.signal,
      afterStep: options.onProgress
        ? async (step, total, x0) => {
            const wantPreview = previewEvery > 0 && (step % previewEvery === 0 || step === total);
            const preview = wantPreview ? await previewImage(diffusion, vae, x0.subarray(0, latentSize)) : undefined;
            options.onProgress?.({ step, total, unetEvaluations: evaluations(), preview });
          }
        : undefined
    });
    throwIfAborted(options.signal);
    const images = await latentsToImages(diffusion, vae, latent, count);
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

  /** Codes -> generation embeddings [list.length, tokens, dim] through the tokenizer's decoder. */
  private async embedCodes(list: number[][]): Promise<Float32Array> {
    const { tokenizer, generationEmbedding } = this.manifest;
    const quantizer = await this.getQuantizer();
    const decoder = await this.graph('tokenizer.decoder.path');
    const input = tokenizer.decoder.inputs.codeVectors;
    const output = tokenizer.decoder.outputs.embedding;
    decoder.expect([input], [output]);
    const values = await runBatched(decoder, {
      input,
      output,
      data: concatFloat32(list.map((codes) => quantizer.lookup(codes))),
      itemDims: [tokenizer.numCodes, tokenizer.codeDim],
      count: list.length,
      outputPerItem: generationEmbedding.tokens * generationEmbedding.dim,
      expectedShape: `[N, ${generationEmbedding.tokens}, ${generationEmbedding.dim}] (generationEmbedding in the manifest)`
    });
    assertFinite(
      values,
      (bad, all) =>
        `The tokenizer decoder returned ${bad} NaN or infinite values of ${all} for these codes, so nothing can ` +
        `be decoded from them. The decoder graph (${decoder.file.path}) is faulty: check the model's files.`
    );
    return values;
  }

  private graph(field: string): Promise<Graph> {
    return this.sessions.get(this.files.get(field));
  }

  private getQuantizer(): Promise<Quantizer> {
    if (!this.quantizer) {
      const { codebookSize, codeDim, distance, normalize } = this.manifest.tokenizer;
      this.quantizer = this.files
        .readFloat32('tokenizer.codebook.path', codebookSize * codeDim)
        .then((codebook) =>
          Quantizer.create(codebook, { codebookSize, codeDim, distance, normalized: normalize }, this.threads)
        );
      this.quantizer.catch(() => (this.quantizer = undefined));
    }
    return this.quantizer;
  }

  private getUnclip(): Promise<UnclipConditioning> {
    if (!this.unclip) {
      const dim = this.manifest.generationEmbedding.dim;
      const { noiseSchedule } = this.manifest.diffusion.unclip!;
      this.unclip = this.files
        .readFloat32('diffusion.unclip.imageNormalizer.path', 2 * dim)
        .then((stats) => new UnclipConditioning(imageNormalizer(stats), noiseSchedule));
      this.unclip.catch(() => (this.unclip = undefined));
    }
    return this.unclip;
  }

  private getUnconditional(): Promise<Float32Array> {
    if (!this.unconditional) {
      const unclip = this.manifest.diffusion.unclip;
      const { tokens, dim } = this.manifest.generationEmbedding;
      const size = unclip ? unclip.textEmbedding[0] * unclip.textEmbedding[1] : tokens * dim;
      this.unconditional = this.files.readFloat32('diffusion.unconditional.path', size);
      this.unconditional.catch(() => (this.unconditional = undefined));
    }
    return this.unconditional;
  }
}
