/**
 * The tokenizer on a real single-node SLURM cluster (Debian's slurmctld, slurmd and munge, started and
 * stopped here by scripts/slurm-local/): the shipped array script over 16 webdataset shards with 4
 * workers, one task SIGKILLed mid-run and requeued, then checks that the result is complete, every key
 * is there once, the errors are exactly the corrupt samples, the files are byte-identical to one process
 * doing everything, and a second submission does no work.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { DuckDBInstance } from '@duckdb/node-api';
import sharp from 'sharp';
import * as tar from 'tar-stream';
import { TINY_MODEL_DIR } from '../../runtime/fixtures/paths';
import { PACKAGE_ROOT } from '../../runtime/package-paths';

const BIN = path.join(PACKAGE_ROOT, 'bin', 'jupyterlab-seed.js');
const SCRIPT = path.join(PACKAGE_ROOT, 'kernel', 'cli', 'cluster', 'tokenize.sbatch');
const SLURM_LOCAL = path.join(PACKAGE_ROOT, 'scripts', 'slurm-local');
const SHARDS = 16;
const WORKERS = 4;
const PER_SHARD = 40;
/**
 * Worker 2 (of 4) does shards 2, 6, 10 and 14; it is killed once shard 2 is done. Its later shards are 8 times
 * the size, so that the kill lands inside one of them however fast the machine (with 40 samples each, worker 2
 * could finish them all while slurmd was still being asked for its process).
 */
const VICTIM_SHARDS = [2, 6, 10, 14];
const samplesIn = (index: number) => (VICTIM_SHARDS.slice(1).includes(index) ? PER_SHARD * 8 : PER_SHARD);
const TOTAL_SAMPLES = Array.from({ length: SHARDS }, (_, i) => samplesIn(i)).reduce((a, b) => a + b, 0);
/** The samples that cannot be tokenized: a truncated PNG, a JPEG that is text, a sample with no image. */
const CORRUPT = new Map([
  [3, 'bad-cut'],
  [7, 'bad-text'],
  [12, 'bad-noimage']
]);

const missing = ['sbatch', 'slurmctld', 'slurmd', 'munged'].filter(
  (command) => spawnSync('sh', ['-c', `command -v ${command}`]).status !== 0
);
const skip =
  missing.length > 0 ? `SLURM is not installed (${missing.join(', ')}); see scripts/system-packages.txt` : false;

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'seed-slurm-'));
const cluster = path.join(work, 'cluster');
const data = path.join(work, 'shards');
const env: NodeJS.ProcessEnv = {
  ...process.env,
  SLURM_CONF: path.join(cluster, 'etc', 'slurm.conf'),
  // Ports of our own, so a cluster another test or person runs on the defaults is left alone.
  SLURM_LOCAL_CTLD_PORT: '16917',
  SLURM_LOCAL_SLURMD_PORT: '16918',
  SEED_MODEL: TINY_MODEL_DIR
};

function run(command: string, args: string[], extra: NodeJS.ProcessEnv = {}): string {
  return execFileSync(command, args, {
    env: { ...env, ...extra },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe']
  });
}

async function makeShard(index: number): Promise<void> {
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  pack.on('data', (chunk) => chunks.push(chunk as Buffer));
  const ended = new Promise<void>((resolve) => pack.on('end', () => resolve()));
  for (let i = 0; i < samplesIn(index); i++) {
    const raw = Buffer.alloc(96 * 96 * 3);
    for (let p = 0; p < raw.length; p++) {
      raw[p] = (p * 7 + i * 31 + index * 101 + ((p * p) >> 5)) & 255;
    }
    const key = `${String(index).padStart(5, '0')}-${String(i).padStart(3, '0')}`;
    pack.entry(
      { name: `${key}.png` },
      await sharp(raw, { raw: { width: 96, height: 96, channels: 3 } })
        .png()
        .toBuffer()
    );
    pack.entry({ name: `${key}.txt` }, `sample ${i} of shard ${index}`);
  }
  const bad = CORRUPT.get(index);
  if (bad === 'bad-cut') {
    const png = await sharp({ create: { width: 64, height: 64, channels: 3, background: 'red' } })
      .png()
      .toBuffer();
    pack.entry({ name: `${bad}.png` }, png.subarray(0, 40));
  } else if (bad === 'bad-text') {
    pack.entry({ name: `${bad}.jpg` }, 'this is not a JPEG');
  } else if (bad === 'bad-noimage') {
    pack.entry({ name: `${bad}.txt` }, 'a caption without its image');
  }
  pack.finalize();
  await ended;
  fs.writeFileSync(path.join(data, `${String(index).padStart(5, '0')}.tar`), Buffer.concat(chunks));
}

