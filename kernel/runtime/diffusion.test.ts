import { test } from 'node:test';
import assert from 'node:assert/strict';
import { epsilonFromV, linearPreview, runSampler } from './diffusion';
import { SeedNumericError } from './errors';
import { createSampler } from './samplers';
import { alphasCumprod } from './schedule';

test('epsilonFromV recovers the noise of x = sqrt(a) x0 + sqrt(1 - a) eps from v = sqrt(a) eps - sqrt(1 - a) x0', () => {
  const a = 0.37;
  const x0 = Float32Array.from([0.5, -1.2, 2.0]);
  const eps = Float32Array.from([-0.3, 0.8, 1.1]);
  const x = x0.map((v, i) => Math.sqrt(a) * v + Math.sqrt(1 - a) * eps[i]);
  const v = eps.map((e, i) => Math.sqrt(a) * e - Math.sqrt(1 - a) * x0[i]);
  epsilonFromV(v, x, a).forEach((value, i) => assert.ok(Math.abs(value - eps[i]) < 1e-6));
});

test('linearPreview maps each latent pixel through the matrix and bias, channel-first', () => {
  const preview = {
    kind: 'linear' as const,
    matrix: [
      [1, 0, 0.5],
      [0, 2, -1]
    ],
    bias: [0.1, 0.2, 0.3] as [number, number, number]
  };
  // 2 channels x 1 x 2 pixels: channel 0 = [1, 3], channel 1 = [2, 4].
  const rgb = linearPreview(preview, Float32Array.from([1, 3, 2, 4]), [2, 1, 2]);
  const expected = [1.1, 3.1, 4.2, 8.2, 0.5 - 2 + 0.3, 1.5 - 4 + 0.3];
  rgb.forEach((v, i) => assert.ok(Math.abs(v - expected[i]) < 1e-6, `value ${i}`));
});

test('runSampler stops every sampler at the first step whose state is not finite', async () => {
  const alphas = alphasCumprod({ kind: 'scaled_linear', trainSteps: 1000, betaStart: 0.00085, betaEnd: 0.012 });
  // Overflows float32 once t drops below 300: 1e30 * 1e30 is infinite in a Float32Array.
  const model = async (x: Float32Array, t: number) => x.map((v) => (t < 300 ? 1e30 * 1e30 : 0.1 * v));
  for (const name of ['plms', 'ddim', 'euler', 'dpmpp'] as const) {
    const sampler = createSampler(name, { alphasCumprod: alphas, steps: 20 });
    const seen: number[] = [];
    const index = sampler.timesteps.findIndex((t) => t < 300);
    await assert.rejects(
      runSampler(sampler, new Float32Array(8).fill(0.5), model, { afterStep: async (step) => void seen.push(step) }),
      (error: Error) =>
        error instanceof SeedNumericError &&
        error.message.startsWith(
          `Sampling diverged at step ${index + 1} of 20 (${name}, timestep ${sampler.timesteps[index]}): 8 of 8 latent values`
        )
    );
    assert.equal(seen.length, index, `${name}: no progress reported for the diverged step`);
  }
});
