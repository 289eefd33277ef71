import { SeedPanelElement } from './seed-panel.component';

export { SeedPanelElement };

export const SEED_PANEL_TAG = 'seed-panel';

// A page can hold two copies of this bundle (say, during an extension upgrade); defining the same
// tag twice throws, so the first definition wins.
if (!customElements.get(SEED_PANEL_TAG)) {
  customElements.define(SEED_PANEL_TAG, SeedPanelElement);
}

declare global {
  interface HTMLElementTagNameMap {
    'seed-panel': SeedPanelElement;
  }
}
