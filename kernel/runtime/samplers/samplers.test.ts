import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { PACKAGE_ROOT } from '../../cli/paths';
import type { NoiseSchedule, SamplerName } from '../manifest';
import { alphasCumprod } from '../schedule';
import { createSampler } from './index';
import { uniformTimesteps } from './sampler';

/** Written by kernel/runtime/fixtures/make_sampler_reference.py (numpy, independent of this code). */
interface Reference {
  noise: number[];
  cases: {
    sampler: SamplerName;
    steps: number;
    eta: number;
    timesteps: number[];
    calls: number[];
    xs: number[][];
    x0s: number[][];
  }[];
  schedules: { schedule: NoiseSchedule; probe: number[]; alphasCumprod: number[] }[];
}

const reference: Reference = JSON.parse(
  fs.readFileSync(path.join(PACKAGE_ROOT, 'kernel', 'runtime', 'fixtures', 'sampler-reference.json'), 'utf8')
);

const SD: NoiseSchedule = { kind: 'scaled_linear', trainSteps: 1000, betaStart: 0.00085, betaEnd: 0.012 };

/** The toy model of the reference script: eps = tanh(0.8 x)(0.6 + 0.3 cos(t/157)) + 0.05 sin(3x + t/97). */
function toyEps(x: Float32Array, t: number): Float32Array {
  return x.map((v) => Math.tanh(0.8 * v) * (0.6 + 0.3 * Math.cos(t / 157)) + 0.05 * Math.sin(3 * v + t / 97));
}

function stepNoise(k: number, length: number): Float32Array {
  return Float32Array.from({ length }, (_, j) => Math.cos(2.3 * j + 0.7 * k + 0.1));
}

/** Float32 state against float64 reference: relative 1e-4 of the state's scale. */
function assertClose(actual: Float32Array, expected: number[], what: string): void {
  const scale = Math.max(1, ...expected.map(Math.abs));
  for (let j = 0; j < expected.length; j++) {
    assert.ok(
      Math.abs(actual[j] - expected[j]) <= 1e-4 * scale,
      `${what}[${j}]: got ${actual[j]}, reference ${expected[j]}`
    );
  }
}

for (const ref of reference.cases) {
  test(`${ref.sampler} (${ref.steps} steps, eta ${ref.eta}) follows the numpy reference step by step`, async () => {
    let drawn = 0;
    const sampler = createSampler(ref.sampler, {
      alphasCumprod: alphasCumprod(SD),
      steps: ref.steps,
      eta: ref.eta,
      noise: (length) => stepNoise(drawn++, length)
    });
    assert.deepEqual([...sampler.timesteps], ref.timesteps);
    const calls: number[] = [];
    const model = async (x: Float32Array, t: number) => {
      calls.push(t);
      return toyEps(x, t);
    };
    let x = sampler.initialState(Float32Array.from(reference.noise));
    for (let i = 0; i < sampler.timesteps.length; i++) {
      const result = await sampler.step(i, x, model);
      assertClose(result.x, ref.xs[i], `step ${i} x`);
      assertClose(result.x0, ref.x0s[i], `step ${i} x0`);
      x = result.x;
    }
    assert.deepEqual(calls, ref.calls);
  });
}

test('PLMS with 50 steps visits 981, 961, ..., 1 and costs 51 model evaluations', async () => {
  const sampler = createSampler('plms', { alphasCumprod: alphasCumprod(SD), steps: 50 });
  assert.equal(sampler.timesteps.length, 50);
  assert.equal(sampler.timesteps[0], 981);
  assert.equal(sampler.timesteps[49], 1);
  let evaluations = 0;
  let x = sampler.initialState(new Float32Array(4).fill(1));
  for (let i = 0; i < 50; i++) {
    x = (
      await sampler.step(i, x, async (v) => {
        evaluations++;
        return v.map(() => 0.1);
      })
    ).x;
  }
  assert.equal(evaluations, 51);
});

test('schedules match the numpy reference', () => {
  for (const ref of reference.schedules) {
    const ac = alphasCumprod(ref.schedule);
    ref.probe.forEach((t, k) => {
      assert.ok(Math.abs(ac[t] - ref.alphasCumprod[k]) < 1e-12, `${ref.schedule.kind} alphas_cumprod[${t}]`);
    });
  }
});

test('steps out of range are refused', () => {
  assert.throws(() => uniformTimesteps(1000, 0), /steps must be an integer from 1 to 500/);
  assert.throws(() => uniformTimesteps(1000, 501), /steps must be an integer from 1 to 500/);
  assert.throws(() => uniformTimesteps(1000, 2.5), /steps must be an integer/);
  assert.throws(() => createSampler('ddim', { alphasCumprod: alphasCumprod(SD), steps: 10, eta: 0.5 }), /noise source/);
});
