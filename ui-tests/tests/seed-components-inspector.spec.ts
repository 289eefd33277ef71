/**
 * <seed-token-inspector>: properties in, typed events out, driven by mouse and keyboard in Chromium.
 * The keyboard-only walk never touches the mouse.
 */
import { expect, test } from '../seed-components/fixture';
import type { Page } from '@playwright/test';

async function mountInspector(page: Page, editable: boolean, label = 'cat.png', start = 42): Promise<void> {
  await page.evaluate(
    ({ editable, label, start }) => {
      const result = window.seedTest.sampleResult(label, start);
      const inspector = document.createElement('seed-token-inspector');
      inspector.id = label;
      Object.assign(inspector, {
        codes: result.codes,
        originalCodes: result.codes,
        topK: result.topK,
        source: result.source,
        model: result.model,
        label,
        editable
      });
      // The host applies edits, as <seed-output> does.
      inspector.addEventListener('seed-token-edit', (event) => {
        const edit = (event as CustomEvent).detail.edit;
        const codes = [...inspector.codes];
        if (edit.kind === 'set') {
          codes[edit.position] = edit.code;
        } else if (edit.kind === 'splice') {
          edit.positions.forEach((position: number, index: number) => (codes[position] = edit.codes[index]));
        }
        inspector.codes = codes;
      });
      document.body.appendChild(inspector);
    },
    { editable, label, start }
  );
}

const code = (start: number, position: number) => (start + 257 * position) % 8192;

test('renders the source image and 32 codes in causal order with ARIA labels', async ({ components }) => {
  const { page } = components;
  await mountInspector(page, false);
  const inspector = page.locator('seed-token-inspector');
  await expect(inspector.getByRole('img', { name: 'Source image cat.png' })).toBeVisible();
  const tokens = inspector.getByRole('option');
  await expect(tokens).toHaveCount(32);
  await expect(tokens.nth(0)).toHaveAttribute('aria-label', `Position 1 of 32, code ${code(42, 0)}, distance 0.0500`);
  await expect(tokens.nth(31)).toHaveAttribute('aria-label', new RegExp(`^Position 32 of 32, code ${code(42, 31)},`));
  await expect(inspector.getByRole('listbox')).toHaveAccessibleName('32 codes, causal order');
});

test('hovering a code shows its id, distance and top-k alternatives and reports the position', async ({
  components
}) => {
  const { page } = components;
  await mountInspector(page, false);
  const inspector = page.locator('seed-token-inspector');
  await inspector.getByRole('option').nth(5).hover();
  const detail = inspector.locator('[part=detail]');
  await expect(detail).toContainText('Position 6');
  await expect(detail).toContainText(`code ${code(42, 5)}`);
  await expect(detail).toContainText(`<img_${String(code(42, 5)).padStart(5, '0')}>`);
  await expect(detail).toContainText('distance 0.0550');
  await expect(detail.locator('.alternatives li')).toHaveCount(5);
  expect(await components.events()).toContainEqual({ type: 'seed-token-select', detail: { position: 5 } });
  // Read-only: no edit controls.
  await expect(detail.getByRole('button')).toHaveCount(0);
});

