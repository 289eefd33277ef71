import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import Ajv from 'ajv';
import sharp from 'sharp';
import { SeedModelError } from '../errors';
import { TINY_MODEL_DIR } from '../fixtures/paths';
import { SeedModel } from '../model';
import { PLAN_FILE, prepareTokenize, tokenizeStatus } from './index';
import type { TokenizeOptions } from './tokenize';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'seed-tokenize-'));
const images = path.join(root, 'images');
const CORRUPT = ['broken/cut', 'broken/text'];
let model: SeedModel;

test.before(async () => {
  model = await SeedModel.load(TINY_MODEL_DIR);
  fs.mkdirSync(path.join(images, 'broken'), { recursive: true });
  for (let i = 0; i < 20; i++) {
    const colour = { r: (i * 37) % 256, g: (i * 91) % 256, b: (i * 53) % 256 };
    await sharp({ create: { width: 20 + i, height: 12 + (i % 5), channels: 3, background: colour } })
      .png()
      .toFile(path.join(images, `img${String(i).padStart(2, '0')}.png`));
  }
  const png = fs.readFileSync(path.join(images, 'img00.png'));
  fs.writeFileSync(path.join(images, 'broken', 'cut.png'), png.subarray(0, png.length / 2));
  fs.writeFileSync(path.join(images, 'broken', 'text.jpg'), 'not a jpeg');
});
test.after(async () => {
  await model.release();
  fs.rmSync(root, { recursive: true, force: true });
});

function options(out: string, extra: Partial<TokenizeOptions> = {}): TokenizeOptions {
  return { inputs: [images], out: path.join(root, out), model, shardSize: 8, batchSize: 3, env: {}, ...extra };
}

function dataFiles(out: string): Map<string, Buffer> {
  const dir = path.join(root, out);
  return new Map(
    fs
      .readdirSync(dir)
      .filter((name) => /\.(parquet|tar|errors\.jsonl)$/.test(name))
      .sort()
      .map((name) => [name, fs.readFileSync(path.join(dir, name))])
  );
}

async function query(sql: string): Promise<Record<string, unknown>[]> {
  const db = await DuckDBInstance.create(':memory:');
  const connection = await db.connect();
  try {
    return (await connection.runAndReadAll(sql)).getRowObjectsJson() as Record<string, unknown>[];
  } finally {
    connection.closeSync();
  }
}

const SCHEMAS = path.join(__dirname, '..', '..', '..', 'kernel', 'runtime', 'dataset', 'schemas');

function validator(name: string) {
  const validate = new Ajv({ allErrors: true }).compile(JSON.parse(fs.readFileSync(path.join(SCHEMAS, name), 'utf8')));
  return (value: unknown) => assert.ok(validate(value), JSON.stringify(validate.errors));
}

/** The LLM form, written out here independently of kernel/protocol. */
function llmForm(codes: number[]): string {
  return `<img>${codes.map((code) => `<img_${code.toString().padStart(5, '0')}>`).join('')}</img>`;
}

