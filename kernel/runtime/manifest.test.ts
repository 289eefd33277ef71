import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { SeedModelError } from './errors';
import { TINY_MODEL_DIR } from './fixtures/paths';
import type { SeedModelManifest } from './manifest';
import { MANIFEST_SCHEMA_PATH, loadManifest, manifestProblems, modelFiles, verifyFile } from './manifest-loader';

function tinyManifest(): SeedModelManifest {
  return JSON.parse(fs.readFileSync(path.join(TINY_MODEL_DIR, 'seed-model.json'), 'utf8'));
}

const temporary: string[] = [];

function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'seed-manifest-'));
  temporary.push(dir);
  return dir;
}

test.after(() => temporary.forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })));

test('the schema ships where the runtime looks for it', () => {
  assert.ok(fs.existsSync(MANIFEST_SCHEMA_PATH));
});

test('the fixture manifest is valid and every file it names exists', () => {
  assert.deepEqual(manifestProblems(tinyManifest()), []);
  const manifest = loadManifest(TINY_MODEL_DIR);
  assert.equal(manifest.tokenizer.numCodes, 32);
  assert.equal(modelFiles(manifest, TINY_MODEL_DIR).length, 6);
});

test('unknown fields are named with their path', () => {
  const m = tinyManifest() as unknown as Record<string, Record<string, unknown>>;
  m.diffusion.guidanceScale = 3;
  m.extra = {};
  const problems = manifestProblems(m);
  assert.ok(
    problems.includes("unknown field 'diffusion.guidanceScale': remove it or fix its spelling"),
    problems.join('\n')
  );
  assert.ok(problems.includes("unknown field 'extra': remove it or fix its spelling"), problems.join('\n'));
});

test('missing fields, wrong values and bad hashes are named', () => {
  const m = tinyManifest() as unknown as { tokenizer: Record<string, unknown>; image: Record<string, unknown> };
  delete m.tokenizer.codebook;
  m.tokenizer.distance = 'manhattan';
  m.image.size = [224];
  const problems = manifestProblems(m);
  assert.ok(problems.includes("missing field 'tokenizer.codebook'"), problems.join('\n'));
  assert.ok(problems.includes(`'tokenizer.distance' must be one of "l2", "cosine"`), problems.join('\n'));
  assert.ok(
    problems.some((p) => p.startsWith("'image.size' must NOT have fewer than 2 items")),
    problems.join('\n')
  );
  const bad = tinyManifest();
  bad.diffusion.unet.sha256 = 'ABC';
  assert.ok(manifestProblems(bad).some((p) => p.startsWith("'diffusion.unet.sha256' must match pattern")));
});

test('schedules: cosine needs no betas, scaled_linear does', () => {
  const cosine = tinyManifest();
  cosine.diffusion.schedule = { kind: 'cosine', trainSteps: 1000 };
  assert.deepEqual(manifestProblems(cosine), []);
  const incomplete = tinyManifest() as unknown as { diffusion: { schedule: Record<string, unknown> } };
  delete incomplete.diffusion.schedule.betaEnd;
  assert.notDeepEqual(manifestProblems(incomplete), []);
});

test('external data may be listed as paths or as paths with hashes', () => {
  const m = tinyManifest();
  m.diffusion.unet.externalData = ['unet/weights.pb', { path: 'unet/more.pb', sha256: 'a'.repeat(64) }];
  assert.deepEqual(manifestProblems(m), []);
  const files = modelFiles(m, '/models/x');
  assert.deepEqual(
    files.filter((f) => f.field.startsWith('diffusion.unet.externalData')).map((f) => [f.path, f.sha256]),
    [
      ['/models/x/unet/weights.pb', undefined],
      ['/models/x/unet/more.pb', 'a'.repeat(64)]
    ]
  );
});

function seed2Manifest(): SeedModelManifest {
  const m = tinyManifest();
  m.family = 'seed-v2';
  m.generationEmbedding = { tokens: 1, dim: 1024 };
  m.diffusion.unclip = {
    classLabels: 'class_labels',
    textEmbedding: [77, 1024],
    imageNormalizer: { path: 'unclip/image_normalizer.f32', sha256: 'b'.repeat(64), dtype: 'float32' },
    noiseSchedule: { kind: 'cosine', trainSteps: 1000 },
    noiseLevel: 0,
    scheduler: 'DDIMScheduler'
  };
  return m;
}

