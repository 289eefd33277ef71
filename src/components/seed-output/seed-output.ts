import { SeedOutputElement } from './seed-output.component';

export { SeedOutputElement };

export const SEED_OUTPUT_TAG = 'seed-output';

// A page can hold two copies of this bundle (say, during an extension upgrade); the first definition wins.
if (!customElements.get(SEED_OUTPUT_TAG)) {
  customElements.define(SEED_OUTPUT_TAG, SeedOutputElement);
}

declare global {
  interface HTMLElementTagNameMap {
    'seed-output': SeedOutputElement;
  }
}
