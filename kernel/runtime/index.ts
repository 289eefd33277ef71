/**
 * The SEED runtime: plain TypeScript on Node with ONNX Runtime and sharp, no Jupyter inside.
 * The kernel, the CLI, the tests and the benchmark all use it through this module.
 *
 * ```ts
 * const model = await SeedModel.load('models/seed-nano');
 * const [encoding] = await model.encode(['cat.png']);          // 32 codes + top-k + features
 * const image = await model.decode(encoding.codes, { seed: 42 }); // PNG bytes
 * await model.release();
 * ```
 *
 * Failures are SeedError subclasses whose messages say what to do: SeedInputError (bad image or codes),
 * SeedModelError (model folder or ONNX file), SeedCancelledError (AbortSignal), SeedOutOfMemoryError (GPU),
 * SeedNumericError (sampling or a graph produced NaN or infinity).
 */
export { SeedModel } from './model';
export { PREPROCESS_MODES } from './images';
export type { PreparedImage } from './images';
export type { Preprocess } from './types';
export {
  SeedError,
  SeedInputError,
  SeedModelError,
  SeedCancelledError,
  SeedOutOfMemoryError,
  SeedNumericError
} from './errors';
export type {
  SeedModelManifest,
  SamplerName,
  NoiseSchedule,
  ImageSettings,
  TokenizerSettings,
  DiffusionSettings,
  ModelFileRef,
  OnnxFileRef,
  RawTensorFileRef,
  LinearPreview
} from './manifest';
export type {
  ImageInput,
  PngImage,
  RgbImage,
  CodeCandidate,
  Encoding,
  EncodeOptions,
  DecodeOptions,
  DecodeProgress,
  DecodeParams,
  Reconstruction,
  LoadOptions,
  ExecutionProviderName,
  ExecutionProviderChoice,
  SessionInfo,
  WarmUpProgress
} from './types';
export { chooseThreads } from './threads';
export type { ThreadChoice, ThreadRequest } from './threads';
export type { SessionSource } from './graph-cache';
export { defaultCacheDir } from './cache-dir';
