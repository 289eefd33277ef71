/**
 * The one place that reads the kernel's wire formats: the `application/vnd.seed.v1+json` payload and
 * the messages of the `seed` comm. Everything else in the frontend uses the view models of
 * seed-result.ts, so a change of the wire format is a change here only.
 */
import type { ErrorObject } from 'ajv';
import {
  type BinaryPng,
  describeSchemaError,
  findSchemaError,
  SeedDecodeParamsSchema,
  type SeedPayload,
  SeedPayloadSchema,
  type SeedCommReply,
  type SeedCommRequest,
  type SeedKernelInfo,
  type SeedPng
} from '../../kernel/protocol';
import { bytesToBase64 } from './base64';
import type { CodeHistory } from './code-history';
import type { DecodedView, DecodeParams, ImageView, SeedResultView } from './seed-result';

export { SEED_COMM_TARGET, SEED_MIME_TYPE } from '../../kernel/protocol';

export type RequestWire = SeedCommRequest;
export type ReplyWire = SeedCommReply;
export type DecodedWire = Extract<ReplyWire, { type: 'decoded' }>;

/** The kernel's model, device, settings and memory, as the panel shows them. */
export interface KernelInfoView {
  model: {
    id: string;
    sha256: string;
    dir: string;
    family: string;
    description: string;
    defaults?: DecodeParams;
  } | null;
  models: { name: string; dir: string }[];
  executionProvider: { name: string; reason: string } | null;
  /** Threads per model session and why; null before a model is loaded. */
  threads: { count: number; reason: string } | null;
  /** The kernel building the model's sessions in the background, or null when it is not. */
  loading: SeedKernelInfo['loading'];
  memory: { rssBytes: number; heapUsedBytes: number };
}

export function imageFromWire(image: SeedPng): ImageView {
  return { src: `data:image/png;base64,${image.png}`, width: image.width, height: image.height };
}

/**
 * An image that came as a binary buffer of a comm message. It becomes a data: URL (not a blob: URL) so
 * that it can be kept in the notebook's output metadata as it is.
 */
export function imageFromBuffer(image: BinaryPng, buffers: readonly (ArrayBuffer | ArrayBufferView)[]): ImageView {
  const buffer = buffers[image.buffer];
  if (!buffer) {
    throw new Error(
      `The kernel's reply names image buffer ${image.buffer}, which it did not send; update jupyterlab-seed.`
    );
  }
  const bytes =
    buffer instanceof ArrayBuffer
      ? new Uint8Array(buffer)
      : new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  return { src: `data:image/png;base64,${bytesToBase64(bytes)}`, width: image.width, height: image.height };
}

export function kernelInfoFromWire(info: SeedKernelInfo): KernelInfoView {
  return {
    model: info.model ? { description: '', ...info.model } : null,
    models: info.models ?? [],
    executionProvider: info.executionProvider,
    threads: info.threads ?? null,
    loading: info.loading ?? null,
    memory: info.memory
  };
}

/** What is wrong with a payload, in the words a notebook user reads (the common cases first). */
function payloadProblem(error: ErrorObject, payload: Record<string, unknown>): string {
  const path = error.instancePath;
  const missing = error.keyword === 'required' ? (error.params as { missingProperty: string }).missingProperty : '';
  if (path === '/version' || missing === 'version') {
    return `its version is ${JSON.stringify(payload.version)}, not 1`;
  }
  if (path === '/kind' || missing === 'kind') {
    return `its kind ${JSON.stringify(payload.kind)} is unknown`;
  }
  if (path.startsWith('/model') || missing === 'model') {
    return 'it names no model';
  }
  if (path.startsWith('/codes') || missing === 'codes') {
    return 'its codes are not a list of whole numbers';
  }
  if (path === '/params/sampler') {
    return `its sampler ${JSON.stringify((payload.params as { sampler?: unknown }).sampler)} is unknown`;
  }
  return describeSchemaError(error, 'the payload').replace(/\.$/, '');
}

/**
 * Reads a saved or live payload, checked against the protocol's schema. Throws an Error naming the
 * missing or malformed field, so a notebook written by an incompatible version says so instead of
 * rendering nonsense. A model's sampler defaults are advice: malformed ones (an older kernel's) are
 * left out rather than refusing the whole output.
 */
export function resultFromPayload(payload: unknown): SeedResultView {
  if (!payload || typeof payload !== 'object') {
    throw unshowable('the payload is not an object');
  }
  let data = payload as Record<string, unknown>;
  const model = data.model as Record<string, unknown> | undefined;
  if (
    model &&
    typeof model === 'object' &&
    'defaults' in model &&
    findSchemaError(SeedDecodeParamsSchema, model.defaults)
  ) {
    const withoutDefaults = { ...model };
    delete withoutDefaults.defaults;
    data = { ...data, model: withoutDefaults };
  }
  const error = findSchemaError(SeedPayloadSchema, data);
  if (error) {
    throw unshowable(payloadProblem(error, data));
  }
  return viewOf(data as unknown as SeedPayload);
}

function unshowable(what: string): Error {
  return new Error(
    `This SEED output cannot be shown: ${what}. It was written by an incompatible version of jupyterlab-seed; ` +
      'run the cell again to refresh it.'
  );
}

function viewOf(data: SeedPayload): SeedResultView {
  const model = data.model;
  return {
    kind: data.kind,
    label: data.label ?? model.id,
    model: {
      id: model.id,
      sha256: model.sha256,
      family: model.family ?? 'seed-v1',
      codebookSize: model.codebookSize,
      ...(model.defaults ? { defaults: { ...model.defaults } } : {})
    },
    codes: [...data.codes],
    topK: data.topK ?? [],
    ...(data.source ? { source: imageFromWire(data.source) } : {}),
    ...(data.image ? { image: imageFromWire(data.image) } : {}),
    ...(data.params ? { params: { ...data.params } } : {})
  };
}

/**
 * What the user did with an output is kept in that output's metadata under this key, so a saved
 * notebook shows it again: `{ decoded: DecodedView[], history?: CodeHistory }`: the images decoded from it,
 * newest first (as data: URLs), and the inspector's edits with their undo and redo lists.
 */
export const OUTPUT_METADATA_KEY = 'jupyterlab-seed';

/** What an output keeps in its metadata. */
export interface OutputState {
  decoded: DecodedView[];
  history: CodeHistory | null;
}

export function outputStateToMetadata({ decoded, history }: OutputState): Record<string, unknown> {
  return {
    decoded: decoded.map((item) => ({ image: { ...item.image }, lineage: { ...item.lineage } })),
    ...(history
      ? { history: { original: [...history.original], done: [...history.done], undone: [...history.undone] } }
      : {})
  };
}

/** The saved edit history as stored; restoreHistory (code-history.ts) checks it against the output's codes. */
export function historyFromMetadata(metadata: unknown): unknown {
  return (metadata as { history?: unknown } | undefined)?.history ?? null;
}

/** Reads the decoded images outputStateToMetadata wrote; entries that are not well formed are left out. */
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
