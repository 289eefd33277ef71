/** Identifiers and services shared by the plugins of this extension. */
import { Token } from '@lumino/coreutils';
import type { ISignal } from '@lumino/signaling';
import type { SamplerName } from './model/seed-result';

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
export type SeedPolicy = 'fixed' | 'random';

/** The user settings this extension reads, as declared in schema/plugin.json. */
export interface ISeedSettings {
  openPanelOnStartup: boolean;
  modelFolder: string;
  executionProviders: ('cuda' | 'cpu')[];
  /** 'model', 0 and anything below 1: the model's own default (its manifest's diffusion.defaults). */
  sampler: SamplerName | 'model';
  steps: number;
  guidance: number;
  seedPolicy: SeedPolicy;
  seed: number;
  previewEvery: number;
  topK: number;
}

export const DEFAULT_SETTINGS: ISeedSettings = {
  openPanelOnStartup: false,
  modelFolder: '',
  executionProviders: ['cuda', 'cpu'],
  sampler: 'model',
  steps: 0,
  guidance: 0,
  seedPolicy: 'fixed',
  seed: 42,
  previewEvery: 5,
  topK: 5
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
