import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import sharp from 'sharp';
import {
  FIXTURES_DIR,
  TINY_MODEL_DIR,
  TINY_MODEL_FAULTS_DIR,
  TINY_MODEL_FP16_DIR,
  readFixtureJson
} from './fixtures/paths';
import {
  DecodeProgress,
  SeedCancelledError,
  SeedInputError,
  SeedModel,
  SeedModelError,
  SeedModelManifest,
  SeedNumericError
} from './index';

/** Written by fixtures/make_tiny_model.py: numpy forward passes of the tiny graphs and CompVis PLMS. */
interface Expected {
  image: string;
  features: number[];
  codes: number[];
  top3: { code: number; distance: number }[][];
  decode: { steps: number; guidance: number; unetEvaluations: number; rgb: number[] };
  decodeGuidance1: { steps: number; guidance: number; unetEvaluations: number; rgb: number[] };
  decodeCosineV: { steps: number; guidance: number; unetEvaluations: number; rgb: number[] };
}
const expected = readFixtureJson<Expected>('tiny-model-expected.json');
const IMAGE = path.join(FIXTURES_DIR, expected.image);
const OTHER_IMAGE = path.join(FIXTURES_DIR, 'image-reference', 'down-61x47.png');
/** The fixed latent the expectations were computed from: latent[j] = sin(0.37 j + 0.2). */
const LATENT = Float32Array.from({ length: 4 * 8 * 8 }, (_, j) => Math.sin(0.37 * j + 0.2));

async function pixels(png: Buffer): Promise<Buffer> {
  return sharp(png).raw().toBuffer();
}

function maxDifference(a: Uint8Array, b: number[]): number {
  assert.equal(a.length, b.length);
  let max = 0;
  a.forEach((v, i) => (max = Math.max(max, Math.abs(v - b[i]))));
  return max;
}

const temporary: string[] = [];

/** A writable copy of the tiny model, with the manifest changed by `edit`; removed after the tests. */
function modelCopy(edit: (manifest: SeedModelManifest, dir: string) => void = () => undefined): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'seed-model-'));
  temporary.push(dir);
  fs.cpSync(TINY_MODEL_DIR, dir, { recursive: true });
  const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'seed-model.json'), 'utf8'));
  edit(manifest, dir);
  fs.writeFileSync(path.join(dir, 'seed-model.json'), JSON.stringify(manifest));
  return dir;
}

let shared: SeedModel | undefined;
async function tinyModel(): Promise<SeedModel> {
  shared ??= await SeedModel.load(TINY_MODEL_DIR, { executionProviders: ['cpu'] });
  return shared;
}

test.after(async () => {
  await shared?.release();
  temporary.forEach((dir) => fs.rmSync(dir, { recursive: true, force: true }));
});

test('encode gives the numpy reference codes, features and top-k', async () => {
  const model = await tinyModel();
  assert.equal(model.executionProvider.name, 'cpu');
  const [encoding] = await model.encode([IMAGE], { topK: 3 });
  assert.deepEqual(encoding.codes, expected.codes);
  assert.equal(encoding.features.length, expected.features.length);
  encoding.features.forEach((v, i) => assert.ok(Math.abs(v - expected.features[i]) < 1e-4, `feature ${i}`));
  encoding.topK.forEach((candidates, i) => {
    assert.deepEqual(
      candidates.map((c) => c.code),
      expected.top3[i].map((c) => c.code)
    );
    candidates.forEach((c, k) => assert.ok(Math.abs(c.distance - expected.top3[i][k].distance) < 1e-3));
  });
  assert.deepEqual([encoding.source.width, encoding.source.height], [16, 16]);
  assert.equal((await pixels(encoding.source.png)).length, 16 * 16 * 3);
});

test('a batch gives what the images give one by one', async () => {
  const model = await tinyModel();
  const batch = await model.encode([IMAGE, OTHER_IMAGE, fs.readFileSync(IMAGE)]);
  const [single] = await model.encode([OTHER_IMAGE]);
  assert.deepEqual(batch[0].codes, expected.codes);
  assert.deepEqual(batch[2].codes, expected.codes);
  assert.deepEqual(batch[1].codes, single.codes);
  assert.notDeepEqual(batch[1].codes, expected.codes);
  assert.equal(batch[0].topK[0].length, 5, 'default top-k is 5');
  assert.deepEqual(await model.encode([]), []);
});

