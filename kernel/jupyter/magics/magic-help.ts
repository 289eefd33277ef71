/**
 * `%seed help` and the usage lines of magic errors, laid out for a notebook: plain text that fits in
 * 80 columns (the width of a notebook output at a normal window size) and a small HTML table for
 * frontends that render HTML. No kernel or model in here.
 */
import type { MagicSpec } from './magic-parser';

/** Text help and usage lines fit in this many columns. */
export const HELP_COLUMNS = 80;

/** Summaries sit under their usage, indented by this much. */
const SUMMARY_INDENT = '    ';

/** A usage line's pieces: `<...>` and `[...]` groups stay whole, other text splits at spaces. */
function usagePieces(usage: string): string[] {
  return usage.match(/<[^>]*>|\[[^\]]*\]|\S+/g) ?? [];
}

/**
 * Greedy line filling of `pieces` into lines of at most `width` columns; lines after the first start
 * with `indent`. A piece longer than a line gets a line of its own rather than being cut.
 * Hand-written because the wrapping libraries on npm break at every space, and a usage group such as
 * `[--sampler plms|ddim|euler|dpmpp]` or `<path|glob|file:// url>` must stay on one line.
 */
function fill(pieces: string[], width: number, firstIndent: string, indent: string): string[] {
  const lines: string[] = [];
  let line = firstIndent;
  let empty = true;
  for (const piece of pieces) {
    if (!empty && line.length + 1 + piece.length > width) {
      lines.push(line);
      line = indent;
      empty = true;
    }
    line += empty ? piece : ` ${piece}`;
    empty = false;
  }
  lines.push(line);
  return lines;
}

/**
 * A usage line wrapped to `width` columns after `prefix` (e.g. "Usage: "), continuation lines aligned
 * under the first argument: `%seed decode <codes|NAME> [--steps N] ...` continues under `<codes|NAME>`.
 */
export function wrapUsage(usage: string, prefix = '', width = HELP_COLUMNS): string {
  const pieces = usagePieces(usage);
  // "%seed" and the command word head the first line; the arguments align after them.
  const head = pieces.slice(0, 2).join(' ');
  const indent = ' '.repeat(Math.min(prefix.length + head.length + 1, 24));
  return fill([head, ...pieces.slice(2)], width, prefix, indent).join('\n');
}

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
