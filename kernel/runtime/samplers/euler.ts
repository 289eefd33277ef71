/** Euler's method on the probability-flow ODE (Karras et al. 2022; k-diffusion `sample_euler`, no churn). */
import { EpsilonModel, Sampler, SamplerSettings, SamplerStep } from './sampler';
import { SigmaSchedule } from './sigma-space';

export class EulerSampler implements Sampler {
  readonly name = 'euler' as const;
  readonly timesteps: readonly number[];
  private readonly schedule: SigmaSchedule;

  constructor(settings: SamplerSettings) {
    this.schedule = new SigmaSchedule(settings.alphasCumprod, settings.steps);
    this.timesteps = this.schedule.timesteps;
  }

  initialState(noise: Float32Array): Float32Array {
    return this.schedule.initialState(noise);
  }

  async step(i: number, x: Float32Array, model: EpsilonModel): Promise<SamplerStep> {
    const denoised = await this.schedule.denoise(i, x, model);
    const sigma = this.schedule.sigmas[i];
    const dt = this.schedule.sigmas[i + 1] - sigma;
    const out = new Float32Array(x.length);
    for (let j = 0; j < x.length; j++) {
      out[j] = x[j] + ((x[j] - denoised[j]) / sigma) * dt;
    }
    return { x: out, x0: denoised };
  }
}
