/**
 * DDIM (Song et al. 2021) as in CompVis ldm/models/diffusion/ddim.py: the same timesteps as PLMS, one
 * model evaluation per step, and eta scaling the fresh noise
 * (sigma = eta * sqrt((1 - a_prev)/(1 - a)) * sqrt(1 - a/a_prev)).
 */
import { EpsilonModel, Sampler, SamplerSettings, SamplerStep, predictX0, uniformTimesteps } from './sampler';

export class DdimSampler implements Sampler {
  readonly name = 'ddim' as const;
  readonly timesteps: readonly number[];
  private readonly alphas: number[];
  private readonly alphasPrev: number[];
  private readonly eta: number;
  private readonly noise?: (length: number) => Float32Array;

  constructor(settings: SamplerSettings) {
    const ac = settings.alphasCumprod;
    this.timesteps = uniformTimesteps(ac.length, settings.steps);
    this.alphas = this.timesteps.map((t) => ac[t]);
    this.alphasPrev = this.timesteps.map((_, i) => (i + 1 < this.timesteps.length ? ac[this.timesteps[i + 1]] : ac[0]));
    this.eta = settings.eta ?? 0;
    if (this.eta < 0 || !Number.isFinite(this.eta)) {
      throw new RangeError(`eta must be a number >= 0, got ${settings.eta}.`);
    }
    if (this.eta > 0 && !settings.noise) {
      throw new RangeError('DDIM with eta > 0 needs a noise source.');
    }
    this.noise = settings.noise;
  }

  initialState(noise: Float32Array): Float32Array {
    return Float32Array.from(noise);
  }

  async step(i: number, x: Float32Array, model: EpsilonModel): Promise<SamplerStep> {
    const eps = await model(x, this.timesteps[i]);
    const a = this.alphas[i];
    const aPrev = this.alphasPrev[i];
    const sigma = this.eta * Math.sqrt((1 - aPrev) / (1 - a)) * Math.sqrt(1 - a / aPrev);
    const x0 = predictX0(x, eps, a);
    const c0 = Math.sqrt(aPrev);
    const cEps = Math.sqrt(1 - aPrev - sigma * sigma);
    const out = new Float32Array(x.length);
    const fresh = sigma > 0 && this.noise ? this.noise(x.length) : undefined;
    for (let j = 0; j < x.length; j++) {
      out[j] = c0 * x0[j] + cEps * eps[j] + (fresh ? sigma * fresh[j] : 0);
    }
    return { x: out, x0 };
  }
}