test('decode (PLMS, guidance 7.5) gives the numpy reference image with steps + 1 UNet calls', async () => {
  const model = await tinyModel();
  const progress: DecodeProgress[] = [];
  const result = await model.decode(expected.codes, {
    steps: expected.decode.steps,
    initialLatent: LATENT,
    onProgress: (p) => progress.push(p)
  });
  assert.deepEqual([result.width, result.height], [16, 16]);
  // Float32 against float64 numpy: one level of rounding either way is allowed.
  assert.ok(maxDifference(await pixels(result.png), expected.decode.rgb) <= 1);
  assert.equal(result.unetEvaluations, expected.decode.unetEvaluations);
  assert.equal(result.unetEvaluations, 11);
  assert.deepEqual(result.params, { seed: 42, sampler: 'plms', steps: 10, guidance: 7.5 });
  assert.deepEqual(result.codes, expected.codes);
  assert.deepEqual(
    progress.map((p) => [p.step, p.total, p.unetEvaluations]),
    Array.from({ length: 10 }, (_, i) => [i + 1, 10, i + 2])
  );
  // The manifest has a linear preview, so every step carries one at latent resolution.
  for (const p of progress) {
    assert.deepEqual([p.preview?.width, p.preview?.height], [8, 8]);
  }
});

test('an fp16 UNet with external-data weights, guidance 1 (no unconditional half)', async () => {
  const model = await SeedModel.load(TINY_MODEL_FP16_DIR, { executionProviders: ['cpu'] });
  try {
    const progress: DecodeProgress[] = [];
    const result = await model.decode(expected.codes, {
      initialLatent: LATENT,
      previewEvery: 5,
      onProgress: (p) => progress.push(p)
    });
    assert.equal(result.params.guidance, 1);
    assert.equal(result.unetEvaluations, expected.decodeGuidance1.unetEvaluations);
    // fp16 rounding of the UNet's input and output at each of 11 calls: up to two levels.
    assert.ok(maxDifference(await pixels(result.png), expected.decodeGuidance1.rgb) <= 2);
    // No linear preview in this manifest: previews go through the VAE, every 5th step.
    assert.deepEqual(
      progress.filter((p) => p.preview).map((p) => [p.step, p.preview!.width]),
      [
        [5, 16],
        [10, 16]
      ]
    );
  } finally {
    await model.release();
  }
});

test('a v-prediction UNet on a cosine schedule is converted to epsilon as in numpy', async () => {
  const dir = modelCopy((m) => {
    m.diffusion.prediction = 'v';
    m.diffusion.schedule = { kind: 'cosine', trainSteps: 1000 };
  });
  const model = await SeedModel.load(dir, { executionProviders: ['cpu'] });
  const ref = expected.decodeCosineV;
  const result = await model.decode(expected.codes, {
    initialLatent: LATENT,
    steps: ref.steps,
    guidance: ref.guidance
  });
  assert.equal(result.unetEvaluations, ref.unetEvaluations);
  assert.ok(maxDifference(await pixels(result.png), ref.rgb) <= 1);
  await model.release();
});

test('the same seed gives the same bytes, another seed another image', async () => {
  const model = await tinyModel();
  const a = await model.decode(expected.codes, { seed: 3, steps: 5 });
  const b = await model.decode(expected.codes, { seed: 3, steps: 5 });
  const c = await model.decode(expected.codes, { seed: 4, steps: 5 });
  assert.ok(a.png.equals(b.png));
  assert.ok(!a.png.equals(c.png));
});