const INPUTS = () => `${data}/{00000..${String(SHARDS - 1).padStart(5, '0')}}.tar`;

function submit(array: string, out: string): string {
  return run(
    'sbatch',
    ['--parsable', `--array=${array}`, `--output=${work}/log-%A_%a.log`, `--chdir=${work}`, SCRIPT],
    {
      SEED_TOKENIZE_INPUTS: INPUTS(),
      SEED_TOKENIZE_OUT: out,
      SEED_TOKENIZE_NUM_SHARDS: String(WORKERS),
      SEED_TOKENIZE_BIN: `${process.execPath} ${BIN}`,
      SEED_TOKENIZE_ARGS: '--batch-size 8'
    }
  ).trim();
}

function jobState(job: string): { state: string; exit: string; restarts: string } {
  const text = run('scontrol', ['show', 'job', job]);
  return {
    state: /JobState=(\S+)/.exec(text)?.[1] ?? '?',
    exit: /ExitCode=(\S+)/.exec(text)?.[1] ?? '?',
    restarts: /Restarts=(\S+)/.exec(text)?.[1] ?? '?'
  };
}

async function waitUntilFinished(job: string, seconds = 90): Promise<void> {
  const deadline = Date.now() + seconds * 1000;
  while (Date.now() < deadline) {
    if (run('squeue', ['--noheader', `--jobs=${job}`, '--format=%i %T']).trim() === '') {
      return;
    }
    await sleep(200);
  }
  throw new Error(`job ${job} did not finish in ${seconds} s: ${run('squeue', ['--jobs=' + job])}`);
}

function manifests(out: string, shards: number[]): number {
  return shards.filter((i) => fs.existsSync(path.join(out, `shard-${String(i).padStart(5, '0')}.done.json`))).length;
}

function dataFiles(out: string): Map<string, Buffer> {
  return new Map(
    fs
      .readdirSync(out)
      .filter((name) => /\.(parquet|errors\.jsonl)$/.test(name))
      .sort()
      .map((name) => [name, fs.readFileSync(path.join(out, name))])
  );
}

test.after(() => {
  if (!skip) {
    spawnSync(path.join(SLURM_LOCAL, 'down.sh'), [cluster], { env, stdio: 'ignore' });
  }
  fs.rmSync(work, { recursive: true, force: true });
});

