/**
 * Helpers for the SEED frontend tests in the real JupyterLab: open a notebook on the SEED kernel,
 * choose the model, run cells. They reach JupyterLab through `window.jupyterapp` (the test server
 * exposes it) and its own commands, as a user would through the UI.
 */
import { copyFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Locator, Page } from '@playwright/test';

const ROOT = join(__dirname, '..', '..');

/** The bundled seed-nano when it has been trained into the checkout, else the runtime's tiny test model. */
export function testModelFolder(): string {
  const nano = join(ROOT, 'models', 'seed-nano');
  return existsSync(join(nano, 'seed-model.json')) ? nano : join(ROOT, 'kernel', 'runtime', 'fixtures', 'tiny-model');
}

/** The folder the test JupyterLab shows (global-setup.ts makes a fresh one per run). */
export function notebooksFolder(): string {
  const folder = process.env.SEED_LAB_NOTEBOOKS;
  if (!folder) {
    throw new Error('SEED_LAB_NOTEBOOKS is not set: run the tests with `npx playwright test -c ui-tests`.');
  }
  return folder;
}

/** Copies a test image into the notebook folder under `name`. */
export function addImage(name: string): string {
  copyFileSync(join(ROOT, 'kernel', 'runtime', 'fixtures', 'tiny-image.png'), join(notebooksFolder(), name));
  return name;
}

/** The parts of JupyterLab's application object these helpers use. */
interface LabApp {
  commands: { execute(id: string, args?: unknown): Promise<unknown> };
  shell: { currentWidget: NotebookLike | null };
}
interface NotebookLike {
  id: string;
  context: { path: string; ready: Promise<void>; save(): Promise<void> };
  sessionContext: { ready: Promise<void>; session: { kernel: KernelLike | null } | null };
  content: {
    activeCellIndex: number;
    widgets: readonly unknown[];
    activeCell: { model: { sharedModel: { setSource(source: string): void } } } | null;
  };
}
interface KernelLike {
  status: string;
  statusChanged: {
    connect(slot: (sender: unknown, status: string) => void): void;
    disconnect(slot: (sender: unknown, status: string) => void): void;
  };
}
/** `seedCellStarted` is set when the kernel reports busy for the cell startCell ran. */
type LabWindow = Window & { jupyterapp: LabApp; seedCellStarted?: boolean };

/** Opens a new notebook on the SEED kernel, waits for the kernel and loads the test model. */
export async function newSeedNotebook(page: Page): Promise<void> {
  await page.evaluate(async () => {
    const app = (window as unknown as LabWindow).jupyterapp;
    const panel = (await app.commands.execute('seed:new-notebook')) as NotebookLike;
    await panel.context.ready;
    await panel.sessionContext.ready;
  });
  await waitForIdle(page);
  await runCell(page, `%seed model use ${JSON.stringify(testModelFolder())}`);
}

/** Waits until the active notebook's kernel is idle. */
export async function waitForIdle(page: Page): Promise<void> {
  await page.waitForFunction(
    () => {
      const panel = (window as unknown as LabWindow).jupyterapp.shell.currentWidget;
      return panel?.sessionContext.session?.kernel?.status === 'idle';
    },
    undefined,
    { timeout: 120_000 }
  );
}

/**
 * Puts `source` in the notebook's last cell (the empty one running a cell leaves) and starts it
 * without waiting; returns the cell.
 */
export async function startCell(page: Page, source: string): Promise<Locator> {
  const index = await page.evaluate((source) => {
    const labWindow = window as unknown as LabWindow;
    const app = labWindow.jupyterapp;
    const panel = app.shell.currentWidget!;
    // Listen for busy rather than poll for it: a quick cell can be busy and idle again between two polls.
    labWindow.seedCellStarted = false;
    const kernel = panel.sessionContext.session?.kernel;
    const onStatus = (_: unknown, status: string) => {
      if (status === 'busy') {
        labWindow.seedCellStarted = true;
        kernel?.statusChanged.disconnect(onStatus);
      }
    };
    kernel?.statusChanged.connect(onStatus);
    const notebook = panel.content;
    const last = notebook.widgets.length - 1;
    notebook.activeCellIndex = last;
    notebook.activeCell!.model.sharedModel.setSource(source);
    void app.commands.execute('notebook:run-cell-and-insert-below');
    return last;
  }, source);
  await page.waitForFunction(() => (window as unknown as LabWindow).seedCellStarted === true, undefined, {
    timeout: 30_000
  });
  return page.locator('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-Cell').nth(index);
}

/** Puts `source` in the active cell, runs it, waits for the kernel, and returns the cell that ran. */
export async function runCell(page: Page, source: string): Promise<Locator> {
  const cell = await startCell(page, source);
  await waitForIdle(page);
  return cell;
}

/** Saves the active notebook and returns its path. */
export function saveNotebook(page: Page): Promise<string> {
  return page.evaluate(async () => {
    const panel = (window as unknown as LabWindow).jupyterapp.shell.currentWidget!;
    await panel.context.save();
    return panel.context.path;
  });
}

/** Opens a notebook without starting a kernel for it. */
export async function openWithoutKernel(page: Page, path: string): Promise<void> {
  await page.evaluate(async (path) => {
    const app = (window as unknown as LabWindow).jupyterapp;
    await app.commands.execute('docmanager:open', {
      path,
      factory: 'Notebook',
      kernelPreference: { shouldStart: false, canStart: false }
    });
  }, path);
}
