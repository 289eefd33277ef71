import { TokenInspectorElement } from './token-inspector.component';

export { TokenInspectorElement };

export const TOKEN_INSPECTOR_TAG = 'seed-token-inspector';

// A page can hold two copies of this bundle (say, during an extension upgrade); the first definition wins.
if (!customElements.get(TOKEN_INSPECTOR_TAG)) {
  customElements.define(TOKEN_INSPECTOR_TAG, TokenInspectorElement);
}

declare global {
  interface HTMLElementTagNameMap {
    'seed-token-inspector': TokenInspectorElement;
  }
}