test(
  'SLURM array: 4 workers, one killed and requeued, complete and byte-identical to one process',
  { skip },
  async () => {
    fs.mkdirSync(data, { recursive: true });
    await Promise.all(Array.from({ length: SHARDS }, (_, i) => makeShard(i)));
    run(path.join(SLURM_LOCAL, 'up.sh'), [cluster]);

    const out = path.join(work, 'tokens');
    const job = submit(`0-${WORKERS - 1}`, out);
    // Worker 2 does shards 2, 6, 10, 14. Kill it (SIGKILL, no chance to clean up) as soon as its first shard
    // is done, while it is inside its second one.
    const victim = `${job}_2`;
    const mine = VICTIM_SHARDS;
    const deadline = Date.now() + 60_000;
    while (manifests(out, mine) === 0) {
      assert.ok(Date.now() < deadline, 'worker 2 never finished a shard');
      await sleep(20);
    }
    const taskId = /JobId=(\d+)/.exec(run('scontrol', ['show', 'job', victim]))?.[1] as string;
    // slurmd lists a step's processes once it has registered them; on a loaded machine that can lag a moment.
    let batchPid: string | undefined;
    for (let i = 0; i < 50 && !batchPid; i++) {
      batchPid = run('scontrol', ['listpids', taskId])
        .split('\n')
        .map((line) => line.trim().split(/\s+/))
        .find((cols) => cols[2] === 'batch' && cols[3] === '0')?.[0];
      if (!batchPid) {
        await sleep(100);
      }
    }
    assert.ok(
      batchPid,
      `no batch process for task ${victim} (state ${jobState(victim).state}, ${manifests(out, mine)} of its shards done)`
    );
    try {
      process.kill(Number(batchPid), 'SIGKILL');
    } catch (error) {
      assert.fail(
        `task ${victim}'s batch process ${batchPid} ended before the kill (${(error as Error).message}; ` +
          `${manifests(out, mine)} of its shards done)`
      );
    }
    const doneAtKill = manifests(out, mine);
    assert.ok(doneAtKill < mine.length, `worker 2 had finished all its shards before the kill (${doneAtKill})`);
    for (let i = 0; i < 50 && jobState(victim).state !== 'FAILED'; i++) {
      await sleep(100);
    }
    assert.equal(jobState(victim).state, 'FAILED');

    // The shard it was inside does not count: `status` reports it missing and names worker 2.
    await waitUntilFinished(`${job}_0,${job}_1,${job}_3`);
    const before = spawnSync(process.execPath, [BIN, 'tokenize', 'status', out], { encoding: 'utf8' });
    assert.equal(before.status, 1, before.stdout + before.stderr);
    assert.match(before.stdout, /missing worker indices \(of 4\): 2\n/);
    assert.match(before.stdout, /sbatch --array=2 tokenize\.sbatch/);

    run('scontrol', ['requeue', victim]);
    run('scontrol', ['update', `JobId=${victim}`, 'StartTime=now']);
    await waitUntilFinished(job);
    for (let i = 0; i < WORKERS; i++) {
      assert.deepEqual(jobState(`${job}_${i}`).state, 'COMPLETED', `task ${i}`);
    }
    assert.equal(jobState(victim).restarts, '1');

    const status = spawnSync(process.execPath, [BIN, 'tokenize', 'status', out], { encoding: 'utf8' });
    assert.equal(status.status, 0, status.stdout + status.stderr);
    assert.match(status.stdout, /16\/16 shards done \(complete\)/);
    assert.match(status.stdout, new RegExp(`samples: ${TOTAL_SAMPLES}, errors: ${CORRUPT.size}`));

    // Every key exactly once, read by DuckDB; the errors are exactly the corrupt samples.
    const db = await DuckDBInstance.create(':memory:');
    const connection = await db.connect();
    const rows = (
      await connection.runAndReadAll(`SELECT key, count(*) AS n FROM '${out}/*.parquet' GROUP BY key ORDER BY key`)
    ).getRowObjectsJson();
    connection.closeSync();
    assert.equal(rows.length, TOTAL_SAMPLES);
    assert.ok(rows.every((row) => Number(row.n) === 1));
    const errors = fs
      .readdirSync(out)
      .filter((name) => name.endsWith('.errors.jsonl'))
      .flatMap((name) => fs.readFileSync(path.join(out, name), 'utf8').trim().split('\n'))
      .map((line) => (JSON.parse(line) as { key: string }).key)
      .sort();
    assert.deepEqual(errors, [...CORRUPT.values()].sort());
    assert.deepEqual(
      fs.readdirSync(out).filter((name) => name.includes('.tmp-')),
      [],
      'a temporary file of the killed shard was left behind'
    );

    // One process over the same input writes the same bytes.
    const single = path.join(work, 'single');
    const reference = spawnSync(process.execPath, [BIN, 'tokenize', INPUTS(), '--out', single, '--batch-size', '8'], {
      env,
      encoding: 'utf8'
    });
    assert.equal(reference.status, 0, reference.stderr);
    assert.deepEqual(dataFiles(out), dataFiles(single));

    // Submitting again finds everything done: no shard is rewritten.
    const mtimes = fs.readdirSync(out).map((name) => fs.statSync(path.join(out, name)).mtimeMs);
    const again = submit(`0-${WORKERS - 1}`, out);
    await waitUntilFinished(again);
    for (let i = 0; i < WORKERS; i++) {
      const log = fs.readFileSync(path.join(work, `log-${again}_${i}.log`), 'utf8');
      assert.match(log, /tokenize: 0 shards written, 4 already done/);
    }
    assert.deepEqual(
      fs.readdirSync(out).map((name) => fs.statSync(path.join(out, name)).mtimeMs),
      mtimes
    );
  }
);
