/**
 * Which sampler settings a decode starts from. Pure, so the components' tests can check it without
 * JupyterLab.
 */
import type { ISeedSettings } from '../tokens';
import type { DecodeParams } from './seed-result';

/** SEED v1's own defaults (its demo), for when the kernel did not say what the model wants. */
export const SEED_V1_DEFAULTS: DecodeParams = { sampler: 'plms', steps: 50, guidance: 7.5, seed: 42 };

/**
 * The user's sampler settings where they set one, else the model's own default: models differ
 * (seed-nano decodes best with 25 steps at guidance 2, SEED v1 with 50 at 7.5). The seed is the
 * user's setting: it picks the noise, not a quality trade-off.
 */
export function samplerDefaults(
  settings: Pick<ISeedSettings, 'sampler' | 'steps' | 'guidance' | 'seed'>,
  model: DecodeParams = SEED_V1_DEFAULTS
): DecodeParams {
  return {
    sampler: settings.sampler === 'model' ? model.sampler : settings.sampler,
    steps: settings.steps >= 1 ? settings.steps : model.steps,
    guidance: settings.guidance >= 1 ? settings.guidance : model.guidance,
    seed: settings.seed
  };
}
