/**
 * DPM-Solver++(2M) (Lu et al. 2022), the multistep second-order solver in data prediction, as in
 * k-diffusion `sample_dpmpp_2m`: with lambda = -log(sigma) and h the lambda step,
 * x_next = (sigma_next/sigma) x - expm1(-h) D, where D is the denoised estimate corrected with the previous
 * one: D = (1 + 1/(2r)) d - (1/(2r)) d_prev, r = h_prev / h. The first step and the step to sigma = 0 are
 * first order.
 */
import { EpsilonModel, Sampler, SamplerSettings, SamplerStep } from './sampler';
import { SigmaSchedule } from './sigma-space';

export class DpmppTwoMSampler implements Sampler {
  readonly name = 'dpmpp' as const;
  readonly timesteps: readonly number[];
  private readonly schedule: SigmaSchedule;
  private previousDenoised?: Float32Array;

  constructor(settings: SamplerSettings) {
    this.schedule = new SigmaSchedule(settings.alphasCumprod, settings.steps);
    this.timesteps = this.schedule.timesteps;
  }

  initialState(noise: Float32Array): Float32Array {
    return this.schedule.initialState(noise);
  }

  async step(i: number, x: Float32Array, model: EpsilonModel): Promise<SamplerStep> {
    const denoised = await this.schedule.denoise(i, x, model);
    const sigmas = this.schedule.sigmas;
    const sigma = sigmas[i];
    const sigmaNext = sigmas[i + 1];
    const out = new Float32Array(x.length);
    if (sigmaNext === 0) {
      out.set(denoised);
    } else {
      const lambda = -Math.log(sigma);
      const h = -Math.log(sigmaNext) - lambda;
      const ratio = sigmaNext / sigma;
      const scale = -Math.expm1(-h);
      const previous = this.previousDenoised;
      if (!previous) {
        for (let j = 0; j < x.length; j++) {
          out[j] = ratio * x[j] + scale * denoised[j];
        }
      } else {
        const hLast = lambda + Math.log(sigmas[i - 1]);
        const r = hLast / h;
        const w = 1 / (2 * r);
        for (let j = 0; j < x.length; j++) {
          out[j] = ratio * x[j] + scale * ((1 + w) * denoised[j] - w * previous[j]);
        }
      }
    }
    this.previousDenoised = denoised;
    return { x: out, x0: denoised };
  }
}
