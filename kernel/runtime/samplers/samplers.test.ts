import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { PACKAGE_ROOT } from '../package-paths';
import type { NoiseSchedule, SamplerName } from '../manifest';
import { alphasCumprod } from '../schedule';
import { createSampler } from './index';
import { stepCountNote, uniformTimesteps } from './sampler';

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

test('step counts whose stride divides T - 1 drop the step past the schedule and keep the rest of CompVis', () => {
  // CompVis's rule gives 1000 as the top timestep for these counts; the schedule ends at 999.
  const cases: [number, number, number][] = [
    [27, 27, 963],
    [300, 333, 997],
    [333, 333, 997],
    [111, 111, 991],
    [3, 3, 667]
  ];
  for (const [asked, ran, top] of cases) {
    const timesteps = uniformTimesteps(1000, asked);
    assert.equal(timesteps.length, ran, `${asked} steps`);
    assert.equal(timesteps[0], top, `${asked} steps`);
    assert.equal(timesteps[timesteps.length - 1], 1);
  }
});

test('the note says why the steps that ran differ from the steps asked, and is absent when they agree', () => {
  assert.equal(stepCountNote(1000, 50), undefined);
  assert.equal(stepCountNote(1000, 27), undefined);
  assert.equal(
    stepCountNote(1000, 400),
    '500 steps ran (400 asked): the uniform schedule visits every 2nd of the 1000 training steps; ' +
      'step counts that divide 1000 run exactly.'
  );
  assert.match(stepCountNote(1000, 300) ?? '', /^333 steps ran \(300 asked\): .* every 3rd of the 1000 /);
  assert.match(stepCountNote(1000, 7) ?? '', /^8 steps ran \(7 asked\): .* every 142nd of /);
});

/**
 * The exact noise prediction for data x0 ~ N(mu, s^2) under x = sqrt(a) x0 + sqrt(1 - a) e:
 * E[e | x] = sqrt(1 - a) (x - sqrt(a) mu) / (a s^2 + 1 - a). Cheap, closed form, and well behaved at every t.
 */
function gaussianDataEps(alphas: Float64Array, mu: number, s: number) {
  return async (x: Float32Array, t: number): Promise<Float32Array> => {
    const a = alphas[t];
    if (!(t >= 0 && t < alphas.length)) {
      throw new RangeError(`timestep ${t} is outside the schedule 0..${alphas.length - 1}`);
    }
    const scale = Math.sqrt(1 - a) / (a * s * s + 1 - a);
    return x.map((v) => scale * (v - Math.sqrt(a) * mu));
  };
}

for (const schedule of [SD, { kind: 'cosine', trainSteps: 1000 } as NoiseSchedule]) {
  test(`every sampler at every step count from 1 to 500 stays in the ${schedule.kind} schedule and ends finite`, async () => {
    const alphas = alphasCumprod(schedule);
    const mu = 0.3;
    const s = 0.5;
    const model = gaussianDataEps(alphas, mu, s);
    const noise = Float32Array.from({ length: 6 }, (_, j) => Math.cos(1.7 * j + 0.4) * 1.5);
    const variants: [SamplerName, number][] = [
      ['plms', 0],
      ['ddim', 0],
      ['ddim', 1],
      ['euler', 0],
      ['dpmpp', 0]
    ];
    // Counts with the same stride share one schedule, so each of the 61 distinct schedules is sampled once.
    const sampled = new Set<string>();
    for (let steps = 1; steps <= 500; steps++) {
      const expected = uniformTimesteps(1000, steps);
      assert.ok(expected.length >= steps, `${steps} steps: ${expected.length} ran`);
      assert.equal(stepCountNote(1000, steps) === undefined, expected.length === steps, `${steps} steps: note`);
      const key = expected.join(',');
      if (sampled.has(key)) {
        continue;
      }
      sampled.add(key);
      for (const [name, eta] of variants) {
        let drawn = 0;
        const sampler = createSampler(name, {
          alphasCumprod: alphas,
          steps,
          eta,
          noise: (length) => stepNoise(drawn++, length)
        });
        const what = `${name} eta ${eta}, ${steps} steps`;
        const t = sampler.timesteps;
        assert.deepEqual([...t], expected, what);
        assert.ok(t[0] <= 999 && t[t.length - 1] >= 0, `${what}: timesteps ${t[0]}..${t[t.length - 1]}`);
        assert.ok(
          t.every((v, i) => i === 0 || v < t[i - 1]),
          `${what}: timesteps strictly decreasing`
        );
        let x = sampler.initialState(noise);
        for (let i = 0; i < t.length; i++) {
          x = (await sampler.step(i, x, model)).x;
        }
        // The data are N(0.3, 0.5^2), so any sane sample lies within a few standard deviations of mu.
        assert.ok(
          x.every((v) => Number.isFinite(v) && Math.abs(v - mu) < 8 * s),
          `${what}: final state ${[...x].join(', ')}`
        );
      }
    }
  });
}
