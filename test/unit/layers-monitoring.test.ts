import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { alertRecords, assessAlerts, mttdBoundsMs, type AlertSample, type NotifiedAlert } from '../../src/layers/monitoring/assess.js';
import { AlertmanagerWatch, POLL_MS } from '../../src/layers/monitoring/alertmanager-watch.js';
import { alertmanagerConfig, exporterCommands, prometheusConfig } from '../../src/layers/monitoring/config.js';
import { DrillFileError, loadDrillFile } from '../../src/spec/load-drill.js';
import type { MonitoringLayerSpec } from '../../src/spec/schema.js';

const spec: MonitoringLayerSpec = {
  kind: 'monitoring',
  external: undefined,
  scrapeIntervalMs: 1000,
  evaluationIntervalMs: 1000,
  groupWaitMs: 0,
  rules: [],
  alerts: [
    { name: 'RedisDown', firesWithinMs: 5000, resolvesWithinMs: undefined },
    { name: 'WriteErrors', firesWithinMs: 2000, resolvesWithinMs: 3000 },
  ],
  noAlert: ['Quiet'],
};
const T0 = 1_800_000_000_000;
const toRun = (epochMs: number) => epochMs - T0;
const sample = (name: string, node: string | null, state: 'pending' | 'firing', atMs: number): AlertSample => ({ name, node, state, atEpochMs: T0 + atMs });

describe('monitoring layer: alert episodes from the ALERTS series and the notifications', () => {
  it('pending, firing, notified, resolved; a second episode after a gap is its own', () => {
    const samples = [
      sample('RedisDown', 'redis-1', 'pending', 5000),
      sample('RedisDown', 'redis-1', 'firing', 6000),
      sample('RedisDown', 'redis-1', 'firing', 7000),
      sample('RedisDown', 'redis-1', 'pending', 20_000),
    ];
    const notified: NotifiedAlert[] = [
      { name: 'RedisDown', node: 'redis-1', status: 'firing', startsAtEpochMs: T0 + 6000, endsAtEpochMs: null, receivedAtEpochMs: T0 + 6010 },
      { name: 'RedisDown', node: 'redis-1', status: 'resolved', startsAtEpochMs: T0 + 6000, endsAtEpochMs: T0 + 8000, receivedAtEpochMs: T0 + 8012 },
    ];
    const records = alertRecords(samples, notified, 1000, toRun);
    assert.deepEqual(records, [
      { name: 'RedisDown', node: 'redis-1', pendingAtMs: 5000, firingAtMs: 6000, notifiedAtMs: 6010, resolvedAtMs: 8000, resolveNotifiedAtMs: 8012 },
      { name: 'RedisDown', node: 'redis-1', pendingAtMs: 20_000, firingAtMs: null, notifiedAtMs: null, resolvedAtMs: null, resolveNotifiedAtMs: null },
    ]);
  });

  it('a notification whose episode the series does not show still counts as fired', () => {
    const records = alertRecords([], [{ name: 'WriteErrors', node: null, status: 'firing', startsAtEpochMs: T0 + 4500, endsAtEpochMs: null, receivedAtEpochMs: T0 + 4507 }], 1000, toRun);
    assert.equal(records[0]!.firingAtMs, 4500);
    assert.equal(records[0]!.notifiedAtMs, 4507);
  });
});

