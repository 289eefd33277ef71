/**
 * Edits of a code sequence with undo and redo. The history is an immutable value: every operation
 * returns a new history, so a Lit property change re-renders and an old value can be kept for lineage.
 */

/** How positions after k are filled when codes are truncated to the first k. */
export const TRUNCATE_FILL_RULE = 'Positions after k repeat the code at position k (the last kept code).';

/** One change to the codes; replaying the edits on the original codes gives the current codes. */
export type CodeEdit =
  /** One position takes a new code: an alternative picked, a code typed, or a random code. */
  | { kind: 'set'; position: number; code: number; via: 'alternative' | 'typed' | 'random' }
  /** Keep the first `keep` codes and fill the rest by TRUNCATE_FILL_RULE. */
  | { kind: 'truncate'; keep: number }
  /** Positions take the codes of another encoding at the same positions. */
  | { kind: 'splice'; from: string; positions: number[]; codes: number[] };

export interface CodeHistory {
  readonly original: readonly number[];
  /** Edits applied, oldest first. */
  readonly done: readonly CodeEdit[];
  /** Edits undone, most recently undone last; cleared by a new edit. */
  readonly undone: readonly CodeEdit[];
}

export function startHistory(codes: readonly number[]): CodeHistory {
  return { original: [...codes], done: [], undone: [] };
}

/** Checks an edit against the sequence length and codebook size; throws an Error saying what is wrong. */
export function checkEdit(edit: CodeEdit, length: number, codebookSize: number): void {
  const checkPosition = (position: number) => {
    if (!Number.isInteger(position) || position < 0 || position >= length) {
      throw new Error(`Position ${position + 1} does not exist: choose a position from 1 to ${length}.`);
    }
  };
  const checkCode = (code: number) => {
    if (!Number.isInteger(code) || code < 0 || code >= codebookSize) {
      throw new Error(`Code ${code} is outside the codebook: enter a whole number from 0 to ${codebookSize - 1}.`);
    }
  };
  switch (edit.kind) {
    case 'set':
      checkPosition(edit.position);
      checkCode(edit.code);
      break;
    case 'truncate':
      if (!Number.isInteger(edit.keep) || edit.keep < 1 || edit.keep > length) {
        throw new Error(`Cannot keep ${edit.keep} codes: choose k from 1 to ${length}.`);
      }
      break;
    case 'splice':
      if (edit.positions.length === 0 || edit.positions.length !== edit.codes.length) {
        throw new Error('A splice needs one code for each position it replaces.');
      }
      edit.positions.forEach(checkPosition);
      edit.codes.forEach(checkCode);
      break;
  }
}

/** The codes after one edit. */
export function applyEdit(codes: readonly number[], edit: CodeEdit): number[] {
  const next = [...codes];
  switch (edit.kind) {
    case 'set':
      next[edit.position] = edit.code;
      break;
    case 'truncate':
      for (let position = edit.keep; position < next.length; position++) {
        next[position] = next[edit.keep - 1];
      }
      break;
    case 'splice':
      edit.positions.forEach((position, index) => {
        next[position] = edit.codes[index];
      });
      break;
  }
  return next;
}

export function currentCodes(history: CodeHistory): number[] {
  return history.done.reduce<number[]>(applyEdit, [...history.original]);
}

/** Adds an edit; an edit that changes nothing is not recorded (undo should always undo something). */
export function pushEdit(history: CodeHistory, edit: CodeEdit): CodeHistory {
  const before = currentCodes(history);
  const after = applyEdit(before, edit);
  if (after.every((code, position) => code === before[position])) {
    return history;
  }
  return { original: history.original, done: [...history.done, edit], undone: [] };
}

export function canUndo(history: CodeHistory): boolean {
  return history.done.length > 0;
}

export function canRedo(history: CodeHistory): boolean {
  return history.undone.length > 0;
}

export function undo(history: CodeHistory): CodeHistory {
  if (!canUndo(history)) {
    return history;
  }
  const last = history.done[history.done.length - 1];
  return { original: history.original, done: history.done.slice(0, -1), undone: [...history.undone, last] };
}

export function redo(history: CodeHistory): CodeHistory {
  if (!canRedo(history)) {
    return history;
  }
  const next = history.undone[history.undone.length - 1];
  return { original: history.original, done: [...history.done, next], undone: history.undone.slice(0, -1) };
}

/**
 * A history read back from a saved notebook, for these codes: kept only when it starts from the same
 * codes and every edit is valid for them (a notebook written elsewhere may hold anything), else none.
 */
export function restoreHistory(saved: unknown, codes: readonly number[], codebookSize: number): CodeHistory | null {
  const history = saved as Partial<CodeHistory> | null | undefined;
  if (
    !history ||
    !Array.isArray(history.original) ||
    !Array.isArray(history.done) ||
    !Array.isArray(history.undone) ||
    history.original.length !== codes.length ||
    history.original.some((code, position) => code !== codes[position])
  ) {
    return null;
  }
  try {
    [...history.done, ...history.undone].forEach((edit) => checkEdit(edit, codes.length, codebookSize));
  } catch {
    return null;
  }
  return { original: [...codes], done: [...history.done], undone: [...history.undone] };
}

/** Positions whose code differs from the original. */
export function changedPositions(history: CodeHistory): Set<number> {
  const codes = currentCodes(history);
  return new Set(codes.flatMap((code, position) => (code === history.original[position] ? [] : [position])));
}

/** A one-line description of an edit, 1-based positions as the UI shows them. */
export function describeEdit(edit: CodeEdit): string {
  switch (edit.kind) {
    case 'set': {
      const how = { alternative: 'picked alternative', typed: 'typed', random: 'random' }[edit.via];
      return `position ${edit.position + 1} → ${edit.code} (${how})`;
    }
    case 'truncate':
      return `kept the first ${edit.keep} codes, rest repeat code ${edit.keep}`;
    case 'splice': {
      const first = edit.positions[0] + 1;
      const last = edit.positions[edit.positions.length - 1] + 1;
      const span = first === last ? `position ${first}` : `positions ${first}–${last}`;
      return `${span} from ${edit.from}`;
    }
  }
}
