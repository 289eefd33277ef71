import { expect } from '@esm-bundle/chai';
import {
  decodedFromMetadata,
  imageFromBuffer,
  historyFromMetadata,
  kernelInfoFromWire,
  outputStateToMetadata,
  resultFromPayload
} from './payload-adapter';

const SHA = 'a'.repeat(64);

const PAYLOAD = {
  version: 1,
  kind: 'recon',
  label: 'cat.png',
  model: { id: 'seed-nano', sha256: SHA, codebookSize: 8192 },
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

  it('labels an output by its model when it has no label, and takes an older payload without a family as SEED v1', () => {
    const view = resultFromPayload({ ...PAYLOAD, label: undefined });
    expect(view.label).to.equal('seed-nano');
    expect(view.model.family).to.equal('seed-v1');
  });

  it("keeps the model's sampler defaults and ignores malformed ones", () => {
    const payload = {
      version: 1,
      kind: 'encoding',
      model: {
        id: 'seed-nano',
        sha256: SHA,
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

  it('keeps decoded images and the edit history in output metadata and reads back only well-formed images', () => {
    const item = {
      image: { src: 'data:image/png;base64,CCCC', width: 64, height: 64 },
      lineage: {
        from: 'cat.png',
        fromCodes: [1, 2],
        edits: [],
        codes: [1, 2],
        model: { id: 'seed-nano', sha256: SHA, family: 'seed-v1' as const, codebookSize: 8192 }
      }
    };
    const history = { original: [1, 2], done: [{ kind: 'truncate' as const, keep: 1 }], undone: [] };
    const metadata = JSON.parse(JSON.stringify(outputStateToMetadata({ decoded: [item], history })));
    expect(decodedFromMetadata(metadata)).to.deep.equal([item]);
    expect(historyFromMetadata(metadata)).to.deep.equal(history);
    expect(
      historyFromMetadata(JSON.parse(JSON.stringify(outputStateToMetadata({ decoded: [], history: null }))))
    ).to.equal(null);
    const foreign = { decoded: [item, { image: { src: 'https://example.org/x.png' }, lineage: item.lineage }, 7] };
    expect(decodedFromMetadata(foreign)).to.deep.equal([item]);
    expect(decodedFromMetadata(undefined)).to.deep.equal([]);
  });

  it('reads the kernel info the panel shows; a kernel that sent no model list has none', () => {
    const view = kernelInfoFromWire({
      type: 'info',
      id: '1',
      model: { id: 'seed-nano', sha256: SHA, dir: '/m/seed-nano', family: 'seed-v1' },
      executionProvider: { name: 'cpu', reason: 'no CUDA device was found' },
      memory: { rssBytes: 1, heapUsedBytes: 2 }
      // An older kernel's info has no `models`, which the wire type now requires.
    } as unknown as Parameters<typeof kernelInfoFromWire>[0]);
    expect(view.model).to.deep.equal({
      id: 'seed-nano',
      sha256: SHA,
      dir: '/m/seed-nano',
      family: 'seed-v1',
      description: ''
    });
    expect(view.models).to.deep.equal([]);
    expect([view.threads, view.loading]).to.deep.equal([null, null]);
    expect(view.executionProvider?.name).to.equal('cpu');
  });

  it('turns an image sent as a binary buffer into a data: URL, and names a buffer the kernel did not send', () => {
    const png = new Uint8Array([137, 80, 78, 71, 13, 10, 26, 10]);
    const image = imageFromBuffer({ buffer: 1, width: 8, height: 4 }, [new ArrayBuffer(0), png]);
    expect(image).to.deep.equal({
      src: `data:image/png;base64,${btoa(String.fromCharCode(...png))}`,
      width: 8,
      height: 4
    });
    const view = imageFromBuffer({ buffer: 0, width: 8, height: 4 }, [new DataView(png.buffer, 4, 4)]);
    expect(view.src).to.equal(`data:image/png;base64,${btoa(String.fromCharCode(...png.subarray(4)))}`);
    expect(() => imageFromBuffer({ buffer: 2, width: 1, height: 1 }, [png])).to.throw(
      "The kernel's reply names image buffer 2, which it did not send"
    );
  });
});
