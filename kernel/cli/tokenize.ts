/**
 * `jupyterlab-seed tokenize`: a dataset -> Parquet (or webdataset) shards of SEED tokens, resumable and
 * shardable over SLURM arrays and Kubernetes Indexed Jobs; `tokenize status OUT` reports on an output folder.
 */
import { ParseArgsConfig, parseArgs } from 'node:util';
import { SingleBar } from 'cli-progress';
import { PREPROCESS_MODES, SeedModel } from '../runtime';
import type { Preprocess } from '../runtime';
import {
  DEFAULT_BATCH_SIZE,
  DEFAULT_SHARD_SIZE,
  OUTPUT_FORMATS,
  OutputFormat,
  TokenizeProgress,
  prepareTokenize,
  rerunCommands,
  tokenizeStatus
} from '../runtime/dataset';
import { CliCommand, UsageError } from './command';
import { modelDir, modelOptionHelp, parseInteger, threadsOption, threadsOptionHelp } from './model-option';

const USAGE = `Usage: jupyterlab-seed tokenize <input...> --out DIR [options]
       jupyterlab-seed tokenize status DIR

Tokenizes a dataset into SEED codes: one output shard per input shard, each with a manifest
(shard-NNNNN.done.json) written last. A rerun skips finished shards; an interrupted shard leaves nothing.

Inputs: folders (recursive), images, quoted globs ('imgs/**/*.jpg'), list files (.txt: one path per line;
.jsonl/.csv: 'path' and optional 'caption', 'key'), webdataset tars or brace patterns
('shards/{00000..00099}.tar'). Each tar is one shard; images are sorted and cut into shards of --shard-size.

Options:
  --out DIR            output folder (created if missing)
  --format F           parquet (default) or wds (a tar with one <key>.json per sample)
  --shard-index I      this worker's index (default: $SLURM_ARRAY_TASK_ID, else $JOB_COMPLETION_INDEX)
  --num-shards N       the number of workers (always from the command line; default 1)
${threadsOptionHelp(23)}
  --batch-size N       images per encoder batch (default ${DEFAULT_BATCH_SIZE})
  --shard-size N       images per shard for folders, globs and lists (default ${DEFAULT_SHARD_SIZE})
  --preprocess P       default (EXIF orientation, transparency on white) or release (as SEED's own
                       scripts: PIL convert("RGB"), no EXIF orientation)
${modelOptionHelp(23)}

status DIR prints done/total shards, samples, errors, the missing worker indices and the command that
reruns only those; it exits 0 when every shard is done, 1 otherwise.`;

export const tokenizeCommand: CliCommand = {
  name: 'tokenize',
  summary: 'tokenize a dataset into Parquet or webdataset shards (resumable, SLURM/Kubernetes arrays)',
  usage: USAGE,
  run(args) {
    return args[0] === 'status' ? status(args.slice(1)) : tokenize(args);
  }
};

