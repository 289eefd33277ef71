import { expect } from '@esm-bundle/chai';
import { resultFromPayload } from './payload-adapter';
import { SAMPLER_NAMES, SamplerName } from './seed-result';

describe('seed result', () => {
  it('has a display name for every sampler, and a payload may name exactly these', () => {
    const payload = { version: 1, kind: 'encoding', model: { id: 'm', sha256: 'abc' }, codes: [1] };
    for (const sampler of Object.keys(SAMPLER_NAMES) as SamplerName[]) {
      expect(SAMPLER_NAMES[sampler]).to.be.a('string').with.length.above(0);
      const params = { sampler, steps: 10, guidance: 2, seed: 1 };
      expect(resultFromPayload({ ...payload, params }).params).to.deep.equal(params);
    }
    expect(Object.keys(SAMPLER_NAMES)).to.have.members(['plms', 'ddim', 'euler', 'dpmpp']);
  });
});
