import { expect } from '@esm-bundle/chai';
import { fixture, html } from '@open-wc/testing-helpers';
import { recordEvents } from '../../testing/events';
import { sampleImage } from '../../testing/samples';
import { click, resetUser } from '../../testing/user';
import './decode-progress';
import type { DecodeProgressElement } from './decode-progress';

const shown = (element: DecodeProgressElement) => element.shadowRoot!.textContent!.replace(/\s+/g, ' ').trim();

describe('<seed-decode-progress>', () => {
  afterEach(resetUser);

  it('shows nothing while idle', async () => {
    const element = await fixture<DecodeProgressElement>(html`<seed-decode-progress></seed-decode-progress>`);
    expect(shown(element)).to.equal('');
  });

  it('shows the step and the preview while running; Cancel asks to stop', async () => {
    const preview = sampleImage(200);
    const element = await fixture<DecodeProgressElement>(
      html`<seed-decode-progress .state=${{ kind: 'running', step: 10, total: 25, preview }}></seed-decode-progress>`
    );
    const bar = element.shadowRoot!.querySelector('[role=progressbar]')!;
    expect(bar.getAttribute('aria-valuenow')).to.equal('10');
    expect(bar.getAttribute('aria-valuemax')).to.equal('25');
    expect(bar.getAttribute('aria-valuetext')).to.equal('step 10 of 25');
    expect(bar.querySelector<HTMLElement>('.fill')!.style.width).to.equal('40%');
    const image = element.shadowRoot!.querySelector<HTMLImageElement>('[part=preview]')!;
    expect(image.alt).to.equal('Preview at step 10');
    expect(image.src).to.equal(preview.src);
    const cancels = recordEvents(element, 'seed-decode-cancel');
    await click(element.shadowRoot!.querySelector('button.cancel')!);
    expect(cancels.details).to.have.length(1);
  });

  it('says how many decodes a queued one waits for, and can cancel it', async () => {
    const element = await fixture<DecodeProgressElement>(
      html`<seed-decode-progress .state=${{ kind: 'queued', ahead: 1 }}></seed-decode-progress>`
    );
    expect(shown(element)).to.match(/^Queued: waits for the running decode to finish\. Cancel$/);
    element.state = { kind: 'queued', ahead: 3 };
    await element.updateComplete;
    expect(shown(element)).to.contain('waits for 3 decodes to finish');
    const cancels = recordEvents(element, 'seed-decode-cancel');
    await click(element.shadowRoot!.querySelector('button.cancel')!);
    expect(cancels.details).to.have.length(1);
  });

  it('says why a decode stopped', async () => {
    const element = await fixture<DecodeProgressElement>(html`<seed-decode-progress></seed-decode-progress>`);
    const states = [
      [{ kind: 'cancelling' }, 'status', 'Cancelling…'],
      [{ kind: 'cancelled' }, 'status', 'Decode cancelled.'],
      [
        { kind: 'failed', message: 'The kernel restarted, which stopped the decode.' },
        'alert',
        'The kernel restarted, which stopped the decode.'
      ]
    ] as const;
    for (const [state, role, text] of states) {
      element.state = state;
      await element.updateComplete;
      expect(element.shadowRoot!.querySelector(`[role=${role}]`)!.textContent).to.equal(text);
      expect(element.shadowRoot!.querySelector('button')).to.equal(null);
    }
  });
});
