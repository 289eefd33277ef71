/**
 * The SEED output payload: what the kernel puts under `application/vnd.seed.v1+json` in
 * display_data / execute_result, always next to `image/png` and `text/plain` fallbacks so any
 * Jupyter frontend shows something. Saved notebooks keep it, so it stays JSON (images as base64).
 *
 * Each shape is a TypeBox schema and its TypeScript type is derived from it, so the type and the
 * JSON Schema (`seed-mime.schema.json`, written from these by `npm run schemas`) cannot disagree.
 */
import { type Static, Type } from '@sinclair/typebox';
import { Closed, Limited, StringEnum } from './schema-helpers';
import { DECODE_LIMITS, FAMILY_NAMES, SAMPLER_NAMES, WIRE_LIMITS } from './vocabulary';

export const SEED_MIME_TYPE = 'application/vnd.seed.v1+json';

const Code = Type.Integer({ minimum: 0, maximum: WIRE_LIMITS.codeValue });
/** A sequence of codes in causal order. */
export function CodesSchema(description?: string) {
  return Type.Array(Code, { minItems: 1, maxItems: WIRE_LIMITS.codes, ...(description ? { description } : {}) });
}

export const SeedPngSchema = Closed(
  {
    png: Type.String({ description: 'base64 PNG bytes', contentEncoding: 'base64', contentMediaType: 'image/png' }),
    width: Type.Integer({ minimum: 1 }),
    height: Type.Integer({ minimum: 1 })
  },
  { description: 'A PNG on the wire: base64 bytes and its pixel size.' }
);
/** A PNG on the wire: base64 bytes and its pixel size. */
export type SeedPng = Static<typeof SeedPngSchema>;

export const SeedDecodeParamsSchema = Closed(
  {
    sampler: StringEnum(SAMPLER_NAMES),
    steps: Limited(DECODE_LIMITS.steps),
    guidance: Limited(DECODE_LIMITS.guidance),
    seed: Limited(DECODE_LIMITS.seed)
  },
  { description: 'The sampler settings of one decode.' }
);
/** The sampler settings of one decode (the same fields as DecodeParams in vocabulary.ts). */
export type SeedDecodeParams = Static<typeof SeedDecodeParamsSchema>;

export const SeedResultParamsSchema = Type.Composite(
  [
    SeedDecodeParamsSchema,
    Type.Object({
      stepsAsked: Type.Optional(
        Limited(DECODE_LIMITS.steps, {
          description: 'The steps asked, when the schedule ran another count (decode with it to get the same image).'
        })
      ),
      stepsNote: Type.Optional(
        Type.String({ maxLength: 300, description: 'Why the steps that ran differ from the steps asked, in one line.' })
      )
    })
  ],
  {
    additionalProperties: false,
    description:
      'What a decode ran: `steps` is the count that ran, which the uniform schedule can make differ from the count asked.'
  }
);
/** What a decode ran, as a result reports it. */
export type SeedResultParams = Static<typeof SeedResultParamsSchema>;

export const SeedModelRefSchema = Closed(
  {
    id: Type.String(),
    sha256: Type.String({ pattern: '^[0-9a-f]{64}$', description: "sha256 of the model's seed-model.json." }),
    family: Type.Optional(
      StringEnum(FAMILY_NAMES, { description: 'The model family; absent in older payloads (seed-v1).' })
    ),
    codebookSize: Type.Integer({ minimum: 1 }),
    /** The model's own sampler defaults (its manifest's diffusion.defaults). */
    defaults: Type.Optional(SeedDecodeParamsSchema)
  },
  { description: 'The model that made the codes; codes of one model mean nothing to another.' }
);
export type SeedModelRef = Static<typeof SeedModelRefSchema>;

export const SeedCodeCandidateSchema = Closed(
  {
    code: Type.Integer({ minimum: 0 }),
    distance: Type.Number({
      description: "Distance in the model's metric (squared L2, or 2 - 2cos for cosine models)."
    })
  },
  { description: "One codebook entry near the image's vector at one position." }
);
export type SeedCodeCandidate = Static<typeof SeedCodeCandidateSchema>;

export const SeedLineageSchema = Closed(
  {
    sourceFile: Type.Optional(Type.String({ description: 'The image file (path or file:// URL) that was encoded.' })),
    fromCodes: Type.Optional(Type.Array(Code, { description: 'The codes a decode started from, when edited.' })),
    variable: Type.Optional(Type.String({ description: 'The variable the result was bound to (`--as NAME`).' }))
  },
  { description: 'Where a result came from.' }
);
export type SeedLineage = Static<typeof SeedLineageSchema>;

export const SEED_PAYLOAD_KINDS = ['encoding', 'reconstruction', 'recon'] as const;

export const SeedPayloadSchema = Closed(
  {
    version: Type.Literal(1, {
      description: 'Payload format version; a new incompatible format gets a new MIME type.'
    }),
    kind: StringEnum(SEED_PAYLOAD_KINDS, {
      description: 'encoding: codes of an image; reconstruction: an image decoded from codes; recon: both side by side.'
    }),
    label: Type.Optional(Type.String({ description: "Short label: the image's file name or the bound variable." })),
    model: SeedModelRefSchema,
    codes: CodesSchema('The codes in causal order.'),
    topK: Type.Optional(
      Type.Array(Type.Array(SeedCodeCandidateSchema), {
        description: 'Per position, the nearest codebook entries, nearest first.'
      })
    ),
    source: Type.Optional(SeedPngSchema),
    image: Type.Optional(SeedPngSchema),
    params: Type.Optional(SeedResultParamsSchema),
    lineage: Type.Optional(SeedLineageSchema)
  },
  { description: 'A SEED result (encoding, reconstruction or both) as the SEED kernel displays it.' }
);
export type SeedPayload = Static<typeof SeedPayloadSchema>;
export type SeedPayloadKind = SeedPayload['kind'];

/** A full SEED output bundle as the kernel sends it. */
export interface SeedMimeBundle {
  [SEED_MIME_TYPE]: SeedPayload;
  /** base64 PNG: the decoded image, else the source image. */
  'image/png': string;
  'text/plain': string;
}
