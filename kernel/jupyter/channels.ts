import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { Router, XPublisher } from 'zeromq';
import { ConnectionInfo, endpoint } from './connection';
import type { ControlWorkerData, FromControlWorker, ToControlWorker } from './control-worker';
import { kernelLog } from './kernel-log';
import { SerialSender } from './serial-sender';
import { decodeMessage, encodeMessage, JupyterMessage } from './wire';

export type ReplyChannel = 'shell' | 'control' | 'stdin';
export type SendChannel = ReplyChannel | 'iopub';

export interface ChannelHandlers {
  shell(message: JupyterMessage): void;
  control(message: JupyterMessage): void;
  stdin(message: JupyterMessage): void;
  /** A client's iopub subscription to `topic` (empty for everything) is in place: it now gets every message. */
  iopubSubscribed(topic: Buffer): void;
}

/** What an XPUB socket receives for a subscription: the byte 1, then the topic (0 is an unsubscription). */
const SUBSCRIBE = 1;

/**
 * The only module that talks ZeroMQ: binds the five channels of a connection file, decodes and
 * verifies what arrives, signs and sends what the kernel answers. Shell, iopub and stdin live on
 * the main thread; control and heartbeat in a worker (control-worker.ts). IOPub is an XPUB socket
 * (messaging spec 5.5, JEP 65), so the kernel learns when a client's subscription is ready and can
 * welcome it: a client that waits for the welcome loses no output.
 */
export class KernelChannels {
  private readonly senders: Record<'shell' | 'stdin' | 'iopub', SerialSender>;
  private closed = false;

  private constructor(
    private readonly info: ConnectionInfo,
    private readonly shell: Router,
    private readonly iopub: XPublisher,
    private readonly stdin: Router,
    private readonly control: Worker
  ) {
    const report = (error: Error): void => kernelLog(`send failed: ${error.message}`);
    this.senders = {
      shell: new SerialSender(shell, report),
      stdin: new SerialSender(stdin, report),
      iopub: new SerialSender(iopub, report)
    };
  }

  static async open(info: ConnectionInfo, handlers: ChannelHandlers): Promise<KernelChannels> {
    const shell = new Router();
    const iopub = new XPublisher();
    // Every client subscribes to '' (everything); without this only the first one would be seen.
    iopub.verbosity = 'allSubs';
    const stdin = new Router();
    const workerData: ControlWorkerData = {
      controlEndpoint: endpoint(info, 'control'),
      heartbeatEndpoint: endpoint(info, 'hb'),
      key: info.key,
      signatureScheme: info.signature_scheme
    };
    const control = new Worker(path.join(__dirname, 'control-worker.js'), { workerData });
    const controlReady = new Promise<void>((resolve, reject) => {
      control.once('error', reject);
      control.on('message', (message: FromControlWorker) => {
        if (message.type === 'ready') {
          resolve();
        }
      });
    });
    await Promise.all([
      shell.bind(endpoint(info, 'shell')),
      iopub.bind(endpoint(info, 'iopub')),
      stdin.bind(endpoint(info, 'stdin')),
      controlReady
    ]);
    const channels = new KernelChannels(info, shell, iopub, stdin, control);
    channels.listen(handlers);
    return channels;
  }

  private decode(frames: Buffer[], channel: string): JupyterMessage | undefined {
    try {
      return decodeMessage(frames, this.info.key, this.info.signature_scheme);
    } catch (error) {
      kernelLog(`dropped a message on ${channel}: ${(error as Error).message}`);
      return undefined;
    }
  }

  private listen(handlers: ChannelHandlers): void {
    const serve = async (socket: Router, channel: 'shell' | 'stdin'): Promise<void> => {
      for await (const frames of socket) {
        const message = this.decode(frames, channel);
        if (message) {
          handlers[channel](message);
        }
      }
    };
    const serveSubscriptions = async (): Promise<void> => {
      for await (const [frame] of this.iopub) {
        if (frame[0] === SUBSCRIBE) {
          handlers.iopubSubscribed(frame.subarray(1));
        }
      }
    };
    serveSubscriptions().catch((error: Error) => {
      if (!this.closed) {
        kernelLog(`the iopub channel stopped: ${error.message}`);
      }
    });
    for (const [socket, channel] of [
      [this.shell, 'shell'],
      [this.stdin, 'stdin']
    ] as const) {
      serve(socket, channel).catch((error: Error) => {
        if (!this.closed) {
          kernelLog(`the ${channel} channel stopped: ${error.message}`);
        }
      });
    }
    this.control.on('message', (message: FromControlWorker) => {
      if (message.type === 'message') {
        const decoded = this.decode(
          message.frames.map((frame) => Buffer.from(frame.buffer, frame.byteOffset, frame.byteLength)),
          'control'
        );
        if (decoded) {
          handlers.control(decoded);
        }
      } else if (message.type === 'error') {
        kernelLog(`control channel: ${message.message}`);
      }
    });
  }

  /** Signs and sends a message; resolves when it is queued in ZeroMQ. */
  send(channel: SendChannel, message: JupyterMessage<unknown>): Promise<void> {
    if (this.closed) {
      return Promise.resolve();
    }
    const frames = encodeMessage(message, this.info.key, this.info.signature_scheme);
    if (channel === 'control') {
      this.control.postMessage({ type: 'send', frames } as ToControlWorker);
      return Promise.resolve();
    }
    return this.senders[channel].send(frames);
  }

  /** Resolves once every message sent so far is handed to ZeroMQ, whose I/O thread delivers it. */
  async flush(): Promise<void> {
    await Promise.all(Object.values(this.senders).map((sender) => sender.drained()));
  }

  /** Lets queued messages go out, then closes every socket and the control worker. */
  async close(): Promise<void> {
    if (this.closed) {
      return;
    }
    await Promise.all(Object.values(this.senders).map((sender) => sender.drained()));
    this.closed = true;
    const workerExited = new Promise<void>((resolve) => this.control.once('exit', () => resolve()));
    this.control.postMessage({ type: 'close' } as ToControlWorker);
    this.shell.close();
    this.iopub.close();
    this.stdin.close();
    await workerExited;
  }
}
