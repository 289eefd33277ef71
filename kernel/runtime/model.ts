/** SeedModel: a loaded model folder and the encode / decode / reconstruct pipelines over it. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { guidedUnet, linearPreview, runSampler, throwIfAborted } from './diffusion';
import { SeedInputError, SeedModelError } from './errors';
import { DEFAULT_MAX_INPUT_PIXELS, fromSignedChw, loadImage, normalizeImage, toPng } from './images';
import type { SamplerName, SeedModelManifest } from './manifest';
import { ModelFile, loadManifest, modelFiles, verifyFile } from './manifest-loader';
import { Quantizer } from './quantizer';
import { SeededRandom } from './random';
import { SAMPLER_NAMES, createSampler } from './samplers';
import { alphasCumprod } from './schedule';
import { Graph, SessionPool, chooseExecutionProvider } from './sessions';
import type {
  DecodeOptions,
  DecodeParams,
  EncodeOptions,
  Encoding,
  ExecutionProviderChoice,
  ImageInput,
  LoadOptions,
  PngImage,
  Reconstruction
} from './types';

const DEFAULT_TOP_K = 5;

/**
 * A loaded SEED model folder. ONNX sessions are created on first use and cached per file, so encoding
 * never loads the UNet; release() frees them (the next call loads them again).
 */
export class SeedModel {
  private readonly files: Map<string, ModelFile>;
  private readonly verified = new Map<string, Promise<void>>();
  private readonly sessions: SessionPool;
  private readonly alphas: Float64Array;
  private quantizer?: Promise<Quantizer>;
  private unconditional?: Promise<Float32Array>;

  private constructor(
    /** The model folder (absolute). */
    readonly dir: string,
    /** The validated manifest. */
    readonly manifest: SeedModelManifest,
    choice: ExecutionProviderChoice,
    private readonly options: Required<Pick<LoadOptions, 'verifyHashes' | 'maxInputPixels'>>
  ) {
    this.files = new Map(modelFiles(manifest, dir).map((file) => [file.field, file]));
    this.sessions = new SessionPool(choice, (file) => this.verify(file));
    this.alphas = alphasCumprod(manifest.diffusion.schedule);
  }

  /**
   * Reads and validates `<dir>/seed-model.json`, checks that every file it names exists, and picks the
   * execution provider. Throws SeedModelError naming the field or file and what to do.
   */
  static async load(dir: string, options: LoadOptions = {}): Promise<SeedModel> {
    const absolute = path.resolve(dir);
    const manifest = loadManifest(absolute);
    const choice = chooseExecutionProvider(options.executionProviders ?? ['cuda', 'cpu']);
    return new SeedModel(absolute, manifest, choice, {
      verifyHashes: options.verifyHashes ?? true,
      maxInputPixels: options.maxInputPixels ?? DEFAULT_MAX_INPUT_PIXELS
    });
  }

  /** Which execution provider runs the graphs, and why (it can change to CPU if CUDA fails to start). */
  get executionProvider(): ExecutionProviderChoice {
    return this.sessions.executionProvider;
  }

  /**
   * Encodes images to codes, pre-quantisation vectors and top-k alternatives. The images run through the
   * encoder as one batch (one by one if the graph's batch dimension is fixed at 1).
   */
  async encode(images: ImageInput[], options: EncodeOptions = {}): Promise<Encoding[]> {
    if (!Array.isArray(images)) {
      throw new SeedInputError('encode() takes an array of images (paths, file:// URLs or Buffers).');
    }
    const topK = options.topK ?? DEFAULT_TOP_K;
    if (!Number.isInteger(topK) || topK < 1) {
      throw new SeedInputError(`topK must be a whole number of at least 1, got ${topK}.`);
    }
    if (images.length === 0) {
      return [];
    }
    const { image: settings, tokenizer } = this.manifest;
    const loaded = await Promise.all(images.map((input) => loadImage(input, settings, this.options.maxInputPixels)));
    throwIfAborted(options.signal);
    const encoder = await this.graph('tokenizer.encoder.path');
    const inputName = tokenizer.encoder.inputs.image;
    const outputName = tokenizer.encoder.outputs.features;
    encoder.expect([inputName], [outputName]);
    const [width, height] = settings.size;
    const perImage = 3 * width * height;
    const fixedBatch = encoder.inputShape(inputName)[0];
    const batchSize = typeof fixedBatch === 'number' && fixedBatch > 0 ? fixedBatch : loaded.length;
    const perCode = tokenizer.numCodes * tokenizer.codeDim;
    const features = new Float32Array(loaded.length * perCode);
    for (let start = 0; start < loaded.length; start += batchSize) {
      throwIfAborted(options.signal);
      const batch = loaded.slice(start, start + batchSize);
      const pixels = new Float32Array(batch.length * perImage);
      batch.forEach((image, i) => normalizeImage(image, settings, pixels.subarray(i * perImage, (i + 1) * perImage)));
      const out = await encoder.run(
        { [inputName]: encoder.tensor(inputName, pixels, [batch.length, 3, height, width]) },
        [outputName]
      );
      const result = out[outputName];
      if (result.data.length !== batch.length * perCode) {
        throw new SeedModelError(
          `${encoder.file.path}: output '${outputName}' has shape [${result.dims.join(', ')}]; ` +
            `[${batch.length}, ${tokenizer.numCodes}, ${tokenizer.codeDim}] expected (numCodes, codeDim in the manifest).`
        );
      }
      features.set(result.data, start * perCode);
    }
    const quantizer = await this.getQuantizer();
    return Promise.all(
      loaded.map(async (image, i) => {
        const vectors = features.slice(i * perCode, (i + 1) * perCode);
        const { codes, topK: candidates } = quantizer.quantize(vectors, topK);
        return { codes, features: vectors, topK: candidates, source: await toPng(image) };
      })
    );
  }

