/**
 * The model-folder manifest (`seed-model.json`): its TypeScript type. `models/seed-model.schema.json`
 * describes the same thing for validation and editors; `manifest-loader.ts` reads and checks it.
 * See models/README.md for the folder layout.
 */
import type { DecodeParams, FamilyName } from '../protocol/vocabulary';

/** A file of the model folder. `path` is relative to the manifest's folder, or absolute. */
export interface ModelFileRef {
  path: string;
  /** Lower-case hex sha256 of the file's bytes. */
  sha256: string;
}

/** A raw little-endian tensor file (no header); its shape is given by the fields around it. */
export interface RawTensorFileRef extends ModelFileRef {
  dtype: 'float32';
}

/** An ONNX graph; `externalData` lists the weight files it references (ONNX external data, for graphs > 2 GB). */
export interface OnnxFileRef extends ModelFileRef {
  /** A path, or a path with its sha256 (a bare path is only checked for presence). */
  externalData?: (string | ModelFileRef)[];
}

export interface ImageSettings {
  /** The encoder's input size, [width, height]. */
  size: [number, number];
  /** Resize filter; images are resized to `size` without cropping. */
  resample: 'bicubic';
  /** Per-channel mean and std of the normalisation applied after scaling to [0, 1]. */
  mean: [number, number, number];
  std: [number, number, number];
  /** RGB (0-255) that transparent pixels are flattened onto. */
  background: [number, number, number];
}

export interface TokenizerSettings {
  /** Codes per image (32 for SEED). */
  numCodes: number;
  codebookSize: number;
  codeDim: number;
  /** `l2`: argmin of plain squared L2 (SEED v1). `cosine`: vectors and codebook l2-normalised first. */
  distance: 'l2' | 'cosine';
  /** Whether the codebook file is already l2-normalised. */
  normalize: boolean;
  /** [codebookSize, codeDim] float32. */
  codebook: RawTensorFileRef;
  /** Image [N, 3, H, W] -> pre-quantisation vectors [N, numCodes, codeDim]. */
  encoder: OnnxFileRef & { inputs: { image: string }; outputs: { features: string } };
  /** Code vectors [1, numCodes, codeDim] -> generation embedding [1, tokens, dim]. */
  decoder: OnnxFileRef & { inputs: { codeVectors: string }; outputs: { embedding: string } };
}

export type NoiseSchedule =
  | { kind: 'scaled_linear' | 'linear'; trainSteps: number; betaStart: number; betaEnd: number }
  | { kind: 'cosine'; trainSteps: number };

export type { SamplerName } from '../protocol/vocabulary';

/** Cheap preview of the sampler's current x0: `rgb = latent · matrix + bias` per latent pixel, in [-1, 1]. */
export interface LinearPreview {
  kind: 'linear';
  /** latentChannels rows of 3 (R, G, B) weights, applied to the UNet-space latent (before dividing by vaeScale). */
  matrix: number[][];
  bias: [number, number, number];
}

/**
 * Stable Diffusion 2.1 unCLIP conditioning (family `seed-v2`): the tokenizer's image embedding becomes the
 * UNet's class labels as diffusers' StableUnCLIPImg2ImgPipeline computes them: normalise with the image
 * normaliser, noise to `noiseLevel` on `noiseSchedule`, un-normalise, then append the sinusoidal embedding of
 * the noise level. Without negative codes the negative half of guidance gets all-zero class labels.
 */
export interface UnclipSettings {
  /** Name of the UNet's class-label input, [N, 2 * embedding dim]. */
  classLabels: string;
  /** [tokens, dim] of `diffusion.unconditional`: the empty prompt's text embedding, the UNet's encoder_hidden_states in both halves of guidance. */
  textEmbedding: [number, number];
  /** float32 [2, embedding dim]: the image normaliser's mean, then its std. */
  imageNormalizer: RawTensorFileRef;
  /** Schedule that noises the image embedding (diffusers' squaredcos_cap_v2 is `cosine`). */
  noiseSchedule: NoiseSchedule;
  /** Default noise level, 0 .. noiseSchedule.trainSteps - 1; the release decodes with 0. */
  noiseLevel: number;
  /** The diffusers scheduler class the export was configured with, e.g. `DDIMScheduler`. */
  scheduler: string;
}

export interface DiffusionSettings {
  /** diffusers ONNX layout: sample, timestep, encoder_hidden_states (+ class labels for unCLIP) -> out_sample. */
  unet: OnnxFileRef;
  /** diffusers ONNX layout: latent_sample -> sample. */
  vaeDecoder: OnnxFileRef;
  /** Optional SD text encoder (diffusers layout); the runtime does not need it to decode codes. */
  textEncoder?: OnnxFileRef;
  /**
   * seed-v1: generation embedding of the empty condition, float32 [1, tokens, dim].
   * seed-v2: the empty prompt's text embedding, float32 [1, ...unclip.textEmbedding].
   */
  unconditional: RawTensorFileRef;
  /** [channels, height, width] of the latent. */
  latentShape: [number, number, number];
  /** The latent is divided by this before the VAE decoder. */
  vaeScale: number;
  /** The VAE decoder's output size, [width, height]. */
  outputSize: [number, number];
  prediction: 'epsilon' | 'v';
  schedule: NoiseSchedule;
  defaults: DecodeParams;
  preview?: LinearPreview;
  /** Required for `seed-v2`, absent for `seed-v1`. */
  unclip?: UnclipSettings;
}

export interface SeedModelManifest {
  $schema?: string;
  formatVersion: 1;
  /** Short name, e.g. `seed-nano`. */
  id: string;
  /** `seed-v1`: SEED v1 with a Stable Diffusion v1.x decoder. `seed-v2`: the SEED-LLaMA tokenizer, whose 1x1024 image embedding conditions SD 2.1 unCLIP. */
  family: FamilyName;
  description?: string;
  image: ImageSettings;
  tokenizer: TokenizerSettings;
  generationEmbedding: { tokens: number; dim: number };
  diffusion: DiffusionSettings;
}
