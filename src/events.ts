/**
 * The typed events SEED components emit. Components never talk to JupyterLab or the kernel:
 * they report intent with these events, and the widget that hosts them decides what to do.
 */
export interface SeedEventMap {
  /** The user asked for a new notebook on the SEED kernel. */
  'seed-new-notebook': undefined;
}

/** Dispatches a bubbling, composed event whose name and detail are checked against SeedEventMap. */
export function emit<K extends keyof SeedEventMap>(target: EventTarget, name: K, detail: SeedEventMap[K]): void {
  target.dispatchEvent(new CustomEvent(name, { detail, bubbles: true, composed: true }));
}
