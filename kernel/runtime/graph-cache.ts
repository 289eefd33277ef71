/**
 * Optimized ONNX graphs, kept between processes. Building a session optimizes the graph (constant
 * folding, fusions, layout changes), which takes most of the half minute the full-size SEED encoder needs
 * to start; ONNX Runtime can write the optimized graph out (`optimizedModelFilePath`), and a session made
 * from that file with optimizations off starts in seconds. The optimized graph is only valid for the same
 * graph content, ONNX Runtime version, execution provider and CPU (the `all` level emits CPU-specific
 * layouts), so all of these make up the cache key; an entry that fails to load is deleted and rebuilt.
 *
 * Loading a cached graph is then dominated by weight prepacking: the CPU provider repacks every MatMul
 * weight into its GEMM layout as the session starts (measured on the full-size SEED v1 encoder, 4.1 GB:
 * 20-27 s of a 21-28 s load; 0.8 s with prepacking off). A session without prepacking runs slower (it
 * packs the weights on every call: 1.3-1.5x the encode time there), so for large graphs the cache gives a
 * quick session at once and the full-speed one on request (`fullSpeed`), for the caller to swap in.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ort } from './onnxruntime';

const GRAPH_FILE = 'model.onnx';
/** Weights go to one external file: protobuf cannot hold the 4 GB encoder inline. */
const WEIGHTS_FILE = 'model.onnx.data';
/** Written last: an entry without it is unfinished (a crash or a concurrent writer) and is ignored. */
const ENTRY_FILE = 'entry.json';

/** How a session came to be. */
export type SessionSource = 'cache' | 'built' | 'rebuilt' | 'uncached';

export interface CachedSession {
  session: ort.InferenceSession;
  source: SessionSource;
  /** Why the cache was not used, when it was not. */
  note?: string;
  /**
   * Set when `session` is a quick start (a large cached graph loaded without weight prepacking): creates
   * the full-speed session of the same entry, for the caller to swap in when it suits.
   */
  fullSpeed?: () => Promise<ort.InferenceSession>;
}

/** Cached graphs with at least this many bytes of weights start without prepacking first (see above). */
export const QUICK_START_MIN_BYTES = 512 * 1024 * 1024;

/** What identifies an optimized graph besides its content. */
export interface GraphCacheKey {
  /** sha256 of the graph file and of each of its external-data files, in the manifest's order. */
  contentSha256: string[];
  provider: string;
}

interface Entry {
  source: string;
  key: Record<string, unknown>;
  created: string;
}

export class GraphCache {
  constructor(readonly dir: string) {}

