import assert from 'node:assert/strict';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { PACKAGE_ROOT } from '../../runtime/package-paths';
import { SeedInputError } from '../../runtime';
import { MIME_BUNDLE } from '../mime-bundle';
import { SEED_MIME_TYPE } from '../../protocol/seed-mime';
import { FIXTURES_DIR, TINY_MODEL_DIR, TINY_UNCLIP_MODEL_DIR } from '../../runtime/fixtures/paths';
import { toLlmTokens } from '../../protocol';
import type { CellContext } from '../kernel';
import { SeedMagics } from '../magics/seed-magics';
import { ModelHost } from './model-host';
import { SeedApi, expandGlob } from './seed-api';
import { SeedEncoding, SeedReconstruction, wireParams } from './results';

const FIXTURES = path.join(PACKAGE_ROOT, 'kernel', 'runtime', 'fixtures');
const MODEL = { id: 'tiny-model', sha256: 'a'.repeat(64), codebookSize: 64 };
const PNG = { png: Buffer.from([137, 80, 78, 71]), width: 16, height: 16 };

describe('seed API helpers', () => {
  it('expands file-name globs, sorted, relative to the notebook folder', () => {
    assert.deepEqual(expandGlob('tiny-*.png', FIXTURES), [path.join(FIXTURES, 'tiny-image.png')]);
    assert.deepEqual(expandGlob('fixtures/tiny-imag?.png', path.dirname(FIXTURES)), [
      path.join(FIXTURES, 'tiny-image.png')
    ]);
  });

  it('says what is wrong with a pattern that finds nothing', () => {
    assert.throws(
      () => expandGlob('*.jpeg', FIXTURES),
      (error: unknown) => error instanceof SeedInputError && /No file matches/.test(error.message)
    );
    assert.throws(() => expandGlob('*/tiny-image.png', FIXTURES), /only supported in the file name/);
    assert.throws(() => expandGlob('no-such-folder/*.png', FIXTURES), /No folder/);
  });
});

