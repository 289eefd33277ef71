/**
 * ONNX Runtime sessions: created on first use, cached per file, released on demand. Inputs and outputs
 * are converted at the graph boundary to the element type the graph declares (float32, float16, int64...),
 * so fp16 and fp32 exports both work and the rest of the runtime only sees Float32Array.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ort } from './onnxruntime';
import { SeedModelError, SeedOutOfMemoryError } from './errors';
import { fromFloat16, toFloat16 } from './float16';
import { CachedSession, GraphCache, QUICK_START_MIN_BYTES, SessionSource } from './graph-cache';
import type { ModelFile } from './manifest-loader';
import type { SessionThreads } from './threads';
import type { ExecutionProviderChoice, ExecutionProviderName } from './types';

/** ORT's messages when CUDA (or its BFC arena) cannot allocate. */
const OUT_OF_MEMORY =
  /out of memory|Failed to allocate memory|BFCArena|CUBLAS_STATUS_ALLOC_FAILED|cudaErrorMemoryAllocation/i;

const CUDA_PROVIDER_LIBRARY = 'libonnxruntime_providers_cuda.so';

/** Where onnxruntime-node keeps its native libraries (and the CUDA provider, when installed). */
function ortBinaryDir(): string {
  const root = path.dirname(require.resolve('onnxruntime-node/package.json'));
  return path.join(root, 'bin', 'napi-v6', process.platform, process.arch);
}

/**
 * Picks the first requested execution provider this installation can run, with the reason.
 * The npm build of onnxruntime-node is CPU-only: `listSupportedBackends()` reports `cuda bundled:false`,
 * and the CUDA provider library only appears after its install script downloads it.
 */
export function chooseExecutionProvider(requested: ExecutionProviderName[]): ExecutionProviderChoice {
  const skipped: string[] = [];
  for (const name of requested) {
    if (name === 'cpu') {
      const reason = skipped.length ? `${skipped.join(' ')} Running on CPU.` : 'CPU requested.';
      return { name, reason };
    }
    const backend = ort.listSupportedBackends().find((b) => b.name === 'cuda');
    const library = path.join(ortBinaryDir(), CUDA_PROVIDER_LIBRARY);
    if (!backend) {
      skipped.push(
        `CUDA is not available: this onnxruntime-node build has no CUDA backend on ${process.platform}/${process.arch}.`
      );
    } else if (!backend.bundled && !fs.existsSync(library)) {
      skipped.push(
        'CUDA is not available: the npm build of onnxruntime-node does not bundle the CUDA execution provider ' +
          `(listSupportedBackends: cuda bundled:false) and ${library} is not installed. To use an NVIDIA GPU, run ` +
          "'node node_modules/onnxruntime-node/script/install.js --onnxruntime-node-install=cuda12' (needs CUDA 12 and cuDNN 9)."
      );
    } else {
      return {
        name,
        reason: 'CUDA execution provider installed; graphs run on GPU 0 (nodes it lacks fall back to CPU).'
      };
    }
  }
  throw new SeedModelError(
    `None of the requested execution providers (${requested.join(', ')}) can run here. ${skipped.join(' ')} Add 'cpu'.`
  );
}

/**
 * Session options, chosen for these graphs on machines shared with Jupyter and a browser:
 * - `intraOpNumThreads`: the caller's count (see threads.ts); ONNX Runtime's own default is one thread per
 *   physical core of the whole machine, which ignores CPU affinity, SLURM and container limits.
 * - `executionMode: 'sequential'` with one inter-op thread: every SEED graph is a chain (ViT blocks, UNet
 *   blocks); a parallel inter-op pool would only add threads competing for the same cores.
 * - spinning as threads.ts chooses it (`chooseSpinning`: when the machine is not busy): worker threads
 *   spin-wait between the operators of a call, and `force_spinning_stop` ends the spinning when the call
 *   returns, so an idle kernel leaves the CPU to JupyterLab and the browser (measured: 0.3 ms of CPU in the
 *   half second after a call, against 37 ms with spinning left running).
 */
