import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { FAMILY_DEFAULTS, SAMPLER_NAMES, checkDecodeParams, parseCodesText } from '../protocol';
import { SeedModel } from '../runtime';
import { CliCommand, UsageError } from './command';
import { modelOptionHelp, modelDir, parseInteger, parseNumber, threadsOption, threadsOptionHelp } from './model-option';

const V1 = FAMILY_DEFAULTS['seed-v1'];
const V2 = FAMILY_DEFAULTS['seed-v2'];

const USAGE = `Usage: jupyterlab-seed decode <codes> -o OUT.png [--model DIR] [--threads N] [--steps N] [--guidance G]
                               [--seed S] [--sampler ${SAMPLER_NAMES.join('|')}] [--eta E]
                               [--negative CODES] [--noise-level N]

Decodes SEED codes into an image (codes -> generation embedding -> diffusion -> VAE) and writes a PNG.
<codes> is the codes separated by commas or spaces (one or several arguments), LLM tokens as an LLM
writes them ('<img><img_00042>...</img>', with any text around them), @FILE (a JSON array of codes, an
object with "codes", the output of 'encode --json', or an LLM's answer), or '-' to read any of these
from stdin. Settings default to the model's manifest (SEED v1: ${V1.sampler}, ${V1.steps} steps,
guidance ${V1.guidance}, seed ${V1.seed}; SEED-2: ${V2.sampler}, ${V2.steps} steps, guidance ${V2.guidance}).

Options:
  -o, --output OUT.png  where to write the image
${modelOptionHelp(24)}
${threadsOptionHelp(24)}
  --steps N             sampler steps
  --guidance G          classifier-free guidance scale, 0 to 100 (1 = none)
  --seed S              seed of the initial noise
  --sampler NAME        plms (CompVis, SEED's), ddim, euler or dpmpp (DPM-Solver++ 2M)
  --eta E               DDIM noise (0 = deterministic)
  --negative CODES      codes whose embedding replaces the empty condition in guidance (SEED-LLaMA's
                        negative codes), in any of the forms above except - and @FILE
  --noise-level N       SEED-2 models: noise added to the image embedding, 0-999 (default 0)`;

/** Codes from text (LLM tokens, JSON, or numbers): the protocol's one reader, with the CLI's usage error. */
export function parseCodes(text: string, source: string): number[] {
  try {
    return parseCodesText(text, source);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
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
          threads: { type: 'string' },
          steps: { type: 'string' },
          guidance: { type: 'string' },
          seed: { type: 'string' },
          sampler: { type: 'string' },
          eta: { type: 'string' },
          negative: { type: 'string' },
          'noise-level': { type: 'string' }
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
    let params;
    try {
      params = checkDecodeParams(
        {
          sampler: values.sampler,
          steps: parseInteger('steps', values.steps, 1),
          guidance: parseNumber('guidance', values.guidance, 0),
          seed: parseInteger('seed', values.seed, 0)
        },
        '--'
      );
    } catch (error) {
      throw new UsageError((error as Error).message);
    }
    const options = {
      ...params,
      eta: parseNumber('eta', values.eta, 0),
      negativeCodes: values.negative === undefined ? undefined : parseCodes(values.negative, '--negative'),
      noiseLevel: parseInteger('noise-level', values['noise-level'], 0)
    };
    const codes = readCodes(parsed.positionals);
    const model = await SeedModel.load(modelDir(values.model), { threads: threadsOption(values.threads) });
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
          `seed ${p.seed}${p.eta !== undefined ? `, eta ${p.eta}` : ''}` +
          `${p.noiseLevel !== undefined ? `, noise level ${p.noiseLevel}` : ''}; ${result.unetEvaluations} UNet calls on ` +
          `${model.executionProvider.name}, ${((Date.now() - started) / 1000).toFixed(1)} s).` +
          (p.stepsNote ? `\n${p.stepsNote}` : '')
      );
      return 0;
    } finally {
      await model.release();
    }
  }
};
