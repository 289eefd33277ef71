// The frontend's unit tests (src/**/*.test.ts, beside the modules they test) in Debian's Chromium, the
// way Lit projects test: @web/test-runner serves each test file as an ES module, esbuild strips the
// TypeScript (with the decorators settings of tsconfig.json), and Playwright drives the browser.
// Run: npx web-test-runner   (npm test runs it as the `web` suite); npx tsc -p tsconfig.test.json checks the
// tests' types, which esbuild strips unchecked.
import { defaultReporter } from '@web/test-runner';
import { esbuildPlugin } from '@web/dev-server-esbuild';
import { junitReporter } from '@web/test-runner-junit-reporter';
import { playwrightLauncher } from '@web/test-runner-playwright';
import { fileURLToPath } from 'node:url';

export default {
  rootDir: fileURLToPath(new URL('.', import.meta.url)),
  files: ['src/**/*.test.ts'],
  nodeResolve: true,
  plugins: [
    esbuildPlugin({ ts: true, target: 'es2022', tsconfig: fileURLToPath(new URL('tsconfig.json', import.meta.url)) })
  ],
  browsers: [
    playwrightLauncher({
      product: 'chromium',
      // Playwright never downloads a browser here; the flags keep Chromium off a network it cannot reach.
      launchOptions: {
        executablePath: '/usr/bin/chromium',
        args: [
          '--no-sandbox',
          '--disable-gpu',
          '--disable-quic',
          '--no-first-run',
          '--disable-background-networking',
          '--disable-component-update',
          '--disable-sync'
        ]
      }
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
  testFramework: { config: { timeout: 10_000 } }
};
