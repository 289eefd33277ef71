/**
 * Shared by the samplers written in the sigma ("variance exploding") view of Karras et al. (2022), as in
 * k-diffusion: state x_k = x / sqrt(a), sigma = sqrt((1 - a)/a), and the model sees x_k / sqrt(1 + sigma^2).
 * They visit the same training timesteps as PLMS and DDIM, followed by sigma = 0.
 */
import { EpsilonModel, uniformTimesteps } from './sampler';

export class SigmaSchedule {
  readonly timesteps: readonly number[];
  /** sigma for each timestep, then a final 0. */
  readonly sigmas: number[];

  constructor(alphasCumprod: Float64Array, steps: number) {
    this.timesteps = uniformTimesteps(alphasCumprod.length, steps);
    this.sigmas = [...this.timesteps.map((t) => Math.sqrt((1 - alphasCumprod[t]) / alphasCumprod[t])), 0];
  }

  /** Start at sigma_max: x_k = sigma_max * noise, as k-diffusion does. */
  initialState(noise: Float32Array): Float32Array {
    const s = this.sigmas[0];
    return noise.map((v) => v * s);
  }

  /** The denoised estimate x_k - sigma * eps at step i. */
  async denoise(i: number, x: Float32Array, model: EpsilonModel): Promise<Float32Array> {
    const sigma = this.sigmas[i];
    const cIn = 1 / Math.sqrt(sigma * sigma + 1);
    const eps = await model(
      x.map((v) => v * cIn),
      this.timesteps[i]
    );
    const out = new Float32Array(x.length);
    for (let j = 0; j < x.length; j++) {
      out[j] = x[j] - sigma * eps[j];
    }
    return out;
  }
}
