import { html, LitElement, nothing, PropertyValues, TemplateResult } from 'lit';
import { property, state } from 'lit/decorators.js';
import { emit, SeedEventMap } from '../../events';
import {
  canRedo,
  canUndo,
  CodeHistory,
  currentCodes,
  describeEdit,
  pushEdit,
  redo,
  restoreHistory,
  startHistory,
  TRUNCATE_FILL_RULE,
  undo
} from '../../model/code-history';
import { lineageToJson } from '../../model/lineage';
import { FAMILIES, toLlmTokens } from '../../../kernel/protocol';
import { DecodedView, DecodeParams, DecodeState, Lineage, LiveState, SeedResultView } from '../../model/seed-result';
import '../decode-progress/decode-progress';
import '../token-inspector/token-inspector';
import { DEFAULT_PARAMS, describeParams, paramsError, randomSeed } from './decode-params';
import { decodedItem, decodeForm } from './decode-templates';
import { seedOutputStyles } from './seed-output.styles';

/**
 * A SEED output: the token inspector with the editing tools (undo, redo, truncate, copy), the decode
 * form and its progress, and the images decoded from it, each with its lineage.
 *
 * It keeps the edit history itself (it is view state); everything that needs the kernel leaves as an event.
 * Ctrl+Z / Ctrl+Shift+Z (or Ctrl+Y) undo and redo edits while focus is in the output.
 *
 * @event seed-decode-request - the user pressed Decode; detail `{ codes, params, lineage }`.
 * @event seed-decode-cancel - the user pressed Cancel on the running or queued decode.
 * @event seed-copy - the user asked to copy; detail `{ format, text }` (the host writes the clipboard).
 * @event seed-token-edit - re-emitted from the inspector; the output has already applied it.
 * @event seed-history-change - the edit history changed (edit, undo, redo, truncate); detail `{ history }`.
 *
 * @csspart inspector - the token inspector.
 * @csspart toolbar - undo, redo, truncate and copy.
 * @csspart decode - the decode form, progress and results.
 */
export class SeedOutputElement extends LitElement {
  static override styles = seedOutputStyles;

  /** The output to show. A new result starts a new edit history, or `savedHistory` when it fits the codes. */
  @property({ attribute: false })
  result?: SeedResultView;

  /** The edit history kept with the output (a saved notebook's), restored with the result. */
  @property({ attribute: false })
  savedHistory: unknown = null;

  /** Whether a live SEED kernel can decode, and if not why. */
  @property({ attribute: false })
  live: LiveState = { kind: 'offline', reason: 'No kernel is connected.' };

  /** The state of this output's decode. */
  @property({ attribute: false })
  decode: DecodeState = { kind: 'idle' };

  /** Images decoded from this output, newest first. */
  @property({ attribute: false })
  decoded: DecodedView[] = [];

  /** The sampler settings the decode form starts with (from the user's settings). */
  @property({ attribute: false })
  defaults: DecodeParams = DEFAULT_PARAMS;

  /** Seed policy: draw a new random seed for each decode instead of using the seed field. */
  @property({ type: Boolean, attribute: 'random-seed' })
  randomSeed = false;

  @state()
  private history: CodeHistory = startHistory([]);

  @state()
  private params: DecodeParams = DEFAULT_PARAMS;

  @state()
  private keep = 32;

  @state()
  private formError = '';

  /** The form keeps what the user typed; new defaults apply only to fields not touched. */
  private touched = new Set<keyof DecodeParams>();

  protected override willUpdate(changed: PropertyValues<this>): void {
    if ((changed.has('result') || changed.has('savedHistory')) && this.result) {
      const { codes, model } = this.result;
      if (changed.has('result') || this.savedHistory !== this.history) {
        this.history = restoreHistory(this.savedHistory, codes, model.codebookSize) ?? startHistory(codes);
      }
      if (changed.has('result')) {
        this.keep = codes.length;
      }
    }
    if (changed.has('defaults')) {
      const next = { ...this.params };
      for (const key of Object.keys(this.defaults) as (keyof DecodeParams)[]) {
        if (!this.touched.has(key)) {
          (next as Record<string, unknown>)[key] = this.defaults[key];
        }
      }
      this.params = next;
    }
  }

