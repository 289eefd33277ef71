import * as path from 'node:path';
import { PREPROCESS_MODES, type Preprocess, type SamplerName } from '../../runtime';
import { OUTPUT_FORMATS, type OutputFormat } from '../../runtime/dataset';
import {
  DECODE_LIMITS,
  FAMILIES,
  type Limit,
  SAMPLER_NAMES,
  type SeedKernelInfo,
  THREADS_LIMIT,
  TOP_K_LIMIT
} from '../../protocol';
import type { CellContext, MagicHandler } from '../kernel';
import { MIME_BUNDLE, MimeBundle, mimeBundleOf } from '../mime-bundle';
import { SeedApi, SeedDecodeOptions } from '../seed/seed-api';
import { SeedEncoding, SeedRecon, SeedReconstruction } from '../seed/results';
import type { CellOutcome } from '../typescript-executor';
import { helpHtml, helpText } from './magic-help';
import { wrapUsage } from './usage-lines';
import {
  isMagicCell,
  MagicSpec,
  MagicUsageError,
  OptionSpec,
  parseCodes,
  parseMagicArguments,
  parseMagicCell,
  ParsedMagic
} from './magic-parser';

/** The `%seed` magics: the same operations as the `seed` API, typed on one line. */

const AS: OptionSpec = { type: 'identifier' };
const TOP_K: OptionSpec = { type: 'integer', limit: TOP_K_LIMIT };
/** Batch and shard sizes of `%seed tokenize`: any whole number from 1. */
const COUNT: Limit = { min: 1, max: Number.MAX_SAFE_INTEGER, integer: true };
const DECODE_OPTIONS: Record<string, OptionSpec> = {
  steps: { type: 'integer', limit: DECODE_LIMITS.steps },
  guidance: { type: 'number', limit: DECODE_LIMITS.guidance },
  seed: { type: 'integer', limit: DECODE_LIMITS.seed },
  sampler: { type: 'string', choices: SAMPLER_NAMES },
  size: { type: 'size' },
  // Codes text (numbers or quoted LLM tokens) and the seed-v2 noise level; the model checks both against itself.
  negative: { type: 'string' },
  'noise-level': { type: 'integer' }
};
const DECODE_FLAGS =
  `[--steps N] [--guidance G] [--seed S] [--sampler ${SAMPLER_NAMES.join('|')}] [--size WxH] ` +
  '[--negative CODES] [--noise-level N]';

export const MAGICS: MagicSpec[] = [
  {
    name: 'encode',
    usage: '%seed encode <path|glob|file:// url> [--top-k N] [--as NAME]',
    summary: 'encode images to SEED codes (the token view); --as binds the result to a variable',
    minPositionals: 1,
    maxPositionals: Number.POSITIVE_INFINITY,
    options: { 'top-k': TOP_K, as: AS }
  },
  {
    name: 'decode',
    usage: `%seed decode <codes|NAME> ${DECODE_FLAGS} [--as NAME]`,
    summary: 'decode codes (numbers, or a variable holding a result) to an image, with live progress',
    minPositionals: 1,
    maxPositionals: Number.POSITIVE_INFINITY,
    options: { ...DECODE_OPTIONS, as: AS }
  },
  {
    name: 'recon',
    usage: `%seed recon <image> [--top-k N] ${DECODE_FLAGS} [--as NAME]`,
    summary: 'encode an image and decode its codes: original and reconstruction side by side',
    minPositionals: 1,
    maxPositionals: 1,
    options: { ...DECODE_OPTIONS, 'top-k': TOP_K, as: AS }
  },
  {
    name: 'tokenize',
    usage:
      "%seed tokenize <folder|'glob'|list|'shards/{000..099}.tar'> --out DIR [--format parquet|wds] " +
      '[--preprocess default|release] [--batch-size N] [--shard-size N]',
    summary: 'tokenize a dataset into Parquet shards (resumable: interrupt, then rerun to finish)',
    minPositionals: 1,
    maxPositionals: Number.POSITIVE_INFINITY,
    options: {
      out: { type: 'string' },
      format: { type: 'string', choices: OUTPUT_FORMATS },
      preprocess: { type: 'string', choices: PREPROCESS_MODES },
      'batch-size': { type: 'integer', limit: COUNT },
      'shard-size': { type: 'integer', limit: COUNT }
    }
  },
  {
    name: 'model',
    usage: '%seed model [list | use NAME_OR_PATH | info]',
    summary: 'list the models, switch to another one, or show the one in use',
    minPositionals: 0,
    maxPositionals: 2,
    options: {}
  },
  {
    name: 'device',
    usage: '%seed device [--threads N]',
    summary: 'the execution provider and threads in use, why, and memory; --threads N sets the threads (0: automatic)',
    minPositionals: 0,
    maxPositionals: 0,
    options: { threads: { type: 'integer', limit: THREADS_LIMIT } }
  },
  {
    name: 'help',
    usage: '%seed help',
    summary: 'this list',
    minPositionals: 0,
    maxPositionals: 0,
    options: {}
  }
];

