/**
 * The SEED output payload: what the kernel puts under `application/vnd.seed.v1+json` in
 * display_data / execute_result, always next to `image/png` and `text/plain` fallbacks so any
 * Jupyter frontend shows something. `seed-mime.schema.json` describes the same shape.
 *
 * Types only (no imports): the browser frontend imports these with `import type`.
 */

export const SEED_MIME_TYPE = 'application/vnd.seed.v1+json';

export type SeedSamplerName = 'plms' | 'ddim' | 'euler' | 'dpmpp';

/** A PNG on the wire: base64 bytes and its pixel size. */
export interface SeedPng {
  png: string;
  width: number;
  height: number;
}

/** The model that made the codes; codes of one model mean nothing to another. */
export interface SeedModelRef {
  id: string;
  /** sha256 of the model's seed-model.json (which pins every file's sha256). */
  sha256: string;
  codebookSize: number;
  /**
   * The model's own sampler defaults (its manifest's `diffusion.defaults`): a decode form starts
   * from them unless the user set their own in the settings.
   */
  defaults?: SeedDecodeParams;
}

/** One codebook entry near the image's vector at one position. */
export interface SeedCodeCandidate {
  code: number;
  /** Distance in the model's metric (squared L2, or 2 - 2cos for cosine models). */
  distance: number;
}

/**
 * The largest classifier-free guidance scale a decode accepts. Useful scales are 1 to about 20 (SEED v1
 * uses 7.5, seed-nano 2); far above that images only saturate, and astronomically large scales overflow
 * float32 into NaN. 100 leaves room to experiment (ComfyUI allows the same) while refusing nonsense.
 */
export const SEED_MAX_GUIDANCE = 100;

/** The sampler settings of one decode. */
export interface SeedDecodeParams {
  sampler: SeedSamplerName;
  /** In a result: the steps that ran, which CompVis's uniform schedule can make more than were asked. */
  steps: number;
  guidance: number;
  seed: number;
  /** In a result whose `steps` differs from the count asked: that count (decode with it to get the same image). */
  stepsAsked?: number;
  /** In a result whose `steps` differs from the count asked: one short line saying why, to show beside it. */
  stepsNote?: string;
}

/** Where a result came from: an image file, a variable, or the codes of an earlier result. */
export interface SeedLineage {
  /** The image file (path or file:// URL) that was encoded, when there was one. */
  sourceFile?: string;
  /** The codes the decode started from, when they differ from an encoding's own (edited codes). */
  fromCodes?: number[];
  /** Name of the variable the result was bound to (`--as NAME`). */
  variable?: string;
}

/**
 * `encoding`: an image's codes (with `source` and top-k alternatives). `reconstruction`: an image
 * decoded from codes (`image`, `params`). `recon`: both, side by side (`%seed recon`).
 */
export type SeedPayloadKind = 'encoding' | 'reconstruction' | 'recon';

export interface SeedPayload {
  version: 1;
  kind: SeedPayloadKind;
  /** A short label: the image's file name, or the variable the result is bound to. */
  label?: string;
  model: SeedModelRef;
  /** The codes in causal order (numCodes of them, 32 for SEED). */
  codes: number[];
  /** For each position the nearest codebook entries, nearest first (topK[i][0].code === codes[i]). */
  topK?: SeedCodeCandidate[][];
  /** The image as the encoder saw it. */
  source?: SeedPng;
  /** The decoded image. */
  image?: SeedPng;
  params?: SeedDecodeParams;
  lineage?: SeedLineage;
}

/** A full SEED output bundle as the kernel sends it. */
export interface SeedMimeBundle {
  [SEED_MIME_TYPE]: SeedPayload;
  /** base64 PNG: the decoded image, else the source image. */
  'image/png': string;
  'text/plain': string;
}