export function cpuSessionOptions(threads: SessionThreads): ort.InferenceSession.SessionOptions {
  const spin = threads.spin ? '1' : '0';
  return {
    graphOptimizationLevel: 'all',
    intraOpNumThreads: threads.count,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    extra: {
      session: { intra_op: { allow_spinning: spin }, inter_op: { allow_spinning: '0' }, force_spinning_stop: '1' }
    }
  };
}

/** A float tensor handed to or returned from a graph, always as float32 on our side. */
export interface FloatTensor {
  data: Float32Array;
  dims: number[];
}

/** One loaded ONNX graph. */
export class Graph {
  private readonly inputs = new Map<string, ort.InferenceSession.TensorValueMetadata>();
  private session: ort.InferenceSession;
  /** Runs in progress; a replaced session is released when the last run that uses it ends. */
  private readonly running = new Map<ort.InferenceSession, number>();
  private readonly retired = new Set<ort.InferenceSession>();
  private runs = 0;
  private upgrading?: Promise<void>;
  private released = false;
  private fullSpeedAfter: number | null;

  constructor(
    readonly file: ModelFile,
    session: ort.InferenceSession,
    /** Whether the optimized graph came from the cache (see graph-cache.ts). */
    readonly source: SessionSource = 'uncached',
    /** Seconds the session took to create (hashing excluded). */
    readonly loadSeconds = 0,
    /** For a quick start (a large cached graph without weight prepacking): creates the full-speed session. */
    private readonly fullSpeed?: () => Promise<ort.InferenceSession>
  ) {
    this.session = session;
    this.fullSpeedAfter = fullSpeed ? null : loadSeconds;
    for (const meta of session.inputMetadata) {
      if (meta.isTensor) {
        this.inputs.set(meta.name, meta);
      }
    }
  }

  /** Seconds from the start of loading until the session ran at full speed; null while a quick start is. */
  get fullSpeedSeconds(): number | null {
    return this.fullSpeedAfter;
  }

  /**
   * Resolves once the graph runs at full speed. For a quick start this builds the full-speed session in the
   * background and swaps it in between runs; if that fails, the quick session stays (slower, but it works).
   */
  whenFullSpeed(): Promise<void> {
    if (!this.fullSpeed || this.released) {
      return Promise.resolve();
    }
    if (!this.upgrading) {
      const start = performance.now();
      this.upgrading = this.fullSpeed().then(
        (next) => {
          if (this.released) {
            releaseQuietly(next);
            return;
          }
          this.retire(this.session);
          this.session = next;
          this.fullSpeedAfter = this.loadSeconds + (performance.now() - start) / 1000;
        },
        () => undefined
      );
    }
    return this.upgrading;
  }

  /** Releases the session (and any replaced one still in use once its run ends). */
  async release(): Promise<void> {
    this.released = true;
    this.retire(this.session);
  }

  private retire(session: ort.InferenceSession): void {
    if (this.running.has(session)) {
      this.retired.add(session);
    } else {
      releaseQuietly(session);
    }
  }

  /** Throws SeedModelError unless the graph has these inputs and outputs. */
  expect(inputs: string[], outputs: string[]): void {
    const { inputNames, outputNames } = this.session;
    const missingIn = inputs.filter((name) => !inputNames.includes(name));
    const missingOut = outputs.filter((name) => !outputNames.includes(name));
    if (missingIn.length || missingOut.length) {
      throw new SeedModelError(
        `${this.file.path} (${this.file.field}) does not have the ` +
          [
            missingIn.length ? `input(s) ${missingIn.join(', ')}` : '',
            missingOut.length ? `output(s) ${missingOut.join(', ')}` : ''
          ]
            .filter(Boolean)
            .join(' or ') +
          ` the manifest names; it has inputs ${inputNames.join(', ')} and outputs ` +
          `${outputNames.join(', ')}. Fix the names in seed-model.json or re-export the graph.`
      );
    }
  }

