import { ISessionContext } from '@jupyterlab/apputils';
import { INotebookTracker, NotebookPanel } from '@jupyterlab/notebook';
import type { Drag } from '@lumino/dragdrop';
import { Widget } from '@lumino/widgets';
import { seedIcon } from '../icons';
import { SeedKernelBridge } from '../kernel-bridge';
import { isLive } from '../kernel-live';
import type { KernelInfoView } from '../model/payload-adapter';
import { ISeedOutputs, ISeedSettings, PANEL_ID, SEED_KERNEL_NAME } from '../tokens';
import { PanelKernelState } from './kernel-state';
import { SEED_PANEL_TAG, SeedPanelElement } from './seed-panel';

/** What JupyterLab's file browser puts on a drag: the dragged paths. */
const CONTENTS_MIME = 'application/x-jupyter-icontents';

/**
 * The Lumino widget that hosts <seed-panel> in JupyterLab's left sidebar. It is the only place
 * that reads JupyterLab state for the panel: it follows the active notebook's kernel (through its
 * kernel bridge), the notebook's SEED outputs and the settings, and hands the element plain data.
 * Drops from the file browser are Lumino drags, not HTML drags, so they are received here.
 */
/** How often the panel asks again while the kernel loads a model. */
const LOADING_REFRESH_MS = 1000;

export class SeedPanelWidget extends Widget {
  readonly element: SeedPanelElement;
  private watchedContext: ISessionContext | null = null;
  private bridge: SeedKernelBridge | null = null;
  /** Counts info requests so a slow answer for an older notebook never overwrites a newer one. */
  private infoRequests = 0;
  private wasLive = false;

  constructor(
    private readonly notebooks: INotebookTracker,
    private readonly outputs: ISeedOutputs,
    private readonly onDroppedPaths: (paths: string[]) => void
  ) {
    super();
    this.id = PANEL_ID;
    this.addClass('jp-SeedPanel');
    this.title.icon = seedIcon;
    this.title.caption = 'SEED';
    this.element = document.createElement(SEED_PANEL_TAG);
    this.node.appendChild(this.element);
    notebooks.currentChanged.connect(this.followActiveNotebook, this);
    outputs.changed.connect(this.onOutputsChanged, this);
    this.followActiveNotebook();
  }

  set settings(settings: ISeedSettings) {
    this.element.settings = settings;
  }

  /** The kernel bridge of the active notebook, if any. */
  get activeBridge(): SeedKernelBridge | null {
    return this.bridge;
  }

  /** Asks the active notebook's SEED kernel for its model, execution provider and memory. */
  refreshInfo(): void {
    const bridge = this.bridge;
    const request = ++this.infoRequests;
    if (!bridge || !isLive(bridge.live)) {
      this.element.info = { kind: 'none' };
      return;
    }
    this.showInfo(request, bridge.info());
  }

  /** Switches the active notebook's kernel to another model and shows the result. */
  useModel(model: string): void {
    if (!this.bridge) {
      return;
    }
    this.showInfo(++this.infoRequests, this.bridge.useModel(model));
  }

  /**
   * Shows the kernel's answer to info request `request` unless a newer one was made. The kernel builds a
   * model's sessions in the background: while it does, the panel asks again, so it shows the progress
   * without the user pressing refresh.
   */
  private showInfo(request: number, answer: Promise<KernelInfoView>): void {
    this.element.info = { kind: 'loading' };
    answer
      .then((info) => {
        if (request === this.infoRequests) {
          this.element.info = { kind: 'loaded', info };
          if (info.loading?.state === 'loading') {
            setTimeout(() => request === this.infoRequests && this.refreshInfo(), LOADING_REFRESH_MS);
          }
        }
      })
      .catch((error: Error) => {
        if (request === this.infoRequests) {
          this.element.info = { kind: 'failed', message: error.message };
        }
      });
  }

