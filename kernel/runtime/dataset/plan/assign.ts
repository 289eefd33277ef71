/**
 * Which worker does which input shard. Worker i of N takes the shards whose index is i modulo N: fixed by
 * the plan and N alone, so any rerun of worker i (a requeued array task, a resubmitted index) does the
 * same shards, and nearby shards spread over workers.
 */
import { SeedInputError } from '../../errors';

export interface WorkerSlot {
  index: number;
  numShards: number;
  /** Where the index came from, for messages. */
  indexFrom: 'option' | 'SLURM_ARRAY_TASK_ID' | 'JOB_COMPLETION_INDEX' | 'single worker';
}

/**
 * The worker's index and the worker count. The index comes from `--shard-index`, else SLURM_ARRAY_TASK_ID
 * (SLURM job arrays), else JOB_COMPLETION_INDEX (Kubernetes Indexed Jobs); the count only from the command
 * line, because a scheduler's own count is wrong for a resubmitted single task.
 */
export function resolveWorker(
  options: { shardIndex?: number; numShards?: number },
  env: NodeJS.ProcessEnv = process.env
): WorkerSlot {
  let index = options.shardIndex;
  let indexFrom: WorkerSlot['indexFrom'] = 'option';
  for (const variable of ['SLURM_ARRAY_TASK_ID', 'JOB_COMPLETION_INDEX'] as const) {
    if (index === undefined && env[variable] !== undefined && env[variable] !== '') {
      const value = env[variable] as string;
      if (!/^\d+$/.test(value)) {
        throw new SeedInputError(`${variable} is '${value}', not a shard index. Give --shard-index instead.`);
      }
      index = Number(value);
      indexFrom = variable;
    }
  }
  if (index === undefined) {
    if (options.numShards !== undefined && options.numShards > 1) {
      throw new SeedInputError(
        `--num-shards is ${options.numShards} but no shard index was given: pass --shard-index, or run under a SLURM ` +
          'array (SLURM_ARRAY_TASK_ID) or a Kubernetes Indexed Job (JOB_COMPLETION_INDEX).'
      );
    }
    return { index: 0, numShards: 1, indexFrom: 'single worker' };
  }
  if (options.numShards === undefined) {
    throw new SeedInputError(
      `The shard index is ${index} (from ${indexFrom === 'option' ? '--shard-index' : indexFrom}) but --num-shards is ` +
        'missing: give the total number of workers on the command line (the scheduler does not know it for a resubmitted task).'
    );
  }
  if (!Number.isInteger(options.numShards) || options.numShards < 1) {
    throw new SeedInputError(`--num-shards must be a whole number of at least 1, got ${options.numShards}.`);
  }
  if (index >= options.numShards) {
    throw new SeedInputError(
      `The shard index ${index} (from ${indexFrom === 'option' ? '--shard-index' : indexFrom}) is out of range: ` +
        `indices run from 0 to ${options.numShards - 1} for --num-shards ${options.numShards}.`
    );
  }
  return { index, numShards: options.numShards, indexFrom };
}

/** The plan indices of the input shards worker `index` of `numShards` does, in order. */
export function shardsOfWorker(totalShards: number, index: number, numShards: number): number[] {
  const mine: number[] = [];
  for (let shard = index; shard < totalShards; shard += numShards) {
    mine.push(shard);
  }
  return mine;
}

/** The worker that does input shard `shard`. */
export function workerOfShard(shard: number, numShards: number): number {
  return shard % numShards;
}

/** The output name of input shard `index`: `shard-00042`. */
export function shardName(index: number): string {
  return `shard-${String(index).padStart(5, '0')}`;
}
