/**
 * How many threads ONNX Runtime uses inside an operator, and why. The order of precedence: an explicit
 * request (SEED setting, `%seed device --threads`, the CLI's `--threads`, `SeedModel.load({ threads })`),
 * then the CPUs a SLURM job was given (`SLURM_CPUS_PER_TASK`), then one thread for a small model, then the
 * CPUs this process may run on.
 */
import * as os from 'node:os';
import { SeedInputError } from './errors';

/** The intra-op thread count a model's sessions use, with the reason in words. */
export interface ThreadChoice {
  count: number;
  reason: string;
}

/**
 * What the caller asked for: a count (0 = automatic), and who asked, in words the user recognises
 * (for example "the setting Threads (Settings → SEED)"), for the reason shown by `%seed device`.
 */
export interface ThreadRequest {
  count: number;
  source: string;
}

/**
 * A model whose files total less than this runs one intra-op thread unless told otherwise. Its calls last a
 * few milliseconds at batch 1, and waking a second thread for each operator costs more than it saves
 * (seed-nano, 17 MB, 2 idle cores, 2026-12-03: an encoder call 1.9 ms with one thread against 2.8 ms with
 * two, a UNet call 3.3 against 4.3 ms). Batches of 8 gain about 1.2x from a second thread, so batch work
 * (a dataset tokenizer run) passes its own count or runs one worker per core. The SEED releases are
 * gigabytes and use every core.
 */
export const SMALL_MODEL_BYTES = 64 * 1024 * 1024;

/**
 * Picks the thread count. `os.availableParallelism()` honours the CPU affinity mask (SLURM's cgroup
 * binding, `taskset`, Kubernetes CPU sets), which `os.cpus().length` ignores; SLURM_CPUS_PER_TASK still
 * comes first because a job without CPU binding sees every core of the node.
 */
export function chooseThreads(
  request: ThreadRequest | undefined,
  env: NodeJS.ProcessEnv = process.env,
  available: number = os.availableParallelism(),
  /** The total size of the model's files; below SMALL_MODEL_BYTES one thread is the default. */
  modelBytes: number = Number.POSITIVE_INFINITY
): ThreadChoice {
  if (request !== undefined && request.count !== 0) {
    checkThreadCount(request.count, request.source);
    return { count: request.count, reason: `set by ${request.source}` };
  }
  const slurm = env.SLURM_CPUS_PER_TASK;
  if (slurm !== undefined && slurm !== '') {
    const count = Number(slurm);
    if (!Number.isInteger(count) || count < 1) {
      throw new SeedInputError(
        `SLURM_CPUS_PER_TASK is '${slurm}'; it must be a whole number of at least 1. ` +
          'Fix the job script (#SBATCH --cpus-per-task=N) or unset the variable.'
      );
    }
    return { count, reason: `SLURM_CPUS_PER_TASK=${slurm}: the CPUs this SLURM job was given` };
  }
  if (modelBytes < SMALL_MODEL_BYTES && available > 1) {
    const megabytes = Math.round(modelBytes / 1e6);
    return {
      count: 1,
      reason: `one for a small model (${megabytes} MB of files: at batch 1 a second thread costs more than it saves)`
    };
  }
  return {
    count: available,
    reason: `one per CPU this process may use (os.availableParallelism() = ${available})`
  };
}

/** Throws SeedInputError unless `count` is a whole number >= 1 (0 is "automatic" and handled before). */
export function checkThreadCount(count: number, source: string): void {
  if (!Number.isInteger(count) || count < 1) {
    throw new SeedInputError(
      `threads must be a whole number of at least 1 (or 0 for one per available CPU), got ${count} from ${source}.`
    );
  }
}
