// `npm run bench`: speed of the SEED runtime (ONNX Runtime, CPU) next to PyTorch on the same weights, in
// the same run. Encode in images/s and decode in seconds per image, at batch 1 and 8; each figure is the
// median of --repeats timed runs after one warm-up (a run repeats a short call for at least
// MIN_RUN_SECONDS). The PyTorch side is the model recipe's bench_torch.py
// (models/<model>/recipe/bench_torch.py), run with the same thread count, and its OpenMP threads wait for
// work the way the runtime's do (see torchWaitPolicy).
//
// What is timed on the ONNX Runtime side is the public API a user calls: encode() from PNG bytes at the
// model's input size (decode, normalise, encoder, quantiser with top-5, source PNG), and decode()/
// decodeBatch() with the manifest's default sampler, steps and guidance (decoder, UNet loop, VAE, PNG).
// bench_torch.py times encoder + quantiser on a tensor, and de-tokenizer + PLMS + VAE decoder, so encode
// is also timed as "graphs only" (encoder graph + quantiser on a tensor), the same work as PyTorch's.
//
// Then the dataset tokenizer (scripts/bench-tokenize.mjs): images/s against the graphs alone, 1 worker x 2
// threads against 2 workers x 1 thread, and peak memory at --tokenize-images and --tokenize-rss-images
// (--tokenize-images 0 leaves it out).
//
// Usage: node scripts/bench.mjs [--model DIR] [--torch bench_torch.py] [--threads N] [--repeats N] [--rounds N]
//                               [--tokenize-images N] [--tokenize-rss-images N] [--compare-with DIR] [--json]
//   --compare-with DIR also times the runtime on another model folder in every round (for example the
//   previous seed-nano) and adds a column: this model's speed against that one's.
//   --torch defaults to <model>/recipe/bench_torch.py, else the seed-nano recipe's (which checks that the
//   model has seed-nano's architecture, so it also serves the folders `train.py --smoke` exports).
//
// Full-size mode, for SEED v1 folders made by models/export/convert.py:
//        node scripts/bench.mjs --model DIR --checkpoints CHECKPOINTS_DIR [--threads N] [--repeats N] [--rounds N]
//   times encode() at batch 1 and 4 against models/export/bench_torch.py on the checkpoints DIR was converted
//   from (decoding needs Stable Diffusion's UNet: a GPU's job), and a kernel start's first encode in a fresh
//   process, cold (empty cache: hashing, session build) and warm (recorded hashes, cached optimized graph).
//   Run it under `flock /tmp/fullsize.lock` on shared machines: it holds the 4.4 GB encoder twice over.
//   --torch-int8 also times PyTorch with its own dynamic int8 quantization of the ViT (bench_torch.py
//   --int8), the fair partner for a folder made by models/export/quantize_encoder.py.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { benchTokenize, formatTokenizeBench, tokenizeSizesProblem } from './bench-tokenize.mjs';
import { ROOT } from './setup.mjs';

const require = createRequire(import.meta.url);

