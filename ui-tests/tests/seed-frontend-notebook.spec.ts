/**
 * The SEED frontend in the real JupyterLab with the real SEED kernel (issue 6): `%seed encode` renders
 * the token inspector; an edited code decodes with a progress bar into a new image; Cancel stops a
 * decode; the panel lists the encoding; a saved notebook reopened without a kernel renders the same.
 * Screenshots in the light and dark themes go to ui-tests/artifacts/.
 */
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Locator, Page } from '@playwright/test';
import { expect, test } from '../jupyterlab/fixture';
import {
  addImage,
  newSeedNotebook,
  notebooksFolder,
  openWithoutKernel,
  runCell,
  saveNotebook,
  startCell,
  testModelFolder,
  waitForIdle
} from '../seed-lab/notebook';

interface ProgressSeen {
  steps: number[];
  previews: number;
}

/**
 * Records, in the page, every progress value and live preview the SEED outputs show: a mutation
 * observer on each progress element sees every render, however fast the kernel reports.
 */
async function recordProgress(page: Page): Promise<void> {
  await page.evaluate(() => {
    const seen = { steps: [] as number[], previews: 0 };
    const previews = new Set<string>();
    (window as unknown as { seedProgress: typeof seen }).seedProgress = seen;
    for (const output of document.querySelectorAll('seed-output')) {
      const progress = output.shadowRoot!.querySelector('seed-decode-progress')!.shadowRoot!;
      const read = () => {
        const value = progress.querySelector('[role=progressbar]')?.getAttribute('aria-valuenow');
        if (value !== null && value !== undefined && seen.steps[seen.steps.length - 1] !== Number(value)) {
          seen.steps.push(Number(value));
        }
        const preview = progress.querySelector<HTMLImageElement>('img[part=preview]')?.src;
        if (preview && !previews.has(preview)) {
          previews.add(preview);
          seen.previews = previews.size;
        }
      };
      new MutationObserver(read).observe(progress, { subtree: true, childList: true, attributes: true });
    }
  });
}

function progressSeen(page: Page): Promise<ProgressSeen> {
  return page.evaluate(() => (window as unknown as { seedProgress: ProgressSeen }).seedProgress);
}

async function setSteps(output: Locator, steps: number): Promise<void> {
  const field = output.getByRole('spinbutton', { name: 'Steps' });
  await field.fill(String(steps));
  await field.press('Tab');
}

test('encode, inspect, edit, decode with progress, cancel, gallery, and reopen without a kernel', async ({ lab }) => {
  const { page } = lab;
  addImage('cat.png');
  await newSeedNotebook(page);
  const cell = await runCell(page, '%seed encode cat.png');

  // The inspector: source image and 32 codes.
  const output = cell.locator('seed-output');
  await expect(output).toBeVisible();
  const tokens = output.getByRole('listbox').getByRole('option');
  await expect(tokens).toHaveCount(32);
  await expect(output.getByRole('img', { name: 'Source image cat.png' })).toBeVisible();
  await tokens.nth(3).hover();
  await expect(output.locator('[part=detail]')).toContainText('Position 4');
  await lab.screenshot('seed-frontend-inspector-light');

  // Edit position 1, decode: a progress bar, then a new image with its lineage.
  await tokens.nth(0).click();
  await output.getByRole('textbox', { name: 'Code for position 1' }).fill('3');
  await output.getByRole('button', { name: 'Set', exact: true }).click();
  await expect(tokens.nth(0)).toHaveAttribute('aria-label', /code 3, .*edited/);
  await setSteps(output, 20);
  await recordProgress(page);
  await output.getByRole('button', { name: 'Decode' }).click();
  const decoded = output.getByRole('list', { name: 'Decoded images' });
  await expect(decoded.getByRole('img', { name: 'Decoded image 1' })).toBeVisible();
  await expect(decoded).toContainText('Codes of cat.png with 1 edit');
  await expect(decoded).toContainText('position 1 → 3 (typed)');
  const seen = await progressSeen(page);
  expect(seen.steps.length).toBeGreaterThan(0);
  expect(Math.max(...seen.steps)).toBeLessThanOrEqual(20);
  // Previews every 5 steps (the default setting) of 20.
  expect(seen.previews).toBeGreaterThan(0);
  await expect(output.getByRole('progressbar')).toHaveCount(0);

  // Cancel: a cell keeps the kernel busy, so the decode request waits in the kernel's queue (whatever
  // the model's speed); Cancel reaches the kernel at once and the decode ends as cancelled.
  await startCell(page, 'await new Promise((resolve) => setTimeout(resolve, 20000));');
  await output.getByRole('button', { name: 'Decode' }).click();
  await expect(output.getByRole('progressbar')).toBeVisible();
  await output.getByRole('button', { name: 'Cancel' }).click();
  await expect(output.getByRole('status')).toHaveText('Decode cancelled.');
  await expect(decoded.getByRole('img')).toHaveCount(1);
  await waitForIdle(page);
  await expect(output.getByRole('button', { name: 'Decode' })).toBeEnabled();

  // The panel lists the encoding with its thumbnail; clicking it reveals the output.
  await page.evaluate(() =>
    (
      window as unknown as { jupyterapp: { commands: { execute(id: string): Promise<unknown> } } }
    ).jupyterapp.commands.execute('seed:open-panel')
  );
  const panel = page.locator('#jupyterlab-seed\\:panel seed-panel');
  const thumbnail = panel.getByRole('button', { name: 'Show the output of cat.png' });
  await expect(thumbnail).toBeVisible();
  await expect(thumbnail.locator('img')).toHaveAttribute('src', /^data:image\/png;base64,/);
  await expect(panel.locator('.model-id')).not.toBeEmpty();
  await expect(panel.locator('.provider')).toContainText(/CPU|CUDA/);
  await thumbnail.click();
  await expect(output).toBeInViewport();

  await page.evaluate(() =>
    (
      window as unknown as { jupyterapp: { commands: { execute(id: string, args: unknown): Promise<unknown> } } }
    ).jupyterapp.commands.execute('apputils:change-theme', { theme: 'JupyterLab Dark' })
  );
  await expect(page.locator('body')).toHaveAttribute('data-jp-theme-light', 'false');
  await output.scrollIntoViewIfNeeded();
  await lab.screenshot('seed-frontend-inspector-dark');

  // Saved, then reopened under another name with no kernel: the inspector and the decoded image render.
  const path = await saveNotebook(page);
  copyFileSync(join(notebooksFolder(), path), join(notebooksFolder(), 'reopened.ipynb'));
  await openWithoutKernel(page, 'reopened.ipynb');
  const reopened = page.locator('.jp-NotebookPanel:not(.lm-mod-hidden) seed-output').first();
  await expect(reopened.getByRole('listbox').getByRole('option')).toHaveCount(32);
  await expect(reopened.getByRole('img', { name: 'Source image cat.png' })).toBeVisible();
  await expect(reopened.getByRole('img', { name: 'Decoded image 1' })).toBeVisible();
  await expect(reopened.getByRole('button', { name: 'Decode' })).toBeDisabled();
  await expect(reopened.getByRole('status')).toContainText('Decoding needs a running SEED kernel');
  await lab.screenshot('seed-frontend-reopened-dark');
});

