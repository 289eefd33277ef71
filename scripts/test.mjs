// `npm test`: sets the checkout up (scripts/setup.mjs), then runs every test suite and ends with
// one summary line, `N passed, N failed, N skipped`, which CI reads.
//
// Suites are discovered by convention, so adding a test never means editing this file:
//   node    dist/**/*.test.js (compiled from kernel/**/*.test.ts), models/**/*.test.mjs and scripts/*.test.mjs
//   web     src/**/*.test.ts, the frontend's unit tests, @web/test-runner in Debian's Chromium
//   python  test_*.py under kernel/ and models/, through Debian's pytest
//   ui      ui-tests/tests/*.spec.ts, Playwright in Debian's Chromium against the real JupyterLab
//   lint    ESLint and Prettier over the whole checkout, one test each
//
// Usage: node scripts/test.mjs [node|web|python|ui|lint ...]   (default: all suites)
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { ROOT, setup } from './setup.mjs';

const SKIPPED_FOLDERS = new Set(['node_modules', 'work', '__pycache__', '.cache', 'lib', 'labextension']);

function findFiles(folder, matches) {
  const found = [];
  const visit = (path) => {
    if (!existsSync(path)) {
      return;
    }
    for (const entry of readdirSync(path).sort()) {
      const full = join(path, entry);
      if (statSync(full).isDirectory()) {
        if (!SKIPPED_FOLDERS.has(entry)) {
          visit(full);
        }
      } else if (matches(entry)) {
        found.push(relative(ROOT, full));
      }
    }
  };
  visit(join(ROOT, folder));
  return found;
}

function spawn(command, args, env = {}) {
  const result = spawnSync(command, args, {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
    env: { ...process.env, ...env }
  });
  process.stdout.write(result.stdout ?? '');
  process.stderr.write(result.stderr ?? '');
  return result;
}

function count(text, pattern) {
  const match = text.match(pattern);
  return match ? Number(match[1]) : 0;
}

