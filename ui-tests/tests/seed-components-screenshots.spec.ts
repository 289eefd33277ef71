/**
 * Screenshot comparison: the token inspector, the decode progress and the SEED panel in the light and the
 * dark theme, against the baselines committed beside this spec (`*-linux.png`), so a styling regression fails
 * a test. The component pages hold fixed sample data and no kernel; images that a model would make in real
 * use (previews, thumbnails) are masked, so the baselines do not depend on any model.
 *
 * After an intended change of look, write new baselines and review them before committing:
 *   npx playwright test -c ui-tests/seed-components seed-components-screenshots --update-snapshots
 */
import type { Locator } from '@playwright/test';
import { expect, test, Theme } from '../seed-components/fixture';

/**
 * Any change of colour counts (threshold 0: Playwright's default of 0.2 lets a white background turn light grey
 * unnoticed); anti-aliased edges are left out of the comparison, and up to 0.2% of the pixels may differ so
 * that rendering noise does not fail a test while a changed colour, border or spacing does.
 */
function looksLike(name: string, mask: Locator[] = []) {
  return [name, { maxDiffPixelRatio: 0.002, threshold: 0, mask, animations: 'disabled' as const }] as const;
}

for (const theme of ['light', 'dark'] as Theme[]) {
  test.describe(`${theme} theme`, () => {
    test.beforeEach(async ({ components }) => {
      await components.open(theme);
    });

    test('token inspector', async ({ components }) => {
      const { page } = components;
      await page.evaluate(() => {
        const result = window.seedTest.sampleResult('cat.png', 42);
        const inspector = document.createElement('seed-token-inspector');
        // One edited position shows the edited style; position 6 is inspected with its alternatives.
        const codes = [...result.codes];
        codes[3] = 4242;
        Object.assign(inspector, {
          codes,
          originalCodes: result.codes,
          topK: result.topK,
          source: result.source,
          model: result.model,
          label: 'cat.png',
          editable: true,
          selected: 5
        });
        inspector.style.width = '900px';
        document.body.append(inspector);
      });
      const inspector = page.locator('seed-token-inspector');
      await expect(inspector.locator('[part=detail]')).toContainText('Position 6');
      await expect(inspector).toHaveScreenshot(...looksLike(`inspector-${theme}.png`));
    });

    test('decode progress', async ({ components }) => {
      const { page } = components;
      await page.evaluate(() => {
        const column = document.createElement('div');
        column.id = 'progress';
        column.style.cssText = 'width: 480px; display: grid; gap: 12px;';
        const states = [
          { kind: 'queued', ahead: 2 },
          { kind: 'running', step: 12, total: 50, preview: window.seedTest.sampleImage(120) },
          { kind: 'cancelling' },
          { kind: 'failed', message: 'The kernel restarted, which stopped the decode.' }
        ] as const;
        for (const state of states) {
          const progress = document.createElement('seed-decode-progress');
          progress.state = state;
          column.append(progress);
        }
        document.body.append(column);
      });
      const column = page.locator('#progress');
      await expect(column.getByRole('progressbar')).toHaveAttribute('aria-valuenow', '12');
      await expect(column).toHaveScreenshot(
        ...looksLike(`decode-progress-${theme}.png`, [column.locator('[part=preview]')])
      );
    });

    test('SEED panel', async ({ components }) => {
      const { page } = components;
      await page.evaluate(() => {
        const panel = document.createElement('seed-panel');
        panel.style.cssText = 'display: block; width: 300px;';
        panel.kernel = { kind: 'seed', status: 'idle' };
        panel.info = {
          kind: 'loaded',
          info: {
            model: {
              id: 'seed-nano',
              sha256: 'a'.repeat(64),
              dir: '/m/seed-nano',
              family: 'seed-v1',
              description: '',
              defaults: { sampler: 'plms', steps: 25, guidance: 2, seed: 42 }
            },
            models: [
              { name: 'seed-nano', dir: '/m/seed-nano' },
              { name: 'seed-v1', dir: '/m/seed-v1' }
            ],
            executionProvider: { name: 'cpu', reason: 'no CUDA device was found' },
            memory: { rssBytes: 512 * 2 ** 20, heapUsedBytes: 64 * 2 ** 20 }
          }
        };
        panel.gallery = [
          { id: 'a', label: 'cat.png', kind: 'encoding', thumbnail: window.seedTest.sampleImage(10).src },
          { id: 'b', label: 'dog.png', kind: 'recon', thumbnail: window.seedTest.sampleImage(200).src }
        ];
        document.body.append(panel);
      });
      const panel = page.locator('seed-panel');
      await expect(panel.locator('.model-id')).toHaveText('seed-nano');
      await expect(panel).toHaveScreenshot(...looksLike(`panel-${theme}.png`, [panel.locator('[part=gallery] img')]));
    });
  });
}
