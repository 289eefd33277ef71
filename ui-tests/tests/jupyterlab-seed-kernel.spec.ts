import { expect, test } from '../jupyterlab/fixture';

test('a notebook on the SEED kernel runs a TypeScript cell and shows its result', async ({ lab }) => {
  const { page } = lab;
  await page.evaluate(() => window.jupyterapp.commands.execute('notebook:create-new', { kernelName: 'seed' }));
  const notebook = page.locator('.jp-NotebookPanel:visible');
  await expect(notebook).toHaveCount(1);
  await expect(notebook.locator('.jp-KernelName')).toHaveText('SEED (TypeScript)');

  const cell = notebook.locator('.jp-CodeCell').first();
  await cell.locator('.cm-content').click();
  await page.keyboard.type('const x: number = 1 + 1; x');
  await page.keyboard.press('Shift+Enter');

  // The first run also waits for the kernel to start.
  await expect(cell.locator('.jp-OutputArea-output')).toHaveText('2', { timeout: 120_000 });
  await expect(cell.locator('.jp-InputArea-prompt')).toHaveText('[1]:');
  await lab.screenshot('seed-kernel-typescript-cell');
});
