/**
 * The runtime's one guard against non-finite numbers. Every stage whose output feeds the next (encoder
 * features, generation embedding, each sampler step, the VAE decode) passes through it, so NaN or
 * infinity from any cause (a schedule bug, an extreme guidance scale, an fp16 graph that overflows)
 * stops the run with an error that names the stage, instead of reaching a PNG as black pixels.
 */
import { SeedNumericError } from './errors';

/** How many values are NaN or +-infinity. */
export function countNonFinite(values: ArrayLike<number>): number {
  let count = 0;
  for (let i = 0; i < values.length; i++) {
    // v - v is 0 for every finite v and NaN for NaN and both infinities: one comparison per value.
    if (values[i] - values[i] !== 0) {
      count++;
    }
  }
  return count;
}

/**
 * Throws SeedNumericError when any value is not finite. `problem` gets the count and the total and
 * returns the message; it is only called on failure, so callers can afford a detailed one.
 */
export function assertFinite(values: ArrayLike<number>, problem: (bad: number, total: number) => string): void {
  const bad = countNonFinite(values);
  if (bad > 0) {
    throw new SeedNumericError(problem(bad, values.length));
  }
}
