/**
 * What an output folder holds: shards done out of the plan, samples, errors, which workers still have
 * work, and the command that reruns only those. Read from the plan and the manifests alone (no inputs).
 */
import { SeedInputError } from '../errors';
import { readDoneManifest } from './output/shard-files';
import { workerOfShard } from './plan/assign';
import { PLAN_FILE, readPlan } from './plan/plan-file';
import type { TokenizePlan } from './types';

export interface TokenizeStatus {
  plan: TokenizePlan;
  shardsDone: number;
  shardsTotal: number;
  samples: number;
  errors: number;
  /** Plan indices of the shards without a valid manifest. */
  missingShards: number[];
  /** Worker indices (of plan.numShards) that have missing shards: the array indices to rerun. */
  missingWorkers: number[];
}

export async function tokenizeStatus(out: string): Promise<TokenizeStatus> {
  const plan = readPlan(out);
  if (!plan) {
    throw new SeedInputError(
      `${out} has no ${PLAN_FILE}: it is not a tokenize output folder, or no worker has started yet.`
    );
  }
  const status: TokenizeStatus = {
    plan,
    shardsDone: 0,
    shardsTotal: plan.shards.length,
    samples: 0,
    errors: 0,
    missingShards: [],
    missingWorkers: []
  };
  for (const [index, shard] of plan.shards.entries()) {
    const manifest = await readDoneManifest(out, shard.name, shard.input);
    if (manifest) {
      status.shardsDone++;
      status.samples += manifest.samples;
      status.errors += manifest.errors;
    } else {
      status.missingShards.push(index);
    }
  }
  status.missingWorkers = [...new Set(status.missingShards.map((shard) => workerOfShard(shard, plan.numShards)))].sort(
    (a, b) => a - b
  );
  return status;
}

/** Quotes a word for a POSIX shell when it needs it. */
function shellWord(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/**
 * The commands that finish the run: an `sbatch --array=` line for SLURM (the array script is the one
 * submitted first), and the plain command per missing worker for anything else.
 */
export function rerunCommands(status: TokenizeStatus, sbatchScript = 'tokenize.sbatch'): string[] {
  if (status.missingWorkers.length === 0) {
    return [];
  }
  const { plan } = status;
  const lines = [`sbatch --array=${status.missingWorkers.join(',')} ${shellWord(sbatchScript)}`];
  if (plan.command.length > 0) {
    const base = plan.command.map(shellWord).join(' ');
    lines.push(
      ...status.missingWorkers.map((worker) =>
        plan.numShards > 1 ? `${base} --shard-index ${worker} --num-shards ${plan.numShards}` : base
      )
    );
  }
  return lines;
}
