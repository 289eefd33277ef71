/**
 * Which sampler settings a decode form starts from: the rule the kernel applies to every path
 * (protocol/settings.ts), with the seed left to the form (a random seed is drawn when the user decodes).
 * Pure, so it is tested without JupyterLab.
 */
import { FAMILY_DEFAULTS, resolveDecodeParams } from '../../kernel/protocol';
import type { ISeedSettings } from '../tokens';
import type { DecodeParams } from './seed-result';

/**
 * The user's sampler settings where they set one, else the model's own default: models differ
 * (seed-nano decodes best with 25 steps at guidance 2, SEED v1 with 50 at 7.5). The seed is the
 * user's setting: it picks the noise, not a quality trade-off.
 */
export function samplerDefaults(
  settings: Pick<ISeedSettings, 'sampler' | 'steps' | 'guidance' | 'seed'>,
  model: DecodeParams = FAMILY_DEFAULTS['seed-v1']
): DecodeParams {
  return resolveDecodeParams({}, { ...settings, seedPolicy: 'fixed' }, model, () => settings.seed);
}