/** parseArgs with every option a string (the command has no flags). */
function parse(
  args: string[],
  options: NonNullable<ParseArgsConfig['options']>
): { values: Record<string, string | undefined>; positionals: string[] } {
  try {
    const parsed = parseArgs({ args, options, strict: true, allowPositionals: true });
    return { values: parsed.values as Record<string, string | undefined>, positionals: parsed.positionals };
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

async function status(args: string[]): Promise<number> {
  const { positionals } = parse(args, {});
  if (positionals.length !== 1) {
    throw new UsageError('tokenize status takes one output folder.');
  }
  const result = await tokenizeStatus(positionals[0]);
  const complete = result.shardsDone === result.shardsTotal;
  console.log(
    `${positionals[0]}: ${result.shardsDone}/${result.shardsTotal} shards done${complete ? ' (complete)' : ''}`
  );
  console.log(`samples: ${result.samples}, errors: ${result.errors}`);
  if (!complete) {
    console.log(`missing shards: ${result.missingShards.join(', ')}`);
    console.log(`missing worker indices (of ${result.plan.numShards}): ${result.missingWorkers.join(', ')}`);
    console.log('rerun only those:');
    rerunCommands(result).forEach((line) => console.log(`  ${line}`));
  }
  return complete ? 0 : 1;
}

async function tokenize(args: string[]): Promise<number> {
  const { values, positionals } = parse(args, {
    out: { type: 'string' },
    format: { type: 'string' },
    'shard-index': { type: 'string' },
    'num-shards': { type: 'string' },
    threads: { type: 'string' },
    'batch-size': { type: 'string' },
    'shard-size': { type: 'string' },
    preprocess: { type: 'string' },
    model: { type: 'string' }
  });
  if (positionals.length === 0) {
    throw new UsageError('Give at least one input (a folder, glob, list file or tar pattern).');
  }
  const out = values.out;
  if (!out) {
    throw new UsageError('Give the output folder with --out DIR.');
  }
  const format = values.format ?? 'parquet';
  if (!OUTPUT_FORMATS.includes(format as OutputFormat)) {
    throw new UsageError(`--format must be ${OUTPUT_FORMATS.join(' or ')}, got '${format}'.`);
  }
  const preprocess = values.preprocess ?? 'default';
  if (!PREPROCESS_MODES.includes(preprocess as Preprocess)) {
    throw new UsageError(`--preprocess must be ${PREPROCESS_MODES.join(' or ')}, got '${preprocess}'.`);
  }
  const integer = (name: string, min: number) => parseInteger(name, values[name], min);
  // --threads, else the runtime's own choice: SLURM_CPUS_PER_TASK in a SLURM job, else the CPUs available.
  const model = await SeedModel.load(modelDir(values.model), { threads: threadsOption(values.threads) });
  const controller = new AbortController();
  // SLURM and Kubernetes send SIGTERM before they kill (preemption, scancel, timeouts): abandon the shard
  // in progress, which leaves no file that counts, and exit so the scheduler can requeue.
  let signalled: NodeJS.Signals | undefined;
  const stop = (signal: NodeJS.Signals) => {
    signalled = signal;
    controller.abort();
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  try {
    const job = await prepareTokenize({
      inputs: positionals,
      out,
      model,
      format: format as OutputFormat,
      preprocess: preprocess as Preprocess,
      batchSize: integer('batch-size', 1),
      shardSize: integer('shard-size', 1),
      shardIndex: integer('shard-index', 0),
      numShards: integer('num-shards', 1),
      command: commandForRerun(args),
      signal: controller.signal,
      ...reporter()
    });
    const { worker } = job;
    console.error(
      `tokenize: worker ${worker.index} of ${worker.numShards} (index from ${worker.indexFrom}): ${job.shards.length} of ` +
        `${job.plan.shards.length} shards, model ${model.manifest.id} on ${model.executionProvider.name}, ` +
        `${model.threads.count} threads (${model.threads.reason})`
    );
    const summary = await job.run();
    reporterStop();
    const rate = summary.wallSeconds > 0 ? (summary.samples + summary.errors) / summary.wallSeconds : 0;
    console.error(
      `tokenize: ${summary.completed} shards written, ${summary.skipped} already done; ${summary.samples} images, ` +
        `${summary.errors} errors in ${summary.wallSeconds.toFixed(1)} s (${rate.toFixed(1)} images/s)` +
        (summary.interrupted ? `; interrupted by ${signalled ?? 'a signal'}, the shard in progress was abandoned` : '')
    );
    if (summary.interrupted) {
      return signalled === 'SIGINT' ? 130 : 143;
    }
    return 0;
  } finally {
    reporterStop();
    process.off('SIGTERM', stop);
    process.off('SIGINT', stop);
    await model.release();
  }
}

/** The command line as given, minus the worker index, so `status` can print it back per missing worker. */
function commandForRerun(args: string[]): string[] {
  const kept: string[] = [];
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--shard-index' || args[i] === '--num-shards') {
      i++;
    } else if (!args[i].startsWith('--shard-index=') && !args[i].startsWith('--num-shards=')) {
      kept.push(args[i]);
    }
  }
  return ['jupyterlab-seed', 'tokenize', ...kept];
}

let reporterStop: () => void = () => undefined;

/**
 * A live bar on a terminal (images, images/s, ETA); on anything else (cluster logs) one plain line per
 * shard, because a bar's redraws would fill a log file.
 */
function reporter(): {
  onProgress: (progress: TokenizeProgress) => void;
  onShard: (shard: { shard: string; samples: number; errors: number; wallSeconds: number }, skipped: boolean) => void;
} {
  if (!process.stderr.isTTY) {
    reporterStop = () => undefined;
    return {
      onProgress: () => undefined,
      onShard: (shard, skipped) =>
        console.error(
          skipped
            ? `${shard.shard}: already done (${shard.samples} images, ${shard.errors} errors)`
            : `${shard.shard}: ${shard.samples} images, ${shard.errors} errors in ${shard.wallSeconds.toFixed(1)} s ` +
                `(${((shard.samples + shard.errors) / Math.max(shard.wallSeconds, 1e-3)).toFixed(1)} images/s)`
        )
    };
  }
  const bar = new SingleBar({
    format: '{bar} {value}/{total} {unit} | {rate} images/s | ETA {eta_formatted} | shards {shards} | errors {errors}',
    hideCursor: true,
    stream: process.stderr,
    etaBuffer: 50
  });
  const started = performance.now();
  let running = false;
  reporterStop = () => {
    if (running) {
      bar.stop();
      running = false;
    }
  };
  return {
    onProgress: (progress) => {
      const images = progress.samples + progress.errors;
      const byImages = progress.imagesTotal !== undefined;
      const value = byImages ? images : progress.shardsDone;
      const total = byImages ? (progress.imagesTotal as number) : progress.shardsTotal;
      const payload = {
        unit: byImages ? 'images' : 'shards',
        rate: (images / Math.max((performance.now() - started) / 1000, 1e-3)).toFixed(1),
        shards: `${progress.shardsDone}/${progress.shardsTotal}`,
        errors: progress.errors
      };
      if (!running) {
        bar.start(total, value, payload);
        running = true;
      } else {
        bar.update(value, payload);
      }
    },
    onShard: () => undefined
  };
}
