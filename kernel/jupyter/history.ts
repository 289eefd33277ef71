/**
 * The inputs (and text outputs) of this kernel session, answering history_request. Kept in memory:
 * the session number is always 1, and a restart starts a new, empty history.
 */

export const SESSION_NUMBER = 1;

export interface HistoryRequest {
  hist_access_type: 'range' | 'tail' | 'search';
  output?: boolean;
  session?: number;
  start?: number;
  stop?: number;
  n?: number;
  pattern?: string;
  unique?: boolean;
}

/** `[session, line, input]`, or `[session, line, [input, output]]` when outputs are asked for. */
export type HistoryEntry = [number, number, string | [string, string | null]];

interface Line {
  line: number;
  input: string;
  output: string | null;
}

/** IPython's history search pattern: `*` any run of characters, `?` one character. */
function globToRegExp(pattern: string): RegExp {
  const escaped = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${escaped}$`, 's');
}

export class History {
  private readonly lines: Line[] = [];

  add(line: number, input: string): void {
    this.lines.push({ line, input, output: null });
  }

  setOutput(line: number, output: string): void {
    const entry = this.lines.find((candidate) => candidate.line === line);
    if (entry) {
      entry.output = output;
    }
  }

  query(request: HistoryRequest): HistoryEntry[] {
    const entry = (line: Line): HistoryEntry => [
      SESSION_NUMBER,
      line.line,
      request.output ? [line.input, line.output] : line.input
    ];
    switch (request.hist_access_type) {
      case 'tail':
        return this.lines.slice(-Math.max(0, request.n ?? 10)).map(entry);
      case 'range': {
        // Session 0 (or a negative offset) means this session, as in IPython.
        const session = request.session ?? 0;
        if (session > 0 && session !== SESSION_NUMBER) {
          return [];
        }
        const start = request.start ?? 1;
        const stop = request.stop ?? Number.POSITIVE_INFINITY;
        return this.lines.filter((line) => line.line >= start && line.line < stop).map(entry);
      }
      case 'search': {
        const matcher = globToRegExp(request.pattern ?? '*');
        let found = this.lines.filter((line) => matcher.test(line.input));
        if (request.unique) {
          const seen = new Set<string>();
          found = found
            .reverse()
            .filter((line) => !seen.has(line.input) && seen.add(line.input) !== undefined)
            .reverse();
        }
        if (request.n !== undefined && request.n !== null) {
          found = found.slice(-request.n);
        }
        return found.map(entry);
      }
      default:
        return [];
    }
  }
}