const RESULTS_MODULE = JSON.stringify(path.join(__dirname, '..', 'seed', 'results'));

/** Text a magic shows (help, model info, device), with an HTML form where it has one. */
class MagicText {
  constructor(
    readonly text: string,
    private readonly html?: string
  ) {}

  toString(): string {
    return this.text;
  }

  [MIME_BUNDLE](): MimeBundle {
    return this.html ? { 'text/plain': this.text, 'text/html': this.html } : { 'text/plain': this.text };
  }
}

function formatBytes(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(0)} MiB`;
}

function deviceText(info: SeedKernelInfo): string {
  const provider = info.executionProvider;
  const lines = [
    `Model: ${info.model ? `${info.model.id}, family ${info.model.family} (${FAMILIES[info.model.family]})` : 'none'}`,
    `Execution provider: ${provider?.name ?? 'none'}${provider ? ` (${provider.reason})` : ''}`,
    info.threads ? `Threads: ${info.threads.count} per session (${info.threads.reason})` : 'Threads: no model loaded',
    `Kernel memory: ${formatBytes(info.memory.rssBytes)} resident, ${formatBytes(info.memory.heapUsedBytes)} JavaScript heap`
  ];
  const loading = info.loading;
  if (loading?.state === 'loading') {
    lines.push(
      `Loading model: ${loading.done} of ${loading.total} parts ready${loading.part ? `, building ${loading.part}` : ''}`
    );
  } else if (loading?.state === 'failed') {
    lines.push(`Loading the model failed: ${loading.message ?? 'unknown error'}`);
  }
  return lines.join('\n');
}

function modelText(info: SeedKernelInfo): string {
  const lines = info.model
    ? [
        `Model: ${info.model.id} (${info.model.dir})`,
        `  family ${info.model.family}: ${FAMILIES[info.model.family]}`,
        info.model.description ? `  ${info.model.description}` : '',
        `  manifest sha256 ${info.model.sha256}`
      ].filter((line) => line !== '')
    : ['No model loaded yet.'];
  if (info.executionProvider) {
    lines.push(`Execution provider: ${info.executionProvider.name} (${info.executionProvider.reason})`);
  }
  return lines.join('\n');
}

function decodeOptions(options: ParsedMagic['options']): SeedDecodeOptions {
  return {
    steps: options.steps as number | undefined,
    guidance: options.guidance as number | undefined,
    seed: options.seed as number | undefined,
    sampler: options.sampler as SamplerName | undefined,
    size: options.size as [number, number] | undefined,
    negativeCodes: options.negative as string | undefined,
    noiseLevel: options['noise-level'] as number | undefined
  };
}

export class SeedMagics implements MagicHandler {
  constructor(private readonly seed: SeedApi) {}

  handles(code: string): boolean {
    return isMagicCell(code);
  }

  complete(code: string, cursor: number): { start: number; end: number; matches: string[] } {
    const before = code.slice(0, cursor);
    const line = before.slice(before.lastIndexOf('\n') + 1);
    const word = /\S*$/.exec(line)![0];
    const typed = /^\s*%%?seed\s+(.*)$/.exec(line)?.[1].split(/\s+/) ?? [];
    let candidates: string[] = [];
    if (typed.length === 1) {
      candidates = MAGICS.map((magic) => magic.name);
    } else if (typed.length > 1 && word.startsWith('-')) {
      const spec = MAGICS.find((magic) => magic.name === typed[0]);
      candidates = Object.keys(spec?.options ?? {}).map((name) => `--${name}`);
    }
    return {
      start: cursor - word.length,
      end: cursor,
      matches: candidates.filter((candidate) => candidate.startsWith(word))
    };
  }

  async run(code: string, context: CellContext): Promise<CellOutcome> {
    // Every line is checked before any runs, so a typo on line 3 does not leave lines 1-2 half done.
    const parsed = parseMagicCell(code).map(({ command, args }) => {
      const spec = MAGICS.find((magic) => magic.name === command);
      if (!spec) {
        throw new MagicUsageError(`Unknown %seed command '${command}'.`, helpText(MAGICS));
      }
      return parseMagicArguments(spec, args);
    });
    let outcome: CellOutcome = { hasValue: false };
    for (const magic of parsed) {
      if (outcome.hasValue) {
        context.display(mimeBundleOf(outcome.value));
      }
      outcome = await this.runOne(magic, context);
    }
    return outcome;
  }

  private async runOne(magic: ParsedMagic, context: CellContext): Promise<CellOutcome> {
    const { positionals, options } = magic;
    const usage = wrapUsage(magic.spec.usage, 'Usage: ');
    switch (magic.spec.name) {
      case 'help':
        return { hasValue: true, value: new MagicText(helpText(MAGICS), helpHtml(MAGICS)) };
      case 'encode': {
        const topK = options['top-k'] as number | undefined;
        const encodings: SeedEncoding[] = [];
        for (const pattern of positionals) {
          const isPattern = /[*?[]/.test(pattern) && !pattern.startsWith('file://');
          encodings.push(
            ...(isPattern ? await this.seed.encodeAll(pattern, { topK }) : [await this.seed.encode(pattern, { topK })])
          );
        }
        const value = encodings.length === 1 ? encodings[0] : encodings;
        await this.bindAs(options.as, value, encodings.length === 1 ? 'SeedEncoding' : 'SeedEncoding[]', context);
        encodings.slice(0, -1).forEach((encoding) => context.display(mimeBundleOf(encoding)));
        return { hasValue: true, value: encodings[encodings.length - 1] };
      }
      case 'decode': {
        const codes = parseCodes(positionals, usage) ?? this.codesFromVariable(positionals, context, usage);
        const result = await this.seed.decode(codes, decodeOptions(options));
        await this.bindAs(options.as, result, 'SeedReconstruction', context);
        return { hasValue: true, value: result };
      }
      case 'recon': {
        const result = await this.seed.recon(positionals[0], {
          ...decodeOptions(options),
          topK: options['top-k'] as number | undefined
        });
        await this.bindAs(options.as, result, 'SeedRecon', context);
        return { hasValue: true, value: result };
      }
      case 'tokenize': {
        if (typeof options.out !== 'string') {
          throw new MagicUsageError('%seed tokenize: give the output folder with --out DIR.', usage);
        }
        const summary = await this.seed.tokenizeDataset(positionals, {
          out: options.out,
          format: options.format as OutputFormat | undefined,
          preprocess: options.preprocess as Preprocess | undefined,
          batchSize: options['batch-size'] as number | undefined,
          shardSize: options['shard-size'] as number | undefined
        });
        return { hasValue: true, value: summary };
      }
      case 'model':
        return { hasValue: true, value: new MagicText(await this.model(positionals, usage)) };
      case 'device': {
        const threads = options.threads as number | undefined;
        const info =
          threads === undefined
            ? await this.seed.info()
            : await this.seed.setThreads(threads, `%seed device --threads ${threads}`);
        return { hasValue: true, value: new MagicText(deviceText(info)) };
      }
      default:
        throw new MagicUsageError(`Unknown %seed command '${magic.spec.name}'.`, helpText(MAGICS));
    }
  }

  private async model(positionals: string[], usage: string): Promise<string> {
    const [action = 'info', argument] = positionals;
    if (action === 'list' && argument === undefined) {
      const models = this.seed.models();
      return models.length === 0
        ? 'No model folders found. Set SEED_MODEL or use %seed model use <folder>.'
        : models.map((model) => `${model.name}  ${model.dir}`).join('\n');
    }
    if (action === 'use' && argument !== undefined) {
      return `Now using:\n${modelText(await this.seed.useModel(argument))}`;
    }
    if (action === 'info' && argument === undefined) {
      return modelText(await this.seed.info());
    }
    throw new MagicUsageError(
      `%seed model: expected list, use NAME_OR_PATH or info, got '${positionals.join(' ')}'.`,
      usage
    );
  }

  private codesFromVariable(
    positionals: string[],
    context: CellContext,
    usage: string
  ): number[] | { codes: number[]; label?: string } {
    const [name] = positionals;
    if (positionals.length !== 1 || !/^[A-Za-z_$][\w$]*$/.test(name)) {
      throw new MagicUsageError(
        `%seed decode: '${positionals.join(' ')}' is neither codes (numbers) nor a variable name.`,
        usage
      );
    }
    const value = context.variable(name);
    if (Array.isArray(value) && value.every((code) => Number.isInteger(code))) {
      return value as number[];
    }
    if (value instanceof SeedEncoding || value instanceof SeedReconstruction || value instanceof SeedRecon) {
      return value;
    }
    throw new MagicUsageError(
      value === undefined
        ? `%seed decode: there is no variable '${name}'. Bind one with %seed encode <image> --as ${name}.`
        : `%seed decode: '${name}' holds no SEED codes; pass a number[] or a result of %seed encode/decode.`,
      usage
    );
  }

  private async bindAs(name: unknown, value: unknown, type: string, context: CellContext): Promise<void> {
    if (typeof name !== 'string') {
      return;
    }
    // A single result is labelled with its variable; the items of a list keep their file names.
    const many = Array.isArray(value);
    for (const result of many ? value : [value]) {
      const named = result instanceof SeedRecon ? [result.encoding, result.reconstruction] : [result as SeedEncoding];
      for (const part of named) {
        part.label = many ? part.label : name;
        part.lineage.variable = name;
      }
    }
    const [className, array] = type.endsWith('[]') ? [type.slice(0, -2), '[]'] : [type, ''];
    await context.bind(name, value, `import(${RESULTS_MODULE}).${className}${array}`);
  }
}
