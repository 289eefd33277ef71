/**
 * Helpers for tests that change SEED settings as a user does, in JupyterLab's Settings Editor, and run
 * JupyterLab commands (through `window.jupyterapp`, which the test server exposes).
 */
import type { Locator, Page } from '@playwright/test';

type LabWindow = Window & { jupyterapp: { commands: { execute(id: string, args?: unknown): Promise<unknown> } } };

/** Runs a JupyterLab command in the page and returns what it returned. */
export function execute(page: Page, command: string, args?: unknown): Promise<unknown> {
  return page.evaluate(
    ({ command, args }) => (window as unknown as LabWindow).jupyterapp.commands.execute(command, args),
    { command, args }
  );
}

/** The field of a SEED setting in the Settings Editor (opened on SEED), found by the title it is declared with. */
export async function settingField(page: Page, title: string): Promise<Locator> {
  await execute(page, 'settingeditor:open', { query: 'SEED' });
  return page.getByRole('heading', { name: title, level: 3 }).locator('xpath=..');
}

/** Types `value` into a setting's number or text field and leaves it, which saves it. */
export async function fillSetting(page: Page, title: string, role: 'spinbutton' | 'textbox', value: string) {
  const field = (await settingField(page, title)).getByRole(role);
  await field.fill(value);
  await field.press('Tab');
}

/** Back to the notebook tab (the Settings Editor took the main area). */
export async function backToNotebook(page: Page): Promise<void> {
  await page.locator('.lm-TabBar-tab', { hasText: 'Untitled' }).first().click();
}
