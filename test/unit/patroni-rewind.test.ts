import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { lsnBytes, rewindsFromLogs } from '../../src/measure/patroni-rewind.js';
import type { NodeLog } from '../../src/measure/types.js';

// Patroni's lines around a rewind of a former leader, as its log had them in a patroni-partition-leader run.
const line = (atMs: number, text: string) => ({ atMs, stamp: '', text });
const pg1: NodeLog = {
  node: 'pg-1',
  container: 'drill-x-pg-1',
  truncated: false,
  lines: [
    line(-500, '2026-12-03 15:23:50,000 INFO: Local timeline=1 lsn=0/3000000'),
    line(20_100, '2026-12-03 15:24:26,198 INFO: Local timeline=1 lsn=0/44B9480'),
    line(20_120, '2026-12-03 15:24:26,220 INFO: primary: history=1\t0/446B508\tno recovery target specified'),
    line(20_180, '2026-12-03 15:24:26,275 INFO: running pg_rewind from pg-2'),
    line(20_220, '2026-12-03 15:24:26,322 INFO: running pg_rewind from pg-2 in progress'),
    line(20_250, '2026-12-03 15:24:26,349 INFO: running pg_rewind from dbname=postgres user=postgres host=drill-x-pg-2 port=5432 target_session_attrs=read-write'),
    line(21_100, '2026-12-03 15:24:27,201 INFO: pg_rewind exit code=0'),
    line(21_100, '2026-12-03 15:24:27,201 INFO:  stderr=pg_rewind: servers diverged at WAL location 0/446B508 on timeline 1'),
    line(21_100, 'pg_rewind: rewinding from last common checkpoint at 0/2000110 on timeline 1'),
  ],
};

describe('rewindsFromLogs (Patroni rewinding a former leader)', () => {
  it("takes the node's last position and the new leader's fork point before the rewind, and pg_rewind's own word", () => {
    assert.deepEqual(rewindsFromLogs([pg1]), [
      { node: 'pg-1', source: 'pg-2', atMs: 20_180, timeline: 1, localLsn: '0/44B9480', forkLsn: '0/446B508', extraWalBytes: 0x44b9480 - 0x446b508, divergedAtLsn: '0/446B508' },
    ]);
  });

  it('a history of several timelines: the line of the timeline the node was on', () => {
    const log: NodeLog = {
      ...pg1,
      lines: [
        line(100, 'INFO: Local timeline=2 lsn=0/6000100'),
        line(110, 'INFO: primary: history=1\t0/446B508\tno recovery target specified'),
        line(110, '2\t0/5FFFF00\tno recovery target specified'),
        line(120, 'INFO: running pg_rewind from pg-3'),
      ],
    };
    const [r] = rewindsFromLogs([log]);
    assert.equal(r?.forkLsn, '0/5FFFF00');
    assert.equal(r.extraWalBytes, 0x200);
    assert.equal(r.divergedAtLsn, null);
  });

  it('nothing without a rewind, nor for one before the run', () => {
    assert.deepEqual(rewindsFromLogs([{ ...pg1, lines: pg1.lines.slice(0, 3) }]), []);
    assert.deepEqual(rewindsFromLogs([{ ...pg1, lines: pg1.lines.map((l) => ({ ...l, atMs: -1 })) }]), []);
  });

  it('lsnBytes reads X/Y', () => {
    assert.equal(lsnBytes('0/446B508'), 0x446b508);
    assert.equal(lsnBytes('1/0'), 2 ** 32);
    assert.ok(Number.isNaN(lsnBytes('nope')));
  });
});
