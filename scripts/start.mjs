// `npm start`: sets the checkout up (scripts/setup.mjs), then serves the bundled JupyterLab with the
// SEED extension and kernel on the bundled model, opening the example notebook.
// Extra arguments go to `jupyterlab-seed lab` (for example `npm start -- --port 8890`).
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { ROOT, setup } from './setup.mjs';

try {
  setup();
} catch (error) {
  console.error(`[setup] ${error.message}`);
  process.exit(1);
}

const lab = spawn(
  process.execPath,
  [
    join(ROOT, 'bin', 'jupyterlab-seed.js'),
    'lab',
    '--notebook-dir',
    join(ROOT, 'notebooks'),
    '--open',
    'welcome.ipynb',
    ...process.argv.slice(2)
  ],
  { stdio: 'inherit', cwd: ROOT }
);
// Ctrl-C reaches the server through the shared process group; just wait for it to finish.
process.on('SIGINT', () => {});
lab.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
