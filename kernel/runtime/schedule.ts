/**
 * Noise schedules of discrete-time diffusion models: betas and the cumulative products of (1 - beta),
 * computed in float64 as the Python implementations do.
 */
import type { NoiseSchedule } from './manifest';

/** betas[t] for t = 0..trainSteps-1. */
export function betas(schedule: NoiseSchedule): Float64Array {
  const n = schedule.trainSteps;
  const out = new Float64Array(n);
  switch (schedule.kind) {
    case 'scaled_linear': {
      // Stable Diffusion: linear in sqrt(beta), then squared.
      const a = Math.sqrt(schedule.betaStart);
      const b = Math.sqrt(schedule.betaEnd);
      for (let t = 0; t < n; t++) {
        const s = n === 1 ? a : a + ((b - a) * t) / (n - 1);
        out[t] = s * s;
      }
      return out;
    }
    case 'linear': {
      for (let t = 0; t < n; t++) {
        out[t] =
          n === 1 ? schedule.betaStart : schedule.betaStart + ((schedule.betaEnd - schedule.betaStart) * t) / (n - 1);
      }
      return out;
    }
    case 'cosine': {
      // Nichol & Dhariwal (2021): alpha_bar(t) = cos^2(((t/T + s)/(1 + s)) * pi/2), s = 0.008, betas clipped at 0.999.
      const s = 0.008;
      const alphaBar = (u: number): number => Math.cos(((u + s) / (1 + s)) * (Math.PI / 2)) ** 2;
      for (let t = 0; t < n; t++) {
        out[t] = Math.min(1 - alphaBar((t + 1) / n) / alphaBar(t / n), 0.999);
      }
      return out;
    }
  }
}

/** alphas_cumprod[t] = prod_{i <= t} (1 - betas[i]). */
export function alphasCumprod(schedule: NoiseSchedule): Float64Array {
  const b = betas(schedule);
  const out = new Float64Array(b.length);
  let product = 1;
  for (let t = 0; t < b.length; t++) {
    product *= 1 - b[t];
    out[t] = product;
  }
  return out;
}
