/** The `--model DIR` option shared by the commands that load a SEED model. */
import { BUNDLED_MODEL_DIR } from '../runtime/package-paths';
import { UsageError } from './command';

/** The help line of --model, its description starting at `column` like the other options'. */
export function modelOptionHelp(column: number): string {
  return `  ${'--model DIR'.padEnd(column - 2)}SEED model folder (default: $SEED_MODEL, else the bundled seed-nano)`;
}

/** The help line of --threads, aligned like modelOptionHelp. */
export function threadsOptionHelp(column: number): string {
  return `  ${'--threads N'.padEnd(column - 2)}CPU threads per model graph (default: $SLURM_CPUS_PER_TASK, else every CPU available)`;
}

/** --threads as the runtime's ThreadRequest (absent or 0: automatic). */
export function threadsOption(value: string | undefined): { count: number; source: string } | undefined {
  const count = parseInteger('threads', value, 0);
  return count === undefined ? undefined : { count, source: `--threads ${count}` };
}

/** --model, else $SEED_MODEL, else the bundled model. */
export function modelDir(option: string | undefined): string {
  return option ?? process.env.SEED_MODEL ?? BUNDLED_MODEL_DIR;
}

/** Parses a whole number option strictly (parseArgs gives strings). */
export function parseInteger(name: string, value: string | undefined, min: number): number | undefined {
  if (value === undefined) {
    return undefined;
  }
  if (!/^\d+$/.test(value) || Number(value) < min || !Number.isSafeInteger(Number(value))) {
    throw new UsageError(`--${name} must be a whole number >= ${min}, got '${value}'.`);
  }
  return Number(value);
}

/** Parses a number option strictly. */
export function parseNumber(name: string, value: string | undefined, min: number): number | undefined {
  if (value === undefined) {
    return undefined;
  }
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < min) {
    throw new UsageError(`--${name} must be a number >= ${min}, got '${value}'.`);
  }
  return n;
}
