import { ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { CliCommand, UsageError } from './command';
import { installInto, KERNEL_NAME } from './install';
import { PACKAGE_ROOT } from '../runtime/package-paths';
import { SYSTEM_PYTHON } from './paths';

/** The JupyterLab host of a checkout (lab/): the standard JupyterLab built from npm, served by Python. */
export const LAB_HOST_DIR = path.join(PACKAGE_ROOT, 'lab');
const LAB_HOST_INDEX = path.join(LAB_HOST_DIR, 'build', 'static', 'index.html');

/**
 * The Jupyter data folder the host reads kernelspecs and prebuilt extensions from. It lives in the
 * checkout's ignored .cache/ so that running the host never touches the user's own Jupyter set-up.
 */
export const LAB_DATA_DIR = path.join(PACKAGE_ROOT, '.cache', 'jupyter');
const DEFAULT_STATE_DIR = path.join(LAB_DATA_DIR, 'lab');

const READY_TIMEOUT_MS = 120_000;
const STOP_TIMEOUT_MS = 15_000;

const USAGE = `Usage: jupyterlab-seed lab [options]

Starts the JupyterLab bundled with a jupyterlab-seed checkout (lab/), with the SEED extension and the
'seed' kernel installed into a private Jupyter folder (.cache/jupyter/), and prints its URL.

Options:
  --port N                 port to listen on (default 8888); fails if it is taken
  --ip ADDRESS             address to listen on (default 127.0.0.1)
  --notebook-dir DIR       folder JupyterLab shows (default: the current folder)
  --open PATH              file to open in JupyterLab, relative to --notebook-dir
  --token TOKEN            the access token (default: a new random one)
  --model DIR              model folder the SEED kernel loads by default (else the bundled seed-nano)
  --state-dir DIR          where this JupyterLab keeps user settings and workspaces
                           (default .cache/jupyter/lab in the checkout)
  --no-browser             do not open a browser
  --expose-app-in-browser  make the application reachable as window.jupyterapp (for tests and debugging)
  --no-token-for-tests     no token and no XSRF check: only for a test harness on a loopback address`;

export interface LabOptions {
  port: number;
  ip: string;
  notebookDir: string;
  /** '' turns authentication off (loopback test servers only). */
  token: string;
  openPath?: string;
  model?: string;
  stateDir: string;
  openBrowser: boolean;
  exposeAppInBrowser: boolean;
  /** Turns off the XSRF check, which test helpers that call the REST API directly would trip. */
  disableXsrf: boolean;
}

export function isLoopback(ip: string): boolean {
  return ip === 'localhost' || ip === '::1' || /^127\.\d+\.\d+\.\d+$/.test(ip);
}

export function parseLabArgs(args: string[]): LabOptions {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      options: {
        port: { type: 'string' },
        ip: { type: 'string' },
        'notebook-dir': { type: 'string' },
        open: { type: 'string' },
        token: { type: 'string' },
        model: { type: 'string' },
        'state-dir': { type: 'string' },
        'no-browser': { type: 'boolean' },
        'expose-app-in-browser': { type: 'boolean' },
        'no-token-for-tests': { type: 'boolean' }
      },
      strict: true,
      allowPositionals: false
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { values } = parsed;
  const port = Number(values.port ?? '8888');
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new UsageError(`--port ${values.port}: give a port number between 1 and 65535.`);
  }
  const ip = values.ip ?? '127.0.0.1';
  const noToken = values['no-token-for-tests'] === true;
  if (noToken && values.token !== undefined) {
    throw new UsageError('--token and --no-token-for-tests cannot be used together; pick one.');
  }
  if (noToken && !isLoopback(ip)) {
    throw new UsageError(
      `--no-token-for-tests is refused with --ip ${ip}: a server without a token may only listen on a loopback address.`
    );
  }
  if (values.token !== undefined && values.token.length === 0) {
    throw new UsageError('--token is empty; give a token, or leave --token out to get a random one.');
  }
  const notebookDir = path.resolve(values['notebook-dir'] ?? process.cwd());
  if (!fs.statSync(notebookDir, { throwIfNoEntry: false })?.isDirectory()) {
    throw new UsageError(`--notebook-dir ${notebookDir}: no such folder.`);
  }
  if (values.open !== undefined && (path.isAbsolute(values.open) || values.open.split('/').includes('..'))) {
    throw new UsageError(`--open ${values.open}: give a path inside --notebook-dir, relative to it.`);
  }
  if (values.model !== undefined && !fs.existsSync(path.join(values.model, 'seed-model.json'))) {
    throw new UsageError(`--model ${values.model}: no seed-model.json there. Point it at a SEED model folder.`);
  }
  return {
    port,
    ip,
    notebookDir,
    token: noToken ? '' : (values.token ?? randomBytes(24).toString('hex')),
    openPath: values.open,
    model: values.model,
    stateDir: path.resolve(values['state-dir'] ?? DEFAULT_STATE_DIR),
    openBrowser: values['no-browser'] !== true,
    exposeAppInBrowser: values['expose-app-in-browser'] === true,
    disableXsrf: noToken
  };
}