const { values } = parseArgs({
  options: {
    model: { type: 'string', default: join(ROOT, 'models', 'seed-nano') },
    torch: { type: 'string' },
    threads: { type: 'string', default: '2' },
    repeats: { type: 'string', default: '5' },
    rounds: { type: 'string', default: '3' },
    'tokenize-images': { type: 'string', default: '2000' },
    'tokenize-rss-images': { type: 'string', default: '20000' },
    json: { type: 'boolean', default: false },
    'compare-with': { type: 'string' },
    checkpoints: { type: 'string' },
    'torch-int8': { type: 'boolean', default: false }
  },
  strict: true
});
const modelDir = resolve(values.model);
const compareDir = values['compare-with'] ? resolve(values['compare-with']) : null;
const threads = Number(values.threads);
const repeats = Number(values.repeats);
const rounds = Number(values.rounds);
if ([threads, repeats, rounds].some((n) => !Number.isInteger(n) || n < 1)) {
  console.error('bench: --threads, --repeats and --rounds must be whole numbers >= 1.');
  process.exit(2);
}
const tokenizeSizes = { images: Number(values['tokenize-images']), rssImages: Number(values['tokenize-rss-images']) };
// --tokenize-images 0 leaves the dataset tokenizer out (the figures of the model alone, in less time)
const tokenizeLeftOut = tokenizeSizes.images === 0;
const tokenizeProblem = tokenizeLeftOut ? null : tokenizeSizesProblem(tokenizeSizes);
if (tokenizeProblem) {
  console.error(`bench: ${tokenizeProblem}. Pass --tokenize-images N --tokenize-rss-images M, or --tokenize-images 0.`);
  process.exit(2);
}
if (!existsSync(join(modelDir, 'seed-model.json'))) {
  console.error(
    `bench: no model at ${modelDir} (no seed-model.json). The bundled models/seed-nano is exported by its recipe ` +
      '(models/seed-nano/recipe); until it is there, pass --model DIR with any SEED model folder.'
  );
  process.exit(1);
}
if (compareDir && !existsSync(join(compareDir, 'seed-model.json'))) {
  console.error(
    `bench: --compare-with ${compareDir} is not a SEED model folder (no seed-model.json). Pass the folder of ` +
      'the model to compare with, for example a copy of the previous models/seed-nano.'
  );
  process.exit(1);
}
const runtimeEntry = join(ROOT, 'dist', 'runtime', 'index.js');
if (!existsSync(runtimeEntry)) {
  console.error("bench: the runtime is not built (dist/runtime is missing). Run 'npm run build:kernel' first.");
  process.exit(1);
}
const { SeedModel } = require(runtimeEntry);
const { Quantizer } = require(join(ROOT, 'dist', 'runtime', 'quantizer.js'));
const { cpuSessionOptions } = require(join(ROOT, 'dist', 'runtime', 'sessions.js'));
const { ort: onnxruntime } = require(join(ROOT, 'dist', 'runtime', 'onnxruntime.js'));
const sharp = require('sharp');

// A timed run lasts at least this long: a call of a few milliseconds (seed-nano's encoder) is repeated within
// it and the mean per call taken, so that one scheduler hiccup does not decide the figure (the PyTorch side,
// bench_torch.py, does the same). Calls longer than this are timed one per run.
const MIN_RUN_SECONDS = 0.2;

/** Median over --repeats timed runs of the seconds per call of `fn`, after one warm-up call. */
async function medianSeconds(fn) {
  await fn();
  const times = [];
  for (let i = 0; i < repeats; i++) {
    const start = process.hrtime.bigint();
    let calls = 0;
    let elapsed = 0;
    do {
      await fn();
      calls++;
      elapsed = Number(process.hrtime.bigint() - start) / 1e9;
    } while (elapsed < MIN_RUN_SECONDS);
    times.push(elapsed / calls);
  }
  return median(times);
}

/** > 1 when `ours` is the faster figure: more images/s (higherIsBetter), or fewer seconds per image. */
const speedUp = (ours, theirs, higherIsBetter) => (higherIsBetter ? ours / theirs : theirs / ours);

const median = (list) => [...list].sort((a, b) => a - b)[Math.floor(list.length / 2)];

/** Deterministic test images at the model's input size, as PNG bytes (no resize is timed). */
async function testImages(count, [width, height]) {
  const images = [];
  for (let n = 0; n < count; n++) {
    const raw = Buffer.alloc(width * height * 3);
    for (let i = 0; i < raw.length; i++) {
      raw[i] = (i * 31 + n * 97 + ((i / 3 / width) | 0) * 7) & 255;
    }
    images.push(
      await sharp(raw, { raw: { width, height, channels: 3 } })
        .png()
        .toBuffer()
    );
  }
  return images;
}

