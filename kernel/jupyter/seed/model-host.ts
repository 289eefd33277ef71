import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { BUNDLED_MODEL_DIR, MODELS_DIR } from '../../runtime/package-paths';
import { SeedModel, SeedModelError } from '../../runtime';
import type { SeedKernelInfo, SeedKernelSettings, SeedLoadingState, SeedModelRef } from '../../protocol';
import { SessionSettings } from './session-settings';

const MANIFEST = 'seed-model.json';
const THREADS_SETTING = 'the setting Threads (Settings → SEED)';

export interface ModelChoice {
  name: string;
  dir: string;
}

/**
 * The kernel's current SEED model: loaded on first use from `SEED_MODEL` or the bundled
 * seed-nano, switchable with `%seed model use` or the panel. One model at a time; switching
 * releases the previous one's ONNX sessions.
 */
export class ModelHost {
  /** The user's settings for this session, applied by every path (magics, API, widgets). */
  readonly settings = new SessionSettings();
  private dir: string;
  /** Who set `settings.threads`, in words `%seed device` repeats ("%seed device --threads 2"). */
  private threadsSource = THREADS_SETTING;
  private loading?: Promise<SeedModel>;
  private loaded?: SeedModel;
  /** Background session building of the loaded model (see warmUp). */
  private warm: SeedLoadingState | null = null;
  private readonly refs = new Map<string, SeedModelRef>();

  constructor(defaultDir = process.env.SEED_MODEL || BUNDLED_MODEL_DIR) {
    this.dir = path.resolve(defaultDir);
  }

  /** The model, loading it the first time. A failed load is retried on the next call. */
  get(): Promise<SeedModel> {
    if (!this.loading) {
      const dir = this.dir;
      this.loading = this.load(dir).then(
        (model) => (this.loaded = model),
        (error: unknown) => {
          this.loading = undefined;
          throw error;
        }
      );
    }
    return this.loading;
  }

  private async load(dir: string): Promise<SeedModel> {
    if (!fs.existsSync(path.join(dir, MANIFEST))) {
      throw new SeedModelError(
        `No SEED model at ${dir} (no ${MANIFEST} there). Run '%seed model list' to see the models, ` +
          "'%seed model use <folder>' to pick one, or set SEED_MODEL before starting the kernel."
      );
    }
    const { executionProviders, threads } = this.settings.current;
    // threads 0: the runtime chooses (SLURM_CPUS_PER_TASK, else the cores the process may use).
    return SeedModel.load(dir, {
      executionProviders: [...executionProviders],
      threads: { count: threads, source: this.threadsSource }
    });
  }

  /**
   * Builds the sessions the first encode needs in the background (the full-size SEED encoder takes from
   * seconds, from the graph cache, to half a minute), so `%seed encode` does not wait the whole time.
   * Progress shows in the kernel info's `loading`; a failure is kept there and the next encode reports it.
   */
  warmUp(): void {
    this.get().then(
      (model) => {
        if (this.warm?.state === 'loading' || (this.warm?.state === 'ready' && this.loaded === model)) {
          return;
        }
        const state: SeedLoadingState = { state: 'loading', done: 0, total: 0, part: null };
        this.warm = state;
        model
          .warmUp((progress) =>
            Object.assign(state, { done: progress.done, total: progress.total, part: progress.field })
          )
          .then(
            () => Object.assign(state, { state: 'ready', part: null }),
            (error: unknown) => Object.assign(state, { state: 'failed', message: errorMessage(error) })
          );
      },
      (error: unknown) => {
        this.warm = { state: 'failed', done: 0, total: 0, part: null, message: errorMessage(error) };
      }
    );
  }

  /** Model folders the kernel knows: the package's models/, SEED_MODEL, and the one in use. */
  list(): ModelChoice[] {
    const found = new Map<string, ModelChoice>();
    const add = (dir: string, name = path.basename(dir)): void => {
      const absolute = path.resolve(dir);
      if (fs.existsSync(path.join(absolute, MANIFEST)) && !found.has(absolute)) {
        found.set(absolute, { name, dir: absolute });
      }
    };
    if (fs.existsSync(MODELS_DIR)) {
      for (const entry of fs.readdirSync(MODELS_DIR).sort()) {
        add(path.join(MODELS_DIR, entry));
      }
    }
    if (process.env.SEED_MODEL) {
      add(process.env.SEED_MODEL);
    }
    add(this.dir);
    return [...found.values()];
  }

