// `npm start`: sets the checkout up (scripts/setup.mjs), then serves the bundled JupyterLab with the
// SEED extension and kernel on the bundled model, opening the example notebook in workspace/.
// Extra arguments go to `jupyterlab-seed lab` (for example `npm start -- --port 8890`).
import { spawn } from 'node:child_process';
import { cpSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, setup } from './setup.mjs';

// JupyterLab serves workspace/ (ignored by git), where the example notebooks are copied once: what a
// user runs, edits and saves stays out of the checkout's own files, and a later start keeps it.
const WORKSPACE = join(ROOT, 'workspace');

try {
  setup();
} catch (error) {
  console.error(`[setup] ${error.message}`);
  process.exit(1);
}
cpSync(join(ROOT, 'notebooks'), WORKSPACE, { recursive: true, force: false });

const lab = spawn(
  process.execPath,
  [
    join(ROOT, 'bin', 'jupyterlab-seed.js'),
    'lab',
    '--notebook-dir',
    WORKSPACE,
    '--open',
    'welcome.ipynb',
    ...process.argv.slice(2)
  ],
  { stdio: 'inherit', cwd: ROOT }
);
// Ctrl-C reaches the server through the shared process group; just wait for it to finish.
process.on('SIGINT', () => {});
lab.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
