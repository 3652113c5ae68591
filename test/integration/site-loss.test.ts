import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { docker, leftovers, removeKeptRun, requireEngine, runDrillFile } from './helpers.js';
import { directIds, writesOf } from './restore-helpers.js';

// mariadb-site-loss on the real engine: the primary's site (db-1, db-2) destroyed under load, the runbook
// fails over to db-3, the standby in the other site behind a slow link (300 ms on its replication
// connection only). The loss is judged by db-3's own table after the run (the stack is kept for it, read
// with `docker exec`) against writes.csv; the lag drill reports against the link's delay.

type Run = Awaited<ReturnType<typeof runDrillFile>>;

describe('site loss with a standby behind a slow link', () => {
  let run: Run;
  let standbyIds: Set<number>;
  let siteContainersLeft: string[];
  before(async () => {
    await requireEngine();
    run = await runDrillFile('drills/mariadb-site-loss.yaml', ['--keep-stack']);
    try {
      const names = run.result.stack.containers.map((c) => c.name);
      const db3 = names.find((n) => n.endsWith('-db-3'))!;
      const ids = directIds(db3);
      assert.ok(ids, 'db-3 has no drill.writes table');
      standbyIds = ids;
      const present = new Set((await docker.listContainers({ all: true, filters: { label: [`drill.run-id=${run.result.runId}`] } })).flatMap((c) => c.Names.map((n) => n.slice(1))));
      siteContainersLeft = names.filter((n) => /-db-[12]$/.test(n) && present.has(n));
    } finally {
      await removeKeptRun(run.result.runId);
    }
  });

  it('destroys the whole site, fails over to the standby, and loses no more than the standby lacked', async () => {
    const { result } = run;
    assert.equal(result.verdict, 'pass', `${result.reason} | ${result.measured?.notes.join(' | ')}`);
    assert.deepEqual(siteContainersLeft, [], 'the lost site still has containers');
    assert.equal(result.stack.primaryAfter?.endsWith('-db-3'), true, `primary after: ${result.stack.primaryAfter}`);
    const site = result.faults.find((f) => f.kind === 'site-loss')!;
    assert.match(site.destroyed ?? '', /db-1 .*removed; .*db-2 .*removed/);

    // Independent: acknowledged writes db-3 does not have, from writes.csv and db-3's own table.
    const lost = (await writesOf(run.resultPath)).filter((w) => w.ok && !standbyIds.has(w.id));
    assert.equal(result.measured!.lostWrites, lost.length, 'drill counts the loss db-3 shows');
    assert.ok(lost.length > 0, 'the slow link held writes back: a site loss must lose some');

    // Where db-3 stood at the disaster, asked of it just before the site went: behind by at least the
    // link's delay (what it had was committed on the primary at least 300 ms earlier), and the failover
    // lost no more than it lacked then (what was already on the link still arrived).
    const [lag] = result.measured!.standbyLag ?? [];
    assert.ok(lag, 'no standby position at the disaster');
    assert.equal(lag.node, 'db-3');
    assert.ok(lag.lagMs !== null && lag.lagMs >= 250, `standby lag ${lag.lagMs} ms, under the link's 300 ms delay`);
    assert.ok(lost.length <= lag.writesBehind, `lost ${lost.length}, more than the ${lag.writesBehind} db-3 lacked at the disaster`);
  });

  it('slowed only the replication link: the latency was verified from db-3 and not seen by other clients', () => {
    const link = run.result.faults.find((f) => f.kind === 'latency')!;
    assert.equal(link.condition, true, 'the slow link is a condition of the drill, not its disaster');
    assert.match(link.verified ?? '', /from db-3 .* ms \(asked \+300/);
    // The drill's RTO counts from the site loss, not from the link.
    assert.equal(run.result.measured!.faultAtMs, run.result.faults.find((f) => f.kind === 'site-loss')!.effectFromMs ?? run.result.faults.find((f) => f.kind === 'site-loss')!.injectedAtMs);
    assert.equal(run.result.perEvent?.length, 1, 'one event: the site loss');
  });

  it('leaves nothing behind', async () => {
    assert.deepEqual(await leftovers(run.result.runId), []);
  });
});
