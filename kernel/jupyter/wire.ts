import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';

/**
 * The Jupyter wire protocol (messaging spec 5.5): how one message maps to ZeroMQ frames and how
 * it is signed. Pure functions, no sockets, so they can be unit tested.
 */

export const PROTOCOL_VERSION = '5.5';

/** Separates the ZeroMQ routing identities from the message proper. */
const DELIMITER = Buffer.from('<IDS|MSG>');

export interface MessageHeader {
  msg_id: string;
  session: string;
  username: string;
  date: string;
  msg_type: string;
  version: string;
}

export type JsonObject = Record<string, unknown>;

export interface JupyterMessage<Content = JsonObject> {
  /** ZeroMQ routing prefix of the sender; replies carry it back. Empty on iopub. */
  identities: Buffer[];
  header: MessageHeader;
  /** The header of the request this message answers, or `{}`. */
  parent_header: MessageHeader | Record<string, never>;
  metadata: JsonObject;
  content: Content;
  buffers: Buffer[];
}

/** A message whose signature does not match the connection key; it is dropped, never handled. */
export class SignatureError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SignatureError';
  }
}

/** Frames that do not form a Jupyter message. */
export class MalformedMessageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MalformedMessageError';
  }
}

/**
 * HMAC of the four JSON parts (header, parent header, metadata, content), hex encoded.
 * An empty key means signing is off, and the signature is the empty string.
 */
export function sign(key: string, parts: (Buffer | string)[], scheme = 'hmac-sha256'): string {
  if (!key) {
    return '';
  }
  const algorithm = scheme.replace(/^hmac-/, '');
  const hmac = createHmac(algorithm, key);
  for (const part of parts) {
    hmac.update(part);
  }
  return hmac.digest('hex');
}

function signaturesEqual(expected: string, actual: string): boolean {
  const a = Buffer.from(expected);
  const b = Buffer.from(actual);
  return a.length === b.length && timingSafeEqual(a, b);
}

function parseJsonPart(frame: Buffer, what: string): JsonObject {
  try {
    const value: unknown = JSON.parse(frame.toString('utf8'));
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      throw new Error('not a JSON object');
    }
    return value as JsonObject;
  } catch (error) {
    throw new MalformedMessageError(`The message's ${what} is not a JSON object: ${(error as Error).message}`);
  }
}

/** Reads one message from the frames a ZeroMQ socket received, checking its signature. */
export function decodeMessage(frames: Buffer[], key: string, scheme = 'hmac-sha256'): JupyterMessage {
  const delimiterAt = frames.findIndex((frame) => frame.equals(DELIMITER));
  if (delimiterAt < 0) {
    throw new MalformedMessageError('The frames have no <IDS|MSG> delimiter.');
  }
  if (frames.length < delimiterAt + 6) {
    throw new MalformedMessageError(
      `A message needs a signature and four JSON parts after the delimiter; got ${frames.length - delimiterAt - 1} frames.`
    );
  }
  const signature = frames[delimiterAt + 1].toString('ascii');
  const parts = frames.slice(delimiterAt + 2, delimiterAt + 6);
  if (key) {
    const expected = sign(key, parts, scheme);
    if (!signaturesEqual(expected, signature)) {
      throw new SignatureError('The message signature does not match the connection key; the message was dropped.');
    }
  }
  const header = parseJsonPart(parts[0], 'header') as unknown as MessageHeader;
  if (typeof header.msg_type !== 'string' || typeof header.msg_id !== 'string') {
    throw new MalformedMessageError('The message header lacks msg_type or msg_id.');
  }
  return {
    identities: frames.slice(0, delimiterAt),
    header,
    parent_header: parseJsonPart(parts[1], 'parent header') as JupyterMessage['parent_header'],
    metadata: parseJsonPart(parts[2], 'metadata'),
    content: parseJsonPart(parts[3], 'content'),
    buffers: frames.slice(delimiterAt + 6)
  };
}

/** Turns a message into the frames to send, signed with the connection key. */
export function encodeMessage(message: JupyterMessage<unknown>, key: string, scheme = 'hmac-sha256'): Buffer[] {
  const parts = [message.header, message.parent_header, message.metadata, message.content].map((part) =>
    Buffer.from(JSON.stringify(part), 'utf8')
  );
  return [
    ...message.identities,
    DELIMITER,
    Buffer.from(sign(key, parts, scheme), 'ascii'),
    ...parts,
    ...message.buffers
  ];
}

/** A fresh header for a message this kernel sends. */
export function newHeader(msgType: string, session: string, username = 'kernel'): MessageHeader {
  return {
    msg_id: randomUUID(),
    session,
    username,
    date: new Date().toISOString(),
    msg_type: msgType,
    version: PROTOCOL_VERSION
  };
}

/**
 * Builds a message answering or caused by `parent`. Replies on shell, control and stdin go
 * back to the parent's identities; iopub messages have none (pass `routeToParent: false`).
 */
export function childMessage<Content>(
  parent: JupyterMessage<unknown> | undefined,
  msgType: string,
  content: Content,
  session: string,
  routeToParent = true,
  metadata: JsonObject = {}
): JupyterMessage<Content> {
  return {
    identities: parent && routeToParent ? parent.identities : [],
    header: newHeader(msgType, session, parent?.header.username ?? 'kernel'),
    parent_header: parent ? parent.header : {},
    metadata,
    content,
    buffers: []
  };
}
