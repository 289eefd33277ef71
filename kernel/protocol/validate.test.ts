import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkSettings, readCommRequest } from './validate';
import { DEFAULT_KERNEL_SETTINGS, resolveDecodeParams } from './settings';
import { checkDecodeParams, WIRE_LIMITS } from './vocabulary';

function refused(data: unknown): { id: string | null; message: string } {
  const read = readCommRequest(data);
  assert.equal(read.ok, false, `expected ${JSON.stringify(data).slice(0, 80)} to be refused`);
  return read as { id: string | null; message: string };
}

const decode = (params: unknown) => ({ type: 'decode', id: 'd1', codes: [1, 2, 3], params });

describe('comm requests are read against the protocol before use', () => {
  it('accepts each request type in its documented shape', () => {
    for (const request of [
      { type: 'configure', id: 'a', settings: { topK: 8, sampler: 'ddim' } },
      { type: 'info', id: 'b' },
      { type: 'use-model', id: 'c', model: 'seed-nano' },
      decode({ steps: 5, sampler: 'euler', guidance: 2, seed: 1 }),
      { type: 'cancel', id: 'e', target: 'd1' }
    ]) {
      assert.deepEqual(readCommRequest(request), { ok: true, request });
    }
  });

  it('refuses fields the schema does not allow, naming them and the allowed ones', () => {
    const { id, message } = refused(decode({ steps: 5, size: [4096, 4096] }));
    assert.equal(id, 'd1');
    assert.match(message, /params has a field "size" that is not allowed \(allowed: sampler, steps, guidance, seed\)/);
  });

  it('refuses values out of range with the range and why', () => {
    assert.match(
      refused(decode({ guidance: 1e308 })).message,
      /params.guidance must be a number >= 0 and at most 100 \(useful scales are 1 to about 20/
    );
    assert.match(refused(decode({ steps: 0 })).message, /params.steps must be a whole number from 1 to 500/);
    assert.match(
      refused({ type: 'configure', id: 'c', settings: { previewEvery: -5 } }).message,
      /settings.previewEvery must be a whole number >= 0 and at most 1000; got -5/
    );
    assert.match(
      refused({ type: 'configure', id: 'c', settings: { topK: -1 } }).message,
      /settings.topK must be a whole number from 1 to 64; got -1/
    );
  });

  it('refuses wrong types and missing fields', () => {
    assert.match(refused(decode('steps=5')).message, /params must be an object; got "steps=5"/);
    assert.match(refused({ type: 'decode', id: 'x', params: {} }).message, /is missing 'codes'/);
    assert.match(refused(decode({ steps: 5.5 })).message, /params.steps must be a whole number/);
  });

  it('answers unreadable messages with id null', () => {
    assert.equal(refused('not an object').id, null);
    assert.equal(refused([1, 2]).id, null);
    assert.match(refused({ type: 'info' }).message, /no usable 'id'/);
    assert.equal(refused({ type: 'info', id: 7 }).id, null);
    assert.equal(refused({ type: 'info', id: 'x'.repeat(WIRE_LIMITS.idLength + 1) }).id, null);
  });

  it('quotes at most a short prefix of a huge value', () => {
    const huge = 'y'.repeat(5_000_000);
    for (const message of [
      refused({ type: huge, id: 'a' }).message,
      refused(decode({ sampler: huge })).message,
      refused({ type: 'info', id: huge }).message
    ]) {
      assert.ok(message.length < 1200, `message of ${message.length} characters`);
    }
    const long = 'y'.repeat(5000);
    assert.match(refused({ type: long, id: 'a' }).message, /Unknown request type "y{39}… \(5002 characters\):/);
  });

  it('refuses a message larger than the wire limit', () => {
    const codes = new Array(1000).fill(1);
    const big = { type: 'info', id: 'a', padding: 'z'.repeat(WIRE_LIMITS.messageBytes) };
    assert.match(refused(big).message, /at most 1048576/);
    assert.ok(readCommRequest({ type: 'decode', id: 'd', codes, params: {} }).ok);
  });
});

describe('settings and decode parameters', () => {
  it('checks complete settings', () => {
    assert.deepEqual(checkSettings(DEFAULT_KERNEL_SETTINGS), DEFAULT_KERNEL_SETTINGS);
    assert.throws(
      () => checkSettings({ ...DEFAULT_KERNEL_SETTINGS, executionProviders: ['tpu'] }),
      /must be one of cuda, cpu/
    );
  });

  it('explicit values win, then settings that choose, then the model', () => {
    const model = { sampler: 'plms', steps: 25, guidance: 2, seed: 7 } as const;
    const settings = { ...DEFAULT_KERNEL_SETTINGS };
    assert.deepEqual(
      resolveDecodeParams({}, settings, model, () => 0),
      { sampler: 'plms', steps: 25, guidance: 2, seed: 42 }
    );
    const chosen = { ...settings, sampler: 'ddim', steps: 12, guidance: 4, seedPolicy: 'random' } as const;
    assert.deepEqual(
      resolveDecodeParams({}, chosen, model, () => 99),
      { sampler: 'ddim', steps: 12, guidance: 4, seed: 99 }
    );
    assert.deepEqual(
      resolveDecodeParams({ steps: 3, seed: 1 }, chosen, model, () => 99),
      {
        sampler: 'ddim',
        steps: 3,
        guidance: 4,
        seed: 1
      }
    );
  });

  it('names the flag on the command line', () => {
    assert.throws(
      () => checkDecodeParams({ sampler: 'heun' }, '--'),
      /--sampler must be one of plms, ddim, euler, dpmpp/
    );
    assert.throws(() => checkDecodeParams({ sampler: 'heun' }), /Unknown sampler 'heun'; use one of/);
    assert.throws(() => checkDecodeParams({ steps: 501 }, '--'), /--steps must be a whole number from 1 to 500/);
  });
});
