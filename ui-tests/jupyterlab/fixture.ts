/**
 * The fixture of the JupyterLab tests: a fresh page on the real JupyterLab started by global-setup.ts,
 * with every console error and uncaught exception recorded, and helpers that reach the application
 * through `window.jupyterapp` (the server runs with --expose-app-in-browser).
 */
import { ConsoleMessage, Page, test as base } from '@playwright/test';
import { join } from 'node:path';
import { ARTIFACTS_DIR } from './global-setup';

/** An error the page reported: a console.error call or an uncaught exception. */
export interface PageProblem {
  text: string;
  /** The script that reported it, when the browser knows. */
  source: string;
}

export interface JupyterLabPage {
  page: Page;
  /** Console errors and uncaught exceptions since the page was opened. */
  problems: PageProblem[];
  /** Saves a screenshot of the whole page under ui-tests/artifacts/. */
  screenshot(name: string): Promise<void>;
  /** Ids of the plugins from the package `packageName`, with whether each is activated. */
  plugins(packageName: string): Promise<{ id: string; activated: boolean }[]>;
}

declare global {
  interface Window {
    jupyterapp: {
      restored: Promise<void>;
      listPlugins(): string[];
      isPluginActivated(id: string): boolean;
      commands: { execute(id: string, args?: unknown): Promise<unknown> };
    };
  }
}

export function labUrl(path = 'lab'): string {
  const base = process.env.SEED_LAB_URL;
  if (!base) {
    throw new Error('SEED_LAB_URL is not set: run the tests with `npx playwright test -c ui-tests`.');
  }
  return `${base}/${path}`;
}

function recordConsole(problems: PageProblem[]) {
  return (message: ConsoleMessage) => {
    if (message.type() === 'error') {
      problems.push({ text: message.text(), source: message.location().url });
    }
  };
}

/** User settings tests change (the theme, SEED's own); each test starts from their defaults. */
const SETTINGS_RESET_PER_TEST = ['@jupyterlab/apputils-extension:themes', 'jupyterlab-seed:plugin'];

export const test = base.extend<{ lab: JupyterLabPage }>({
  lab: async ({ page }, use) => {
    for (const plugin of SETTINGS_RESET_PER_TEST) {
      const response = await page.request.put(labUrl(`lab/api/settings/${plugin}`), { data: { raw: '{}' } });
      if (!response.ok()) {
        throw new Error(`Resetting the settings of ${plugin} failed: ${response.status()} ${await response.text()}`);
      }
    }
    const problems: PageProblem[] = [];
    page.on('console', recordConsole(problems));
    page.on('pageerror', (error) => problems.push({ text: `${error.message}\n${error.stack ?? ''}`, source: '' }));
    // `?reset` starts from the default layout, whatever an earlier test left in the saved workspace.
    await page.goto(labUrl('lab?reset'));
    await page.waitForFunction(() => window.jupyterapp !== undefined, undefined, { timeout: 120_000 });
    await page.evaluate(() => window.jupyterapp.restored);
    // After restoring, JupyterLab moves the focus to the main area (the launcher, on a reset layout). Until
    // then, whatever a test opens (the command palette) would be closed again by that move.
    await page.waitForFunction(() => document.getElementById('jp-main-dock-panel')?.contains(document.activeElement));
    await use({
      page,
      problems,
      screenshot: async (name) => {
        await page.screenshot({ path: join(ARTIFACTS_DIR, `${name}.png`) });
      },
      plugins: (packageName) =>
        page.evaluate(
          (prefix) =>
            window.jupyterapp
              .listPlugins()
              .filter((id) => id.startsWith(`${prefix}:`))
              .map((id) => ({ id, activated: window.jupyterapp.isPluginActivated(id) })),
          packageName
        )
    });
  }
});

export { expect } from '@playwright/test';
