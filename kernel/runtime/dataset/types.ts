/** The data types of the dataset tokenizer: its input units, its records, its options and its manifests. */
import type { FamilyName } from '../../protocol/vocabulary';
import type { Preprocess } from '../types';

/** Where one image of a folder, glob or list file comes from. */
export interface FileSample {
  /** Unique key of the sample (the path without its extension, or the list file's `key`). */
  key: string;
  /** The image path as the input named it. */
  path: string;
  caption?: string;
}

/**
 * One unit of work, retry and output: a webdataset tar, or a fixed-size chunk of the sorted file list.
 * Its index is its position in the plan, the same whatever the number of workers.
 */
export type InputShard =
  { index: number; kind: 'tar'; path: string } | { index: number; kind: 'files'; samples: FileSample[] };

/** A sample as read from the input: its bytes, or why it has none. */
export interface RawSample {
  key: string;
  /** The image path, or `shard.tar:member` for webdataset samples. */
  source: string;
  bytes?: Buffer;
  caption?: string;
  /** Set when the sample cannot be tokenized (missing or unreadable image); it becomes an error line. */
  error?: string;
}

/** One tokenized image: a Parquet row, or a webdataset `.json`. Nothing in it depends on the run. */
export interface TokenRecord {
  key: string;
  /** The numCodes (32) codes, in causal order. */
  codes: number[];
  /** The codes as an LLM reads them, `<img><img_00042>...</img>` (SEED-LLaMA's form). */
  tokens: string;
  caption: string | null;
  source: string;
  /** Size of the decoded image (after EXIF orientation under the default preprocessing). */
  width: number;
  height: number;
  /** sha256 of the image file's bytes. */
  sha256: string;
}

/** A sample that could not be tokenized: one line of a shard's errors file. */
export interface SampleError {
  key: string;
  source: string;
  reason: string;
}

export type OutputFormat = 'parquet' | 'wds';

export const OUTPUT_FORMATS: readonly OutputFormat[] = ['parquet', 'wds'];

/** What identifies an input shard in manifests and the plan: enough to notice that the input changed. */
export interface InputIdentity {
  kind: 'tar' | 'files';
  /** The tar path, or the first and last image paths of the chunk. */
  path?: string;
  first?: string;
  last?: string;
  /** Images in a file chunk. */
  count?: number;
  /** sha256 over the chunk's keys and paths (file chunks). */
  listSha256?: string;
}

/** `*.done.json`: written last, after the shard's data files; the only proof that a shard is done. */
export interface ShardManifest {
  formatVersion: 1;
  shard: string;
  index: number;
  input: InputIdentity;
  samples: number;
  errors: number;
  /** Output files (names in the output folder) with their sha256 and size. */
  files: { name: string; sha256: string; bytes: number }[];
  model: ModelIdentity;
  preprocess: Preprocess;
  format: OutputFormat;
  runtimeVersion: string;
  onnxruntimeVersion: string;
  executionProvider: string;
  wallSeconds: number;
  worker: { index: number; numShards: number; host: string };
}

export interface ModelIdentity {
  id: string;
  /** The model family: codes of a SEED v1 model mean nothing to the SEED-2 decoder, and the reverse. */
  family: FamilyName;
  /** sha256 of the files encoding reads (manifest field -> hash). */
  files: Record<string, string>;
}

/** `tokenize-plan.json` in the output folder: what every worker of one run must agree on. */
export interface TokenizePlan {
  formatVersion: 1;
  inputs: string[];
  shardSize: number;
  format: OutputFormat;
  preprocess: Preprocess;
  numShards: number;
  model: ModelIdentity;
  shards: { name: string; input: InputIdentity }[];
  /** The command line minus `--shard-index`, to print the command that reruns missing workers. */
  command: string[];
}
