import { expect } from '@esm-bundle/chai';
import {
  applyEdit,
  canRedo,
  canUndo,
  changedPositions,
  checkEdit,
  currentCodes,
  describeEdit,
  pushEdit,
  redo,
  startHistory,
  undo
} from './code-history';

const ORIGINAL = Array.from({ length: 32 }, (_, position) => position * 10);

describe('code history', () => {
  it('pushes, undoes and redoes edits; a new edit clears redo; a no-op edit is not recorded', () => {
    let history = startHistory(ORIGINAL);
    expect(canUndo(history)).to.equal(false);
    history = pushEdit(history, { kind: 'set', position: 3, code: 7, via: 'typed' });
    history = pushEdit(history, { kind: 'splice', from: 'dog', positions: [4, 5], codes: [1, 2] });
    expect(currentCodes(history).slice(0, 7)).to.deep.equal([0, 10, 20, 7, 1, 2, 60]);
    expect([...changedPositions(history)]).to.deep.equal([3, 4, 5]);
    history = undo(history);
    expect(currentCodes(history).slice(3, 6)).to.deep.equal([7, 40, 50]);
    expect(canRedo(history)).to.equal(true);
    history = redo(history);
    expect(currentCodes(history).slice(3, 6)).to.deep.equal([7, 1, 2]);
    history = undo(history);
    history = pushEdit(history, { kind: 'set', position: 0, code: 99, via: 'random' });
    expect(canRedo(history)).to.equal(false);
    const unchanged = pushEdit(history, { kind: 'set', position: 0, code: 99, via: 'typed' });
    expect(unchanged).to.equal(history);
    expect(currentCodes(startHistory(ORIGINAL))).to.deep.equal(ORIGINAL);
  });

  it('leaves the history as it is when there is nothing to undo or redo', () => {
    const history = startHistory(ORIGINAL);
    expect(undo(history)).to.equal(history);
    expect(redo(history)).to.equal(history);
  });

  it('never changes a history it was given (old values stay valid for lineage)', () => {
    const start = startHistory(ORIGINAL);
    const edited = pushEdit(start, { kind: 'set', position: 0, code: 1, via: 'typed' });
    undo(edited);
    expect(start.done).to.deep.equal([]);
    expect(edited.done).to.have.length(1);
    expect(currentCodes(start)).to.deep.equal(ORIGINAL);
  });

  it('truncate keeps the first k codes and repeats code k after them', () => {
    expect(applyEdit([5, 6, 7, 8, 9], { kind: 'truncate', keep: 2 })).to.deep.equal([5, 6, 6, 6, 6]);
    expect(applyEdit([5, 6, 7], { kind: 'truncate', keep: 3 })).to.deep.equal([5, 6, 7]);
  });

  it('refuses edits outside the sequence or the codebook and says what to do', () => {
    expect(() => checkEdit({ kind: 'set', position: 32, code: 1, via: 'typed' }, 32, 8192)).to.throw(
      'Position 33 does not exist: choose a position from 1 to 32.'
    );
    expect(() => checkEdit({ kind: 'set', position: 0, code: 8192, via: 'typed' }, 32, 8192)).to.throw(
      'Code 8192 is outside the codebook: enter a whole number from 0 to 8191.'
    );
    expect(() => checkEdit({ kind: 'truncate', keep: 0 }, 32, 8192)).to.throw('choose k from 1 to 32');
    expect(() => checkEdit({ kind: 'splice', from: 'x', positions: [1], codes: [] }, 32, 8192)).to.throw(
      'one code for each position'
    );
    expect(() => checkEdit({ kind: 'set', position: 31, code: 8191, via: 'typed' }, 32, 8192)).not.to.throw();
  });

  it('describes each edit with 1-based positions, as the output lists them', () => {
    expect(describeEdit({ kind: 'set', position: 0, code: 5, via: 'typed' })).to.equal('position 1 → 5 (typed)');
    expect(describeEdit({ kind: 'set', position: 2, code: 9, via: 'alternative' })).to.equal(
      'position 3 → 9 (picked alternative)'
    );
    expect(describeEdit({ kind: 'truncate', keep: 4 })).to.equal('kept the first 4 codes, rest repeat code 4');
    expect(
      describeEdit({ kind: 'splice', from: 'dog.png', positions: [28, 29, 30, 31], codes: [1, 2, 3, 4] })
    ).to.equal('positions 29–32 from dog.png');
    expect(describeEdit({ kind: 'splice', from: 'dog.png', positions: [7], codes: [1] })).to.equal(
      'position 8 from dog.png'
    );
  });
});
