import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { ResultJson } from '../../src/report/result.js';
import { imageSources } from '../../src/engine/image-source.js';
import { assertDirectReadBack } from './read-back.js';
import { assertRecoveryFloor } from './floor-helpers.js';
import { docker, leftovers, requireEngine, runCli, runDrillFile } from './helpers.js';

// The postgres drills on the real engine (drill's PostgreSQL 15 image from Debian's packages). Every
// figure drill reports is checked against the databases themselves, read with `docker exec … psql`
// (the postgres superuser over the container's unix socket), never through drill; read right after the
// run, before another run's start sweeps the kept stack.

type Run = Awaited<ReturnType<typeof runDrillFile>>;

/** Remove what a --keep-stack run left, by its run label only; another run's start may have swept it already (404s are fine). */
async function removeKept(runId: string): Promise<void> {
  const filters = { label: [`drill.run-id=${runId}`] };
  for (const c of await docker.listContainers({ all: true, filters }))
    await docker
      .getContainer(c.Id)
      .remove({ force: true })
      .catch(() => {});
  for (const n of await docker.listNetworks({ filters }))
    await docker
      .getNetwork(n.Id)
      .remove()
      .catch(() => {});
}

function psql(container: string, query: string): string {
  return execFileSync('docker', ['exec', container, 'psql', '-X', '-A', '-t', '-h', '/var/run/postgresql', '-U', 'postgres', '-d', 'drill', '-c', query], {
    encoding: 'utf8',
    maxBuffer: 64 << 20,
  }).trim();
}

function ids(container: string): Set<number> {
  return new Set(psql(container, 'SELECT id FROM drill.writes').split('\n').filter(Boolean).map(Number));
}

interface Write {
  id: number;
  invokeMs: number;
  completeMs: number;
  outcome: string;
}

async function writes(run: Run): Promise<Write[]> {
  const text = await readFile(path.join(path.dirname(run.resultPath), run.result.files!.writes!.file), 'utf8');
  return text
    .split('\n')
    .slice(1)
    .filter(Boolean)
    .map((line) => {
      const [id, invokeMs, completeMs, outcome] = line.split(',');
      return { id: Number(id), invokeMs: Number(invokeMs), completeMs: Number(completeMs), outcome: outcome! };
    });
}

function marker(result: ResultJson, name: string) {
  return result.events.find((e) => e.marker === name);
}

/** What the drill's survivor holds, read once right after the run. */
interface Direct {
  present: Set<number>;
  /** Per node container: in recovery (a standby) or not. */
  standby: Map<string, boolean>;
  /** Standbys streaming from the primary after the run, by application_name. */
  streaming: string[];
}

function readDirect(result: ResultJson): Direct {
  const primary = result.stack.primaryAfter!;
  const standby = new Map<string, boolean>();
  for (const c of result.stack.containers.filter((x) => x.role === 'db')) {
    try {
      standby.set(c.name, psql(c.name, 'SELECT pg_is_in_recovery()') === 't');
    } catch {
      // dead (killed and not rejoined): no answer
    }
  }
  const streaming = psql(primary, "SELECT application_name FROM pg_stat_replication WHERE state = 'streaming' ORDER BY 1").split('\n').filter(Boolean);
  return { present: ids(primary), standby, streaming };
}

