/**
 * Stable Diffusion 2.1 unCLIP conditioning (family seed-v2): how an image embedding becomes the UNet's class
 * labels, as diffusers' StableUnCLIPImg2ImgPipeline computes them for SEED-LLaMA's `decode`:
 *
 *   scaled   = (embedding - mean) / std                       (the pipeline's image normaliser)
 *   noised   = sqrt(a[level]) scaled + sqrt(1 - a[level]) n   (its image-noising scheduler, n ~ N(0, 1))
 *   labels   = [noised * std + mean, timestepEmbedding(level)]
 *
 * a = alphas_cumprod of the noising schedule (squaredcos_cap_v2), so even level 0 adds a little noise,
 * as in the release. Without negative codes, the negative half of guidance gets all-zero labels (the
 * pipeline's zeros_like of the noised, concatenated embedding); negative codes are noised at level 0.
 */
import type { UnetCall } from './diffusion';
import { SeedInputError } from './errors';
import { concatFloat32 } from './graph-batches';
import type { NoiseSchedule, UnclipSettings } from './manifest';
import type { SeededRandom } from './random';
import { alphasCumprod } from './schedule';

/**
 * diffusers' get_timestep_embedding(t, dim, flip_sin_to_cos=True, downscale_freq_shift=0): frequencies
 * exp(-ln(10000) i / (dim/2)) for i < dim/2, cosines first, then sines.
 */
export function timestepEmbedding(t: number, dim: number): Float32Array {
  if (dim % 2 !== 0) {
    throw new RangeError(`The noise-level embedding needs an even width, got ${dim}.`);
  }
  const half = dim / 2;
  const out = new Float32Array(dim);
  for (let i = 0; i < half; i++) {
    const angle = t * Math.exp((-Math.log(10000) * i) / half);
    out[i] = Math.cos(angle);
    out[half + i] = Math.sin(angle);
  }
  return out;
}

export interface ImageNormalizer {
  mean: Float32Array;
  std: Float32Array;
}

/** Splits the manifest's [2, dim] normaliser file into mean and std. */
export function imageNormalizer(stats: Float32Array): ImageNormalizer {
  const dim = stats.length / 2;
  return { mean: stats.slice(0, dim), std: stats.slice(dim) };
}

export class UnclipConditioning {
  readonly dim: number;
  private readonly alphas: Float64Array;

  constructor(
    private readonly normalizer: ImageNormalizer,
    noiseSchedule: NoiseSchedule
  ) {
    this.dim = normalizer.mean.length;
    this.alphas = alphasCumprod(noiseSchedule);
  }

  /** Highest noise level the schedule allows. */
  get maxNoiseLevel(): number {
    return this.alphas.length - 1;
  }

  /**
   * Class labels [count, 2 * dim] for `count` embeddings [count, dim] at `level`, with unit-variance noise
   * [count, dim] (the caller draws it, seeded, so a decode is repeatable).
   */
  classLabels(embeddings: Float32Array, level: number, noise: Float32Array): Float32Array {
    const { dim } = this;
    const count = embeddings.length / dim;
    if (!Number.isInteger(level) || level < 0 || level > this.maxNoiseLevel) {
      throw new RangeError(`noise level must be a whole number from 0 to ${this.maxNoiseLevel}, got ${level}.`);
    }
    if (!Number.isInteger(count) || noise.length !== embeddings.length) {
      throw new RangeError(`classLabels takes embeddings and noise of ${dim} values per image.`);
    }
    const { mean, std } = this.normalizer;
    const a = this.alphas[level];
    // float32 like the pipeline's tensors: the coefficients are rounded before use.
    const signal = Math.fround(Math.sqrt(a));
    const spread = Math.fround(Math.sqrt(1 - a));
    const levelEmbedding = timestepEmbedding(level, dim);
    const out = new Float32Array(count * 2 * dim);
    for (let n = 0; n < count; n++) {
      for (let i = 0; i < dim; i++) {
        const j = n * dim + i;
        const scaled = (embeddings[j] - mean[i]) / std[i];
        out[n * 2 * dim + i] = (signal * scaled + spread * noise[j]) * std[i] + mean[i];
      }
      out.set(levelEmbedding, n * 2 * dim + dim);
    }
    return out;
  }
}

/** What a seed-v2 decode of `randoms.length` images gives the guided UNet (see unclipUnetInputs). */
export interface UnclipDecode {
  unclip: UnclipSettings;
  conditioning: UnclipConditioning;
  /** The empty prompt's text embedding (`diffusion.unconditional`). */
  prompt: Float32Array;
  /** Image embeddings [count, dim] from the codes, and the negative codes' one [1, dim] if any. */
  embedding: Float32Array;
  negative: Float32Array | undefined;
  noiseLevel: number;
  /** One generator per image; label noise is drawn from it, after the image's initial latent. */
  randoms: SeededRandom[];
  /** Explicit label noise, [count, dim] each (tests and parity checks pass the release's). */
  embeddingNoise?: Float32Array;
  negativeEmbeddingNoise?: Float32Array;
}

/**
 * seed-v2: the UNet sees the empty prompt's text embedding in both halves of guidance, and the image
 * embedding through its class labels; negative codes (noised at level 0, as the release does) or all
 * zeros make the unconditional labels.
 */
export function unclipUnetInputs(
  decode: UnclipDecode
): Pick<UnetCall, 'condition' | 'unconditional' | 'tokens' | 'dim' | 'classLabels'> {
  const { conditioning, randoms, prompt } = decode;
  const count = randoms.length;
  const { dim } = conditioning;
  const noiseOf = (given: Float32Array | undefined, option: string): Float32Array => {
    if (given === undefined) {
      return concatFloat32(randoms.map((random) => random.normal(dim)));
    }
    if (!(given instanceof Float32Array) || given.length !== count * dim) {
      throw new SeedInputError(
        `${option} must be a Float32Array of ${count * dim} values (${count} x ${dim}), got ${given?.length}.`
      );
    }
    return given;
  };
  const noise = noiseOf(decode.embeddingNoise, 'embeddingNoise');
  const conditional = conditioning.classLabels(decode.embedding, decode.noiseLevel, noise);
  let unconditional = new Float32Array(count * 2 * dim);
  if (decode.negative) {
    const repeated = concatFloat32(randoms.map(() => decode.negative!));
    const negativeNoise = noiseOf(decode.negativeEmbeddingNoise, 'negativeEmbeddingNoise');
    unconditional = conditioning.classLabels(repeated, 0, negativeNoise);
  }
  const [tokens, textDim] = decode.unclip.textEmbedding;
  return {
    condition: concatFloat32(randoms.map(() => prompt)),
    unconditional: prompt,
    tokens,
    dim: textDim,
    classLabels: { input: decode.unclip.classLabels, width: 2 * dim, conditional, unconditional }
  };
}
