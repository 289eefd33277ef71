/**
 * The only module that talks to the SEED kernel. It uses JupyterLab's own kernel connection (a comm on
 * the `seed` target) and turns kernel state into plain values for the views: components and renderers
 * never see a kernel, a comm or a message.
 *
 * One bridge serves one notebook session. It runs one decode at a time and queues the others (the
 * kernel queues too, but a queue here lets each output say it is waiting and lets a queued decode be
 * cancelled without a round trip). A kernel restart, a dead kernel or a closed comm fails every pending
 * request with a message saying what happened, so no view waits for an answer that cannot come.
 */
import type { ISessionContext } from '@jupyterlab/apputils';
import type { Kernel, KernelMessage } from '@jupyterlab/services';
import type { JSONObject } from '@lumino/coreutils';
import { ISignal, Signal } from '@lumino/signaling';
import type { SeedKernelSettings } from '../kernel/protocol';
import type { DecodeParams, ImageView, LiveState, ResultParams } from './model/seed-result';
import {
  DecodedWire,
  imageFromBuffer,
  KernelInfoView,
  kernelInfoFromWire,
  ReplyWire,
  RequestWire,
  SEED_COMM_TARGET
} from './model/payload-adapter';
import { describeLive, isLive, unavailableMessage } from './kernel-live';

/** Progress of one decode, as the views show it. */
export type DecodeEvent =
  { kind: 'queued'; ahead: number } | { kind: 'running'; step: number; total: number; preview?: ImageView };

/** The settings the kernel applies (sent on connect and whenever they change). */
export type KernelSettings = SeedKernelSettings;

/** A decode that finished. */
export interface DecodeOutcome {
  image: ImageView;
  /** What ran, which can differ from what was asked in its steps (see stepsNote). */
  params: ResultParams;
}

/** A running or queued decode. */
export interface DecodeHandle {
  /** Settles with the image, or rejects with SeedCancelled or an Error whose message says what to do. */
  readonly done: Promise<DecodeOutcome>;
  cancel(): void;
}

/** The rejection of a cancelled decode (a normal end, not a failure). */
export class SeedCancelled extends Error {
  constructor() {
    super('The decode was cancelled.');
    this.name = 'SeedCancelled';
  }
}

/** A reply and the binary buffers of its message (images). */
interface Reply {
  body: ReplyWire;
  buffers: readonly (ArrayBuffer | ArrayBufferView)[];
}

interface Pending {
  resolve(reply: Reply): void;
  reject(error: Error): void;
  onProgress?(event: DecodeEvent): void;
}

interface QueuedDecode {
  id: string;
  codes: number[];
  params: DecodeParams;
  onProgress(event: DecodeEvent): void;
  resolve(outcome: DecodeOutcome): void;
  reject(error: Error): void;
}

const bridges = new WeakMap<ISessionContext, SeedKernelBridge>();

export class SeedKernelBridge {
  /** The bridge of a notebook session, created on first use. */
  static of(context: ISessionContext): SeedKernelBridge {
    let bridge = bridges.get(context);
    if (!bridge) {
      bridge = new SeedKernelBridge(context);
      bridges.set(context, bridge);
    }
    return bridge;
  }

  private comm: Kernel.IComm | null = null;
  private commKernel: Kernel.IKernelConnection | null = null;
  private pending = new Map<string, Pending>();
  private queue: QueuedDecode[] = [];
  private running: QueuedDecode | null = null;
  private settings: KernelSettings | null = null;
  private nextId = 0;
  private readonly liveChangedSignal = new Signal<this, LiveState>(this);
  private lastLive: LiveState;

  private constructor(private readonly context: ISessionContext) {
    this.lastLive = describeLive(context);
    context.statusChanged.connect(this.onStatus, this);
    context.kernelChanged.connect(this.onKernelChanged, this);
    context.connectionStatusChanged.connect(this.onStatus, this);
    context.disposed.connect(() => this.dropComm('The notebook was closed.'));
  }

