import type { ISettingRegistry } from '@jupyterlab/settingregistry';
import { Signal } from '@lumino/signaling';
import type { SeedKernelSettings } from '../kernel/protocol';
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

/** The part of the settings the kernel applies: every one but the frontend's own. */
export function kernelSettings(settings: ISeedSettings): SeedKernelSettings {
  const forKernel: Partial<ISeedSettings> = { ...settings, executionProviders: [...settings.executionProviders] };
  delete forKernel.openPanelOnStartup;
  return forKernel as SeedKernelSettings;
}
