#!/usr/bin/env node
// Builds the JupyterLab host (lab/build/) once and again only when its inputs change.
//
//   node lab/build.mjs          install lab/node_modules if missing or stale, then build if needed
//   node lab/build.mjs --force  rebuild even when the inputs are unchanged
//
// The inputs are lab's lockfile, its webpack config and the host's own code; their hash is kept in
// lab/build/build-stamp.json, so CI and `npm start` can call this every time at no cost.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

const LAB_DIR = path.dirname(fileURLToPath(import.meta.url));
const { STAMP_FILE, STATIC_DIR } = createRequire(import.meta.url)('./layout.js');
const INPUTS = [
  'package.json',
  'package-lock.json',
  'webpack.config.js',
  'layout.js',
  'tsconfig.json',
  'app',
  'templates'
];

function listFiles(relative) {
  const absolute = path.join(LAB_DIR, relative);
  if (!fs.statSync(absolute).isDirectory()) {
    return [relative];
  }
  return fs
    .readdirSync(absolute)
    .sort()
    .flatMap((name) => listFiles(path.join(relative, name)));
}

function inputsHash() {
  const hash = createHash('sha256');
  for (const file of INPUTS.flatMap(listFiles)) {
    hash.update(`${file}\0`);
    hash.update(fs.readFileSync(path.join(LAB_DIR, file)));
    hash.update('\0');
  }
  return hash.digest('hex');
}

function run(command, args) {
  console.log(`[lab] ${command} ${args.join(' ')}`);
  const result = spawnSync(command, args, { cwd: LAB_DIR, stdio: 'inherit' });
  if (result.status !== 0) {
    throw new Error(`'${command} ${args.join(' ')}' failed in ${LAB_DIR} (exit ${result.status ?? result.signal}).`);
  }
}

/** npm ci records the installed tree in node_modules/.package-lock.json; it must match the lockfile. */
function dependenciesInstalled() {
  const installed = path.join(LAB_DIR, 'node_modules', '.package-lock.json');
  if (!fs.existsSync(installed)) {
    return false;
  }
  const wanted = JSON.parse(fs.readFileSync(path.join(LAB_DIR, 'package-lock.json'), 'utf8')).packages;
  const have = JSON.parse(fs.readFileSync(installed, 'utf8')).packages;
  return Object.entries(wanted).every(
    ([location, entry]) => !location || entry.optional || have[location]?.version === entry.version
  );
}

function readStamp() {
  try {
    return JSON.parse(fs.readFileSync(STAMP_FILE, 'utf8'));
  } catch {
    return undefined;
  }
}

function main() {
  const force = process.argv.includes('--force');
  if (!dependenciesInstalled()) {
    run('npm', ['ci', '--no-audit', '--no-fund']);
  }
  const hash = inputsHash();
  if (!force && readStamp()?.inputsHash === hash && fs.existsSync(path.join(STATIC_DIR, 'index.html'))) {
    console.log('[lab] JupyterLab host is up to date (lab/build/).');
    return;
  }
  const started = Date.now();
  run(process.execPath, [
    path.join('node_modules', 'webpack-cli', 'bin', 'cli.js'),
    '--config',
    'webpack.config.js',
    '--stats',
    'errors-warnings'
  ]);
  fs.writeFileSync(STAMP_FILE, JSON.stringify({ inputsHash: hash, builtAt: new Date().toISOString() }, null, 2) + '\n');
  console.log(`[lab] JupyterLab host built in ${((Date.now() - started) / 1000).toFixed(1)} s.`);
}

try {
  main();
} catch (error) {
  console.error(`[lab] ${error.message}`);
  process.exitCode = 1;
}
