/**
 * The messages of the `seed` comm between the JupyterLab extension and the kernel, an
 * anywidget-like contract: every request carries an `id`, and every reply or event names the
 * request it belongs to. A decode answers with `queued`/`progress` events, then exactly one of
 * `decoded`, `cancelled` or `error`. `seed-comm.schema.json` describes the same messages.
 *
 * Types only (no imports of code): the browser frontend imports these with `import type`.
 */
import type { SeedDecodeParams, SeedPayload, SeedPng } from './seed-mime';

export const SEED_COMM_TARGET = 'seed';

/** Settings the frontend sends on connect and whenever the user changes them. */
export interface SeedKernelSettings {
  /** Model folder to use; empty keeps the kernel's default (SEED_MODEL or the bundled seed-nano). */
  modelFolder?: string;
  /** Execution providers in order of preference, e.g. ['cuda', 'cpu']. */
  executionProviders?: string[];
  /** Alternatives per position reported by encodes. */
  topK?: number;
  /** Attach a preview every N sampler steps (0 = never). */
  previewEvery?: number;
}

/** Frontend -> kernel. */
export type SeedCommRequest =
  | { type: 'configure'; id: string; settings: SeedKernelSettings }
  | { type: 'info'; id: string }
  | { type: 'use-model'; id: string; model: string }
  /** Encode an image: PNG/JPEG bytes as base64, or a path / file:// URL the kernel can read. */
  | { type: 'encode'; id: string; image: { base64: string } | { path: string }; topK?: number; label?: string }
  /** `params` says what to run; stepsAsked and stepsNote only describe a result, so a request has neither. */
  | {
      type: 'decode';
      id: string;
      codes: number[];
      params: Partial<Pick<SeedDecodeParams, 'sampler' | 'steps' | 'guidance' | 'seed'>>;
      previewEvery?: number;
    }
  /** Cancel the request `target` (a running or queued decode); it ends with `cancelled`. */
  | { type: 'cancel'; id: string; target: string };

export interface SeedKernelInfo {
  type: 'info';
  id: string;
  /** `defaults`: the model's own sampler defaults, used where the user set none. */
  model: { id: string; sha256: string; dir: string; description?: string; defaults?: SeedDecodeParams } | null;
  /** Model folders the kernel can switch to with `use-model`. */
  models: { name: string; dir: string }[];
  executionProvider: { name: string; reason: string } | null;
  memory: { rssBytes: number; heapUsedBytes: number };
}

/** Kernel -> frontend. */
export type SeedCommReply =
  | { type: 'configured'; id: string }
  | SeedKernelInfo
  | { type: 'encoded'; id: string; payload: SeedPayload }
  | { type: 'decoded'; id: string; image: SeedPng; params: SeedDecodeParams }
  | { type: 'progress'; id: string; step: number; total: number; preview?: SeedPng }
  /** The request waits behind `ahead` others (cells or comm requests). */
  | { type: 'queued'; id: string; ahead: number }
  | { type: 'cancelled'; id: string }
  | { type: 'error'; id: string; message: string };
