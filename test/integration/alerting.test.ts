import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { mttdBoundsMs, forMsOf } from '../../src/layers/monitoring/assess.js';
import type { MonitoringLayerResult, ResultJson } from '../../src/report/result.js';
import { docker, leftovers, removeKeptRun, requireEngine, runDrillFile } from './helpers.js';

// Did the alert fire, and how fast: the shipped alerting drills through the CLI with real Prometheus and
// Alertmanager. The MTTD drill reports is checked against what it must be by construction, and the firing
// time against Prometheus's own ALERTS series, read here from the kept monitoring container.

/** Slack for delivery to the webhook (Prometheus → Alertmanager → receiver: a few ms here) on top of the bound. */
const DELIVERY_SLACK_MS = 250;

const monitoringOf = (r: ResultJson): MonitoringLayerResult => {
  const layer = r.layers?.find((l): l is MonitoringLayerResult => l.kind === 'monitoring');
  assert.ok(layer, 'the result has a monitoring layer');
  return layer;
};

describe('redis-kill-master-alerting', () => {
  let run: Awaited<ReturnType<typeof runDrillFile>>;
  before(async () => {
    await requireEngine();
    run = await runDrillFile('drills/redis-kill-master-alerting.yaml', ['--keep-stack']);
  });
  after(async () => {
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- unset when before() failed
    if (run) await removeKeptRun(run.result.runId);
  });

  it('passes: RedisDown and DrillWriteErrors paged within 5 s of the kill, the write errors resolved after recovery', () => {
    const { result } = run;
    assert.equal(result.verdict, 'pass', `${result.reason}\n${run.stderr.slice(-2000)}`);
    assert.equal(run.code, 0);
    const m = monitoringOf(result);
    assert.deepEqual(
      m.checks.map((c) => [c.name, c.ok]),
      [
        ['alert RedisDown fires', true],
        ['alert DrillWriteErrors fires', true],
        ['alert DrillWriteErrors resolves', true],
      ],
    );
  });

  it("each MTTD lies between the rule's for: and scrape + evaluation + for: + group_wait + the fault's width", () => {
    const m = monitoringOf(run.result);
    for (const name of ['RedisDown', 'DrillWriteErrors']) {
      const episode = m.alerts.find((a) => a.name === name && a.notifiedAtMs !== null);
      assert.ok(episode, `${name} notified: ${JSON.stringify(m.alerts)}`);
      const mttdMs = episode.notifiedAtMs! - m.faultAtMs!;
      const spec = {
        kind: 'monitoring' as const,
        external: undefined,
        scrapeIntervalMs: m.scrapeIntervalMs,
        evaluationIntervalMs: m.evaluationIntervalMs,
        groupWaitMs: m.groupWaitMs,
        rules: [],
        alerts: [],
        noAlert: [],
      };
      const { lowMs, highMs } = mttdBoundsMs(spec, forMsOf(m.rules.find((r) => r.name === name)?.for ?? null), m.precisionMs);
      assert.ok(mttdMs >= lowMs - m.precisionMs && mttdMs <= highMs + DELIVERY_SLACK_MS, `${name}: MTTD ${mttdMs.toFixed(0)} ms outside [${lowMs}, ${highMs} + ${DELIVERY_SLACK_MS}]`);
      // Firing comes before the page, pending (when the rule has a for:) before firing.
      assert.ok(episode.firingAtMs! <= episode.notifiedAtMs!);
      if (episode.pendingAtMs !== null) assert.ok(episode.pendingAtMs < episode.firingAtMs!);
    }
  });

  it("the firing time is Prometheus's own: its ALERTS series, asked here, fires RedisDown at the same evaluation", async () => {
    const m = monitoringOf(run.result);
    const container = await docker.getContainer(m.containers[0]!.name).inspect();
    const port = container.NetworkSettings.Ports['9090/tcp']?.[0]?.HostPort;
    assert.ok(port, 'Prometheus is published on 127.0.0.1');
    const query = encodeURIComponent('ALERTS{alertname="RedisDown",alertstate="firing"}[10m]');
    const body = (await (await fetch(`http://127.0.0.1:${port}/api/v1/query?query=${query}`)).json()) as { data: { result: { values: [number, string][] }[] } };
    const firstEpochMs = Math.min(...body.data.result.flatMap((s) => s.values.map(([t]) => t * 1000)));
    const reported = m.alerts.find((a) => a.name === 'RedisDown' && a.firingAtMs !== null)!.firingAtMs!;
    // The run clock's origin is in the result; 1 ms for rounding of the two clocks' mapping.
    assert.ok(Math.abs(run.result.clockOriginEpochMs + reported - firstEpochMs) <= 1, `reported ${reported} ms, Prometheus ${firstEpochMs - run.result.clockOriginEpochMs} ms`);
  });

  it('puts pending, firing, paged and resolved on the timeline and the alerts table in the report', async () => {
    const markers = new Set(run.result.events.map((e) => e.marker));
    for (const marker of ['alert-pending', 'alert-firing', 'alert-notified', 'alert-resolved']) assert.ok(markers.has(marker as never), `${marker} on the timeline`);
    const html = await readFile(path.join(path.dirname(run.resultPath), 'report.html'), 'utf8');
    assert.match(html, /data-testid="alerts"/);
    assert.match(html, /data-testid="alert-row" data-alert="RedisDown"/);
  });
});

