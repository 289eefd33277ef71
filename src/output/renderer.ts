import { Clipboard } from '@jupyterlab/apputils';
import type { INotebookTracker, NotebookPanel } from '@jupyterlab/notebook';
import type { IRenderMime } from '@jupyterlab/rendermime-interfaces';
import type { ReadonlyPartialJSONObject } from '@lumino/coreutils';
import { Widget } from '@lumino/widgets';
import '../components/seed-output/seed-output';
import type { SeedOutputElement } from '../components/seed-output/seed-output';
import { listen } from '../events';
import { DecodeHandle, SeedCancelled, SeedKernelBridge } from '../kernel-bridge';
import { type CodeHistory, restoreHistory } from '../model/code-history';
import {
  decodedFromMetadata,
  historyFromMetadata,
  OUTPUT_METADATA_KEY,
  outputStateToMetadata,
  resultFromPayload,
  SEED_MIME_TYPE
} from '../model/payload-adapter';
import type { DecodedView, DecodeParams, Lineage, SeedResultView } from '../model/seed-result';
import { samplerDefaults } from '../model/sampler-defaults';
import type { ISeedSettingsModel } from '../tokens';
import type { SeedOutputIndex } from './output-index';

let rendered = 0;

/**
 * Renders one `application/vnd.seed.v1+json` output with <seed-output>. Everything shown comes from
 * the payload, so a saved notebook renders without a kernel; once attached inside a notebook whose
 * kernel is a live SEED kernel, Decode works through that notebook's kernel bridge.
 */
export class SeedOutputRenderer extends Widget implements IRenderMime.IRenderer {
  private readonly element: SeedOutputElement;
  private readonly entryId = `seed-output-${++rendered}`;
  private bridge: SeedKernelBridge | null = null;
  private notebook: NotebookPanel | null = null;
  private result: SeedResultView | null = null;
  private model: IRenderMime.IMimeModel | null = null;
  /** The payload last rendered, as JSON. */
  private payload = '';
  private running: DecodeHandle | null = null;
  private tickets = 0;
  private readonly unlisten: (() => void)[] = [];

  constructor(
    private readonly notebooks: INotebookTracker,
    private readonly settings: ISeedSettingsModel,
    private readonly outputs: SeedOutputIndex
  ) {
    super();
    this.addClass('jp-SeedOutput');
    // Arrow keys, R, Enter and digits mean something in the inspector; without this the notebook's
    // command-mode shortcuts would also act on them.
    this.node.setAttribute('data-lm-suppress-shortcuts', 'true');
    this.element = document.createElement('seed-output');
    this.node.appendChild(this.element);
    this.applySettings();
    settings.changed.connect(this.onSettings, this);
    this.unlisten.push(
      listen(this.element, 'seed-decode-request', ({ codes, params, lineage }) => {
        if (this.running) {
          this.element.decode = { kind: 'failed', message: 'A decode of this output is running; cancel it first.' };
          return;
        }
        this.startDecode(codes, params, lineage);
      }),
      listen(this.element, 'seed-decode-cancel', () => {
        if (this.running) {
          this.element.decode = { kind: 'cancelling' };
          this.running.cancel();
        }
      }),
      listen(this.element, 'seed-copy', ({ text }) => Clipboard.copyToSystem(text)),
      // Edits are kept as they happen, not only when a decode runs, so saving the notebook keeps them.
      listen(this.element, 'seed-history-change', ({ history }) => this.keep({ history }))
    );
  }

  /**
   * Called for a new output and again whenever the output model changes, including when this renderer
   * stores a decode in the metadata: an unchanged payload keeps the element (and its edit history).
   */
  async renderModel(model: IRenderMime.IMimeModel): Promise<void> {
    this.model = model;
    const payload = JSON.stringify(model.data[SEED_MIME_TYPE]);
    if (payload !== this.payload) {
      this.payload = payload;
      try {
        this.result = resultFromPayload(model.data[SEED_MIME_TYPE]);
        this.element.result = this.result;
        // The form starts from this model's own sampler defaults.
        this.applySettings();
        this.register();
      } catch (error) {
        this.node.textContent = (error as Error).message;
        this.node.classList.add('jp-SeedOutput-error');
        return;
      }
    }
    const state = model.metadata[OUTPUT_METADATA_KEY];
    this.element.decoded = decodedFromMetadata(state);
    this.element.savedHistory = historyFromMetadata(state);
  }

