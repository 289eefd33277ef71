import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  isMagicCell,
  MagicSpec,
  MagicUsageError,
  parseCodes,
  parseMagicArguments,
  parseMagicCell,
  splitWords
} from './magic-parser';

const DECODE: MagicSpec = {
  name: 'decode',
  usage: '%seed decode <codes|NAME> [--steps N] [--guidance G] [--sampler plms|ddim] [--size WxH] [--as NAME]',
  summary: 'decode',
  minPositionals: 1,
  maxPositionals: Number.POSITIVE_INFINITY,
  options: {
    steps: { type: 'integer', limit: { min: 1, max: 500, integer: true } },
    guidance: { type: 'number' },
    sampler: { type: 'string', choices: ['plms', 'ddim'] },
    size: { type: 'size' },
    as: { type: 'identifier' }
  }
};

function usageError(args: string[], message: RegExp): void {
  assert.throws(
    () => parseMagicArguments(DECODE, args),
    (error: unknown) =>
      error instanceof MagicUsageError &&
      message.test(error.message) &&
      error.usage ===
        'Usage: %seed decode <codes|NAME> [--steps N] [--guidance G]\n' +
          '                    [--sampler plms|ddim] [--size WxH] [--as NAME]'
  );
}

describe('%seed magic parsing', () => {
  it('recognises magic cells', () => {
    assert.ok(isMagicCell('%seed help'));
    assert.ok(isMagicCell('// a comment\n\n%seed encode cat.png'));
    assert.ok(isMagicCell('%%seed decode --steps 2\n1 2 3'));
    assert.ok(!isMagicCell('const x = "%seed";'));
    assert.ok(!isMagicCell('%seeds'));
  });

  it('splits words like a shell, with quotes', () => {
    assert.deepEqual(splitWords(`encode "my cat.png" 'it''s' --top-k 3`), [
      'encode',
      'my cat.png',
      'its',
      '--top-k',
      '3'
    ]);
    assert.deepEqual(splitWords('a "say \\"hi\\""'), ['a', 'say "hi"']);
    assert.throws(() => splitWords('encode "cat.png'), MagicUsageError);
  });

  it('parses options into typed values', () => {
    const parsed = parseMagicArguments(DECODE, [
      't',
      '--steps',
      '25',
      '--guidance=7.5',
      '--sampler',
      'ddim',
      '--size',
      '256x128',
      '--as',
      'r'
    ]);
    assert.deepEqual(parsed.positionals, ['t']);
    assert.deepEqual(parsed.options, { steps: 25, guidance: 7.5, sampler: 'ddim', size: [256, 128], as: 'r' });
  });

  it('rejects unknown flags, bad values and missing arguments with the usage line', () => {
    usageError(['t', '--bogus', '1'], /Unknown option '--bogus'/);
    usageError(['t', '--steps', 'ten'], /--steps ten: expected a whole number/);
    usageError(['t', '--steps', '0'], /must be at least 1/);
    usageError(['t', '--guidance', 'high'], /expected a number/);
    usageError(['t', '--sampler', 'heun'], /expected one of plms, ddim/);
    usageError(['t', '--size', '256'], /WIDTHxHEIGHT/);
    usageError(['t', '--as', '1abc'], /variable name/);
    usageError(['t', '--steps'], /argument missing/);
    usageError([], /missing argument/);
  });

  it('reads a cell of magic lines, and a %%seed cell with its body as arguments', () => {
    assert.deepEqual(parseMagicCell('%seed model list\n%seed device'), [
      { command: 'model', args: ['list'] },
      { command: 'device', args: [] }
    ]);
    assert.deepEqual(parseMagicCell('%%seed decode --steps 2\n1, 2, 3\n4 5'), [
      { command: 'decode', args: ['--steps', '2', '1', '2', '3', '4', '5'] }
    ]);
    assert.throws(() => parseMagicCell('%seed device\nconsole.log(1)'), MagicUsageError);
  });

  it('reads codes in the forms people type them', () => {
    assert.deepEqual(parseCodes(['1,2,3']), [1, 2, 3]);
    assert.deepEqual(parseCodes(['[1,', '2,', '3]']), [1, 2, 3]);
    assert.deepEqual(parseCodes(['1', '2', '3']), [1, 2, 3]);
    assert.equal(parseCodes(['cat']), undefined);
    assert.equal(parseCodes(['1', '-2']), undefined);
  });
});
