import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import sharp from 'sharp';
import { SeedInputError } from './errors';
import { TINY_MODEL_DIR, TINY_UNCLIP_MODEL_DIR, readFixtureJson } from './fixtures/paths';
import { SeedModel } from './model';
import type { SamplerName } from './manifest';
import { UnclipConditioning, imageNormalizer, timestepEmbedding } from './unclip';

/** Written by fixtures/make_tiny_unclip_model.py: numpy class labels, guidance, v-prediction and samplers. */
interface Expected {
  codes: number[];
  embedding: number[];
  cases: {
    name: string;
    sampler: SamplerName;
    steps: number;
    guidance: number;
    noiseLevel: number;
    negativeCodes: number[] | null;
    classLabels: number[];
    negativeClassLabels: number[];
    unetEvaluations: number;
    rgb: number[];
  }[];
}
const expected = readFixtureJson<Expected>('tiny-unclip-expected.json');
const EMB = expected.embedding.length;
const LATENT = Float32Array.from({ length: 4 * 8 * 8 }, (_, j) => Math.sin(0.37 * j + 0.2));
const EMBEDDING_NOISE = Float32Array.from({ length: EMB }, (_, i) => Math.cos(1.3 * i + 0.5));
const NEGATIVE_NOISE = Float32Array.from({ length: EMB }, (_, i) => Math.sin(0.9 * i));

function maxDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length);
  let max = 0;
  for (let i = 0; i < a.length; i++) {
    max = Math.max(max, Math.abs(a[i] - b[i]));
  }
  return max;
}

let shared: SeedModel | undefined;
async function unclipModel(): Promise<SeedModel> {
  shared ??= await SeedModel.load(TINY_UNCLIP_MODEL_DIR, { executionProviders: ['cpu'] });
  return shared;
}

test('timestepEmbedding: cosines then sines of t at frequencies 10000^(-i/half)', () => {
  const e = timestepEmbedding(0, 6);
  assert.deepEqual([...e], [1, 1, 1, 0, 0, 0]);
  const t = 37;
  const e37 = timestepEmbedding(t, 4);
  const f = [1, Math.pow(10000, -1 / 2)];
  [Math.cos(t * f[0]), Math.cos(t * f[1]), Math.sin(t * f[0]), Math.sin(t * f[1])].forEach((v, i) =>
    assert.ok(Math.abs(e37[i] - v) < 1e-6)
  );
  assert.throws(() => timestepEmbedding(1, 5), /even width/);
});

test('class labels match the pipeline computed in numpy, at noise level 0 and 200', () => {
  // The fixture's normaliser file is what the numpy side used.
  const bytes = fs.readFileSync(path.join(TINY_UNCLIP_MODEL_DIR, 'image_normalizer.f32'));
  const values = new Float32Array(new Uint8Array(bytes).buffer);
  const conditioning = new UnclipConditioning(imageNormalizer(values), { kind: 'cosine', trainSteps: 1000 });
  for (const c of expected.cases) {
    const labels = conditioning.classLabels(Float32Array.from(expected.embedding), c.noiseLevel, EMBEDDING_NOISE);
    assert.ok(maxDifference(labels, c.classLabels) < 1e-5, c.name);
  }
  assert.throws(() => conditioning.classLabels(new Float32Array(EMB), 1000, new Float32Array(EMB)), /0 to 999/);
});

for (const c of expected.cases) {
  test(`seed-v2 decode (${c.name}): class labels, guidance, v-prediction and ${c.sampler} as numpy computes them`, async () => {
    const model = await unclipModel();
    const result = await model.decode(expected.codes, {
      sampler: c.sampler,
      steps: c.steps,
      guidance: c.guidance,
      noiseLevel: c.noiseLevel,
      negativeCodes: c.negativeCodes ?? undefined,
      initialLatent: LATENT,
      embeddingNoise: EMBEDDING_NOISE,
      negativeEmbeddingNoise: c.negativeCodes ? NEGATIVE_NOISE : undefined
    });
    assert.equal(result.unetEvaluations, c.unetEvaluations);
    assert.equal(result.params.noiseLevel, c.noiseLevel);
    const rgb = await sharp(result.png).raw().toBuffer();
    assert.ok(maxDifference(rgb, c.rgb) <= 1, `largest pixel difference ${maxDifference(rgb, c.rgb)}`);
  });
}

test('seed-v2 defaults are the release decode settings: ddim, 20 steps, guidance 10, noise level 0', async () => {
  const model = await unclipModel();
  const result = await model.decode(expected.codes, { initialLatent: LATENT, embeddingNoise: EMBEDDING_NOISE });
  assert.deepEqual(result.params, { seed: 42, sampler: 'ddim', steps: 20, guidance: 10, noiseLevel: 0 });
  const reference = expected.cases.find((c) => c.name === 'defaults')!;
  assert.ok(maxDifference(await sharp(result.png).raw().toBuffer(), reference.rgb) <= 1);
  // Seeded noise instead of the fixed one: repeatable for a seed, different across seeds.
  const a = await model.decode(expected.codes, { steps: 4 });
  const b = await model.decode(expected.codes, { steps: 4 });
  const c = await model.decode(expected.codes, { steps: 4, seed: 43 });
  assert.ok(a.png.equals(b.png));
  assert.ok(!a.png.equals(c.png));
});

test('seed-v2 decode errors: noise level out of range, bad negative codes or noise; noiseLevel on a seed-v1 model', async () => {
  const model = await unclipModel();
  await assert.rejects(
    model.decode(expected.codes, { noiseLevel: 1000 }),
    /noiseLevel must be a whole number from 0 to 999/
  );
  await assert.rejects(
    model.decode(expected.codes, { negativeCodes: [1, 2, 3] }),
    (e: Error) => e instanceof SeedInputError && /Negative codes: Expected 32 codes, got 3/.test(e.message)
  );
  await assert.rejects(
    model.decode(expected.codes, { negativeCodes: expected.codes.map(() => 64) }),
    /Negative codes: The code at position 1 is 64; codes are integers from 0 to 63/
  );
  await assert.rejects(
    model.decode(expected.codes, { embeddingNoise: new Float32Array(3) }),
    /embeddingNoise must be a Float32Array of 8 values/
  );
  const v1 = await SeedModel.load(TINY_MODEL_DIR, { executionProviders: ['cpu'] });
  await assert.rejects(v1.decode(expected.codes, { noiseLevel: 3 }), /noiseLevel applies to seed-v2 \(unCLIP\) models/);
});

test.after(async () => {
  await shared?.release();
});
