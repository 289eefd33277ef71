import { test } from 'node:test';
import assert from 'node:assert/strict';
import { float16BitsToFloat32, float32ToFloat16Bits, fromFloat16, toFloat16 } from './float16';
import { readFixtureJson } from './fixtures/paths';
import { SeededRandom } from './random';

/** Written by fixtures/make_numeric_reference.py (Python and numpy, independent of this code). */
const reference = readFixtureJson<{
  rng: { uint32: Record<string, number[]>; normal: Record<string, number[]> };
  float16: { float32: number[]; bits: number[]; back: (number | string)[] };
}>('numeric-reference.json');

test('the seeded generator gives the reference SplitMix64 + xoshiro128** bits', () => {
  for (const [seed, expected] of Object.entries(reference.rng.uint32)) {
    const random = new SeededRandom(Number(seed));
    assert.deepEqual(
      expected.map(() => random.nextUint32()),
      expected,
      `seed ${seed}`
    );
  }
});

test('the seeded generator gives the reference Box-Muller normals', () => {
  for (const [seed, expected] of Object.entries(reference.rng.normal)) {
    const drawn = new SeededRandom(Number(seed)).normal(expected.length);
    expected.forEach((value, i) => assert.ok(Math.abs(drawn[i] - value) < 1e-6, `seed ${seed} draw ${i}`));
  }
});

test('the same seed gives the same bytes; another seed does not', () => {
  const a = Buffer.from(new SeededRandom(7).normal(1000).buffer);
  const b = Buffer.from(new SeededRandom(7).normal(1000).buffer);
  const c = Buffer.from(new SeededRandom(8).normal(1000).buffer);
  assert.ok(a.equals(b));
  assert.ok(!a.equals(c));
});

test('seeds must be non-negative safe integers', () => {
  for (const seed of [-1, 1.5, Number.NaN, 2 ** 60]) {
    assert.throws(() => new SeededRandom(seed), /seed must be an integer/);
  }
});

test('float32 -> float16 rounds as numpy does (nearest, ties to even, subnormals, overflow)', () => {
  const { float32, bits } = reference.float16;
  const back = reference.float16.back.map(Number);
  float32.forEach((value, i) => {
    assert.equal(float32ToFloat16Bits(value), bits[i], `float16 bits of ${value}`);
    assert.equal(float16BitsToFloat32(bits[i]), back[i], `float16 ${bits[i]} back to float32`);
  });
  assert.deepEqual(Array.from(fromFloat16(toFloat16(Float32Array.from(float32)))), back);
});

test('float16 NaN stays NaN', () => {
  assert.ok(Number.isNaN(float16BitsToFloat32(float32ToFloat16Bits(Number.NaN))));
});
