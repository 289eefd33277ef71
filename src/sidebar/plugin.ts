import { ILayoutRestorer, JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';
import { ICommandPalette } from '@jupyterlab/apputils';
import { INotebookTracker } from '@jupyterlab/notebook';
import { ISettingRegistry } from '@jupyterlab/settingregistry';
import { addCommands } from '../commands';
import { CommandIDs, DEFAULT_SETTINGS, ISeedSettings, PLUGIN_ID } from '../tokens';
import { SeedPanelWidget } from './panel-widget';

/** Puts the SEED panel in the left sidebar, registers the commands and applies the settings live. */
export const sidebarPlugin: JupyterFrontEndPlugin<void> = {
  id: PLUGIN_ID,
  description: 'The SEED sidebar panel and commands.',
  autoStart: true,
  requires: [INotebookTracker],
  optional: [ICommandPalette, ILayoutRestorer, ISettingRegistry],
  activate: async (
    app: JupyterFrontEnd,
    notebooks: INotebookTracker,
    palette: ICommandPalette | null,
    restorer: ILayoutRestorer | null,
    settingRegistry: ISettingRegistry | null
  ) => {
    const panel = new SeedPanelWidget(notebooks);
    panel.node.addEventListener('seed-new-notebook', () => void app.commands.execute(CommandIDs.newNotebook));
    app.shell.add(panel, 'left', { rank: 900 });
    restorer?.add(panel, panel.id);
    addCommands(app, palette);

    if (!settingRegistry) {
      return;
    }
    const settings = await settingRegistry.load(PLUGIN_ID);
    const apply = () => {
      panel.settings = { ...DEFAULT_SETTINGS, ...(settings.composite as Partial<ISeedSettings>) };
    };
    apply();
    settings.changed.connect(apply);
    if (settings.composite.openPanelOnStartup) {
      await app.restored;
      app.shell.activateById(panel.id);
    }
  }
};
