/**
 * The fixture of the component tests: a page in Debian's Chromium with JupyterLab's theme variables
 * (light or dark) and the SEED elements bundled by esbuild from src/. Tests put elements on the page,
 * set properties, drive them with mouse and keyboard, and read the events they emitted.
 */
import { Browser, chromium, Page, test as base } from '@playwright/test';
import { build } from 'esbuild';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import chromiumLaunch from '../chromium-launch.json';

const ROOT = join(__dirname, '..', '..');

export type Theme = 'light' | 'dark';

/** JupyterLab's own theme variables, from the theme packages the lab host is built with. */
function themeVariables(theme: Theme): string {
  const file = join(ROOT, 'lab', 'node_modules', '@jupyterlab', `theme-${theme}-extension`, 'style', 'variables.css');
  try {
    return readFileSync(file, 'utf8');
  } catch {
    throw new Error(
      `JupyterLab's ${theme} theme variables are missing (${file}): run \`npm test\` once, it sets lab/ up.`
    );
  }
}

export interface ComponentPage {
  page: Page;
  /** Reloads the page in this theme (the elements and sample data are loaded again). */
  open(theme?: Theme): Promise<void>;
  /** The SEED events emitted so far, in order. */
  events(): Promise<{ type: string; detail: unknown }[]>;
  /** Forgets the events emitted so far. */
  clearEvents(): Promise<void>;
}

export const test = base.extend<{ components: ComponentPage }, { componentBrowser: Browser; bundle: string }>({
  bundle: [
    // Playwright reads a fixture's dependencies from this pattern; these two have none.
    // eslint-disable-next-line no-empty-pattern
    async ({}, use) => {
      const result = await build({
        entryPoints: [join(__dirname, 'test-page.ts')],
        bundle: true,
        format: 'iife',
        target: 'es2022',
        write: false,
        tsconfig: join(ROOT, 'tsconfig.json'),
        logLevel: 'silent'
      });
      await use(result.outputFiles[0].text);
    },
    { scope: 'worker' }
  ],
  componentBrowser: [
    // Playwright reads a fixture's dependencies from this pattern; these two have none.
    // eslint-disable-next-line no-empty-pattern
    async ({}, use) => {
      // Debian's Chromium with the flags that keep it quiet on a closed network, as every browser test launches it.
      const browser = await chromium.launch(chromiumLaunch);
      await use(browser);
      await browser.close();
    },
    { scope: 'worker' }
  ],
  components: async ({ componentBrowser, bundle }, use) => {
    const context = await componentBrowser.newContext({ viewport: { width: 1000, height: 800 } });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    const open = async (theme: Theme = 'light') => {
      await page.setContent(`<!doctype html>
        <html><head><style>${themeVariables(theme)}
          body { margin: 16px; background: var(--jp-layout-color0); color: var(--jp-ui-font-color1); }
        </style></head><body data-jp-theme-light="${theme === 'light'}"></body></html>`);
      await page.addScriptTag({ content: bundle });
      await page.waitForFunction(() => window.seedTest !== undefined);
    };
    await open();
    await use({
      page,
      open,
      events: () => page.evaluate(() => window.seedTest.events.map((event) => ({ ...event }))),
      clearEvents: () => page.evaluate(() => void window.seedTest.events.splice(0))
    });
    await context.close();
    if (errors.length > 0) {
      throw new Error(`The page threw: ${errors.join('; ')}`);
    }
  }
});

export { expect } from '@playwright/test';

/** Where screenshots go (git-ignored; CI keeps them as artefacts). */
export const ARTIFACTS = join(ROOT, 'ui-tests', 'artifacts');
