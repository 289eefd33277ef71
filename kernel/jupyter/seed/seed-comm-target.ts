import type { SeedCommReply, SeedCommRequest } from '../../protocol/seed-comm';
import { SEED_COMM_TARGET } from '../../protocol/seed-comm';
import { SeedCancelledError } from '../../runtime';
import type { Comm, CommManager } from '../comms';
import type { JupyterMessage } from '../wire';
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

/**
 * The kernel side of the `seed` comm (see kernel/protocol/seed-comm.ts): the JupyterLab panel's
 * encode / decode / model requests. Requests run on the shell queue, behind any running cell;
 * only `cancel` is handled the moment it arrives, so it can stop a running decode.
 */
export function registerSeedCommTarget(comms: CommManager, seed: SeedApi, host: ModelHost, kernel: CommKernel): void {
  /** Ids of requests cancelled while they still waited in the shell queue. */
  const cancelledEarly = new Set<string>();
  let previewEvery: number | undefined;
  let topK: number | undefined;

  comms.registerTarget(SEED_COMM_TARGET, (comm: Comm) => {
    comm.isUrgent = (data) => data.type === 'cancel';
    comm.onMessage = async ({ data, message }) => {
      const request = data as unknown as SeedCommRequest;
      const reply = (body: SeedCommReply): void => comm.send(body as unknown as Record<string, unknown>, message);
      if (typeof request.id !== 'string') {
        return;
      }
      if (cancelledEarly.delete(request.id)) {
        reply({ type: 'cancelled', id: request.id });
        return;
      }
      try {
        switch (request.type) {
          case 'cancel': {
            const running = kernel.cancelTaskOf(
              (task) => requestIdOf(task) === request.target,
              new SeedCancelledError()
            );
            if (!running) {
              cancelledEarly.add(request.target);
            }
            return;
          }
          case 'configure':
            await host.configure(request.settings ?? {});
            previewEvery = request.settings?.previewEvery ?? previewEvery;
            topK = request.settings?.topK ?? topK;
            reply({ type: 'configured', id: request.id });
            return;
          case 'info':
            reply(host.info(request.id));
            return;
          case 'use-model':
            await host.use(request.model);
            reply(host.info(request.id));
            return;
          case 'encode': {
            const image = 'base64' in request.image ? Buffer.from(request.image.base64, 'base64') : request.image.path;
            const encoding = await seed.encode(image, { topK: request.topK ?? topK, label: request.label });
            reply({ type: 'encoded', id: request.id, payload: encoding.toPayload() });
            return;
          }
          case 'decode': {
            const result = await seed.decode(request.codes, {
              ...request.params,
              progress: false,
              previewEvery: request.previewEvery ?? previewEvery,
              onProgress: (step) =>
                reply({
                  type: 'progress',
                  id: request.id,
                  step: step.step,
                  total: step.total,
                  ...(step.preview
                    ? {
                        preview: {
                          png: step.preview.png.toString('base64'),
                          width: step.preview.width,
                          height: step.preview.height
                        }
                      }
                    : {})
                })
            });
            reply({
              type: 'decoded',
              id: request.id,
              image: { png: result.png.toString('base64'), width: result.image.width, height: result.image.height },
              params: wireParams(result.params)
            });
            return;
          }
          default: {
            const unknown = request as { id: string; type?: string };
            reply({
              type: 'error',
              id: unknown.id,
              message: `Unknown request type '${unknown.type}'; update jupyterlab-seed.`
            });
          }
        }
      } catch (error) {
        if (error instanceof SeedCancelledError || (error as Error).name === 'InterruptedError') {
          reply({ type: 'cancelled', id: request.id });
        } else {
          const text = error instanceof Error ? error.message : String(error);
          reply({ type: 'error', id: request.id, message: text });
        }
      }
    };
  });
}
