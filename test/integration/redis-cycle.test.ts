import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import type { ResultJson } from '../../src/report/result.js';
import { docker, leftovers, removeKeptRun, repoRoot, requireEngine, runDrillFile, runProgram } from './helpers.js';

// The Redis half of the DR cycle, each shipped drill through the CLI against the real engine: a planned
// switchover, a failover followed by a rejoin of the old master, and a second failure during a failover.

const notes = (r: ResultJson) => `${r.reason} | ${r.measured?.notes.join(' | ')}`;
const nodeOf = (container: string | null) => container?.replace(/^drill-[0-9a-f]+-/, '') ?? null;

/** INFO replication of a container's Redis, asked inside it (not through drill). */
async function infoReplication(container: string): Promise<Map<string, string>> {
  const out = await runProgram('docker', ['exec', container, 'redis-cli', 'info', 'replication'], { cwd: repoRoot, timeoutMs: 10_000 });
  assert.equal(out.code, 0, out.stderr);
  return new Map(
    out.stdout
      .split(/\r?\n/)
      .filter((l) => l.includes(':'))
      .map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 1).trim()]),
  );
}

async function containerIp(container: string): Promise<string> {
  const info = await docker.getContainer(container).inspect();
  return Object.values(info.NetworkSettings.Networks)[0]!.IPAddress;
}

describe('redis-planned-switchover', () => {
  let run: Awaited<ReturnType<typeof runDrillFile>>;
  before(async () => {
    await requireEngine();
    run = await runDrillFile('drills/redis-planned-switchover.yaml');
  });

  it('passes: the master moved, writes back within 2 s, nothing acknowledged lost', () => {
    const { result } = run;
    assert.equal(result.verdict, 'pass', notes(result));
    assert.equal(run.code, 0);
    assert.notEqual(result.stack.primaryAfter, result.stack.primaryBefore);
    const [event, ...rest] = result.perEvent ?? [];
    assert.equal(rest.length, 0);
    assert.equal(event?.kind, 'switchover');
    assert.equal(event.label, `switchover ${nodeOf(result.stack.primaryBefore)} → ${nodeOf(result.stack.primaryAfter)}`);
    // A switchover is felt (writes are held, then clients reconnect): an RTO of 0 would mean nothing happened.
    assert.ok(event.rtoMs !== null && event.rtoMs > 0 && event.rtoMs <= 2000, `switchover RTO ${event.rtoMs}`);
    assert.equal(event.lostWrites, 0);
    assert.equal(result.measured!.lostWrites, 0);
    assert.equal(result.measured!.unexpectedWrites, 0);
  });

  it("puts drill's steps and Sentinel's own switch on the timeline", () => {
    const { events } = run.result;
    const step = events.find((e) => e.marker === 'runbook-switchover');
    assert.ok(step, 'no switchover step on the timeline');
    for (const part of ['CLIENT PAUSE WRITE', 'caught up', 'SENTINEL FAILOVER accepted', 'answers role:master', 'made a replica of'])
      assert.ok(step.message.includes(part), `${part}: ${step.message}`);
    const switched = events.filter((e) => e.marker === 'switch-master');
    assert.ok(switched.length >= 1, 'Sentinel announced no +switch-master');
    assert.ok(switched[0]!.atMs >= step.atMs, 'Sentinel switched before the switchover began');
  });

  it('leaves nothing behind', async () => {
    assert.deepEqual(await leftovers(run.result.runId), []);
  });
});