  handleEvent(event: Event): void {
    const drag = event as Drag.Event;
    switch (event.type) {
      case 'lm-dragenter':
      case 'lm-dragover':
        if (drag.mimeData.hasData(CONTENTS_MIME)) {
          event.preventDefault();
          event.stopPropagation();
          // The file browser offers only 'move'; the panel leaves the file where it is either way.
          drag.dropAction = drag.proposedAction;
          this.element.dropActive = true;
        }
        break;
      case 'lm-dragleave':
        this.element.dropActive = false;
        break;
      case 'lm-drop': {
        this.element.dropActive = false;
        if (!drag.mimeData.hasData(CONTENTS_MIME)) {
          return;
        }
        event.preventDefault();
        event.stopPropagation();
        drag.dropAction = drag.proposedAction;
        this.onDroppedPaths(drag.mimeData.getData(CONTENTS_MIME) as string[]);
        break;
      }
    }
  }

  /** The kernel may have loaded or switched models while the panel was hidden. */
  protected override onAfterShow(): void {
    this.refreshInfo();
  }

  protected override onAfterAttach(): void {
    for (const type of ['lm-dragenter', 'lm-dragleave', 'lm-dragover', 'lm-drop']) {
      this.node.addEventListener(type, this);
    }
  }

  protected override onBeforeDetach(): void {
    for (const type of ['lm-dragenter', 'lm-dragleave', 'lm-dragover', 'lm-drop']) {
      this.node.removeEventListener(type, this);
    }
  }

  override dispose(): void {
    if (this.isDisposed) {
      return;
    }
    this.notebooks.currentChanged.disconnect(this.followActiveNotebook, this);
    this.outputs.changed.disconnect(this.onOutputsChanged, this);
    this.watch(null);
    super.dispose();
  }

  private followActiveNotebook(): void {
    const panel: NotebookPanel | null = this.notebooks.currentWidget;
    this.watch(panel ? panel.sessionContext : null);
    this.refreshKernel();
    this.refreshGallery();
    this.refreshInfo();
  }

  private watch(context: ISessionContext | null): void {
    if (this.watchedContext) {
      this.watchedContext.statusChanged.disconnect(this.refreshKernel, this);
      this.watchedContext.kernelChanged.disconnect(this.refreshKernel, this);
    }
    this.bridge?.liveChanged.disconnect(this.onLiveChanged, this);
    this.watchedContext = context;
    this.bridge = context ? SeedKernelBridge.of(context) : null;
    if (context) {
      context.statusChanged.connect(this.refreshKernel, this);
      context.kernelChanged.connect(this.refreshKernel, this);
    }
    this.bridge?.liveChanged.connect(this.onLiveChanged, this);
    this.wasLive = isLive(this.bridge?.live);
  }

  /**
   * Asks for the kernel's state when it becomes usable, not on every busy/idle flip: answering a
   * request makes the kernel busy and idle again, which would ask again without end.
   */
  private onLiveChanged(): void {
    const live = isLive(this.bridge?.live);
    if (live !== this.wasLive) {
      this.wasLive = live;
      this.refreshInfo();
    }
  }

  private refreshKernel(): void {
    this.element.kernel = describeKernel(this.watchedContext);
  }

  private onOutputsChanged(): void {
    this.refreshGallery();
    // A new output usually means the kernel just ran the model (loading it on first use).
    if (this.isVisible) {
      this.refreshInfo();
    }
  }

  private refreshGallery(): void {
    const notebookId = this.notebooks.currentWidget?.id;
    this.element.gallery = this.outputs.entries
      .filter((entry) => entry.notebookId === notebookId)
      .map(({ id, label, kind, thumbnail }) => ({ id, label, kind, thumbnail }));
  }
}

function describeKernel(context: ISessionContext | null): PanelKernelState {
  if (!context) {
    return { kind: 'no-notebook' };
  }
  if (!context.session?.kernel) {
    return { kind: 'no-kernel' };
  }
  if (context.session.kernel.name === SEED_KERNEL_NAME) {
    return { kind: 'seed', status: context.kernelDisplayStatus };
  }
  return { kind: 'other-kernel', displayName: context.kernelDisplayName };
}
