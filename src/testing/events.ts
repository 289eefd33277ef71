/** Records the typed SEED events an element emits, for the tests to compare with what the user did. */
import { listen, SeedEventMap } from '../events';

export interface RecordedEvents<K extends keyof SeedEventMap> {
  /** The details emitted so far, oldest first. */
  readonly details: SeedEventMap[K][];
  /** Stops recording. */
  stop(): void;
}

export function recordEvents<K extends keyof SeedEventMap>(target: EventTarget, name: K): RecordedEvents<K> {
  const details: SeedEventMap[K][] = [];
  const stop = listen(target, name, (detail) => details.push(detail));
  return { details, stop };
}
