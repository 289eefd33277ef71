/**
 * Small builders for the protocol's TypeBox schemas, so that a limit or a name list declared in
 * vocabulary.ts becomes the same JSON Schema keyword everywhere it is used.
 */
import { type TNumber, type TUnsafe, Type } from '@sinclair/typebox';
import type { Limit } from './vocabulary';

/** A string that is one of `values` (`{"type": "string", "enum": [...]}` in JSON Schema). */
export function StringEnum<T extends string>(values: readonly T[], options: { description?: string } = {}): TUnsafe<T> {
  return Type.Unsafe<T>({ type: 'string', enum: [...values], ...options });
}

/** A number or integer within a Limit (typed as a number either way: both are numbers in TypeScript). */
export function Limited(limit: Limit, options: { description?: string } = {}): TNumber {
  const bounds = { minimum: limit.min, maximum: limit.max, ...options };
  return limit.integer ? (Type.Integer(bounds) as unknown as TNumber) : Type.Number(bounds);
}

/** An object that forbids fields it does not declare (the protocol's objects all do). */
export function Closed<T extends Parameters<typeof Type.Object>[0]>(
  properties: T,
  options: { description?: string } = {}
) {
  return Type.Object(properties, { additionalProperties: false, ...options });
}
