/**
 * The dataset tokenizer: plan the input shards, take this worker's share, and for each shard not yet done
 * run the pipeline and write its files atomically, the manifest last. Everything that can be wrong with
 * the call (inputs, output folder, worker index, model files) is checked by prepareTokenize() before any
 * shard starts.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ort } from '../onnxruntime';
import { SeedCancelledError, SeedInputError } from '../errors';
import type { Preprocess } from '../types';
import { PREPROCESS_MODES } from '../images';
import type { SeedModel } from '../model';
import { resolveModelPath, sha256File } from '../manifest-loader';
import { resolveInputs } from './inputs/resolve';
import { parquetBytes } from './output/parquet';
import { manifestPath, readDoneManifest, removeStaleTemps, sha256, writeAtomic } from './output/shard-files';
import { wdsTarBytes } from './output/wds';
import { WorkerSlot, resolveWorker, shardName, shardsOfWorker } from './plan/assign';
import { tokenizeShard } from './pipeline/shard-pipeline';
import { identityOf, PLAN_FILE, readPlan, samePlan } from './plan/plan-file';
import type { InputShard, ModelIdentity, OutputFormat, ShardManifest, TokenRecord, TokenizePlan } from './types';
import { OUTPUT_FORMATS } from './types';

export const DEFAULT_SHARD_SIZE = 1000;
export const DEFAULT_BATCH_SIZE = 16;

export interface TokenizeOptions {
  /** Folders, images, globs, list files, webdataset tars or brace patterns of tars. */
  inputs: string[];
  /** The output folder (created if missing). */
  out: string;
  /** The loaded model; its threads follow the caller's allocation. */
  model: SeedModel;
  format?: OutputFormat;
  preprocess?: Preprocess;
  /** Images per output shard for folders, globs and lists (default 1000). */
  shardSize?: number;
  /** Images per encoder batch (default 16). */
  batchSize?: number;
  shardIndex?: number;
  numShards?: number;
  /** Where SLURM_ARRAY_TASK_ID / JOB_COMPLETION_INDEX are read (default process.env). */
  env?: NodeJS.ProcessEnv;
  /** The command line without `--shard-index`, recorded in the plan so `status` can print the rerun command. */
  command?: string[];
  signal?: AbortSignal;
  onProgress?: (progress: TokenizeProgress) => void;
  onShard?: (shard: ShardManifest, skipped: boolean) => void;
  /** The records of each shard this run writes, after its files are in place; awaited, so a slow consumer holds the run back. */
  onRecords?: (records: TokenRecord[], shard: ShardManifest) => Promise<void> | void;
}

export interface TokenizeProgress {
  /** This worker's shards: finished (including skipped ones) and in all. */
  shardsDone: number;
  shardsTotal: number;
  /** Samples tokenized and failed so far in this run. */
  samples: number;
  errors: number;
  /** Images this run still has to do, when known (folders and lists; not tars, which are streamed). */
  imagesTotal?: number;
}

export interface TokenizeSummary {
  out: string;
  worker: WorkerSlot;
  /** Shards in the whole plan, and this worker's. */
  planShards: number;
  workerShards: number;
  /** This worker's shards found done already, and done by this run. */
  skipped: number;
  completed: number;
  samples: number;
  errors: number;
  /** True when the signal fired: the shard in progress was abandoned. */
  interrupted: boolean;
  wallSeconds: number;
}

export interface TokenizeJob {
  plan: TokenizePlan;
  worker: WorkerSlot;
  /** This worker's input shards, in plan order. */
  shards: InputShard[];
  run(): Promise<TokenizeSummary>;
}

function packageVersion(): string {
  const file = path.resolve(__dirname, '..', '..', '..', 'package.json');
  return (JSON.parse(fs.readFileSync(file, 'utf8')) as { version: string }).version;
}