test('a seed-v2 manifest with its unCLIP section is valid and names the normaliser file', () => {
  const m = seed2Manifest();
  assert.deepEqual(manifestProblems(m), []);
  const files = modelFiles(m, '/models/x');
  assert.deepEqual(
    files.filter((f) => f.field === 'diffusion.unclip.imageNormalizer.path').map((f) => f.path),
    ['/models/x/unclip/image_normalizer.f32']
  );
});

test('the unCLIP section goes with seed-v2 only, and its noise level fits its schedule', () => {
  const v2 = seed2Manifest();
  v2.diffusion.unclip!.noiseLevel = 1000;
  v2.generationEmbedding.tokens = 77;
  assert.deepEqual(manifestProblems(v2), [
    "'diffusion.unclip.noiseLevel' must be below noiseSchedule.trainSteps (1000)",
    "family 'seed-v2' makes one image embedding: 'generationEmbedding.tokens' must be 1"
  ]);
  const bare = seed2Manifest();
  delete bare.diffusion.unclip;
  assert.match(manifestProblems(bare)[0], /family 'seed-v2' needs 'diffusion.unclip'/);
  const v1 = seed2Manifest();
  v1.family = 'seed-v1';
  assert.match(manifestProblems(v1)[0], /'diffusion.unclip' belongs to family 'seed-v2'/);
  const typo = seed2Manifest() as unknown as { diffusion: { unclip: Record<string, unknown> } };
  typo.diffusion.unclip.noiseLvl = 3;
  assert.ok(
    manifestProblems(typo).includes("unknown field 'diffusion.unclip.noiseLvl': remove it or fix its spelling")
  );
});

test('checks beyond the schema: default steps, preview rows', () => {
  const m = tinyManifest();
  m.diffusion.defaults.steps = 501;
  m.diffusion.preview!.matrix.pop();
  assert.deepEqual(manifestProblems(m), [
    "'diffusion.defaults.steps' must be at most 500 (half of schedule.trainSteps)",
    "'diffusion.preview.matrix' has 3 rows; it needs one per latent channel (4)"
  ]);
});

test('loadManifest: no manifest, bad JSON, invalid manifest, missing files', () => {
  const dir = tempDir();
  assert.throws(
    () => loadManifest(dir),
    (e: Error) => e instanceof SeedModelError && /not a SEED model folder/.test(e.message)
  );
  fs.writeFileSync(path.join(dir, 'seed-model.json'), '{ "formatVersion": 1, ');
  assert.throws(() => loadManifest(dir), /seed-model.json is not valid JSON/);
  fs.writeFileSync(path.join(dir, 'seed-model.json'), JSON.stringify({ ...tinyManifest(), colour: 'red' }));
  assert.throws(
    () => loadManifest(dir),
    /does not follow models\/seed-model.schema.json:\n {2}- unknown field 'colour'/
  );
  fs.writeFileSync(path.join(dir, 'seed-model.json'), JSON.stringify(tinyManifest()));
  assert.throws(
    () => loadManifest(dir),
    (e: Error) =>
      e instanceof SeedModelError &&
      e.message.includes('is incomplete; missing:') &&
      e.message.includes(`${path.join(dir, 'tokenizer', 'encoder.onnx')} (tokenizer.encoder.path)`) &&
      e.message.includes('Copy or re-export the missing files')
  );
});

test('absolute paths are used as they are', () => {
  const dir = tempDir();
  const m = tinyManifest();
  for (const ref of [
    m.tokenizer.codebook,
    m.tokenizer.encoder,
    m.tokenizer.decoder,
    m.diffusion.unet,
    m.diffusion.vaeDecoder,
    m.diffusion.unconditional
  ]) {
    ref.path = path.join(TINY_MODEL_DIR, ref.path);
  }
  fs.writeFileSync(path.join(dir, 'seed-model.json'), JSON.stringify(m));
  assert.equal(loadManifest(dir).id, 'tiny-model');
});

test('a hash mismatch names the file, both hashes and what to do', async () => {
  const files = modelFiles(tinyManifest(), TINY_MODEL_DIR);
  const codebook = files.find((f) => f.field === 'tokenizer.codebook.path')!;
  await verifyFile(codebook);
  const wrong = { ...codebook, sha256: '0'.repeat(64) };
  await assert.rejects(verifyFile(wrong), (e: Error) => {
    assert.ok(e instanceof SeedModelError);
    assert.match(
      e.message,
      /codebook\.f32 \(tokenizer\.codebook\.path\) has sha256 [0-9a-f]{64}, but the manifest says 0{64}/
    );
    assert.match(e.message, /copy it again/);
    return true;
  });
});
