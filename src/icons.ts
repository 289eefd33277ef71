import { LabIcon } from '@jupyterlab/ui-components';

// A seed sprouting from a row of code cells: the tokenizer's 32 codes growing an image.
const SEED_SVG = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24">
  <g class="jp-icon3" fill="#616161">
    <path d="M12 3c3.5 0 6 2.6 6 6.2 0 3.4-2.7 5.8-6 5.8s-6-2.4-6-5.8C6 5.6 8.5 3 12 3zm0 2.2c-1.9 1.1-2.9 2.7-2.9 4.4 0 1.2.6 2.2 1.7 2.8.1-2 .6-3.7 1.9-5.2-.1 1.8.2 3.5 1 5.1 1-.6 1.6-1.6 1.6-2.8 0-1.8-1.2-3.3-3.3-4.3z"/>
    <rect x="3" y="17" width="3" height="4" rx="0.6"/>
    <rect x="7.5" y="17" width="3" height="4" rx="0.6"/>
    <rect x="12" y="17" width="3" height="4" rx="0.6"/>
    <rect x="16.5" y="17" width="3" height="4" rx="0.6"/>
  </g>
</svg>`;

export const seedIcon = new LabIcon({ name: 'jupyterlab-seed:logo', svgstr: SEED_SVG });
