import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { BUNDLED_MODEL_DIR } from './package-paths';

const GRAPH = path.join(BUNDLED_MODEL_DIR, 'tokenizer', 'decoder.onnx');

/** What one process that loads ONNX Runtime through `entry` and builds a session leaves behind. */
function telemetryTraces(entry: string): { debugLog: boolean; deviceFolder: boolean } {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'seed-ort-home-'));
  try {
    const script =
      `const m = require(${JSON.stringify(entry)}); const ort = m.ort ?? m;` +
      `ort.InferenceSession.create(${JSON.stringify(GRAPH)}).then((s) => s.release()).then(() => console.log(process.pid));`;
    // A bare environment: ONNX Runtime also keeps quiet when it sees CI variables (CI, GITHUB_ACTIONS, ...),
    // which would hide what a user's kernel does.
    const env = { PATH: process.env.PATH ?? '', HOME: home, XDG_CACHE_HOME: path.join(home, '.cache') };
    const run = spawnSync(process.execPath, ['-e', script], { env, encoding: 'utf8' });
    assert.equal(run.status, 0, run.stderr);
    const pid = run.stdout.trim();
    const debugLog = path.join('/tmp', `mat-debug-${pid}.log`);
    const traces = {
      debugLog: fs.existsSync(debugLog),
      deviceFolder: fs.existsSync(path.join(home, '.cache', 'Microsoft'))
    };
    fs.rmSync(debugLog, { force: true });
    return traces;
  } finally {
    fs.rmSync(home, { recursive: true, force: true });
  }
}

test('ONNX Runtime loaded through the runtime sends no telemetry and leaves no files behind', (t) => {
  const bare = telemetryTraces(require.resolve('onnxruntime-node'));
  if (!bare.debugLog && !bare.deviceFolder) {
    t.skip('this onnxruntime-node leaves no telemetry traces even when loaded directly: nothing to tell apart');
    return;
  }
  assert.deepEqual(telemetryTraces(path.join(__dirname, 'onnxruntime.js')), { debugLog: false, deviceFolder: false });
});
