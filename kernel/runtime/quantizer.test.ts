import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Quantizer, QuantizerSettings } from './quantizer';
import { SeededRandom } from './random';

const SIZE = 50;
const DIM = 6;
const L2: QuantizerSettings = { codebookSize: SIZE, codeDim: DIM, distance: 'l2', normalized: false };
const COSINE: QuantizerSettings = { ...L2, distance: 'cosine' };

function randomVectors(seed: number, n: number): Float32Array {
  return new SeededRandom(seed).normal(n * DIM);
}

/** The definition, written the slow way: sum of squared differences in float64. */
function bruteForce(z: Float32Array, codebook: Float32Array): { code: number; distance: number }[] {
  const all = [];
  for (let c = 0; c < SIZE; c++) {
    let sum = 0;
    for (let d = 0; d < DIM; d++) {
      sum += (z[d] - codebook[c * DIM + d]) ** 2;
    }
    all.push({ code: c, distance: sum });
  }
  return all.sort((a, b) => a.distance - b.distance || a.code - b.code);
}

test('l2: codes and top-k are the nearest entries by squared L2, nearest first', async () => {
  const codebook = randomVectors(1, SIZE);
  const vectors = randomVectors(2, 20);
  const quantizer = await Quantizer.create(codebook, L2);
  const { codes, topK } = await quantizer.quantize(vectors, 4);
  assert.equal(codes.length, 20);
  for (let i = 0; i < 20; i++) {
    const expected = bruteForce(vectors.subarray(i * DIM, (i + 1) * DIM), codebook).slice(0, 4);
    assert.deepEqual(
      topK[i].map((c) => c.code),
      expected.map((c) => c.code)
    );
    // float32 arithmetic, as torch's quantiser: relative 1e-5 of the terms.
    topK[i].forEach((c, k) => assert.ok(Math.abs(c.distance - expected[k].distance) < 1e-4));
    assert.equal(codes[i], expected[0].code);
  }
  await quantizer.release();
});

test('ties go to the lower index, as torch.argmin does', async () => {
  const codebook = randomVectors(3, SIZE);
  codebook.copyWithin(30 * DIM, 10 * DIM, 11 * DIM);
  const quantizer = await Quantizer.create(codebook, L2);
  const { codes, topK } = await quantizer.quantize(codebook.slice(30 * DIM, 31 * DIM), 2);
  assert.equal(codes[0], 10);
  assert.deepEqual(
    topK[0].map((c) => c.code),
    [10, 30]
  );
  await quantizer.release();
});

test('cosine: the length of a vector does not matter, distances are 2 - 2 cos', async () => {
  const codebook = randomVectors(4, SIZE);
  const quantizer = await Quantizer.create(codebook, COSINE);
  const v = randomVectors(5, 1);
  const a = await quantizer.quantize(v, 3);
  const b = await quantizer.quantize(
    v.map((x) => x * 17),
    3
  );
  assert.deepEqual(a.codes, b.codes);
  assert.deepEqual(
    a.topK[0].map((c) => c.code),
    b.topK[0].map((c) => c.code)
  );
  a.topK[0].forEach((c, k) => assert.ok(Math.abs(c.distance - b.topK[0][k].distance) < 1e-5));
  const row = codebook.subarray(a.codes[0] * DIM, (a.codes[0] + 1) * DIM);
  const norm = (x: Float32Array) => Math.hypot(...x);
  const cos = row.reduce((sum, x, d) => sum + x * v[d], 0) / (norm(row) * norm(v));
  assert.ok(Math.abs(a.topK[0][0].distance - (2 - 2 * cos)) < 1e-5);
  assert.ok(Math.abs(norm(quantizer.lookup(a.codes)) - 1) < 1e-6, 'cosine lookup gives the normalised entry');
  await quantizer.release();
});

test('cosine: a codebook marked normalised is used as it is', async () => {
  const raw = randomVectors(6, SIZE);
  const unit = raw.slice();
  for (let c = 0; c < SIZE; c++) {
    const n = Math.hypot(...unit.subarray(c * DIM, (c + 1) * DIM));
    for (let d = 0; d < DIM; d++) {
      unit[c * DIM + d] /= n;
    }
  }
  const vectors = randomVectors(7, 10);
  const fromRaw = await Quantizer.create(raw, COSINE);
  const fromUnit = await Quantizer.create(unit, { ...COSINE, normalized: true });
  assert.deepEqual((await fromRaw.quantize(vectors, 1)).codes, (await fromUnit.quantize(vectors, 1)).codes);
  await fromRaw.release();
  await fromUnit.release();
});

test('top-k larger than the codebook gives the whole codebook, sorted', async () => {
  const quantizer = await Quantizer.create(randomVectors(8, SIZE), L2);
  const { topK } = await quantizer.quantize(randomVectors(9, 1), 1000);
  assert.equal(topK[0].length, SIZE);
  assert.deepEqual(
    topK[0].map((c) => c.distance),
    topK[0].map((c) => c.distance).sort((a, b) => a - b)
  );
  await quantizer.release();
});

test('lookup returns the codebook rows in order (l2 keeps them as stored)', async () => {
  const codebook = randomVectors(10, SIZE);
  const quantizer = await Quantizer.create(codebook, L2);
  const rows = quantizer.lookup([3, 0, 3]);
  assert.deepEqual(Array.from(rows.subarray(0, DIM)), Array.from(codebook.subarray(3 * DIM, 4 * DIM)));
  assert.deepEqual(Array.from(rows.subarray(DIM, 2 * DIM)), Array.from(codebook.subarray(0, DIM)));
  await quantizer.release();
});

test('a codebook of the wrong size is refused', async () => {
  await assert.rejects(Quantizer.create(new Float32Array(10), L2), /holds 10 values; 50 x 6 = 300 expected/);
});
