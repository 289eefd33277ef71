import { expect } from '@esm-bundle/chai';
import { fixture, html } from '@open-wc/testing-helpers';
import type { LiveState } from '../../model/seed-result';
import { recordEvents } from '../../testing/events';
import { sampleCode, sampleImage, sampleResult } from '../../testing/samples';
import { click, press, resetUser, type } from '../../testing/user';
import './seed-output';
import type { SeedOutputElement } from './seed-output';

const DEFAULTS = { sampler: 'ddim' as const, steps: 25, guidance: 5, seed: 7 };

async function output(live: LiveState = { kind: 'ready' }): Promise<SeedOutputElement> {
  return fixture<SeedOutputElement>(
    html`<seed-output .result=${sampleResult('cat.png', 42)} .live=${live} .defaults=${DEFAULTS}></seed-output>`
  );
}

const inner = (element: SeedOutputElement) => element.shadowRoot!.querySelector('seed-token-inspector')!;
const tokens = (element: SeedOutputElement) => [
  ...inner(element).shadowRoot!.querySelectorAll<HTMLElement>('[role=option]')
];
const button = (element: SeedOutputElement, name: string) =>
  [...element.shadowRoot!.querySelectorAll('button')].find((candidate) => candidate.textContent!.trim() === name)!;
const field = (element: SeedOutputElement, name: string) =>
  element.shadowRoot!.querySelector<HTMLInputElement>(`input[name=${name}]`)!;

/** Replaces a field's value the way a user does: select it all, type, leave the field. */
async function fill(input: HTMLInputElement, value: string): Promise<void> {
  input.focus();
  input.select();
  await type(value);
  await press('Tab');
}

async function settled(element: SeedOutputElement): Promise<void> {
  await element.updateComplete;
  await inner(element).updateComplete;
}

