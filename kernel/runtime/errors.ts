/**
 * The errors the SEED runtime throws. Each message says what was wrong and what to do, so the kernel
 * and the CLI can show it as it is; the class tells them which kind of problem it was.
 */

/** Base class of every error the runtime throws on purpose. */
export class SeedError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** The caller passed something the model cannot take: an unreadable image, codes of the wrong length or range. */
export class SeedInputError extends SeedError {}

/** The model folder is unusable: invalid manifest, missing file, hash mismatch, an ONNX file that does not load. */
export class SeedModelError extends SeedError {}

/** An AbortSignal stopped an encode or decode; nothing was produced. */
export class SeedCancelledError extends SeedError {
  constructor(message = 'Cancelled: the SEED run was interrupted before it finished.', options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** The accelerator ran out of memory while running a graph. */
export class SeedOutOfMemoryError extends SeedError {}

/**
 * Sampling or a graph produced NaN or infinity. Encoding such values as a PNG would give a black or
 * garbage image that looks like a result, so the run stops instead.
 */
export class SeedNumericError extends SeedError {}
