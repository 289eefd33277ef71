/**
 * A shard's files in the output folder and the rules that make them safe under retries: every file is
 * written under a temporary name and renamed when complete, the manifest last; a shard is done only when
 * its manifest parses, names this input, and every file it lists has the size and sha256 it records.
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { InputIdentity, ShardManifest } from '../types';

export const MANIFEST_SUFFIX = '.done.json';

/** Temporary files carry this infix; a rerun removes stale ones left by a killed worker. */
const TEMP_INFIX = '.tmp-';

export function sha256(bytes: Buffer): string {
  return crypto.createHash('sha256').update(bytes).digest('hex');
}

/** Writes `bytes` to `file` atomically: a complete file appears under its name, or nothing does. */
export async function writeAtomic(file: string, bytes: Buffer | string): Promise<void> {
  const temp = `${file}${TEMP_INFIX}${process.pid}-${crypto.randomBytes(4).toString('hex')}`;
  const handle = await fs.promises.open(temp, 'w');
  try {
    await handle.writeFile(bytes);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await fs.promises.rename(temp, file);
}

/** Removes temporary files of `shard` left by a killed worker (they never count). */
export async function removeStaleTemps(out: string, shard: string): Promise<void> {
  const entries = await fs.promises.readdir(out);
  await Promise.all(
    entries
      .filter((entry) => entry.startsWith(`${shard}.`) && entry.includes(TEMP_INFIX))
      .map((entry) => fs.promises.rm(path.join(out, entry), { force: true }))
  );
}

export function manifestPath(out: string, shard: string): string {
  return path.join(out, `${shard}${MANIFEST_SUFFIX}`);
}

/** The shard's manifest if the shard is done and intact; undefined if it must be (re)done. */
export async function readDoneManifest(
  out: string,
  shard: string,
  input?: InputIdentity
): Promise<ShardManifest | undefined> {
  let manifest: ShardManifest;
  try {
    manifest = JSON.parse(await fs.promises.readFile(manifestPath(out, shard), 'utf8')) as ShardManifest;
  } catch {
    return undefined;
  }
  if (manifest?.formatVersion !== 1 || manifest.shard !== shard || !Array.isArray(manifest.files)) {
    return undefined;
  }
  if (input !== undefined && JSON.stringify(manifest.input) !== JSON.stringify(input)) {
    return undefined;
  }
  for (const file of manifest.files) {
    try {
      const bytes = await fs.promises.readFile(path.join(out, file.name));
      if (bytes.length !== file.bytes || sha256(bytes) !== file.sha256) {
        return undefined;
      }
    } catch {
      return undefined;
    }
  }
  return manifest;
}
