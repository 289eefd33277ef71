/**
 * A setting applies to every path where it means something (issues 11 and 15): changed in the Settings
 * Editor, it reaches `%seed` cells (through the kernel, which holds the session's settings) as well as the
 * widgets, and each output records what was used. And inspector edits that were never decoded survive a
 * save and reload (issue 15.4).
 */
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from '../jupyterlab/fixture';
import {
  addImage,
  newSeedNotebook,
  notebooksFolder,
  openWithoutKernel,
  runCell,
  saveNotebook
} from '../seed-lab/notebook';
import { backToNotebook, execute, fillSetting, settingField } from '../seed-lab/settings';

test('"Top-k alternatives" reaches %seed encode: the inspector lists that many nearest codes', async ({ lab }) => {
  const { page } = lab;
  addImage('cat.png');
  await newSeedNotebook(page);
  // Every SEED setting shows its title in the editor (the execution providers' did not: issue 15.6).
  await execute(page, 'settingeditor:open', { query: 'SEED' });
  // It is an ordered list (the order is the preference), titled above its items.
  await expect(page.getByText('Execution providers', { exact: true })).toBeVisible();
  await expect(page.getByRole('heading', { name: 'Execution provider', level: 3 })).toHaveCount(2);
  const field = (await settingField(page, 'Top-k alternatives')).getByRole('spinbutton');
  await field.fill('3');
  await field.press('Tab');
  // The kernel has the new value once the settings round trip is done; the cell then encodes with it.
  await backToNotebook(page);
  await expect
    .poll(async () => {
      const output = (await runCell(page, '%seed encode cat.png')).locator('seed-output');
      await output.getByRole('listbox').getByRole('option').first().click();
      return output.locator('[part=detail]').locator('.alternatives-label').textContent();
    })
    .toBe('Top 3 nearest codes');
});

test('"Default sampler" reaches %seed decode and widget decodes, and each output records it', async ({ lab }) => {
  const { page } = lab;
  addImage('cat.png');
  await newSeedNotebook(page);
  const select = (await settingField(page, 'Default sampler')).getByRole('combobox');
  await select.selectOption('ddim');
  await backToNotebook(page);

  // A %seed cell with no --sampler: the kernel applies the setting; the output says DDIM ran.
  await runCell(page, '%seed encode cat.png --as cat');
  await expect
    .poll(async () => {
      const cell = await runCell(page, '%seed decode cat --steps 4');
      return cell.locator('seed-output header .params').textContent();
    })
    .toMatch(/^DDIM, 4 steps/);

  // The widget: the form starts from DDIM and the decoded image's lineage records it.
  const output = (await runCell(page, '%seed encode cat.png')).locator('seed-output');
  await expect(output.getByRole('combobox', { name: 'Sampler' })).toHaveValue('ddim');
  const steps = output.getByRole('spinbutton', { name: 'Steps' });
  await steps.fill('4');
  await steps.press('Tab');
  await output.getByRole('button', { name: 'Decode' }).click();
  const decoded = output.getByRole('list', { name: 'Decoded images' });
  await expect(decoded.getByRole('img', { name: 'Decoded image 1' })).toBeVisible();
  await expect(decoded).toContainText('DDIM, 4 steps');
});

test('"Default sampling steps" and "Default guidance scale" reach %seed decode and widget decodes', async ({ lab }) => {
  const { page } = lab;
  addImage('cat.png');
  await newSeedNotebook(page);
  await fillSetting(page, 'Default sampling steps', 'spinbutton', '3');
  await fillSetting(page, 'Default guidance scale', 'spinbutton', '4.5');
  await backToNotebook(page);

  // A %seed cell with neither --steps nor --guidance: the kernel applies the settings and the output says so.
  await runCell(page, '%seed encode cat.png --as cat');
  await expect
    .poll(async () => (await runCell(page, '%seed decode cat')).locator('seed-output header .params').textContent())
    .toMatch(/, 3 steps, guidance 4\.5,/);
  // A flag wins for its call only.
  const flagged = await runCell(page, '%seed decode cat --steps 2');
  await expect(flagged.locator('seed-output header .params')).toContainText('2 steps, guidance 4.5');

  // The widget's Decode form starts from the settings, and the decoded image records them.
  const output = (await runCell(page, '%seed encode cat.png')).locator('seed-output');
  await expect(output.getByRole('spinbutton', { name: 'Steps' })).toHaveValue('3');
  await expect(output.getByRole('spinbutton', { name: 'Guidance' })).toHaveValue('4.5');
  await output.getByRole('button', { name: 'Decode' }).click();
  const decoded = output.getByRole('list', { name: 'Decoded images' });
  await expect(decoded.getByRole('img', { name: 'Decoded image 1' })).toBeVisible();
  await expect(decoded).toContainText('3 steps, guidance 4.5');
});

test('inspector edits that were never decoded are kept when the notebook is saved and reopened', async ({ lab }) => {
  const { page } = lab;
  addImage('cat.png');
  await newSeedNotebook(page);
  const output = (await runCell(page, '%seed encode cat.png')).locator('seed-output');
  const tokens = output.getByRole('listbox').getByRole('option');
  await tokens.nth(0).click();
  await output.getByRole('textbox', { name: 'Code for position 1' }).fill('3');
  await output.getByRole('button', { name: 'Set', exact: true }).click();
  await tokens.nth(1).click();
  await output.getByRole('textbox', { name: 'Code for position 2' }).fill('4');
  await output.getByRole('button', { name: 'Set', exact: true }).click();
  await output.getByRole('button', { name: 'Undo' }).click();
  await expect(tokens.nth(0)).toHaveAttribute('aria-label', /code 3, .*edited/);

  const path = await saveNotebook(page);
  copyFileSync(join(notebooksFolder(), path), join(notebooksFolder(), 'edited.ipynb'));
  await openWithoutKernel(page, 'edited.ipynb');
  const reopened = page.locator('.jp-NotebookPanel:not(.lm-mod-hidden) seed-output').first();
  const reopenedTokens = reopened.getByRole('listbox').getByRole('option');
  await expect(reopenedTokens).toHaveCount(32);
  // The edit is there, and so are its undo and redo: the undone edit can be redone.
  await expect(reopenedTokens.nth(0)).toHaveAttribute('aria-label', /code 3, .*edited/);
  await expect(reopened.getByRole('button', { name: 'Undo' })).toBeEnabled();
  await reopened.getByRole('button', { name: 'Redo' }).click();
  await expect(reopenedTokens.nth(1)).toHaveAttribute('aria-label', /code 4, .*edited/);
});
