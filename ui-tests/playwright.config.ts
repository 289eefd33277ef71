/**
 * The UI tests: `npx playwright test -c ui-tests` (npm test runs it). global-setup.ts starts the real
 * JupyterLab with the SEED extension and kernel; the tests drive it in Debian's Chromium (Playwright never
 * downloads a browser here). Screenshots, the server log and results.json (read by scripts/test.mjs)
 * go to ui-tests/artifacts/.
 */
import { defineConfig } from '@playwright/test';
import chromiumLaunch from './chromium-launch.json';

export default defineConfig({
  testDir: 'tests',
  outputDir: 'test-results',
  globalSetup: './jupyterlab/global-setup.ts',
  // The machine has two cores shared with the Jupyter server and its kernels.
  workers: 1,
  timeout: 180_000,
  expect: { timeout: 60_000 },
  reporter: [['list'], ['json', { outputFile: 'artifacts/results.json' }]],
  use: {
    browserName: 'chromium',
    headless: true,
    viewport: { width: 1400, height: 900 },
    // Debian's Chromium, kept off the network it cannot reach (this machine is offline but for package registries).
    launchOptions: chromiumLaunch,
    screenshot: 'only-on-failure'
  }
});
