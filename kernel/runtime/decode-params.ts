/**
 * What a decode call asked for, checked against the model: the codes (count and range from the manifest's
 * tokenizer) and the decode parameters (the protocol's limits, then this model's own: its step count, and
 * the options that only one family takes). The shared limits live in protocol/vocabulary.ts; what is here
 * needs the manifest.
 */
import { SeedInputError } from './errors';
import type { SeedModelManifest } from './manifest';
import { concatFloat32 } from './graph-batches';
import { SeededRandom } from './random';
import { stepCountNote } from './samplers';
import { checkDecodeParams } from '../protocol/vocabulary';
import type { DecodeOptions, DecodeParams } from './types';

/** Throws SeedInputError unless `codes` is numCodes integers in [0, codebookSize); `prefix` names the list. */
export function checkCodes(
  tokenizer: SeedModelManifest['tokenizer'],
  codes: unknown,
  prefix = ''
): asserts codes is number[] {
  const { numCodes, codebookSize } = tokenizer;
  if (!Array.isArray(codes)) {
    throw new SeedInputError(`${prefix}Codes must be an array of ${numCodes} integers, got ${typeof codes}.`);
  }
  if (codes.length !== numCodes) {
    throw new SeedInputError(
      `${prefix}Expected ${numCodes} codes, got ${codes.length}. A SEED image is exactly ${numCodes} codes.`
    );
  }
  codes.forEach((code, i) => {
    if (!Number.isInteger(code) || code < 0 || code >= codebookSize) {
      throw new SeedInputError(
        `${prefix}The code at position ${i + 1} is ${JSON.stringify(code)}; codes are integers from 0 to ${codebookSize - 1}.`
      );
    }
  });
}

/** The decode options over the manifest's defaults, checked; throws SeedInputError saying what to change. */
export function resolveDecodeParams(manifest: SeedModelManifest, options: DecodeOptions): DecodeParams {
  const { defaults, schedule, unclip } = manifest.diffusion;
  let checked: Partial<DecodeParams>;
  try {
    checked = checkDecodeParams({ ...defaults, ...definedOnly(options) });
  } catch (error) {
    throw new SeedInputError((error as Error).message);
  }
  const { sampler, steps, guidance, seed } = checked as Required<typeof checked>;
  const maxSteps = Math.floor(schedule.trainSteps / 2);
  if (steps > maxSteps) {
    throw new SeedInputError(
      `steps must be at most ${maxSteps} for this model (half its ${schedule.trainSteps} training steps), got ${steps}.`
    );
  }
  const params: DecodeParams = { seed, sampler, steps, guidance };
  if (unclip) {
    const noiseLevel = options.noiseLevel ?? unclip.noiseLevel;
    const maxLevel = unclip.noiseSchedule.trainSteps - 1;
    if (!Number.isInteger(noiseLevel) || noiseLevel < 0 || noiseLevel > maxLevel) {
      throw new SeedInputError(`noiseLevel must be a whole number from 0 to ${maxLevel}, got ${noiseLevel}.`);
    }
    params.noiseLevel = noiseLevel;
  } else if (options.noiseLevel !== undefined) {
    throw new SeedInputError(
      `noiseLevel applies to seed-v2 (unCLIP) models; ${manifest.id} is ${manifest.family}. Drop it.`
    );
  }
  if (options.eta !== undefined) {
    if (!Number.isFinite(options.eta) || options.eta < 0) {
      throw new SeedInputError(`eta must be a number >= 0, got ${options.eta}.`);
    }
    if (sampler !== 'ddim' && options.eta !== 0) {
      throw new SeedInputError(
        `eta only applies to the ddim sampler (${sampler} is deterministic); drop it or use ddim.`
      );
    }
    params.eta = options.eta;
  }
  return params;
}

/** Steps between previews: the option, else every step when the manifest has a preview map, else none. */
export function resolvePreviewEvery(manifest: SeedModelManifest, options: DecodeOptions): number {
  const previewEvery = options.previewEvery ?? (manifest.diffusion.preview ? 1 : 0);
  if (!Number.isInteger(previewEvery) || previewEvery < 0) {
    throw new SeedInputError(`previewEvery must be a whole number >= 0 (0 = no previews), got ${previewEvery}.`);
  }
  return previewEvery;
}

/** The params a result reports: the steps the sampler ran, and what was asked and why when they differ. */
export function paramsThatRan(manifest: SeedModelManifest, asked: DecodeParams, ran: number): DecodeParams {
  if (ran === asked.steps) {
    return asked;
  }
  const stepsNote = stepCountNote(manifest.diffusion.schedule.trainSteps, asked.steps);
  return { ...asked, steps: ran, stepsAsked: asked.steps, ...(stepsNote ? { stepsNote } : {}) };
}

/**
 * The seed policy: image i of a batch decodes with seed `seed + i`, from its own generator, which draws its
 * initial latent first and then any noise the sampler asks for (DDIM with eta > 0), so a batch gives the
 * images of the same decodes one by one. A caller's `initialLatent` replaces the drawn latents.
 */
export function startingNoise(
  latentShape: [number, number, number],
  seed: number,
  count: number,
  initialLatent: Float32Array | undefined
): { randoms: SeededRandom[]; noise: Float32Array } {
  if (seed + count - 1 > Number.MAX_SAFE_INTEGER) {
    throw new SeedInputError(`seed + ${count - 1} must stay below ${Number.MAX_SAFE_INTEGER}; use a smaller seed.`);
  }
  const [c, h, w] = latentShape;
  const latentSize = c * h * w;
  const randoms = Array.from({ length: count }, (_, i) => new SeededRandom(seed + i));
  if (initialLatent === undefined) {
    return { randoms, noise: concatFloat32(randoms.map((random) => random.normal(latentSize))) };
  }
  if (!(initialLatent instanceof Float32Array) || initialLatent.length !== count * latentSize) {
    throw new SeedInputError(
      `initialLatent must be a Float32Array of ${count * latentSize} values (${count} x latent ${c}x${h}x${w}), ` +
        `got ${(initialLatent as Float32Array | undefined)?.length}.`
    );
  }
  return { randoms, noise: initialLatent };
}

/** The decode options the caller set (an explicit `undefined` keeps the manifest's default). */
function definedOnly(options: DecodeOptions): Partial<DecodeParams> {
  const out: Partial<DecodeParams> = {};
  for (const key of ['sampler', 'steps', 'guidance', 'seed'] as const) {
    if (options[key] !== undefined) {
      (out as Record<string, unknown>)[key] = options[key];
    }
  }
  return out;
}
