import {
  DEFAULT_KERNEL_SETTINGS,
  type DecodeParams,
  type SeedKernelSettings,
  checkSettings,
  randomSeed,
  resolveDecodeParams
} from '../../protocol';

/**
 * The user's SEED settings for this kernel session. The frontend sends them when it connects and
 * whenever one changes; until then the kernel uses the defaults (each model's own decode defaults).
 * Magics, the TypeScript API and widget requests all read them here, and an explicit flag or argument
 * wins for its call.
 */
export class SessionSettings {
  private value: SeedKernelSettings = { ...DEFAULT_KERNEL_SETTINGS };

  get current(): SeedKernelSettings {
    return this.value;
  }

  /**
   * The settings a partial update would give, checked as a whole: an invalid value is refused with a
   * message naming it, before anything is stored (later requests never fail on a value nobody sent them).
   */
  merged(changes: Partial<SeedKernelSettings>): SeedKernelSettings {
    const next = checkSettings({ ...this.value, ...changes });
    return { ...next, executionProviders: [...next.executionProviders] };
  }

  /** Stores settings that merged() gave. */
  replace(settings: SeedKernelSettings): void {
    this.value = settings;
  }

  /** A decode's parameters: explicit ones, then the user's settings, then the model's defaults. */
  decodeParams(explicit: Partial<DecodeParams>, modelDefaults: DecodeParams): DecodeParams {
    return resolveDecodeParams(explicit, this.value, modelDefaults, randomSeed);
  }

  topK(explicit: number | undefined): number {
    return explicit ?? this.value.topK;
  }

  previewEvery(explicit: number | undefined): number {
    return explicit ?? this.value.previewEvery;
  }
}
