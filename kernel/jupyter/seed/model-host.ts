import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { BUNDLED_MODEL_DIR, PACKAGE_ROOT } from '../../cli/paths';
import { ExecutionProviderName, SeedModel, SeedModelError } from '../../runtime';
import type { SeedKernelInfo, SeedKernelSettings } from '../../protocol/seed-comm';
import type { SeedModelRef } from '../../protocol/seed-mime';

const MANIFEST = 'seed-model.json';
const PROVIDERS: ExecutionProviderName[] = ['cuda', 'cpu'];

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
  private dir: string;
  private providers: ExecutionProviderName[] = PROVIDERS;
  private loading?: Promise<SeedModel>;
  private loaded?: SeedModel;
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
    return SeedModel.load(dir, { executionProviders: this.providers });
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
    const modelsRoot = path.join(PACKAGE_ROOT, 'models');
    if (fs.existsSync(modelsRoot)) {
      for (const entry of fs.readdirSync(modelsRoot).sort()) {
        add(path.join(modelsRoot, entry));
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
    return model;
  }

  /** Applies the panel's settings; a new folder or provider list takes effect at the next use. */
  async configure(settings: SeedKernelSettings): Promise<void> {
    if (settings.executionProviders) {
      const unknown = settings.executionProviders.filter((name) => !PROVIDERS.includes(name as ExecutionProviderName));
      if (unknown.length > 0) {
        throw new Error(`Unknown execution provider(s) ${unknown.join(', ')}; use ${PROVIDERS.join(' and/or ')}.`);
      }
      const providers = settings.executionProviders as ExecutionProviderName[];
      if (providers.join() !== this.providers.join()) {
        this.providers = providers;
        await this.releaseCurrent();
      }
    }
    if (settings.modelFolder && path.resolve(settings.modelFolder) !== this.dir) {
      await this.use(settings.modelFolder);
    }
  }

  private async releaseCurrent(): Promise<void> {
    const current = this.loaded;
    this.loaded = undefined;
    this.loading = undefined;
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
            description: model.manifest.description ?? '',
            defaults: this.ref(model).defaults
          }
        : null,
      models: this.list(),
      executionProvider: model ? { ...model.executionProvider } : null,
      memory: { rssBytes: memory.rss, heapUsedBytes: memory.heapUsed }
    };
  }
}
