import { html, LitElement, nothing, TemplateResult } from 'lit';
import { property, state } from 'lit/decorators.js';
import { emit } from '../events';
import { samplerDefaults } from '../model/sampler-defaults';
import { FAMILIES, type FamilyName, SAMPLERS } from '../../kernel/protocol';
import type { KernelInfoView } from '../model/payload-adapter';
import { DEFAULT_SETTINGS, ISeedSettings } from '../tokens';
import { GalleryItem, PanelKernelInfo, PanelKernelState } from './kernel-state';
import { seedPanelStyles } from './seed-panel.styles';

/**
 * The SEED sidebar: the active notebook's kernel, model, execution provider and memory; a model
 * switcher; the notebook's encodings as a gallery; a drop zone for images; the sampler defaults.
 *
 * @event seed-new-notebook - the user asked for a new notebook on the SEED kernel.
 * @event seed-refresh - the user asked to read the kernel's state again.
 * @event seed-model-change - the user picked another model; detail `{ model }`.
 * @event seed-gallery-select - the user picked an encoding; detail `{ id }`.
 * @event seed-image-drop - image files were dropped from the desktop; detail `{ image }`, one event per file.
 *
 * @csspart gallery - the list of encodings.
 * @csspart drop-zone - the area images are dropped on.
 */
export class SeedPanelElement extends LitElement {
  static override styles = seedPanelStyles;

  /** The kernel of the active notebook. */
  @property({ attribute: false })
  kernel: PanelKernelState = { kind: 'no-notebook' };

  /** The kernel's report of its model, execution provider and memory. */
  @property({ attribute: false })
  info: PanelKernelInfo = { kind: 'none' };

  /** The user's SEED settings. */
  @property({ attribute: false })
  settings: ISeedSettings = DEFAULT_SETTINGS;

  /** The encodings of the active notebook. */
  @property({ attribute: false })
  gallery: GalleryItem[] = [];

  /** Set by the host while something droppable (a file from the file browser) is dragged over the panel. */
  @property({ type: Boolean, attribute: 'drop-active', reflect: true })
  dropActive = false;

  /** Shown under the drop zone: what happened to the last drop. */
  @property()
  dropMessage = '';

  @state()
  private desktopDrag = false;

  protected override render(): TemplateResult {
    // What decodes start from: the settings, with the kernel's model's own defaults where they leave it to the model.
    const modelDefaults = this.info.kind === 'loaded' ? this.info.info.model?.defaults : undefined;
    const sampler = samplerDefaults(this.settings, modelDefaults);
    // Until the kernel has loaded a model, what the user left to the model is not known yet: say so
    // rather than show another family's values.
    const pending = "the model's own, once it loads";
    const shown = (setByUser: boolean, value: string | number) => (setByUser || modelDefaults ? value : pending);
    return html`
      <h2>SEED</h2>
      <section aria-labelledby="seed-kernel-heading">
        <h3 id="seed-kernel-heading">Kernel</h3>
        ${this.renderKernel()}
      </section>
      ${this.kernel.kind === 'seed' ? this.renderInfo() : nothing}
      <section aria-labelledby="seed-gallery-heading">
        <h3 id="seed-gallery-heading">Encodings</h3>
        ${this.renderGallery()}
      </section>
      <section aria-labelledby="seed-drop-heading">
        <h3 id="seed-drop-heading">Encode an image</h3>
        ${this.renderDropZone()}
      </section>
      <section aria-labelledby="seed-defaults-heading">
        <h3 id="seed-defaults-heading">Sampler defaults</h3>
        <dl class="defaults">
          <dt>Sampler</dt>
          <dd>${shown(this.settings.sampler !== 'model', SAMPLERS[sampler.sampler])}</dd>
          <dt>Steps</dt>
          <dd>${shown(this.settings.steps >= 1, sampler.steps)}</dd>
          <dt>Guidance</dt>
          <dd>${shown(this.settings.guidance >= 1, sampler.guidance)}</dd>
          <dt>Seed</dt>
          <dd>${this.settings.seedPolicy === 'random' ? 'random per decode' : sampler.seed}</dd>
          <dt>Preview</dt>
          <dd>${this.settings.previewEvery === 0 ? 'off' : `every ${this.settings.previewEvery} step(s)`}</dd>
          <dt>Top-k</dt>
          <dd>${this.settings.topK}</dd>
        </dl>
      </section>
    `;
  }

  /** The provider and why; a long reason (how to install CUDA, say) folds away behind its first clause. */
  private renderProvider(provider: { name: string; reason: string }): TemplateResult {
    const [summary, detail] = splitReason(provider.reason);
    return html`<strong>${provider.name.toUpperCase()}</strong> —
      ${summary}${
        detail
          ? html`<details>
              <summary>Details</summary>
              ${detail}
            </details>`
          : nothing
      }`;
  }

  private renderKernel(): TemplateResult {
    const kernel = this.kernel;
    if (kernel.kind === 'seed') {
      return html`<p class="kernel">
        SEED (TypeScript) <span class="status" data-status=${kernel.status}>${kernel.status}</span>
        ${kernel.status === 'dead' ? html`<br />The kernel is dead: restart it from the Kernel menu.` : nothing}
      </p>`;
    }
    const message =
      kernel.kind === 'other-kernel'
        ? html`<p class="kernel">The active notebook runs ${kernel.displayName}, not the SEED kernel.</p>`
        : kernel.kind === 'no-kernel'
          ? html`<p class="kernel">The active notebook has no kernel: select the SEED kernel to encode and decode.</p>`
          : html`<p class="kernel">No notebook is open.</p>`;
    return html`${message}${this.renderNewNotebook()}`;
  }

