/**
 * Starts the real JupyterLab (the `jupyterlab-seed lab` command: the host built in lab/, Debian's
 * jupyter_server, the SEED extension and kernel) on a free loopback port for the whole test run, in a
 * fresh notebook folder and with fresh user settings. Tests reach it through SEED_LAB_URL.
 *
 * The token and XSRF checks are off (`--no-token-for-tests`, which the CLI allows on loopback only),
 * so that tests can call the REST API directly.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');
export const ARTIFACTS_DIR = join(ROOT, 'ui-tests', 'artifacts');
const READY_TIMEOUT_MS = 180_000;

/** A port nobody listens on right now (the OS picks it). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

async function waitForServer(url: string, child: ChildProcess, logFile: string): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) {
      throw new Error(`jupyterlab-seed lab exited with ${child.exitCode} before serving; see ${logFile}`);
    }
    try {
      if ((await fetch(`${url}/api`)).ok) {
        return;
      }
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error(`JupyterLab did not answer on ${url} within ${READY_TIMEOUT_MS / 1000} s; see ${logFile}`);
}

export default async function globalSetup(): Promise<() => Promise<void>> {
  mkdirSync(ARTIFACTS_DIR, { recursive: true });
  const workDir = mkdtempSync(join(tmpdir(), 'seed-ui-tests-'));
  const notebooks = join(workDir, 'notebooks');
  mkdirSync(notebooks);
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const logFile = join(ARTIFACTS_DIR, 'jupyterlab-server.log');
  const log = createWriteStream(logFile);
  const child = spawn(
    process.execPath,
    [
      join(ROOT, 'bin', 'jupyterlab-seed.js'),
      'lab',
      '--port',
      String(port),
      '--no-browser',
      '--no-token-for-tests',
      '--expose-app-in-browser',
      '--notebook-dir',
      notebooks,
      '--state-dir',
      join(workDir, 'lab-state')
    ],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] }
  );
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  await waitForServer(url, child, logFile);
  process.env.SEED_LAB_URL = url;
  process.env.SEED_LAB_NOTEBOOKS = notebooks;

  return async () => {
    if (child.exitCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      // The CLI stops the server and its kernels on SIGTERM.
      child.kill('SIGTERM');
      await exited;
    }
    rmSync(workDir, { recursive: true, force: true });
  };
}
