/** The data types of the runtime's public API (see index.ts). */
import type { ExecutionProviderName, SamplerName } from '../protocol/vocabulary';
import type { SessionSource } from './graph-cache';
import type { ThreadRequest } from './threads';

export type { ExecutionProviderName };

/**
 * How an image becomes RGB. `default`: apply the EXIF orientation and flatten transparency onto the
 * manifest's background. `release`: exactly what the SEED release does with PIL (`Image.open(...)
 * .convert("RGB")`): the stored pixel grid as is (EXIF orientation ignored) and alpha dropped, keeping
 * whatever colour lies under transparent pixels. Use it for tokens that must sit beside the release's own.
 */
export type Preprocess = 'default' | 'release';

/** An image: a file path, a `file://` URL (string or URL), or the encoded bytes of any format sharp reads. */
export type ImageInput = string | URL | Buffer | Uint8Array;

/** An 8-bit RGB image, row-major, interleaved (HWC): what images.ts decodes to and resize.ts resamples. */
export interface RgbImage {
  data: Buffer;
  width: number;
  height: number;
}

/** A PNG with its size. */
export interface PngImage {
  png: Buffer;
  width: number;
  height: number;
}

/** One codebook entry near an image's vector. */
export interface CodeCandidate {
  code: number;
  /**
   * Squared L2 distance between the pre-quantisation vector and the codebook entry; for `cosine` models
   * between the l2-normalised vectors (= 2 - 2 cos).
   */
  distance: number;
}

/** What encode() gives for one image. */
export interface Encoding {
  /** The numCodes (32) codes, in causal order. */
  codes: number[];
  /** Pre-quantisation vectors, row-major [numCodes, codeDim]. */
  features: Float32Array;
  /** For each position, the topK nearest codebook entries, nearest first (topK[i][0].code === codes[i]). */
  topK: CodeCandidate[][];
  /** The image as the encoder saw it (oriented, flattened, resized to the model size), before normalisation. */
  source: PngImage;
}

export interface EncodeOptions {
  /** How many nearest codebook entries to report per position (default 5, at least 1). */
  topK?: number;
  /** How images become RGB: `default` (EXIF orientation, alpha on the background) or `release` (as SEED's PIL code). */
  preprocess?: Preprocess;
  signal?: AbortSignal;
}

export interface DecodeProgress {
  /** Steps finished so far (1..total). */
  step: number;
  total: number;
  /** UNet calls so far (a guided call runs the unconditional and conditional halves as one batch). */
  unetEvaluations: number;
  /** The current x0 prediction, cheaply decoded (when previews are on for this step). */
  preview?: PngImage;
}

export interface DecodeOptions {
  /**
   * Sampler steps (manifest default: 50 for SEED v1). Every sampler visits CompVis' "uniform" timesteps,
   * floor(T/steps) apart from 1 (1, 21, ..., 981 for 50 of 1000); as in CompVis, a count that does not
   * divide T can run more steps (400 of 1000 runs 500). Progress and the result's params report the
   * steps that ran.
   */
  steps?: number;
  /** Classifier-free guidance scale (manifest default: 7.5); 1 skips the unconditional half. */
  guidance?: number;
  /** Seed of the initial noise (manifest default: 42). Same codes, seed and settings give the same bytes. */
  seed?: number;
  sampler?: SamplerName;
  /** DDIM eta (0 = deterministic); only the DDIM sampler takes it. */
  eta?: number;
  /** The initial latent, unit-variance noise [channels*height*width]; replaces the seeded noise. */
  initialLatent?: Float32Array;
  /**
   * Codes whose embedding replaces the empty condition in guidance (the same for every image). For
   * seed-v2 models this is the release's `negative_indices`; without them the negative half is all zeros.
   */
  negativeCodes?: number[];
  /** seed-v2 only: how much noise is added to the image embedding (0 .. 999; the model's default is 0). */
  noiseLevel?: number;
  /** seed-v2 only: unit-variance noise [count * embedding dim] for the image embedding; replaces the seeded noise. */
  embeddingNoise?: Float32Array;
  /** seed-v2 with negativeCodes: the same for the negative embedding (noised at level 0, as the release does). */
  negativeEmbeddingNoise?: Float32Array;
  /** Checked before every UNet call; an abort throws SeedCancelledError. */
  signal?: AbortSignal;
  onProgress?: (progress: DecodeProgress) => void;
  /**
   * Attach a preview every N steps (0 = never). Default 1 when the manifest has a linear preview,
   * else 0 (a VAE preview costs a VAE decode each time).
   */
  previewEvery?: number;
}

export interface DecodeParams {
  seed: number;
  sampler: SamplerName;
  /** The steps that ran (the sampler's schedule can run more than were asked; see DecodeOptions.steps). */
  steps: number;
  guidance: number;
  eta?: number;
  /** When `steps` differs from the count asked: that count (decode with it to get the same image). */
  stepsAsked?: number;
  /** When `steps` differs from the count asked: one short line saying why, to show beside the count. */
  stepsNote?: string;
  /** seed-v2 models: the noise level of the image embedding. */
  noiseLevel?: number;
}

/** What decode() gives. */
export interface Reconstruction extends PngImage {
  codes: number[];
  params: DecodeParams;
  /** UNet calls made (PLMS: steps + 1). */
  unetEvaluations: number;
}

export interface LoadOptions {
  /** Execution providers to try in order (default `['cuda', 'cpu']`); the first that works is used. */
  executionProviders?: ExecutionProviderName[];
  /** Check every file's sha256 before its first use (default true; hashing SD v1's 3.4 GB UNet takes seconds). */
  verifyHashes?: boolean;
  /** Largest input image in pixels (width*height) accepted (default 100 megapixels). */
  maxInputPixels?: number;
  /**
   * Threads ONNX Runtime uses within an operator. 0 or absent: SLURM_CPUS_PER_TASK when set, else one per
   * CPU this process may use (os.availableParallelism()). A ThreadRequest also names who asked, for the
   * reason `threads.reason` gives.
   */
  threads?: number | ThreadRequest;
  /**
   * Where recorded file hashes and optimized graphs are kept between processes (default: SEED_CACHE_DIR,
   * else $XDG_CACHE_HOME/jupyterlab-seed, else ~/.cache/jupyterlab-seed); null keeps nothing on disk.
   */
  cacheDir?: string | null;
  /**
   * Cached graphs whose weights take at least this many bytes start without weight prepacking, at once, and
   * switch to a full-speed session built in the background (from their second run, or on warmUp()).
   * Default 512 MiB (the full-size encoders, not seed-nano); Infinity turns quick starts off.
   */
  quickStartMinBytes?: number;
}

/** One ONNX session of a model, as SeedModel.sessionInfo() reports it. */
export interface SessionInfo {
  /** The manifest field of its graph, e.g. `tokenizer.encoder.path`. */
  field: string;
  /** 'cache': optimized graph loaded from the cache; 'built'/'rebuilt': optimized now and cached; 'uncached'. */
  source: SessionSource;
  loadSeconds: number;
  /**
   * Seconds until the session ran at full speed: loadSeconds, or more for a quick start from the cache
   * (a large graph loaded without weight prepacking, the full-speed session built in the background);
   * null while the quick one still runs.
   */
  fullSpeedSeconds: number | null;
}

/** What SeedModel.warmUp() reports: `done` of `total` parts ready, `field` the one loading (null when all are). */
export interface WarmUpProgress {
  done: number;
  total: number;
  field: string | null;
}

/** Which execution provider runs the graphs, and why that one. */
export interface ExecutionProviderChoice {
  name: ExecutionProviderName;
  reason: string;
}
