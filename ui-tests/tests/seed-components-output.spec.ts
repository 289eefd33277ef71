/**
 * <seed-output> and <seed-decode-progress>: editing with undo/redo and truncation, the decode form,
 * copying, and the progress states, as properties in and typed events out.
 */
import type { Page } from '@playwright/test';
import { expect, test } from '../seed-components/fixture';

const code = (start: number, position: number) => (start + 257 * position) % 8192;

async function mountOutput(page: Page, live: object = { kind: 'ready' }): Promise<void> {
  await page.evaluate((live) => {
    const output = document.createElement('seed-output');
    output.result = window.seedTest.sampleResult('cat.png', 42);
    output.live = live as never;
    output.defaults = { sampler: 'ddim', steps: 25, guidance: 5, seed: 7 };
    document.body.appendChild(output);
  }, live);
}

test('edits, undo, redo and truncation change the codes the Decode request carries', async ({ components }) => {
  const { page } = components;
  await mountOutput(page);
  const output = page.locator('seed-output');
  const tokens = output.getByRole('listbox').getByRole('option');

  await tokens.nth(0).click();
  await output.getByRole('textbox', { name: 'Code for position 1' }).fill('5');
  await output.getByRole('button', { name: 'Set', exact: true }).click();
  await expect(tokens.nth(0)).toHaveAttribute('aria-label', /code 5, .*edited/);
  await expect(output.getByRole('list', { name: 'Edits' })).toContainText('position 1 → 5 (typed)');

  await output.getByRole('button', { name: 'Undo' }).click();
  await expect(tokens.nth(0)).toHaveAttribute('aria-label', new RegExp(`code ${code(42, 0)},`));
  await output.getByRole('button', { name: 'Redo' }).click();
  await expect(tokens.nth(0)).toHaveAttribute('aria-label', /code 5, /);
  await expect(output.getByRole('button', { name: 'Redo' })).toBeDisabled();

  // The fill rule is stated next to the control.
  await expect(output.getByText('Positions after k repeat the code at position k (the last kept code).')).toBeVisible();
  await output.getByRole('spinbutton', { name: 'Keep first' }).fill('4');
  await output.getByRole('spinbutton', { name: 'Keep first' }).press('Tab');
  await output.getByRole('button', { name: 'Truncate' }).click();
  await expect(tokens.nth(31)).toHaveAttribute('aria-label', new RegExp(`code ${code(42, 3)},`));

  await components.clearEvents();
  await output.getByRole('button', { name: 'Decode' }).click();
  const [request] = await components.events();
  expect(request.type).toBe('seed-decode-request');
  const detail = request.detail as { codes: number[]; params: object; lineage: { edits: object[]; from: string } };
  const expected = [5, code(42, 1), code(42, 2), code(42, 3)];
  expect(detail.codes).toEqual([...expected, ...Array(28).fill(code(42, 3))]);
  expect(detail.params).toEqual({ sampler: 'ddim', steps: 25, guidance: 5, seed: 7 });
  expect(detail.lineage.from).toBe('cat.png');
  expect(detail.lineage.edits).toEqual([
    { kind: 'set', position: 0, code: 5, via: 'typed' },
    { kind: 'truncate', keep: 4 }
  ]);
});

test('Ctrl+Z and Ctrl+Shift+Z undo and redo an edit from the keyboard', async ({ components }) => {
  const { page } = components;
  await mountOutput(page);
  const output = page.locator('seed-output');
  const first = output.getByRole('listbox').getByRole('option').nth(0);
  await first.focus();
  await page.keyboard.press('Enter');
  await page.keyboard.press('Tab');
  await page.keyboard.press('Enter');
  await expect(first).toHaveAttribute('aria-label', /edited/);
  await page.keyboard.press('Escape');
  await page.keyboard.press('Control+z');
  await expect(first).toHaveAttribute('aria-label', new RegExp(`code ${code(42, 0)}, distance`));
  await page.keyboard.press('Control+Shift+z');
  await expect(first).toHaveAttribute('aria-label', /edited/);
});

test('copies the codes as LLM token strings and the lineage as JSON', async ({ components }) => {
  const { page } = components;
  await mountOutput(page);
  const output = page.locator('seed-output');
  await output.getByRole('button', { name: 'Copy LLM tokens' }).click();
  await output.getByRole('button', { name: 'Copy JSON' }).click();
  const [tokens, json] = await components.events();
  const codes = Array.from({ length: 32 }, (_, position) => code(42, position));
  expect(tokens).toEqual({
    type: 'seed-copy',
    detail: {
      format: 'llm-tokens',
      text: `<img>${codes.map((c) => `<img_${String(c).padStart(5, '0')}>`).join('')}</img>`
    }
  });
  expect((tokens.detail as { text: string }).text.startsWith('<img><img_00042><img_00299>')).toBe(true);
  const copied = JSON.parse((json.detail as { text: string }).text);
  expect(copied).toMatchObject({ model: { id: 'seed-nano' }, from: 'cat.png', edits: [], codes });
});

