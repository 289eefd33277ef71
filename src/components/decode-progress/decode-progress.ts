import { DecodeProgressElement } from './decode-progress.component';

export { DecodeProgressElement };

export const DECODE_PROGRESS_TAG = 'seed-decode-progress';

// A page can hold two copies of this bundle (say, during an extension upgrade); the first definition wins.
if (!customElements.get(DECODE_PROGRESS_TAG)) {
  customElements.define(DECODE_PROGRESS_TAG, DecodeProgressElement);
}

declare global {
  interface HTMLElementTagNameMap {
    'seed-decode-progress': DecodeProgressElement;
  }
}
