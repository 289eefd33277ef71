import { css } from 'lit';

/** JupyterLab's theme variables only, so light, dark and high-contrast themes all apply. */
export const tokenInspectorStyles = css`
  :host {
    display: block;
    color: var(--jp-ui-font-color1);
    font-family: var(--jp-ui-font-family);
    font-size: var(--jp-ui-font-size1);
  }
  .layout {
    display: flex;
    flex-wrap: wrap;
    gap: 12px;
    align-items: flex-start;
  }
  figure {
    margin: 0;
    flex: none;
  }
  figure img {
    display: block;
    width: 160px;
    height: auto;
    image-rendering: auto;
    border: 1px solid var(--jp-border-color2);
    border-radius: var(--jp-border-radius);
    background: var(--jp-layout-color2);
  }
  figcaption {
    margin-top: 4px;
    color: var(--jp-ui-font-color2);
    font-size: var(--jp-ui-font-size0);
    max-width: 160px;
    overflow: hidden;
    text-overflow: ellipsis;
    white-space: nowrap;
  }
  .codes {
    flex: 1 1 320px;
    min-width: 0;
  }
  .strip-header {
    display: flex;
    justify-content: space-between;
    color: var(--jp-ui-font-color2);
    font-size: var(--jp-ui-font-size0);
    margin-bottom: 4px;
  }
  .grip {
    cursor: grab;
    user-select: none;
  }
  .strip {
    display: grid;
    grid-template-columns: repeat(8, minmax(0, 1fr));
    gap: 3px;
  }
  .token {
    display: flex;
    flex-direction: column;
    align-items: center;
    padding: 2px 0;
    border: 1px solid var(--jp-border-color2);
    border-radius: var(--jp-border-radius);
    background: var(--jp-layout-color1);
    font-family: var(--jp-code-font-family);
    cursor: pointer;
    outline: none;
  }
  .token:hover {
    background: var(--jp-layout-color2);
  }
  .token.selected {
    border-color: var(--jp-brand-color1);
    box-shadow: inset 0 0 0 1px var(--jp-brand-color1);
    background: var(--jp-layout-color2);
  }
  .token:focus-visible {
    outline: 2px solid var(--jp-brand-color0);
    outline-offset: 1px;
  }
  .token.edited {
    border-style: dashed;
    border-color: var(--jp-warn-color1);
  }
  .token.drop-target {
    border-color: var(--jp-success-color1);
    box-shadow: inset 0 0 0 1px var(--jp-success-color1);
  }
  .position {
    color: var(--jp-ui-font-color2);
    font-size: 9px;
    line-height: 1;
  }
  .code {
    font-size: var(--jp-code-font-size);
  }
  .detail {
    margin-top: 8px;
    padding: 6px 8px;
    border: 1px solid var(--jp-border-color2);
    border-radius: var(--jp-border-radius);
    background: var(--jp-layout-color1);
  }
  .summary {
    display: flex;
    flex-wrap: wrap;
    gap: 12px;
    margin: 0 0 4px;
  }
  .token-string {
    color: var(--jp-ui-font-color2);
  }
  .alternatives-label {
    margin: 4px 0 2px;
    color: var(--jp-ui-font-color2);
  }
  .alternatives {
    display: flex;
    flex-wrap: wrap;
    gap: 4px;
    margin: 0;
    padding: 0;
    list-style: none;
  }
  .alternatives li.current {
    font-weight: 600;
  }
  .distance,
  .rank {
    color: var(--jp-ui-font-color2);
  }
  button,
  input {
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
  button[aria-pressed='true'] {
    border-color: var(--jp-brand-color1);
  }
  button:focus-visible,
  input:focus-visible {
    outline: 2px solid var(--jp-brand-color0);
    outline-offset: 1px;
  }
  .edit {
    display: flex;
    flex-wrap: wrap;
    gap: 6px;
    align-items: center;
    margin-top: 6px;
  }
  .edit input {
    width: 11em;
    margin-left: 4px;
    background: var(--jp-input-background, var(--jp-layout-color1));
  }
  .message {
    margin: 6px 0 0;
    color: var(--jp-error-color1);
  }
`;
