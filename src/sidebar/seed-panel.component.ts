import { html, LitElement, TemplateResult } from 'lit';
import { property } from 'lit/decorators.js';
import { emit } from '../events';
import { DEFAULT_SETTINGS, ISeedSettings } from '../tokens';
import { PanelKernelState } from './kernel-state';
import { seedPanelStyles } from './seed-panel.styles';

const SAMPLER_NAMES: Record<ISeedSettings['sampler'], string> = {
  plms: 'PLMS',
  ddim: 'DDIM',
  euler: 'Euler',
  dpmpp: 'DPM-Solver++(2M)'
};

/**
 * The SEED sidebar: the active notebook's kernel and the sampler defaults.
 *
 * @event seed-new-notebook - the user asked for a new notebook on the SEED kernel.
 */
export class SeedPanelElement extends LitElement {
  static override styles = seedPanelStyles;

  /** The kernel of the active notebook. */
  @property({ attribute: false })
  kernel: PanelKernelState = { kind: 'no-notebook' };

  /** The user's SEED settings. */
  @property({ attribute: false })
  settings: ISeedSettings = DEFAULT_SETTINGS;

  protected override render(): TemplateResult {
    return html`
      <h2>SEED</h2>
      <section aria-labelledby="seed-kernel-heading">
        <h3 id="seed-kernel-heading">Kernel</h3>
        ${this.renderKernel()}
      </section>
      <section aria-labelledby="seed-defaults-heading">
        <h3 id="seed-defaults-heading">Sampler defaults</h3>
        <dl class="defaults">
          <dt>Sampler</dt>
          <dd>${SAMPLER_NAMES[this.settings.sampler]}</dd>
          <dt>Steps</dt>
          <dd>${this.settings.steps}</dd>
          <dt>Guidance</dt>
          <dd>${this.settings.guidance}</dd>
        </dl>
      </section>
    `;
  }

  private renderKernel(): TemplateResult {
    const kernel = this.kernel;
    if (kernel.kind === 'seed') {
      return html`<p class="kernel">
        SEED (TypeScript) <span class="status" data-status=${kernel.status}>${kernel.status}</span>
      </p>`;
    }
    const message =
      kernel.kind === 'other-kernel'
        ? html`<p class="kernel">The active notebook runs ${kernel.displayName}, not the SEED kernel.</p>`
        : html`<p class="kernel">No notebook is open.</p>`;
    return html`${message}${this.renderNewNotebook()}`;
  }

  private renderNewNotebook(): TemplateResult {
    return html`<button type="button" @click=${() => emit(this, 'seed-new-notebook', undefined)}>
      New SEED notebook
    </button>`;
  }
}
