// The frontend's unit tests (src/**/*.test.ts, beside the modules they test) in Debian's Chromium, the
// way Lit projects test: @web/test-runner runs each test file in its own page with mocha, and Playwright
// drives the browser. Run: npx web-test-runner   (npm test runs it as the `web` suite);
// npx tsc -p tsconfig.test.json checks the tests' types, which esbuild strips unchecked.
import { defaultReporter } from '@web/test-runner';
import { junitReporter } from '@web/test-runner-junit-reporter';
import { playwrightLauncher } from '@web/test-runner-playwright';
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = fileURLToPath(new URL('.', import.meta.url));

/**
 * Serves each test file as one ES module bundled by esbuild (the bundler the UI tests' component pages use),
 * with the decorator settings of tsconfig.json. Bundling, rather than serving module by module, lets the
 * protocol's CommonJS dependencies (ajv) load in the browser as they do in the labextension's webpack build,
 * and a page makes one request instead of hundreds.
 */
const bundleTestFiles = {
  name: 'bundle-test-files',
  async serve(context) {
    if (!context.path.endsWith('.test.ts')) {
      return undefined;
    }
    const result = await build({
      entryPoints: [`${ROOT}${context.path.slice(1)}`],
      bundle: true,
      format: 'esm',
      target: 'es2022',
      sourcemap: 'inline',
      write: false,
      // Where the bundle would be written: source maps then name the sources as the page sees them.
      outfile: `${ROOT}${context.path.slice(1)}.js`,
      tsconfig: `${ROOT}tsconfig.json`,
      logLevel: 'silent'
    });
    return { body: result.outputFiles[0].text, type: 'js' };
  }
};

export default {
  rootDir: ROOT,
  files: ['src/**/*.test.ts'],
  plugins: [bundleTestFiles],
  browsers: [
    playwrightLauncher({
      product: 'chromium',
      // Debian's Chromium (Playwright never downloads a browser here), with the flags that keep it off a
      // network it cannot reach; the UI tests launch it the same way.
      launchOptions: JSON.parse(readFileSync(join(ROOT, 'ui-tests', 'chromium-launch.json'), 'utf8'))
    })
  ],
  // JUnit XML for scripts/test.mjs, which counts the results into npm test's summary line.
  reporters: [defaultReporter(), junitReporter({ outputPath: '.cache/web-test-report.xml' })],
  // Test files are small; several pages at once keep the suite short even on a loaded machine.
  concurrency: 4,
  // Generous: the development machine is shared, and a page can wait long for a core.
  browserStartTimeout: 120_000,
  testsStartTimeout: 120_000,
  // Lit announces its development build on every page; the tests use it on purpose (it warns about misuse).
  filterBrowserLogs: ({ args }) => !String(args[0]).startsWith('Lit is in dev mode'),
  // A test's first use of the protocol compiles its ajv validators, which took over 10 s on the shared
  // two-core development machine under load; the limit is there to stop a test that hangs.
  testFramework: { config: { timeout: 60_000 } }
};
