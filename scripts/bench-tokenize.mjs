// The `tokenize` part of `npm run bench` (called by scripts/bench.mjs, or alone:
// node scripts/bench-tokenize.mjs [--model DIR] [--images N] [--rss-images N] [--batch-size N] [--json]).
//
// Measures, on a folder of generated 128x128 JPEGs:
//   - images/s of the dataset tokenizer (read, decode, resize, encode, Parquet) with 1 worker x 2 threads,
//     against the encoder graphs + quantiser alone on ready pixels at the same batch size, in the same
//     process: the ratio says how much of the image IO the pipeline hides behind inference (goal >= 0.8);
//   - 2 workers x 1 thread (two processes, --num-shards 2) against 1 worker x 2 threads;
//   - peak RSS of one worker on N images and on ten times N (a JSONL list naming the same files under
//     other keys), which must stay flat: the pipeline's queues are bounded.
// Each measurement is a separate worker process (this file run with --worker), so RSS is its own.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { ROOT } from './setup.mjs';

const require = createRequire(import.meta.url);
const SELF = fileURLToPath(import.meta.url);

/** One worker: tokenizes, times the graphs alone, reports JSON on its last line. */
async function worker(args) {
  const { SeedModel } = require(join(ROOT, 'dist', 'runtime', 'index.js'));
  const { prepareTokenize } = require(join(ROOT, 'dist', 'runtime', 'dataset', 'index.js'));
  const model = await SeedModel.load(args.model, { executionProviders: ['cpu'], threads: args.threads });
  const result = {};
  if (args.graphs) {
    // The baseline: encodePrepared on images already at the model's size, nothing read or decoded.
    const [width, height] = model.manifest.image.size;
    const images = Array.from({ length: args.batchSize }, (_, n) => ({
      data: Buffer.alloc(width * height * 3, n * 7),
      width,
      height
    }));
    await model.encodePrepared(images, { topK: 1 });
    const batches = Math.max(1, Math.round(args.graphs / args.batchSize));
    const start = performance.now();
    for (let i = 0; i < batches; i++) {
      await model.encodePrepared(images, { topK: 1 });
    }
    result.graphsImagesPerS = (batches * args.batchSize) / ((performance.now() - start) / 1000);
  }
  const job = await prepareTokenize({
    inputs: [args.input],
    out: args.out,
    model,
    batchSize: args.batchSize,
    shardIndex: args.index,
    numShards: args.workers,
    env: {}
  });
  const start = Date.now();
  const summary = await job.run();
  Object.assign(result, {
    start,
    end: Date.now(),
    images: summary.samples + summary.errors,
    imagesPerS: (summary.samples + summary.errors) / summary.wallSeconds,
    maxRssMiB: process.resourceUsage().maxRSS / 1024
  });
  await model.release();
  console.log(JSON.stringify(result));
}

function runWorker(options) {
  const args = ['--worker', JSON.stringify(options)];
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [SELF, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (chunk) => (out += chunk));
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0
        ? resolvePromise(JSON.parse(out.trim().split('\n').pop()))
        : reject(new Error(`bench worker exited with ${code}`))
    );
  });
}

/** N deterministic 128x128 JPEGs, and a JSONL list naming them `repeat` times under distinct keys. */
async function makeImages(dir, count, repeat) {
  const sharp = require('sharp');
  const folder = join(dir, 'images');
  mkdirSync(folder, { recursive: true });
  const size = 128;
  for (let n = 0; n < count; n++) {
    const raw = Buffer.alloc(size * size * 3);
    for (let i = 0; i < raw.length; i++) {
      raw[i] = (i * 31 + n * 97 + ((i / 3 / size) | 0) * (7 + (n % 5))) & 255;
    }
    await sharp(raw, { raw: { width: size, height: size, channels: 3 } })
      .jpeg({ quality: 90 })
      .toFile(join(folder, `${String(n).padStart(6, '0')}.jpg`));
  }
  const lines = [];
  for (let r = 0; r < repeat; r++) {
    for (let n = 0; n < count; n++) {
      const name = `${String(n).padStart(6, '0')}.jpg`;
      lines.push(JSON.stringify({ path: `images/${name}`, key: `r${r}/${n}` }));
    }
  }
  writeFileSync(join(dir, 'list.jsonl'), `${lines.join('\n')}\n`);
  return { folder, list: join(dir, 'list.jsonl') };
}

/** Images per encoder call, unless --batch-size says otherwise. */
const DEFAULT_BATCH_SIZE = 16;

/**
 * Why these sizes cannot be benchmarked, or null when they can. The memory run lists the `images` files
 * round(rssImages / images) times, so `images` must be at least 1 (0 used to loop for ever).
 */