/** The runtime's figures for the model folder `dir` (this run's --model, or --compare-with). */
async function benchOrt(dir) {
  const model = await SeedModel.load(dir, { executionProviders: ['cpu'], threads });
  const images = await testImages(8, model.manifest.image.size);
  const result = {};
  const codes = [];
  for (const batch of [1, 8]) {
    const inputs = images.slice(0, batch);
    const seconds = await medianSeconds(() => model.encode(inputs));
    result[`encode_b${batch}_images_per_s`] = batch / seconds;
  }
  for (const encoding of await model.encode(images)) {
    codes.push(encoding.codes);
  }
  Object.assign(result, await benchEncoderGraphs(model, dir));
  result.decode_b1_s_per_image = await medianSeconds(() => model.decode(codes[0]));
  result.decode_b8_s_per_image = (await medianSeconds(() => model.decodeBatch(codes))) / 8;
  const d = model.manifest.diffusion.defaults;
  Object.assign(result, {
    sampler: d.sampler,
    steps: d.steps,
    guidance: d.guidance,
    provider: model.executionProvider.name,
    threads: model.threads.reason,
    spin: model.threads.spin
  });
  await model.release();
  return result;
}

/**
 * The encoder graph and the quantiser alone, on a ready tensor: the work bench_torch.py times for encode
 * (it starts from a tensor, so the image reading and the source PNG of encode() are left out here too).
 */
async function benchEncoderGraphs(model, dir) {
  const { image, tokenizer } = model.manifest;
  const [width, height] = image.size;
  const encoder = await onnxruntime.InferenceSession.create(join(dir, tokenizer.encoder.path), {
    ...cpuSessionOptions(model.threads),
    executionProviders: ['cpu']
  });
  const codebook = new Float32Array(new Uint8Array(readFileSync(join(dir, tokenizer.codebook.path))).buffer);
  const quantizer = await Quantizer.create(
    codebook,
    {
      codebookSize: tokenizer.codebookSize,
      codeDim: tokenizer.codeDim,
      distance: tokenizer.distance,
      normalized: tokenizer.normalize
    },
    model.threads
  );
  const result = {};
  for (const batch of [1, 8]) {
    const pixels = new onnxruntime.Tensor('float32', new Float32Array(batch * 3 * width * height).fill(0.1), [
      batch,
      3,
      height,
      width
    ]);
    const seconds = await medianSeconds(async () => {
      const out = await encoder.run({ [tokenizer.encoder.inputs.image]: pixels });
      await quantizer.quantize(out[tokenizer.encoder.outputs.features].data, 5);
    });
    result[`encode_graphs_b${batch}_images_per_s`] = batch / seconds;
  }
  await encoder.release();
  await quantizer.release();
  return result;
}

/**
 * The OpenMP wait policy of a PyTorch run: its threads wait for work the way the runtime's threads do. The
 * runtime's spin-wait during a call on an idle machine (threads.ts, chooseSpinning); PyTorch's OpenMP
 * threads spin only under OMP_WAIT_POLICY=ACTIVE. Under PASSIVE (which the recipes' training uses, so it
 * shares two cores with anything else) PyTorch at 2 threads was up to 4x slower on seed-nano's small operators
 * than with ACTIVE (2026-12-03: encoder batch 1 57 against 227 images/s), which made the runtime look
 * that much faster than it is.
 */
const torchWaitPolicy = (spin) => (spin ? 'ACTIVE' : 'PASSIVE');

/** The header line saying how the PyTorch side's threads waited. */
const torchThreadsLine = (spin) =>
  `PyTorch threads: OMP_WAIT_POLICY=${torchWaitPolicy(spin)} (${spin ? 'spin' : 'sleep'}, as ours do)`;

/**
 * Runs a bench_torch.py with `args`, its threads waiting as the runtime's do (`spin`), and returns the JSON
 * object it prints last, or { missing } saying why there is none.
 */
function runTorchBench(args, spin) {
  const python = process.env.SEED_PYTHON ?? '/usr/bin/python3';
  const run = spawnSync(python, args, {
    encoding: 'utf8',
    env: { ...process.env, OMP_WAIT_POLICY: torchWaitPolicy(spin) },
    maxBuffer: 16 * 1024 * 1024
  });
  if (run.status !== 0) {
    return {
      missing: `bench_torch.py failed (exit ${run.status}): ${(run.stderr || '').trim().split('\n').slice(-3).join(' | ')}`
    };
  }
  return JSON.parse(run.stdout.trim().split('\n').pop());
}

