/**
 * sha256 of model files, recorded per path with the file's size and modification time, so a multi-GB
 * file is hashed once and not again at every kernel start while it stays unchanged.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { sha256File } from './manifest-loader';

/** What is recorded for one file: the hash holds while size and mtime are the same. */
interface HashRecord {
  path: string;
  size: string;
  mtimeNs: string;
  sha256: string;
}

export class FileHashes {
  private readonly pending = new Map<string, Promise<string>>();

  /** `cacheDir` null: nothing is recorded on disk (each process hashes each file once). */
  constructor(private readonly cacheDir: string | null) {}

  /** The file's sha256: recorded when size and mtime match, else computed and recorded. */
  async sha256(file: string): Promise<string> {
    const stat = await fs.promises.stat(file, { bigint: true });
    const identity = `${file}\0${stat.size}\0${stat.mtimeNs}`;
    let hash = this.pending.get(identity);
    if (!hash) {
      hash = this.lookUpOrHash(file, String(stat.size), String(stat.mtimeNs));
      this.pending.set(identity, hash);
      hash.catch(() => this.pending.delete(identity));
    }
    return hash;
  }

  private async lookUpOrHash(file: string, size: string, mtimeNs: string): Promise<string> {
    const recordFile = this.recordFile(file);
    if (recordFile) {
      const record = readRecord(recordFile);
      if (record && record.path === file && record.size === size && record.mtimeNs === mtimeNs) {
        return record.sha256;
      }
    }
    const sha256 = await sha256File(file);
    if (recordFile) {
      writeRecord(recordFile, { path: file, size, mtimeNs, sha256 });
    }
    return sha256;
  }

  private recordFile(file: string): string | null {
    if (this.cacheDir === null) {
      return null;
    }
    const name = createHash('sha256').update(file).digest('hex').slice(0, 32);
    return path.join(this.cacheDir, 'hashes', `${name}.json`);
  }
}

function readRecord(file: string): HashRecord | undefined {
  try {
    const record = JSON.parse(fs.readFileSync(file, 'utf8')) as HashRecord;
    return typeof record.sha256 === 'string' && /^[0-9a-f]{64}$/.test(record.sha256) ? record : undefined;
  } catch {
    // Missing or damaged record: hash the file again.
    return undefined;
  }
}

/** Written to a temporary name and renamed, so a reader never sees half a record. */
function writeRecord(file: string, record: HashRecord): void {
  try {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const temporary = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(temporary, JSON.stringify(record));
    fs.renameSync(temporary, file);
  } catch {
    // An unwritable cache only costs hashing again next time.
  }
}