describe('monitoring layer: checks', () => {
  const rules = [
    { name: 'RedisDown', for: '1s' },
    { name: 'WriteErrors', for: null },
    { name: 'Quiet', for: '5s' },
  ];
  it('MTTD from the fault to the notification, judged against firesWithin; resolution from the recovery; quiet alerts', () => {
    const alerts = [
      { name: 'RedisDown', node: 'redis-1', pendingAtMs: 4900, firingAtMs: 5900, notifiedAtMs: 5910, resolvedAtMs: null, resolveNotifiedAtMs: null },
      { name: 'WriteErrors', node: null, pendingAtMs: null, firingAtMs: 4900, notifiedAtMs: 4905, resolvedAtMs: 9000, resolveNotifiedAtMs: 9008 },
      { name: 'Quiet', node: 'redis-2', pendingAtMs: 5000, firingAtMs: null, notifiedAtMs: null, resolvedAtMs: null, resolveNotifiedAtMs: null },
    ];
    const checks = assessAlerts({ spec, rules, alerts, faultAtMs: 4000, fromLabel: 'kill primary → redis-1', recoveredAtMs: 6500, precisionMs: 100 });
    assert.deepEqual(
      checks.map((c) => [c.name, c.ok, c.measured]),
      [
        ['alert RedisDown fires', true, 'MTTD 1.910 s ± 100.0 ms'],
        ['alert WriteErrors fires', true, 'MTTD 0.905 s ± 100.0 ms'],
        ['alert WriteErrors resolves', true, '2.508 s after recovery'],
        ['alert Quiet stays quiet', true, 'quiet'],
      ],
    );
    assert.match(checks[0]!.detail, /between 1\.000 s, its for: 1s, and 3\.100 s/);
    assert.match(checks[3]!.detail, /went pending/);
  });

  it('too slow, never notified, fired when it must stay quiet: each fails with why', () => {
    const alerts = [
      { name: 'RedisDown', node: 'redis-1', pendingAtMs: 4900, firingAtMs: null, notifiedAtMs: null, resolvedAtMs: null, resolveNotifiedAtMs: null },
      { name: 'WriteErrors', node: null, pendingAtMs: null, firingAtMs: 6900, notifiedAtMs: 6905, resolvedAtMs: null, resolveNotifiedAtMs: null },
      { name: 'Quiet', node: 'redis-2', pendingAtMs: 5000, firingAtMs: 10_000, notifiedAtMs: 10_010, resolvedAtMs: null, resolveNotifiedAtMs: null },
    ];
    const checks = assessAlerts({ spec, rules, alerts, faultAtMs: 4000, fromLabel: 'kill primary → redis-1', recoveredAtMs: 6500, precisionMs: 100 });
    assert.deepEqual(
      checks.map((c) => [c.name, c.ok]),
      [
        ['alert RedisDown fires', false],
        ['alert WriteErrors fires', false],
        ['alert WriteErrors resolves', false],
        ['alert Quiet stays quiet', false],
      ],
    );
    assert.match(checks[0]!.detail, /pending but never fired/);
    assert.equal(checks[1]!.measured, 'MTTD 2.905 s ± 100.0 ms');
    assert.match(checks[2]!.detail, /no resolved notification/);
    assert.match(checks[3]!.detail, /fired for redis-2/);
  });

  it('bounds: for: rounded up to whole evaluations, plus scrape, evaluation, group_wait and the fault width', () => {
    assert.deepEqual(mttdBoundsMs({ ...spec, evaluationIntervalMs: 2000, groupWaitMs: 500 }, 3000, 50), { lowMs: 3000, highMs: 1000 + 2000 + 4000 + 500 + 50 });
  });
});

describe('monitoring layer: configuration', () => {
  it('scrapes an exporter per data node and the apps, evaluates at the declared interval, notifies drill with resolved on', () => {
    const nodes = [
      { node: 'redis-1', host: 'drill-x-redis-1', port: 6379 },
      { node: 'redis-2', host: 'drill-x-redis-2', port: 6379 },
    ];
    const prom = JSON.parse(prometheusConfig({ ...spec, scrapeIntervalMs: 500 }, nodes, [{ node: 'app-1', host: 'drill-x-app-1', port: 8080 }], ['0-redis.yaml'])) as {
      global: Record<string, string>;
      scrape_configs: { job_name: string; static_configs: { targets: string[]; labels: { node: string } }[] }[];
      rule_files: string[];
    };
    assert.deepEqual(prom.global, { scrape_interval: '500ms', scrape_timeout: '500ms', evaluation_interval: '1000ms' });
    assert.deepEqual(
      prom.scrape_configs.flatMap((j) => j.static_configs.map((c) => [j.job_name, c.targets[0], c.labels.node])),
      [
        ['data', '127.0.0.1:9121', 'redis-1'],
        ['data', '127.0.0.1:9122', 'redis-2'],
        ['app', 'drill-x-app-1:8080', 'app-1'],
      ],
    );
    assert.deepEqual(prom.rule_files, ['/etc/drill/rules/0-redis.yaml']);
    const am = JSON.parse(alertmanagerConfig({ ...spec, groupWaitMs: 1500 })) as { route: { group_wait: string }; receivers: { webhook_configs: { send_resolved: boolean }[] }[] };
    assert.equal(am.route.group_wait, '1500ms');
    assert.equal(am.receivers[0]!.webhook_configs[0]!.send_resolved, true);
    const mysql = exporterCommands(nodes, { kind: 'mysql', user: 'u', password: 'secret' }, 1000);
    assert.ok(
      mysql.every((c) => !c.includes('secret')),
      'the password goes through the environment, not the command line',
    );
  });
});

/** A small Redis drill file with the given layers (YAML lines under `layers:`). */
const drill = (layer: string) => `name: t
description: t
stack: { kind: redis-sentinel, replicas: 1, sentinels: 3 }
layers:
${layer}
load: { rate: 10, duration: 10s }
steps:
  - { at: 2s, fault: kill, target: primary }
`;

