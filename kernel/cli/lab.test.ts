import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import { createServer } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { UsageError } from './command';
import { LAB_DATA_DIR, LAB_HOST_DIR, labUrl, parseLabArgs, serverArguments, serverEnvironment, startLab } from './lab';

const temporary: string[] = [];

function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'seed-lab-'));
  temporary.push(dir);
  return dir;
}

test.after(() => temporary.forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })));

test('lab listens on 127.0.0.1:8888 with a fresh random token by default', () => {
  const first = parseLabArgs([]);
  const second = parseLabArgs([]);
  assert.equal(first.ip, '127.0.0.1');
  assert.equal(first.port, 8888);
  assert.match(first.token, /^[0-9a-f]{48}$/);
  assert.notEqual(first.token, second.token);
  assert.equal(first.openBrowser, true);
  assert.equal(first.disableXsrf, false);
  assert.equal(labUrl(first), `http://127.0.0.1:8888/lab?token=${first.token}`);
});

test('lab --open PATH opens that file, with its URL and the server landing page', () => {
  const options = parseLabArgs([
    '--open',
    'notebooks/My Example.ipynb',
    '--token',
    't0k',
    '--port',
    '9999',
    '--no-browser'
  ]);
  assert.equal(labUrl(options), 'http://127.0.0.1:9999/lab/tree/notebooks/My%20Example.ipynb?token=t0k');
  const args = serverArguments(options);
  assert.ok(args.includes('--SeedLabApp.default_url=/lab/tree/notebooks/My Example.ipynb'));
  assert.ok(args.includes('--ServerApp.open_browser=False'));
  assert.ok(args.includes('--ServerApp.port_retries=0'));
  assert.ok(args.includes('--ServerApp.token=t0k'));
  assert.ok(!args.includes('--ServerApp.disable_check_xsrf=True'));
});

test('--no-token-for-tests turns off the token and XSRF, on loopback addresses only', () => {
  const options = parseLabArgs(['--no-token-for-tests', '--ip', '127.0.0.2']);
  assert.equal(options.token, '');
  assert.equal(labUrl(options), 'http://127.0.0.2:8888/lab');
  assert.ok(serverArguments(options).includes('--ServerApp.disable_check_xsrf=True'));
  assert.ok(serverArguments(options).includes('--ServerApp.token='));
  assert.throws(() => parseLabArgs(['--no-token-for-tests', '--ip', '0.0.0.0']), {
    name: 'UsageError',
    message: /only listen on a loopback address/
  });
  assert.throws(() => parseLabArgs(['--no-token-for-tests', '--token', 'x']), UsageError);
});

test('lab rejects bad ports, folders, tokens and extra arguments with a usage error', () => {
  assert.throws(() => parseLabArgs(['--port', 'http']), { message: /--port http/ });
  assert.throws(() => parseLabArgs(['--port', '70000']), UsageError);
  assert.throws(() => parseLabArgs(['--notebook-dir', path.join(tempDir(), 'missing')]), { message: /no such folder/ });
  assert.throws(() => parseLabArgs(['--token', '']), { message: /--token is empty/ });
  assert.throws(() => parseLabArgs(['a.ipynb']), UsageError);
  assert.throws(() => parseLabArgs(['--open', '../outside.ipynb']), { message: /inside --notebook-dir/ });
  assert.throws(() => parseLabArgs(['--model', tempDir()]), { message: /no seed-model.json/ });
  assert.throws(() => parseLabArgs(['--verbose']), UsageError);
});

test('the server finds our Jupyter data folder first and the host package', () => {
  const env = serverEnvironment({ JUPYTER_PATH: '/elsewhere', PYTHONPATH: '' });
  assert.equal(env.JUPYTER_PATH, `${LAB_DATA_DIR}${path.delimiter}/elsewhere`);
  assert.equal(env.PYTHONPATH, LAB_HOST_DIR);
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

test('the bundled JupyterLab serves the SEED kernel, the prebuilt extension and /api/me', async () => {
  const port = await freePort();
  const options = parseLabArgs([
    '--port',
    String(port),
    '--no-browser',
    '--notebook-dir',
    tempDir(),
    '--state-dir',
    tempDir()
  ]);
  const server: ChildProcess = await startLab(options);
  const exited = new Promise((resolve) => server.once('exit', resolve));
  try {
    const base = `http://127.0.0.1:${port}`;
    const headers = { Authorization: `token ${options.token}` };
    assert.equal((await fetch(`${base}/api/kernelspecs`)).status, 403, 'the API must require the token');

    const specs = (await (await fetch(`${base}/api/kernelspecs`, { headers })).json()) as {
      default: string;
      kernelspecs: Record<string, { spec: { display_name: string } }>;
    };
    assert.equal(specs.default, 'seed');
    assert.equal(specs.kernelspecs.seed.spec.display_name, 'SEED (TypeScript)');

    const page = await (await fetch(`${base}/lab`, { headers })).text();
    const config = JSON.parse(/<script id="jupyter-config-data"[^>]*>([\s\S]*?)<\/script>/.exec(page)?.[1] ?? '{}');
    assert.deepEqual(
      config.federated_extensions.map((extension: { name: string }) => extension.name),
      ['jupyterlab-seed']
    );
    // Exactly one event manager runs: JupyterLab's (jupyter_server >= 2) or the host's silent one (1.x).
    const eventManagers = ['@jupyterlab/services-extension:event-manager', 'seed-lab-host:event-manager'];
    assert.equal(eventManagers.filter((id) => config.disabledExtensions.includes(id)).length, 1);

    const me = (await (await fetch(`${base}/api/me?permissions={"contents":["read"]}`, { headers })).json()) as {
      identity: { username: string };
      permissions: Record<string, string[]>;
    };
    assert.equal(me.identity.username, os.userInfo().username);
    assert.deepEqual(me.permissions, { contents: ['read'] });
  } finally {
    server.kill('SIGTERM');
    await exited;
  }
});
