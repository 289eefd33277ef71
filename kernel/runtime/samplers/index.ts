/** The samplers by name. */
import type { SamplerName } from '../../protocol/vocabulary';
import { DdimSampler } from './ddim';
import { DpmppTwoMSampler } from './dpmpp-2m';
import { EulerSampler } from './euler';
import { PlmsSampler } from './plms';
import type { Sampler, SamplerSettings } from './sampler';

export type { EpsilonModel, Sampler, SamplerSettings, SamplerStep } from './sampler';
export { stepCountNote } from './sampler';

export function createSampler(name: SamplerName, settings: SamplerSettings): Sampler {
  switch (name) {
    case 'plms':
      return new PlmsSampler(settings);
    case 'ddim':
      return new DdimSampler(settings);
    case 'euler':
      return new EulerSampler(settings);
    case 'dpmpp':
      return new DpmppTwoMSampler(settings);
  }
}
