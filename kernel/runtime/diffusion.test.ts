import { test } from 'node:test';
import assert from 'node:assert/strict';
import { epsilonFromV, linearPreview } from './diffusion';

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
