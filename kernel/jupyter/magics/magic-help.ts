/**
 * `%seed help` and the usage lines of magic errors, laid out for a notebook: plain text that fits in
 * 80 columns (the width of a notebook output at a normal window size) and a small HTML table for
 * frontends that render HTML. No kernel or model in here.
 */
import type { MagicSpec } from './magic-parser';
import { fill, HELP_COLUMNS, usagePieces, wrapUsage } from './usage-lines';

/** Summaries sit under their usage, indented by this much. */
const SUMMARY_INDENT = '    ';

/** Every magic: its usage, then what it does, indented, in at most `width` columns. */
export function helpText(magics: readonly MagicSpec[], width = HELP_COLUMNS): string {
  const entries = magics.map((magic) =>
    [
      wrapUsage(magic.usage, '', width),
      ...fill(magic.summary.split(/\s+/), width, SUMMARY_INDENT, SUMMARY_INDENT)
    ].join('\n')
  );
  return [
    ...fill(
      'SEED magics, one per line; a %%seed <command> cell takes its input from the lines below it.'.split(' '),
      width,
      '',
      ''
    ),
    '',
    ...entries,
    '',
    'In TypeScript:',
    `${SUMMARY_INDENT}const t = await seed.encode("cat.png");`,
    `${SUMMARY_INDENT}await seed.decode(t.codes, { steps: 25 });`
  ].join('\n');
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** A usage line as HTML code whose groups never break inside (a no-break space joins their words). */
function usageHtml(usage: string): string {
  return usagePieces(usage)
    .map((piece) => escapeHtml(piece).replace(/ /g, '&nbsp;'))
    .join(' ');
}

/** JupyterLab right-aligns table cells (made for numbers); help reads left to right, top down. */
const CELL_STYLE = 'style="text-align: left; vertical-align: top"';

/** The same help as a small table: one row per magic, usage on the left, what it does on the right. */
export function helpHtml(magics: readonly MagicSpec[]): string {
  const rows = magics
    .map(
      (magic) =>
        `<tr><td ${CELL_STYLE}><code>${usageHtml(magic.usage)}</code></td>` +
        `<td ${CELL_STYLE}>${escapeHtml(magic.summary)}</td></tr>`
    )
    .join('\n');
  return [
    '<div class="seed-help">',
    '<p>SEED magics, one per line; a <code>%%seed &lt;command&gt;</code> cell takes its input from the lines below it.</p>',
    '<table>',
    `<thead><tr><th ${CELL_STYLE}>Magic</th><th ${CELL_STYLE}>What it does</th></tr></thead>`,
    `<tbody>\n${rows}\n</tbody>`,
    '</table>',
    '<p>In TypeScript: <code>const t = await seed.encode("cat.png"); await seed.decode(t.codes, { steps: 25 });</code></p>',
    '</div>'
  ].join('\n');
}
