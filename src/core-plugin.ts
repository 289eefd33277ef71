import { JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';
import { ICommandPalette } from '@jupyterlab/apputils';
import { IDefaultFileBrowser } from '@jupyterlab/filebrowser';
import { INotebookTracker, NotebookPanel } from '@jupyterlab/notebook';
import { ISettingRegistry } from '@jupyterlab/settingregistry';
import { addCommands } from './commands';
import { SeedKernelBridge } from './kernel-bridge';
import { kernelSettings, SeedSettingsModel } from './settings';
import { ISeedSettingsModel, PLUGIN_ID } from './tokens';

/**
 * The settings (schema/plugin.json) and the commands. It also hands the kernel-side settings (model
 * folder, execution providers, top-k, preview frequency) to the SEED kernel of every notebook, again
 * whenever they change.
 */
export const corePlugin: JupyterFrontEndPlugin<ISeedSettingsModel> = {
  id: PLUGIN_ID,
  description: 'SEED settings and commands.',
  autoStart: true,
  requires: [INotebookTracker],
  optional: [ICommandPalette, IDefaultFileBrowser, ISettingRegistry],
  provides: ISeedSettingsModel,
  activate: (
    app: JupyterFrontEnd,
    notebooks: INotebookTracker,
    palette: ICommandPalette | null,
    fileBrowser: IDefaultFileBrowser | null,
    settingRegistry: ISettingRegistry | null
  ): ISeedSettingsModel => {
    const settings = new SeedSettingsModel();
    addCommands(app, notebooks, palette, fileBrowser);

    const configure = (panel: NotebookPanel) => {
      SeedKernelBridge.of(panel.sessionContext).configure(kernelSettings(settings.current));
    };
    notebooks.widgetAdded.connect((_, panel) => configure(panel));
    settings.changed.connect(() => notebooks.forEach(configure));

    if (settingRegistry) {
      settingRegistry
        .load(PLUGIN_ID)
        .then((loaded) => settings.follow(loaded))
        .catch((error: Error) => console.error(`SEED settings could not be loaded: ${error.message}`));
    }
    return settings;
  }
};
