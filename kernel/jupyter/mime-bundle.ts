import { inspect } from 'node:util';

/**
 * How a value shows itself in the notebook. An object with a `[MIME_BUNDLE]()` method (SEED
 * results do) gives its own bundle; everything else is shown as Node's REPL would show it.
 */

export type MimeBundle = Record<string, unknown>;

/** Registered globally so values made by another copy of this module are still recognised. */
export const MIME_BUNDLE = Symbol.for('jupyterlab-seed.mimeBundle');

export interface DisplaysItself {
  [MIME_BUNDLE](): MimeBundle;
}

function displaysItself(value: unknown): value is DisplaysItself {
  return (
    value !== null &&
    (typeof value === 'object' || typeof value === 'function') &&
    typeof (value as Partial<DisplaysItself>)[MIME_BUNDLE] === 'function'
  );
}

export function plainText(value: unknown): string {
  return typeof value === 'string'
    ? inspect(value)
    : inspect(value, { depth: 4, maxArrayLength: 64, breakLength: 100 });
}

export function mimeBundleOf(value: unknown): MimeBundle {
  if (displaysItself(value)) {
    const bundle = value[MIME_BUNDLE]();
    return 'text/plain' in bundle ? bundle : { ...bundle, 'text/plain': plainText(value) };
  }
  return { 'text/plain': plainText(value) };
}
