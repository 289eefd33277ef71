import { expect } from '@esm-bundle/chai';
import { spliceFromDrop } from './code-drag';

const CODES = Array.from({ length: 32 }, (_, position) => position * 10);
const STRIP = { from: 'dog', modelSha256: 'x', positions: CODES.map((_, position) => position), codes: CODES };

describe('code drag', () => {
  it('puts one dropped code on the drop position', () => {
    expect(spliceFromDrop({ ...STRIP, positions: [9], codes: [90] }, 2, 32)).to.deep.equal({
      kind: 'splice',
      from: 'dog',
      positions: [2],
      codes: [90]
    });
  });

  it('replaces the drop position and every one after it with a dropped strip', () => {
    expect(spliceFromDrop(STRIP, 30, 32)).to.deep.equal({
      kind: 'splice',
      from: 'dog',
      positions: [30, 31],
      codes: [300, 310]
    });
    expect(spliceFromDrop(STRIP, 0, 32)).to.deep.equal({
      kind: 'splice',
      from: 'dog',
      positions: STRIP.positions,
      codes: CODES
    });
  });

  it('leaves out dragged positions past the end of a shorter strip', () => {
    expect(spliceFromDrop(STRIP, 14, 16)).to.deep.equal({
      kind: 'splice',
      from: 'dog',
      positions: [14, 15],
      codes: [140, 150]
    });
  });
});
