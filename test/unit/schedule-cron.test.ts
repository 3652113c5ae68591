import assert from 'node:assert/strict';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { collectDrillFiles } from '../../src/schedule/collect.js';
import { cronProblem, nextRuns } from '../../src/schedule/cron.js';
import { DrillFileError, parseDrillText } from '../../src/spec/load-drill.js';

const drill = (extra: string) => `name: sched
stack: { kind: redis-sentinel }
load: { rate: 10, duration: 5s }
steps:
  - { at: 1s, fault: kill, target: primary }
${extra}`;

describe('schedule: cron expressions', () => {
  it('accepts 5 fields, 6 with seconds, and nicknames', () => {
    for (const e of ['*/5 * * * *', '0 3 * * 1-5', '*/2 * * * * *', '5-59/10 * * * * *', '@daily', '@hourly']) assert.equal(cronProblem(e), null, e);
  });

  it('says what is wrong with a bad one', () => {
    assert.match(cronProblem('') ?? '', /empty/);
    assert.match(cronProblem('* * *') ?? '', /expected 5 fields .* got 3/);
    assert.match(cronProblem('* * * * * * *') ?? '', /got 7/);
    assert.match(cronProblem('61 * * * *') ?? '', /minute/i);
    assert.match(cronProblem('0 0 31 2 *') ?? '', /never fires/);
  });

  it('next times follow the expression (seconds field)', () => {
    const from = new Date('2030-01-01T00:00:01.500Z');
    const next = nextRuns('*/10 * * * * *', 3, from, 'UTC').map((d) => d.toISOString());
    assert.deepEqual(next, ['2030-01-01T00:00:10.000Z', '2030-01-01T00:00:20.000Z', '2030-01-01T00:00:30.000Z']);
    assert.deepEqual(
      nextRuns('0 3 * * *', 1, from, 'UTC').map((d) => d.toISOString()),
      ['2030-01-01T03:00:00.000Z'],
    );
  });

  it('the drill file takes `schedule`, validated with line and column', () => {
    assert.equal(parseDrillText(drill('schedule: "*/30 * * * *"\n'), 'a.yaml').schedule, '*/30 * * * *');
    assert.equal(parseDrillText(drill(''), 'a.yaml').schedule, undefined);
    assert.throws(
      () => parseDrillText(drill('schedule: "every day"\n'), 'a.yaml'),
      (error: unknown) => error instanceof DrillFileError && /a\.yaml:6:\d+: schedule: expected a cron expression/.test(error.message),
    );
  });
});

describe('schedule: drill files from paths', () => {
  it('a directory stands for its drill files in name order; a file named twice counts once', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'drill-sched-'));
    await mkdir(path.join(dir, 'sub'));
    for (const n of ['b.yaml', 'a.yml', 'c.json', 'notes.txt', '.hidden.yaml', 'sub/d.yaml']) await writeFile(path.join(dir, n), '');
    const files = await collectDrillFiles([dir, path.join(dir, 'a.yml')]);
    // a.yml is also named on its own: explicit (a missing schedule there is an error, not a skip).
    assert.deepEqual(
      files.map((f) => [path.basename(f.file), f.explicit]),
      [
        ['a.yml', true],
        ['b.yaml', false],
        ['c.json', false],
      ],
    );
    const explicit = await collectDrillFiles([path.join(dir, 'sub', 'd.yaml')]);
    assert.deepEqual(
      explicit.map((f) => f.explicit),
      [true],
    );
    await assert.rejects(collectDrillFiles([path.join(dir, 'missing.yaml')]), /no such file/);
    await assert.rejects(collectDrillFiles([await mkdtemp(path.join(os.tmpdir(), 'drill-sched-empty-'))]), /no drill file/);
  });
});
