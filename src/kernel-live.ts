/**
 * What a notebook's kernel can do for SEED, read from JupyterLab's own view of the session: no kernel,
 * another kernel, disconnected, restarting, dead, busy or ready. The kernel bridge and the panel use it.
 */
import type { ISessionContext } from '@jupyterlab/apputils';
import type { LiveState } from './model/seed-result';
import { SEED_KERNEL_NAME } from './tokens';

/** Whether the kernel can take SEED requests now (it may be busy: they then wait in its queue). */
export function isLive(live: LiveState | undefined): boolean {
  return live?.kind === 'ready' || live?.kind === 'busy';
}

/** What the session's kernel can do for SEED, from JupyterLab's view of it. */
export function describeLive(context: ISessionContext): LiveState {
  const kernel = context.session?.kernel;
  if (!kernel) {
    return { kind: 'offline', reason: 'the notebook has no kernel. Select the SEED kernel to decode.' };
  }
  if (kernel.name !== SEED_KERNEL_NAME) {
    return {
      kind: 'offline',
      reason: `the notebook runs ${context.kernelDisplayName}. Switch it to the SEED kernel to decode.`
    };
  }
  if (kernel.connectionStatus === 'disconnected') {
    return { kind: 'offline', reason: 'the connection to the kernel was lost. Reconnect or restart the kernel.' };
  }
  switch (kernel.status) {
    case 'dead':
      return { kind: 'dead', reason: 'restart the kernel (Kernel ▸ Restart Kernel) to decode again.' };
    case 'restarting':
    case 'autorestarting':
    case 'starting':
    case 'unknown':
      return { kind: 'restarting' };
    case 'busy':
      return { kind: 'busy' };
    default:
      return { kind: 'ready' };
  }
}

/** Why a request cannot be sent, in the words the views show. */
export function unavailableMessage(live: LiveState): string {
  switch (live.kind) {
    case 'offline':
      return `Cannot reach a SEED kernel: ${live.reason}`;
    case 'dead':
      return `The kernel died: ${live.reason}`;
    case 'restarting':
      return 'The kernel is restarting; try again when it is ready.';
    default:
      return 'The SEED kernel is not available.';
  }
}
