/** Identifiers shared by the plugins of this extension. */

export const EXTENSION_ID = 'jupyterlab-seed';

/** The settings plugin; its schema is schema/plugin.json. */
export const PLUGIN_ID = `${EXTENSION_ID}:plugin`;

/** The sidebar panel's widget id (also used by the UI tests). */
export const PANEL_ID = `${EXTENSION_ID}:panel`;

/** The kernelspec name the SEED kernel is installed under (see kernel/cli/install.ts). */
export const SEED_KERNEL_NAME = 'seed';

export namespace CommandIDs {
  export const openPanel = 'seed:open-panel';
  export const newNotebook = 'seed:new-notebook';
}

/** The user settings this extension reads, as declared in schema/plugin.json. */
export interface ISeedSettings {
  openPanelOnStartup: boolean;
  sampler: 'plms' | 'ddim' | 'euler' | 'dpmpp';
  steps: number;
  guidance: number;
}

export const DEFAULT_SETTINGS: ISeedSettings = {
  openPanelOnStartup: false,
  sampler: 'plms',
  steps: 50,
  guidance: 7.5
};