  private renderInfo(): TemplateResult {
    const info = this.info;
    let body: TemplateResult;
    switch (info.kind) {
      case 'none':
        body = html`<p>Waiting for the kernel.</p>`;
        break;
      case 'loading':
        body = html`<p role="status">Asking the kernel…</p>`;
        break;
      case 'failed':
        body = html`<p class="error" role="alert">${info.message}</p>`;
        break;
      case 'loaded': {
        const { model, models, executionProvider, threads, loading, memory } = info.info;
        body = html`<dl class="info">
            <dt>Model</dt>
            <dd class="model-id">${model ? model.id : 'none loaded'}</dd>
            ${
              model
                ? html`<dt>Family</dt>
                    <dd class="family">${FAMILIES[model.family as FamilyName] ?? model.family}</dd>`
                : nothing
            }
            ${
              loading && loading.state !== 'ready'
                ? html`<dt>Loading</dt>
                    <dd class="loading" role="status">${describeLoading(loading)}</dd>`
                : nothing
            }
            <dt>Runs on</dt>
            <dd class="provider">
              ${
                executionProvider
                  ? this.renderProvider(executionProvider)
                  : 'not chosen yet (the model loads on first use)'
              }
            </dd>
            ${
              threads
                ? html`<dt>Threads</dt>
                    <dd class="threads">${threads.count} per session (${threads.reason})</dd>`
                : nothing
            }
            <dt>Memory</dt>
            <dd>${formatBytes(memory.rssBytes)} resident, ${formatBytes(memory.heapUsedBytes)} JS heap</dd>
          </dl>
          ${
            models.length > 0
              ? html`<label class="switcher">
                  Model
                  <select @change=${this.onModelChange} aria-label="Switch the kernel's model">
                    ${models.map(
                      (entry) =>
                        html`<option value=${entry.name} ?selected=${model !== null && entry.dir === model.dir}>
                          ${entry.name}
                        </option>`
                    )}
                  </select>
                </label>`
              : nothing
          }`;
        break;
      }
    }
    return html`<section aria-labelledby="seed-model-heading">
      <h3 id="seed-model-heading">Model and device</h3>
      ${body}
      <button type="button" class="secondary" @click=${() => emit(this, 'seed-refresh', undefined)}>Refresh</button>
    </section>`;
  }

  private renderGallery(): TemplateResult {
    if (this.gallery.length === 0) {
      return html`<p class="hint">No SEED outputs in this notebook yet.</p>`;
    }
    return html`<ul part="gallery" class="gallery">
      ${this.gallery.map(
        (item) =>
          html`<li>
            <button
              type="button"
              class="thumb"
              aria-label=${`Show the output of ${item.label}`}
              title=${item.label}
              @click=${() => emit(this, 'seed-gallery-select', { id: item.id })}
            >
              ${item.thumbnail ? html`<img src=${item.thumbnail} alt="" />` : html`<span class="no-image">no image</span>`}
              <span class="thumb-label">${item.label}</span>
            </button>
          </li>`
      )}
    </ul>`;
  }

  private renderDropZone(): TemplateResult {
    const active = this.dropActive || this.desktopDrag;
    return html`<div
        part="drop-zone"
        class=${active ? 'drop-zone active' : 'drop-zone'}
        @dragenter=${this.onDragOver}
        @dragover=${this.onDragOver}
        @dragleave=${() => (this.desktopDrag = false)}
        @drop=${this.onDrop}
      >
        Drop an image here (from the file browser or the desktop) to encode it in the active notebook.
      </div>
      ${this.dropMessage ? html`<p class="hint drop-message" role="status">${this.dropMessage}</p>` : nothing}`;
  }

  private renderNewNotebook(): TemplateResult {
    return html`<button type="button" @click=${() => emit(this, 'seed-new-notebook', undefined)}>
      New SEED notebook
    </button>`;
  }

  private onModelChange = (event: Event): void => {
    emit(this, 'seed-model-change', { model: (event.target as HTMLSelectElement).value });
  };

  private onDragOver = (event: DragEvent): void => {
    if (event.dataTransfer?.types.includes('Files')) {
      event.preventDefault();
      event.dataTransfer.dropEffect = 'copy';
      this.desktopDrag = true;
    }
  };

  private onDrop = (event: DragEvent): void => {
    this.desktopDrag = false;
    const files = Array.from(event.dataTransfer?.files ?? []);
    if (files.length === 0) {
      return;
    }
    event.preventDefault();
    for (const file of files) {
      emit(this, 'seed-image-drop', { image: { kind: 'file', file } });
    }
  };
}

function formatBytes(bytes: number): string {
  return `${(bytes / 2 ** 20).toFixed(0)} MiB`;
}

/** A reason short enough for the sidebar stays whole; a longer one splits after its first clause. */
function splitReason(reason: string): [string, string] {
  if (reason.length <= 80) {
    return [reason, ''];
  }
  const cut = reason.search(/[:.] /);
  return cut > 0 ? [reason.slice(0, cut), reason.slice(cut + 2)] : [reason, ''];
}

/** "loading model: 1 of 2 parts (tokenizer.encoder.path)", or why it failed. */
function describeLoading(loading: NonNullable<KernelInfoView['loading']>): string {
  if (loading.state === 'failed') {
    return `the model failed to load: ${loading.message ?? 'see the notebook for the error'}`;
  }
  return `loading model: ${loading.done} of ${loading.total} parts ready${loading.part ? ` (building ${loading.part})` : ''}`;
}
