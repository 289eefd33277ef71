/**
 * The one validator of everything that crosses a boundary: comm requests (kernel side), settings,
 * and saved payloads (frontend side). It runs ajv over the protocol's own schemas, compiled once on
 * first use, and turns ajv's findings into one sentence that names the field, says what is allowed,
 * and quotes at most a short prefix of the offending value.
 */
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import type { TSchema } from '@sinclair/typebox';
import {
  SEED_COMM_REQUESTS,
  SEED_COMM_REQUEST_TYPES,
  type SeedCommRequest,
  type SeedCommRequestType
} from './seed-comm';
import { SeedKernelSettingsSchema, type SeedKernelSettings } from './settings';
import { DECODE_LIMITS, type Limit, WIRE_LIMITS, describeLimit, quote } from './vocabulary';

// `verbose` keeps each error's schema, so a message can list the allowed fields or the whole range.
const ajv = new Ajv({ allErrors: false, verbose: true, strict: true });
const compiled = new WeakMap<TSchema, ValidateFunction>();

function validatorFor(schema: TSchema): ValidateFunction {
  let validate = compiled.get(schema);
  if (!validate) {
    validate = ajv.compile(schema);
    compiled.set(schema, validate);
  }
  return validate;
}

/** `params.steps` from `/params/steps`; `what` names the whole value. */
function fieldName(instancePath: string, what: string): string {
  if (instancePath === '') {
    return what;
  }
  return instancePath
    .slice(1)
    .split('/')
    .map((part) => (/^\d+$/.test(part) ? `[${part}]` : `.${part}`))
    .join('')
    .replace(/^\./, '');
}

function rangeOf(schema: { minimum?: number; maximum?: number; type?: string }, field: string): string {
  const key = field.split('.').pop() as keyof typeof DECODE_LIMITS;
  const known: Limit | undefined = DECODE_LIMITS[key];
  const limit: Limit = {
    min: schema.minimum ?? -Infinity,
    max: schema.maximum ?? Infinity,
    integer: schema.type === 'integer',
    why: known && known.max === schema.maximum ? known.why : undefined
  };
  return `${describeLimit(limit)}${limit.why ? ` (${limit.why})` : ''}`;
}

/** One sentence for ajv's first finding. */
export function describeSchemaError(error: ErrorObject, what: string): string {
  const field = fieldName(error.instancePath, what);
  const parent = (error.parentSchema ?? {}) as Record<string, unknown>;
  switch (error.keyword) {
    case 'required':
      return `${field} is missing '${(error.params as { missingProperty: string }).missingProperty}'.`;
    case 'additionalProperties': {
      const extra = (error.params as { additionalProperty: string }).additionalProperty;
      const allowed = Object.keys((parent.properties as object | undefined) ?? {});
      return `${field} has a field ${quote(extra)} that is not allowed (allowed: ${allowed.join(', ')}).`;
    }
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
      return `${field} must be ${rangeOf(parent, field)}; got ${quote(error.data)}.`;
    case 'type':
      return `${field} must be ${article((error.params as { type: string }).type)}; got ${quote(error.data)}.`;
    case 'enum':
      return `${field} must be one of ${(error.params as { allowedValues: unknown[] }).allowedValues.join(', ')}; got ${quote(error.data)}.`;
    case 'const':
      return `${field} must be ${quote((error.params as { allowedValue: unknown }).allowedValue)}; got ${quote(error.data)}.`;
    case 'maxLength':
    case 'maxItems':
      return `${field} is too long: at most ${(error.params as { limit: number }).limit} ${error.keyword === 'maxLength' ? 'characters' : 'items'}.`;
    case 'minLength':
    case 'minItems':
      return `${field} is too short: at least ${(error.params as { limit: number }).limit} ${error.keyword === 'minLength' ? 'characters' : 'items'}.`;
    default:
      return `${field} ${error.message ?? 'is not valid'}.`;
  }
}

function article(type: string): string {
  const words: Record<string, string> = {
    integer: 'a whole number',
    number: 'a number',
    string: 'a string',
    object: 'an object',
    array: 'a list',
    boolean: 'true or false',
    null: 'null'
  };
  return type
    .split(',')
    .map((t) => words[t] ?? t)
    .join(' or ');
}

/** ajv's first finding for `value`, or null when it follows `schema`. */
export function findSchemaError(schema: TSchema, value: unknown): ErrorObject | null {
  const validate = validatorFor(schema);
  return validate(value) ? null : validate.errors![0];
}

/** Checks `value` against `schema`; throws an Error whose message names the field and what is allowed. */
export function check<T>(schema: TSchema, value: unknown, what: string): T {
  const error = findSchemaError(schema, value);
  if (error) {
    throw new Error(describeSchemaError(error, what));
  }
  return value as T;
}

export type ReadRequest =
  | { ok: true; request: SeedCommRequest }
  /** `id` is null when the message could not be read far enough to find a usable id. */
  | { ok: false; id: string | null; message: string };

/**
 * Reads the data of one comm message from the frontend: its size, its id, its type, then every field
 * against that request type's schema. Nothing in a message is used before this has passed.
 */
export function readCommRequest(data: unknown): ReadRequest {
  const fail = (id: string | null, message: string): ReadRequest => ({ ok: false, id, message });
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    return fail(null, `A seed comm message must be a JSON object with 'type' and 'id'; got ${quote(data)}.`);
  }
  const size = JSON.stringify(data).length;
  const rawId = (data as { id?: unknown }).id;
  const id = typeof rawId === 'string' && rawId.length > 0 && rawId.length <= WIRE_LIMITS.idLength ? rawId : null;
  if (size > WIRE_LIMITS.messageBytes) {
    return fail(id, `The message is ${size} bytes; a seed request may have at most ${WIRE_LIMITS.messageBytes}.`);
  }
  if (id === null) {
    return fail(
      null,
      `The message has no usable 'id' (a string of 1 to ${WIRE_LIMITS.idLength} characters); got ${quote(rawId)}.`
    );
  }
  const type = (data as { type?: unknown }).type;
  if (typeof type !== 'string' || !(type in SEED_COMM_REQUESTS)) {
    return fail(
      id,
      `Unknown request type ${quote(type)}: the kernel understands ${SEED_COMM_REQUEST_TYPES.join(', ')}. ` +
        'If the extension is newer than the kernel, restart the kernel.'
    );
  }
  try {
    const request = check<SeedCommRequest>(
      SEED_COMM_REQUESTS[type as SeedCommRequestType],
      data,
      `the ${type} request`
    );
    return { ok: true, request };
  } catch (error) {
    return fail(id, `Invalid ${type} request: ${(error as Error).message}`);
  }
}

/** Checks settings (complete ones); throws an Error naming the setting and its range. */
export function checkSettings(settings: unknown): SeedKernelSettings {
  return check<SeedKernelSettings>(SeedKernelSettingsSchema, settings, 'the settings');
}
