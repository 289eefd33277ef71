import { css } from 'lit';

/** JupyterLab's theme variables only, so light, dark and high-contrast themes all apply. */
export const seedOutputStyles = css`
  :host {
    display: block;
    padding: 8px;
    color: var(--jp-ui-font-color1);
    font-family: var(--jp-ui-font-family);
    font-size: var(--jp-ui-font-size1);
    border: 1px solid var(--jp-border-color2);
    border-radius: var(--jp-border-radius);
    background: var(--jp-layout-color0);
  }
  header {
    display: flex;
    flex-wrap: wrap;
    gap: 10px;
    align-items: baseline;
    margin-bottom: 8px;
  }
  .kind {
    font-weight: 600;
  }
  .model,
  .params {
    color: var(--jp-ui-font-color2);
  }
  .model {
    font-family: var(--jp-code-font-family);
  }
  .images {
    display: flex;
    flex-wrap: wrap;
    gap: 12px;
    align-items: flex-start;
  }
  seed-token-inspector {
    flex: 1 1 480px;
  }
  figure {
    margin: 0;
  }
  figure img,
  .decoded-item img {
    display: block;
    width: 160px;
    height: auto;
    border: 1px solid var(--jp-border-color2);
    border-radius: var(--jp-border-radius);
  }
  figcaption {
    margin-top: 4px;
    color: var(--jp-ui-font-color2);
    font-size: var(--jp-ui-font-size0);
  }
  .toolbar,
  .params {
    display: flex;
    flex-wrap: wrap;
    gap: 6px 10px;
    align-items: center;
    margin-top: 8px;
  }
  .truncate {
    display: inline-flex;
    flex-wrap: wrap;
    gap: 6px;
    align-items: center;
  }
  .hint,
  .live {
    color: var(--jp-ui-font-color2);
    font-size: var(--jp-ui-font-size0);
  }
  .form-error {
    color: var(--jp-error-color1);
  }
  input[type='number'] {
    width: 6em;
  }
  input[name='seed'] {
    width: 9em;
  }
  button,
  input,
  select {
    font: inherit;
    color: var(--jp-ui-font-color1);
    background: var(--jp-layout-color2);
    border: 1px solid var(--jp-border-color1);
    border-radius: var(--jp-border-radius);
    padding: 2px 6px;
  }
  button {
    cursor: pointer;
  }
  button:disabled {
    opacity: 0.5;
    cursor: default;
  }
  .decode-button {
    background: var(--jp-brand-color1);
    color: var(--jp-ui-inverse-font-color1);
    border-color: var(--jp-brand-color1);
  }
  button:focus-visible,
  input:focus-visible,
  select:focus-visible {
    outline: 2px solid var(--jp-brand-color0);
    outline-offset: 1px;
  }
  .edits {
    margin: 6px 0 0;
    padding-left: 20px;
    color: var(--jp-ui-font-color2);
    font-size: var(--jp-ui-font-size0);
  }
  .decode {
    margin-top: 8px;
    padding-top: 8px;
    border-top: 1px solid var(--jp-border-color2);
  }
  seed-decode-progress {
    margin-top: 6px;
  }
  .decoded {
    display: flex;
    flex-direction: column;
    gap: 8px;
    margin: 8px 0 0;
    padding: 0;
    list-style: none;
  }
  .decoded-item {
    display: flex;
    gap: 10px;
    align-items: flex-start;
  }
  .lineage p {
    margin: 0 0 4px;
  }
  .empty {
    color: var(--jp-ui-font-color2);
  }
`;