  /**
   * A session for `source`: from the cached optimized graph when there is one, else built from `source`
   * (writing the optimized graph for next time). `options` are the build options; the cached graph is
   * loaded with the same options but optimizations off, as ONNX Runtime's offline-optimization guide says.
   */
  async create(
    source: string,
    key: GraphCacheKey,
    options: ort.InferenceSession.SessionOptions,
    /** Weights of at least this size get a quick start from the cache (Infinity: never). */
    quickStartBytes = QUICK_START_MIN_BYTES
  ): Promise<CachedSession> {
    const fullKey = {
      ...key,
      onnxruntime: ort.env.versions.node ?? ort.env.versions.common,
      platform: `${process.platform}-${process.arch}`,
      cpu: cpuModel(),
      level: options.graphOptimizationLevel ?? 'all'
    };
    const id = createHash('sha256').update(JSON.stringify(fullKey)).digest('hex').slice(0, 32);
    const entryDir = path.join(this.dir, 'graphs', id);
    let rebuilt = false;
    if (fs.existsSync(path.join(entryDir, ENTRY_FILE))) {
      const graph = path.join(entryDir, GRAPH_FILE);
      const cached = { ...options, graphOptimizationLevel: 'disabled' as const };
      try {
        if (weightBytes(entryDir) >= quickStartBytes) {
          const session = await ort.InferenceSession.create(graph, withoutPrepacking(cached));
          return { session, source: 'cache', fullSpeed: () => ort.InferenceSession.create(graph, cached) };
        }
        const session = await ort.InferenceSession.create(graph, cached);
        return { session, source: 'cache' };
      } catch {
        // Damaged or truncated entry (disk full, killed writer): rebuild it from the source graph.
        fs.rmSync(entryDir, { recursive: true, force: true });
        rebuilt = true;
      }
    }
    let staging: string;
    try {
      fs.mkdirSync(path.join(this.dir, 'graphs'), { recursive: true });
      staging = fs.mkdtempSync(path.join(this.dir, 'graphs', `${id}.tmp-`));
    } catch (error) {
      const session = await ort.InferenceSession.create(source, options);
      return { session, source: 'uncached', note: `cache ${this.dir} not writable: ${(error as Error).message}` };
    }
    try {
      const session = await ort.InferenceSession.create(source, {
        ...options,
        // ONNX Runtime warns that the optimized graph is specific to this machine: the key says so already.
        logSeverityLevel: 3,
        optimizedModelFilePath: path.join(staging, GRAPH_FILE),
        extra: {
          ...options.extra,
          session: {
            ...(options.extra?.session as Record<string, unknown> | undefined),
            optimized_model_external_initializers_file_name: WEIGHTS_FILE,
            optimized_model_external_initializers_min_size_in_bytes: '1024'
          }
        }
      });
      this.publish(staging, entryDir, source, fullKey);
      return { session, source: rebuilt ? 'rebuilt' : 'built' };
    } finally {
      fs.rmSync(staging, { recursive: true, force: true });
    }
  }

  /** Moves a finished entry into place and removes older entries of the same source file. */
  private publish(staging: string, entryDir: string, source: string, key: Record<string, unknown>): void {
    try {
      if (!fs.existsSync(path.join(staging, GRAPH_FILE))) {
        return;
      }
      const entry: Entry = { source, key, created: new Date().toISOString() };
      fs.writeFileSync(path.join(staging, ENTRY_FILE), JSON.stringify(entry, null, 2));
      this.removeStale(source, key.provider, path.basename(entryDir));
      fs.rmSync(entryDir, { recursive: true, force: true });
      fs.renameSync(staging, entryDir);
    } catch {
      // Another process published the same entry first, or the disk is full: the session works anyway.
    }
  }

  /** Entries of the same path and provider with other content (the file changed) would only take disk space. */
  private removeStale(source: string, provider: unknown, keep: string): void {
    const graphs = path.join(this.dir, 'graphs');
    for (const name of fs.readdirSync(graphs)) {
      if (name === keep || name.includes('.tmp-')) {
        continue;
      }
      try {
        const entry = JSON.parse(fs.readFileSync(path.join(graphs, name, ENTRY_FILE), 'utf8')) as Entry;
        if (entry.source === source && entry.key.provider === provider) {
          fs.rmSync(path.join(graphs, name), { recursive: true, force: true });
        }
      } catch {
        // Not an entry, or one being written: leave it.
      }
    }
  }
}

/** Bytes of the entry's external weights file (0 when the weights are inline). */
function weightBytes(entryDir: string): number {
  try {
    return fs.statSync(path.join(entryDir, WEIGHTS_FILE)).size;
  } catch {
    return 0;
  }
}

function withoutPrepacking(options: ort.InferenceSession.SessionOptions): ort.InferenceSession.SessionOptions {
  const session = options.extra?.session as Record<string, unknown> | undefined;
  return { ...options, extra: { ...options.extra, session: { ...session, disable_prepacking: '1' } } };
}

/** The CPU model, part of the key because the `all` level chooses kernels and layouts for this CPU. */
function cpuModel(): string {
  return os.cpus()[0]?.model ?? 'unknown';
}