describe('SEED results', () => {
  it('display as the SEED payload with image/png and text/plain fallbacks', () => {
    const codes = Array.from({ length: 32 }, (_, i) => i);
    const encoding = new SeedEncoding(
      codes,
      codes.map((code) => [{ code, distance: 0 }]),
      PNG,
      MODEL,
      'cat.png',
      { sourceFile: 'cat.png' }
    );
    const bundle = encoding[MIME_BUNDLE]();
    assert.deepEqual(Object.keys(bundle).sort(), [SEED_MIME_TYPE, 'image/png', 'text/plain'].sort());
    assert.equal(bundle['image/png'], PNG.png.toString('base64'));
    assert.equal(bundle[SEED_MIME_TYPE].kind, 'encoding');
    assert.equal(bundle[SEED_MIME_TYPE].source?.width, 16);
    assert.match(bundle['text/plain'], /SEED encoding of cat\.png \(tiny-model\): 32 codes \[0, 1, 2/);
  });

  it('carry the sampler settings of a reconstruction', () => {
    const params = { sampler: 'ddim' as const, steps: 3, guidance: 2, seed: 7 };
    const result = new SeedReconstruction([1, 2], PNG, params, MODEL, 'codes');
    const payload = result[MIME_BUNDLE]()[SEED_MIME_TYPE];
    assert.deepEqual(payload.params, params);
    assert.equal(payload.image?.png, PNG.png.toString('base64'));
    assert.equal(result.png, PNG.png);
  });

  it('say the steps that ran, and in one line why they differ from the steps asked', () => {
    const stepsNote = '333 steps ran (300 asked): the uniform schedule visits every 3rd of the 1000 training steps.';
    const params = { sampler: 'plms' as const, steps: 333, guidance: 2, seed: 7, stepsAsked: 300, stepsNote };
    const bundle = new SeedReconstruction([1, 2], PNG, params, MODEL, 'codes')[MIME_BUNDLE]();
    assert.deepEqual(bundle[SEED_MIME_TYPE].params, params);
    assert.match(
      bundle['text/plain'],
      /\(tiny-model; plms, 333 steps, guidance 2, seed 7\) from codes \[1, 2\]\n333 steps ran/
    );
    assert.deepEqual(wireParams({ sampler: 'ddim', steps: 3, guidance: 2, seed: 7, eta: 0.5 }), {
      sampler: 'ddim',
      steps: 3,
      guidance: 2,
      seed: 7
    });
  });
});

describe('model families through the kernel', () => {
  const host = new ModelHost(TINY_MODEL_DIR);
  const seed = new SeedApi(host, {
    rootDir: FIXTURES_DIR,
    currentSignal: undefined,
    display: () => undefined,
    clearOutput: () => undefined,
    requestInput: async () => ''
  });
  const magics = new SeedMagics(seed);
  const context = {
    signal: new AbortController().signal,
    display: () => undefined,
    bind: async () => undefined,
    variable: () => undefined
  } as unknown as CellContext;
  const magicText = async (line: string): Promise<string> => {
    const outcome = await magics.run(line, context);
    return outcome.hasValue ? String(outcome.value) : '';
  };

  it('shows the family in %seed device and %seed model info, and refuses codes of the other family', async () => {
    assert.match(await magicText('%seed device'), /^Model: tiny-model, family seed-v1 \(SEED v1\)$/m);
    const encoding = await seed.encode('tiny-image.png');
    assert.equal(encoding.model.family, 'seed-v1');

    const info = await seed.useModel(TINY_UNCLIP_MODEL_DIR);
    assert.equal(info.model?.family, 'seed-v2');
    assert.match(await magicText('%seed model info'), /family seed-v2: SEED-2 \(SEED-LLaMA\)/);
    await assert.rejects(
      seed.decode(encoding, { progress: false }),
      (error: unknown) =>
        error instanceof SeedInputError &&
        /These codes come from tiny-model, a SEED v1 model \(seed-v1\); the kernel's model tiny-unclip-model is SEED-2 \(SEED-LLaMA\) \(seed-v2\)/.test(
          error.message
        ) &&
        /%seed model use tiny-model/.test(error.message)
    );
    await assert.rejects(
      seed.decode(encoding.codes, { progress: false, negativeCodes: encoding }),
      /The negative codes come from tiny-model/
    );
  });

  it('decodes LLM tokens on a seed-v2 model with negative codes and a noise level, and names out-of-range codes', async () => {
    await seed.useModel(TINY_UNCLIP_MODEL_DIR);
    const codes = Array.from({ length: 32 }, (_, i) => (i * 5) % 64);
    const answer = `Here is the picture: ${toLlmTokens(codes)} Enjoy.`;
    const result = await seed.decode(answer, {
      progress: false,
      steps: 2,
      negativeCodes: toLlmTokens(codes.map(() => 0)),
      noiseLevel: 3
    });
    assert.deepEqual(result.codes, codes);
    assert.equal(result.model.family, 'seed-v2');
    assert.equal(result.params.noiseLevel, 3);
    assert.match(String(result), /ddim, 2 steps, guidance 10, seed 42, noise level 3/);
    await assert.rejects(
      seed.decode(toLlmTokens(codes.map((code, i) => (i === 4 ? 8191 : code))), { progress: false }),
      /The code at position 5 is 8191; codes are integers from 0 to 63/
    );
    await assert.rejects(
      seed.decode(codes, { progress: false, noiseLevel: 1000 }),
      /noiseLevel must be a whole number from 0 to 999/
    );
    const magic = await magics.run(
      `%seed decode ${codes.join(',')} --steps 2 --negative ${codes.map(() => 1).join(',')} --noise-level 7`,
      context
    );
    assert.ok(magic.hasValue && magic.value instanceof SeedReconstruction);
    assert.equal(magic.value.params.noiseLevel, 7);
  });
});
