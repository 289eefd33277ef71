// Parity of the committed seed-nano ONNX files with the PyTorch model they were exported from: onnxruntime-node
// runs every graph on the inputs stored in parity/fixture.{json,bin} (written by export.py) and must reproduce
// the stored PyTorch outputs. Run: node --test models/seed-nano/recipe/parity.test.mjs
// SEED_NANO_PARITY_DIR points it at another fixture folder (the one a `train.py --smoke` export writes).
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

import ort from 'onnxruntime-node';

const recipeDir = dirname(fileURLToPath(import.meta.url));
const fixtureDir = resolve(process.env.SEED_NANO_PARITY_DIR ?? join(recipeDir, 'parity'));
const fixture = JSON.parse(readFileSync(join(fixtureDir, 'fixture.json'), 'utf8'));
const blob = readFileSync(join(fixtureDir, 'fixture.bin'));
// float32 graphs; the differences come from summation order and the GELU/softmax kernels only
const TOLERANCE = 1e-4;

function tensor(name) {
  const spec = fixture.tensors[name];
  assert.ok(spec, `parity fixture has no tensor '${name}'; re-run models/seed-nano/recipe/export.py`);
  const bytes = blob.subarray(spec.offset, spec.offset + spec.bytes);
  // copy: a Buffer slice is not guaranteed to be aligned for a typed-array view
  const aligned = new Uint8Array(bytes).buffer;
  const data = spec.dtype === 'int64' ? new BigInt64Array(aligned) : new Float32Array(aligned);
  return new ort.Tensor(spec.dtype, data, spec.shape);
}

function maxAbsDiff(actual, expected) {
  assert.deepEqual(actual.dims, expected.dims, 'output shape differs from the PyTorch output');
  let max = 0;
  for (let i = 0; i < expected.data.length; i++) {
    max = Math.max(max, Math.abs(actual.data[i] - expected.data[i]));
  }
  return max;
}

async function checkGraph(t, key, inputs, outputs) {
  const session = await ort.InferenceSession.create(join(fixtureDir, fixture.files[key]));
  const feeds = Object.fromEntries(inputs.map((name) => [name, tensor(`${key}.${name}`)]));
  const result = await session.run(feeds);
  for (const name of outputs) {
    const diff = maxAbsDiff(result[name], tensor(`${key}.${name}`));
    t.diagnostic(`${key}.${name} max abs diff ${diff.toExponential(3)}`);
    assert.ok(diff < TOLERANCE, `${key}.${name}: max abs diff ${diff} exceeds ${TOLERANCE}`);
  }
  return result;
}

test('encoder.onnx reproduces the PyTorch pre-quantisation vectors and codes', async (t) => {
  const { prequant } = await checkGraph(t, 'encoder', ['pixel_values'], ['prequant']);
  // The runtime's cosine quantiser: argmax of normalised vector . normalised codebook entry.
  const modelDir = dirname(join(fixtureDir, fixture.files.encoder, '..'));
  const manifest = JSON.parse(readFileSync(join(modelDir, 'seed-model.json'), 'utf8'));
  const { codeDim, codebookSize } = manifest.tokenizer;
  const raw = readFileSync(join(modelDir, manifest.tokenizer.codebook.path));
  const codebook = new Float32Array(new Uint8Array(raw).buffer);
  assert.equal(codebook.length, codebookSize * codeDim);
  const expected = tensor('quantizer.codes').data;
  for (let v = 0; v < expected.length; v++) {
    const z = prequant.data.subarray(v * codeDim, (v + 1) * codeDim);
    let best = -1;
    let bestScore = -Infinity;
    for (let k = 0; k < codebookSize; k++) {
      let dot = 0;
      for (let j = 0; j < codeDim; j++) dot += z[j] * codebook[k * codeDim + j];
      if (dot > bestScore) [best, bestScore] = [k, dot];
    }
    assert.equal(BigInt(best), expected[v], `code ${v} differs from the PyTorch quantiser`);
  }
});

test('decoder.onnx reproduces the PyTorch generation embedding', async (t) => {
  await checkGraph(t, 'decoder', ['code_vectors'], ['generation_embedding']);
});

test('unet/model.onnx reproduces the PyTorch v prediction', async (t) => {
  await checkGraph(t, 'unet', ['sample', 'timestep', 'encoder_hidden_states'], ['out_sample']);
});

test('vae_decoder/model.onnx reproduces the PyTorch image', async (t) => {
  await checkGraph(t, 'vae_decoder', ['latent_sample'], ['sample']);
});

test('seed-model.json lists the sha256 of every file it names', () => {
  const modelDir = dirname(join(fixtureDir, fixture.files.encoder, '..'));
  const manifest = JSON.parse(readFileSync(join(modelDir, 'seed-model.json'), 'utf8'));
  const refs = [
    manifest.tokenizer.codebook,
    manifest.tokenizer.encoder,
    manifest.tokenizer.decoder,
    manifest.diffusion.unet,
    manifest.diffusion.vaeDecoder,
    manifest.diffusion.unconditional
  ];
  for (const ref of refs) {
    const digest = createHash('sha256')
      .update(readFileSync(join(modelDir, ref.path)))
      .digest('hex');
    assert.equal(digest, ref.sha256, `${ref.path}: sha256 differs from seed-model.json`);
  }
});
