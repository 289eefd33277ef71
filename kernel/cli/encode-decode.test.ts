import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { FIXTURES_DIR, TINY_MODEL_DIR, TINY_UNCLIP_MODEL_DIR, readFixtureJson } from '../runtime/fixtures/paths';
import { UsageError } from './command';
import { parseCodes } from './decode';
import { PACKAGE_ROOT } from '../runtime/package-paths';

const BIN = path.join(PACKAGE_ROOT, 'bin', 'jupyterlab-seed.js');
const IMAGE = path.join(FIXTURES_DIR, 'tiny-image.png');
const { codes: EXPECTED } = readFixtureJson<{ codes: number[] }>('tiny-model-expected.json');

function cli(args: string[], input?: string, env: Record<string, string> = {}) {
  return spawnSync(process.execPath, [BIN, ...args], {
    cwd: PACKAGE_ROOT,
    input,
    encoding: 'utf8',
    env: { ...process.env, SEED_MODEL: TINY_MODEL_DIR, ...env }
  });
}

const temporary: string[] = [];

function tempFile(name: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'seed-cli-'));
  temporary.push(dir);
  return path.join(dir, name);
}

test.after(() => temporary.forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })));

test('parseCodes reads lists, JSON arrays, objects and encode --json output', () => {
  assert.deepEqual(parseCodes('1, 2 3,4', 'x'), [1, 2, 3, 4]);
  assert.deepEqual(parseCodes('[5, 6]', 'x'), [5, 6]);
  assert.deepEqual(parseCodes('{"codes": [7]}', 'x'), [7]);
  assert.deepEqual(parseCodes('[{"image": "a.png", "codes": [8, 9]}]', 'x'), [8, 9]);
  assert.throws(
    () => parseCodes('1, two', 'stdin'),
    (e: Error) => e instanceof UsageError && /'two' in stdin is not a code/.test(e.message)
  );
  assert.throws(() => parseCodes('[1, "2"]', 'f.json'), /f\.json must hold a JSON array of codes/);
  assert.throws(() => parseCodes('[1, 2', 'f.json'), /f\.json is not valid JSON/);
});

test('encode prints the 32 codes of an image', () => {
  const result = cli(['encode', IMAGE]);
  assert.equal(result.status, 0, result.stderr);
  assert.equal(result.stdout.trim(), EXPECTED.join(', '));
});

test('encode --json --top-k gives codes and candidates per image', () => {
  const result = cli(['encode', IMAGE, IMAGE, '--json', '--top-k', '2', '--model', TINY_MODEL_DIR], undefined, {
    SEED_MODEL: '/nonexistent'
  });
  assert.equal(result.status, 0, result.stderr);
  const out = JSON.parse(result.stdout);
  assert.equal(out.length, 2);
  assert.deepEqual(out[1].codes, EXPECTED);
  assert.equal(out[0].topK[0].length, 2);
  assert.equal(out[0].topK[0][0].code, EXPECTED[0]);
});

test('decode writes a PNG from codes given as arguments, @file or stdin', () => {
  const first = tempFile('a.png');
  let result = cli(['decode', EXPECTED.join(','), '-o', first, '--steps', '4', '--seed', '1']);
  assert.equal(result.status, 0, result.stderr);
  assert.match(result.stdout, /Wrote .*a\.png \(16x16; plms, 4 steps, guidance 7\.5, seed 1; 5 UNet calls on cpu/);
  assert.deepEqual([...fs.readFileSync(first).subarray(1, 4)], [...Buffer.from('PNG')]);

  const json = tempFile('codes.json');
  fs.writeFileSync(json, JSON.stringify({ codes: EXPECTED }));
  const second = tempFile('b.png');
  result = cli(['decode', `@${json}`, '-o', second, '--steps', '4', '--seed', '1']);
  assert.equal(result.status, 0, result.stderr);
  assert.ok(fs.readFileSync(first).equals(fs.readFileSync(second)), 'same codes and settings, same bytes');

  const third = tempFile('c.png');
  result = cli(['decode', '-', '-o', third, '--steps', '2', '--sampler', 'ddim', '--eta', '0.5'], EXPECTED.join(' '));
  assert.equal(result.status, 0, result.stderr);
  assert.match(result.stdout, /ddim, 2 steps, guidance 7\.5, seed 42, eta 0\.5; 2 UNet calls/);
});

test('decode says the steps that ran, and why when they differ from --steps', () => {
  const out = tempFile('steps.png');
  let result = cli(['decode', EXPECTED.join(','), '-o', out, '--steps', '27']);
  assert.equal(result.status, 0, result.stderr);
  assert.match(result.stdout, /\(16x16; plms, 27 steps, guidance 7\.5, seed 42; 28 UNet calls on cpu, [\d.]+ s\)\.\n$/);

  result = cli(['decode', EXPECTED.join(','), '-o', out, '--steps', '300']);
  assert.equal(result.status, 0, result.stderr);
  assert.match(
    result.stdout,
    /plms, 333 steps, guidance 7\.5, seed 42; 334 UNet calls on cpu, [\d.]+ s\)\.\n333 steps ran \(300 asked\): the uniform schedule visits every 3rd of the 1000 training steps; step counts that divide 1000 run exactly\.\n$/
  );
});