  /** The codes after the edits, in causal order. */
  get codes(): number[] {
    return currentCodes(this.history);
  }

  protected override render(): TemplateResult {
    const result = this.result;
    if (!result) {
      return html`<p class="empty">This SEED output has no data.</p>`;
    }
    const codes = this.codes;
    return html`
      <header>
        <span class="kind">${KIND_NAMES[result.kind]}</span>
        <span class="label">${result.label}</span>
        <span class="model" title=${`model sha256 ${result.model.sha256}`}
          >${result.model.id} · ${FAMILIES[result.model.family]}</span
        >
        ${result.params ? html`<span class="params">${describeParams(result.params)}</span>` : nothing}
      </header>
      <div class="images">
        <seed-token-inspector
          part="inspector"
          .codes=${codes}
          .originalCodes=${result.codes}
          .topK=${result.topK}
          .source=${result.source}
          .model=${result.model}
          .label=${result.label}
          ?editable=${true}
          @seed-token-edit=${this.onEdit}
        ></seed-token-inspector>
        ${
          result.image
            ? html`<figure class="reconstruction">
                <img src=${result.image.src} alt=${`Reconstruction of ${result.label}`} />
                <figcaption>Reconstruction</figcaption>
              </figure>`
            : nothing
        }
      </div>
      ${this.renderToolbar(codes)} ${this.renderDecode(codes)}
    `;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.addEventListener('keydown', this.onKeydown);
  }

  override disconnectedCallback(): void {
    this.removeEventListener('keydown', this.onKeydown);
    super.disconnectedCallback();
  }

  /** Ctrl+Z undoes an edit, Ctrl+Shift+Z or Ctrl+Y redoes it (Cmd on macOS); text fields keep their own undo. */
  private onKeydown = (event: KeyboardEvent): void => {
    const inField = event.composedPath()[0] instanceof HTMLInputElement;
    if (inField || !(event.ctrlKey || event.metaKey)) {
      return;
    }
    const key = event.key.toLowerCase();
    if (key === 'z' && !event.shiftKey) {
      event.preventDefault();
      this.changeHistory(undo(this.history));
    } else if ((key === 'z' && event.shiftKey) || key === 'y') {
      event.preventDefault();
      this.changeHistory(redo(this.history));
    }
  };

  private renderToolbar(codes: number[]): TemplateResult {
    const edits = this.history.done;
    return html`<div part="toolbar" class="toolbar" role="toolbar" aria-label="Edit codes">
        <button
          type="button"
          ?disabled=${!canUndo(this.history)}
          @click=${() => this.changeHistory(undo(this.history))}
        >
          Undo
        </button>
        <button
          type="button"
          ?disabled=${!canRedo(this.history)}
          @click=${() => this.changeHistory(redo(this.history))}
        >
          Redo
        </button>
        <span class="truncate">
          <label>
            Keep first
            <input
              type="number"
              name="keep"
              min="1"
              max=${codes.length}
              .value=${String(this.keep)}
              @change=${(event: Event) => (this.keep = Number((event.target as HTMLInputElement).value))}
            />
          </label>
          <button type="button" class="truncate-button" @click=${this.truncate} aria-describedby="fill-rule">
            Truncate
          </button>
          <span id="fill-rule" class="hint">${TRUNCATE_FILL_RULE}</span>
        </span>
        <button type="button" @click=${() => this.copy('json', lineageToJson(this.lineage()))}>Copy JSON</button>
        <button type="button" @click=${() => this.copy('llm-tokens', toLlmTokens(codes))}>Copy LLM tokens</button>
      </div>
      ${
        edits.length > 0
          ? html`<ol class="edits" aria-label="Edits">
              ${edits.map((edit) => html`<li>${describeEdit(edit)}</li>`)}
            </ol>`
          : nothing
      }`;
  }

