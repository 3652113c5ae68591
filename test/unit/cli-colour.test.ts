import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { describe, it } from 'node:test';
import { colourEnabled, painter, type ColourEnv } from '../../src/cli/colour.js';
import type { ResultJson } from '../../src/report/result.js';
import { renderSummaryText, verdictTone } from '../../src/report/summary-text.js';

// When the terminal gets colour (NO_COLOR, FORCE_COLOR, TTY, TERM=dumb) and what is coloured.

describe('colour decision', () => {
  const cases: [ColourEnv, boolean, boolean][] = [
    // env, stdout is a TTY, colour
    [{}, true, true],
    [{}, false, false],
    [{ TERM: 'dumb' }, true, false],
    [{ NO_COLOR: '1' }, true, false],
    [{ NO_COLOR: 'anything' }, true, false],
    [{ NO_COLOR: '' }, true, true], // no-color.org: present and not empty
    [{ NO_COLOR: '' }, false, false],
    [{ FORCE_COLOR: '1' }, false, true],
    [{ FORCE_COLOR: '' }, false, true],
    [{ FORCE_COLOR: '3' }, false, true],
    [{ FORCE_COLOR: 'true' }, false, true],
    [{ FORCE_COLOR: '0' }, true, false],
    [{ FORCE_COLOR: 'false' }, true, false],
    [{ FORCE_COLOR: '1', TERM: 'dumb' }, false, true],
    // FORCE_COLOR wins over NO_COLOR, as in Node and chalk.
    [{ FORCE_COLOR: '1', NO_COLOR: '1' }, false, true],
    [{ FORCE_COLOR: '0', NO_COLOR: '' }, true, false],
  ];
  for (const [env, isTTY, expected] of cases) {
    it(`${JSON.stringify(env)}, ${isTTY ? 'a terminal' : 'not a terminal'}: ${expected ? 'colour' : 'no colour'}`, () => {
      assert.equal(colourEnabled(env, isTTY), expected);
    });
  }
});

describe('coloured summary', () => {
  it('PASS green, FAIL red, ERROR yellow, ABORTED magenta, bold; marks coloured; no code without colour', async () => {
    assert.deepEqual(['pass', 'fail', 'error', 'aborted', 'garbage', undefined].map(verdictTone), ['good', 'bad', 'warn', 'stopped', 'warn', 'warn']);
    const paint = painter(true);
    assert.equal(paint('good', 'PASS', true), '\x1b[1;32mPASS\x1b[22;39m');
    assert.equal(paint('bad', 'FAIL', true), '\x1b[1;31mFAIL\x1b[22;39m');
    assert.equal(paint('warn', 'ERROR', true), '\x1b[1;33mERROR\x1b[22;39m');
    assert.equal(paint('stopped', 'ABORTED', true), '\x1b[1;35mABORTED\x1b[22;39m');

    const result = JSON.parse(await readFile('test/fixtures/results/fail-lost-writes.result.json', 'utf8')) as ResultJson;
    const coloured = renderSummaryText(result, paint);
    const uncoloured = renderSummaryText(result);
    assert.match(coloured, /^\x1b\[1;31mFAIL\x1b\[22;39m {2}/);
    assert.match(coloured, /\x1b\[31mMISS\x1b\[39m/);
    assert.match(coloured, /\x1b\[32mok\x1b\[39m {3}/);
    assert.doesNotMatch(uncoloured, /\x1b/);
    // The same text, column for column, once the codes are gone.
    assert.equal(coloured.replace(/\x1b\[[0-9;]*m/g, ''), uncoloured);
    assert.equal(renderSummaryText(result, painter(false)), uncoloured);
  });
});