describe('<seed-output>', () => {
  afterEach(resetUser);

  it('applies edits, undo, redo and truncation to the codes a Decode request carries', async () => {
    const element = await output();
    await click(tokens(element)[0]);
    await settled(element);
    const code = inner(element).shadowRoot!.querySelector<HTMLInputElement>('input[name=code]')!;
    code.focus();
    await type('5');
    await click(inner(element).shadowRoot!.querySelector('button[type=submit]')!);
    await settled(element);
    expect(tokens(element)[0].getAttribute('aria-label')).to.match(/code 5, .*edited/);
    expect(element.shadowRoot!.querySelector('[aria-label=Edits]')!.textContent).to.contain('position 1 → 5 (typed)');

    await click(button(element, 'Undo'));
    await settled(element);
    expect(tokens(element)[0].getAttribute('aria-label')).to.contain(`code ${sampleCode(42, 0)},`);
    await click(button(element, 'Redo'));
    await settled(element);
    expect(tokens(element)[0].getAttribute('aria-label')).to.match(/code 5, /);
    expect(button(element, 'Redo').disabled).to.equal(true);

    // The fill rule is stated next to the control.
    expect(element.shadowRoot!.getElementById('fill-rule')!.textContent).to.equal(
      'Positions after k repeat the code at position k (the last kept code).'
    );
    await fill(field(element, 'keep'), '4');
    await click(button(element, 'Truncate'));
    await settled(element);
    expect(tokens(element)[31].getAttribute('aria-label')).to.contain(`code ${sampleCode(42, 3)},`);

    const requests = recordEvents(element, 'seed-decode-request');
    await click(button(element, 'Decode'));
    const [request] = requests.details;
    const kept = [5, sampleCode(42, 1), sampleCode(42, 2), sampleCode(42, 3)];
    expect(request.codes).to.deep.equal([...kept, ...Array(28).fill(sampleCode(42, 3))]);
    expect(request.params).to.deep.equal(DEFAULTS);
    expect(request.lineage.from).to.equal('cat.png');
    expect(request.lineage.params).to.deep.equal(DEFAULTS);
    expect(request.lineage.edits).to.deep.equal([
      { kind: 'set', position: 0, code: 5, via: 'typed' },
      { kind: 'truncate', keep: 4 }
    ]);
  });

  it('re-emits the inspector edits it applied', async () => {
    const element = await output();
    const edits = recordEvents(element, 'seed-token-edit');
    await click(tokens(element)[2]);
    await press('r');
    expect(edits.details).to.have.length(1);
    expect(edits.details[0].edit).to.include({ kind: 'set', position: 2, via: 'random' });
  });

  it('undoes and redoes with Ctrl+Z and Ctrl+Shift+Z', async () => {
    const element = await output();
    tokens(element)[0].focus();
    await press('Enter');
    await press('Tab');
    await press('Enter');
    await settled(element);
    expect(tokens(element)[0].getAttribute('aria-label')).to.contain('edited');
    await press('Escape');
    await press('Control+z');
    await settled(element);
    expect(tokens(element)[0].getAttribute('aria-label')).to.contain(`code ${sampleCode(42, 0)}, distance`);
    await press('Control+Shift+z');
    await settled(element);
    expect(tokens(element)[0].getAttribute('aria-label')).to.contain('edited');
  });

  it('copies the codes as LLM token strings and the lineage as JSON', async () => {
    const element = await output();
    const copies = recordEvents(element, 'seed-copy');
    await click(button(element, 'Copy LLM tokens'));
    await click(button(element, 'Copy JSON'));
    const codes = Array.from({ length: 32 }, (_, position) => sampleCode(42, position));
    const [tokensCopy, jsonCopy] = copies.details;
    expect(tokensCopy).to.deep.equal({
      format: 'llm-tokens',
      text: `<img>${codes.map((code) => `<img_${String(code).padStart(5, '0')}>`).join('')}</img>`
    });
    expect(tokensCopy.text.startsWith('<img><img_00042><img_00299>')).to.equal(true);
    expect(jsonCopy.format).to.equal('json');
    const copied = JSON.parse(jsonCopy.text);
    expect(copied).to.deep.include({ from: 'cat.png', edits: [], codes });
    expect(copied.model.id).to.equal('seed-nano');
  });

  it('offers Decode only with a live SEED kernel, and says why not', async () => {
    const element = await output({ kind: 'offline', reason: 'the notebook runs Python 3.' });
    const status = () => element.shadowRoot!.querySelector('[role=status]')!.textContent;
    expect(button(element, 'Decode').disabled).to.equal(true);
    expect(status()).to.equal('Decoding needs a running SEED kernel: the notebook runs Python 3.');
    element.live = { kind: 'dead', reason: 'restart it.' };
    await element.updateComplete;
    expect(status()).to.equal('The kernel is dead: restart it.');
    element.live = { kind: 'ready' };
    await element.updateComplete;
    expect(button(element, 'Decode').disabled).to.equal(false);
  });

  it('refuses a setting out of range with a message and no request', async () => {
    const element = await output();
    const requests = recordEvents(element, 'seed-decode-request');
    await fill(field(element, 'steps'), '0');
    await click(button(element, 'Decode'));
    await element.updateComplete;
    expect(element.shadowRoot!.querySelector('[role=alert]')!.textContent).to.equal(
      'Steps must be a whole number from 1 to 500 (got 0).'
    );
    expect(requests.details).to.deep.equal([]);
  });

  it('sends the sampler and steps the user chose, and keeps them when the defaults change', async () => {
    const element = await output();
    const requests = recordEvents(element, 'seed-decode-request');
    const sampler = element.shadowRoot!.querySelector<HTMLSelectElement>('select[name=sampler]')!;
    sampler.focus();
    await press('ArrowDown');
    await fill(field(element, 'steps'), '12');
    element.defaults = { sampler: 'plms', steps: 50, guidance: 7.5, seed: 1 };
    await element.updateComplete;
    await click(button(element, 'Decode'));
    expect(requests.details[0].params).to.deep.equal({ sampler: 'euler', steps: 12, guidance: 7.5, seed: 1 });
  });

  it('draws a new seed for each decode under the random seed policy and records it', async () => {
    const element = await output();
    element.randomSeed = true;
    await element.updateComplete;
    const requests = recordEvents(element, 'seed-decode-request');
    await click(button(element, 'Decode'));
    await click(button(element, 'Decode'));
    const seeds = requests.details.map((request) => request.lineage.params!.seed);
    expect(seeds).to.have.length(2);
    expect(seeds[0]).not.to.equal(seeds[1]);
    expect(field(element, 'seed').disabled).to.equal(true);
  });

  it('shows the progress of its decode, blocks a second one, and lists decoded images with their lineage', async () => {
    const element = await output();
    element.decode = { kind: 'queued', ahead: 1 };
    await element.updateComplete;
    expect(button(element, 'Decode').disabled).to.equal(true);
    element.decode = { kind: 'running', step: 10, total: 25, preview: sampleImage(200) };
    await element.updateComplete;
    const progress = element.shadowRoot!.querySelector('seed-decode-progress')!;
    await progress.updateComplete;
    const cancels = recordEvents(element, 'seed-decode-cancel');
    await click(progress.shadowRoot!.querySelector('button.cancel')!);
    expect(cancels.details).to.have.length(1);

    const result = element.result!;
    element.decode = { kind: 'idle' };
    element.decoded = [
      {
        image: sampleImage(300),
        lineage: {
          from: 'cat.png',
          fromCodes: result.codes,
          edits: [{ kind: 'set', position: 2, code: 9, via: 'random' }],
          codes: result.codes,
          model: result.model,
          params: { sampler: 'plms', steps: 50, guidance: 7.5, seed: 42 }
        }
      }
    ];
    await element.updateComplete;
    const decoded = element.shadowRoot!.querySelector('[aria-label="Decoded images"]')!;
    expect(decoded.querySelector('img')!.alt).to.equal('Decoded image 1');
    expect(decoded.textContent).to.contain('Codes of cat.png with 1 edit');
    expect(decoded.textContent).to.contain('position 3 → 9 (random)');
    expect(decoded.textContent).to.contain('PLMS, 50 steps, guidance 7.5, seed 42');
    expect(progress.shadowRoot!.querySelector('[role=progressbar]')).to.equal(null);
    const copies = recordEvents(element, 'seed-copy');
    await click([...decoded.querySelectorAll('button')].find((b) => b.textContent!.trim() === 'Copy JSON')!);
    expect(JSON.parse(copies.details[0].text).edits).to.deep.equal([
      { kind: 'set', position: 2, code: 9, via: 'random' }
    ]);
  });
});