/** The address users open: JupyterLab (or PATH in it), with the token that logs them in. */
export function labUrl(options: LabOptions): string {
  const host = options.ip.includes(':') ? `[${options.ip}]` : options.ip;
  const page = options.openPath ? `lab/tree/${options.openPath.split('/').map(encodeURIComponent).join('/')}` : 'lab';
  const query = options.token ? `?token=${options.token}` : '';
  return `http://${host}:${options.port}/${page}${query}`;
}

/** The jupyter_server command line for the host app (lab/seed_lab_host). */
export function serverArguments(options: LabOptions): string[] {
  const args = [
    '-m',
    'seed_lab_host',
    `--ServerApp.ip=${options.ip}`,
    `--ServerApp.port=${options.port}`,
    // A taken port is an error: the printed URL and test harnesses rely on the port asked for.
    '--ServerApp.port_retries=0',
    `--ServerApp.root_dir=${options.notebookDir}`,
    `--ServerApp.token=${options.token}`,
    `--ServerApp.open_browser=${options.openBrowser ? 'True' : 'False'}`,
    // New notebooks get the SEED kernel without asking (Debian's server would default to a missing python3).
    `--MappingKernelManager.default_kernel_name=${KERNEL_NAME}`,
    `--SeedLabApp.state_dir=${options.stateDir}`,
    `--SeedLabApp.expose_app_in_browser=${options.exposeAppInBrowser ? 'True' : 'False'}`
  ];
  if (options.openPath) {
    args.push(`--SeedLabApp.default_url=/lab/tree/${options.openPath}`);
  }
  if (options.disableXsrf) {
    args.push('--ServerApp.disable_check_xsrf=True');
  }
  // jupyter_server refuses to run as root unless told; CI and containers run as root.
  if (process.getuid?.() === 0) {
    args.push('--ServerApp.allow_root=True');
  }
  return args;
}

/** The host's environment: our data folder first on JUPYTER_PATH, the host's Python package importable. */
export function serverEnvironment(base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const prepend = (value: string, existing: string | undefined) =>
    existing ? `${value}${path.delimiter}${existing}` : value;
  return {
    ...base,
    JUPYTER_PATH: prepend(LAB_DATA_DIR, base.JUPYTER_PATH),
    PYTHONPATH: prepend(LAB_HOST_DIR, base.PYTHONPATH)
  };
}

function checkHostBuilt(): void {
  if (!fs.existsSync(path.join(LAB_HOST_DIR, 'seed_lab_host'))) {
    throw new Error(
      `The bundled JupyterLab is only part of a jupyterlab-seed checkout (${LAB_HOST_DIR} is missing). ` +
        "With your own JupyterLab >= 4, run 'jupyterlab-seed install' and start it as usual."
    );
  }
  if (!fs.existsSync(LAB_HOST_INDEX)) {
    throw new Error(
      `The JupyterLab host is not built (${LAB_HOST_INDEX} is missing). Run 'node lab/build.mjs' ` +
        "(or 'npm start', which builds everything) in the checkout."
    );
  }
}