/**
 * The model as manifests record it: its id, its family (whose decoder the codes are for) and the sha256 of the files encoding reads, checked against the
 * manifest first (a damaged copy stops here, before any work), or computed when the manifest gives none.
 */
async function modelIdentity(model: SeedModel): Promise<ModelIdentity> {
  await model.verifyEncoderFiles();
  const { tokenizer } = model.manifest;
  const hash = async (ref: { path: string; sha256?: string }) =>
    ref.sha256 ?? (await sha256File(resolveModelPath(model.dir, ref.path)));
  return {
    id: model.manifest.id,
    family: model.manifest.family,
    files: { 'tokenizer.codebook': await hash(tokenizer.codebook), 'tokenizer.encoder': await hash(tokenizer.encoder) }
  };
}

async function checkWritable(out: string): Promise<void> {
  try {
    await fs.promises.mkdir(out, { recursive: true });
    const probe = path.join(out, `.write-test-${process.pid}`);
    await fs.promises.writeFile(probe, '');
    await fs.promises.rm(probe);
  } catch (error) {
    throw new SeedInputError(
      `Cannot write to the output folder ${out} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}). ` +
        'Choose a folder you can write to.',
      { cause: error }
    );
  }
}

/** Checks everything and plans the work; nothing is tokenized until run(). */
export async function prepareTokenize(options: TokenizeOptions): Promise<TokenizeJob> {
  const format = options.format ?? 'parquet';
  if (!OUTPUT_FORMATS.includes(format)) {
    throw new SeedInputError(`Unknown output format '${format}'; use ${OUTPUT_FORMATS.join(' or ')}.`);
  }
  const preprocess = options.preprocess ?? 'default';
  if (!PREPROCESS_MODES.includes(preprocess)) {
    throw new SeedInputError(`Unknown preprocessing '${preprocess}'; use ${PREPROCESS_MODES.join(' or ')}.`);
  }
  const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new SeedInputError(`The batch size must be a whole number of at least 1, got ${batchSize}.`);
  }
  const shardSize = options.shardSize ?? DEFAULT_SHARD_SIZE;
  const worker = resolveWorker(options, options.env);
  const inputShards = resolveInputs(options.inputs, shardSize);
  await checkWritable(options.out);
  const model = await modelIdentity(options.model);
  const plan: TokenizePlan = {
    formatVersion: 1,
    inputs: options.inputs,
    shardSize,
    format,
    preprocess,
    numShards: worker.numShards,
    model,
    shards: inputShards.map((shard) => ({ name: shardName(shard.index), input: identityOf(shard) })),
    command: options.command ?? []
  };
  const planFile = path.join(options.out, PLAN_FILE);
  const existing = readPlan(options.out);
  if (existing) {
    const difference = samePlan(existing, plan);
    if (difference) {
      throw new SeedInputError(
        `${options.out} holds the output of another tokenize run (${difference}). Use another --out, or delete the folder to start over.`
      );
    }
  } else {
    await writeAtomic(planFile, `${JSON.stringify(plan, null, 2)}\n`);
  }
  const shards = shardsOfWorker(inputShards.length, worker.index, worker.numShards).map((i) => inputShards[i]);
  return { plan, worker, shards, run: () => runJob(options, plan, worker, shards, batchSize) };
}