describe('pg-kill-primary-runbook: promote, repoint, rejoin with pg_rewind, checked against the databases', () => {
  let run: Run;
  let direct: Direct;
  before(async () => {
    await requireEngine();
    run = await runDrillFile('drills/pg-kill-primary-runbook.yaml', ['--keep-stack']);
    direct = readDirect(run.result);
  });
  after(async () => {
    await removeKept(run.result.runId);
    assert.deepEqual(await leftovers(run.result.runId), []);
  });

  it('passes: the runbook promoted a standby, the app followed it, and the old primary is a standby again', () => {
    const { result } = run;
    assert.equal(result.verdict, 'pass', `${result.reason} | ${result.measured?.notes.join(' | ')}`);
    assert.equal(run.code, 0);
    assert.equal(result.faults[0]!.container, result.stack.primaryBefore);
    assert.notEqual(result.stack.primaryAfter, result.stack.primaryBefore);
    const promote = marker(result, 'runbook-promote')!;
    const repoint = marker(result, 'runbook-repoint')!;
    assert.ok(promote.atMs >= result.faults[0]!.injectedAtMs + 1000, 'promote did not wait for the operator step');
    assert.ok(result.measured!.recoveredAtMs! >= repoint.atMs - 3000, 'writes recovered long before the repoint');
    // The databases' own view: the new primary is not in recovery, the other two are, and both stream from it.
    assert.equal(direct.standby.get(result.stack.primaryAfter!), false);
    assert.equal(direct.standby.get(result.stack.primaryBefore!), true, 'the old primary is not a standby after the rejoin');
    assert.deepEqual(
      direct.streaming,
      result.stack.containers
        .filter((c) => c.role === 'db' && c.name !== result.stack.primaryAfter)
        .map((c) => c.name.replace(/^drill-[a-z0-9]+-/, ''))
        .sort(),
    );
    assert.ok(marker(result, 'rejoin-caught-up'), 'no rejoin-caught-up event');
  });

  it("puts PostgreSQL's own log lines on the timeline: link lost, promote, new timeline, ready, streaming again", () => {
    const { result } = run;
    const fault = result.faults[0]!;
    const fromLog = result.events.filter((e) => e.source === 'log');
    const lost = fromLog.filter((e) => e.marker === 'replica-link-lost' && e.atMs >= fault.injectedAtMs);
    const standbys = result.stack.containers.filter((c) => c.role === 'db' && c.name !== fault.container).map((c) => c.name.replace(/^drill-[a-z0-9]+-/, ''));
    for (const node of standbys)
      assert.ok(
        lost.some((e) => e.log!.node === node),
        `${node} logged no loss of its primary: ${fromLog.map((e) => e.message).join(' | ')}`,
      );
    const promoted = result.stack.primaryAfter!.replace(/^drill-[a-z0-9]+-/, '');
    for (const m of ['node-promoted', 'new-timeline', 'node-ready']) {
      assert.ok(
        fromLog.some((e) => e.marker === m && e.log!.node === promoted && e.atMs >= fault.injectedAtMs),
        `${promoted}: no ${m} event (${fromLog.map((e) => e.message).join(' | ')})`,
      );
    }
    assert.ok(
      fromLog.some((e) => e.marker === 'replica-link-up' && e.log!.node === 'pg-1' && e.atMs >= fault.injectedAtMs),
      'the rejoined old primary logged no streaming',
    );
  });

  it('reports the same data as a direct read of the new primary, and every node converged', () => {
    assertDirectReadBack(run.result, direct.present, 'the new primary');
    for (const replica of run.result.divergence!.replicas) assert.ok(replica.converged, `${replica.name} diverged: ${JSON.stringify(replica)}`);
  });
});

describe('pg-async-kill-primary: the loss async replication allows, counted from both sides', () => {
  let run: Run;
  let direct: Direct;
  let history: Write[];
  before(async () => {
    await requireEngine();
    run = await runDrillFile('drills/pg-async-kill-primary.yaml', ['--keep-stack']);
    direct = readDirect(run.result);
    history = await writes(run);
  });
  after(async () => {
    await removeKept(run.result.runId);
    assert.deepEqual(await leftovers(run.result.runId), []);
  });

  it('loses acknowledged writes, exactly those acknowledged after the replication link was cut', () => {
    const { result } = run;
    assert.equal(result.verdict, 'pass', `${result.reason} | ${result.measured?.notes.join(' | ')}`);
    const m = result.measured!;
    const partition = result.faults.find((f) => f.kind === 'partition')!;
    const kill = result.faults.find((f) => f.kind === 'kill')!;
    // The primary went on acknowledging for ~2 s with no standby receiving: those writes are gone.
    assert.ok(m.lostWrites! > 100, `only ${m.lostWrites} lost: the primary should have acknowledged ~2 s of writes the standbys never got`);
    const acked = history.filter((w) => w.outcome === 'ok');
    const missing = acked.filter((w) => !direct.present.has(w.id));
    assert.equal(missing.length, m.lostWrites, 'drill lost count differs from the acked writes missing on the new primary');
    for (const w of missing) {
      assert.ok(w.completeMs >= partition.injectedAtMs - 200, `write ${w.id} acked at ${w.completeMs} ms, before the cut at ${partition.injectedAtMs} ms, is lost`);
      assert.ok(w.invokeMs <= kill.injectedAtMs + 100, `write ${w.id} sent at ${w.invokeMs} ms, after the kill, is lost`);
    }
  });

  it("the rejoin found the same writes on the old primary (its WAL past the new timeline's fork) and pg_rewind discarded them", () => {
    const { result } = run;
    const m = result.measured!;
    const rejoin = result.perEvent!.find((e) => e.kind === 'rejoin')!;
    const errant = rejoin.errant!;
    assert.equal(rejoin.errantTransactions, errant.count);
    // Every lost acknowledged write was on the old primary only, next to any unknown write that committed there.
    assert.ok(errant.count >= m.lostWrites!, `${errant.count} rows only on the old primary, ${m.lostWrites} acked writes lost`);
    assert.equal(errant.resolution, 'discarded');
    assert.match(errant.first[0] ?? '', /^WAL [0-9A-F]+\/[0-9A-F]+\.\.[0-9A-F]+\/[0-9A-F]+ on timeline 1 \(\d+ bytes past the fork to timeline 2\)$/);
    const lostIds = new Set(m.lost.firstIds.map((l) => l.id));
    for (const id of errant.writeIds) assert.ok(lostIds.has(id) || !direct.present.has(id), `errant id ${id} is on the new primary`);
    // After pg_rewind the old primary holds what the new primary holds, and streams from it.
    const oldPrimary = result.stack.primaryBefore!;
    assert.equal(direct.standby.get(oldPrimary), true);
    const rewound = ids(oldPrimary);
    for (const l of m.lost.firstIds) assert.ok(!rewound.has(l.id), `lost write ${l.id} still on the rewound old primary`);
  });
});

