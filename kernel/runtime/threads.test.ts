import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SeedInputError } from './errors';
import { chooseSpinning, chooseThreads } from './threads';

const IDLE_6 = { available: 6, load: 0.4 };
const IDLE_64 = { available: 64, load: 1 };

test('without a request or SLURM, one thread per CPU this process may use', () => {
  assert.deepEqual(chooseThreads(undefined, {}, IDLE_6), {
    count: 6,
    spin: true,
    reason:
      'one per CPU this process may use (os.availableParallelism() = 6); threads spin-wait during a call ' +
      '(load average 0.4 on 6 CPUs when the model loaded)'
  });
});

test('SLURM_CPUS_PER_TASK comes before the CPU count, and a bad value is an error naming the variable', () => {
  const choice = chooseThreads(undefined, { SLURM_CPUS_PER_TASK: '3' }, IDLE_64);
  assert.equal(choice.count, 3);
  assert.match(choice.reason, /^SLURM_CPUS_PER_TASK=3: the CPUs this SLURM job was given; /);
  assert.throws(
    () => chooseThreads(undefined, { SLURM_CPUS_PER_TASK: 'two' }, IDLE_64),
    (e: Error) => e instanceof SeedInputError && /SLURM_CPUS_PER_TASK is 'two'.*--cpus-per-task/.test(e.message)
  );
});

test('an explicit count wins and names who set it; 0 means automatic', () => {
  const request = { count: 1, source: '%seed device --threads 1' };
  assert.deepEqual(chooseThreads(request, { SLURM_CPUS_PER_TASK: '4' }, { available: 8, load: 0 }), {
    count: 1,
    spin: false,
    reason: 'set by %seed device --threads 1'
  });
  assert.equal(chooseThreads({ count: 0, source: 'the setting' }, { SLURM_CPUS_PER_TASK: '4' }, IDLE_64).count, 4);
  for (const count of [-1, 1.5, Number.NaN]) {
    assert.throws(
      () => chooseThreads({ count, source: 'the CLI option --threads' }, {}, IDLE_64),
      (e: Error) => e instanceof SeedInputError && /from the CLI option --threads/.test(e.message)
    );
  }
});

test('threads spin-wait only when there are several and the machine was not busy at load', () => {
  assert.deepEqual(chooseSpinning(1, { available: 2, load: 0 }), { spin: false, reason: '' });
  assert.equal(chooseSpinning(2, { available: 2, load: 1.7 }).spin, true);
  const busy = chooseSpinning(2, { available: 2, load: 2 });
  assert.equal(busy.spin, false);
  assert.equal(
    busy.reason,
    'threads sleep between tasks: the machine is busy (load average 2.0 on 2 CPUs when the model loaded)'
  );
  assert.equal(chooseThreads(undefined, {}, { available: 16, load: 20.3 }).spin, false);
  assert.match(
    chooseThreads(undefined, {}, { available: 16, load: 20.3 }).reason,
    /busy \(load average 20\.3 on 16 CPUs/
  );
});
