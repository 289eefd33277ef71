// The runtime on the bundled seed-nano model against the model's own PyTorch code
// (fixtures/make_seed_nano_reference.py): same codes for an image, same image for the same latent.
// SEED_NANO_DIR and SEED_NANO_REFERENCE point it at another export and reference (e.g. a `train.py --smoke` one).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import sharp from 'sharp';
import { BUNDLED_MODEL_DIR } from './package-paths';
import { FIXTURES_DIR } from './fixtures/paths';
import { SeedModel } from './index';

const MODEL_DIR = process.env.SEED_NANO_DIR ?? BUNDLED_MODEL_DIR;
const REFERENCE = process.env.SEED_NANO_REFERENCE ?? path.join(FIXTURES_DIR, 'seed-nano-reference.json');
const present = fs.existsSync(path.join(MODEL_DIR, 'seed-model.json'));

interface Reference {
  sha256: Record<string, string>;
  image: string;
  codes: number[];
  decode: { steps: number; guidance: number; rgb: number[] };
}

test(
  'seed-nano: the runtime gives the codes and the image the PyTorch recipe gives',
  { skip: !present && `no model at ${MODEL_DIR}` },
  async () => {
    const reference: Reference = JSON.parse(fs.readFileSync(REFERENCE, 'utf8'));
    const model = await SeedModel.load(MODEL_DIR, { executionProviders: ['cpu'] });
    try {
      const { tokenizer, diffusion } = model.manifest;
      const files: Record<string, string> = {
        codebook: tokenizer.codebook.sha256,
        encoder: tokenizer.encoder.sha256,
        decoder: tokenizer.decoder.sha256,
        unet: diffusion.unet.sha256,
        vaeDecoder: diffusion.vaeDecoder.sha256,
        unconditional: diffusion.unconditional.sha256
      };
      assert.deepEqual(
        files,
        reference.sha256,
        `${REFERENCE} was made for other model files: re-run kernel/runtime/fixtures/make_seed_nano_reference.py`
      );

      const [encoding] = await model.encode([path.join(FIXTURES_DIR, reference.image)], { topK: 5 });
      encoding.codes.forEach((code, i) => {
        if (code !== reference.codes[i]) {
          // Only an exact tie (two codebook entries at the same distance, float32) may differ.
          const theirs = encoding.topK[i].find((c) => c.code === reference.codes[i]);
          assert.ok(
            theirs && theirs.distance - encoding.topK[i][0].distance < 1e-6,
            `code ${i}: ${code} vs ${reference.codes[i]}`
          );
        }
      });

      const [c, h, w] = diffusion.latentShape;
      const latent = Float32Array.from({ length: c * h * w }, (_, j) => Math.sin(0.37 * j + 0.2));
      const result = await model.decode(reference.codes, {
        initialLatent: latent,
        steps: reference.decode.steps,
        guidance: reference.decode.guidance
      });
      const pixels: Buffer = await sharp(result.png).raw().toBuffer();
      assert.equal(pixels.length, reference.decode.rgb.length);
      let max = 0;
      pixels.forEach((v, i) => (max = Math.max(max, Math.abs(v - reference.decode.rgb[i]))));
      // float32 in ONNX Runtime and in PyTorch, summed in different orders: two levels at most.
      assert.ok(max <= 2, `decoded image differs from PyTorch's by up to ${max} levels`);
    } finally {
      await model.release();
    }
  }
);
