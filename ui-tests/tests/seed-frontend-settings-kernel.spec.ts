/**
 * The settings that the kernel applies (issue 11), each changed in the Settings Editor and seen where a
 * user looks: preview frequency in a `%seed decode` cell's progress and in a widget decode's, the seed
 * policy in the seeds outputs record, threads in `%seed device` and the panel, and the default model
 * folder in the model a notebook's kernel loads when no cell chooses one.
 */
import type { Page } from '@playwright/test';
import { join } from 'node:path';
import { expect, test } from '../jupyterlab/fixture';
import { addImage, newSeedNotebook, runCell, waitForIdle } from '../seed-lab/notebook';
import { backToNotebook, execute, fillSetting, settingField } from '../seed-lab/settings';

const TINY_MODEL = join(__dirname, '..', '..', 'kernel', 'runtime', 'fixtures', 'tiny-model');

type WatchWindow = Window & { seedWatch?: { previews: number[]; progress: number; stop: boolean } };

/**
 * Starts recording, on every animation frame, the steps of the previews shown in the active notebook: the
 * `%seed` progress display's `<img alt="preview at step N">` and the widget's decode progress (inside the
 * components' shadow roots), and how many frames showed any progress at all.
 */
async function watchPreviews(page: Page): Promise<void> {
  await page.evaluate(() => {
    const watch = { previews: [] as number[], progress: 0, stop: false };
    (window as WatchWindow).seedWatch = watch;
    const scan = (root: ParentNode, seen: Set<number>): boolean => {
      let progress = false;
      for (const element of root.querySelectorAll('*')) {
        const match = /^preview at step (\d+)$/i.exec(element.getAttribute('alt') ?? '');
        if (element.tagName === 'IMG' && match) {
          seen.add(Number(match[1]));
        }
        progress ||= element.tagName === 'PROGRESS' || element.getAttribute('role') === 'progressbar';
        if (element.shadowRoot) {
          progress = scan(element.shadowRoot, seen) || progress;
        }
      }
      return progress;
    };
    const frame = () => {
      const notebook = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden)');
      if (notebook) {
        const seen = new Set(watch.previews);
        watch.progress += scan(notebook, seen) ? 1 : 0;
        watch.previews = [...seen].sort((a, b) => a - b);
      }
      if (!watch.stop) {
        requestAnimationFrame(frame);
      }
    };
    requestAnimationFrame(frame);
  });
}

/** Stops the recording and returns the preview steps seen and the number of frames that showed progress. */
function stopWatching(page: Page): Promise<{ previews: number[]; progress: number }> {
  return page.evaluate(() => {
    const watch = (window as WatchWindow).seedWatch!;
    watch.stop = true;
    return { previews: watch.previews, progress: watch.progress };
  });
}

/** Waits until the kernel holds `value` for a setting (the settings reach it in a comm message after a change). */
async function kernelHas(page: Page, setting: string, value: string): Promise<void> {
  await expect
    .poll(async () => {
      const cell = await runCell(page, `(await seed.info()).settings.${setting}`);
      return (await cell.locator('.jp-OutputArea-output').textContent())?.trim();
    })
    .toBe(value);
}

/** Decodes `cat` in a `%seed` cell and with the widget of `output`, both at `steps`, watching the previews. */
async function decodeBothWays(page: Page, steps: number) {
  await watchPreviews(page);
  await runCell(page, `%seed decode cat --steps ${steps}`);
  const cell = await stopWatching(page);

  const output = (await runCell(page, '%seed encode cat.png')).locator('seed-output');
  const field = output.getByRole('spinbutton', { name: 'Steps' });
  await field.fill(String(steps));
  await field.press('Tab');
  await watchPreviews(page);
  await output.getByRole('button', { name: 'Decode' }).click();
  await expect(output.getByRole('list', { name: 'Decoded images' }).getByRole('img')).toHaveCount(1);
  const widget = await stopWatching(page);
  return { cell, widget };
}

test('"Preview frequency" reaches %seed decode and widget decodes: 0 shows no preview, 1 shows them', async ({
  lab
}) => {
  const { page } = lab;
  addImage('cat.png');
  await newSeedNotebook(page);
  await runCell(page, '%seed encode cat.png --as cat');
  // Long enough decodes (200 steps, a second or two) that the progress is on screen for many frames.
  await fillSetting(page, 'Preview frequency', 'spinbutton', '0');
  await backToNotebook(page);
  await kernelHas(page, 'previewEvery', '0');
  const off = await decodeBothWays(page, 200);
  expect(off.cell.progress).toBeGreaterThan(0);
  expect(off.widget.progress).toBeGreaterThan(0);
  expect(off.cell.previews).toEqual([]);
  expect(off.widget.previews).toEqual([]);

  await fillSetting(page, 'Preview frequency', 'spinbutton', '1');
  await backToNotebook(page);
  await kernelHas(page, 'previewEvery', '1');
  const every = await decodeBothWays(page, 200);
  expect(every.cell.previews.length).toBeGreaterThan(0);
  expect(every.widget.previews.length).toBeGreaterThan(0);
});

