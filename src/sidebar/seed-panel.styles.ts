import { css } from 'lit';

/** Uses JupyterLab's CSS variables only, so light, dark and high-contrast themes all apply. */
export const seedPanelStyles = css`
  :host {
    display: block;
    padding: 12px;
    color: var(--jp-ui-font-color1);
    font-family: var(--jp-ui-font-family);
    font-size: var(--jp-ui-font-size1);
  }
  h2 {
    margin: 0 0 12px;
    font-size: var(--jp-ui-font-size3);
    font-weight: 600;
  }
  h3 {
    margin: 16px 0 6px;
    font-size: var(--jp-ui-font-size1);
    font-weight: 600;
    text-transform: uppercase;
    letter-spacing: 0.04em;
    color: var(--jp-ui-font-color2);
  }
  p {
    margin: 4px 0;
  }
  dl {
    display: grid;
    grid-template-columns: max-content 1fr;
    gap: 4px 12px;
    margin: 0;
  }
  dt {
    color: var(--jp-ui-font-color2);
  }
  dd {
    margin: 0;
  }
  .provider details {
    margin-top: 2px;
    color: var(--jp-ui-font-color2);
    overflow-wrap: anywhere;
  }
  .provider summary {
    cursor: pointer;
  }
  .status {
    display: inline-block;
    padding: 0 6px;
    border-radius: 8px;
    background: var(--jp-layout-color2);
  }
  .status[data-status='idle'] {
    box-shadow: inset 0 0 0 1px var(--jp-success-color1);
  }
  .status[data-status='busy'] {
    box-shadow: inset 0 0 0 1px var(--jp-warn-color1);
  }
  .status[data-status='dead'] {
    box-shadow: inset 0 0 0 1px var(--jp-error-color1);
    color: var(--jp-error-color1);
  }
  button {
    margin-top: 8px;
    padding: 4px 10px;
    border: 1px solid var(--jp-border-color1);
    border-radius: var(--jp-border-radius);
    background: var(--jp-brand-color1);
    color: var(--jp-ui-inverse-font-color1);
    font: inherit;
    cursor: pointer;
  }
  button:focus-visible {
    outline: 2px solid var(--jp-brand-color0);
    outline-offset: 2px;
  }
  .info dd {
    overflow-wrap: anywhere;
  }
  .error {
    color: var(--jp-error-color1);
  }
  .hint {
    color: var(--jp-ui-font-color2);
  }
  .switcher {
    display: flex;
    gap: 6px;
    align-items: center;
    margin-top: 6px;
  }
  select {
    font: inherit;
    color: var(--jp-ui-font-color1);
    background: var(--jp-layout-color2);
    border: 1px solid var(--jp-border-color1);
    border-radius: var(--jp-border-radius);
  }
  button.secondary {
    background: var(--jp-layout-color2);
    color: var(--jp-ui-font-color1);
  }
  .gallery {
    display: grid;
    grid-template-columns: repeat(auto-fill, minmax(72px, 1fr));
    gap: 6px;
    margin: 0;
    padding: 0;
    list-style: none;
  }
  button.thumb {
    display: flex;
    flex-direction: column;
    align-items: center;
    width: 100%;
    margin: 0;
    padding: 3px;
    background: var(--jp-layout-color1);
    color: var(--jp-ui-font-color1);
  }
  .thumb img {
    width: 64px;
    height: 64px;
    object-fit: cover;
  }
  .no-image {
    display: flex;
    align-items: center;
    justify-content: center;
    width: 64px;
    height: 64px;
    color: var(--jp-ui-font-color2);
  }
  .thumb-label {
    max-width: 100%;
    overflow: hidden;
    text-overflow: ellipsis;
    white-space: nowrap;
    font-size: var(--jp-ui-font-size0);
  }
  .drop-zone {
    padding: 16px 8px;
    border: 2px dashed var(--jp-border-color1);
    border-radius: var(--jp-border-radius);
    color: var(--jp-ui-font-color2);
    text-align: center;
  }
  .drop-zone.active {
    border-color: var(--jp-brand-color1);
    background: var(--jp-layout-color2);
    color: var(--jp-ui-font-color1);
  }
`;
