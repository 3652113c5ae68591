import { freeLocalPort } from '../../src/engine/resources.js';
import assert from 'node:assert/strict';
import http from 'node:http';
import { execFile, execFileSync } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { imageRefs } from '../../src/engine/images.js';
import { alertmanagerConfig, exporterCommands, prometheusConfig } from '../../src/layers/monitoring/config.js';
import { entrypointScript, RECEIVER_SCRIPT } from '../../src/layers/monitoring/entrypoint.js';
import type { MonitoringLayerResult } from '../../src/report/result.js';
import { setTimeout as sleep } from 'node:timers/promises';
import { docker, leftovers, repoRoot, requireEngine, runCli, runDrillFile, tempDir } from './helpers.js';
import { writesOf } from './restore-helpers.js';

// Bring your own stack: docker-compose.yml at the top of the repository (Redis, MariaDB and PostgreSQL), started with Compose (v2 where
// the plugin exists, Debian's docker-compose v1 otherwise), drilled with the shipped compose drills, and
// checked to be still up and untouched afterwards (same containers, all running, nothing added to them).
// Its own project name and app ports, so a stack a person runs (drill-ref) is never touched.

const run = promisify(execFile);
const project = `drill-it-${process.pid}`;
let compose: { cmd: string; args: string[] };
let env: NodeJS.ProcessEnv;
let drillDir: string;

async function findCompose(): Promise<{ cmd: string; args: string[] }> {
  for (const c of [
    { cmd: 'docker', args: ['compose'] },
    { cmd: 'docker-compose', args: [] },
  ]) {
    try {
      await run(c.cmd, [...c.args, 'version'], { timeout: 20_000 });
      return c;
    } catch {
      // try the next one
    }
  }
  throw new Error("neither `docker compose` (v2) nor `docker-compose` (v1) is installed: bash scripts/setup installs Debian's docker-compose");
}

function composeRun(...args: string[]) {
  return run(compose.cmd, [...compose.args, '-p', project, '-f', path.join(repoRoot, 'docker-compose.yml'), ...args], { env, cwd: repoRoot, timeout: 300_000, maxBuffer: 16 * 1024 * 1024 });
}

/** What must not change: the project's containers, their identity and configuration. */
async function snapshot() {
  const list = await docker.listContainers({ all: true, filters: { label: [`com.docker.compose.project=${project}`] } });
  const out = new Map<string, { name: string; running: boolean; created: string; image: string; cmd: string; labels: string; ports: string }>();
  for (const c of list) {
    const i = await docker.getContainer(c.Id).inspect();
    out.set(i.Id, {
      name: i.Name,
      running: i.State.Running && !i.State.Paused,
      created: i.Created,
      image: i.Config.Image,
      cmd: JSON.stringify([i.Config.Entrypoint, i.Config.Cmd]),
      labels: JSON.stringify(i.Config.Labels),
      ports: JSON.stringify(i.HostConfig.PortBindings),
    });
  }
  return out;
}

/** The `up` values "your" Prometheus answers (empty while it is not ready). */
function promUp(port: number): Promise<string[]> {
  return new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port, path: '/api/v1/query?query=up', timeout: 2000, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => {
        try {
          resolve(((JSON.parse(body) as { data?: { result?: { value: [number, string] }[] } }).data?.result ?? []).map((r) => r.value[1]));
        } catch {
          resolve([]);
        }
      });
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => {
      resolve([]);
    });
  });
}

/** A shipped compose drill pointed at this test's project and ports. */
async function drillFile(name: string, appPort: number, shippedPort: number): Promise<string> {
  const text = await readFile(path.join(repoRoot, 'drills', `${name}.yaml`), 'utf8');
  assert.match(text, /project: drill-ref\b/);
  const file = path.join(drillDir, `${name}.yaml`);
  await writeFile(file, text.replace(/project: drill-ref\b/, `project: ${project}`).replace(`http://127.0.0.1:${shippedPort}`, `http://127.0.0.1:${appPort}`));
  return file;
}

