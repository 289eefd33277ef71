/**
 * The templates of a SEED output's decode section: the decode form and one decoded image with its
 * lineage. They render into the output's own shadow root (the output keeps the state and handles the
 * events), so they are functions, not elements: the DOM, its styles and its accessible names stay the
 * output's.
 */
import { html, nothing, TemplateResult } from 'lit';
import { DECODE_LIMITS, SAMPLER_NAMES, SAMPLERS, toLlmTokens } from '../../../kernel/protocol';
import { describeEdit } from '../../model/code-history';
import { lineageToJson } from '../../model/lineage';
import type { DecodedView, DecodeParams, SamplerName } from '../../model/seed-result';
import { describeParams } from './decode-params';

const { steps: STEPS, guidance: GUIDANCE, seed: SEED } = DECODE_LIMITS;

export interface DecodeFormView {
  params: DecodeParams;
  /** Seed policy: a new random seed each decode (the seed field is then disabled). */
  randomSeed: boolean;
  /** Decode is off while a decode runs or no live kernel can take one. */
  disabled: boolean;
  onParam<K extends keyof DecodeParams>(key: K, value: DecodeParams[K]): void;
  onRandomSeed(on: boolean): void;
  onSubmit(event: Event): void;
}

/** Sampler, steps, guidance, seed and the random-seed policy, and the Decode button. */
export function decodeForm(view: DecodeFormView): TemplateResult {
  const { params } = view;
  return html`<form class="params" novalidate @submit=${view.onSubmit}>
    <label>
      Sampler
      <select name="sampler" @change=${(event: Event) => view.onParam('sampler', selectValue(event))}>
        ${SAMPLER_NAMES.map(
          (name) => html`<option value=${name} ?selected=${name === params.sampler}>${SAMPLERS[name]}</option>`
        )}
      </select>
    </label>
    ${numberField(view, 'Steps', 'steps', STEPS)}
    ${numberField(view, 'Guidance', 'guidance', GUIDANCE, { step: '0.5' })}
    ${numberField(view, 'Seed', 'seed', SEED, { disabled: view.randomSeed })}
    <label class="random-seed">
      <input
        type="checkbox"
        .checked=${view.randomSeed}
        @change=${(event: Event) => view.onRandomSeed((event.target as HTMLInputElement).checked)}
      />
      New random seed each decode
    </label>
    <button type="submit" class="decode-button" ?disabled=${view.disabled}>Decode</button>
  </form>`;
}

/** One numeric decode parameter: a labelled number input within the protocol's limits for it. */
function numberField(
  view: DecodeFormView,
  label: string,
  name: 'steps' | 'guidance' | 'seed',
  limits: { min: number; max: number },
  { step, disabled = false }: { step?: string; disabled?: boolean } = {}
): TemplateResult {
  return html`<label>
    ${label}
    <input
      name=${name}
      type="number"
      min=${limits.min}
      max=${limits.max}
      step=${step ?? nothing}
      ?disabled=${disabled}
      .value=${String(view.params[name])}
      @change=${(event: Event) => view.onParam(name, numberValue(event))}
    />
  </label>`;
}

/** One decoded image (`number` counts from the oldest, 1) with where its codes came from and how it ran. */
export function decodedItem(
  item: DecodedView,
  number: number,
  copy: (format: 'json' | 'llm-tokens', text: string) => void
): TemplateResult {
  const { lineage } = item;
  const edits = lineage.edits.length;
  return html`<li class="decoded-item">
    <img src=${item.image.src} alt=${`Decoded image ${number}`} />
    <div class="lineage">
      <p>
        ${
          edits === 0
            ? `Codes of ${lineage.from}, unedited`
            : `Codes of ${lineage.from} with ${edits} edit${edits === 1 ? '' : 's'}`
        }
      </p>
      ${lineage.params ? html`<p>${describeParams(lineage.params)}</p>` : nothing}
      <ol class="edits">
        ${lineage.edits.map((edit) => html`<li>${describeEdit(edit)}</li>`)}
      </ol>
      <button type="button" @click=${() => copy('json', lineageToJson(lineage))}>Copy JSON</button>
      <button type="button" @click=${() => copy('llm-tokens', toLlmTokens(lineage.codes))}>Copy LLM tokens</button>
    </div>
  </li>`;
}

function selectValue(event: Event): SamplerName {
  return (event.target as HTMLSelectElement).value as SamplerName;
}

function numberValue(event: Event): number {
  return Number((event.target as HTMLInputElement).value);
}
