import { parseArgs } from 'node:util';
import { type Limit, describeLimit, looksLikeLlmTokens, parseLlmTokens, withinLimit } from '../../protocol';
import { wrapUsage } from './usage-lines';

/**
 * Parsing of `%seed` magics, strictly: an unknown flag, a bad value or a missing argument is a
 * MagicUsageError that carries the command's usage line. No kernel or model in here.
 */

export class MagicUsageError extends Error {
  constructor(
    message: string,
    /** The usage line of the command, shown under the message. */
    readonly usage: string
  ) {
    super(message);
    this.name = 'MagicUsageError';
  }
}

export interface OptionSpec {
  type: 'integer' | 'number' | 'string' | 'size' | 'identifier';
  /** Allowed values of a string option. */
  choices?: readonly string[];
  /** Allowed range of a number option (from the protocol's vocabulary). */
  limit?: Limit;
}

export interface MagicSpec {
  /** The word after `%seed`. */
  name: string;
  /** One line: `%seed decode <codes|NAME> [--steps N] ...`. */
  usage: string;
  /** What it does, for `%seed help`. */
  summary: string;
  minPositionals: number;
  maxPositionals: number;
  options: Record<string, OptionSpec>;
}

export type OptionValue = number | string | [number, number];

export interface ParsedMagic {
  spec: MagicSpec;
  positionals: string[];
  options: Record<string, OptionValue>;
}

/** One `%seed ...` line (or a `%%seed` cell), split into its command word and arguments. */
export interface MagicInvocation {
  command: string;
  args: string[];
}

const LINE_MAGIC = /^%seed(\s|$)/;
const CELL_MAGIC = /^%%seed(\s|$)/;
const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

/**
 * Splits a magic line into words like a shell does: whitespace separates, '...' and "..." quote
 * (so paths with spaces work), a backslash escapes inside double quotes. Hand-written because it
 * is a dozen lines and no dependency of ours offers it.
 */
export function splitWords(line: string): string[] {
  const words: string[] = [];
  let current = '';
  let inWord = false;
  let quote: '"' | "'" | undefined;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quote) {
      if (c === quote) {
        quote = undefined;
      } else if (c === '\\' && quote === '"' && i + 1 < line.length) {
        current += line[++i];
      } else {
        current += c;
      }
    } else if (c === '"' || c === "'") {
      quote = c;
      inWord = true;
    } else if (/\s/.test(c)) {
      if (inWord) {
        words.push(current);
        current = '';
        inWord = false;
      }
    } else {
      current += c;
      inWord = true;
    }
  }
  if (quote) {
    throw new MagicUsageError(`Unclosed ${quote} quote in: ${line.trim()}`, 'Close the quote, or remove it.');
  }
  if (inWord) {
    words.push(current);
  }
  return words;
}

function meaningfulLines(code: string): string[] {
  return code
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('//'));
}

/** Whether a cell is a `%seed` magic cell (its first statement is `%seed` or `%%seed`). */
export function isMagicCell(code: string): boolean {
  const first = meaningfulLines(code)[0];
  return first !== undefined && (LINE_MAGIC.test(first) || CELL_MAGIC.test(first));
}

/**
 * The magics of a cell. A `%%seed <command> [options]` cell passes its body as more arguments
 * (codes, or one image per line); otherwise every line must be a `%seed` line.
 */
export function parseMagicCell(code: string): MagicInvocation[] {
  const lines = meaningfulLines(code);
  if (lines.length > 0 && CELL_MAGIC.test(lines[0])) {
    const [command, ...args] = splitWords(lines[0].replace(/^%%seed/, ''));
    if (!command) {
      throw new MagicUsageError(
        '%%seed needs a command.',
        'Usage: %%seed <command> [options], then its input below. Try %seed help.'
      );
    }
    const body = lines.slice(1).flatMap((line) => splitWords(line.replace(/,/g, ' ')));
    return [{ command, args: [...args, ...body] }];
  }
  return lines.map((line) => {
    if (!LINE_MAGIC.test(line)) {
      throw new MagicUsageError(
        `This cell mixes %seed magics with other code: "${line}".`,
        'Put %seed lines in a cell of their own, and TypeScript in another (or use the seed API: await seed.encode(...)).'
      );
    }
    const [command = 'help', ...args] = splitWords(line.replace(/^%seed/, ''));
    return { command, args };
  });
}

