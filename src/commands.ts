import { JupyterFrontEnd } from '@jupyterlab/application';
import { ICommandPalette } from '@jupyterlab/apputils';
import { seedIcon } from './icons';
import { CommandIDs, PANEL_ID, SEED_KERNEL_NAME } from './tokens';

const PALETTE_CATEGORY = 'SEED';

/** Every command of the extension, in one place. */
export function addCommands(app: JupyterFrontEnd, palette: ICommandPalette | null): void {
  app.commands.addCommand(CommandIDs.openPanel, {
    label: 'Open SEED Panel',
    caption: 'Show the SEED sidebar: kernel, model and sampler defaults',
    icon: seedIcon,
    execute: () => app.shell.activateById(PANEL_ID)
  });

  app.commands.addCommand(CommandIDs.newNotebook, {
    label: 'New SEED Notebook',
    caption: 'Create a notebook on the SEED (TypeScript) kernel',
    icon: seedIcon,
    // notebook:create-new is JupyterLab's own command; it takes the kernel to start with.
    execute: (args) => app.commands.execute('notebook:create-new', { ...args, kernelName: SEED_KERNEL_NAME })
  });

  if (palette) {
    for (const command of [CommandIDs.openPanel, CommandIDs.newNotebook]) {
      palette.addItem({ command, category: PALETTE_CATEGORY });
    }
  }
}
