/**
 * The messages of the `seed` comm between the JupyterLab extension and the kernel, an
 * anywidget-like contract: every request carries an `id`, and every reply names the request it
 * belongs to. A decode answers with `progress` events, then exactly one of `decoded`, `cancelled` or
 * `error`. A message that cannot be read at all is answered with an `error` whose id is null.
 *
 * Images travel as binary buffers of the Jupyter message (`buffers`), not as base64 inside the JSON:
 * a `BinaryPng` names the index of its buffer.
 *
 * Each shape is a TypeBox schema with its type derived from it; `seed-comm.schema.json` is written
 * from these (`npm run schemas`), and validate.ts checks every message against them.
 */
import { type Static, Type } from '@sinclair/typebox';
import { CodesSchema, SeedDecodeParamsSchema, SeedResultParamsSchema } from './seed-mime';
import { Closed, Limited, StringEnum } from './schema-helpers';
import { SeedKernelSettingsSchema } from './settings';
import { DECODE_LIMITS, EXECUTION_PROVIDER_NAMES, FAMILY_NAMES, WIRE_LIMITS } from './vocabulary';

export const SEED_COMM_TARGET = 'seed';

const Id = Type.String({
  minLength: 1,
  maxLength: WIRE_LIMITS.idLength,
  description: 'Chosen by the frontend; replies carry the request id.'
});

export const BinaryPngSchema = Closed(
  {
    buffer: Type.Integer({ minimum: 0, description: "Index of the PNG's bytes in the message's buffers." }),
    width: Type.Integer({ minimum: 1 }),
    height: Type.Integer({ minimum: 1 })
  },
  { description: 'A PNG carried as a binary buffer of the comm message.' }
);
export type BinaryPng = Static<typeof BinaryPngSchema>;

/** Frontend -> kernel. Every request is answered, so a widget never waits for nothing. */
export const SEED_COMM_REQUESTS = {
  /** Applies the user's settings (any subset); answered with `configured` and the settings in force. */
  configure: Closed({
    type: Type.Literal('configure'),
    id: Id,
    settings: Type.Partial(SeedKernelSettingsSchema)
  }),
  /** Answered with `info`. */
  info: Closed({ type: Type.Literal('info'), id: Id }),
  /** Switches the model (a name from info.models, or a folder); answered with `info`. */
  'use-model': Closed({
    type: Type.Literal('use-model'),
    id: Id,
    model: Type.String({ minLength: 1, maxLength: WIRE_LIMITS.pathLength })
  }),
  /** Decodes codes; parameters not given come from the kernel's settings, then the model's defaults. */
  decode: Closed({
    type: Type.Literal('decode'),
    id: Id,
    codes: CodesSchema(),
    params: Type.Partial(SeedDecodeParamsSchema)
  }),
  /** Cancels a running or queued decode, which then ends with `cancelled`; an unknown target is an error. */
  cancel: Closed({ type: Type.Literal('cancel'), id: Id, target: Id })
};
export type SeedCommRequestType = keyof typeof SEED_COMM_REQUESTS;
export const SEED_COMM_REQUEST_TYPES = Object.keys(SEED_COMM_REQUESTS) as SeedCommRequestType[];

export const SeedCommRequestSchema = Type.Union(Object.values(SEED_COMM_REQUESTS), {
  description: 'The data of a comm_msg from the frontend to the kernel on the `seed` target.'
});
export type SeedCommRequest = Static<typeof SeedCommRequestSchema>;

export const SEED_LOADING_STATES = ['loading', 'ready', 'failed'] as const;

export const SeedLoadingStateSchema = Closed({
  state: StringEnum(SEED_LOADING_STATES),
  /** Parts ready of `total` (the encoder graph, the quantiser). */
  done: Type.Integer({ minimum: 0 }),
  total: Type.Integer({ minimum: 0 }),
  /** The manifest field of the part being built now; null when none is. */
  part: Type.Union([Type.Null(), Type.String()]),
  /** Why loading failed (the next encode tries again and reports the same). */
  message: Type.Optional(Type.String())
});
export type SeedLoadingState = Static<typeof SeedLoadingStateSchema>;

export const SeedKernelInfoSchema = Closed({
  type: Type.Literal('info'),
  id: Id,
  model: Type.Union([
    Type.Null(),
    Closed({
      id: Type.String(),
      sha256: Type.String(),
      dir: Type.String(),
      family: StringEnum(FAMILY_NAMES),
      description: Type.Optional(Type.String()),
      /** The model's own sampler defaults, used where the user set none. */
      defaults: SeedDecodeParamsSchema
    })
  ]),
  /** Model folders the kernel can switch to with `use-model`. */
  models: Type.Array(Closed({ name: Type.String(), dir: Type.String() })),
  executionProvider: Type.Union([
    Type.Null(),
    Closed({ name: StringEnum(EXECUTION_PROVIDER_NAMES), reason: Type.String() })
  ]),
  /** Intra-op threads of every session of the model, and why that many (null before a model is loaded). */
  threads: Type.Union([Type.Null(), Closed({ count: Type.Integer({ minimum: 1 }), reason: Type.String() })]),
  /** Sessions built in the background after a model was chosen, so the first encode need not wait. */
  loading: Type.Union([Type.Null(), SeedLoadingStateSchema]),
  /** The settings in force (what the frontend sent, over the kernel's defaults). */
  settings: SeedKernelSettingsSchema,
  memory: Closed({ rssBytes: Type.Number(), heapUsedBytes: Type.Number() })
});
export type SeedKernelInfo = Static<typeof SeedKernelInfoSchema>;

/** Kernel -> frontend. */
export const SEED_COMM_REPLIES = {
  configured: Closed({ type: Type.Literal('configured'), id: Id, settings: SeedKernelSettingsSchema }),
  info: SeedKernelInfoSchema,
  decoded: Closed({
    type: Type.Literal('decoded'),
    id: Id,
    image: BinaryPngSchema,
    /** What ran (steps may differ from those asked: see stepsNote). */
    params: SeedResultParamsSchema
  }),
  progress: Closed({
    type: Type.Literal('progress'),
    id: Id,
    step: Type.Integer({ minimum: 0 }),
    total: Limited(DECODE_LIMITS.steps),
    preview: Type.Optional(BinaryPngSchema)
  }),
  cancelled: Closed({ type: Type.Literal('cancelled'), id: Id }),
  error: Closed({
    type: Type.Literal('error'),
    /** null when the request could not be read far enough to find its id. */
    id: Type.Union([Id, Type.Null()]),
    message: Type.String()
  })
};
export type SeedCommReplyType = keyof typeof SEED_COMM_REPLIES;

export const SeedCommReplySchema = Type.Union(Object.values(SEED_COMM_REPLIES), {
  description: 'The data of a comm_msg from the kernel to the frontend on the `seed` target.'
});
export type SeedCommReply = Static<typeof SeedCommReplySchema>;
