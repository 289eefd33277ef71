import { expect } from '@esm-bundle/chai';
import { fixture, html } from '@open-wc/testing-helpers';
import { setViewport } from '@web/test-runner-commands';
import { listen } from '../../events';
import { recordEvents } from '../../testing/events';
import { sampleCode, sampleResult } from '../../testing/samples';
import { drag, hover, press, resetUser, type } from '../../testing/user';
import './token-inspector';
import type { TokenInspectorElement } from './token-inspector';

/** An inspector on the sample encoding whose host applies its edits, as <seed-output> does. */
async function inspector(editable: boolean, label = 'cat.png', start = 42, sha = 'a'.repeat(64)) {
  const result = sampleResult(label, start, sha);
  const element = await fixture<TokenInspectorElement>(
    html`<seed-token-inspector
      .codes=${result.codes}
      .originalCodes=${result.codes}
      .topK=${result.topK}
      .source=${result.source}
      .model=${result.model}
      .label=${label}
      ?editable=${editable}
    ></seed-token-inspector>`
  );
  listen(element, 'seed-token-edit', ({ edit }) => {
    const codes = [...element.codes];
    if (edit.kind === 'set') {
      codes[edit.position] = edit.code;
    } else if (edit.kind === 'splice') {
      edit.positions.forEach((position, index) => (codes[position] = edit.codes[index]));
    }
    element.codes = codes;
  });
  return element;
}

const tokens = (element: TokenInspectorElement) => [...element.shadowRoot!.querySelectorAll('[role=option]')];
const detail = (element: TokenInspectorElement) => element.shadowRoot!.querySelector('[part=detail]')!;
const focusedId = (element: TokenInspectorElement) => element.shadowRoot!.activeElement?.id ?? '';

