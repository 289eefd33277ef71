import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Quantizer } from './quantizer';
import { SeededRandom } from './random';

const SIZE = 50;
const DIM = 6;

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

test('l2: codes and top-k are the nearest entries by squared L2, nearest first', () => {
  const codebook = randomVectors(1, SIZE);
  const vectors = randomVectors(2, 20);
  const quantizer = new Quantizer(codebook, { codebookSize: SIZE, codeDim: DIM, distance: 'l2', normalized: false });
  const { codes, topK } = quantizer.quantize(vectors, 4);
  assert.equal(codes.length, 20);
  for (let i = 0; i < 20; i++) {
    const expected = bruteForce(vectors.subarray(i * DIM, (i + 1) * DIM), codebook).slice(0, 4);
    assert.deepEqual(
      topK[i].map((c) => c.code),
      expected.map((c) => c.code)
    );
    topK[i].forEach((c, k) => assert.ok(Math.abs(c.distance - expected[k].distance) < 1e-4));
    assert.equal(codes[i], expected[0].code);
  }
});

test('ties go to the lower index, as torch.argmin does', () => {
  const codebook = randomVectors(3, SIZE);
  codebook.copyWithin(30 * DIM, 10 * DIM, 11 * DIM);
  const quantizer = new Quantizer(codebook, { codebookSize: SIZE, codeDim: DIM, distance: 'l2', normalized: false });
  const { codes, topK } = quantizer.quantize(codebook.slice(30 * DIM, 31 * DIM), 2);
  assert.equal(codes[0], 10);
  assert.deepEqual(
    topK[0].map((c) => c.code),
    [10, 30]
  );
});

test('cosine: the length of a vector does not matter, distances are 2 - 2 cos', () => {
  const codebook = randomVectors(4, SIZE);
  const quantizer = new Quantizer(codebook, {
    codebookSize: SIZE,
    codeDim: DIM,
    distance: 'cosine',
    normalized: false
  });
  const v = randomVectors(5, 1);
  const a = quantizer.quantize(v, 3);
  const b = quantizer.quantize(
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
  const lookedUp = quantizer.lookup(a.codes);
  assert.ok(Math.abs(norm(lookedUp) - 1) < 1e-6, 'cosine lookup gives the normalised entry');
});

test('cosine: a codebook marked normalised is used as it is', () => {
  const raw = randomVectors(6, SIZE);
  const unit = raw.slice();
  for (let c = 0; c < SIZE; c++) {
    const n = Math.hypot(...unit.subarray(c * DIM, (c + 1) * DIM));
    for (let d = 0; d < DIM; d++) {
      unit[c * DIM + d] /= n;
    }
  }
  const vectors = randomVectors(7, 10);
  const fromRaw = new Quantizer(raw, { codebookSize: SIZE, codeDim: DIM, distance: 'cosine', normalized: false });
  const fromUnit = new Quantizer(unit, { codebookSize: SIZE, codeDim: DIM, distance: 'cosine', normalized: true });
  assert.deepEqual(fromRaw.quantize(vectors, 1).codes, fromUnit.quantize(vectors, 1).codes);
});

test('lookup returns the codebook rows in order (l2 keeps them as stored)', () => {
  const codebook = randomVectors(8, SIZE);
  const quantizer = new Quantizer(codebook, { codebookSize: SIZE, codeDim: DIM, distance: 'l2', normalized: false });
  const rows = quantizer.lookup([3, 0, 3]);
  assert.deepEqual(Array.from(rows.subarray(0, DIM)), Array.from(codebook.subarray(3 * DIM, 4 * DIM)));
  assert.deepEqual(Array.from(rows.subarray(DIM, 2 * DIM)), Array.from(codebook.subarray(0, DIM)));
});

test('a codebook of the wrong size is refused', () => {
  assert.throws(
    () => new Quantizer(new Float32Array(10), { codebookSize: SIZE, codeDim: DIM, distance: 'l2', normalized: false }),
    /holds 10 values; 50 x 6 = 300 expected/
  );
});