describe('compose: bring your own stack (docker-compose.yml)', { timeout: 900_000 }, () => {
  let before0: Awaited<ReturnType<typeof snapshot>>;
  let redisApp: number;
  let mysqlApp: number;
  let pgApp: number;

  before(async () => {
    await requireEngine();
    compose = await findCompose();
    const built = await runCli(['images', '--build'], { timeoutMs: 900_000 });
    assert.equal(built.code, 0, `drill images --build failed:\n${built.stderr.slice(-2000)}`);
    const refs = await imageRefs();
    redisApp = await freeLocalPort();
    mysqlApp = await freeLocalPort();
    pgApp = await freeLocalPort();
    env = {
      ...process.env,
      DRILL_REDIS_IMAGE: refs.redis.tag,
      DRILL_MARIADB_IMAGE: refs.mariadb.tag,
      DRILL_POSTGRES_IMAGE: refs.postgres.tag,
      DRILL_APP_IMAGE: refs.app.tag,
      DRILL_REDIS_APP_PORT: String(redisApp),
      DRILL_MYSQL_APP_PORT: String(mysqlApp),
      DRILL_PG_APP_PORT: String(pgApp),
    };
    drillDir = await tempDir('compose');
    const t0 = Date.now();
    await composeRun('up', '-d', '--no-build');
    before0 = await snapshot();
    assert.equal(before0.size, 12, `expected the 12 services of docker-compose.yml, got ${[...before0.values()].map((c) => c.name).join(', ')}`);
    process.stderr.write(`compose up (${compose.cmd} ${compose.args.join(' ')}): ${Date.now() - t0} ms\n`);
  });

  after(async () => {
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- set in before() when no Compose is installed
    if (!compose) return;
    await composeRun('down', '-v', '--remove-orphans').catch((error: unknown) => process.stderr.write(`compose down failed: ${String(error)}\n`));
    const rest = await docker.listContainers({ all: true, filters: { label: [`com.docker.compose.project=${project}`] } });
    assert.deepEqual(
      rest.map((c) => c.Names[0]),
      [],
      'compose down left containers',
    );
  });

  it('kills the Redis master the Sentinels name; Sentinel fails over; the killed container is started again and rejoins', async () => {
    const { code, result, stderr } = await runDrillFile(await drillFile('compose-redis-kill-master', redisApp, 18081));
    assert.equal(code, 0, `exit ${code}: ${result.reason}\n${stderr.slice(-3000)}`);
    assert.equal(result.verdict, 'pass');
    assert.equal(result.stack.kind, 'compose');
    assert.match(result.stack.primaryBefore ?? '', new RegExp(`^${project}[-_]redis-`));
    assert.notEqual(result.stack.primaryAfter, result.stack.primaryBefore, 'Sentinel did not promote the replica');
    assert.ok(result.measured && result.measured.ackedWrites > 1000, 'too few acknowledged writes');
    assert.equal(result.measured.unexpectedWrites, 0);
    const kill = result.faults[0]!;
    assert.equal(kill.container, result.stack.primaryBefore);
    assert.ok(
      result.events.some((e) => e.marker === 'restore' && e.message.includes(`restored ${kill.container}`)),
      'the killed master was not restored',
    );
    assert.ok(
      result.events.some((e) => e.marker === 'restore' && /rejoined/.test(e.message)),
      'the restored master did not rejoin',
    );
    assert.ok(
      result.events.some((e) => e.source === 'sentinel' && /\+switch-master/.test(e.message)),
      'no +switch-master on the timeline',
    );
    assert.deepEqual(await leftovers(result.runId), []);
  });

  it('restarts the MariaDB replica under load: no outage, nothing lost, the replica converges', async () => {
    const { code, result, stderr } = await runDrillFile(await drillFile('compose-mariadb-restart-replica', mysqlApp, 18082));
    assert.equal(code, 0, `exit ${code}: ${result.reason}\n${stderr.slice(-3000)}`);
    assert.equal(result.verdict, 'pass');
    assert.match(result.faults[0]!.container, new RegExp(`^${project}[-_]mariadb-replica`));
    assert.equal(result.measured?.lostWrites, 0);
    assert.ok(
      result.divergence?.replicas.every((r) => r.converged),
      `replica did not converge: ${JSON.stringify(result.divergence)}`,
    );
    assert.deepEqual(await leftovers(result.runId), []);
  });

  it('kills the PostgreSQL primary; the runbook promotes the standby and repoints the app; the read-back agrees; the killed node rejoins as a standby', async () => {
    const { code, result, resultPath, stderr } = await runDrillFile(await drillFile('compose-postgres', pgApp, 18083));
    assert.equal(code, 0, `exit ${code}: ${result.reason}\n${stderr.slice(-3000)}`);
    assert.equal(result.verdict, 'pass');
    const before = result.stack.primaryBefore!;
    const after = result.stack.primaryAfter!;
    assert.match(before, new RegExp(`^${project}[-_]pg-primary[-_]1$`));
    assert.match(after, new RegExp(`^${project}[-_]pg-replica[-_]1$`), 'the standby was not promoted');
    assert.equal(result.faults[0]!.container, before);
    assert.ok(result.events.some((e) => e.marker === 'runbook-promote') && result.events.some((e) => e.marker === 'runbook-repoint'), 'no promote/repoint on the timeline');
    assert.ok(
      result.events.some((e) => e.marker === 'new-timeline'),
      "no new timeline from the promoted server's log",
    );
    // Independently of drill: every id on the new primary, read with its own psql, against writes.csv.
    const sql = (container: string, query: string) =>
      execFileSync('docker', ['exec', container, 'psql', '-X', '-At', '-h', '/var/run/postgresql', '-U', 'postgres', '-d', 'drill', '-c', query], { encoding: 'utf8', maxBuffer: 64 << 20 }).trim();
    const present = new Set(sql(after, 'SELECT id FROM drill.writes').split('\n').filter(Boolean).map(Number));
    const writes = await writesOf(resultPath);
    const acked = writes.filter((w) => w.ok);
    assert.ok(acked.length > 500, `too few acknowledged writes: ${acked.length}`);
    const sent = new Set(writes.map((w) => w.id));
    assert.equal(acked.filter((w) => !present.has(w.id)).length, result.measured?.lostWrites, 'the read-back disagrees with the reported loss');
    assert.equal([...present].filter((id) => !sent.has(id)).length, 0, 'ids on the new primary that drill never sent');
    // Restored at the end, and the reference stack's start script rewound it onto the new primary.
    assert.ok(
      result.events.some((e) => e.marker === 'restore' && e.message.includes(`${before} a standby streaming from`)),
      `the killed primary did not rejoin as a standby: ${JSON.stringify(result.events.filter((e) => e.source === 'stack'))}`,
    );
    assert.equal(sql(before, 'SELECT pg_is_in_recovery()'), 't');
    assert.equal(sql(after, "SELECT count(*) FROM pg_stat_replication WHERE state = 'streaming'"), '1');
    assert.deepEqual(await leftovers(result.runId), []);
  });

  it("reads the team's own Prometheus and Alertmanager, read-only: RedisDown for the killed replica reaches Alertmanager in time, the write errors stay quiet", async () => {
    // "Your" monitoring: real Prometheus and Alertmanager on the project's network, started here (not by
    // drill, not labelled as drill's), scraping the project's Redis nodes and app with drill's shipped rules.
    const refs = await imageRefs();
    const rules = await readFile(path.join(repoRoot, 'drills', 'alert-rules', 'redis.yaml'), 'utf8');
    const nodes = ['redis-master', 'redis-replica'].map((s) => ({ node: s, host: s, port: 6379 }));
    const timing = { kind: 'monitoring' as const, external: undefined, scrapeIntervalMs: 1000, evaluationIntervalMs: 1000, groupWaitMs: 0, rules: [], alerts: [], noAlert: [] };
    const promPort = await freeLocalPort();
    const amPort = await freeLocalPort();
    const team = await docker.createContainer({
      name: `${project}-team-monitoring`,
      Image: refs.monitoring.tag,
      Cmd: ['bash', '-c', entrypointScript(exporterCommands(nodes, { kind: 'redis' }, 1000), ['redis.yaml'])],
      Env: [
        `MON_PROMETHEUS=${prometheusConfig(timing, nodes, [{ node: 'app-redis', host: 'app-redis', port: 8080 }], ['redis.yaml'])}`,
        `MON_ALERTMANAGER=${alertmanagerConfig(timing)}`,
        `MON_RECEIVER=${RECEIVER_SCRIPT}`,
        `MON_RULES_0=${rules}`,
      ],
      HostConfig: {
        NetworkMode: `${project}_default`,
        PortBindings: { '9090/tcp': [{ HostIp: '127.0.0.1', HostPort: String(promPort) }], '9093/tcp': [{ HostIp: '127.0.0.1', HostPort: String(amPort) }] },
      },
      ExposedPorts: { '9090/tcp': {}, '9093/tcp': {} },
    });
    try {
      await team.start();
      // Ready when every target has been scraped and is up.
      // A plain loop over node:http with a timeout (not fetch, not drill's waitUntil, whose timers are
      // unreferenced): in CI a pending fetch on a port Prometheus was not yet listening on left nothing
      // holding the event loop, and node:test ended the file with the promise still pending.
      for (let waitedMs = 0; ; waitedMs += 250) {
        const up = await promUp(promPort);
        if (up.length === 3 && up.every((u) => u === '1')) break;
        assert.ok(waitedMs < 60_000, `the team monitoring never scraped its 3 targets: ${JSON.stringify(up)}`);
        await sleep(250);
      }
      const file = await drillFile('compose-redis-kill-replica-alerting', redisApp, 18081);
      await writeFile(file, (await readFile(file, 'utf8')).replace('http://127.0.0.1:19090', `http://127.0.0.1:${promPort}`).replace('http://127.0.0.1:19093', `http://127.0.0.1:${amPort}`));
      const { code, result, stderr } = await runDrillFile(file);
      assert.equal(code, 0, `exit ${code}: ${result.reason}\n${stderr.slice(-3000)}`);
      const m = result.layers?.find((l): l is MonitoringLayerResult => l.kind === 'monitoring');
      assert.ok(m);
      assert.equal(m.watching, 'yours');
      assert.deepEqual(m.containers, [], 'drill started no monitoring of its own');
      // Read from the running configuration of "your" Prometheus and Alertmanager, not from the drill file.
      assert.deepEqual([m.scrapeIntervalMs, m.evaluationIntervalMs, m.groupWaitMs], [1000, 1000, 0]);
      assert.deepEqual(
        m.checks.map((c) => [c.name, c.ok]),
        [
          ['alert RedisDown fires', true],
          ['alert DrillWriteErrors stays quiet', true],
        ],
      );
      // Seen in Alertmanager by polling: after Prometheus fired it, within a poll (and a little scheduling).
      const down = m.alerts.find((a) => a.name === 'RedisDown' && a.notifiedAtMs !== null)!;
      assert.ok(down.notifiedAtMs! >= down.firingAtMs! && down.notifiedAtMs! - down.firingAtMs! <= m.pollMs! + 300, JSON.stringify(down));
      // The node the alert names is the container drill killed (compose names it <project>_<service>_1 or -1).
      assert.match(result.faults[0]!.container, new RegExp(`[-_]${down.node}[-_]1$`));
      assert.deepEqual(await leftovers(result.runId), []);
    } finally {
      await team.remove({ force: true });
    }
  });

  it('leaves the stack up and untouched: same containers, all running, same configuration', async () => {
    const now = await snapshot();
    assert.deepEqual([...now.keys()].sort(), [...before0.keys()].sort(), 'containers were removed or re-created');
    for (const [id, was] of before0) assert.deepEqual(now.get(id), was, `${was.name} changed`);
  });

  it('says what is wrong when the project is not running, and touches nothing', async () => {
    const file = path.join(drillDir, 'absent.yaml');
    await writeFile(file, (await readFile(await drillFile('compose-redis-kill-master', redisApp, 18081), 'utf8')).replace(`project: ${project}`, 'project: drill-absent-project'));
    const r = await runCli(['run', file, '--out', drillDir, '--json'], { timeoutMs: 60_000 });
    assert.equal(r.code, 3, r.stderr.slice(-2000));
    assert.match(r.stderr, /no running container for project drill-absent-project/);
  });

  it('validates compose drill files (selection, credentials, nodes)', async () => {
    const file = path.join(drillDir, 'bad.yaml');
    await writeFile(
      file,
      [
        'name: bad',
        'stack:',
        '  kind: compose',
        '  system: mysql-replication',
        '  endpoint: http://127.0.0.1:1',
        'load: { rate: 10, duration: 5s }',
        'steps:',
        '  - { at: 1s, fault: kill, target: sentinel }',
        '',
      ].join('\n'),
    );
    const r = await runCli(['validate', file]);
    assert.equal(r.code, 2);
    assert.match(r.stderr + r.stdout, /bad\.yaml:2:1: stack: missing key "project", "labels" or "containers"/);
    assert.match(r.stderr + r.stdout, /missing key "mysql"/);
    assert.match(r.stderr + r.stdout, /bad\.yaml:8:\d+: steps\[0\]\.target: .*got "sentinel"/);
  });
});
