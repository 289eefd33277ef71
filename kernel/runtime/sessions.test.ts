import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ort } from './onnxruntime';
import { SeedModelError, SeedOutOfMemoryError } from './errors';
import { chooseExecutionProvider, cpuSessionOptions, graphRunError } from './sessions';

const cudaUsable = (() => {
  try {
    return chooseExecutionProvider(['cuda']).name === 'cuda';
  } catch {
    return false;
  }
})();

test('cpu is always available', () => {
  assert.deepEqual(chooseExecutionProvider(['cpu']), { name: 'cpu', reason: 'CPU requested.' });
});

test(
  'without the CUDA provider installed, cuda falls back to cpu and says why',
  { skip: cudaUsable && 'CUDA EP installed' },
  () => {
    const cuda = ort.listSupportedBackends().find((b) => b.name === 'cuda');
    const choice = chooseExecutionProvider(['cuda', 'cpu']);
    assert.equal(choice.name, 'cpu');
    if (cuda) {
      assert.match(
        choice.reason,
        /does not bundle the CUDA execution provider \(listSupportedBackends: cuda bundled:false\)/
      );
      assert.match(choice.reason, /--onnxruntime-node-install=cuda12/);
    }
    assert.match(choice.reason, /Running on CPU\.$/);
    assert.throws(
      () => chooseExecutionProvider(['cuda']),
      (e: Error) => e instanceof SeedModelError && /Add 'cpu'/.test(e.message)
    );
  }
);

test("ORT's CUDA out-of-memory messages become SeedOutOfMemoryError with advice", () => {
  const file = { field: 'diffusion.unet.path', path: '/models/sd/unet/model.onnx' };
  for (const message of [
    '[ONNXRuntimeError] : 6 : RUNTIME_EXCEPTION : CUDA failure 2: out of memory ; GPU=0',
    'Failed to allocate memory for requested buffer of size 1073741824',
    'BFCArena::AllocateRawInternal Available memory of 0 is smaller than requested bytes of 838860800'
  ]) {
    const error = graphRunError(file, new Error(message));
    assert.ok(error instanceof SeedOutOfMemoryError, message);
    assert.match(error.message, /The GPU ran out of memory running model\.onnx \(diffusion\.unet\.path\)/);
    assert.match(error.message, /executionProviders: \['cpu'\]/);
  }
  const other = graphRunError(file, new Error('Got invalid dimensions for input: sample'));
  assert.ok(other instanceof SeedModelError);
  assert.match(
    other.message,
    /Running \/models\/sd\/unet\/model\.onnx \(diffusion\.unet\.path\) failed: Got invalid dimensions/
  );
});

test('session options carry the thread count, one inter-op thread, sequential execution and the spinning', () => {
  const options = cpuSessionOptions({ count: 3, spin: true });
  assert.equal(options.intraOpNumThreads, 3);
  assert.equal(options.interOpNumThreads, 1);
  assert.equal(options.executionMode, 'sequential');
  // Spinning, when chosen, ends with each call: an idle kernel uses no CPU.
  assert.deepEqual(options.extra, {
    session: { intra_op: { allow_spinning: '1' }, inter_op: { allow_spinning: '0' }, force_spinning_stop: '1' }
  });
  const sleeping = cpuSessionOptions({ count: 2, spin: false });
  assert.equal(
    (sleeping.extra as { session: { intra_op: { allow_spinning: string } } }).session.intra_op.allow_spinning,
    '0'
  );
});