test('a kernel restart during a decode ends it with a message, and Decode works again after', async ({ lab }) => {
  const { page } = lab;
  addImage('cat.png');
  await newSeedNotebook(page);
  const output = (await runCell(page, '%seed encode cat.png')).locator('seed-output');
  await expect(output.getByRole('listbox').getByRole('option')).toHaveCount(32);
  await setSteps(output, 5);

  // The decode waits behind a running cell; the restart ends both.
  await startCell(page, 'await new Promise((resolve) => setTimeout(resolve, 60000));');
  await output.getByRole('button', { name: 'Decode' }).click();
  await expect(output.getByRole('progressbar')).toBeVisible();
  await page.evaluate(async () => {
    type Restartable = { sessionContext: { session: { kernel: { restart(): Promise<void> } } } };
    const app = (window as unknown as { jupyterapp: { shell: { currentWidget: Restartable } } }).jupyterapp;
    await app.shell.currentWidget.sessionContext.session.kernel.restart();
  });
  await expect(output.getByRole('alert')).toHaveText(
    'The kernel restarted, which stopped the decode; press Decode again when it is ready.'
  );
  await expect(output.getByRole('progressbar')).toHaveCount(0);

  await waitForIdle(page);
  await runCell(page, `%seed model use ${JSON.stringify(testModelFolder())}`);
  await output.getByRole('button', { name: 'Decode' }).click();
  await expect(output.getByRole('list', { name: 'Decoded images' }).getByRole('img')).toHaveCount(1);
});

test('a decode asked for while another runs is queued, says so, and runs after it', async ({ lab }) => {
  const { page } = lab;
  addImage('cat.png');
  addImage('dog.png');
  await newSeedNotebook(page);
  const cat = (await runCell(page, '%seed encode cat.png')).locator('seed-output');
  const dog = (await runCell(page, '%seed encode dog.png')).locator('seed-output');
  await setSteps(cat, 5);
  await setSteps(dog, 5);

  // A running cell holds the kernel, so the first decode is still running when the second is asked for.
  await startCell(page, 'await new Promise((resolve) => setTimeout(resolve, 8000));');
  await cat.getByRole('button', { name: 'Decode' }).click();
  await expect(cat.getByRole('progressbar')).toBeVisible();
  await dog.getByRole('button', { name: 'Decode' }).click();
  await expect(dog.getByRole('status')).toHaveText(/Queued: waits for the running decode to finish\./);
  await expect(dog.getByRole('button', { name: 'Decode' })).toBeDisabled();

  await expect(cat.getByRole('list', { name: 'Decoded images' }).getByRole('img')).toHaveCount(1);
  await expect(dog.getByRole('list', { name: 'Decoded images' }).getByRole('img')).toHaveCount(1);
});
