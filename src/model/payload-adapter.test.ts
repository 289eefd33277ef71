import { expect } from '@esm-bundle/chai';
import { decodedFromMetadata, decodedToMetadata, kernelInfoFromWire, resultFromPayload } from './payload-adapter';

const PAYLOAD = {
  version: 1,
  kind: 'recon',
  label: 'cat.png',
  model: { id: 'seed-nano', sha256: 'abc', codebookSize: 8192 },
  codes: [1, 2, 3],
  topK: [[{ code: 1, distance: 0.5 }]],
  source: { png: 'AAAA', width: 224, height: 224 },
  image: { png: 'BBBB', width: 64, height: 64 },
  params: { sampler: 'plms', steps: 50, guidance: 7.5, seed: 42 }
};

describe('payload adapter', () => {
  it('reads a payload into the view the components render', () => {
    const view = resultFromPayload(PAYLOAD);
    expect(view).to.include({ kind: 'recon', label: 'cat.png' });
    expect(view.codes).to.deep.equal([1, 2, 3]);
    expect(view.source).to.deep.equal({ src: 'data:image/png;base64,AAAA', width: 224, height: 224 });
    expect(view.image?.src).to.equal('data:image/png;base64,BBBB');
    expect(view.params).to.deep.equal({ sampler: 'plms', steps: 50, guidance: 7.5, seed: 42 });
  });

  it('names what is wrong with a bad payload and what to do', () => {
    expect(() => resultFromPayload({ ...PAYLOAD, version: 2 })).to.throw('its version is 2, not 1');
    expect(() => resultFromPayload({ ...PAYLOAD, codes: [1.5] })).to.throw('its codes are not a list of whole numbers');
    expect(() => resultFromPayload({ ...PAYLOAD, model: undefined })).to.throw('it names no model');
    expect(() => resultFromPayload({ ...PAYLOAD, kind: 'poem' })).to.throw('its kind "poem" is unknown');
    expect(() => resultFromPayload({ ...PAYLOAD, params: { ...PAYLOAD.params, sampler: 'magic' } })).to.throw(
      'its sampler "magic" is unknown'
    );
    expect(() => resultFromPayload(null)).to.throw('run the cell again to refresh it');
  });

  it('labels an output by its model and assumes SEED v1 codebook size when the payload leaves them out', () => {
    const view = resultFromPayload({ ...PAYLOAD, label: undefined, model: { id: 'seed-nano', sha256: 'abc' } });
    expect(view.label).to.equal('seed-nano');
    expect(view.model.codebookSize).to.equal(8192);
  });

  it("keeps the model's sampler defaults and ignores malformed ones", () => {
    const payload = {
      version: 1,
      kind: 'encoding',
      model: {
        id: 'seed-nano',
        sha256: 'abc',
        codebookSize: 1024,
        defaults: { sampler: 'plms', steps: 25, guidance: 2, seed: 42 }
      },
      codes: [1, 2, 3]
    };
    expect(resultFromPayload(payload).model.defaults).to.deep.equal({
      sampler: 'plms',
      steps: 25,
      guidance: 2,
      seed: 42
    });
    const malformed = { ...payload, model: { ...payload.model, defaults: { sampler: 'magic', steps: 25 } } };
    expect(resultFromPayload(malformed).model.defaults).to.equal(undefined);
  });

  it('keeps decoded images in output metadata and reads back only well-formed entries', () => {
    const item = {
      image: { src: 'data:image/png;base64,CCCC', width: 64, height: 64 },
      lineage: {
        from: 'cat.png',
        fromCodes: [1, 2],
        edits: [],
        codes: [1, 2],
        model: { id: 'seed-nano', sha256: 'abc', codebookSize: 8192 }
      }
    };
    const metadata = JSON.parse(JSON.stringify(decodedToMetadata([item])));
    expect(decodedFromMetadata(metadata)).to.deep.equal([item]);
    const foreign = { decoded: [item, { image: { src: 'https://example.org/x.png' }, lineage: item.lineage }, 7] };
    expect(decodedFromMetadata(foreign)).to.deep.equal([item]);
    expect(decodedFromMetadata(undefined)).to.deep.equal([]);
  });

  it('reads the kernel info the panel shows; a kernel that sent no model list has none', () => {
    const view = kernelInfoFromWire({
      type: 'info',
      id: '1',
      model: { id: 'seed-nano', sha256: 'abc', dir: '/m/seed-nano' },
      executionProvider: { name: 'cpu', reason: 'no CUDA device was found' },
      memory: { rssBytes: 1, heapUsedBytes: 2 }
      // An older kernel's info has no `models`, which the wire type now requires.
    } as unknown as Parameters<typeof kernelInfoFromWire>[0]);
    expect(view.model).to.deep.equal({ id: 'seed-nano', sha256: 'abc', dir: '/m/seed-nano', description: '' });
    expect(view.models).to.deep.equal([]);
    expect(view.executionProvider?.name).to.equal('cpu');
  });
});