describe('<seed-token-inspector>', () => {
  afterEach(resetUser);

  it('shows the source image and 32 codes in causal order with their labels', async () => {
    const element = await inspector(false);
    expect(element.shadowRoot!.querySelector('img')!.alt).to.equal('Source image cat.png');
    const strip = element.shadowRoot!.querySelector('[role=listbox]')!;
    expect(element.shadowRoot!.getElementById(strip.getAttribute('aria-labelledby')!)!.textContent).to.equal(
      '32 codes, causal order'
    );
    const all = tokens(element);
    expect(all).to.have.length(32);
    expect(all[0].getAttribute('aria-label')).to.equal(`Position 1 of 32, code ${sampleCode(42, 0)}, distance 0.0500`);
    expect(all[31].getAttribute('aria-label')).to.match(new RegExp(`^Position 32 of 32, code ${sampleCode(42, 31)},`));
  });

  it('shows a hovered code with its token, distance and alternatives and reports the position', async () => {
    const element = await inspector(false);
    const selected = recordEvents(element, 'seed-token-select');
    await hover(tokens(element)[5]);
    await element.updateComplete;
    const text = detail(element).textContent!;
    expect(text).to.contain('Position 6');
    expect(text).to.contain(`code ${sampleCode(42, 5)}`);
    expect(text).to.contain(`<img_${String(sampleCode(42, 5)).padStart(5, '0')}>`);
    expect(text).to.contain('distance 0.0550');
    expect(detail(element).querySelectorAll('.alternatives li')).to.have.length(5);
    expect(selected.details).to.deep.include({ position: 5 });
    // Read-only: nothing to press.
    expect(detail(element).querySelectorAll('button')).to.have.length(0);
  });

  it('is walked with the keyboard alone: arrows, rows, ends, alternatives, R and typed codes', async () => {
    const element = await inspector(true);
    const selected = recordEvents(element, 'seed-token-select');
    await press('Tab');
    expect(focusedId(element)).to.equal('token-0');
    for (const [key, expected] of [
      ['ArrowRight', 'token-1'],
      ['ArrowRight', 'token-2'],
      ['ArrowDown', 'token-10'],
      ['End', 'token-31'],
      ['ArrowRight', 'token-31'],
      ['Home', 'token-0'],
      ['ArrowLeft', 'token-0'],
      ['ArrowRight', 'token-1']
    ]) {
      await press(key);
      await element.updateComplete;
      expect(focusedId(element), `after ${key}`).to.equal(expected);
    }
    expect(selected.details.map((detail) => detail.position)).to.deep.equal([1, 2, 10, 31, 0, 1]);

    // Enter goes into the alternatives; Tab reaches the second one, Enter picks it.
    const edits = recordEvents(element, 'seed-token-edit');
    await press('Enter');
    await press('Tab');
    const focused = element.shadowRoot!.activeElement as HTMLButtonElement;
    expect(focused.getAttribute('aria-label')).to.match(/^Use code \d+ .* at position 2$/);
    const picked = Number(focused.getAttribute('aria-label')!.match(/Use code (\d+)/)![1]);
    await press('Enter');
    expect(edits.details).to.deep.equal([{ edit: { kind: 'set', position: 1, code: picked, via: 'alternative' } }]);
    await element.updateComplete;
    expect(tokens(element)[1].getAttribute('aria-label')).to.match(/edited \(was \d+\)$/);

    // Escape comes back to the strip; R randomises the selected position.
    await press('Escape');
    await element.updateComplete;
    expect(focusedId(element)).to.equal('token-1');
    await press('r');
    const random = edits.details[1].edit;
    expect(random).to.include({ kind: 'set', position: 1, via: 'random' });
    expect(random.kind === 'set' && random.code >= 0 && random.code < 8192).to.equal(true);

    // A code typed as a number, then as an LLM token; a code outside the codebook is refused with a message.
    const input = element.shadowRoot!.querySelector<HTMLInputElement>('input[name=code]')!;
    expect(input.closest('label')!.textContent).to.contain('Code for position 2');
    input.focus();
    for (const typed of ['123', '<img_00077>', '9999']) {
      await type(typed);
      await press('Enter');
    }
    expect(edits.details.slice(2)).to.deep.equal([
      { edit: { kind: 'set', position: 1, code: 123, via: 'typed' } },
      { edit: { kind: 'set', position: 1, code: 77, via: 'typed' } }
    ]);
    await element.updateComplete;
    expect(element.shadowRoot!.querySelector('[role=alert]')!.textContent).to.equal(
      'Code 9999 is outside the codebook: enter a whole number from 0 to 8191.'
    );
  });

  it('ignores R and offers no edits when read-only', async () => {
    const element = await inspector(false);
    const edits = recordEvents(element, 'seed-token-edit');
    await press('Tab');
    await press('r');
    expect(edits.details).to.deep.equal([]);
  });

  it('splices a token or a whole strip dragged in from another strip', async () => {
    await setViewport({ width: 1000, height: 1200 });
    const cat = await inspector(true, 'cat.png', 42);
    const dog = await inspector(true, 'dog.png', 1000);
    const edits = recordEvents(cat, 'seed-token-edit');
    await drag(tokens(dog)[3], tokens(cat)[7]);
    await drag(dog.shadowRoot!.querySelector('.grip')!, tokens(cat)[28]);
    expect(edits.details).to.deep.equal([
      { edit: { kind: 'splice', from: 'dog.png', positions: [7], codes: [sampleCode(1000, 3)] } },
      {
        edit: {
          kind: 'splice',
          from: 'dog.png',
          positions: [28, 29, 30, 31],
          codes: [28, 29, 30, 31].map((position) => sampleCode(1000, position))
        }
      }
    ]);
    await cat.updateComplete;
    expect(tokens(cat)[7].getAttribute('aria-label')).to.contain(`code ${sampleCode(1000, 3)},`);
  });

  it('refuses codes of another model with a message', async () => {
    await setViewport({ width: 1000, height: 1200 });
    const cat = await inspector(true, 'cat.png', 42);
    const other = await inspector(true, 'other.png', 7, 'b'.repeat(64));
    const edits = recordEvents(cat, 'seed-token-edit');
    await drag(tokens(other)[0], tokens(cat)[0]);
    await cat.updateComplete;
    expect(cat.shadowRoot!.querySelector('[role=alert]')!.textContent).to.contain('come from another model');
    expect(edits.details).to.deep.equal([]);
  });
});