function benchTorch(spin) {
  const own = join(modelDir, 'recipe', 'bench_torch.py');
  const script =
    values.torch ?? (existsSync(own) ? own : join(ROOT, 'models', 'seed-nano', 'recipe', 'bench_torch.py'));
  if (!existsSync(script)) {
    return { missing: `no PyTorch reference for this model (${script} does not exist)` };
  }
  return runTorchBench([script, '--model', modelDir, '--threads', String(threads), '--repeats', String(repeats)], spin);
}

/** A kernel start's first encode, in a fresh process (scripts/first-encode.mjs), with the cache in `cacheDir`. */
function firstEncode(cacheDir, image) {
  const run = spawnSync(
    process.execPath,
    [join(ROOT, 'scripts', 'first-encode.mjs'), modelDir, image, String(threads)],
    { encoding: 'utf8', env: { ...process.env, SEED_CACHE_DIR: cacheDir } }
  );
  if (run.status !== 0) {
    throw new Error(`first-encode.mjs failed (exit ${run.status}): ${run.stderr.trim()}`);
  }
  return JSON.parse(run.stdout.trim().split('\n').pop());
}

async function benchFullSize() {
  const checkpoints = resolve(values.checkpoints);
  const batches = [1, 4];
  const cacheDir = mkdtempSync(join(tmpdir(), 'seed-bench-cache-'));
  const imageFile = join(cacheDir, 'bench-image.png');
  const manifest = JSON.parse(readFileSync(join(modelDir, 'seed-model.json'), 'utf8'));
  const images = await testImages(4, manifest.image.size);
  writeFileSync(imageFile, images[0]);
  const result = { model: modelDir, checkpoints, threads, repeats, rounds, load: loadAverage() };
  try {
    result.firstEncodeCold = firstEncode(cacheDir, imageFile);
    result.firstEncodeWarm = firstEncode(cacheDir, imageFile);
    result.runs = [];
    for (let round = 0; round < rounds; round++) {
      const model = await SeedModel.load(modelDir, { executionProviders: ['cpu'], threads, cacheDir });
      // Timed at full speed: a quick start from the cache (see graph-cache.ts) swaps its session in first.
      await model.warmUp();
      const ort = { threads: model.threads.reason, spin: model.threads.spin };
      for (const batch of batches) {
        ort[`encode_b${batch}_seconds`] = await medianSeconds(() => model.encode(images.slice(0, batch)));
      }
      await model.release();
      const torchRuns = { pytorch: benchTorchFullSize(checkpoints, batches, ort.spin) };
      if (values['torch-int8']) {
        torchRuns.pytorchInt8 = benchTorchFullSize(checkpoints, batches, ort.spin, ['--int8']);
      }
      const ratios = Object.fromEntries(
        Object.entries(torchRuns).map(([side, torch]) => [
          side,
          Object.fromEntries(
            batches.map((b) => [
              `encode_b${b}`,
              torch.missing ? null : torch[`encode_b${b}_seconds`] / ort[`encode_b${b}_seconds`]
            ])
          )
        ])
      );
      result.runs.push({ onnxruntime: ort, ...torchRuns, ratios, load: loadAverage() });
    }
  } finally {
    rmSync(cacheDir, { recursive: true, force: true });
  }
  if (values.json) {
    console.log(JSON.stringify(result, null, 2));
    return;
  }
  const fmt = (v) => (typeof v === 'number' ? v.toFixed(2) : '-');
  console.log(
    `SEED runtime benchmark, SEED v1 encode: ${modelDir} (${manifest.id})\nCPU, ${threads} threads; each figure the ` +
      `median of ${repeats} timed runs; ${rounds} round(s); load average ${result.load}\n` +
      `ONNX Runtime threads: ${result.runs[0].onnxruntime.threads}\n` +
      `${torchThreadsLine(result.runs[0].onnxruntime.spin)}\n`
  );
  for (const [label, run] of [
    ['cold (empty cache)', result.firstEncodeCold],
    ['warm (cached)', result.firstEncodeWarm]
  ]) {
    const sessions = run.sessions
      .map(
        (s) =>
          `${s.field} ${s.source} in ${fmt(s.loadSeconds)} s` +
          (s.fullSpeedSeconds === s.loadSeconds ? '' : ', a quick start without weight prepacking')
      )
      .join('; ');
    console.log(`first encode of a new process, ${label.padEnd(18)} ${fmt(run.seconds).padStart(7)} s  (${sessions})`);
  }
  // One column pair per PyTorch side that ran (the ratios hold one entry each).
  const sides = Object.keys(result.runs[0].ratios).map((side) => [side, TORCH_SIDE_LABELS[side]]);
  const header = sides.map(([, label]) => `${label.padStart(14)}${'ORT speed-up'.padStart(14)}`).join('');
  console.log(`\n${''.padEnd(18)}${'ONNX Runtime'.padStart(14)}${header}`);
  for (const batch of batches) {
    const key = `encode_b${batch}`;
    const ortSeconds = median(result.runs.map((r) => r.onnxruntime[`${key}_seconds`]));
    const columns = sides.map(([side]) => {
      if (result.runs[0][side].missing) {
        return `${'-'.padStart(14)}${'-'.padStart(14)}`;
      }
      const torchSeconds = median(result.runs.map((r) => r[side][`${key}_seconds`]));
      const ratio = median(result.runs.map((r) => r.ratios[side][key]));
      return `${fmt(torchSeconds).padStart(14)}${`${ratio.toFixed(2)}x`.padStart(14)}`;
    });
    console.log(`${`encode, batch ${batch}`.padEnd(18)}${fmt(ortSeconds).padStart(14)}${columns.join('')}  s per call`);
  }
  const torch = result.runs[0].pytorch;
  console.log(
    torch.missing
      ? `\nPyTorch: ${torch.missing}`
      : `\nPyTorch ${torch.torch}, ${torch.threads} threads, encoder + nearest codes on a tensor; ONNX Runtime: the whole ` +
          'encode() call from PNG bytes. Speed-up > 1: ONNX Runtime is faster.'
  );
  const int8 = result.runs[0].pytorchInt8;
  if (int8) {
    console.log(int8.missing ? `PyTorch int8: ${int8.missing}` : `PyTorch int8: ${int8.int8}.`);
  }
}