function convert(name: string, raw: string, spec: OptionSpec, usage: string): OptionValue {
  const fail = (what: string): never => {
    throw new MagicUsageError(`--${name} ${raw}: ${what}.`, usage);
  };
  switch (spec.type) {
    case 'integer': {
      if (!/^-?\d+$/.test(raw)) {
        fail('expected a whole number');
      }
      return withinRange(Number(raw), spec, fail);
    }
    case 'number': {
      const value = Number(raw);
      if (raw.trim() === '' || !Number.isFinite(value)) {
        fail('expected a number');
      }
      return withinRange(value, spec, fail);
    }
    case 'size': {
      const match = /^(\d+)x(\d+)$/i.exec(raw);
      if (!match || Number(match[1]) < 1 || Number(match[2]) < 1) {
        fail('expected WIDTHxHEIGHT in pixels, such as 256x256');
      }
      return [Number(match![1]), Number(match![2])];
    }
    case 'identifier':
      if (!IDENTIFIER.test(raw)) {
        fail('expected a TypeScript variable name (letters, digits, _ and $, not starting with a digit)');
      }
      return raw;
    case 'string':
      if (spec.choices && !spec.choices.includes(raw)) {
        fail(`expected one of ${spec.choices.join(', ')}`);
      }
      return raw;
  }
}

function withinRange(value: number, spec: OptionSpec, fail: (what: string) => never): number {
  const limit = spec.limit;
  if (limit && !withinLimit(value, limit)) {
    const bound = value < limit.min ? `at least ${limit.min}` : `at most ${limit.max}`;
    fail(`must be ${bound}: ${describeLimit(limit)}${limit.why ? `, since ${limit.why}` : ''}`);
  }
  return value;
}

/** Checks a command's arguments against its spec. */
export function parseMagicArguments(spec: MagicSpec, args: string[]): ParsedMagic {
  const usage = wrapUsage(spec.usage, 'Usage: ');
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args,
      options: Object.fromEntries(Object.keys(spec.options).map((name) => [name, { type: 'string' as const }])),
      strict: true,
      allowPositionals: true
    });
  } catch (error) {
    // parseArgs' messages ("Unknown option '--x'", "Option '--steps <value>' argument missing") say what is wrong.
    throw new MagicUsageError(`%seed ${spec.name}: ${(error as Error).message.split('. ')[0]}.`, usage);
  }
  const positionals = parsed.positionals;
  if (positionals.length < spec.minPositionals) {
    throw new MagicUsageError(`%seed ${spec.name}: missing argument.`, usage);
  }
  if (positionals.length > spec.maxPositionals) {
    throw new MagicUsageError(`%seed ${spec.name}: unexpected argument '${positionals[spec.maxPositionals]}'.`, usage);
  }
  const options: Record<string, OptionValue> = {};
  for (const [name, raw] of Object.entries(parsed.values)) {
    options[name] = convert(name, String(raw), spec.options[name], usage);
  }
  return { spec, positionals, options };
}

/**
 * Codes as the user types them: `12,4005,7`, `12 4005 7`, `[12, 4005, 7]`, or LLM tokens
 * (`<img><img_00012>…</img>`, as an LLM writes them); undefined when the text is none of these (then
 * it may be a variable name). Malformed LLM tokens are a MagicUsageError saying what is wrong.
 */
export function parseCodes(words: string[], usage = ''): number[] | undefined {
  const joined = words.join(' ');
  if (looksLikeLlmTokens(joined)) {
    try {
      return parseLlmTokens(joined);
    } catch (error) {
      throw new MagicUsageError((error as Error).message, usage);
    }
  }
  const text = joined.replace(/^\s*\[|\]\s*$/g, '');
  const parts = text.split(/[\s,]+/).filter((part) => part !== '');
  if (parts.length === 0 || !parts.every((part) => /^\d+$/.test(part))) {
    return undefined;
  }
  return parts.map(Number);
}