  /** Whether the session's kernel is a live SEED kernel, and if not why. */
  get live(): LiveState {
    return this.lastLive;
  }

  get liveChanged(): ISignal<this, LiveState> {
    return this.liveChangedSignal;
  }

  /**
   * Sends these settings to the kernel now (connecting when the kernel is a live SEED kernel) and again
   * after every restart. A kernel that rejects them says why in the console; info() shows the state.
   */
  configure(settings: KernelSettings): void {
    this.settings = settings;
    this.sendSettings();
  }

  private sendSettings(): void {
    if (!this.settings || !isLive(describeLive(this.context))) {
      return;
    }
    // connect() sends the settings itself on a new comm.
    const sending = this.comm ? this.request({ type: 'configure', settings: this.settingsToSend() }) : this.connect();
    sending.catch((error: Error) => console.warn(`SEED settings were not applied by the kernel: ${error.message}`));
  }

  /** The kernel's model, execution provider (and why), memory, and the models it can switch to. */
  async info(): Promise<KernelInfoView> {
    const reply = await this.request({ type: 'info' });
    return kernelInfoFromWire(expectReply(reply.body, 'info'));
  }

  /** Switches the kernel to another model (a name from info().models, or a folder). */
  async useModel(model: string): Promise<KernelInfoView> {
    const reply = await this.request({ type: 'use-model', model });
    return kernelInfoFromWire(expectReply(reply.body, 'info'));
  }

  /** Queues a decode of these codes; progress goes to onProgress. */
  decode(codes: number[], params: DecodeParams, onProgress: (event: DecodeEvent) => void): DecodeHandle {
    const id = this.newId();
    let entry!: QueuedDecode;
    const done = new Promise<DecodeOutcome>((resolve, reject) => {
      entry = { id, codes: [...codes], params, onProgress, resolve, reject };
    });
    this.queue.push(entry);
    this.reportQueue();
    this.pump();
    return { done, cancel: () => this.cancel(entry) };
  }

  private cancel(entry: QueuedDecode): void {
    const index = this.queue.indexOf(entry);
    if (index >= 0) {
      this.queue.splice(index, 1);
      entry.reject(new SeedCancelled());
      this.reportQueue();
      return;
    }
    if (this.running === entry && this.comm) {
      // The decode ends with a `cancelled` reply to its own request; this request only asks for it.
      this.comm.send({ type: 'cancel', id: this.newId(), target: entry.id } satisfies RequestWire);
    }
  }

  private pump(): void {
    if (this.running || this.queue.length === 0) {
      return;
    }
    const entry = this.queue.shift()!;
    this.running = entry;
    this.reportQueue();
    entry.onProgress({ kind: 'running', step: 0, total: entry.params.steps });
    // The kernel previews as the settings it was sent say ("Preview frequency").
    this.request({ type: 'decode', codes: entry.codes, params: { ...entry.params } }, entry.id, entry.onProgress)
      .then((reply) => {
        const decoded: DecodedWire = expectReply(reply.body, 'decoded');
        entry.resolve({ image: imageFromBuffer(decoded.image, reply.buffers), params: decoded.params });
      })
      .catch((error: Error) => entry.reject(error))
      .finally(() => {
        this.running = null;
        this.pump();
      });
  }

  private reportQueue(): void {
    this.queue.forEach((entry, index) => entry.onProgress({ kind: 'queued', ahead: index + (this.running ? 1 : 0) }));
  }

  private newId(): string {
    this.nextId += 1;
    return `seed-${Date.now().toString(36)}-${this.nextId}`;
  }

  private async request(
    body: DistributiveOmit<RequestWire, 'id'>,
    id = this.newId(),
    onProgress?: (event: DecodeEvent) => void
  ): Promise<Reply> {
    const comm = await this.connect();
    return new Promise<Reply>((resolve, reject) => {
      this.pending.set(id, { resolve, reject, onProgress });
      comm.send({ ...body, id } as unknown as JSONObject);
    });
  }

