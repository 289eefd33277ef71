import { expect } from '@esm-bundle/chai';
import { fixture, html } from '@open-wc/testing-helpers';
import { DEFAULT_SETTINGS } from '../tokens';
import { recordEvents } from '../testing/events';
import { sampleImage } from '../testing/samples';
import { click, press, resetUser } from '../testing/user';
import type { PanelKernelInfo } from './kernel-state';
import './seed-panel';
import type { SeedPanelElement } from './seed-panel';

const LOADED: PanelKernelInfo = {
  kind: 'loaded',
  info: {
    model: { id: 'seed-nano', sha256: 'a'.repeat(64), dir: '/m/seed-nano', family: 'seed-v1', description: '' },
    models: [
      { name: 'seed-nano', dir: '/m/seed-nano' },
      { name: 'seed-v1', dir: '/m/seed-v1' }
    ],
    executionProvider: { name: 'cpu', reason: 'no CUDA device was found' },
    threads: null,
    loading: null,
    memory: { rssBytes: 512 * 2 ** 20, heapUsedBytes: 64 * 2 ** 20 }
  }
};

const panel = () => fixture<SeedPanelElement>(html`<seed-panel></seed-panel>`);
const text = (element: Element | ShadowRoot) => element.textContent!.replace(/\s+/g, ' ').trim();
const button = (element: SeedPanelElement, name: string) =>
  [...element.shadowRoot!.querySelectorAll('button')].find((candidate) => text(candidate) === name)!;