test('keyboard-only walk: tab in, move along the strip, pick an alternative, type and randomise codes', async ({
  components
}) => {
  const { page } = components;
  await mountInspector(page, true);
  const inspector = page.locator('seed-token-inspector');
  const focusedLabel = () => page.evaluate(() => document.activeElement?.shadowRoot?.activeElement?.id ?? '');

  await page.keyboard.press('Tab');
  expect(await focusedLabel()).toBe('token-0');
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('ArrowRight');
  expect(await focusedLabel()).toBe('token-2');
  await page.keyboard.press('ArrowDown');
  expect(await focusedLabel()).toBe('token-10');
  await expect(inspector.locator('[part=detail]')).toContainText('Position 11');
  await page.keyboard.press('End');
  expect(await focusedLabel()).toBe('token-31');
  await page.keyboard.press('ArrowRight');
  expect(await focusedLabel()).toBe('token-31');
  await page.keyboard.press('Home');
  expect(await focusedLabel()).toBe('token-0');
  await page.keyboard.press('ArrowLeft');
  expect(await focusedLabel()).toBe('token-0');
  await page.keyboard.press('ArrowRight');
  const selected = (await components.events()).map((event) => (event.detail as { position: number }).position);
  expect(selected).toEqual([1, 2, 10, 31, 0, 1]);

  // Enter goes into the alternatives; Tab to the second one, Enter picks it.
  await components.clearEvents();
  await page.keyboard.press('Enter');
  await page.keyboard.press('Tab');
  const alternative = inspector.getByRole('button', { name: /^Use code \d+ .* at position 2$/ }).nth(1);
  await expect(alternative).toBeFocused();
  const picked = Number((await alternative.getAttribute('aria-label'))!.match(/Use code (\d+)/)![1]);
  await page.keyboard.press('Enter');
  expect(await components.events()).toEqual([
    { type: 'seed-token-edit', detail: { edit: { kind: 'set', position: 1, code: picked, via: 'alternative' } } }
  ]);
  await expect(inspector.getByRole('option').nth(1)).toHaveAttribute('aria-label', /edited \(was \d+\)$/);

  // Escape comes back to the strip; R randomises the selected position.
  await page.keyboard.press('Escape');
  expect(await focusedLabel()).toBe('token-1');
  await components.clearEvents();
  await page.keyboard.press('r');
  const [random] = await components.events();
  expect(random.type).toBe('seed-token-edit');
  const edit = (random.detail as { edit: { kind: string; position: number; code: number; via: string } }).edit;
  expect(edit).toMatchObject({ kind: 'set', position: 1, via: 'random' });
  expect(edit.code).toBeGreaterThanOrEqual(0);
  expect(edit.code).toBeLessThan(8192);

  // Type a code: as a number, then as an LLM token; a bad one is refused with a message.
  await components.clearEvents();
  await inspector.getByRole('textbox', { name: 'Code for position 2' }).focus();
  await page.keyboard.type('123');
  await page.keyboard.press('Enter');
  await page.keyboard.type('<img_00077>');
  await page.keyboard.press('Enter');
  await page.keyboard.type('9999');
  await page.keyboard.press('Enter');
  expect(await components.events()).toEqual([
    { type: 'seed-token-edit', detail: { edit: { kind: 'set', position: 1, code: 123, via: 'typed' } } },
    { type: 'seed-token-edit', detail: { edit: { kind: 'set', position: 1, code: 77, via: 'typed' } } }
  ]);
  await expect(inspector.getByRole('alert')).toHaveText(
    'Code 9999 is outside the codebook: enter a whole number from 0 to 8191.'
  );
});

test('a read-only inspector ignores R and offers no edits', async ({ components }) => {
  const { page } = components;
  await mountInspector(page, false);
  await page.keyboard.press('Tab');
  await page.keyboard.press('r');
  expect((await components.events()).filter((event) => event.type === 'seed-token-edit')).toEqual([]);
});

test('dragging one token or a whole strip onto another strip splices codes', async ({ components }) => {
  const { page } = components;
  await mountInspector(page, true, 'cat.png', 42);
  await mountInspector(page, true, 'dog.png', 1000);
  const cat = page.locator('seed-token-inspector#cat\\.png');
  const dog = page.locator('seed-token-inspector#dog\\.png');

  await dog.getByRole('option').nth(3).dragTo(cat.getByRole('option').nth(7));
  await dog.getByText('⠿ drag all').dragTo(cat.getByRole('option').nth(28));
  const edits = (await components.events()).filter((event) => event.type === 'seed-token-edit');
  expect(edits).toEqual([
    {
      type: 'seed-token-edit',
      detail: { edit: { kind: 'splice', from: 'dog.png', positions: [7], codes: [code(1000, 3)] } }
    },
    {
      type: 'seed-token-edit',
      detail: {
        edit: {
          kind: 'splice',
          from: 'dog.png',
          positions: [28, 29, 30, 31],
          codes: [28, 29, 30, 31].map((position) => code(1000, position))
        }
      }
    }
  ]);
  await expect(cat.getByRole('option').nth(7)).toHaveAttribute('aria-label', new RegExp(`code ${code(1000, 3)},`));
});

test('codes of another model are refused with a message', async ({ components }) => {
  const { page } = components;
  await mountInspector(page, true, 'cat.png', 42);
  await page.evaluate(() => {
    const other = window.seedTest.sampleResult('other.png', 7, 'b'.repeat(64));
    const inspector = document.createElement('seed-token-inspector');
    inspector.id = 'other';
    Object.assign(inspector, { codes: other.codes, topK: other.topK, model: other.model, label: 'other.png' });
    inspector.editable = true;
    document.body.appendChild(inspector);
  });
  const cat = page.locator('seed-token-inspector#cat\\.png');
  await page.locator('seed-token-inspector#other').getByRole('option').nth(0).dragTo(cat.getByRole('option').nth(0));
  await expect(cat.getByRole('alert')).toContainText('come from another model');
  expect((await components.events()).filter((event) => event.type === 'seed-token-edit')).toEqual([]);
});
