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

test('a small model runs one thread unless a request or SLURM says otherwise; a large one uses every CPU', () => {
  const nano = 17e6;
  assert.deepEqual(chooseThreads(undefined, {}, 2, nano), {
    count: 1,
    reason: 'one for a small model (17 MB of files: at batch 1 a second thread costs more than it saves)'
  });
  assert.equal(chooseThreads(undefined, {}, 2, 4.4e9).count, 2);
  assert.equal(chooseThreads({ count: 2, source: 'the setting' }, {}, 2, nano).count, 2);
  assert.equal(chooseThreads(undefined, { SLURM_CPUS_PER_TASK: '4' }, 8, nano).count, 4);
  // A single CPU is one thread either way, said the usual way.
  assert.match(chooseThreads(undefined, {}, 1, nano).reason, /one per CPU this process may use/);
});