describe('pg-sync-kill-primary: a synchronous standby, no acknowledged write lost', () => {
  let run: Run;
  let direct: Direct;
  let history: Write[];
  before(async () => {
    await requireEngine();
    run = await runDrillFile('drills/pg-sync-kill-primary.yaml', ['--keep-stack']);
    direct = readDirect(run.result);
    history = await writes(run);
  });
  after(async () => {
    await removeKept(run.result.runId);
    assert.deepEqual(await leftovers(run.result.runId), []);
  });

  it('passes with 0 lost, and every acknowledged write is on the new primary', () => {
    const { result } = run;
    assert.equal(result.verdict, 'pass', `${result.reason} | ${result.measured?.notes.join(' | ')}`);
    assert.equal(result.measured!.lostWrites, 0);
    const acked = history.filter((w) => w.outcome === 'ok');
    assert.ok(acked.length > 500);
    const missing = acked.filter((w) => !direct.present.has(w.id)).map((w) => w.id);
    assert.deepEqual(missing.slice(0, 10), [], `${missing.length} acknowledged writes missing on the new primary`);
  });

  it('acknowledged nothing while the standbys were cut off: commits waited for a standby', () => {
    const { result } = run;
    const partition = result.faults.find((f) => f.kind === 'partition')!;
    const kill = result.faults.find((f) => f.kind === 'kill')!;
    const from = (partition.effectByMs ?? partition.injectReturnedAtMs) + 100;
    const ackedInCut = history.filter((w) => w.outcome === 'ok' && w.completeMs > from && w.completeMs < kill.injectedAtMs);
    assert.deepEqual(
      ackedInCut.slice(0, 5).map((w) => w.id),
      [],
      `${ackedInCut.length} writes acknowledged between ${from} and ${kill.injectedAtMs} ms`,
    );
    const sentInCut = history.filter((w) => w.invokeMs > from && w.invokeMs < kill.injectedAtMs - 1000);
    // Every connection of the load soon hangs on a commit that waits (1 s each): few writes, but some, are sent.
    assert.ok(sentInCut.length >= 10, `only ${sentInCut.length} writes sent during the cut: too few to tell`);
    assert.ok(
      sentInCut.every((w) => w.outcome !== 'ok'),
      'a write sent during the cut was acknowledged',
    );
  });

  it("bounds recovery below by the system's own record, which no acknowledgement precedes", async () => {
    const { result } = run;
    // The later of the new primary's commit-gate line and the app's first connection to it; whether it
    // narrows the edge depends on the run (the probes may already put recovery after it).
    const kill = result.faults.find((f) => f.kind === 'kill')!;
    const floor = await assertRecoveryFloor(run.resultPath, result, kill.effectByMs ?? kill.injectReturnedAtMs);
    const node = result.stack.primaryAfter!.replace(/^drill-[a-z0-9]+-/, '');
    assert.match(
      floor.why,
      new RegExp(`^(${node} logged "standby "[^"]+" is now a candidate for quorum synchronous standby"|app-1 logged "primary pool connected to ${result.stack.primaryAfter!}")$`),
    );
  });
});

describe('postgres on the official image (DRILL_SERVER_IMAGES=official)', () => {
  it('plans postgres:15-bookworm, and where no registry answers the run stops before anything starts (exit 3)', async () => {
    const { servers } = await imageSources();
    const plan = await runCli(['run', '--dry-run', 'drills/pg-kill-primary-runbook.yaml'], { env: { DRILL_SERVER_IMAGES: 'official' } });
    assert.equal(plan.code, 0, plan.stderr);
    assert.ok(plan.stdout.includes(servers.postgres), plan.stdout);
    const present = await docker
      .getImage(servers.postgres)
      .inspect()
      .then(() => true)
      .catch(() => false);
    if (present) return; // a drill on it is then a matter of the drills above with DRILL_SERVER_IMAGES=official
    const run = await runCli(['run', 'drills/pg-kill-primary-runbook.yaml', '--out', `/tmp/drill-test-pg-official-${process.pid}`], { env: { DRILL_SERVER_IMAGES: 'official' }, timeoutMs: 120_000 });
    if (run.code === 3) assert.match(run.stderr, new RegExp(`image ${servers.postgres.replace(/\./g, '\\.')} is not on the engine and could not be pulled: .+`));
    else assert.equal(run.code, 0, `pulled, so the drill should pass on it: ${run.stderr.slice(-2000)}`);
  });
});
