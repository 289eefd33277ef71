/**
 * The decode parameters as the output's form and result lines show them: the form's starting values,
 * the check of what the user typed (against the protocol's limits), a result's one-line description,
 * and the seed the random policy draws. Pure, apart from the random draw.
 */
import { html, TemplateResult } from 'lit';
import { DECODE_LIMITS, FAMILY_DEFAULTS, SAMPLERS, withinLimit } from '../../../kernel/protocol';
import type { DecodeParams, ResultParams } from '../../model/seed-result';

/** Until the kernel says what the model wants, the form starts from SEED v1's defaults. */
export const DEFAULT_PARAMS: DecodeParams = FAMILY_DEFAULTS['seed-v1'];

/** The settings a result ran with; a note says when the steps that ran differ from those asked. */
export function describeParams(params: ResultParams): TemplateResult {
  const text = `${SAMPLERS[params.sampler]}, ${params.steps} steps, guidance ${params.guidance}, seed ${params.seed}`;
  return params.stepsNote ? html`${text} <span class="steps-note">(${params.stepsNote})</span>` : html`${text}`;
}

/** Says what to change when a decode setting is out of range; empty when all are fine. */
export function paramsError(params: DecodeParams): string {
  const fields = [
    ['Steps', params.steps, DECODE_LIMITS.steps],
    ['Guidance', params.guidance, DECODE_LIMITS.guidance],
    ['Seed', params.seed, DECODE_LIMITS.seed]
  ] as const;
  for (const [name, value, limit] of fields) {
    if (!withinLimit(value, limit)) {
      const kind = limit.integer ? 'a whole number' : 'a number';
      return `${name} must be ${kind} from ${limit.min} to ${limit.max} (got ${value}).`;
    }
  }
  return '';
}

export function randomSeed(): number {
  const draw = new Uint32Array(1);
  crypto.getRandomValues(draw);
  return draw[0];
}
