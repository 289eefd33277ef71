import assert from 'node:assert/strict';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { PACKAGE_ROOT } from '../../runtime/package-paths';
import { SeedInputError } from '../../runtime';
import { MIME_BUNDLE } from '../mime-bundle';
import { SEED_MIME_TYPE } from '../../protocol/seed-mime';
import { expandGlob } from './seed-api';
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
