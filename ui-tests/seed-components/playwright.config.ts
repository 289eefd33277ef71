/**
 * Runs only the SEED component tests (no JupyterLab server needed):
 *   npx playwright test -c ui-tests/seed-components
 * `npm test` runs the same specs through the ui-tests harness configuration.
 */
import { defineConfig } from '@playwright/test';

export default defineConfig({
  testDir: '../tests',
  testMatch: 'seed-components-*.spec.ts',
  outputDir: '../test-results/seed-components',
  timeout: 60_000,
  workers: 1,
  reporter: [['list']]
});
