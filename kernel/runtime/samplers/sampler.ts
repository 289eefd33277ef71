/**
 * The contract every sampler fulfils. A sampler is a small object over a noise schedule: it knows its
 * timesteps and advances a latent one step at a time, calling the model as often as its method needs.
 * It works in epsilon prediction; the caller converts other parameterisations. Samplers never touch
 * ONNX, so they are tested with closed-form toy models.
 */
import type { SamplerName } from '../../protocol/vocabulary';

/** Predicts the noise in `x` (the variance-preserving latent the UNet sees) at training timestep `t`. */
export type EpsilonModel = (x: Float32Array, t: number) => Promise<Float32Array>;

export interface SamplerStep {
  /** The sampler's state after the step; after the last step it is the clean latent. */
  x: Float32Array;
  /** The model's current estimate of the clean latent. */
  x0: Float32Array;
}

export interface Sampler {
  readonly name: SamplerName;
  /** Training timesteps the steps start from, in the order visited (descending). */
  readonly timesteps: readonly number[];
  /** The starting state made from unit-variance noise. */
  initialState(noise: Float32Array): Float32Array;
  /** Step `i` (0-based, called in order 0, 1, ...) from state `x`. */
  step(i: number, x: Float32Array, model: EpsilonModel): Promise<SamplerStep>;
}

export interface SamplerSettings {
  /** alphas_cumprod of the training schedule. */
  alphasCumprod: Float64Array;
  steps: number;
  /** DDIM only: 0 is deterministic, 1 is DDPM-like. */
  eta?: number;
  /** DDIM with eta > 0: fresh unit-variance noise of length n for each step. */
  noise?: (length: number) => Float32Array;
}

/**
 * CompVis "uniform" timesteps: every floor(T/steps)-th training step starting at 0, shifted by one
 * (1, 21, ..., 981 for 50 steps of 1000), visited in descending order. As in CompVis, a step count that
 * does not divide T can give more steps than asked (400 of 1000 runs every 2nd step: 500);
 * `stepCountNote` says so in words.
 *
 * When the stride divides T - 1 (27, 111 or 251 to 333 steps of 1000), the shifted last multiple is T
 * itself, past the end of the schedule: CompVis fails there with an IndexError. We drop that one step
 * rather than refuse the count or shift the others: every timestep that remains is CompVis's own, the
 * run still starts within one stride of pure noise, the step count comes out as close to the one asked
 * (27 runs exactly 27) and every count the settings accept keeps working.
 */
export function uniformTimesteps(trainSteps: number, steps: number): number[] {
  const stride = Math.floor(trainSteps / steps);
  if (!Number.isInteger(steps) || steps < 1 || stride < 2) {
    throw new RangeError(`steps must be an integer from 1 to ${Math.floor(trainSteps / 2)}, got ${steps}.`);
  }
  const ascending: number[] = [];
  for (let t = 0; t + 1 < trainSteps; t += stride) {
    ascending.push(t + 1);
  }
  return ascending.reverse();
}

/**
 * One short line saying why the number of steps that run differs from the number asked, or undefined
 * when they agree. Shown next to results so the count in their header is never a surprise.
 */
export function stepCountNote(trainSteps: number, asked: number): string | undefined {
  const ran = uniformTimesteps(trainSteps, asked).length;
  if (ran === asked) {
    return undefined;
  }
  const stride = Math.floor(trainSteps / asked);
  return (
    `${ran} steps ran (${asked} asked): the uniform schedule visits every ${ordinal(stride)} of the ` +
    `${trainSteps} training steps; step counts that divide ${trainSteps} run exactly.`
  );
}

function ordinal(n: number): string {
  const tens = n % 100;
  const suffix = tens >= 11 && tens <= 13 ? 'th' : (['th', 'st', 'nd', 'rd'][n % 10] ?? 'th');
  return `${n}${suffix}`;
}

/** x0 = (x - sqrt(1 - a) e) / sqrt(a). */
export function predictX0(x: Float32Array, eps: Float32Array, alpha: number): Float32Array {
  const out = new Float32Array(x.length);
  const s = Math.sqrt(1 - alpha);
  const r = 1 / Math.sqrt(alpha);
  for (let i = 0; i < x.length; i++) {
    out[i] = (x[i] - s * eps[i]) * r;
  }
  return out;
}
