import { parseArgs } from 'node:util';
import { SeedModel } from '../runtime';
import { CliCommand, UsageError } from './command';
import { modelOptionHelp, modelDir, parseInteger, threadsOption, threadsOptionHelp } from './model-option';

const USAGE = `Usage: jupyterlab-seed encode <image...> [--model DIR] [--threads N] [--top-k N] [--json]

Encodes images into SEED codes and prints them: for one image its codes, comma-separated (ready for
'jupyterlab-seed decode'); for several, one line per image, 'path: codes'.

Options:
${modelOptionHelp(17)}
${threadsOptionHelp(17)}
  --top-k N      also print, per position, the N nearest codebook entries with their distances
  --json         print JSON: [{ "image", "codes", "topK"? }]`;

export const encodeCommand: CliCommand = {
  name: 'encode',
  summary: 'encode images into SEED codes',
  usage: USAGE,
  async run(args) {
    let parsed;
    try {
      parsed = parseArgs({
        args,
        options: {
          model: { type: 'string' },
          threads: { type: 'string' },
          'top-k': { type: 'string' },
          json: { type: 'boolean' }
        },
        strict: true,
        allowPositionals: true
      });
    } catch (error) {
      throw new UsageError((error as Error).message);
    }
    const images = parsed.positionals;
    if (images.length === 0) {
      throw new UsageError('Give at least one image.');
    }
    const topK = parseInteger('top-k', parsed.values['top-k'], 1);
    const model = await SeedModel.load(modelDir(parsed.values.model), {
      threads: threadsOption(parsed.values.threads)
    });
    try {
      const encodings = await model.encode(images, { topK: topK ?? 1 });
      if (parsed.values.json) {
        const out = encodings.map((e, i) => ({ image: images[i], codes: e.codes, ...(topK ? { topK: e.topK } : {}) }));
        console.log(JSON.stringify(out, null, 2));
        return 0;
      }
      encodings.forEach((encoding, i) => {
        const codes = encoding.codes.join(', ');
        console.log(images.length > 1 ? `${images[i]}: ${codes}` : codes);
        if (topK) {
          encoding.topK.forEach((candidates, position) => {
            const list = candidates.map((c) => `${c.code} (${c.distance.toFixed(4)})`).join('  ');
            console.log(`  ${String(position).padStart(2)}: ${list}`);
          });
        }
      });
      return 0;
    } finally {
      await model.release();
    }
  }
};
