import { Page } from '@playwright/test';
import { expect, test } from '../jupyterlab/fixture';

const PANEL_ID = 'jupyterlab-seed:panel';

function panel(page: Page) {
  return page.locator(`[id="${PANEL_ID}"]`);
}

test('the SEED panel opens from its tab in the left sidebar', async ({ lab }) => {
  const { page } = lab;
  const tab = page.locator(`.jp-SideBar.jp-mod-left .lm-TabBar-tab[data-id="${PANEL_ID}"]`);
  await expect(tab).toBeVisible();
  await expect(panel(page)).toBeHidden();

  await tab.click();
  await expect(panel(page)).toBeVisible();
  await expect(panel(page).locator('seed-panel')).toBeVisible();
  await lab.screenshot('seed-panel-from-sidebar');
});

test('the SEED panel opens from the command palette ("Open SEED Panel")', async ({ lab }) => {
  const { page } = lab;
  await expect(panel(page)).toBeHidden();

  await page.keyboard.press('Control+Shift+C');
  const palette = page.locator('#modal-command-palette');
  await expect(palette).toBeVisible();
  await palette.locator('input').fill('Open SEED Panel');
  const item = palette.locator('.lm-CommandPalette-item', { hasText: 'Open SEED Panel' });
  await expect(item).toHaveCount(1);
  // Enter runs the active (first) match. A click could wait forever: the palette re-renders its items
  // whenever any command's state changes, which a busy kernel does often.
  await expect(item).toHaveClass(/lm-mod-active/);
  await palette.locator('input').press('Enter');

  await expect(panel(page)).toBeVisible();
  await expect(panel(page).locator('seed-panel')).toBeVisible();
  await lab.screenshot('seed-panel-from-palette');
});
