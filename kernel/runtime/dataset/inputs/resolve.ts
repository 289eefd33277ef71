/**
 * Turns the command line's inputs into the ordered list of input shards. An input is a folder (read
 * recursively), an image, a glob, a list file, or webdataset tars (a path or a brace pattern such as
 * `shards/{00000..00099}.tar`). Each tar is one shard; images are sorted by path and cut into chunks of
 * `shardSize`, so shard boundaries never depend on how many workers run.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import braces from 'braces';
import { globSync, isDynamicPattern } from 'tinyglobby';
import { SeedInputError } from '../../errors';
import type { FileSample, InputShard } from '../types';
import { isListFile, readListFile, stripExtension } from './list-file';

export const IMAGE_EXTENSIONS = ['.jpg', '.jpeg', '.png', '.webp', '.gif', '.tif', '.tiff', '.avif'];

export function isImageFile(file: string): boolean {
  return IMAGE_EXTENSIONS.includes(path.extname(file).toLowerCase());
}

function isTar(file: string): boolean {
  return file.toLowerCase().endsWith('.tar');
}

/** The input shards named by `inputs`, in plan order: tars sorted by path, then chunks of sorted images. */
export function resolveInputs(inputs: string[], shardSize: number): InputShard[] {
  if (!Number.isInteger(shardSize) || shardSize < 1) {
    throw new SeedInputError(`The shard size must be a whole number of at least 1, got ${shardSize}.`);
  }
  const tars = new Set<string>();
  const samples: FileSample[] = [];
  for (const input of inputs) {
    // Braces first: `{00000..00099}` is not a glob, and a missing shard of a pattern is an error.
    const expanded = braces.expand(input);
    for (const item of expanded) {
      const found = resolveOne(item, expanded.length > 1);
      found.tars.forEach((tar) => tars.add(tar));
      samples.push(...found.samples);
    }
  }
  const sortedTars = [...tars].sort();
  const files = uniqueSorted(samples);
  if (sortedTars.length === 0 && files.length === 0) {
    throw new SeedInputError(
      `No input matched ${inputs.map((i) => `'${i}'`).join(', ')}: give folders, images, globs, list files ` +
        '(.txt, .jsonl, .csv) or webdataset tars. Quote globs so the shell does not expand them.'
    );
  }
  const shards: InputShard[] = sortedTars.map((tar, index) => ({ index, kind: 'tar', path: tar }));
  for (let start = 0; start < files.length; start += shardSize) {
    shards.push({ index: shards.length, kind: 'files', samples: files.slice(start, start + shardSize) });
  }
  return shards;
}

function resolveOne(item: string, fromBraces: boolean): { tars: string[]; samples: FileSample[] } {
  const stat = fs.statSync(item, { throwIfNoEntry: false });
  if (stat?.isDirectory()) {
    const matches = globSync('**/*', { cwd: item, onlyFiles: true, followSymbolicLinks: true, dot: false });
    const images = matches.filter(isImageFile).map((relative) => ({
      key: stripExtension(relative),
      path: path.join(item, relative)
    }));
    return { tars: matches.filter(isTar).map((relative) => path.join(item, relative)), samples: images };
  }
  if (stat?.isFile()) {
    if (isTar(item)) {
      return { tars: [item], samples: [] };
    }
    if (isListFile(item)) {
      return { tars: [], samples: readListFile(item) };
    }
    if (isImageFile(item)) {
      return { tars: [], samples: [{ key: stripExtension(item), path: item }] };
    }
    throw new SeedInputError(
      `${item} is neither an image (${IMAGE_EXTENSIONS.join(', ')}), a list file (.txt, .lst, .jsonl, .csv) nor a .tar.`
    );
  }
  if (isDynamicPattern(item)) {
    const base = staticBase(item);
    const matches = globSync(item, { onlyFiles: true, followSymbolicLinks: true, expandDirectories: false });
    return {
      tars: matches.filter(isTar),
      samples: matches
        .filter(isImageFile)
        .map((file) => ({ key: stripExtension(path.relative(base, file)), path: file }))
    };
  }
  throw new SeedInputError(
    fromBraces ? `${item} (from a brace pattern) does not exist. Check the pattern's range.` : `${item} does not exist.`
  );
}

/** The folder part of a glob before its first wildcard: keys are paths relative to it. */
function staticBase(pattern: string): string {
  const parts = pattern.split('/');
  const firstDynamic = parts.findIndex((part) => isDynamicPattern(part));
  return parts.slice(0, firstDynamic).join('/') || '.';
}

/**
 * Sorted by path (then key), each (key, path) once: overlapping inputs name an image once, while a list may
 * name one file under several keys. Two different paths with one key are an error.
 */
function uniqueSorted(samples: FileSample[]): FileSample[] {
  const unique = new Map<string, FileSample>();
  samples.forEach((sample) =>
    unique.set(`${sample.key}\0${sample.path}`, unique.get(`${sample.key}\0${sample.path}`) ?? sample)
  );
  const order = (a: FileSample, b: FileSample) =>
    a.path < b.path ? -1 : a.path > b.path ? 1 : a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
  const sorted = [...unique.values()].sort(order);
  const keys = new Map<string, string>();
  for (const sample of sorted) {
    const other = keys.get(sample.key);
    if (other !== undefined) {
      throw new SeedInputError(
        `Two images have the key '${sample.key}': ${other} and ${sample.path}. Keys must be unique; ` +
          "give a list file with a 'key' column, or tokenize the folders separately."
      );
    }
    keys.set(sample.key, sample.path);
  }
  return sorted;
}
