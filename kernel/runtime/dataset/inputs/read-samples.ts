/**
 * Reads the samples of one input shard, in order, as a stream: image files one at a time, webdataset
 * tars entry by entry through tar-stream (a shard is never held in memory whole).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tar from 'tar-stream';
import type { InputShard, RawSample } from '../types';

/** Images larger than this are errors ("too large"), not reads that exhaust memory. */
export const MAX_IMAGE_BYTES = 64 * 1024 * 1024;

/** The image members of a webdataset sample (webdataset's own list). */
const TAR_IMAGE_EXTENSIONS = ['jpg', 'jpeg', 'png', 'webp'];

export function readSamples(shard: InputShard): AsyncIterable<RawSample> {
  return shard.kind === 'tar' ? readTar(shard.path) : readFiles(shard);
}

async function* readFiles(shard: Extract<InputShard, { kind: 'files' }>): AsyncIterable<RawSample> {
  for (const sample of shard.samples) {
    const base = {
      key: sample.key,
      source: sample.path,
      ...(sample.caption === undefined ? {} : { caption: sample.caption })
    };
    try {
      const { size } = await fs.promises.stat(sample.path);
      if (size > MAX_IMAGE_BYTES) {
        yield {
          ...base,
          error: `the file has ${size} bytes, more than the ${MAX_IMAGE_BYTES} bytes an image may have`
        };
        continue;
      }
      yield { ...base, bytes: await fs.promises.readFile(sample.path) };
    } catch (error) {
      yield {
        ...base,
        error: `cannot read the file: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`
      };
    }
  }
}

/** webdataset's rule: the key is the member path up to the first dot of its file name. */
function splitMember(name: string): { key: string; extension: string } {
  const folder = path.posix.dirname(name);
  const file = path.posix.basename(name);
  const dot = file.indexOf('.');
  const stem = dot < 0 ? file : file.slice(0, dot);
  return {
    key: folder === '.' ? stem : `${folder}/${stem}`,
    extension: dot < 0 ? '' : file.slice(dot + 1).toLowerCase()
  };
}

interface PendingSample {
  key: string;
  image?: { member: string; bytes: Buffer };
  imageError?: string;
  caption?: string;
}

function finish(tarPath: string, pending: PendingSample): RawSample {
  const source = `${tarPath}:${pending.image?.member ?? pending.key}`;
  const caption = pending.caption === undefined ? {} : { caption: pending.caption };
  if (pending.imageError) {
    return { key: pending.key, source, ...caption, error: pending.imageError };
  }
  if (!pending.image) {
    return { key: pending.key, source, ...caption, error: 'the sample has no image (.jpg, .jpeg, .png or .webp)' };
  }
  return { key: pending.key, source, ...caption, bytes: pending.image.bytes };
}

async function* readTar(tarPath: string): AsyncIterable<RawSample> {
  const extract = tar.extract();
  fs.createReadStream(tarPath)
    .on('error', (error) => extract.destroy(error))
    .pipe(extract);
  let pending: PendingSample | undefined;
  try {
    for await (const entry of extract) {
      const { name, type, size } = entry.header;
      if (type !== 'file') {
        entry.resume();
        continue;
      }
      const { key, extension } = splitMember(name);
      if (pending && pending.key !== key) {
        yield finish(tarPath, pending);
        pending = undefined;
      }
      pending ??= { key };
      if (TAR_IMAGE_EXTENSIONS.includes(extension)) {
        if ((size ?? 0) > MAX_IMAGE_BYTES) {
          pending.imageError = `the image has ${size} bytes, more than the ${MAX_IMAGE_BYTES} bytes an image may have`;
          entry.resume();
        } else {
          pending.image = { member: name, bytes: await collect(entry) };
        }
      } else if (extension === 'txt') {
        pending.caption = (await collect(entry)).toString('utf8').trim();
      } else if (extension === 'json') {
        pending.caption ??= captionFromJson(await collect(entry));
      } else {
        entry.resume();
      }
    }
  } catch (error) {
    // A truncated or damaged tar: what was read counts; the rest is one error line for the shard.
    if (pending) {
      yield finish(tarPath, pending);
      pending = undefined;
    }
    yield {
      key: `${path.basename(tarPath)}#damaged`,
      source: tarPath,
      error: `the tar is damaged: ${(error as Error).message}`
    };
  }
  if (pending) {
    yield finish(tarPath, pending);
  }
}

async function collect(stream: AsyncIterable<unknown>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) {
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

function captionFromJson(bytes: Buffer): string | undefined {
  try {
    const value = JSON.parse(bytes.toString('utf8')) as { caption?: unknown; text?: unknown };
    const caption = value?.caption ?? value?.text;
    return typeof caption === 'string' ? caption : undefined;
  } catch {
    return undefined;
  }
}