describe('redis-failover-rejoin', () => {
  let run: Awaited<ReturnType<typeof runDrillFile>>;
  let oldMaster: Map<string, string>;
  let newMaster: Map<string, string>;
  let newMasterIp: string;
  before(async () => {
    await requireEngine();
    run = await runDrillFile('drills/redis-failover-rejoin.yaml', ['--keep-stack']);
    const { primaryBefore, primaryAfter } = run.result.stack;
    try {
      // Asked after the run, of the servers themselves: the master's offset first, so the replica is at or past it.
      newMaster = await infoReplication(primaryAfter!);
      oldMaster = await infoReplication(primaryBefore!);
      newMasterIp = await containerIp(primaryAfter!);
    } finally {
      await removeKeptRun(run.result.runId);
    }
  });

  it('passes: a failover, then the rejoin measured', () => {
    const { result } = run;
    assert.equal(result.verdict, 'pass', notes(result));
    assert.deepEqual(
      result.perEvent?.map((e) => e.kind),
      ['failover', 'rejoin'],
    );
    const [failover, rejoin] = result.perEvent;
    // Sentinel needs down-after (1 s) and more to switch: a failover RTO under that is not a real one.
    assert.ok(failover!.rtoMs !== null && failover!.rtoMs > 1000 && failover!.rtoMs <= 10_000, `failover RTO ${failover!.rtoMs}`);
    assert.ok(rejoin!.withinMs !== null && rejoin!.withinMs > 0 && rejoin!.withinMs <= 10_000, `rejoin took ${rejoin!.withinMs}`);
    assert.equal(rejoin!.label, `rejoin ${nodeOf(result.stack.primaryBefore)} → replica of ${nodeOf(result.stack.primaryAfter)}`);
    assert.ok(
      result.events.some((e) => e.marker === 'rejoin-caught-up'),
      'no caught-up moment on the timeline',
    );
  });

  it('the old master really replicates from the new one, caught up', () => {
    assert.equal(newMaster.get('role'), 'master');
    assert.equal(oldMaster.get('role'), 'slave');
    assert.equal(oldMaster.get('master_host'), newMasterIp);
    assert.equal(oldMaster.get('master_link_status'), 'up');
    assert.ok(Number(oldMaster.get('slave_repl_offset')) >= Number(newMaster.get('master_repl_offset')), `${oldMaster.get('slave_repl_offset')} < ${newMaster.get('master_repl_offset')}`);
  });

  it('leaves nothing behind once the kept stack is removed', async () => {
    assert.deepEqual(await leftovers(run.result.runId), []);
  });
});

describe('redis-second-failure-during-failover', () => {
  let run: Awaited<ReturnType<typeof runDrillFile>>;
  before(async () => {
    await requireEngine();
    run = await runDrillFile('drills/redis-second-failure-during-failover.yaml');
  });

  it('passes: each fault measured as its own event, the replica left promoted', () => {
    const { result } = run;
    assert.equal(result.verdict, 'pass', notes(result));
    const events = result.perEvent ?? [];
    assert.deepEqual(
      events.map((e) => e.kind),
      ['failover', 'failover'],
    );
    const [first, second] = events;
    assert.ok(first!.rtoMs !== null && first!.rtoMs > 1000, `first RTO ${first!.rtoMs}`);
    assert.ok(second!.rtoMs !== null && second!.rtoMs > 0, `second RTO ${second!.rtoMs}`);
    // One recovery for both: the second began half a second after the first.
    assert.ok(first!.rtoMs - second!.rtoMs > 300 && first!.rtoMs - second!.rtoMs < 800, `${first!.rtoMs} vs ${second!.rtoMs}`);
    const killed = result.faults.map((f) => f.container);
    assert.equal(killed.length, 2);
    assert.equal(killed[0], result.stack.primaryBefore);
    const redis = result.stack.containers.filter((c) => c.role === 'redis').map((c) => c.name);
    const left = redis.filter((n) => !killed.includes(n));
    assert.deepEqual([result.stack.primaryAfter], left, 'Sentinel did not promote the one replica left');
    assert.ok(
      result.events.some((e) => e.marker === 'switch-master' && e.message.includes('+switch-master')),
      'no +switch-master on the timeline',
    );
  });

  it('leaves nothing behind', async () => {
    assert.deepEqual(await leftovers(run.result.runId), []);
  });
});
