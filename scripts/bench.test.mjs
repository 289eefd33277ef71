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

function spawnBench(args) {
  return spawnSync(process.execPath, [bench, ...args], { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 });
}

function runBench(threads, tokenizeImages) {
  const run = spawnBench([
    ...['--json', '--rounds', '1', '--repeats', '1', '--threads', String(threads)],
    ...['--tokenize-images', String(tokenizeImages), '--tokenize-rss-images', String(tokenizeImages)]
  ]);
  assert.equal(run.status, 0, `bench.mjs exited with ${run.status}: ${run.stderr}`);
  return JSON.parse(run.stdout);
}

// The one-thread run also checks that --tokenize-images 0 leaves the tokenizer out (it once looped for ever).
for (const [threads, tokenizeImages] of [
  [1, 0],
  [2, 16]
]) {
  test(`bench at ${threads} thread(s): both sides measured, PyTorch's threads wait as the runtime's do`, () => {
    const result = runBench(threads, tokenizeImages);
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
    if (tokenizeImages === 0) {
      assert.equal(result.tokenize, null);
    } else {
      assert.equal(result.tokenize.images, tokenizeImages);
      assert.ok(result.tokenize.tokenizeImagesPerS > 0);
    }
  });
}

test('bench refuses tokenizer sizes it cannot run, before loading anything', () => {
  for (const sizes of [
    ['--tokenize-images=-1'],
    ['--tokenize-images', '16', '--tokenize-rss-images', '8'],
    ['--tokenize-images', 'many']
  ]) {
    const run = spawnBench(sizes);
    assert.equal(run.status, 2, `${sizes.join(' ')}: exit ${run.status}`);
    assert.match(run.stderr, /images >= 1, rss-images >= images.*or --tokenize-images 0/s);
  }
});
