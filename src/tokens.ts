/** Identifiers and services shared by the plugins of this extension. */
import { Token } from '@lumino/coreutils';
import type { ISignal } from '@lumino/signaling';
import { DEFAULT_KERNEL_SETTINGS, type SeedKernelSettings } from '../kernel/protocol';

export const EXTENSION_ID = 'jupyterlab-seed';

/** The core plugin: settings and commands; its schema is schema/plugin.json. */
export const PLUGIN_ID = `${EXTENSION_ID}:plugin`;

/** The sidebar panel's widget id (also used by the UI tests). */
export const PANEL_ID = `${EXTENSION_ID}:panel`;

/** The kernelspec name the SEED kernel is installed under (see kernel/cli/install.ts). */
export const SEED_KERNEL_NAME = 'seed';

export namespace CommandIDs {
  export const openPanel = 'seed:open-panel';
  export const newNotebook = 'seed:new-notebook';
  export const encodeFile = 'seed:encode-file';
  export const reconstructFile = 'seed:reconstruct-file';
}

/** How a decode picks its seed. */
export type SeedPolicy = SeedKernelSettings['seedPolicy'];

/**
 * The user settings this extension reads, as declared in schema/plugin.json: the settings the kernel
 * applies (the protocol's SeedKernelSettings, sent to it on connect and on every change) and the
 * frontend's own.
 */
export interface ISeedSettings extends SeedKernelSettings {
  openPanelOnStartup: boolean;
}

export const DEFAULT_SETTINGS: ISeedSettings = {
  ...DEFAULT_KERNEL_SETTINGS,
  executionProviders: [...DEFAULT_KERNEL_SETTINGS.executionProviders],
  openPanelOnStartup: false
};

/** The settings as they are now, and a signal when the user changes them (applied without reload). */
export interface ISeedSettingsModel {
  readonly current: ISeedSettings;
  readonly changed: ISignal<ISeedSettingsModel, ISeedSettings>;
}

export const ISeedSettingsModel = new Token<ISeedSettingsModel>(`${EXTENSION_ID}:settings`, 'The SEED settings, live.');

/** A SEED output on screen, as the sidebar gallery lists it. */
export interface ISeedOutputEntry {
  readonly id: string;
  /** The notebook panel the output is in (its widget id). */
  readonly notebookId: string;
  readonly label: string;
  readonly kind: 'encoding' | 'reconstruction' | 'recon';
  /** A data: URL of the image to show as the thumbnail. */
  readonly thumbnail: string | null;
  /** Scrolls the notebook to the output and highlights it. */
  reveal(): void;
}

/** The SEED outputs currently rendered, in the order they appeared. */
export interface ISeedOutputs {
  readonly entries: readonly ISeedOutputEntry[];
  readonly changed: ISignal<ISeedOutputs, void>;
}

export const ISeedOutputs = new Token<ISeedOutputs>(`${EXTENSION_ID}:outputs`, 'The SEED outputs on screen.');
