import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { INITIAL_PID_NAMESPACE, ownPidNamespace } from '../../src/engine/labels.js';
import { isDeadRun } from '../../src/engine/resources.js';

// Which leftovers a run may sweep: only a run whose owner it can check, i.e. on this host and in this
// PID namespace. A runner in a container (`docker run --network host`) shares the host's host name but
// not its pids: without the namespace, each would take the other's live runs for dead ones.

const HOST_RUNNER = { host: 'vm', pidNamespace: INITIAL_PID_NAMESPACE };
const CONTAINER_RUNNER = { host: 'vm', pidNamespace: '4026532182' };
const nothingAlive = (): boolean => false;
const everythingAlive = (): boolean => true;

function labels(extra: Record<string, string>): Record<string, string> {
  return { 'drill.run-id': 'r1', 'drill.owner-host': 'vm', 'drill.owner-pid': '4242', ...extra };
}

describe('isDeadRun', () => {
  it('removes a run of this host and namespace whose owner is gone, keeps it while the owner lives', () => {
    const own = labels({ 'drill.owner-pidns': INITIAL_PID_NAMESPACE });
    assert.equal(isDeadRun(own, HOST_RUNNER, nothingAlive), true);
    assert.equal(isDeadRun(own, HOST_RUNNER, everythingAlive), false);
  });

  it('a run without a namespace label belongs to the host', () => {
    assert.equal(isDeadRun(labels({}), HOST_RUNNER, nothingAlive), true);
    assert.equal(isDeadRun(labels({}), CONTAINER_RUNNER, nothingAlive), false);
  });

  it("a runner in a container never sweeps the host's runs, nor the host a container's", () => {
    assert.equal(isDeadRun(labels({ 'drill.owner-pidns': INITIAL_PID_NAMESPACE }), CONTAINER_RUNNER, nothingAlive), false);
    assert.equal(isDeadRun(labels({ 'drill.owner-pidns': '4026532182' }), HOST_RUNNER, nothingAlive), false);
    assert.equal(isDeadRun(labels({ 'drill.owner-pidns': '4026532999' }), CONTAINER_RUNNER, nothingAlive), false);
  });

  it('drill cleanup (includeOtherHosts) removes what it cannot check', () => {
    assert.equal(isDeadRun(labels({ 'drill.owner-pidns': '4026532182' }), HOST_RUNNER, everythingAlive, { includeOtherHosts: true }), true);
    assert.equal(isDeadRun(labels({ 'drill.owner-host': 'elsewhere' }), HOST_RUNNER, everythingAlive, { includeOtherHosts: true }), true);
  });

  it('a stack kept on request (--keep-stack) outlives its owner for other runs; drill cleanup removes it', () => {
    const kept = labels({ 'drill.owner-pidns': INITIAL_PID_NAMESPACE, 'drill.kept': 'true' });
    assert.equal(isDeadRun(kept, HOST_RUNNER, nothingAlive), false);
    assert.equal(isDeadRun(kept, HOST_RUNNER, nothingAlive, { includeOtherHosts: true, includeKept: true }), true);
    // While its owner still runs, not even drill cleanup takes it.
    assert.equal(isDeadRun(kept, HOST_RUNNER, everythingAlive, { includeOtherHosts: true, includeKept: true }), false);
  });

  it('never selects an unlabelled resource', () => {
    assert.equal(isDeadRun({}, HOST_RUNNER, nothingAlive, { includeOtherHosts: true }), false);
  });

  it("reads this process's namespace", () => {
    assert.match(ownPidNamespace(), /^\d+$/);
  });
});
