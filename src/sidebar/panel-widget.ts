import { ISessionContext } from '@jupyterlab/apputils';
import { INotebookTracker, NotebookPanel } from '@jupyterlab/notebook';
import { Widget } from '@lumino/widgets';
import { ISeedSettings, PANEL_ID, SEED_KERNEL_NAME } from '../tokens';
import { seedIcon } from '../icons';
import { PanelKernelState } from './kernel-state';
import { SEED_PANEL_TAG, SeedPanelElement } from './seed-panel';

/**
 * The Lumino widget that hosts <seed-panel> in JupyterLab's left sidebar. It is the only place
 * that reads JupyterLab state for the panel: it follows the active notebook's kernel and the
 * settings, and hands the element plain data.
 */
export class SeedPanelWidget extends Widget {
  readonly element: SeedPanelElement;
  private watchedContext: ISessionContext | null = null;

  constructor(private readonly notebooks: INotebookTracker) {
    super();
    this.id = PANEL_ID;
    this.addClass('jp-SeedPanel');
    this.title.icon = seedIcon;
    this.title.caption = 'SEED';
    this.element = document.createElement(SEED_PANEL_TAG);
    this.node.appendChild(this.element);
    notebooks.currentChanged.connect(this.followActiveNotebook, this);
    this.followActiveNotebook();
  }

  set settings(settings: ISeedSettings) {
    this.element.settings = settings;
  }

  override dispose(): void {
    if (this.isDisposed) {
      return;
    }
    this.notebooks.currentChanged.disconnect(this.followActiveNotebook, this);
    this.watch(null);
    super.dispose();
  }

  private followActiveNotebook(): void {
    const panel: NotebookPanel | null = this.notebooks.currentWidget;
    this.watch(panel ? panel.sessionContext : null);
    this.refreshKernel();
  }

  private watch(context: ISessionContext | null): void {
    if (this.watchedContext) {
      this.watchedContext.statusChanged.disconnect(this.refreshKernel, this);
      this.watchedContext.kernelChanged.disconnect(this.refreshKernel, this);
    }
    this.watchedContext = context;
    if (context) {
      context.statusChanged.connect(this.refreshKernel, this);
      context.kernelChanged.connect(this.refreshKernel, this);
    }
  }

  private refreshKernel(): void {
    this.element.kernel = describeKernel(this.watchedContext);
  }
}

function describeKernel(context: ISessionContext | null): PanelKernelState {
  if (!context) {
    return { kind: 'no-notebook' };
  }
  if (context.session?.kernel?.name === SEED_KERNEL_NAME) {
    return { kind: 'seed', status: context.kernelDisplayStatus };
  }
  return { kind: 'other-kernel', displayName: context.kernelDisplayName };
}