const TORCH_SIDE_LABELS = { pytorch: 'PyTorch', pytorchInt8: 'PyTorch int8' };

function benchTorchFullSize(checkpoints, batches, spin, extraArgs = []) {
  return runTorchBench(
    [
      join(ROOT, 'models', 'export', 'bench_torch.py'),
      ...['--model', modelDir, '--checkpoints', checkpoints, '--threads', String(threads)],
      ...['--repeats', String(repeats), '--batches', batches.join(',')],
      ...extraArgs
    ],
    spin
  );
}

/** The 1-minute load average, to show how busy the machine was while measuring. */
function loadAverage() {
  return loadavg()[0].toFixed(1);
}

if (values.checkpoints) {
  await benchFullSize();
  process.exit(0);
}

// encode_graphs_* and encode_* share PyTorch's figure: it times the graphs only (see benchEncoderGraphs).
const rows = [
  ['encode, batch 1', 'encode_b1_images_per_s', 'images/s', true, 'encode_b1_images_per_s'],
  ['encode, batch 8', 'encode_b8_images_per_s', 'images/s', true, 'encode_b8_images_per_s'],
  ['  graphs only, b1', 'encode_graphs_b1_images_per_s', 'images/s', true, 'encode_b1_images_per_s'],
  ['  graphs only, b8', 'encode_graphs_b8_images_per_s', 'images/s', true, 'encode_b8_images_per_s'],
  ['decode, batch 1', 'decode_b1_s_per_image', 's/image', false, 'decode_b1_s_per_image'],
  ['decode, batch 8', 'decode_b8_s_per_image', 's/image', false, 'decode_b8_s_per_image']
];