const SUITES = {
  node() {
    const files = [
      ...findFiles('dist', (name) => name.endsWith('.test.js')),
      ...findFiles('models', (name) => name.endsWith('.test.mjs')),
      ...findFiles('scripts', (name) => name.endsWith('.test.mjs'))
    ];
    if (files.length === 0) {
      return { passed: 0, failed: 0, skipped: 0 };
    }
    const result = spawn(process.execPath, ['--test', '--test-reporter=tap', ...files]);
    const out = result.stdout ?? '';
    const summary = {
      passed: count(out, /^# pass (\d+)/m),
      failed: count(out, /^# fail (\d+)/m) + count(out, /^# cancelled (\d+)/m),
      skipped: count(out, /^# skipped (\d+)/m) + count(out, /^# todo (\d+)/m)
    };
    return crashedIfSilent(summary, result);
  },

  web() {
    if (findFiles('src', (name) => name.endsWith('.test.ts')).length === 0) {
      return { passed: 0, failed: 0, skipped: 0 };
    }
    // Written by the JUnit reporter of web-test-runner.config.mjs.
    const report = join(ROOT, '.cache', 'web-test-report.xml');
    rmSync(report, { force: true });
    const result = spawn(join(ROOT, 'node_modules', '.bin', 'web-test-runner'), [
      '--config',
      'web-test-runner.config.mjs'
    ]);
    if (!existsSync(report)) {
      return {
        passed: 0,
        failed: 1,
        skipped: 0,
        note: `web-test-runner exited with ${result.status} and wrote no report`
      };
    }
    // One <testcase> per test, holding a <failure> or <skipped> element when it did not pass (the reporter's
    // own `errors` attribute repeats failures, so elements are counted). A test file that fails to load is
    // missing from the report; the runner's exit status then counts it as a failure (crashedIfSilent).
    const xml = readFileSync(report, 'utf8');
    const elements = (name) => (xml.match(new RegExp(`<${name}[ >/]`, 'g')) ?? []).length;
    const failed = elements('failure');
    const skipped = elements('skipped');
    return crashedIfSilent({ passed: elements('testcase') - failed - skipped, failed, skipped }, result);
  },

  python() {
    const files = [...findFiles('kernel', isPythonTest), ...findFiles('models', isPythonTest)];
    if (files.length === 0) {
      return { passed: 0, failed: 0, skipped: 0 };
    }
    const report = join(ROOT, '.cache', 'pytest-report.xml');
    mkdirSync(join(ROOT, '.cache'), { recursive: true });
    rmSync(report, { force: true });
    const result = spawn(
      '/usr/bin/python3',
      ['-m', 'pytest', '-q', '-p', 'no:cacheprovider', `--junitxml=${report}`, ...files],
      {
        OMP_WAIT_POLICY: 'PASSIVE'
      }
    );
    if (!existsSync(report)) {
      return { passed: 0, failed: 1, skipped: 0, note: `pytest exited with ${result.status} and wrote no report` };
    }
    const xml = readFileSync(report, 'utf8');
    const attribute = (name) => count(xml, new RegExp(`<testsuite [^>]*\\b${name}="(\\d+)"`));
    const failed = attribute('failures') + attribute('errors');
    const skipped = attribute('skipped');
    return { passed: attribute('tests') - failed - skipped, failed, skipped };
  },

  ui() {
    if (findFiles('ui-tests/tests', (name) => name.endsWith('.spec.ts')).length === 0) {
      return { passed: 0, failed: 0, skipped: 0 };
    }
    const report = join(ROOT, 'ui-tests', 'artifacts', 'results.json');
    rmSync(report, { force: true });
    const result = spawn(join(ROOT, 'node_modules', '.bin', 'playwright'), ['test', '-c', 'ui-tests']);
    if (!existsSync(report)) {
      return { passed: 0, failed: 1, skipped: 0, note: `playwright exited with ${result.status} and wrote no report` };
    }
    const { stats } = JSON.parse(readFileSync(report, 'utf8'));
    return {
      passed: stats.expected + stats.flaky,
      failed: stats.unexpected,
      skipped: stats.skipped
    };
  },

  lint() {
    const bin = (name) => join(ROOT, 'node_modules', '.bin', name);
    const checks = [spawn(bin('eslint'), ['.']), spawn(bin('prettier'), ['--check', '.'])];
    const failed = checks.filter((result) => result.status !== 0).length;
    return { passed: checks.length - failed, failed, skipped: 0 };
  }
};

function isPythonTest(name) {
  return name.startsWith('test_') && name.endsWith('.py');
}

/** A runner that died before reporting anything counts as one failure, never as a silent pass. */
function crashedIfSilent(summary, result) {
  if (result.status !== 0 && summary.failed === 0) {
    return { ...summary, failed: 1, note: `runner exited with ${result.status ?? result.signal}` };
  }
  return summary;
}

function main() {
  const requested = process.argv.slice(2);
  const unknown = requested.filter((name) => !(name in SUITES));
  if (unknown.length > 0) {
    console.error(`unknown suite(s): ${unknown.join(', ')}; choose from ${Object.keys(SUITES).join(', ')}`);
    process.exit(2);
  }
  try {
    setup();
  } catch (error) {
    console.error(`[setup] ${error.message}`);
    console.log('0 passed, 1 failed');
    process.exit(1);
  }

  // Hashes and optimized graphs of the tests' models (many in temporary folders) go to a cache of the run's
  // own, not the user's ~/.cache/jupyterlab-seed; every suite, and the kernels they start, inherit it.
  const ownCache = process.env.SEED_CACHE_DIR ? null : mkdtempSync(join(tmpdir(), 'seed-test-cache-'));
  if (ownCache) {
    process.env.SEED_CACHE_DIR = ownCache;
  }
  // The product turns ONNX Runtime's telemetry off in kernel/runtime/onnxruntime.ts; the tools the tests also
  // run (models/export/*.mjs, the parity test) load onnxruntime-node directly, so the run sets it for them.
  process.env.ORT_DISABLE_TELEMETRY ??= '1';
  const totals = { passed: 0, failed: 0, skipped: 0 };
  const lines = [];
  for (const name of requested.length > 0 ? requested : Object.keys(SUITES)) {
    console.log(`\n=== ${name} tests ===`);
    const started = Date.now();
    let summary;
    try {
      summary = SUITES[name]();
    } catch (error) {
      summary = { passed: 0, failed: 1, skipped: 0, note: error.message };
    }
    const seconds = ((Date.now() - started) / 1000).toFixed(0);
    lines.push(
      `  ${name.padEnd(7)} ${summary.passed} passed, ${summary.failed} failed, ${summary.skipped} skipped (${seconds} s)` +
        (summary.note ? ` - ${summary.note}` : '')
    );
    totals.passed += summary.passed;
    totals.failed += summary.failed;
    totals.skipped += summary.skipped;
  }
  if (ownCache) {
    rmSync(ownCache, { recursive: true, force: true });
  }
  console.log(`\nSummary:\n${lines.join('\n')}`);
  console.log(`${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`);
  process.exit(totals.failed > 0 || totals.passed === 0 ? 1 : 0);
}

main();
