/**
 * The typed events SEED components emit. Components never talk to JupyterLab or the kernel:
 * they report intent with these events, and the widget that hosts them decides what to do.
 */
import type { CodeEdit, CodeHistory } from './model/code-history';
import type { DecodeParams, Lineage } from './model/seed-result';

/** What is copied: a lineage as JSON, or codes as LLM token strings. */
export type CopyFormat = 'json' | 'llm-tokens';

/** An image the user dropped on the panel: a path from the file browser, or a file from the desktop. */
export type DroppedImage = { kind: 'path'; path: string } | { kind: 'file'; file: File };

export interface SeedEventMap {
  /** The user asked for a new notebook on the SEED kernel. */
  'seed-new-notebook': undefined;
  /** The inspected position changed (hover, focus, keyboard or click); 0-based. */
  'seed-token-select': { position: number };
  /** The user changed the codes: picked an alternative, typed or randomised a code, or spliced codes in. */
  'seed-token-edit': { edit: CodeEdit };
  /** An output's edit history changed (an edit, undo or redo); the host keeps it with the output. */
  'seed-history-change': { history: CodeHistory };
  /** The user asked to decode these codes with these settings. */
  'seed-decode-request': { codes: number[]; params: DecodeParams; lineage: Lineage };
  /** The user asked to stop the running decode. */
  'seed-decode-cancel': undefined;
  /** The user asked to copy text to the clipboard. */
  'seed-copy': { format: CopyFormat; text: string };
  /** The user picked an encoding in the gallery; the host scrolls to its output. */
  'seed-gallery-select': { id: string };
  /** The user chose another model in the panel. */
  'seed-model-change': { model: string };
  /** The user asked to read the kernel's model, device and memory again. */
  'seed-refresh': undefined;
  /** The user dropped an image on the panel to encode it. */
  'seed-image-drop': { image: DroppedImage };
}

/** Dispatches a bubbling, composed event whose name and detail are checked against SeedEventMap. */
export function emit<K extends keyof SeedEventMap>(target: EventTarget, name: K, detail: SeedEventMap[K]): void {
  target.dispatchEvent(new CustomEvent(name, { detail, bubbles: true, composed: true }));
}

/** A listener for one SEED event, typed by its name. */
export function listen<K extends keyof SeedEventMap>(
  target: EventTarget,
  name: K,
  handler: (detail: SeedEventMap[K], event: CustomEvent<SeedEventMap[K]>) => void
): () => void {
  const listener = (event: Event) => {
    const custom = event as CustomEvent<SeedEventMap[K]>;
    handler(custom.detail, custom);
  };
  target.addEventListener(name, listener);
  return () => target.removeEventListener(name, listener);
}
