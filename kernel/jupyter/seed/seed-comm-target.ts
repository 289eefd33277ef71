import {
  type BinaryPng,
  type SeedCommReply,
  type SeedCommRequest,
  SEED_COMM_TARGET,
  quote,
  type ReadRequest,
  readCommRequest
} from '../../protocol';
import { type PngImage, SeedCancelledError, SeedError } from '../../runtime';
import type { Comm, CommManager } from '../comms';
import type { JsonObject, JupyterMessage } from '../wire';
import type { ModelHost } from './model-host';
import type { SeedApi } from './seed-api';
import { wireParams } from './results';

/** What the comm target needs from the kernel. */
export interface CommKernel {
  /** Aborts the running shell task if `matches` says it is the given comm message. */
  cancelTaskOf(matches: (message: JupyterMessage) => boolean, reason: Error): boolean;
}

function requestIdOf(message: JupyterMessage): string | undefined {
  const data = (message.content as { data?: { id?: unknown } }).data;
  return typeof data?.id === 'string' ? data.id : undefined;
}

/** A reply body and the binary buffers its BinaryPng fields point into. */
interface Outgoing {
  reply: SeedCommReply;
  buffers?: Buffer[];
}

/** Puts a PNG in the message's buffers and returns its reference. */
function attach(image: PngImage, buffers: Buffer[]): BinaryPng {
  buffers.push(image.png);
  return { buffer: buffers.length - 1, width: image.width, height: image.height };
}

/** What the user reads: the runtime's and the protocol's own messages, anything else named as a kernel fault. */
function messageOf(error: unknown): string {
  if (error instanceof SeedError || error instanceof RangeError) {
    return error.message;
  }
  const text = error instanceof Error ? error.message : String(error);
  return `The SEED kernel failed on this request: ${text.slice(0, 500)}. Please report it; the kernel is still running.`;
}

/**
 * The kernel side of the `seed` comm (see kernel/protocol/seed-comm.ts): the JupyterLab widgets'
 * settings, model and decode requests. Every message is validated against the protocol before
 * anything acts on it, and every message gets an answer (an `error` with id null when no id could be
 * read). Requests run on the shell queue, behind any running cell; only `cancel` is handled the moment
 * it arrives, so that it can stop a running or a waiting decode.
 */
export function registerSeedCommTarget(comms: CommManager, seed: SeedApi, host: ModelHost, kernel: CommKernel): void {
  /**
   * Requests that arrived and have not ended yet, with whether a cancel came for them. Entries go when
   * their request ends, so nothing is remembered past it and a reused id starts afresh.
   */
  const pending = new Map<string, { cancelled: boolean }>();
  let runningId: string | undefined;
  // A message is read on arrival and again when its turn comes; the second time reuses the first reading.
  const readings = new WeakMap<object, ReadRequest>();
  const read = (data: JsonObject): ReadRequest => {
    // A client may send anything as data, a string too: only objects can be remembered.
    if (typeof data !== 'object' || data === null) {
      return readCommRequest(data);
    }
    let reading = readings.get(data);
    if (!reading) {
      reading = readCommRequest(data);
      readings.set(data, reading);
    }
    return reading;
  };

  comms.registerTarget(SEED_COMM_TARGET, (comm: Comm) => {
    const send = ({ reply, buffers }: Outgoing, parent: JupyterMessage): void =>
      comm.send(reply as unknown as JsonObject, parent, buffers);

    // Called for every message as it arrives, before it waits in the shell queue.
    comm.isUrgent = (data) => {
      const reading = read(data);
      if (!reading.ok) {
        return false;
      }
      if (reading.request.type === 'cancel') {
        return true;
      }
      pending.set(reading.request.id, { cancelled: false });
      return false;
    };

    comm.onMessage = async ({ data, message }) => {
      const reading = read(data);
      if (!reading.ok) {
        send({ reply: { type: 'error', id: reading.id, message: reading.message } }, message);
        if (reading.id !== null) {
          pending.delete(reading.id);
        }
        return;
      }
      const request = reading.request;
      if (request.type === 'cancel') {
        const answer = cancel(request.target);
        if (answer) {
          send({ reply: { type: 'error', id: request.id, message: answer } }, message);
        }
        return;
      }
      const entry = pending.get(request.id);
      try {
        if (entry?.cancelled || seed.signal.aborted) {
          send({ reply: { type: 'cancelled', id: request.id } }, message);
          return;
        }
        runningId = request.id;
        send(await handle(request, (progress) => send(progress, message)), message);
      } catch (error) {
        if (error instanceof SeedCancelledError || (error as Error).name === 'InterruptedError') {
          send({ reply: { type: 'cancelled', id: request.id } }, message);
        } else {
          send({ reply: { type: 'error', id: request.id, message: messageOf(error) } }, message);
        }
      } finally {
        runningId = undefined;
        pending.delete(request.id);
      }
    };
  });

  /** Cancels a running or waiting request; returns why not when there is none with that id. */
  function cancel(target: string): string | undefined {
    const entry = pending.get(target);
    if (target === runningId && kernel.cancelTaskOf((task) => requestIdOf(task) === target, new SeedCancelledError())) {
      return undefined;
    }
    if (entry) {
      // It waits in the shell queue; it ends with `cancelled` when its turn comes, without running.
      entry.cancelled = true;
      return undefined;
    }
    return `Nothing to cancel: no running or queued request has the id ${quote(target)} (it may have finished already).`;
  }

  async function handle(
    request: Exclude<SeedCommRequest, { type: 'cancel' }>,
    progress: (event: Outgoing) => void
  ): Promise<Outgoing> {
    switch (request.type) {
      case 'configure':
        return { reply: { type: 'configured', id: request.id, settings: await host.configure(request.settings) } };
      case 'info':
        return { reply: host.info(request.id) };
      case 'use-model':
        await host.use(request.model);
        return { reply: host.info(request.id) };
      case 'decode': {
        const result = await seed.decode(request.codes, {
          ...request.params,
          progress: false,
          onProgress: (step) => {
            const buffers: Buffer[] = [];
            const preview = step.preview ? attach(step.preview, buffers) : undefined;
            progress({
              reply: {
                type: 'progress',
                id: request.id,
                step: step.step,
                total: step.total,
                ...(preview ? { preview } : {})
              },
              buffers
            });
          }
        });
        const buffers: Buffer[] = [];
        return {
          reply: {
            type: 'decoded',
            id: request.id,
            image: attach(result.image, buffers),
            params: wireParams(result.params)
          },
          buffers
        };
      }
    }
  }
}
