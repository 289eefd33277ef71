import { expect } from '@esm-bundle/chai';
import { lineageToJson } from './lineage';

const LINEAGE = {
  from: 'cat.png',
  fromCodes: [1, 2],
  edits: [{ kind: 'set' as const, position: 0, code: 3, via: 'typed' as const }],
  codes: [3, 2],
  model: { id: 'seed-nano', sha256: 'abc', family: 'seed-v1' as const, codebookSize: 8192 }
};

describe('lineage', () => {
  it('carries the model, the edits, the codes, their tokens and the settings', () => {
    const json = JSON.parse(
      lineageToJson({ ...LINEAGE, params: { sampler: 'plms', steps: 50, guidance: 7.5, seed: 42 } })
    );
    expect(json).to.deep.equal({
      model: { id: 'seed-nano', sha256: 'abc' },
      from: 'cat.png',
      fromCodes: [1, 2],
      edits: [{ kind: 'set', position: 0, code: 3, via: 'typed' }],
      codes: [3, 2],
      tokens: '<img><img_00003><img_00002></img>',
      params: { sampler: 'plms', steps: 50, guidance: 7.5, seed: 42 }
    });
  });

  it('has no settings when the codes were not decoded', () => {
    expect(JSON.parse(lineageToJson(LINEAGE))).not.to.have.property('params');
  });
});
