/**
 * `%seed tokenize` in a notebook (issue 12): a progress display while shards are written, an interrupt
 * that stops the run and keeps only finished shards, and a rerun that resumes and renders the summary
 * (counts, code usage, the first rows) without flooding the notebook.
 */
import type { Page } from '@playwright/test';
import { copyFileSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from '../jupyterlab/fixture';
import { newSeedNotebook, notebooksFolder, runCell, startCell, waitForIdle } from '../seed-lab/notebook';

const IMAGES = 2000;
const SHARD_SIZE = 100;

type LabWindow = Window & { jupyterapp: { commands: { execute(id: string): Promise<unknown> } } };

function finishedShards(folder: string): string[] {
  try {
    return readdirSync(folder).filter((name) => name.endsWith('.done.json'));
  } catch {
    return [];
  }
}

async function interruptKernel(page: Page): Promise<void> {
  await page.evaluate(() => (window as unknown as LabWindow).jupyterapp.commands.execute('notebook:interrupt-kernel'));
}

test('tokenize a folder: progress, interrupt keeps finished shards, rerun resumes and summarises', async ({ lab }) => {
  const { page } = lab;
  const images = join(notebooksFolder(), 'dataset');
  mkdirSync(images, { recursive: true });
  const source = join(__dirname, '..', '..', 'kernel', 'runtime', 'fixtures', 'tiny-image.png');
  for (let i = 0; i < IMAGES; i++) {
    copyFileSync(source, join(images, `im${String(i).padStart(5, '0')}.png`));
  }
  const out = join(notebooksFolder(), 'tokens');
  const magic = `%seed tokenize 'dataset/*.png' --out tokens --shard-size ${SHARD_SIZE}`;
  await newSeedNotebook(page);

  const cell = await startCell(page, magic);
  await expect(cell.locator('.seed-progress progress')).toBeVisible();
  await expect.poll(() => finishedShards(out).length, { timeout: 120_000 }).toBeGreaterThan(0);
  await interruptKernel(page);
  await waitForIdle(page);
  const kept = finishedShards(out).length;
  expect(kept).toBeLessThan(IMAGES / SHARD_SIZE);
  // Only finished shards have data files: a Parquet file without its manifest would be a half shard.
  const parquet = readdirSync(out).filter((name) => name.endsWith('.parquet'));
  expect(parquet.sort()).toEqual(
    finishedShards(out)
      .map((name) => name.replace('.done.json', '.parquet'))
      .sort()
  );
  // One progress display, updated in place: the notebook is not flooded.
  await expect(cell.locator('.seed-progress')).toHaveCount(1);

  const rerun = await runCell(page, magic);
  const summary = rerun.locator('.seed-tokenize-summary');
  await expect(summary).toContainText(`${IMAGES / SHARD_SIZE - kept} shards written, ${kept} already done`);
  await expect(summary.locator('table.seed-tokenize-usage')).toBeVisible();
  await expect(summary.locator('table.seed-tokenize-rows tr')).toHaveCount(6);
  await expect(summary.locator('table.seed-tokenize-rows')).toContainText('<img><img_');
  expect(finishedShards(out)).toHaveLength(IMAGES / SHARD_SIZE);
  await lab.screenshot('seed-frontend-tokenize');
});
