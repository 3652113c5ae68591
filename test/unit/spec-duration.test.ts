import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DURATION_PATTERN, parseDuration, parseDurationMs } from '../../src/spec/duration.js';
import { DrillFileError, parseDrillText } from '../../src/spec/load-drill.js';

// Durations, compound ones included ("1m30s"): the parser, the JSON Schema pattern editors check with,
// and the messages a drill file gets for the forms that are refused.

const pattern = new RegExp(DURATION_PATTERN);

const ACCEPTED: [string, number][] = [
  ['5s', 5000],
  ['250ms', 250],
  ['2m', 120_000],
  ['1.5s', 1500],
  [' 5 s ', 5000],
  ['1m30s', 90_000],
  ['1h30m', 5_400_000],
  ['2m0.5s', 120_500],
  ['1s500ms', 1500],
  ['1d2h3m4s5ms', 86_400_000 + 2 * 3_600_000 + 3 * 60_000 + 4000 + 5],
  ['1h1ms', 3_600_001],
  ['  1m30s\t', 90_000],
  ['1m90s', 150_000], // each part as written; only the order of units is a rule
];

/** Refused forms and the reason the message gives (null: "not a duration" and nothing more). */
const REFUSED: [string, RegExp | null][] = [
  ['30s1m', /units must go from the largest to the smallest \(d, h, m, s, ms\), e\.g\. "1m30s"/],
  ['1m1m', /the unit "m" appears twice: each unit at most once/],
  ['1s1m1s', /the unit "s" appears twice|largest to the smallest/],
  ['1 m 30 s', /write a compound duration without blanks, e\.g\. "1m30s"/],
  ['1m 30s', /without blanks, e\.g\. "1m30s"/],
  ['1m30', /"30" has no unit/],
  ['5', null],
  ['s', null],
  ['', null],
  ['   ', null],
  ['5sec', null],
  ['-5s', null],
  ['5 seconds', null],
  ['1m-30s', null],
  ['m30s', null],
  ['1.m', null],
];

describe('durations', () => {
  it('accepts single and compound durations (largest unit first, each at most once) as ms', () => {
    for (const [text, ms] of ACCEPTED) {
      assert.deepEqual(parseDuration(text), { kind: 'ok', ms }, text);
      assert.equal(parseDurationMs(text), ms, text);
    }
  });

  it('refuses the rest, with the reason when it looks like a compound duration', () => {
    for (const [text, why] of REFUSED) {
      const parsed = parseDuration(text);
      assert.equal(parsed.kind, 'invalid', text);
      if (why === null) assert.equal(parsed.why, null, text);
      else assert.match(parsed.why ?? '', why, text);
      assert.equal(parseDurationMs(text), undefined, text);
    }
  });

  it('the JSON Schema pattern accepts exactly what the parser accepts', () => {
    for (const [text] of ACCEPTED) assert.match(text, pattern, text);
    for (const [text] of REFUSED) assert.doesNotMatch(text, pattern, text);
    // "5ms" must not be read as 5 minutes and a stray "s" by either of them.
    assert.match('5ms', pattern);
    assert.equal(parseDurationMs('5ms'), 5);
    assert.equal(parseDurationMs('1m5ms'), 60_005);
  });

  it('a drill file takes compound durations and says why one is refused, with line and path', () => {
    const drill = (timeout: string) =>
      `name: d\nstack: { kind: redis-sentinel }\nload:\n  rate: 10\n  duration: 1m30s\n  timeout: ${timeout}\nsteps:\n  - { at: 1m0.5s, fault: kill, target: primary }\n`;
    const spec = parseDrillText(drill('1s500ms'), 'd.yaml');
    assert.equal(spec.load.durationMs, 90_000);
    assert.equal(spec.load.timeoutMs, 1500);
    const [fault] = spec.steps;
    assert.equal(fault?.kind === 'fault' ? fault.atMs : undefined, 60_500);

    const messages = (timeout: string) => {
      try {
        parseDrillText(drill(timeout), 'd.yaml');
      } catch (error) {
        assert.ok(error instanceof DrillFileError);
        return error.message;
      }
      return assert.fail(`${timeout} was accepted`);
    };
    assert.equal(
      messages('30s1m'),
      'd.yaml:6:12: load.timeout: expected a duration such as "5s", "250ms", "2m" or "1m30s", got "30s1m": units must go from the largest to the smallest (d, h, m, s, ms), e.g. "1m30s"',
    );
    assert.equal(messages('1m1m'), 'd.yaml:6:12: load.timeout: expected a duration such as "5s", "250ms", "2m" or "1m30s", got "1m1m": the unit "m" appears twice: each unit at most once');
    assert.equal(
      messages('"1 m 30 s"'),
      'd.yaml:6:12: load.timeout: expected a duration such as "5s", "250ms", "2m" or "1m30s", got "1 m 30 s": write a compound duration without blanks, e.g. "1m30s"',
    );
    assert.equal(messages('1m30'), 'd.yaml:6:12: load.timeout: expected a duration such as "5s", "250ms", "2m" or "1m30s", got "1m30": "30" has no unit (ms, s, m, h, d)');
    assert.equal(messages('2m'), 'd.yaml:6:12: load.timeout: expected a duration of at most 1m, got "2m"');
  });
});
