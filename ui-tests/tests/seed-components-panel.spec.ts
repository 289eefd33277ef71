/** <seed-panel>: kernel, model and device, gallery, drop zone and defaults; properties in, events out. */
import { expect, test } from '../seed-components/fixture';

test.beforeEach(async ({ components }) => {
  await components.page.evaluate(() => document.body.appendChild(document.createElement('seed-panel')));
});

test('without a SEED notebook it offers a new one', async ({ components }) => {
  const panel = components.page.locator('seed-panel');
  await expect(panel).toContainText('No notebook is open.');
  await panel.getByRole('button', { name: 'New SEED notebook' }).click();
  expect(await components.events()).toEqual([{ type: 'seed-new-notebook', detail: null }]);
  await components.page.evaluate(() => {
    document.querySelector('seed-panel')!.kernel = { kind: 'other-kernel', displayName: 'Python 3' };
  });
  await expect(panel).toContainText('The active notebook runs Python 3, not the SEED kernel.');
});

test('shows model, execution provider with its reason, memory, and switches models', async ({ components }) => {
  const { page } = components;
  await page.evaluate(() => {
    const panel = document.querySelector('seed-panel')!;
    panel.kernel = { kind: 'seed', status: 'idle' };
    panel.info = {
      kind: 'loaded',
      info: {
        model: { id: 'seed-nano', sha256: 'a'.repeat(64), dir: '/m/seed-nano', description: '' },
        models: [
          { name: 'seed-nano', dir: '/m/seed-nano' },
          { name: 'seed-v1', dir: '/m/seed-v1' }
        ],
        executionProvider: { name: 'cpu', reason: 'no CUDA device was found' },
        memory: { rssBytes: 512 * 2 ** 20, heapUsedBytes: 64 * 2 ** 20 }
      }
    };
  });
  const panel = page.locator('seed-panel');
  await expect(panel.locator('.status')).toHaveText('idle');
  await expect(panel.locator('.model-id')).toHaveText('seed-nano');
  await expect(panel.locator('.provider')).toHaveText('CPU — no CUDA device was found');
  await expect(panel).toContainText('512 MiB resident, 64 MiB JS heap');
  // A long reason keeps the sidebar short: its first clause shows, the rest folds away.
  await page.evaluate(() => {
    const panel = document.querySelector('seed-panel')!;
    if (panel.info.kind === 'loaded') {
      const long = 'CUDA is not available: the npm build does not bundle it. To use a GPU, install the CUDA binaries.';
      panel.info = { ...panel.info, info: { ...panel.info.info, executionProvider: { name: 'cpu', reason: long } } };
    }
  });
  await expect(panel.locator('.provider')).toContainText('CPU — CUDA is not available');
  await expect(panel.locator('.provider details')).not.toHaveAttribute('open');
  await expect(panel.locator('.provider details')).toContainText('To use a GPU, install the CUDA binaries.');
  await panel.getByRole('combobox', { name: "Switch the kernel's model" }).selectOption('seed-v1');
  await panel.getByRole('button', { name: 'Refresh' }).click();
  expect(await components.events()).toEqual([
    { type: 'seed-model-change', detail: { model: 'seed-v1' } },
    { type: 'seed-refresh', detail: null }
  ]);
  await page.evaluate(() => {
    document.querySelector('seed-panel')!.info = { kind: 'failed', message: 'The kernel has no model folder.' };
  });
  await expect(panel.getByRole('alert')).toHaveText('The kernel has no model folder.');
});

test('the gallery lists encodings with thumbnails and reports a click', async ({ components }) => {
  const { page } = components;
  await page.evaluate(() => {
    document.querySelector('seed-panel')!.gallery = [
      { id: 'out-1', label: 'cat.png', kind: 'encoding', thumbnail: window.seedTest.sampleImage(10).src },
      { id: 'out-2', label: 'dog.png', kind: 'recon', thumbnail: null }
    ];
  });
  const panel = page.locator('seed-panel');
  await expect(panel.locator('[part=gallery] img')).toHaveCount(1);
  await panel.getByRole('button', { name: 'Show the output of dog.png' }).click();
  expect(await components.events()).toEqual([{ type: 'seed-gallery-select', detail: { id: 'out-2' } }]);
});

test('dropping an image file from the desktop reports it', async ({ components }) => {
  const { page } = components;
  const zone = page.locator('seed-panel').locator('[part=drop-zone]');
  const dataTransfer = await page.evaluateHandle(() => {
    const transfer = new DataTransfer();
    transfer.items.add(new File([new Uint8Array([137, 80, 78, 71])], 'cat.png', { type: 'image/png' }));
    return transfer;
  });
  await zone.dispatchEvent('dragenter', { dataTransfer });
  await expect(zone).toHaveClass(/active/);
  await zone.dispatchEvent('drop', { dataTransfer });
  await expect(zone).not.toHaveClass(/active/);
  expect(await components.events()).toEqual([
    { type: 'seed-image-drop', detail: { image: { kind: 'file', name: 'cat.png', size: 4 } } }
  ]);
});

test('sampler defaults follow the settings', async ({ components }) => {
  const { page } = components;
  await page.evaluate(() => {
    const panel = document.querySelector('seed-panel')!;
    panel.settings = { ...panel.settings, sampler: 'dpmpp', steps: 20, seedPolicy: 'random', previewEvery: 0 };
  });
  const defaults = page.locator('seed-panel').locator('dl.defaults');
  await expect(defaults).toContainText('DPM-Solver++(2M)');
  await expect(defaults).toContainText('20');
  await expect(defaults).toContainText('random per decode');
  await expect(defaults).toContainText('off');
});

test("before a model has loaded, defaults left to the model say so instead of showing another family's", async ({
  components
}) => {
  const defaults = components.page.locator('seed-panel').locator('dl.defaults');
  await expect(defaults).toContainText(/Steps\s*the model's own, once it loads/);
  await expect(defaults).not.toContainText('PLMS');
  await components.page.evaluate(() => {
    const panel = document.querySelector('seed-panel')!;
    panel.settings = { ...panel.settings, steps: 12 };
  });
  await expect(defaults).toContainText(/Steps\s*12/);
});
