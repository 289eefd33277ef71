/**
 * How many threads ONNX Runtime uses inside an operator, whether they spin-wait, and why. The order of
 * precedence for the count: an explicit request (SEED setting, `%seed device --threads`, the CLI's
 * `--threads`, `SeedModel.load({ threads })`), then the CPUs a SLURM job was given (`SLURM_CPUS_PER_TASK`),
 * then the CPUs this process may run on.
 */
import * as os from 'node:os';
import { SeedInputError } from './errors';

/** The intra-op thread count a model's sessions use, whether its threads spin-wait, with the reason in words. */
export interface ThreadChoice {
  count: number;
  /** Whether worker threads spin-wait for work during a call (they stop when the call ends); see chooseSpinning. */
  spin: boolean;
  reason: string;
}

/** What a session's options need of the choice (sessions.ts, the quantiser). */
export type SessionThreads = Pick<ThreadChoice, 'count' | 'spin'>;

/**
 * What the caller asked for: a count (0 = automatic), and who asked, in words the user recognises
 * (for example "the setting Threads (Settings → SEED)"), for the reason shown by `%seed device`.
 */
export interface ThreadRequest {
  count: number;
  source: string;
}

/** What the machine looks like when the model is loaded (injectable for tests). */
export interface MachineLoad {
  /** The CPUs this process may run on: `os.availableParallelism()`. */
  available: number;
  /** The 1-minute load average: `os.loadavg()[0]`. */
  load: number;
}

function currentMachine(): MachineLoad {
  return { available: os.availableParallelism(), load: os.loadavg()[0] };
}

/**
 * Picks the thread count and spinning. `os.availableParallelism()` honours the CPU affinity mask (SLURM's
 * cgroup binding, `taskset`, Kubernetes CPU sets), which `os.cpus().length` ignores; SLURM_CPUS_PER_TASK
 * still comes first because a job without CPU binding sees every core of the node.
 */
export function chooseThreads(
  request: ThreadRequest | undefined,
  env: NodeJS.ProcessEnv = process.env,
  machine: MachineLoad = currentMachine()
): ThreadChoice {
  const { count, reason } = chooseCount(request, env, machine.available);
  const spinning = chooseSpinning(count, machine);
  return { count, spin: spinning.spin, reason: spinning.reason ? `${reason}; ${spinning.reason}` : reason };
}

function chooseCount(
  request: ThreadRequest | undefined,
  env: NodeJS.ProcessEnv,
  available: number
): { count: number; reason: string } {
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
  return {
    count: available,
    reason: `one per CPU this process may use (os.availableParallelism() = ${available})`
  };
}

/**
 * Whether the worker threads spin-wait between the operators of a call. ONNX Runtime hands each operator's
 * work to its pool; a sleeping worker takes tens of microseconds to wake, which is most of a small
 * operator's time. Spinning workers take the next task at once, and the sessions stop the spinning when a
 * call ends (`session.force_spinning_stop`), so an idle kernel uses no CPU.
 *
 * Measured on 2 cores (seed-nano, 2026-12-03): idle, spinning made an encoder call at batch 1 1.8x as fast
 * (1.30 against 2.29 ms; one thread: 2.42), a UNet call 2.3x (1.58 against 3.58 ms), batches of 8 1.2-1.3x.
 * But with both cores busy with other work a spinning thread keeps the CPU from the process it waits for:
 * the same calls took up to twice as long as without spinning (4.17 against 2.11 ms; batch 8: 23.4
 * against 13.4 ms). So threads spin unless the machine is busy when the model loads: a 1-minute load
 * average at or above the CPUs this process may use (more runnable threads than CPUs). Not half that: the
 * load average lags, and a heavy cell or JupyterLab's own start leave 1 to 1.7 on an idle 2-core machine.
 */
export function chooseSpinning(
  count: number,
  machine: MachineLoad = currentMachine()
): { spin: boolean; reason: string } {
  if (count < 2) {
    return { spin: false, reason: '' };
  }
  const load = `load average ${machine.load.toFixed(1)} on ${machine.available} CPUs when the model loaded`;
  return machine.load < machine.available
    ? { spin: true, reason: `threads spin-wait during a call (${load})` }
    : { spin: false, reason: `threads sleep between tasks: the machine is busy (${load})` };
}

/** Throws SeedInputError unless `count` is a whole number >= 1 (0 is "automatic" and handled before). */
export function checkThreadCount(count: number, source: string): void {
  if (!Number.isInteger(count) || count < 1) {
    throw new SeedInputError(
      `threads must be a whole number of at least 1 (or 0 for one per available CPU), got ${count} from ${source}.`
    );
  }
}
