import { expect } from '@esm-bundle/chai';
import { DEFAULT_SETTINGS } from '../tokens';
import { samplerDefaults } from './sampler-defaults';

const NANO = { sampler: 'plms' as const, steps: 25, guidance: 2, seed: 7 };

describe('sampler defaults', () => {
  it("start from the model's own defaults where the settings leave them to the model; the seed is the user's", () => {
    // The settings' defaults ('model', 0, 0) leave sampler, steps and guidance to the model.
    expect(samplerDefaults(DEFAULT_SETTINGS, NANO)).to.deep.equal({
      sampler: 'plms',
      steps: 25,
      guidance: 2,
      seed: 42
    });
  });

  it("are SEED v1's when the kernel sent no defaults", () => {
    expect(samplerDefaults(DEFAULT_SETTINGS)).to.deep.equal({ sampler: 'plms', steps: 50, guidance: 7.5, seed: 42 });
  });

  it("take what the user set; guidance below 1 means the model's", () => {
    const user = { ...DEFAULT_SETTINGS, sampler: 'ddim' as const, steps: 12, guidance: 0.5 };
    expect(samplerDefaults(user, NANO)).to.deep.equal({ sampler: 'ddim', steps: 12, guidance: 2, seed: 42 });
  });
});
