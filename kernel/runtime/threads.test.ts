import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SeedInputError } from './errors';
import { chooseThreads } from './threads';

test('without a request or SLURM, one thread per CPU this process may use', () => {
  assert.deepEqual(chooseThreads(undefined, {}, 6), {
    count: 6,
    reason: 'one per CPU this process may use (os.availableParallelism() = 6)'
  });
});

test('SLURM_CPUS_PER_TASK comes before the CPU count, and a bad value is an error naming the variable', () => {
  assert.deepEqual(chooseThreads(undefined, { SLURM_CPUS_PER_TASK: '3' }, 64), {
    count: 3,
    reason: 'SLURM_CPUS_PER_TASK=3: the CPUs this SLURM job was given'
  });
  assert.throws(
    () => chooseThreads(undefined, { SLURM_CPUS_PER_TASK: 'two' }, 64),
    (e: Error) => e instanceof SeedInputError && /SLURM_CPUS_PER_TASK is 'two'.*--cpus-per-task/.test(e.message)
  );
});

test('an explicit count wins and names who set it; 0 means automatic', () => {
  const request = { count: 1, source: '%seed device --threads 1' };
  assert.deepEqual(chooseThreads(request, { SLURM_CPUS_PER_TASK: '4' }, 8), {
    count: 1,
    reason: 'set by %seed device --threads 1'
  });
  assert.equal(chooseThreads({ count: 0, source: 'the setting' }, { SLURM_CPUS_PER_TASK: '4' }, 8).count, 4);
  for (const count of [-1, 1.5, Number.NaN]) {
    assert.throws(
      () => chooseThreads({ count, source: 'the CLI option --threads' }, {}, 8),
      (e: Error) => e instanceof SeedInputError && /from the CLI option --threads/.test(e.message)
    );
  }
});
