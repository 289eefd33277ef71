/** Codes dragged from one token strip to another: what the drag carries and what a drop does. */
import type { CodeEdit } from './code-history';

/** The dataTransfer type of a drag that carries codes from one token strip to another. */
export const SEED_CODES_DRAG_TYPE = 'application/x-seed-codes';

/** What a token strip puts on a drag: one position, or the whole strip. */
export interface CodesDragData {
  from: string;
  modelSha256: string;
  /** The dragged positions (one, or all of them) and their codes. */
  positions: number[];
  codes: number[];
}

/**
 * One dragged code lands on the drop position; a dragged strip replaces the drop position and every
 * position after it with the dragged codes at the same positions (a causal suffix splice).
 */
export function spliceFromDrop(data: CodesDragData, position: number, length: number): CodeEdit {
  if (data.positions.length === 1) {
    return { kind: 'splice', from: data.from, positions: [position], codes: [data.codes[0]] };
  }
  const positions: number[] = [];
  const codes: number[] = [];
  data.positions.forEach((sourcePosition, index) => {
    if (sourcePosition >= position && sourcePosition < length) {
      positions.push(sourcePosition);
      codes.push(data.codes[index]);
    }
  });
  return { kind: 'splice', from: data.from, positions, codes };
}
