import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { FaultRecord, LogLine } from '../../src/measure/types.js';
import { faultAt, log, ORIGIN, stampedLine } from './floor-fixtures.js';
import { appConnectFloor, type AppConnectInput } from '../../src/stacks/app-connect-floor.js';
import { cutOffFault } from '../../src/stacks/floor-evidence.js';
import { recoveryFloorOf } from '../../src/stacks/recovery-floor.js';
import { loadDrillFile } from '../../src/spec/load-drill.js';

/** A line the app stamped at ownMs (run clock, whole ms: Date.now()) and the engine read engineLagMs later; '@' in text is the stamp. */
const appLine = (ownMs: number, text: string, engineLagMs = 0.6): LogLine => stampedLine(ownMs, text.replace('@', String(ORIGIN + ownMs)), engineLagMs);

const connected = (host: string, ownMs: number, lagMs?: number) => appLine(ownMs, `primary pool connected to ${host} at @`, lagMs);

const fault = faultAt;

const partition = (groups: string[][], atMs: number, over: Partial<FaultRecord> = {}): FaultRecord =>
  fault('partition', groups.map((g) => g.join(', ')).join(' | '), atMs, { groups, healedAtMs: atMs + 6000, ...over });

function repointed(over: Partial<AppConnectInput> = {}): AppConnectInput {
  return {
    apps: ['drill-x-app-1'],
    primaryBefore: 'drill-x-db-1',
    faults: [fault('kill', 'drill-x-db-1', 4000)],
    logs: [log('drill-x-app-1', [connected('drill-x-db-1', 300), appLine(5100, 'primary is now drill-x-db-2'), connected('drill-x-db-2', 5160)])],
    ...over,
  };
}

describe('appConnectFloor: no write through the app before its first connection to the new primary', () => {
  it('after a kill of the old primary: the first connection stamped after it, by the app clock (whole ms, minus the alignment margin)', () => {
    const floor = appConnectFloor(repointed());
    assert.ok(floor);
    assert.equal(Math.round(floor.atMs * 1000) / 1000, 5159.9);
    assert.equal(floor.sinceMs, 4000.5);
    assert.equal(floor.why, 'app-1 logged "primary pool connected to drill-x-db-2"');
  });

  it('after a partition that cut the old primary off from every app, until the heal', () => {
    const groups = [['drill-x-db-1'], ['drill-x-db-2', 'drill-x-db-3', 'drill-x-app-1', 'runner']];
    assert.ok(appConnectFloor(repointed({ faults: [partition(groups, 4000)] })));
    // Healed before the app reconnected: the old primary may have served meanwhile.
    assert.equal(appConnectFloor(repointed({ faults: [partition(groups, 4000, { healedAtMs: 5000 })] })), null);
    // The app on the old primary's side: it could still write there.
    assert.equal(
      appConnectFloor(
        repointed({
          faults: [
            partition(
              [
                ['drill-x-db-1', 'drill-x-app-1'],
                ['drill-x-db-2', 'drill-x-db-3'],
              ],
              4000,
            ),
          ],
        }),
      ),
      null,
    );
  });

  it('several apps: the earliest first connection, and only if every app reconnected to the new primary', () => {
    const two = repointed({
      apps: ['drill-x-app-1', 'drill-x-app-2'],
      logs: [log('drill-x-app-1', [connected('drill-x-db-2', 5160)]), log('drill-x-app-2', [connected('drill-x-db-2', 5120)])],
    });
    assert.equal(Math.round(appConnectFloor(two)!.atMs * 1000) / 1000, 5119.9);
    assert.equal(appConnectFloor({ ...two, logs: two.logs.slice(0, 1) }), null);
  });

  it('whichever node a new pool reached first: a third node, or the first repoint of a drill that fails back to the old primary', () => {
    // No write could be acknowledged before some new pool connected, wherever it went.
    const third = appConnectFloor(repointed({ logs: [log('drill-x-app-1', [connected('drill-x-db-3', 5100), connected('drill-x-db-2', 5300)])] }));
    assert.equal(Math.round(third!.atMs * 1000) / 1000, 5099.9);
    // Failed over to db-2, then back to db-1 (mysql-failover-rejoin-failback): the run's last primary is the first one again.
    const failback = repointed({ logs: [log('drill-x-app-1', [connected('drill-x-db-1', 300), connected('drill-x-db-2', 5160), connected('drill-x-db-1', 9000)])] });
    assert.equal(Math.round(appConnectFloor(failback)!.atMs * 1000) / 1000, 5159.9);
  });

  it('no floor where writes could have gone another way, or the line cannot be placed on the run clock', () => {
    // The old primary paused, not gone: it serves again at the thaw.
    assert.equal(appConnectFloor(repointed({ faults: [fault('pause', 'drill-x-db-1', 4000)] })), null);
    // Started again before the app reconnected.
    assert.equal(appConnectFloor(repointed({ faults: [fault('kill', 'drill-x-db-1', 4000, { healedAtMs: 5000 })] })), null);
    // The app's first reconnection went back to the old primary.
    assert.equal(appConnectFloor(repointed({ logs: [log('drill-x-app-1', [connected('drill-x-db-1', 5100), connected('drill-x-db-2', 5300)])] })), null);
    // No app, no line, a remote engine (no run-clock time), or the app's stamp after the engine read the line.
    assert.equal(appConnectFloor(repointed({ apps: [] })), null);
    assert.equal(appConnectFloor(repointed({ logs: [log('drill-x-app-1', [connected('drill-x-db-1', 300)])] })), null);
    const remote = repointed().logs.map((l) => ({ ...l, lines: l.lines.map((x) => ({ ...x, atMs: null })) }));
    assert.equal(appConnectFloor(repointed({ logs: remote })), null);
    assert.equal(appConnectFloor(repointed({ logs: [log('drill-x-app-1', [connected('drill-x-db-2', 5160, -5)])] })), null);
  });
});

