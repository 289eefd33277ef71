/**
 * The per-shard pipeline: read samples -> decode and resize (several at a time, in order) -> batches ->
 * encoder. Decoding runs on libuv's threads while ONNX Runtime runs the previous batch on its own, so image
 * IO hides behind inference. Queues are bounded (p-map's `backpressure`), so memory depends on the batch
 * size and the shard size, never on the dataset's size.
 */
import { pMapIterable } from 'p-map';
import { toLlmTokens } from '../../../protocol/llm-tokens';
import { SeedCancelledError } from '../../errors';
import type { Preprocess, RgbImage } from '../../types';
import type { SeedModel } from '../../model';
import { readSamples } from '../inputs/read-samples';
import { sha256 } from '../output/shard-files';
import type { InputShard, RawSample, SampleError, TokenRecord } from '../types';

export interface ShardPipelineOptions {
  model: SeedModel;
  preprocess: Preprocess;
  batchSize: number;
  signal?: AbortSignal;
  /** Called after each encoded batch and each failed sample with the counts so far. */
  onSamples?: (done: number, errors: number) => void;
}

export interface ShardResult {
  records: TokenRecord[];
  errors: SampleError[];
}

type Prepared = { record: Omit<TokenRecord, 'codes' | 'tokens'>; image: RgbImage } | { error: SampleError };

/** Tokenizes one input shard; throws SeedCancelledError when `signal` fires (nothing is kept then). */
export async function tokenizeShard(shard: InputShard, options: ShardPipelineOptions): Promise<ShardResult> {
  const { model, preprocess, batchSize, signal } = options;
  const records: TokenRecord[] = [];
  const errors: SampleError[] = [];
  // Two batches in flight: the one being decoded while the encoder runs on the one before it.
  const window = 2 * batchSize;
  const prepare = async (sample: RawSample): Promise<Prepared> => {
    const identity = { key: sample.key, source: sample.source };
    if (sample.error !== undefined || sample.bytes === undefined) {
      return { error: { ...identity, reason: sample.error ?? 'no image' } };
    }
    try {
      const { image, original } = await model.prepareImage(sample.bytes, preprocess);
      return {
        image,
        record: {
          ...identity,
          caption: sample.caption ?? null,
          width: original.width,
          height: original.height,
          sha256: sha256(sample.bytes)
        }
      };
    } catch (error) {
      return { error: { ...identity, reason: (error as Error).message } };
    }
  };
  let batch: Extract<Prepared, { image: RgbImage }>[] = [];
  const flush = async () => {
    const encodings = await model.encodePrepared(
      batch.map((item) => item.image),
      { topK: 1, signal }
    );
    batch.forEach((item, i) => {
      const codes = encodings[i].codes;
      records.push({ ...item.record, codes, tokens: toLlmTokens(codes) });
    });
    batch = [];
    options.onSamples?.(records.length, errors.length);
  };
  for await (const item of pMapIterable(readSamples(shard), prepare, { concurrency: window, backpressure: window })) {
    if (signal?.aborted) {
      throw new SeedCancelledError('Tokenizing was interrupted; the current shard was abandoned (a rerun redoes it).');
    }
    if ('error' in item) {
      errors.push(item.error);
      options.onSamples?.(records.length, errors.length);
      continue;
    }
    batch.push(item);
    if (batch.length >= batchSize) {
      await flush();
    }
  }
  if (batch.length > 0) {
    await flush();
  }
  return { records, errors };
}
