import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { SamplerName, SeedModel } from '../runtime';
import { CliCommand, UsageError } from './command';
import { modelOptionHelp, modelDir, parseInteger, parseNumber } from './model-option';

const SAMPLERS: SamplerName[] = ['plms', 'ddim', 'euler', 'dpmpp'];

const USAGE = `Usage: jupyterlab-seed decode <codes> -o OUT.png [--model DIR] [--steps N] [--guidance G]
                               [--seed S] [--sampler plms|ddim|euler|dpmpp] [--eta E]

Decodes SEED codes into an image (codes -> generation embedding -> diffusion -> VAE) and writes a PNG.
<codes> is the codes separated by commas or spaces (one or several arguments), @FILE.json (a JSON array
of codes, an object with "codes", or the output of 'encode --json'), or '-' to read either from stdin.
Settings default to the model's manifest (SEED v1: plms, 50 steps, guidance 7.5, seed 42).

Options:
  -o, --output OUT.png  where to write the image
${modelOptionHelp(24)}
  --steps N             sampler steps
  --guidance G          classifier-free guidance scale, 0 to 100 (1 = none)
  --seed S              seed of the initial noise
  --sampler NAME        plms (CompVis, SEED's), ddim, euler or dpmpp (DPM-Solver++ 2M)
  --eta E               DDIM noise (0 = deterministic)`;

/** Codes from text: a JSON array / object / encode --json output, or numbers separated by commas or spaces. */
export function parseCodes(text: string, source: string): number[] {
  const trimmed = text.trim();
  if (trimmed.startsWith('[') || trimmed.startsWith('{')) {
    let data: unknown;
    try {
      data = JSON.parse(trimmed);
    } catch (error) {
      throw new UsageError(`${source} is not valid JSON: ${(error as Error).message}`);
    }
    if (Array.isArray(data) && data.length === 1 && typeof data[0] === 'object') {
      data = data[0];
    }
    if (data && typeof data === 'object' && !Array.isArray(data) && 'codes' in data) {
      data = (data as { codes: unknown }).codes;
    }
    if (!Array.isArray(data) || !data.every((v) => typeof v === 'number')) {
      throw new UsageError(`${source} must hold a JSON array of codes, or an object with a "codes" array.`);
    }
    return data as number[];
  }
  const parts = trimmed.split(/[\s,]+/).filter(Boolean);
  if (parts.length === 0) {
    throw new UsageError(`No codes in ${source}.`);
  }
  return parts.map((part) => {
    if (!/^\d+$/.test(part)) {
      throw new UsageError(`'${part}' in ${source} is not a code; codes are whole numbers such as 17.`);
    }
    return Number(part);
  });
}

function readCodes(positionals: string[]): number[] {
  if (positionals.length === 0) {
    throw new UsageError('Give the codes to decode (comma- or space-separated, @FILE.json, or - for stdin).');
  }
  if (positionals.length === 1 && positionals[0] === '-') {
    return parseCodes(fs.readFileSync(0, 'utf8'), 'stdin');
  }
  if (positionals.length === 1 && positionals[0].startsWith('@')) {
    const file = positionals[0].slice(1);
    if (!fs.existsSync(file)) {
      throw new UsageError(`${file}: no such file.`);
    }
    return parseCodes(fs.readFileSync(file, 'utf8'), file);
  }
  return parseCodes(positionals.join(' '), 'the arguments');
}

export const decodeCommand: CliCommand = {
  name: 'decode',
  summary: 'decode SEED codes into a PNG image',
  usage: USAGE,
  async run(args) {
    let parsed;
    try {
      parsed = parseArgs({
        args,
        options: {
          output: { type: 'string', short: 'o' },
          model: { type: 'string' },
          steps: { type: 'string' },
          guidance: { type: 'string' },
          seed: { type: 'string' },
          sampler: { type: 'string' },
          eta: { type: 'string' }
        },
        strict: true,
        allowPositionals: true
      });
    } catch (error) {
      throw new UsageError((error as Error).message);
    }
    const { values } = parsed;
    if (!values.output) {
      throw new UsageError('Say where to write the image with -o OUT.png.');
    }
    const sampler = values.sampler as SamplerName | undefined;
    if (sampler !== undefined && !SAMPLERS.includes(sampler)) {
      throw new UsageError(`--sampler must be one of ${SAMPLERS.join(', ')}, got '${sampler}'.`);
    }
    const options = {
      steps: parseInteger('steps', values.steps, 1),
      guidance: parseNumber('guidance', values.guidance, 0),
      seed: parseInteger('seed', values.seed, 0),
      eta: parseNumber('eta', values.eta, 0),
      sampler
    };
    const codes = readCodes(parsed.positionals);
    const model = await SeedModel.load(modelDir(values.model));
    try {
      const started = Date.now();
      const showProgress = process.stderr.isTTY;
      const result = await model.decode(codes, {
        ...options,
        onProgress: showProgress ? (p) => process.stderr.write(`\rstep ${p.step}/${p.total}`) : undefined,
        previewEvery: 0
      });
      if (showProgress) {
        process.stderr.write('\n');
      }
      fs.mkdirSync(path.dirname(path.resolve(values.output)), { recursive: true });
      fs.writeFileSync(values.output, result.png);
      const p = result.params;
      console.log(
        `Wrote ${values.output} (${result.width}x${result.height}; ${p.sampler}, ${p.steps} steps, guidance ${p.guidance}, ` +
          `seed ${p.seed}${p.eta !== undefined ? `, eta ${p.eta}` : ''}; ${result.unetEvaluations} UNet calls on ` +
          `${model.executionProvider.name}, ${((Date.now() - started) / 1000).toFixed(1)} s).` +
          (p.stepsNote ? `\n${p.stepsNote}` : '')
      );
      return 0;
    } finally {
      await model.release();
    }
  }
};