describe('cutOffFault', () => {
  it('a fault that took the node away, or groups that put it apart from every other', () => {
    const kill = fault('kill', 'a', 1000);
    assert.equal(cutOffFault([kill], 'a', ['x']), kill);
    assert.equal(cutOffFault([fault('stop', 'b', 1000)], 'a', ['x']), null);
    const apart = partition([['a'], ['b', 'x']], 1000);
    assert.equal(cutOffFault([apart], 'a', ['x']), apart);
    // One of the others not in any group, or on the node's side.
    assert.equal(cutOffFault([partition([['a'], ['b']], 1000)], 'a', ['x']), null);
    assert.equal(cutOffFault([partition([['a', 'y'], ['x']], 1000)], 'a', ['x', 'y']), null);
  });
});

describe('recoveryFloorOf: the app floor on the stacks a runbook repoints', () => {
  const input = {
    ...repointed(),
    primaryAfter: 'drill-x-db-2',
    containers: [...['db-1', 'db-2', 'db-3'].map((n) => ({ name: `drill-x-${n}`, role: 'db' })), { name: 'drill-x-app-1', role: 'app' }],
  };
  it('MariaDB and PostgreSQL; not Redis (Sentinel finds the master), not Patroni (HAProxy)', async () => {
    assert.ok(recoveryFloorOf((await loadDrillFile('drills/mysql-partition-primary.yaml')).spec.stack, input));
    assert.ok(recoveryFloorOf((await loadDrillFile('drills/pg-async-kill-primary.yaml')).spec.stack, input));
    assert.equal(recoveryFloorOf((await loadDrillFile('drills/redis-sentinel-kill-master.yaml')).spec.stack, input), null);
    const patroni = (await loadDrillFile('drills/patroni-kill-leader.yaml')).spec.stack;
    assert.equal(recoveryFloorOf(patroni, { ...input, containers: input.containers.map((c) => (c.role === 'db' ? { ...c, role: 'pg' } : c)) }), null);
  });
});
