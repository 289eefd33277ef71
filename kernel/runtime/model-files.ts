/**
 * The files of one model folder as its manifest names them: lookup by manifest field, the sha256 check of
 * each file (once per model, right before the file is first read), and the float32 tables the manifest
 * points at. The graph cache's key comes from here too, so a file is hashed at most once for both.
 */
import * as fs from 'node:fs';
import { SeedModelError } from './errors';
import { FileHashes } from './file-hashes';
import { ModelFile, checkSha256, modelFiles } from './manifest-loader';
import type { SeedModelManifest } from './manifest';

export class ModelFiles {
  private readonly files: Map<string, ModelFile>;
  private readonly verified = new Map<string, Promise<void>>();
  private readonly hashes: FileHashes;

  constructor(
    /** The model folder (absolute). */
    readonly dir: string,
    manifest: SeedModelManifest,
    /** Where recorded hashes live (see cache-dir.ts); null keeps nothing on disk. */
    private readonly cacheDir: string | null,
    private readonly verifyHashes: boolean
  ) {
    this.files = new Map(modelFiles(manifest, dir).map((file) => [file.field, file]));
    this.hashes = new FileHashes(cacheDir);
  }

  /** The file a manifest field names, e.g. `tokenizer.encoder.path`. */
  get(field: string): ModelFile {
    const file = this.files.get(field);
    if (!file) {
      throw new SeedModelError(`The manifest of ${this.dir} names no '${field}'.`);
    }
    return file;
  }

  /** sha256 check of one file against the manifest, once per model (a failed check is tried again next time). */
  verify(file: ModelFile): Promise<void> {
    if (!this.verifyHashes || !file.sha256) {
      return Promise.resolve();
    }
    let check = this.verified.get(file.path);
    if (!check) {
      check = this.hashes.sha256(file.path).then((actual) => checkSha256(file, actual));
      this.verified.set(file.path, check);
      check.catch(() => this.verified.delete(file.path));
    }
    return check;
  }

  /**
   * Checks a graph and its external data against the manifest's sha256 (sizes and modification times
   * recorded by FileHashes spare hashing unchanged gigabytes again) and returns their sha256, the content
   * part of the graph cache's key (none when nothing is cached on disk).
   */
  async identify(file: ModelFile): Promise<string[]> {
    const related = [file, ...this.externalData(file)];
    await Promise.all(related.map((f) => this.verify(f)));
    return this.cacheDir === null ? [] : Promise.all(related.map((f) => this.hashes.sha256(f.path)));
  }

  /** A raw little-endian float32 table of exactly `count` values (codebook, unconditional embedding, ...). */
  async readFloat32(field: string, count: number): Promise<Float32Array> {
    const file = this.get(field);
    await this.verify(file);
    const bytes = await fs.promises.readFile(file.path);
    if (bytes.length !== count * 4) {
      throw new SeedModelError(
        `${file.path} (${field}) has ${bytes.length} bytes; ${count} float32 values (${count * 4} bytes) expected from the manifest's shapes.`
      );
    }
    // Copy into an aligned buffer; the files are little-endian, as every platform Node runs ML on.
    const out = new Float32Array(count);
    new Uint8Array(out.buffer).set(bytes);
    return out;
  }

  /** A file's external-data files, in the manifest's order. */
  private externalData(file: ModelFile): ModelFile[] {
    const prefix = file.field.replace(/\.path$/, '.externalData[');
    return [...this.files.values()].filter((f) => f.field.startsWith(prefix));
  }
}