  /** Codes -> generation embedding -> diffusion -> VAE -> PNG. */
  async decode(codes: number[], options: DecodeOptions = {}): Promise<Reconstruction> {
    this.checkCodes(codes);
    const params = this.decodeParams(options);
    const { tokenizer, generationEmbedding, diffusion } = this.manifest;
    const [c, h, w] = diffusion.latentShape;
    const latentSize = c * h * w;
    // One generator per decode: the initial latent first, then any noise the sampler draws (DDIM with eta > 0).
    const random = new SeededRandom(params.seed);
    let noise: Float32Array;
    if (options.initialLatent !== undefined) {
      if (!(options.initialLatent instanceof Float32Array) || options.initialLatent.length !== latentSize) {
        throw new SeedInputError(
          `initialLatent must be a Float32Array of ${latentSize} values (latent ${c}x${h}x${w}), got ${options.initialLatent?.length}.`
        );
      }
      noise = options.initialLatent;
    } else {
      noise = random.normal(latentSize);
    }
    throwIfAborted(options.signal);

    const quantizer = await this.getQuantizer();
    const decoder = await this.graph('tokenizer.decoder.path');
    const inName = tokenizer.decoder.inputs.codeVectors;
    const outName = tokenizer.decoder.outputs.embedding;
    decoder.expect([inName], [outName]);
    const embedding = (
      await decoder.run(
        { [inName]: decoder.tensor(inName, quantizer.lookup(codes), [1, tokenizer.numCodes, tokenizer.codeDim]) },
        [outName]
      )
    )[outName];
    const embeddingSize = generationEmbedding.tokens * generationEmbedding.dim;
    if (embedding.data.length !== embeddingSize) {
      throw new SeedModelError(
        `${decoder.file.path}: output '${outName}' has shape [${embedding.dims.join(', ')}]; ` +
          `[1, ${generationEmbedding.tokens}, ${generationEmbedding.dim}] expected (generationEmbedding in the manifest).`
      );
    }

    const unet = await this.graph('diffusion.unet.path');
    unet.expect(['sample', 'timestep', 'encoder_hidden_states'], ['out_sample']);
    const vae = await this.graph('diffusion.vaeDecoder.path');
    vae.expect(['latent_sample'], ['sample']);
    const { model, evaluations } = guidedUnet({
      unet,
      condition: embedding.data,
      unconditional: params.guidance === 1 ? new Float32Array(0) : await this.getUnconditional(),
      tokens: generationEmbedding.tokens,
      dim: generationEmbedding.dim,
      latentShape: diffusion.latentShape,
      guidance: params.guidance,
      prediction: diffusion.prediction,
      alphasCumprod: this.alphas,
      signal: options.signal
    });
    const sampler = createSampler(params.sampler, {
      alphasCumprod: this.alphas,
      steps: params.steps,
      eta: params.eta,
      noise: (length) => random.normal(length)
    });
    const previewEvery = options.previewEvery ?? (diffusion.preview ? 1 : 0);
    const latent = await runSampler(sampler, noise, model, {
      signal: options.signal,
      afterStep: options.onProgress
        ? async (step, total, x0) => {
            const wantPreview = previewEvery > 0 && (step % previewEvery === 0 || step === total);
            const preview = wantPreview ? await this.preview(x0, vae) : undefined;
            options.onProgress?.({ step, total, unetEvaluations: evaluations(), preview });
          }
        : undefined
    });
    throwIfAborted(options.signal);
    const image = await this.vaeDecode(vae, latent);
    return { ...image, codes: [...codes], params, unetEvaluations: evaluations() };
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
    await this.sessions.release();
  }

