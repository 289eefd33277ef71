/**
 * The one place that reads the kernel's wire formats: the `application/vnd.seed.v1+json` payload and
 * the messages of the `seed` comm. Everything else in the frontend uses the view models of
 * seed-result.ts, so a change of the wire format is a change here only.
 */
import type { CodeCandidate, DecodedView, DecodeParams, ImageView, SamplerName, SeedResultView } from './seed-result';

export const SEED_MIME_TYPE = 'application/vnd.seed.v1+json';
export const SEED_COMM_TARGET = 'seed';

/** A PNG on the wire: base64 bytes and the pixel size. */
export interface PngWire {
  png: string;
  width: number;
  height: number;
}

/** The MIME payload as the kernel writes it. */
export interface SeedPayloadWire {
  version: 1;
  kind: 'encoding' | 'reconstruction' | 'recon';
  label?: string;
  model: { id: string; sha256: string; codebookSize: number };
  codes: number[];
  topK?: CodeCandidate[][];
  source?: PngWire;
  image?: PngWire;
  params?: DecodeParams;
}

/** Frontend -> kernel comm messages. Every request has an id its replies carry. */
export type RequestWire =
  | { type: 'configure'; id: string; settings: Record<string, unknown> }
  | { type: 'info'; id: string }
  | { type: 'use-model'; id: string; model: string }
  | { type: 'decode'; id: string; codes: number[]; params: DecodeParams; previewEvery: number }
  | { type: 'cancel'; id: string; target: string };

export interface KernelInfoWire {
  type: 'info';
  id: string;
  model: { id: string; sha256: string; dir: string; description?: string } | null;
  models: { name: string; dir: string }[];
  executionProvider: { name: string; reason: string } | null;
  memory: { rssBytes: number; heapUsedBytes: number };
}

export interface DecodedWire {
  type: 'decoded';
  id: string;
  image: PngWire;
  params?: DecodeParams;
}

/** Kernel -> frontend comm messages. */
export type ReplyWire =
  | { type: 'configured'; id: string }
  | KernelInfoWire
  | DecodedWire
  | { type: 'progress'; id: string; step: number; total: number; preview?: PngWire }
  | { type: 'queued'; id: string; ahead: number }
  | { type: 'cancelled'; id: string }
  | { type: 'error'; id: string; message: string };

/** The kernel's model, device and memory, as the panel shows them. */
export interface KernelInfoView {
  model: { id: string; sha256: string; dir: string; description: string } | null;
  models: { name: string; dir: string }[];
  executionProvider: { name: string; reason: string } | null;
  memory: { rssBytes: number; heapUsedBytes: number };
}

export function imageFromWire(image: PngWire): ImageView {
  return { src: `data:image/png;base64,${image.png}`, width: image.width, height: image.height };
}

export function kernelInfoFromWire(info: KernelInfoWire): KernelInfoView {
  return {
    model: info.model ? { description: '', ...info.model } : null,
    models: info.models ?? [],
    executionProvider: info.executionProvider,
    memory: info.memory
  };
}

const SAMPLERS: SamplerName[] = ['plms', 'ddim', 'euler', 'dpmpp'];

/**
 * Reads a saved or live payload. Throws an Error naming the missing or malformed field, so a notebook
 * written by an incompatible version says so instead of rendering nonsense.
 */
export function resultFromPayload(payload: unknown): SeedResultView {
  const data = payload as Partial<SeedPayloadWire> | null;
  const fail = (what: string): never => {
    throw new Error(
      `This SEED output cannot be shown: ${what}. It was written by an incompatible version of jupyterlab-seed; ` +
        'run the cell again to refresh it.'
    );
  };
  if (!data || typeof data !== 'object') {
    return fail('the payload is not an object');
  }
  if (data.version !== 1) {
    fail(`its version is ${JSON.stringify(data.version)}, not 1`);
  }
  if (data.kind !== 'encoding' && data.kind !== 'reconstruction' && data.kind !== 'recon') {
    fail(`its kind ${JSON.stringify(data.kind)} is unknown`);
  }
  const model = data.model;
  if (!model || typeof model.id !== 'string' || typeof model.sha256 !== 'string') {
    fail('it names no model');
  }
  if (!Array.isArray(data.codes) || !data.codes.every((code) => Number.isInteger(code) && code >= 0)) {
    fail('its codes are not a list of whole numbers');
  }
  const params = data.params;
  if (params && !SAMPLERS.includes(params.sampler)) {
    fail(`its sampler ${JSON.stringify(params.sampler)} is unknown`);
  }
  return {
    kind: data.kind!,
    label: data.label ?? model!.id,
    model: { id: model!.id, sha256: model!.sha256, codebookSize: model!.codebookSize ?? 8192 },
    codes: [...data.codes!],
    topK: data.topK ?? [],
    ...(data.source ? { source: imageFromWire(data.source) } : {}),
    ...(data.image ? { image: imageFromWire(data.image) } : {}),
    ...(params ? { params } : {})
  };
}

/**
 * Images decoded from an output are kept in that output's metadata under this key, so a saved
 * notebook shows them again: `{ decoded: DecodedView[] }`, newest first (images as data: URLs).
 */
export const DECODED_METADATA_KEY = 'jupyterlab-seed';

export function decodedToMetadata(decoded: DecodedView[]): Record<string, unknown> {
  return { decoded: decoded.map((item) => ({ image: { ...item.image }, lineage: { ...item.lineage } })) };
}

/** Reads what decodedToMetadata wrote; entries that are not well formed are left out. */
export function decodedFromMetadata(metadata: unknown): DecodedView[] {
  const decoded = (metadata as { decoded?: unknown } | undefined)?.decoded;
  if (!Array.isArray(decoded)) {
    return [];
  }
  return decoded.filter(
    (item): item is DecodedView =>
      typeof item?.image?.src === 'string' &&
      item.image.src.startsWith('data:image/png;base64,') &&
      Array.isArray(item?.lineage?.codes) &&
      Array.isArray(item?.lineage?.edits)
  );
}
