/**
 * Usage lines laid out for a notebook: wrapped to 80 columns (the width of a notebook output at a normal
 * window size) with their argument groups kept whole. Used by `%seed help` and by the parser's errors.
 */

/** Text help and usage lines fit in this many columns. */
export const HELP_COLUMNS = 80;

/** A usage line's pieces: `<...>` and `[...]` groups stay whole, other text splits at spaces. */
export function usagePieces(usage: string): string[] {
  return usage.match(/<[^>]*>|\[[^\]]*\]|\S+/g) ?? [];
}

/**
 * Greedy line filling of `pieces` into lines of at most `width` columns; lines after the first start
 * with `indent`. A piece longer than a line gets a line of its own rather than being cut.
 * Hand-written because the wrapping libraries on npm break at every space, and a usage group such as
 * `[--sampler plms|ddim|euler|dpmpp]` or `<path|glob|file:// url>` must stay on one line.
 */
export function fill(pieces: string[], width: number, firstIndent: string, indent: string): string[] {
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
