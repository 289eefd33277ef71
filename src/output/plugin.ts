import { JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';
import { INotebookTracker } from '@jupyterlab/notebook';
import { IRenderMimeRegistry } from '@jupyterlab/rendermime';
import { SEED_MIME_TYPE } from '../model/payload-adapter';
import { EXTENSION_ID, ISeedOutputs, ISeedSettingsModel } from '../tokens';
import { SeedOutputIndex } from './output-index';
import { SeedOutputRenderer } from './renderer';

/**
 * The renderer of `application/vnd.seed.v1+json`. It is registered on the application's rendermime
 * registry (rather than as a mime extension) because a renderer needs the notebook tracker to find its
 * kernel, and notebooks clone this registry when they open.
 */
export const outputPlugin: JupyterFrontEndPlugin<ISeedOutputs> = {
  id: `${EXTENSION_ID}:output`,
  description: 'Renders SEED outputs: token inspector, code editing and decoding.',
  autoStart: true,
  requires: [IRenderMimeRegistry, INotebookTracker, ISeedSettingsModel],
  provides: ISeedOutputs,
  activate: (
    _app: JupyterFrontEnd,
    rendermime: IRenderMimeRegistry,
    notebooks: INotebookTracker,
    settings: ISeedSettingsModel
  ): ISeedOutputs => {
    const outputs = new SeedOutputIndex();
    rendermime.addFactory(
      {
        safe: true,
        mimeTypes: [SEED_MIME_TYPE],
        createRenderer: () => new SeedOutputRenderer(notebooks, settings, outputs)
      },
      // Ahead of the image/png and text/plain fallbacks the kernel sends with every SEED output.
      0
    );
    return outputs;
  }
};
