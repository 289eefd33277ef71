/**
 * The user's SEED settings that the kernel applies, and the one rule that turns settings, explicit
 * flags or arguments, and a model's defaults into the parameters of a decode.
 *
 * The frontend sends these settings when a kernel connects and whenever one changes (the comm's
 * `configure` request); the kernel applies them to `%seed` magics, the TypeScript API and widget
 * requests alike. A flag on a magic or an argument in code wins for that call. JupyterLab's own settings
 * schema (schema/plugin.json) declares the same fields for the Settings Editor; schemas.test.ts checks
 * that it agrees with this one.
 */
import { type Static, Type } from '@sinclair/typebox';
import { Closed, Limited, StringEnum } from './schema-helpers';
import {
  type DecodeParams,
  DECODE_LIMITS,
  EXECUTION_PROVIDER_NAMES,
  PREVIEW_EVERY_LIMIT,
  SAMPLER_NAMES,
  THREADS_LIMIT,
  TOP_K_LIMIT,
  WIRE_LIMITS
} from './vocabulary';

/** `model`: the model's own default sampler. */
export const SAMPLER_SETTING_VALUES = ['model', ...SAMPLER_NAMES] as const;
export const SEED_POLICIES = ['fixed', 'random'] as const;

export const SeedKernelSettingsSchema = Closed(
  {
    modelFolder: Type.String({
      maxLength: WIRE_LIMITS.pathLength,
      description: "Model folder to use; empty keeps the kernel's default (SEED_MODEL or the bundled seed-nano)."
    }),
    executionProviders: Type.Array(StringEnum(EXECUTION_PROVIDER_NAMES), {
      minItems: 1,
      uniqueItems: true,
      description: 'Execution providers in order of preference.'
    }),
    threads: Limited(THREADS_LIMIT, {
      description: 'ONNX Runtime threads per session; 0 chooses from the cores available.'
    }),
    topK: Limited(TOP_K_LIMIT, { description: 'Nearest codebook entries reported per position by encodes.' }),
    previewEvery: Limited(PREVIEW_EVERY_LIMIT, { description: 'Preview every N sampler steps (0 = never).' }),
    sampler: StringEnum(SAMPLER_SETTING_VALUES, { description: "Default sampler; `model`: the model's own." }),
    steps: Type.Integer({
      minimum: 0,
      maximum: DECODE_LIMITS.steps.max,
      description: "Default steps; 0: the model's own."
    }),
    guidance: Type.Number({
      minimum: 0,
      maximum: DECODE_LIMITS.guidance.max,
      description: "Default guidance; below 1: the model's own."
    }),
    seedPolicy: StringEnum(SEED_POLICIES, {
      description: 'fixed: every decode uses `seed`; random: a new seed each time.'
    }),
    seed: Limited(DECODE_LIMITS.seed, { description: 'The noise seed when the policy is fixed.' })
  },
  { description: 'The SEED settings the kernel applies to every path: magics, the TypeScript API and widgets.' }
);
export type SeedKernelSettings = Static<typeof SeedKernelSettingsSchema>;

/** What a kernel uses before any frontend has configured it (the CLI too): the models' own defaults. */
export const DEFAULT_KERNEL_SETTINGS: SeedKernelSettings = {
  modelFolder: '',
  executionProviders: [...EXECUTION_PROVIDER_NAMES],
  threads: 0,
  topK: 5,
  previewEvery: 5,
  sampler: 'model',
  steps: 0,
  guidance: 0,
  seedPolicy: 'fixed',
  seed: 42
};

/**
 * The parameters of one decode: each one from the explicit value when given, else the user's setting
 * when it chooses one, else the model's own default. `drawSeed` gives a fresh seed under the random
 * policy (the result records it, so the image can be made again).
 */
export function resolveDecodeParams(
  explicit: Partial<DecodeParams>,
  settings: Pick<SeedKernelSettings, 'sampler' | 'steps' | 'guidance' | 'seedPolicy' | 'seed'>,
  modelDefaults: DecodeParams,
  drawSeed: () => number
): DecodeParams {
  return {
    sampler: explicit.sampler ?? (settings.sampler === 'model' ? modelDefaults.sampler : settings.sampler),
    steps: explicit.steps ?? (settings.steps >= 1 ? settings.steps : modelDefaults.steps),
    guidance: explicit.guidance ?? (settings.guidance >= 1 ? settings.guidance : modelDefaults.guidance),
    seed: explicit.seed ?? (settings.seedPolicy === 'random' ? drawSeed() : settings.seed)
  };
}

/** A seed for the random policy: any unsigned 32-bit number. */
export function randomSeed(): number {
  return Math.floor(Math.random() * (DECODE_LIMITS.seed.max + 1));
}
