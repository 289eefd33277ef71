import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolveWorker, shardName, shardsOfWorker, workerOfShard } from './assign';

test('every shard goes to exactly one worker, the same for any rerun', () => {
  for (const numShards of [1, 3, 4, 7, 20]) {
    const seen = Array.from({ length: numShards }, (_, i) => shardsOfWorker(16, i, numShards)).flat();
    assert.deepEqual(
      [...seen].sort((a, b) => a - b),
      Array.from({ length: 16 }, (_, i) => i)
    );
    seen.forEach((shard) => assert.ok(shardsOfWorker(16, workerOfShard(shard, numShards), numShards).includes(shard)));
  }
  assert.deepEqual(shardsOfWorker(16, 2, 4), [2, 6, 10, 14]);
  assert.equal(shardName(42), 'shard-00042');
});

test('the index comes from the option, SLURM, then Kubernetes; the count only from the command line', () => {
  assert.deepEqual(resolveWorker({ shardIndex: 1, numShards: 4 }, { SLURM_ARRAY_TASK_ID: '3' }), {
    index: 1,
    numShards: 4,
    indexFrom: 'option'
  });
  assert.equal(resolveWorker({ numShards: 4 }, { SLURM_ARRAY_TASK_ID: '3', JOB_COMPLETION_INDEX: '2' }).index, 3);
  assert.deepEqual(resolveWorker({ numShards: 4 }, { JOB_COMPLETION_INDEX: '2' }), {
    index: 2,
    numShards: 4,
    indexFrom: 'JOB_COMPLETION_INDEX'
  });
  assert.deepEqual(resolveWorker({}, {}), { index: 0, numShards: 1, indexFrom: 'single worker' });
  assert.throws(
    () => resolveWorker({}, { SLURM_ARRAY_TASK_ID: '2', SLURM_ARRAY_TASK_COUNT: '4' }),
    /--num-shards is\s+missing/
  );
  assert.throws(() => resolveWorker({ numShards: 4 }, {}), /no shard index was given/);
  assert.throws(
    () => resolveWorker({ shardIndex: 4, numShards: 4 }, {}),
    /shard index 4 \(from --shard-index\) is out of range: indices run from 0 to 3/
  );
  assert.throws(() => resolveWorker({ numShards: 2 }, { JOB_COMPLETION_INDEX: 'x' }), /JOB_COMPLETION_INDEX is 'x'/);
});