/** Resolves once the server answers on its REST API; rejects if it exits or stays silent too long. */
async function waitUntilServing(child: ChildProcess, options: LabOptions): Promise<void> {
  const host = options.ip.includes(':') ? `[${options.ip}]` : options.ip;
  const probe = `http://${host}:${options.port}/api`;
  const exited = new Promise<never>((_, reject) => {
    child.once('exit', (code, signal) =>
      reject(
        new Error(
          `The JupyterLab server stopped before serving (exit ${code ?? signal}); see its log above. ` +
            `If port ${options.port} is taken, pick another with --port.`
        )
      )
    );
  });
  const deadline = Date.now() + READY_TIMEOUT_MS;
  const poll = async (): Promise<void> => {
    while (Date.now() < deadline) {
      try {
        if ((await fetch(probe)).ok) {
          return;
        }
      } catch {
        // Not listening yet.
      }
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    throw new Error(`The JupyterLab server did not answer on ${probe} within ${READY_TIMEOUT_MS / 1000} s.`);
  };
  await Promise.race([poll(), exited]);
}

/**
 * Stops the server with SIGTERM, which jupyter_server handles by shutting its kernels down; SIGKILL
 * only if it does not stop in time. The server runs in its own process group (see `startLab`), so
 * the kill reaches the whole group.
 */
function stopServer(child: ChildProcess): void {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) {
    return;
  }
  const pid = child.pid;
  signalGroup(pid, 'SIGTERM');
  setTimeout(() => {
    if (child.exitCode === null && child.signalCode === null) {
      signalGroup(pid, 'SIGKILL');
    }
  }, STOP_TIMEOUT_MS).unref();
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch (error) {
    // ESRCH: the group is already gone, which is what we wanted.
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') {
      throw error;
    }
  }
}

/** Installs the extension and kernel into the private data folder, starts the server and waits for it. */
export async function startLab(options: LabOptions): Promise<ChildProcess> {
  checkHostBuilt();
  // A copy, as a user's install would be: a rebuild of labextension/ while this server runs cannot
  // leave its pages with a half-written extension. Restart the command to pick up a rebuild.
  installInto(LAB_DATA_DIR, { model: options.model });
  fs.mkdirSync(options.stateDir, { recursive: true });
  const child = spawn(SYSTEM_PYTHON, serverArguments(options), {
    env: serverEnvironment(),
    // `python -m` puts the working folder first on sys.path, where a stray timeit.py or similar would
    // shadow the standard library; the host's own folder holds only the host.
    cwd: LAB_HOST_DIR,
    // Its own process group: a Ctrl-C in the terminal reaches only us, and we stop the server cleanly
    // with SIGTERM (jupyter_server would otherwise ask for confirmation, or leave its kernels running).
    detached: true,
    stdio: ['ignore', 'inherit', 'inherit']
  });
  child.once('error', (error) => {
    console.error(`jupyterlab-seed lab: could not start ${SYSTEM_PYTHON}: ${error.message}`);
  });
  process.once('exit', () => stopServer(child));
  try {
    await waitUntilServing(child, options);
  } catch (error) {
    stopServer(child);
    throw error;
  }
  return child;
}

export const labCommand: CliCommand = {
  name: 'lab',
  summary: 'start the bundled JupyterLab with the SEED extension and kernel (in a checkout)',
  usage: USAGE,
  async run(args) {
    const options = parseLabArgs(args);
    const child = await startLab(options);
    console.log(`\nJupyterLab with SEED is running. Open it at:\n\n    ${labUrl(options)}\n\nPress Ctrl-C to stop it.`);
    const stopped = new Promise<number>((resolve) => {
      child.once('exit', (code, signal) => resolve(code === 0 || signal === 'SIGTERM' ? 0 : (code ?? 1)));
    });
    let stopping = false;
    const onSignal = (): void => {
      if (stopping) {
        // A second Ctrl-C: do not wait for kernels to shut down.
        if (child.pid !== undefined) {
          signalGroup(child.pid, 'SIGKILL');
        }
        return;
      }
      stopping = true;
      console.log('\nStopping JupyterLab (and its kernels)...');
      stopServer(child);
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    try {
      return await stopped;
    } finally {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
  }
};
