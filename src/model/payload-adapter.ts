/**
 * The one place that reads the kernel's wire formats: the `application/vnd.seed.v1+json` payload and
 * the messages of the `seed` comm. Everything else in the frontend uses the view models of
 * seed-result.ts, so a change of the wire format is a change here only.
 */
import type * as comm from '@seed/protocol/seed-comm';
import type * as mime from '@seed/protocol/seed-mime';
import type { DecodedView, DecodeParams, ImageView, SamplerName, SeedResultView } from './seed-result';

// The values are repeated here because the kernel's protocol modules are types-only for the browser;
// the annotations make the compiler check that they agree with kernel/protocol/.
export const SEED_MIME_TYPE: typeof mime.SEED_MIME_TYPE = 'application/vnd.seed.v1+json';
export const SEED_COMM_TARGET: typeof comm.SEED_COMM_TARGET = 'seed';

export type PngWire = mime.SeedPng;
export type SeedPayloadWire = mime.SeedPayload;
export type RequestWire = comm.SeedCommRequest;
export type ReplyWire = comm.SeedCommReply;
export type KernelInfoWire = comm.SeedKernelInfo;
export type DecodedWire = Extract<ReplyWire, { type: 'decoded' }>;

/** The kernel's model, device and memory, as the panel shows them. */
export interface KernelInfoView {
  model: { id: string; sha256: string; dir: string; description: string; defaults?: DecodeParams } | null;
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

/** Sampler settings as a payload carries them; anything else (an older kernel sent none) is ignored. */
function isDecodeParams(value: unknown): value is DecodeParams {
  const params = value as Partial<DecodeParams> | undefined;
  return (
    typeof params === 'object' &&
    params !== null &&
    SAMPLERS.includes(params.sampler as SamplerName) &&
    Number.isInteger(params.steps) &&
    typeof params.guidance === 'number' &&
    Number.isInteger(params.seed)
  );
}

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
    model: {
      id: model!.id,
      sha256: model!.sha256,
      codebookSize: model!.codebookSize ?? 8192,
      ...(isDecodeParams(model!.defaults) ? { defaults: { ...model!.defaults } } : {})
    },
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
