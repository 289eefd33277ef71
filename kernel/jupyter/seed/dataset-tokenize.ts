/**
 * Dataset tokenizing in the notebook: `%seed tokenize` and `seed.tokenize()` over the runtime's dataset
 * tokenizer. A live progress line (throttled, one display updated in place, so 10,000 images do not flood
 * the notebook), the records as an async iterator, and a summary: counts, errors, code usage, first rows.
 */
import { randomUUID } from 'node:crypto';
import type { SeedModel } from '../../runtime';
import { SeedCancelledError } from '../../runtime';
import { OutputFormat, TokenRecord, TokenizeProgress, TokenizeSummary, prepareTokenize } from '../../runtime/dataset';
import type { Preprocess } from '../../runtime';
import type { DisplayOptions } from '../kernel';
import { MIME_BUNDLE, MimeBundle } from '../mime-bundle';

/** Progress reaches the frontend at most this often. */
const UPDATES_PER_SECOND = 4;
/** Rows the summary shows, and codes in its usage chart. */
const FIRST_ROWS = 5;
const TOP_CODES = 12;

export interface SeedTokenizeOptions {
  /** The output folder (relative paths resolve from the notebook's folder). */
  out: string;
  format?: OutputFormat;
  preprocess?: Preprocess;
  batchSize?: number;
  shardSize?: number;
  /** Show the live progress line (default true). */
  progress?: boolean;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function formatSeconds(seconds: number): string {
  return seconds >= 90 ? `${Math.floor(seconds / 60)} min ${Math.round(seconds % 60)} s` : `${seconds.toFixed(0)} s`;
}

/** One display, updated in place: images, images/s, ETA, shards, errors. */
export class TokenizeProgressDisplay {
  private readonly displayId = `seed-tokenize-${randomUUID()}`;
  private readonly started = Date.now();
  private lastSent = 0;
  private shown = false;

  constructor(private readonly show: (bundle: MimeBundle, options: DisplayOptions) => void) {}

  update(progress: TokenizeProgress): void {
    const now = Date.now();
    if (this.shown && now - this.lastSent < 1000 / UPDATES_PER_SECOND) {
      return;
    }
    this.lastSent = now;
    const images = progress.samples + progress.errors;
    const rate = images / Math.max((now - this.started) / 1000, 1e-3);
    const total = progress.imagesTotal;
    const eta = total !== undefined && rate > 0 ? `, ETA ${formatSeconds((total - images) / rate)}` : '';
    const text =
      `Tokenizing: ${images}${total !== undefined ? `/${total}` : ''} images, ${rate.toFixed(1)} images/s${eta}, ` +
      `shards ${progress.shardsDone}/${progress.shardsTotal}, ${progress.errors} errors`;
    const bar =
      total !== undefined
        ? `<progress value="${images}" max="${total}"></progress> `
        : `<progress value="${progress.shardsDone}" max="${progress.shardsTotal}"></progress> `;
    this.send(text, bar);
  }

  stop(text: string): void {
    if (this.shown) {
      this.send(text, '');
    }
  }

  private send(text: string, bar: string): void {
    this.show(
      { 'text/plain': text, 'text/html': `<div class="seed-progress">${bar}${escapeHtml(text)}</div>` },
      { displayId: this.displayId, update: this.shown }
    );
    this.shown = true;
  }
}

/** What a `%seed tokenize` run did: shown as text and as a small HTML report. */
export class SeedTokenizeSummary {
  /** How many times each code occurs in the images tokenized by this run. */
  readonly codeCounts = new Map<number, number>();
  /** The first records of this run. */
  readonly firstRows: TokenRecord[] = [];
  recordsSeen = 0;

  constructor(
    readonly out: string,
    readonly codebookSize: number,
    public run?: TokenizeSummary
  ) {}

  add(records: TokenRecord[]): void {
    for (const record of records) {
      this.recordsSeen++;
      if (this.firstRows.length < FIRST_ROWS) {
        this.firstRows.push(record);
      }
      record.codes.forEach((code) => this.codeCounts.set(code, (this.codeCounts.get(code) ?? 0) + 1));
    }
  }

  /** The most frequent codes, most frequent first (ties by code). */
  topCodes(count = TOP_CODES): [number, number][] {
    return [...this.codeCounts.entries()].sort((a, b) => b[1] - a[1] || a[0] - b[0]).slice(0, count);
  }

