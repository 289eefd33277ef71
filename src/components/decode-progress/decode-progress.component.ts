import { html, LitElement, nothing, TemplateResult } from 'lit';
import { property } from 'lit/decorators.js';
import { emit } from '../../events';
import type { DecodeState } from '../../model/seed-result';
import { decodeProgressStyles } from './decode-progress.styles';

/**
 * The state of one decode: queued, a progress bar with the live preview and a Cancel button while it
 * samples, or why it stopped. Shows nothing when idle.
 *
 * @event seed-decode-cancel - the user pressed Cancel.
 *
 * @csspart bar - the progress bar.
 * @csspart preview - the live preview image.
 */
export class DecodeProgressElement extends LitElement {
  static override styles = decodeProgressStyles;

  @property({ attribute: false })
  state: DecodeState = { kind: 'idle' };

  protected override render(): TemplateResult | typeof nothing {
    const state = this.state;
    switch (state.kind) {
      case 'idle':
        return nothing;
      case 'queued':
        return html`<div class="row" role="status">
          <span
            >Queued: waits for ${state.ahead === 1 ? 'the running decode' : `${state.ahead} decodes`} to finish.</span
          >
          ${this.renderCancel()}
        </div>`;
      case 'running': {
        const percent = state.total > 0 ? Math.round((100 * state.step) / state.total) : 0;
        return html`<div class="row">
            <div
              part="bar"
              class="bar"
              role="progressbar"
              aria-label="Decoding"
              aria-valuemin="0"
              aria-valuemax=${state.total}
              aria-valuenow=${state.step}
              aria-valuetext=${`step ${state.step} of ${state.total}`}
            >
              <div class="fill" style=${`width: ${percent}%`}></div>
            </div>
            <span class="steps">step ${state.step} / ${state.total}</span>
            ${this.renderCancel()}
          </div>
          ${
            state.preview
              ? html`<img
                  part="preview"
                  class="preview"
                  src=${state.preview.src}
                  alt=${`Preview at step ${state.step}`}
                />`
              : nothing
          }`;
      }
      case 'cancelling':
        return html`<div class="row" role="status">Cancelling…</div>`;
      case 'cancelled':
        return html`<div class="row" role="status">Decode cancelled.</div>`;
      case 'failed':
        return html`<div class="row failed" role="alert">${state.message}</div>`;
    }
  }

  private renderCancel(): TemplateResult {
    return html`<button type="button" class="cancel" @click=${() => emit(this, 'seed-decode-cancel', undefined)}>
      Cancel
    </button>`;
  }
}
