import * as path from 'node:path';
import { readConnectionFile } from './connection';
import { KernelChannels } from './channels';
import { SeedKernel } from './kernel';
import { kernelLog } from './kernel-log';
import { SeedMagics } from './magics/seed-magics';
import { ModelHost } from './seed/model-host';
import { SeedApi } from './seed/seed-api';
import { registerSeedCommTarget } from './seed/seed-comm-target';

/**
 * The SEED kernel process: `node dist/jupyter/main.js <connection_file>`, as the `seed`
 * kernelspec (kernel/cli/install.ts) starts it.
 */

/** Cells are type-checked against this, so `seed.` completes and `seed.encode(...)` is typed. */
const PRELUDE = `declare global { const seed: import(${JSON.stringify(path.join(__dirname, 'seed', 'seed-api'))}).SeedApi; }\n`;

async function main(argv: string[]): Promise<void> {
  const connectionFile = argv[2];
  if (!connectionFile) {
    throw new Error('Usage: node dist/jupyter/main.js <connection_file>. Jupyter passes the connection file.');
  }
  const info = readConnectionFile(connectionFile);
  // package.json is outside the kernel's TypeScript rootDir, so it is read at run time.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { version } = require('../../package.json') as { version: string };
  const rootDir = process.cwd();
  const host = new ModelHost();
  // The seed API and the kernel refer to each other; the API only calls the kernel once cells run.
  const seed: SeedApi = new SeedApi(host, {
    rootDir,
    get currentSignal() {
      return kernel.currentSignal;
    },
    display: (bundle, options) => kernel.display(bundle, options),
    clearOutput: (wait) => kernel.clearOutput(wait),
    requestInput: (prompt, password) => kernel.requestInput(prompt, password)
  });
  const kernel = new SeedKernel({ rootDir, implementationVersion: version, prelude: PRELUDE, globals: { seed } });
  kernel.useMagics(new SeedMagics(seed));
  registerSeedCommTarget(kernel.comms, seed, host, kernel);

  // A user's mistake in a callback or an unawaited promise must never take the kernel down.
  process.on('uncaughtException', (error) => kernel.reportStrayError(error));
  process.on('unhandledRejection', (reason) => kernel.reportStrayError(reason));
  process.on('SIGINT', () => kernel.interrupt());
  process.on('SIGTERM', () => void kernel.stop(0));

  const channels = await KernelChannels.open(info, {
    shell: (message) => kernel.onShell(message),
    control: (message) => kernel.onControl(message),
    stdin: (message) => kernel.onStdin(message),
    iopubSubscribed: (topic) => kernel.onIopubSubscription(topic)
  });
  kernel.attach(channels);
}

main(process.argv).catch((error: Error) => {
  kernelLog(`could not start: ${error.message}`);
  process.exit(1);
});
