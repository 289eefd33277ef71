import { randomUUID } from 'node:crypto';
import type { DecodeProgress } from '../../runtime';
import type { DisplayOptions } from '../kernel';
import type { MimeBundle } from '../mime-bundle';

/** At most this many progress updates a second reach the frontend (the last step always does). */
const UPDATES_PER_SECOND = 8;

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * A live progress bar for one decode: one display_data with a display id, then
 * update_display_data as steps finish, with the sampler's preview image when there is one.
 */
export class DecodeProgressDisplay {
  private readonly displayId = `seed-progress-${randomUUID()}`;
  private lastSent = 0;
  private readonly started = Date.now();
  /** Shown at the first step, so a decode that fails on its input leaves only its error. */
  private shown = false;
  private total = 0;

  constructor(
    private readonly show: (bundle: MimeBundle, options: DisplayOptions) => void,
    private readonly label: string
  ) {}

  step(progress: DecodeProgress): void {
    this.total = progress.total;
    const now = Date.now();
    if (this.shown && progress.step < progress.total && now - this.lastSent < 1000 / UPDATES_PER_SECOND) {
      return;
    }
    this.lastSent = now;
    this.show(this.bundle(progress.step, progress.preview?.png), { displayId: this.displayId, update: this.shown });
    this.shown = true;
  }

  /** `note`: why the steps that ran differ from those asked, when they do (the result's stepsNote). */
  finish(note?: string): void {
    const seconds = ((Date.now() - this.started) / 1000).toFixed(1);
    this.showText(`Decoded ${this.label}: ${this.total} steps in ${seconds} s`, note);
  }

  fail(error: Error): void {
    this.showText(`Decoding ${this.label} stopped: ${error.message}`);
  }

  private showText(text: string, note?: string): void {
    if (this.shown) {
      const html = escapeHtml(text) + (note ? `<br>${escapeHtml(note)}` : '');
      this.show(
        {
          'text/plain': note ? `${text}\n${note}` : text,
          'text/html': `<div class="seed-progress">${html}</div>`
        },
        { displayId: this.displayId, update: true }
      );
    }
  }

  private bundle(step: number, preview?: Buffer): MimeBundle {
    const text = `Decoding ${this.label}: step ${step}/${this.total}`;
    const image = preview
      ? `<br><img alt="preview at step ${step}" width="128" src="data:image/png;base64,${preview.toString('base64')}">`
      : '';
    return {
      'text/plain': text,
      'text/html':
        `<div class="seed-progress"><progress value="${step}" max="${this.total}"></progress> ` +
        `${escapeHtml(text)}${image}</div>`
    };
  }
}