test('"Seed policy" and "Fixed seed" reach %seed decode and the widget; outputs record the seed', async ({ lab }) => {
  const { page } = lab;
  addImage('cat.png');
  await newSeedNotebook(page);
  await runCell(page, '%seed encode cat.png --as cat');
  const recordedSeed = async (source: string) => {
    const header = (await runCell(page, source)).locator('seed-output header .params');
    return Number(/seed (\d+)/.exec((await header.textContent()) ?? '')?.[1]);
  };

  await fillSetting(page, 'Fixed seed', 'spinbutton', '7');
  await backToNotebook(page);
  await expect.poll(() => recordedSeed('%seed decode cat --steps 2')).toBe(7);
  const fixedOutput = (await runCell(page, '%seed encode cat.png')).locator('seed-output');
  await expect(fixedOutput.getByRole('spinbutton', { name: 'Seed' })).toHaveValue('7');
  await expect(fixedOutput.getByRole('checkbox', { name: 'New random seed each decode' })).not.toBeChecked();

  const policy = (await settingField(page, 'Seed policy')).getByRole('combobox');
  await policy.selectOption('random');
  await backToNotebook(page);
  // Under the random policy each decode draws its own seed (a 32-bit number: two draws agree once in 4e9).
  await expect.poll(() => recordedSeed('%seed decode cat --steps 2')).not.toBe(7);
  const seeds = [await recordedSeed('%seed decode cat --steps 2'), await recordedSeed('%seed decode cat --steps 2')];
  expect(seeds[0]).not.toBe(seeds[1]);
  // A flag still wins for its call.
  expect(await recordedSeed('%seed decode cat --steps 2 --seed 11')).toBe(11);

  const output = (await runCell(page, '%seed encode cat.png')).locator('seed-output');
  await expect(output.getByRole('checkbox', { name: 'New random seed each decode' })).toBeChecked();
  const steps = output.getByRole('spinbutton', { name: 'Steps' });
  await steps.fill('2');
  await steps.press('Tab');
  await output.getByRole('button', { name: 'Decode' }).click();
  const decoded = output.getByRole('list', { name: 'Decoded images' });
  await expect(decoded.getByRole('img')).toHaveCount(1);
  await expect(decoded).toContainText(/seed \d+/);
  await expect(decoded).not.toContainText(/seed 7\b/);
});

test('"Threads per model session" reaches the kernel: %seed device and the panel say how many and why', async ({
  lab
}) => {
  const { page } = lab;
  await newSeedNotebook(page);
  await fillSetting(page, 'Threads per model session', 'spinbutton', '1');
  await backToNotebook(page);
  const reason = /1 per session \(set by the setting Threads \(Settings → SEED\)\)/;
  await expect
    .poll(async () => (await runCell(page, '%seed device')).locator('.jp-OutputArea').textContent())
    .toMatch(reason);
  await execute(page, 'seed:open-panel');
  const panel = page.locator('#jupyterlab-seed\\:panel seed-panel');
  await panel.getByRole('button', { name: 'Refresh' }).click();
  await expect(panel.locator('dd.threads')).toHaveText(reason);

  // A flag on the magic wins over the setting, and says so (then, with two threads, whether they spin).
  const flagged = (await runCell(page, '%seed device --threads 2')).locator('.jp-OutputArea');
  await expect(flagged).toContainText(
    /Threads: 2 per session \(set by %seed device --threads 2; threads (spin-wait during a call|sleep between tasks)/
  );
});

test('"Default model folder" is the model a notebook loads when no cell chooses one', async ({ lab }) => {
  const { page } = lab;
  addImage('cat.png');
  await fillSetting(page, 'Default model folder', 'textbox', TINY_MODEL);
  // A new notebook: its kernel gets the settings when it connects, and no `%seed model use` runs.
  await page.evaluate(async () => {
    const app = (window as unknown as { jupyterapp: { commands: { execute(id: string): Promise<unknown> } } })
      .jupyterapp;
    const panel = (await app.commands.execute('seed:new-notebook')) as { sessionContext: { ready: Promise<void> } };
    await panel.sessionContext.ready;
  });
  await waitForIdle(page);
  await expect
    .poll(async () => (await runCell(page, '%seed device')).locator('.jp-OutputArea').textContent())
    .toContain('Model: tiny-model');
  await execute(page, 'seed:open-panel');
  const panel = page.locator('#jupyterlab-seed\\:panel seed-panel');
  await panel.getByRole('button', { name: 'Refresh' }).click();
  await expect(panel.locator('dd.model-id')).toHaveText('tiny-model');
  // A cell encodes with that model, and its output names it.
  const output = (await runCell(page, '%seed encode cat.png')).locator('seed-output');
  await expect(output.locator('header .model')).toContainText('tiny-model');
});
