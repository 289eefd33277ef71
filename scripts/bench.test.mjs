// `npm run bench` runs end to end on the bundled seed-nano (one short round) and compares like with like:
// PyTorch runs with the runtime's thread count, and its OpenMP threads wait for work the way the runtime's
// do (spinning against spinning; a bench that let PyTorch's threads sleep once reported 3.66x where the
// fair figure was 1.5x). No speed is asserted: figures are the bench's job, not a test's.
// Run: node --test scripts/bench.test.mjs   (after `npm run build:kernel`)
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const bench = join(dirname(fileURLToPath(import.meta.url)), 'bench.mjs');

function runBench(threads) {
  const run = spawnSync(
    process.execPath,
    [bench, '--json', '--rounds', '1', '--repeats', '1', '--threads', String(threads)].concat([
      '--tokenize-images',
      '16',
      '--tokenize-rss-images',
      '16'
    ]),
    { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 }
  );
  assert.equal(run.status, 0, `bench.mjs exited with ${run.status}: ${run.stderr}`);
  return JSON.parse(run.stdout);
}

for (const threads of [1, 2]) {
  test(`bench at ${threads} thread(s): both sides measured, PyTorch's threads wait as the runtime's do`, () => {
    const result = runBench(threads);
    const [{ onnxruntime, pytorch }] = result.runs;
    assert.equal(pytorch.missing, undefined, `the PyTorch side did not run: ${pytorch.missing}`);
    assert.equal(pytorch.threads, threads);
    assert.equal(typeof onnxruntime.spin, 'boolean');
    if (threads === 1) {
      // One thread has no workers to wait: the runtime never spins it, and PyTorch then gets PASSIVE.
      assert.equal(onnxruntime.spin, false);
    }
    assert.equal(pytorch.ompWaitPolicy, onnxruntime.spin ? 'ACTIVE' : 'PASSIVE');
    for (const [key, row] of Object.entries(result.summary)) {
      for (const side of ['onnxruntime', 'pytorch', 'ratio']) {
        assert.ok(Number.isFinite(row[side]) && row[side] > 0, `${key} ${side}: ${row[side]}`);
      }
    }
    assert.equal(result.tokenize.images, 16);
    assert.ok(result.tokenize.tokenizeImagesPerS > 0);
  });
}
