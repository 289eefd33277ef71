import type { CodeCandidate, DecodeParams, PngImage } from '../../runtime';
import {
  SEED_MIME_TYPE,
  SeedResultParams,
  SeedLineage,
  SeedMimeBundle,
  SeedModelRef,
  SeedPayload,
  SeedPng
} from '../../protocol/seed-mime';
import { MIME_BUNDLE } from '../mime-bundle';

/**
 * What `seed.encode`, `seed.decode` and `seed.recon` (and the `%seed` magics) give back: plain
 * data a cell can use (`t.codes`) that also displays itself as the SEED MIME payload with
 * `image/png` and `text/plain` fallbacks.
 */

function pngWire(image: PngImage): SeedPng {
  return { png: image.png.toString('base64'), width: image.width, height: image.height };
}

function codesText(codes: number[]): string {
  return `[${codes.join(', ')}]`;
}

/**
 * A decode's params as the payload and the comm carry them: the steps that ran, and when they differ
 * from the count asked, that count and the one line saying why.
 */
export function wireParams(params: DecodeParams): SeedResultParams {
  const { sampler, steps, guidance, seed, stepsAsked, stepsNote } = params;
  return {
    sampler,
    steps,
    guidance,
    seed,
    ...(stepsAsked !== undefined ? { stepsAsked } : {}),
    ...(stepsNote !== undefined ? { stepsNote } : {})
  };
}

function bundle(payload: SeedPayload, png: PngImage, text: string): SeedMimeBundle {
  return { [SEED_MIME_TYPE]: payload, 'image/png': png.png.toString('base64'), 'text/plain': text };
}

/** An image's SEED codes. */
export class SeedEncoding {
  readonly kind = 'encoding' as const;

  constructor(
    /** The codes, in causal order. */
    readonly codes: number[],
    /** Per position, the nearest codebook entries, nearest first. */
    readonly topK: CodeCandidate[][],
    /** The image as the encoder saw it. */
    readonly source: PngImage,
    readonly model: SeedModelRef,
    /** A short label: the file name, or the variable it was bound to. */
    public label: string,
    readonly lineage: SeedLineage = {}
  ) {}

  toPayload(): SeedPayload {
    return {
      version: 1,
      kind: 'encoding',
      label: this.label,
      model: this.model,
      codes: this.codes,
      topK: this.topK,
      source: pngWire(this.source),
      lineage: this.lineage
    };
  }

  toString(): string {
    return `SEED encoding of ${this.label} (${this.model.id}): ${this.codes.length} codes ${codesText(this.codes)}`;
  }

  [MIME_BUNDLE](): SeedMimeBundle {
    return bundle(this.toPayload(), this.source, this.toString());
  }
}

/** An image decoded from SEED codes. */
export class SeedReconstruction {
  readonly kind = 'reconstruction' as const;

  constructor(
    readonly codes: number[],
    /** The decoded image. */
    readonly image: PngImage,
    readonly params: DecodeParams,
    readonly model: SeedModelRef,
    public label: string,
    readonly lineage: SeedLineage = {}
  ) {}

  /** The PNG bytes of the decoded image. */
  get png(): Buffer {
    return this.image.png;
  }

  toPayload(): SeedPayload {
    return {
      version: 1,
      kind: 'reconstruction',
      label: this.label,
      model: this.model,
      codes: this.codes,
      image: pngWire(this.image),
      params: wireParams(this.params),
      lineage: this.lineage
    };
  }

  toString(): string {
    const { sampler, steps, guidance, seed, stepsNote, noiseLevel } = this.params;
    const noise = noiseLevel === undefined ? '' : `, noise level ${noiseLevel}`;
    return (
      `SEED reconstruction ${this.image.width}x${this.image.height} of ${this.label} (${this.model.id}; ` +
      `${sampler}, ${steps} steps, guidance ${guidance}, seed ${seed}${noise}) from codes ${codesText(this.codes)}` +
      (stepsNote ? `\n${stepsNote}` : '')
    );
  }

  [MIME_BUNDLE](): SeedMimeBundle {
    return bundle(this.toPayload(), this.image, this.toString());
  }
}

/** An image, its codes and the image decoded from them, shown side by side. */
export class SeedRecon {
  readonly kind = 'recon' as const;

  constructor(
    readonly encoding: SeedEncoding,
    readonly reconstruction: SeedReconstruction,
    /** Source and reconstruction in one PNG, for frontends that only show image/png. */
    readonly sideBySide: PngImage
  ) {}

  get codes(): number[] {
    return this.encoding.codes;
  }

  toPayload(): SeedPayload {
    return {
      ...this.reconstruction.toPayload(),
      kind: 'recon',
      label: this.encoding.label,
      topK: this.encoding.topK,
      source: pngWire(this.encoding.source),
      lineage: this.encoding.lineage
    };
  }

  toString(): string {
    return `${this.encoding.toString()}\n${this.reconstruction.toString()}`;
  }

  [MIME_BUNDLE](): SeedMimeBundle {
    return bundle(this.toPayload(), this.sideBySide, this.toString());
  }
}