  /** Stores what changed of this output's state in its metadata (the notebook then counts as modified). */
  private keep(change: { decoded?: DecodedView[]; history?: CodeHistory }): void {
    if (!this.model || !this.result) {
      return;
    }
    const saved = this.model.metadata[OUTPUT_METADATA_KEY];
    const { codes, model } = this.result;
    const state = {
      decoded: change.decoded ?? decodedFromMetadata(saved),
      history: change.history ?? restoreHistory(historyFromMetadata(saved), codes, model.codebookSize)
    };
    this.model.setData({
      metadata: {
        ...this.model.metadata,
        [OUTPUT_METADATA_KEY]: outputStateToMetadata(state)
      } as unknown as ReadonlyPartialJSONObject
    });
  }

  protected override onAfterAttach(): void {
    this.notebook = this.notebooks.find((panel) => panel.node.contains(this.node)) ?? null;
    if (this.notebook) {
      this.bridge = SeedKernelBridge.of(this.notebook.sessionContext);
      this.bridge.liveChanged.connect(this.onLive, this);
      this.onLive();
    } else {
      this.element.live = { kind: 'offline', reason: 'this output is not in a notebook.' };
    }
    this.register();
  }

  protected override onBeforeDetach(): void {
    this.bridge?.liveChanged.disconnect(this.onLive, this);
    this.outputs.remove(this.entryId);
  }

  override dispose(): void {
    if (this.isDisposed) {
      return;
    }
    // Nobody can see a decode of a removed output (the cell ran again or was deleted).
    this.running?.cancel();
    this.settings.changed.disconnect(this.onSettings, this);
    this.bridge?.liveChanged.disconnect(this.onLive, this);
    this.unlisten.forEach((stop) => stop());
    this.outputs.remove(this.entryId);
    super.dispose();
  }

  private register(): void {
    const result = this.result;
    if (!result || !this.notebook || !this.isAttached) {
      return;
    }
    this.outputs.put({
      id: this.entryId,
      notebookId: this.notebook.id,
      label: result.label,
      kind: result.kind,
      thumbnail: (result.source ?? result.image)?.src ?? null,
      reveal: () => {
        this.node.scrollIntoView({ block: 'center', behavior: 'smooth' });
        this.element.animate([{ outline: '2px solid var(--jp-brand-color1)' }, { outline: 'none' }], 1200);
      }
    });
  }

  private onLive(): void {
    if (this.bridge) {
      this.element.live = this.bridge.live;
    }
  }

  private onSettings(): void {
    this.applySettings();
  }

  private applySettings(): void {
    const current = this.settings.current;
    this.element.defaults = samplerDefaults(current, this.result?.model.defaults);
    this.element.randomSeed = current.seedPolicy === 'random';
  }

  private startDecode(codes: number[], params: DecodeParams, lineage: Lineage): void {
    if (!this.bridge) {
      this.element.decode = { kind: 'failed', message: 'This output is not in a notebook, so it cannot decode.' };
      return;
    }
    // Progress can arrive before decode() returns (a queued decode reports at once), so it is matched by ticket.
    const ticket = ++this.tickets;
    const handle = this.bridge.decode(codes, params, (event) => {
      if (this.tickets === ticket) {
        this.element.decode = event;
      }
    });
    this.running = handle;
    handle.done
      .then((outcome) => {
        const decoded = [
          { image: outcome.image, lineage: { ...lineage, params: outcome.params } },
          ...this.element.decoded
        ];
        this.element.decoded = decoded;
        this.element.decode = { kind: 'idle' };
        // Kept in the output's metadata, so the notebook saves the decode with the output it came from.
        this.keep({ decoded });
      })
      .catch((error: Error) => {
        this.element.decode =
          error instanceof SeedCancelled ? { kind: 'cancelled' } : { kind: 'failed', message: error.message };
      })
      .finally(() => {
        if (this.running === handle) {
          this.running = null;
        }
      });
  }
}