async function runJob(
  options: TokenizeOptions,
  plan: TokenizePlan,
  worker: WorkerSlot,
  shards: InputShard[],
  batchSize: number
): Promise<TokenizeSummary> {
  const started = performance.now();
  const summary: TokenizeSummary = {
    out: options.out,
    worker,
    planShards: plan.shards.length,
    workerShards: shards.length,
    skipped: 0,
    completed: 0,
    samples: 0,
    errors: 0,
    interrupted: false,
    wallSeconds: 0
  };
  const todo: InputShard[] = [];
  for (const shard of shards) {
    const done = await readDoneManifest(options.out, shardName(shard.index), identityOf(shard));
    if (done) {
      summary.skipped++;
      options.onShard?.(done, true);
    } else {
      todo.push(shard);
    }
  }
  const knownImages = todo.every((shard) => shard.kind === 'files');
  const imagesTotal = knownImages
    ? todo.reduce((n, shard) => n + (shard.kind === 'files' ? shard.samples.length : 0), 0)
    : undefined;
  const progress = (samples: number, errors: number) =>
    options.onProgress?.({
      shardsDone: summary.skipped + summary.completed,
      shardsTotal: shards.length,
      samples: summary.samples + samples,
      errors: summary.errors + errors,
      imagesTotal
    });
  progress(0, 0);
  for (const shard of todo) {
    if (options.signal?.aborted) {
      summary.interrupted = true;
      break;
    }
    try {
      const { manifest, records } = await writeShard(options, plan, worker, shard, batchSize, progress);
      summary.completed++;
      summary.samples += manifest.samples;
      summary.errors += manifest.errors;
      options.onShard?.(manifest, false);
      await options.onRecords?.(records, manifest);
      progress(0, 0);
    } catch (error) {
      if (error instanceof SeedCancelledError) {
        summary.interrupted = true;
        await removeStaleTemps(options.out, shardName(shard.index));
        break;
      }
      throw error;
    }
  }
  summary.wallSeconds = (performance.now() - started) / 1000;
  return summary;
}

async function writeShard(
  options: TokenizeOptions,
  plan: TokenizePlan,
  worker: WorkerSlot,
  shard: InputShard,
  batchSize: number,
  progress: (samples: number, errors: number) => void
): Promise<{ manifest: ShardManifest; records: TokenRecord[] }> {
  const started = performance.now();
  const name = shardName(shard.index);
  await removeStaleTemps(options.out, name);
  // A manifest that failed validation (other input, damaged files) goes first, so the shard never looks done.
  await fs.promises.rm(manifestPath(options.out, name), { force: true });
  const { records, errors } = await tokenizeShard(shard, {
    model: options.model,
    preprocess: plan.preprocess,
    batchSize,
    signal: options.signal,
    onSamples: progress
  });
  const files: { name: string; bytes: Buffer }[] = [
    plan.format === 'parquet'
      ? { name: `${name}.parquet`, bytes: parquetBytes(records) }
      : { name: `${name}.tar`, bytes: await wdsTarBytes(records) }
  ];
  const errorsFile = `${name}.errors.jsonl`;
  if (errors.length > 0) {
    files.push({ name: errorsFile, bytes: Buffer.from(errors.map((e) => `${JSON.stringify(e)}\n`).join('')) });
  } else {
    await fs.promises.rm(path.join(options.out, errorsFile), { force: true });
  }
  // The signal is checked once more before anything lands: an interrupted shard leaves nothing behind.
  if (options.signal?.aborted) {
    throw new SeedCancelledError('Tokenizing was interrupted; the current shard was abandoned (a rerun redoes it).');
  }
  for (const file of files) {
    await writeAtomic(path.join(options.out, file.name), file.bytes);
  }
  const manifest: ShardManifest = {
    formatVersion: 1,
    shard: name,
    index: shard.index,
    input: identityOf(shard),
    samples: records.length,
    errors: errors.length,
    files: files.map((file) => ({ name: file.name, sha256: sha256(file.bytes), bytes: file.bytes.length })),
    model: plan.model,
    preprocess: plan.preprocess,
    format: plan.format,
    runtimeVersion: packageVersion(),
    onnxruntimeVersion: ort.env.versions.node ?? ort.env.versions.common,
    executionProvider: options.model.executionProvider.name,
    wallSeconds: Math.round(performance.now() - started) / 1000,
    worker: { index: worker.index, numShards: worker.numShards, host: os.hostname() }
  };
  await writeAtomic(manifestPath(options.out, name), `${JSON.stringify(manifest, null, 2)}\n`);
  return { manifest, records };
}
