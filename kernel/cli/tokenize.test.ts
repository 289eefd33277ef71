import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import sharp from 'sharp';
import { parseLlmTokens } from '../protocol/llm-tokens';
import { TINY_MODEL_DIR } from '../runtime/fixtures/paths';
import { PACKAGE_ROOT } from '../runtime/package-paths';

const BIN = path.join(PACKAGE_ROOT, 'bin', 'jupyterlab-seed.js');
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'seed-cli-tokenize-'));
const images = path.join(root, 'images');
const env = { ...process.env, SEED_MODEL: TINY_MODEL_DIR };

test.before(async () => {
  fs.mkdirSync(images);
  for (let i = 0; i < 48; i++) {
    await sharp({ create: { width: 64, height: 48, channels: 3, background: { r: i * 5, g: 255 - i * 5, b: 128 } } })
      .png()
      .toFile(path.join(images, `im${String(i).padStart(2, '0')}.png`));
  }
});
test.after(() => fs.rmSync(root, { recursive: true, force: true }));

function cli(args: string[], extra: NodeJS.ProcessEnv = {}) {
  return spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', env: { ...env, ...extra } });
}

function shardFiles(out: string): string[] {
  return fs
    .readdirSync(out)
    .filter((name) => name.startsWith('shard-'))
    .sort();
}

test('SIGTERM inside a shard leaves no file of it; the rerun completes it; status tells the way', async () => {
  const out = path.join(root, 'term');
  // --batch-size 1 makes a shard of 16 images slow enough to be interrupted inside.
  const child = spawn(
    process.execPath,
    [BIN, 'tokenize', images, '--out', out, '--shard-size', '16', '--batch-size', '1'],
    {
      env
    }
  );
  let stderr = '';
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  await new Promise<void>((resolve) =>
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      // The first shard is done: the process is now inside the second.
      if (child.signalCode === null && !child.killed && /shard-00000: 16 images/.test(stderr)) {
        child.kill('SIGTERM');
        resolve();
      }
    })
  );
  assert.equal(await exited, 143, stderr);
  assert.match(stderr, /interrupted by SIGTERM, the shard in progress was abandoned/);
  assert.deepEqual(shardFiles(out), ['shard-00000.done.json', 'shard-00000.parquet']);

  const status = cli(['tokenize', 'status', out]);
  assert.equal(status.status, 1);
  assert.match(status.stdout, /1\/3 shards done/);
  assert.match(status.stdout, /missing shards: 1, 2/);
  assert.match(status.stdout, /sbatch --array=0 tokenize\.sbatch/);
  assert.match(
    status.stdout,
    new RegExp(`jupyterlab-seed tokenize ${images} --out ${out} --shard-size 16 --batch-size 1\\n`)
  );

  const rerun = cli(['tokenize', images, '--out', out, '--shard-size', '16', '--batch-size', '1']);
  assert.equal(rerun.status, 0, rerun.stderr);
  assert.match(rerun.stderr, /shard-00000: already done/);
  assert.match(rerun.stderr, /2 shards written, 1 already done; 32 images, 0 errors/);
  assert.equal(cli(['tokenize', 'status', out]).status, 0);
});

test('tokens read back by DuckDB round-trip through decode: the same image as decoding the codes', async () => {
  const out = path.join(root, 'roundtrip');
  assert.equal(cli(['tokenize', path.join(images, 'im0*.png'), '--out', out]).status, 0);
  const db = await DuckDBInstance.create(':memory:');
  const connection = await db.connect();
  const [row] = (
    await connection.runAndReadAll(`SELECT codes, tokens FROM '${out}/*.parquet' ORDER BY key LIMIT 1`)
  ).getRowObjectsJson() as { codes: number[]; tokens: string }[];
  connection.closeSync();
  assert.deepEqual(parseLlmTokens(row.tokens), row.codes);
  const fromTokens = path.join(root, 'from-tokens.png');
  const fromCodes = path.join(root, 'from-codes.png');
  const steps = ['--steps', '2'];
  const llm = cli(['decode', `Here is the picture: ${row.tokens} as you asked.`, '-o', fromTokens, ...steps]);
  assert.equal(llm.status, 0, llm.stderr);
  assert.equal(cli(['decode', row.codes.join(','), '-o', fromCodes, ...steps]).status, 0);
  assert.ok(fs.readFileSync(fromTokens).equals(fs.readFileSync(fromCodes)));
});

test('the worker index comes from SLURM_ARRAY_TASK_ID; the count must be on the command line', () => {
  const out = path.join(root, 'slurm');
  const missingCount = cli(['tokenize', images, '--out', out], { SLURM_ARRAY_TASK_ID: '1' });
  assert.equal(missingCount.status, 1);
  assert.match(missingCount.stderr, /from SLURM_ARRAY_TASK_ID\) but --num-shards is missing/);
  const second = cli(['tokenize', images, '--out', out, '--shard-size', '16', '--num-shards', '2', '--threads', '1'], {
    SLURM_ARRAY_TASK_ID: '1'
  });
  assert.equal(second.status, 0, second.stderr);
  assert.match(second.stderr, /worker 1 of 2 \(index from SLURM_ARRAY_TASK_ID\): 1 of 3 shards.*1 threads/);
  assert.deepEqual(shardFiles(out), ['shard-00001.done.json', 'shard-00001.parquet']);
  const status = cli(['tokenize', 'status', out]);
  assert.match(status.stdout, /missing worker indices \(of 2\): 0\n/);
  assert.match(status.stdout, /--shard-index 0 --num-shards 2/);
});

test('bad calls are clear errors before any work', () => {
  const cases: [string[], RegExp][] = [
    [['tokenize', path.join(root, 'nothing-*.png'), '--out', path.join(root, 'o1')], /No input matched/],
    [['tokenize', images, '--out', path.join(BIN, 'o2')], /Cannot write to the output folder/],
    [['tokenize', images, '--out', path.join(root, 'o3'), '--shard-index', '2', '--num-shards', '2'], /out of range/],
    [['tokenize', images], /Give the output folder with --out DIR/],
    [['tokenize', images, '--out', path.join(root, 'o4'), '--format', 'csv'], /--format must be parquet or wds/],
    [
      ['tokenize', images, '--out', path.join(root, 'o5'), '--preprocess', 'pil'],
      /--preprocess must be default or release/
    ],
    [['tokenize', 'status', path.join(root, 'o6')], /has no tokenize-plan\.json/]
  ];
  for (const [args, message] of cases) {
    const result = cli(args);
    assert.notEqual(result.status, 0, args.join(' '));
    assert.match(result.stderr, message);
  }
  assert.equal(fs.existsSync(path.join(root, 'o3')), false);
});