  /** The declared element type of an input (e.g. float32, float16, int64). */
  inputType(name: string): ort.Tensor.Type {
    return this.inputs.get(name)?.type ?? 'float32';
  }

  /** The declared shape of an input: numbers for fixed dimensions, strings for symbolic ones. */
  inputShape(name: string): ReadonlyArray<number | string> {
    return this.inputs.get(name)?.shape ?? [];
  }

  /** A tensor for input `name` in the element type the graph declares. */
  tensor(name: string, values: Float32Array | readonly number[], dims: number[]): ort.Tensor {
    const type = this.inputType(name);
    const floats = values instanceof Float32Array ? values : Float32Array.from(values);
    switch (type) {
      case 'float32':
        return new ort.Tensor('float32', floats, dims);
      case 'float16':
        return new ort.Tensor('float16', toFloat16(floats), dims);
      case 'float64':
        return new ort.Tensor('float64', Float64Array.from(values), dims);
      case 'int64':
        return new ort.Tensor('int64', BigInt64Array.from(Array.from(values, (v) => BigInt(Math.round(v)))), dims);
      case 'int32':
        return new ort.Tensor(
          'int32',
          Int32Array.from(values, (v) => Math.round(v)),
          dims
        );
      default:
        throw new SeedModelError(
          `${this.file.path} (${this.file.field}): input '${name}' has element type ${type}; the runtime feeds float32, float16, float64, int32 or int64.`
        );
    }
  }

  /**
   * Runs the graph and returns the named outputs as float32. A quick start asks for its full-speed session
   * from its second run on: a process that makes one call (a CLI encode) should not wait for a build it
   * would never use, one that makes more will use it.
   */
  async run(feeds: Record<string, ort.Tensor>, outputs: string[]): Promise<Record<string, FloatTensor>> {
    if (++this.runs === 2) {
      void this.whenFullSpeed();
    }
    const session = this.session;
    this.running.set(session, (this.running.get(session) ?? 0) + 1);
    let result: ort.InferenceSession.ReturnType;
    try {
      result = await session.run(feeds, outputs);
    } catch (error) {
      throw graphRunError(this.file, error);
    } finally {
      const left = this.running.get(session)! - 1;
      if (left > 0) {
        this.running.set(session, left);
      } else {
        this.running.delete(session);
        if (this.retired.delete(session)) {
          releaseQuietly(session);
        }
      }
    }
    const out: Record<string, FloatTensor> = {};
    for (const name of outputs) {
      const tensor = result[name] as ort.Tensor;
      out[name] = { data: toFloat32(tensor, this.file, name), dims: [...tensor.dims] };
    }
    return out;
  }
}

/** Releases a session nobody waits for; a failure there only means it was gone already. */
function releaseQuietly(session: ort.InferenceSession): void {
  session.release().catch(() => undefined);
}

function toFloat32(tensor: ort.Tensor, file: ModelFile, name: string): Float32Array {
  switch (tensor.type) {
    case 'float32':
      return tensor.data as Float32Array;
    case 'float16':
      return fromFloat16(tensor.data as Uint16Array);
    case 'float64':
      return Float32Array.from(tensor.data as Float64Array);
    default:
      throw new SeedModelError(
        `${file.path} (${file.field}): output '${name}' has element type ${tensor.type}; the runtime reads float32, float16 or float64.`
      );
  }
}

/** Turns an ORT run failure into a SeedOutOfMemoryError (CUDA out of memory) or a SeedModelError naming the file. */
export function graphRunError(file: ModelFile, error: unknown): Error {
  const message = (error as Error).message ?? String(error);
  if (OUT_OF_MEMORY.test(message)) {
    return new SeedOutOfMemoryError(
      `The GPU ran out of memory running ${path.basename(file.path)} (${file.field}): ${message}. ` +
        'Encode fewer images per call, close other programs using the GPU, use an fp16 export, ' +
        "or load the model with executionProviders: ['cpu'].",
      { cause: error }
    );
  }
  return new SeedModelError(`Running ${file.path} (${file.field}) failed: ${message}`, { cause: error });
}

