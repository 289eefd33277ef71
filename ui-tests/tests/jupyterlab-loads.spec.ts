import { expect, test } from '../jupyterlab/fixture';

const EXTENSION = 'jupyterlab-seed';

test('JupyterLab loads the SEED extension as a prebuilt extension, without console errors from it', async ({ lab }) => {
  const { page } = lab;
  const federated = await page.evaluate(() => {
    const config = JSON.parse(document.getElementById('jupyter-config-data')?.textContent ?? '{}');
    return (config.federated_extensions as { name: string }[]).map((extension) => extension.name);
  });
  expect(federated).toContain(EXTENSION);

  const plugins = await lab.plugins(EXTENSION);
  expect(plugins.length).toBeGreaterThan(0);
  expect(plugins.filter((plugin) => !plugin.activated)).toEqual([]);

  // Let late work (settings, kernel specs, the panel's first render) report its errors too.
  await page.waitForTimeout(2000);
  await lab.screenshot('jupyterlab-loaded');
  const ours = lab.problems.filter((problem) => `${problem.text} ${problem.source}`.includes(EXTENSION));
  expect(ours).toEqual([]);
});
