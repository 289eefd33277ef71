/**
 * Puts `%seed` cells in notebooks: the file-browser commands and the panel's drop zone end here. A cell
 * (rather than a comm request) keeps the encoding in the notebook, where it is saved with its output.
 */
import type { JupyterFrontEnd } from '@jupyterlab/application';
import { PathExt } from '@jupyterlab/coreutils';
import { INotebookTracker, NotebookActions, NotebookPanel } from '@jupyterlab/notebook';
import { CommandIDs, SEED_KERNEL_NAME } from './tokens';

/** File types (JupyterLab's names) the SEED encoder reads. */
export const IMAGE_FILE_TYPES = ['png', 'jpeg', 'gif', 'webp', 'bmp', 'tiff'];

const IMAGE_EXTENSION = /\.(png|jpe?g|gif|webp|bmp|tiff?)$/i;

export function isImagePath(path: string): boolean {
  return IMAGE_EXTENSION.test(path);
}

/** The `%seed` line for an image, its path relative to the notebook (the kernel's working folder). */
export function seedLine(verb: 'encode' | 'recon', imagePath: string, notebookPath: string): string {
  const relative = PathExt.relative(PathExt.dirname(notebookPath), imagePath);
  const argument = /[\s"'\\]/.test(relative) ? JSON.stringify(relative) : relative;
  return `%seed ${verb} ${argument}`;
}

/**
 * The notebook to put SEED cells in: the active one, or a new SEED notebook when none is open.
 * Throws an Error saying what to do when the notebook runs another kernel.
 */
export async function seedNotebook(app: JupyterFrontEnd, notebooks: INotebookTracker): Promise<NotebookPanel> {
  let panel = notebooks.currentWidget;
  if (!panel) {
    panel = (await app.commands.execute(CommandIDs.newNotebook)) as NotebookPanel;
  }
  await panel.context.ready;
  await panel.sessionContext.ready;
  const kernelName = panel.sessionContext.session?.kernel?.name;
  if (kernelName !== SEED_KERNEL_NAME) {
    throw new Error(
      `The notebook ${panel.context.path} runs ${panel.sessionContext.kernelDisplayName}, not the SEED kernel: ` +
        'switch its kernel to SEED (Kernel ▸ Change Kernel) or close it so a new SEED notebook opens.'
    );
  }
  return panel;
}

/** Inserts a code cell below the active one (or fills the active cell when it is empty) and runs it. */
export async function insertAndRun(panel: NotebookPanel, source: string): Promise<void> {
  const notebook = panel.content;
  const active = notebook.activeCell;
  const reuse = active && active.model.type === 'code' && active.model.sharedModel.getSource().trim() === '';
  if (!reuse) {
    NotebookActions.insertBelow(notebook);
  }
  notebook.activeCell!.model.sharedModel.setSource(source);
  await NotebookActions.run(notebook, panel.sessionContext);
}

/** Inserts and runs one `%seed <verb>` cell per image. */
export async function runSeedOnImages(
  app: JupyterFrontEnd,
  notebooks: INotebookTracker,
  verb: 'encode' | 'recon',
  imagePaths: string[]
): Promise<void> {
  const panel = await seedNotebook(app, notebooks);
  app.shell.activateById(panel.id);
  for (const path of imagePaths) {
    await insertAndRun(panel, seedLine(verb, path, panel.context.path));
  }
}