  private renderDecode(codes: number[]): TemplateResult {
    const busy = this.decode.kind === 'running' || this.decode.kind === 'queued' || this.decode.kind === 'cancelling';
    const canDecode = this.live.kind === 'ready' || this.live.kind === 'busy';
    return html`<section part="decode" class="decode" aria-label="Decode">
      ${decodeForm({
        params: this.params,
        randomSeed: this.randomSeed,
        disabled: busy || !canDecode,
        onParam: (key, value) => this.setParam(key, value),
        onRandomSeed: (on) => (this.randomSeed = on),
        onSubmit: (event) => this.requestDecode(event, codes)
      })}
      ${this.formError ? html`<p class="form-error" role="alert">${this.formError}</p>` : nothing}
      ${canDecode ? nothing : html`<p class="live" role="status">${describeLive(this.live)}</p>`}
      <seed-decode-progress .state=${this.decode}></seed-decode-progress>
      ${
        this.decoded.length > 0
          ? html`<ol class="decoded" aria-label="Decoded images">
              ${this.decoded.map((item, index) =>
                decodedItem(item, this.decoded.length - index, (format, text) => this.copy(format, text))
              )}
            </ol>`
          : nothing
      }
    </section>`;
  }

  private onEdit = (event: CustomEvent<SeedEventMap['seed-token-edit']>): void => {
    this.changeHistory(pushEdit(this.history, event.detail.edit));
  };

  /** Every change of the history goes through here, so the host hears of each one. */
  private changeHistory(next: CodeHistory): void {
    if (next === this.history) {
      return;
    }
    this.history = next;
    this.savedHistory = next;
    emit(this, 'seed-history-change', { history: next });
  }

  private truncate = (): void => {
    const length = this.codes.length;
    if (!Number.isInteger(this.keep) || this.keep < 1 || this.keep > length) {
      this.keep = Math.min(length, Math.max(1, Math.round(this.keep) || length));
      return;
    }
    this.changeHistory(pushEdit(this.history, { kind: 'truncate', keep: this.keep }));
  };

  private setParam<K extends keyof DecodeParams>(key: K, value: DecodeParams[K]): void {
    this.touched.add(key);
    this.params = { ...this.params, [key]: value };
  }

  private lineage(params?: DecodeParams): Lineage {
    const result = this.result!;
    return {
      from: result.label,
      fromCodes: result.codes,
      edits: [...this.history.done],
      codes: this.codes,
      model: result.model,
      ...(params ? { params } : {})
    };
  }

  private requestDecode(event: Event, codes: number[]): void {
    event.preventDefault();
    const seed = this.randomSeed ? randomSeed() : this.params.seed;
    const params: DecodeParams = { ...this.params, seed };
    this.formError = paramsError(params);
    if (this.formError) {
      return;
    }
    if (this.randomSeed) {
      this.params = params;
    }
    emit(this, 'seed-decode-request', { codes, params, lineage: this.lineage(params) });
  }

  private copy(format: 'json' | 'llm-tokens', text: string): void {
    emit(this, 'seed-copy', { format, text });
  }
}

const KIND_NAMES: Record<SeedResultView['kind'], string> = {
  encoding: 'SEED encoding',
  reconstruction: 'SEED reconstruction',
  recon: 'SEED encode + reconstruction'
};

function describeLive(live: LiveState): string {
  switch (live.kind) {
    case 'offline':
      return `Decoding needs a running SEED kernel: ${live.reason}`;
    case 'restarting':
      return 'The kernel is restarting; Decode is available again when it is ready.';
    case 'dead':
      return `The kernel is dead: ${live.reason}`;
    default:
      return '';
  }
}
