import { html, LitElement, nothing, PropertyValues, TemplateResult } from 'lit';
import { property, state } from 'lit/decorators.js';
import { classMap } from 'lit/directives/class-map.js';
import { emit } from '../../events';
import { checkEdit, CodeEdit } from '../../model/code-history';
import { CodesDragData, SEED_CODES_DRAG_TYPE, spliceFromDrop } from '../../model/code-drag';
import { codeToken, parseTypedCode } from '../../../kernel/protocol';
import type { CodeCandidate, ImageView, ModelRef } from '../../model/seed-result';
import { tokenInspectorStyles } from './token-inspector.styles';

/** Tokens per row of the strip; ArrowUp/ArrowDown move by one row. */
const ROW_LENGTH = 8;

/**
 * The token inspector: the source image beside its codes in causal order. Hovering or focusing a code
 * shows its id, distance and top-k alternatives; when `editable`, an alternative can be picked, a code
 * typed or randomised, and codes dragged in from another strip.
 *
 * Keyboard: Tab reaches the strip (one tab stop); arrows move along it (Up/Down by a row of 8), Home/End
 * jump to the ends; Enter moves into the alternatives; R randomises the position; Escape comes back to
 * the strip.
 *
 * @event seed-token-select - the inspected position changed; detail `{ position }` (0-based).
 * @event seed-token-edit - the user changed a code; detail `{ edit }` (a `set` or `splice` CodeEdit).
 *
 * @csspart source - the figure holding the source image.
 * @csspart strip - the list of codes.
 * @csspart token - one code in the strip.
 * @csspart detail - the inspected position's id, distance and alternatives.
 */
export class TokenInspectorElement extends LitElement {
  static override styles = tokenInspectorStyles;

  /** The codes, in causal order. */
  @property({ attribute: false })
  codes: number[] = [];

  /** The codes as encoded; positions whose code differs are marked as edited. */
  @property({ attribute: false })
  originalCodes: number[] = [];

  /** For each position the nearest codebook entries, nearest first. */
  @property({ attribute: false })
  topK: CodeCandidate[][] = [];

  /** The image the codes were encoded from. */
  @property({ attribute: false })
  source?: ImageView;

  /** The model the codes belong to; drags between strips of different models are refused. */
  @property({ attribute: false })
  model: ModelRef = { id: '', sha256: '', family: 'seed-v1', codebookSize: 8192 };

  /** Names the encoding in labels and drags. */
  @property()
  label = '';

  /** Whether codes can be changed (an output can be edited even without a kernel; decoding needs one). */
  @property({ type: Boolean, reflect: true })
  editable = false;

  /** The selected position (0-based); the one keyboard focus is on. */
  @property({ type: Number })
  selected = 0;

  /** The position under the mouse, which the detail shows while hovered. */
  @state()
  private hovered: number | null = null;

  @state()
  private message = '';

  @state()
  private dropTarget: number | null = null;

