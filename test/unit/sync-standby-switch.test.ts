import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { FaultRecord } from '../../src/measure/types.js';
import { faultAt, log, pgLine } from './floor-fixtures.js';
import { syncStandbySwitchFloor, type SyncStandbySwitchInput } from '../../src/stacks/postgres/sync-standby-switch.js';
import { onePriorityStandby, recoveryFloorOf } from '../../src/stacks/recovery-floor.js';
import { loadDrillFile } from '../../src/spec/load-drill.js';

const syncIs = (node: string) => `standby "${node}" is now a synchronous standby with priority 1`;
const namesChanged = (value: string) => `parameter "synchronous_standby_names" changed to "${value}"`;
const kill = (container: string, atMs: number, over: Partial<FaultRecord> = {}): FaultRecord => faultAt('kill', container, atMs, { target: 'sync-standby', goneByMs: atMs + 46, ...over });

/** Patroni (3 nodes, non-strict) as measured: pg-3 was synchronous, is killed at 2000 ms, Patroni names pg-2 at 2900 ms and pg-2's walsender announces it at 3100 ms. */
function switched(over: Partial<SyncStandbySwitchInput> = {}): SyncStandbySwitchInput {
  return {
    nodes: ['drill-x-pg-1', 'drill-x-pg-2', 'drill-x-pg-3'],
    primaryBefore: 'drill-x-pg-1',
    primaryAfter: 'drill-x-pg-1',
    faults: [kill('drill-x-pg-3', 2000)],
    logs: [log('drill-x-pg-1', [pgLine(400, namesChanged('"pg-3"')), pgLine(500, syncIs('pg-3')), pgLine(2900, namesChanged('"pg-2"')), pgLine(3100, syncIs('pg-2'))])],
    ...over,
  };
}

describe('syncStandbySwitchFloor: a stall on a lost synchronous standby ends no earlier than the primary says', () => {
  it("the new standby's announcement after the old one's container exited, at its own stamp", () => {
    const floor = syncStandbySwitchFloor(switched());
    assert.ok(floor);
    assert.equal(Math.round(floor.atMs * 1000) / 1000, 3099.9);
    assert.equal(floor.sinceMs, 2046);
    assert.equal(floor.why, `pg-1 logged "${syncIs('pg-2')}"`);
  });

  it('synchronous replication turned off (no standby left, not strict): the emptied setting releases the commits', () => {
    const lines = [pgLine(500, syncIs('pg-3')), pgLine(2900, namesChanged('')), pgLine(9000, syncIs('pg-2'))];
    const floor = syncStandbySwitchFloor(switched({ logs: [log('drill-x-pg-1', lines)] }));
    assert.equal(Math.round(floor!.atMs * 1000) / 1000, 2899.9);
  });

  it('no floor where the stall is not certain or its end not the logged one', () => {
    // The killed replica was not the synchronous one: commits never waited on it.
    assert.equal(syncStandbySwitchFloor(switched({ faults: [kill('drill-x-pg-2', 2000)] })), null);
    // Synchronous replication had been turned off before the kill.
    const off = [pgLine(500, syncIs('pg-3')), pgLine(800, namesChanged('')), pgLine(3100, syncIs('pg-2'))];
    assert.equal(syncStandbySwitchFloor(switched({ logs: [log('drill-x-pg-1', off)] })), null);
    // Started again before the switch: it may have confirmed commits itself.
    assert.equal(syncStandbySwitchFloor(switched({ faults: [kill('drill-x-pg-3', 2000, { healedAtMs: 2500 })] })), null);
    // A failover: the floor of a promoted primary is commit-gate.ts's.
    assert.equal(syncStandbySwitchFloor(switched({ primaryAfter: 'drill-x-pg-2' })), null);
    // A pause keeps the standby's connection: not taken away.
    assert.equal(syncStandbySwitchFloor(switched({ faults: [{ ...kill('drill-x-pg-3', 2000), kind: 'pause' }] })), null);
    // Quorum announcements name no single synchronous standby.
    const quorum = [pgLine(500, 'standby "pg-3" is now a candidate for quorum synchronous standby'), pgLine(3100, syncIs('pg-2'))];
    assert.equal(syncStandbySwitchFloor(switched({ logs: [log('drill-x-pg-1', quorum)] })), null);
    // A remote engine: no run-clock time.
    const remote = switched().logs.map((l) => ({ ...l, lines: l.lines.map((x) => ({ ...x, atMs: null })) }));
    assert.equal(syncStandbySwitchFloor(switched({ logs: remote })), null);
  });
});

describe('onePriorityStandby: synchronous_standby_names that waits for exactly one standby by priority', () => {
  it('plain lists and FIRST 1 do; quorum, more than one, and empty do not', () => {
    for (const yes of ['*', '"pg-2", "pg-3"', 'FIRST 1 ("pg-2")', 'first 1 (*)', '1 (a, b)']) assert.equal(onePriorityStandby(yes), true, yes);
    for (const no of ['', '  ', 'ANY 1 (*)', 'any 2 (a, b)', 'FIRST 2 (a, b, c)', '2 (a, b)']) assert.equal(onePriorityStandby(no), false, no);
  });
});

describe('recoveryFloorOf: Patroni in synchronous mode, strict or not', () => {
  it('the shipped patroni-kill-sync-standby drill gets the switch floor', async () => {
    const stack = (await loadDrillFile('drills/patroni-kill-sync-standby.yaml')).spec.stack;
    if (stack.kind !== 'patroni') throw new Error('patroni-kill-sync-standby is not a patroni drill');
    const input = { ...switched(), containers: ['pg-1', 'pg-2', 'pg-3'].map((n) => ({ name: `drill-x-${n}`, role: 'pg' })) };
    assert.equal(Math.round(recoveryFloorOf(stack, input)!.atMs), 3100);
    assert.equal(recoveryFloorOf({ ...stack, patroni: { ...stack.patroni, synchronousMode: false } }, input), null);
  });
});