  /** Switches to a model by name (from list()) or folder; the old one is released once the new one loads. */
  async use(nameOrPath: string): Promise<SeedModel> {
    const byName = this.list().find((choice) => choice.name === nameOrPath);
    const dir = byName ? byName.dir : path.resolve(nameOrPath);
    const model = await this.load(dir);
    await this.releaseCurrent();
    this.dir = dir;
    this.loaded = model;
    this.loading = Promise.resolve(model);
    this.warmUp();
    return model;
  }

  /**
   * Applies changed settings (checked as a whole first: an invalid one is refused and nothing changes).
   * A new provider list or thread count releases the sessions, so the next use loads with it; a new model
   * folder is loaded now, so a wrong one is reported to whoever changed it.
   */
  async configure(
    changes: Partial<SeedKernelSettings>,
    /** Who changes `threads`, for the reason `%seed device` gives. */
    threadsSource = THREADS_SETTING
  ): Promise<SeedKernelSettings> {
    const before = this.settings.current;
    const after = this.settings.merged(changes);
    const source = changes.threads === undefined ? this.threadsSource : threadsSource;
    const sessionsChanged =
      after.executionProviders.join() !== before.executionProviders.join() ||
      after.threads !== before.threads ||
      (after.threads !== 0 && source !== this.threadsSource);
    this.settings.replace(after);
    this.threadsSource = source;
    try {
      if (sessionsChanged) {
        await this.releaseCurrent();
      }
      if (after.modelFolder && path.resolve(after.modelFolder) !== this.dir) {
        await this.use(after.modelFolder);
      } else {
        // The frontend configures the kernel as soon as a notebook connects: a good time to start loading.
        this.warmUp();
      }
    } catch (error) {
      this.settings.replace({ ...after, modelFolder: before.modelFolder });
      throw error;
    }
    return this.settings.current;
  }

  private async releaseCurrent(): Promise<void> {
    const current = this.loaded;
    this.loaded = undefined;
    this.loading = undefined;
    this.warm = null;
    await current?.release();
  }

  /** Identifies a model in payloads: id, sha256 of its manifest, codebook size, its sampler defaults. */
  ref(model: SeedModel): SeedModelRef {
    let ref = this.refs.get(model.dir);
    if (!ref) {
      const sha256 = createHash('sha256')
        .update(fs.readFileSync(path.join(model.dir, MANIFEST)))
        .digest('hex');
      ref = {
        id: model.manifest.id,
        sha256,
        family: model.manifest.family,
        codebookSize: model.manifest.tokenizer.codebookSize,
        defaults: { ...model.manifest.diffusion.defaults }
      };
      this.refs.set(model.dir, ref);
    }
    return ref;
  }

  /** Model, device and memory, as `%seed model info` / `%seed device` and the panel show them. */
  info(id: string): SeedKernelInfo {
    const model = this.loaded;
    const memory = process.memoryUsage();
    return {
      type: 'info',
      id,
      model: model
        ? {
            id: model.manifest.id,
            sha256: this.ref(model).sha256,
            dir: model.dir,
            family: model.manifest.family,
            description: model.manifest.description ?? '',
            defaults: { ...model.manifest.diffusion.defaults }
          }
        : null,
      models: this.list(),
      executionProvider: model ? { ...model.executionProvider } : null,
      // The reason says whether the threads spin; the protocol carries the count and the words.
      threads: model ? { count: model.threads.count, reason: model.threads.reason } : null,
      loading: this.warm ? { ...this.warm } : null,
      settings: this.settings.current,
      memory: { rssBytes: memory.rss, heapUsedBytes: memory.heapUsed }
    };
  }
}

function errorMessage(error: unknown): string {
  return (error as Error).message ?? String(error);
}
