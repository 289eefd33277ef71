import { ILayoutRestorer, JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';
import { PathExt } from '@jupyterlab/coreutils';
import { INotebookTracker } from '@jupyterlab/notebook';
import type { Contents } from '@jupyterlab/services';
import { listen } from '../events';
import { bytesToBase64 } from '../model/base64';
import { isImagePath, runSeedOnImages, seedNotebook } from '../notebook-cells';
import { CommandIDs, EXTENSION_ID, ISeedOutputs, ISeedSettingsModel } from '../tokens';
import { SeedPanelWidget } from './panel-widget';

/** Puts the SEED panel in the left sidebar and turns what happens in it into commands and kernel calls. */
export const sidebarPlugin: JupyterFrontEndPlugin<void> = {
  id: `${EXTENSION_ID}:sidebar`,
  description: 'The SEED sidebar panel.',
  autoStart: true,
  requires: [INotebookTracker, ISeedSettingsModel, ISeedOutputs],
  optional: [ILayoutRestorer],
  activate: (
    app: JupyterFrontEnd,
    notebooks: INotebookTracker,
    settings: ISeedSettingsModel,
    outputs: ISeedOutputs,
    restorer: ILayoutRestorer | null
  ) => {
    const encode = (paths: string[], copiedFrom?: string) => {
      const images = paths.filter(isImagePath);
      const skipped = paths.length - images.length;
      panel.element.dropMessage =
        images.length === 0
          ? 'Only images can be encoded (PNG, JPEG, GIF, WebP, BMP or TIFF).'
          : copiedFrom
            ? `Copied ${copiedFrom} to ${images[0]} (next to the notebook, where the kernel reads it) and encoding it.`
            : `Encoding ${images.map((path) => PathExt.basename(path)).join(', ')}` +
              (skipped > 0 ? ` (${skipped} other file(s) skipped)` : '');
      if (images.length > 0) {
        runSeedOnImages(app, notebooks, 'encode', images).catch((error: Error) => {
          panel.element.dropMessage = error.message;
        });
      }
    };
    const panel = new SeedPanelWidget(notebooks, outputs, encode);
    const element = panel.element;

    listen(element, 'seed-new-notebook', () => void app.commands.execute(CommandIDs.newNotebook));
    listen(element, 'seed-refresh', () => panel.refreshInfo());
    listen(element, 'seed-model-change', ({ model }) => panel.useModel(model));
    listen(element, 'seed-gallery-select', ({ id }) => {
      outputs.entries.find((entry) => entry.id === id)?.reveal();
    });
    listen(element, 'seed-image-drop', ({ image }) => {
      if (image.kind === 'path') {
        encode([image.path]);
        return;
      }
      uploadNextToNotebook(app, notebooks, image.file)
        .then((path) => encode([path], image.file.name))
        .catch((error: Error) => {
          element.dropMessage = error.message;
        });
    });

    app.shell.add(panel, 'left', { rank: 900 });
    restorer?.add(panel, panel.id);

    const applySettings = () => {
      panel.settings = settings.current;
    };
    applySettings();
    settings.changed.connect(applySettings);
    // The setting is read once, when JupyterLab has restored its layout.
    void app.restored.then(() => {
      if (settings.current.openPanelOnStartup) {
        app.shell.activateById(panel.id);
      }
    });
  }
};

/**
 * Saves a file dropped from the desktop in the active notebook's folder (so the kernel, which runs
 * there, can read it), under a name not taken yet. Returns its server path.
 */
async function uploadNextToNotebook(app: JupyterFrontEnd, notebooks: INotebookTracker, file: File): Promise<string> {
  if (!isImagePath(file.name)) {
    throw new Error(`${file.name} is not an image SEED reads: drop a PNG, JPEG, GIF, WebP, BMP or TIFF file.`);
  }
  const notebook = await seedNotebook(app, notebooks);
  const folder = PathExt.dirname(notebook.context.path);
  const contents = app.serviceManager.contents;
  const extension = PathExt.extname(file.name);
  const stem = PathExt.basename(file.name, extension);
  let path = PathExt.join(folder, file.name);
  for (let copy = 1; await exists(contents, path); copy++) {
    path = PathExt.join(folder, `${stem}-${copy}${extension}`);
  }
  const bytes = new Uint8Array(await file.arrayBuffer());
  await contents.save(path, { type: 'file', format: 'base64', content: bytesToBase64(bytes) });
  return path;
}

async function exists(contents: Contents.IManager, path: string): Promise<boolean> {
  try {
    await contents.get(path, { content: false });
    return true;
  } catch {
    return false;
  }
}
