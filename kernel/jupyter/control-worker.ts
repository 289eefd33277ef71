import { parentPort, workerData } from 'node:worker_threads';
import { Reply, Router } from 'zeromq';
import { SerialSender } from './serial-sender';
import { decodeMessage } from './wire';

/**
 * The control and heartbeat channels run in this worker thread so they keep answering while the
 * main thread is blocked in a synchronous cell (`while (true) {}`). An interrupt_request raises
 * SIGINT in the process: that breaks a synchronous cell (vm's breakOnSigint) and, through the
 * main thread's SIGINT handler, aborts an awaiting one. Every control message is then handed to
 * the main thread, which builds the reply; the reply comes back here to be sent.
 */

export interface ControlWorkerData {
  controlEndpoint: string;
  heartbeatEndpoint: string;
  key: string;
  signatureScheme: string;
}

/** From the main thread: send these frames on the control socket, or close down. */
export type ToControlWorker = { type: 'send'; frames: Uint8Array[] } | { type: 'close' };
/** To the main thread: a control message arrived, or the sockets are bound, or something failed. */
export type FromControlWorker =
  { type: 'ready' } | { type: 'message'; frames: Uint8Array[] } | { type: 'error'; message: string };

const data = workerData as ControlWorkerData;
const port = parentPort;
if (!port) {
  throw new Error('control-worker.js runs as a worker thread of the SEED kernel; it cannot run on its own.');
}

const control = new Router();
const heartbeat = new Reply();
const report = (error: Error): void => port.postMessage({ type: 'error', message: error.message } as FromControlWorker);
const sender = new SerialSender(control, report);

function isInterrupt(frames: Buffer[]): boolean {
  try {
    return decodeMessage(frames, data.key, data.signatureScheme).header.msg_type === 'interrupt_request';
  } catch {
    // The main thread decodes it again and reports why it was dropped.
    return false;
  }
}

async function serveHeartbeat(): Promise<void> {
  for await (const frames of heartbeat) {
    await heartbeat.send(frames);
  }
}

async function serveControl(): Promise<void> {
  for await (const frames of control) {
    if (isInterrupt(frames)) {
      process.kill(process.pid, 'SIGINT');
    }
    port!.postMessage({ type: 'message', frames } as FromControlWorker);
  }
}

port.on('message', (message: ToControlWorker) => {
  if (message.type === 'send') {
    void sender.send(message.frames.map((frame) => Buffer.from(frame.buffer, frame.byteOffset, frame.byteLength)));
  } else {
    // Let queued replies (the shutdown_reply) go out before the sockets close.
    void sender.drained().finally(() => {
      control.close();
      heartbeat.close();
      port.close();
    });
  }
});

async function start(): Promise<void> {
  await Promise.all([control.bind(data.controlEndpoint), heartbeat.bind(data.heartbeatEndpoint)]);
  port!.postMessage({ type: 'ready' } as FromControlWorker);
  await Promise.all([serveControl(), serveHeartbeat()]);
}

start().catch((error: Error) => {
  // Closing the sockets ends the loops with an error; that is the normal way out.
  if (!control.closed) {
    report(error);
  }
});
