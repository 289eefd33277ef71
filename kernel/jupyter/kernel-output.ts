import type { KernelChannels, ReplyChannel } from './channels';
import { StreamName, captureProcessStreams } from './cell-output';
import { MimeBundle } from './mime-bundle';
import { childMessage, JsonObject, JupyterMessage } from './wire';

export interface DisplayOptions {
  /** Names the output so later updates replace it (update_display_data). */
  displayId?: string;
  /** Replace the output named `displayId` instead of adding a new one. */
  update?: boolean;
  metadata?: JsonObject;
}

const STREAM_BATCH_CHARACTERS = 64 * 1024;

/**
 * Everything the kernel sends: replies on shell, control and stdin, and iopub messages (status,
 * displays, streams). Cell output is batched into one stream message per event-loop turn (or
 * 64 KB), so a loop of console.log calls does not flood the frontend with thousands of messages.
 */
export class KernelOutput {
  /** Where stream output goes: the last request that ran code. */
  parent?: JupyterMessage;
  private channels?: KernelChannels;
  private pendingStream?: { name: StreamName; text: string; parent: JupyterMessage | undefined };
  /** Subscriptions that arrived while the sockets were still being set up. */
  private readonly pendingWelcomes: Buffer[] = [];

  constructor(private readonly session: string) {
    captureProcessStreams(() => (this.parent ? (name, text) => this.stream(name, text) : undefined));
  }

  /** Messages sent before the sockets are open have nobody to reach and are dropped, except welcomes. */
  attach(channels: KernelChannels): void {
    this.channels = channels;
    for (const topic of this.pendingWelcomes.splice(0)) {
      this.welcome(topic);
    }
  }

  publish(msgType: string, content: unknown, parent: JupyterMessage | undefined, buffers: Buffer[] = []): void {
    if (!this.channels) {
      return;
    }
    // Text printed before this message must reach the notebook before it.
    this.flushStream();
    const message = childMessage(parent, msgType, content, this.session, false);
    message.buffers = buffers;
    void this.channels.send('iopub', message);
  }

  /**
   * The iopub welcome for a subscription to `topic`. It goes out under that topic (as its first
   * frame), so a client subscribed to only that topic receives it too.
   */
  welcome(topic: Buffer): void {
    if (!this.channels) {
      // A client can subscribe as soon as iopub is bound, before the kernel has its channels.
      this.pendingWelcomes.push(topic);
      return;
    }
    const message = childMessage(undefined, 'iopub_welcome', { subscription: topic.toString('utf8') }, this.session);
    message.identities = topic.length > 0 ? [topic] : [];
    void this.channels.send('iopub', message);
  }

  reply(channel: ReplyChannel, parent: JupyterMessage, msgType: string, content: unknown): void {
    void this.channels?.send(channel, childMessage(parent, msgType, content, this.session));
  }

  /** Resolves once everything sent so far is handed to ZeroMQ. */
  async flush(): Promise<void> {
    await this.channels?.flush();
  }

  /** Cell output to stdout or stderr, parented to the last request that ran code. */
  stream(name: StreamName, text: string): void {
    const parent = this.parent;
    if (this.pendingStream && (this.pendingStream.name !== name || this.pendingStream.parent !== parent)) {
      this.flushStream();
    }
    if (!this.pendingStream) {
      this.pendingStream = { name, text: '', parent };
      setImmediate(() => this.flushStream());
    }
    this.pendingStream.text += text;
    if (this.pendingStream.text.length >= STREAM_BATCH_CHARACTERS) {
      this.flushStream();
    }
  }

  private flushStream(): void {
    const pending = this.pendingStream;
    if (pending) {
      this.pendingStream = undefined;
      this.publish('stream', { name: pending.name, text: pending.text }, pending.parent);
    }
  }

  clearOutput(wait: boolean, parent: JupyterMessage | undefined): void {
    this.publish('clear_output', { wait }, parent);
  }

  display(bundle: MimeBundle, options: DisplayOptions, parent: JupyterMessage | undefined): void {
    const transient = options.displayId ? { display_id: options.displayId } : {};
    this.publish(
      options.update ? 'update_display_data' : 'display_data',
      { data: bundle, metadata: options.metadata ?? {}, transient },
      parent
    );
  }

  /** tslab's `display` helpers (`import * as tslab from 'tslab'`), writing through `display`. */
  tslabDisplayModule(display: (bundle: MimeBundle, options: DisplayOptions) => void): unknown {
    // require, not import: tslab's display reads this module's exports object, which must be
    // assigned itself (an import would give a copy), and only when a cell asks for tslab.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const tslabJupyter = require('tslab/dist/jupyter') as {
      lastWriteDisplayData:
        | ((
            data: { data: MimeBundle; metadata: JsonObject; transient: { display_id?: string } },
            update: boolean
          ) => void)
        | null;
    };
    tslabJupyter.lastWriteDisplayData = (data, update) =>
      display(data.data, { displayId: data.transient?.display_id, update, metadata: data.metadata });
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require('tslab');
  }
}
