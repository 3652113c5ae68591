import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { LogLine } from '../../src/measure/types.js';
import { faultAt, log, ORIGIN, stampedLine } from './floor-fixtures.js';
import { putInAfter, writableCheckFloor, type CheckFloorInput } from '../../src/layers/lb-vip/check-floor.js';
import { writableCheckScript } from '../../src/layers/lb-vip/config.js';

const VIP = '172.20.255.254';

/** A line stamped by its writer at ownMs (run clock, µs) and read by the engine 3 ms later. */
const own = (ownMs: number, text: string): LogLine => stampedLine(ownMs, text.replace('@', String(Math.round((ORIGIN + ownMs) * 1000))), 3);
const check = (ownMs: number, server: string, pass: boolean) => own(ownMs, `drill-check @ ${server} ${pass ? 'pass' : 'fail'}`);
const vip = (ownMs: number, request: 'RTM_NEWADDR' | 'RTM_DELADDR') => own(ownMs, `drill-trace @ ${request} ${VIP}`);

/**
 * db-1 killed at 3000 (its container gone by 3040); db-2 promoted at 4400. lb-1 holds the VIP throughout;
 * its checks of db-2 every 400 ms fail until 4500, then pass (rise 2: in at 4900). lb-2's pass earlier.
 */
function failover(over: Partial<CheckFloorInput> = {}): CheckFloorInput {
  const lb1 = [vip(10, 'RTM_DELADDR'), vip(500, 'RTM_NEWADDR')];
  const lb2 = [vip(12, 'RTM_DELADDR')];
  for (let t = 100; t < 7000; t += 400) {
    lb1.push(check(t, 'db-2', t >= 4500));
    lb2.push(check(t + 150, 'db-2', t + 150 >= 4500));
    lb1.push(check(t + 5, 'db-1', t < 3000));
  }
  return {
    vip: VIP,
    lbContainers: ['drill-x-lb-1', 'drill-x-lb-2'],
    rise: 2,
    fall: 2,
    primaryBefore: 'drill-x-db-1',
    primaryAfter: 'drill-x-db-2',
    faults: [faultAt('kill', 'drill-x-db-1', 3000, { goneByMs: 3040 })],
    logs: [log('drill-x-lb-1', lb1), log('drill-x-lb-2', lb2), log('drill-x-db-1', []), log('drill-x-db-2', [])],
    ...over,
  };
}

describe("writableCheckFloor: no write through the database front door before the VIP holder's HAProxy put the promoted node in", () => {
  it("the VIP holder's second pass in a row, by the check's own clock just before it exited", () => {
    const floor = writableCheckFloor(failover());
    assert.ok(floor);
    // Passes at 4500 and 4900 on lb-1: in at 4900 (minus the alignment margin); lb-2's 4650 is not the holder's.
    assert.equal(Math.round(floor.atMs * 10) / 10, 4899.9);
    assert.equal(floor.sinceMs, 3040);
    assert.equal(floor.why, "lb-1's HAProxy check of db-2 passed the 2nd time in a row (read_only = 0)");
  });

  it('no floor where the holder is not known, the old primary may still serve, or nothing put the node in', () => {
    // No exit time for the old primary, or it was paused (it serves again at the thaw), or started again before.
    assert.equal(writableCheckFloor(failover({ faults: [faultAt('kill', 'drill-x-db-1', 3000)] })), null);
    assert.equal(writableCheckFloor(failover({ faults: [faultAt('pause', 'drill-x-db-1', 3000, { goneByMs: 3040 })] })), null);
    assert.equal(writableCheckFloor(failover({ faults: [faultAt('kill', 'drill-x-db-1', 3000, { goneByMs: 3040, healedAtMs: 4000 })] })), null);
    // No failover, or a failover to a node no check names.
    assert.equal(writableCheckFloor(failover({ primaryAfter: 'drill-x-db-1' })), null);
    assert.equal(writableCheckFloor(failover({ primaryAfter: 'drill-x-db-3' })), null);
    // The VIP moved in the meantime: which HAProxy carried the writes is not one.
    const moved = failover();
    moved.logs[1]!.lines.push(vip(4000, 'RTM_NEWADDR'));
    assert.equal(writableCheckFloor(moved), null);
    // No VIP stamps at all (an image without strace).
    const untraced = failover();
    untraced.logs[0]!.lines = untraced.logs[0]!.lines.filter((l) => !l.text.startsWith('drill-trace'));
    assert.equal(writableCheckFloor(untraced), null);
  });

  it('counts as HAProxy does: out after `fall` failures in a row, in after `rise` passes in a row, a failure starting the count again', () => {
    const c = (atMs: number, pass: boolean) => ({ atMs, pass });
    // Never out: a server that passes from the start is not put in by a later pass.
    assert.equal(putInAfter([c(1, true), c(2, true), c(3, true)], 2, 2, 0), null);
    // One failure is not `fall` 2: not out, so not put back in.
    assert.equal(putInAfter([c(1, false), c(2, true), c(3, true)], 2, 2, 0), null);
    // Out, one pass, a failure, then two passes: in at the second of those.
    assert.equal(putInAfter([c(1, false), c(2, false), c(3, true), c(4, false), c(5, true), c(6, true)], 2, 2, 0), 6);
    // In before sinceMs, out again after it, in again: the later one.
    assert.equal(putInAfter([c(1, false), c(2, false), c(3, true), c(4, true), c(5, false), c(6, false), c(7, true), c(8, true)], 2, 2, 4.5), 8);
    // rise 1.
    assert.equal(putInAfter([c(1, false), c(2, false), c(3, true)], 1, 2, 0), 3);
  });

  it("each check stamps its verdict just before it exits, under HAProxy's server name, on the container's log", () => {
    const script = writableCheckScript(1000);
    assert.match(script, /^#!\/bin\/bash\n/);
    assert.match(script, /printf 'drill-check %s %s %s\\n' "\$\{EPOCHREALTIME\/\.\/\}" "\$\{HAPROXY_SERVER_NAME:-\$3\}" "\$verdict" > \/proc\/1\/fd\/1\n\[ "\$verdict" = pass \]\n$/);
  });
});
