import { Signal } from '@lumino/signaling';
import type { ISeedOutputEntry, ISeedOutputs } from '../tokens';

/** The SEED outputs on screen; renderers add themselves when attached and leave when disposed. */
export class SeedOutputIndex implements ISeedOutputs {
  private list: ISeedOutputEntry[] = [];
  private readonly changedSignal = new Signal<ISeedOutputs, void>(this);

  get entries(): readonly ISeedOutputEntry[] {
    return this.list;
  }

  get changed(): Signal<ISeedOutputs, void> {
    return this.changedSignal;
  }

  /** Adds or replaces the entry with this id. */
  put(entry: ISeedOutputEntry): void {
    const index = this.list.findIndex((existing) => existing.id === entry.id);
    this.list = index >= 0 ? this.list.map((existing, i) => (i === index ? entry : existing)) : [...this.list, entry];
    this.changedSignal.emit();
  }

  remove(id: string): void {
    const before = this.list.length;
    this.list = this.list.filter((entry) => entry.id !== id);
    if (this.list.length !== before) {
      this.changedSignal.emit();
    }
  }
}
