import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SeedNumericError } from './errors';
import { assertFinite, countNonFinite } from './finite';

test('countNonFinite counts NaN and both infinities, and nothing else', () => {
  const values = Float32Array.from([0, -0, 1e-45, 3.4e38, -3.4e38, NaN, Infinity, -Infinity, 1]);
  assert.equal(countNonFinite(values), 3);
  assert.equal(countNonFinite(new Float32Array(16)), 0);
  // float32 overflow: a finite float64 product stored in a Float32Array becomes infinite.
  assert.equal(countNonFinite(Float32Array.from([1e20 * 1e20])), 1);
});

test('assertFinite throws SeedNumericError with the caller message only when something is not finite', () => {
  let asked = 0;
  const problem = (bad: number, total: number) => {
    asked++;
    return `${bad} of ${total} bad`;
  };
  assertFinite(Float32Array.from([1, 2, 3]), problem);
  assert.equal(asked, 0);
  assert.throws(
    () => assertFinite(Float32Array.from([1, NaN, Infinity, 4]), problem),
    (error: Error) => error instanceof SeedNumericError && error.message === '2 of 4 bad'
  );
});