export function tokenizeSizesProblem({ images, rssImages, batchSize = DEFAULT_BATCH_SIZE }) {
  const whole = (n, min) => Number.isInteger(n) && n >= min;
  if (!whole(images, 1) || !whole(rssImages, images) || !whole(batchSize, 1)) {
    return (
      `the tokenizer bench needs whole numbers: images >= 1, rss-images >= images, batch size >= 1 ` +
      `(got ${images}, ${rssImages}, ${batchSize})`
    );
  }
  return null;
}

/** Runs every measurement; returns the figures. */
export async function benchTokenize({ model, images = 2000, rssImages = 20000, batchSize = DEFAULT_BATCH_SIZE }) {
  const problem = tokenizeSizesProblem({ images, rssImages, batchSize });
  if (problem) {
    throw new Error(`bench-tokenize: ${problem}.`);
  }
  const dir = mkdtempSync(join(tmpdir(), 'seed-bench-tokenize-'));
  try {
    const repeat = Math.max(1, Math.round(rssImages / images));
    const inputs = await makeImages(dir, images, repeat);
    const common = { model, batchSize, workers: 1, index: 0 };
    const one = await runWorker({ ...common, threads: 2, input: inputs.folder, out: join(dir, 'one'), graphs: images });
    const pair = await Promise.all(
      [0, 1].map((index) =>
        runWorker({ ...common, threads: 1, workers: 2, index, input: inputs.folder, out: join(dir, 'two') })
      )
    );
    const pairSeconds = (Math.max(...pair.map((r) => r.end)) - Math.min(...pair.map((r) => r.start))) / 1000;
    const large = await runWorker({ ...common, threads: 2, input: inputs.list, out: join(dir, 'large') });
    return {
      images,
      batchSize,
      tokenizeImagesPerS: one.imagesPerS,
      graphsImagesPerS: one.graphsImagesPerS,
      tokenizeVsGraphs: one.imagesPerS / one.graphsImagesPerS,
      twoWorkersImagesPerS: pair.reduce((n, r) => n + r.images, 0) / pairSeconds,
      twoWorkersVsOne: pair.reduce((n, r) => n + r.images, 0) / pairSeconds / one.imagesPerS,
      // Peak RSS of one worker at the smaller and the larger image count (equal counts measure twice).
      rss: [
        { images, maxRssMiB: one.maxRssMiB },
        { images: large.images, maxRssMiB: large.maxRssMiB }
      ],
      largeImagesPerS: large.imagesPerS
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function formatTokenizeBench(r) {
  const [small, large] = r.rss;
  return [
    `tokenize (${r.images} 128x128 JPEGs, batch ${r.batchSize}, Parquet out)`,
    `  1 worker x 2 threads   ${r.tokenizeImagesPerS.toFixed(0).padStart(6)} images/s; graphs alone ` +
      `${r.graphsImagesPerS.toFixed(0)} images/s: ${r.tokenizeVsGraphs.toFixed(2)}x (goal >= 0.8)`,
    `  2 workers x 1 thread   ${r.twoWorkersImagesPerS.toFixed(0).padStart(6)} images/s: ` +
      `${r.twoWorkersVsOne.toFixed(2)}x 1 worker x 2 threads`,
    `  peak RSS, 1 worker     ${small.maxRssMiB.toFixed(0)} MiB at ${small.images} images, ` +
      `${large.maxRssMiB.toFixed(0)} MiB at ${large.images} images (${r.largeImagesPerS.toFixed(0)} images/s)`
  ].join('\n');
}

if (process.argv[1] === SELF) {
  if (process.argv[2] === '--worker') {
    await worker(JSON.parse(process.argv[3]));
  } else {
    const { values } = parseArgs({
      options: {
        model: { type: 'string', default: join(ROOT, 'models', 'seed-nano') },
        images: { type: 'string', default: '2000' },
        'rss-images': { type: 'string', default: '20000' },
        'batch-size': { type: 'string', default: String(DEFAULT_BATCH_SIZE) },
        json: { type: 'boolean', default: false }
      },
      strict: true
    });
    const sizes = {
      images: Number(values.images),
      rssImages: Number(values['rss-images']),
      batchSize: Number(values['batch-size'])
    };
    const problem = tokenizeSizesProblem(sizes);
    if (problem) {
      console.error(`bench-tokenize: ${problem}. Pass --images N --rss-images M --batch-size B.`);
      process.exit(2);
    }
    const result = await benchTokenize({ model: resolve(values.model), ...sizes });
    console.log(values.json ? JSON.stringify(result, null, 2) : formatTokenizeBench(result));
  }
}