// Each round times ONNX Runtime, then PyTorch, back to back, so both see the same machine load; the
// ratio is taken per round and the median round reported (a shared machine makes single runs noisy).
const runs = [];
for (let round = 0; round < rounds; round++) {
  const ort = await benchOrt(modelDir);
  const compared = compareDir ? await benchOrt(compareDir) : null;
  const torch = benchTorch(ort.spin);
  const ratios = Object.fromEntries(
    rows.map(([, key, , higherIsBetter, torchKey]) => [
      key,
      torch.missing ? null : speedUp(ort[key], torch[torchKey], higherIsBetter)
    ])
  );
  const againstCompared =
    compared &&
    Object.fromEntries(
      rows.map(([, key, , higherIsBetter]) => [key, speedUp(ort[key], compared[key], higherIsBetter)])
    );
  runs.push({ onnxruntime: ort, pytorch: torch, ratios, compared, againstCompared });
}
const first = runs[0];
const summary = Object.fromEntries(
  rows.map(([, key, , , torchKey]) => [
    key,
    {
      onnxruntime: median(runs.map((r) => r.onnxruntime[key])),
      pytorch: first.pytorch.missing ? null : median(runs.map((r) => r.pytorch[torchKey])),
      ratio: first.pytorch.missing ? null : median(runs.map((r) => r.ratios[key])),
      ratios: first.pytorch.missing ? null : runs.map((r) => r.ratios[key]),
      againstCompared: compareDir ? median(runs.map((r) => r.againstCompared[key])) : null
    }
  ])
);
const tokenize = tokenizeLeftOut ? null : await benchTokenize({ model: modelDir, ...tokenizeSizes });
if (values.json) {
  console.log(
    JSON.stringify(
      { model: modelDir, compareWith: compareDir, threads, repeats, rounds, summary, runs, tokenize },
      null,
      2
    )
  );
} else {
  const ort = first.onnxruntime;
  console.log(
    `SEED runtime benchmark: ${modelDir}\nCPU, ${threads} threads; each figure the median of ${repeats} timed runs, ` +
      `then the median of ${rounds} rounds; decode = ${ort.sampler} ${ort.steps} steps, guidance ${ort.guidance}\n` +
      `ONNX Runtime threads: ${ort.threads}\n` +
      `${torchThreadsLine(ort.spin)}\n`
  );
  const fmt = (v) =>
    v === undefined || v === null ? '-' : v >= 100 ? v.toFixed(0) : v >= 1 ? v.toFixed(2) : v.toFixed(4);
  console.log(
    `${''.padEnd(18)}${'ONNX Runtime'.padStart(14)}${'PyTorch'.padStart(12)}${'ORT speed-up'.padStart(15)}` +
      (compareDir ? `${'vs compared'.padStart(13)}` : '') +
      '  (per round)'
  );
  for (const [label, key, unit] of rows) {
    const row = summary[key];
    const perRound = row.ratios ? ` (${row.ratios.map((r) => r.toFixed(2)).join(', ')})` : '';
    const vsCompared = compareDir ? `${row.againstCompared.toFixed(2)}x`.padStart(13) : '';
    console.log(
      `${label.padEnd(18)}${fmt(row.onnxruntime).padStart(14)}${fmt(row.pytorch).padStart(12)}` +
        `${(row.ratio ? `${row.ratio.toFixed(2)}x` : '-').padStart(15)}${vsCompared}  ${unit}${perRound}`
    );
  }
  if (first.pytorch.missing) {
    console.log(`\nPyTorch: ${first.pytorch.missing}`);
  } else {
    console.log(
      `\nPyTorch ${first.pytorch.torch}, ${first.pytorch.threads} threads. Speed-up > 1: ONNX Runtime is faster.`
    );
  }
  if (compareDir) {
    console.log(
      `vs compared: the runtime on this model against the runtime on ${compareDir}, same rounds (> 1: this one is faster).`
    );
  }
  console.log(`\n${tokenize ? formatTokenizeBench(tokenize) : 'tokenize: left out (--tokenize-images 0)'}`);
}
