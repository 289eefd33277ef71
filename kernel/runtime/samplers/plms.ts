/**
 * PLMS (pseudo linear multi-step, Liu et al. 2022) exactly as the CompVis latent-diffusion code that
 * SEED v1 samples with (ldm/models/diffusion/plms.py, eta 0):
 * - timesteps 1, 21, ..., 981 for 50 steps; a_prev is alphas_cumprod of the next timestep visited, and
 *   alphas_cumprod[0] for the last step;
 * - first step: pseudo improved Euler (update with e_t, evaluate at the result and the next timestep,
 *   use the mean of both); later steps: Adams-Bashforth of order 2, 3, 4 over the remembered raw e_t;
 * - so n steps cost n + 1 model evaluations.
 */
import { EpsilonModel, Sampler, SamplerSettings, SamplerStep, predictX0, uniformTimesteps } from './sampler';

export class PlmsSampler implements Sampler {
  readonly name = 'plms' as const;
  readonly timesteps: readonly number[];
  private readonly alphas: number[];
  private readonly alphasPrev: number[];
  /** Raw e_t of earlier steps, oldest first, at most three. */
  private readonly history: Float32Array[] = [];

  constructor(settings: SamplerSettings) {
    const ac = settings.alphasCumprod;
    this.timesteps = uniformTimesteps(ac.length, settings.steps);
    this.alphas = this.timesteps.map((t) => ac[t]);
    this.alphasPrev = this.timesteps.map((_, i) => (i + 1 < this.timesteps.length ? ac[this.timesteps[i + 1]] : ac[0]));
  }

  initialState(noise: Float32Array): Float32Array {
    return Float32Array.from(noise);
  }

  async step(i: number, x: Float32Array, model: EpsilonModel): Promise<SamplerStep> {
    const eps = await model(x, this.timesteps[i]);
    let epsPrime: Float32Array;
    const h = this.history;
    if (h.length === 0) {
      const { x: xNext } = this.update(i, x, eps);
      // CompVis clamps the "next" index, so a single-step run evaluates twice at the same timestep.
      const tNext = this.timesteps[Math.min(i + 1, this.timesteps.length - 1)];
      const epsNext = await model(xNext, tNext);
      epsPrime = combine([eps, epsNext], [1 / 2, 1 / 2]);
    } else if (h.length === 1) {
      epsPrime = combine([eps, h[0]], [3 / 2, -1 / 2]);
    } else if (h.length === 2) {
      epsPrime = combine([eps, h[1], h[0]], [23 / 12, -16 / 12, 5 / 12]);
    } else {
      epsPrime = combine([eps, h[2], h[1], h[0]], [55 / 24, -59 / 24, 37 / 24, -9 / 24]);
    }
    h.push(eps);
    if (h.length > 3) {
      h.shift();
    }
    return this.update(i, x, epsPrime);
  }

  /** The DDIM (eta 0) update from timestep i to the next. */
  private update(i: number, x: Float32Array, eps: Float32Array): SamplerStep {
    const x0 = predictX0(x, eps, this.alphas[i]);
    const aPrev = this.alphasPrev[i];
    const a = Math.sqrt(aPrev);
    const b = Math.sqrt(1 - aPrev);
    const out = new Float32Array(x.length);
    for (let j = 0; j < x.length; j++) {
      out[j] = a * x0[j] + b * eps[j];
    }
    return { x: out, x0 };
  }
}

function combine(terms: Float32Array[], weights: number[]): Float32Array {
  const out = new Float32Array(terms[0].length);
  for (let j = 0; j < out.length; j++) {
    let sum = 0;
    for (let k = 0; k < terms.length; k++) {
      sum += weights[k] * terms[k][j];
    }
    out[j] = sum;
  }
  return out;
}