  toString(): string {
    const run = this.run;
    const lines = [
      `Tokenized into ${this.out}: ${run?.completed ?? 0} shards written, ${run?.skipped ?? 0} already done; ` +
        `${run?.samples ?? 0} images, ${run?.errors ?? 0} errors (see shard-*.errors.jsonl)` +
        (run ? ` in ${run.wallSeconds.toFixed(1)} s` : '')
    ];
    if (this.recordsSeen > 0) {
      lines.push(
        `Codes used: ${this.codeCounts.size} of ${this.codebookSize} in the ${this.recordsSeen} images of this run; ` +
          `most frequent: ${this.topCodes(5)
            .map(([code, n]) => `${code} (${n})`)
            .join(', ')}`
      );
    }
    return lines.join('\n');
  }

  [MIME_BUNDLE](): MimeBundle {
    const top = this.topCodes();
    const most = top[0]?.[1] ?? 1;
    const bars = top
      .map(
        ([code, n]) =>
          `<tr><td>${code}</td><td><div style="background: var(--jp-brand-color1); height: 0.8em; width: ${Math.max(
            2,
            Math.round((120 * n) / most)
          )}px"></div></td><td>${n}</td></tr>`
      )
      .join('');
    const rows = this.firstRows
      .map(
        (r) =>
          `<tr><td>${escapeHtml(r.key)}</td><td><code>${escapeHtml(r.tokens.slice(0, 60))}…</code></td>` +
          `<td>${escapeHtml(r.caption ?? '')}</td><td>${r.width}×${r.height}</td></tr>`
      )
      .join('');
    const usage =
      this.recordsSeen > 0
        ? `<p>Codes used: <b>${this.codeCounts.size}</b> of ${this.codebookSize}; the most frequent:</p>` +
          `<table class="seed-tokenize-usage">${bars}</table>` +
          `<table class="seed-tokenize-rows"><tr><th>key</th><th>tokens</th><th>caption</th><th>size</th></tr>${rows}</table>`
        : '';
    return {
      'text/plain': this.toString(),
      'text/html': `<div class="seed-tokenize-summary"><p>${escapeHtml(this.toString().split('\n')[0])}</p>${usage}</div>`
    };
  }
}

/**
 * The records of a dataset as an async iterator, shard by shard, while the shards are written to `out`.
 * Iteration holds the run back (a shard's records are handed over before the next shard starts); an abort
 * of `signal` abandons the shard in progress and ends the iteration with SeedCancelledError.
 */
export async function* tokenizeRecords(
  model: SeedModel,
  inputs: string[],
  options: SeedTokenizeOptions & {
    signal?: AbortSignal;
    onProgress?: (progress: TokenizeProgress) => void;
    onDone?: (summary: TokenizeSummary) => void;
  }
): AsyncGenerator<TokenRecord[]> {
  const channel = new Handoff<TokenRecord[]>();
  const job = await prepareTokenize({
    inputs,
    out: options.out,
    model,
    format: options.format,
    preprocess: options.preprocess,
    batchSize: options.batchSize,
    shardSize: options.shardSize,
    // One kernel is one worker: the notebook never reads the scheduler's index.
    env: {},
    signal: options.signal,
    onProgress: options.onProgress,
    onRecords: (records) => channel.put(records)
  });
  const running = job.run().then(
    (summary) => {
      options.onDone?.(summary);
      channel.close(
        summary.interrupted
          ? new SeedCancelledError('Tokenizing was interrupted; finished shards are kept and a rerun resumes.')
          : undefined
      );
    },
    (error: Error) => channel.close(error)
  );
  try {
    for await (const records of channel) {
      yield records;
    }
  } finally {
    await running;
  }
}

/**
 * A one-slot handoff from a producer that awaits put() to one consumer: the producer waits until the
 * consumer took the previous value, so nothing piles up. (A few lines, simpler than a stream here.)
 */
class Handoff<T> implements AsyncIterable<T> {
  private value?: { item: T; taken: () => void };
  private waiting?: () => void;
  private ended?: { error?: Error };

  put(item: T): Promise<void> {
    return new Promise((taken) => {
      this.value = { item, taken };
      this.waiting?.();
    });
  }

  close(error?: Error): void {
    this.ended = { error };
    this.waiting?.();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<T> {
    for (;;) {
      if (this.value) {
        const { item, taken } = this.value;
        this.value = undefined;
        taken();
        yield item;
        continue;
      }
      if (this.ended) {
        if (this.ended.error) {
          throw this.ended.error;
        }
        return;
      }
      await new Promise<void>((resolve) => (this.waiting = resolve));
      this.waiting = undefined;
    }
  }
}
