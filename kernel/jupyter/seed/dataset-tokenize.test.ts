import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import sharp from 'sharp';
import { SeedCancelledError, SeedModel } from '../../runtime';
import { TINY_MODEL_DIR } from '../../runtime/fixtures/paths';
import type { TokenRecord } from '../../runtime/dataset';
import { MIME_BUNDLE, MimeBundle } from '../mime-bundle';
import type { DisplayOptions } from '../kernel';
import { SeedTokenizeSummary, TokenizeProgressDisplay, tokenizeRecords } from './dataset-tokenize';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'seed-kernel-tokenize-'));
const images = path.join(root, 'images');
let model: SeedModel;

test.before(async () => {
  model = await SeedModel.load(TINY_MODEL_DIR);
  fs.mkdirSync(images);
  for (let i = 0; i < 24; i++) {
    await sharp({ create: { width: 24, height: 24, channels: 3, background: { r: i * 10, g: 40, b: 200 - i * 8 } } })
      .png()
      .toFile(path.join(images, `p${String(i).padStart(2, '0')}.png`));
  }
});
test.after(async () => {
  await model.release();
  fs.rmSync(root, { recursive: true, force: true });
});

test('records arrive shard by shard while the shards are written; the summary counts codes and shows rows', async () => {
  const out = path.join(root, 'out');
  const shown: [MimeBundle, DisplayOptions][] = [];
  const progress = new TokenizeProgressDisplay((bundle, options) => shown.push([bundle, options]));
  const summary = new SeedTokenizeSummary(out, model.manifest.tokenizer.codebookSize);
  const batches: TokenRecord[][] = [];
  for await (const records of tokenizeRecords(model, [images], {
    out,
    shardSize: 10,
    batchSize: 4,
    onProgress: (p) => progress.update(p),
    onDone: (run) => (summary.run = run)
  })) {
    // The shard's files are in place when its records arrive.
    assert.ok(fs.existsSync(path.join(out, `shard-0000${batches.length}.done.json`)));
    batches.push(records);
    summary.add(records);
  }
  assert.deepEqual(
    batches.map((b) => b.length),
    [10, 10, 4]
  );
  assert.equal(summary.run?.samples, 24);
  const counted = [...summary.codeCounts.values()].reduce((a, b) => a + b, 0);
  assert.equal(counted, 24 * model.manifest.tokenizer.numCodes);
  const bundle = summary[MIME_BUNDLE]() as Record<string, string>;
  assert.match(bundle['text/plain'], /3 shards written, 0 already done; 24 images, 0 errors/);
  assert.match(bundle['text/plain'], new RegExp(`Codes used: ${summary.codeCounts.size} of 64`));
  assert.equal((bundle['text/html'].match(/<tr><td>p0/g) ?? []).length, 5);
  // One display, created once and then updated in place.
  assert.ok(shown.length >= 1);
  assert.equal(shown[0][1].update, false);
  assert.ok(
    shown.slice(1).every(([, options]) => options.update === true && options.displayId === shown[0][1].displayId)
  );
  assert.match(String(shown[0][0]['text/plain']), /Tokenizing: \d+\/24 images/);
});

test('an interrupt ends the iteration with SeedCancelledError, keeps finished shards, and a rerun resumes', async () => {
  const out = path.join(root, 'interrupted');
  const controller = new AbortController();
  const seen: number[] = [];
  await assert.rejects(
    (async () => {
      for await (const records of tokenizeRecords(model, [images], {
        out,
        shardSize: 10,
        batchSize: 4,
        signal: controller.signal
      })) {
        seen.push(records.length);
        controller.abort();
      }
    })(),
    (error: Error) => error instanceof SeedCancelledError && /a rerun resumes/.test(error.message)
  );
  assert.deepEqual(seen, [10]);
  const summary = new SeedTokenizeSummary(out, 64);
  for await (const records of tokenizeRecords(model, [images], {
    out,
    shardSize: 10,
    batchSize: 4,
    onDone: (run) => (summary.run = run)
  })) {
    summary.add(records);
  }
  assert.deepEqual([summary.run?.skipped, summary.run?.completed, summary.recordsSeen], [1, 2, 14]);
});
