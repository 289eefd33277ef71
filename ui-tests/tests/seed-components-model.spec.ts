/**
 * The frontend's pure logic, run in Node by the same runner: the edit history, the LLM token format,
 * drag splices and the payload adapter (the one reader of the kernel's wire format).
 */
import { expect, test } from '@playwright/test';
import { spliceFromDrop } from '../../src/model/code-drag';
import {
  applyEdit,
  canRedo,
  canUndo,
  changedPositions,
  checkEdit,
  currentCodes,
  pushEdit,
  redo,
  startHistory,
  undo
} from '../../src/model/code-history';
import { parseTypedCode, toLlmTokens } from '../../kernel/protocol/llm-tokens';
import { lineageToJson } from '../../src/model/lineage';
import { resultFromPayload } from '../../src/model/payload-adapter';
import { samplerDefaults } from '../../src/model/sampler-defaults';
import { DEFAULT_SETTINGS } from '../../src/tokens';

const ORIGINAL = Array.from({ length: 32 }, (_, position) => position * 10);

test('edit history: push, undo, redo; a new edit clears redo; a no-op edit is not recorded', () => {
  let history = startHistory(ORIGINAL);
  expect(canUndo(history)).toBe(false);
  history = pushEdit(history, { kind: 'set', position: 3, code: 7, via: 'typed' });
  history = pushEdit(history, { kind: 'splice', from: 'dog', positions: [4, 5], codes: [1, 2] });
  expect(currentCodes(history).slice(0, 7)).toEqual([0, 10, 20, 7, 1, 2, 60]);
  expect([...changedPositions(history)]).toEqual([3, 4, 5]);
  history = undo(history);
  expect(currentCodes(history).slice(3, 6)).toEqual([7, 40, 50]);
  expect(canRedo(history)).toBe(true);
  history = redo(history);
  expect(currentCodes(history).slice(3, 6)).toEqual([7, 1, 2]);
  history = undo(history);
  history = pushEdit(history, { kind: 'set', position: 0, code: 99, via: 'random' });
  expect(canRedo(history)).toBe(false);
  const unchanged = pushEdit(history, { kind: 'set', position: 0, code: 99, via: 'typed' });
  expect(unchanged).toBe(history);
  expect(currentCodes(startHistory(ORIGINAL))).toEqual(ORIGINAL);
});

test('truncate keeps the first k codes and repeats code k after them', () => {
  expect(applyEdit([5, 6, 7, 8, 9], { kind: 'truncate', keep: 2 })).toEqual([5, 6, 6, 6, 6]);
  expect(applyEdit([5, 6, 7], { kind: 'truncate', keep: 3 })).toEqual([5, 6, 7]);
});

test('edits outside the sequence or the codebook are refused with what to do', () => {
  expect(() => checkEdit({ kind: 'set', position: 32, code: 1, via: 'typed' }, 32, 8192)).toThrow(
    'Position 33 does not exist: choose a position from 1 to 32.'
  );
  expect(() => checkEdit({ kind: 'set', position: 0, code: 8192, via: 'typed' }, 32, 8192)).toThrow(
    'Code 8192 is outside the codebook: enter a whole number from 0 to 8191.'
  );
  expect(() => checkEdit({ kind: 'truncate', keep: 0 }, 32, 8192)).toThrow('choose k from 1 to 32');
  expect(() => checkEdit({ kind: 'splice', from: 'x', positions: [1], codes: [] }, 32, 8192)).toThrow(
    'one code for each position'
  );
  expect(() => checkEdit({ kind: 'set', position: 31, code: 8191, via: 'typed' }, 32, 8192)).not.toThrow();
});

test('LLM token strings are <img>, five-digit zero-padded codes, </img>', () => {
  expect(toLlmTokens([42, 0, 8191])).toBe('<img><img_00042><img_00000><img_08191></img>');
  expect(parseTypedCode(' 42 ')).toBe(42);
  expect(parseTypedCode('<img_00042>')).toBe(42);
  expect(() => parseTypedCode('cat')).toThrow('"cat" is not a code: type a number such as 42');
});

