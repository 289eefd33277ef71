import type { ISettingRegistry } from '@jupyterlab/settingregistry';
import { Signal } from '@lumino/signaling';
import type { KernelSettings } from './kernel-bridge';
import { DEFAULT_SETTINGS, ISeedSettings, ISeedSettingsModel } from './tokens';

/** The user's SEED settings, following the setting registry so that changes apply without reload. */
export class SeedSettingsModel implements ISeedSettingsModel {
  private value: ISeedSettings = DEFAULT_SETTINGS;
  private readonly changedSignal = new Signal<ISeedSettingsModel, ISeedSettings>(this);

  get current(): ISeedSettings {
    return this.value;
  }

  get changed(): Signal<ISeedSettingsModel, ISeedSettings> {
    return this.changedSignal;
  }

  /** Follows a loaded settings object from now on. */
  follow(settings: ISettingRegistry.ISettings): void {
    const apply = () => {
      this.value = { ...DEFAULT_SETTINGS, ...(settings.composite as Partial<ISeedSettings>) };
      this.changedSignal.emit(this.value);
    };
    apply();
    settings.changed.connect(apply);
  }
}

/** The part of the settings the kernel applies. */
export function kernelSettings(settings: ISeedSettings): KernelSettings {
  return {
    modelFolder: settings.modelFolder,
    executionProviders: [...settings.executionProviders],
    topK: settings.topK,
    previewEvery: settings.previewEvery
  };
}