test('decodeBatch gives each image what decode gives it with seed + i', async () => {
  const model = await tinyModel();
  const other = expected.codes.map((code) => (code * 7 + 3) % 64);
  const [a, b] = await model.decodeBatch([expected.codes, other], { seed: 5, steps: 4 });
  const alone = [
    await model.decode(expected.codes, { seed: 5, steps: 4 }),
    await model.decode(other, { seed: 6, steps: 4 })
  ];
  for (const [batched, single] of [
    [a, alone[0]],
    [b, alone[1]]
  ]) {
    assert.deepEqual(batched.params, single.params);
    assert.deepEqual(batched.codes, single.codes);
    // A batch may sum in another order than a single image: allow one level.
    assert.ok(maxDifference(await pixels(batched.png), [...(await pixels(single.png))]) <= 1);
  }
  assert.equal(a.unetEvaluations, 5);
  await assert.rejects(model.decodeBatch([expected.codes, [1, 2]]), /Image 1: Expected 32 codes, got 2/);
  await assert.rejects(model.decodeBatch([]), /non-empty array/);
});

test('every sampler decodes, with its number of UNet calls', async () => {
  const model = await tinyModel();
  for (const [sampler, evaluations] of [
    ['plms', 6],
    ['ddim', 5],
    ['euler', 5],
    ['dpmpp', 5]
  ] as const) {
    const result = await model.decode(expected.codes, { sampler, steps: 5 });
    assert.equal(result.unetEvaluations, evaluations, sampler);
    assert.equal(result.params.sampler, sampler);
  }
  const noisy1 = await model.decode(expected.codes, { sampler: 'ddim', steps: 5, eta: 0.5, seed: 9 });
  const noisy2 = await model.decode(expected.codes, { sampler: 'ddim', steps: 5, eta: 0.5, seed: 9 });
  assert.ok(noisy1.png.equals(noisy2.png), 'DDIM with eta > 0 draws its noise from the seed too');
  assert.equal(noisy1.params.eta, 0.5);
});

test('an AbortSignal stops decoding before the next UNet call', async () => {
  const model = await tinyModel();
  const controller = new AbortController();
  const seen: number[] = [];
  await assert.rejects(
    model.decode(expected.codes, {
      signal: controller.signal,
      onProgress: (p) => {
        seen.push(p.unetEvaluations);
        if (p.step === 3) {
          controller.abort();
        }
      }
    }),
    (e: Error) => e instanceof SeedCancelledError && /interrupted/.test(e.message)
  );
  assert.deepEqual(seen, [2, 3, 4]);
  const aborted = AbortSignal.abort();
  await assert.rejects(model.decode(expected.codes, { signal: aborted }), SeedCancelledError);
  await assert.rejects(model.encode([IMAGE], { signal: aborted }), SeedCancelledError);
});

test('reconstruct encodes then decodes', async () => {
  const model = await tinyModel();
  const { encoding, reconstruction } = await model.reconstruct(IMAGE, { steps: 2, topK: 2 });
  assert.deepEqual(encoding.codes, expected.codes);
  assert.deepEqual(reconstruction.codes, expected.codes);
  assert.equal(encoding.topK[0].length, 2);
  assert.equal(reconstruction.unetEvaluations, 3);
});

test('codes of the wrong length, range or type are SeedInputErrors', async () => {
  const model = await tinyModel();
  const cases: [unknown, RegExp][] = [
    [expected.codes.slice(1), /Expected 32 codes, got 31/],
    [[...expected.codes.slice(1), 64], /code at position 32 is 64; codes are integers from 0 to 63/],
    [[...expected.codes.slice(1), -1], /code at position 32 is -1/],
    [[...expected.codes.slice(1), 1.5], /code at position 32 is 1.5/],
    ['1,2,3', /Codes must be an array of 32 integers/]
  ];
  for (const [codes, message] of cases) {
    await assert.rejects(
      model.decode(codes as number[]),
      (e: Error) => e instanceof SeedInputError && message.test(e.message)
    );
  }
});