  private checkCodes(codes: unknown): asserts codes is number[] {
    const { numCodes, codebookSize } = this.manifest.tokenizer;
    if (!Array.isArray(codes)) {
      throw new SeedInputError(`Codes must be an array of ${numCodes} integers, got ${typeof codes}.`);
    }
    if (codes.length !== numCodes) {
      throw new SeedInputError(
        `Expected ${numCodes} codes, got ${codes.length}. A SEED image is exactly ${numCodes} codes.`
      );
    }
    codes.forEach((code, i) => {
      if (!Number.isInteger(code) || code < 0 || code >= codebookSize) {
        throw new SeedInputError(
          `Code ${i} is ${JSON.stringify(code)}; codes are integers from 0 to ${codebookSize - 1}.`
        );
      }
    });
  }

  private decodeParams(options: DecodeOptions): DecodeParams {
    const defaults = this.manifest.diffusion.defaults;
    const sampler: SamplerName = options.sampler ?? defaults.sampler;
    if (!SAMPLER_NAMES.includes(sampler)) {
      throw new SeedInputError(`Unknown sampler '${sampler}'; use one of ${SAMPLER_NAMES.join(', ')}.`);
    }
    const steps = options.steps ?? defaults.steps;
    const maxSteps = Math.floor(this.manifest.diffusion.schedule.trainSteps / 2);
    if (!Number.isInteger(steps) || steps < 1 || steps > maxSteps) {
      throw new SeedInputError(`steps must be a whole number from 1 to ${maxSteps}, got ${steps}.`);
    }
    const guidance = options.guidance ?? defaults.guidance;
    if (typeof guidance !== 'number' || !Number.isFinite(guidance) || guidance < 0) {
      throw new SeedInputError(`guidance must be a number >= 0 (1 = no guidance), got ${guidance}.`);
    }
    const seed = options.seed ?? defaults.seed;
    if (!Number.isSafeInteger(seed) || seed < 0) {
      throw new SeedInputError(`seed must be a whole number >= 0, got ${seed}.`);
    }
    const params: DecodeParams = { seed, sampler, steps, guidance };
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

  /** sha256 check of a file and its external data, once per model. */
  private verify(file: ModelFile): Promise<void> {
    if (!this.options.verifyHashes) {
      return Promise.resolve();
    }
    const related = [...this.files.values()].filter(
      (f) => f === file || f.field.startsWith(file.field.replace(/\.path$/, '.externalData['))
    );
    return Promise.all(
      related.map((f) => {
        let check = this.verified.get(f.path);
        if (!check) {
          check = verifyFile(f);
          this.verified.set(f.path, check);
          check.catch(() => this.verified.delete(f.path));
        }
        return check;
      })
    ).then(() => undefined);
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
      this.quantizer = this.readFloat32('tokenizer.codebook.path', codebookSize * codeDim).then(
        (codebook) => new Quantizer(codebook, { codebookSize, codeDim, distance, normalized: normalize })
      );
      this.quantizer.catch(() => (this.quantizer = undefined));
    }
    return this.quantizer;
  }

  private getUnconditional(): Promise<Float32Array> {
    if (!this.unconditional) {
      const { tokens, dim } = this.manifest.generationEmbedding;
      this.unconditional = this.readFloat32('diffusion.unconditional.path', tokens * dim);
      this.unconditional.catch(() => (this.unconditional = undefined));
    }
    return this.unconditional;
  }

  /** Latent (UNet space) -> image through the VAE decoder. */
  private async vaeDecode(vae: Graph, latent: Float32Array): Promise<PngImage> {
    const { latentShape, vaeScale, outputSize } = this.manifest.diffusion;
    const [c, h, w] = latentShape;
    const scaled = latent.map((v) => v / vaeScale);
    const { sample } = await vae.run({ latent_sample: vae.tensor('latent_sample', scaled, [1, c, h, w]) }, ['sample']);
    const [, channels, height, width] = sample.dims;
    if (channels !== 3 || sample.data.length !== 3 * height * width) {
      throw new SeedModelError(
        `${vae.file.path}: output 'sample' has shape [${sample.dims.join(', ')}]; [1, 3, height, width] expected.`
      );
    }
    if (width !== outputSize[0] || height !== outputSize[1]) {
      throw new SeedModelError(
        `${vae.file.path} produced ${width}x${height} images; the manifest's diffusion.outputSize says ${outputSize.join('x')}.`
      );
    }
    return toPng(fromSignedChw(sample.data, width, height));
  }

  private async preview(x0: Float32Array, vae: Graph): Promise<PngImage> {
    const { preview, latentShape } = this.manifest.diffusion;
    if (preview) {
      const rgb = linearPreview(preview, x0, latentShape);
      return toPng(fromSignedChw(rgb, latentShape[2], latentShape[1]));
    }
    return this.vaeDecode(vae, x0);
  }
}
