import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { FIXTURES_DIR, TINY_MODEL_DIR, readFixtureJson } from './fixtures/paths';
import { FileHashes } from './file-hashes';
import { SeedModel } from './index';

const IMAGE = path.join(FIXTURES_DIR, readFixtureJson<{ image: string }>('tiny-model-expected.json').image);
const temporary: string[] = [];
after(() => temporary.forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })));

function temporaryDir(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  temporary.push(dir);
  return dir;
}

/** Encodes once with a fresh SeedModel and says where its encoder session came from. */
async function encodeOnce(dir: string, cacheDir: string): Promise<{ codes: number[]; source: string }> {
  const model = await SeedModel.load(dir, { executionProviders: ['cpu'], cacheDir, threads: 1 });
  try {
    const [encoding] = await model.encode([IMAGE]);
    const encoder = model.sessionInfo().find((info) => info.field === 'tokenizer.encoder.path');
    return { codes: encoding.codes, source: encoder?.source ?? 'none' };
  } finally {
    await model.release();
  }
}

function cacheEntries(cacheDir: string): string[] {
  return fs.readdirSync(path.join(cacheDir, 'graphs')).sort();
}

test('the optimized graph is cached on the first load, used on the second, rebuilt when damaged', async () => {
  const cacheDir = temporaryDir('seed-cache-');
  const first = await encodeOnce(TINY_MODEL_DIR, cacheDir);
  assert.equal(first.source, 'built');
  assert.equal(cacheEntries(cacheDir).length, 1);
  const second = await encodeOnce(TINY_MODEL_DIR, cacheDir);
  assert.equal(second.source, 'cache');
  assert.deepEqual(second.codes, first.codes);

  const [entry] = cacheEntries(cacheDir);
  fs.writeFileSync(path.join(cacheDir, 'graphs', entry, 'model.onnx'), 'truncated');
  const third = await encodeOnce(TINY_MODEL_DIR, cacheDir);
  assert.equal(third.source, 'rebuilt');
  assert.deepEqual(third.codes, first.codes);
  assert.equal((await encodeOnce(TINY_MODEL_DIR, cacheDir)).source, 'cache');
});

test('a changed model file is not served from the cache, and its old entry is removed', async () => {
  const cacheDir = temporaryDir('seed-cache-');
  const dir = temporaryDir('seed-model-');
  fs.cpSync(TINY_MODEL_DIR, dir, { recursive: true });
  const first = await encodeOnce(dir, cacheDir);
  assert.equal(first.source, 'built');
  const [before] = cacheEntries(cacheDir);

  // Append ModelProto field 6 (doc_string): the same graph in other bytes, as a re-export would give.
  const encoderPath = path.join(dir, 'tokenizer', 'encoder.onnx');
  const note = Buffer.from('re-exported');
  fs.appendFileSync(encoderPath, Buffer.concat([Buffer.from([0x32, note.length]), note]));
  const manifestPath = path.join(dir, 'seed-model.json');
  const manifest = JSON.parse(fs.readFileSync(manifestPath, 'utf8'));
  manifest.tokenizer.encoder.sha256 = createHash('sha256').update(fs.readFileSync(encoderPath)).digest('hex');
  fs.writeFileSync(manifestPath, JSON.stringify(manifest));

  const changed = await encodeOnce(dir, cacheDir);
  assert.equal(changed.source, 'built');
  assert.deepEqual(changed.codes, first.codes);
  const entries = cacheEntries(cacheDir);
  assert.equal(entries.length, 1);
  assert.notEqual(entries[0], before);
});

test('a recorded hash is reused while size and modification time match, recomputed when they change', async () => {
  const cacheDir = temporaryDir('seed-cache-');
  const file = path.join(temporaryDir('seed-file-'), 'weights.bin');
  fs.writeFileSync(file, 'aaaa');
  // Whole seconds: utimes cannot restore the nanoseconds a file system may record.
  const mtime = 1_700_000_000;
  fs.utimesSync(file, mtime, mtime);
  const sha = (text: string) => createHash('sha256').update(text).digest('hex');
  assert.equal(await new FileHashes(cacheDir).sha256(file), sha('aaaa'));

  // Same size and mtime: a new process (a new FileHashes) trusts the record instead of reading the file.
  fs.writeFileSync(file, 'bbbb');
  fs.utimesSync(file, mtime, mtime);
  assert.equal(await new FileHashes(cacheDir).sha256(file), sha('aaaa'));

  fs.utimesSync(file, mtime, mtime + 5);
  assert.equal(await new FileHashes(cacheDir).sha256(file), sha('bbbb'));
  assert.equal(await new FileHashes(null).sha256(file), sha('bbbb'));
});

test('a large cached graph starts without prepacking and swaps in its full-speed session, codes unchanged', async () => {
  const cacheDir = temporaryDir('seed-cache-');
  const expected = (await encodeOnce(TINY_MODEL_DIR, cacheDir)).codes;
  const encoderInfo = (model: SeedModel) => model.sessionInfo().find((i) => i.field === 'tokenizer.encoder.path')!;
  const load = () =>
    SeedModel.load(TINY_MODEL_DIR, { executionProviders: ['cpu'], cacheDir, threads: 1, quickStartMinBytes: 0 });

  // One call (a CLI encode): the quick session answers it and nothing else is built.
  const once = await load();
  assert.deepEqual((await once.encode([IMAGE]))[0].codes, expected);
  assert.equal(encoderInfo(once).source, 'cache');
  assert.equal(encoderInfo(once).fullSpeedSeconds, null);
  await once.release();

  // Several calls in flight while the full-speed session arrives: each gets the same codes, and the
  // session it ran on is released only after it (release() frees both).
  const busy = await load();
  await busy.encode([IMAGE]);
  const during = await Promise.all(Array.from({ length: 6 }, () => busy.encode([IMAGE])));
  during.forEach(([encoding]) => assert.deepEqual(encoding.codes, expected));
  await busy.warmUp();
  const info = encoderInfo(busy);
  assert.ok(info.fullSpeedSeconds !== null && info.fullSpeedSeconds >= info.loadSeconds, JSON.stringify(info));
  assert.deepEqual((await busy.encode([IMAGE]))[0].codes, expected);
  await busy.release();

  // warmUp() (what a kernel does when a model is chosen) asks for full speed without any call first.
  const warmed = await load();
  await warmed.warmUp();
  assert.notEqual(encoderInfo(warmed).fullSpeedSeconds, null);
  await warmed.release();

  // Below the threshold (the default is 512 MiB of weights), a cached graph loads at full speed at once.
  const small = await SeedModel.load(TINY_MODEL_DIR, { executionProviders: ['cpu'], cacheDir, threads: 1 });
  await small.encode([IMAGE]);
  assert.equal(encoderInfo(small).fullSpeedSeconds, encoderInfo(small).loadSeconds);
  await small.release();
});