  private get inspected(): number {
    return this.hovered ?? this.selected;
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('codes') && this.selected >= this.codes.length) {
      this.selected = Math.max(0, this.codes.length - 1);
    }
  }

  protected override render(): TemplateResult {
    return html`
      <div class="layout">
        ${
          this.source
            ? html`<figure part="source">
                <img
                  src=${this.source.src}
                  width=${this.source.width}
                  height=${this.source.height}
                  alt=${`Source image ${this.label}`}
                />
                <figcaption>${this.label}</figcaption>
              </figure>`
            : nothing
        }
        <div class="codes">
          <div class="strip-header">
            <span id="strip-label">${this.codes.length} codes, causal order</span>
            <span
              class="grip"
              draggable="true"
              title="Drag all codes onto a position of another strip: that position and every one after it take these codes"
              aria-label=${`Drag all codes of ${this.label}`}
              @dragstart=${(event: DragEvent) =>
                this.startDrag(
                  event,
                  this.codes.map((_, position) => position)
                )}
              >⠿ drag all</span
            >
          </div>
          <div
            part="strip"
            class="strip"
            role="listbox"
            aria-labelledby="strip-label"
            aria-orientation="horizontal"
            @keydown=${this.onStripKey}
            @mouseleave=${() => (this.hovered = null)}
          >
            ${this.codes.map((code, position) => this.renderToken(code, position))}
          </div>
          ${this.renderDetail()}
        </div>
      </div>
    `;
  }

  private renderToken(code: number, position: number): TemplateResult {
    const edited = this.originalCodes.length > position && this.originalCodes[position] !== code;
    const distance = this.topK[position]?.find((candidate) => candidate.code === code)?.distance;
    const label =
      `Position ${position + 1} of ${this.codes.length}, code ${code}` +
      (distance !== undefined ? `, distance ${formatDistance(distance)}` : '') +
      (edited ? `, edited (was ${this.originalCodes[position]})` : '');
    return html`<div
      part="token"
      id=${`token-${position}`}
      class=${classMap({
        token: true,
        selected: position === this.selected,
        edited,
        'drop-target': position === this.dropTarget
      })}
      role="option"
      tabindex=${position === this.selected ? 0 : -1}
      aria-selected=${position === this.selected ? 'true' : 'false'}
      aria-label=${label}
      title=${label}
      data-position=${position}
      draggable="true"
      @click=${() => this.select(position, true)}
      @focus=${() => this.select(position, false)}
      @mouseenter=${() => this.hover(position)}
      @dragstart=${(event: DragEvent) => this.startDrag(event, [position])}
      @dragover=${(event: DragEvent) => this.dragOver(event, position)}
      @dragleave=${() => (this.dropTarget = null)}
      @drop=${(event: DragEvent) => this.drop(event, position)}
    >
      <span class="position" aria-hidden="true">${position + 1}</span>
      <span class="code" aria-hidden="true">${code}</span>
    </div>`;
  }

  private renderDetail(): TemplateResult {
    const position = this.inspected;
    if (this.codes.length === 0) {
      return html`<div part="detail" class="detail">No codes.</div>`;
    }
    const code = this.codes[position];
    const candidates = this.topK[position] ?? [];
    const distance = candidates.find((candidate) => candidate.code === code)?.distance;
    // Distances come from an encoding; a decode's output has none, and an edited code may not be among them.
    const edited = this.originalCodes.length > position && this.originalCodes[position] !== code;
    const noDistance =
      candidates.length === 0 ? 'no distances in this output' : edited ? 'distance not known (edited)' : '';
    return html`<div part="detail" class="detail" aria-live="polite" @keydown=${this.onDetailKey}>
      <p class="summary">
        <strong>Position ${position + 1}</strong>
        <span>code <code>${code}</code> <code class="token-string">${codeToken(code)}</code></span>
        <span>${distance !== undefined ? `distance ${formatDistance(distance)}` : noDistance}</span>
      </p>
      ${
        candidates.length > 0
          ? html`<p class="alternatives-label" id="alternatives-label">Top ${candidates.length} nearest codes</p>
              <ol class="alternatives" aria-labelledby="alternatives-label">
                ${candidates.map((candidate, rank) => this.renderCandidate(position, candidate, rank))}
              </ol>`
          : html`<p class="alternatives-label">No alternatives in this output.</p>`
      }
      ${this.editable ? this.renderEditControls(position) : nothing}
      ${this.message ? html`<p class="message" role="alert">${this.message}</p>` : nothing}
    </div>`;
  }

  private renderCandidate(position: number, candidate: CodeCandidate, rank: number): TemplateResult {
    const current = candidate.code === this.codes[position];
    const text = html`<span class="rank">${rank + 1}.</span> <code>${candidate.code}</code>
      <span class="distance">${formatDistance(candidate.distance)}</span>`;
    if (!this.editable) {
      return html`<li class=${classMap({ current })}>${text}</li>`;
    }
    return html`<li class=${classMap({ current })}>
      <button
        type="button"
        class="alternative"
        aria-pressed=${current ? 'true' : 'false'}
        aria-label=${`Use code ${candidate.code} (distance ${formatDistance(candidate.distance)}) at position ${position + 1}`}
        @click=${() => this.edit({ kind: 'set', position, code: candidate.code, via: 'alternative' })}
      >
        ${text}
      </button>
    </li>`;
  }

  private renderEditControls(position: number): TemplateResult {
    return html`<form class="edit" @submit=${(event: Event) => this.submitTyped(event, position)}>
      <label>
        Code for position ${position + 1}
        <input
          name="code"
          type="text"
          inputmode="numeric"
          autocomplete="off"
          placeholder=${`0–${this.model.codebookSize - 1}`}
          title=${`A code from 0 to ${this.model.codebookSize - 1}, or a token such as <img_00042>`}
        />
      </label>
      <button type="submit">Set</button>
      <button type="button" class="randomise" @click=${() => this.randomise(position)}>Randomise</button>
    </form>`;
  }

  private select(position: number, focus: boolean): void {
    if (position !== this.selected) {
      this.selected = position;
      this.message = '';
      emit(this, 'seed-token-select', { position });
    }
    this.hovered = null;
    if (focus) {
      void this.focusToken(position);
    }
  }

  private hover(position: number): void {
    if (this.hovered !== position) {
      this.hovered = position;
      emit(this, 'seed-token-select', { position });
    }
  }

  private async focusToken(position: number): Promise<void> {
    await this.updateComplete;
    this.renderRoot.querySelector<HTMLElement>(`#token-${position}`)?.focus();
  }

  private onStripKey = (event: KeyboardEvent): void => {
    const last = this.codes.length - 1;
    const moves: Record<string, number> = {
      ArrowRight: this.selected + 1,
      ArrowLeft: this.selected - 1,
      ArrowDown: this.selected + ROW_LENGTH,
      ArrowUp: this.selected - ROW_LENGTH,
      Home: 0,
      End: last
    };
    if (event.key in moves) {
      event.preventDefault();
      this.select(Math.min(last, Math.max(0, moves[event.key])), true);
    } else if (event.key === 'Enter' || event.key === ' ') {
      event.preventDefault();
      this.renderRoot.querySelector<HTMLElement>('.detail button, .detail input')?.focus();
    } else if ((event.key === 'r' || event.key === 'R') && this.editable && !event.ctrlKey && !event.metaKey) {
      event.preventDefault();
      this.randomise(this.selected);
    }
  };

  private onDetailKey = (event: KeyboardEvent): void => {
    if (event.key === 'Escape') {
      event.preventDefault();
      void this.focusToken(this.selected);
    }
  };

  private submitTyped(event: Event, position: number): void {
    event.preventDefault();
    const input = (event.target as HTMLFormElement).elements.namedItem('code') as HTMLInputElement;
    try {
      this.edit({ kind: 'set', position, code: parseTypedCode(input.value), via: 'typed' });
      input.value = '';
    } catch (error) {
      this.message = (error as Error).message;
    }
  }

  private randomise(position: number): void {
    // A uniform draw over the whole codebook; the drawn code is recorded in the edit, so lineage replays it.
    const draw = new Uint32Array(1);
    crypto.getRandomValues(draw);
    this.edit({ kind: 'set', position, code: draw[0] % this.model.codebookSize, via: 'random' });
  }

  private edit(edit: CodeEdit): void {
    try {
      checkEdit(edit, this.codes.length, this.model.codebookSize);
    } catch (error) {
      this.message = (error as Error).message;
      return;
    }
    this.message = '';
    emit(this, 'seed-token-edit', { edit });
  }

  private startDrag(event: DragEvent, positions: number[]): void {
    if (!event.dataTransfer) {
      return;
    }
    const data: CodesDragData = {
      from: this.label,
      modelSha256: this.model.sha256,
      positions,
      codes: positions.map((position) => this.codes[position])
    };
    event.dataTransfer.setData(SEED_CODES_DRAG_TYPE, JSON.stringify(data));
    event.dataTransfer.setData('text/plain', data.codes.map(codeToken).join(''));
    event.dataTransfer.effectAllowed = 'copy';
  }

  private dragOver(event: DragEvent, position: number): void {
    if (!this.editable || !event.dataTransfer?.types.includes(SEED_CODES_DRAG_TYPE)) {
      return;
    }
    event.preventDefault();
    event.dataTransfer.dropEffect = 'copy';
    this.dropTarget = position;
  }

  private drop(event: DragEvent, position: number): void {
    this.dropTarget = null;
    const raw = event.dataTransfer?.getData(SEED_CODES_DRAG_TYPE);
    if (!this.editable || !raw) {
      return;
    }
    event.preventDefault();
    const data = JSON.parse(raw) as CodesDragData;
    if (data.modelSha256 !== this.model.sha256) {
      this.message = `Codes of ${data.from} come from another model; splice only between encodings of ${this.model.id}.`;
      return;
    }
    this.select(position, true);
    this.edit(spliceFromDrop(data, position, this.codes.length));
  }
}

function formatDistance(distance: number): string {
  return distance.toPrecision(3);
}
