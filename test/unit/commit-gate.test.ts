import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { FaultRecord } from '../../src/measure/types.js';
import { faultAt, log, pgLine } from './floor-fixtures.js';
import { commitGateFloor, type CommitGateInput } from '../../src/stacks/postgres/commit-gate.js';
import { recoveryFloorOf } from '../../src/stacks/recovery-floor.js';
import { loadDrillFile } from '../../src/spec/load-drill.js';

const QUORUM = 'standby "db-3" is now a candidate for quorum synchronous standby';
const PRIORITY = 'standby "pg-2" is now a synchronous standby with priority 1';

const kill = (container: string, atMs: number, over: Partial<FaultRecord> = {}): FaultRecord => faultAt('kill', container, atMs, over);

function promoted(over: Partial<CommitGateInput> = {}): CommitGateInput {
  return {
    nodes: ['drill-x-db-1', 'drill-x-db-2', 'drill-x-db-3'],
    primaryBefore: 'drill-x-db-1',
    primaryAfter: 'drill-x-db-2',
    faults: [{ ...kill('drill-x-db-1', 2000), kind: 'partition' }, kill('drill-x-db-1', 5000)],
    logs: [log('drill-x-db-2', [pgLine(1000, QUORUM), pgLine(6200, 'received promote request'), pgLine(6480, QUORUM), pgLine(7000, QUORUM)])],
    ...over,
  };
}

describe('commitGateFloor: when a synchronous primary could acknowledge again, by its own log', () => {
  it('a promoted standby: the first gate line after the old primary died, at its own stamp (truncated ms, minus the alignment margin)', () => {
    const floor = commitGateFloor(promoted());
    assert.ok(floor);
    assert.equal(Math.round(floor.atMs * 1000) / 1000, 6479.9);
    assert.equal(floor.sinceMs, 5000.5);
    assert.equal(floor.why, `db-2 logged "${QUORUM}"`);
  });

  it('the same primary with every other server down at once: its first gate line after the last went', () => {
    const input: CommitGateInput = {
      nodes: ['drill-x-pg-1', 'drill-x-pg-2'],
      primaryBefore: 'drill-x-pg-1',
      primaryAfter: 'drill-x-pg-1',
      faults: [kill('drill-x-pg-2', 2000, { target: 'sync-standby', healedAtMs: 5030 })],
      logs: [log('drill-x-pg-1', [pgLine(500, PRIORITY), pgLine(6100, PRIORITY)])],
    };
    assert.equal(Math.round(commitGateFloor(input)!.atMs * 1000) / 1000, 6099.9);
    // A third server left up could have confirmed the commits: no floor.
    assert.equal(commitGateFloor({ ...input, nodes: [...input.nodes, 'drill-x-pg-3'] }), null);
    // Both others down, but one started again before the other went: not down at once.
    const both = { ...input, nodes: [...input.nodes, 'drill-x-pg-3'], faults: [kill('drill-x-pg-2', 2000, { healedAtMs: 2500 }), kill('drill-x-pg-3', 3000)] };
    assert.equal(commitGateFloor(both), null);
  });

  it('no floor where the gate was not certainly closed, or the record cannot be placed on the run clock', () => {
    // The old primary only cut off: it may come back and serve.
    assert.equal(commitGateFloor(promoted({ faults: [{ ...kill('drill-x-db-1', 5000), kind: 'partition' }] })), null);
    // A pause keeps the walsender: no new announcement when it thaws.
    assert.equal(commitGateFloor(promoted({ faults: [{ ...kill('drill-x-db-1', 5000), kind: 'pause' }] })), null);
    // The old primary started again before the gate opened.
    assert.equal(commitGateFloor(promoted({ faults: [kill('drill-x-db-1', 5000, { healedAtMs: 6000 })] })), null);
    // No gate line after the fault, or no primary known.
    assert.equal(commitGateFloor(promoted({ logs: [log('drill-x-db-2', [pgLine(1000, QUORUM)])] })), null);
    assert.equal(commitGateFloor(promoted({ primaryAfter: null })), null);
    // A remote engine: lines have no run-clock time.
    const remote = promoted().logs.map((l) => ({ ...l, lines: l.lines.map((x) => ({ ...x, atMs: null })) }));
    assert.equal(commitGateFloor(promoted({ logs: remote })), null);
    // PostgreSQL's stamp later than the engine read the line: the clocks disagree.
    assert.equal(commitGateFloor(promoted({ logs: [log('drill-x-db-2', [pgLine(6480, QUORUM, -5)])] })), null);
  });
});

describe('recoveryFloorOf: only where commits wait for a standby', () => {
  const input = { ...promoted(), containers: ['db-1', 'db-2', 'db-3'].map((n) => ({ name: `drill-x-${n}`, role: 'db' })) };
  it('postgres with synchronous standbys named and synchronous_commit on; not async, not local', async () => {
    const spec = (await loadDrillFile('drills/pg-sync-kill-primary.yaml')).spec.stack;
    assert.equal(spec.kind, 'postgres');
    assert.ok(recoveryFloorOf(spec, input));
    assert.equal(recoveryFloorOf({ ...spec, replication: { ...spec.replication, synchronousCommit: 'local' } }, input), null);
    assert.equal(recoveryFloorOf({ ...spec, replication: { ...spec.replication, synchronousStandbyNames: '' } }, input), null);
  });

  it('patroni: every standby down closes the gate only in strict mode; MariaDB and Redis have no commit gate', async () => {
    const strict = (await loadDrillFile('drills/patroni-strict-sync-standby-down.yaml')).spec.stack;
    assert.equal(strict.kind, 'patroni');
    const pgInput = { ...input, containers: input.containers.map((c) => ({ ...c, role: 'pg' })) };
    assert.ok(recoveryFloorOf(strict, pgInput));
    assert.equal(recoveryFloorOf({ ...strict, patroni: { ...strict.patroni, synchronousModeStrict: false } }, pgInput), null);
    assert.equal(recoveryFloorOf((await loadDrillFile('drills/mysql-kill-primary.yaml')).spec.stack, input), null);
    assert.equal(recoveryFloorOf((await loadDrillFile('drills/redis-sentinel-kill-master.yaml')).spec.stack, input), null);
  });
});