/** Creates sessions lazily and keeps them per file. */
export class SessionPool {
  private readonly sessions = new Map<string, Promise<Graph>>();
  private readonly ready = new Map<string, Graph>();
  private choice: ExecutionProviderChoice;

  constructor(
    choice: ExecutionProviderChoice,
    /**
     * Called once per file before its first session: checks the file (sha256 against the manifest) and
     * returns the sha256 of the file and its external data, the content part of the graph cache's key.
     */
    private readonly identify: (file: ModelFile) => Promise<string[]>,
    /** Intra-op threads of every session, and whether they spin-wait. */
    private readonly threads: SessionThreads,
    /** Optimized graphs kept between processes; null builds every session from its file. */
    private readonly cache: GraphCache | null,
    /** Cached graphs with this many bytes of weights get a quick start (graph-cache.ts); Infinity: never. */
    private readonly quickStartBytes = QUICK_START_MIN_BYTES
  ) {
    this.choice = choice;
  }

  get executionProvider(): ExecutionProviderChoice {
    return this.choice;
  }

  /** The session for `file`, created on first use. */
  get(file: ModelFile): Promise<Graph> {
    let graph = this.sessions.get(file.path);
    if (!graph) {
      graph = this.create(file);
      this.sessions.set(file.path, graph);
      // A failed load is not kept, so fixing the file and calling again works.
      const pending = graph;
      pending.then(
        (ready) => {
          if (this.sessions.get(file.path) === pending) {
            this.ready.set(file.path, ready);
          }
        },
        () => {
          if (this.sessions.get(file.path) === pending) {
            this.sessions.delete(file.path);
          }
        }
      );
    }
    return graph;
  }

  private async create(file: ModelFile): Promise<Graph> {
    const contentSha256 = await this.identify(file);
    const options = cpuSessionOptions(this.threads);
    if (this.choice.name === 'cuda') {
      try {
        return await this.build(file, contentSha256, { ...options, executionProviders: ['cuda', 'cpu'] }, 'cuda');
      } catch (error) {
        const message = (error as Error).message ?? String(error);
        if (OUT_OF_MEMORY.test(message)) {
          throw graphRunError(file, error);
        }
        // CUDA libraries missing or unusable at run time: say so once and continue on CPU.
        this.choice = {
          name: 'cpu',
          reason: `CUDA failed to start for ${path.basename(file.path)} (${message.split('\n')[0]}); running on CPU.`
        };
      }
    }
    try {
      return await this.build(file, contentSha256, { ...options, executionProviders: ['cpu'] }, 'cpu');
    } catch (error) {
      throw new SeedModelError(
        `ONNX Runtime cannot load ${file.path} (${file.field}): ${(error as Error).message ?? error}. ` +
          'Re-export the graph (opset 13 or newer) and check that its external-data files sit beside it.',
        { cause: error }
      );
    }
  }

  private async build(
    file: ModelFile,
    contentSha256: string[],
    options: ort.InferenceSession.SessionOptions,
    provider: ExecutionProviderName
  ): Promise<Graph> {
    const start = performance.now();
    const { session, source, fullSpeed }: CachedSession = this.cache
      ? await this.cache.create(file.path, { contentSha256, provider }, options, this.quickStartBytes)
      : { session: await ort.InferenceSession.create(file.path, options), source: 'uncached' };
    return new Graph(file, session, source, (performance.now() - start) / 1000, fullSpeed);
  }

  /** The sessions created so far (those still loading are left out). */
  loaded(): Graph[] {
    return [...this.ready.values()];
  }

  /** Releases every session; later calls create them again. */
  async release(): Promise<void> {
    const graphs = [...this.sessions.values()];
    this.sessions.clear();
    this.ready.clear();
    for (const graph of graphs) {
      try {
        await (await graph).release();
      } catch {
        // A session that failed to load has nothing to release.
      }
    }
  }
}
