import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { helpHtml, helpText } from './magic-help';
import { HELP_COLUMNS, wrapUsage } from './usage-lines';
import { MAGICS } from './seed-magics';

/** Text with its line breaks and indentation folded back into single spaces. */
function unwrapped(text: string): string {
  return text.replace(/\s+/g, ' ');
}

describe('%seed help', () => {
  it('fits in 80 columns as text and still says every usage and summary in full', () => {
    const text = helpText(MAGICS);
    for (const line of text.split('\n')) {
      assert.ok(line.length <= HELP_COLUMNS, `${line.length} columns: ${line}`);
      // A bracket group is never cut across lines.
      assert.equal((line.match(/\[/g) ?? []).length, (line.match(/\]/g) ?? []).length, line);
      assert.equal((line.match(/</g) ?? []).length, (line.match(/>/g) ?? []).length, line);
    }
    for (const magic of MAGICS) {
      assert.ok(unwrapped(text).includes(magic.usage), magic.usage);
      assert.ok(unwrapped(text).includes(magic.summary), magic.summary);
    }
  });

  it('continues a long usage under its first argument, after a prefix', () => {
    const usage =
      '%seed decode <codes|NAME> [--steps N] [--guidance G] [--seed S] [--sampler plms|ddim|euler|dpmpp] [--as NAME]';
    assert.equal(
      wrapUsage(usage, 'Usage: '),
      'Usage: %seed decode <codes|NAME> [--steps N] [--guidance G] [--seed S]\n' +
        '                    [--sampler plms|ddim|euler|dpmpp] [--as NAME]'
    );
    assert.equal(wrapUsage('%seed device', 'Usage: '), 'Usage: %seed device');
  });

  it('is a table with one row per magic in HTML, escaped, groups unbroken', () => {
    const html = helpHtml(MAGICS);
    assert.equal((html.match(/<tr>/g) ?? []).length, MAGICS.length + 1);
    assert.ok(html.includes('<code>%seed decode &#60;codes|NAME&#62; [--steps&nbsp;N]'), html);
    assert.ok(!/<codes|<path|<image/.test(html), 'angle brackets of usages are escaped');
  });
});
