// The converter's model folder works in the project's runtime: a small random SEED v1 (the released names,
// narrow widths) is converted with convert.py and then encoded and decoded by dist/runtime, once with a
// miniature SD v1.4-shaped ONNX export and once with the diffusion part of the bundled seed-nano model.
// Run: node --test models/export/model_folder.test.mjs   (after `npx tsc -p kernel`)
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';

const exportDir = dirname(fileURLToPath(import.meta.url));
const packageRoot = resolve(exportDir, '..', '..');
const python = process.env.SEED_PYTHON ?? '/usr/bin/python3';
const bundledManifest = join(packageRoot, 'models', 'seed-nano', 'seed-model.json');
const require = createRequire(import.meta.url);
const sharp = require('sharp');

let work;
let image;

function runPython(args) {
  execFileSync(python, args, {
    cwd: packageRoot,
    env: { ...process.env, OMP_WAIT_POLICY: 'PASSIVE' },
    stdio: ['ignore', 'ignore', 'pipe']
  });
}

function convertSmall(name, sizeArgs, diffusionArgs) {
  const checkpoints = join(work, `${name}-checkpoints`);
  runPython(['models/export/make_random_checkpoints.py', '--size', 'small', '--out', checkpoints, ...sizeArgs]);
  const out = join(work, name);
  runPython([
    'models/export/convert.py',
    ...['--eva-vit', join(checkpoints, 'eva_vit_g.pth'), '--causal-qformer', join(checkpoints, 'causal_qformer.pth')],
    ...['--seed-tokenizer', join(checkpoints, 'seed_tokenizer.pth'), '--config', join(checkpoints, 'config.json')],
    ...diffusionArgs,
    '--out',
    out
  ]);
  return out;
}

async function loadRuntime() {
  const runtime = join(packageRoot, 'dist', 'runtime', 'index.js');
  assert.ok(existsSync(runtime), `${runtime} is missing; build the runtime with \`npx tsc -p kernel\` first`);
  return require(runtime).SeedModel;
}

before(async () => {
  work = mkdtempSync(join(tmpdir(), 'seed-export-test-'));
  image = await sharp({ create: { width: 300, height: 200, channels: 3, background: { r: 200, g: 40, b: 90 } } })
    .png()
    .toBuffer();
});

after(() => rmSync(work, { recursive: true, force: true }));

test('the runtime encodes and decodes with a converted SEED v1 and an SD v1.4-shaped export', async () => {
  const sd = join(work, 'tiny-sd');
  runPython([
    '-c',
    'import sys; sys.path[:0] = ["models/export", "models/export/tests"]\n' +
      'from pathlib import Path\nfrom tiny_sd_onnx import write_tiny_sd_onnx\nwrite_tiny_sd_onnx(Path(sys.argv[1]))',
    sd
  ]);
  const folder = convertSmall('seed-v1-small', [], ['--sd-onnx', sd]);
  const SeedModel = await loadRuntime();
  const model = await SeedModel.load(folder, { executionProviders: ['cpu'] });
  const [encoding] = await model.encode([image]);
  assert.equal(encoding.codes.length, 32);
  assert.ok(encoding.codes.every((code) => Number.isInteger(code) && code >= 0 && code < 8192));
  const reconstruction = await model.decode(encoding.codes, { steps: 3 });
  assert.deepEqual([reconstruction.width, reconstruction.height], [512, 512]);
  const { width, height } = await sharp(reconstruction.png).metadata();
  assert.deepEqual([width, height], [512, 512]);
  await model.release();
});

test(
  'a converted SEED v1 decodes through the bundled seed-nano diffusion part',
  { skip: !existsSync(bundledManifest) && 'models/seed-nano/seed-model.json is not built yet' },
  async () => {
    const bundled = JSON.parse(readFileSync(bundledManifest, 'utf8'));
    const { tokens, dim } = bundled.generationEmbedding;
    const folder = convertSmall(
      'seed-v1-nano-diffusion',
      ['--tokens', String(tokens), '--generation-dim', String(dim)],
      ['--diffusion-from', bundledManifest]
    );
    const SeedModel = await loadRuntime();
    const model = await SeedModel.load(folder, { executionProviders: ['cpu'] });
    const [encoding] = await model.encode([image]);
    const reconstruction = await model.decode(encoding.codes, { steps: 3 });
    assert.deepEqual([reconstruction.width, reconstruction.height], bundled.diffusion.outputSize);
    await model.release();
  }
);

test('the runtime encodes and decodes with a converted SEED-2 and an SD 2.1 unCLIP-shaped export', async () => {
  const unclip = join(work, 'tiny-unclip');
  runPython([
    '-c',
    'import sys; sys.path[:0] = ["models/export", "models/export/tests"]\n' +
      'from pathlib import Path\nfrom tiny_unclip_onnx import write_tiny_unclip_onnx\nwrite_tiny_unclip_onnx(Path(sys.argv[1]))',
    unclip
  ]);
  const checkpoints = join(work, 'seed-v2-checkpoints');
  runPython(['models/export/make_random_checkpoints.py', '--family', 'seed-v2', '--out', checkpoints]);
  const folder = join(work, 'seed-v2-small');
  runPython([
    'models/export/convert_seed2.py',
    ...['--seed-quantizer', join(checkpoints, 'seed_quantizer.pt'), '--eva-vit', join(checkpoints, 'eva_vit_g.pth')],
    ...['--config', join(checkpoints, 'config.json'), '--unclip-onnx', unclip, '--out', folder]
  ]);
  const SeedModel = await loadRuntime();
  const model = await SeedModel.load(folder, { executionProviders: ['cpu'] });
  assert.equal(model.manifest.family, 'seed-v2');
  const [encoding] = await model.encode([image]);
  assert.ok(encoding.codes.every((code) => Number.isInteger(code) && code >= 0 && code < 8192));
  const reconstruction = await model.decode(encoding.codes, { steps: 2, negativeCodes: encoding.codes.map(() => 0) });
  assert.deepEqual([reconstruction.width, reconstruction.height], [768, 768]);
  assert.equal(reconstruction.params.noiseLevel, 0);
  await model.release();
});