test('--threads and SLURM_CPUS_PER_TASK set the threads; a bad SLURM value says what to fix', () => {
  assert.equal(cli(['encode', IMAGE, '--threads', '1']).stdout.trim(), EXPECTED.join(', '));
  assert.equal(cli(['encode', IMAGE], undefined, { SLURM_CPUS_PER_TASK: '1' }).stdout.trim(), EXPECTED.join(', '));
  const bad = cli(['encode', IMAGE], undefined, { SLURM_CPUS_PER_TASK: 'all' });
  assert.equal(bad.status, 1);
  assert.match(bad.stderr, /SLURM_CPUS_PER_TASK is 'all'.*#SBATCH --cpus-per-task=N/);
});

test('decode with a SEED-2 model: its defaults, LLM tokens, negative codes and a noise level', () => {
  const out = tempFile('v2.png');
  const tokens = `<img>${EXPECTED.map((code) => `<img_${String(code).padStart(5, '0')}>`).join('')}</img>`;
  const negative = EXPECTED.map(() => 0).join(',');
  const args = ['decode', tokens, '-o', out, '--model', TINY_UNCLIP_MODEL_DIR, '--steps', '4'];
  let result = cli([...args, '--negative', negative, '--noise-level', '5']);
  assert.equal(result.status, 0, result.stderr);
  assert.match(result.stdout, /\(16x16; ddim, 4 steps, guidance 10, seed 42, noise level 5; 4 UNet calls/);
  result = cli([...args, '--noise-level', '1000']);
  assert.equal(result.status, 1);
  assert.match(result.stderr, /noiseLevel must be a whole number from 0 to 999/);
  result = cli(['decode', EXPECTED.join(','), '-o', out, '--noise-level', '5']);
  assert.equal(result.status, 1);
  assert.match(result.stderr, /noiseLevel applies to seed-v2 \(unCLIP\) models; tiny-model is seed-v1/);
});

test('usage mistakes exit 2 with the usage; runtime errors exit 1 with what to do', () => {
  const out = tempFile('x.png');
  const cases: [string[], number, RegExp][] = [
    [['decode', '1,2'], 2, /Say where to write the image with -o OUT\.png/],
    [['decode', '1,2', '-o', out, '--steps', '1.5'], 2, /--steps must be a whole number >= 1, got '1\.5'/],
    [['decode', '1,2', '-o', out, '--sampler', 'heun'], 2, /--sampler must be one of plms, ddim, euler, dpmpp/],
    [['decode', '1,2', '-o', out, '--bogus'], 2, /Unknown option '--bogus'/],
    [['decode', '@/no/such.json', '-o', out], 2, /\/no\/such\.json: no such file/],
    [['encode'], 2, /Give at least one image/],
    [['encode', IMAGE, '--top-k', '0'], 2, /--top-k must be a whole number >= 1/],
    [['encode', IMAGE, '--threads', 'two'], 2, /--threads must be a whole number >= 0, got 'two'/],
    [['decode', '1,2,3', '-o', out], 1, /Expected 32 codes, got 3/],
    [
      // Out of range is a usage mistake (exit 2), like any flag value the command refuses.
      ['decode', EXPECTED.join(','), '-o', out, '--guidance', '1e308'],
      2,
      /--guidance must be a number >= 0 and at most 100 \(useful scales are 1 to about 20 .*\); got 1e\+308/
    ],
    [['encode', '/no/image.png'], 1, /Cannot read the image \/no\/image\.png: no such file/],
    [['encode', IMAGE, '--model', '/no/model'], 1, /\/no\/model is not a SEED model folder/]
  ];
  for (const [args, status, message] of cases) {
    const result = cli(args);
    assert.equal(result.status, status, `${args.join(' ')}: ${result.stderr}`);
    assert.match(result.stderr, message, args.join(' '));
    if (status === 2) {
      assert.match(result.stderr, /Usage: jupyterlab-seed/);
    }
  }
});