describe('redis-alert-too-slow', () => {
  let run: Awaited<ReturnType<typeof runDrillFile>>;
  before(async () => {
    await requireEngine();
    run = await runDrillFile('drills/redis-alert-too-slow.yaml');
  });

  it('fails (exit 1): the failover is fine, but a rule with for: 60s cannot page within 10 s', () => {
    const { result } = run;
    assert.equal(run.code, 1, run.stderr.slice(-2000));
    assert.equal(result.verdict, 'fail');
    assert.ok(result.objectives.find((o) => o.name === 'rtoMs')?.met, 'the failover itself met its RTO');
    const check = monitoringOf(result).checks.find((c) => c.name === 'alert RedisDownSlow fires');
    assert.equal(check?.ok, false);
    assert.match(check.detail, /pending but never fired/);
    const episode = monitoringOf(result).alerts.find((a) => a.name === 'RedisDownSlow');
    assert.ok(episode && episode.pendingAtMs !== null && episode.firingAtMs === null, JSON.stringify(episode));
    assert.match(result.reason ?? '', /monitoring layer, alert RedisDownSlow fires/);
  });

  it('leaves nothing behind', async () => {
    assert.deepEqual(await leftovers(run.result.runId), []);
  });
});

describe('mysql-kill-primary-alerting', () => {
  let run: Awaited<ReturnType<typeof runDrillFile>>;
  before(async () => {
    await requireEngine();
    run = await runDrillFile('drills/mysql-kill-primary-alerting.yaml');
  });

  it('passes: MySQLDown and the write errors page within 5 s, the promotion is seen, the errors resolve after recovery', () => {
    const { result } = run;
    assert.equal(result.verdict, 'pass', `${result.reason}\n${run.stderr.slice(-2000)}`);
    const m = monitoringOf(result);
    assert.ok(
      m.checks.every((c) => c.ok),
      JSON.stringify(m.checks),
    );
    // MySQLDown is about the killed primary, MySQLPrimaryChanged about the node the runbook promoted.
    const down = m.alerts.find((a) => a.name === 'MySQLDown' && a.notifiedAtMs !== null);
    assert.equal(down?.node, result.stack.primaryBefore?.replace(/^drill-[0-9a-f]+-/, ''));
    const promoted = m.alerts.find((a) => a.name === 'MySQLPrimaryChanged' && a.notifiedAtMs !== null);
    assert.equal(promoted?.node, result.stack.primaryAfter?.replace(/^drill-[0-9a-f]+-/, ''));
    assert.ok(promoted!.firingAtMs! > m.faultAtMs!, 'the promotion was seen after the kill');
  });

  it('leaves nothing behind', async () => {
    assert.deepEqual(await leftovers(run.result.runId), []);
  });
});

describe('redis-switchover-quiet-alerts', () => {
  let run: Awaited<ReturnType<typeof runDrillFile>>;
  before(async () => {
    await requireEngine();
    run = await runDrillFile('drills/redis-switchover-quiet-alerts.yaml');
  });

  it('passes: no paging alert fired during the planned switchover, and the master change was seen', () => {
    const { result } = run;
    assert.equal(result.verdict, 'pass', `${result.reason}\n${run.stderr.slice(-2000)}`);
    const m = monitoringOf(result);
    assert.deepEqual(
      m.checks.map((c) => [c.name, c.ok]),
      [
        ['alert RedisMasterChanged fires', true],
        ['alert RedisDown stays quiet', true],
        ['alert RedisReplicationBroken stays quiet', true],
      ],
    );
    // Independently of the checks: no firing of a paging alert in what Prometheus recorded.
    assert.deepEqual(
      m.alerts.filter((a) => (a.name === 'RedisDown' || a.name === 'RedisReplicationBroken') && a.firingAtMs !== null),
      [],
    );
    // MTTD runs from the switchover's start (a planned event: precision 0).
    // (perEvent rounds to 0.1 ms.)
    assert.ok(Math.abs(m.faultAtMs! - result.perEvent![0]!.startMs) <= 0.1, `${m.faultAtMs} vs ${result.perEvent![0]!.startMs}`);
  });
});