test('a folder becomes Parquet shards that DuckDB reads: every image once, codes as encode() gives them', async () => {
  const job = await prepareTokenize(options('single'));
  assert.equal(job.plan.shards.length, 3);
  const summary = await job.run();
  assert.deepEqual([summary.completed, summary.samples, summary.errors, summary.interrupted], [3, 20, 2, false]);
  const rows = await query(
    `SELECT key, codes, tokens, caption, source, width, height, sha256 FROM '${path.join(root, 'single')}/*.parquet' ORDER BY key`
  );
  assert.deepEqual(
    rows.map((row) => row.key),
    Array.from({ length: 20 }, (_, i) => `img${String(i).padStart(2, '0')}`)
  );
  const [expected] = await model.encode([path.join(images, 'img07.png')]);
  const row = rows[7];
  assert.deepEqual(row.codes, expected.codes);
  assert.equal(row.tokens, llmForm(expected.codes));
  assert.equal(row.caption, null);
  assert.deepEqual([row.width, row.height], [27, 14]);
  assert.equal(
    row.sha256,
    crypto
      .createHash('sha256')
      .update(fs.readFileSync(path.join(images, 'img07.png')))
      .digest('hex')
  );
  const types = await query(`DESCRIBE SELECT * FROM '${path.join(root, 'single', 'shard-00000.parquet')}'`);
  assert.equal(types.find((t) => t.column_name === 'codes')?.column_type, 'SMALLINT[]');
  const errors = fs
    .readFileSync(path.join(root, 'single', 'shard-00000.errors.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as { key: string; reason: string });
  assert.deepEqual(
    errors.map((e) => e.key),
    CORRUPT
  );
  errors.forEach((e) => assert.match(e.reason, /Cannot read the image/));
  const manifest = JSON.parse(fs.readFileSync(path.join(root, 'single', 'shard-00000.done.json'), 'utf8'));
  validator('shard-manifest.schema.json')(manifest);
  assert.deepEqual(
    [manifest.samples, manifest.errors, manifest.preprocess, manifest.model.id],
    [6, 2, 'default', model.manifest.id]
  );
  const status = await tokenizeStatus(path.join(root, 'single'));
  assert.deepEqual([status.shardsDone, status.shardsTotal, status.samples, status.errors], [3, 3, 20, 2]);
});

test('a rerun does no work; three workers write byte-identical files; status names what is missing', async () => {
  const again = await (await prepareTokenize(options('single'))).run();
  assert.deepEqual([again.completed, again.skipped], [0, 3]);
  const workers = [0, 2];
  for (const shardIndex of workers) {
    await (await prepareTokenize(options('split', { shardIndex, numShards: 3 }))).run();
  }
  const partial = await tokenizeStatus(path.join(root, 'split'));
  assert.deepEqual([partial.missingShards, partial.missingWorkers], [[1], [1]]);
  await (await prepareTokenize(options('split', { env: { JOB_COMPLETION_INDEX: '1' }, numShards: 3 }))).run();
  assert.deepEqual(dataFiles('split'), dataFiles('single'));
  await assert.rejects(
    prepareTokenize(options('split', { format: 'wds', shardIndex: 0, numShards: 3 })),
    /holds the output of another tokenize run \(its output format differs\)/
  );
});

test('an interrupt abandons the shard in progress: no file of it remains, and a rerun completes it', async () => {
  const controller = new AbortController();
  const job = await prepareTokenize(
    options('interrupted', {
      signal: controller.signal,
      onProgress: (progress) => {
        if (progress.samples >= 11) {
          controller.abort();
        }
      }
    })
  );
  const summary = await job.run();
  assert.deepEqual([summary.interrupted, summary.completed], [true, 1]);
  const left = fs.readdirSync(path.join(root, 'interrupted')).filter((name) => name.startsWith('shard-'));
  assert.deepEqual(left.sort(), ['shard-00000.done.json', 'shard-00000.errors.jsonl', 'shard-00000.parquet']);
  const rerun = await (await prepareTokenize(options('interrupted'))).run();
  assert.deepEqual([rerun.skipped, rerun.completed], [1, 2]);
  assert.deepEqual(dataFiles('interrupted'), dataFiles('single'));
});

test('webdataset output: one <key>.json per sample, read back by Python tarfile + json', async () => {
  await (await prepareTokenize(options('wds', { format: 'wds' }))).run();
  const script = `
import json, sys, tarfile, glob
rows = []
for name in sorted(glob.glob(sys.argv[1] + '/*.tar')):
    with tarfile.open(name) as tar:
        for member in tar.getmembers():
            rows.append([member.name, json.load(tar.extractfile(member))])
print(json.dumps(rows))`;
  const result = spawnSync('/usr/bin/python3', ['-c', script, path.join(root, 'wds')], { encoding: 'utf8' });
  assert.equal(result.status, 0, result.stderr);
  const rows = JSON.parse(result.stdout) as [string, { key: string; codes: number[]; tokens: string }][];
  assert.equal(rows.length, 20);
  const parquet = await query(`SELECT key, codes FROM '${path.join(root, 'single')}/*.parquet' ORDER BY key`);
  const checkRecord = validator('token-record.schema.json');
  rows.forEach(([name, record], i) => {
    checkRecord(record);
    assert.equal(name, `${record.key}.json`);
    assert.deepEqual(record.codes, parquet[i].codes);
    assert.equal(record.tokens, llmForm(record.codes));
  });
});

test('bad calls fail before any work: nothing matched, unwritable folder, index out of range, damaged model', async () => {
  await assert.rejects(prepareTokenize(options('x', { inputs: [path.join(images, '*.gif')] })), /No input matched/);
  const file = path.join(root, 'a-file');
  fs.writeFileSync(file, '');
  await assert.rejects(
    prepareTokenize({ ...options('x'), out: path.join(file, 'out') }),
    /Cannot write to the output folder .*ENOTDIR/
  );
  await assert.rejects(prepareTokenize(options('x', { shardIndex: 5, numShards: 2 })), /out of range/);
  const copy = path.join(root, 'damaged-model');
  fs.cpSync(TINY_MODEL_DIR, copy, { recursive: true });
  const encoder = path.join(
    copy,
    JSON.parse(fs.readFileSync(path.join(copy, 'seed-model.json'), 'utf8')).tokenizer.encoder.path
  );
  const bytes = fs.readFileSync(encoder);
  bytes[bytes.length - 1] ^= 1;
  fs.writeFileSync(encoder, bytes);
  const damaged = await SeedModel.load(copy);
  try {
    await assert.rejects(prepareTokenize({ ...options('damaged'), model: damaged }), (error: Error) => {
      assert.ok(error instanceof SeedModelError);
      assert.match(error.message, /has sha256 .* but the manifest says/);
      return true;
    });
    assert.equal(fs.existsSync(path.join(root, 'damaged', PLAN_FILE)), false);
  } finally {
    await damaged.release();
  }
});
