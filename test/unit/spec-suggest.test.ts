import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatDurationMs, parseDurationMs } from '../../src/spec/duration.js';
import { formatPath, quote } from '../../src/spec/problem.js';
import { didYouMean, editDistance } from '../../src/spec/suggest.js';

describe('editDistance / didYouMean', () => {
  it('counts insertions, deletions, substitutions and swaps', () => {
    assert.equal(editDistance('rate', 'rate'), 0);
    assert.equal(editDistance('rat', 'rate'), 1);
    assert.equal(editDistance('rtae', 'rate'), 1);
    assert.equal(editDistance('', 'abc'), 3);
    assert.equal(editDistance('kitten', 'sitting'), 3);
  });

  it('suggests close names only', () => {
    const load = ['rate', 'connections', 'timeout', 'warmup', 'duration'];
    assert.equal(didYouMean('rat', load), 'rate');
    assert.equal(didYouMean('timout', load), 'timeout');
    assert.equal(didYouMean('Duration', load), 'duration');
    assert.equal(didYouMean('conections', load), 'connections');
    assert.equal(didYouMean('explode', ['kill']), undefined);
    assert.equal(didYouMean('x'.repeat(10_000), load), undefined);
    assert.equal(didYouMean('SIGKIL', ['SIGKILL', 'SIGTERM', 'SIGINT', 'SIGQUIT']), 'SIGKILL');
  });
});

describe('durations and paths in messages', () => {
  it('parses and prints durations', () => {
    assert.equal(parseDurationMs('5s'), 5000);
    assert.equal(parseDurationMs(' 250 ms '), 250);
    assert.equal(parseDurationMs('1.5m'), 90_000);
    assert.equal(parseDurationMs('5'), undefined);
    assert.equal(formatDurationMs(5000), '5s');
    assert.equal(formatDurationMs(1500), '1500ms');
    assert.equal(formatDurationMs(120_000), '2m');
    assert.equal(formatDurationMs(0), '0ms');
  });

  it('formats paths', () => {
    assert.equal(formatPath([]), '');
    assert.equal(formatPath(['steps', 0, 'fault']), 'steps[0].fault');
    assert.equal(formatPath(['stack', 'redisConfig', 'min-replicas-to-write']), 'stack.redisConfig.min-replicas-to-write');
    assert.equal(formatPath(['stack', 'redisConfig', 'a b']), 'stack.redisConfig["a b"]');
    assert.equal(formatPath(['load', '\ufeffrate']), 'load["\\ufeffrate"]');
  });

  it('quotes values on one line, with invisible characters made visible and long ones cut', () => {
    assert.equal(quote('fast'), '"fast"');
    assert.equal(quote('a\nb"c'), '"a\\nb\\"c"');
    assert.equal(quote('na\u200bme'), '"na\\u200bme"');
    assert.equal(quote('\ufeffload'), '"\\ufeffload"');
    assert.equal(quote('ab\u202ecd\u2028'), '"ab\\u202ecd\\u2028"');
    assert.equal(quote('café 💥'), '"café 💥"');
    assert.equal(quote('x'.repeat(100)), `"${'x'.repeat(60)}…"`);
  });
});
