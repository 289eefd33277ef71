/**
 * The SEED elements take their colours from JupyterLab's theme variables: the same page in the light
 * and the dark theme renders different colours. Screenshots of both are kept as test artefacts in
 * ui-tests/artifacts/.
 */
import { join } from 'node:path';
import { ARTIFACTS, expect, test, Theme } from '../seed-components/fixture';

for (const theme of ['light', 'dark'] as Theme[]) {
  test(`output and panel in the ${theme} theme`, async ({ components }) => {
    const { page } = components;
    await components.open(theme);
    await page.evaluate(() => {
      const output = document.createElement('seed-output');
      output.result = window.seedTest.sampleResult('cat.png', 42);
      output.live = { kind: 'ready' };
      output.decode = { kind: 'running', step: 12, total: 50, preview: window.seedTest.sampleImage(120) };
      const panel = document.createElement('seed-panel');
      panel.kernel = { kind: 'seed', status: 'busy' };
      panel.gallery = [{ id: 'a', label: 'cat.png', kind: 'encoding', thumbnail: output.result.source!.src }];
      panel.style.width = '280px';
      document.body.append(output, panel);
    });
    const output = page.locator('seed-output');
    await output.getByRole('listbox').getByRole('option').nth(4).hover();
    await expect(output.locator('[part=detail]')).toContainText('Position 5');

    const colours = await page.evaluate(() => {
      const element = document.querySelector('seed-output')!;
      const token = element.shadowRoot!.querySelector('seed-token-inspector')!.shadowRoot!.querySelector('.token')!;
      return { text: getComputedStyle(element).color, token: getComputedStyle(token).backgroundColor };
    });
    const luminance = (rgb: string) => {
      const [r, g, b] = rgb.match(/\d+/g)!.map(Number);
      return 0.2126 * r + 0.7152 * g + 0.0722 * b;
    };
    // Dark text on light tokens in the light theme, light text on dark tokens in the dark one.
    if (theme === 'light') {
      expect(luminance(colours.text)).toBeLessThan(luminance(colours.token));
    } else {
      expect(luminance(colours.text)).toBeGreaterThan(luminance(colours.token));
    }
    await page.screenshot({ path: join(ARTIFACTS, `seed-components-${theme}.png`), fullPage: true });
  });
}
