/**
 * The words both sides of jupyterlab-seed use, each declared once: sampler and model-family names,
 * the limits of every parameter a user or a client can set, and each family's decode defaults.
 * The kernel, the CLI, the runtime and the frontend import them from here; the JSON schemas of the
 * payload, the comm messages, the settings and the model manifest are checked against them in
 * schemas.test.ts. Adding a sampler or a family starts here.
 *
 * Depends on nothing, so the browser and Node compile it alike.
 */

/** The diffusion samplers the runtime implements, with the names people know them by. */
export const SAMPLERS = {
  plms: 'PLMS',
  ddim: 'DDIM',
  euler: 'Euler',
  dpmpp: 'DPM-Solver++(2M)'
} as const;

export type SamplerName = keyof typeof SAMPLERS;
export const SAMPLER_NAMES = Object.keys(SAMPLERS) as SamplerName[];

/**
 * Model families: `seed-v1` is the SEED tokenizer of the paper (Stable Diffusion v1.x decoder);
 * `seed-v2` is the SEED-LLaMA tokenizer (Stable Diffusion 2.1 unCLIP decoder).
 */
export const FAMILIES = {
  'seed-v1': 'SEED v1',
  'seed-v2': 'SEED-2 (SEED-LLaMA)'
} as const;

export type FamilyName = keyof typeof FAMILIES;
export const FAMILY_NAMES = Object.keys(FAMILIES) as FamilyName[];

/** The execution providers the runtime can ask ONNX Runtime for, in the default order of preference. */
export const EXECUTION_PROVIDER_NAMES = ['cuda', 'cpu'] as const;
export type ExecutionProviderName = (typeof EXECUTION_PROVIDER_NAMES)[number];

/** An inclusive range, with the reason for its bounds where they are not self-evident. */
export interface Limit {
  min: number;
  max: number;
  integer: boolean;
  /** Said with an out-of-range value, so the user learns why the bound is there. */
  why?: string;
}

/** The sampler settings of one decode. */
export interface DecodeParams {
  sampler: SamplerName;
  steps: number;
  guidance: number;
  seed: number;
}

export const DECODE_LIMITS: Record<Exclude<keyof DecodeParams, 'sampler'>, Limit> = {
  steps: {
    min: 1,
    max: 500,
    integer: true,
    why: 'the samplers need at least two training steps of the 1000-step schedule between their steps'
  },
  guidance: {
    min: 0,
    max: 100,
    integer: false,
    // Room to experiment (ComfyUI allows the same) while refusing scales that overflow float32.
    why: 'useful scales are 1 to about 20 (SEED v1 decodes at 7.5, SEED-2 at 10); larger ones only saturate the image, and huge ones overflow into NaN'
  },
  seed: { min: 0, max: 4294967295, integer: true, why: 'seeds are unsigned 32-bit numbers' }
};

/** Nearest codebook entries reported per position by an encode. */
export const TOP_K_LIMIT: Limit = { min: 1, max: 64, integer: true };
/** Preview every N sampler steps; 0 turns previews off. */
export const PREVIEW_EVERY_LIMIT: Limit = { min: 0, max: 1000, integer: true };
/** ONNX Runtime threads; 0 lets the runtime choose from the cores the process may use. */
export const THREADS_LIMIT: Limit = { min: 0, max: 1024, integer: true };

/** Each family's decode defaults, as its release samples (a model's manifest may choose its own). */
export const FAMILY_DEFAULTS: Record<FamilyName, DecodeParams> = {
  // The SEED v1 demo: CompVis PLMS, 50 steps, guidance 7.5, seed 42.
  'seed-v1': { sampler: 'plms', steps: 50, guidance: 7.5, seed: 42 },
  // The SEED-LLaMA tokenizer's decode call: 20 steps, guidance 10 (Stable Diffusion 2.1 unCLIP).
  'seed-v2': { sampler: 'ddim', steps: 20, guidance: 10, seed: 42 }
};

/** Bounds on what a client can send, so that a request cannot make the kernel allocate what it likes. */
export const WIRE_LIMITS = {
  /** Request ids, chosen by the frontend. */
  idLength: 128,
  /** Codes in one request (SEED has 32 per image). */
  codes: 1024,
  /** Largest code value a message may carry; the model's codebook size is checked where it is known. */
  codeValue: 1048575,
  /** Model names and folders. */
  pathLength: 4096,
  /** The whole `data` of one comm message, as JSON text. */
  messageBytes: 1024 * 1024,
  /** Characters of an offending value that an error message quotes. */
  quotedValue: 40
} as const;

/** Whether `value` lies in `limit`. */
export function withinLimit(value: number, limit: Limit): boolean {
  return (
    typeof value === 'number' &&
    Number.isFinite(value) &&
    value >= limit.min &&
    value <= limit.max &&
    (!limit.integer || Number.isInteger(value))
  );
}

/** "a whole number from 1 to 500" (or "a number >= 0 and at most 30" for ranges from 0), for error messages. */
export function describeLimit(limit: Limit): string {
  const kind = limit.integer ? 'a whole number' : 'a number';
  return limit.min === 0 ? `${kind} >= 0 and at most ${limit.max}` : `${kind} from ${limit.min} to ${limit.max}`;
}

/** At most a short prefix of a value, for error messages (a client may send megabytes). */
export function quote(value: unknown): string {
  let text: string;
  try {
    text = typeof value === 'string' ? JSON.stringify(value) : (JSON.stringify(value) ?? String(value));
  } catch {
    text = String(value);
  }
  const max = WIRE_LIMITS.quotedValue;
  return text.length > max ? `${text.slice(0, max)}… (${text.length} characters)` : text;
}

/**
 * Checks one numeric parameter and throws a RangeError that names it, gives the allowed range and why.
 * `name` is what the user typed or set (`--steps`, `steps`).
 */
export function checkLimit(name: string, value: unknown, limit: Limit): number {
  if (typeof value !== 'number' || !withinLimit(value, limit)) {
    const why = limit.why ? ` (${limit.why})` : '';
    throw new RangeError(`${name} must be ${describeLimit(limit)}${why}; got ${quote(value)}.`);
  }
  return value;
}

/** Checks a sampler name; the error lists the samplers there are (naming the flag when given one). */
export function checkSampler(value: unknown, flag?: string): SamplerName {
  if (typeof value !== 'string' || !(value in SAMPLERS)) {
    const list = SAMPLER_NAMES.join(', ');
    throw new RangeError(
      flag
        ? `${flag} must be one of ${list}; got ${quote(value)}.`
        : `Unknown sampler ${quote(value).replace(/"/g, "'")}; use one of ${list}.`
    );
  }
  return value as SamplerName;
}

/**
 * Checks a partial set of decode parameters (what a flag, an argument or a request gives). `flagPrefix`
 * (`--` for the command line) makes messages name what the user typed.
 */
export function checkDecodeParams(
  params: Partial<Record<keyof DecodeParams, unknown>>,
  flagPrefix?: string
): Partial<DecodeParams> {
  const out: Partial<DecodeParams> = {};
  if (params.sampler !== undefined) {
    out.sampler = checkSampler(params.sampler, flagPrefix === undefined ? undefined : `${flagPrefix}sampler`);
  }
  for (const key of ['steps', 'guidance', 'seed'] as const) {
    if (params[key] !== undefined) {
      out[key] = checkLimit(`${flagPrefix ?? ''}${key}`, params[key], DECODE_LIMITS[key]);
    }
  }
  return out;
}