test('bad decode settings are SeedInputErrors that say what is allowed', async () => {
  const model = await tinyModel();
  const codes = expected.codes;
  await assert.rejects(
    model.decode(codes, { sampler: 'heun' as never }),
    /Unknown sampler 'heun'; use one of plms, ddim, euler, dpmpp/
  );
  await assert.rejects(model.decode(codes, { steps: 0 }), /steps must be a whole number from 1 to 500/);
  await assert.rejects(model.decode(codes, { guidance: -1 }), /guidance must be a number >= 0 and at most 100/);
  await assert.rejects(
    model.decode(codes, { guidance: 1e308 }),
    /guidance must be a number >= 0 and at most 100 \(useful scales are 1 to about 20 .*\); got 1e\+308\./
  );
  await assert.rejects(model.decode(codes, { seed: -5 }), /seed must be a whole number >= 0/);
  await assert.rejects(model.decode(codes, { eta: 0.3 }), /eta only applies to the ddim sampler/);
  await assert.rejects(
    model.decode(codes, { initialLatent: new Float32Array(3) }),
    /initialLatent must be a Float32Array of 256 values/
  );
  await assert.rejects(model.encode([IMAGE], { topK: 0 }), /topK must be a whole number of at least 1/);
  await assert.rejects(model.decode(codes, { previewEvery: -1 }), /previewEvery must be a whole number >= 0/);
});

test('unreadable images and oversized images are SeedInputErrors', async () => {
  const model = await tinyModel();
  await assert.rejects(
    model.encode(['/nope.png']),
    (e: Error) => e instanceof SeedInputError && /\/nope\.png/.test(e.message)
  );
  const small = await SeedModel.load(TINY_MODEL_DIR, { executionProviders: ['cpu'], maxInputPixels: 100 });
  await assert.rejects(small.encode([IMAGE]), /more than 100 pixels, the limit against decompression bombs/);
});

test('an incomplete model folder is refused at load, naming the missing file', async () => {
  const dir = modelCopy((_, d) => fs.rmSync(path.join(d, 'vae_decoder', 'model.onnx')));
  await assert.rejects(
    SeedModel.load(dir),
    (e: Error) => e instanceof SeedModelError && e.message.includes('(diffusion.vaeDecoder.path)')
  );
});

test('a damaged file is caught by its hash before use (unless hashes are off)', async () => {
  const dir = modelCopy((_, d) => {
    const file = path.join(d, 'tokenizer', 'codebook.f32');
    const bytes = fs.readFileSync(file);
    bytes[0] ^= 1;
    fs.writeFileSync(file, bytes);
  });
  const checked = await SeedModel.load(dir, { executionProviders: ['cpu'] });
  await assert.rejects(checked.encode([IMAGE]), /codebook\.f32 \(tokenizer\.codebook\.path\) has sha256/);
  const unchecked = await SeedModel.load(dir, { executionProviders: ['cpu'], verifyHashes: false });
  assert.equal((await unchecked.encode([IMAGE]))[0].codes.length, 32);
  await unchecked.release();
});

test('a graph that ONNX Runtime cannot load is named with the reason', async () => {
  const dir = modelCopy((_, d) => fs.writeFileSync(path.join(d, 'tokenizer', 'decoder.onnx'), 'not onnx'));
  const model = await SeedModel.load(dir, { executionProviders: ['cpu'], verifyHashes: false });
  await assert.rejects(model.decode(expected.codes), (e: Error) => {
    assert.ok(e instanceof SeedModelError);
    assert.match(e.message, /ONNX Runtime cannot load .*decoder\.onnx \(tokenizer\.decoder\.path\): /);
    return true;
  });
});

test('tensor names the graph does not have are reported with the names it has', async () => {
  const dir = modelCopy((m) => (m.tokenizer.encoder.inputs.image = 'images'));
  const model = await SeedModel.load(dir, { executionProviders: ['cpu'] });
  await assert.rejects(
    model.encode([IMAGE]),
    /encoder\.onnx \(tokenizer\.encoder\.path\) does not have the input\(s\) images the manifest names; it has inputs pixel_values/
  );
  await model.release();
});

test('a latentShape the UNet does not take is reported before sampling', async () => {
  const dir = modelCopy((m) => (m.diffusion.latentShape = [4, 16, 16]));
  const model = await SeedModel.load(dir, { executionProviders: ['cpu'] });
  await assert.rejects(
    model.decode(expected.codes),
    /model\.onnx takes samples of shape \[batch, 4, 8, 8\], but the manifest's diffusion\.latentShape is \[4, 16, 16\]/
  );
  await model.release();
});