describe('<seed-panel>', () => {
  afterEach(resetUser);

  it('shows the model family, the threads and why, and the background loading of a model', async () => {
    const element = await panel();
    element.kernel = { kind: 'seed', status: 'idle' };
    if (LOADED.kind !== 'loaded') {
      throw new Error('LOADED is a loaded state');
    }
    element.info = {
      ...LOADED,
      info: {
        ...LOADED.info,
        model: { ...LOADED.info.model!, family: 'seed-v2' },
        threads: { count: 2, reason: 'the 2 CPUs this process may use' },
        loading: { state: 'loading', done: 1, total: 2, part: 'tokenizer.encoder.path' }
      }
    };
    await element.updateComplete;
    const root = element.shadowRoot!;
    expect(text(root.querySelector('.family')!)).to.equal('SEED-2 (SEED-LLaMA)');
    expect(text(root.querySelector('.threads')!)).to.equal('2 per session (the 2 CPUs this process may use)');
    expect(text(root.querySelector('.loading')!)).to.equal(
      'loading model: 1 of 2 parts ready (building tokenizer.encoder.path)'
    );
    element.info = { ...LOADED, info: { ...LOADED.info, loading: { state: 'ready', done: 2, total: 2, part: null } } };
    await element.updateComplete;
    expect(root.querySelector('.loading')).to.equal(null);
    expect(text(root.querySelector('.family')!)).to.equal('SEED v1');
  });

  it('offers a new SEED notebook when the active notebook is not on the SEED kernel', async () => {
    const element = await panel();
    expect(text(element.shadowRoot!)).to.contain('No notebook is open.');
    const requests = recordEvents(element, 'seed-new-notebook');
    await click(button(element, 'New SEED notebook'));
    expect(requests.details).to.have.length(1);
    element.kernel = { kind: 'other-kernel', displayName: 'Python 3' };
    await element.updateComplete;
    expect(text(element.shadowRoot!)).to.contain('The active notebook runs Python 3, not the SEED kernel.');
    element.kernel = { kind: 'no-kernel' };
    await element.updateComplete;
    expect(text(element.shadowRoot!)).to.contain('The active notebook has no kernel');
  });

  it('shows the model, the execution provider with its reason and the memory; switches models and refreshes', async () => {
    const element = await panel();
    element.kernel = { kind: 'seed', status: 'idle' };
    element.info = LOADED;
    await element.updateComplete;
    const root = element.shadowRoot!;
    expect(text(root.querySelector('.status')!)).to.equal('idle');
    expect(text(root.querySelector('.model-id')!)).to.equal('seed-nano');
    expect(text(root.querySelector('.provider')!)).to.equal('CPU — no CUDA device was found');
    expect(text(root)).to.contain('512 MiB resident, 64 MiB JS heap');

    // A long reason keeps the sidebar short: its first clause shows, the rest folds away.
    const long = 'CUDA is not available: the npm build does not bundle it. To use a GPU, install the CUDA binaries.';
    if (LOADED.kind === 'loaded') {
      element.info = { ...LOADED, info: { ...LOADED.info, executionProvider: { name: 'cpu', reason: long } } };
    }
    await element.updateComplete;
    const details = root.querySelector<HTMLDetailsElement>('.provider details')!;
    expect(text(root.querySelector('.provider')!)).to.match(/^CPU — CUDA is not available/);
    expect(details.open).to.equal(false);
    expect(text(details)).to.contain('To use a GPU, install the CUDA binaries.');

    const changes = recordEvents(element, 'seed-model-change');
    const refreshes = recordEvents(element, 'seed-refresh');
    const switcher = root.querySelector<HTMLSelectElement>('select')!;
    expect(switcher.getAttribute('aria-label')).to.equal("Switch the kernel's model");
    switcher.focus();
    await press('ArrowDown');
    await click(button(element, 'Refresh'));
    expect(changes.details).to.deep.equal([{ model: 'seed-v1' }]);
    expect(refreshes.details).to.have.length(1);

    element.info = { kind: 'failed', message: 'The kernel has no model folder.' };
    await element.updateComplete;
    expect(text(root.querySelector('[role=alert]')!)).to.equal('The kernel has no model folder.');
  });

  it('lists the encodings with thumbnails and reports the one picked', async () => {
    const element = await panel();
    element.gallery = [
      { id: 'out-1', label: 'cat.png', kind: 'encoding', thumbnail: sampleImage(10).src },
      { id: 'out-2', label: 'dog.png', kind: 'recon', thumbnail: null }
    ];
    await element.updateComplete;
    expect(element.shadowRoot!.querySelectorAll('[part=gallery] img')).to.have.length(1);
    const picks = recordEvents(element, 'seed-gallery-select');
    await click(element.shadowRoot!.querySelector('[aria-label="Show the output of dog.png"]')!);
    expect(picks.details).to.deep.equal([{ id: 'out-2' }]);
  });

  it('reports each image file dropped from the desktop', async () => {
    const element = await panel();
    const zone = element.shadowRoot!.querySelector('[part=drop-zone]')!;
    const drops = recordEvents(element, 'seed-image-drop');
    // A drag from outside the browser cannot be made with the mouse; the browser's own DataTransfer carries the files.
    const transfer = new DataTransfer();
    const file = new File([new Uint8Array([137, 80, 78, 71])], 'cat.png', { type: 'image/png' });
    transfer.items.add(file);
    zone.dispatchEvent(new DragEvent('dragenter', { dataTransfer: transfer, bubbles: true, cancelable: true }));
    await element.updateComplete;
    expect(zone.classList.contains('active')).to.equal(true);
    zone.dispatchEvent(new DragEvent('drop', { dataTransfer: transfer, bubbles: true, cancelable: true }));
    await element.updateComplete;
    expect(zone.classList.contains('active')).to.equal(false);
    expect(drops.details).to.have.length(1);
    const { image } = drops.details[0];
    expect(image.kind === 'file' && image.file.name === 'cat.png' && image.file.size === 4).to.equal(true);
  });

  it('shows the sampler defaults a decode starts from: the settings, else the loaded model', async () => {
    const element = await panel();
    const defaults = () => text(element.shadowRoot!.querySelector('dl.defaults')!);
    // Before a model has loaded, what is left to the model says so instead of showing another family's values.
    const pending = "the model's own, once it loads";
    expect(defaults()).to.equal(
      `Sampler ${pending} Steps ${pending} Guidance ${pending} Seed 42 Preview every 5 step(s) Top-k 5`
    );
    element.settings = { ...DEFAULT_SETTINGS, steps: 12 };
    await element.updateComplete;
    expect(defaults()).to.contain('Steps 12');
    element.settings = DEFAULT_SETTINGS;
    element.kernel = { kind: 'seed', status: 'idle' };
    if (LOADED.kind === 'loaded') {
      const defaults = { sampler: 'plms' as const, steps: 25, guidance: 2, seed: 7 };
      element.info = { ...LOADED, info: { ...LOADED.info, model: { ...LOADED.info.model!, defaults } } };
    }
    await element.updateComplete;
    expect(defaults()).to.equal('Sampler PLMS Steps 25 Guidance 2 Seed 42 Preview every 5 step(s) Top-k 5');
    element.settings = { ...DEFAULT_SETTINGS, sampler: 'dpmpp', steps: 20, seedPolicy: 'random', previewEvery: 0 };
    await element.updateComplete;
    expect(defaults()).to.equal(
      'Sampler DPM-Solver++(2M) Steps 20 Guidance 2 Seed random per decode Preview off Top-k 5'
    );
  });
});