  /** Opens the comm on the current kernel (once per kernel) and sends the settings first. */
  private async connect(): Promise<Kernel.IComm> {
    const kernel = this.context.session?.kernel ?? null;
    const live = describeLive(this.context);
    if (!kernel || live.kind === 'offline' || live.kind === 'dead' || live.kind === 'restarting') {
      throw new Error(unavailableMessage(live));
    }
    if (this.comm && this.commKernel === kernel) {
      return this.comm;
    }
    if (this.comm) {
      this.dropComm('The kernel changed; press Decode again.');
    }
    const comm = kernel.createComm(SEED_COMM_TARGET);
    comm.onMsg = (message) => this.onMessage(message);
    comm.onClose = () => {
      if (this.comm === comm) {
        this.dropComm(
          'The kernel closed the SEED connection (it has no `seed` comm target, or it is shutting down). ' +
            'Restart the kernel, then try again.'
        );
      }
    };
    this.comm = comm;
    this.commKernel = kernel;
    await comm.open({}).done;
    if (this.settings) {
      await this.request({ type: 'configure', settings: this.settingsToSend() });
    }
    return comm;
  }

  private settingsToSend(): SeedKernelSettings {
    const settings = this.settings!;
    return { ...settings, executionProviders: [...settings.executionProviders] };
  }

  private onMessage(message: KernelMessage.ICommMsgMsg): void {
    const reply = message.content.data as unknown as ReplyWire;
    const buffers = message.buffers ?? [];
    if (reply.id === null) {
      // The kernel could not read one of our messages well enough to find its id: say so where developers look.
      console.warn(`The SEED kernel could not read a message: ${reply.type === 'error' ? reply.message : reply.type}`);
      return;
    }
    const pending = this.pending.get(reply.id);
    if (!pending) {
      return;
    }
    switch (reply.type) {
      case 'progress':
        pending.onProgress?.({
          kind: 'running',
          step: reply.step,
          total: reply.total,
          ...(reply.preview ? { preview: imageFromBuffer(reply.preview, buffers) } : {})
        });
        return;
      case 'error':
        this.pending.delete(reply.id);
        pending.reject(new Error(reply.message));
        return;
      case 'cancelled':
        this.pending.delete(reply.id);
        pending.reject(new SeedCancelled());
        return;
      default:
        this.pending.delete(reply.id);
        pending.resolve({ body: reply, buffers });
    }
  }

  /** Forgets the comm and fails everything that waited on it with `reason`. */
  private dropComm(reason: string): void {
    const comm = this.comm;
    this.comm = null;
    this.commKernel = null;
    if (comm && !comm.isDisposed) {
      comm.onClose = () => undefined;
      comm.dispose();
    }
    const pending = [...this.pending.values()];
    this.pending.clear();
    pending.forEach((entry) => entry.reject(new Error(reason)));
    const queued = this.queue.splice(0);
    queued.forEach((entry) => entry.reject(new Error(reason)));
  }

  private onKernelChanged(): void {
    this.dropComm('The notebook switched to another kernel; press Decode again to decode on the new one.');
    this.onStatus();
  }

  private onStatus(): void {
    const previous = this.lastLive;
    const live = describeLive(this.context);
    this.lastLive = live;
    if (live.kind === 'restarting') {
      this.dropComm('The kernel restarted, which stopped the decode; press Decode again when it is ready.');
    } else if (live.kind === 'dead' || live.kind === 'offline') {
      this.dropComm(unavailableMessage(live));
    }
    if (isLive(live) && !isLive(previous)) {
      this.sendSettings();
    }
    if (JSON.stringify(live) !== JSON.stringify(previous)) {
      this.liveChangedSignal.emit(live);
    }
  }
}

function expectReply<K extends ReplyWire['type']>(reply: ReplyWire, type: K): Extract<ReplyWire, { type: K }> {
  if (reply.type !== type) {
    throw new Error(`The kernel answered "${reply.type}" where "${type}" was expected; update jupyterlab-seed.`);
  }
  return reply as Extract<ReplyWire, { type: K }>;
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