test('a dropped token replaces one position; a dropped strip replaces the drop position onwards', () => {
  const strip = { from: 'dog', modelSha256: 'x', positions: ORIGINAL.map((_, i) => i), codes: ORIGINAL };
  expect(spliceFromDrop({ ...strip, positions: [9], codes: [90] }, 2, 32)).toEqual({
    kind: 'splice',
    from: 'dog',
    positions: [2],
    codes: [90]
  });
  expect(spliceFromDrop(strip, 30, 32)).toEqual({
    kind: 'splice',
    from: 'dog',
    positions: [30, 31],
    codes: [300, 310]
  });
});

test('lineage JSON carries the model, the edits, the codes, their tokens and the settings', () => {
  const json = JSON.parse(
    lineageToJson({
      from: 'cat.png',
      fromCodes: [1, 2],
      edits: [{ kind: 'set', position: 0, code: 3, via: 'typed' }],
      codes: [3, 2],
      model: { id: 'seed-nano', sha256: 'abc', codebookSize: 8192 },
      params: { sampler: 'plms', steps: 50, guidance: 7.5, seed: 42 }
    })
  );
  expect(json).toEqual({
    model: { id: 'seed-nano', sha256: 'abc' },
    from: 'cat.png',
    fromCodes: [1, 2],
    edits: [{ kind: 'set', position: 0, code: 3, via: 'typed' }],
    codes: [3, 2],
    tokens: '<img><img_00003><img_00002></img>',
    params: { sampler: 'plms', steps: 50, guidance: 7.5, seed: 42 }
  });
});

test('the payload adapter reads a payload and names what is wrong with a bad one', () => {
  const payload = {
    version: 1,
    kind: 'recon',
    label: 'cat.png',
    model: { id: 'seed-nano', sha256: 'a'.repeat(64), codebookSize: 8192 },
    codes: [1, 2, 3],
    topK: [[{ code: 1, distance: 0.5 }]],
    source: { png: 'AAAA', width: 224, height: 224 },
    image: { png: 'BBBB', width: 64, height: 64 },
    params: { sampler: 'plms', steps: 50, guidance: 7.5, seed: 42 }
  };
  const view = resultFromPayload(payload);
  expect(view).toMatchObject({ kind: 'recon', label: 'cat.png', codes: [1, 2, 3] });
  expect(view.source).toEqual({ src: 'data:image/png;base64,AAAA', width: 224, height: 224 });
  expect(view.image?.src).toBe('data:image/png;base64,BBBB');
  expect(() => resultFromPayload({ ...payload, version: 2 })).toThrow('its version is 2, not 1');
  expect(() => resultFromPayload({ ...payload, codes: [1.5] })).toThrow('its codes are not a list of whole numbers');
  expect(() => resultFromPayload({ ...payload, model: undefined })).toThrow('it names no model');
});

test("a decode starts from the model's own sampler defaults where the settings leave them to the model", () => {
  const nano = { sampler: 'plms' as const, steps: 25, guidance: 2, seed: 7 };
  // The settings' defaults ('model', 0, 0) leave sampler, steps and guidance to the model; the seed is the user's.
  expect(samplerDefaults(DEFAULT_SETTINGS, nano)).toEqual({ sampler: 'plms', steps: 25, guidance: 2, seed: 42 });
  // A kernel that sent no defaults: SEED v1's.
  expect(samplerDefaults(DEFAULT_SETTINGS)).toEqual({ sampler: 'plms', steps: 50, guidance: 7.5, seed: 42 });
  // What the user set wins; guidance below 1 means the model's.
  const user = { ...DEFAULT_SETTINGS, sampler: 'ddim' as const, steps: 12, guidance: 0.5 };
  expect(samplerDefaults(user, nano)).toEqual({ sampler: 'ddim', steps: 12, guidance: 2, seed: 42 });
});

test("the payload adapter keeps the model's sampler defaults and ignores malformed ones", () => {
  const payload = {
    version: 1,
    kind: 'encoding',
    model: {
      id: 'seed-nano',
      sha256: 'a'.repeat(64),
      codebookSize: 1024,
      defaults: { sampler: 'plms', steps: 25, guidance: 2, seed: 42 }
    },
    codes: [1, 2, 3]
  };
  expect(resultFromPayload(payload).model.defaults).toEqual({ sampler: 'plms', steps: 25, guidance: 2, seed: 42 });
  const malformed = { ...payload, model: { ...payload.model, defaults: { sampler: 'magic', steps: 25 } } };
  expect(resultFromPayload(malformed).model.defaults).toBeUndefined();
});
