// Brings a fresh checkout to a runnable state: Debian packages, npm dependencies, builds.
// `npm start` and `npm test` call this first, so a newcomer needs nothing but Node 20 and this repo.
// Every step is skipped when its result is already there, so a second run costs seconds.
//
// Only Node's standard library is used here: this runs before node_modules exists.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Environment for npm installs: never let a package fetch binaries from outside the npm registry. */
const INSTALL_ENV = {
  ...process.env,
  ONNXRUNTIME_NODE_INSTALL: 'skip',
  PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD: '1'
};

function log(message) {
  console.log(`[setup] ${message}`);
}

/** Runs a command with inherited output; throws with the command line when it fails. */
export function run(command, args, options = {}) {
  const result = spawnSync(command, args, { stdio: 'inherit', cwd: ROOT, ...options });
  if (result.error) {
    throw new Error(`could not run ${command}: ${result.error.message}`);
  }
  if (result.status !== 0) {
    throw new Error(`'${command} ${args.join(' ')}' exited with ${result.status ?? result.signal}`);
  }
}

function checkNode() {
  const major = Number(process.versions.node.split('.')[0]);
  if (major < 20) {
    throw new Error(`Node ${process.versions.node} is too old: jupyterlab-seed needs Node 20 or newer.`);
  }
}

function wantedSystemPackages() {
  return readFileSync(join(ROOT, 'scripts', 'system-packages.txt'), 'utf8')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'));
}

function missingSystemPackages(packages) {
  const query = spawnSync('dpkg-query', ['-W', '-f=${Package} ${db:Status-Status}\n', ...packages], {
    encoding: 'utf8'
  });
  const installed = new Set(
    query.stdout
      .split('\n')
      .filter((line) => line.endsWith(' installed'))
      .map((line) => line.split(' ')[0])
  );
  return packages.filter((name) => !installed.has(name));
}

function ensureSystemPackages() {
  if (process.env.SEED_SKIP_SYSTEM_PACKAGES === '1') {
    log('SEED_SKIP_SYSTEM_PACKAGES=1: not checking Debian packages');
    return;
  }
  if (spawnSync('dpkg-query', ['--version']).status !== 0) {
    log(
      'this is not a Debian-like system: install Jupyter Server >= 1.23, jupyterlab_server, jupyter_client, ' +
        'pytest and Chromium yourself (see README), then set SEED_SKIP_SYSTEM_PACKAGES=1'
    );
    return;
  }
  const missing = missingSystemPackages(wantedSystemPackages());
  if (missing.length === 0) {
    return;
  }
  const command = `apt-get update && apt-get install -y --no-install-recommends ${missing.join(' ')}`;
  if (process.getuid?.() !== 0) {
    throw new Error(`missing Debian packages: ${missing.join(' ')}.\nInstall them with: sudo sh -c '${command}'`);
  }
  log(`installing Debian packages: ${missing.join(' ')}`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  run('apt-get', ['update', '-qq'], { env });
  run('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...missing], { env });
}

/** npm ci in `folder` unless its node_modules already matches its package-lock.json. */
export function ensureNpmDependencies(folder = ROOT) {
  const lock = join(folder, 'package-lock.json');
  const installedLock = join(folder, 'node_modules', '.package-lock.json');
  if (existsSync(installedLock) && statSync(installedLock).mtimeMs >= statSync(lock).mtimeMs) {
    return;
  }
  log(`installing npm dependencies in ${relative(ROOT, folder) || '.'}`);
  run('npm', ['ci', '--no-audit', '--no-fund'], { cwd: folder, env: INSTALL_ENV });
}

/** A hash of every file under the given paths, to rebuild only when sources changed. */
export function hashSources(paths) {
  const hash = createHash('sha256');
  const visit = (path) => {
    if (!existsSync(path)) {
      return;
    }
    if (statSync(path).isDirectory()) {
      for (const entry of readdirSync(path).sort()) {
        if (entry !== 'node_modules' && entry !== '__pycache__') {
          visit(join(path, entry));
        }
      }
    } else {
      hash.update(relative(ROOT, path));
      hash.update(readFileSync(path));
    }
  };
  paths.forEach((path) => visit(join(ROOT, path)));
  return hash.digest('hex');
}

/** Runs `build` unless the sources hash to what `stampFile` recorded after the last build. */
function buildIfChanged(name, sources, stampFile, build) {
  const digest = hashSources(sources);
  const stamp = join(ROOT, stampFile);
  if (existsSync(stamp) && readFileSync(stamp, 'utf8') === digest) {
    log(`${name} is up to date`);
    return;
  }
  log(`building ${name}`);
  build();
  writeFileSync(stamp, digest);
}

export function ensureBuilt() {
  buildIfChanged('the kernel and CLI', ['kernel', 'package.json'], 'dist/.build-stamp', () =>
    run('npm', ['run', '--silent', 'build:kernel'])
  );
  run(process.execPath, [join(ROOT, 'lab', 'build.mjs')]);
  buildIfChanged(
    'the labextension',
    ['src', 'schema', 'style', 'package.json', 'tsconfig.json', 'kernel/protocol'],
    'labextension/.build-stamp',
    () => run('npm', ['run', '--silent', 'build:labextension'])
  );
}

export function setup() {
  checkNode();
  ensureSystemPackages();
  ensureNpmDependencies();
  ensureBuilt();
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  try {
    setup();
  } catch (error) {
    console.error(`[setup] ${error.message}`);
    process.exit(1);
  }
}