test('release frees sessions and the model keeps working', async () => {
  const model = await SeedModel.load(TINY_MODEL_DIR, { executionProviders: ['cpu'] });
  const [before] = await model.encode([IMAGE]);
  await model.release();
  const [after] = await model.encode([IMAGE]);
  assert.deepEqual(after.codes, before.codes);
  await model.release();
});

/** A copy of the tiny model whose `field` graph is replaced by one from tiny-model-faults. */
function modelWithFaultyGraph(field: 'unet' | 'vaeDecoder', faultFile: string): string {
  return modelCopy((manifest, dir) => {
    const ref = manifest.diffusion[field];
    const bytes = fs.readFileSync(path.join(TINY_MODEL_FAULTS_DIR, faultFile));
    fs.writeFileSync(path.join(dir, ref.path), bytes);
    ref.sha256 = createHash('sha256').update(bytes).digest('hex');
  });
}

test('a UNet that returns NaN stops every sampler with the step it diverged at, never an image', async () => {
  // The faulty UNet predicts 0 from timestep 901 down to 501 and NaN from 401 on: step 6 of 10.
  const model = await SeedModel.load(modelWithFaultyGraph('unet', 'unet-nan-below-450.onnx'), {
    executionProviders: ['cpu']
  });
  for (const sampler of ['plms', 'ddim', 'euler', 'dpmpp'] as const) {
    const steps: number[] = [];
    await assert.rejects(
      model.decode(expected.codes, { sampler, steps: 10, onProgress: (p) => steps.push(p.step) }),
      (error: Error) => {
        assert.ok(error instanceof SeedNumericError, `${sampler}: ${error.name}`);
        assert.match(
          error.message,
          new RegExp(
            `^Sampling diverged at step 6 of 10 \\(${sampler}, timestep 401\\): 256 of 256 latent values are NaN or ` +
              'infinite, so no image was made\\. Try fewer steps or a lower guidance scale'
          )
        );
        return true;
      }
    );
    assert.deepEqual(steps, [1, 2, 3, 4, 5], `${sampler}: progress stops before the diverged step`);
  }
  await model.release();
});

test('a VAE decoder that returns NaN is an error naming the VAE, not a black PNG', async () => {
  const model = await SeedModel.load(modelWithFaultyGraph('vaeDecoder', 'vae-decoder-nan.onnx'), {
    executionProviders: ['cpu']
  });
  await assert.rejects(
    model.decode(expected.codes, { steps: 5 }),
    (error: Error) =>
      error instanceof SeedNumericError &&
      /^The VAE decoder turned a finite latent into 768 NaN or infinite pixel values of 768, so no image was made\. Try a lower guidance scale .*vae_decoder\/model\.onnx\) is faulty/.test(
        error.message
      )
  );
  await model.release();
});

test('steps that used to read past the schedule (27, 300) decode real images, and params say the steps that ran', async () => {
  const model = await tinyModel();
  const cases = [
    { asked: 27, ran: 27 },
    { asked: 300, ran: 333 },
    { asked: 400, ran: 500 }
  ];
  for (const { asked, ran } of cases) {
    const totals = new Set<number>();
    let last = 0;
    const result = await model.decode(expected.codes, {
      steps: asked,
      onProgress: (p) => {
        totals.add(p.total);
        last = p.step;
      },
      previewEvery: 0
    });
    assert.deepEqual([...totals], [ran], `${asked} steps: progress total`);
    assert.equal(last, ran, `${asked} steps: last progress step`);
    assert.equal(result.params.steps, ran, `${asked} steps: params.steps`);
    const raw = await pixels(result.png);
    assert.ok(
      raw.some((v) => v !== 0),
      `${asked} steps: the image is not all black`
    );
    if (ran === asked) {
      assert.equal(result.params.stepsAsked, undefined);
      assert.equal(result.params.stepsNote, undefined);
    } else {
      assert.equal(result.params.stepsAsked, asked);
      assert.match(
        result.params.stepsNote ?? '',
        new RegExp(`^${ran} steps ran \\(${asked} asked\\): the uniform schedule`)
      );
    }
  }
});
