/**
 * SEED settings apply without a reload (issue 6): a change in JupyterLab's Settings Editor reaches the
 * panel's sampler defaults and the decode form of an output already on screen. Sampler settings the
 * user has not set follow the model's own defaults.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from '../jupyterlab/fixture';
import { addImage, newSeedNotebook, runCell, testModelFolder } from '../seed-lab/notebook';
import { execute } from '../seed-lab/settings';

/** The sampler defaults of the model the tests load, from its manifest. */
function modelDefaults(): { steps: number; guidance: number } {
  const manifest = JSON.parse(readFileSync(join(testModelFolder(), 'seed-model.json'), 'utf8'));
  return manifest.diffusion.defaults;
}

test('changing the default steps in the Settings Editor updates the panel and an open output', async ({ lab }) => {
  const { page } = lab;
  addImage('cat.png');
  await newSeedNotebook(page);
  const output = (await runCell(page, '%seed encode cat.png')).locator('seed-output');
  // Until the user sets them, the form and the panel show the model's own defaults (seed-nano: 25 steps).
  const model = modelDefaults();
  expect(model.steps).not.toBe(12);
  await expect(output.getByRole('spinbutton', { name: 'Steps' })).toHaveValue(String(model.steps));
  await expect(output.getByRole('spinbutton', { name: 'Guidance' })).toHaveValue(String(model.guidance));
  await execute(page, 'seed:open-panel');
  const defaults = page.locator('#jupyterlab-seed\\:panel seed-panel dl.defaults');
  await expect(defaults).toContainText(new RegExp(`Steps\\s*${model.steps}`));

  await execute(page, 'settingeditor:open', { query: 'SEED' });
  // The editor's form shows each setting's title as a heading next to its field.
  const steps = page
    .getByRole('heading', { name: 'Default sampling steps', level: 3 })
    .locator('xpath=..')
    .getByRole('spinbutton');
  await steps.fill('12');
  await steps.press('Tab');

  await expect(defaults).toContainText(/Steps\s*12/);
  await page.locator('.lm-TabBar-tab', { hasText: 'Untitled' }).click();
  await expect(output.getByRole('spinbutton', { name: 'Steps' })).toHaveValue('12');
  // What the user did not set still follows the model.
  await expect(output.getByRole('spinbutton', { name: 'Guidance' })).toHaveValue(String(model.guidance));
});