describe('monitoring layer: rule files in the drill file', () => {
  it('shipped rules by default; an alert no rule defines is refused with file, line and path', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'drill-mon-'));
    const ok = path.join(dir, 'ok.yaml');
    await writeFile(ok, drill('  - kind: monitoring\n    alerts: [{ name: RedisDown, firesWithin: 5s }]\n    noAlert: [RedisMasterChanged]'));
    const loaded = await loadDrillFile(ok);
    const layer = loaded.spec.layers[0]!;
    assert.equal(layer.kind, 'monitoring');
    assert.match(layer.rules[0]!, /drills\/alert-rules\/redis\.yaml$/);
    const bad = path.join(dir, 'bad.yaml');
    await writeFile(bad, drill('  - kind: monitoring\n    alerts:\n      - name: NoSuchAlert'));
    await assert.rejects(loadDrillFile(bad), (error: unknown) => {
      assert.ok(error instanceof DrillFileError);
      assert.match(error.message, /bad\.yaml:7:\d+: layers\[0\]\.alerts\[0\]\.name: expected an alert defined in the rule files \(.*RedisDown.*\), got "NoSuchAlert"/);
      return true;
    });
  });

  it('a rule file that is missing or not a rule file is refused at its path', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'drill-mon-'));
    await writeFile(path.join(dir, 'rules.yaml'), 'not: rules\n');
    const file = path.join(dir, 'd.yaml');
    await writeFile(file, drill('  - kind: monitoring\n    rules: [rules.yaml, missing.yaml]'));
    await assert.rejects(loadDrillFile(file), (error: unknown) => {
      assert.ok(error instanceof DrillFileError);
      assert.match(error.message, /layers\[0\]\.rules\[0\]: the rule file .*rules\.yaml has no "groups:" list/);
      assert.match(error.message, /layers\[0\]\.rules\[1\]: cannot read the rule file .*missing\.yaml/);
      return true;
    });
  });
});

describe('monitoring layer: your own Prometheus and Alertmanager', () => {
  it('read-only URLs on this machine only, as a pair, without rule files of drill', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'drill-mon-'));
    const ok = path.join(dir, 'ok.yaml');
    await writeFile(ok, drill('  - kind: monitoring\n    prometheus: { url: "http://127.0.0.1:19090/" }\n    alertmanager: { url: "http://localhost:19093" }\n    alerts: [{ name: AnyRuleOfYours }]'));
    const layer = (await loadDrillFile(ok)).spec.layers[0]!;
    assert.deepEqual(layer.kind === 'monitoring' && layer.external, { prometheusUrl: 'http://127.0.0.1:19090', alertmanagerUrl: 'http://localhost:19093' });
    const bad = path.join(dir, 'bad.yaml');
    await writeFile(bad, drill('  - kind: monitoring\n    prometheus: { url: "http://10.0.0.5:9090" }\n    rules: [x.yaml]'));
    await assert.rejects(loadDrillFile(bad), (error: unknown) => {
      assert.ok(error instanceof DrillFileError);
      assert.match(error.message, /layers\[0\]\.prometheus\.url: expected an http URL on this machine .*forward your monitoring there/);
      return true;
    });
    const alone = path.join(dir, 'alone.yaml');
    await writeFile(alone, drill('  - kind: monitoring\n    prometheus: { url: "http://127.0.0.1:9090" }\n    rules: [x.yaml]'));
    await assert.rejects(loadDrillFile(alone), (error: unknown) => {
      assert.ok(error instanceof DrillFileError);
      assert.match(error.message, /layers\[0\]\.alertmanager: expected alertmanager: \{ url: \.\.\. \} beside prometheus/);
      assert.match(error.message, /layers\[0\]\.rules: expected no rules with your own Prometheus/);
      return true;
    });
  });

  it("polling your Alertmanager's API: an alert's arrival and its departure, from a real HTTP server", async () => {
    let alerts: unknown[] = [];
    const server = http.createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(alerts));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    const watch = new AlertmanagerWatch(`http://127.0.0.1:${port}`);
    try {
      watch.start();
      await sleep(POLL_MS * 2);
      alerts = [{ labels: { alertname: 'RedisDown', node: 'redis-1' }, startsAt: new Date(Date.now() - 50).toISOString(), status: { state: 'active' } }];
      await sleep(POLL_MS * 3);
      alerts = [];
      await sleep(POLL_MS * 3);
    } finally {
      watch.stop();
      server.close();
    }
    const seen = watch.notifications();
    assert.deepEqual(
      seen.map((n) => [n.name, n.node, n.status]),
      [
        ['RedisDown', 'redis-1', 'firing'],
        ['RedisDown', 'redis-1', 'resolved'],
      ],
    );
    assert.ok(seen[1]!.receivedAtEpochMs - seen[0]!.receivedAtEpochMs >= POLL_MS, 'resolved at a later poll');
  });
});