test('Decode is unavailable without a live SEED kernel, and says why', async ({ components }) => {
  const { page } = components;
  await mountOutput(page, { kind: 'offline', reason: 'the notebook runs Python 3.' });
  const output = page.locator('seed-output');
  await expect(output.getByRole('button', { name: 'Decode' })).toBeDisabled();
  await expect(output.getByRole('status')).toHaveText(
    'Decoding needs a running SEED kernel: the notebook runs Python 3.'
  );
  await page.evaluate(() => (document.querySelector('seed-output')!.live = { kind: 'dead', reason: 'restart it.' }));
  await expect(output.getByRole('status')).toHaveText('The kernel is dead: restart it.');
  await page.evaluate(() => (document.querySelector('seed-output')!.live = { kind: 'ready' }));
  await expect(output.getByRole('button', { name: 'Decode' })).toBeEnabled();
});

test('a bad setting is refused with a message and no request', async ({ components }) => {
  const { page } = components;
  await mountOutput(page);
  const output = page.locator('seed-output');
  await output.getByRole('spinbutton', { name: 'Steps' }).fill('0');
  await output.getByRole('spinbutton', { name: 'Steps' }).press('Tab');
  await output.getByRole('button', { name: 'Decode' }).click();
  await expect(output.getByRole('alert')).toHaveText('Steps must be a whole number from 1 to 500 (got 0).');
  expect(await components.events()).toEqual([]);
});

test('random seed policy draws a new seed per decode and records it', async ({ components }) => {
  const { page } = components;
  await mountOutput(page);
  await page.evaluate(() => (document.querySelector('seed-output')!.randomSeed = true));
  const output = page.locator('seed-output');
  await output.getByRole('button', { name: 'Decode' }).click();
  await output.getByRole('button', { name: 'Decode' }).click();
  const seeds = (await components.events()).map(
    (event) => (event.detail as { lineage: { params: { seed: number } } }).lineage.params.seed
  );
  expect(seeds).toHaveLength(2);
  expect(seeds[0]).not.toBe(seeds[1]);
});

test('progress: queued, running with preview and Cancel, cancelled, failed, then a decoded result', async ({
  components
}) => {
  const { page } = components;
  await mountOutput(page);
  const output = page.locator('seed-output');
  const setDecode = (state: object) =>
    page.evaluate((state) => (document.querySelector('seed-output')!.decode = state as never), state);

  await setDecode({ kind: 'queued', ahead: 1 });
  await expect(output.getByRole('status')).toHaveText(/Queued: waits for the running decode to finish\./);
  await expect(output.getByRole('button', { name: 'Decode' })).toBeDisabled();

  await page.evaluate(() => {
    const preview = window.seedTest.sampleImage(200);
    document.querySelector('seed-output')!.decode = { kind: 'running', step: 10, total: 25, preview };
  });
  const bar = output.getByRole('progressbar', { name: 'Decoding' });
  await expect(bar).toHaveAttribute('aria-valuenow', '10');
  await expect(bar).toHaveAttribute('aria-valuemax', '25');
  await expect(output.getByRole('img', { name: 'Preview at step 10' })).toBeVisible();
  await output.getByRole('button', { name: 'Cancel' }).click();
  expect(await components.events()).toEqual([{ type: 'seed-decode-cancel', detail: null }]);

  await setDecode({ kind: 'cancelled' });
  await expect(output.getByRole('status')).toHaveText('Decode cancelled.');
  await setDecode({ kind: 'failed', message: 'The kernel restarted, which stopped the decode.' });
  await expect(output.getByRole('alert')).toHaveText('The kernel restarted, which stopped the decode.');

  await page.evaluate(() => {
    const element = document.querySelector('seed-output')!;
    const result = element.result!;
    element.decode = { kind: 'idle' };
    element.decoded = [
      {
        image: window.seedTest.sampleImage(300),
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
  });
  const decoded = output.getByRole('list', { name: 'Decoded images' });
  await expect(decoded.getByRole('img', { name: 'Decoded image 1' })).toBeVisible();
  await expect(decoded).toContainText('Codes of cat.png with 1 edit');
  await expect(decoded).toContainText('position 3 → 9 (random)');
  await expect(decoded).toContainText('PLMS, 50 steps, guidance 7.5, seed 42');
  await expect(output.getByRole('progressbar')).toHaveCount(0);
});
