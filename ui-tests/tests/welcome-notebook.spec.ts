/**
 * The notebook `npm start` opens: notebooks/welcome.ipynb, run from top to bottom in the real
 * JupyterLab on the bundled seed-nano, as a newcomer would. Its screenshot (with the SEED panel open)
 * is the picture at the top of the README.
 */
import { cpSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from '../jupyterlab/fixture';
import { notebooksFolder, waitForIdle } from '../seed-lab/notebook';

const WELCOME = join(__dirname, '..', '..', 'notebooks');

test('the welcome notebook runs from top to bottom and fills the SEED panel', async ({ lab }) => {
  const { page } = lab;
  cpSync(WELCOME, notebooksFolder(), { recursive: true });
  await page.evaluate(async () => {
    const app = window.jupyterapp as unknown as {
      commands: { execute(id: string, args?: unknown): Promise<{ sessionContext: { ready: Promise<void> } }> };
    };
    const panel = await app.commands.execute('docmanager:open', { path: 'welcome.ipynb', factory: 'Notebook' });
    await panel.sessionContext.ready;
  });
  await waitForIdle(page);
  await page.evaluate(() => window.jupyterapp.commands.execute('notebook:run-all-cells'));
  const notebook = page.locator('.jp-NotebookPanel:not(.lm-mod-hidden)');
  // The last cell reports the model; by then every cell above has run.
  await expect(notebook.locator('.jp-Cell').last().locator('.jp-OutputArea-output')).toContainText('seed-nano', {
    timeout: 180_000
  });
  await waitForIdle(page);
  await expect(notebook.locator('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]')).toHaveCount(
    0
  );
  await expect(notebook.locator('.jp-RenderedText[data-mime-type="application/vnd.jupyter.error"]')).toHaveCount(0);
  // Encodings: crab, then the six examples of the glob; the decodes and the recon show images.
  await expect(notebook.locator('seed-output')).toHaveCount(10);

  await page.evaluate(() => window.jupyterapp.commands.execute('seed:open-panel'));
  const panel = page.locator('#jupyterlab-seed\\:panel seed-panel');
  await expect(panel).toContainText('seed-nano');
  await expect(panel.locator('dl.defaults')).toContainText(/Steps\s*\d+/);

  // Tall enough to show the crab's encoding and its decode below it.
  await page.setViewportSize({ width: 1400, height: 1250 });
  const crab = notebook.locator('.jp-Cell', { hasText: '%seed encode examples/crab.png' });
  await crab.evaluate((cell) => cell.scrollIntoView({ block: 'start' }));
  await lab.screenshot('welcome-notebook');
});
