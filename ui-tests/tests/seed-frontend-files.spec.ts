/**
 * Getting images into SEED from JupyterLab's file handling (issue 6): the file browser's context menu
 * ("Encode with SEED", "Reconstruct with SEED") inserts and runs the matching `%seed` cell, and an
 * image dropped on the SEED panel, from the file browser or from the desktop, is encoded.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { expect, test } from '../jupyterlab/fixture';
import { addImage, newSeedNotebook, notebooksFolder, waitForIdle } from '../seed-lab/notebook';
import { execute } from '../seed-lab/settings';

/** The SEED outputs of the active notebook, by label. */
function outputLabelled(page: Page, label: string) {
  return page.locator('.jp-NotebookPanel:not(.lm-mod-hidden) seed-output').filter({ hasText: label });
}

async function fileItem(page: Page, name: string) {
  await execute(page, 'filebrowser:refresh');
  const item = page.locator('.jp-DirListing-item', { hasText: name });
  await expect(item).toBeVisible();
  return item;
}

test('the file browser context menu encodes and reconstructs an image in the active notebook', async ({ lab }) => {
  const { page } = lab;
  addImage('cat.png');
  addImage('dog.png');
  await newSeedNotebook(page);
  await execute(page, 'filebrowser:activate');

  await (await fileItem(page, 'cat.png')).click({ button: 'right' });
  await page.locator('.lm-Menu-item', { hasText: 'Encode with SEED' }).click();
  const cell = page.locator('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-Cell', { hasText: '%seed encode cat.png' });
  await expect(cell).toHaveCount(1);
  await waitForIdle(page);
  await expect(outputLabelled(page, 'cat.png').getByRole('listbox').getByRole('option')).toHaveCount(32);

  await (await fileItem(page, 'dog.png')).click({ button: 'right' });
  await page.locator('.lm-Menu-item', { hasText: 'Reconstruct with SEED' }).click();
  await expect(page.locator('.jp-Cell', { hasText: '%seed recon dog.png' })).toHaveCount(1);
  await waitForIdle(page);
  const recon = outputLabelled(page, 'dog.png');
  await expect(recon).toContainText('SEED encode + reconstruction');
  await expect(recon.getByRole('img', { name: 'Reconstruction of dog.png' })).toBeVisible();
});

test('an image dropped on the SEED panel from the file browser or the desktop is encoded', async ({ lab }) => {
  const { page } = lab;
  addImage('bird.png');
  await newSeedNotebook(page);
  await execute(page, 'seed:open-panel');
  const zone = page.locator('#jupyterlab-seed\\:panel seed-panel').locator('[part=drop-zone]');
  await expect(zone).toBeVisible();

  // From the file browser: a Lumino drag (mouse down on the item, move, release over the panel). Both
  // start in the left sidebar, so the panel first moves to the right one, as a user would do it.
  await switchSidebarSide(page, 'left');
  await execute(page, 'seed:open-panel');
  await execute(page, 'filebrowser:activate');
  await expect(zone).toBeVisible();
  const item = await fileItem(page, 'bird.png');
  const from = (await item.boundingBox())!;
  await page.mouse.move(from.x + 20, from.y + from.height / 2);
  await page.mouse.down();
  const to = (await zone.boundingBox())!;
  await page.mouse.move(to.x + to.width / 2, to.y + to.height / 2, { steps: 15 });
  await page.mouse.up();
  await waitForIdle(page);
  await expect(outputLabelled(page, 'bird.png').getByRole('listbox').getByRole('option')).toHaveCount(32);

  // From the desktop: a file in an HTML drop; the panel saves it next to the notebook and encodes it.
  const bytes = [...readFileSync(join(notebooksFolder(), 'bird.png'))];
  const dataTransfer = await page.evaluateHandle((bytes) => {
    const transfer = new DataTransfer();
    transfer.items.add(new File([new Uint8Array(bytes)], 'desk photo.png', { type: 'image/png' }));
    return transfer;
  }, bytes);
  await zone.dispatchEvent('dragenter', { dataTransfer });
  await zone.dispatchEvent('drop', { dataTransfer });
  await expect(page.locator('.jp-Cell', { hasText: '%seed encode "desk photo.png"' })).toHaveCount(1);
  await waitForIdle(page);
  await expect(outputLabelled(page, 'desk photo.png').getByRole('listbox').getByRole('option')).toHaveCount(32);
  expect(readFileSync(join(notebooksFolder(), 'desk photo.png'))).toEqual(
    readFileSync(join(notebooksFolder(), 'bird.png'))
  );
  await expect(
    page.locator('#jupyterlab-seed\\:panel seed-panel').getByRole('button', { name: /Show the output of/ })
  ).toHaveCount(2);
});

// JupyterLab remembers the side in the user settings, which later tests share: put the panel back.
test.afterEach(async ({ lab }) => {
  const onRight = lab.page.locator('.jp-SideBar.jp-mod-right .lm-TabBar-tab[data-id="jupyterlab-seed:panel"]');
  if ((await onRight.count()) > 0) {
    await switchSidebarSide(lab.page, 'right');
  }
});

/** Moves the SEED panel's tab from the `from` sidebar to the other one, with the tab's context menu. */
async function switchSidebarSide(page: Page, from: 'left' | 'right'): Promise<void> {
  const tab = page.locator(`.jp-SideBar.jp-mod-${from} .lm-TabBar-tab[data-id="jupyterlab-seed:panel"]`);
  await tab.click({ button: 'right' });
  await page.locator('.lm-Menu-item', { hasText: 'Switch Sidebar Side' }).click();
  await expect(tab).toHaveCount(0);
}
