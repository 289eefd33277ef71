import { JupyterFrontEnd } from '@jupyterlab/application';
import { ICommandPalette, showErrorMessage } from '@jupyterlab/apputils';
import { IDefaultFileBrowser } from '@jupyterlab/filebrowser';
import { INotebookTracker } from '@jupyterlab/notebook';
import { seedIcon } from './icons';
import { IMAGE_FILE_TYPES, isImagePath, runSeedOnImages } from './notebook-cells';
import { CommandIDs, PANEL_ID, SEED_KERNEL_NAME } from './tokens';

const PALETTE_CATEGORY = 'SEED';

/** Every command of the extension, in one place. */
export function addCommands(
  app: JupyterFrontEnd,
  notebooks: INotebookTracker,
  palette: ICommandPalette | null,
  fileBrowser: IDefaultFileBrowser | null
): void {
  app.commands.addCommand(CommandIDs.openPanel, {
    label: 'Open SEED Panel',
    caption: 'Show the SEED sidebar: kernel, model, encodings and sampler defaults',
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

  /** The images a file command acts on: its `path` argument, or the file browser's selected images. */
  const targetImages = (args: { path?: unknown }): string[] => {
    if (typeof args.path === 'string') {
      return [args.path];
    }
    const selected = fileBrowser ? Array.from(fileBrowser.selectedItems(), (item) => item.path) : [];
    return selected.filter(isImagePath);
  };

  const fileCommand = (verb: 'encode' | 'recon', label: string, caption: string) => ({
    label,
    caption,
    icon: seedIcon,
    isEnabled: (args: { path?: unknown }) => targetImages(args).length > 0,
    execute: async (args: { path?: unknown }) => {
      const images = targetImages(args);
      try {
        if (images.length === 0) {
          throw new Error('Select an image (PNG, JPEG, GIF, WebP, BMP or TIFF) in the file browser first.');
        }
        await runSeedOnImages(app, notebooks, verb, images);
      } catch (error) {
        await showErrorMessage(`${label} failed`, (error as Error).message);
      }
    }
  });
  app.commands.addCommand(
    CommandIDs.encodeFile,
    fileCommand('encode', 'Encode with SEED', 'Insert and run a %seed encode cell for the selected image')
  );
  app.commands.addCommand(
    CommandIDs.reconstructFile,
    fileCommand('recon', 'Reconstruct with SEED', 'Insert and run a %seed recon cell for the selected image')
  );

  for (const fileType of IMAGE_FILE_TYPES) {
    const selector = `.jp-DirListing-item[data-file-type="${fileType}"]`;
    app.contextMenu.addItem({ command: CommandIDs.encodeFile, selector, rank: 60 });
    app.contextMenu.addItem({ command: CommandIDs.reconstructFile, selector, rank: 61 });
  }

  if (palette) {
    for (const command of Object.values(CommandIDs)) {
      palette.addItem({ command, category: PALETTE_CATEGORY });
    }
  }
}
