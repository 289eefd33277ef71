import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { codeToken, parseCodesText, parseLlmTokens, parseTypedCode, toLlmTokens } from './llm-tokens';

describe('LLM tokens', () => {
  const codes = [42, 1234, 0, 8191];

  it('round-trip through the string form SEED-LLaMA writes', () => {
    const text = toLlmTokens(codes);
    assert.equal(text, '<img><img_00042><img_01234><img_00000><img_08191></img>');
    assert.deepEqual(parseLlmTokens(text), codes);
  });

  it("read the first image of an LLM's answer, with the words around it", () => {
    const answer = `Here is a cat: ${toLlmTokens(codes)} and here another ${toLlmTokens([5])}.`;
    assert.deepEqual(parseLlmTokens(answer), codes);
    assert.deepEqual(parseLlmTokens('tokens <img_00007> and <img_00008>'), [7, 8]);
    assert.deepEqual(parseLlmTokens('<img>\n<img_00001> <img_00002>\n</img>'), [1, 2]);
  });

  it('say what is wrong with malformed tokens', () => {
    assert.throws(() => parseLlmTokens('<img><img_00042>'), /has no <\/img>: an LLM's answer may have been cut off/);
    assert.throws(
      () => parseLlmTokens('<img><img_42></img>'),
      /<img_42> is not an image token: tokens have 5 digits, such as <img_00042>/
    );
    assert.throws(
      () => parseLlmTokens('<img><img_00001>cat<img_00002></img>'),
      /"cat" inside <img>…<\/img> is not an image token/
    );
    assert.throws(() => parseLlmTokens('<img></img>'), /No image tokens found/);
    assert.throws(() => parseLlmTokens('<img><img_0004x></img>'), /is not an image token/);
  });

  it('parseCodesText takes every form a user pastes', () => {
    assert.deepEqual(parseCodesText('1, 2 3', 'x'), [1, 2, 3]);
    assert.deepEqual(parseCodesText('[1,2,3]', 'x'), [1, 2, 3]);
    assert.deepEqual(parseCodesText('{"codes": [4, 5]}', 'x'), [4, 5]);
    assert.deepEqual(parseCodesText('[{"codes": [6]}]', 'x'), [6]);
    assert.deepEqual(parseCodesText(`answer: ${toLlmTokens([9, 10])}`, 'x'), [9, 10]);
    assert.throws(() => parseCodesText('1 two 3', 'the arguments'), /'two' in the arguments is not a code/);
    assert.throws(() => parseCodesText('<img><img_1></img>', 'stdin'), /^Error: stdin: <img_1> is not an image token/);
  });

  it('parseTypedCode takes a number or one token', () => {
    assert.equal(parseTypedCode(' 42 '), 42);
    assert.equal(parseTypedCode('<img_00042>'), 42);
    assert.throws(() => parseTypedCode('cat'), /"cat" is not a code: type a number such as 42/);
    assert.throws(() => parseTypedCode('-1'), /is not a code/);
    for (const code of [0, 9, 42, 8191]) {
      assert.equal(parseTypedCode(codeToken(code)), code);
    }
  });
});
