import { css } from 'lit';

/** JupyterLab's theme variables only, so light, dark and high-contrast themes all apply. */
export const decodeProgressStyles = css`
  :host {
    display: block;
    color: var(--jp-ui-font-color1);
    font-family: var(--jp-ui-font-family);
    font-size: var(--jp-ui-font-size1);
  }
  .row {
    display: flex;
    align-items: center;
    gap: 8px;
    min-height: 24px;
  }
  .bar {
    flex: 1;
    height: 8px;
    border-radius: 4px;
    background: var(--jp-layout-color3);
    overflow: hidden;
  }
  .fill {
    height: 100%;
    background: var(--jp-brand-color1);
    transition: width 0.2s;
  }
  .steps {
    font-family: var(--jp-code-font-family);
    color: var(--jp-ui-font-color2);
  }
  .preview {
    display: block;
    width: 128px;
    height: 128px;
    margin-top: 6px;
    border: 1px solid var(--jp-border-color2);
    border-radius: var(--jp-border-radius);
    image-rendering: pixelated;
  }
  .failed {
    color: var(--jp-error-color1);
  }
  button {
    font: inherit;
    color: var(--jp-ui-font-color1);
    background: var(--jp-layout-color2);
    border: 1px solid var(--jp-border-color1);
    border-radius: var(--jp-border-radius);
    padding: 2px 8px;
    cursor: pointer;
  }
  button:focus-visible {
    outline: 2px solid var(--jp-brand-color0);
    outline-offset: 1px;
  }
`;
