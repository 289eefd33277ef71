#!/usr/bin/env node
// Builds the prebuilt (federated) JupyterLab extension from lib/ (compiled from src/ by `tsc -p .`) into
// labextension/, the folder `jupyterlab-seed install` copies into a Jupyter data folder.
//
//   node scripts/build-labextension.mjs [--development] [--source-map]
//
// @jupyterlab/builder needs the "core" application the extension will run in (`--core-path`). It reads
// only that folder's package.json: its dependencies and resolutions become the shared modules the
// extension takes from JupyterLab instead of bundling, and its singletonPackages are shared as single
// copies. lab/package.json is that of the standard JupyterLab 4.6 we develop and test in; lab's
// node_modules are not needed for this step.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const CORE_PATH = join(ROOT, 'lab');
const BUILDER = join(ROOT, 'node_modules', '@jupyterlab', 'builder', 'lib', 'build-labextension.js');
const PASSED_THROUGH = new Set(['--development', '--source-map']);

function check() {
  const corePackage = join(CORE_PATH, 'package.json');
  if (!existsSync(corePackage)) {
    throw new Error(`${corePackage} is missing: it describes the JupyterLab the extension is built against.`);
  }
  if (!JSON.parse(readFileSync(corePackage, 'utf8')).jupyterlab?.singletonPackages) {
    throw new Error(`${corePackage} has no jupyterlab.singletonPackages; it must be the lab host's package.json.`);
  }
  if (!existsSync(BUILDER)) {
    throw new Error(`@jupyterlab/builder is not installed (${BUILDER}). Run 'npm ci' in the checkout.`);
  }
  const { main } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
  if (!existsSync(join(ROOT, main))) {
    throw new Error(`${main} is missing: compile the frontend first with 'npx tsc -p .' (npm run build:lib).`);
  }
  const unknown = process.argv.slice(2).filter((arg) => !PASSED_THROUGH.has(arg));
  if (unknown.length > 0) {
    throw new Error(`unknown option(s) ${unknown.join(' ')}; the options are ${[...PASSED_THROUGH].join(', ')}.`);
  }
}

function main() {
  check();
  const started = Date.now();
  const args = [BUILDER, '--core-path', CORE_PATH, ...process.argv.slice(2), ROOT];
  const result = spawnSync(process.execPath, args, { cwd: ROOT, stdio: 'inherit' });
  if (result.status !== 0) {
    throw new Error(`@jupyterlab/builder failed (exit ${result.status ?? result.signal}); see its output above.`);
  }
  console.log(`[labextension] built labextension/ in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

try {
  main();
} catch (error) {
  console.error(`[labextension] ${error.message}`);
  process.exitCode = 1;
}
